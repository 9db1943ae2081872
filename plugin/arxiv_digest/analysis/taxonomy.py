"""Default computer-vision taxonomy, the keyword tagger, and the tags' names and synonyms in each language.

A tag is stored under its taxonomy name (``3D Vision``); ``i18n/<lang>.yml`` gives its display name
(``tag_names``) and the words of that language for the taxonomy's keywords (``terms``: ``video generation``
→ ``视频生成``), which tag text in that language and make a paper findable by them.

How a keyword matches (tags and ``ranking`` alike): whole words in any case, its words joined by spaces or
hyphens (``video generation`` finds "video-generation" and "audio-video generation"; ``3D`` finds "3D-aware"), its
last word also in the plural ("point clouds", "VLMs"). A keyword written in capitals is an acronym and matches in
capitals only (``CLIP`` is not "video clips"). Words too ambiguous alone (hand, face, mesh, CT, manipulation,
efficient, temporal, reconstruction, pose estimation...) are only keywords inside phrases ("hand pose").

How a tag is earned (:func:`match_tags`): the title names what a paper is about, while a topic mentioned once in an
abstract is often context ("evaluated on COCO detection", "applied to autonomous driving"). Evidence is
``TITLE_WEIGHT`` when a keyword is in the title plus one for each abstract sentence with a keyword; a tag needs
``MIN_EVIDENCE``: a title hit, or keywords in two sentences of the abstract.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate

from .. import i18n

TITLE_WEIGHT = 2  # a keyword in the title weighs as much as two abstract sentences (tags and ranking)
MIN_EVIDENCE = 2  # precision 0.94 / recall 0.82 on the hand list; 1: 0.72 / 0.97, 3: 1.00 / 0.67 (benchmarks/tags.py)

DEFAULT_TAXONOMY: dict[str, list[str]] = {
    "3D Vision": ["3D", "3DGS", "Gaussian Splatting", "NeRF", "radiance field", "point cloud", "depth estimation",
                  "scene reconstruction", "surface reconstruction", "mesh reconstruction", "novel view",
                  "view synthesis", "multi-view", "stereo", "SLAM", "structure from motion", "bundle adjustment",
                  "camera pose", "VGGT"],
    "Generative Models": ["diffusion", "generative", "GAN", "flow matching", "text-to-image", "text-to-video",
                          "image generation", "video generation", "visual generation", "3D generation",
                          "image synthesis", "image editing"],
    "Video": ["video", "spatiotemporal", "action recognition", "object tracking", "visual tracking"],
    "Vision-Language": ["vision-language", "VLM", "LVLM", "MLLM", "multimodal", "CLIP", "captioning", "VQA",
                        "visual question answering", "visual grounding", "large language model", "LLM"],
    "Detection & Segmentation": ["detection", "segmentation", "detector", "panoptic", "open-vocabulary", "SAM"],
    "Robotics & Embodied AI": ["robot", "robotic", "robotics", "robotic manipulation", "dexterous manipulation",
                               "grasping", "navigation", "embodied", "locomotion", "humanoid", "sim-to-real",
                               "teleoperation", "vision-language-action", "VLA"],
    "Autonomous Driving": ["autonomous driving", "automated driving", "self-driving", "driving", "autonomous vehicle",
                           "LiDAR", "BEV", "trajectory prediction", "occupancy"],
    "Medical Imaging": ["medical", "surgical", "surgery", "CT scan", "CT image", "computed tomography", "MRI",
                        "pathology", "histopathology", "clinical", "radiology", "X-ray", "ultrasound"],
    "Human & Pose": ["human pose", "body pose", "hand pose", "hand-object", "human motion", "human mesh",
                     "motion capture", "SMPL", "face recognition", "facial", "avatar", "gesture"],
    "Efficient Models": ["model compression", "token compression", "quantization", "pruning", "knowledge distillation",
                         "parameter-efficient", "acceleration", "speedup", "FLOPs"],
    "Benchmarks & Datasets": ["benchmark", "benchmarking", "dataset"],
    "Representation Learning": ["self-supervised", "contrastive learning", "representation learning", "pre-training",
                                "pretraining", "vision foundation model"],
    "Image Restoration": ["super-resolution", "image denoising", "deblurring", "restoration", "low-light",
                          "inpainting", "dehazing", "deraining", "inverse problem"],
    "Remote Sensing": ["remote sensing", "satellite", "aerial", "hyperspectral", "Earth observation"],
    "Agents & Reasoning": ["agent", "agentic", "reasoning", "chain-of-thought", "tool use"],
}

_WORD = "0-9A-Za-z\u00c0-\u024f"  # a keyword is not part of a longer word (a hyphen or CJK text is a boundary)
_JOIN = r"[\s\-\u2010-\u2014]+"  # between the words of a phrase: spaces, hyphens, dashes


def _plural(word: str) -> str:
    """``word`` and its plural, as a pattern (English compounds pluralise their last word only)."""
    escaped = re.escape(word)
    if not word[-1:].isalpha():
        return escaped
    if word.isupper():
        return escaped + "s?"  # VLM → VLMs
    if re.search(r"[^aeiou]y$", word, re.IGNORECASE):
        return re.escape(word[:-1]) + "(?:y|ies)"  # query → queries
    if re.search(r"(?:s|x|z|ch|sh)$", word, re.IGNORECASE):
        return escaped + "(?:es)?"  # mesh → meshes
    return escaped + "s?"


def _keyword_regex(keyword: str) -> str:
    """The pattern of one keyword, as a scoped group: case-insensitive unless an acronym; CJK anywhere."""
    if i18n.HAN_RE.search(keyword):
        return f"(?:{re.escape(keyword)})"
    words = [w for w in re.split(_JOIN, keyword.strip()) if w]
    if not words:
        return "(?!)"
    body = _JOIN.join([*(re.escape(w) for w in words[:-1]), _plural(words[-1])])
    acronym = len(re.findall(r"[A-Za-z]", keyword)) >= 2 and not re.search(r"[a-z]", keyword)
    return f"(?<![{_WORD}])(?{'' if acronym else 'i'}:{body})(?![{_WORD}])"


@lru_cache(maxsize=512)
def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Where ``keyword`` occurs (see the module's docstring for the rules)."""
    return re.compile(_keyword_regex(keyword))


