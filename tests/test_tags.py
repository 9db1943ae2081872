"""Tags that are right: how keywords match (tags and ranking alike), the evidence a tag needs, precision and recall
against the tags given by hand to the example site's 30 papers, and stored papers getting today's tags."""

from __future__ import annotations

import json

import pytest
import yaml
from support import REPO, build_site, digest_options, fixture_papers, has_class, page

from arxiv_digest.analysis import offline
from arxiv_digest.analysis.ranking import score
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY, keyword_pattern, match_tags, search_terms

HAND = yaml.safe_load((REPO / "tests" / "fixtures" / "tags-hand.yml").read_text(encoding="utf-8"))
PAPERS = {p.id: {"id": p.id, "title": p.title, "abstract": p.abstract, "categories": list(p.categories)}
          for day in fixture_papers().values() for p in day}
PRECISION_FLOOR = 0.9  # what issue 17 asks for
RECALL_FLOOR = 0.8  # 49 of the 60 hand tags today (0.82); the base commit's tagger had 0.88 at 0.61 precision


def topics(paper: dict) -> list[str]:
    """The keyword tagger's taxonomy tags of a paper (arXiv categories left out)."""
    return [t for t in offline.tags_for(paper, DEFAULT_TAXONOMY, 4) if t in DEFAULT_TAXONOMY]


# ----------------------------------------------------------------------------- how a keyword matches


@pytest.mark.parametrize("keyword, text", [
    ("video generation", "Scaling audio-video generation to hours"),
    ("video generation", "a video-generation model"),
    ("video generation", "Video  Generation"),
    ("3D", "3D-aware distillation"),
    ("3D", "GPA-3D"),
    ("vision-language", "large vision language models"),
    ("point cloud", "images and point clouds"),
    ("robot", "humanoid robots"),
    ("VLM", "strong LMs/VLMs as backbones"),
    ("query", "for different user queries"),
    ("mesh reconstruction", "mesh-reconstruction"),
    ("image denoising", "Image Denoising"),
    ("NeRF", "基于NeRF的方法"),
    ("三维重建", "我们研究三维重建。"),
])
def test_a_keyword_matches_across_hyphens_plurals_and_case(keyword, text):
    assert keyword_pattern(keyword).search(text)


@pytest.mark.parametrize("keyword, text", [
    ("lam", "Gaussian Splatting for SLAM"),  # not inside a word
    ("3D", "R3D and 3DGS"),
    ("CLIP", "long video clips"),  # an acronym matches in capitals only
    ("SAM", "Sam and same sample"),
    ("video generation", "video and its generation"),  # the words of a phrase follow each other
    ("video generation", "for video, generation is"),
    ("stereo", "stereoscopic cinema"),
])
def test_a_keyword_does_not_match_another_word(keyword, text):
    assert not keyword_pattern(keyword).search(text)


def test_ranking_keywords_match_like_tags_and_weigh_more_in_the_title():
    paper = {"title": "LoL: Scaling Audio-Video Generation to Hours", "abstract": "We study 3D-aware VLMs.",
             "authors": []}
    got = score(paper, {"video generation": 1, "3D": 1, "VLM": 1, "CLIP": 5}, [], 5)
    assert got == {"score": 4, "reasons": ["video generation", "3D", "VLM"]}  # title 2 × 1, abstract 1 + 1
    moved = {**paper, "title": "LoL", "abstract": "Audio-video generation for hours."}
    assert score(moved, {"video generation": 1}, [], 5)["score"] == 1


def test_odd_keywords_and_empty_papers_tag_nothing_and_never_fail():
    taxonomy = {"Odd": ["", "C++", "(a|b)*", "-", ".NET"], "Video": ["video"]}
    assert match_tags("C++ for video", [], taxonomy, 4) == ["Odd", "Video"]
    assert match_tags("On (a|b)*", [], taxonomy, 4) == match_tags("A .NET video", [], taxonomy, 4)[:1] == ["Odd"]
    assert match_tags("A b - c", ["C and C+."], taxonomy, 4) == []
    assert match_tags("", [], taxonomy, 4) == []
    assert offline.tags_for({"title": None, "abstract": None, "categories": ["cs.CV"]}, DEFAULT_TAXONOMY, 4) == \
        ["cs.CV"]
    assert offline.tags_for({"title": "Video"}, DEFAULT_TAXONOMY, 4) == ["Video"]


# ----------------------------------------------------------------------------- the evidence a tag needs


TAXONOMY = {"Video": ["video"], "Human & Pose": ["human pose", "hand pose", "face recognition"]}


def test_a_tag_needs_a_title_hit_or_two_abstract_sentences():
    once = ["We propose a model.", "It is also tried on video."]
    assert match_tags("A model", once, TAXONOMY, 4) == []  # one sentence: context, not the topic
    assert match_tags("A model", ["Video and video, again video."], TAXONOMY, 4) == []  # still one sentence
    assert match_tags("A model", [*once, "Video results are good."], TAXONOMY, 4) == ["Video"]
    assert match_tags("Video models", ["We propose a model."], TAXONOMY, 4) == ["Video"]
    # Most evidence first: Human & Pose has the title and a sentence (3), Video two sentences (2).
    assert match_tags("Hand pose estimation", ["Human pose matters.", "A video.", "A video."], TAXONOMY, 4) == \
        ["Human & Pose", "Video"]


