"""Synthetic arxiv-digest store: N announcement days × M papers, deterministic from a seed.

Usage (from the repository root)::

    python benchmarks/synth.py --days 260 --papers 10 --out /tmp/digest-store --seed 1
    python benchmarks/synth.py --days 250 --papers 20 --listed 230 --out /tmp/whole-category   # issue 18

Writes ``OUT/days/*.json`` and ``OUT/papers/*.json`` in the store's format
(``arxiv_digest.store.dumps``, ``schema`` included), as if every paper had been
fetched and analyzed by an LLM:

- digest dates are consecutive real announcement days (``arxiv_digest.arxiv.announce``),
  going back from ``--until`` (default 2026-11-20), each with its submission window;
- papers: titles of 8–20 words, 5–40 authors, English abstracts of ~1,500 characters
  (some with ``$...$``), cs.CV/cs.RO primary categories and cross-lists, some comments
  and code links, ids numbered per submission month;
- analyses: provenance "llm", status "done", a Chinese body of ~6,000 characters in the
  5-section abstract form (``i18n.sections("zh", "abstract")``) with inline and display
  LaTeX, a Chinese TL;DR, 2–4 key findings, tags from ``DEFAULT_TAXONOMY`` + categories;
- day records: window, categories, papers, and an LLM-style Chinese executive summary
  (4 sections, dated with the digest date) whose ``basis`` matches its papers, so a
  build with an LLM configured finds nothing to redo;
- with ``--listed N``: N more papers a day in ``OUT/listed/<date>.json`` (the second tier of a whole
  category: compact records with an LLM brief each), drawn from their own random stream so the
  featured papers are the same as without it.

Existing ``*.json`` in ``OUT/days`` and ``OUT/papers`` are removed first.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT / "plugin"))  # after an installed or snapshot arxiv_digest (see build.py)

from arxiv_digest.arxiv import announce  # noqa: E402
from arxiv_digest import i18n  # noqa: E402
from arxiv_digest.pipeline import summary_basis  # noqa: E402
from arxiv_digest.arxiv.ids import file_stem  # noqa: E402
from arxiv_digest.store import SCHEMA, dumps  # noqa: E402
from arxiv_digest.model import LISTED_FIELDS  # noqa: E402
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY  # noqa: E402

UNTIL = date(2026, 11, 20)
TIMEZONE = "Asia/Shanghai"
DAY_CATEGORIES = ["cs.CV", "cs.RO"]
CROSS_LISTS = ["cs.AI", "cs.LG", "cs.CL", "cs.GR", "eess.IV", "cs.MM", "cs.HC", "eess.SY"]
MODEL = "gpt-4o-mini"

# -- English ----------------------------------------------------------------------------

ADJECTIVES = ["Scalable", "Robust", "Efficient", "Unified", "Generalizable", "Hierarchical", "Adaptive", "Sparse",
              "Dense", "Consistent", "Controllable", "Open-World", "Zero-Shot", "Few-Shot", "Self-Supervised",
              "Lightweight", "Physically Grounded", "Temporally Coherent", "Geometry-Aware", "Uncertainty-Aware",
              "Training-Free", "Multi-Scale", "Cross-Modal", "Long-Horizon", "Real-Time", "Data-Efficient"]
NOUNS = ["Representations", "Transformers", "Priors", "Tokens", "Features", "Policies", "Embeddings", "Fields",
         "Attention", "Memory", "Queries", "Correspondences", "Latents", "Adapters", "Experts", "Rewards",
         "Trajectories", "Primitives", "Masks", "Descriptors", "Graphs", "Codebooks"]
CONNECTORS = ["for", "via", "with", "towards", "from", "under", "beyond", "in", "through"]
NAME_PARTS = ["Gen", "Vid", "Nav", "Splat", "Seg", "Pose", "Mani", "Occ", "Depth", "Geo", "Omni", "Lumi", "Flow",
              "Mesh", "Scene", "Track", "Edit", "Grasp", "Drive", "Med", "Sat", "Reason", "Vista", "Motion"]
NAME_SUFFIXES = ["Former", "Net", "GS", "Diff", "Bench", "Agent", "VLA", "Fusion", "Mamba", "LM", "-R1", "Zero",
                 "X", "Pro", "Lite", "4D", "3R", "Mix", "Sync", "Prior"]
FIRST = ["Wei", "Jing", "Hao", "Yu", "Xin", "Chen", "Yang", "Li", "Zhi", "Ming", "Anna", "David", "Maria", "James",
         "Sofia", "Lukas", "Aditya", "Priya", "Kenji", "Yuki", "Min-Jun", "Seo-yeon", "Omar", "Fatima", "Pierre",
         "Elena", "Mateo", "Chloe", "Ivan", "Olga", "Tom", "Sara", "Ruihang", "Leigang", "Jiaqi", "Xiaosong"]
LAST = ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Zhu", "Hu",
        "Guo", "He", "Lin", "Luo", "Gao", "Smith", "Müller", "Garcia", "Rossi", "Kim", "Park", "Tanaka", "Sato",
        "Singh", "Kumar", "Dubois", "Novak", "Ivanova", "Johnson", "Silva", "Nguyen", "Cohen", "Schmidt"]
DATASETS = ["ImageNet", "COCO", "ScanNet", "nuScenes", "Waymo Open", "KITTI", "ADE20K", "Kinetics-400", "LLFF",
            "Mip-NeRF 360", "DTU", "CO3D", "Ego4D", "RLBench", "LIBERO", "BraTS", "DOTA", "MVBench", "VQAv2"]
METRICS = ["PSNR", "mIoU", "FID", "mAP", "success rate", "Chamfer distance", "top-1 accuracy", "NDS", "SSIM",
           "LPIPS", "F1 score", "FVD", "AUC", "ADE"]
ABSTRACT_SENTENCES = [
    "{Topic} has attracted growing attention, yet existing methods struggle with {problem} in {setting}.",
    "Most prior work relies on {resource}, which limits {quality} and makes deployment in {setting} difficult.",
    "In this paper, we propose {Name}, a {adj} framework for {topic} that {mechanism}.",
    "We introduce {Name}, which couples {component} with {component2} to address {problem}.",
    "The key insight is that {component} can be learned from {resource} without {requirement}.",
    "Specifically, we design {component} that {mechanism}, and a {component2} that enforces {quality}.",
    "To train the model, we construct a dataset of {count} samples covering {setting}.",
    "We further introduce a {adj} objective $\\mathcal{{L}} = \\mathcal{{L}}_{{\\text{{rec}}}} + \\lambda \\mathcal{{L}}_{{\\text{{reg}}}}$ that balances fidelity and {quality}.",
    "Extensive experiments on {dataset} and {dataset2} show that {Name} outperforms state-of-the-art methods by {pct}% in {metric}.",
    "Our approach achieves a {speed}x speed-up while reducing memory by {pct}% compared with strong baselines.",
    "Ablation studies confirm the contribution of each component and reveal that {component} is critical for {quality}.",
    "Results demonstrate significant gains in {metric} on {dataset}, with complexity $O(N \\log N)$ instead of $O(N^2)$.",
    "We also show that {Name} transfers to {setting} with only {count} labelled examples.",
    "Code, models and the benchmark will be released to facilitate future research on {topic}.",
    "Our analysis reveals that {problem} stems from {resource} rather than model capacity.",
    "Real-world experiments on a {robot} further validate the practicality of the approach.",
]
PROBLEMS = ["domain shift", "occlusion", "error accumulation", "temporal flicker", "hallucination", "sparse supervision",
            "long-tail categories", "view inconsistency", "catastrophic forgetting", "high latency", "label noise",
            "scale ambiguity", "reward hacking", "motion blur"]
SETTINGS = ["open-world scenes", "cluttered indoor environments", "urban driving", "surgical videos",
            "aerial imagery", "egocentric video", "household manipulation", "low-light conditions",
            "long video sequences", "large-scale outdoor scenes"]
RESOURCES = ["dense 3D annotations", "paired training data", "expensive per-scene optimization",
             "hand-crafted heuristics", "large proprietary models", "multi-view calibration",
             "synthetic data", "web-scale image-text pairs"]
QUALITIES = ["geometric consistency", "temporal coherence", "robustness", "efficiency", "generalization",
             "interpretability", "fine-grained alignment", "sample efficiency"]
MECHANISMS = ["aligns visual tokens with language queries", "predicts dense correspondences in a single pass",
              "distills a foundation model into a compact student", "reasons over a scene graph",
              "propagates features across frames with a memory bank", "models uncertainty explicitly",
              "decouples appearance and geometry", "plans actions with a learned world model"]
COMPONENTS = ["a sparse attention module", "a geometry-aware tokenizer", "a mixture-of-experts decoder",
              "a diffusion prior", "a contrastive pre-training stage", "a lightweight adapter",
              "a temporal memory bank", "a reward model", "a differentiable renderer", "a query-based head"]
ROBOTS = ["7-DoF Franka arm", "quadruped robot", "mobile manipulator", "humanoid robot", "autonomous vehicle"]
COMMENTS = ["Accepted to CVPR 2026", "Accepted by ICRA 2026", "NeurIPS 2026", "ECCV 2026 camera-ready",
            "Project page available", "12 pages, 8 figures", "Technical report", "Accepted to IROS 2026",
            "Under review", "Extended version of the conference paper"]

# -- Chinese ------------------------------------------------------------------------------

ZH_TAGS = {
    "3D Vision": "三维视觉", "Generative Models": "生成模型", "Video": "视频理解", "Vision-Language": "视觉-语言",
    "Detection & Segmentation": "检测与分割", "Robotics & Embodied AI": "机器人与具身智能",
    "Autonomous Driving": "自动驾驶", "Medical Imaging": "医学影像", "Human & Pose": "人体与姿态",
    "Efficient Models": "高效模型", "Benchmarks & Datasets": "基准与数据集", "Representation Learning": "表征学习",
    "Image Restoration": "图像复原", "Remote Sensing": "遥感", "Agents & Reasoning": "智能体与推理",
}
ZH_CONCEPTS = ["注意力机制", "扩散先验", "几何一致性", "时序建模", "跨模态对齐", "稀疏表示", "知识蒸馏", "对比学习",
               "世界模型", "奖励建模", "隐式神经场", "高斯溅射", "混合专家", "视觉编码器", "多视角约束", "不确定性估计",
               "特征金字塔", "记忆库", "查询解码器", "可微渲染", "自监督预训练", "强化学习微调", "检索增强", "提示学习"]
ZH_PROBLEMS = ["域偏移", "遮挡", "误差累积", "时序闪烁", "幻觉问题", "监督稀疏", "长尾分布", "视角不一致", "灾难性遗忘",
               "推理延迟过高", "标注噪声", "尺度歧义", "泛化能力不足", "计算开销过大"]
ZH_SETTINGS = ["开放世界场景", "室内复杂环境", "城市道路驾驶", "手术视频", "航拍影像", "第一人称视频", "家庭操作任务",
               "低照度条件", "长视频序列", "大规模室外场景"]
ZH_OPENERS = ["值得注意的是，", "具体而言，", "从方法论上看，", "与此同时，", "进一步地，", "总体而言，", "换言之，",
              "在实现层面，", "从实验结果看，", "需要指出的是，", ""]
ZH_SENTENCES = [
    "作者提出了 {name}，通过{concept}与{concept2}的结合来缓解{problem}，这一设计在{setting}中尤为重要",
    "该方法的核心思想是利用{concept}为模型提供额外的结构信息，从而在不增加标注成本的前提下提升{quality}",
    "与依赖大量人工标注的已有方法不同，{name} 仅需少量样本即可适应{setting}",
    "损失函数写作 $\\mathcal{{L}} = \\mathcal{{L}}_{{rec}} + \\lambda \\mathcal{{L}}_{{reg}}$，其中 $\\lambda$ 控制正则项的权重",
    "模型的计算复杂度从 $O(N^2)$ 降低到 $O(N \\log N)$，使得处理高分辨率输入成为可能",
    "在 {dataset} 上，{name} 的 {metric} 相比最强基线提升约 {pct}%，并在 {dataset2} 上保持了同样的优势",
    "消融实验表明，移除{concept}后性能明显下降，说明该模块对{quality}起到了关键作用",
    "摘要未提及训练所需的具体算力与时间，这对复现者评估成本造成一定困难",
    "这一思路与近期基于{concept}的工作一脉相承，但在{quality}方面给出了更系统的分析",
    "如果该方法能够稳定复现，它有望成为{setting}中的一个通用组件，并推动{tag}方向的发展",
    "从应用角度看，{name} 可以直接服务于{setting}，也可以作为更大系统中的感知或规划模块",
    "作者同时构建了包含 {count} 个样本的新基准，用于系统评估{problem}对模型的影响",
    "不过，方法对{concept}的依赖可能限制其在资源受限设备上的部署",
    "此外，实验主要集中在 {dataset} 等公开数据集上，真实场景下的表现仍有待验证",
    "该工作将{concept}视为一种可学习的先验，并通过端到端训练使其与下游任务目标保持一致",
    "在推理阶段，模型只需一次前向传播即可得到结果，速度约为基线的 {speed} 倍",
    "对于关注{tag}的研究者而言，这篇论文提供了一个简洁而有效的参考实现",
    "作者还讨论了{problem}的成因，认为其主要来自训练数据的偏差而非模型容量不足",
    "设输入特征为 $x \\in \\mathbb{{R}}^{{H \\times W \\times C}}$，模块输出经过归一化后与原特征残差相加",
    "{name} 在 {metric} 指标上取得了当前最好的结果，同时参数量减少了约 {pct}%",
]
ZH_BULLETS = [
    "**{concept}**：用于建模{quality}，缓解{problem}",
    "**{name} 框架**：统一处理{setting}中的多种子任务",
    "**新基准**：覆盖{setting}，包含 {count} 个样本",
    "**高效推理**：相比基线加速约 {speed} 倍",
    "**局限**：对{concept}的依赖较强，摘要未提及失败案例",
    "**应用**：可用于{setting}与相关的{tag}任务",
]


def _ctx(rng: random.Random, name: str, tags: list[str]) -> dict[str, object]:
    d1, d2 = rng.sample(DATASETS, 2)
    c1, c2 = rng.sample(ZH_CONCEPTS, 2)
    return {"name": name, "concept": c1, "concept2": c2, "problem": rng.choice(ZH_PROBLEMS),
            "setting": rng.choice(ZH_SETTINGS), "quality": rng.choice(["几何一致性", "时序一致性", "鲁棒性", "推理效率",
                                                                       "泛化能力", "可解释性", "细粒度对齐"]),
            "dataset": d1, "dataset2": d2, "metric": rng.choice(METRICS), "pct": rng.randint(2, 35),
            "count": f"{rng.randint(1, 120) * 1000:,}", "speed": rng.choice([1.5, 2, 3, 4.2, 6, 10]),
            "tag": ZH_TAGS.get(rng.choice(tags) if tags else "Video", "视觉")}


def zh_sentence(rng: random.Random, name: str, tags: list[str]) -> str:
    template = rng.choice(ZH_SENTENCES)
    while "$" in template and rng.random() < 0.6:  # some LaTeX, not in every paragraph
        template = rng.choice(ZH_SENTENCES)
    return rng.choice(ZH_OPENERS) + template.format(**_ctx(rng, name, tags)) + "。"


def zh_paragraph(rng: random.Random, name: str, tags: list[str], chars: int) -> str:
    out = ""
    while len(out) < chars:
        out += zh_sentence(rng, name, tags)
    return out


def analysis_body(rng: random.Random, name: str, tags: list[str], target: int) -> str:
    """Chinese analysis in the 5-section abstract form, about ``target`` characters."""
    sections = i18n.sections("zh", "abstract")
    per = target // len(sections)
    parts = []
    for i, heading in enumerate(sections, 1):
        lines = [f"### {i}. {heading}", ""]
        used = 0
        lines.append(zh_paragraph(rng, name, tags, per // 3))
        lines.append("")
        used += len(lines[-2])
        if rng.random() < 0.7:
            for template in rng.sample(ZH_BULLETS, rng.randint(2, 4)):
                lines.append("- " + template.format(**_ctx(rng, name, tags)))
                used += len(lines[-1])
            lines.append("")
        if i == 2 and rng.random() < 0.4:
            lines += ["$$", "\\hat{y} = \\arg\\max_{y} \\; p_\\theta(y \\mid x) \\cdot \\exp\\big(-\\beta \\, d(x, y)\\big)",
                      "$$", ""]
        while used < per - 80:
            para = zh_paragraph(rng, name, tags, min(400, per - used))
            lines += [para, ""]
            used += len(para)
        parts.append("\n".join(lines).rstrip())
    return "\n\n".join(parts) + "\n"


def day_summary(rng: random.Random, digest_date: str, papers: list[dict]) -> str:
    """LLM-style executive summary (4 sections), dated with the digest date."""
    y, m, d = (int(x) for x in digest_date.split("-"))
    date_text = f"{y} 年 {m} 月 {d} 日"
    numbered = list(enumerate(papers, 1))
    counts: dict[str, int] = {}
    for p in papers:
        for t in p["tags"]:
            if t in DEFAULT_TAXONOMY:
                counts[t] = counts.get(t, 0) + 1
    themes = sorted(counts.items(), key=lambda kv: -kv[1])[:4]
    lines = [f"### 主要主题", ""]
    for tag, n in themes:
        i, p = rng.choice([(i, p) for i, p in numbered if tag in p["tags"]])
        lines.append(f"- **{ZH_TAGS[tag]}**（{n} 篇）：{date_text}这一期中，{zh_sentence(rng, p['name'], [tag])}"
                     f"代表作为第 {i} 篇《{p['title']}》。")
    lines += ["", "### 亮点", ""]
    for i, p in rng.sample(numbered, min(3, len(numbered))):
        lines.append(f"- **{i}. {p['title']}**：{p['analysis']['tldr']}")
    lines += ["", "### 新兴方向", ""]
    for _ in range(rng.randint(2, 4)):
        lines.append("- " + zh_sentence(rng, rng.choice(papers)["name"], list(counts)))
    lines += ["", "### 阅读清单", ""]
    for i, p in sorted(rng.sample(numbered, min(5, len(numbered)))):
        lines.append(f"{i}. {p['title']}")
    return "\n".join(lines) + "\n"


# -- papers --------------------------------------------------------------------------------

def make_title(rng: random.Random, name: str, keywords: list[str]) -> str:
    """``Name: Adj Keyword Noun for Keyword in Setting``, padded or cut to 8–20 words."""
    words = rng.randint(8, 20)
    kw = [k if k[:1].isupper() else k.title() for k in keywords]
    head = [f"{name}:", rng.choice(ADJECTIVES), kw[0], rng.choice(NOUNS), rng.choice(CONNECTORS[:4]),
            rng.choice(kw), "in", rng.choice(SETTINGS).title()]
    extra = [[rng.choice(ADJECTIVES), rng.choice(NOUNS)], ["and", rng.choice(ADJECTIVES), rng.choice(kw)],
             [rng.choice(CONNECTORS), rng.choice(NOUNS)], ["with", rng.choice(COMPONENTS).split(" ", 1)[1].title()]]
    title = " ".join(head).split()
    while len(title) < words:
        title += " ".join(rng.choice(extra)).split()
    return " ".join(title[:words])


def make_abstract(rng: random.Random, name: str, keywords: list[str], target: int) -> str:
    out: list[str] = []
    length = 0
    templates = list(ABSTRACT_SENTENCES)
    while length < target:
        if not templates:
            templates = list(ABSTRACT_SENTENCES)
        sentence = templates.pop(rng.randrange(len(templates)))
        if "$" in sentence and rng.random() < 0.7:
            continue  # most abstracts carry no math
        topic = rng.choice(keywords)
        d1, d2 = rng.sample(DATASETS, 2)
        c1, c2 = rng.sample(COMPONENTS, 2)
        text = sentence.format(
            Topic=topic[0].upper() + topic[1:], topic=topic, Name=name, adj=rng.choice(ADJECTIVES).lower(),
            problem=rng.choice(PROBLEMS), setting=rng.choice(SETTINGS), resource=rng.choice(RESOURCES),
            quality=rng.choice(QUALITIES), mechanism=rng.choice(MECHANISMS), component=c1, component2=c2,
            requirement=rng.choice(RESOURCES), count=f"{rng.randint(1, 500) * 100:,}", dataset=d1, dataset2=d2,
            pct=rng.randint(2, 40), metric=rng.choice(METRICS), speed=rng.choice([2, 3, 5, 8, 12]),
            robot=rng.choice(ROBOTS))
        out.append(text)
        length += len(text) + 1
    return " ".join(out)


def make_paper(rng: random.Random, pid: str, published: datetime, primary: str) -> dict:
    n_tags = rng.choices([1, 2, 3, 4], weights=[2, 4, 3, 1])[0]
    topic_tags = rng.sample(list(DEFAULT_TAXONOMY), n_tags)
    if primary == "cs.RO" and "Robotics & Embodied AI" not in topic_tags:
        topic_tags[0] = "Robotics & Embodied AI"
        topic_tags = list(dict.fromkeys(topic_tags))
    keywords = [rng.choice(DEFAULT_TAXONOMY[t]) for t in topic_tags]
    name = rng.choice(NAME_PARTS) + rng.choice(NAME_SUFFIXES)
    title = make_title(rng, name, keywords)
    abstract = make_abstract(rng, name, keywords, rng.randint(1300, 1700))
    categories = [primary] + rng.sample([c for c in CROSS_LISTS + DAY_CATEGORIES if c != primary], rng.randint(0, 3))
    version = rng.choices([1, 2, 3], weights=[8, 2, 1])[0]
    authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice(
        [rng.randint(5, 9), rng.randint(5, 14), rng.randint(10, 40)]))]
    code_links = []
    if rng.random() < 0.35:
        code_links.append(f"https://github.com/{rng.choice(LAST).lower()}-lab/{name.lower().replace('-', '')}")
        if rng.random() < 0.3:
            code_links.append(f"https://{name.lower().replace('-', '')}.github.io/")
    comment = None
    if rng.random() < 0.4:
        comment = rng.choice(COMMENTS)
        if code_links and rng.random() < 0.5:
            comment += f". Code: {code_links[0]}"
    tldr = (f"{name} 提出了一种" + rng.choice(["结合", "基于", "融合"]) + rng.choice(ZH_CONCEPTS) + "的"
            + ZH_TAGS[topic_tags[0]] + "方法，" + zh_sentence(rng, name, topic_tags))
    findings = [zh_sentence(rng, name, topic_tags) for _ in range(rng.randint(2, 4))]
    body = analysis_body(rng, name, topic_tags, rng.randint(5300, 6100))
    created = (published + timedelta(days=1, hours=rng.randint(1, 20))).replace(microsecond=0)
    prompt_tokens, completion_tokens = rng.randint(900, 1400), rng.randint(3500, 4500)
    stamp = published.replace(microsecond=0).isoformat()
    return {
        "id": pid,
        "version": version,
        "title": title,
        "authors": authors,
        "published": stamp,
        "updated": stamp,
        "categories": categories,
        "primary_category": primary,
        "abstract": abstract,
        "comment": comment,
        "journal_ref": None,
        "doi": None,
        "links": {"abs": f"https://arxiv.org/abs/{pid}v{version}", "pdf": f"https://arxiv.org/pdf/{pid}v{version}"},
        "code_links": code_links,
        "tags": topic_tags + [c for c in categories if c not in topic_tags],
        "analysis": {
            "status": "done",
            "provenance": "llm",
            "body": body,
            "tldr": tldr,
            "key_findings": findings,
            "reason": None,
            "full_text": None,
            "model": MODEL,
            "models": {"analysis": MODEL, "tags": MODEL},
            "prompt_hash": "5e1f0c0ffee0b3c4",
            "paper_version": version,
            "created": created.isoformat(),
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "requests": 2},
        },
        "name": name,  # dropped before writing
    }


def digest_dates(days: int, until: date = UNTIL, tz: str = TIMEZONE) -> list[announce.Announcement]:
    """``days`` consecutive real announcements up to the digest date ``until``, newest first."""
    far_future = datetime(2100, 1, 1, tzinfo=timezone.utc)
    return announce.latest(days, tz, until=until, now=far_future)


def listed_papers(seed: int, ann: announce.Announcement, count: int) -> list[dict]:
    """A day's listed papers: compact records (``model.ListedPaper``) with an LLM brief each, ids apart from
    the featured ones (from 50000 in the month). No analysis body is drawn: listed papers have none."""
    rng = random.Random(f"{seed}-listed-{ann.digest_date}")
    out = []
    for i in range(count):
        published = ann.start + timedelta(seconds=rng.uniform(0, (ann.end - ann.start).total_seconds() - 1))
        primary = rng.choices(DAY_CATEGORIES, weights=[4, 1])[0]
        tags = rng.sample(list(DEFAULT_TAXONOMY), rng.choices([1, 2, 3], weights=[3, 4, 2])[0])
        name = rng.choice(NAME_PARTS) + rng.choice(NAME_SUFFIXES)
        keywords = [rng.choice(DEFAULT_TAXONOMY[t]) for t in tags]
        authors = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.choice(
            [rng.randint(5, 9), rng.randint(5, 14), rng.randint(10, 40)]))]
        paper = {
            "id": f"{published:%y%m}.{50000 + (ann.digest_date.toordinal() % 40) * 1000 + i:05d}",
            "version": rng.choices([1, 2, 3], weights=[8, 2, 1])[0],
            "title": make_title(rng, name, keywords),
            "authors": authors,
            "published": published.replace(microsecond=0).isoformat(),
            "categories": [primary] + rng.sample([c for c in CROSS_LISTS + DAY_CATEGORIES if c != primary],
                                                 rng.randint(0, 3)),
            "abstract": make_abstract(rng, name, keywords, rng.randint(1300, 1700)),
            "comment": rng.choice(COMMENTS) if rng.random() < 0.4 else None,
        }
        entry = {k: paper[k] for k in LISTED_FIELDS if paper.get(k) is not None}
        entry["brief"] = {"status": "done", "provenance": "llm", "tags": tags, "model": MODEL,
                          "tldr": f"{name} 提出了一种基于{rng.choice(ZH_CONCEPTS)}的{ZH_TAGS[tags[0]]}方法，"
                                  f"缓解了{rng.choice(ZH_PROBLEMS)}问题。",
                          "prompt_hash": "b71ef0c0ffee0001", "gate": 1, "created": ann.announced.isoformat()}
        out.append(entry)
    return out


def synthesize(out: Path, days: int, papers: int, seed: int, until: date = UNTIL, listed: int = 0) -> dict:
    """Write the store; returns counts and sizes."""
    rng = random.Random(seed)
    out = Path(out)
    shutil.rmtree(out / "packs", ignore_errors=True)  # what the plugin packed of the previous store
    for sub in ("days", "papers", "listed"):
        folder = out / sub
        if folder.is_dir():
            for path in folder.glob("*.json"):
                path.unlink()
        folder.mkdir(parents=True, exist_ok=True)
    anns = list(reversed(digest_dates(days, until)))  # oldest first, so ids grow with time
    counters: dict[str, int] = {}
    totals = {"days": 0, "papers": 0, "bytes": 0, "abstract_chars": 0, "body_chars": 0, "listed": 0, "files": 0}
    for ann in anns:
        digest = ann.digest_date.isoformat()
        day_papers = []
        for _ in range(papers):
            span = (ann.end - ann.start).total_seconds()
            published = ann.start + timedelta(seconds=rng.uniform(0, span - 1))
            month = f"{published:%y%m}"
            # Gaps between ids shrink with busier days so a month's ids keep 5 digits (60 at 10 papers a day,
            # 2 at 250: the same draws as before at 10 a day).
            counters[month] = counters.get(month, rng.randint(1, 400)) + rng.randint(1, max(2, 600 // papers))
            pid = f"{month}.{counters[month]:05d}"
            primary = rng.choices(DAY_CATEGORIES, weights=[4, 1])[0]
            day_papers.append(make_paper(rng, pid, published, primary))
        day_papers.sort(key=lambda p: p["id"], reverse=True)
        summary_md = day_summary(rng, digest, day_papers)
        for p in day_papers:
            p.pop("name")
            text = dumps({**p, "schema": SCHEMA})
            (out / "papers" / f"{file_stem(p['id'])}.json").write_text(text, encoding="utf-8")
            totals["papers"] += 1
            totals["bytes"] += len(text.encode())
            totals["abstract_chars"] += len(p["abstract"])
            totals["body_chars"] += len(p["analysis"]["body"])
        created = (ann.announced + timedelta(hours=2)).replace(microsecond=0).isoformat()
        record = {
            "date": digest,
            "announced": ann.announced.isoformat(),
            "window": {"start": ann.start.isoformat(), "end": ann.end.isoformat()},
            "categories": list(DAY_CATEGORIES),
            "papers": [p["id"] for p in day_papers],
            "candidates": papers + rng.randint(0, 150),
            **({"candidates": papers + listed, "listed": listed} if listed else {}),
            "source": "arxiv",
            "summary": {"provenance": "llm", "markdown": summary_md, "model": MODEL,
                        "prompt_hash": "a11ce0ffee5eed00", "papers": [p["id"] for p in day_papers],
                        "created": created, "basis": summary_basis(day_papers)},
            "schema": SCHEMA,
        }
        text = dumps(record)
        (out / "days" / f"{digest}.json").write_text(text, encoding="utf-8")
        totals["days"] += 1
        totals["bytes"] += len(text.encode())
        if listed:
            text = dumps({"date": digest, "papers": listed_papers(seed, ann, listed), "schema": SCHEMA})
            (out / "listed" / f"{digest}.json").write_text(text, encoding="utf-8")
            totals["listed"] += listed
            totals["bytes"] += len(text.encode())
    totals["files"] = sum(1 for sub in ("days", "papers", "listed") for _ in (out / sub).glob("*.json"))
    totals["first"] = anns[0].digest_date.isoformat() if anns else None
    totals["last"] = anns[-1].digest_date.isoformat() if anns else None
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=260, help="announcement days (default 260 ≈ 1 year)")
    parser.add_argument("--papers", type=int, default=10, help="papers per day (default 10)")
    parser.add_argument("--out", type=Path, required=True, help="store directory (data_dir) to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--listed", type=int, default=0, help="listed papers per day besides --papers (default 0)")
    parser.add_argument("--until", type=date.fromisoformat, default=UNTIL, help="newest digest date (default 2026-11-20)")
    args = parser.parse_args()
    start = time.perf_counter()
    totals = synthesize(args.out, args.days, args.papers, args.seed, args.until, args.listed)
    wall = time.perf_counter() - start
    n = max(totals["papers"], 1)
    print(f"| figure | value |\n|---|---|")
    print(f"| days | {totals['days']} ({totals['first']} … {totals['last']}) |")
    print(f"| papers | {totals['papers']} featured (a file each), {totals['listed']} listed |")
    print(f"| store size | {totals['bytes'] / 1e6:.1f} MB in {totals['files']} files |")
    print(f"| mean abstract | {totals['abstract_chars'] / n:.0f} chars |")
    print(f"| mean analysis body | {totals['body_chars'] / n:.0f} chars |")
    print(f"| wall | {wall:.1f} s |")
    print(f"\nreproduce: python benchmarks/synth.py --days {args.days} --papers {args.papers} --out {args.out} "
          f"--seed {args.seed}" + (f" --until {args.until}" if args.until != UNTIL else "")
          + (f" --listed {args.listed}" if args.listed else ""))


if __name__ == "__main__":
    main()
