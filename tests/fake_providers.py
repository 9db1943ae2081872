"""Provider quirks for :class:`fake_openai.FakeOpenAI`, each as the provider's documentation or bug tracker
describes it (sources beside each one, and in the README's "Providers" table).

``Quirk(name).behaviour`` is a ``behaviour_for`` (it wraps :class:`llm_support.Faults`, so requests are
recorded per task and paper). Every quirk answers the way the provider does *for every paper*; a quirk
that only some papers meet (a content filter, a context overflow) hits :data:`TARGET` only.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import llm_support as S
from fake_openai import Reply, default_responder

TARGET = "2601.16982"  # a paper of 2026-01-26
#: Sentinels: text of a bad answer that must never reach a page.
REASONING = "嗯，用户让我分析这篇论文，我先想一想摘要里说了什么，然后再组织答案的结构。"
LEAD_IN = "Sure! Here is the analysis of the paper you asked for."
CUT = "本文方法在敏感内容处被截断"




def thinking_off(body: dict) -> bool:
    """Whether the request carries one of the documented switches turning thinking off (or, OpenRouter's
    ``reasoning: {exclude: true}``, keeping it out of the answer)."""
    kwargs = body.get("chat_template_kwargs") or {}
    return (kwargs.get("enable_thinking") is False or body.get("enable_thinking") is False
            or body.get("think") is False or (body.get("thinking") or {}).get("type") == "disabled"
            or body.get("reasoning_effort") == "none" or (body.get("reasoning") or {}).get("exclude") is True)


def bold_headings(text: str) -> str:
    """The answer's ``### N. Title`` headings as bold lines (the legacy digests' model output)."""
    return "\n".join(f"**{line[4:].strip()}**" if line.startswith("### ") else line for line in text.splitlines())


def error_reply(status: int, message: str, code: str | None = None) -> Reply:
    return Reply(message, status=status, message={"code": code} if code else {})


# name → (behaviour of one request, given the body and the Faults record of it)
QUIRKS: dict[str, Callable[[dict, S.Faults, str, str | None], Any]] = {}


def quirk(name: str):
    def register(function):
        QUIRKS[name] = function
        return function
    return register


@quirk("qwen3-no-parser")
def _qwen3(body, faults, task, key):
    """vLLM/llama.cpp serving Qwen3 without a reasoning parser: <think>…</think> in content unless
    chat_template_kwargs.enable_thinking is false (docs.vllm.ai features/reasoning_outputs)."""
    answer = faults_default(body)
    return answer if thinking_off(body) else f"<think>\n{REASONING}\n</think>\n\n{answer}"


@quirk("thinking-only")
def _thinking_only(body, faults, task, key):
    """Qwen3-*-Thinking-2507, DeepSeek-R1-0528 templates: <think> is in the prompt, the answer holds the
    reasoning, a lone </think>, then the answer, whatever the switches (vllm qwen3_reasoning_parser)."""
    return f"{REASONING}\n</think>\n\n{faults_default(body)}"


@quirk("reasoning-content")
def _reasoning_content(body, faults, task, key):
    """DeepSeek deepseek-reasoner, DashScope: reasoning in message.reasoning_content (api-docs.deepseek.com,
    guides/reasoning_model); vLLM ≥ 0.10 and OpenRouter: in message.reasoning."""
    return Reply(faults_default(body), message={"reasoning_content": REASONING, "reasoning": REASONING})


@quirk("bold-headings-lead-in")
def _bold(body, faults, task, key):
    """Headings as bold lines after an English lead-in (legacy digests; chatty models)."""
    answer = faults_default(body)
    return answer if task == "fields" else f"{LEAD_IN}\n\n{bold_headings(answer)}"


@quirk("glm-sensitive")
def _glm(body, faults, task, key):
    """Zhipu GLM: finish_reason "sensitive" (content filtered mid-answer) for one paper."""
    if key == TARGET and task == "analysis":
        return Reply(faults_default(body)[:200] + CUT, finish_reason="sensitive")
    return None


@quirk("content-filter")
def _filter(body, faults, task, key):
    """OpenAI / Gemini: finish_reason "content_filter" for one paper."""
    if key == TARGET and task == "analysis":
        return Reply(faults_default(body)[:200] + CUT, finish_reason="content_filter")
    return None


@quirk("openai-reasoning")
def _o_series(body, faults, task, key):
    """OpenAI o-series / GPT-5: max_tokens and non-default temperature refused (openai/openai-python#2046)."""
    if "max_tokens" in body:
        return error_reply(400, "Unsupported parameter: 'max_tokens' is not supported with this model. "
                                "Use 'max_completion_tokens' instead.", "unsupported_parameter")
    if "temperature" in body and body["temperature"] != 1:
        return error_reply(400, f"Unsupported value: 'temperature' does not support {body['temperature']} with "
                                "this model. Only the default (1) value is supported.", "unsupported_value")
    return None


@quirk("kimi-temperature")
def _kimi(body, faults, task, key):
    """Moonshot Kimi K2.5+: "invalid temperature: only 1 is allowed for this model" (HKUDS/nanobot#4967)."""
    if "temperature" in body and body["temperature"] != 1:
        return error_reply(400, "invalid temperature: only 1 is allowed for this model")
    return None


@quirk("stream-only")
def _stream_only(body, faults, task, key):
    """DashScope qwq-plus and thinking-only Qwen3: non-streaming calls refused."""
    if not body.get("stream"):
        return error_reply(400, "This model only support stream mode, please enable the stream parameter.",
                           "invalid_parameter_error")
    return Reply(faults_default(body), message={"reasoning_content": REASONING})


@quirk("error-in-200")
def _error_200(body, faults, task, key):
    """OpenRouter: an error after generation started comes as HTTP 200 with an error object
    (openrouter.ai/docs/api/errors); once for the target paper's analysis."""
    if key == TARGET and task == "analysis" and faults.counts[(key, task)] == 1:
        return Reply("", raw={"error": {"code": 502, "message": "Provider returned error"}})
    return None


@quirk("error-in-200-always")
def _error_200_always(body, faults, task, key):
    if key == TARGET and task == "analysis":
        return Reply("", raw={"error": {"code": 502, "message": "Provider returned error"}})
    return None


@quirk("empty-choices")
def _empty_choices(body, faults, task, key):
    """Azure OpenAI's content filter on the prompt: HTTP 200 with ``choices: []``, always for one paper."""
    if key == TARGET and task == "analysis":
        return Reply("", raw={"id": "chatcmpl-x", "object": "chat.completion", "choices": [],
                              "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {
                                  "violence": {"filtered": True, "severity": "medium"}}}]})
    return None


