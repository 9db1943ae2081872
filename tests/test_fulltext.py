"""Full text from arXiv HTML (LaTeXML) or the PDF, and trimming to a token budget."""

from __future__ import annotations

import io
import re
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from arxiv_digest.arxiv.fulltext import (
    FullText,
    FullTextError,
    Section,
    classify,
    estimate_tokens,
    extract_html,
    extract_pdf,
    fetch_full_text,
    trim,
)

PAPER = "2401.12345"
HTML_URL = "/html/{id}v{version}"
PDF_URL = "/pdf/{id}v{version}"


# --------------------------------------------------------------------------- local server

class Server:
    """Serves ``routes`` ({path: (status, content type, body)}) on 127.0.0.1; 404 elsewhere."""

    def __init__(self, routes: dict[str, tuple[int, str, bytes]]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(self.path)
                status, ctype, body = server.routes.get(self.path, (404, "text/html", b"<h1>Not Found</h1>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def fetch(self, paper: str = PAPER, version: int = 2) -> FullText:
        return fetch_full_text(paper, version, self.url + HTML_URL, self.url + PDF_URL, timeout=5)


# --------------------------------------------------------------------------- fixtures

def sentences(topic: str, count: int, start: int = 1) -> str:
    return " ".join(
        f"The {topic} part makes point {i} about grasping with learned policies and explains it in plain words."
        for i in range(start, start + count)
    )


def para(pid: str, body: str) -> str:
    return f'<div id="{pid}" class="ltx_para">\n<p id="{pid}.1" class="ltx_p">{body}</p>\n</div>\n'


REFERENCE_COUNT = 60


def latexml_page() -> str:
    """An arXiv HTML page as LaTeXML and arXiv's wrapper render it."""
    refs = "".join(
        f'<li id="bib.bib{i}" class="ltx_bibitem"><span class="ltx_tag ltx_role_refnum ltx_tag_bibitem">[{i}]</span>\n'
        f'<span class="ltx_bibblock">A. Author{i} and B. Writer{i}. </span>\n'
        f'<span class="ltx_bibblock">Reference entry number {i} on robot learning. </span>\n'
        f'<span class="ltx_bibblock"><em class="ltx_emph ltx_font_italic">Proc. of a Venue</em>, 20{i % 25:02d}.</span></li>\n'
        for i in range(1, REFERENCE_COUNT + 1)
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta content="text/html; charset=utf-8" http-equiv="content-type"/>
<title>Learning to Grasp with Diffusion Policies</title>
<script>window.SCRIPTMARKER = 1;</script>
<style>.ltx_p {{ margin: 0 }}</style>
</head>
<body>
<header class="desktop_header"><a href="https://arxiv.org/">arXiv</a> HEADERMARKER <button>Report Issue</button></header>
<main>
<nav class="ltx_TOC"><ol class="ltx_toclist"><li class="ltx_tocentry"><a href="#S1" class="ltx_ref">NAVMARKER Introduction</a></li></ol></nav>
<div class="ltx_page_main">
<div class="package-alerts ltx_document" role="status"><p>HTML conversions sometimes display errors ALERTMARKER.</p></div>
<div class="ltx_page_content">
<article class="ltx_document ltx_authors_1line">
<h1 class="ltx_title ltx_title_document">Learning to Grasp with Diffusion Policies</h1>
<div class="ltx_authors"><span class="ltx_creator ltx_role_author"><span class="ltx_personname">Ada Lovelace<sup class="ltx_sup">1</sup> AUTHORMARKER</span></span></div>
<div class="ltx_abstract">
<h6 class="ltx_title ltx_title_abstract">Abstract</h6>
<p id="id1.id1" class="ltx_p">We present a diffusion policy for grasping. {sentences("abstract", 3)}</p>
</div>
<section id="S1" class="ltx_section">
<h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">1 </span>Introduction</h2>
{para("S1.p1", sentences("introduction", 5) + ' Prior systems <cite class="ltx_cite ltx_citemacro_cite">[<a href="#bib.bib1" title="" class="ltx_ref">1</a>]</cite> fail often.<span id="footnote1" class="ltx_note ltx_role_footnote"><sup class="ltx_note_mark">1</sup><span class="ltx_note_outer"><span class="ltx_note_content"><sup class="ltx_note_mark">1</sup><span class="ltx_tag ltx_tag_note">1</span>Code: <a href="https://github.com/ada/grasp" class="ltx_ref ltx_url">https://github.com/ada/grasp</a></span></span></span>')}
<figure id="S1.F1" class="ltx_figure"><img src="x1.png" id="S1.F1.g1" class="ltx_graphics ltx_centering ltx_img_landscape" width="598" height="200" alt="IMGALTMARKER"/>
<figcaption class="ltx_caption ltx_centering"><span class="ltx_tag ltx_tag_figure">Figure 1: </span>Overview of the grasping pipeline.</figcaption>
</figure>
{para("S1.p2", sentences("introduction", 5, start=6))}
</section>
<section id="S2" class="ltx_section">
<h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">2 </span>Related Work</h2>
{para("S2.p1", sentences("related work", 6))}
{para("S2.p2", sentences("related work", 6, start=7))}
</section>
<section id="S3" class="ltx_section">
<h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">3 </span>Method</h2>
{para("S3.p1", sentences("method", 4))}
<section id="S3.SS1" class="ltx_subsection">
<h3 class="ltx_title ltx_title_subsection">
<span class="ltx_tag ltx_tag_subsection">3.1 </span>Diffusion Policy</h3>
{para("S3.SS1.p1", 'The loss grows as <math id="S3.SS1.p1.m1" class="ltx_Math" alttext="x^2" display="inline"><semantics id="S3.SS1.p1.m1a"><msup id="S3.SS1.p1.m1.1"><mi>x</mi><mn>2</mn></msup><annotation encoding="application/x-tex" id="S3.SS1.p1.m1b">x^2</annotation></semantics></math> for large errors. ' + sentences("method", 4, start=5))}
<table id="S3.E1" class="ltx_equation ltx_eqn_table">
<tbody><tr class="ltx_equation ltx_eqn_row ltx_align_baseline">
<td class="ltx_eqn_cell ltx_eqn_center_padleft"></td>
<td class="ltx_eqn_cell ltx_align_center"><math id="S3.E1.m1" class="ltx_Math" alttext="\\displaystyle\\mathcal{{L}}=\\|\\epsilon-\\epsilon_{{\\theta}}\\|^{{2}}" display="block"><semantics><mrow><mi>L</mi></mrow><annotation encoding="application/x-tex">\\mathcal{{L}}</annotation></semantics></math></td>
<td class="ltx_eqn_cell ltx_eqn_center_padright"></td>
<td rowspan="1" class="ltx_eqn_cell ltx_eqn_eqno ltx_align_middle ltx_align_right"><span class="ltx_tag ltx_tag_equation ltx_align_right">(1)</span></td>
</tr></tbody>
</table>
{para("S3.SS1.p2", sentences("method", 4, start=9))}
</section>
</section>
<section id="S4" class="ltx_section">
<h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">4 </span>Experiments</h2>
{para("S4.p1", sentences("experiments", 6))}
<figure id="S4.T1" class="ltx_table">
<figcaption class="ltx_caption ltx_centering"><span class="ltx_tag ltx_tag_table">Table 1: </span>Success rates on the benchmark.</figcaption>
<div class="ltx_inline-block ltx_align_center ltx_transformed_outer">
<table id="S4.T1.1" class="ltx_tabular ltx_guessed_headers ltx_align_middle">
<thead class="ltx_thead"><tr class="ltx_tr"><th class="ltx_td ltx_align_left ltx_th ltx_th_column">Method</th><th class="ltx_td ltx_th ltx_th_column">CELLMARKER Success</th></tr></thead>
<tbody class="ltx_tbody"><tr class="ltx_tr"><td class="ltx_td">Ours</td><td class="ltx_td">93.1</td></tr></tbody>
</table>
</div>
</figure>
{para("S4.p2", sentences("experiments", 6, start=7))}
</section>
<section id="S5" class="ltx_section">
<h2 class="ltx_title ltx_title_section">
<span class="ltx_tag ltx_tag_section">5 </span>Conclusion</h2>
{para("S5.p1", sentences("conclusion", 4))}
<div class="ltx_acknowledgements">
<h6 class="ltx_title ltx_title_acknowledgements">Acknowledgements.</h6>
We thank the THANKSMARKER lab for the robots.
</div>
</section>
<section id="bib" class="ltx_bibliography">
<h2 class="ltx_title ltx_title_bibliography">References</h2>
<ul class="ltx_biblist">
{refs}</ul>
</section>
<section id="A1" class="ltx_appendix">
<h2 class="ltx_title ltx_title_appendix">
<span class="ltx_tag ltx_tag_appendix">Appendix A </span>Additional Experiments</h2>
{para("A1.p1", sentences("appendix", 8))}
</section>
</article>
</div>
<footer class="ltx_page_footer"><div class="ltx_page_logo">Generated by LaTeXML FOOTERMARKER</div></footer>
</div>
</main>
<footer id="footer" class="ltx_document"><p>About arXiv FOOTERMARKER</p></footer>
</body>
</html>
"""


MARKERS = ["SCRIPTMARKER", "HEADERMARKER", "NAVMARKER", "ALERTMARKER", "AUTHORMARKER", "IMGALTMARKER",
           "CELLMARKER", "FOOTERMARKER", "Report Issue"]


def html_response(text: str, status: int = 200) -> tuple[int, str, bytes]:
    return status, "text/html; charset=utf-8", text.encode("utf-8")


PAPER_BLOCKS: list[tuple[str, str]] = [
        ("title", "Learning to Grasp with Diffusion Policies"),
        ("body", "Ada Lovelace, Analytical Engines Lab"),
        ("line", "1 University of Oxford"),  # an affiliation is not section 1
        ("head", "Abstract"),
        ("body", "We present a diffusion policy for grasping. " + sentences("abstract", 3)),
        ("head", "1 Introduction"),
        ("body", sentences("introduction", 6)),
        ("line", "Grasping from clutter is a long-standing prob-"),
        ("line", "lem in robotics and remains open."),
        ("head", "2 Related Work"),
        ("body", sentences("related work", 6)),
        ("head", "3 Method"),
        ("body", sentences("method", 4)),
        ("head", "3.1 Diffusion Policy"),
        ("body", sentences("method", 4, start=5)),
        ("head", "4 Experiments"),
        ("body", sentences("experiments", 8)),
        ("head", "5 Conclusion"),
        ("body", sentences("conclusion", 4)),
        ("head", "References"),
        *[("body", f"[{i}] A. Author{i}. Reference entry number {i} on robot learning. Proc. of a Venue, 2020.")
          for i in range(1, 31)],
        ("head", "A Additional Experiments"),
        ("body", sentences("appendix", 5)),
]

IEEE_BLOCKS: list[tuple[str, str]] = [
    ("title", "Learning to Grasp with Diffusion Policies"),
    ("body", "Ada Lovelace, Member, IEEE"),
    ("body", "Abstract—We present a diffusion policy for grasping. " + sentences("abstract", 2)),
    ("head", "I. INTRODUCTION"),
    ("body", sentences("introduction", 5)),
    ("head", "II. RELATED WORK"),
    ("body", sentences("related work", 4)),
    ("head", "III. PROPOSED METHOD"),
    ("body", sentences("method", 3)),
    ("head", "A. Policy Network"),
    ("body", sentences("method", 3, start=4)),
    ("head", "B. Training Objective"),
    ("body", sentences("method", 3, start=7)),
    ("head", "IV. EXPERIMENTS"),
    ("body", sentences("experiments", 5)),
    ("head", "V. CONCLUSION"),
    ("body", sentences("conclusion", 3)),
    ("head", "ACKNOWLEDGMENT"),
    ("body", "We thank the THANKSMARKER lab for the robots."),
    ("head", "REFERENCES"),
    *[("body", f"[{i}] A. Author{i}, “Reference entry number {i},” in Proc. ICRA, 2020.") for i in range(1, 21)],
]


def make_pdf(blocks: list[tuple[str, str]] = PAPER_BLOCKS) -> bytes:
    """A multi-page paper with headings, a running header and page numbers (reportlab)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    width, height = letter
    page = 1
    y = height - 90

    def decorate() -> None:
        pdf.setFont("Helvetica", 8)
        pdf.drawString(72, height - 40, "Preprint. Under review.")
        pdf.drawString(width / 2, 40, str(page))

    def line(text: str, font: str, size: int, gap: float) -> None:
        nonlocal y, page
        if y < 80:
            decorate()
            pdf.showPage()
            page += 1
            y = height - 90
        pdf.setFont(font, size)
        pdf.drawString(72, y, text)
        y -= gap

    for kind, text in blocks:
        if kind == "title":
            line(text, "Helvetica-Bold", 16, 28)
        elif kind == "head":
            y -= 6
            line(text, "Helvetica-Bold", 12, 18)
        elif kind == "line":
            line(text, "Helvetica", 10, 13)
        else:
            for wrapped in textwrap.wrap(text, 95, break_on_hyphens=True):
                line(wrapped, "Helvetica", 10, 13)
            y -= 4
    decorate()
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def by_kind(sections: list[Section]) -> dict[str, list[Section]]:
    out: dict[str, list[Section]] = {}
    for section in sections:
        out.setdefault(section.kind, []).append(section)
    return out


# --------------------------------------------------------------------------- HTML

def test_html_full_text_sections_kinds_math_and_clean_text() -> None:
    with Server({f"/html/{PAPER}v2": html_response(latexml_page())}) as server:
        full = server.fetch()
    assert full.source == "html"
    assert server.requests == [f"/html/{PAPER}v2"]  # the PDF was not needed
    assert [(s.title, s.kind) for s in full.sections] == [
        ("Abstract", "abstract"),
        ("1 Introduction", "introduction"),
        ("2 Related Work", "related"),
        ("3 Method", "method"),
        ("4 Experiments", "experiments"),
        ("5 Conclusion", "conclusion"),
        ("Acknowledgements", "acknowledgements"),
        ("References", "references"),
        ("Appendix A Additional Experiments", "appendix"),
    ]
    kinds = by_kind(full.sections)
    method = kinds["method"][0].text
    assert "### 3.1 Diffusion Policy" in method
    assert "The loss grows as $x^2$ for large errors." in method
    assert "$\\mathcal{L}=\\|\\epsilon-\\epsilon_{\\theta}\\|^{2}$ (1)" in method  # display math, \displaystyle gone
    intro = kinds["introduction"][0].text
    assert "Prior systems [1] fail often. [footnote: Code: https://github.com/ada/grasp]" in intro
    assert "Figure 1: Overview of the grasping pipeline." in intro
    experiments = kinds["experiments"][0].text
    assert "Table 1: Success rates on the benchmark." in experiments
    assert "93.1" not in experiments  # table cells dropped, caption kept
    assert "THANKSMARKER" not in kinds["conclusion"][0].text
    assert "We thank the THANKSMARKER lab" in kinds["acknowledgements"][0].text
    references = kinds["references"][0].text
    assert references.count("Reference entry number") == REFERENCE_COUNT
    assert references.splitlines()[0].startswith("[1] A. Author1 and B. Writer1.")
    text = full.text()
    assert text.startswith("## Abstract\n\nWe present a diffusion policy for grasping.")
    assert "\n\n## 3 Method\n\n" in text
    for marker in MARKERS:
        assert marker not in text
    assert "\x00" not in text and "\x01" not in text


def test_html_trimmed_to_budget_drops_references_first() -> None:
    with Server({f"/html/{PAPER}v2": html_response(latexml_page())}) as server:
        full = server.fetch()
    whole = estimate_tokens(full.text())
    references = estimate_tokens(by_kind(full.sections)["references"][0].text)
    budget = 1600
    assert references > 1000 and whole > budget  # the budget really bites
    trimmed = trim(full.sections, budget)
    text = FullText("html", trimmed).text()
    assert estimate_tokens(text) <= budget
    assert "Reference entry number" not in text
    assert "THANKSMARKER" not in text
    assert [s.kind for s in trimmed] == ["abstract", "introduction", "related", "method", "experiments",
                                         "conclusion", "appendix"]
    assert trimmed[-1].text.endswith("[…]")  # the appendix, last in priority, is the one cut
    for section in trimmed[:-1]:
        assert section in full.sections  # untouched


def test_tight_budget_keeps_core_sections_before_related_work_and_cuts_cleanly() -> None:
    sections = extract_html(latexml_page())
    kinds = by_kind(sections)
    core = ["abstract", "introduction", "method", "experiments", "conclusion"]
    core_cost = sum(estimate_tokens(FullText("html", [kinds[k][0]]).text() + "\n\n") for k in core)
    related = kinds["related"][0]
    related_cost = estimate_tokens(FullText("html", [related]).text())

    trimmed = trim(sections, core_cost + related_cost // 2)
    assert [s.kind for s in trimmed] == ["abstract", "introduction", "related", "method", "experiments",
                                         "conclusion"]
    for kind in core:
        assert kinds[kind][0] in trimmed
    cut = trimmed[2]
    assert cut.text.endswith(". […]")
    head = cut.text.removesuffix(" […]")
    assert related.text.startswith(head) and len(head) < len(related.text)
    assert re.search(r"in plain words\.$", head)  # ends with a whole sentence
    assert estimate_tokens(FullText("html", trimmed).text()) <= core_cost + related_cost // 2

    # Tighter: method is cut, experiments, conclusion and related work are gone.
    first = sum(estimate_tokens(FullText("html", [kinds[k][0]]).text() + "\n\n") for k in core[:2])
    budget = first + 120
    trimmed = trim(sections, budget)
    assert [s.kind for s in trimmed] == ["abstract", "introduction", "method"]
    assert trimmed[2].text.endswith("[…]") and trimmed[2].text != kinds["method"][0].text
    assert estimate_tokens(FullText("html", trimmed).text()) <= budget


def test_trim_always_fits_and_keeps_paper_order() -> None:
    sections = extract_html(latexml_page())
    order = {id(s): i for i, s in enumerate(sections)}
    titles = [s.title for s in sections]
    for budget in [0, 5, 20, 60, 150, 400, 900, 1700, 2600, 4000, 100000]:
        trimmed = trim(sections, budget)
        assert estimate_tokens(FullText("html", trimmed).text()) <= budget
        positions = [titles.index(s.title) for s in trimmed]
        assert positions == sorted(positions)
        for section in trimmed:
            if section.kind != "references":
                assert not section.text.endswith("#")
    assert trim(sections, 100000) == sections  # everything fits: nothing cut, order kept
    assert all(id(s) in order for s in trim(sections, 100000))


def test_a_cjk_paragraph_without_sentence_end_is_cut_between_characters() -> None:
    paragraph = "我们提出一种新的三维重建方法" * 40  # no 。！？ and no spaces: neither sentences nor words to cut at
    (cut,) = trim([Section("引言", paragraph, "introduction")], 100)
    assert cut.text.endswith(" […]") and paragraph.startswith(cut.text.removesuffix(" […]"))
    assert 50 < estimate_tokens(FullText("html", [cut]).text()) <= 100


def test_html_without_enough_text_falls_back_to_pdf() -> None:
    tiny = "<html><body><article class='ltx_document'><section class='ltx_section'><h2 class='ltx_title'>1 Introduction</h2><p>Short.</p></section></article></body></html>"
    with Server({f"/html/{PAPER}v1": html_response(tiny), f"/pdf/{PAPER}v1": (200, "application/pdf", make_pdf())}) as server:
        full = server.fetch(version=1)
    assert full.source == "pdf"
    assert server.requests == [f"/html/{PAPER}v1", f"/pdf/{PAPER}v1"]


# --------------------------------------------------------------------------- PDF

def test_pdf_fallback_when_html_is_missing() -> None:
    with Server({f"/pdf/{PAPER}v3": (200, "application/pdf", make_pdf())}) as server:
        full = server.fetch(version=3)
    assert full.source == "pdf"
    assert server.requests == [f"/html/{PAPER}v3", f"/pdf/{PAPER}v3"]
    assert [(s.title, s.kind) for s in full.sections] == [
        ("Abstract", "abstract"),
        ("1 Introduction", "introduction"),
        ("2 Related Work", "related"),
        ("3 Method", "method"),
        ("4 Experiments", "experiments"),
        ("5 Conclusion", "conclusion"),
        ("References", "references"),
        ("A Additional Experiments", "appendix"),
    ]
    kinds = by_kind(full.sections)
    assert kinds["abstract"][0].text.startswith("We present a diffusion policy for grasping.")
    assert "### 3.1 Diffusion Policy" in kinds["method"][0].text
    intro = kinds["introduction"][0].text
    assert "explains it in plain words. The introduction part makes point 2" in intro  # wrapped lines joined
    assert "a long-standing problem in robotics and remains open." in intro  # hyphenation undone
    text = full.text()
    assert "Preprint. Under review." not in text  # running header removed
    assert "Analytical Engines Lab" not in text  # front matter before the abstract dropped
    assert kinds["references"][0].text.count("Reference entry number") == 30

    budget = estimate_tokens(text) - estimate_tokens(kinds["references"][0].text) // 2
    trimmed = trim(full.sections, budget)
    out = FullText("pdf", trimmed).text()
    assert estimate_tokens(out) <= budget
    assert "Reference entry number" not in out
    assert "references" not in [s.kind for s in trimmed]
    assert {"introduction", "method", "experiments", "conclusion"} <= {s.kind for s in trimmed}


def test_pdf_with_ieee_style_headings_splits_into_classified_sections() -> None:
    sections = extract_pdf(make_pdf(IEEE_BLOCKS))
    assert [(s.title, s.kind) for s in sections] == [
        ("Abstract", "abstract"),
        ("I. INTRODUCTION", "introduction"),
        ("II. RELATED WORK", "related"),
        ("III. PROPOSED METHOD", "method"),
        ("IV. EXPERIMENTS", "experiments"),
        ("V. CONCLUSION", "conclusion"),
        ("ACKNOWLEDGMENT", "acknowledgements"),
        ("REFERENCES", "references"),
    ]
    method = sections[3].text
    assert "### A. Policy Network" in method and "### B. Training Objective" in method
    assert sections[0].text.startswith("We present a diffusion policy for grasping.")
    trimmed = FullText("pdf", trim(sections, 700)).text()
    assert "Reference entry" not in trimmed and "THANKSMARKER" not in trimmed
    assert estimate_tokens(trimmed) <= 700


def test_extract_pdf_rejects_garbage() -> None:
    with pytest.raises(FullTextError, match="unreadable PDF"):
        extract_pdf(b"%PDF-1.7\nthis is not really a pdf")


def test_both_failing_raises_with_paper_and_reasons() -> None:
    with Server({f"/pdf/{PAPER}v2": (500, "text/plain", b"boom")}) as server:
        with pytest.raises(FullTextError) as info:
            server.fetch()
    message = str(info.value)
    assert f"{PAPER}v2" in message
    assert "HTTP 404" in message and "HTTP 500" in message
    assert "/html/" in message and "/pdf/" in message


def test_unreachable_host_raises_full_text_error() -> None:
    with Server({}) as server:
        url = server.url
    with pytest.raises(FullTextError, match=PAPER):  # connection refused on both
        fetch_full_text(PAPER, 1, url + HTML_URL, url + PDF_URL, timeout=2)


# --------------------------------------------------------------------------- classify, tokens

@pytest.mark.parametrize("title, kind", [
    ("1 Introduction", "introduction"),
    ("I. INTRODUCTION", "introduction"),
    ("III. PROPOSED METHOD", "method"),
    ("3 Methodology", "method"),
    ("2.1 Preliminaries", "method"),
    ("4.2 Ablation Study", "experiments"),
    ("5. Experimental Results and Discussion", "experiments"),
    ("Evaluation", "experiments"),
    ("Related Work", "related"),
    ("2 Background and Related Work", "related"),
    ("Conclusions and Future Work", "conclusion"),
    ("6 Conclusion", "conclusion"),
    ("Limitations", "conclusion"),
    ("Acknowledgments", "acknowledgements"),
    ("ACKNOWLEDGEMENT", "acknowledgements"),
    ("Appendix B: Proofs", "appendix"),
    ("Supplementary Material", "appendix"),
    ("References", "references"),
    ("Bibliography", "references"),
    ("Abstract", "abstract"),
    ("3D Scene Graphs", "other"),
])
def test_section_title_is_classified_by_kind(title: str, kind: str) -> None:
    assert classify(title) == kind


def test_tokens_are_estimated_per_four_latin_characters_or_one_cjk_character() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd" * 10) == 10
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("深度学习") == 4
    assert estimate_tokens("深度学习 robot") == 4 + 2
