"""`arxiv-digest import` end to end: the three legacy digests into an empty store, then built."""

from __future__ import annotations

import json
import re
from pathlib import Path

from support import FIXTURE_DATES, SHARED, article, build_site, cli, digest_options, page, snapshot, write_site

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
