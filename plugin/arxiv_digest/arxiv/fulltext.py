"""Full text of a paper for the LLM: arXiv's HTML rendering first, else the PDF, trimmed by sections.

The HTML at ``https://arxiv.org/html/{id}v{version}`` is LaTeXML output: top-level
``<section class="ltx_section">`` (``ltx_appendix``, ``ltx_bibliography``) with an
``<h2 class="ltx_title ...">``, ``<div class="ltx_abstract">``, ``<math alttext="...">``.
When it is missing (404), broken or nearly empty, the PDF's text layer (pypdf) is split
into sections at heading lines instead. :func:`trim` then fits the sections into a token
budget: abstract, introduction, method, experiments and conclusion first; references,
acknowledgements and appendices only with budget to spare.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Iterable

import requests
from lxml import etree
from mkdocs.plugins import get_plugin_logger

from .. import i18n

log = get_plugin_logger(__name__)

KINDS = ("abstract", "introduction", "method", "experiments", "conclusion", "related", "other",
         "references", "appendix", "acknowledgements")

MIN_CHARS = 2000
"""Body text (without abstract and references) below which an HTML rendering counts as failed."""
MAX_HTML_BYTES = 40 * 2**20
MAX_PDF_BYTES = 100 * 2**20
MAX_PDF_PAGES = 120
CUT_MARK = "[…]"


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
        return "\n\n".join(b for b in (_block(s) for s in self.sections) if b)


class FullTextError(Exception):
    """Neither the HTML rendering nor the PDF gave a usable full text."""


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

def _counts(text: str) -> tuple[int, int]:
    cjk = len(i18n.WIDE_RE.findall(text))
    return cjk, len(text) - cjk


def _tokens(counts: tuple[int, int]) -> int:
    return counts[0] + -(-counts[1] // 4)


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def estimate_tokens(text: str) -> int:
    """Cheap token estimate: one per CJK character, one per four other characters (rounded up)."""
    return _tokens(_counts(text))


# --------------------------------------------------------------------------- trim

_RANK = {"abstract": 0, "introduction": 1, "method": 2, "experiments": 3, "conclusion": 4,
         "related": 5, "other": 6, "appendix": 7, "acknowledgements": 8, "references": 9}
_WHOLE_ONLY = {"references", "acknowledgements"}  # never sent half-cut
_ABBREV = {"fig", "figs", "eq", "eqs", "eqn", "sec", "secs", "sect", "tab", "e.g", "i.e", "al", "vs",
           "cf", "ref", "refs", "no", "dr", "prof", "mr", "ms", "thm", "def", "alg", "approx", "resp",
           "etc", "resp", "ch", "app", "lem", "prop", "cor", "vol", "pp", "ed", "eds", "st"}
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[A-Z0-9\"'“(\[$\\])|[。！？]")


def _block(section: Section) -> str:
    if section.title:
        return f"## {section.title}\n\n{section.text}".rstrip() if section.text else f"## {section.title}"
    return section.text


def _cost(section: Section) -> int:
    return estimate_tokens(_block(section) + "\n\n")


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
    used = _add(_counts(head), _counts("\n\n"))

    def fits(*parts: str) -> bool:
        total = used
        for part in parts:
            total = _add(total, _counts(part))
        return _tokens(total) <= budget

    paragraphs = [p for p in section.text.split("\n\n") if p.strip()]
    kept: list[str] = []
    partial = ""
    for paragraph in paragraphs:
        sep = "\n\n" if kept else ""
        if fits(sep, paragraph, "\n\n" + CUT_MARK):
            kept.append(paragraph)
            used = _add(used, _counts(sep + paragraph))
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


# --------------------------------------------------------------------------- HTML (LaTeXML)

_PARA, _LINE = "\x00", "\x01"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "aside", "figure", "figcaption", "ul", "ol", "dl",
               "dt", "dd", "table", "tbody", "thead", "tfoot", "tr", "caption", "blockquote", "pre", "hr",
               "address", "details", "summary"} | _HEADINGS
_DROP_TAGS = {"script", "style", "noscript", "nav", "footer", "header", "button", "form", "input", "select",
              "textarea", "img", "svg", "picture", "video", "audio", "canvas", "object", "embed", "iframe",
              "map", "template", "link", "meta", "head", "title"}
_DROP_CLASSES = {"ltx_tabular", "ltx_page_navbar", "ltx_page_footer", "ltx_page_header", "ltx_TOC",
                 "ltx_page_logo", "ltx_note_mark", "ltx_tag_note", "ltx_note_type", "ltx_rdf", "ltx_graphics",
                 "package-alerts", "sr-only", "ltx_pagination"}
_FRONT_CLASSES = {"ltx_title_document", "ltx_authors", "ltx_dates", "ltx_date", "ltx_keywords",
                  "ltx_classification", "ltx_subtitle", "ltx_document_title"}
_EQUATION_CLASSES = {"ltx_equation", "ltx_equationgroup", "ltx_eqn_table"}
_UNIT_CLASSES = {"ltx_section", "ltx_appendix", "ltx_bibliography", "ltx_acknowledgements", "ltx_abstract"}
_SUB_CLASSES = {"ltx_subsection", "ltx_subsubsection", "ltx_paragraph", "ltx_subparagraph"}
_FIXED_KIND = {"ltx_abstract": ("abstract", "Abstract"), "ltx_bibliography": ("references", "References"),
               "ltx_acknowledgements": ("acknowledgements", "Acknowledgements")}


def _tag(el: etree._Element) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split()) if isinstance(el.tag, str) else set()


def _dropped(el: etree._Element) -> bool:
    tag = _tag(el)
    if not tag or tag in _DROP_TAGS:
        return True
    classes = _classes(el)
    if classes & _DROP_CLASSES:
        return True
    return tag == "table" and not classes & _EQUATION_CLASSES


def _math(el: etree._Element) -> str:
    alt = el.get("alttext")
    if alt is None:
        tex = [a for a in el.iter() if _tag(a) == "annotation" and a.get("encoding") == "application/x-tex"]
        alt = (tex[0].text or "") if tex else "".join(el.itertext())
    alt = " ".join(alt.split())
    alt = re.sub(r"^\\displaystyle\b\s*", "", alt)
    return f"${alt}$" if alt else ""


def _render(el: etree._Element, out: list[str], inline: bool = False, skip: etree._Element | None = None) -> None:
    """Append ``el``'s children (not ``el`` itself, nor its tail) as text with block markers."""
    if el.text:
        out.append(el.text)
    for child in el:
        if child is not skip and not _dropped(child):
            _render_element(child, out, inline)
        if child.tail:
            out.append(child.tail)


