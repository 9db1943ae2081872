"""A backfill through a batch: ``fetch --from … --to …`` of DAYS announcement days × PAPERS papers from the fake
arXiv, then ``analyze --batch`` rounds against the fake Files + Batches API until nothing is pending, then
``mkdocs build``. Prints what issue 18 asks of it: every request submitted once, every good answer stored, no
request outside the batch, the build publishing them, and how long each stage took.

Usage (from the repository root)::

    python benchmarks/backfill.py                          # 60 days × 250 papers, 20 featured a day
    python benchmarks/backfill.py --max-papers 0 --no-build  # every paper analyzed (30,000 requests)
    python benchmarks/backfill.py --days 5 --papers 30     # quick

The command line runs in subprocesses (as a site owner runs it); the fakes run in this process, over HTTP.
``--bad`` makes that share of the answers fail the gate (reasoning only, a refusal, a cut-off answer, a 500
line), spread over the first batch: they are sent again and answered in the next.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from batch_support import BACKFILL_FROM, backfill_entries, days, kind, llm_done, papers, state  # noqa: E402
from fake_arxiv import FakeArxiv  # noqa: E402
from fake_batch import FakeBatchAPI  # noqa: E402
from llm_support import build, run_cli  # noqa: E402
from support import arxiv_requests, digest_options, write_site  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--papers", type=int, default=250, help="papers announced a day")
    parser.add_argument("--max-papers", type=int, default=20, help="papers analyzed a day (0 = all)")
    parser.add_argument("--bad", type=float, default=0.02, help="share of answers failing the gate in round 1")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="arxiv-digest-backfill-"))
    entries, dates = backfill_entries(BACKFILL_FROM, args.days, args.papers)
    rng = random.Random(18)
    seconds: dict[str, float] = {}
    with FakeArxiv(entries=entries) as arxiv, FakeBatchAPI() as fake:
        config = write_site(work, digest_options(arxiv.url, max_papers=args.max_papers,
                                                 llm={"base_url": fake.base_url, "model": "gpt-fake"}))
        started = time.monotonic()
        run = run_cli(config, "fetch", "--from", dates[0], "--to", dates[-1], timeout=3600)
        seconds["fetch"] = time.monotonic() - started
        assert run.returncode == 0, run.output
        bad = {"think", "refusal", "cut", "error"}
        fake.behaviour = lambda cid, body: rng.choice(sorted(bad)) if rng.random() < args.bad else "ok"
        rounds = 0
        while True:
            started = time.monotonic()
            run = run_cli(config, "analyze", "--batch", timeout=3600)
            seconds[f"analyze --batch #{rounds + 1}"] = time.monotonic() - started
            assert run.returncode == 0, run.output
            rounds += 1
            if not fake.advance("completed") or rounds > 6:
                break
            fake.behaviour = lambda cid, body: "ok"
        if not args.no_build:
            started = time.monotonic()
            site = build(config)
            seconds["mkdocs build"] = time.monotonic() - started
            assert site.returncode == 0, site.output

    stored = papers(config)
    done = llm_done(config)
    published = 0
    if not args.no_build:
        for pid in done:
            html = (work / "site" / "papers" / pid / "index.html").read_text(encoding="utf-8")
            published += stored[pid]["analysis"]["tldr"][:16] in html
    resent = Counter(fake.submitted.values())
    kinds = Counter(kind(c) for c in fake.submitted)
    print(f"backfill: {args.days} days × {args.papers} papers announced, max_papers {args.max_papers}")
    print(f"arXiv requests: {len(arxiv_requests(arxiv))}; days stored: {len(days(config))}; "
          f"papers stored: {len(stored)}")
    print(f"batches: {len(fake.order)}; requests submitted: {sum(fake.submitted.values())} "
          f"({dict(kinds)}); submitted once: {resent[1]}, twice: {resent[2]} (answers that failed the gate), "
          f"more: {sum(n for k, n in resent.items() if k > 2)}")
    print(f"requests outside the batch (/chat/completions): {fake.chat_calls}")
    data = work / "data"
    print(f"store: {len(list(data.glob('packs/*.zip')))} days packed by the fetch (pack_after_days: 30); "
          f"{len(list(data.glob('papers/*.json')))} paper files loose (the batch's answers, packed by the next fetch)")
    print(f"analyses stored: {len(done)} of {len(stored)}; day summaries by the LLM: "
          f"{sum(d['summary']['provenance'] == 'llm' for d in days(config).values())} of {len(days(config))}; "
          f"batches open: {sum(b['status'] != 'closed' for b in state(config)['batches'])}")
    if not args.no_build:
        print(f"paper pages showing their analysis: {published} of {len(done)}")
    print("; ".join(f"{stage}: {wall:.1f} s" for stage, wall in seconds.items()))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
