"""kill -9 at random moments of ``analyze --batch`` (submit and collect): no request is ever submitted twice,
none is lost. The fake batch API kills the client right after it uploaded a file, created a batch or served an
output file (before the client hears of it), or the test kills it after a random delay."""

from __future__ import annotations

import random
import subprocess
import time
from datetime import date, timedelta

from batch_support import add_day, batch_site, days, kind, llm_done, papers, state, subject
from fake_batch import FakeBatchAPI
from llm_support import env, run_cli

TRIALS = 20


def cli_process(config):
    import sys
    from pathlib import Path

    script = Path(sys.executable).with_name("arxiv-digest")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "arxiv_digest.cli"]
    return subprocess.Popen([*cmd, "-f", str(config), "analyze", "--batch"], cwd=config.parent, env=env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_kill_9_at_random_moments_duplicates_and_loses_nothing(tmp_path):
    rng = random.Random(18)
    kills: list[str] = []
    with FakeBatchAPI() as fake:
        config = batch_site(tmp_path, fake.base_url)
        for trial in range(TRIALS):
            # New work every trial: a day of two papers (and the summaries of days whose papers are done).
            add_day(config, (date(2026, 3, 2) + timedelta(days=trial)).isoformat(), 2, trial)
            point = rng.choice(["upload", "create", "content", "delay"])
            if point == "content":
                fake.advance("completed")  # an output file to be killed while downloading
            proc = cli_process(config)
            if point == "delay":
                time.sleep(rng.uniform(0.8, 2.4))  # startup takes ~1 s: from then on, anywhere
                proc.kill()
            else:
                fake.kill_at[point] = proc.pid
            proc.wait(timeout=120)
            if point not in fake.kill_at:
                kills.append(point if proc.returncode == -9 else f"{point} (ran to the end)")
            fake.kill_at.clear()
            if rng.random() < 0.5:
                fake.advance("completed")
        assert sum(k in ("upload", "create", "content") for k in kills) >= 8, kills

        for _ in range(6):  # undisturbed runs until everything is answered
            fake.advance("completed")
            run = run_cli(config, "analyze", "--batch")
            assert run.returncode == 0, run.output
            if not any(b["status"] != "closed" for b in state(config)["batches"]):
                break

    stored = papers(config)
    assert llm_done(config) == set(stored), "an answered request was lost"
    assert all(d["summary"]["provenance"] == "llm" for d in days(config).values())
    assert max(fake.submitted.values()) == 1, [c for c, n in fake.submitted.items() if n > 1]
    expected = {f"{k}:{pid}" for pid in stored for k in ("analysis", "fields")} | {f"summary:{d}" for d in days(config)}
    assert {f"{kind(c)}:{subject(c)}" for c in fake.submitted} == expected
    assert fake.chat_calls == 0
    assert state(config)["halves"] == {}
