"""Generated pages kept from the previous build (``cache: true``): a build that reuses them must make exactly
the pages a build from nothing makes, and render only the pages whose content changed."""

from __future__ import annotations

import json
import re
import shutil
import sys
import types
from datetime import date
from pathlib import Path

import pytest

from arxiv_digest.config import DigestConfig
from arxiv_digest.hooks import Hooks
from arxiv_digest.pages.cache import fingerprint
from arxiv_digest.pages.site import Site
from arxiv_digest.pages.writer import write_pages
from arxiv_digest.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synth  # noqa: E402
from support import build_site, digest_options  # noqa: E402

DAYS, PAPERS = 12, 6


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """12 announcement days × 6 papers: enough for shared tags, related papers and neighbouring days."""
    root = tmp_path_factory.mktemp("synthetic") / "data"
    synth.synthesize(root, DAYS, PAPERS, seed=7)
    return root


@pytest.fixture
def data(synthetic, tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(synthetic, copy)
    return copy


def options(**values) -> DigestConfig:
    config = DigestConfig()
    config.load_dict({"fetch": "never", **values})
    failed, _ = config.validate()
    assert not failed, failed
    return config


def cold(data: Path, config: DigestConfig, hooks: Hooks | None = None) -> dict[str, str]:
    """Every page made from nothing (no cache folder at all)."""
    plan = Site(Store(data), config, hooks=hooks).plan()
    return {uri: make() for uri, (_, make) in plan.items()}


def cached(data: Path, cache: Path, config: DigestConfig, hooks: Hooks | None = None) -> tuple[dict[str, str], set[str]]:
    """A build that keeps what it can from the last one in ``cache``: the pages, and which were rendered."""
    site = Site(Store(data), config, hooks=hooks, cache_dir=cache)
    rendered: set[str] = set()

    def tracked(uri, make):
        return lambda: rendered.add(uri) or make()

    plan = {uri: (key, tracked(uri, make)) for uri, (key, make) in site.plan().items()}
    paths = write_pages(plan, cache / "pages", site.cache_file("pages.json"), fingerprint(config, True, [])).paths
    return {uri: path.read_text(encoding="utf-8") for uri, path in paths.items()}, rendered


def edit(path: Path, change) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def newest_day(data: Path) -> Path:
    return max((data / "days").glob("*.json"))


def test_an_unchanged_store_renders_only_the_archive_and_tag_index(data, tmp_path):
    config = options()
    first, rendered = cached(data, tmp_path / "cache", config)
    assert first == cold(data, config) and rendered == set(first)
    again, rendered = cached(data, tmp_path / "cache", config)
    assert again == first
    assert rendered == {"archive.md", "tags/index.md"}  # made from the whole archive: always made


@pytest.mark.parametrize("week", ["same week", "new week"])
def test_a_new_day_renders_its_pages_and_what_links_to_them(data, tmp_path, week):
    """A day of a new week also lengthens every tag's weekly trend figure."""
    config = options()
    dates = sorted(d.stem for d in (data / "days").glob("*.json"))
    newest_monday = max(d for d in dates if date.fromisoformat(d).weekday() == 0)
    held_dates = [dates[-1]] if week == "same week" else [d for d in dates if d >= newest_monday]
    for name in held_dates:
        shutil.move(data / "days" / f"{name}.json", tmp_path / f"{name}.json")
    yesterday, _ = cached(data, tmp_path / "cache", config)
    new = held_dates[0]
    shutil.move(tmp_path / f"{new}.json", data / "days" / f"{new}.json")
    today, rendered = cached(data, tmp_path / "cache", config)
    assert today == cold(data, config)
    new_ids = json.loads((data / "days" / f"{new}.json").read_text(encoding="utf-8"))["papers"]
    day_uri = f"digest/{new}.md"
    assert day_uri in rendered and day_uri not in yesterday
    assert {f"papers/{pid}.md" for pid in new_ids} <= rendered
    assert f"digest/{max(d for d in dates if d < new)}.md" in rendered  # its "next" link
    older_days = [u for u in today if u.startswith("digest/") and u < f"digest/{max(d for d in dates if d < new)}"]
    assert older_days and not rendered & set(older_days)
    # Nothing is rendered in vain: every page made again differs from yesterday's (new related papers, tags).
    assert not {uri for uri in rendered - {"archive.md", "tags/index.md"} if yesterday.get(uri) == today[uri]}


@pytest.mark.parametrize("change", ["analysis", "title", "tags", "removed day", "comment"])
def test_a_changed_store_gives_the_pages_of_a_build_from_nothing(data, tmp_path, change):
    config = options()
    cached(data, tmp_path / "cache", config)
    day = json.loads(newest_day(data).read_text(encoding="utf-8"))
    paper = data / "papers" / f"{day['papers'][0]}.json"
    if change == "analysis":
        edit(paper, lambda r: r["analysis"].update(tldr="一句新的总结。", body="## 新的分析\n\n全新的正文。"))
    elif change == "title":  # shown on related papers' pages and the tag pages too
        edit(paper, lambda r: r.update(title="An Entirely New Title"))
    elif change == "tags":
        edit(paper, lambda r: r.update(tags=["brand-new-tag", *r.get("tags", [])[1:]]))
    elif change == "removed day":
        newest_day(data).unlink()
    else:
        edit(paper, lambda r: r.update(comment="Accepted at a new venue"))
    pages, rendered = cached(data, tmp_path / "cache", config)
    expected = cold(data, config)
    assert pages == expected
    assert len(rendered) < len(expected)


def test_options_templates_and_hooks_are_part_of_every_key(data, tmp_path):
    cache = tmp_path / "cache"
    cached(data, cache, options())

    english = options(language="en")
    pages, rendered = cached(data, cache, english)
    assert pages == cold(data, english) and rendered == set(pages)

    templates = tmp_path / "templates"
    templates.mkdir()
    card = (Path(__file__).resolve().parents[1] / "plugin/arxiv_digest/templates/card.html").read_text("utf-8")
    (templates / "card.html").write_text(card.replace('class="ad-card__title"', 'class="ad-card__title site"'))
    custom = options(language="en", templates_dir=str(templates))
    pages, rendered = cached(data, cache, custom)
    assert pages == cold(data, custom) and "ad-card__title site" in pages["tags/index.md"] + "".join(pages.values())
    assert rendered == set(pages)

    # A site's card template may show what its card_context hook adds.
    (templates / "card.html").write_text(card.replace("</article>", "{{ extra.get('venue', '') }}</article>"))
    venues = types.ModuleType("venue_hooks")
    venues.arxiv_digest_card_context = lambda paper, context: {"venue": "CVPR" if paper["id"].endswith("2") else ""}
    pages, rendered = cached(data, cache, custom, Hooks({"venue_hooks": venues}))
    assert pages == cold(data, custom, Hooks({"venue_hooks": venues})) and "CVPR</article>" in "".join(pages.values())
    venues.arxiv_digest_card_context = lambda paper, context: {"venue": "ICCV" if paper["id"].endswith("2") else ""}
    pages, rendered = cached(data, cache, custom, Hooks({"venue_hooks": venues}))
    assert pages == cold(data, custom, Hooks({"venue_hooks": venues})) and "ICCV</article>" in "".join(pages.values())
    assert rendered < set(pages)

    module = types.ModuleType("site_hooks")
    module.arxiv_digest_paper_tags = lambda paper: ["from-hook"] if paper["id"].endswith("1") else []
    hooks = Hooks({"venue_hooks": venues, "site_hooks": module})
    pages, rendered = cached(data, cache, custom, hooks)
    assert pages == cold(data, custom, hooks) and any("from-hook" in text for text in pages.values())
    assert rendered < set(pages)  # papers without the hook's tag keep their pages


def test_a_damaged_key_file_or_page_is_made_again(data, tmp_path):
    config = options()
    cache = tmp_path / "cache"
    first, _ = cached(data, cache, config)
    (cache / "pages.json").write_text("{not json")
    pages, rendered = cached(data, cache, config)
    assert pages == first and rendered == set(first)

    victim = next(uri for uri in first if uri.startswith("papers/"))
    (cache / "pages" / victim).write_text("edited by hand", encoding="utf-8")
    (cache / "pages" / next(uri for uri in first if uri.startswith("digest/"))).unlink()
    pages, rendered = cached(data, cache, config)
    assert pages == first and victim in rendered


def test_mkdocs_builds_with_and_without_the_cache_make_the_same_site(site_with_store):
    """The plugin wiring: ``cache: true`` keeps the keys in cache_dir and a rebuild after a store change
    shows the change; the site equals one built with ``cache: false``, which writes no keys."""
    root = site_with_store()
    keys = root / ".cache" / "arxiv-digest" / "pages.json"
    assert build_site(root, digest_options()).returncode == 0
    kept = json.loads(keys.read_text(encoding="utf-8"))["pages"]
    assert any(uri.startswith("papers/") for uri in kept) and any(uri.startswith("digest/") for uri in kept)

    paper = next((root / "data" / "papers").glob("*.json"))
    edit(paper, lambda r: r.update(title="A Title Changed Between Builds"))
    assert build_site(root, digest_options()).returncode == 0
    assert "A Title Changed Between Builds" in (root / "site" / "papers" / paper.stem / "index.html").read_text("utf-8")

    shutil.rmtree(root / ".cache")
    run = build_site(root, digest_options(cache=False), extra={"site_dir": "site-uncached"})
    assert run.returncode == 0 and not keys.exists()
    built = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")  # the status page's build time
    pages = sorted(p.relative_to(root / "site") for p in (root / "site").rglob("*.html"))
    assert pages == sorted(p.relative_to(root / "site-uncached") for p in (root / "site-uncached").rglob("*.html"))
    for page in pages:
        texts = [built.sub("", (root / folder / page).read_text("utf-8")) for folder in ("site", "site-uncached")]
        assert texts[0] == texts[1], page
