"""What an arXiv identifier and a category look like, and where a paper is on arXiv: one definition for the source,
the store, the importer and the pages."""

from __future__ import annotations

import re

# New-style (2601.16982) and old-style (hep-th/9901001, math.AG/0301001) identifiers, without version:
# fragments for the patterns that find ids inside text and URLs.
NEW_ID = r"\d{4}\.\d{4,5}"
OLD_ID = r"[a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID_RE = re.compile(rf"^(?:{NEW_ID}|{OLD_ID})$")
# An arXiv category such as cs.CV, math.AG or hep-th (categories become tags and URLs).
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?$")


def split_id(short_id: str) -> tuple[str, int]:
    """``2601.16982v2`` → (``2601.16982``, 2); raises ValueError for anything else."""
    match = re.match(r"^(.+?)(?:v(\d+))?$", short_id.strip())
    if not match or not ARXIV_ID_RE.match(match.group(1)):
        raise ValueError(f"not an arXiv identifier: {short_id[:80]!r}")
    return match.group(1), int(match.group(2) or 1)


def file_stem(paper_id: str) -> str:
    """File and URL name of a paper: old-style ids lose their slash."""
    if not ARXIV_ID_RE.match(paper_id):
        raise ValueError(f"not an arXiv identifier: {paper_id[:80]!r}")
    return paper_id.replace("/", "-")


def arxiv_links(paper_id: str, version: int | None = None) -> dict[str, str]:
    """A paper's abstract and PDF pages on arXiv, of ``version`` (none: the latest)."""
    suffix = f"v{version}" if version else ""
    return {"abs": f"https://arxiv.org/abs/{paper_id}{suffix}", "pdf": f"https://arxiv.org/pdf/{paper_id}{suffix}"}
