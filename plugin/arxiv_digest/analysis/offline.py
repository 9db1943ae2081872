"""Analysis stage: the offline extractive analyzer (the default until an LLM is configured).

It never invents text: the TL;DR and key findings are sentences of the
abstract, tags come from the site's taxonomy and the arXiv categories, and the
day summary is built from counts and titles. Pages say it is extractive.
"""

from __future__ import annotations

import re
from collections import Counter

from .. import i18n
from ..model import Provenance, Record, Status
from .taxonomy import match_tags

ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "vs.", "etc.", "Fig.", "Eq.", "cf.", "approx.", "resp.", "Sec.", "No.")
CONTRIBUTION_RE = re.compile(
    r"\b(we|this (paper|work|study|survey|article|report)|in this (paper|work|study|survey))\b.{0,40}?\b(propose|introduce|present|develop|design|"
    r"build|release|construct|offer|formulate)", re.IGNORECASE)
CLAIM_RE = re.compile(
    r"\b(we (propose|introduce|present|develop|show|demonstrate|find|achieve|release|establish|reveal|observe)|"
    r"outperform\w*|state[- ]of[- ]the[- ]art|surpass\w*|improv\w+ (by|over)|achiev\w+|experiments? (show|demonstrate)|"
    r"results (show|demonstrate|indicate)|significantly|reduc\w+ .{0,30}by)", re.IGNORECASE)

def sentences(text: str) -> list[str]:
    """Split an English abstract into sentences without breaking at common abbreviations."""
    protected = " ".join(text.split())
    for i, abbr in enumerate(ABBREVIATIONS):
        protected = protected.replace(abbr, abbr.replace(".", f"\x00{i}\x00"))
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\\(\[\"'])", protected)
    out = []
    for part in parts:
        part = re.sub(r"\x00\d+\x00", ".", part).strip()
        if part:
            out.append(part)
    return out


def tldr(abstract: str) -> str:
    """The abstract's contribution sentence (the first one saying what the paper proposes), standing alone."""
    return _contribution(sentences(abstract))[1]


def key_findings(abstract: str, limit: int = 3) -> list[str]:
    """The abstract's claim sentences, in order, like the legacy digests' "Key Findings", without the
    sentence the TL;DR comes from (a card would show it twice)."""
    found = sentences(abstract)
    skip = _contribution(found)[0]
    return [s for i, s in enumerate(found) if i != skip and CLAIM_RE.search(s)][:limit]


def _contribution(found: list[str]) -> tuple[int | None, str]:
    """Index and text of the TL;DR among an abstract's sentences (the first when none says what it proposes).

    A clause before the subject ("To address this, we propose …", "Based on this, …") points at sentences the
    TL;DR's reader never sees: the TL;DR starts at the subject instead."""
    for i, sentence in enumerate(found):
        match = CONTRIBUTION_RE.search(sentence)
        if match:
            if match.start() and sentence[:match.start()].rstrip().endswith(","):
                sentence = sentence[match.start()].upper() + sentence[match.start() + 1:]
            return i, sentence
    return (0, found[0]) if found else (None, "")


def tags_for(paper: Record, taxonomy: dict[str, list[str]], limit: int) -> list[str]:
    """The keyword tagger's topics (see taxonomy.match_tags), then the paper's arXiv categories."""
    # Chinese sentences end without a space: split there too, so each counts as one sentence of evidence.
    found = [part for s in sentences(paper.get("abstract") or "") for part in re.split(r"(?<=[。！？])", s) if part]
    topics = match_tags(paper.get("title") or "", found, taxonomy, limit)
    return topics + [c for c in paper.get("categories", []) if c not in topics]


def current_tags(paper: Record, taxonomy: dict[str, list[str]], limit: int) -> list[str]:
    """The tags pages show: an LLM's as it chose them (from the taxonomy); otherwise the keyword tagger's, made
    again with today's tagger and taxonomy, like the offline extraction, so a store gets better tags without a
    paid re-run (imported legacy digests carry no tags: theirs are the tagger's too)."""
    analysis = paper.get("analysis") or {}
    # A pending LLM analysis chose no tags: the stored ones are the tagger's of the fetch.
    if analysis.get("provenance") == Provenance.LLM and analysis.get("status") == Status.DONE and paper.get("tags"):
        return list(paper["tags"])
    return tags_for(paper, taxonomy, limit)


def offline_analysis(paper: Record) -> Record:
    return {
        "status": Status.DONE,
        "provenance": Provenance.OFFLINE,
        "tldr": tldr(paper.get("abstract", "")),
        "key_findings": key_findings(paper.get("abstract", "")),
        "body": None,
        "reason": None,
    }


def analyze_offline(paper: Record, taxonomy: dict[str, list[str]], max_tags: int) -> Record:
    """Give a paper the tagger's tags (an LLM's stay) and, when it has none yet, the offline analysis (never
    replaces other work)."""
    out = dict(paper)
    out["tags"] = current_tags(paper, taxonomy, max_tags)
    if not paper.get("analysis"):
        out["analysis"] = offline_analysis(paper)
    return out


def offline_summary(papers: list[Record], categories: list[str], language: str, taxonomy: dict[str, list[str]]) -> Record:
    """Executive summary of a day from its papers: themes, highlights, reading list numbered as the TOC."""
    text = i18n.texts(language)["offline"]
    counts = Counter(t for p in papers for t in p.get("tags", []) if t in taxonomy)
    lines = [text["summary_intro"].format(n=len(papers), cats=", ".join(categories)), "", f"### {text['themes']}", ""]
    lines += [f"- {text['themes_line'].format(tag=tag, n=n)}" for tag, n in counts.most_common(6)] or [f"- {text['none']}"]
    with_code = [(i, p) for i, p in enumerate(papers, 1) if p.get("code_links")]
    lines += ["", f"### {text['highlights']}", "", text["with_code"], ""]
    lines += [f"- [{i}. {_link_text(p['title'])}](#{p['id']})" for i, p in with_code] or [f"- {text['none']}"]
    lines += ["", f"### {text['reading']}", ""]
    lines += [f"{i}. [{_link_text(p['title'])}](#{p['id']})" for i, p in enumerate(papers, 1)]
    return {"provenance": Provenance.OFFLINE, "markdown": "\n".join(lines) + "\n"}


def _link_text(title: str) -> str:
    # Titles are untrusted: keep them from closing the link or opening HTML.
    return re.sub(r"([\\\[\]<>*_`])", r"\\\1", title)
