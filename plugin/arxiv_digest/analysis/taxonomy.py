"""Default computer-vision taxonomy, the keyword tagger, and the tags' names and synonyms in each language.

A tag is stored under its taxonomy name (``3D Vision``); ``i18n/<lang>.yml`` gives its display name
(``tag_names``) and the words of that language for the taxonomy's keywords (``terms``: ``video generation``
→ ``视频生成``), which tag text in that language and make a paper findable by them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import i18n

DEFAULT_TAXONOMY: dict[str, list[str]] = {
    "3D Vision": ["3D", "3DGS", "Gaussian Splatting", "NeRF", "radiance field", "point cloud", "depth estimation",
                  "reconstruction", "novel view", "multi-view", "stereo", "SLAM", "mesh", "VGGT"],
    "Generative Models": ["diffusion", "generative", "GAN", "flow matching", "text-to-image", "image generation",
                          "video generation", "image editing", "autoregressive"],
    "Video": ["video", "temporal", "spatiotemporal", "action recognition", "tracking"],
    "Vision-Language": ["vision-language", "VLM", "VLMs", "MLLM", "MLLMs", "multimodal", "CLIP", "captioning",
                        "VQA", "visual question answering", "grounding", "large language model", "LLM"],
    "Detection & Segmentation": ["detection", "segmentation", "detector", "panoptic", "open-vocabulary", "SAM"],
    "Robotics & Embodied AI": ["robot", "robotic", "robotics", "manipulation", "grasping", "navigation", "embodied",
                               "locomotion", "vision-language-action", "VLA"],
    "Autonomous Driving": ["autonomous driving", "driving", "LiDAR", "BEV", "trajectory prediction", "occupancy"],
    "Medical Imaging": ["medical", "surgical", "CT", "MRI", "pathology", "clinical", "radiology", "X-ray"],
    "Human & Pose": ["human pose", "pose estimation", "human motion", "hand", "face", "avatar", "gesture"],
    "Efficient Models": ["efficient", "efficiency", "compression", "quantization", "pruning", "distillation",
                         "lightweight", "acceleration", "token pruning"],
    "Benchmarks & Datasets": ["benchmark", "dataset"],
    "Representation Learning": ["self-supervised", "contrastive", "representation learning", "pre-training",
                                "pretraining", "foundation model"],
    "Image Restoration": ["super-resolution", "denoising", "deblurring", "restoration", "low-light", "inpainting"],
    "Remote Sensing": ["remote sensing", "satellite", "aerial", "hyperspectral"],
    "Agents & Reasoning": ["agent", "agents", "agentic", "reasoning", "chain-of-thought", "planning"],
}


@lru_cache(maxsize=512)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Whole-word, case-insensitive match; CJK keywords match anywhere (no word boundaries in Chinese)."""
    escaped = re.escape(keyword).replace(r"\ ", r"[\s-]+")
    if i18n.HAN_RE.search(keyword):
        return re.compile(escaped)
    return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", re.IGNORECASE)


def display_name(tag: str, language: str) -> str:
    """How a site in ``language`` shows a tag (``三维视觉`` for ``3D Vision`` on a Chinese site)."""
    return (i18n.texts(language).get("tag_names") or {}).get(tag, tag)


@lru_cache(maxsize=1024)
def synonyms(keyword: str) -> tuple[str, ...]:
    """The words of every language for a taxonomy keyword (``video generation`` → ``视频生成``)."""
    found = ((i18n.texts(lang).get("terms") or {}).get(keyword) for lang in i18n.LANGUAGES)
    return tuple(dict.fromkeys(word for word in found if word and word != keyword))


@lru_cache(maxsize=64)
def _with_synonyms(keywords: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w for k in keywords for w in (k, *synonyms(k))))


def search_terms(text: str, taxonomy: dict[str, list[str]]) -> list[str]:
    """The other languages' words of the taxonomy keywords that occur in ``text``, for the search index: a
    paper whose abstract says "autonomous driving" is found by 自动驾驶."""
    keywords = dict.fromkeys(k for words in taxonomy.values() for k in words)
    return list(dict.fromkeys(w for k in keywords if synonyms(k) and keyword_pattern(k).search(text)
                              for w in synonyms(k)))


def match_tags(text: str, taxonomy: dict[str, list[str]], limit: int) -> list[str]:
    """Tags whose keywords (or their words in another language) occur in ``text``, most hits first (ties:
    taxonomy order)."""
    scored = []
    for order, (tag, keywords) in enumerate(taxonomy.items()):
        hits = sum(len(keyword_pattern(k).findall(text)) for k in _with_synonyms(tuple(keywords)))
        if hits:
            scored.append((-hits, order, tag))
    return [tag for _, _, tag in sorted(scored)[:limit]]
