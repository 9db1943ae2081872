"""``arxiv-digest check``: a few tiny requests that show what the configured endpoint accepts.

At most :data:`BUDGET` requests (lessons the provider profile learns included) and nothing stored: the
text, structured-output and streaming requests each go once, and what worked is turned into the ``llm:``
options to paste into ``mkdocs.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...config import LLMConfig
from ..checks import Invalid, check_complete, clean_text, parse_json
from .client import Client, Stop, Usage
from .tasks import model_for

BUDGET = 6
SYSTEM = "You are a test endpoint check. Answer briefly."
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["ok"],
          "properties": {"ok": {"type": "boolean"}}}


@dataclass
class Probe:
    """What the check found."""

    lines: list[str] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)
    ok: bool = True
    requests: int = 0


def check(config: LLMConfig) -> Probe:
    """Run the check against ``config``'s endpoint (never more than :data:`BUDGET` requests)."""
    client = Client(config)
    client.budget = BUDGET
    usage = Usage()
    probe = Probe()
    text_model, json_model = model_for(config, "analysis"), model_for(config, "tags")
    profile = client.provider.profile(text_model)
    probe.lines.append(f"provider profile: {profile.name}" + (" (auto)" if config.provider == "auto" else ""))
    probe.options["provider"] = profile.name

    def step(name: str, run) -> None:
        try:
            probe.lines.append(f"{name}: ok ({run()})")
        except (Invalid, Stop) as error:
            probe.ok = False
            probe.lines.append(f"{name}: FAILED ({error})")

    def text() -> str:
        answer, finish = client.chat(text_model, SYSTEM, "Reply with the single word OK.", usage)
        reasoning = client.saw_reasoning or "<" in answer and "think" in answer.lower()
        cleaned = clean_text(answer, finish)
        if not cleaned:
            raise Invalid("empty answer once reasoning is removed")
        return f"{text_model} answered {cleaned[:40]!r}; reasoning in the answer: {'yes' if reasoning else 'no'}"

    def structured() -> str:
        answer, finish = client.chat(json_model, SYSTEM, 'Answer with the JSON object {"ok": true}.', usage,
                                     schema=SCHEMA)
        check_complete(finish)
        parse_json(answer)
        return f"{json_model}, mode {client.provider.profile(json_model).structured}"

    def streaming() -> str:
        body = client.provider.body(text_model, SYSTEM, "Reply with the single word OK.")
        body.update(stream=True, stream_options={"include_usage": True})
        before = usage.prompt_tokens
        answer, finish = client.send(body, usage)
        check_complete(finish)
        return f"{len(answer)} characters; usage reported: {'yes' if usage.prompt_tokens > before else 'no'}"

    step("text", text)
    step("structured output", structured)
    if client.stopped is None:
        step("streaming", streaming)
    final_text, final_json = client.provider.profile(text_model), client.provider.profile(json_model)
    probe.lines.append(f"token parameter: {final_text.token_parameter}; temperature sent: "
                       f"{'yes' if final_text.temperature else 'no'}; thinking switch: "
                       f"{final_text.thinking_off or 'none'}; streaming required: {'yes' if final_text.stream else 'no'}")
    for key, value in (("token_parameter", final_text.token_parameter), ("structured_output", final_json.structured)):
        probe.options[key] = value
    if not final_text.temperature:
        probe.options["send_temperature"] = False
    if final_text.stream:
        probe.options["stream"] = True
    probe.lines += [f"learned: {note}" for note in client.provider.learned()]
    probe.requests = usage.requests
    return probe
