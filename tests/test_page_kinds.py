"""Page kinds are units: the plan, the nav, the generated files and the reserved folders all read the list of
kinds (``arxiv_digest.pages.kinds.KINDS``), so a kind is one module plus one template. Here a site adds two
kinds from its hooks module, with templates of its own, and a real build publishes them."""

from __future__ import annotations

import json
import textwrap
from urllib.parse import urljoin

from arxiv_digest.config import DigestConfig
from arxiv_digest.pages.site import Site
from arxiv_digest.store import Store
from support import FIXTURE_DATES, article, build_site, copy_store, digest_options, has_class, page, search_pages

HOOKS = '''
from arxiv_digest.pages import kinds


class Colophon(kinds.PageKind):
    """An index page: one page, in the nav, left out of search."""

    def pages(self, site, prints):
        yield kinds.Page(self.at(site.prefix), None, {"title": "Colophon"}, {"days": site.days})


class Month(kinds.PageKind):
    """A page per month with digests, reachable by links only."""

    def pages(self, site, prints):
        for month in sorted({day["date"][:7] for day in site.days}):
            days = [day for day in site.days if day["date"].startswith(month)]
            yield kinds.Page(self.at(site.prefix, month=month), None, {"title": month}, {"days": days})


kinds.register(Colophon("colophon", "colophon.md", "colophon.md", index=True, search=False))
kinds.register(Month("month", "months/{month}.md", "month.md"))
'''

LIST_OF_DAYS = """\
# {{ page_title }}

{% for day in days %}
- [{{ day.date }}]({{ link(day.page) }}): {{ day.papers | length }} {{ t.papers_unit }}
{% endfor %}
"""


def day_links(site, url: str) -> list[str]:
    """Site-relative targets of the links to day pages in the content of the page at ``url``."""
    hrefs = article(page(site, url)).xpath(".//a/@href")
    targets = [urljoin(f"https://x/{url}", href)[len("https://x/"):] for href in hrefs]
    return [t for t in targets if t.startswith("digest/")]


def test_a_kind_added_by_a_site_is_built_from_its_template_with_its_nav_and_search_rules(site_with_store):
    root = site_with_store()
    (root / "hooks.py").write_text(textwrap.dedent(HOOKS), encoding="utf-8")
    (root / "overrides").mkdir()
    for template in ("colophon.md", "month.md"):
        (root / "overrides" / template).write_text(LIST_OF_DAYS, encoding="utf-8")
    run = build_site(root, digest_options(templates_dir="overrides"), extra={"hooks": ["hooks.py"]})
    assert run.returncode == 0, run.output

    newest_first = sorted(FIXTURE_DATES, reverse=True)
    assert day_links(run.site, "colophon/") == [f"digest/{d}/" for d in newest_first]
    months = sorted({d[:7] for d in FIXTURE_DATES})
    assert months == ["2026-01", "2026-02"]
    for month in months:
        assert day_links(run.site, f"months/{month}/") == [f"digest/{d}/" for d in newest_first if d.startswith(month)]

    # An index kind is in the nav beside the built-in index pages; a kind reachable by links is not.
    nav = page(run.site, "").xpath(f'//nav[{has_class("md-nav--primary")}]//a/@href')
    targets = {urljoin("https://x/", href)[len("https://x/"):] for href in nav}
    assert {"colophon/", "archive/", "tags/"} <= targets
    assert not [t for t in targets if t.startswith("months/")]
    # search: False keeps the colophon out of the search index, as the built-in archive and status pages.
    locations = set(search_pages(run.site))
    assert {"months/2026-01/", "months/2026-02/"} <= locations
    assert not {"colophon/", "archive/", "status/"} & locations


def test_the_plan_lists_the_pages_kind_by_kind_in_reading_order(tmp_path, fixture_store):
    """MkDocs reads the generated pages in the order of the plan, and the background writer renders them in
    that order: days newest first, then papers, tags, the tag index and the archive."""
    config = DigestConfig()
    config.load_dict({"fetch": "never"})
    assert config.validate()[0] == []
    plan = list(Site(Store(copy_store(fixture_store, tmp_path)), config).plan())
    folders = [uri.split("/")[0] if uri.count("/") and not uri.endswith("/index.md") else uri for uri in plan]
    runs = [folder for i, folder in enumerate(folders) if i == 0 or folders[i - 1] != folder]
    assert runs == ["digest", "papers", "tags", "tags/index.md", "archive.md"]
    assert [uri for uri in plan if uri.startswith("digest/")] == \
        [f"digest/{d}.md" for d in sorted(FIXTURE_DATES, reverse=True)]
