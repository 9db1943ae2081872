"""A tag with more papers than ``tag_page_size`` continues on ``tags/<tag>/page/2/`` and on: the same cards in
the same order as on one page, linked newer ↔ older, the trend on the first page, only the first in search."""

from __future__ import annotations

import posixpath

from support import article, build_many, copy_store, digest_options, has_class, page, search_pages

SIZE = 3
TAG = "tags/3d-vision/"


def cards(site, url: str) -> list[str]:
    return [a.get("href").rstrip("/").split("/")[-1]
            for a in article(page(site, url)).xpath(f'.//a[{has_class("ad-card__title")}]')]


def test_a_big_tag_is_cut_into_pages_of_the_same_cards_linked_in_order(tmp_path, fixture_store):
    roots = {"one": tmp_path / "one", "paged": tmp_path / "paged"}
    for root in roots.values():
        copy_store(fixture_store, root)
    runs = build_many([(roots["one"], digest_options(), {}),
                       (roots["paged"], digest_options(tag_page_size=SIZE), {})])
    assert all(run.returncode == 0 for run in runs), [run.output for run in runs]
    one, paged = (root / "site" for root in roots.values())
    everything = cards(one, TAG)
    assert len(everything) > 2 * SIZE  # the fixture's 3D Vision tag: three pages at least
    count = -(-len(everything) // SIZE)
    urls = [TAG] + [f"{TAG}page/{n}/" for n in range(2, count + 1)]
    assert [pid for url in urls for pid in cards(paged, url)] == everything
    assert all(len(cards(paged, url)) == SIZE for url in urls[:-1])
    assert not (paged / TAG.strip("/") / "page" / str(count + 1)).exists()

    for n, url in enumerate(urls, 1):
        doc = page(paged, url)
        text = " ".join(article(doc).itertext())
        # Every page says how many papers the tag has; the later ones which page they are.
        assert f"{len(everything)} 篇论文" in text
        h1 = " ".join(article(doc).xpath(".//h1")[0].itertext())
        assert (f"第 {n} / {count} 页" in h1) == (n > 1), h1
        (nav,) = article(doc).xpath(f'.//nav[{has_class("ad-tagnav")}]')
        assert nav.get("aria-label") == "本标签的其他页" and f"第 {n} / {count} 页" in " ".join(nav.itertext())
        links = {a.get("rel"): a for a in nav.xpath(".//a")}
        expect = {**({"prev": urls[n - 2]} if n > 1 else {}), **({"next": urls[n]} if n < count else {})}
        assert set(links) == set(expect)
        for rel, target in expect.items():
            assert posixpath.normpath(url + links[rel].get("href")) + "/" == target, (url, rel, links[rel].get("href"))
        # The weekly trend is drawn once, on the first page.
        assert bool(article(doc).xpath(f'.//figure[{has_class("ad-trend")}]')) == (n == 1)

    # Search finds the tag by its first page only; a tag that fits one page has no page navigation.
    indexed = search_pages(paged)
    assert TAG in indexed and not [u for u in indexed if "/page/" in u]
    small = [p.name for p in (paged / "tags").iterdir() if (p / "index.html").is_file() and not (p / "page").exists()]
    assert small and not article(page(paged, f"tags/{small[0]}/")).xpath(f'.//nav[{has_class("ad-tagnav")}]')
