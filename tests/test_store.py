"""The JSON store (arxiv_digest.store) and fetch idempotence."""

from __future__ import annotations

import json
import os
import time

import pytest

from arxiv_digest.arxiv.ids import file_stem, split_id
from arxiv_digest.store import Store, StoreLocked, write_atomic
from support import FIXTURE_DATES, cli, copy_store, digest_options, fetch_dates_args, fixture_papers, newest_first, \
    snapshot, write_site

# ----------------------------------------------------------------------------- identifiers


@pytest.mark.parametrize("short, expected", [
    ("2601.16982v2", ("2601.16982", 2)),
    ("2601.16982", ("2601.16982", 1)),
    ("0704.0001v1", ("0704.0001", 1)),
    ("hep-th/9901001v3", ("hep-th/9901001", 3)),
    ("math.AG/0601001", ("math.AG/0601001", 1)),
])
def test_split_id_separates_the_version_which_defaults_to_1(short, expected):
    assert split_id(short) == expected


@pytest.mark.parametrize("bad", ["", "v2", "2601.169", "26011.16982", "../../etc/passwd", "javascript:alert(1)", "2601.16982v",
                                 "2601.16982/../x"])
def test_split_id_rejects_non_identifiers(bad):
    with pytest.raises(ValueError):
        split_id(bad)


def test_file_stem_is_a_safe_file_name():
    assert file_stem("2601.16982") == "2601.16982"
    assert file_stem("hep-th/9901001") == "hep-th-9901001"
    for bad in ("../2601.16982", "2601.16982/..", "a/../../b"):
        with pytest.raises(ValueError):
            file_stem(bad)


# ----------------------------------------------------------------------------- files


def test_write_atomic_rewrites_only_on_change(tmp_path):
    path = tmp_path / "sub" / "f.json"
    assert write_atomic(path, "one\n") is True
    first = path.stat().st_mtime_ns
    time.sleep(0.01)
    assert write_atomic(path, "one\n") is False
    assert path.stat().st_mtime_ns == first
    assert write_atomic(path, "two ünïcode\n") is True
    assert path.read_text(encoding="utf-8") == "two ünïcode\n"
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.json"]  # no temporary left behind


def test_records_are_diff_friendly_utf8_json(tmp_path):
    store = Store(tmp_path)
    store.save_paper({"id": "2601.00001", "title": "深度学习 α", "authors": ["Zoë"], "abstract": "x"})
    text = (tmp_path / "papers" / "2601.00001.json").read_text(encoding="utf-8")
    assert "深度学习 α" in text and "Zoë" in text  # not \u-escaped
    record = json.loads(text)
    assert list(record) == sorted(record)
    assert text.endswith("\n") and "\n  " in text  # indented
    assert store.paper("2601.00001")["title"] == "深度学习 α"
    with pytest.raises(ValueError):
        store.save_day({"date": "2026-2-18", "papers": []})


def test_corrupt_file_is_quarantined_and_the_rest_still_reads(tmp_path):
    store = Store(tmp_path)
    for n in (1, 2, 3):
        store.save_paper({"id": f"2601.0000{n}", "title": f"Paper {n}"})
    broken = tmp_path / "papers" / "2601.00002.json"
    broken.write_text('{"id": "2601.00002", "title": ', encoding="utf-8")
    not_object = tmp_path / "papers" / "2601.00003.json"
    not_object.write_text("[1, 2]\n", encoding="utf-8")
    fresh = Store(tmp_path)
    assert fresh.paper("2601.00002") is None
    assert [p["id"] for p in fresh.papers()] == ["2601.00001"]
    assert not broken.exists() and not not_object.exists()
    moved = sorted((tmp_path / ".broken").iterdir())
    assert [p.name.split(".json")[0] for p in moved] == ["2601.00002", "2601.00003"]
    assert {p.read_text(encoding="utf-8") for p in moved} == {'{"id": "2601.00002", "title": ', "[1, 2]\n"}


def test_a_second_run_cannot_take_the_lock(tmp_path):
    first, second = Store(tmp_path), Store(tmp_path)
    with first.lock():
        with pytest.raises(StoreLocked, match=r"\.lock"):
            with second.lock(timeout=0.2):
                pass
    with second.lock(timeout=0.2):  # released
        pass


