"""Untrusted text → safe Markdown.

Titles, abstracts, comments and analyses come from arXiv and LLMs. Before they
reach a page they are escaped so they can never open HTML, a script, a link
with a dangerous scheme, or break the page's structure; math (``$…$``,
``$$…$$``, ``\\(…\\)``) is kept intact for arithmatex/MathJax.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markupsafe import Markup

# The leading lookahead lets the regex engine skip ahead to the next dollar sign or backslash (a third faster).
MATH_RE = re.compile(r"((?=[$\\])(?:\$\$.+?\$\$|\\\[.+?\\\]|\\\(.+?\\\)|(?<![\\$\w])\$(?=\S)[^$\n]{0,400}?(?<=\S)\$(?![\w$])))", re.S)
CODE_RE = re.compile(r"(```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]+`)", re.S)
# C0/C1 controls, zero-width and bidi controls, invisible operators, interlinear annotation and the
# tag characters (hidden "ASCII smuggling" text). ZWJ/ZWNJ (U+200C/D) go too: titles do not need them.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
SAFE_SCHEMES = ("http", "https", "mailto")
LINK_TARGET_RE = re.compile(r"(\]\(\s*<?)([^)>]*)")
REF_DEF_RE = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+)", re.M)
AUTOLINK_RE = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]{}<>#|!])")
# attr_list mark that makes Material's search skip a paragraph or the section under a heading.
SEARCH_EXCLUDE = "{: data-search-exclude }"
# Text that would start a block (list, rule, heading, admonition, details) at a paragraph's start.
BLOCK_START_RE = re.compile(r"^(\s*)([-+*=#>]|\d+(?=[.)])|\?\?\?|!!!)")


# LaTeX text commands that authors leave in titles and abstracts ("\\textbf{AnyView}"): outside math, readers
# see their text; inside math MathJax renders them.
TEXT_COMMAND_RE = re.compile(r"\\(?:text(?:bf|it|sl|sc|tt|rm|sf|up|md|normal)|emph|underline|mbox)\s*\{([^{}]*)\}")


def clean(text: str | None) -> str:
    """Drop control, zero-width and bidi-override characters (they hide or reorder text); LaTeX text commands
    outside math become their text."""
    parts = MATH_RE.split(CONTROL_RE.sub("", text or ""))
    for i in range(0, len(parts), 2):
        while TEXT_COMMAND_RE.search(parts[i]):  # nested: \textbf{\emph{x}}
            parts[i] = TEXT_COMMAND_RE.sub(r"\1", parts[i])
    return "".join(parts)


# TeX commands through which MathJax makes links, styles, ids or loads code: disarmed in untrusted math
# (a site that loads MathJax without ui/safe would otherwise run \href{javascript:...}).
UNSAFE_TEX_RE = re.compile(r"\\(href|style|class|cssId|require|html|data|unicode|url)(?![A-Za-z])")


def _safe_math(segment: str) -> str:
    # Inside math only HTML metacharacters matter; MathJax knows \lt and \gt.
    segment = UNSAFE_TEX_RE.sub(r"\\text{\1}", segment)
    return segment.replace("&", r"\&").replace("<", r"\lt ").replace(">", r"\gt ")


def inline(text: str | None) -> Markup:
    """Plain text (title, author, abstract) as inline Markdown: shows as written, math kept."""
    out = []
    for i, part in enumerate(MATH_RE.split(clean(text))):
        if i % 2:
            out.append(_safe_math(part))
        else:
            part = INLINE_SPECIAL_RE.sub(r"\\\1", part).replace("&", "&amp;")
            out.append(part.replace("\\<", "&lt;").replace("\\>", "&gt;"))
    return Markup("".join(out))


def _no_block_start(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        marker = match.group(2)
        if marker.isdigit():
            return match.group(1) + marker + "\\"  # "2024. x" is not a list: escape the dot
        return match.group(1) + "".join(f"&#{ord(ch)};" for ch in marker[:1]) + marker[1:]

    return BLOCK_START_RE.sub(escape, text, count=1)


def paragraphs(text: str | None, search_exclude: bool = False, lang: str | None = None) -> Markup:
    """Plain multi-paragraph text (an abstract) as Markdown paragraphs, optionally kept out of Material's search
    index and marked as written in ``lang`` (an English abstract on a Chinese page)."""
    chunks = re.split(r"\n\s*\n", clean(text).strip())
    attrs = [*(["data-search-exclude"] if search_exclude else []), *([f'lang="{lang}"'] if lang else [])]
    mark = f"\n{{: {' '.join(attrs)} }}" if attrs else ""
    return Markup("\n\n".join(_no_block_start(str(inline(" ".join(c.split())))) + mark for c in chunks if c.strip()))


def _safe_target(match: re.Match[str]) -> str:
    # Browsers drop tabs and newlines inside URLs ("java\tscript:"): judge the scheme without them.
    target = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(html.unescape(match.group(2))))
    scheme = re.match(r"^([^/?#]*?):", target)
    if scheme and scheme.group(1).lower() in SAFE_SCHEMES or target.startswith("#"):
        return match.group(0)
    # Anything else — another scheme, or a relative path, which MkDocs would report as a missing page and
    # fail a strict build over one model answer — points nowhere.
    return match.group(1) + "#"


def _escape_prose(text: str) -> str:
    text = AUTOLINK_RE.sub(r"[\1](\1)", text)
    # No raw HTML, and no attr_list "{: onclick=... }": both would let an answer add markup or handlers.
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace("{", "&#123;").replace("}", "&#125;")
    text = LINK_TARGET_RE.sub(_safe_target, text)
    return REF_DEF_RE.sub(_safe_target, text)


def _code(segment: str) -> str:
    """Code as HTML we escape ourselves, so nothing depends on Markdown agreeing that it is code."""
    fence = re.match(r"^(```|~~~)[^\n]*\n(.*?)(?:\1)?$", segment, re.S)
    if fence:
        return f"\n\n<pre><code>{html.escape(fence.group(2).rstrip())}</code></pre>\n\n"
    return f"<code>{html.escape(segment.strip('`~'))}</code>"


_LIST_ITEM = re.compile(r"([-*+]|\d+[.)])\s")
_RULE = re.compile(r"(-{3,}|\*{3,})\s*$")


def _normalise_blocks(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_math = False
    for line in lines:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        is_list = bool(_LIST_ITEM.match(stripped))
        if is_list and indent % 4:
            # LLMs nest lists by 2 or 3 spaces; Python-Markdown needs 4.
            line = " " * (4 * round(indent / 4 + 0.25)) + stripped
        opens_math = stripped.startswith("$$") and not in_math
        if stripped.startswith("$$") and stripped.count("$$") == 1:
            in_math = not in_math
        starts_block = is_list or opens_math or _RULE.match(stripped)
        if starts_block and out and out[-1].strip() and not _LIST_ITEM.match(out[-1].lstrip()) \
                and not (is_list and out[-1].startswith(" ")):
            out.append("")
        out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=16)
def _safe_block(text: str) -> str:
    """The escaping part of :func:`block`; cached, as a paper's analysis is shown at two heading levels."""
    text = clean(text).replace("\r\n", "\n").strip()
    out = []
    for i, part in enumerate(CODE_RE.split(text)):
        if i % 2:
            out.append(_code(part))
            continue
        pieces = MATH_RE.split(part)
        for j, piece in enumerate(pieces):
            out.append(_safe_math(piece) if j % 2 else _escape_prose(piece))
    return _normalise_blocks("".join(out))


