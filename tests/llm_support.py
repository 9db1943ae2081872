"""Shared helpers of the LLM analyzer tests (tests/test_llm.py, tests/test_real_llm.py, benchmarks).

A plain module (not a conftest): import it. It knows nothing of pytest fixtures.

* :func:`make_site` - a temporary MkDocs site holding a copy of the repository's
  ``data/`` (3 stored days, 30 papers analyzed offline) and an ``arxiv-digest`` plugin
  configured with the given ``llm`` options (``fetch: never`` by default).
* :func:`run_cli` / :func:`build` - ``arxiv-digest -f SITE/mkdocs.yml ...`` and
  ``mkdocs build --strict`` in a subprocess, with a controlled environment (no
  ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` leaking in from the caller unless given).
* :func:`load` - the plugin config and store of a site, for in-process ``pipeline`` calls.
* :class:`Faults` - a ``behaviour_for`` for :class:`fake_openai.FakeOpenAI` that tells the
  three LLM tasks apart (analysis, fields, summary), knows which paper (or day) a request
  is about, records every request with its arrival time, and applies scripted failures
  to chosen (paper, task) pairs, a given number of times or always.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
DATA = REPO / "tests" / "fixtures" / "store-offline"  # the example store before its legacy import (offline analyses): copied, never written
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from fake_openai import default_responder, instance_for_schema  # noqa: E402

TIMEOUT = 240  # seconds for one subprocess
DATES = ("2026-01-26", "2026-02-06", "2026-02-18")
SECRET_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID")


# ----------------------------------------------------------------------------- stored data


def stored_papers(data: Path = DATA) -> dict[str, dict]:
    """id → record of every paper under ``data/papers``."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((data / "papers").glob("*.json"))}


def stored_days(data: Path = DATA) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((data / "days").glob("*.json"))}


def day_papers(date: str, data: Path = DATA) -> list[str]:
    return list(stored_days(data)[date]["papers"])


