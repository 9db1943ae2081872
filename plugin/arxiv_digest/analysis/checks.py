"""The validation gate: every check an answer must pass before it is stored (or imported) as done.

One place for each reason an answer is turned away; the LLM tasks (``llm.tasks``) and the legacy
importer call these checks (on answers normalised by :mod:`.answers`: reasoning removed, headings in the
site's form), ``model.is_publishable`` calls :func:`publish_problem` at build time, and the reason they give is what the site owner sees on a pending paper:

- not ended normally (only ``finish_reason: stop`` is; ``length``, ``content_filter``, GLM's ``sensitive``…
  are not), reasoning only, empty, not valid JSON, not matching the schema;
- no analysis at all (:func:`check`): a request for the paper text, a refusal, a template left
  unfilled, or a line or two that only announces an analysis;
- in the wrong language (share of Han characters, :data:`i18n.HAN_RE`);
- without the required section headings;
- a TL;DR with numbers that are not in the paper;
- a day summary dated with another day than the digest's.

Non-answers, in more detail. LLMs asked to analyse a paper sometimes answer with no analysis at all:

- a request for input: "好的，我将……分析。请提供论文的文本内容" or
  "Please provide the paper you would like me to analyze";
- a refusal: "I cannot access external links", "As an AI language model, ...";
- a template left unfilled: "[在此处插入摘要]", "TODO", "Lorem ipsum", "待补充";
- a line or two that only announces an analysis.

Such text must never be published as an analysis. The decision looks at the
whole text: a long, structured analysis that opens with "好的，我将……分析" or
ends with "如需更深入的分析，请提供全文" is an analysis, because what is left
once the request/refusal sentences are taken out is substantial.

Pure functions (the schema check imports ``jsonschema`` when first used).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import i18n
from . import answers

__all__ = ["Invalid", "Verdict", "check", "substance", "MIN_CHARS", "MIN_SUBSTANCE", "check_complete", "check_text",
           "cjk_share", "check_sections", "numbers", "check_numbers", "parse_json", "check_schema", "check_json",
           "check_dates", "NORMAL_STOPS", "clean_text", "check_analysis", "GATE", "publish_problem"]

#: Fewer non-space characters than this is too short to be an analysis at all.
MIN_CHARS = 120
#: A text that asks for input or refuses is still an analysis when what is left
#: without those sentences has at least this many non-space characters.
MIN_SUBSTANCE = 400


class Invalid(Exception):
    """An answer that must not be stored as done; the message is the reason shown to the site owner (on pages
    too), ``detail`` the endpoint's own words (stored, shown by the command line only: untrusted text)."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason)
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """Why a text is not an analysis."""

    kind: str  # "empty" | "request" | "refusal" | "placeholder" | "too_short"
    reason: str  # short English reason


# --- what the text may contain ------------------------------------------------

_DOC = r"(?:论文|文章|文献|全文|原文|正文|文本|内容|摘要|方法部分|材料|PDF|pdf|链接|标题|信息|资料)"
_DOC_EN = r"(?:paper|article|text|content|manuscript|abstract|pdf|document|link|details|information|material)"

# Requests for the input the model should already have had.
_REQUEST = [
    # 请提供论文的文本内容 / 请提供您希望我分析的论文 / 请您上传PDF / 请把论文发给我
    re.compile(r"请(?:您)?(?:先)?(?:提供|上传|粘贴|发送|发给我|给出|分享|贴出|附上|把)[^。！？!?\n]{0,24}?" + _DOC),
    # 您还没有提供论文 / 您尚未提供全文 ("摘要未提供实验细节" is ordinary analysis)
    re.compile(r"(?:您|你)(?:还|尚|并)?(?:没有|未|尚未)(?:能)?(?:提供|给出|上传|附上)[^。！？!?\n]{0,12}?" + _DOC),
    # 在您提供论文之后 / 收到论文后 / 一旦您提供
    re.compile(r"(?:一旦|待|等)(?:您|你)(?:提供|上传|发送)|收到(?:您的)?(?:论文|全文|内容)(?:后|之后)"),
    re.compile(
        r"\b(?:please|kindly)\s+(?:provide|share|paste|upload|send|give|attach|supply)\b[^.!?\n]{0,40}?\b" + _DOC_EN,
        re.I,
    ),
    re.compile(r"\b(?:could|can|would)\s+you\s+(?:please\s+)?(?:provide|share|paste|upload|send)\b[^.!?\n]{0,40}?\b" + _DOC_EN, re.I),
    re.compile(r"\b(?:once|after|when)\s+you\s+(?:provide|share|paste|upload|send)\b", re.I),
    re.compile(
        r"\byou\s+(?:have\s+not|haven't|did\s+not|didn't)\s+(?:provided|provide|shared|share|attached|attach|included|include)\b", re.I
    ),
    re.compile(r"\bno\s+(?:paper|text|content|abstract)\s+(?:was|has\s+been)\s+provided\b", re.I),
]

