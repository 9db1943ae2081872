"""What readers see of offline extractions, on the example site's store as it was before its legacy analyses
were imported (tests/fixtures/store-offline, written by an older analyzer): TL;DRs that stand alone, no raw LaTeX text commands, no TL;DR repeated as a key finding, the
offline notice once per page."""

from __future__ import annotations

import re
import shutil

import pytest
from lxml import html

from support import REPO, article, build_site, digest_options, has_class, norm

# Clauses that point at sentences a TL;DR's reader never sees (found in the abstracts of the example site).
OPENER_RE = re.compile(r"^(To (address|resolve|tackle|overcome|solve|this end)|Based on|Building (on|upon)|Inspired by|"
                       r"Motivated by|Finally|Moreover|Furthermore|However|Therefore|Thus|Falling in)\b")
TEXT_COMMAND_RE = re.compile(r"\\(textbf|textit|emph|texttt|textsc)\s*\{")
OFFLINE_STORE = REPO / "tests" / "fixtures" / "store-offline"
NOTICE = f".//*[{has_class('admonition-title')}][text()='离线抽取式分析']"


@pytest.fixture(scope="module", params=[OFFLINE_STORE, REPO / "data"], ids=["offline-store", "example-store"])
def any_store(request, tmp_path_factory):
    """The site built from the store before the legacy import, and from the example's store (imported
    analyses whose key findings come from the legacy digests, "\\textbf{AnyView}" among them)."""
    root = tmp_path_factory.mktemp("store")
    shutil.copytree(request.param, root / "data")
    run = build_site(root, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    return run.site


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    root = tmp_path_factory.mktemp("example-store")
    shutil.copytree(OFFLINE_STORE, root / "data")
    run = build_site(root, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    return run.site


def pages(site, folder: str) -> list:
    return [html.parse(str(path)).getroot() for path in sorted((site / folder).glob("*/index.html"))]


def test_the_stored_tldrs_were_written_by_the_older_analyzer():
    # What makes this file's tests mean something: the store still holds openers and LaTeX commands.
    stored = [path.read_text(encoding="utf-8") for path in (OFFLINE_STORE / "papers").glob("*.json")]
    assert any('"tldr": "To this end, ' in text for text in stored)
    assert any('"tldr": "In this work, we introduce \\\\textbf{AnyView}' in text for text in stored)


def test_every_tldr_of_the_example_stands_alone(example):
    tldrs = {norm(p.text_content()) for doc in pages(example, "digest")
             for p in doc.xpath(f".//*[{has_class('ad-card__tldr')}]")}
    assert len(tldrs) == 30
    assert [t for t in tldrs if OPENER_RE.match(t)] == []


def test_no_page_or_description_shows_a_latex_text_command(any_store):
    example = any_store
    found = []
    for path in example.rglob("*.html"):
        doc = html.parse(str(path)).getroot()
        for math in doc.xpath(f".//*[{has_class('arithmatex')}] | .//math"):
            math.drop_tree()  # TeX inside math is drawn (MathML, its TeX kept as annotation) or left to MathJax
        texts = [doc.text_content(), *doc.xpath(".//meta[@name='description']/@content")]
        found += [str(path.relative_to(example)) for text in texts if TEXT_COMMAND_RE.search(text)]
    assert found == []


def test_no_paper_page_repeats_its_tldr_as_a_key_finding(example):
    papers = pages(example, "papers")
    assert len(papers) == 30
    for doc in papers:
        body = article(doc)
        tldr = norm("".join(body.xpath(".//p[strong='TL;DR']//text()")).replace("TL;DR:", "", 1))
        findings = [norm(li.text_content()) for li in body.xpath(".//p[strong='关键发现']/following-sibling::ul[1]/li")]
        assert tldr and tldr not in findings


def test_the_offline_notice_is_said_once_per_page(example):
    for doc in pages(example, "digest") + pages(example, "papers"):
        assert len(doc.xpath(NOTICE)) == 1
