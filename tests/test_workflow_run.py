"""The daily workflow, run: the `run:` steps of .github/workflows/digest.yml (the file `arxiv-digest init` writes),
taken from the YAML in order, in a site made by `init` and pushed to a local bare remote, against the fake arXiv
and a fake LLM. The runs follow one another as scheduled days would:

1. day 1: the new days' data is committed once (one commit, data/ only), analyzed by the LLM, and the site builds;
2. a rerun with nothing new commits nothing (and asks the LLM nothing);
3. the keep-alive step commits (an empty commit) only when the last commit is more than 50 days old;
4. an LLM failure leaves those papers pending, still commits the rest, builds and reports the pending ones
   (a run after 55 quiet days: its data commit is the only one, the keep-alive is not due after it).

``pip`` is a stand-in that checks what the Install step asks for: the package under test is the one installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fake_arxiv import FakeArxiv
from fake_openai import FakeOpenAI, prompt_text
from recent_arxiv import latest_dates, recent_entries
from support import REPO, article, offline_env, page, run_cli
from workflow_runner import Context, JobRun, run_steps

WORKFLOW = REPO / ".github" / "workflows" / "digest.yml"
PIP_STAND_IN = """#!/bin/sh
# The workflow's Install step: the package under test is installed already; check what the step asks for.
[ "$*" = "install -r requirements.txt" ] && grep -q mkdocs-arxiv-digest requirements.txt || { echo "pip $*"; exit 1; }
"""


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


class Scenario:
    """A site made by init, its bare remote, and one workflow run after another."""

    def __init__(self, root: Path, arxiv: FakeArxiv, llm: FakeOpenAI, workflow: Path = WORKFLOW,
                 steps: list[dict] | None = None, variables: dict[str, str] | None = None) -> None:
        self.root, self.arxiv, self.llm, self.workflow, self.steps = root, arxiv, llm, workflow, steps
        self.variables = variables or {}  # the repository's variables (vars.*)
        self.remote = root / "remote.git"
        self.runs = 0
        bin_dir = root / "bin"
        bin_dir.mkdir()
        (bin_dir / "pip").write_text(PIP_STAND_IN, encoding="utf-8")
        (bin_dir / "pip").chmod(0o755)
        env = {k: v for k, v in offline_env().items() if not k.startswith("GIT_")}
        env["PATH"] = os.pathsep.join([str(bin_dir), str(Path(sys.executable).parent), env.get("PATH", "")])
        self.env = {**env, "CI": "true", "GITHUB_ACTIONS": "true"}
        site = root / "site"
        run = run_cli("init", str(site), "--yes", "--categories", "cs.CV", "cs.RO", "--arxiv-api-url", arxiv.url,
                      "--provider", "other", "--llm-base-url", llm.base_url, "--model", "fake-model")
        assert run.returncode == 0, run.stderr
        config = site / "mkdocs.yml"  # the site owner's one change: no pause between requests to the fake
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace(f'api_url: "{arxiv.url}"\n', f'api_url: "{arxiv.url}"\n        delay_seconds: 0\n'),
                          encoding="utf-8")
        _git(root, "init", "-q", "--bare", "-b", "main", str(self.remote))
        _git(site, "init", "-q", "-b", "main")
        self.owner_commit(site, "a new digest site", days_ago=0)

    def owner_commit(self, site: Path, message: str, *, days_ago: int) -> None:
        """The site owner commits everything in ``site`` (dated ``days_ago``) and pushes."""
        when = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+0000")
        env = {**self.env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "Owner",
               "GIT_AUTHOR_EMAIL": "owner@example.org", "GIT_COMMITTER_NAME": "Owner",
               "GIT_COMMITTER_EMAIL": "owner@example.org"}
        _git(site, "add", "-A", env=env)
        _git(site, "commit", "-q", "--allow-empty", "-m", message, env=env)
        if not _git(site, "remote"):
            _git(site, "remote", "add", "origin", str(self.remote))
        _git(site, "push", "-q", "origin", "HEAD:main", env=env)

    def run(self) -> tuple[JobRun, Path]:
        """One scheduled run: a fresh checkout of main (fetch-depth 0), then the job's steps."""
        self.runs += 1
        workdir = self.root / f"run-{self.runs}" / "checkout"
        workdir.parent.mkdir()
        _git(self.root, "clone", "-q", str(self.remote), str(workdir))
        context = Context(secrets={"OPENAI_API_KEY": "sk-test-key"}, inputs={}, vars=self.variables)
        return run_steps(self.workflow, "build", workdir, self.env, context, self.steps), workdir

    def commits(self) -> list[str]:
        """Subjects of the remote's main, newest first."""
        return _git(self.remote, "log", "--format=%s", "main").splitlines()

    def changed(self, ref: str = "main") -> list[str]:
        return _git(self.remote, "show", "--name-only", "--format=", ref).split()


def _analyses(repo: Path, ref: str, day: str) -> dict[str, dict]:
    """Paper id → analysis of a day's papers, as committed at ``ref`` of ``repo``."""
    def read(path: str) -> dict:
        return json.loads(_git(repo, "show", f"{ref}:{path}"))
    ids = read(f"data/days/{day}.json")["papers"]
    return {pid: read(f"data/papers/{pid.replace('/', '-')}.json")["analysis"] for pid in ids}