# Refusals and disclaimers about what the model cannot do.
_REFUSAL = [
    re.compile(r"我(?:目前|暂时)?(?:无法|不能|没有办法|没法)(?:直接)?(?:访问|获取|打开|阅读|查看|浏览|下载|读取|联网|检索|看到)"),
    re.compile(r"作为(?:一个|一名)?(?:AI|人工智能)(?:语言模型|模型|助手)"),
    re.compile(r"(?:抱歉|对不起|很遗憾)[，,]?\s*我(?:无法|不能|没有办法)"),
    re.compile(
        r"\bI\s+(?:cannot|can\s*not|can't|can’t|am\s+unable\s+to|am\s+not\s+able\s+to|don't\s+have\s+(?:the\s+ability|access)|do\s+not\s+have\s+(?:the\s+ability|access))"
        r"\s*(?:to\s+)?(?:directly\s+)?(?:access|browse|open|read|view|retrieve|download|see|fetch|analy[sz]e|help|assist|comply|fulfil)",
        re.I,
    ),
    re.compile(r"\bas\s+an\s+AI\s+(?:language\s+)?(?:model|assistant)\b", re.I),
    re.compile(r"\bI(?:'m|’m|\s+am)\s+sorry,?\s+but\s+I\b", re.I),
    re.compile(r"\bI\s+apologi[sz]e,?\s+but\b", re.I),
    re.compile(r"\bI\s+(?:won't|will\s+not)\s+be\s+able\s+to\b", re.I),
]

# Unfilled templates. These mark a placeholder wherever they occur; "(?!\()"
# keeps Markdown links such as "[Your model](url)" out.
_PLACEHOLDER_ANYWHERE = [
    re.compile(r"[\[【(（<]\s*(?:在此处?|此处|这里)(?:插入|填写|填入|添加|补充)[^\]】)）>\n]{0,60}[\]】)）>](?!\()"),
    # bare "插入/填写" only in square brackets: "（插入到任意网络中）" is ordinary text
    re.compile(r"[\[【<]\s*(?:插入|填写|填入|待填写|待补充)[^\]】>\n]{0,60}[\]】>](?!\()"),
    re.compile(r"\[\s*(?:insert|fill\s+in|placeholder|your\s+(?:text|analysis|content|summary|name))\b[^\]\n]{0,60}\](?!\()", re.I),
    re.compile(r"<\s*(?:insert|placeholder)\b[^>\n]{0,60}>", re.I),
    re.compile(r"\blorem\s+ipsum\b", re.I),
]
# These only count on a line of their own (elsewhere they are ordinary words).
_PLACEHOLDER_LINE = re.compile(
    r"^\s*(?:[-*+]\s+|#+\s+|\d+[.)]\s+)?(?:\*\*)?(?:TODO|TBD|FIXME|待补充|待完善|待填写|占位符?|placeholder)(?:\*\*)?\s*(?:[:：.。…]+.*)?$",
    re.I | re.M,
)

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s|\n")
_WS = re.compile(r"\s+")
_EMPTY = re.compile(r"[\s\-*_=#>`~]+")  # whitespace, rules and bare markup
_MARKUP = re.compile(r"^[\s>#*+\-_=|`~.:：、0-9()（）\[\]]*$")


def _visible(text: str) -> str:
    return _WS.sub("", text)


def substance(text: str, patterns: list[re.Pattern[str]] | None = None) -> int:
    """Non-space characters of ``text`` once sentences matching ``patterns`` and
    bare markup (rules, bullets, heading marks) are dropped."""
    patterns = patterns or []
    size = 0
    for piece in _SENTENCE_END.split(text):
        if not piece or _MARKUP.match(piece):
            continue
        if any(p.search(piece) for p in patterns):
            continue
        size += len(_visible(piece))
    return size


def _first(patterns: list[re.Pattern[str]], text: str) -> re.Match[str] | None:
    found = [m for m in (p.search(text) for p in patterns) if m]
    return min(found, key=lambda m: m.start()) if found else None