# ----------------------------------------------------------------------------- fetched store


def test_fixture_store_holds_the_three_days(fixture_store):
    store = Store(fixture_store.data)
    assert store.day_dates() == sorted(FIXTURE_DATES, reverse=True)
    for day in FIXTURE_DATES:
        assert store.day(day)["papers"] == newest_first(fixture_papers()[day])
    expected = {p.id for papers in fixture_papers().values() for p in papers}
    assert {p["id"] for p in store.papers()} == expected
    # One request per day: 10 papers fit the default page size.
    assert len(fixture_store.requests) == 3


def test_fetching_the_same_days_again_changes_no_file(fake_api, tmp_path, fixture_store):
    copy_store(fixture_store, tmp_path)
    config = write_site(tmp_path, digest_options(fake_api.url))
    before = snapshot(tmp_path / "data")
    time.sleep(0.02)
    run = cli(config, *fetch_dates_args())
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(fake_api.requests) == 3  # the days were really fetched again
    after = snapshot(tmp_path / "data")
    assert after.keys() == before.keys()
    changed = sorted(k for k in before if before[k] != after[k])
    assert changed == [], f"rewritten by an identical fetch: {changed}"


LLM_ANALYSIS = {
    "status": "done", "provenance": "llm", "model": "gpt-4o-mini", "prompt_hash": "abc123",
    "tldr": "一句话总结：网格模仿学习。", "key_findings": ["发现一", "发现二"],
    "body": "### 研究问题\n\n人形机器人如何从视频中学习地形交互？\n", "reason": None,
}


def test_refetch_keeps_an_llm_analysis_and_refreshes_metadata(fake_api, tmp_path, fixture_store):
    data = copy_store(fixture_store, tmp_path)
    target = next(p for p in fixture_papers()["2026-02-18"] if p.id == "2602.15733")
    path = data / "papers" / "2602.15733.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record.update(analysis=LLM_ANALYSIS, tags=["Robotics & Embodied AI", "cs.RO"], title="A stale title")
    path.write_text(json.dumps(record), encoding="utf-8")
    day_path = data / "days" / "2026-02-18.json"
    day = json.loads(day_path.read_text(encoding="utf-8"))
    day["summary"] = {"provenance": "llm", "markdown": "大模型撰写的执行摘要。", "papers": day["papers"]}
    day_path.write_text(json.dumps(day), encoding="utf-8")

    config = write_site(tmp_path, digest_options(fake_api.url))
    run = cli(config, "fetch", "--date", "2026-02-18")
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(fake_api.requests) == 1

    after = json.loads(path.read_text(encoding="utf-8"))
    assert after["analysis"] == LLM_ANALYSIS
    assert after["tags"] == ["Robotics & Embodied AI", "cs.RO"]
    assert after["title"] == target.title  # metadata comes from arXiv again
    assert after["authors"] == list(target.authors)
    day_after = json.loads(day_path.read_text(encoding="utf-8"))
    assert day_after["summary"]["markdown"] == "大模型撰写的执行摘要。"
    assert day_after["papers"] == newest_first(fixture_papers()["2026-02-18"])
    # The other papers of the day were untouched.
    for other in fixture_papers()["2026-02-18"]:
        if other.id != "2602.15733":
            assert (data / "papers" / f"{other.id}.json").read_bytes() == \
                   (fixture_store.data / "papers" / f"{other.id}.json").read_bytes()


def test_store_files_are_only_days_papers_and_private_files(fixture_store):
    names = {str(p.relative_to(fixture_store.data)) for p in fixture_store.data.rglob("*") if p.is_file()}
    public = {n for n in names if not n.startswith(".")}
    expected = {f"days/{d}.json" for d in FIXTURE_DATES} | \
               {f"papers/{p.id}.json" for papers in fixture_papers().values() for p in papers}
    assert public == expected
    assert names - public <= {".gitignore", ".lock"}
    ignored = (fixture_store.data / ".gitignore").read_text(encoding="utf-8").split()
    assert ".lock" in ignored and ".broken/" in ignored
    assert os.access(fixture_store.data / "days" / "2026-02-18.json", os.R_OK)
