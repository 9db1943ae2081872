"""Default computer-vision taxonomy and the keyword tagger."""

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


def match_tags(text: str, taxonomy: dict[str, list[str]], limit: int) -> list[str]:
    """Tags whose keywords occur in ``text``, most hits first (ties: taxonomy order)."""
    scored = []
    for order, (tag, keywords) in enumerate(taxonomy.items()):
        hits = sum(len(keyword_pattern(k).findall(text)) for k in keywords)
        if hits:
            scored.append((-hits, order, tag))
    return [tag for _, _, tag in sorted(scored)[:limit]]