def _render_element(el: etree._Element, out: list[str], inline: bool) -> None:
    tag, classes = _tag(el), _classes(el)
    if tag == "math":
        text = _math(el)
        block = el.get("display") == "block" and not inline and not any(
            _tag(a) in ("td", "th") for a in el.iterancestors())  # equation tables: one row, one paragraph
        out.extend([_PARA, text, _PARA] if block else [text])
    elif tag == "br":
        out.append(" ")
    elif "ltx_note" in classes:  # footnote: mark dropped, content inline in brackets
        contents = [d for d in el.iter() if "ltx_note_content" in _classes(d)]
        if contents:
            note = _collapse(_inline_text(contents[0]))
            if note:
                out.append(f" [footnote: {note}]")
    elif tag in _HEADINGS:
        title = _collapse(_inline_text(el))
        if not title:
            return
        if inline or "ltx_runin" in classes:
            out.append(f" **{title}** ")
        else:
            out.extend([_PARA, "#" * int(tag[1]) + " " + title, _PARA])
    elif tag == "li":
        has_tag = any("ltx_tag" in _classes(c) for c in el)
        out.append(" " if inline else _LINE + ("" if has_tag else "- "))
        _render(el, out, inline=True)
        out.append(" " if inline else _LINE)
    elif "ltx_listingline" in classes and not inline:
        out.append(_LINE)
        _render(el, out, inline=True)
        out.append(_LINE)
    elif tag in _BLOCK_TAGS:
        out.append(" " if inline else _PARA)
        _render(el, out, inline)
        out.append(" " if inline else _PARA)
    else:
        _render(el, out, inline)


