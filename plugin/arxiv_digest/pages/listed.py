"""The listed papers of a day as its page shows them: compact entries (title, first authors, categories, tags,
a one-sentence TL;DR, arXiv links), made from the day's listed file only when its page is made."""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import get_plugin_logger

from . import markdown as md
from .. import i18n
from ..analysis.checks import publish_problem
from ..analysis.offline import tags_for, tldr as offline_tldr
from ..analysis.taxonomy import display_name
from ..arxiv.ids import arxiv_links
from ..config import DigestConfig
from ..model import Brief, ListedPaper, Status
from ..store import Store

log = get_plugin_logger(__name__)

AUTHORS_SHOWN = 3  # first authors on an entry; the rest are counted


def usable(brief: Brief | None) -> bool:
    """A brief that may be published: done, with a TL;DR, and passing the gate's build-time checks."""
    return bool(brief) and brief.get("status") == Status.DONE and bool(brief.get("tldr")) \
        and publish_problem({"tldr": brief.get("tldr"), "provenance": brief.get("provenance"),
                             "gate": brief.get("gate")}) is None


def entries(store: Store, config: DigestConfig, date: str) -> list[dict[str, Any]]:
    """The day's listed papers, in the published order, as ``listed.html`` sees them. An entry that is not a
    paper record (a hand edit, a damaged merge) is left out with a warning naming it; the others stand."""
    record = store.listed(date) or {}
    out = []
    for i, e in enumerate(record.get("papers") or []):
        try:
            out.append(entry(e, config))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            log.warning("%s: listed paper %d is not a paper record (%s: %s); left out of the day page",
                        store.listed_dir / f"{date}.json", i, type(error).__name__, error)
    return out


def entry(e: ListedPaper, config: DigestConfig) -> dict[str, Any]:
    """One listed paper: its brief when one passed the gate, else the offline extraction (marked offline)."""
    if not isinstance(e.get("id"), str):
        raise ValueError("no arXiv id")
    brief = e.get("brief")
    good = usable(brief)
    abstract = e.get("abstract") or ""
    if good:
        tldr = brief["tldr"]
        names = [t for t in brief.get("tags") or [] if t in config.taxonomy]
    else:
        tldr = offline_tldr(abstract)
        names = [t for t in tags_for(e, config.taxonomy, config.max_tags) if t in config.taxonomy]
    authors = [md.clean(a) for a in e.get("authors", [])]
    short = ", ".join(authors[:AUTHORS_SHOWN]) + (f" +{len(authors) - AUTHORS_SHOWN}"
                                                   if len(authors) > AUTHORS_SHOWN else "")
    return {
        "id": e["id"],
        "title": " ".join(md.clean(e.get("title")).split()),
        "title_lang": i18n.text_lang(e.get("title"), config.language),
        "authors_short": short,
        "categories": e.get("categories", []),
        "tags": [{"name": n, "label": display_name(n, config.language)} for n in names],
        # data-tags: the names as stored (a JSON list), as the day page's filter chips and cards key them
        "tag_names": list(dict.fromkeys(names)),
        "tldr": md.clean(tldr),
        "tldr_lang": i18n.text_lang(tldr, config.language),
        "offline": not good,
        "links": arxiv_links(e["id"]),  # the latest version: a listed paper has no analysis tied to one
    }
