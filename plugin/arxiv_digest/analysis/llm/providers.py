"""What each OpenAI-compatible endpoint accepts: the one home of provider differences.

A :class:`Profile` says, for one provider, the token-limit parameter, whether ``temperature`` may be sent,
the structured-output mode, the body fields that turn thinking off and whether streaming is required.
``llm.provider: auto`` picks it from ``base_url``'s host; a few model families change it (OpenAI's reasoning
models, Kimi's fixed-temperature models, DashScope's stream-only ones); every setting can be overridden by
an ``llm`` option. Sources, per provider (README, "Providers"):

- openai: o-series and GPT-5 refuse ``max_tokens`` ("Use 'max_completion_tokens' instead",
  openai/openai-python#2046) and any temperature but the default.
- deepseek: ``deepseek-reasoner`` returns ``reasoning_content`` beside ``content``; JSON Output is
  ``json_object`` (api-docs.deepseek.com, guides/reasoning_model, guides/json_mode).
- dashscope: Qwen3 hybrid models need ``enable_thinking: false`` for non-streaming calls ("parameter.
  enable_thinking must be set to false for non-streaming calls", langchain4j/langchain4j#3974); QwQ/QVQ and
  the thinking-only models answer only in stream mode.
- vllm / llama.cpp: Qwen3 thinks unless ``chat_template_kwargs: {enable_thinking: false}``; without a
  reasoning parser (``--reasoning-parser qwen3``, ``--reasoning-format``) ``<think>`` arrives in ``content``
  (docs.vllm.ai, features/reasoning_outputs).
- ollama: ``think: false`` turns thinking off (docs.ollama.com, capabilities/thinking).
- openrouter: errors after generation started come as HTTP 200 with an ``error`` object or SSE event;
  402 is "insufficient credits" (openrouter.ai/docs/api/errors); ``reasoning: {exclude: true}``.
- gemini: ``reasoning_effort: none`` turns thinking off on Flash models (ai.google.dev, gemini-api/docs/openai).
- moonshot: Kimi K2.5+ and the thinking models refuse temperatures other than their fixed one ("invalid
  temperature: only 1 is allowed for this model", HKUDS/nanobot#4967): temperature is not sent.
- zhipu: ``thinking: {type: disabled}``; finish_reason ``sensitive`` / ``network_error`` (docs.bigmodel.cn).
- siliconflow: ``enable_thinking: false`` for its hybrid Qwen3/GLM models (docs.siliconflow.cn).

What a run learns from an error (a parameter refused, a mode unsupported, streaming required) is applied to
every later request of every worker thread, under a lock, reported once, and listed with the option that
makes it permanent (:meth:`Provider.learned`).
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from ...config import LLMConfig

MODES = ("json_schema", "json_object", "prompt")  # structured output, best first


@dataclass(frozen=True)
class Profile:
    """The request settings of one provider."""

    name: str
    token_parameter: str = "max_tokens"
    temperature: bool = True
    structured: str = "json_schema"
    thinking_off: dict[str, Any] = field(default_factory=dict)
    stream: bool = False


PROFILES: dict[str, Profile] = {p.name: p for p in [
    Profile("generic"),
    Profile("openai", token_parameter="max_completion_tokens"),
    Profile("deepseek", structured="json_object"),
    Profile("dashscope", structured="json_object", thinking_off={"enable_thinking": False}),
    Profile("vllm", thinking_off={"chat_template_kwargs": {"enable_thinking": False}}),
    Profile("llama.cpp", thinking_off={"chat_template_kwargs": {"enable_thinking": False}}),
    Profile("ollama", thinking_off={"think": False}),
    Profile("openrouter", thinking_off={"reasoning": {"exclude": True}}),
    Profile("gemini", thinking_off={"reasoning_effort": "none"}),
    Profile("moonshot", structured="json_object"),
    Profile("zhipu", structured="json_object", thinking_off={"thinking": {"type": "disabled"}}),
    Profile("siliconflow", structured="json_object", thinking_off={"enable_thinking": False}),
]}

_HOSTS = [  # (host suffix, profile)
    ("api.openai.com", "openai"), ("openai.azure.com", "openai"), ("api.deepseek.com", "deepseek"),
    ("dashscope.aliyuncs.com", "dashscope"), ("dashscope-intl.aliyuncs.com", "dashscope"),
    ("openrouter.ai", "openrouter"), ("generativelanguage.googleapis.com", "gemini"),
    ("api.moonshot.cn", "moonshot"), ("api.moonshot.ai", "moonshot"), ("open.bigmodel.cn", "zhipu"),
    ("api.z.ai", "zhipu"), ("api.siliconflow.cn", "siliconflow"), ("api.siliconflow.com", "siliconflow"),
]
_PORTS = {11434: "ollama"}  # Ollama's default port; vLLM (8000) and llama.cpp (8080) share theirs with others

_OPENAI_REASONING = re.compile(r"^(?:.*/)?(?:o\d|gpt-5)", re.I)
_FIXED_TEMPERATURE = re.compile(r"^(?:.*/)?(?:kimi-k2\.[5-9]|kimi-k[3-9]|kimi-.*thinking|deepseek-reasoner)", re.I)
_STREAM_ONLY = re.compile(r"^(?:.*/)?(?:qwq|qvq)|thinking", re.I)


def detect(base_url: str | None, model: str) -> str:
    """The profile ``auto`` stands for: from the endpoint's host (or port), else ``generic``."""
    parts = urlsplit(base_url or "https://api.openai.com/v1")
    host = (parts.hostname or "").lower()
    for suffix, name in _HOSTS:
        if host == suffix or host.endswith("." + suffix):
            return name
    try:
        return _PORTS.get(parts.port or 0, "generic")
    except ValueError:
        return "generic"