def _inline_text(el: etree._Element, skip: etree._Element | None = None) -> str:
    out: list[str] = []
    _render(el, out, inline=True, skip=skip)
    return "".join(out)


def _collapse(text: str) -> str:
    return " ".join(text.replace(_PARA, " ").replace(_LINE, " ").split())


def _paragraphs(raw: str) -> str:
    paragraphs = []
    for part in raw.split(_PARA):
        lines = [" ".join(line.split()) for line in part.split(_LINE)]
        lines = [line for line in lines if line and line != "-"]
        if not lines or re.fullmatch(r"#+", lines[0]):
            continue
        if paragraphs and re.fullmatch(r"\*\*[^\n]*\*\*", paragraphs[-1]):  # run-in heading + its text
            paragraphs[-1] += " " + lines[0]
            lines = lines[1:]
            if not lines:
                continue
            paragraphs[-1] += "".join("\n" + line for line in lines)
        else:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _heading_of(el: etree._Element) -> etree._Element | None:
    for child in el:
        if _tag(child) in _HEADINGS or "ltx_title" in _classes(child):
            return child
    return None


def _title(el: etree._Element, default: str = "") -> str:
    heading = _heading_of(el)
    title = _collapse(_inline_text(heading)) if heading is not None else ""
    return title.rstrip(" .:") or default


def _detach(el: etree._Element) -> None:
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _unit_sections(el: etree._Element, kind: str | None = None) -> list[Section]:
    """One section for a LaTeXML unit, plus the acknowledgements/bibliography nested in it."""
    classes = _classes(el)
    nested = [d for d in el.iterdescendants() if isinstance(d.tag, str) and not _dropped(d) and (
        _classes(d) & {"ltx_bibliography", "ltx_acknowledgements"}
        or (_classes(d) & _SUB_CLASSES and classify(_title(d)) == "acknowledgements"))]
    nested = [d for d in nested if not any(o is not d and o in d.iterancestors() for o in nested)]
    for inner in nested:
        _detach(inner)
    fixed = next((_FIXED_KIND[c] for c in classes if c in _FIXED_KIND), None)
    title = _title(el, fixed[1] if fixed else "")
    if kind is None:
        if fixed:
            kind = fixed[0]
        else:
            kind = classify(title)
            if "ltx_appendix" in classes and kind not in ("references", "acknowledgements"):
                kind = "appendix"
    out: list[str] = []
    _render(el, out, skip=_heading_of(el))
    sections = [Section(title, _paragraphs("".join(out)), kind)]
    for inner in nested:
        inner_kind = "references" if "ltx_bibliography" in _classes(inner) else "acknowledgements"
        sections.extend(_unit_sections(inner, inner_kind))
    return [s for s in sections if s.text or s.kind != "other"]


def _parse_html(html: bytes | str) -> etree._Element | None:
    if isinstance(html, str):
        html = html.encode("utf-8")
        encoding = "utf-8"
    else:
        head = html[:4096]
        match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", head, re.IGNORECASE)
        encoding = match.group(1).decode("ascii").lower() if match else "utf-8"
        if html.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
    try:
        parser = etree.HTMLParser(encoding=encoding, remove_comments=True, no_network=True)
    except LookupError:
        parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        return etree.fromstring(html, parser)
    except (etree.LxmlError, ValueError, LookupError):
        return None


