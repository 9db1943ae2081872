"""Untrusted text → Markdown (arxiv_digest.pages.markdown), and hostile papers in a real build.

Unit tests render the module's output with Python-Markdown using the extensions every
MkDocs build of a digest site has (MkDocs' own toc, tables and fenced_code, plus the
admonition, pymdownx.details and attr_list the plugin adds) and read the HTML back.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import markdown as pymd
import pytest
from lxml import html as lxml_html

from arxiv_digest.pages import markdown as md
from support import article, build_site, digest_options, norm, page
from fake_arxiv import FakeArxiv, make_entry

UTC = timezone.utc
EXTENSIONS = ["toc", "tables", "fenced_code", "admonition", "pymdownx.details", "attr_list"]
URL_ATTRS = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "background")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
HIDDEN = "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x200B, 0x2010),
                           *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]))


def render(markdown_text: str) -> lxml_html.HtmlElement:
    out = pymd.markdown(str(markdown_text), extensions=EXTENSIONS)
    return lxml_html.fragment_fromstring(out or "<p></p>", create_parent="div")


def url_is_dangerous(value: str) -> bool:
    # Browsers drop ASCII tab/newline anywhere in a URL and C0 controls/space around it.
    squeezed = re.sub(r"[\x00-\x20\x7f]", "", value).lower()
    return squeezed.startswith(BAD_SCHEMES)


def dangers(root) -> list[str]:
    """Script, event handlers and dangerous URLs in an HTML tree (page or fragment)."""
    found = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "script" and "alert(" in (el.text or ""):
            found.append(f"<script>{el.text[:60]}")
        if el.tag in ("iframe", "object", "embed"):
            found.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{el.tag} {name}={value[:40]!r}>")
            if name.lower() in URL_ATTRS and url_is_dangerous(value):
                found.append(f"<{el.tag} {name}={value[:40]!r}>")
    return found


def content_dangers(doc) -> list[str]:
    """Dangers in the page content the plugin generates (Material's tag list is checked separately)."""
    content = article(doc)
    for nav in content.xpath('.//nav[contains(@class, "md-tags")]'):
        nav.drop_tree()
    return dangers(content)


def text_of(root) -> str:
    return norm(root.text_content())


# ----------------------------------------------------------------------------- clean()


def test_clean_drops_control_bidi_and_zero_width_characters():
    text = "a" + HIDDEN + "b\nc\td"
    assert md.clean(text) == "ab\nc\td"
    assert md.clean(None) == ""


def test_clean_shows_latex_text_commands_as_their_text_outside_math_only():
    text = r"we introduce \textbf{AnyView} for \emph{dynamic \textit{view}} synthesis, $\textbf{x}_t$ and $$\text{a}$$"
    assert md.clean(text) == r"we introduce AnyView for dynamic view synthesis, $\textbf{x}_t$ and $$\text{a}$$"
    assert md.clean(r"\textbf {a} \mbox{b} \section{c}") == r"a b \section{c}"  # only text commands
    assert "AnyView" in md.plain(r"\textbf{AnyView}") and "textbf" not in md.inline(r"\textbf{AnyView}")


# ----------------------------------------------------------------------------- inline() and paragraphs()

PLAIN = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "<javascript:alert(1)>",
    "{{ config.site_name }} and {% include 'x.html' %} and {# c #}",
    "--- title: pwned ---",
    "key: value # not a comment",
    "*not em* _not em_ **not strong** `not code` # not heading",
    "AT&T, &amp; &lt;b&gt; &#x41; x < y > z",
    "a | b | c and ||g||_F",
    "\\alpha \\\\ back\\slash \\*",
    "{: onclick=alert(1) } {: .cls }",
    "![img](https://example.com/x.png)",
    "<!-- comment --> [ref] [1]",
    "!!! warning \"not an admonition\"",
]


@pytest.mark.parametrize("text", PLAIN)
@pytest.mark.parametrize("fn", [md.inline, md.paragraphs], ids=["inline", "paragraphs"])
def test_plain_text_shows_as_written(fn, text):
    root = render(fn(text))
    assert dangers(root) == []
    assert root.xpath(".//a | .//img | .//em | .//strong | .//code | .//h1 | .//hr") == []
    assert text_of(root) == norm(text)


@pytest.mark.parametrize("text", ["~10x faster", "x^2 grows", "~~not struck~~"])
def test_tilde_and_caret_show_without_backslashes(text):
    assert text_of(render(md.inline(text))) == text


