"""A whole legacy digest: its header (date, executive summary, table of contents) and its papers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...model import Paper
from .blocks import Block, find_starts
from .lines import (DATE, HEADING, LINE_SPLIT, LINK, RULE, TIME_LINE, Problem, basename, is_blank, parse_arxiv_id,
    plain, strip_rules, valid_date)
from .record import paper_record, read_block


@dataclass
class LegacyDigest:
    date: str  # "YYYY-MM-DD"
    summary: str | None  # executive summary Markdown, stripped
    papers: list[Paper]  # paper records, in file order
    problems: list[Problem]
    #: arXiv ids (without version) of the table of contents, in its order
    #: (an entry whose target is not an arXiv id keeps its raw target).
    toc: list[str] = field(default_factory=list)


class NotADigest(ValueError):
    """The text is not a legacy digest; the message names the file and why."""



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
        if time_date is None and TIME_LINE.match(line):
            m = TIME_LINE.match(line)
            time_date, time_line = valid_date(*m.groups()), i
            if time_date is None:
                problems.append(Problem(path, i + 1, f"invalid date in time line: {line.strip()!r}"))
            continue
        h = HEADING.match(line)
        if not h:
            continue
        level, text = len(h.group(1)), h.group(2).strip()
        if level == 1 and title_line is None:
            title_line = i
            dates = DATE.findall(text)
            if dates:
                title_date = valid_date(*dates[-1])
                if title_date is None:
                    problems.append(Problem(path, i + 1, f"invalid date in title: {text!r}"))
            sections.append(("title", i))
        elif level <= 2 and _TOC_HEADING.search(text):
            toc_start = i
            sections.append(("toc", i))
        elif level <= 2 and _PAPERS_HEADING.match(plain(text)):
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
        summary = "\n".join(strip_rules(lines[summary_start + 1 : stop])).strip() or None

    toc: list[tuple[str, int]] = []
    if toc_start is not None:
        after = [k for _, k in sections if k > toc_start]
        stop = min(after) if after else end
        for j in range(toc_start + 1, stop):
            for m in LINK.finditer(lines[j]):
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



# --- the digest -----------------------------------------------------------------------------------


def parse_digest(text: str, path: str = "<digest>") -> LegacyDigest:
    """Parse a legacy Markdown digest. Raises :class:`NotADigest` when ``text``
    has no digest date or no paper block."""
    if not isinstance(text, str):
        raise TypeError(f"{path}: parse_digest() takes the text of the file, not {type(text).__name__}")
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = LINE_SPLIT.split(text)
    problems: list[Problem] = []

    starts = find_starts(lines)
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
    blocks = [read_block(lines, start, end, path) for start, end in zip(starts, ends, strict=True)]
    truncated = _looks_cut(text, lines, blocks)
    if truncated:
        problems.append(Problem(path, len(lines), "the file seems cut in the middle: the last paper block is incomplete"))

    source = f"legacy digest {basename(path)}"
    papers: list[Paper] = []
    seen: dict[str, int] = {}
    for k, block in enumerate(blocks):
        record = paper_record(block, source, truncated and k == len(blocks) - 1)
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


def _looks_cut(text: str, lines: list[str], blocks: list[Block]) -> bool:
    """Whether the file seems cut in the middle of its last paper block: every
    other block closes with the same section and the last one lacks it, or the
    file stops mid-line (no final newline) anywhere but in Links or on a rule."""

    def closing(block: Block) -> str | None:
        return max(block.sections, key=lambda name: block.sections[name].line) if block.sections else None

    last = blocks[-1]
    others = {closing(b) for b in blocks[:-1] if b.sections}
    if len(others) == 1 and next(iter(others)) not in last.sections:
        return True
    body = text.rstrip(" \t")
    last_line = next((ln for ln in reversed(lines) if not is_blank(ln)), "")
    if body and not body.endswith(("\n", "\r")) and not RULE.match(last_line):
        return closing(last) != "links"
    return False

