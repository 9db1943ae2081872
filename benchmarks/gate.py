"""What re-checking every stored analysis at build time costs (``model.is_publishable``, which runs the gate's
build-time checks, ``analysis.checks.publish_problem``): once per paper of a synthetic store, as the page
views call it.

Usage (from the repository root)::

    python benchmarks/gate.py --days 260 --papers 10

Prints the fastest of ``--runs`` passes over every stored analysis (the minimum is what the code costs;
the other runs measure the machine's load), and the same for the plain status test it replaced.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from stores import add_store_options, synthetic_store

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_store_options(parser)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    store_dir = synthetic_store(args)
    sys.path.insert(0, str(HERE.parent / "plugin"))
    from arxiv_digest.model import Status, is_publishable

    analyses = [json.loads(p.read_text(encoding="utf-8")).get("analysis") or {}
                for p in sorted((store_dir / "papers").rglob("*.json"))]

    def fastest(check) -> float:
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for analysis in analyses:
                check(analysis)
            times.append(time.perf_counter() - start)
        return min(times)

    gate = fastest(is_publishable)
    status = fastest(lambda a: bool(a) and a.get("status") == Status.DONE)
    rejected = sum(not is_publishable(a) for a in analyses)
    print(f"store: {args.days} days x {args.papers} papers, {len(analyses)} analyses ({store_dir})")
    print(f"is_publishable (status + build-time gate): {gate * 1000:.1f} ms, "
          f"{gate / len(analyses) * 1e6:.2f} µs per analysis; rejected: {rejected}")
    print(f"status test alone (before the gate ran at build time): {status * 1000:.1f} ms")


if __name__ == "__main__":
    main()