def extract_html(html: bytes | str) -> list[Section]:
    """Sections of an arXiv (LaTeXML) HTML page in the paper's order.

    Math becomes its ``alttext`` in ``$...$``; images, navigation, headers and footers
    are dropped, tables keep only their captions; subsection headings stay as
    ``###`` lines. Body text outside any section becomes untitled ``other`` sections.
    """
    root = _parse_html(html)
    if root is None:
        return []
    # arXiv wraps LaTeXML's <article class="ltx_document"> in a page whose alerts box and
    # footer carry "ltx_document" too; older renderings use <div class="ltx_document">.
    candidates = [el for el in root.iter() if "ltx_document" in _classes(el) and not _dropped(el)]
    candidates.sort(key=lambda el: _tag(el) != "article")
    doc = next((el for el in candidates if any(_classes(d) & _UNIT_CLASSES for d in el.iter())), None)
    if doc is None:
        bodies = [el for el in root.iter() if _tag(el) == "body"]
        doc = bodies[0] if bodies else root
    units = [el for el in doc.iter() if isinstance(el.tag, str) and _classes(el) & _UNIT_CLASSES
             and not any(_dropped(a) for a in el.iterancestors())]
    unit_set = set(units)
    wrappers = {a for u in units for a in u.iterancestors()}
    sections: list[Section] = []
    loose: list[str] = []

    def flush() -> None:
        text = _paragraphs("".join(loose))
        loose.clear()
        if text:
            sections.append(Section("", text, "other"))

    def walk(el: etree._Element) -> None:
        for child in el:
            if _dropped(child) or _classes(child) & _FRONT_CLASSES:
                continue
            if child in unit_set:
                flush()
                sections.extend(_unit_sections(child))
            elif child in wrappers:
                walk(child)
            else:
                _render_element(child, loose, False)
                if child.tail:
                    loose.append(child.tail)

    walk(doc)
    flush()
    return sections


# --------------------------------------------------------------------------- PDF

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\u00ad": "", "\x00": ""})
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
_ARXIV_STAMP = re.compile(r"^arXiv:\s?\d{4}\.\d{4,5}(?:v\d+)?\b")
_KNOWN_HEADING = re.compile(
    r"^(abstract|references|bibliography|acknowledge?ments?|appendix|appendices|supplementary materials?"
    r"|supplemental materials?|introduction|related work|conclusions?|conclusion and future work"
    r"|conclusions and future work|limitations|discussion)\s*[.:]?$",
    re.IGNORECASE,
)
_ABSTRACT_RUNIN = re.compile(r"^abstract\s*[.:—–-]\s*(\S.*)$", re.IGNORECASE)
_ARABIC = re.compile(r"^(\d{1,2})(?:\.(?!\d)\s*|\s+)(\S.*)$")
_ARABIC_GLUED = re.compile(r"^(\d{1,2})\.?(?=[A-Z][a-z])(\S.*)$")
_SUB = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?\.?\s+(\S.*)$")
_ROMAN = re.compile(r"^([IVXL]{1,6})\.\s+(\S.*)$")
_LETTER = re.compile(r"^([A-Z])(?:[.:]\s*|\s+)(\S.*)$")
_LETTER_SUB = re.compile(r"^([A-Z])\.(\d{1,2})\.?\s+(\S.*)$")
_APPENDIX = re.compile(r"^(?:appendix|supplementary material)\s+([A-Z])\b(?:\s*[.:—–-])?\s*(.*)$", re.IGNORECASE)
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50}


def _roman(text: str) -> int:
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        total += -value if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value else value
    return total


def _desmallcap(title: str) -> str:
    """``P ROPOSED M ETHOD`` (small caps as extracted) → ``PROPOSED METHOD``."""
    if re.fullmatch(r"[A-Z][A-Z &\-]*", title) and re.search(r"\b[A-Z] [A-Z]{2,}", title):
        return re.sub(r"\b([A-Z]) (?=[A-Z]{2,})", r"\1", title)
    return title


def _title_ok(title: str) -> bool:
    """Could this be a heading's title (not a sentence, a reference entry or a table row)?"""
    words = title.split()
    if not 1 <= len(words) <= 14 or len(title) > 100:
        return False
    if not title[0].isupper() or title[-1] in ",;-–(" or title.endswith(("et al.", "et al")):
        return False
    if re.search(r"[.!?]\s+[A-Z]", title) or re.search(r"\.{3,}|\s\d+$", title):
        return False
    if title.count(",") > 2 or "@" in title or "http" in title.lower() or "=" in title:
        return False
    chars = [c for c in title if not c.isspace()]
    if sum(c.isalpha() for c in chars) < 0.6 * len(chars):
        return False
    long_words = [w for w in words if len(w) > 3]
    if len(words) > 5 and sum(w[0].isupper() for w in long_words) < 0.5 * len(long_words):
        return False
    return True


