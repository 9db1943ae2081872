"""The kinds of generated pages, one module each (its folder, template, front matter, cache key, place in
the nav, search), and :data:`KINDS`, the list that the plan, the nav, the generated files and the reserved
folders of the options all read.

Adding a kind: a module here with a :class:`PageKind` subclass, its template, and its line in :data:`KINDS`
(or :func:`register` from a site's hooks module). The order of :data:`KINDS` is the order of the plan, in
which the plugin adds the pages, MkDocs reads them and the background writer renders them.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from .archive import ARCHIVE
from .base import Page, PageKind
from .day import DAY
from .paper import PAPER
from .status import STATUS
from .tag import TAG
from .tag_index import TAG_INDEX

if TYPE_CHECKING:
    from ..site import Site

__all__ = ["ARCHIVE", "DAY", "KINDS", "PAPER", "STATUS", "TAG", "TAG_INDEX", "Page", "PageKind", "folders",
           "nav_owner", "register"]

KINDS: list[PageKind] = [DAY, PAPER, TAG, TAG_INDEX, ARCHIVE, STATUS]


def register(kind: PageKind) -> None:
    """Add a kind after the others, or put it in place of the kind of the same name (a hooks module is
    loaded again on every ``mkdocs serve`` rebuild)."""
    names = [k.name for k in KINDS]
    if kind.name in names:
        KINDS[names.index(kind.name)] = kind
    else:
        KINDS.append(kind)


def folders() -> set[str]:
    """The top folders of the root channel's pages: a channel's prefix may not start with one."""
    return {kind.folder for kind in KINDS if kind.folder}


def nav_owner(site: Site, src_uri: str) -> str | None:
    """The index page in the nav that a page reached by links only belongs to, whose tab Material highlights on
    it: the archive for day and paper pages, the tag index for tag pages; None for other pages."""
    def under(kind: PageKind, **fields: str) -> bool:
        return src_uri.startswith(posixpath.dirname(kind.at(site.prefix, **fields)) + "/")

    if src_uri in site.day_pages or under(PAPER, stem="x"):
        return ARCHIVE.at(site.prefix)
    if under(TAG, slug="x") and src_uri != TAG_INDEX.at(site.prefix):
        return TAG_INDEX.at(site.prefix)
    return None
