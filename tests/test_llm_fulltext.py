"""Analysis from the full text, end to end: arXiv HTML served locally → trimmed excerpt in the prompt →
7-section analysis stored with its source → "full text" badge on the page; papers without full text
fall back to the abstract form."""

from __future__ import annotations

import json

import llm_support as S
from fake_openai import FakeOpenAI
from test_fulltext import Server, html_response, latexml_page

from arxiv_digest.arxiv.fulltext import estimate_tokens
from arxiv_digest import i18n

DAY = "2026-01-26"
TARGET = "2601.16982"  # its version in the fixture store is 1
BUDGET = 1500


def test_analysis_reads_the_trimmed_html_full_text_and_its_card_gets_a_badge(tmp_path):
    routes = {f"/html/{TARGET}v1": html_response(latexml_page())}
    with Server(routes) as pages, FakeOpenAI() as fake:
        config = S.make_site(tmp_path / "site", {"base_url": fake.base_url, "model": "fake", "full_text": True,
                                                  "full_text_max_tokens": BUDGET, "attempts": 1, "retries": 0},
                             keep_days=[DAY],
                             arxiv={"api_url": S.closed_port_url(), "delay_seconds": 0, "timeout": 5,
                                    "html_url": pages.url + "/html/{id}v{version}",
                                    "pdf_url": pages.url + "/pdf/{id}v{version}"})
        run = S.run_cli(config, "analyze")
        assert run.returncode == 0, run.output
        prompts = {S.task_of(body): S.user_text(body) for body in fake.requests if TARGET in S.user_text(body)}

    papers = S.stored_papers(tmp_path / "site" / "data")
    target = papers[TARGET]["analysis"]
    assert target["status"] == "done" and target["full_text"] == "html"
    for section in i18n.sections("zh", "full"):
        assert section in target["body"]
    # The prompt carried the paper's own text, trimmed: sections in, references out, within the budget.
    prompt = prompts["analysis"]
    excerpt = prompt.split("全文节选（已按章节裁剪）：", 1)[1]
    assert "Introduction" in excerpt and "Reference entry number" not in excerpt
    assert estimate_tokens(excerpt) <= BUDGET + 10
    # Other papers had neither HTML nor PDF (404): analyzed from the abstract, 5-section form.
    others = [p["analysis"] for pid, p in papers.items() if pid != TARGET]
    assert others and all(a["status"] == "done" and a["full_text"] is None for a in others)
    assert all(i18n.sections("zh", "abstract")[0] in a["body"] for a in others)
    requested = {path.split("/")[2] for path in pages.requests}
    assert f"{TARGET}v1" in requested and len(requested) == len(papers)  # each paper's HTML tried once

    build = S.build(config)
    assert build.returncode == 0, build.output
    day_html = S.page_text(tmp_path / "site" / "site", f"digest/{DAY}/")
    cards = day_html.split('<article class="ad-card')[1:]
    with_badge = [c for c in cards if "ad-badge--full" in c.split("</article>")[0]]
    assert len(with_badge) == 1 and f"papers/{TARGET}/" in with_badge[0]  # only the full-text paper's card