@pytest.mark.parametrize("text", ["---", "- not a list", "+ not a list", "2024. A good year", "??? note \"x\""])
def test_paragraph_start_is_not_a_block_marker(text):
    root = render(md.paragraphs(f"First paragraph.\n\n{text}\n\nLast paragraph."))
    assert root.xpath(".//hr | .//ul | .//ol | .//details") == []
    assert text_of(root) == norm(f"First paragraph. {text} Last paragraph.")


def test_paragraphs_keep_paragraph_breaks_and_join_lines():
    root = render(md.paragraphs("One\nline.\n\n  Two  \n\n\n\nThree"))
    assert [norm(p.text_content()) for p in root.xpath("./p")] == ["One line.", "Two", "Three"]


def test_math_is_left_for_arithmatex():
    out = str(md.inline("Energy $E = mc^2$ and $a_1 < b_2$ cost $5 or $6."))
    assert "$E = mc^2$" in out  # untouched: no backslashes inside math
    assert "a_1" in out and "<" not in out.replace("\\lt", "")  # '<' made harmless for HTML
    assert "$5 or $6" in out.replace("\\", "")  # dollar amounts are not math


# ----------------------------------------------------------------------------- block() (LLM / imported Markdown)

HOSTILE_BLOCKS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "html-link": '<a href="javascript:alert(1)">x</a>',
    "md-link": "[x](javascript:alert(1))",
    "md-link-case": "[x](JaVaScRiPt:alert(1))",
    "md-link-space": "[x](  javascript:alert(1))",
    "md-link-entity": "[x](&#106;avascript:alert(1))",
    "md-link-colon-entity": "[x](javascript&colon;alert(1))",
    "image": "![x](javascript:alert(1))",
    "data-url": "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "vbscript": "[x](vbscript:msgbox(1))",
    "reference": "[x][r]\n\n[r]: javascript:alert(1)",
    "autolink": "<javascript:alert(1)>",
    "fenced-code": "```\n<script>alert(1)</script>\n```",
    "tilde-fence": "~~~\n<script>alert(1)</script>\n~~~",
    "code-span": "`<script>alert(1)</script>`",
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "jinja": "{{ 7*7 }} {% include 'x.html' %}",
    "front-matter": "---\ntitle: pwned\n---\n\nText",
}


@pytest.mark.parametrize("name", list(HOSTILE_BLOCKS))
def test_block_neutralises_hostile_markdown(name):
    root = render(md.block(HOSTILE_BLOCKS[name]))
    assert dangers(root) == []
    assert "alert(" not in "".join(el.get("href", "") + el.get("src", "") for el in root.iter() if isinstance(el.tag, str))


BYPASSES = {
    "inline-tilde-run": ("See ~~~<script>alert(1)</script>~~~ here", "M1"),
    "fence-inside-list": ("- item\n\n  ~~~\n  <script>alert(1)</script>\n  ~~~", "M1"),
    "escaped-backticks": ("See \\`<script>alert(1)</script>\\` here", "M1"),
    "escaped-fence": ("x \\```<img src=x onerror=alert(1)>``` y", "M1"),
    "attr-list-link": ('[x](https://example.com){: onclick="alert(1)" }', "M2"),
    "attr-list-paragraph": ('Some text\n{: onmouseover="alert(1)" }', "M2"),
    "attr-list-heading": ('## Heading {: onclick="alert(1)" }', "M2"),
    "tab-in-scheme": ("[x](java&#x09;script:alert(1))", "M3"),
    "newline-in-scheme": ("[x](java\nscript:alert(1))", "M3"),
}


@pytest.mark.parametrize("name", list(BYPASSES))
def test_block_escaping_cannot_be_bypassed(name):
    root = render(md.block(BYPASSES[name][0]))
    assert dangers(root) == []


def test_block_keeps_safe_markdown():
    text = ("# Method\n\nWe use **bold**, `code` and [a link](https://example.com/x?a=1&b=2).\n"
            "- one\n  - nested two\n\n$$\nE = mc^2\n$$\n")
    root = render(md.block(text, heading_level=3))
    assert [h.tag for h in root.xpath(".//h1|.//h2|.//h3|.//h4")] == ["h3"]
    assert root.xpath(".//strong")[0].text == "bold"
    assert root.xpath(".//a/@href") == ["https://example.com/x?a=1&b=2"]
    assert len(root.xpath(".//ul/li/ul/li")) == 1  # 2-space nesting normalised
    assert "E = mc^2" in root.text_content()
    flat = render(md.block(text, heading_level=None))
    assert flat.xpath(".//h1|.//h2|.//h3|.//h4") == [] and "Method" in flat.xpath(".//strong")[0].text


# ----------------------------------------------------------------------------- a built site with hostile papers