def block(text: str | None, heading_level: int | None = 4, search_exclude: bool = False) -> Markup:
    """Untrusted Markdown (an LLM or imported analysis): HTML escaped, links checked, lists normalised.

    Headings are moved so the first level becomes ``heading_level``; ``None``
    turns them into bold paragraphs (for pages holding many analyses).
    ``search_exclude`` marks the headings so Material's search skips their
    sections (the text under a heading belongs to the heading's section).
    """
    text = _safe_block(text or "")
    levels = [len(m) for m in re.findall(r"^(#{1,6})\s", text, re.M)]
    if levels:
        shift = (heading_level or 0) - min(levels)

        def move(match: re.Match[str]) -> str:
            if heading_level is None:
                return f"**{match.group(2).strip()}**"
            level = len(match.group(1)) + shift
            if level > 6:
                return f"**{match.group(2).strip()}**"
            if search_exclude:  # closing hashes ("## x ##") would hide the attribute list
                return f"{'#' * level} {re.sub(r'(^|[ ])#+[ ]*$', '', match.group(2)).strip()} {SEARCH_EXCLUDE}"
            return f"{'#' * level} {match.group(2)}"

        text = re.sub(r"^(#{1,6})\s+(.*)$", move, text, flags=re.M)
    return Markup(text)


def plain(text: str | None, limit: int | None = None) -> str:
    """Untrusted Markdown as one line of plain text (meta descriptions, feeds): markup, link targets and tags dropped.

    The result is text, not Markdown or HTML: whoever writes it out escapes it. See :func:`shorten` for ``limit``.
    """
    text = clean(text)
    text = re.sub(r"^[ ]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", " ", text, flags=re.M)  # reference definitions
    # Links and images → their text (targets may hold one level of parentheses).
    text = re.sub(r"!?\[([^\]\n]*)\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\]\n]*\])", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>\n]*>", " ", text)  # HTML tags
    text = re.sub(r"^[ \t]*(?:#{1,6}|>|[-*+]|\d+[.)]|[-*_]{3,}|\?\?\?\+?|!!!)(?=\s|$)", " ", text, flags=re.M)
    text = re.sub(r"\*\*|__|~~|`+|\\(?=[\\`*_{}\[\]()#+\-.!<>|])", "", text)  # emphasis, code marks, escapes
    return shorten(" ".join(text.split()), limit)


def after_title(markdown: str, block: str) -> str:
    """``block`` placed after a page's first line when it is its ``# title``, else before everything."""
    title, newline, rest = markdown.partition("\n")
    if title.startswith("# "):
        return f"{title}\n\n{block}\n{rest}"
    return f"{block}\n{markdown}"


def shorten(text: str, limit: int | None) -> str:
    """``text`` cut to at most ``limit`` characters, an ellipsis marking the cut."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def indent(text: str, spaces: int = 4) -> Markup:
    """Indent every non-empty line (content of admonitions and details blocks)."""
    pad = " " * spaces
    return Markup("\n".join(pad + line if line.strip() else "" for line in str(text).split("\n")))
