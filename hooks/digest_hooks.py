"""MkDocs hooks of the example site.

Adds the date of the newest digest to every page's context so the footer
can show how fresh the site is (see overrides in theme if desired), and
stamps the build time in the site's metadata.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def on_config(config: Any) -> Any:
    config.extra["built_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return config


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    # Generated day pages get a footer line with the build time: readers see how fresh the site is.
    if page.file.src_uri.startswith("digest/"):
        markdown += f"\n\n<p class=\"ad-daymeta\">本页构建于 {config.extra['built_at']}</p>\n"
    return markdown
