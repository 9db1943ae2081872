"""The sections of a paper's full text, their kinds (from the English titles) and the token estimate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import i18n

KINDS = ("abstract", "introduction", "method", "experiments", "conclusion", "related", "other",
         "references", "appendix", "acknowledgements")


@dataclass
class Section:
    """One top-level section of a paper (subsections are ``###`` lines inside ``text``)."""

    title: str
    text: str
    kind: str  # one of KINDS


@dataclass
class FullText:
    """The sections of a paper and where they came from (``html`` or ``pdf``)."""

    source: str
    sections: list[Section] = field(default_factory=list)

    def text(self) -> str:
        """``## Title\\n\\ntext`` blocks in the paper's order (untitled sections without heading)."""
        return "\n\n".join(b for b in (section_block(s) for s in self.sections) if b)


class FullTextError(Exception):
    """Neither the HTML rendering nor the PDF gave a usable full text."""


def section_block(section: Section) -> str:
    """A section as the model reads it: ``## Title`` and its text."""
    if section.title:
        return f"## {section.title}\n\n{section.text}".rstrip() if section.text else f"## {section.title}"
    return section.text


# --------------------------------------------------------------------------- classify

_NUMBERING = re.compile(
    r"""^\s*(?:
        (?:chapter|section|part)\s+[0-9IVXLC]+(?:\.\d+)*[.:]?\s+
      | §\s*\d+(?:\.\d+)*\.?\s*
      | \d+(?:\.\d+)*(?:\.\s*|\s+)              # 3  3.  3.1  3.1.2
      | \d+(?:\.\d+)*\.?(?=[A-Z][a-z]{2})        # 1Introduction (glued by PDF extraction)
      | [IVXLC]+\.\s+                           # III.
      | [A-Z](?:\.\d+)+\.?\s+                   # A.1
      | [A-Z][.:]\s+                            # A.
    )""",
    re.VERBOSE,
)

_RULES: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(rx)) for kind, rx in [
    ("abstract", r"^abstract$"),
    ("references", r"\b(?:references?|bibliography|literature cited|works cited)\b"),
    ("acknowledgements", r"\backnowledge?ments?\b|\backnowledg|\bfunding\b|\bthanks\b"),
    ("appendix", r"\bappendi(?:x|ces)\b|\bsupplementa(?:ry|l)\b"),
    ("introduction", r"\bintroduction\b|^intro\b|\bmotivation\b"),
    ("related", r"\brelated (?:work|works|literature|research|studies|approaches|methods)\b"
                r"|\bprior (?:work|works|art|research)\b|\bprevious (?:work|works|studies)\b"
                r"|\bliterature (?:review|survey)\b|\bbackground\b|\bstate of the art\b"),
    ("conclusion", r"\bconclu(?:sion|sions|ding)\b"),
    ("method", r"\bproblem (?:statement|definition|setting|setup|formulation)\b|\bpreliminar|\btheor"),
    ("experiments", r"\bexperiment|\bevaluat|\bresults?\b|\bablations?\b|\bbenchmark|\bempirical"
                    r"|\bcase stud|\bsimulations?\b|\bimplementation\b|\bdata(?:sets?)?\b|\bcomparisons?\b"
                    r"|\bperformance\b|\bquantitative|\bqualitative|\bsetup\b|\bbaselines?\b|\bmetrics?\b"
                    r"|\banalysis\b|\bstudy\b|\btraining details\b"),
    ("conclusion", r"\bdiscussions?\b|\blimitations?\b|\bfuture (?:work|works|directions|research)\b"
                   r"|\boutlook\b|\bsummary\b|\bclosing remarks\b"),
    ("method", r"\bmethod|\bapproach|\bproposed\b|\bmodel(?:s|ing|ling)?\b|\bframework\b|\barchitecture"
               r"|\balgorithm|\bformulation\b|\bour\b|\bdesign\b|\bpipeline\b|\bsystem\b|\bnotation"
               r"|\boverview\b|\btechnique|\bmechanism|\bobjectives?\b|\bloss\b|\bmodule\b|\bnetwork\b"),
]]


def classify(title: str) -> str:
    """Section kind from an English title; numbering (``3.1``, ``III.``, ``A.``) is ignored."""
    text = _NUMBERING.sub("", title.strip(), count=1)
    text = " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())
    if not text:
        return "other"
    for kind, pattern in _RULES:
        if pattern.search(text):
            return kind
    return "other"


# --------------------------------------------------------------------------- tokens

def char_counts(text: str) -> tuple[int, int]:
    """(CJK characters, other characters) of ``text``: sums of counts estimate tokens of joined texts."""
    cjk = len(i18n.WIDE_RE.findall(text))
    return cjk, len(text) - cjk


def count_tokens(counts: tuple[int, int]) -> int:
    return counts[0] + -(-counts[1] // 4)


def add_counts(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: one per CJK character, one per four other characters (rounded up)."""
    return count_tokens(char_counts(text))
