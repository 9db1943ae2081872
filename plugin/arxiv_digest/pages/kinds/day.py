"""Day pages: one announcement day, its papers' cards first, its summary and each paper's entry once below.

A phone reads the cards first (title, authors, tags, TL;DR); the summary and the entries are collapsed, so the
page's height does not depend on how long the analyses are. Each paper's title is written twice (its card and its
entry): the summary and the table of contents name a paper by a short name linked to its card.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .base import Page, PageKind
from .. import markdown as md
from ..cache import hash_key

if TYPE_CHECKING:
    from ..site import Site

# A Markdown link (its text may hold escaped brackets); the summary's links to a paper's entry are "(#<id>)".
_LINK = re.compile(r"(\[(?:\\.|[^\]\\\n])*\]\([^)\s]*\))")


class Day(PageKind):
    def title(self, site: Site, day: dict[str, Any]) -> str:
        """The day's title, on its page and in the feed."""
        return f"{site.t['day_title']} · {day['date']}"

    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        for day in site.days:
            # The description names papers short too: a summary's first lines often name one in full.
            summary = day["summary_text"]
            for p in day["papers"]:
                summary = summary.replace(p["title"], short_title(p["title"]))
            meta = {"title": self.title(site, day), "description": md.shorten(summary, 200)}
            # Its papers, and its neighbours for the previous and next links.
            papers = (prints[p["id"]] for p in day["papers"])
            neighbours = (d and d["date"] for d in (day["prev"], day["next"]))
            key = partial(hash_key, self.name, site.views.digest(day["date"]), *papers, *neighbours)
            yield Page(day["page"], key, meta, {"day": day})

    def render(self, site: Site, page: Page) -> str:
        day = page.context["day"]
        papers = day["papers"]
        context = {**page.context,
                   "summary": summary_linking_cards(day["summary_md"], papers),
                   "toc_labels": {p["id"]: toc_label(i, p["title"]) for i, p in enumerate(papers, 1)},
                   # An analysis that names its own paper in full ("Analysis of <title>") names it short here.
                   "bodies": {p["id"]: p["body_md"] and Markup(str(p["body_md"]).replace(
                       str(md.inline(p["title"])), str(md.inline(short_title(p["title"])))))
                              for p in papers[:site.config.day_analyses]},
                   "day_tags": day_tags(papers)}
        return super().render(site, page._replace(context=context))


def short_title(title: str) -> str:
    """What names a paper where its card already shows the title: the name before a colon ("Dex4D"), else the
    first words."""
    head, colon, _ = title.partition(": ")
    if colon and 0 < len(head) <= 40:
        return head
    words = title.split()
    if len(words) > 1:
        return " ".join(words[:min(4, len(words) - 1)]) + "…"
    return title if len(title) <= 20 else title[:12] + "…"


def toc_label(number: int, title: str) -> str:
    """The paper's entry in the table of contents: number and short name, in the characters an attr_list value
    keeps as written."""
    return re.sub(r"[^\w\s.,:;!?()+\-–…/]", "", f"{number}. {short_title(title)}")


def summary_linking_cards(summary_md: str, papers: Sequence[dict[str, Any]]) -> Markup:
    """The day's summary with every mention of a paper of the day (a link to its entry, or its title written
    out, as imported summaries do) turned into its short name linked to its card."""
    parts = _LINK.split(str(summary_md))
    for number, p in enumerate(papers, 1):
        card = f"#card-{p['id']}"
        short = md.inline(short_title(p["title"]))
        titles = {p["title"], str(md.inline(p["title"]))}
        for i, part in enumerate(parts):
            if i % 2 and part.endswith(f"(#{p['id']})"):  # the offline summary's "[3. Title](#id)"
                parts[i] = f"[{number}. {short}]({card})"
            elif not i % 2:
                for title in titles:
                    part = part.replace(title, f"[{short}]({card})")
                parts[i] = part
    return Markup("".join(parts))


def day_tags(papers: Sequence[dict[str, Any]]) -> list[tuple[Any, int]]:
    """The topics of the day's papers with their counts, most papers first: the filter's chips. A paper's arXiv
    categories are left out (the day's line names them): a dozen chips would push the cards off a phone's screen."""
    topics = [tag for p in papers for tag in p["tags"] if tag.name not in p["categories"]]
    counts = Counter(tag.name for tag in topics)
    tags = {tag.name: tag for tag in topics}
    return [(tags[name], n) for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]



def footer_neighbours(site: Site, src_uri: str) -> dict[str, str]:
    """A day page's older and newer day as MkDocs' previous and next page (Material's footer links); {} for
    other pages."""
    if src_uri not in site.day_pages:
        return {}
    day = next(d for d in site.days if d["page"] == src_uri)
    return {attr: d["page"] for attr, d in (("previous_page", day["prev"]), ("next_page", day["next"])) if d}



DAY = Day("day", "digest/{date}.md", "day.md")
