"""Sections of a PDF's text layer (pypdf), split at heading lines: the full-text fallback."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from ..ids import NEW_ID
from .sections import FullTextError, Section, classify

MAX_PDF_PAGES = 120

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\u00ad": "", "\x00": ""})
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)
_ARXIV_STAMP = re.compile(rf"^arXiv:\s?{NEW_ID}(?:v\d+)?\b")
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
