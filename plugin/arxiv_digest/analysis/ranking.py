"""Choosing what matters: keyword, author and negative-keyword scoring of a day's candidates.

A paper's score is the sum of the weights of the keywords found in its abstract, twice the weight
(``TITLE_WEIGHT``) for those in its title, plus ``author_weight`` per followed author. Keywords match as the
taxonomy's do (taxonomy.keyword_pattern: whole words in any case, across hyphens, plurals; acronyms in capitals;
Chinese anywhere). A negative keyword excludes the paper. With no ranking options the order is newest first, as
arXiv announces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..model import Record
from .taxonomy import TITLE_WEIGHT, keyword_pattern


@dataclass
class Ranked:
    """The outcome of ranking one day's candidates."""

    chosen: list[Record]
    excluded: dict[str, str] = field(default_factory=dict)  # id → why (negative keyword)
    below: list[str] = field(default_factory=list)          # ids under min_score


def normalise_name(name: str) -> str:
    """'Kaiming He', 'He, Kaiming', 'KAIMING  HE' and 'Kaimíng He' all become 'kaiming he'."""
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch))
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first} {last}"
    return " ".join(re.sub(r"[^\w\s-]", " ", name.lower()).split())


def _same_person(followed: str, author: str) -> bool:
    if followed == author:
        return True
    # "K. He" follows "Kaiming He": same last name and first initial.
    f_parts, a_parts = followed.split(), author.split()
    return (len(f_parts) >= 2 and len(a_parts) >= 2 and f_parts[-1] == a_parts[-1]
            and len(f_parts[0]) == 1 and a_parts[0].startswith(f_parts[0]))


def score(paper: Record, keywords: dict[str, float], authors: list[str], author_weight: float) -> Record:
    """{'score': float, 'reasons': [...]} for one paper."""
    title, abstract = paper.get("title") or "", paper.get("abstract") or ""
    total, reasons = 0.0, []
    for term, weight in keywords.items():
        # The title says what a paper is about; the abstract also names what it only uses or compares with.
        pattern = keyword_pattern(term)
        found = TITLE_WEIGHT if pattern.search(title) else int(bool(pattern.search(abstract)))
        if found:
            total += weight * found
            reasons.append(term)
    names = [normalise_name(a) for a in paper.get("authors", [])]
    for followed in authors:
        wanted = normalise_name(followed)
        if any(_same_person(wanted, name) for name in names):
            total += author_weight
            reasons.append(f"@{followed}")
    return {"score": round(total, 3), "reasons": reasons}


def excluded_by(paper: Record, exclude: list[str]) -> str | None:
    text = f"{paper.get('title', '')}\n{paper.get('abstract', '')}"
    return next((term for term in exclude if keyword_pattern(term).search(text)), None)


def rank(candidates: list[Record], options: object, extra: dict[str, float] | None = None) -> Ranked:
    """Order ``candidates`` (newest first on input) by score, ties newest first; drop excluded papers.

    ``extra`` adds per-paper points (the LLM relevance score, when configured).
    """
    keywords: dict[str, float] = options.keywords  # config.Keywords turns a list into weights of 1
    result = Ranked(chosen=[])
    active = bool(keywords or options.authors or extra)
    for paper in candidates:
        why = excluded_by(paper, options.exclude)
        if why:
            result.excluded[paper["id"]] = why
            continue
        ranking = score(paper, keywords, options.authors, options.author_weight) if active else None
        if ranking is not None and extra and paper["id"] in extra:
            ranking["score"] = round(ranking["score"] + extra[paper["id"]], 3)
            ranking["reasons"].append(f"LLM {extra[paper['id']]:g}")
        if ranking is not None and ranking["score"] < options.min_score:
            result.below.append(paper["id"])
            continue
        result.chosen.append({**paper, "ranking": ranking} if ranking else paper)
    if active:
        # Stable sort: equal scores keep arXiv's newest-first order.
        result.chosen.sort(key=lambda p: -p["ranking"]["score"])
    return result