def file_bytes(directory: Path) -> dict[str, bytes]:
    """relative path → bytes of every file under ``directory`` (lock and temp files left out)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != ".lock" and not p.name.endswith(".tmp")}


def plain_fragment(text: str, size: int = 40) -> str:
    """A run of ``size``+ plain characters (letters, spaces, commas) from ``text``: survives Markdown rendering."""
    runs = sorted(re.findall(r"[A-Za-z][A-Za-z ,]{%d,}[A-Za-z]" % (size - 2), text), key=len, reverse=True)
    assert runs, f"no plain run of {size} characters in {text[:80]!r}"
    return " ".join(runs[0].split())[:size].strip()


# ----------------------------------------------------------------------------- sites


def closed_port_url(path: str = "/api/query") -> str:
    """A URL on 127.0.0.1 where nothing listens (any request fails at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


def make_site(root: Path, llm: dict[str, Any] | None = None, *, language: str = "zh", data: Path | None = DATA,
              keep_days: list[str] | None = None, **options: Any) -> Path:
    """Write a site at ``root`` (``mkdocs.yml``, ``docs/index.md``) with a copy of ``data``.

    ``keep_days`` keeps only those stored days (and their papers). Other keyword arguments are
    plugin options (``fetch`` defaults to ``never``; arXiv points at a closed port).
    Returns the path of ``mkdocs.yml``.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n\nWelcome.\n", encoding="utf-8")
    if data is not None and not (root / "data").exists():
        shutil.copytree(data, root / "data", ignore=shutil.ignore_patterns(".lock", "*.tmp", ".broken"))
        for path in (root / "data").rglob("*"):
            if path.is_file():
                path.chmod(0o644)
        if keep_days is not None:
            keep = set()
            for path in (root / "data" / "days").glob("*.json"):
                if path.stem in keep_days:
                    keep.update(json.loads(path.read_text(encoding="utf-8"))["papers"])
                else:
                    path.unlink()
            for path in (root / "data" / "papers").glob("*.json"):
                if path.stem not in keep:
                    path.unlink()
    plugin = {"categories": ["cs.CV", "cs.RO"], "language": language, "fetch": "never",
              "arxiv": {"api_url": closed_port_url(), "html_url": closed_port_url("/html/{id}v{version}"),
                        "delay_seconds": 0, "retries": 0, "timeout": 2}}
    plugin.update(options)
    if llm is not None:
        plugin["llm"] = llm
    config = {"site_name": "LLM test", "theme": {"name": "material", "language": language},
              "plugins": ["tags", {"arxiv-digest": plugin}]}
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def set_llm(config_file: Path, **llm: Any) -> None:
    """Update the ``llm`` options of a site written by :func:`make_site`."""
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    plugin = next(p["arxiv-digest"] for p in config["plugins"] if isinstance(p, dict) and "arxiv-digest" in p)
    plugin["llm"] = {**plugin.get("llm", {}), **llm}
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def load(config_file: Path):
    """(DigestConfig, Store) of a site's first channel, as the command line loads them."""
    from arxiv_digest import cli

    channel = cli.load_channels(str(config_file))[0]
    return channel.config, channel.store


# ----------------------------------------------------------------------------- subprocesses


def env(**extra: str | None) -> dict[str, str]:
    """The caller's environment without OpenAI settings, plus ``extra`` (None removes a variable)."""
    out = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
    out.update({"NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8", "NO_PROXY": "127.0.0.1,localhost",
                "no_proxy": "127.0.0.1,localhost"})
    for key, value in extra.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@dataclass
class Proc:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(config_file: Path, *args: str, environ: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Proc:
    """``arxiv-digest -f CONFIG ARGS...`` in a subprocess."""
    script = Path(sys.executable).with_name("arxiv-digest")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "arxiv_digest.cli"]
    started = time.monotonic()
    proc = subprocess.run([*cmd, "-f", str(config_file), *args], cwd=config_file.parent, env=environ or env(),
                          capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout)
    return Proc(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def build(config_file: Path, *, strict: bool = True, environ: dict[str, str] | None = None) -> Proc:
    """``mkdocs build [--strict]`` of a site in a subprocess."""
    cmd = [sys.executable, "-m", "mkdocs", "build", "-f", str(config_file)] + (["--strict"] if strict else [])
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=config_file.parent, env=environ or env(), capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=TIMEOUT)
    return Proc(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def page_text(site: Path, url: str) -> str:
    """The HTML of a built page (``digest/2026-01-26/``, ``papers/2601.16982/``)."""
    path = site / url / "index.html"
    assert path.is_file(), f"no page at {url}"
    return path.read_text(encoding="utf-8")


def visible_text(html: str) -> str:
    """The text of a page's content article, whitespace-normalised (lxml)."""
    from lxml import html as lxml_html

    doc = lxml_html.fromstring(html)
    found = doc.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]')
    node = found[0] if found else doc
    return " ".join(node.text_content().split())


def paper_section(day_html: str, paper_id: str) -> str:
    """The HTML of one paper's entry on a day page (its section, from its id to the section's end)."""
    start = day_html.index(f'id="{paper_id}"')
    return day_html[start: day_html.index("</section>", start)]


# ----------------------------------------------------------------------------- the fake's brain


TASK_MARKERS = {
    "analysis": ("请分析下面这篇论文", "Analyze the following paper"),
    "fields": ("填写 JSON 字段", "Fill in the JSON fields"),
    "summary": ("执行摘要", "executive summary"),
}


def user_text(body: dict) -> str:
    return "\n".join(m.get("content") or "" for m in body.get("messages", []) if m.get("role") == "user")


def task_of(body: dict) -> str:
    """Which LLM task a chat request is: ``analysis``, ``fields`` or ``summary`` (``?`` otherwise)."""
    text = user_text(body)
    for task, markers in TASK_MARKERS.items():
        if any(m in text for m in markers):
            return task
    return "?"


def summary_date(text: str) -> str | None:
    found = re.search(r"(\d{4}) 年 (\d{1,2}) 月 (\d{1,2}) 日", text)
    if found:
        y, m, d = (int(x) for x in found.groups())
        return f"{y}-{m:02d}-{d:02d}"
    found = re.search(r"dated (\d{4}-\d{2}-\d{2})", text)
    return found.group(1) if found else None


def fields_schema_of(taxonomy: list[str], max_tags: int = 4) -> dict:
    from arxiv_digest.analysis.llm.tasks import fields_schema

    return fields_schema(taxonomy, max_tags)


def taxonomy_in_prompt(text: str) -> list[str]:
    """The tag list a fields prompt offers (zh: 标签表：a、b; en: Tags: a, b)."""
    found = re.search(r"^标签表：(.+)$", text, re.M)
    if found:
        return found.group(1).split("、")
    found = re.search(r"^Tags: (.+)$", text, re.M)
    return found.group(1).split(", ") if found else []


@dataclass
class Seen:
    at: float  # time.monotonic() at arrival
    task: str
    key: str | None  # paper id (analysis, fields) or digest date (summary)
    model: str | None
    body: dict


class Faults:
    """``behaviour_for`` of :class:`FakeOpenAI`: scripted failures per (paper or date, task).

    ``faults.add("2601.16982", "analysis", "refusal")`` answers every analysis request of
    that paper with a refusal; ``times=1`` only the first one (a transient failure). Keys
    are paper ids for ``analysis`` / ``fields`` and digest dates for ``summary``; ``"*"``
    matches any key. Requests without a fault get ``None`` (the fake's default answer),
    except ``fields`` requests sent without ``response_format`` (the plain-JSON fallback),
    which get schema-valid JSON in a Markdown code fence.
    """

    def __init__(self, papers: dict[str, dict] | None = None) -> None:
        papers = papers if papers is not None else stored_papers()
        self.by_title = {" ".join(p["title"].split()): pid for pid, p in papers.items()}
        self.rules: dict[tuple[str, str], list] = {}
        self.seen: list[Seen] = []
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        self.enabled = True

    def add(self, key: str, task: str, behaviour: Any, times: int | None = None) -> "Faults":
        self.rules[(key, task)] = [behaviour, times]
        return self

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def key_of(self, body: dict, task: str) -> str | None:
        text = user_text(body)
        if task == "summary":
            return summary_date(text)
        found = re.search(r"^(?:arXiv 编号：|arXiv id: )(\S+)$", text, re.M)
        if found:
            return found.group(1)
        found = re.search(r"^(?:论文标题：|Title: )(.+)$", text, re.M)
        return self.by_title.get(" ".join(found.group(1).split())) if found else None

    def requests(self, task: str | None = None, key: str | None = None) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if (task is None or s.task == task) and (key is None or s.key == key)]

    def __call__(self, body: dict) -> Any:
        task = task_of(body)
        key = self.key_of(body, task)
        with self.lock:
            self.seen.append(Seen(time.monotonic(), task, key, body.get("model"), body))
            self.counts[(key, task)] += 1
            rule = self.rules.get((key, task)) or self.rules.get(("*", task))
            if rule is not None and rule[1] is not None:
                if rule[1] <= 0:
                    rule = None
                else:
                    rule[1] -= 1
        if rule is not None:
            return rule[0]
        if task == "fields" and "response_format" not in body:
            return fenced_fields(body)
        return None


