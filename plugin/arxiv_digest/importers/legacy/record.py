"""The store record of a legacy paper block: metadata, code links and the imported analysis."""

from __future__ import annotations

import re

from ...analysis.checks import check as check_analysis
from ...arxiv.ids import CATEGORY_RE, arxiv_links
from ...model import Paper, Provenance, Status
from .blocks import Block, Start
from .lines import collapse, paragraphs, parse_datetime, plain, split_list, strip_rules


def read_block(lines: list[str], start: Start, end: int, path: str) -> Block:
    block = Block(lines, start, end, path, [])
    block.read_sections(block.read_heading(), end)
    return block


def paper_record(block: Block, source: str, truncated: bool) -> Paper | None:
    """The paper record of a block read by :func:`read_block`, or None when it has no id or title."""
    where = block.start.line
    if not block.title and block.text("title"):
        block.title = block.text("title")
    title = plain(block.title or "")
    ident = block.identify()
    if ident is None:
        block.problem(where, "paper block has no arXiv id (no anchor, arXiv title link, arXiv ID field or arXiv link); skipped")
        return None
    paper_id, version = ident
    links = arxiv_links(paper_id, version)  # no version given: the latest
    if not title:
        block.problem(where, f"paper block {paper_id} has no title; skipped")
        return None

    abstract_text = block.text("abstract")
    abstract = paragraphs(block.sections["abstract"].lines()) if abstract_text is not None else ""
    if not abstract:
        block.problem(where, f"paper {paper_id} has no abstract" + (" (empty Abstract field)" if abstract_text is not None else ""))

    authors = split_list(block.text("authors") or "", r"\s*[,;，；、]\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
    if not authors:
        block.problem(where, f"paper {paper_id} has no authors")
    categories, odd = [], []
    for token in split_list(re.sub(r"\([^)]*\)", " ", block.text("categories") or ""), r"[\s,;，；、]+"):
        (categories if CATEGORY_RE.match(token) else odd).append(token)
    if odd:
        block.problem(block.sections["categories"].line, f"not arXiv categories, ignored: {', '.join(odd)}")
    if not categories:
        block.problem(where, f"paper {paper_id} has no categories")

    published = None
    pub_text = block.text("published")
    if pub_text is None:
        block.problem(where, f"paper {paper_id} has no Published date")
    else:
        published = parse_datetime(pub_text)
        if published is None:
            block.problem(block.sections["published"].line, f"unreadable Published date {collapse(pub_text)!r}")
    updated = parse_datetime(block.text("updated") or "") or published

    # The analysis.
    sec = block.sections.get("analysis")
    body_lines = strip_rules(sec.lines()) if sec else []
    body = "\n".join(line.rstrip() for line in body_lines).strip("\n") or None
    cut_inside = truncated and sec is not None and all(s.line <= sec.line for s in block.sections.values())
    status, reason = Status.DONE, None
    if body is None:
        status = Status.PENDING
        reason = "no analysis in the legacy digest" if sec is None else "imported analysis is empty"
    else:
        verdict = check_analysis(body)
        if verdict is not None:
            status = Status.PENDING
            kind = {"request": "a refusal", "refusal": "a refusal", "placeholder": "a placeholder"}.get(verdict.kind)
            reason = f"imported analysis is {kind}: {verdict.reason}" if kind else f"imported analysis is unusable: {verdict.reason}"
            body = None
        elif cut_inside:
            status, reason = Status.PENDING, "imported analysis is incomplete: the digest file ends inside it"
    tldr = paragraphs(block.sections["tldr"].lines()) if "tldr" in block.sections else ""

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
        "comment": collapse(block.text("comment") or "") or None,
        "journal_ref": collapse(block.text("journal_ref") or "") or None,
        "doi": collapse(block.text("doi") or "") or None,
        "links": links,
        "code_links": block.code_links(abstract),
        "tags": [],
        "analysis": {
            "status": status,
            "provenance": Provenance.IMPORTED,
            "tldr": tldr or None,
            "key_findings": block.key_findings(),
            "body": body,
            "reason": reason,
            "source": source,
        },
    }