@dataclass
class _PdfState:
    top: int = 0            # last top-level number (arabic or roman)
    sub: int = 0
    subsub: int = 0
    style: str = ""         # "arabic" | "roman"
    letter: int = 0         # IEEE "A." subsections under a roman section
    appendix: str = ""      # last appendix letter
    appendix_sub: int = 0
    back: bool = False      # after the references
    in_appendix: bool = False
    abstract: bool = False
    started: bool = False


def _first_ok(n: int, title: str, st: _PdfState) -> bool:
    """Section 1 must look like one: affiliations such as ``1 University of X`` share the form."""
    if n != 1 or st.top:
        return True
    kind = classify(title)
    return kind == "introduction" or (st.abstract and kind != "other")


def _pdf_heading(line: str, following: str, st: _PdfState) -> tuple[int, str, bool, str] | None:
    """(level, title, consumes the next line, run-in text) when ``line`` is a heading."""
    known = _KNOWN_HEADING.match(_desmallcap(line))
    if known:
        word = known.group(1).lower()
        if word == "abstract" and (st.started or st.abstract):
            return None
        return 1, _desmallcap(line).rstrip(".: "), False, ""
    runin = _ABSTRACT_RUNIN.match(line)
    if runin and not st.started and not st.abstract:
        return 1, "Abstract", False, runin.group(1)
    appendix = _APPENDIX.match(line)
    if appendix and (not appendix.group(2) or _title_ok(appendix.group(2))):
        return 1, line.rstrip(". "), False, ""
    if st.style != "roman":
        sub = _SUB.match(line)
        if sub and not st.in_appendix:
            n, m, k, title = int(sub.group(1)), int(sub.group(2)), sub.group(3), _desmallcap(sub.group(4))
            if n == st.top and _title_ok(title) and (
                    (k is None and m == st.sub + 1) or (k is not None and m == st.sub and int(k) == st.subsub + 1)):
                return (2 if k is None else 3), line, False, ""
        arabic = _ARABIC.match(line) or _ARABIC_GLUED.match(line)
        if arabic:
            n, title = int(arabic.group(1)), _desmallcap(arabic.group(2).strip())
            glued = not re.match(r"^\d{1,2}(?:\.|\s)", line)
            known_kind = classify(title) != "other"
            if _title_ok(title) and (not glued or known_kind) and _first_ok(n, title, st) and (
                    n == st.top + 1 or (n == st.top + 2 and st.top and known_kind)):
                return 1, f"{n} {title}", False, ""
        lone = re.fullmatch(r"(\d{1,2})\.?", line)
        if lone and int(lone.group(1)) == st.top + 1 and following and _title_ok(following) \
                and not _ARABIC.match(following) and _first_ok(int(lone.group(1)), following, st):
            return 1, f"{lone.group(1)} {_desmallcap(following)}", True, ""
    if st.style in ("", "roman") and not st.back:
        roman = _ROMAN.match(line)
        if roman and _roman(roman.group(1)) == st.top + 1:
            title = _desmallcap(roman.group(2).strip())
            if _title_ok(title):
                return 1, f"{roman.group(1)}. {title}", False, ""
        if st.style == "roman" and st.top:
            letter = _LETTER.match(line)
            if letter and ord(letter.group(1)) - ord("A") == st.letter and line[1] == "." \
                    and _title_ok(letter.group(2)):
                return 2, line, False, ""
    if st.back or st.in_appendix:
        lsub = _LETTER_SUB.match(line)
        if lsub and st.appendix == lsub.group(1) and int(lsub.group(2)) == st.appendix_sub + 1 \
                and _title_ok(lsub.group(3)):
            return 2, line, False, ""
        letter = _LETTER.match(line)
        expected = chr(ord(st.appendix) + 1) if st.appendix else "A"
        if letter and letter.group(1) == expected and _title_ok(letter.group(2)):
            return 1, line.rstrip(". "), False, ""
    return None