def profile_for(config: LLMConfig, model: str) -> Profile:
    """The settings of ``model`` at the configured endpoint: the provider's profile, what the model family
    needs, then the ``llm`` options that override them."""
    name = config.provider if config.provider != "auto" else detect(config.base_url, model)
    profile = PROFILES[name]
    if _OPENAI_REASONING.match(model) and name in ("openai", "openrouter", "generic"):
        profile = replace(profile, token_parameter="max_completion_tokens", temperature=False)
    if _FIXED_TEMPERATURE.match(model):
        profile = replace(profile, temperature=False)
    if name == "dashscope" and _STREAM_ONLY.search(model):
        profile = replace(profile, stream=True)
    overrides: dict[str, Any] = {}
    if config.token_parameter != "auto":
        overrides["token_parameter"] = config.token_parameter
    if config.send_temperature is not None:
        overrides["temperature"] = config.send_temperature
    if not config.json_schema:
        overrides["structured"] = "prompt"  # the option's meaning before structured_output: parse plain text
    if config.structured_output != "auto":
        overrides["structured"] = config.structured_output
    if config.thinking != "off":
        overrides["thinking_off"] = {}
    if config.stream != "auto":
        overrides["stream"] = config.stream == "true"
    return replace(profile, **overrides)


def settings_key(config: LLMConfig, model: str) -> str:
    """Hash of everything in a request that changes the answer but the prompt: a result key's part.
    What a run learns is left out (it adapts the same settings to what the endpoint accepts)."""
    profile = profile_for(config, model)
    parts = [profile.name, profile.token_parameter, profile.temperature and config.temperature, profile.structured,
             profile.thinking_off, dict(config.extra_body), config.max_tokens,
             config.full_text and config.full_text_max_tokens]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:12]


# What an error message says about the request, and the option that makes the lesson permanent.
_TOKEN_PARAM = re.compile(r"max_completion_tokens|max_tokens.{0,40}(?:not supported|unsupported|deprecated)", re.I)
_TEMPERATURE = re.compile(r"temperature", re.I)
_STREAM = re.compile(r"stream(?:ing)?\s*mode|only supports? stream|non-?stream|stream\s*=\s*false|"
                     r"stream.{0,20}required|must.{0,20}stream", re.I)
_STRUCTURED = re.compile(r"response_format|json_schema|json schema|structured output|json_object|schema|grammar",
                         re.I)


