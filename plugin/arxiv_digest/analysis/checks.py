"""Tell an analysis from a refusal, a request for input or a placeholder.

LLMs asked to analyse a paper sometimes answer with no analysis at all:

- a request for input: "好的，我将……分析。请提供论文的文本内容" or
  "Please provide the paper you would like me to analyze";
- a refusal: "I cannot access external links", "As an AI language model, ...";
- a template left unfilled: "[在此处插入摘要]", "TODO", "Lorem ipsum", "待补充";
- a line or two that only announces an analysis.

Such text must never be published as an analysis. The decision looks at the
whole text: a long, structured analysis that opens with "好的，我将……分析" or
ends with "如需更深入的分析，请提供全文" is an analysis, because what is left
once the request/refusal sentences are taken out is substantial.

:func:`refusal_reason` is the simple entry point (a short English reason or
``None``); :func:`check` also says which kind of non-answer it is and quotes
the evidence. Pure functions, shared by the legacy importer and by the
validation of LLM answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Verdict", "check", "refusal_reason", "substance", "MIN_CHARS", "MIN_SUBSTANCE"]

#: Fewer non-space characters than this is too short to be an analysis at all.
MIN_CHARS = 120
#: A text that asks for input or refuses is still an analysis when what is left
#: without those sentences has at least this many non-space characters.
MIN_SUBSTANCE = 400


@dataclass(frozen=True)
class Verdict:
    kind: str  # "empty" | "request" | "refusal" | "placeholder" | "too_short"
    reason: str  # short English reason
    evidence: str  # the text that triggered it ("" for empty / too short)


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


def _quote(match: re.Match[str] | str, limit: int = 60) -> str:
    s = match.group(0) if isinstance(match, re.Match) else match
    s = _WS.sub(" ", s).strip()
    return s if len(s) <= limit else s[: limit - 1] + "…"


def check(text: str | None, *, min_chars: int = MIN_CHARS, min_substance: int = MIN_SUBSTANCE) -> Verdict | None:
    """A :class:`Verdict` when ``text`` is not an analysis, else ``None``."""
    text = (text or "").strip()
    if not _EMPTY.sub("", text):
        return Verdict("empty", "empty text", "")

    placeholder = _first(_PLACEHOLDER_ANYWHERE, text) or _PLACEHOLDER_LINE.search(text)
    if placeholder:
        return Verdict("placeholder", f"contains placeholder text ({_quote(placeholder)!s})", _quote(placeholder))

    request = _first(_REQUEST, text)
    refusal = _first(_REFUSAL, text)
    if request or refusal:
        left = substance(text, _REQUEST + _REFUSAL)
        if left < min_substance:
            if request:
                return Verdict("request", "asks for the paper text instead of analysing it", _quote(request))
            return Verdict("refusal", "refuses or says it cannot access the paper", _quote(refusal))

    size = len(_visible(text))
    if size < min_chars:
        return Verdict("too_short", f"too short to be an analysis ({size} characters)", "")
    return None


def refusal_reason(text: str | None) -> str | None:
    """A short English reason when ``text`` is a refusal, a request for input,
    a placeholder or too short to be an analysis; ``None`` when it is an analysis."""
    verdict = check(text)
    return verdict.reason if verdict else None