X_ID, Y_ID, Z_ID = "2602.99001", "2602.99002", "2602.99003"
X = {
    "title": 'Evil <script>alert("t1")</script> {{ 7*7 }} {% raw %} --- \\alpha: "q" #h *e* [l](javascript:alert(1))',
    "abstract": ('First "><script>alert(22)</script> <img src=x onerror=alert(2)> and <a href="javascript:alert(3)">a</a> and '
                 "[m](javascript:alert(4)) and {{ config.site_name }} and {% if true %}yes{% endif %}.\n"
                 "---\ntitle: pwned\n---\n\n"
                 "Bidi \u202eevil\u202c zero\u200bwidth \u2066iso\u2069 bom\ufeff end.\n\n"
                 "Formula $\\{x_1 < y_2\\}$ holds."),
    "authors": ["<b onmouseover=alert(5)>Mallory</b>", "Zoë & \"Q\" O'Hara"],
    "comment": "<script>alert(6)</script> {{ 7*7 }} javascript:alert(7)",
}
X_VISIBLE = [
    '<script>alert("t1")</script>', "{{ 7*7 }}", "{% raw %}", '\\alpha: "q"', "[l](javascript:alert(1))",
    '"><script>alert(22)</script>', "<img src=x onerror=alert(2)>", '<a href="javascript:alert(3)">a</a>', "{{ config.site_name }}",
    "{% if true %}yes{% endif %}", "--- title: pwned ---", "Bidi evil zerowidth iso bom end.",
    "<b onmouseover=alert(5)>Mallory</b>", "Zoë & \"Q\" O'Hara", "<script>alert(6)</script>",
]
Y_TITLE = "Control\x01\x02\x1b[31m chars\x7f \u202eRLO\u202c \u200bZW"
Y_BODY = ("## 方法\n\n<script>alert(11)</script>\n\n<img src=x onerror=alert(12)>\n\n"
          "[bad](javascript:alert(13)) [bad2](JaVaScRiPt:alert(14)) [ent](&#106;avascript:alert(15))\n\n"
          "[ref][r]\n\n[r]: javascript:alert(16)\n\n{{ 7*7 }} {% include 'x.html' %}\n\n"
          "---\ntitle: breaker\n---\n\n```\n<script>alert('in code')</script>\n```\n")
Y_TAG = "<img src=x onerror=alert(17)>"
Z_BODY = "\n\n".join(text for text, _ in BYPASSES.values())


def _stored_paper(pid: str, title: str, body: str, published: str, tags: list[str], **extra) -> dict:
    return {
        "id": pid, "version": 1, "title": title, "authors": ["A\x00B", "Eve \u202eevE"],
        "published": published, "updated": published, "categories": ["cs.CV"], "primary_category": "cs.CV",
        "abstract": "Tab\tand\x0bvertical \x1b escape \u2066isolate\u2069.", "comment": None,
        "links": {"abs": f"https://arxiv.org/abs/{pid}v1", "pdf": f"https://arxiv.org/pdf/{pid}v1"},
        "code_links": ["javascript:alert(18)", "https://github.com/ok/repo"], "tags": tags,
        "analysis": {"status": "done", "provenance": "llm", "tldr": "TLDR <script>alert(8)</script> {{ 7*7 }}",
                     "key_findings": ["<img src=x onerror=alert(9)>", "[k](javascript:alert(10))"],
                     "body": body, "reason": None},
        "schema": 1, **extra,
    }


