"""A backfill: ``arxiv-digest fetch --from … --to …`` through the fake arXiv (polite: the delay between requests,
retries; resumable: a rerun fetches only what is missing), then one batch through the fake batch API, then the
build. The fetch packs the older days (``pack_after_days: 2``): the batch reads them from their packs, and what
it writes goes loose until the next fetch packs it. The full-scale figures (60 days × 250 papers) come from
benchmarks/backfill.py; this is the small one."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from arxiv_digest.store import Store

from batch_support import BACKFILL_FROM, backfill_entries, days, kind, llm_done, papers, state
from fake_arxiv import FakeArxiv
from fake_batch import FakeBatchAPI
from llm_support import build, env, page_text
from support import arxiv_requests, cli, digest_options, write_site

DAYS, PER_DAY, FEATURED, DELAY, PACK_AFTER = 6, 12, 4, 0.3, 2


def test_backfill_then_one_batch_publishes_every_featured_paper(tmp_path):
    entries, dates = backfill_entries(BACKFILL_FROM, DAYS, PER_DAY)
    with FakeArxiv(entries=entries) as arxiv, FakeBatchAPI() as fake:
        options = digest_options(arxiv.url, max_papers=FEATURED, arxiv={"delay_seconds": DELAY, "retries": 2},
                                 llm={"base_url": fake.base_url, "model": "gpt-fake"}, pack_after_days=PACK_AFTER)
        config = write_site(tmp_path, options)
        arxiv.faults = [("status", 503)]  # the first request fails once: retried after a backoff
        run = cli(config, "fetch", "--from", dates[0], "--to", dates[-1])
        assert run.returncode == 0, run.stdout + run.stderr
        sent = arxiv_requests(arxiv)
        assert len(sent) == DAYS + 1
        gaps = [b["at"] - a["at"] for a, b in zip(sent, sent[1:])]
        assert min(gaps) >= DELAY * 0.95, gaps  # polite: never faster than delay_seconds, across days too
        stored = days(config)
        assert sorted(stored) == dates
        assert all(len(d["papers"]) == FEATURED and d["candidates"] == PER_DAY for d in stored.values())
        data = config.parent / "data"
        newest = date.fromisoformat(dates[-1])
        old = [d for d in dates if date.fromisoformat(d) < newest - timedelta(days=PACK_AFTER)]
        assert old and sorted(p.stem for p in (data / "packs").glob("*.zip")) == old
        assert not [p for p in (data / "papers").glob("*.json") if p.stem in {i for d in old for i in stored[d]["papers"]}]

        # Interrupted backfill: the days missing are fetched again, the others are not asked for.
        for day in dates[-2:]:
            (config.parent / "data" / "days" / f"{day}.json").unlink()
        arxiv.requests.clear()
        assert cli(config, "fetch", "--from", dates[0], "--to", dates[-1]).returncode == 0
        assert len(arxiv_requests(arxiv)) == 2 and sorted(days(config)) == dates

        # One batch for every featured paper (max_papers decides), then one for the summaries.
        assert cli(config, "analyze", "--batch").returncode == 0
        fake.advance("completed")
        assert cli(config, "analyze", "--batch").returncode == 0
        fake.advance("completed")
        run = cli(config, "analyze", "--batch")
        assert run.returncode == 0, run.stdout + run.stderr
        assert not [b for b in state(config)["batches"] if b["status"] != "closed"]

    featured = set(papers(config))
    assert len(featured) == DAYS * FEATURED
    # The listed papers' briefs ride along: PER_DAY - FEATURED a day fit one request (llm.brief_batch: 20).
    assert Counter(kind(c) for c in fake.submitted) == {"analysis": len(featured), "fields": len(featured),
                                                         "summary": DAYS, "brief": DAYS}
    assert set(fake.submitted.values()) == {1} and fake.chat_calls == 0
    assert llm_done(config) == featured
    assert all(d["summary"]["provenance"] == "llm" for d in days(config).values())
    store = Store(config.parent / "data")
    listed = [p for d in dates for p in store.listed(d)["papers"]]
    assert len(listed) == DAYS * (PER_DAY - FEATURED) and all(p["brief"]["status"] == "done" for p in listed)

    site = build(config, environ=env())
    assert site.returncode == 0, site.output
    for pid, paper in papers(config).items():
        assert paper["analysis"]["tldr"][:16] in page_text(config.parent / "site", f"papers/{pid}")

    # The answers went loose; the next fetch (nothing to fetch) packs them with their days, unchanged.
    loose = {p.stem for p in (config.parent / "data" / "papers").glob("*.json")}
    assert loose == set(featured)
    before = papers(config)
    run = cli(config, "fetch", "--from", dates[0], "--to", dates[-1])
    assert run.returncode == 0 and "days packed" in run.stdout + run.stderr, run.stdout + run.stderr
    assert papers(config) == before and llm_done(config) == featured
    assert len(list((config.parent / "data" / "papers").glob("*.json"))) == FEATURED * (DAYS - len(old))