def test_ambiguous_words_count_only_in_phrases():
    text = ["On the other hand, they face a limitation.", "We fix mesh penetration.", "Image manipulation is hard.",
            "It is efficient and lightweight, with efficiency constraints.", "A CT is done.",
            "Camera pose estimation.", "3D pose estimation is one task.", "Temporal reasoning."]
    got = match_tags("A model", text, DEFAULT_TAXONOMY, 15)
    assert not {"Human & Pose", "Robotics & Embodied AI", "Efficient Models", "Medical Imaging", "Video"} & set(got)
    phrases = ["Hand pose and face recognition.", "Dexterous manipulation of objects.", "A CT scan.",
               "Parameter-efficient tuning.", "Human pose estimation.", "Robotic manipulation.", "CT images.",
               "Parameter-efficient finetuning."]
    assert {"Human & Pose", "Robotics & Embodied AI", "Medical Imaging", "Efficient Models"} <= \
        set(match_tags("A model", phrases, DEFAULT_TAXONOMY, 15))


def test_the_wrong_tags_of_the_issue_are_gone():
    assert not {"Robotics & Embodied AI", "Human & Pose"} & set(topics(PAPERS["2602.15727"]))  # LoRWeB: LoRAs
    assert not {"3D Vision", "Human & Pose"} & set(topics(PAPERS["2602.06043"]))  # Share: continual learning
    assert "Efficient Models" in topics(PAPERS["2602.06043"])  # parameter-efficient finetuning, twice
    assert "Efficient Models" not in topics(PAPERS["2602.15645"])  # CARE Drive: "efficiency constraints"
    assert set(topics(PAPERS["2602.15645"])[:2]) == {"Autonomous Driving", "Vision-Language"}


def test_chinese_words_of_the_keywords_still_tag_and_find():
    paper = {"title": "面向自动驾驶的视觉语言模型", "abstract": "我们研究自动驾驶。模型很好。", "categories": []}
    assert topics(paper) == ["Autonomous Driving", "Vision-Language"]  # title and a sentence; title
    assert "自动驾驶" in search_terms("Towards autonomous driving", DEFAULT_TAXONOMY)
    assert {"点云", "机器人"} <= set(search_terms("Robots read point clouds", DEFAULT_TAXONOMY))


# ----------------------------------------------------------------------------- against the tags given by hand


def test_precision_and_recall_on_the_example_papers_tagged_by_hand():
    assert set(HAND) == set(PAPERS)
    tp = fp = fn = 0
    for pid, entry in HAND.items():
        wanted, got = set(entry["tags"]), set(topics(PAPERS[pid]))
        assert wanted <= set(DEFAULT_TAXONOMY), pid  # the list names taxonomy tags only
        tp, fp, fn = tp + len(got & wanted), fp + len(got - wanted), fn + len(wanted - got)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= PRECISION_FLOOR and recall >= RECALL_FLOOR, (precision, recall, tp, fp, fn)


# ----------------------------------------------------------------------------- stored papers get today's tags


def chips(site, paper_id):
    """The tags a paper page shows for the paper (the first chips: related papers' cards have theirs), by their
    stored (English) names."""
    first = page(site, f"papers/{paper_id}/").xpath(f'(//*[{has_class("ad-chips")}])[1]')[0]
    return [a.get("title") or a.text.strip() for a in first.xpath(f'.//a[{has_class("ad-chip")}]')]


def test_stored_papers_show_todays_tags_and_an_llm_keeps_its_own(site_with_store):
    root = site_with_store()
    papers = root / "data" / "papers"

    def edit(pid, **changes):
        path = papers / f"{pid}.json"
        path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **changes}), encoding="utf-8")

    # Tags as the base commit's tagger stored them: offline papers get today's, an LLM's choice stays.
    edit("2602.15727", tags=["Robotics & Embodied AI", "Generative Models", "Human & Pose", "cs.CV"])
    llm = {"status": "done", "provenance": "llm", "model": "m", "tldr": "一句话。", "key_findings": [],
           "body": "### 1. 摘要翻译\n\n文本。\n", "reason": None}
    edit("2602.06043", tags=["Human & Pose", "cs.LG"], analysis=llm)
    pending = {"status": "pending", "provenance": "llm", "reason": "LLM request failed (HTTP 500)"}
    edit("2602.15645", tags=["Autonomous Driving", "Efficient Models", "cs.AI"], analysis=pending)
    run = build_site(root, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    shown = chips(run.site, "2602.15727")
    assert not {"Robotics & Embodied AI", "Human & Pose"} & set(shown) and "cs.CV" in shown
    assert chips(run.site, "2602.06043") == ["Human & Pose", "cs.LG"]
    assert set(chips(run.site, "2602.15645")[:2]) == {"Autonomous Driving", "Vision-Language"}
    assert "Efficient Models" not in chips(run.site, "2602.15645")
    # The tag pages follow: Human & Pose lists the LLM's paper, not LoRWeB.
    human = page(run.site, "tags/human-pose/")
    assert human.xpath('//a[contains(@href, "2602.06043")]')
    assert not human.xpath('//a[contains(@href, "2602.15727")]')
