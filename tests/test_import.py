"""`arxiv-digest import` end to end: the three legacy digests into an empty store, then built."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from arxiv_digest.i18n import HAN_RE
from support import FIXTURE_DATES, REPO, SHARED, article, build_site, cli, digest_options, page, snapshot, write_site

DIGESTS = sorted((SHARED / "fixtures" / "digests").glob("*.md"))
# Found by reading the files: each is the model asking for the paper text.
REFUSALS = {"2601.16690", "2602.06034", "2602.14662"}


def anchors_in(path: Path) -> list[str]:
    return [m.group(1) for m in re.finditer(r"<a id='(\d{4}\.\d{4,5})v\d+'></a>", path.read_text(encoding="utf-8"))]


def test_import_builds_the_legacy_days_and_keeps_refusals_off_the_site(tmp_path):
    config = write_site(tmp_path, digest_options(fetch="never"))
    run = cli(config, "import", *map(str, DIGESTS))
    assert run.returncode == 0, run.stderr
    data = tmp_path / "data"
    papers = {p.stem: p for p in (data / "papers").glob("*.json")}
    assert len(papers) == 30

    records = {k: json.loads(v.read_text(encoding="utf-8")) for k, v in papers.items()}
    pending = {k for k, r in records.items() if r["analysis"]["status"] == "pending"}
    assert pending == REFUSALS
    assert all(r["analysis"]["provenance"] == "imported" for r in records.values())
    for digest, day in zip(DIGESTS, FIXTURE_DATES):
        stored = json.loads((data / "days" / f"{day}.json").read_text(encoding="utf-8"))
        assert stored["papers"] == anchors_in(digest), day

    # A second import changes nothing.
    before = snapshot(data)
    again = cli(config, "import", *map(str, DIGESTS))
    assert again.returncode == 0 and snapshot(data) == before

    run = build_site(tmp_path, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    site_text = "".join(p.read_text(encoding="utf-8") for p in run.site.rglob("*.html"))
    assert "请提供" not in site_text  # no refusal is published
    day = article(page(run.site, "digest/2026-01-26/"))
    assert len(day.xpath(".//section[starts-with(@id, '2601.')]")) == 10  # the papers' entries
    analysis = "".join(day.itertext())
    assert "方法动机分析" in analysis  # an imported 7-section analysis is shown


def test_import_reports_a_file_that_is_not_a_digest(tmp_path):
    config = write_site(tmp_path, digest_options(fetch="never"))
    bogus = tmp_path / "notes.md"
    bogus.write_text("# Shopping list\n\n- milk\n", encoding="utf-8")
    run = cli(config, "import", str(bogus), str(DIGESTS[0]))
    assert run.returncode == 1
    assert "notes.md" in run.stderr and "skipped" in run.stderr
    assert len(list((tmp_path / "data" / "papers").glob("*.json"))) == 10


def test_import_over_fetched_days_publishes_clean_chinese_analyses(tmp_path):
    # The example site's way: days fetched from arXiv (offline analyses), then the legacy digests imported.
    config = write_site(tmp_path, digest_options(fetch="never"))
    shutil.copytree(REPO / "tests" / "fixtures" / "store-offline", tmp_path / "data")
    fetched = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "data" / "papers").glob("*.json")}
    run = cli(config, "import", *map(str, DIGESTS))
    assert run.returncode == 0, run.stderr
    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "data" / "papers").glob("*.json")}
    done = {k: r["analysis"] for k, r in records.items() if r["analysis"]["status"] == "done"}
    assert set(records) - set(done) == REFUSALS
    for paper_id, analysis in done.items():
        body = analysis["body"]
        # No lead-in ("好的，我将……"), no banner restating the title, no echo of the prompt's input.
        assert body.startswith("### 1. "), (paper_id, body[:80])
        assert "论文方法分析" not in body and "**Title:**" not in body and "**Abstract:**" not in body, paper_id
        assert HAN_RE.search(analysis["tldr"]) and len(analysis["tldr"]) <= 160, (paper_id, analysis["tldr"])
        # arXiv's metadata stays over the legacy copy's (dates without a time of day).
        assert records[paper_id]["published"] == fetched[paper_id]["published"]
    for day in FIXTURE_DATES:
        summary = json.loads((tmp_path / "data" / "days" / f"{day}.json").read_text(encoding="utf-8"))["summary"]
        assert summary["provenance"] == "imported", day
        # No lead-in ("好的，这是一份……"), no banner ("**执行摘要：2026 年 1 月 23 日 …**"), labels as headings.
        assert not summary["markdown"].startswith("好的") and "执行摘要" not in summary["markdown"], day
        assert "\n### 建议阅读全文的论文\n" in summary["markdown"], day

    run = build_site(tmp_path, digest_options(fetch="never"))
    assert run.returncode == 0, run.output
    site_text = "".join(p.read_text(encoding="utf-8") for p in run.site.rglob("*.html"))
    assert "好的，" not in site_text and "我将以" not in site_text
    # 2602.15772 quotes its model's `<think>plan</think>` format: shown, not held back as reasoning.
    assert "理解驱动精炼" in "".join(article(page(run.site, "papers/2602.15772/")).itertext())
