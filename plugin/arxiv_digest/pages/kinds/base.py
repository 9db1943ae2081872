"""What a kind of generated page is: where its pages go, its template, whether it is an index page (in the
nav) or reachable by links only, whether search indexes it; and which pages of the kind a site has."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from ..cache import Plan
from ..urls import in_channel

if TYPE_CHECKING:
    from ..site import Site


class Page(NamedTuple):
    """One page of a kind."""

    uri: str  # its src_uri
    # Pages with equal key() are equal (for the same options, templates and code); None: made on every build
    # (pages made from the whole archive, where a key would hash everything).
    key: Callable[[], str] | None
    meta: dict[str, Any]  # front matter
    context: dict[str, Any]  # what the template sees besides t, rel, link, card and page_title


@dataclass(frozen=True)
class PageKind:
    """A kind of generated page; a subclass says which pages of the kind a site has (:meth:`pages`)."""

    name: str  # what its cache keys start with; an index page's title is the label of this name
    uri: str  # where its pages go inside the channel's folder, with the {fields} of each page
    template: str
    index: bool = False  # an index page: in the site's nav; the other pages are reachable by links only
    search: bool = True  # False: search leaves its pages out

    @property
    def folder(self) -> str | None:
        """The top folder of its pages at the site's root (None for a page beside the home page)."""
        return self.uri.split("/")[0] if "/" in self.uri else None

    def at(self, prefix: str, **fields: str) -> str:
        """The src_uri of its page with ``fields`` in the channel of ``prefix``."""
        return in_channel(prefix, self.uri.format(**fields))

    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        """Its pages in the order they are planned; ``prints`` maps a paper id to the hash of what pages show
        of the paper (for keys)."""
        raise NotImplementedError

    def plan(self, site: Site, prints: dict[str, str]) -> Plan:
        return {page.uri: (page.key, partial(self.render, site, page)) for page in self.pages(site, prints)}

    def render(self, site: Site, page: Page) -> str:
        meta = page.meta if self.search else {**page.meta, "search": {"exclude": True}}
        return site.renderer.page(self.template, page.uri, meta, **page.context)