def missing_last_section(body: dict) -> str:
    """The fake's default analysis without its last section."""
    text = default_responder(body)
    cut = [m.start() for m in re.finditer(r"^### ", text, re.M)]
    return text[: cut[-1]].rstrip() + "\n"


def fenced_fields(body: dict) -> str:
    """Schema-valid fields JSON in a Markdown code fence (what a model without json_schema support writes)."""
    text = user_text(body)
    schema = fields_schema_of(taxonomy_in_prompt(text) or ["Video"])
    lang = "zh" if "填写 JSON 字段" in text else "en"
    return "```json\n" + json.dumps(instance_for_schema(schema, lang), ensure_ascii=False) + "\n```"


def tldr_with_number(number: str):
    """A fields answer whose TL;DR claims ``number`` (meant to be absent from the abstract)."""
    def behaviour(body: dict) -> str:
        text = user_text(body)
        data = instance_for_schema(fields_schema_of(taxonomy_in_prompt(text) or ["Video"]), "zh")
        data["tldr"] = f"本文方法将检测精度提升了 {number}%，并在多个公开基准上验证了其有效性。"
        return json.dumps(data, ensure_ascii=False)
    return behaviour


def wrong_date_summary(date_text: str):
    """A well-formed day summary that dates itself ``date_text`` (e.g. a submission day)."""
    def behaviour(body: dict) -> str:
        return default_responder(body).rstrip() + f"\n\n本期日报日期：{date_text}，欢迎阅读。\n"
    return behaviour


class RawFake:
    """FakeOpenAI plus raw answers no OpenAI-compatible server should give (for robustness tests).

    ``raw_for(body)`` returns ``(status, content_type, bytes)`` to send verbatim, or None to
    let the normal fake answer.
    """

    @staticmethod
    def make(raw_for, **kwargs):
        from fake_openai import FakeOpenAI

        class _Raw(FakeOpenAI):
            def _serve_chat(self, handler, body, raw_len):  # noqa: D401 - override of the fake's internals
                raw = raw_for(body)
                if raw is None:
                    return super()._serve_chat(handler, body, raw_len)
                status, content_type, data = raw
                with self._lock:
                    self.requests.append(body)
                    self.headers.append({k.lower(): v for k, v in handler.headers.items()})
                    self.responses.append({"status": status, "content": data.decode("utf-8", "replace"),
                                           "finish_reason": None, "behaviour": "raw"})
                handler.send_response(status)
                handler.send_header("Content-Type", content_type)
                handler.send_header("Content-Length", str(len(data)))
                handler.end_headers()
                handler.wfile.write(data)
                handler.wfile.flush()

        return _Raw(**kwargs)