def _quote(match: re.Match[str], limit: int = 60) -> str:
    s = _WS.sub(" ", match.group(0)).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def check(text: str | None, *, min_chars: int = MIN_CHARS, min_substance: int = MIN_SUBSTANCE) -> Verdict | None:
    """A :class:`Verdict` when ``text`` is not an analysis, else ``None``."""
    text = (text or "").strip()
    if not _EMPTY.sub("", text):
        return Verdict("empty", "empty text")

    placeholder = _first(_PLACEHOLDER_ANYWHERE, text) or _PLACEHOLDER_LINE.search(text)
    if placeholder:
        return Verdict("placeholder", f"contains placeholder text ({_quote(placeholder)!s})")

    request = _first(_REQUEST, text)
    refusal = _first(_REFUSAL, text)
    if request or refusal:
        left = substance(text, _REQUEST + _REFUSAL)
        if left < min_substance:
            if request:
                return Verdict("request", "asks for the paper text instead of analysing it")
            return Verdict("refusal", "refuses or says it cannot access the paper")

    size = len(_visible(text))
    if size < min_chars:
        return Verdict("too_short", f"too short to be an analysis ({size} characters)")
    return None


# --- answers of the LLM tasks ---------------------------------------------------

NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?")
LATIN_RE = re.compile(r"[A-Za-z]")


#: finish_reason values of a normal end (OpenAI, vLLM, llama.cpp, Ollama, Gemini's OpenAI endpoint: "stop";
#: TGI: "eos_token"). Anything else is not a finished answer: "length", OpenAI's and Gemini's
#: "content_filter", GLM's "sensitive" and "network_error" (docs.bigmodel.cn, chat completions), OpenRouter's
#: "error", a stream that ended without one (None).
NORMAL_STOPS = {"stop", "eos", "eos_token", "end_turn"}


def check_complete(finish_reason: str | None) -> None:
    """Only an answer that ended normally is complete, however it reads."""
    if finish_reason in NORMAL_STOPS:
        return
    if finish_reason == "length":
        raise Invalid("answer cut off at max_tokens (finish_reason=length)")
    if finish_reason is None:
        raise Invalid("answer ended without a finish_reason (cut off)")
    raise Invalid(f"answer did not end normally (finish_reason={str(finish_reason)[:40]})")


def cjk_share(text: str) -> float:
    """Share of Han characters, a Latin letter counting half (English terms are common in Chinese analyses)."""
    cjk, latin = len(i18n.HAN_RE.findall(text)), len(LATIN_RE.findall(text))
    return cjk / (cjk + latin / 2) if cjk + latin else 0.0


def check_text(text: str, finish_reason: str | None, language: str, short: bool = False) -> str:
    """Reasons every free-text answer can fail for; returns the stripped text.

    ``short`` is for fields such as a TL;DR, which are not held to an analysis' length.
    """
    check_complete(finish_reason)
    text = (text or "").strip()
    if not text:
        raise Invalid("empty answer")
    verdict = check(text, min_chars=1, min_substance=10) if short else check(text)
    if verdict:
        raise Invalid(verdict.reason)
    share = cjk_share(text)
    if language == "zh" and share < 0.3:
        raise Invalid(f"answer is not in Chinese (CJK share {share:.2f})")
    if language == "en" and share > 0.05:
        raise Invalid(f"answer is not in English (CJK share {share:.2f})")
    return text


def check_sections(text: str, sections: list[str]) -> None:
    """Each section title must occur in a Markdown heading line (``#`` … ``######``), any case."""
    headings = [line.lstrip("#").strip().lower() for line in text.splitlines() if line.lstrip().startswith("#")]
    missing = [s for s in sections if not any(s.lower() in h for h in headings)]
    if missing:
        raise Invalid(f"missing sections: {', '.join(missing)}")


def numbers(text: str) -> set[str]:
    """The numbers of ``text``, without a percent sign or thousands separators."""
    return {n.rstrip("%").replace(",", "") for n in NUMBER_RE.findall(text)}


def check_numbers(claim: str, source: str) -> None:
    """Numbers in a TL;DR (two digits or more, or decimals) must occur in the source."""
    known = numbers(source)
    made_up = sorted(n for n in numbers(claim) if (len(n) > 1 or "." in n) and n not in known)
    if made_up:
        raise Invalid(f"TL;DR has numbers not in the paper: {', '.join(made_up)}")


