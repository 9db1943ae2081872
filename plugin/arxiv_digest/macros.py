"""What hand-written pages see through mkdocs-macros: ``{{ digest }}`` (the first channel) and
``{{ digests.<name> }}`` (every channel by name): the latest day, cards, trending tags, counts, links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from .channels import channel_name
from .pages.site import Site
from .pages.urls import markdown_link

if TYPE_CHECKING:
    from .plugin import ArxivDigestPlugin


class DigestMacros:
    """What hand-written pages see as ``{{ digest }}`` through mkdocs-macros."""

    def __init__(self, plugin: ArxivDigestPlugin, macros: Any) -> None:
        self._plugin = plugin
        self._macros = macros

    def _site(self) -> Site:
        if self._plugin.site is None:
            raise PluginError("arxiv-digest: digest data is not loaded yet")
        return self._plugin.site

    def _from(self) -> str:
        page = getattr(self._macros, "page", None)
        return page.file.src_uri if page is not None else "index.md"

    @property
    def latest(self) -> dict | None:
        """The newest digest day (date, papers, page)."""
        days = self._site().days
        return days[0] if days else None

    @property
    def days(self) -> list[dict]:
        return self._site().days

    def cards(self, tag: str | None = None, limit: int | None = None, day: str | None = None) -> str:
        """Paper cards: the latest day's by default, or a tag's or a given day's."""
        return self._site().cards(self._from(), tag=tag, limit=limit, day=day)

    def trending(self, limit: int = 8, weeks: int = 4) -> str:
        """Chips of the topic tags gaining most papers in the last ``weeks`` weeks against the weeks before."""
        return self._site().trending_chips(self._from(), weeks=weeks, limit=limit)

    def trending_tags(self, limit: int = 8, weeks: int = 4) -> list[dict]:
        """The data behind :meth:`trending`: name, page, recent, before, change, new."""
        return self._site().trending(weeks=weeks, limit=limit)

    @property
    def counts(self) -> dict[str, int]:
        """Numbers for a home page: digest days, papers and tags."""
        site = self._site()
        return {"days": len(site.days), "papers": len(site.views.published()), "tags": len(site.tags)}

    def papers(self, tag: str | None = None, limit: int | None = None) -> list[dict]:
        """Paper views (title, tldr, page, tags...), newest first; a tag's papers with ``tag``."""
        site = self._site()
        chosen = site.tags[tag].papers if tag in site.tags else [] if tag else \
            sorted(site.views.published(), key=lambda p: p["published"], reverse=True)
        return chosen[:limit]

    def link(self, target: str) -> str:
        """Markdown link target from the current page to a generated page: ``[x]({{ digest.link(digest.latest.page) }})``."""
        return markdown_link(target, self._from())


def register_macros(config: MkDocsConfig, plugin: ArxivDigestPlugin) -> Any:
    """``digest``: the first channel; ``digests.<name>``: every channel by name."""
    macros = config.plugins.get("macros")
    if macros is None:
        return None

    def registered() -> dict[str, Any]:
        # Before the macros plugin's on_config its variables wait in _add_variables; serve keeps them across rebuilds.
        return {**(getattr(macros, "_add_variables", None) or {}), **(getattr(macros, "_variables", None) or {})}

    if "digests" not in registered():
        macros.register_variables({"digests": {}})
    digests = registered()["digests"]
    name = channel_name(plugin.config)
    digests.setdefault(name, DigestMacros(plugin, macros))
    if "digest" not in registered():
        macros.register_variables({"digest": digests[name]})
    return macros