class Provider:
    """Request bodies for one endpoint, and what the run has learned it refuses (thread-safe)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._learned: dict[str, dict[str, Any]] = {}  # model → field of Profile → value
        self._notes: dict[str, str] = {}  # lesson → the option that makes it permanent

    def profile(self, model: str) -> Profile:
        """The profile of ``model`` with what this run learned applied."""
        with self._lock:
            learned = dict(self._learned.get(model, {}))
        return replace(profile_for(self.config, model), **learned)

    def body(self, model: str, system: str, user: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        """The ``chat.completions.create`` arguments; ``schema`` asks for JSON in the profile's mode."""
        profile = self.profile(model)
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            profile.token_parameter: self.config.max_tokens,
        }
        if profile.temperature:
            body["temperature"] = self.config.temperature
        extra = _merge(profile.thinking_off, dict(self.config.extra_body))
        if extra:
            body["extra_body"] = extra
        if schema is not None and profile.structured == "json_schema":
            body["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": "answer", "schema": schema, "strict": True}}
        elif schema is not None and profile.structured == "json_object":
            body["response_format"] = {"type": "json_object"}
        if profile.stream:
            body["stream"] = True
            body["stream_options"] = {"include_usage": True}
        return body

    def batch_body(self, model: str, system: str, user: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
        """The request body of one line of a batch file: :meth:`body` as the ``openai`` client would send it
        (``extra_body`` merged into the JSON), never streamed (a batch line is answered whole)."""
        body = self.body(model, system, user, schema)
        body.pop("stream", None)
        body.pop("stream_options", None)
        return {**{k: v for k, v in body.items() if k != "extra_body"}, **body.get("extra_body", {})}

    def learn(self, body: dict[str, Any], status: int | None, message: str) -> str | None:
        """After an error to ``body``: what to change so the request can go again, applied for the rest of the
        run; None when the error says nothing the request can change."""
        model = body["model"]
        profile = self.profile(model)
        change: dict[str, Any] = {}
        option = ""
        if "max_tokens" in body and _TOKEN_PARAM.search(message):
            # Only OpenAI's reasoning models ask for it, and they refuse any temperature but the default too:
            # one lesson for both, rather than one refused request each.
            change = {"token_parameter": "max_completion_tokens", "temperature": False}
            option = "token_parameter: max_completion_tokens, llm.send_temperature: false"
        elif "temperature" in body and _TEMPERATURE.search(message):
            change, option = {"temperature": False}, "send_temperature: false"
        elif not body.get("stream") and self.config.stream != "false" and _STREAM.search(message):
            change, option = {"stream": True}, "stream: true"
        elif any(key in message for key in set(_keys(profile_for(self.config, model).thinking_off))
                 & set(_keys(body.get("extra_body") or {}))):
            change, option = {"thinking_off": {}}, "thinking: default"
        elif "response_format" in body and (_STRUCTURED.search(message) or status == 400):
            # json_schema → json_object → prompt only (the task's prompt asks for JSON either way). Workers
            # refused at once each step down from the mode they sent, never below what another one learned.
            sent = body["response_format"].get("type", "json_schema")
            mode = MODES[max(MODES.index(sent) + 1, MODES.index(profile.structured))]
            change, option = {"structured": mode}, f"structured_output: {mode}"
        if not change:
            return None
        with self._lock:
            self._learned.setdefault(model, {}).update(change)
            first = option not in self._notes
            if first:
                self._notes[option] = (f"the endpoint refused a request to {model} ({message[:120]}); "
                                       f"set llm.{option} to make the fallback permanent")
        return self._notes[option] if first else ""

    def learned(self) -> list[str]:
        """What this run learned, each with the option to set in ``mkdocs.yml``."""
        with self._lock:
            return list(self._notes.values())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` updated with ``over``, nested mappings merged (``extra_body``'s ``chat_template_kwargs`` keeps
    the profile's ``enable_thinking`` unless it sets it itself)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else copy.deepcopy(value)
    return out


def _keys(value: Any) -> list[str]:
    """Every key of a nested mapping (the names an error message may quote)."""
    if not isinstance(value, dict):
        return []
    return [k for key, sub in value.items() for k in (key, *_keys(sub))]