def run_days(root: Path, workflow: Path = WORKFLOW, steps: list[dict] | None = None) -> dict:
    """The scheduled runs of the scenario, in order; what each left behind (checked by the tests below)."""
    days = recent_entries()
    dates = latest_dates()
    failing: dict[str, str] = {}  # a paper's abstract snippet → how the LLM fails for it

    def behaviour(body: dict):
        text = prompt_text(body)
        return next((how for snippet, how in failing.items() if snippet in text), None)

    out: dict = {"dates": dates}
    with FakeArxiv(entries=days[0] + days[1]) as arxiv, FakeOpenAI(behaviour_for=behaviour) as llm:
        scenario = Scenario(root, arxiv, llm, workflow, steps)
        out["initial"] = scenario.commits()
        # 1. Day 1: the two older announcements are out; the newest window is still empty.
        out["day1"] = (*scenario.run(), scenario.commits(), scenario.changed(), len(llm.requests))
        out["day1_head"] = _git(scenario.remote, "rev-parse", "main").strip()
        # 2. The next run: nothing new.
        before = len(llm.requests)
        out["rerun"] = (*scenario.run(), scenario.commits(), len(llm.requests) - before)
        # 3. Keep-alive: the owner's last commit 49, then 51 days old (the step's threshold is 50).
        site = out["rerun"][1]
        (site / "docs" / "index.md").write_text("# Home\n\nEdited.\n", encoding="utf-8")
        scenario.owner_commit(site, "owner: an edit 49 days ago", days_ago=49)
        out["quiet49"] = (*scenario.run(), scenario.commits())
        scenario.owner_commit(out["quiet49"][1], "owner: an edit 51 days ago", days_ago=51)
        out["quiet51"] = (*scenario.run(), scenario.commits(), scenario.changed())
        # 4. The newest day is announced; the LLM fails for two of its papers (answers cut off at max_tokens, a refusal).
        newest = days[2]
        failing[" ".join(newest[0].abstract.split()[:12])] = "truncated"
        failing[" ".join(newest[1].abstract.split()[:12])] = "refusal"
        out["failing_ids"] = [newest[0].base_id, newest[1].base_id]
        arxiv.entries = days[0] + days[1] + days[2]
        # ... after 55 quiet days: the data commit is the only one (the keep-alive is not due after it).
        scenario.owner_commit(out["quiet51"][1], "owner: an edit 55 days ago", days_ago=55)
        out["before_llm_fails"] = scenario.commits()
        out["llm_fails"] = (*scenario.run(), scenario.commits(), scenario.changed())
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict:
    return run_days(tmp_path_factory.mktemp("workflow"))


def test_day_one_commits_the_data_once_and_builds(runs):
    job, checkout, commits, changed, llm_requests = runs["day1"]
    assert job.ok, job.output
    assert [s.name for s in job.steps if s.returncode is None] == []  # with the key, Analyze runs
    assert len(commits) == len(runs["initial"]) + 1 and commits[0].startswith("digest: data of ")
    assert changed and all(path.startswith("data/") for path in changed)
    old, middle, newest = runs["dates"]
    assert {f"data/days/{old}.json", f"data/days/{middle}.json"} <= set(changed)
    assert f"data/days/{newest}.json" not in changed  # nothing announced yet: not stored, asked again next run
    remote = checkout.parent.parent / "remote.git"
    for day in (old, middle):  # as day 1 committed them, analyzed by the LLM
        analyses = _analyses(remote, runs["day1_head"], day)
        assert analyses and all(a["status"] == "done" and a["provenance"] == "llm" for a in analyses.values())
    assert llm_requests > 0
    cards = article(page(checkout / "site", f"digest/{middle}/")).xpath(".//article[contains(@class,'ad-card')]")
    assert len(cards) == len(analyses)
    assert "days: 2" in job.step("Report freshness and pending analyses").output


def test_a_rerun_with_nothing_new_commits_nothing(runs):
    job, checkout, commits, llm_requests = runs["rerun"]
    assert job.ok, job.output
    assert commits == runs["day1"][2]
    assert "data/ unchanged" in job.step("Commit data/ when it changed").output
    assert llm_requests == 0
    assert (checkout / "site" / "digest" / runs["dates"][1] / "index.html").is_file()


def test_the_keep_alive_step_commits_only_when_due(runs):
    job49, _, commits49 = runs["quiet49"]
    assert job49.ok, job49.output
    assert commits49[0] == "owner: an edit 49 days ago"  # not due: nothing committed
    job51, _, commits51, changed = runs["quiet51"]
    assert job51.ok, job51.output
    assert commits51[:2] == ["digest: keep the scheduled workflow alive", "owner: an edit 51 days ago"]
    assert changed == []  # an empty commit


def test_an_llm_failure_still_commits_what_succeeded_builds_and_reports(runs):
    job, checkout, commits, changed = runs["llm_fails"]
    assert job.ok, job.output  # the Analyze step's failure is a warning, not the end of the job
    analyze = job.step("Analyze")
    assert "::warning::some analyses are pending" in analyze.output
    newest = runs["dates"][2]
    assert commits[0].startswith("digest: data of ") and commits[1:] == runs["before_llm_fails"]
    assert f"data/days/{newest}.json" in changed
    analyses = _analyses(checkout.parent.parent / "remote.git", "main", newest)
    failing = runs["failing_ids"]
    assert {pid for pid, a in analyses.items() if a["status"] == "pending"} == set(failing)
    assert all(a["status"] == "done" for pid, a in analyses.items() if pid not in failing)
    # What was committed is what the checkout holds: no change left behind.
    assert _git(checkout, "status", "--porcelain", "data") == ""
    assert (checkout / "site" / "digest" / newest / "index.html").is_file()
    status = job.step("Report freshness and pending analyses").output
    assert all(f"pending {pid}" in status for pid in failing)
