"""Papers' first figures: found in arXiv's HTML rendering (LaTeXML), made a small WebP, stored once, shown
lazily on cards and paper pages; papers without one (no figure, no HTML, a broken image) are recorded as
checked and the build stays green."""

from __future__ import annotations

import io
import json

import pytest
from lxml import html as lxml_html
from PIL import Image

from arxiv_digest.arxiv.figure import MAX_BYTES, MAX_WIDTH, NoFigure, first_figure, to_webp
from fake_arxiv_html import Server, figure_page, html, image, page_without_figure, png_response
from support import arxiv_requests, build_site, cli, digest_options, fixture_papers, newest_first, write_site

DAY = "2026-02-18"
CAPTION = "Overview of the method: encoder & decoder for 3D-aware scenes."


# ----------------------------------------------------------------------------- finding and shrinking


def test_first_figure_resolves_its_image_in_the_page_folder_and_drops_the_figure_tag():
    page = figure_page("x1.png", CAPTION).encode()
    assert first_figure(page, "https://arxiv.org/html/2602.00001v2") == (
        "https://arxiv.org/html/2602.00001v2/x1.png", CAPTION)  # "Figure 1:" left out, "&" unescaped
    # <base href> wins, as in a browser; a table coming first is not the figure.
    based = figure_page("img/a.png", CAPTION, base="/html/2602.00001v2/").encode()
    url, _ = first_figure(based, "https://arxiv.org/html/2602.00001v2")
    assert url == "https://arxiv.org/html/2602.00001v2/img/a.png"


def test_a_page_without_figure_or_not_html_has_none():
    with pytest.raises(NoFigure):
        first_figure(page_without_figure().encode(), "https://arxiv.org/html/x")
    with pytest.raises(NoFigure):
        first_figure(b"%PDF-1.5 binary", "https://arxiv.org/html/x")


@pytest.mark.parametrize("size, fmt, mode", [((1600, 1200), "PNG", "RGB"), ((2400, 900), "JPEG", "RGB"),
                                              ((300, 200), "PNG", "RGBA")])
def test_webp_is_at_most_480_px_wide_and_40_kb_and_keeps_the_aspect_ratio(size, fmt, mode):
    webp, width, height = to_webp(image(*size, fmt=fmt, mode=mode))
    with Image.open(io.BytesIO(webp)) as got:
        assert got.format == "WEBP" and got.size == (width, height)
    assert width <= min(MAX_WIDTH, size[0])  # never wider than 480 px, never enlarged
    assert len(webp) <= MAX_BYTES
    assert abs(width / height - size[0] / size[1]) < 0.02


def test_pure_noise_is_made_smaller_until_it_fits():
    webp, width, _ = to_webp(image(MAX_WIDTH, MAX_WIDTH, noise=1.0))  # random pixels: no quality fits 40 KB
    assert len(webp) <= MAX_BYTES and width < MAX_WIDTH


def test_a_broken_image_is_no_figure():
    with pytest.raises(NoFigure):
        to_webp(b"\x89PNG\r\n\x1a\n not really")


# ----------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def figure_build(tmp_path_factory):
    """A build with fetch: auto against the fake API and fake HTML pages: paper 0 has a figure (PNG, page
    without <base>), paper 1 a JPEG figure behind <base href>, paper 2 a page without figure, paper 3 a 404,
    paper 4 a broken image, paper 5 a server error (tried again next run)."""
    from fake_arxiv import FakeArxiv

    papers = {p.id: p for p in fixture_papers()[DAY]}
    ids = newest_first(papers.values())
    page = "/html/{}v{}".format
    routes = {
        page(ids[0], papers[ids[0]].version): html(figure_page("x1.png", CAPTION)),
        page(ids[0], papers[ids[0]].version) + "/x1.png": png_response(image(1600, 1200)),
        page(ids[1], papers[ids[1]].version): html(figure_page("fig/teaser.jpg", "Teaser.",
                                                               base=f"/static/{ids[1]}/")),
        f"/static/{ids[1]}/fig/teaser.jpg": png_response(image(2400, 900, fmt="JPEG"), "image/jpeg"),
        page(ids[2], papers[ids[2]].version): html(page_without_figure()),
        page(ids[4], papers[ids[4]].version): html(figure_page("x1.png", "Broken.")),
        page(ids[4], papers[ids[4]].version) + "/x1.png": png_response(b"\x89PNG\r\n\x1a\n broken"),
        page(ids[5], papers[ids[5]].version): (503, "text/html", b"busy"),
    }
    root = tmp_path_factory.mktemp("figures")
    with FakeArxiv() as api, Server(routes) as pages:
        options = digest_options(api.url, fetch="auto", days=1, until=DAY,
                                 arxiv={"html_url": pages.url + "/html/{id}v{version}", "timeout": 5})
        first = build_site(root, options)
        requests_first = list(pages.requests)
        second = build_site(root, options)
        requests_second = pages.requests[len(requests_first):]
    return {"root": root, "ids": ids, "first": first, "second": second,
            "requests_first": requests_first, "requests_second": requests_second}


def stored(root, paper_id):
    return json.loads((root / "data" / "papers" / f"{paper_id}.json").read_text(encoding="utf-8"))


