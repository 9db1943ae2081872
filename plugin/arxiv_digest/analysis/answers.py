"""Answer normalisation: what an endpoint's answer becomes before the validation gate sees it.

Endpoints deviate from the chat-completions contract in documented ways; each rule below names its source.

- Reasoning is never content. Qwen3 served by vLLM without ``--reasoning-parser`` or by llama.cpp with
  ``--reasoning-format none`` answers ``<think>…</think>`` then the answer; thinking-only templates
  (Qwen3 *-Thinking-2507, DeepSeek-R1-0528) put ``<think>`` in the prompt, so the answer holds reasoning, a
  lone ``</think>``, then the answer (docs.vllm.ai, vllm/reasoning/qwen3_reasoning_parser.py; SGLang
  "Reasoning Parser"). Kimi K2 Thinking uses ``◁think▷…◁/think▷``. ``reasoning_content`` (DeepSeek,
  DashScope, llama.cpp) and ``reasoning`` (vLLM ≥ 0.10, OpenRouter, Ollama) fields are never read.
- A lead-in ("Sure! Here is the analysis…", "好的，以下是……") before the first section heading is dropped.
- Section headings come as ``#``–``####``, as bold lines (``**1. 摘要翻译**``, the form of the legacy
  digests' own model output) or as ``1.`` / ``1、`` / ``一、`` numbered lines; they are rewritten to the
  site's form, ``### N. Title``.
- JSON may come inside a Markdown fence or after a lead-in.

Pure functions; the gate (:mod:`.checks`) decides on what they return.
"""

from __future__ import annotations

import json
import re
from typing import Any

# <think>…</think> and its kin; a closing tag with no opening one (the opening tag was in the prompt).
_OPEN = r"<\s*(?:think|thinking|reasoning|thought)\s*>|◁think▷"
_CLOSE = r"<\s*/\s*(?:think|thinking|reasoning|thought)\s*>|◁/think▷"
_PAIRED = re.compile(rf"(?:{_OPEN}).*?(?:{_CLOSE})", re.S | re.I)
_CLOSE_RE = re.compile(_CLOSE, re.I)
_OPEN_RE = re.compile(_OPEN, re.I)
#: Any reasoning marker: a text holding one after normalisation still carries reasoning.
REASONING_MARK = re.compile(rf"{_OPEN}|{_CLOSE}", re.I)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def carries_reasoning(text: str) -> bool:
    """Whether ``text`` holds a reasoning marker outside inline code (an analysis may quote a paper's own
    ``<think>plan</think>`` format as code: a mention, not the model's reasoning)."""
    return bool(REASONING_MARK.search(_CODE_SPAN.sub("", text)))


class ReasoningOnly(ValueError):
    """The answer is reasoning that never reached its end (an unclosed ``<think>``)."""


def strip_reasoning(text: str) -> str:
    """``text`` without reasoning: paired blocks, then everything up to a lone closing tag.

    An opening tag never closed means the answer is all reasoning (cut off while thinking):
    :class:`ReasoningOnly` is raised."""
    text = _PAIRED.sub("", text or "")
    closes = list(_CLOSE_RE.finditer(text))
    if closes:
        text = text[closes[-1].end():]
    if _OPEN_RE.search(text):
        raise ReasoningOnly("answer is reasoning only (think tag never closed)")
    return text.strip()


_CN_NUM = "一二三四五六七八九十"
# A heading-like line: optional Markdown heading marks or bold, an optional number, then the title.
_NUMBER = rf"(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*[.．、:：)）]?"
_HEADING_LINE = re.compile(
    rf"^\s*(?P<marks>#{{1,6}}\s*)?(?P<bold>\*\*|__)?\s*(?:(?P<num>{_NUMBER})\s*)?(?P<rest>.+?)\s*$")


def _heading_title(line: str, section: str) -> tuple[bool, str]:
    """Whether ``line`` is a heading of ``section`` in one of the accepted forms; and any text that followed
    a bold heading on the same line (``**1. 贡献：** 本文……``)."""
    match = _HEADING_LINE.match(line)
    if not match or section.lower() not in line.lower():
        return False, ""
    rest = match.group("rest")
    if match.group("bold"):
        inner, sep, after = rest.partition(match.group("bold"))
        if not sep or section.lower() not in inner.lower():
            return False, ""
        # "**1. Title** (2-3 sentences)" or "**Title：** text": the title part must be short.
        return len(inner) <= len(section) + 40, after.strip(" :：")
    if match.group("marks"):
        return True, ""
    if match.group("num"):
        # A numbered line is a heading only when it is short (not a list item that mentions the title).
        return len(rest) <= len(section) + 20, ""
    return False, ""


def normalize_sections(text: str, sections: list[str], numbered: bool = True, level: int = 3) -> str:
    """``text`` with each section's heading rewritten as the prompt asks (``### N. Title``, or ``### Title``
    when not ``numbered``) and any lead-in before the first one dropped; a section without a recognisable
    heading is left out of the rewriting (the gate then names it missing)."""
    lines = text.splitlines()
    found: list[tuple[int, int, str]] = []  # (line index, section number, text after a bold heading)
    start = 0
    for number, section in enumerate(sections, 1):
        for index in range(start, len(lines)):
            ok, after = _heading_title(lines[index], section)
            if ok:
                found.append((index, number, after))
                start = index + 1
                break
    if not found:
        return text
    out = []
    marks = "#" * level
    for position, (index, number, after) in enumerate(found):
        end = found[position + 1][0] if position + 1 < len(found) else len(lines)
        title = sections[number - 1]
        out.append(f"{marks} {number}. {title}" if numbered else f"{marks} {title}")
        body = ([after] if after else []) + lines[index + 1:end]
        out.append("\n".join(body).strip("\n"))
    return "\n\n".join(part for part in out if part).strip() + "\n"


def drop_lead_in(text: str) -> str:
    """Free text (a summary) without the chatter before its first Markdown heading."""
    match = re.search(r"^#{1,6}\s", text, re.M)
    return text[match.start():] if match else text


_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.S)


def find_json(text: str) -> Any:
    """The first JSON object of ``text``: inside a fence, after a lead-in, or the whole text."""
    decoder = json.JSONDecoder()
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    error: ValueError | None = None
    for candidate in candidates:
        for match in re.finditer(r"\{", candidate):
            try:
                return decoder.raw_decode(candidate, match.start())[0]
            except ValueError as e:
                error = error or e
    raise error or ValueError("no JSON object in the answer")