def _update(st: _PdfState, level: int, title: str) -> str:
    """Advance the numbering state for an accepted heading; the section kind (level 1)."""
    st.started = st.started or title != "Abstract"
    if level > 1:
        if st.style == "roman":
            st.letter += 1
        elif st.in_appendix and re.match(r"^[A-Z]\.\d", title):
            st.appendix_sub += 1
        else:
            sub = _SUB.match(title)
            if sub and sub.group(3) is None:
                st.sub, st.subsub = int(sub.group(2)), 0
            elif sub:
                st.subsub = int(sub.group(3))
        return ""
    if title == "Abstract":
        st.abstract = True
        return "abstract"
    arabic = re.match(r"^(\d{1,2}) ", title)
    roman = _ROMAN.match(title)
    appendix = _APPENDIX.match(title)
    letter = _LETTER.match(title) if (st.back or st.in_appendix) and not arabic else None
    if arabic and not st.in_appendix:
        st.top, st.sub, st.subsub, st.style = int(arabic.group(1)), 0, 0, "arabic"
    elif roman and not st.back:
        st.top, st.letter, st.style = _roman(roman.group(1)), 0, "roman"
    elif appendix:
        st.appendix, st.appendix_sub, st.in_appendix = appendix.group(1).upper(), 0, True
    elif letter and not _KNOWN_HEADING.match(title):
        st.appendix, st.appendix_sub, st.in_appendix = letter.group(1), 0, True
    kind = classify(title)
    if kind == "appendix":
        st.in_appendix = True
    if kind == "references":
        st.back = True
    if st.in_appendix and kind not in ("references", "acknowledgements"):
        kind = "appendix"
    return kind


def _clean_pages(pages: list[str]) -> list[str]:
    """Lines of all pages without running headers/footers, page numbers and the arXiv stamp."""
    per_page = []
    for text in pages:
        lines = [" ".join(line.translate(_LIGATURES).split()) for line in text.splitlines()]
        per_page.append(lines)
    edges: dict[str, int] = {}
    for lines in per_page:
        filled = [line for line in lines if line]
        for key in {re.sub(r"\d+", "#", line.lower()) for line in filled[:3] + filled[-3:]}:
            edges[key] = edges.get(key, 0) + 1
    threshold = max(3, 0.4 * len(per_page))
    running = {key for key, count in edges.items() if count >= threshold}
    out: list[str] = []
    for lines in per_page:
        filled = [i for i, line in enumerate(lines) if line]
        edge = set(filled[:3] + filled[-3:])
        for i, line in enumerate(lines):
            if i in edge and (_PAGE_NUMBER.match(line) or re.sub(r"\d+", "#", line.lower()) in running):
                continue
            if _ARXIV_STAMP.match(line) and len(line) < 90:
                continue
            out.append(line)
    return out


def _pdf_paragraphs(items: list[tuple[str, str]], typical: float) -> str:
    paragraphs: list[str] = []
    current = ""
    for kind, line in items:
        if kind == "head":
            if current:
                paragraphs.append(current)
            paragraphs.append(line)
            current = ""
            continue
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and len(current) > 1 and current[-2].isalpha() and line[:1].islower():
            current = current[:-1] + line
        else:
            current = f"{current} {line}" if current else line
        if len(line) < 0.65 * typical and re.search(r"[.!?:][\"'”)\]]?$", line):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


