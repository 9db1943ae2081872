"""Import legacy Markdown digests (the ones users published before this plugin).

A legacy digest looks like this (every part may be missing or reordered, and
real files vary; see the tests)::

    time: 20260126
    # Arxiv Computer Vision Papers - 2026-01-26
    ## Executive Summary
    ...Markdown...
    ## Table of Contents
    1. [Title](#2601.16982v1)
    ## Papers
    <a id='2601.16982v1'></a>
    ## [Title](https://arxiv.org/abs/2601.16982v1)
    **Authors:** A, B
    **Published:** 2026-01-23
    **Categories:** cs.CV, cs.LG
    **Abstract:**
    ...
    **Analysis:**
    ...Markdown, with its own ## and ### headings and even **Authors:** lines...
    **Key Findings:**
    - ...
    **Links:**
    - [PDF](https://arxiv.org/pdf/2601.16982v1)
    - [arXiv](https://arxiv.org/abs/2601.16982v1)
    ---

:func:`parse_digest` turns the text into a :class:`LegacyDigest` whose papers
are records in the store's JSON format. It never reads files: the caller
passes the text and the path used in messages. Whatever cannot be read is
reported as a :class:`Problem` (file, line, message), never dropped silently.

How paper blocks are found. A block starts at

- an anchor line ``<a id='ID'></a>`` whose id is an arXiv id, or that is
  followed by paper fields (the heading right after it belongs to it), or
- a heading followed by paper fields (``**Authors:**``, ``**Published:**``,
  ``**Categories:**``, ``**Abstract:**``, ``**arXiv ID:**``): the usual
  ``## [Title](https://arxiv.org/abs/ID)`` as well as ``### Paper 3: Title``,

and runs to the next block start or the end of the file. Analyses contain
``##``/``###`` headings of their own: inside an analysis (after an Analysis
label and before Key Findings/Links) a heading starts a new block only if it
also names a paper (links to arXiv, reads "Paper N" or carries an arXiv id).
A heading without fields after it (say a link to a paper in the executive
summary) never starts a block.

How an analysis ends. Analyses echo the paper's fields (``**Authors:**``,
``**Abstract:**`` ...), so inside the analysis only a ``Key Findings`` or
``Links`` label ends it, and of each the *last* one of the block is taken.

The executive summary runs from its heading to the table of contents, the
``## Papers`` heading or the first paper, whichever comes first: its own rules
(``---``) and headings stay in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from ..analysis.checks import check as check_analysis

__all__ = ["Problem", "LegacyDigest", "NotADigest", "parse_digest", "parse_arxiv_id"]


@dataclass
class Problem:
    path: str
    line: int  # 1-based line in the file
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class LegacyDigest:
    date: str  # "YYYY-MM-DD"
    summary: str | None  # executive summary Markdown, stripped
    papers: list[dict]  # paper records, in file order
    problems: list[Problem]
    #: arXiv ids (without version) of the table of contents, in its order
    #: (an entry whose target is not an arXiv id keeps its raw target).
    toc: list[str] = field(default_factory=list)


class NotADigest(ValueError):
    """The text is not a legacy digest; the message names the file and why."""


# --- arXiv identifiers ------------------------------------------------------------

_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
_ID_FULL = re.compile(rf"^(?:arxiv:)?\s*({_NEW_ID}|{_OLD_ID})(?:v(\d+))?$", re.I)
_ID_IN_TEXT = re.compile(rf"(?<![\w./-])(?:arxiv:\s*)?({_NEW_ID}|{_OLD_ID})(?:v(\d+))?(?![\w/-]|\.\d)", re.I)
_ARXIV_URL = re.compile(
    rf"https?://(?:www\.|export\.)?arxiv\.org/(abs|pdf|html)/({_NEW_ID}|{_OLD_ID})(?:v(\d+))?(?:\.pdf)?",
    re.I,
)


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """``2601.16982v1`` / ``arXiv:hep-th/9901001v2`` / an arXiv URL → (id, version or None)."""
    text = (text or "").strip()
    m = _ARXIV_URL.search(text)
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

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
_TIME_LINE = re.compile(r"^\s*time\s*[:：]\s*(\d{4})-?(\d{2})-?(\d{2})\b", re.I)
_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_ANCHOR = re.compile(r"""^\s*<a\s+(?:id|name)\s*=\s*["']?([^"'>\s]+)["']?\s*/?>\s*(?:</a>)?\s*$""", re.I)
_INLINE_ANCHOR = re.compile(r"""<a\s+(?:id|name)\s*=\s*["']?([^"'>\s]*)["']?[^>]*>\s*(?:</a>)?""", re.I)
_RULE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_LINK = re.compile(r"\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_WHOLE_LINK = re.compile(r"^\[(.*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)\s*$")
_PAPER_N = re.compile(r"^(?:paper|论文|文章)\s*#?\s*\d+\s*(?:[:：.、)\-–—]\s*|\s+(?=\S))", re.I)
_NUMBER_PREFIX = re.compile(r"^\d{1,3}[.)、]\s+")
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
_MULTILINE = {"abstract", "analysis", "key_findings", "links", "tldr"}
_METADATA = {"authors", "published", "categories", "abstract", "arxiv_id"}
# Inside an analysis only these labels end it (the last one of the block wins).
_ENDS_ANALYSIS = ("key_findings", "links")

_CATEGORY = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")
_CODE_HOSTS = re.compile(
    r"^(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|hf\.co|bitbucket\.org|codeberg\.org|"
    r"[\w-]+\.github\.io|[\w-]+\.gitlab\.io|gitee\.com|sourceforge\.net|colab\.research\.google\.com)$",
    re.I,
)
_CODE_CONTEXT = re.compile(r"\b(?:code|codes|project|page|website|homepage|repo|repository|github|implementation|demo|models?)\b", re.I)
_URL = re.compile(r"https?://[^\s<>\"'`{}\[\]，。；：！？、（）「」]+", re.I)
_URL_TRAIL = ".,;:!?)]}'\"*_>。，；：！？）】」』`\\"
_CODE_LABELS = re.compile(
    r"^(?:code|source(?:\s+code)?|github|gitlab|repo(?:sitory)?|project(?:\s+page)?|home\s*page|website|hugging\s*face|demo|代码|项目主页)$",
    re.I,
)


# --- small helpers ---------------------------------------------------------------------


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _plain(text: str) -> str:
    """Markdown inline text → plain text (emphasis marks and escapes dropped)."""
    text = _collapse(text)
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|<>~])", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])([*_])(?!\s)(.+?)(?<!\s)\1(?![\w*])", r"\2", text)
    return text.strip().strip("*").strip()


def _is_blank(line: str) -> bool:
    return not line.strip()


def _label_of(line: str) -> tuple[str | None, str, str] | None:
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


def _strip_rules(lines: list[str]) -> list[str]:
    """Drop leading and trailing blank lines and horizontal rules."""
    start, end = 0, len(lines)
    while start < end and (_is_blank(lines[start]) or _RULE.match(lines[start])):
        start += 1
    while end > start and (_is_blank(lines[end - 1]) or _RULE.match(lines[end - 1])):
        end -= 1
    return lines[start:end]


def _paragraphs(lines: list[str]) -> str:
    paras, cur = [], []
    for line in _strip_rules(lines):
        if _is_blank(line):
            if cur:
                paras.append("\n".join(cur).strip())
                cur = []
        else:
            cur.append(line.rstrip())
    if cur:
        paras.append("\n".join(cur).strip())
    return "\n\n".join(p for p in paras if p)


def _valid_date(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


_DATETIME = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*"
    r"(Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?(?!\d)",
    re.I,
)


def _parse_datetime(text: str) -> str | None:
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


def _split_list(text: str, seps: str) -> list[str]:
    out: list[str] = []
    for part in re.split(seps, _collapse(text)):
        part = _plain(part).strip(" .;")
        if part and part not in out:
            out.append(part)
    return out


def _clean_url(url: str) -> str:
    return url.rstrip(_URL_TRAIL)


def _code_urls_in(text: str) -> list[str]:
    """github/gitlab/huggingface/project-page URLs mentioned in an abstract."""
    found: list[str] = []
    previous = 0
    text = re.sub(r"\\url\{([^}]*)\}", r" \1 ", text or "")
    for m in _URL.finditer(text):
        # what introduces this URL: the text since the previous URL or sentence
        before = text[max(previous, m.start() - 160) : m.start()]
        before = re.split(r"(?<=[.!?。！？])\s+", before)[-1]
        previous = m.end()
        url = _clean_url(m.group(0))
        host = re.match(r"https?://([^/:?#]+)", url, re.I)
        if not host or "arxiv.org" in host.group(1).lower() or "doi.org" in host.group(1).lower():
            continue
        if _CODE_HOSTS.match(host.group(1)) or _CODE_CONTEXT.search(before):
            found.append(url)
    return found


def _dedupe_urls(urls: list[str]) -> list[str]:
    seen, out = set(), []
    for url in urls:
        key = re.sub(r"^https?://(www\.)?", "", url.lower()).rstrip("/")
        if key not in seen:
            seen.add(key)
            out.append(url)
    return out


def _id_in_text(text: str) -> tuple[str, int | None] | None:
    found = parse_arxiv_id(text)
    if found:
        return found
    m = _ID_IN_TEXT.search(text)
    return (_norm_id(m.group(1)), int(m.group(2)) if m.group(2) else None) if m else None


def _basename(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1] or path


# --- finding paper blocks ---------------------------------------------------------------------


@dataclass
class _Start:
    line: int  # 0-based index of the first line of the block
    anchor: str | None  # anchor id, as written
    heading: int | None  # 0-based index of the title heading line


def _heading_text(line: str) -> str | None:
    m = _HEADING.match(line)
    return _INLINE_ANCHOR.sub("", m.group(2)).strip() if m else None


def _fields_follow(lines: list[str], i: int, window: int = 8) -> bool:
    """Paper fields (Authors, Published, ...) follow line i before any heading."""
    seen = 0
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if _is_blank(line) or _RULE.match(line):
            continue
        seen += 1
        if seen > window or _HEADING.match(line) or _ANCHOR.match(line):
            return False
        lab = _label_of(line)
        if lab and lab[0] in _METADATA:
            return True
    return False


def _heading_is_paperish(text: str) -> bool:
    """A heading that names a paper: links to arXiv, reads 'Paper N', or carries an arXiv id."""
    return bool(_ARXIV_URL.search(text) or _PAPER_N.match(text) or _ID_IN_TEXT.search(text))


def _find_starts(lines: list[str]) -> list[_Start]:
    starts: list[_Start] = []
    in_analysis = False
    skip_heading: int | None = None
    for i, line in enumerate(lines):
        if i == skip_heading:
            continue
        anchor = _ANCHOR.match(line)
        if anchor:
            ident = anchor.group(1)
            nxt = next((j for j in range(i + 1, min(i + 4, len(lines))) if not _is_blank(lines[j])), None)
            heading = nxt if nxt is not None and _HEADING.match(lines[nxt]) else None
            if parse_arxiv_id(ident) or _fields_follow(lines, heading if heading is not None else i):
                starts.append(_Start(i, ident, heading))
                skip_heading = heading
                in_analysis = False
            continue
        text = _heading_text(line)
        if text is not None:
            link = _WHOLE_LINK.match(_NUMBER_PREFIX.sub("", _PAPER_N.sub("", text)))
            arxiv_link = bool(link and _ARXIV_URL.match(link.group(2)))
            if len(_HEADING.match(line).group(1)) == 1 and not arxiv_link:
                ok = False  # the digest's own title
            elif in_analysis:
                ok = _heading_is_paperish(text) and _fields_follow(lines, i)
            else:
                ok = _fields_follow(lines, i)
            if ok:
                inline = _INLINE_ANCHOR.search(line)  # "## <a id='ID'></a>[Title](...)"
                starts.append(_Start(i, inline.group(1) if inline else None, i))
                in_analysis = False
            continue
        lab = _label_of(line)
        if lab and starts:
            if lab[0] == "analysis":
                in_analysis = True
            elif lab[0] in _ENDS_ANALYSIS:
                in_analysis = False
    return starts


# --- the header: date, summary, table of contents -----------------------------------------------

_SUMMARY_HEADING = re.compile(r"summary|overview|摘要|总结|概述|综述", re.I)
_TOC_HEADING = re.compile(r"table\s+of\s+contents|contents|\btoc\b|目录", re.I)
_PAPERS_HEADING = re.compile(r"^(?:papers?|paper\s+list|论文(?:列表)?)$", re.I)


def _parse_header(lines: list[str], end: int, path: str, problems: list[Problem]):
    title_date = time_date = None
    title_line = time_line = None
    summary_start = toc_start = None
    sections: list[tuple[str, int]] = []  # (kind, heading index)
    for i in range(end):
        line = lines[i]
        if time_date is None and _TIME_LINE.match(line):
            m = _TIME_LINE.match(line)
            time_date, time_line = _valid_date(*m.groups()), i
            if time_date is None:
                problems.append(Problem(path, i + 1, f"invalid date in time line: {line.strip()!r}"))
            continue
        h = _HEADING.match(line)
        if not h:
            continue
        level, text = len(h.group(1)), h.group(2).strip()
        if level == 1 and title_line is None:
            title_line = i
            dates = _DATE.findall(text)
            if dates:
                title_date = _valid_date(*dates[-1])
                if title_date is None:
                    problems.append(Problem(path, i + 1, f"invalid date in title: {text!r}"))
            sections.append(("title", i))
        elif level <= 2 and _TOC_HEADING.search(text):
            toc_start = i
            sections.append(("toc", i))
        elif level <= 2 and _PAPERS_HEADING.match(_plain(text)):
            sections.append(("papers", i))
        elif level <= 2 and summary_start is None and _SUMMARY_HEADING.search(text):
            summary_start = i
            sections.append(("summary", i))
        elif level == 1:
            sections.append(("other", i))

    # The summary runs to the next known section (its own ## headings stay in it).
    summary = None
    if summary_start is not None:
        after = [k for _, k in sections if k > summary_start]
        stop = min(after) if after else end
        summary = "\n".join(_strip_rules(lines[summary_start + 1 : stop])).strip() or None

    toc: list[tuple[str, int]] = []
    if toc_start is not None:
        after = [k for _, k in sections if k > toc_start]
        stop = min(after) if after else end
        for j in range(toc_start + 1, stop):
            for m in _LINK.finditer(lines[j]):
                target = m.group(2)
                if not target.startswith("#"):
                    continue
                parsed = parse_arxiv_id(target[1:])
                toc.append((parsed[0] if parsed else target[1:], j))

    if title_date and time_date and title_date != time_date:
        problems.append(
            Problem(
                path,
                title_line + 1,
                f"title date {title_date} differs from the time line ({time_date}, line {time_line + 1}); using the title",
            )
        )
    return title_date or time_date, summary, toc, toc_start


# --- one paper block ----------------------------------------------------------------------------


@dataclass
class _Section:
    name: str
    line: int  # 0-based index of the label line
    first: str  # rest of the label line
    body: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([self.first] if self.first.strip() else []) + self.body


class _Block:
    def __init__(self, lines: list[str], start: _Start, end: int, path: str, problems: list[Problem]):
        self.all = lines
        self.start = start
        self.end = end
        self.path = path
        self.problems = problems
        self.sections: dict[str, _Section] = {}
        self.title: str | None = None
        self.title_url: str | None = None
        self._reported_links = False

    def problem(self, index: int, message: str) -> None:
        self.problems.append(Problem(self.path, index + 1, message))

    # -- layout --

    def read_heading(self) -> int:
        """Title from the heading; returns the index of the first body line."""
        h = self.start.heading
        if h is None:
            return self.start.line + 1
        text = _heading_text(self.all[h]) or ""
        text = _PAPER_N.sub("", text.strip()).strip()
        if not _WHOLE_LINK.match(text):
            text = _NUMBER_PREFIX.sub("", text)
        link = _WHOLE_LINK.match(text)
        if link:
            self.title, self.title_url = link.group(1), link.group(2)
        elif text.startswith("[") and "](" in text:  # a link cut in the middle
            title, _, url = text[1:].partition("](")
            self.title, self.title_url = title, url.rstrip(")")
        else:
            self.title = text.lstrip("[")
        return h + 1

    def read_sections(self, first: int, end: int) -> None:
        lines = self.all
        labels = [(j, _label_of(lines[j])) for j in range(first, end)]
        labels = [(j, lab) for j, lab in labels if lab is not None]
        current: _Section | None = None
        stray: list[int] = []
        gap = False  # a blank line since a one-line field's label
        analysis_end: int | None = None
        by_index = dict(labels)
        j = first
        while j < end:
            line = lines[j]
            lab = by_index.get(j)
            inside_analysis = current is not None and current.name == "analysis" and analysis_end is not None and j < analysis_end
            if lab and not inside_analysis:
                canon, raw, rest = lab
                if canon is None and current is not None and current.name in _MULTILINE:
                    current.body.append(line)  # an unknown bold label inside text is text
                    j += 1
                    continue
                gap = False
                if canon is None:
                    self.problem(j, f"unknown field {raw!r} ignored")
                    current = _Section("_ignored", j, rest)  # read like a one-line field, then dropped
                    j += 1
                    continue
                if canon in self.sections:
                    self.problem(j, f"field {raw!r} appears again (first at line {self.sections[canon].line + 1}); the repeat is ignored")
                    current = _Section("_ignored", j, rest)
                else:
                    current = _Section(canon, j, rest)
                    self.sections[canon] = current
                if canon == "analysis":
                    ends = []
                    for name in _ENDS_ANALYSIS:
                        if name in self.sections:
                            continue
                        last = [k for k, lb in labels if k > j and lb[0] == name]
                        if last:
                            ends.append(last[-1])
                    analysis_end = min(ends) if ends else end
                j += 1
                continue
            if current is None:
                if not _is_blank(line) and not _RULE.match(line):
                    stray.append(j)
            elif current.name in _MULTILINE:
                current.body.append(line)
            else:  # a one-line field: continuation lines until a blank line
                if _is_blank(line):
                    gap = True
                elif _RULE.match(line):
                    pass
                elif gap:
                    stray.append(j)
                else:
                    current.body.append(line)
            j += 1
        if stray:
            self.problem(stray[0], f"{len(stray)} line(s) of unrecognised text in the paper block ignored")

    def text(self, name: str) -> str | None:
        sec = self.sections.get(name)
        return None if sec is None else "\n".join(sec.lines())

    # -- the record --

    def identify(self) -> tuple[str, int | None] | None:
        """(id, version or None) from the title link, anchor, arXiv ID field, Links or heading.

        The first source found gives the id; the others are checked against it."""
        candidates: list[tuple[str, tuple[str, int | None], int]] = []
        if self.title_url and parse_arxiv_id(self.title_url):
            candidates.append(("title link", parse_arxiv_id(self.title_url), self.start.heading))
        if self.start.anchor and parse_arxiv_id(self.start.anchor):
            candidates.append(("anchor", parse_arxiv_id(self.start.anchor), self.start.line))
        found = _id_in_text(self.text("arxiv_id") or "")
        if found:
            candidates.append(("arXiv ID field", found, self.sections["arxiv_id"].line))
        for label, url, _ in self.links_section():
            parsed = parse_arxiv_id(url)
            if parsed:
                candidates.append((f"{label} link", parsed, self.sections["links"].line))
        if not candidates and self.start.heading is not None:
            found = _id_in_text(_heading_text(self.all[self.start.heading]) or "")
            if found:
                candidates.append(("heading", found, self.start.heading))
        if not candidates:
            return None
        first, (ident, _), _ = candidates[0]
        for where, (other, _), index in candidates[1:]:
            if other != ident:
                self.problem(index, f"{where} names arXiv id {other}, but the {first} says {ident}; using {ident}")
        version = next((v for _, (i, v), _ in candidates if i == ident and v), None)
        return ident, version

    def links_section(self) -> list[tuple[str, str, int]]:
        sec = self.sections.get("links")
        if sec is None:
            return []
        out = []
        for offset, line in enumerate(sec.lines()):
            for m in _LINK.finditer(line):
                out.append((_plain(m.group(1)), m.group(2), offset))
            if not _LINK.search(line):
                bare = re.match(r"^\s*(?:[-*+]\s+)?([^:：\s][^:：]{0,30})[:：]\s*(https?://\S+)\s*$", line)
                if bare:
                    out.append((bare.group(1).strip(), _clean_url(bare.group(2)), offset))
                elif not _is_blank(line) and not _RULE.match(line) and not self._reported_links:
                    self._reported_links = True
                    self.problem(sec.line, f"unreadable line in Links ignored: {_collapse(line)[:80]!r}")
        return out

    def code_links(self, abstract: str) -> list[str]:
        urls: list[str] = []
        for label, url, _ in self.links_section():
            if _CODE_LABELS.match(label) and url.lower().startswith(("http://", "https://")):
                urls.append(_clean_url(url))
            elif not parse_arxiv_id(url) and url.lower().startswith(("http://", "https://")):
                host = re.match(r"https?://([^/:?#]+)", url, re.I)
                if host and _CODE_HOSTS.match(host.group(1)):
                    urls.append(_clean_url(url))
                else:
                    self.problem(self.sections["links"].line, f"link {label!r} ({url}) is not a paper or code link; ignored")
        code = self.text("code")
        if code:
            urls += [_clean_url(m.group(0)) for m in _URL.finditer(code)]
        urls += _code_urls_in(abstract)
        return _dedupe_urls(urls)

    def key_findings(self) -> list[str]:
        sec = self.sections.get("key_findings")
        if sec is None:
            return []
        items: list[str] = []
        cur: list[str] | None = None
        for line in _strip_rules(sec.lines()):
            bullet = re.match(r"^\s*(?:[-*+•]|\d{1,2}[.)、])\s+(.*)$", line)
            if bullet:
                cur = [bullet.group(1)]
                items.append("")
            elif _is_blank(line):
                cur = None
                continue
            elif cur is None:
                cur = [line]
                items.append("")
            else:
                cur.append(line)
            items[-1] = _collapse(" ".join(cur))
        return [i for i in items if i]


def _read_block(lines: list[str], start: _Start, end: int, path: str) -> _Block:
    block = _Block(lines, start, end, path, [])
    block.read_sections(block.read_heading(), end)
    return block


def _record(block: _Block, source: str, truncated: bool) -> dict | None:
    """The paper record of a block read by :func:`_read_block`, or None when it has no id or title."""
    where = block.start.line
    if not block.title and block.text("title"):
        block.title = block.text("title")
    title = _plain(block.title or "")
    ident = block.identify()
    if ident is None:
        block.problem(where, "paper block has no arXiv id (no anchor, arXiv title link, arXiv ID field or arXiv link); skipped")
        return None
    paper_id, version = ident
    suffix = f"v{version}" if version else ""  # no version given: link the latest
    links = {"abs": f"https://arxiv.org/abs/{paper_id}{suffix}", "pdf": f"https://arxiv.org/pdf/{paper_id}{suffix}"}
    if not title:
        block.problem(where, f"paper block {paper_id} has no title; skipped")
        return None

    abstract_text = block.text("abstract")
    abstract = _paragraphs(block.sections["abstract"].lines()) if abstract_text is not None else ""
    if not abstract:
        block.problem(where, f"paper {paper_id} has no abstract" + (" (empty Abstract field)" if abstract_text is not None else ""))

    authors = _split_list(block.text("authors") or "", r"\s*[,;，；、]\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
    if not authors:
        block.problem(where, f"paper {paper_id} has no authors")
    categories, odd = [], []
    for token in _split_list(re.sub(r"\([^)]*\)", " ", block.text("categories") or ""), r"[\s,;，；、]+"):
        (categories if _CATEGORY.match(token) else odd).append(token)
    if odd:
        block.problem(block.sections["categories"].line, f"not arXiv categories, ignored: {', '.join(odd)}")
    if not categories:
        block.problem(where, f"paper {paper_id} has no categories")

    published = None
    pub_text = block.text("published")
    if pub_text is None:
        block.problem(where, f"paper {paper_id} has no Published date")
    else:
        published = _parse_datetime(pub_text)
        if published is None:
            block.problem(block.sections["published"].line, f"unreadable Published date {_collapse(pub_text)!r}")
    updated = _parse_datetime(block.text("updated") or "") or published

    # The analysis.
    sec = block.sections.get("analysis")
    body_lines = _strip_rules(sec.lines()) if sec else []
    body = "\n".join(line.rstrip() for line in body_lines).strip("\n") or None
    cut_inside = truncated and sec is not None and all(s.line <= sec.line for s in block.sections.values())
    status, reason = "done", None
    if body is None:
        status = "pending"
        reason = "no analysis in the legacy digest" if sec is None else "imported analysis is empty"
    else:
        verdict = check_analysis(body)
        if verdict is not None:
            status = "pending"
            kind = {"request": "a refusal", "refusal": "a refusal", "placeholder": "a placeholder"}.get(verdict.kind)
            reason = f"imported analysis is {kind}: {verdict.reason}" if kind else f"imported analysis is unusable: {verdict.reason}"
            body = None
        elif cut_inside:
            status, reason = "pending", "imported analysis is incomplete: the digest file ends inside it"
    tldr = _paragraphs(block.sections["tldr"].lines()) if "tldr" in block.sections else ""

    return {
        "id": paper_id,
        "version": version or 1,
        "title": title,
        "authors": authors,
        "published": published,
        "updated": updated,
        "categories": categories,
        "primary_category": categories[0] if categories else None,
        "abstract": abstract,
        "comment": _collapse(block.text("comment") or "") or None,
        "journal_ref": _collapse(block.text("journal_ref") or "") or None,
        "doi": _collapse(block.text("doi") or "") or None,
        "links": links,
        "code_links": block.code_links(abstract),
        "tags": [],
        "analysis": {
            "status": status,
            "provenance": "imported",
            "tldr": tldr or None,
            "key_findings": block.key_findings(),
            "body": body,
            "reason": reason,
            "source": source,
        },
    }


# --- the digest -----------------------------------------------------------------------------------


def parse_digest(text: str, path: str = "<digest>") -> LegacyDigest:
    """Parse a legacy Markdown digest. Raises :class:`NotADigest` when ``text``
    has no digest date or no paper block."""
    if not isinstance(text, str):
        raise TypeError(f"{path}: parse_digest() takes the text of the file, not {type(text).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = _LINE_SPLIT.split(text)
    problems: list[Problem] = []

    starts = _find_starts(lines)
    header_end = starts[0].line if starts else len(lines)
    digest_date, summary, toc, toc_line = _parse_header(lines, header_end, path, problems)
    if digest_date is None:
        raise NotADigest(
            f"{path}: not a legacy arXiv digest: no date (no '# ... - YYYY-MM-DD' title and no 'time: YYYYMMDD' line before the papers)"
        )
    if not starts:
        raise NotADigest(
            f"{path}: not a legacy arXiv digest: no paper blocks "
            "(no \"<a id='...'></a>\" anchor, no '## [Title](https://arxiv.org/abs/...)' heading, "
            "no heading followed by **Authors:**)"
        )

    ends = [s.line for s in starts[1:]] + [len(lines)]
    blocks = [_read_block(lines, start, end, path) for start, end in zip(starts, ends, strict=True)]
    truncated = _looks_cut(text, lines, blocks)
    if truncated:
        problems.append(Problem(path, len(lines), "the file seems cut in the middle: the last paper block is incomplete"))

    source = f"legacy digest {_basename(path)}"
    papers: list[dict] = []
    seen: dict[str, int] = {}
    for k, block in enumerate(blocks):
        record = _record(block, source, truncated and k == len(blocks) - 1)
        problems.extend(block.problems)
        if record is None:
            continue
        if record["id"] in seen:
            first = seen[record["id"]]
            problems.append(
                Problem(path, block.start.line + 1, f"paper {record['id']} appears again (first at line {first}); the repeat is skipped")
            )
            continue
        seen[record["id"]] = block.start.line + 1
        papers.append(record)

    toc_ids = [t for t, _ in toc]
    if toc:
        for t, j in toc:
            if t not in seen:
                problems.append(Problem(path, j + 1, f"table of contents entry {t} has no paper block"))
        for p in papers:
            if p["id"] not in toc_ids:
                problems.append(Problem(path, seen[p["id"]], f"paper {p['id']} is not in the table of contents"))
        listed = [t for t in toc_ids if t in seen]
        if listed != [p["id"] for p in papers if p["id"] in toc_ids]:
            problems.append(Problem(path, toc_line + 1, "the table of contents lists the papers in another order than the paper blocks"))

    problems.sort(key=lambda p: p.line)
    return LegacyDigest(date=digest_date, summary=summary, papers=papers, problems=problems, toc=toc_ids)


def _looks_cut(text: str, lines: list[str], blocks: list[_Block]) -> bool:
    """Whether the file seems cut in the middle of its last paper block: every
    other block closes with the same section and the last one lacks it, or the
    file stops mid-line (no final newline) anywhere but in Links or on a rule."""

    def closing(block: _Block) -> str | None:
        return max(block.sections, key=lambda name: block.sections[name].line) if block.sections else None

    last = blocks[-1]
    others = {closing(b) for b in blocks[:-1] if b.sections}
    if len(others) == 1 and next(iter(others)) not in last.sections:
        return True
    body = text.rstrip(" \t")
    last_line = next((ln for ln in reversed(lines) if not _is_blank(ln)), "")
    if body and not body.endswith(("\n", "\r")) and not _RULE.match(last_line):
        return closing(last) != "links"
    return False
