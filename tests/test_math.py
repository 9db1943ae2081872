"""TeX to MathML at build time (pages/math.py): faithful MathML Core for what latex2mathml knows, the formula left to
MathJax for everything else, and nothing from untrusted TeX becoming markup, a link or a style."""

from __future__ import annotations

import pytest
from lxml import etree

from arxiv_digest.pages.math import render, to_mathml

NS = {"m": "http://www.w3.org/1998/Math/MathML"}


def tree(tex: str, **kwargs: bool) -> etree._Element:
    """The ``<math>`` elements made of ``tex``, under one root."""
    mathml = to_mathml(tex, **kwargs)
    assert mathml is not None, f"{tex!r} was not converted"
    return etree.fromstring(f"<r>{mathml}</r>")


def test_a_formula_becomes_mathml_core_with_its_tex_as_annotation():
    root = tree(r"\frac{1}{B} \sum_{i=1}^B \|x_i\|^2")
    assert [m.get("display") for m in root] == ["inline"]
    assert root.xpath("count(//m:mfrac)", namespaces=NS) == 1 and root.xpath("//m:msubsup", namespaces=NS)
    # One presentation child and the TeX, which browsers do not draw.
    semantics = root.xpath("/r/m:math/m:semantics", namespaces=NS)[0]
    assert [etree.QName(c).localname for c in semantics] == ["mrow", "annotation"]
    assert semantics[1].text == r"\frac{1}{B} \sum_{i=1}^B \|x_i\|^2"
    assert [m.get("display") for m in tree(r"x = 1", block=True)] == ["block"]


def test_an_inline_formula_may_wrap_after_its_top_level_relations_and_operators():
    """Browsers do not wrap inside a <math>: a long inline formula is several, cut where MathJax wrapped."""
    tex = r"L_{total} = \lambda_{a} L_{a} + \lambda_c f(x, y) \le \frac{a + b}{2}"
    root = tree(tex)
    pieces = ["".join(m.xpath(".//m:mrow[1]//text()", namespaces=NS)) for m in root]
    assert pieces == ["Ltotal=", "λaLa+", "λcf(x,y)≤", "a+b2"]
    assert root.xpath("string(//m:annotation)", namespaces=NS) == tex and len(root.xpath("//m:annotation",
                                                                                          namespaces=NS)) == 1


def test_styled_letters_are_unicode_mathematical_letters():
    """MathML Core draws only mathvariant="normal": \\mathbf and friends become 𝐱, ℒ, 𝔼, ℭ, ℎ."""
    letters = {r"\mathbf{x}": "𝐱", r"\boldsymbol{\alpha}": "𝜶", r"\mathcal{L}": "ℒ", r"\mathbb{E}": "𝔼",
               r"\mathbb{R}": "ℝ", r"\mathfrak{C}": "ℭ", r"\mathit{h}": "ℎ", r"\mathbf{1}": "𝟏"}
    for tex, letter in letters.items():
        root = tree(tex)
        assert root.xpath("string(//m:semantics/m:mrow)", namespaces=NS) == letter, tex
        assert not root.xpath("//*[@mathvariant != 'normal']"), tex
    assert tree(r"\mathrm{d}x").xpath("//m:mi[@mathvariant='normal']/text()", namespaces=NS) == ["d"]


def test_text_is_escaped_not_markup():
    root = tree(r"a < b \;\text{if}\; b > c")
    assert [e.text for e in root.xpath("//m:mo", namespaces=NS)][:1] == ["<"]
    assert "&lt;" in to_mathml(r"a < b")


@pytest.mark.parametrize("tex", [
    r"\href{javascript:window.__pwned=1}{\text{link}}",  # latex2mathml: <mrow href="javascript:…">
    r"\style{position:fixed;top:0}{x}",  # style="…"
    r"\class{md-header}{x}",  # class="…"
    r"\text{<script>alert(1)</script>}",  # latex2mathml copies text as is: a <script> element
    r"\text{<img src=x onerror=alert(1)>}",
    r"\text{a & b}",  # not XML
    r"\hspace{1000em}x",  # pushes the page sideways
    r"\rule{100em}{100em}",
    r"\color{red;background:url(x)}{x}",
])
def test_unsafe_tex_is_left_to_mathjax_and_its_safe_extension(tex):
    assert to_mathml(tex) is None


@pytest.mark.parametrize("tex", [
    r"\ce{H2O}",  # unknown command: latex2mathml keeps its name as a letter
    r"\cancel{x}",  # menclose: not MathML Core, browsers do not draw the stroke
    r"a \\ b",  # linebreak: browsers ignore it
    r"x\!y",  # a named space
    r"\begin{array}{c|c} a & b \end{array}",  # column lines
    r"x^{",  # not TeX
    "",
])
def test_tex_browsers_would_not_draw_as_written_is_left_to_mathjax(tex):
    assert to_mathml(tex) is None


def test_arg_is_an_operator():
    """latex2mathml lacks \\arg (common in analyses: \\arg\\min)."""
    assert tree(r"\arg \min_x f").xpath("//m:mo/text()", namespaces=NS)[:2] == ["arg", "min"]


def test_render_replaces_arithmatex_output_and_keeps_what_it_cannot_convert():
    page = ('<p>a <span class="arithmatex">\\(x&lt;y\\)</span> and '
            '<span class="arithmatex">\\(\\ce{H2O}\\)</span></p>\n'
            '<div class="arithmatex">\\[\n\\frac{a}{b}\n\\]</div>')
    out = render(page)
    assert out.count("<math ") == 3  # x< | y, and the fraction
    assert '<span class="arithmatex">\\(\\ce{H2O}\\)</span>' in out  # for MathJax, as arithmatex wrote it
    assert '<div class="ad-math"><math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in out
    assert "x&lt;y" in out  # the annotation holds the unescaped TeX, escaped again
    assert render(out) == out  # idempotent: a site with several channels renders each page once per channel