@quirk("refusal-field")
def _refusal(body, faults, task, key):
    """OpenAI structured outputs: content null and ``refusal`` set, for one paper."""
    if key == TARGET and task == "analysis":
        return Reply(None, message={"refusal": "I'm sorry, I can't assist with that request."})
    return None


@quirk("schema-501")
def _schema_501(body, faults, task, key):
    """An endpoint that answers 501 to a json_schema keyword it does not implement."""
    if (body.get("response_format") or {}).get("type") == "json_schema":
        return error_reply(501, "response_format json_schema: keyword 'maxItems' is not supported")
    if task == "fields" and "response_format" not in body:
        return S.fenced_fields(body)
    return None


@quirk("quota")
def _quota(body, faults, task, key):
    """OpenAI: 429 insufficient_quota; retrying never helps."""
    return error_reply(429, "You exceeded your current quota, please check your plan and billing details.",
                       "insufficient_quota")


@quirk("context-length")
def _context(body, faults, task, key):
    """vLLM/OpenAI: the prompt and max_tokens exceed the context, for one paper."""
    if key == TARGET and task == "analysis":
        return error_reply(400, "This model's maximum context length is 4096 tokens. However, you requested "
                                "4633 tokens (537 in the messages, 4096 in the completion).",
                           "context_length_exceeded")
    return None


@quirk("stream-error")
def _stream_error(body, faults, task, key):
    """OpenRouter: an error event mid-stream, once for the target paper's analysis."""
    if key == TARGET and task == "analysis" and faults.counts[(key, task)] == 1:
        return Reply(faults_default(body), stream_error={"code": 502, "message": "Provider disconnected"})
    return None


def faults_default(body: dict) -> str:
    """The fake's usual answer (fenced JSON for a fields request without response_format)."""
    if S.task_of(body) == "fields" and "response_format" not in body:
        return S.fenced_fields(body)
    if (body.get("response_format") or {}).get("type") == "json_object":
        return json.dumps(json.loads(S.fenced_fields(body).strip("`\njson")), ensure_ascii=False)
    return default_responder(body)


class Quirk:
    """A ``behaviour_for`` answering as the named provider quirk does."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.faults = S.Faults()
        self.rule = QUIRKS[name]

    def __call__(self, body: dict) -> Any:
        self.faults(body)  # records the request, its task and paper
        task = S.task_of(body)
        key = self.faults.key_of(body, task)
        got = self.rule(body, self.faults, task, key)
        return got if got is not None else faults_default(body)

    def per_paper(self) -> dict[str, int]:
        """Requests per paper (analysis and fields)."""
        out: dict[str, int] = {}
        for seen in self.faults.requests():
            if seen.task in ("analysis", "fields"):
                out[seen.key] = out.get(seen.key, 0) + 1
        return out
