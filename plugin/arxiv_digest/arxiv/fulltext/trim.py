"""Fitting a paper's sections into a token budget: the most useful kinds first, cut at a sentence."""

from __future__ import annotations

import re

from ... import i18n
from .sections import Section, add_counts, char_counts, count_tokens, estimate_tokens, section_block

CUT_MARK = "[…]"
_RANK = {"abstract": 0, "introduction": 1, "method": 2, "experiments": 3, "conclusion": 4,
         "related": 5, "other": 6, "appendix": 7, "acknowledgements": 8, "references": 9}
_WHOLE_ONLY = {"references", "acknowledgements"}  # never sent half-cut
_ABBREV = {"fig", "figs", "eq", "eqs", "eqn", "sec", "secs", "sect", "tab", "e.g", "i.e", "al", "vs",
           "cf", "ref", "refs", "no", "dr", "prof", "mr", "ms", "thm", "def", "alg", "approx", "resp",
           "etc", "resp", "ch", "app", "lem", "prop", "cor", "vol", "pp", "ed", "eds", "st"}
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[A-Z0-9\"'“(\[$\\])|[。！？]")


def _cost(section: Section) -> int:
    return estimate_tokens(section_block(section) + "\n\n")


def _sentence_ends(paragraph: str) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(paragraph):
        word = paragraph[:match.start()].rsplit(None, 1)[-1] if paragraph[:match.start()].strip() else ""
        bare = word.lstrip("([\"'“").lower()
        if paragraph[match.start()] == "." and (bare in _ABBREV or (len(bare) == 1 and bare.isalpha())):
            continue
        ends.append(match.end())
    return ends


def _cut(section: Section, budget: int) -> Section | None:
    """The longest head of ``section`` ending at a paragraph or sentence boundary, plus ``[…]``."""
    head = f"## {section.title}\n\n" if section.title else ""
    used = add_counts(char_counts(head), char_counts("\n\n"))

    def fits(*parts: str) -> bool:
        total = used
        for part in parts:
            total = add_counts(total, char_counts(part))
        return count_tokens(total) <= budget

    paragraphs = [p for p in section.text.split("\n\n") if p.strip()]
    kept: list[str] = []
    partial = ""
    for paragraph in paragraphs:
        sep = "\n\n" if kept else ""
        if fits(sep, paragraph, "\n\n" + CUT_MARK):
            kept.append(paragraph)
            used = add_counts(used, char_counts(sep + paragraph))
            continue
        if not paragraph.startswith("#"):
            for end in reversed(_sentence_ends(paragraph)):
                if fits(sep, paragraph[:end].rstrip(), " " + CUT_MARK):
                    partial = paragraph[:end].rstrip()
                    break
            if not partial and not kept:  # not even one sentence: whole words (or CJK characters)
                lo, hi = 0, len(paragraph)
                while lo < hi:
                    mid = (lo + hi + 1) // 2
                    if fits(paragraph[:mid], " " + CUT_MARK):
                        lo = mid
                    else:
                        hi = mid - 1
                partial = paragraph[:lo]
                if lo and not paragraph[lo:lo + 1].isspace() and not i18n.WIDE_RE.match(partial[-1]):
                    partial = partial.rsplit(None, 1)[0] if len(partial.split()) > 1 else ""
                partial = partial.rstrip()
        break
    if not partial:
        while kept and kept[-1].startswith("#"):  # no dangling subsection heading before the mark
            kept.pop()
    if partial:
        text = "\n\n".join(kept + [partial + " " + CUT_MARK])
    elif kept:
        text = "\n\n".join(kept) + "\n\n" + CUT_MARK
    else:
        return None
    cut = Section(section.title, text, section.kind)
    return cut if _cost(cut) <= budget else None


def trim(sections: list[Section], max_tokens: int) -> list[Section]:
    """Sections that fit ``max_tokens`` (estimated, headings included), most useful kinds first.

    Priority: abstract, introduction, method, experiments, conclusion, related, other, then
    appendix, acknowledgements, references. Sections are taken whole in that order; the
    first one that does not fit is cut at a paragraph or sentence boundary (``[…]``) and
    nothing of lower priority follows (references and acknowledgements are never cut, only
    skipped). The result keeps the paper's order and ``estimate_tokens`` of its
    :meth:`FullText.text` is at most ``max_tokens``.
    """
    remaining = max_tokens
    chosen: dict[int, Section] = {}
    order = sorted(range(len(sections)), key=lambda i: (_RANK.get(sections[i].kind, _RANK["other"]), i))
    for i in order:
        section = sections[i]
        if not section.text.strip() and not section.title:
            continue
        cost = _cost(section)
        if cost <= remaining:
            chosen[i] = section
            remaining -= cost
            continue
        if section.kind in _WHOLE_ONLY:
            continue
        cut = _cut(section, remaining)
        if cut is not None:
            chosen[i] = cut
        break
    return [chosen[i] for i in sorted(chosen)]