def check_tldr(tldr: str, language: str, source: str, what: str = "TL;DR") -> str:
    """One sentence an LLM wrote about a paper (a brief, an imported core idea): no reasoning, a real answer in
    the site's language, no number that ``source`` (its title and abstract) lacks; returns it stripped."""
    if answers.carries_reasoning(tldr):
        raise Invalid(f"{what} carries model reasoning (think tags)")
    text = check_text(tldr, "stop", language, short=True)
    check_numbers(text, source)
    return text


def parse_json(text: str) -> Any:
    """JSON from an answer, without reasoning, tolerating a Markdown code fence or a lead-in around it."""
    try:
        return answers.find_json(answers.strip_reasoning(text))
    except ValueError as error:
        raise Invalid(f"answer is not valid JSON ({error})") from None


def check_schema(data: Any, schema: dict[str, Any], what: str) -> None:
    """``data`` valid against ``schema``; ``what`` names the answer in the reason."""
    import jsonschema  # only runs with an LLM configured: builds without one skip the import

    try:
        jsonschema.validate(data, schema)
    except jsonschema.ValidationError as error:
        raise Invalid(f"{what} does not match the schema: {error.message[:150]}") from None


def check_json(text: str, finish_reason: str | None, schema: dict[str, Any], what: str) -> Any:
    """The data of a JSON answer: complete, parsed, and valid against ``schema``."""
    check_complete(finish_reason)
    data = parse_json(text or "")
    check_schema(data, schema, what)
    return data


def check_dates(text: str, digest_date: str) -> None:
    """A summary dated by the submission day instead of the digest date is wrong."""
    year, month, day = (int(x) for x in digest_date.split("-"))
    found = [(int(y), int(m), int(d)) for y, m, d in re.findall(r"(\d{4})\s*[-/年]\s*(\d{1,2})\s*[-/月]\s*(\d{1,2})", text)]
    found += [(year, int(m), int(d)) for m, d in re.findall(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日", text)]
    wrong = sorted({f"{y}-{m:02d}-{d:02d}" for y, m, d in found if (y, m, d) != (year, month, day)})
    if wrong:
        raise Invalid(f"summary is dated {', '.join(wrong)} instead of the digest date {digest_date}")


# --- answers of the LLM tasks, normalised (:mod:`.answers`) then checked ------------------


def clean_text(text: str | None, finish_reason: str | None) -> str:
    """A complete answer without its reasoning; raises Invalid."""
    check_complete(finish_reason)
    try:
        return answers.strip_reasoning(text or "")
    except answers.ReasoningOnly as error:
        raise Invalid(str(error)) from None


def check_analysis(text: str | None, finish_reason: str | None, language: str, sections: list[str],
                   numbered: bool = True) -> str:
    """A sectioned answer (an analysis; a day summary, not ``numbered``) as it will be stored: complete,
    without reasoning or lead-in, its headings in the site's form, in the site's language, every section there."""
    text = answers.normalize_sections(clean_text(text, finish_reason), sections, numbered)
    text = check_text(text, "stop", language)
    check_sections(text, sections)
    return text


# --- stored work, at build time --------------------------------------------------------

#: Version of the gate. An analysis stores the version that passed it (``gate``); at build time it passes
#: again the build-time checks added since (:data:`_LATER_CHECKS`), so what a newer gate rejects is never
#: published, and the checks it already passed are not run again (a year of analyses: ~2,600 bodies of
#: ~6,000 characters, and the full non-answer check costs ~1.3 ms each).
GATE = 1


def _reasoning(analysis: dict[str, Any]) -> str | None:
    fields = [analysis.get("body") or "", analysis.get("tldr") or "", *(analysis.get("key_findings") or [])]
    if any(answers.carries_reasoning(text) for text in fields if "<" in text or "◁" in text):
        return "stored analysis carries model reasoning (think tags)"
    return None


def _lead_in(analysis: dict[str, Any]) -> str | None:
    body = analysis.get("body")
    if analysis.get("provenance") == "llm" and body and not body.lstrip().startswith("#"):
        return "stored analysis has text before its first section heading"
    return None


# (gate version that introduced it, check): each returns why a stored analysis may not be published.
_LATER_CHECKS = [(1, _reasoning), (1, _lead_in)]


def publish_problem(analysis: dict[str, Any]) -> str | None:
    """Why a stored analysis marked done may not be published under the current gate (None: it may).

    Runs for every paper of every build (through ``model.is_publishable``), so only the checks newer than
    the gate the analysis passed when it was stored, each costing microseconds."""
    passed = analysis.get("gate") or 0
    for version, rule in _LATER_CHECKS:
        if version > passed:
            problem = rule(analysis)
            if problem:
                return problem
    return None
