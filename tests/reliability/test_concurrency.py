"""Concurrent runs on one ``data_dir``: the store's lock serialises them, nothing is lost.

Two scenarios, ``TRIALS`` trials each (default 5, ``RELIABILITY_TRIALS`` to change):

* **two analyzes**: ``arxiv-digest analyze`` twice at once (two ``mkdocs*.yml`` in one
  site, same ``data_dir``, each pointed at its own fake LLM so the requests of each
  process are counted apart);
* **build + analyze**: ``mkdocs build`` with ``fetch: auto`` (which fetches and analyzes
  the latest days) and ``arxiv-digest analyze`` at once.

The second process starts 0, 0.25, 0.5 ... s (analyzes) or 0, 0.8, 1.6 ... s (build) after
the first, so it meets the first at different phases (starting, holding the lock, done).

Each trial passes when: every process either finished (exit 0) or stopped with a
message naming the lock file; the requests of both together are exactly those of one
uninterrupted run (63: no paper analyzed twice, none forgotten); every data file parses
and nothing is quarantined; the final store equals an uninterrupted run's (timestamps
aside); the build published the analyzed day.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import llm_support as S
import reliability_support as R
from fake_arxiv import FakeArxiv
from fake_openai import FakeOpenAI

FIGURE = "Concurrent runs"
TRIALS = int(os.environ.get("RELIABILITY_TRIALS", "5"))
LATENCY = 0.05
LLM = {"attempts": 2, "retries": 1, "timeout": 10, "concurrency": 4}
REQUESTS = 63  # 30 papers x (analysis + fields) + 3 day summaries


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("concurrency-baseline")
    with FakeOpenAI(behaviour_for=S.Faults(), latency=LATENCY) as llm:
        config = S.make_site(root, {"base_url": llm.base_url, **LLM})
        proc = S.run_cli(config, "analyze")
        assert proc.returncode == 0 and len(llm.requests) == REQUESTS, proc.output
    return R.store_state(root / "data")


def second_config(config: Path, name: str, llm_url: str, **plugin: object) -> Path:
    """Another mkdocs.yml next to ``config`` (same docs and data_dir), its own LLM endpoint."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    options = next(p["arxiv-digest"] for p in data["plugins"] if isinstance(p, dict) and "arxiv-digest" in p)
    options["llm"] = {**options.get("llm", {}), "base_url": llm_url}
    options.update(plugin)
    data["site_dir"] = f"site-{name}"
    path = config.parent / f"mkdocs-{name}.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Trial:
    scenario: str
    number: int
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overlap: bool = False

    @property
    def offset(self) -> float:
        step = 0.25 if self.scenario == "two-analyzes" else 0.8
        return round(self.number * step, 2)


LOCK_WORDS = (".lock", "lock file", "in use by another")


def judge(name: str, proc: subprocess.Popen, trial: Trial) -> bool:
    """True when the process finished; a stop must name the lock."""
    out = R.output_of(proc)
    if proc.returncode == 0:
        return True
    if any(w in out for w in LOCK_WORDS):
        trial.notes.append(f"{name} stopped with a lock message")
        return False
    trial.problems.append(f"{name} exited {proc.returncode} without naming the lock:\n{out[-1500:]}")
    return False


