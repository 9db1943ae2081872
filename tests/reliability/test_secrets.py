"""Secrets: a recognisable fake key never leaves the environment.

With ``OPENAI_API_KEY=sk-fake-RELIABILITY-0123456789`` set, two sites (one run quietly,
one with ``-v`` / ``--verbose`` everywhere) go through ``mkdocs build`` (``fetch: auto``:
fetch and analyze), ``arxiv-digest fetch``, ``analyze``, ``status``, and a failing run:
the LLM answers HTTP 401 echoing the key (``analyze --force`` and a build whose analyses
all fail). Then the key (and its distinctive part) must appear in no captured output,
nowhere under ``site*/``, ``data/`` or the cache dir, and in no request sent to the fake
arXiv. As a control, the LLM endpoint did receive the key (``Authorization`` header).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

import llm_support as S
from fake_arxiv import FakeArxiv
from fake_openai import FakeOpenAI, Reply

FIGURE = "Secrets"
KEY = "sk-fake-RELIABILITY-0123456789"
NEEDLES = (KEY, "RELIABILITY-0123456789")
ENV = S.env(OPENAI_API_KEY=KEY)
LLM = {"attempts": 1, "retries": 0, "timeout": 10, "concurrency": 8}


def echo_401(body: dict) -> Reply:
    return Reply(f"Incorrect API key provided: {KEY}. You can find your API key at "
                 "https://platform.openai.com/account/api-keys.", status=401)


@dataclass
class Runs:
    outputs: dict[str, str] = field(default_factory=dict)
    roots: list[Path] = field(default_factory=list)
    arxiv_headers: list[dict] = field(default_factory=list)
    llm_headers: list[dict] = field(default_factory=list)


def site(root: Path, arxiv_url: str, llm_url: str, **options) -> Path:
    return S.make_site(root, {"base_url": llm_url, **LLM}, data=None, fetch="auto", days=1, until="2026-02-18",
                       arxiv={"api_url": arxiv_url, "delay_seconds": 0, "retries": 0, "timeout": 10}, **options)


def build(config: Path, verbose: bool) -> S.Proc:
    import subprocess

    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config)] + (["--verbose"] if verbose else [])
    proc = subprocess.run(cmd, cwd=config.parent, env=ENV, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=S.TIMEOUT)
    return S.Proc(proc.returncode, proc.stdout, proc.stderr, 0.0)


def failing_config(config: Path) -> Path:
    """The same site with an older ``until`` (a day not analyzed yet) and its own site_dir."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    plugin = next(p["arxiv-digest"] for p in data["plugins"] if isinstance(p, dict) and "arxiv-digest" in p)
    plugin["until"] = "2026-01-26"
    data["site_dir"] = "site-failing"
    path = config.with_name("mkdocs-failing.yml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_flavour(flavour: str, verbose: bool, root: Path) -> Runs:
    out = Runs(roots=[root])
    behaviour = {"answer": None}
    with FakeArxiv() as arxiv, FakeOpenAI(behaviour_for=lambda body: behaviour["answer"]) as llm:
        config = site(root, arxiv.url, llm.base_url)
        v = ["-v"] if verbose else []
        out.outputs[f"{flavour}: mkdocs build (fetch + analyze)"] = build(config, verbose).output
        for name, args in (("fetch --date 2026-02-06", ["fetch", "--date", "2026-02-06"]),
                           ("analyze", ["analyze"]), ("status", ["status"])):
            out.outputs[f"{flavour}: arxiv-digest {name}"] = S.run_cli(config, *v, *args, environ=ENV).output
        behaviour["answer"] = echo_401
        out.outputs[f"{flavour}: failing analyze --force (401 echoing the key)"] = \
            S.run_cli(config, *v, "analyze", "--force", "--date", "2026-02-06", environ=ENV).output
        out.outputs[f"{flavour}: failing mkdocs build (401 echoing the key)"] = \
            build(failing_config(config), verbose).output
        out.outputs[f"{flavour}: status after the failures"] = S.run_cli(config, *v, "status", environ=ENV).output
        out.arxiv_headers = [r["headers"] for r in arxiv.requests]
        out.llm_headers = list(llm.headers)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    from concurrent.futures import ThreadPoolExecutor

    jobs = [("quiet", False, tmp_path_factory.mktemp("secrets-quiet")),
            ("verbose", True, tmp_path_factory.mktemp("secrets-verbose"))]
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(lambda job: run_flavour(*job), jobs))
    out = Runs()
    for part in parts:
        out.outputs.update(part.outputs)
        out.roots += part.roots
        out.arxiv_headers += part.arxiv_headers
        out.llm_headers += part.llm_headers
    return out


