"""The paper page: a BibTeX entry in arXiv's style that BibTeX parsers read, links to arXiv's abstract, PDF and
HTML, the code and project pages of abstract and comment, the previous and next paper of its day."""

from __future__ import annotations

import codecs
import json
import shutil
import sys
from pathlib import Path

import latexcodec  # noqa: F401
import pytest
from lxml import html as lxml_html
from pybtex.database import parse_string

from arxiv_digest.arxiv import bibtex, links
from test_page_cache import cached, cold, options

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import synth  # noqa: E402

PAPER = {"id": "2602.15727", "version": 2, "title": "Spanning the Visual Analogy Space with a Weight Basis of LoRAs",
         "authors": ["Hila Manor", "Rinon Gal", "Haggai Maron"], "published": "2026-02-17T18:59:01Z",
         "primary_category": "cs.CV", "categories": ["cs.CV", "cs.LG"]}


def parse(entry: str):
    data = parse_string(entry, "bibtex")
    (key,) = data.entries
    return key, data.entries[key]


def test_entry_has_arxivs_key_and_fields():
    key, entry = parse(bibtex.entry(PAPER))
    assert key == "manor2026spanning" and entry.type == "misc"
    assert dict(entry.fields) == {"title": PAPER["title"], "year": "2026", "eprint": "2602.15727",
                                  "archivePrefix": "arXiv", "primaryClass": "cs.CV",
                                  "url": "https://arxiv.org/abs/2602.15727"}
    assert [str(p) for p in entry.persons["author"]] == ["Manor, Hila", "Gal, Rinon", "Maron, Haggai"]


@pytest.mark.parametrize("title, expected", [
    ("Q&A at 50% of #1 cost_ratio", r"Q\&A at 50\% of \#1 cost\_ratio"),
    ("Already escaped \\& kept, $\\alpha_{1}$-Net and \\emph{Any}View", "Already escaped \\& kept, $\\alpha_{1}$-Net "
                                                                       "and \\emph{Any}View"),
    ("Café Zoë: naïve {unbalanced", "Caf\\'e Zo\\\"e: na\\\"\\i ve unbalanced"),
    ("closing} first {then} 中文标题", "closing first {then} 中文标题"),
])
def test_titles_are_escaped_for_bibtex_and_parse(title, expected):
    paper = {**PAPER, "title": title, "authors": ["José Ñúñez", "Research and Development Team", "王小明"]}
    key, entry = parse(bibtex.entry(paper))
    assert entry.fields["title"] == expected
    assert key.startswith("nunez2026") and key.isascii()
    assert [str(p) for p in entry.persons["author"]] == ["\\~N\\'u\\~nez, Jos\\'e", "{Research and Development Team}",
                                                         "王小明"]
    if "\\" not in title and "{" not in title and "$" not in title:
        assert codecs.decode(entry.fields["title"], "ulatex") == title  # the LaTeX reads back as the title


def test_project_pages_are_pages_hosts_and_links_announced_as_pages():
    text = ("Project page: https://research.nvidia.com/labs/par/x. Code: https://github.com/a/b. Demo at "
            "https://a.github.io/p/ and data on our website https://example.org/data; models: https://hf.co/m")
    found = links.code_links(text)
    assert links.project_pages(found, text) == ["https://research.nvidia.com/labs/par/x", "https://a.github.io/p/",
                                                "https://example.org/data"]
    # "Code and data are in <lab page>": code, as the authors say.
    lab = "Code and data are in https://research.nvidia.com/labs/par/lorweb"
    assert links.code_links(lab) == ["https://research.nvidia.com/labs/par/lorweb"]
    assert links.project_pages(links.code_links(lab), lab) == []


# ----------------------------------------------------------------------------- built pages


def page(site: Path, paper_id: str):
    return lxml_html.fromstring((site / "papers" / paper_id / "index.html").read_text(encoding="utf-8"))


def test_every_paper_page_has_a_bibtex_entry_that_parses(built_site):
    pages = sorted((built_site.site / "papers").glob("*/index.html"))
    assert len(pages) >= 20
    store = built_site.root / "data" / "papers"
    for path in pages:
        pid = path.parent.name
        record = json.loads((store / f"{pid}.json").read_text(encoding="utf-8"))
        (code,) = lxml_html.fromstring(path.read_text(encoding="utf-8")).xpath("//pre[@class='ad-bibtex']/code")
        key, entry = parse(code.text_content())
        assert entry.fields["eprint"] == record["id"] and entry.fields["url"] == f"https://arxiv.org/abs/{pid}"
        assert key == bibtex.cite_key(record) and record["published"][:4] in key and key.isascii()
        assert len(entry.persons["author"]) == len(record["authors"])


def test_paper_page_links_abstract_pdf_html_code_and_project_page(built_site):
    store = built_site.root / "data" / "papers"
    kinds = set()
    for path in sorted(store.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        hrefs = {a.get("href"): a.text_content() for a in page(built_site.site, path.stem).xpath(
            "//p[@class='ad-links']/a")}
        pid = record["id"]
        assert hrefs[record["links"]["abs"]] == "arXiv" and hrefs[record["links"]["pdf"]] == "PDF"
        assert hrefs[record["links"]["abs"].replace("/abs/", "/html/")] == "HTML 全文"
        announced = links.code_links(record["abstract"], record.get("comment"))
        projects = links.project_pages(announced, record["abstract"], record.get("comment"))
        for url in announced:
            assert hrefs[url] == ("项目主页" if url in projects else "代码"), (pid, url)
            kinds.add(hrefs[url])
    assert kinds == {"项目主页", "代码"}  # the fixture papers announce both


def test_previous_and_next_paper_follow_the_day_order(built_site):
    days = sorted((built_site.root / "data" / "days").glob("*.json"))
    newest_day_of = {}
    for path in days:  # oldest first: the newest day wins
        for pid in json.loads(path.read_text(encoding="utf-8"))["papers"]:
            newest_day_of[pid] = json.loads(path.read_text(encoding="utf-8"))["papers"]
    for pid, order in newest_day_of.items():
        nav = page(built_site.site, pid).xpath("//nav[contains(@class,'ad-paper-nav')]//a")
        got = {a.get("rel"): a.get("href") for a in nav}
        i = order.index(pid)
        expected = {}
        if i:
            expected["prev"] = f"../{order[i - 1]}/"
        if i + 1 < len(order):
            expected["next"] = f"../{order[i + 1]}/"
        assert got == expected, pid


def test_a_new_order_of_the_day_renders_the_neighbours_again(tmp_path):
    data = tmp_path / "data"
    synth.synthesize(data, 3, 5, seed=3)
    config = options()
    cached(data, tmp_path / "cache", config)
    day_file = max((data / "days").glob("*.json"))
    day = json.loads(day_file.read_text(encoding="utf-8"))
    first, second, *rest = day["papers"]
    day["papers"] = [second, first, *rest]
    day_file.write_text(json.dumps(day), encoding="utf-8")
    pages, rendered = cached(data, tmp_path / "cache", config)
    assert pages == cold(data, config)
    # The swapped papers and the third (its previous paper changed) are made again; the last one is not.
    assert {f"papers/{pid}.md" for pid in (first, second, rest[0])} <= rendered
    assert f"papers/{rest[-1]}.md" not in rendered