_WORDS = re.compile(f"[{_WORD}]+")


def _first_words(keyword: str) -> frozenset[str] | None:
    """The lower-case words an occurrence of ``keyword`` starts with: its first word (and its plurals, for a
    one-word keyword); None for Chinese, which has no words to look for."""
    if i18n.HAN_RE.search(keyword):
        return None
    words = _WORDS.findall(keyword.lower())
    if not words or not _WORDS.match(keyword.strip()):
        return frozenset()  # no word to start with ("(a|b)", "C++" does): always tried
    first = words[0]
    if len(words) > 1:
        return frozenset([first])
    return frozenset([first, first + "s", first + "es", first[:-1] + "ies"])


Entry = tuple[str, str, re.Pattern[str]]  # what a keyword tells (a tag), the keyword, its pattern


@lru_cache(maxsize=32)
def _index(items: tuple[tuple[str, tuple[str, ...]], ...]) -> tuple[dict[str, list[Entry]], list[Entry], list[Entry]]:
    """For (name, keywords) pairs: the keywords (and their words in every language) by their first words, the
    Chinese ones and those without a word to look for."""
    by_word: dict[str, list[Entry]] = {}
    chinese: list[Entry] = []
    always: list[Entry] = []
    for name, keywords in items:
        for keyword in _with_synonyms(keywords):
            entry, first = (name, keyword, keyword_pattern(keyword)), _first_words(keyword)
            if first is None:
                chinese.append(entry)
            elif not first:
                always.append(entry)
            for word in first or ():
                by_word.setdefault(word, []).append(entry)
    return by_word, chinese, always


def _occurrences(text: str, items: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[int]]:
    """Name → where its keywords (or their words in another language) occur in ``text``. A keyword is only tried
    where a word of the text is its first word: most keywords are absent from a paper, and running each pattern
    over the whole text cost some thirty times more (the tags of a year's papers are made at each build)."""
    by_word, chinese, always = _index(items)
    out: dict[str, list[int]] = {}
    for word in _WORDS.finditer(text):
        for name, _, pattern in by_word.get(word.group().lower(), ()):
            if pattern.match(text, word.start()):
                out.setdefault(name, []).append(word.start())
    for name, _, pattern in [*always, *(e for e in chinese if e[1] in text)]:
        out.setdefault(name, []).extend(m.start() for m in pattern.finditer(text))
    return {name: starts for name, starts in out.items() if starts}


def _items(taxonomy: dict[str, list[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((tag, tuple(keywords)) for tag, keywords in taxonomy.items())


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
    keywords = dict.fromkeys(k for words in taxonomy.values() for k in words if synonyms(k))
    found = _occurrences(text, tuple((k, (k,)) for k in keywords))
    return list(dict.fromkeys(w for k in keywords if k in found for w in synonyms(k)))


def evidence(title: str, sentences: Sequence[str], taxonomy: dict[str, list[str]]) -> dict[str, int]:
    """Tag → ``TITLE_WEIGHT`` when one of its keywords is in the title, plus one per sentence (of the abstract)
    holding one; tags without any are left out."""
    items = _items(taxonomy)
    in_title = _occurrences(title, items)
    offsets = list(accumulate((len(s) + 1 for s in sentences[:-1]), initial=0))  # where each sentence starts
    in_abstract = _occurrences("\n".join(sentences), items)
    return {tag: TITLE_WEIGHT * (tag in in_title) + len({bisect_right(offsets, at) for at in in_abstract.get(tag, ())})
            for tag in taxonomy if tag in in_title or tag in in_abstract}


def match_tags(title: str, sentences: Sequence[str], taxonomy: dict[str, list[str]], limit: int,
               min_evidence: int = MIN_EVIDENCE) -> list[str]:
    """Tags with at least ``min_evidence`` (see :func:`evidence`) in a paper's title and abstract ``sentences``,
    most evidence first (ties: taxonomy order), at most ``limit``."""
    order = {tag: i for i, tag in enumerate(taxonomy)}
    found = evidence(title, sentences, taxonomy)
    return sorted((t for t, n in found.items() if n >= min_evidence), key=lambda t: (-found[t], order[t]))[:limit]