def extract_pdf(data: bytes) -> list[Section]:
    """Sections of a paper from its PDF's text layer (pypdf), split at heading lines.

    Headings: numbered ``1 Introduction`` / ``2. Related Work`` (in sequence),
    ``3.1 ...`` subsections (kept as ``###`` lines), IEEE ``III. METHOD``, unnumbered
    ``Abstract``/``References``/``Acknowledgements``, and ``Appendix A ...`` or lettered
    sections after the references. Text before the first heading (title, authors) is
    dropped when an abstract heading follows, else kept as an untitled section.
    Raises :class:`FullTextError` when the data is not a readable PDF.
    """
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except Exception as error:  # pypdf raises many kinds on broken files
        raise FullTextError(f"unreadable PDF ({type(error).__name__}: {error})") from error
    lines = _clean_pages(pages)
    text_lengths = sorted(len(line) for line in lines if len(line) > 20)
    typical = float(text_lengths[len(text_lengths) // 2]) if text_lengths else 60.0

    st = _PdfState()
    front: list[tuple[str, str]] = []
    found: list[tuple[str, str, list[tuple[str, str]]]] = []
    items = front
    skip = False
    for i, line in enumerate(lines):
        if skip:
            skip = False
            continue
        following = next((n for n in lines[i + 1:i + 3] if n), "")
        heading = _pdf_heading(line, following, st) if line else None
        if heading is None:
            items.append(("line", line))
            continue
        level, title, skip, runin = heading
        kind = _update(st, level, title)
        if level == 1:
            items = []
            found.append((title, kind, items))
        else:
            items.append(("head", "#" * (level + 1) + " " + title))
        if runin:
            items.append(("line", runin))

    sections: list[Section] = []
    front_text = _pdf_paragraphs(front, typical)
    if front_text and not st.abstract:
        kind = "abstract" if found and len(front_text) <= 3000 else "other"
        sections.append(Section("", front_text, kind))
    for title, kind, body in found:
        sections.append(Section(title, _pdf_paragraphs(body, typical), kind))
    return sections


# --------------------------------------------------------------------------- fetch

class _Unavailable(Exception):
    pass


def _download(session: requests.Session, url: str, timeout: float, limit: int) -> bytes:
    try:
        with session.get(url, timeout=timeout, stream=True) as response:
            if response.status_code >= 400:
                raise _Unavailable(f"HTTP {response.status_code} {response.reason or ''}".rstrip())
            chunks, size = [], 0
            for chunk in response.iter_content(1 << 16):
                size += len(chunk)
                if size > limit:
                    raise _Unavailable(f"response larger than {limit // 2**20} MB")
                chunks.append(chunk)
    except requests.RequestException as error:
        raise _Unavailable(f"{type(error).__name__}: {error}") from error
    return b"".join(chunks)


def _body_chars(sections: Iterable[Section]) -> int:
    return sum(len(s.text) for s in sections if s.kind not in ("abstract", "references"))


def _accept(source: str, sections: list[Section]) -> FullText:
    if not any(s.kind != "abstract" for s in sections):
        raise _Unavailable("no sections")
    chars = _body_chars(sections)
    if chars < MIN_CHARS:
        raise _Unavailable(f"too little text ({chars} characters)")
    return FullText(source, sections)


def fetch_full_text(paper_id: str, version: int, html_url: str, pdf_url: str, timeout: float,
                    session: requests.Session | None = None) -> FullText:
    """The full text of ``paper_id`` v``version``: the HTML rendering, else the PDF.

    ``html_url``/``pdf_url`` are format strings with ``{id}`` and ``{version}``. The HTML
    counts as failed on an HTTP error, without sections, or with under ``MIN_CHARS``
    characters of body text; then the PDF is tried. Raises :class:`FullTextError` naming
    the paper and both reasons when neither works.
    """
    own = session is None
    if session is None:
        session = requests.Session()
        session.headers["User-Agent"] = "mkdocs-arxiv-digest (full-text fetch)"
    name = f"{paper_id}v{version}"
    html = html_url.format(id=paper_id, version=version)
    pdf = pdf_url.format(id=paper_id, version=version)
    try:
        try:
            body = _download(session, html, timeout, MAX_HTML_BYTES)
            return _accept("html", extract_html(body))
        except _Unavailable as error:
            html_reason = str(error)
        log.debug(f"{name}: HTML full text unavailable ({html_reason}); trying the PDF")
        try:
            data = _download(session, pdf, timeout, MAX_PDF_BYTES)
            if b"%PDF" not in data[:1024]:
                raise _Unavailable("not a PDF")
            try:
                sections = extract_pdf(data)
            except FullTextError as error:
                raise _Unavailable(str(error)) from error
            return _accept("pdf", sections)
        except _Unavailable as error:
            pdf_reason = str(error)
        raise FullTextError(f"{name}: no full text (HTML {html}: {html_reason}; PDF {pdf}: {pdf_reason})")
    finally:
        if own:
            session.close()