def run_trial(trial: Trial, base: Path, baseline: dict) -> Trial:
    root = base / f"{trial.scenario}-{trial.number}"
    with FakeArxiv() as arxiv, FakeOpenAI(behaviour_for=S.Faults(), latency=LATENCY) as llm_a, \
            FakeOpenAI(behaviour_for=S.Faults(), latency=LATENCY) as llm_b:
        config = S.make_site(root, {"base_url": llm_a.base_url, **LLM})
        other = second_config(config, "b", llm_b.base_url)
        if trial.scenario == "two-analyzes":
            commands = [("analyze A", [*R.cli_command(), "-f", str(config), "analyze"]),
                        ("analyze B", [*R.cli_command(), "-f", str(other), "analyze"])]
        else:
            build_config = second_config(config, "build", llm_a.base_url, fetch="auto", days=3, until="2026-02-18",
                                         arxiv={"api_url": arxiv.url, "delay_seconds": 0, "retries": 1,
                                                "timeout": 5})
            other = second_config(config, "b", llm_b.base_url)
            commands = [("mkdocs build", [sys.executable, "-m", "mkdocs", "build", "-f", str(build_config)]),
                        ("analyze", [*R.cli_command(), "-f", str(other), "analyze"])]
        spans = []
        procs = [(commands[0][0], R.popen(commands[0][1], cwd=root), time.monotonic())]
        time.sleep(trial.offset)  # the second process arrives at a different phase of the first each trial
        procs.append((commands[1][0], R.popen(commands[1][1], cwd=root), time.monotonic()))
        for name, proc, started in procs:
            try:
                proc.wait(timeout=180)
            except subprocess.TimeoutExpired:
                R.kill9(proc)
                trial.problems.append(f"{name} hung")
            spans.append((started, time.monotonic()))
        finished = [judge(name, proc, trial) for name, proc, _ in procs]
        counts = (len(llm_a.requests), len(llm_b.requests))
    trial.overlap = spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1]
    total = sum(counts)
    if total != REQUESTS:
        trial.problems.append(f"LLM requests: {counts} = {total}, an uninterrupted run makes {REQUESTS} "
                              f"({'work done twice' if total > REQUESTS else 'work lost'})")
    trial.notes.append(f"second started +{trial.offset}s, requests per process {counts}")
    data = root / "data"
    trial.problems += R.store_problems(data)
    trial.problems += R.diff_states(R.store_state(data), baseline)
    if trial.scenario == "build-and-analyze" and finished[0]:
        page = root / "site-build" / "digest" / "2026-02-18" / "index.html"
        if not page.is_file():
            trial.problems.append("the build did not publish digest/2026-02-18/")
    return trial


@pytest.fixture(scope="module")
def trials(baseline, tmp_path_factory) -> dict[tuple[str, int], Trial]:
    base = tmp_path_factory.mktemp("concurrency")
    plan = [Trial(s, n) for s in ("two-analyzes", "build-and-analyze") for n in range(TRIALS)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda t: run_trial(t, base, baseline), plan))
    print(f"\nconcurrency: {len(done)} trials in {time.monotonic() - started:.1f}s; "
          + "; ".join(f"{t.scenario}#{t.number}: {', '.join(t.notes)}" for t in done))
    return {(t.scenario, t.number): t for t in done}


@pytest.mark.figure(FIGURE, unit="trials")
@pytest.mark.parametrize("scenario", ["two-analyzes", "build-and-analyze"])
@pytest.mark.parametrize("number", range(TRIALS))
def test_two_runs_at_once_are_serialised_and_lose_or_repeat_nothing(trials, scenario, number):
    trial = trials[(scenario, number)]
    assert trial.overlap, "the two processes did not run at the same time"
    assert not trial.problems, "\n".join(trial.problems)


@pytest.mark.figure("Concurrent runs: a waiting run says so", unit="checks")
def test_waiting_run_says_it_waits(tmp_path):
    """The test itself holds the store's lock for 3 s: ``analyze`` must wait, say so, then finish."""
    from filelock import FileLock

    with FakeOpenAI(behaviour_for=S.Faults()) as llm:
        config = S.make_site(tmp_path, {"base_url": llm.base_url, **LLM}, keep_days=["2026-01-26"])
        lock = FileLock(str(tmp_path / "data" / ".lock"))
        lock.acquire()
        try:
            proc = R.popen([*R.cli_command(), "-f", str(config), "analyze"], cwd=tmp_path)
            time.sleep(3)
            held = proc.poll() is None and not llm.requests
            said = R.output_of(proc)
        finally:
            lock.release()
        proc.wait(timeout=120)
    out = R.output_of(proc)
    assert held, f"analyze did not wait for the lock: {out!r}"
    assert proc.returncode == 0 and llm.requests, out
    assert "lock" in said.lower(), f"while waiting, the run said nothing about the lock: {said!r}"
