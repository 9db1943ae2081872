"""MkDocs hooks of the example site.

- ``on_config`` / ``on_page_markdown``: stamp the build time under every digest page, so readers
  see how fresh the site is.
- ``arxiv_digest_candidates``: an arxiv-digest extension point. Papers with an author from the
  groups this site follows are pinned to the top of their day, before ``max_papers`` are taken.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

# Followed groups, by a member's name as arXiv lists it.
PINNED_AUTHORS = {"Ken Goldberg", "Ion Stoica", "Katerina Fragkiadaki", "Paul-Edouard Sarlin"}


def on_config(config: Any) -> Any:
    config.extra["built_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return config


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri.startswith("digest/"):
        markdown += f"\n\n<p class=\"ad-daymeta\">本页构建于 {config.extra['built_at']}</p>\n"
    return markdown


def arxiv_digest_candidates(papers: list[dict], date: str) -> list[dict]:
    """Pin papers from followed groups to the top, keeping the ranking order otherwise."""
    pinned = [p for p in papers if PINNED_AUTHORS & set(p.get("authors", []))]
    for paper in pinned:
        ranking = dict(paper.get("ranking") or {"score": 0, "reasons": []})
        ranking["reasons"] = [*ranking.get("reasons", []), "followed group"]
        paper["ranking"] = ranking
    return pinned + [p for p in papers if p not in pinned]