def leaks(text: str) -> list[str]:
    return [n for n in NEEDLES if n in text]


CASES = ["quiet: mkdocs build (fetch + analyze)", "quiet: arxiv-digest fetch --date 2026-02-06",
         "quiet: arxiv-digest analyze", "quiet: arxiv-digest status",
         "quiet: failing analyze --force (401 echoing the key)", "quiet: failing mkdocs build (401 echoing the key)",
         "quiet: status after the failures"]
CASES += [c.replace("quiet: ", "verbose: ") for c in CASES]


@pytest.mark.figure(FIGURE, unit="places")
@pytest.mark.parametrize("name", CASES)
def test_output_has_no_key(runs, name):
    output = runs.outputs[name]
    assert output.strip(), "nothing captured"
    assert not leaks(output), f"the key leaked into the output of {name}:\n" + \
        "\n".join(ln for ln in output.splitlines() if leaks(ln))[:2000]


def test_failing_runs_did_fail_with_401(runs):
    """Control: the failing runs met the 401 (else the check above proves nothing)."""
    for name in ("quiet: failing analyze --force (401 echoing the key)",
                 "verbose: failing mkdocs build (401 echoing the key)"):
        assert "401" in runs.outputs[name] or "AuthenticationError" in runs.outputs[name], runs.outputs[name][-2000:]


def test_the_llm_endpoint_got_the_key(runs):
    """Control: the key was in use (sent to the LLM endpoint, as a bearer token)."""
    assert runs.llm_headers and all(h.get("authorization") == f"Bearer {KEY}" for h in runs.llm_headers)


@pytest.mark.figure(FIGURE, unit="places")
def test_arxiv_never_sees_the_key(runs):
    assert runs.arxiv_headers
    assert not [h for h in runs.arxiv_headers if leaks(repr(h))]


@pytest.mark.figure(FIGURE, unit="places")
@pytest.mark.parametrize("where", ["site", "data", "cache"])
def test_files_have_no_key(runs, where):
    scanned, found = 0, []
    for root in runs.roots:
        dirs = {"site": list(root.glob("site*")), "data": [root / "data"], "cache": [root / ".cache"]}[where]
        for folder in dirs:
            for path in folder.rglob("*"):
                if path.is_file():
                    scanned += 1
                    data = path.read_bytes()
                    if any(n.encode() in data for n in NEEDLES):
                        found.append(str(path.relative_to(root)))
    assert scanned, f"no files under {where}"
    assert not found, f"the key is in {found}"


PASTED = "sk-proj-PASTEDKEY0123456789abcdefghij"


@pytest.fixture(scope="module")
def pasted(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("secrets-pasted")
    with FakeArxiv() as arxiv:
        config = S.make_site(root, {"api_key_env": PASTED}, data=None, fetch="auto", days=1, until="2026-02-18",
                             arxiv={"api_url": arxiv.url, "delay_seconds": 0, "retries": 0, "timeout": 10})
        environ = S.env(OPENAI_API_KEY=KEY)
        return {"analyze": S.run_cli(config, "analyze", environ=environ).output,
                "build": build(config, verbose=False).output}


@pytest.mark.figure(FIGURE, unit="places")
@pytest.mark.parametrize("run", ["analyze", "build"])
def test_key_pasted_into_api_key_env_is_not_printed(pasted, run):
    assert pasted[run].strip()
    assert PASTED not in pasted[run], pasted[run][-1500:]
