"""How well ``llm.concurrency`` overlaps LLM requests: 64 papers against FakeOpenAI.

Usage (from the repository root)::

    python benchmarks/llm_concurrency.py            # concurrency 1, 4, 8, 16 at 1 s per request
    python benchmarks/llm_concurrency.py --quick    # concurrency 8 at 0.2 s per request

The store is synthetic: the repository's fixture papers (data/papers) copied under new
ids until there are 64, all in one digest day, analyzed offline. Each run starts from a
fresh copy and calls ``pipeline.analyze`` in-process, exactly as ``arxiv-digest
analyze`` does, with the real ``openai`` client over HTTP to a fake server that answers
every request after ``latency`` seconds.

Each paper makes 2 requests one after the other (analysis, then fields) and the day
summary is 1 request after all papers, so ``requests = 2 × 64 + 1 = 129``.

Columns:
  ideal       ceil(requests / c) × latency: every worker busy all the time
  ratio       wall / ideal (1.00 = perfect overlap)
  ideal(64)   ceil(64 / c) × latency, the issue's definition (one request per paper)
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import llm_support as S  # noqa: E402
from fake_openai import FakeOpenAI  # noqa: E402

PAPERS = 64
DATE = "2026-03-02"


def synthesize_store(data: Path, count: int = PAPERS) -> list[str]:
    """``count`` papers (fixture papers under new ids, offline analyses) in one day of ``data``."""
    source = sorted(S.stored_papers().values(), key=lambda p: p["id"])
    day = S.stored_days()["2026-01-26"]
    (data / "papers").mkdir(parents=True)
    (data / "days").mkdir(parents=True)
    ids = []
    for n in range(count):
        paper = json.loads(json.dumps(source[n % len(source)]))
        pid = f"2603.{10000 + n:05d}"
        paper["id"] = pid
        paper["title"] = f"{paper['title']} (copy {n})"
        paper["links"] = {"abs": f"https://arxiv.org/abs/{pid}v1", "pdf": f"https://arxiv.org/pdf/{pid}v1"}
        paper.pop("previous_analyses", None)
        (data / "papers" / f"{pid}.json").write_text(json.dumps(paper, ensure_ascii=False, indent=2, sort_keys=True)
                                                     + "\n", encoding="utf-8")
        ids.append(pid)
    day = {**day, "date": DATE, "papers": ids, "candidates": count}
    (data / "days" / f"{DATE}.json").write_text(json.dumps(day, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                                encoding="utf-8")
    return ids


def run(template: Path, work: Path, concurrency: int, latency: float) -> dict:
    """One ``pipeline.analyze`` of a fresh copy of ``template`` at ``concurrency``."""
    from arxiv_digest import pipeline

    root = work / f"c{concurrency}"
    with FakeOpenAI(latency=latency) as fake:
        config_file = S.make_site(root, {"base_url": fake.base_url, "concurrency": concurrency, "attempts": 1,
                                         "retries": 0, "timeout": 60}, data=template)
        config, store = S.load(config_file)
        started = time.perf_counter()
        report = pipeline.analyze(store, config)
        wall = time.perf_counter() - started
        requests, max_in_flight = len(fake.requests), fake.max_in_flight
    assert report.analyzed == PAPERS and not report.pending, report.lines()
    return {"c": concurrency, "requests": requests, "wall": wall, "max_in_flight": max_in_flight,
            "ideal": math.ceil(requests / concurrency) * latency, "ideal64": math.ceil(PAPERS / concurrency) * latency}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only concurrency 8, 0.2 s per request")
    args = parser.parse_args(argv)
    levels, latency = ([8], 0.2) if args.quick else ([1, 4, 8, 16], 1.0)

    work = Path(tempfile.mkdtemp(prefix="arxiv-digest-bench-"))
    try:
        template = work / "template"
        synthesize_store(template)
        print(f"{PAPERS} papers in one day; FakeOpenAI latency {latency:g} s per request; "
              f"2 requests per paper + 1 day summary\n")
        header = (f"{'concurrency':>11}  {'requests':>8}  {'in flight':>9}  {'wall (s)':>8}  {'ideal (s)':>9}  "
                  f"{'ratio':>5}  {'ideal(64) (s)':>13}  {'wall/ideal(64)':>14}")
        print(header)
        print("-" * len(header))
        for c in levels:
            r = run(template, work, c, latency)
            print(f"{r['c']:>11}  {r['requests']:>8}  {r['max_in_flight']:>9}  {r['wall']:>8.2f}  {r['ideal']:>9.2f}  "
                  f"{r['wall'] / r['ideal']:>5.2f}  {r['ideal64']:>13.2f}  {r['wall'] / r['ideal64']:>14.2f}",
                  flush=True)
        print("\nideal = ceil(requests / c) × latency; ideal(64) = ceil(64 / c) × latency (one request per paper).")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
