"""Every OpenAI-compatible provider's documented deviations, against fakes that behave as documented
(tests/fake_providers.py), through the real ``openai`` client over HTTP.

One site holds one channel per scenario (its own store and fake endpoint); each channel is analyzed
in-process, then the whole site is built once with ``mkdocs build --strict`` and its HTML read. For each
scenario: nothing of a bad answer reaches any page, every paper the provider can serve ends done with the
default or the documented configuration, a failing one ends pending with a reason naming the cause, and
requests per paper stay ≤ 3.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import llm_support as S
from arxiv_digest import pipeline
from fake_openai import FakeOpenAI
from fake_providers import CUT, LEAD_IN, REASONING, TARGET, Quirk, thinking_off

DAY = "2026-01-26"
BASE = {"attempts": 2, "timeout": 10, "concurrency": 2}  # default retries (2): 3 requests at most per task


@dataclass
class Case:
    quirk: str
    llm: dict
    pending: dict  # paper id → regex of its reason (every other paper ends done)
    check: str | None = None  # name of an extra assertion below


CASES = {
    # reasoning, in all its forms
    "qwen3-generic": Case("qwen3-no-parser", {}, {}),
    "qwen3-vllm": Case("qwen3-no-parser", {"provider": "vllm"}, {}, "thinking-switch"),
    **{f"qwen3-{p.replace('.', '')}": Case("qwen3-no-parser", {"provider": p}, {}, "thinking-switch")
       for p in ("llama.cpp", "ollama", "dashscope", "siliconflow", "zhipu", "gemini", "openrouter")},
    "thinking-only": Case("thinking-only", {"provider": "vllm"}, {}),
    "reasoning-field": Case("reasoning-content", {"provider": "deepseek", "model": "deepseek-reasoner"}, {}),
    "reasoning-stream": Case("reasoning-content", {"stream": True}, {}, "streamed"),
    # headings and lead-ins
    "bold-headings": Case("bold-headings-lead-in", {}, {}, "headings"),
    # finish_reason
    "glm-sensitive": Case("glm-sensitive", {"provider": "zhipu"}, {TARGET: r"finish_reason=sensitive"}),
    "content-filter": Case("content-filter", {}, {TARGET: r"finish_reason=content_filter"}),
    # parameters refused
    "openai-o-series": Case("openai-reasoning", {"provider": "openai", "model": "o4-mini"}, {}, "no-errors"),
    "o-series-learned": Case("openai-reasoning", {"model": "my-reasoner"}, {}, "learned"),
    "kimi": Case("kimi-temperature", {"provider": "moonshot", "model": "kimi-k2.6"}, {}, "no-errors"),
    "qwq-stream-only": Case("stream-only", {"provider": "dashscope", "model": "qwq-plus"}, {}, "streamed"),
    "stream-learned": Case("stream-only", {"model": "some-thinking-only"}, {}, "learned"),
    # 200s that are not answers
    "error-in-200": Case("error-in-200", {}, {}),
    "error-in-200-always": Case("error-in-200-always", {}, {TARGET: r"HTTP 200 with an error \| Provider returned error"}),
    "empty-choices": Case("empty-choices", {}, {TARGET: r"no choices"}),
    "refusal-field": Case("refusal-field", {}, {TARGET: r"^the model refused \(refusal field\).* \| I'm sorry, I can't"}),
    "stream-error": Case("stream-error", {"stream": True}, {}),
    # errors that say what to change
    "schema-501": Case("schema-501", {}, {}, "schema-fallback"),
    "context-length": Case("context-length", {}, {TARGET: r"llm\.max_tokens.* \| This model's maximum context length is 4096"}),
    "quota": Case("quota", {}, {}, "stopped"),
}


@dataclass
class Run:
    quirk: Quirk
    report: pipeline.Report
    statuses: list[int]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict[str, Run]]:
    root = tmp_path_factory.mktemp("providers")
    S.make_site(root / "base", None, keep_days=[DAY])
    quirks = {name: Quirk(case.quirk) for name, case in CASES.items()}
    fakes = {name: FakeOpenAI(behaviour_for=quirks[name]).start() for name in CASES}
    try:
        plugins: list = ["tags"]
        for name, case in CASES.items():
            shutil.copytree(root / "base" / "data", root / "stores" / name)
            plugins.append({"arxiv-digest": {
                "prefix": name, "title": name, "data_dir": f"stores/{name}", "categories": ["cs.CV", "cs.RO"],
                "language": "zh", "fetch": "never",
                "arxiv": {"api_url": S.closed_port_url(), "delay_seconds": 0, "retries": 0, "timeout": 2},
                "llm": {"base_url": fakes[name].base_url, **BASE, **case.llm}}})
        config = {"site_name": "providers", "theme": {"name": "material", "language": "zh"}, "plugins": plugins}
        (root / "docs").mkdir()
        (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
        path = root / "mkdocs.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        from arxiv_digest import cli

        runs = {}
        for channel in cli.load_channels(str(path)):
            report = pipeline.analyze(channel.store, channel.config)
            runs[channel.name] = Run(quirks[channel.name], report,
                                     [r["status"] for r in fakes[channel.name].responses])
    finally:
        for fake in fakes.values():
            fake.stop()
    proc = S.build(path)
    assert proc.returncode == 0, proc.output[-3000:]
    return root, runs


def html_files(root: Path, name: str) -> list[Path]:
    return sorted((root / "site" / name).rglob("*.html"))


@pytest.mark.parametrize("name", list(CASES))
def test_provider_quirk(site, name):
    root, runs = site
    case, run = CASES[name], runs[name]
    papers = S.stored_papers(root / "stores" / name)
    day = S.day_papers(DAY, root / "stores" / name)

    # Requests per paper stay bounded (no Retry-After rate limiting in these quirks).
    per_paper = run.quirk.per_paper()
    assert per_paper and max(per_paper.values()) <= 3, per_paper

    if case.check == "stopped":  # quota exhausted: one message, nothing attempted after it, nothing lost
        assert run.report.failures == ["LLM endpoint: quota or balance exhausted (HTTP 429: You exceeded your "
                                       "current quota, please check your plan and billing details.); the run "
                                       "stopped, nothing was lost"]
        assert len(run.statuses) <= BASE["concurrency"] and run.report.pending == {}
        assert all(papers[p]["analysis"]["provenance"] == "offline" for p in day)
        return

    # Done where the provider can serve; pending with a reason naming the cause where it cannot.
    details: list = []
    for pid in day:
        analysis = papers[pid]["analysis"]
        if pid in case.pending:
            assert analysis["status"] == "pending", (pid, analysis)
            said = f"{analysis['reason']} | {analysis.get('detail', '')}"  # the endpoint's words: in detail
            assert re.search(case.pending[pid], said), said
            details.append(analysis.get("detail"))
        else:
            assert analysis["status"] == "done" and analysis["provenance"] == "llm", (pid, analysis)
            assert analysis["body"].startswith("### 1. ") and analysis["gate"] >= 1
    assert set(run.report.pending) == set(case.pending)

    # Nothing of a bad answer reaches any page: no reasoning, lead-in, cut-off text, no reasoning tag.
    pages = html_files(root, name)
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for bad in (REASONING, LEAD_IN, CUT, "&lt;think&gt;", "&lt;/think&gt;", "</think>", *filter(None, details)):
            assert bad not in text, (page, bad)
    for pid in day:
        paper = (root / "site" / name / "papers" / pid / "index.html").read_text(encoding="utf-8")
        assert ("关于“" in paper) is (pid not in case.pending), pid  # the fake's analysis text, or none

    bodies = [s.body for s in run.quirk.faults.requests()]
    if case.check == "thinking-switch":  # the profile's documented switch went with every request
        assert bodies and all(thinking_off(b) for b in bodies)
    if case.check == "streamed":
        assert bodies and all(b.get("stream") is True for b in bodies)
        assert all(papers[p]["analysis"]["usage"]["prompt_tokens"] > 0 for p in day)  # usage still recorded
    if case.check == "no-errors":
        assert set(run.statuses) == {200}
        assert all("temperature" not in b for b in bodies)
    if case.check == "learned":
        assert run.statuses.count(400) <= 2 * BASE["concurrency"]
        assert run.report.learned and all("set llm." in note for note in run.report.learned)
    if case.check == "schema-fallback":
        assert run.statuses.count(501) <= BASE["concurrency"]
        assert any("structured_output: json_object" in n for n in run.report.learned)
    if case.check == "headings":
        assert all("**" not in papers[p]["analysis"]["body"].split("\n")[0] for p in day)


# ----------------------------------------------------------------------------- stored work and its key


def _stored_by_an_older_gate(tmp_path, file: str, edit) -> tuple:
    """A site whose store the fake analyzed, then ``edit`` of its ``file`` (as an older gate stored it), built with
    the endpoint unreachable; returns the config, the site's root and the file's path."""
    import json

    root = tmp_path / "site"
    with FakeOpenAI(behaviour_for=Quirk("qwen3-no-parser")) as fake:
        config = S.make_site(root, {"base_url": fake.base_url, **BASE}, keep_days=[DAY])
        pipeline.analyze(*reversed(S.load(config)))  # everything done by the current gate
    path = root / "data" / file
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    S.set_llm(config, base_url=S.closed_port_url("/v1"))
    proc = S.build(config)
    assert proc.returncode == 0, proc.output[-2000:]
    return config, root, path


def _analyze_again(config) -> Quirk:
    quirk = Quirk("qwen3-no-parser")
    with FakeOpenAI(behaviour_for=quirk) as fake:
        S.set_llm(config, base_url=fake.base_url)
        pipeline.analyze(*reversed(S.load(config)))
    return quirk


def test_stored_reasoning_is_shown_as_pending_and_redone(tmp_path):
    """An analysis stored by an older gate with reasoning in it is never published; the next analyze redoes it."""
    body = "### 1. 论文的主要贡献\n\n本文提出了一种新方法。"

    def with_reasoning(paper: dict) -> None:
        paper["analysis"] = {"status": "done", "provenance": "llm", "body": f"<think>{REASONING}</think>\n{body}",
                             "tldr": "本文提出了一种新方法。", "key_findings": ["新方法"], "model": "m",
                             "prompt_hash": paper["analysis"]["prompt_hash"]}

    config, root, _ = _stored_by_an_older_gate(tmp_path, f"papers/{TARGET}.json", with_reasoning)
    page = (root / "site" / "papers" / TARGET / "index.html").read_text(encoding="utf-8")
    assert REASONING not in page and "本文提出了一种新方法。" not in page
    assert "stored analysis carries model reasoning (think tags)" in page  # shown as pending, with the reason
    assert "&lt;think&gt;" not in page
    status = S.run_cli(config, "status")  # the command line counts it as pending too
    assert f"pending {TARGET}: stored analysis carries model reasoning (think tags)" in status.stdout, status.stdout
    quirk = _analyze_again(config)
    assert [s.key for s in quirk.faults.requests("analysis")] == [TARGET]  # only the rejected one is redone
    analysis = S.stored_papers(root / "data")[TARGET]["analysis"]
    assert analysis["status"] == "done" and REASONING not in analysis["body"] and analysis["gate"] >= 1


def test_a_stored_summary_with_reasoning_is_replaced_by_the_offline_one_and_redone(tmp_path):
    """A day summary stored by an older gate with reasoning in it is never published; the next analyze redoes it."""
    import json

    def with_reasoning(day: dict) -> None:
        summary = {key: value for key, value in day["summary"].items() if key != "gate"}
        day["summary"] = {**summary, "markdown": f"<think>{REASONING}</think>\n{summary['markdown']}"}

    config, root, path = _stored_by_an_older_gate(tmp_path, f"days/{DAY}.json", with_reasoning)
    page = (root / "site" / "digest" / DAY / "index.html").read_text(encoding="utf-8")
    assert REASONING not in page and "&lt;think&gt;" not in page
    assert "本期共收录 10 篇论文" in page  # the offline summary stands in, and says it is one
    assert "本摘要由离线分析器根据当天论文的标题、标签与链接生成" in page
    quirk = _analyze_again(config)
    assert [s.key for s in quirk.faults.requests("summary")] == [DAY] and not quirk.faults.requests("analysis")
    stored = json.loads(path.read_text(encoding="utf-8"))["summary"]
    assert REASONING not in stored["markdown"] and stored["gate"] >= 1


def test_request_settings_are_part_of_the_result_key(tmp_path):
    """Adding the documented switch (extra_body) re-analyzes with ``reanalyze: stale``, and only then."""
    quirk = Quirk("qwen3-no-parser")
    with FakeOpenAI(behaviour_for=quirk) as fake:
        config = S.make_site(tmp_path / "site", {"base_url": fake.base_url, **BASE}, keep_days=[DAY])
        pipeline.analyze(*reversed(S.load(config)))
        first = len(fake.requests)
        S.set_llm(config, extra_body={"chat_template_kwargs": {"enable_thinking": False}})
        pipeline.analyze(*reversed(S.load(config)))
        assert len(fake.requests) == first  # reanalyze: never
        S.set_llm(config, reanalyze="stale")
        report = pipeline.analyze(*reversed(S.load(config)))
        redone = fake.requests[first:]
    assert report.analyzed == 10 and len([b for b in redone if S.task_of(b) == "analysis"]) == 10
    assert all(b["chat_template_kwargs"] == {"enable_thinking": False} for b in redone)


@pytest.mark.parametrize("quirk, llm, expect", [
    ("openai-reasoning", {"model": "my-reasoner"}, ["token_parameter: max_completion_tokens",
                                                    "send_temperature: false"]),
    ("stream-only", {"model": "qwq-like"}, ["stream: true"]),
    ("qwen3-no-parser", {"provider": "vllm"}, ["provider: vllm", "structured_output: json_schema"]),
])
def test_check_command_tries_the_endpoint_and_prints_the_options(tmp_path, quirk, llm, expect):
    with FakeOpenAI(behaviour_for=Quirk(quirk)) as fake:
        config = S.make_site(tmp_path / "site", {"base_url": fake.base_url, **llm}, keep_days=[DAY])
        before = S.file_bytes(tmp_path / "site" / "data")
        proc = S.run_cli(config, "check")
        requests = len(fake.requests)
    assert proc.returncode == 0, proc.output
    assert 3 <= requests <= 6 and f"requests: {requests} (nothing stored)" in proc.stdout
    assert S.file_bytes(tmp_path / "site" / "data") == before
    pasted = yaml.safe_load(proc.stdout.split("options to paste under the plugin's llm: (mkdocs.yml)\n")[1])
    for line in expect:
        key, value = line.split(": ")
        assert str(pasted["llm"][key]).lower() == value, proc.stdout
    assert "text: ok" in proc.stdout and "structured output: ok" in proc.stdout and "streaming: ok" in proc.stdout


def test_check_command_stops_at_a_refused_key(tmp_path):
    with FakeOpenAI(behaviour_for=Quirk("quota")) as fake:
        config = S.make_site(tmp_path / "site", {"base_url": fake.base_url}, keep_days=[DAY])
        proc = S.run_cli(config, "check")
        requests = len(fake.requests)
    assert proc.returncode == 1 and requests == 1, proc.output
    assert "quota or balance exhausted (HTTP 429: You exceeded your current quota" in proc.stdout
