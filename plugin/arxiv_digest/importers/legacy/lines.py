"""Reading a legacy digest line by line: patterns, field labels, arXiv ids, dates, and the problems found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ...arxiv.ids import NEW_ID, OLD_ID


@dataclass
class Problem:
    """Something of a digest that could not be read as expected, and where."""

    path: str
    line: int  # 1-based line in the file
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# --- arXiv identifiers ------------------------------------------------------------

_ID_FULL = re.compile(rf"^(?:arxiv:)?\s*({NEW_ID}|{OLD_ID})(?:v(\d+))?$", re.I)
ID_IN_TEXT = re.compile(rf"(?<![\w./-])(?:arxiv:\s*)?({NEW_ID}|{OLD_ID})(?:v(\d+))?(?![\w/-]|\.\d)", re.I)
ARXIV_URL = re.compile(
    rf"https?://(?:www\.|export\.)?arxiv\.org/(abs|pdf|html)/({NEW_ID}|{OLD_ID})(?:v(\d+))?(?:\.pdf)?",
    re.I,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """``2601.16982v1`` / ``arXiv:hep-th/9901001v2`` / an arXiv URL → (id, version or None)."""
    text = (text or "").strip()
    m = ARXIV_URL.search(text)
    if m:
        return _norm_id(m.group(2)), int(m.group(3)) if m.group(3) else None
    m = _ID_FULL.match(text)
    if m:
        return _norm_id(m.group(1)), int(m.group(2)) if m.group(2) else None
    return None


def _norm_id(raw: str) -> str:
    if "/" in raw:  # old style: archive lower case, subject class upper case
        archive, number = raw.split("/", 1)
        if "." in archive:
            name, sub = archive.split(".", 1)
            archive = f"{name.lower()}.{sub.upper()}"
        else:
            archive = archive.lower()
        return f"{archive}/{number}"
    return raw


# --- line-level patterns ------------------------------------------------------------

LINE_SPLIT = re.compile(r"\r\n|\r|\n")
TIME_LINE = re.compile(r"^\s*time\s*[:：]\s*(\d{4})-?(\d{2})-?(\d{2})\b", re.I)
DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
ANCHOR = re.compile(r"""^\s*<a\s+(?:id|name)\s*=\s*["']?([^"'>\s]+)["']?\s*/?>\s*(?:</a>)?\s*$""", re.I)
INLINE_ANCHOR = re.compile(r"""<a\s+(?:id|name)\s*=\s*["']?([^"'>\s]*)["']?[^>]*>\s*(?:</a>)?""", re.I)
RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
WHOLE_LINK = re.compile(r"^\[(.*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)\s*$")
PAPER_N = re.compile(r"^(?:paper|论文|文章)\s*#?\s*\d+\s*(?:[:：.、)\-–—]\s*|\s+(?=\S))", re.I)
NUMBER_PREFIX = re.compile(r"^\d{1,3}[.)、]\s+")
# **Label:** rest   |   **Label**: rest   (optionally as a list item)
_LABEL = re.compile(r"^\s{0,3}(?:[-*+]\s+)?(?:\*\*|__)([^*_\n]{1,40}?)\s*(?:[:：]\s*(?:\*\*|__)|(?:\*\*|__)\s*[:：])\s*(.*)$")
_HEADING_LABEL = re.compile(r"^\s{0,3}#{2,6}\s+([^#\n]{1,40}?)\s*[:：]?\s*$")
_BOLD_LABEL = re.compile(r"^\s{0,3}(?:\*\*|__)([^*_\n]{1,40}?)(?:\*\*|__)\s*$")  # **Abstract** alone
# Plain "Authors: ..." only for the core fields, capitalised as the scripts write them.
_PLAIN_LABEL = re.compile(r"^(Authors|Published|Categories|Abstract|Analysis|Key Findings|Links|arXiv ID)\s*:\s*(.*)$")

# Field names → canonical section names.
_LABELS = {
    "authors": "authors",
    "author": "authors",
    "author(s)": "authors",
    "作者": "authors",
    "published": "published",
    "published date": "published",
    "publish date": "published",
    "date": "published",
    "submitted": "published",
    "发布日期": "published",
    "发表日期": "published",
    "updated": "updated",
    "last updated": "updated",
    "更新日期": "updated",
    "categories": "categories",
    "category": "categories",
    "subjects": "categories",
    "分类": "categories",
    "abstract": "abstract",
    "摘要": "abstract",
    "analysis": "analysis",
    "ai analysis": "analysis",
    "分析": "analysis",
    "key findings": "key_findings",
    "key finding": "key_findings",
    "key points": "key_findings",
    "主要发现": "key_findings",
    "关键发现": "key_findings",
    "links": "links",
    "link": "links",
    "链接": "links",
    "arxiv id": "arxiv_id",
    "arxiv": "arxiv_id",
    "id": "arxiv_id",
    "title": "title",
    "标题": "title",
    "comment": "comment",
    "comments": "comment",
    "journal ref": "journal_ref",
    "journal-ref": "journal_ref",
    "journal reference": "journal_ref",
    "doi": "doi",
    "tl;dr": "tldr",
    "tldr": "tldr",
    "tl; dr": "tldr",
    "code": "code",
}
MULTILINE = {"abstract", "analysis", "key_findings", "links", "tldr"}
METADATA = {"authors", "published", "categories", "abstract", "arxiv_id"}
# Inside an analysis only these labels end it (the last one of the block wins).
ENDS_ANALYSIS = ("key_findings", "links")

CODE_LABELS = re.compile(
    r"^(?:code|source(?:\s+code)?|github|gitlab|repo(?:sitory)?|project(?:\s+page)?|home\s*page|website|hugging\s*face|demo|代码|项目主页)$",
    re.I,
)


# --- small helpers ---------------------------------------------------------------------


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def plain(text: str) -> str:
    """Markdown inline text → plain text (emphasis marks and escapes dropped)."""
    text = collapse(text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    return text.strip().strip("*").strip()


def is_blank(line: str) -> bool:
    return not line.strip()


def label_of(line: str) -> tuple[str | None, str, str] | None:
    """(canonical or None when unknown, raw label, rest of line) for a label line."""
    m = _LABEL.match(line)
    if m:
        raw = m.group(1).strip()
        return _LABELS.get(raw.lower()), raw, m.group(2)
    for pattern in (_HEADING_LABEL, _BOLD_LABEL):
        m = pattern.match(line)
        if m and m.group(1).strip().lower() in _LABELS:
            raw = m.group(1).strip()
            return _LABELS[raw.lower()], raw, ""
    m = _PLAIN_LABEL.match(line)
    if m:
        return _LABELS[m.group(1).lower()], m.group(1), m.group(2)
    return None


def strip_rules(lines: list[str]) -> list[str]:
    """Drop leading and trailing blank lines and horizontal rules."""
    start, end = 0, len(lines)
    while start < end and (is_blank(lines[start]) or RULE.match(lines[start])):
        start += 1
    while end > start and (is_blank(lines[end - 1]) or RULE.match(lines[end - 1])):
        end -= 1
    return lines[start:end]


def paragraphs(lines: list[str]) -> str:
    paras, cur = [], []
    for line in strip_rules(lines):
        if is_blank(line):
            if cur:
                paras.append("\n".join(cur).strip())
                cur = []
        else:
            cur.append(line.rstrip())
    if cur:
        paras.append("\n".join(cur).strip())
    return "\n\n".join(p for p in paras if p)


def valid_date(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


_DATETIME = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?(?!\d)",
    re.I,
)


def parse_datetime(text: str) -> str | None:
    """'2026-01-23' / '2026-01-23 14:05' / '2026-01-23T14:05:00+08:00' → ISO 8601 in UTC."""
    m = _DATETIME.search(text or "")
    if not m:
        return None
    y, mo, d, hh, mi, ss, tz = m.groups()
    try:
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    if tz and tz.upper() not in ("Z", "UTC", "GMT"):
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 60 + int(digits[2:]))
        dt = dt - timedelta(minutes=offset)
    return dt.isoformat()


def split_list(text: str, seps: str) -> list[str]:
    out: list[str] = []
    for part in re.split(seps, collapse(text)):
        part = plain(part).strip(" .;")
        if part and part not in out:
            out.append(part)
    return out



def id_in_text(text: str) -> tuple[str, int | None] | None:
    found = parse_arxiv_id(text)
    if found:
        return found
    m = ID_IN_TEXT.search(text)
    return (_norm_id(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else None


def basename(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path

