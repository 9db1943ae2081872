"""The ``arxiv-digest`` command line, run in a subprocess against the fake arXiv API."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from arxiv_digest.cli import parser
from fake_arxiv import FakeArxiv, load_entries, make_entry
from support import arxiv_requests, cli, closed_port_url, copy_store, digest_options, fixture_papers, newest_first, \
    run_cli, snapshot, write_site

UTC = timezone.utc


def stored_days(root) -> list[str]:
    days = root / "data" / "days"
    return sorted(p.stem for p in days.glob("*.json")) if days.is_dir() else []


def windows(fake) -> list[tuple[str, str]]:
    out = []
    for request in arxiv_requests(fake):
        m = re.search(r"submittedDate:\[(\d{12}) TO (\d{12})\]", request["params"]["search_query"])
        out.append(m.groups())
    return out


def test_fetch_of_a_weekend_date_says_so(fake_api, tmp_path):
    config = write_site(tmp_path, digest_options(fake_api.url))
    run = cli(config, "fetch", "--date", "2026-01-24", "--date", "2026-01-25")
    out = run.stdout + run.stderr
    for day in ("2026-01-24", "2026-01-25"):
        line = next((ln for ln in out.splitlines() if day in ln), "")
        assert "weekend" in line, out
    assert arxiv_requests(fake_api) == []
    assert stored_days(tmp_path) == []


def test_fetch_from_to_covers_three_weeks(tmp_path):
    # Saturday 2026-01-24 .. Sunday 2026-02-15: 23 days, 15 weekdays, so 15 announcements.
    # A paper submitted on Saturday 2026-01-24 belongs to Monday's cutoff: the 2026-01-27 digest.
    weekend = make_entry("2601.20000v1", title="Submitted on a Saturday", categories=("cs.RO",),
                         published=datetime(2026, 1, 24, 12, 0, tzinfo=UTC))
    with FakeArxiv(entries=[*load_entries(), weekend]) as fake:
        config = write_site(tmp_path, digest_options(fake.url))
        run = cli(config, "fetch", "--from", "2026-01-24", "--to", "2026-02-15")
        spans = windows(fake)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(spans) == 15
    # Oldest first, each window starting where the previous ended: Thu 01-22 19:00 UTC → Thu 02-12 19:00 UTC.
    assert spans[0][0] == "202601221900" and spans[-1][1] == "202602121900"
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    # Days without papers get no file; the fixture days and the weekend paper's day do.
    assert stored_days(tmp_path) == ["2026-01-26", "2026-01-27", "2026-02-06"]
    day = json.loads((tmp_path / "data" / "days" / "2026-01-27.json").read_text("utf-8"))
    assert day["papers"] == ["2601.20000"]
    for date in ("2026-01-26", "2026-02-06"):
        day = json.loads((tmp_path / "data" / "days" / f"{date}.json").read_text("utf-8"))
        assert day["papers"] == newest_first(fixture_papers()[date])


def test_fetch_failure_exits_non_zero_and_stores_nothing(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    api = closed_port_url()
    config = write_site(tmp_path, digest_options(api, arxiv={"retries": 0}))
    before = snapshot(tmp_path / "data")
    run = cli(config, "fetch", "--date", "2026-02-19")
    assert run.returncode != 0
    assert api in run.stdout + run.stderr and "2026-02-19" in run.stdout + run.stderr
    assert snapshot(tmp_path / "data") == before


def test_malformed_feed_is_reported_and_leaves_the_store_alone(fake_api, tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    fake_api.fail_always = ("malformed",)
    config = write_site(tmp_path, digest_options(fake_api.url, arxiv={"retries": 1}))
    before = snapshot(tmp_path / "data")
    run = cli(config, "fetch", "--date", "2026-02-19", "--date", "2026-02-18")
    out = run.stdout + run.stderr
    assert run.returncode != 0
    reported = [ln for ln in out.splitlines() if "malformed" in ln.lower()]
    assert any("2026-02-19" in ln for ln in reported) and any("2026-02-18" in ln for ln in reported), out
    assert len(arxiv_requests(fake_api)) == 4  # two days, each tried twice
    assert snapshot(tmp_path / "data") == before  # no 2026-02-19 file, 2026-02-18 untouched
    assert stored_days(tmp_path) == ["2026-01-26", "2026-02-06", "2026-02-18"]


def test_status_reports_days_and_papers(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    config = write_site(tmp_path, digest_options())
    run = cli(config, "status")
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert re.search(r"\bdays\b\D*\b3\b", out), out
    assert re.search(r"\bpapers\b\D*\b30\b", out), out
    assert "2026-02-18" in out and "2026-01-26" in out


def test_status_lists_every_stored_day(tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    config = write_site(tmp_path, digest_options())
    out = cli(config, "status").stdout
    for day in ("2026-01-26", "2026-02-06", "2026-02-18"):
        listed = [ln for ln in out.splitlines() if day in ln and re.search(r"\b10\b", ln)]
        assert listed, f"{day} not listed with its 10 papers:\n{out}"


def one_line_error(run) -> str:
    assert run.returncode != 0
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, run.stderr
    return lines[0]


@pytest.mark.parametrize("command", [["status"], ["fetch", "--date", "2026-02-18"]])
def test_missing_config_file_is_a_one_line_error(tmp_path, command):
    missing = tmp_path / "nowhere" / "mkdocs.yml"
    line = one_line_error(cli(missing, *command, cwd=tmp_path))
    assert "mkdocs.yml" in line


def test_site_without_the_plugin_is_a_one_line_error(tmp_path):
    config = write_site(tmp_path, None)
    line = one_line_error(cli(config, "status"))
    assert "arxiv-digest" in line and "plugin" in line


def test_invalid_option_is_a_one_line_error_naming_it(tmp_path):
    config = write_site(tmp_path, digest_options(timezone="Mars/Base"))
    line = one_line_error(cli(config, "status"))
    assert "timezone" in line and "Mars/Base" in line


def test_from_without_to_is_refused(tmp_path):
    config = write_site(tmp_path, digest_options())
    line = one_line_error(cli(config, "fetch", "--from", "2026-01-26"))
    assert "--to" in line


# ----------------------------------------------------------------------------- -f and --channel: before or after

SUBCOMMANDS = [["fetch", "--date", "2026-02-18"], ["analyze", "--force"], ["import", "old.md"], ["status", "--strict"]]
SITE_OPTIONS = [("-f", "config_file", "site/mkdocs.yml"), ("--config-file", "config_file", "site/mkdocs.yml"),
                ("--channel", "channel", "robotics")]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("option,dest,value", SITE_OPTIONS, ids=[o for o, _, _ in SITE_OPTIONS])
@pytest.mark.parametrize("command", SUBCOMMANDS, ids=[c[0] for c in SUBCOMMANDS])
def test_site_options_are_accepted_before_or_after_the_subcommand(command, option, dest, value, where):
    argv = [option, value, *command] if where == "before" else [*command, option, value]
    args = parser().parse_args(argv)
    assert args.command == command[0]
    defaults = {"config_file": "mkdocs.yml", "channel": None}  # the option not given keeps its default
    assert {name: getattr(args, name) for name in defaults} == {**defaults, dest: value}


@pytest.mark.parametrize("option,dest,first,second", [("-f", "config_file", "a.yml", "b.yml"),
                                                      ("--config-file", "config_file", "a.yml", "b.yml"),
                                                      ("--channel", "channel", "main", "robotics")])
def test_an_option_given_before_and_after_the_subcommand_takes_the_later_value(option, dest, first, second):
    assert getattr(parser().parse_args([option, first, "status", option, second]), dest) == second


def test_options_before_and_after_the_subcommand_combine():
    args = parser().parse_args(["-f", "site/mkdocs.yml", "-v", "fetch", "--channel", "robotics",
                                "--date", "2026-02-18"])
    assert (args.config_file, args.channel, args.verbose) == ("site/mkdocs.yml", "robotics", True)


def test_config_file_after_the_subcommand_runs_against_that_site(tmp_path, fixture_store):
    site = tmp_path / "site"
    copy_store(fixture_store, site)
    config = write_site(site, digest_options())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = run_cli("status", "-f", str(config), "--channel", "main", cwd=elsewhere)
    assert run.returncode == 0, run.stderr
    assert f"store: {site / 'data'}" in run.stdout
    # Given twice, the later -f is the one read: a missing file before the command is no error ...
    assert run_cli("-f", str(tmp_path / "missing.yml"), "status", "-f", str(config), cwd=elsewhere).returncode == 0
    # ... and a missing file after it is.
    line = one_line_error(run_cli("-f", str(config), "status", "-f", str(tmp_path / "missing.yml"), cwd=elsewhere))
    assert "missing.yml" in line
