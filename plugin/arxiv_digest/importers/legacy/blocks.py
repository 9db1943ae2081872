"""Paper blocks of a legacy digest: where each starts, and its title and fields (see the package docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...arxiv import links
from .lines import (ANCHOR, ARXIV_URL, CODE_LABELS, ENDS_ANALYSIS, HEADING, ID_IN_TEXT, INLINE_ANCHOR, LINK,
    METADATA, MULTILINE, NUMBER_PREFIX, PAPER_N, RULE, WHOLE_LINK, Problem, collapse, id_in_text, is_blank, label_of,
    parse_arxiv_id, plain, strip_rules)


# --- finding paper blocks ---------------------------------------------------------------------


@dataclass
class Start:
    line: int  # 0-based index of the first line of the block
    anchor: str | None  # anchor id, as written
    heading: int | None  # 0-based index of the title heading line


def _heading_text(line: str) -> str | None:
    m = HEADING.match(line)
    return INLINE_ANCHOR.sub("", m.group(2)).strip() if m else None


def _fields_follow(lines: list[str], i: int, window: int = 8) -> bool:
    """Paper fields (Authors, Published, ...) follow line i before any heading."""
    seen = 0
    for j in range(i + 1, len(lines)):
        line = lines[j]
        if is_blank(line) or RULE.match(line):
            continue
        seen += 1
        if seen > window or HEADING.match(line) or ANCHOR.match(line):
            return False
        lab = label_of(line)
        if lab and lab[0] in METADATA:
            return True
    return False


def _heading_is_paperish(text: str) -> bool:
    """A heading that names a paper: links to arXiv, reads 'Paper N', or carries an arXiv id."""
    return bool(ARXIV_URL.search(text) or PAPER_N.match(text) or ID_IN_TEXT.search(text))


def find_starts(lines: list[str]) -> list[Start]:
    starts: list[Start] = []
    in_analysis = False
    skip_heading: int | None = None
    for i, line in enumerate(lines):
        if i == skip_heading:
            continue
        anchor = ANCHOR.match(line)
        if anchor:
            ident = anchor.group(1)
            nxt = next((j for j in range(i + 1, min(i + 4, len(lines))) if not is_blank(lines[j])), None)
            heading = nxt if nxt is not None and HEADING.match(lines[nxt]) else None
            if parse_arxiv_id(ident) or _fields_follow(lines, heading if heading is not None else i):
                starts.append(Start(i, ident, heading))
                skip_heading = heading
                in_analysis = False
            continue
        text = _heading_text(line)
        if text is not None:
            link = WHOLE_LINK.match(NUMBER_PREFIX.sub("", PAPER_N.sub("", text)))
            arxiv_link = bool(link and ARXIV_URL.match(link.group(2)))
            if len(HEADING.match(line).group(1)) == 1 and not arxiv_link:
                ok = False  # the digest's own title
            elif in_analysis:
                ok = _heading_is_paperish(text) and _fields_follow(lines, i)
            else:
                ok = _fields_follow(lines, i)
            if ok:
                inline = INLINE_ANCHOR.search(line)  # "## <a id='ID'></a>[Title](...)"
                starts.append(Start(i, inline.group(1) if inline else None, i))
                in_analysis = False
            continue
        lab = label_of(line)
        if lab and starts:
            if lab[0] == "analysis":
                in_analysis = True
            elif lab[0] in ENDS_ANALYSIS:
                in_analysis = False
    return starts



# --- one paper block ----------------------------------------------------------------------------


@dataclass
class _Section:
    name: str
    line: int  # 0-based index of the label line
    first: str  # rest of the label line
    body: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([self.first] if self.first.strip() else []) + self.body


class Block:
    def __init__(self, lines: list[str], start: Start, end: int, path: str, problems: list[Problem]):
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
        text = PAPER_N.sub("", text.strip()).strip()
        if not WHOLE_LINK.match(text):
            text = NUMBER_PREFIX.sub("", text)
        link = WHOLE_LINK.match(text)
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
        labels = [(j, label_of(lines[j])) for j in range(first, end)]
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
                if canon is None and current is not None and current.name in MULTILINE:
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
                    for name in ENDS_ANALYSIS:
                        if name in self.sections:
                            continue
                        last = [k for k, lb in labels if k > j and lb[0] == name]
                        if last:
                            ends.append(last[-1])
                    analysis_end = min(ends) if ends else end
                j += 1
                continue
            if current is None:
                if not is_blank(line) and not RULE.match(line):
                    stray.append(j)
            elif current.name in MULTILINE:
                current.body.append(line)
            else:  # a one-line field: continuation lines until a blank line
                if is_blank(line):
                    gap = True
                elif RULE.match(line):
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
        found = id_in_text(self.text("arxiv_id") or "")
        if found:
            candidates.append(("arXiv ID field", found, self.sections["arxiv_id"].line))
        for label, url, _ in self.links_section():
            parsed = parse_arxiv_id(url)
            if parsed:
                candidates.append((f"{label} link", parsed, self.sections["links"].line))
        if not candidates and self.start.heading is not None:
            found = id_in_text(_heading_text(self.all[self.start.heading]) or "")
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
            for m in LINK.finditer(line):
                out.append((plain(m.group(1)), m.group(2), offset))
            if not LINK.search(line):
                bare = re.match(r"^\s*(?:[-*+]\s+)?([^:：\s][^:：]{0,30})[:：]\s*(https?://\S+)\s*$", line)
                if bare:
                    out.append((bare.group(1).strip(), links.clean_url(bare.group(2)), offset))
                elif not is_blank(line) and not RULE.match(line) and not self._reported_links:
                    self._reported_links = True
                    self.problem(sec.line, f"unreadable line in Links ignored: {collapse(line)[:80]!r}")
        return out

    def code_links(self, abstract: str) -> list[str]:
        urls: list[str] = []
        for label, url, _ in self.links_section():
            if CODE_LABELS.match(label) and url.lower().startswith(("http://", "https://")):
                urls.append(links.clean_url(url))
            elif not parse_arxiv_id(url) and url.lower().startswith(("http://", "https://")):
                if links.on_code_host(url):
                    urls.append(links.clean_url(url))
                else:
                    self.problem(self.sections["links"].line, f"link {label!r} ({url}) is not a paper or code link; ignored")
        code = self.text("code")
        if code:
            urls += [links.clean_url(m.group(0)) for m in links.URL_RE.finditer(code)]
        urls += links.code_links(abstract)
        return links.dedupe_urls(urls)

    def key_findings(self) -> list[str]:
        sec = self.sections.get("key_findings")
        if sec is None:
            return []
        items: list[str] = []
        cur: list[str] | None = None
        for line in strip_rules(sec.lines()):
            bullet = re.match(r"^\s*(?:[-*+•]|\d{1,2}[.)、])\s+(.*)$", line)
            if bullet:
                cur = [bullet.group(1)]
                items.append("")
            elif is_blank(line):
                cur = None
                continue
            elif cur is None:
                cur = [line]
                items.append("")
            else:
                cur.append(line)
            items[-1] = collapse(" ".join(cur))
        return [i for i in items if i]

