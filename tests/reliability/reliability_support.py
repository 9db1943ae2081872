"""Helpers shared by the reliability suite (tests/reliability/).

Independent of the plugin's own validators on purpose: what counts as a valid stored
analysis, a parseable store or fault text is spelled out here from the fakes' side.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import llm_support as S
from fake_openai import INVALID_JSON_TEXT, REFUSAL_TEXT

D1, D2, D3 = S.DATES  # 2026-01-26, 2026-02-06, 2026-02-18: the fixture days (10 papers each)
REPO_DAYS = S.stored_days()
DAY_IDS = {date: list(day["papers"]) for date, day in REPO_DAYS.items()}

# The sections the zh prompts ask for (spelled out here, not read from the plugin).
ZH_ANALYSIS_SECTIONS = ["论文的主要贡献", "关键创新与方法", "对领域的潜在影响", "相关领域与应用", "从摘要推断的局限性"]
ZH_SUMMARY_SECTIONS = ["主要主题", "亮点", "新兴方向", "阅读清单"]
# The fake's default answers: every analysis section is "关于“<title>”：" + this paragraph.
FAKE_PARAGRAPH_END = "并讨论了其局限性与未来的改进方向。"
LLM_BODY_MARKER = "关于“"

# Text that only a faulty answer (site language is zh) or an endpoint's error body contains.
ANSWER_MARKERS = {
    "refusal": REFUSAL_TEXT[:24],
    "refusal-request": "请提供您希望我分析的论文",
    "invalid_json": INVALID_JSON_TEXT,
    "wrong_language": "alleviates the efficiency bottleneck",
    "wrong_language-heading": "Regarding “",
}
ERROR_MARKERS = {
    "429 body": "Rate limit reached",
    "5xx body": "server had an error",
    "arxiv error body": "scripted HTTP",
}
FAULT_MARKERS = {**ANSWER_MARKERS, **ERROR_MARKERS}
CJK_RE = re.compile(r"[\u3400-\u9fff]")
LOCK = threading.Lock()  # mkdocs' load_config is not meant to run in several threads at once


def load(config_file: Path):
    with LOCK:
        return S.load(config_file)


# ----------------------------------------------------------------------------- store checks


def json_files(data: Path) -> list[Path]:
    return sorted(p for p in data.rglob("*.json") if p.is_file() and ".broken" not in p.parts)


def store_problems(data: Path) -> list[str]:
    """Every data file parses; only ``*.tmp`` (and the lock, .gitignore) may be anything else."""
    problems = []
    for path in sorted(data.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(data)
        if path.name in (".lock", ".gitignore") or path.name.endswith(".tmp"):
            continue
        if ".broken" in rel.parts:
            problems.append(f"{rel}: quarantined (a store file did not parse)")
            continue
        if path.suffix != ".json":
            problems.append(f"{rel}: unexpected file in the store")
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            problems.append(f"{rel}: does not parse ({error})")
            continue
        if not isinstance(record, dict):
            problems.append(f"{rel}: not a JSON object")
    return problems


def has_sections(text: str, sections: list[str]) -> list[str]:
    headings = [ln.lstrip("#").strip() for ln in text.splitlines() if ln.lstrip().startswith("#")]
    return [s for s in sections if not any(s in h for h in headings)]


def fault_text_in(text: str) -> list[str]:
    return [name for name, marker in FAULT_MARKERS.items() if marker in text]


def invalid_done_records(data: Path) -> list[str]:
    """Done LLM analyses and day summaries that a validator independent of the plugin rejects."""
    problems = []
    for pid, paper in S.stored_papers(data).items():
        analysis = paper.get("analysis") or {}
        dumped = json.dumps(analysis, ensure_ascii=False)
        if analysis.get("status") != "done":
            continue
        if analysis.get("provenance") == "llm":
            body = analysis.get("body") or ""
            if not body.strip():
                problems.append(f"{pid}: done with an empty body")
            missing = has_sections(body, ZH_ANALYSIS_SECTIONS)
            if missing:
                problems.append(f"{pid}: done but missing sections {missing}")
            if not body.rstrip().endswith(FAKE_PARAGRAPH_END):
                problems.append(f"{pid}: done but the body is cut off: …{body.rstrip()[-40:]!r}")
            if not CJK_RE.search(analysis.get("tldr") or ""):
                problems.append(f"{pid}: done with a TL;DR that is not Chinese: {analysis.get('tldr')!r}")
            if not analysis.get("key_findings") or not all(CJK_RE.search(k or "") for k in analysis["key_findings"]):
                problems.append(f"{pid}: done with key findings that are empty or not Chinese")
        for name in fault_text_in(dumped):
            problems.append(f"{pid}: done analysis contains fault text ({name})")
    for date, day in S.stored_days(data).items():
        summary = day.get("summary") or {}
        if summary.get("provenance") == "llm":
            missing = has_sections(summary.get("markdown") or "", ZH_SUMMARY_SECTIONS)
            if missing:
                problems.append(f"day {date}: LLM summary missing sections {missing}")
        for name in fault_text_in(json.dumps(summary, ensure_ascii=False)):
            problems.append(f"day {date}: summary contains fault text ({name})")
    return problems


VOLATILE = {"created", "attempted"}


def normalised(value: Any) -> Any:
    """A record without its volatile timestamps (analysis/summary ``created``, ``attempted``)."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def store_state(data: Path) -> dict[str, Any]:
    """relative path → normalised record of every data file (lock, .gitignore and *.tmp left out)."""
    out = {}
    for path in json_files(data):
        out[str(path.relative_to(data))] = normalised(json.loads(path.read_text(encoding="utf-8")))
    return out


def diff_states(got: dict[str, Any], want: dict[str, Any], limit: int = 6) -> list[str]:
    problems = []
    for name in sorted(set(want) - set(got)):
        problems.append(f"missing {name}")
    for name in sorted(set(got) - set(want)):
        problems.append(f"unexpected {name}")
    for name in sorted(set(got) & set(want)):
        if got[name] != want[name]:
            keys = sorted(k for k in set(got[name]) | set(want[name]) if got[name].get(k) != want[name].get(k)) \
                if isinstance(got[name], dict) and isinstance(want[name], dict) else []
            problems.append(f"{name} differs in {keys}")
    return problems[:limit] + ([f"... {len(problems) - limit} more"] if len(problems) > limit else [])


# ----------------------------------------------------------------------------- processes


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("arxiv-digest")
    return [str(script)] if script.exists() else [sys.executable, "-m", "arxiv_digest.cli"]


def popen(args: list[str], cwd: Path, environ: dict[str, str] | None = None) -> subprocess.Popen:
    """A process in its own process group (so a kill reaches every child), output to files."""
    log = open(cwd / f".proc-{os.getpid()}-{threading.get_ident()}-{len(list(cwd.glob('.proc-*')))}.log", "w+b")
    proc = subprocess.Popen(args, cwd=cwd, env=environ or S.env(), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    return proc


def output_of(proc: subprocess.Popen) -> str:
    log = proc.log  # type: ignore[attr-defined]
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace")
    return text


def kill9(proc: subprocess.Popen) -> None:
    """SIGKILL the process group of a process started by :func:`popen` (ours only)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock", "*.tmp"))
    return target