def test_the_figure_is_stored_as_a_small_webp_with_its_caption(figure_build):
    root, ids = figure_build["root"], figure_build["ids"]
    assert figure_build["first"].returncode == 0, figure_build["first"].output
    for pid in ids[:2]:
        figure = stored(root, pid)["figure"]
        path = root / "data" / figure["file"]
        assert figure["file"] == f"figures/{pid}.webp" and path.stat().st_size <= MAX_BYTES
        with Image.open(path) as got:
            assert got.format == "WEBP" and got.size == (figure["width"], figure["height"])
            assert got.width <= MAX_WIDTH
    assert stored(root, ids[0])["figure"]["caption"] == CAPTION
    assert stored(root, ids[1])["figure"]["caption"] == "Teaser."


def test_papers_without_figure_are_recorded_once_and_errors_retried(figure_build):
    root, ids = figure_build["root"], figure_build["ids"]
    for pid, why in ((ids[2], "no figure"), (ids[3], "404"), (ids[4], "unreadable image")):
        figure = stored(root, pid)["figure"]
        assert why in figure["missing"] and "file" not in figure and figure["checked"]
    assert "figure" not in stored(root, ids[5])  # a server error: asked again on the next run
    # The second build asks again only for what is not settled: the page that answered 503 (pages without a
    # route answered 404, which is settled).
    assert figure_build["second"].returncode == 0, figure_build["second"].output
    version = next(p.version for p in fixture_papers()[DAY] if p.id == ids[5])
    assert figure_build["requests_second"] == [f"/html/{ids[5]}v{version}"]


def test_cards_and_paper_pages_show_the_figure_lazily_with_its_caption_as_alt(figure_build):
    site, ids = figure_build["first"].site, figure_build["ids"]
    day = lxml_html.fromstring((site / "digest" / DAY / "index.html").read_text(encoding="utf-8"))
    cards = {a.get("href").rstrip("/").split("/")[-1]: card
             for card in day.xpath("//article[contains(@class,'ad-card')]")
             for a in card.xpath(".//a[contains(@class,'ad-card__title')]")}
    for pid in ids:
        imgs = cards[pid].xpath(".//figure[contains(@class,'ad-figure')]/img")
        if pid not in ids[:2]:
            assert imgs == [], pid  # the card is complete without one
            continue
        (img,) = imgs
        figure = stored(figure_build["root"], pid)["figure"]
        assert img.get("loading") == "lazy" and img.get("alt") == figure["caption"]
        assert (img.get("width"), img.get("height")) == (str(figure["width"]), str(figure["height"]))
        served = (site / "digest" / DAY / img.get("src")).resolve()
        assert served.read_bytes() == (figure_build["root"] / "data" / figure["file"]).read_bytes()
        paper = lxml_html.fromstring((site / "papers" / pid / "index.html").read_text(encoding="utf-8"))
        (on_page,) = paper.xpath("//article//figure[contains(@class,'ad-figure--page')]/img")
        assert on_page.get("alt") == figure["caption"] and on_page.get("loading") == "lazy"
        assert (site / "papers" / pid / on_page.get("src")).resolve() == served
    assert not list((figure_build["root"] / "docs").rglob("*.webp"))  # served from the store, not copied


def test_a_store_fetched_before_figures_gets_them_without_fetching_its_days_again(site_with_store, fake_api):
    root = site_with_store()
    day = json.loads((root / "data" / "days" / f"{DAY}.json").read_text(encoding="utf-8"))
    target = day["papers"][0]
    version = stored(root, target).get("version", 1)
    routes = {f"/html/{target}v{version}": html(figure_page("x1.png", CAPTION)),
              f"/html/{target}v{version}/x1.png": png_response(image(800, 600, noise=0.05))}
    with Server(routes) as pages:
        config = write_site(root, digest_options(fake_api.url, arxiv={"html_url": pages.url + "/html/{id}v{version}"}))
        run = cli(config, "fetch", "--from", DAY, "--to", DAY)
    assert run.returncode == 0, run.stdout + run.stderr
    assert arxiv_requests(fake_api) == []  # the stored day is whole: not fetched again
    assert stored(root, target)["figure"]["caption"] == CAPTION and "figures stored: 1" in run.stdout
    assert all("missing" in stored(root, pid)["figure"] for pid in day["papers"][1:])  # 404s: checked once


def test_a_record_naming_another_file_publishes_nothing(tmp_path):
    import sys
    from pathlib import Path

    from arxiv_digest.config import DigestConfig
    from arxiv_digest.pages.site import Site
    from arxiv_digest.store import Store

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import synth

    synth.synthesize(tmp_path / "data", 1, 3, seed=1)
    store = Store(tmp_path / "data")
    config = DigestConfig()
    config.load_dict({"fetch": "never"})
    assert config.validate() == ([], [])
    good, moved, outside = store.day(store.day_dates()[0])["papers"]
    for pid, file in ((good, None), (moved, "figures/../papers/x.webp"), (outside, "/etc/hostname")):
        webp, width, height = to_webp(image(200, 100, noise=0))
        saved = store.save_figure(pid, webp)
        store.save_paper({**store.paper(pid), "figure": {"file": file or saved, "caption": "c", "width": width,
                                                          "height": height}})
    files = Site(Store(tmp_path / "data"), config).views.figure_files()
    assert files == {f"papers/{good}.webp": store.figure_path(good)}
