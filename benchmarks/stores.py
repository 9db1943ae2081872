"""Synthetic stores kept between benchmark runs (``benchmarks/synth.py``), one per size and seed."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def add_store_options(parser: argparse.ArgumentParser, work: str = "/tmp/arxiv-digest-pages") -> None:
    """``--days``, ``--papers``, ``--seed`` and ``--work``: which store, and where it is kept."""
    parser.add_argument("--days", type=int, default=260)
    parser.add_argument("--papers", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--listed", type=int, default=0, help="listed papers per day besides --papers")
    parser.add_argument("--work", type=Path, default=Path(work))


def synthetic_store(args: argparse.Namespace) -> Path:
    """The store of ``args`` under ``args.work``, synthesized (in a child process) the first time."""
    listed = getattr(args, "listed", 0)
    store_dir = args.work / (f"store-{args.days}x{args.papers}-{args.seed}" + (f"+{listed}" if listed else ""))
    if not (store_dir / "days").is_dir():
        subprocess.run([sys.executable, str(HERE / "synth.py"), "--days", str(args.days), "--papers",
                        str(args.papers), "--out", str(store_dir), "--seed", str(args.seed),
                        *(["--listed", str(listed)] if listed else [])], check=True)
    return store_dir
