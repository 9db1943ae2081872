"""The analyses and executive summaries of legacy digests, cleaned as the LLM's answers are before they are
stored: no chatter before the first section ("好的，我将以……的视角"), no banner restating the paper's title, no echo
of the prompt's input (``**Title:** …``, the English abstract), sections as ``### N. Title`` headings.

The legacy tool asked for one of two analyses (the same seven sections as the plugin's full-text prompt, or five
for an abstract); a body in neither form is kept as it came, minus its lead-in.
"""

from __future__ import annotations

import re

from ...analysis import answers, checks

# The legacy prompts' sections, as their headings name them (matched inside the heading's text).
SECTIONS = {
    "full": ["摘要翻译", "方法动机分析", "方法设计详解", "方法对比分析", "实验分析", "实用指南", "总结"],
    "abstract": ["论文的主要贡献", "关键创新", "潜在影响", "相关领域或应用", "局限性"],
}
_MIN_SECTIONS = 3  # fewer recognised headings: not one of the legacy forms
_SECTION_HEADING = re.compile(r"^### \d+\. (.+)$", re.M)
_LABEL = re.compile(r"^\*\*([^*\n]{1,40}?)\s*[:：]?\s*\*\*\s*[:：]?\s*$")  # a whole line in bold: a section label
_BANNER = re.compile(r"摘要|summary|报告|速览|精选", re.I)
_LENGTH_NOTE = re.compile(r"\s*[（(]\s*\d+\s*字\s*[）)]")  # "(16字)": the prompt's length limit, echoed


def clean_body(body: str) -> tuple[str, str | None]:
    """The analysis in the plugin's form, and the legacy prompt's form it was in (None: neither)."""
    best, kind_found, found = body, None, 0
    for kind, sections in SECTIONS.items():
        text = answers.normalize_sections(body, sections)
        count = len(_SECTION_HEADING.findall(text))
        if count > found:
            best, kind_found, found = text, kind, count
    if found < _MIN_SECTIONS:
        return answers.drop_lead_in(body).strip() + "\n", None
    return best, kind_found


def _section(body: str, title: str) -> str:
    """The text of the ``### N. title`` section of a cleaned body ("" when absent)."""
    match = re.search(rf"^### \d+\. {re.escape(title)}\n(.*?)(?=^### |\Z)", body, re.M | re.S)
    return match.group(1) if match else ""


def _first_sentence(text: str) -> str:
    text = re.sub(r"\*\*|__|`", "", text).strip(" *-:：")
    text = _LENGTH_NOTE.sub("", text)
    end = text.find("。")
    return text[: end + 1] if end >= 0 else text


def core_idea(body: str, kind: str | None, source: str) -> str | None:
    """A one-sentence TL;DR in the analysis' own words: the first sentence of its main contribution (abstract
    form) or the core idea of its summary (full form); None when there is none that passes the TL;DR checks."""
    if kind == "abstract":
        paragraph = _section(body, "论文的主要贡献").strip().split("\n\n")[0]
    elif kind == "full":
        match = re.search(r"核心思想\W*?[:：]\s*(.+)", _section(body, "总结"))
        paragraph = match.group(1) if match else ""
    else:
        return None
    sentence = _first_sentence(paragraph)
    if not 8 <= len(sentence) <= 160:
        return None
    try:
        return checks.check_tldr(sentence, "zh", source)  # the legacy tool wrote Chinese
    except checks.Invalid:
        return None


def clean_summary(text: str) -> str:
    """An executive summary without its lead-in and banner line, its bold labels as ``###`` headings."""
    lines = text.strip().splitlines()
    first = next((i for i, line in enumerate(lines) if _LABEL.match(line) or line.startswith("#")), None)
    if first is None:
        return text.strip() + "\n"
    lines = lines[first:]
    if _LABEL.match(lines[0]) and _BANNER.search(lines[0]):
        lines = lines[1:]  # "**执行摘要：2026 年 1 月 23 日 …**": the page has its own title and date
    out = [f"### {m.group(1)}" if (m := _LABEL.match(line)) else line for line in lines]
    return "\n".join(out).strip().strip("-").strip() + "\n"
