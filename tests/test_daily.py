"""Running it every day: workflow lint, partial days, freshness, status command and page, resumable backfill."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
from support import (FIXTURE_DATES, REPO, arxiv_requests, article, build_site, cli, copy_store, digest_options,
                     has_class, page, write_site)
from fake_arxiv import FakeArxiv, load_entries, make_entry

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def test_workflows_pass_actionlint():
    assert WORKFLOWS
    actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is installed by the test extras"
    run = subprocess.run([actionlint, *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    """The lint above can fail: a broken copy of the workflow is rejected."""
    broken = tmp_path / "broken.yml"
    text = WORKFLOWS[0].read_text(encoding="utf-8").replace("actions/deploy-pages@v4", "actions/deploy-pages@v4\n        with: {nope: 1}")
    broken.write_text(text, encoding="utf-8")
    run = subprocess.run([shutil.which("actionlint"), str(broken)], capture_output=True, text=True)
    assert run.returncode == 1 and "nope" in run.stdout


def test_workflow_has_what_a_daily_job_needs():
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    for needed in ("schedule:", "workflow_dispatch:", "concurrency:", "arxiv-digest fetch", "arxiv-digest analyze",
                   "secrets.OPENAI_API_KEY", "git diff --cached --quiet", "mkdocs build --strict",
                   "actions/upload-pages-artifact", "actions/deploy-pages", "--allow-empty",
                   "path: .cache/arxiv-digest"):
        assert needed in text, needed


def _entries_for(day: str) -> list:
    return [e for e in load_entries() if e.published.date().isoformat() <= day]


def test_a_much_smaller_day_is_held_back_until_the_answer_is_stable(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)  # three complete days of 10 papers: the usual size
    # The next announcement (digest 2026-02-19: window Feb 17 19:00 → Feb 18 19:00 UTC) has only 2 papers.
    small = [make_entry(id=f"2602.1700{i}v1", title=f"Small day paper {i}", categories=("cs.CV",),
                        published=datetime(2026, 2, 18, 10 + i, 0, tzinfo=timezone.utc)) for i in range(2)]
    with FakeArxiv(entries=load_entries() + small) as fake:
        config = write_site(tmp_path, digest_options(fake.url))
        first = cli(config, "fetch", "--from", "2026-02-19", "--to", "2026-02-19")
        assert "partial days" in first.stdout and "2026-02-19 (2 papers, usually 10)" in first.stdout
        day = json.loads((tmp_path / "data" / "days" / "2026-02-19.json").read_text(encoding="utf-8"))
        assert day["complete"] is False
        run = build_site(tmp_path, digest_options(fake.url))
        assert run.returncode == 0, run.output
        assert not (run.site / "digest" / "2026-02-19").exists()  # not published as a complete day

        # The next run asks again (it is not skipped as stored) and, the answer being the same, publishes it.
        before = len(arxiv_requests(fake))
        second = cli(config, "fetch", "--from", "2026-02-19", "--to", "2026-02-19")
        assert len(arxiv_requests(fake)) == before + 1 and "partial days" not in second.stdout
        run = build_site(tmp_path, digest_options(fake.url))
        assert run.returncode == 0, run.output
        assert len(article(page(run.site, "digest/2026-02-19/")).xpath(".//article[contains(@class,'ad-card')]")) == 2


def test_backfill_resumes_where_it_stopped(tmp_path):
    """A range fetch skips days already stored, so an interrupted backfill does not start over."""
    with FakeArxiv() as fake:
        config = write_site(tmp_path, digest_options(fake.url))
        fake.fail_always = ("status", 500)
        failed = cli(config, "fetch", "--from", "2026-02-06", "--to", "2026-02-06")
        assert failed.returncode == 1 and not (tmp_path / "data" / "days" / "2026-02-06.json").exists()
        fake.fail_always = None
        assert cli(config, "fetch", "--date", "2026-01-26").returncode == 0
        before = len(arxiv_requests(fake))
        run = cli(config, "fetch", "--from", "2026-01-26", "--to", "2026-02-06")
        assert run.returncode == 0, run.stderr
        # 2026-01-26 is stored: only the 9 other announcements of the range are asked for.
        assert len(arxiv_requests(fake)) - before == 9
        assert (tmp_path / "data" / "days" / "2026-02-06.json").exists()
        # Days with no papers (the fixtures hold three days) are not stored and are asked for again;
        # stored days are not.
        empty = run.stdout.split("no papers announced (not published, retried next run): ")[1].split("\n")[0]
        again = len(arxiv_requests(fake))
        assert cli(config, "fetch", "--from", "2026-01-26", "--to", "2026-02-06").returncode == 0
        assert len(arxiv_requests(fake)) - again == len(empty.split(", ")) == 8


def _mark_pending(data: Path, paper_id: str, reason: str) -> None:
    path = data / "papers" / f"{paper_id}.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["analysis"] = {"status": "pending", "provenance": "llm", "reason": reason}
    path.write_text(json.dumps(record), encoding="utf-8")


def test_status_command_and_page_report_pending_and_staleness(tmp_path, fixture_store):
    data = copy_store(fixture_store, tmp_path)
    _mark_pending(data, "2602.15828", "answer cut off at max_tokens")
    # until 2026-02-25: the newest digest 2026-02-18 is 5 announcement days behind (19, 20, 23, 24, 25).
    options = digest_options(until="2026-02-25", freshness_days=3)
    config = write_site(tmp_path, options, extra={"nav": ["index.md", "status.md"]})
    status = cli(config, "status")
    assert status.returncode == 0
    assert "pending 2602.15828: answer cut off at max_tokens" in status.stdout
    assert "5 announcement days behind" in status.stdout and "stale:" in status.stdout
    assert cli(config, "status", "--strict").returncode == 1

    run = build_site(tmp_path, options)
    assert run.returncode == 0, run.output  # fetch: never cannot fix staleness: reported at info level
    text = " ".join(article(page(run.site, "status/")).itertext())
    assert "2026-02-18" in text and "2026-02-25" in text
    assert "answer cut off at max_tokens" in text
    assert "5 announcement days behind" in text
    nav = page(run.site, "").xpath("//nav[contains(@class,'md-nav')]//a/@href")
    assert any("status" in href for href in nav)


STALE = "日报有一段时间没有更新了"


def test_readers_of_the_home_and_day_pages_are_told_when_the_digest_is_stale(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    run = build_site(tmp_path, digest_options(until="2026-02-25", freshness_days=3))
    assert run.returncode == 0, run.output
    for url in ("", "digest/2026-02-18/", "digest/2026-01-26/"):
        body = article(page(run.site, url))
        warning = body.xpath(f".//*[{has_class('admonition')}][p='{STALE}']")
        assert len(warning) == 1, url
        text = " ".join(warning[0].itertext())
        assert "最新一期是 2026-02-18" in text and "5 个公告日" in text and "2026-02-25" in text
        assert body.xpath("./h1/following-sibling::*[1]") == warning, "said right under the title"
    for url in ("papers/2602.15828/", "tags/", "archive/"):
        assert STALE not in " ".join(article(page(run.site, url)).itertext()), url
    status = article(page(run.site, "status/"))
    headings = [" ".join(h.itertext()).strip("¶ ") for h in status.xpath("./h2")]
    assert headings == ["给读者", "给站点维护者"]
    assert all(th.text for th in status.xpath(".//th")), "every column of the table has a header"

    # Within freshness_days of the newest announcement the pages say nothing.
    fresh = build_site(tmp_path, digest_options(until="2026-02-20", freshness_days=3))
    assert fresh.returncode == 0, fresh.output
    assert all(STALE not in " ".join(article(page(fresh.site, url)).itertext()) for url in ("", "digest/2026-02-18/"))


def test_a_fetching_build_warns_when_the_site_is_stale(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    with FakeArxiv(entries=[]) as fake:  # arXiv answers, but with nothing: the store cannot catch up
        options = digest_options(fake.url, fetch="auto", days=1, until="2026-02-25", freshness_days=3)
        run = build_site(tmp_path, options, strict=False)
    assert run.returncode == 0, run.output
    assert any("announcement days behind" in line for line in run.lines("WARNING")), run.output
