"""Whole categories (issue 18): the ``max_papers`` best of a day featured, every other announced paper listed
compactly on the day page with a brief, nothing dropped silently.

The three fixture days (10 papers each) are fetched once from the fake arXiv with ``max_papers: 4`` and a
negative keyword; briefs go through the real ``openai`` client to FakeOpenAI; pages are real ``mkdocs build
--strict`` output, read as HTML and as Pagefind's index.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

import llm_support as S
from arxiv_digest import pipeline
from arxiv_digest.analysis.llm import briefs
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY, display_name
from arxiv_digest.model import Brief, ListedPaper, Status
from fake_arxiv import FakeArxiv
from fake_openai import BRIEF_TLDR, FakeOpenAI, brief_answer, brief_ids
from support import FIXTURE_DATES, build_site, snapshot, cli, digest_options, fetch_dates_args, fixture_papers, page, \
    search_pages, write_site

MAX = 4
EXCLUDE = "survey"  # excludes one paper of 2026-02-18 (2602.14662)
OPTIONS = {"max_papers": MAX, "ranking": {"exclude": [EXCLUDE]}, "figures": False}
FAST = {"attempts": 1, "retries": 0, "timeout": 5, "concurrency": 4, "brief_batch": 3}
NUMBER_TLDR = "本文提出新方法，在基准上把精度提升了 97.3%。"  # 97.3 is in no abstract of the fixtures
REASONING_TLDR = "嗯，我先想想这篇论文讲什么。</think>本文提出一种新方法并验证了效果。"


@pytest.fixture(scope="module")
def fetched(tmp_path_factory) -> Path:
    """A site whose store holds the three fixture days fetched with two tiers (its data/ is copied by tests)."""
    root = tmp_path_factory.mktemp("tiers")
    with FakeArxiv() as fake:
        config = write_site(root, digest_options(fake.url, **OPTIONS))
        run = cli(config, *fetch_dates_args())
    assert run.returncode == 0, run.stdout + run.stderr
    return root


def copy_site(fetched: Path, root: Path, **options) -> Path:
    shutil.copytree(fetched / "data", root / "data")
    return write_site(root, digest_options(**{**OPTIONS, **options}))


def day_ids(site: Path, date: str) -> tuple[list[str], list[str], str]:
    """(featured ids, listed ids, text) of a built day page."""
    doc = page(site, f"digest/{date}/")
    # Featured papers link their own pages (however the day page lays them out); listed ones link arXiv only.
    featured = [m.group(1) for h in doc.xpath("//article//a/@href") if (m := re.search(r"papers/([^/]+)/$", h))]
    listed = doc.xpath("//section[contains(@class,'ad-listed')]/article/h3/@id")
    return list(dict.fromkeys(featured)), listed, doc.xpath("string(//article)")


@pytest.fixture(scope="module")
def built(fetched, tmp_path_factory) -> Path:
    """The fetched store built with no key: every listed paper with its offline TL;DR."""
    root = tmp_path_factory.mktemp("tiers-built")
    copy_site(fetched, root)
    run = build_site(root, write=False)
    assert run.returncode == 0, run.output
    return run.site


def test_every_announced_paper_is_on_its_day_page_featured_or_listed(built):
    feeds = fixture_papers()
    for date in FIXTURE_DATES:
        announced = [p.id for p in feeds[date]]
        excluded = [p.id for p in feeds[date] if EXCLUDE in f"{p.title} {p.abstract}".lower()]
        featured, listed, line = day_ids(built, date)
        assert len(featured) == MAX and not set(featured) & set(listed)
        assert sorted(featured + listed + excluded) == sorted(announced), date
        assert f"共公布 {len(announced)} 篇" in line and f"精选 {MAX} 篇" in line and f"列出 {len(listed)} 篇" in line
        assert (f"负面关键词排除 {len(excluded)} 篇" in line) == bool(excluded)
    assert any(EXCLUDE in f"{p.title} {p.abstract}".lower() for p in feeds["2026-02-18"])


def test_listed_entries_are_compact_filterable_and_offline_without_key(built):
    doc = page(built, "digest/2026-02-18/")
    entries = doc.xpath("//section[contains(@class,'ad-listed')]/article")
    assert entries
    for entry in entries:
        pid = entry.xpath("h3/@id")[0]
        assert entry.get("data-tags") is not None
        assert entry.xpath(f".//a[@href='https://arxiv.org/abs/{pid}']")
        assert entry.xpath(f".//a[@href='https://arxiv.org/pdf/{pid}']")
        assert entry.xpath("string(.//p[contains(@class,'ad-listed__tldr')])").strip()
        assert entry.xpath(".//span[contains(@class,'ad-badge--offline')]"), "no key: the offline TL;DR, marked"
    labels = {name: display_name(name, "zh") for name in DEFAULT_TAXONOMY}
    tagged = [e for e in entries if json.loads(e.get("data-tags"))]
    assert tagged
    for e in entries:  # the tag names as stored, as the filter chips key them; shown in the site's language
        names = json.loads(e.get("data-tags"))
        assert set(names) <= set(DEFAULT_TAXONOMY)
        assert e.xpath(".//span[@class='ad-chip']/text()") == [labels[n] for n in names]
    assert doc.xpath("//h2[@id='listed']")[0].text_content().startswith("本日其他论文")


def test_search_indexes_listed_entries_once_each_and_featured_papers_on_their_pages_only(built):
    indexed = search_pages(built)
    day = indexed["digest/2026-02-18/"]
    featured, listed, _ = day_ids(built, "2026-02-18")
    assert [a["id"] for a in day["anchors"] if a["element"] == "h3"] == listed
    feeds = {p.id: p for p in fixture_papers()["2026-02-18"]}
    for pid in listed:
        assert day["content"].count(feeds[pid].title[:40]) == 1
    for pid in featured:
        assert feeds[pid].title[:40] not in day["content"]
        assert f"papers/{pid}/" in indexed


def test_store_keeps_listed_papers_in_one_file_per_day(fetched):
    data = fetched / "data"
    for date in FIXTURE_DATES:
        day = json.loads((data / "days" / f"{date}.json").read_text(encoding="utf-8"))
        listed = json.loads((data / "listed" / f"{date}.json").read_text(encoding="utf-8"))
        assert len(day["papers"]) == MAX and day["listed"] == len(listed["papers"])
        assert day["candidates"] == MAX + day["listed"] + day.get("excluded", 0)
        assert all(not (data / "papers" / f"{p['id']}.json").exists() for p in listed["papers"])
        assert {"id", "title", "authors", "abstract", "categories"} <= set(listed["papers"][0])
        known = ListedPaper.__optional_keys__ | {"schema"}
        assert all(set(entry) <= known and set(entry.get("brief", {})) <= Brief.__optional_keys__
                   for entry in listed["papers"])
    assert len(list((data / "papers").glob("*.json"))) == MAX * len(FIXTURE_DATES)


def brief_faults(targets: dict[str, str]):
    """FakeOpenAI behaviour: brief requests answered with ``targets``' TL;DRs for those ids (default for the
    rest); every brief request is recorded."""
    seen: list[list[str]] = []

    def behaviour(body: dict):
        ids = brief_ids(body)
        if not ids:
            return None
        seen.append(ids)
        return brief_answer(body, targets)
    return behaviour, seen


def test_briefs_checked_per_paper_cached_and_published(fetched, tmp_path):
    config_file = copy_site(fetched, tmp_path)
    store_listed = json.loads((tmp_path / "data" / "listed" / "2026-02-18.json").read_text(encoding="utf-8"))
    ids = [p["id"] for p in store_listed["papers"]]
    bad_number, bad_reasoning = ids[0], ids[1]
    behaviour, seen = brief_faults({bad_number: NUMBER_TLDR, bad_reasoning: REASONING_TLDR})
    with FakeOpenAI(behaviour_for=behaviour) as fake:
        S.set_llm(config_file, base_url=fake.base_url, **FAST)
        config, store = S.load(config_file)
        report = pipeline.analyze(store, config, dates=["2026-02-18"])
        # Three per request (brief_batch), in flight at once (any order), every listed paper in one of them.
        assert sorted(len(chunk) for chunk in seen) == sorted([3] * (len(ids) // 3) + [len(ids) % 3] * bool(len(ids) % 3))
        assert sorted(i for chunk in seen for i in chunk) == sorted(ids)
        got = {p["id"]: p["brief"] for p in store.listed("2026-02-18")["papers"]}
        assert got[bad_number]["status"] == Status.PENDING and "numbers not in the paper" in got[bad_number]["reason"]
        assert got[bad_reasoning]["status"] == Status.PENDING and "reasoning" in got[bad_reasoning]["reason"]
        good = [pid for pid in ids if pid not in (bad_number, bad_reasoning)]
        assert all(got[pid]["status"] == Status.DONE and got[pid]["tldr"] == BRIEF_TLDR["zh"] for pid in good)
        assert report.briefs == len(good) and f"brief {bad_number}" in report.pending
        status = cli(config_file, "status").stdout
        assert f"listed, brief done (llm): {len(good)}" in status and f"pending brief {bad_number}: TL;DR has" in status

        # Stored briefs are never requested again; the pending ones are, and a good answer replaces them.
        seen.clear()
        behaviour_ok, _ = brief_faults({})
        fake.behaviour_for = lambda body: (seen.append(brief_ids(body)) or behaviour_ok(body)) if brief_ids(body) \
            else None
        pipeline.analyze(store, config, dates=["2026-02-18"])
        assert sorted(i for chunk in seen for i in chunk) == sorted([bad_number, bad_reasoning])
        seen.clear()
        pipeline.analyze(store, config, dates=["2026-02-18"])
        assert seen == []

    # Published (by a build without key): the LLM's TL;DRs, and nothing that failed the gate.
    write_site(tmp_path, digest_options(**OPTIONS))
    store_file = tmp_path / "data" / "listed" / "2026-02-18.json"
    record = json.loads(store_file.read_text(encoding="utf-8"))
    record["papers"][2]["brief"] = {"status": "pending", "provenance": "llm", "reason": "x"}
    record["papers"][3]["title"] = "<script>alert(1)</script> A & <b>B</b>"  # text, never markup
    record["papers"].append({"title": "an entry without id"})  # left out, named in a warning
    store_file.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    run = build_site(tmp_path, write=False, strict=False)
    assert run.returncode == 0, run.output
    assert [line for line in run.lines("WARNING") if "2026-02-18.json: listed paper" in line and str(len(ids)) in line]
    doc = page(run.site, "digest/2026-02-18/")
    entries = {e.xpath("h3/@id")[0]: e for e in doc.xpath("//section[contains(@class,'ad-listed')]/article")}
    assert set(entries) == set(ids)
    for pid, entry in entries.items():
        tldr = entry.xpath("string(.//p[contains(@class,'ad-listed__tldr')])")
        offline = bool(entry.xpath(".//span[contains(@class,'ad-badge--offline')]"))
        assert (BRIEF_TLDR["zh"] in tldr) == (not offline) == (pid != ids[2]), pid
    html = (run.site / "digest" / "2026-02-18" / "index.html").read_text(encoding="utf-8")
    assert "97.3" not in html and "我先想想" not in html
    assert "<script>alert" not in html and entries[ids[3]].xpath("string(h3)") == "<script>alert(1)</script> A & <b>B</b>"


def test_brief_check_keeps_good_items_when_one_item_breaks_the_normalised_text(fetched, tmp_path):
    config_file = copy_site(fetched, tmp_path, llm={"base_url": S.closed_port_url("/v1")})
    config, store = S.load(config_file)
    analyzer = pipeline.llm.Analyzer(config)
    entries = store.listed("2026-02-06")["papers"][:3]
    request = briefs.build(analyzer, entries)
    body = request.body(analyzer)
    assert body["response_format"]["type"] == "json_schema" and body["model"] == config.llm.model
    answer = brief_answer(body, {entries[1]["id"]: "好的。</think>本文提出新方法。"})
    got = briefs.check(request, answer, "stop", "zh", briefs.brief_hash(analyzer))
    assert [got[e["id"]]["status"] for e in entries] == [Status.DONE, Status.PENDING, Status.DONE]
    with pytest.raises(pipeline.llm.Invalid):
        briefs.check(request, answer, "length", "zh", "k")


def test_refetch_moves_papers_between_tiers_without_losing_work(fetched, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    config_file = copy_site(fetched, root)
    config, store = S.load(config_file)
    date = "2026-02-06"
    day = store.day(date)
    listed = store.listed(date)["papers"]
    moved_up = listed[0]["id"]
    # A brief stored for a listed paper, and an LLM analysis stored for a featured paper.
    store.save_listed({**store.listed(date), "papers": [{**listed[0], "brief": {
        "status": "done", "provenance": "llm", "tldr": "本文提出一种新方法。", "tags": []}}, *listed[1:]]})
    moved_down = day["papers"][0]
    paper = store.paper(moved_down)
    store.save_paper({**paper, "analysis": {**paper["analysis"], "provenance": "llm", "tldr": "一句大模型概括。",
                                            "body": "### 1. 摘要翻译\n\n内容。\n", "gate": 1}})
    # Refetch with an author weight that swaps them: moved_up becomes featured, moved_down listed.
    up = next(p for p in fixture_papers()[date] if p.id == moved_up)
    down = next(p for p in fixture_papers()[date] if p.id == moved_down)
    ranking = {"exclude": [EXCLUDE], "authors": [up.authors[0]], "keywords": {}}
    assert down.authors[0] != up.authors[0]
    with FakeArxiv() as fake:
        write_site(root, digest_options(fake.url, **{**OPTIONS, "max_papers": 1, "ranking": ranking}))
        run = cli(config_file, "fetch", "--date", date)
    assert run.returncode == 0, run.stdout + run.stderr
    config, store = S.load(config_file)
    assert store.day(date)["papers"] == [moved_up]
    assert store.paper(moved_up)["brief"]["tldr"] == "本文提出一种新方法。"
    kept = store.paper(moved_down)
    assert kept["analysis"]["tldr"] == "一句大模型概括。"  # its file and analysis stay
    entry = next(e for e in store.listed(date)["papers"] if e["id"] == moved_down)
    assert entry["brief"]["tldr"] == "一句大模型概括。"


def test_listing_off_publishes_the_featured_papers_only_and_counts_the_rest(fetched, tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    with FakeArxiv() as fake:
        config_file = write_site(root, digest_options(fake.url, **OPTIONS, listed=False))
        run = cli(config_file, "fetch", "--date", "2026-02-18")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (root / "data" / "listed").exists()
    run = build_site(root, digest_options(**OPTIONS, listed=False))
    assert run.returncode == 0, run.output
    featured, listed, line = day_ids(run.site, "2026-02-18")
    assert len(featured) == MAX and listed == []
    assert "共公布 10 篇" in line and "未列出 5 篇" in line and "负面关键词排除 1 篇" in line


def test_a_store_written_before_listing_builds_and_stays_unchanged(tmp_path):
    previous = Path(__file__).parent / "fixtures" / "store-1fdc198"  # written by release 1fdc198 (test_model.py)
    shutil.copytree(previous, tmp_path / "data")
    before = snapshot(tmp_path / "data")
    run = build_site(tmp_path, digest_options(max_papers=MAX))
    assert run.returncode == 0, run.output
    assert snapshot(tmp_path / "data") == before and not (tmp_path / "data" / "listed").exists()
    for date in ("2026-01-26", "2026-02-18"):
        doc = page(run.site, f"digest/{date}/")
        assert not doc.xpath("//section[contains(@class,'ad-listed')]") and not doc.xpath("//h2[@id='listed']")


def test_analyze_ids_of_a_listed_paper_briefs_that_paper_only(fetched, tmp_path):
    config_file = copy_site(fetched, tmp_path)
    behaviour, seen = brief_faults({})
    with FakeOpenAI(behaviour_for=behaviour) as fake:
        S.set_llm(config_file, base_url=fake.base_url, **FAST)
        config, store = S.load(config_file)
        pid = store.listed("2026-01-26")["papers"][1]["id"]
        report = pipeline.analyze(store, config, ids=[pid])
    assert seen == [[pid]] and report.briefs == 1
    briefed = [e["id"] for d in FIXTURE_DATES for e in store.listed(d)["papers"] if e.get("brief")]
    assert briefed == [pid]


def test_a_day_page_holds_day_analyses_analyses_and_links_the_rest(tmp_path):
    # A whole category's day (20 featured) stays light: past `day_analyses`, an entry links to its paper page.
    shutil.copytree(S.REPO / "data", tmp_path / "data")
    run = build_site(tmp_path, digest_options(fetch="never", day_analyses=2))
    assert run.returncode == 0, run.output
    doc = page(run.site, "digest/2026-02-18/")
    entries = doc.xpath("//section[contains(@class,'ad-entry')]")
    assert len(entries) == 10
    record = json.loads((tmp_path / "data" / "days" / "2026-02-18.json").read_text(encoding="utf-8"))
    for index, (entry, pid) in enumerate(zip(entries, record["papers"])):
        text = "".join(entry.itertext())
        body = json.loads((tmp_path / "data" / "papers" / f"{pid}.json").read_text(encoding="utf-8"))["analysis"]
        if body["status"] != "done":
            continue
        links = entry.xpath(".//a[text()='完整分析见论文页 →']/@href")
        if index < 2:
            assert "方法动机分析" in text and not links, pid  # the analysis itself, collapsed
        else:
            assert "方法动机分析" not in text and links == [f"../../papers/{pid}/"], pid
    assert "方法动机分析" in "".join(page(run.site, f"papers/{record['papers'][2]}/").itertext())


def test_briefs_go_in_the_batch_with_the_analyses(fetched, tmp_path):
    # analyze --batch: the listed papers' brief requests ride in the same batch, answered through the same gate.
    from fake_batch import FakeBatchAPI

    config_file = copy_site(fetched, tmp_path)
    listed = {d: [p["id"] for p in json.loads((tmp_path / "data" / "listed" / f"{d}.json").read_text("utf-8"))["papers"]]
              for d in FIXTURE_DATES}
    with FakeBatchAPI() as fake:
        S.set_llm(config_file, base_url=fake.base_url, model="gpt-fake", **FAST)
        run = S.run_cli(config_file, "analyze", "--batch")
        assert run.returncode == 0, run.stdout + run.stderr
        (batch_id,) = fake.order
        sent = [r for r in fake.requests_of(batch_id) if r["custom_id"].startswith("brief:")]
        briefed = sorted(i for r in sent for i in brief_ids(r["body"]))
        assert briefed == sorted(i for ids in listed.values() for i in ids)  # every listed paper, once
        fake.advance("completed")
        run = S.run_cli(config_file, "analyze", "--batch")
        assert run.returncode == 0, run.stdout + run.stderr
        assert fake.chat_calls == 0  # nothing outside the batch
    for date in FIXTURE_DATES:
        stored = json.loads((tmp_path / "data" / "listed" / f"{date}.json").read_text("utf-8"))["papers"]
        assert all(p["brief"]["status"] == Status.DONE and p["brief"]["tldr"] == BRIEF_TLDR["zh"] for p in stored)
