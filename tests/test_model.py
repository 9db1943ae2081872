"""The typed model of the store: old store files keep loading, keep their bytes, and follow the rules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from arxiv_digest import pipeline
from arxiv_digest.model import (Analysis, Day, DaySource, Paper, Provenance, Status, Summary, is_final,
                                is_publishable)
from arxiv_digest.store import Store

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data"  # written by the first release, never rewritten since
PREVIOUS = Path(__file__).parent / "fixtures" / "store-1fdc198"  # see its README.md
STORES = [pytest.param(COMMITTED, id="committed-data"), pytest.param(PREVIOUS, id="release-1fdc198")]


def keys_of(record_type: type) -> set[str]:
    return set(record_type.__required_keys__ | record_type.__optional_keys__)


def check_paper(paper: Paper) -> None:
    assert set(paper) <= keys_of(Paper), f"{paper['id']}: keys the model does not know"
    for analysis in [paper["analysis"], *paper.get("previous_analyses", [])]:
        assert set(analysis) <= keys_of(Analysis), paper["id"]
        Status(analysis["status"]), Provenance(analysis["provenance"])  # known values
    assert is_publishable(paper["analysis"]) == (paper["analysis"]["status"] == "done")


def check_day(day: Day, store: Store) -> None:
    assert set(day) <= keys_of(Day), day["date"]
    assert set(day["summary"]) <= keys_of(Summary), day["date"]
    DaySource(day["source"]), Provenance(day["summary"]["provenance"])
    assert all(store.paper(pid) is not None for pid in day["papers"]), day["date"]


@pytest.mark.parametrize("root", STORES)
def test_every_paper_and_day_of_an_old_store_loads(root):
    store = Store(root)
    papers = list(store.papers())
    days = store.days()
    assert len(papers) == len(list((root / "papers").glob("*.json"))) > 0
    assert [d["date"] for d in days] == sorted((p.stem for p in (root / "days").glob("*.json")), reverse=True)
    for paper in papers:
        check_paper(paper)
    for day in days:
        check_day(day, store)


@pytest.mark.parametrize("root", STORES)
def test_saving_an_old_record_unchanged_keeps_its_bytes(root, tmp_path):
    store = Store(tmp_path)
    for paper in Store(root).papers():
        assert store.save_paper(paper)
    for day in Store(root).days():
        assert store.save_day(day)
    for kind in ("papers", "days"):
        for path in (root / kind).glob("*.json"):
            assert (tmp_path / kind / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_previous_release_s_records_mean_what_they_meant(tmp_path):
    shutil.copytree(PREVIOUS, tmp_path / "data")
    store = Store(tmp_path / "data")
    refused, imported_refusal = store.paper("2602.15733"), store.paper("2601.16690")
    reanalyzed, analyzed = store.paper("2601.16982"), store.paper("2602.15720")
    assert not is_publishable(refused["analysis"]) and refused["analysis"]["provenance"] == Provenance.LLM
    assert not is_publishable(imported_refusal["analysis"])
    assert is_final(analyzed["analysis"]) and analyzed["ranking"]["score"] >= 0
    assert is_final(reanalyzed["analysis"])
    assert [a["provenance"] for a in reanalyzed["previous_analyses"]] == [Provenance.IMPORTED]
    fetched, imported = store.day("2026-02-18"), store.day("2026-01-26")
    assert fetched["source"] == DaySource.ARXIV and imported["source"] == DaySource.IMPORTED
    assert set(fetched["relevance"]["scores"]) >= set(fetched["papers"])
    assert fetched["summary"]["basis"] == pipeline.summary_basis([store.paper(p) for p in fetched["papers"]])

    # The analyze stage redoes exactly the work that is not final.
    stale = SimpleNamespace(llm=SimpleNamespace(reanalyze="never"))
    todo = sorted(p["id"] for p in store.papers() if pipeline.needs_analysis(p, stale, force=False))
    assert todo == ["2601.16690", "2602.15733"]


# ----------------------------------------------------------------------------- the rules


@pytest.mark.parametrize("analysis, publishable, final", [
    ({"status": "done", "provenance": "llm"}, True, True),
    ({"status": "done", "provenance": "imported"}, True, True),
    ({"status": "done", "provenance": "offline"}, True, False),  # shown, but an LLM may replace it
    ({"status": "done"}, True, False),
    ({"status": "pending", "provenance": "llm", "reason": "refusal"}, False, False),
    ({"status": "pending", "provenance": "imported"}, False, False),
    ({}, False, False),
    (None, False, False),
])
def test_publishable_and_final(analysis, publishable, final):
    assert is_publishable(analysis) is publishable
    assert is_final(analysis) is final


def test_enums_are_the_strings_of_the_files():
    assert Status.DONE == "done" and Provenance.IMPORTED == "imported" and DaySource.ARXIV == "arxiv"
    assert Status("pending") is Status.PENDING
    record = {"status": Status.PENDING, "provenance": Provenance.LLM}
    assert json.dumps(record, sort_keys=True) == '{"provenance": "llm", "status": "pending"}'
    assert f"{Provenance.OFFLINE}" == str(Provenance.OFFLINE) == "offline"
