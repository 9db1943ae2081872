"""TeX to MathML at build time: the browser draws formulas itself, and no math script runs on the page.

pymdownx.arithmatex (generic mode) leaves each formula as ``<span class="arithmatex">\\(…\\)</span>`` or
``<div class="arithmatex">\\[…\\]</div>``. :func:`render` converts each one with latex2mathml into MathML Core,
which Chromium, Firefox and Safari draw natively. Formulas are untrusted text (abstracts, LLM answers), and
latex2mathml passes ``\\href``, ``\\style`` and ``\\text{<script>}`` through as markup, so its output is kept
only when every element and attribute is on an allowlist of MathML Core (with bounded lengths and plain
colours). A formula that fails — TeX latex2mathml does not know (``\\ce``), markup browsers do not
draw (``\\cancel``: ``menclose``), or anything off the allowlist — stays as arithmatex left it, and the page's
math loader (``assets/mathjax/loader.js``) typesets it with MathJax and ``ui/safe``, as before.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterator

from latex2mathml.converter import convert
from lxml import etree

ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
MATHML = "{http://www.w3.org/1998/Math/MathML}"
DELIMITERS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}

# MathML Core elements (https://www.w3.org/TR/mathml-core/#presentation-markup) latex2mathml may write, without
# the ones that hold foreign markup (semantics, annotation, annotation-xml: added here, with text only) or show
# an error (merror).
ELEMENTS = {"math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "mstyle", "mpadded",
            "mphantom", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mmultiscripts", "mprescripts",
            "none", "mtable", "mtr", "mtd"}
FLAG = re.compile(r"true|false")
# Lengths up to 10 em (a \quad is 1 em): \hspace{1000em} would push the page sideways. Unitless only 0 (\binom).
LENGTH = re.compile(r"-?(?:\d(?:\.\d+)?|10|\.\d+)(?:em|ex)|0")
COLOUR = re.compile(r"#?[A-Za-z0-9]{1,20}")
# The attributes MathML Core defines; others (columnalign, linebreak, named spaces) browsers ignore, so the
# formula would not look as written.
ATTRIBUTES = {
    "display": re.compile(r"block|inline"), "displaystyle": FLAG, "scriptlevel": re.compile(r"[+-]?\d"),
    "stretchy": FLAG, "fence": FLAG, "separator": FLAG, "accent": FLAG, "accentunder": FLAG, "largeop": FLAG,
    "movablelimits": FLAG, "symmetric": FLAG, "form": re.compile(r"prefix|infix|postfix"),
    "lspace": LENGTH, "rspace": LENGTH, "width": LENGTH, "height": LENGTH, "depth": LENGTH, "minsize": LENGTH,
    "maxsize": LENGTH, "linethickness": LENGTH, "voffset": LENGTH, "mathcolor": COLOUR, "mathbackground": COLOUR,
    "mathvariant": re.compile(r"normal"),
}
# MathML Core draws only mathvariant="normal"; the other styles are Unicode's mathematical letters.
VARIANTS = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "double-struck": "DOUBLE-STRUCK",
            "script": "SCRIPT", "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
            "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
            "sans-serif-italic": "SANS-SERIF ITALIC", "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC",
            "monospace": "MONOSPACE"}
# Letters Unicode placed in Letterlike Symbols before the mathematical block (ℎ, ℭ, ℌ, …; ℬ and ℂ follow the
# rule "<style> CAPITAL B").
HOLES = {"MATHEMATICAL ITALIC SMALL H": "PLANCK CONSTANT", "MATHEMATICAL FRAKTUR CAPITAL C": "BLACK-LETTER CAPITAL C",
         "MATHEMATICAL FRAKTUR CAPITAL H": "BLACK-LETTER CAPITAL H",
         "MATHEMATICAL FRAKTUR CAPITAL I": "BLACK-LETTER CAPITAL I",
         "MATHEMATICAL FRAKTUR CAPITAL R": "BLACK-LETTER CAPITAL R",
         "MATHEMATICAL FRAKTUR CAPITAL Z": "BLACK-LETTER CAPITAL Z"}
# Gaps of latex2mathml, rewritten before it reads the TeX: \arg it does not know (it is \operatorname{arg}); a
# one-letter \mathrm{d} it writes as an italic <mi>d</mi> (a group keeps it upright).
GAPS = [(re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}"),
        (re.compile(r"\\mathrm\{(\w)\}"), r"\\mathrm{{\1}}")]
# Relations, binary operators and punctuation an inline formula may wrap after.
BREAK_AFTER = set("=<>≤≥≠≈∼≃≅≡≪≫∝∈∉∋⊂⊃⊆⊇→←↔⇒⇐⇔↦+−-±∓×·∘⊕⊗⊙∪∩∧∨,;:∖")
OPENING, CLOSING = set("([{⟨⌊⌈"), set(")]}⟩⌋⌉")
LETTER = re.compile(r"(?:LATIN |GREEK )?(SMALL|CAPITAL) (?:LETTER )?(\w+)|DIGIT \w+")


def render(content: str) -> str:
    """``content`` (a page's HTML) with every formula latex2mathml renders faithfully and safely as MathML."""
    return ARITHMATEX.sub(_replace, content)


def _replace(match: re.Match[str]) -> str:
    tag, body = match.group(1), html.unescape(match.group(2)).strip()
    start, end = DELIMITERS[tag]
    if not (body.startswith(start) and body.endswith(end)):
        return match.group(0)
    mathml = to_mathml(body[len(start):-len(end)], block=tag == "div")
    if mathml is None:
        return match.group(0)
    # A display formula wider than a phone scrolls inside its own box, not the page.
    return f'<div class="ad-math">{mathml}</div>' if tag == "div" else mathml


@functools.lru_cache(maxsize=4096)  # a formula shows on its paper page, its day page, maybe the home page
def to_mathml(tex: str, *, block: bool = False) -> str | None:
    """``tex`` as a MathML Core ``<math>`` element, or None when it cannot be drawn faithfully and safely."""
    try:
        source = functools.reduce(lambda text, gap: gap[0].sub(gap[1], text), GAPS, tex)
        mathml = convert(source, display="block" if block else "inline")
        root = etree.fromstring(mathml, etree.XMLParser(resolve_entities=False, no_network=True))
    except Exception:  # latex2mathml raises its own errors for bad TeX; its output may not be XML (\text{<})
        return None
    for element in root.iter():
        if not isinstance(element.tag, str) or etree.QName(element).localname not in ELEMENTS:
            return None
        if (element.text or "").lstrip().startswith("\\"):
            return None  # a command latex2mathml does not know, kept as its name
        variant = element.get("mathvariant")
        if variant is not None and variant != "normal":
            if variant not in VARIANTS:
                return None
            del element.attrib["mathvariant"]
            element.text = "".join(_styled(char, VARIANTS[variant]) for char in element.text or "")
        for name, value in element.attrib.items():
            rule = ATTRIBUTES.get(name)
            if rule is None or not rule.fullmatch(value):
                return None
    children = list(root)
    row = children[0] if len(children) == 1 and etree.QName(children[0]).localname == "mrow" else None
    # Browsers do not wrap a line inside a <math>: an inline formula is cut after its top-level relations and
    # operators (where TeX breaks a line) into several <math>, the first with the whole TeX as annotation, so a
    # long one wraps instead of pushing a phone's page sideways.
    pieces = _pieces(list(_flat(row))) if row is not None and not block else [children]
    return "".join(_math(piece, root.get("display"), tex if n == 0 else None) for n, piece in enumerate(pieces))


def _flat(row: etree._Element) -> Iterator[etree._Element]:
    """The children of ``row``, with those of its plain groups ({…} in TeX) in their place; a group with
    \\left…\\right stays whole, its fences stretch to its height."""
    for child in row:
        if (etree.QName(child).localname == "mrow" and not child.attrib
                and not child.xpath("m:mo[@fence='true']", namespaces={"m": MATHML.strip("{}")})):
            yield from _flat(child)
        else:
            yield child


def _pieces(children: list[etree._Element]) -> list[list[etree._Element]]:
    pieces: list[list[etree._Element]] = [[]]
    depth = 0  # inside brackets: f(x, y) stays whole
    for child in children:
        pieces[-1].append(child)
        if etree.QName(child).localname not in ("mo", "mi"):  # latex2mathml writes ":" and ";" as <mi>
            continue
        text = (child.text or "").strip()
        depth = max(0, depth + (text in OPENING) - (text in CLOSING))
        if depth == 0 and text in BREAK_AFTER and child is not children[-1]:
            pieces.append([])
    return pieces


def _math(children: list[etree._Element], display: str, tex: str | None) -> str:
    """A ``<math>`` of ``children``; with ``tex`` as its annotation (not drawn: for copying, assistive tools and the
    search index)."""
    root = etree.Element(MATHML + "math", nsmap={None: MATHML.strip("{}")}, display=display)
    parent = etree.SubElement(root, MATHML + "semantics") if tex is not None else root
    etree.SubElement(parent, MATHML + "mrow").extend(children)
    if tex is not None:
        etree.SubElement(parent, MATHML + "annotation", encoding="application/x-tex").text = tex
    return etree.tostring(root, encoding="unicode")


def _styled(char: str, style: str) -> str:
    """``char`` as Unicode's mathematical letter or digit in ``style`` (𝐱 for bold x), or as it is."""
    found = LETTER.fullmatch(unicodedata.name(char, ""))
    if found is None:
        return char
    name = f"MATHEMATICAL {style} " + (f"{found.group(1)} {found.group(2)}" if found.group(1) else found.group(0))
    for candidate in (name, HOLES.get(name, ""), name.removeprefix("MATHEMATICAL ")):
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return char