def _stored_day(date: str, ids: list[str], summary: str) -> dict:
    return {"date": date, "papers": ids, "candidates": len(ids), "categories": ["cs.CV", "cs.RO"],
            "source": "arxiv", "schema": 1, "summary": {"provenance": "llm", "markdown": summary, "papers": ids}}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """X is served by the fake API and fetched during the build; Y and Z are written into the store."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    (data / "papers").mkdir(parents=True)
    (data / "days").mkdir()
    papers = {
        Y_ID: _stored_paper(Y_ID, Y_TITLE, Y_BODY, "2026-02-16T10:00:00+00:00", [Y_TAG, "cs.CV"]),
        Z_ID: _stored_paper(Z_ID, "Bypass attempts", Z_BODY, "2026-02-13T10:00:00+00:00", ["cs.CV"]),
    }
    days = {
        "2026-02-17": _stored_day("2026-02-17", [Y_ID], "## 摘要\n\n<script>alert(20)</script> "
                                                        "[x](javascript:alert(21)) {{ 7*7 }}\n"),
        "2026-02-16": _stored_day("2026-02-16", [Z_ID], "Summary of the bypass day."),
    }
    for pid, record in papers.items():
        (data / "papers" / f"{pid}.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    for date, record in days.items():
        (data / "days" / f"{date}.json").write_text(json.dumps(record, ensure_ascii=False), "utf-8")
    entry = make_entry(f"{X_ID}v1", title=X["title"], abstract=X["abstract"], authors=X["authors"],
                       comment=X["comment"], categories=("cs.CV",),
                       published=datetime(2026, 2, 17, 10, 0, tzinfo=UTC))
    with FakeArxiv(entries=[entry]) as fake:
        run = build_site(root, digest_options(fake.url, fetch="auto", days=1, until="2026-02-18"),
                         plugins=["search", "tags", "macros"],
                         extra={"markdown_extensions": [{"pymdownx.arithmatex": {"generic": True}}]},
                         index="# Home\n\n{{ digest.cards() }}\n\nLatest: {{ digest.latest.date }}\n")
    assert run.returncode == 0, run.output
    return run


def test_hostile_fetched_paper_shows_as_text(hostile_site):
    doc = page(hostile_site.site, f"papers/{X_ID}/")
    assert content_dangers(doc) == []
    content = article(doc)
    assert norm(content.xpath(".//h1")[0].text_content()) == norm(X["title"])
    assert norm(X["title"]) in norm(doc.findtext(".//title"))
    text = text_of(content)
    for visible in X_VISIBLE:
        assert norm(visible) in text, visible
    assert "49" not in text


def test_hostile_day_page_home_tags_and_archive_are_safe(hostile_site):
    site = hostile_site.site
    urls = ["", "digest/2026-02-18/", "digest/2026-02-17/", f"papers/{Y_ID}/", "tags/", "archive/"]
    urls += [f"tags/{p.name}/" for p in (site / "tags").iterdir() if (p / "index.html").is_file()]
    for url in urls:
        assert content_dangers(page(site, url)) == [], url
    home = text_of(article(page(site, "")))
    assert norm(X["title"]) in home and "Latest: 2026-02-18" in home
    day = text_of(article(page(site, "digest/2026-02-18/")))
    for visible in ('<script>alert("t1")</script>', "<img src=x onerror=alert(2)>", "{{ config.site_name }}"):
        assert visible in day


def test_hostile_store_paper_shows_as_text(hostile_site):
    content = article(page(hostile_site.site, f"papers/{Y_ID}/"))
    assert norm(content.xpath(".//h1")[0].text_content()) == "Control[31m chars RLO ZW"
    text = text_of(content)
    for visible in ("<script>alert(11)</script>", "<img src=x onerror=alert(12)>", "{{ 7*7 }}",
                    "{% include 'x.html' %}", "TLDR <script>alert(8)</script>", "<img src=x onerror=alert(9)>",
                    Y_TAG, "AB, Eve evE", "Tab andvertical escape isolate."):
        assert visible in text, visible
    hrefs = content.xpath(".//a/@href")
    assert "https://github.com/ok/repo" in hrefs
    summary = text_of(article(page(hostile_site.site, "digest/2026-02-17/")))
    assert "<script>alert(20)</script>" in summary and "{{ 7*7 }}" in summary


def test_hidden_characters_never_reach_the_html(hostile_site):
    for path in hostile_site.site.rglob("*.html"):
        text = path.read_text("utf-8")
        leaked = sorted({f"U+{ord(c):04X}" for c in text if c in HIDDEN})
        assert leaked == [], f"{path.relative_to(hostile_site.site)}: {leaked}"


def test_math_survives_with_arithmatex(hostile_site):
    formulas = article(page(hostile_site.site, f"papers/{X_ID}/")).xpath(".//math")
    assert len(formulas) == 1
    tex = formulas[0].xpath("string(.//annotation)")
    assert "\\{x_1" in tex and "y_2\\}" in tex  # backslashes and underscores intact, as latex2mathml read them
    # MathML only (no emphasis or tags from Markdown inside the formula): {x_1 < y_2}.
    assert {e.tag for e in formulas[0].iter()} <= {"math", "semantics", "mrow", "mi", "mo", "mn", "msub", "annotation"}
    assert formulas[0].xpath("count(.//msub)") == 2


def test_page_chrome_escapes_titles_and_tags(hostile_site):
    site = hostile_site.site
    tag_pages = [f"tags/{p.name}/" for p in (site / "tags").iterdir() if (p / "index.html").is_file()]
    for url in [f"papers/{X_ID}/", f"papers/{Y_ID}/", *tag_pages]:
        assert dangers(page(site, url)) == [], url


def test_llm_analysis_cannot_inject_script_into_built_pages(hostile_site):
    for url in (f"papers/{Z_ID}/", "digest/2026-02-16/"):
        assert dangers(page(hostile_site.site, url)) == [], url
