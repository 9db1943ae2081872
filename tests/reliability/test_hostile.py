"""Hostile input: crafted papers (through the fake arXiv) and LLM answers (through the fake
OpenAI server), one ``mkdocs build --strict`` for all with mkdocs-macros enabled.

Every case is one paper of the 2026-01-26 digest (ids 2601.10001, 2601.10002, …) carrying
its payload in one field: title, authors, abstract, comment, journal ref/DOI/categories
(arXiv side) or analysis, TL;DR, key findings, day summary (LLM side); the id cases put
the payload in the arXiv id itself. Payloads that run script set ``window.__pwned`` to the
case's name or open a dialog whose message is the case's name, so anything that fires is
traced back to its case.

A case passes when:

* the payload reached the store (an LLM payload passed validation and was stored as done;
  an id payload was refused: no store file, no page, nothing written outside ``data/``);
* its paper page (and the day page, for what that case put there) shows the payload as
  text (``expect``: literal strings in the page's visible text) and holds no markup the
  payload made: no ``<script>`` with the payload, no ``on*`` handler, no ``javascript:``/
  ``data:``/``vbscript:`` URL, no iframe/object/embed/form/base/meta in the content; and
  no control, bidi or invisible characters in the content's text or attributes;
* in Chromium (``/usr/bin/chromium`` through Playwright, headless, no network) neither the
  paper page nor the day page nor the home page (macros cards) runs the payload or opens
  a dialog, and no link of the content (MathJax's links included) has a ``javascript:``/
  ``data:``/``vbscript:`` target. The site has math the way the example site does (MathML made
  at build time, the packaged MathJax with ``ui/safe`` for the rest), and the ``*_math_href``
  cases must have been rendered (typeset by MathJax or drawn as MathML).
  Without Chromium that part is skipped and said so.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

import llm_support as S
import reliability_support as R
from arxiv_digest.arxiv import announce
from fake_arxiv import FakeArxiv, make_entry
from fake_openai import FakeOpenAI, default_responder, instance_for_schema

FIGURE = "Hostile input"
DAY = "2026-01-26"
CHROMIUM = Path("/usr/bin/chromium")
ANN = announce.for_digest_date(date.fromisoformat(DAY), "Asia/Shanghai")


def js(case: str) -> str:
    return f"window.__pwned='{case}';alert('{case}')"


@dataclass
class Case:
    name: str
    where: str  # title | authors | abstract | comment | meta | analysis | tldr | key_findings | summary | id
    value: object
    expect: list[str] = field(default_factory=list)  # literal text the paper page must show
    arxiv_id: str | None = None  # for id cases: the hostile id
    xfail: str | None = None

    @property
    def paper_id(self) -> str:
        return f"2601.{10001 + CASES.index(self)}"


def link_set(case: str) -> str:
    """Markdown links and images with dangerous targets, in the encodings browsers accept."""
    p = js(case).replace("'", "%27")
    return "\n".join([
        f"- [plain](javascript:{p})",
        f"- [mixed case](JaVaScRiPt:{p})",
        f"- [leading space]( javascript:{p})",
        f"- [angle brackets](<javascript:{p}>)",
        f"- [decimal entity](&#106;avascript:{p})",
        f"- [hex entity](&#x6A;avascript:{p})",
        f"- [no semicolon](&#0000106avascript:{p})",
        f"- [named colon](javascript&colon;{p})",
        f"- [entity tab](jav&#x09;ascript:{p})",
        f"- [zero width](java\u200bscript:{p})",
        f"- [data url](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        f"- [vbscript](vbscript:msgbox('{case}'))",
        f"- ![image](javascript:{p})",
        f"- [title breakout](https://example.org \"t\\\" onmouseover=\\\"{js(case)}\")",
        f"- [reference][r-{case}]",
        "",
        f"[r-{case}]: javascript:{p}",
    ])


def zh(text: str) -> str:
    """Padding of Chinese prose so an LLM payload still passes the language check."""
    return text + "本文提出了一种新的方法，并在多个公开基准上验证了其有效性，讨论了局限性。"


HTML_PAYLOAD = "<script>{j}</script><img src=x onerror=\"{j}\"><svg onload=\"{j}\"></svg>" \
               "<iframe src=\"javascript:{j}\"></iframe><details open ontoggle=\"{j}\">d</details>"


CASES: list[Case] = [
    # --- arXiv side: title
    Case("title_script", "title", f"<script>{js('title_script')}</script> Tricky Title",
         expect=[f"<script>{js('title_script')}</script> Tricky Title"]),
    Case("title_img_svg", "title", f"<img src=x onerror=\"{js('title_img_svg')}\"><svg onload={js('title_img_svg')}>",
         expect=["<img src=x onerror="]),
    Case("title_markdown_link", "title", f"[click me](javascript:{js('title_markdown_link')}) and <b>bold</b>",
         expect=["[click me](javascript:", "<b>bold</b>"]),
    Case("title_entities", "title", "&lt;script&gt;alert('title_entities')&lt;/script&gt; &amp;lt;b&amp;gt;",
         expect=["&lt;script&gt;alert('title_entities')&lt;/script&gt;"]),
    Case("title_yaml_breaker", "title",
         "Yaml: breaker --- \"quoted\" 'single' #hash &anchor *alias !!python/object/apply:os.system ['id'] | > \\alpha",
         expect=["Yaml: breaker --- \"quoted\" 'single' #hash &anchor *alias !!python/object/apply:os.system"]),
    Case("title_jinja", "title", "{{ 7*7 }} {% raw %} {{ config.site_name }} {# c #}",
         expect=["{{ 7*7 }} {% raw %} {{ config.site_name }} {# c #}"]),
    Case("title_macros", "title", "{{ digest.cards() }} {% include 'x.md' %} {{ macros_info() }}",
         expect=["{{ digest.cards() }} {% include 'x.md' %} {{ macros_info() }}"]),
    Case("title_bidi", "title", "Safe \u202eTITLE_REVERSED\u202c \u2067isolate\u2069 \u061cmark \u200fRLM Title",
         expect=["Safe TITLE_REVERSED isolate mark RLM Title"]),
    Case("title_invisible", "title", "Invisible\u200bZero\u200dWidth\u2060Joiner\ufeff \U000E0049\U000E0047Tagged",
         expect=["InvisibleZeroWidthJoiner Tagged"]),
    Case("title_c1_controls", "title", "C1\u0085NEL \u009b31mCSI \u2028LS Title", expect=["C1 NEL", "31mCSI"],),
    Case("title_math_href", "title", f"Math $\\href{{javascript:{js('title_math_href')}}}{{T}}$ Title",
         expect=["Math"]),
    Case("title_long", "title", "Long " * 2000 + "END-OF-LONG-TITLE", expect=["END-OF-LONG-TITLE"]),
    # --- authors
    Case("author_script", "authors", [f"<script>{js('author_script')}</script>", "Eve <img src=x onerror=alert(1)>"],
         expect=[f"<script>{js('author_script')}</script>"]),
    Case("authors_2000", "authors", [f"Author Number{i:04d}" for i in range(1999)] + ["Zed Lastauthor"],
         expect=["Author Number0000", "Zed Lastauthor"]),
    Case("author_markdown", "authors", [f"[Mallory](javascript:{js('author_markdown')})", "**Bold** _it_ `code`"],
         expect=["[Mallory](javascript:", "**Bold** _it_ `code`"]),
    # --- abstract
    Case("abstract_html", "abstract", "Intro.</p>" + HTML_PAYLOAD.format(j=js("abstract_html")) + " Outro.",
         expect=["Intro.</p><script>"]),
    Case("abstract_links", "abstract", link_set("abstract_links").replace("\n", " "), expect=["[plain](javascript:"]),
    Case("abstract_math", "abstract",
         f"Math $<script>{js('abstract_math')}</script>$ and $$</div><img src=x onerror=\"{js('abstract_math')}\">$$ end",
         expect=["Math", "end"]),
    Case("abstract_math_href", "abstract",
         f"Consider $\\href{{javascript:{js('abstract_math_href')}}}{{click me}}$, "
         "$\\style{background:url(javascript:alert('abstract_math_href'))}{x}$ and $\\class{md-header}{y}$ here.",
         expect=["Consider", "here."]),
    Case("abstract_attr_list", "abstract",
         f"Text {{: onclick=\"{js('abstract_attr_list')}\" }}\n\nMore {{ onmouseover={js('abstract_attr_list')} }}",
         expect=["Text {: onclick="]),
    Case("abstract_blocks", "abstract",
         "!!! danger \"Injected\"\n\n??? note \"x\"\n\n# Heading\n\n- list\n\n---\ntitle: pwned\n---\n\n> quote",
         expect=["!!! danger \"Injected\"", "# Heading"]),
    Case("abstract_jinja_dos", "abstract", "{% for x in range(10**9) %}{{ x }}{% endfor %} {{ ''.__class__.__mro__ }}",
         expect=["{% for x in range(10**9) %}"]),
    Case("abstract_1mb", "abstract", ("A long abstract sentence about robots. " * 27000) + "END-OF-HUGE-ABSTRACT.",
         expect=["END-OF-HUGE-ABSTRACT"]),
    # --- comment and other metadata
    Case("comment_script", "comment", f"10 pages <script>{js('comment_script')}</script> [x](javascript:{js('comment_script')})",
         expect=[f"10 pages <script>{js('comment_script')}</script>"]),
    Case("comment_code_link", "comment",
         f"Code: https://github.com/a/b\"onmouseover=\"{js('comment_code_link')}\" and https://github.com/c/d'><script>{js('comment_code_link')}</script>",
         expect=["Code: https://github.com/a/b"]),
    Case("comment_controls", "comment", "Ctrl \u009b31m csi \u0085 nel \u202e over \u200b zw end", expect=["Ctrl", "end"],),
    Case("meta_fields", "meta", {"journal_ref": f"<script>{js('meta_fields')}</script>",
                                 "doi": f"10.1/x\"><script>{js('meta_fields')}</script>",
                                 "categories": ("cs.CV", f"cs.CV\"><script>{js('meta_fields')}</script>")},
         expect=[]),
    # --- LLM side
    Case("analysis_html", "analysis", HTML_PAYLOAD.format(j=js("analysis_html")), expect=["<script>window.__pwned"]),
    Case("analysis_links", "analysis", link_set("analysis_links"), expect=["plain", "reference"]),
    Case("analysis_relative_link", "analysis",
         f"![onerror](x\" onerror=\"{js('analysis_relative_link')}\") and [figure](figure1.png)",
         expect=["figure"]),
    Case("analysis_math_href", "analysis",
         f"$$\\href{{javascript:{js('analysis_math_href')}}}{{\\text{{link}}}}$$\n\n"
         "行内 \\(\\href{data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==}{d}\\) 结束",
         expect=["结束"]),
    Case("analysis_code", "analysis",
         f"```html\n<script>{js('analysis_code')}</script>\n```\n\n`<img src=x onerror=\"{js('analysis_code')}\">`",
         expect=[f"<script>{js('analysis_code')}</script>"]),
    Case("analysis_jinja", "analysis", "{{ digest.cards() }} {% raw %} {{ 7*7 }} {% endraw %} {{ config }}",
         expect=["{{ digest.cards() }} {% raw %} {{ 7*7 }} {% endraw %} {{ config }}"]),
    Case("analysis_attr_list", "analysis",
         f"Paragraph\n{{: onclick=\"{js('analysis_attr_list')}\" }}\n\n## Heading {{ #x onmouseover=\"{js('analysis_attr_list')}\" }}",
         expect=["Paragraph"]),
    Case("analysis_controls", "analysis", "控制字符\x1b[31m红色\x07响铃\x00空字符\u202e反转\u200b零宽\u2060连接结束",
         expect=["控制字符[31m红色响铃空字符反转零宽连接结束"]),
    Case("analysis_front_matter", "analysis", "---\ntitle: pwned\nrender_macros: true\n---\n\n<!-- comment -->",
         expect=["title: pwned"]),
    Case("tldr_html", "tldr", zh(f"<script>{js('tldr_html')}</script>[链接](javascript:{js('tldr_html')})"),
         expect=["<script>window.__pwned="]),
    Case("key_findings_links", "key_findings", zh(f"[要点](javascript:{js('key_findings_links')}) <img src=x onerror=\"{js('key_findings_links')}\">"),
         expect=["[要点](javascript:"]),
    Case("summary_html", "summary", HTML_PAYLOAD.format(j=js("summary_html")) + "\n\n" + link_set("summary_html"),
         expect=[]),
    # --- ids used for file names
    Case("id_traversal", "id", None, arxiv_id="../../etc/passwd"),
    Case("id_dotdot_version", "id", None, arxiv_id="2601.00001v1/../x"),
    Case("id_script", "id", None, arxiv_id="2601.00002v1<script>alert('id_script')</script>"),
    Case("id_query", "id", None, arxiv_id="2601.00003v1?x=../../y#frag"),
    Case("id_old_style_traversal", "id", None, arxiv_id="a/../../../tmp/x"),
    Case("id_malformed", "id", None, arxiv_id="2601.1"),
]
BY_NAME = {c.name: c for c in CASES}
ID_CASES = [c for c in CASES if c.where == "id"]
LLM_WHERE = ("analysis", "tldr", "key_findings", "summary")

# Invisible or reordering characters that must never reach a page (README: Safety).
INVISIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                          "\u2066-\u2069\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
DANGEROUS_URL_RE = re.compile(r"^\s*(javascript|data|vbscript)\s*:", re.I)
URL_ATTRS = ("href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc")


# ----------------------------------------------------------------------------- serving the cases


def entries() -> list:
    out = []
    for i, case in enumerate(CASES):
        kwargs: dict = {"id": case.arxiv_id or f"{case.paper_id}v1", "title": f"A benign study number {case.name}",
                        "abstract": f"We propose a benign method for {case.name}. Experiments show it works.",
                        "authors": ("Ada Lovelace", "Alan Turing"), "categories": ("cs.CV",),
                        "published": ANN.start + timedelta(minutes=5 + i)}
        if case.where in ("title", "abstract", "comment"):
            kwargs[case.where] = case.value
        elif case.where == "authors":
            kwargs["authors"] = case.value
        elif case.where == "meta":
            kwargs.update(case.value)
        out.append(make_entry(**kwargs))
    return out


def case_of(body: dict) -> Case | None:
    text = S.user_text(body)
    found = re.search(r"^arXiv 编号：(\S+)$", text, re.M)
    if found:
        return next((c for c in CASES if c.paper_id == found.group(1)), None)
    for case in CASES:
        if f"A benign study number {case.name}\n" in text:
            return case
    titles = sorted((c for c in CASES if c.where == "title"), key=lambda c: -len(str(c.value)))
    for case in titles:
        if " ".join(str(case.value).split())[:60] in text:
            return case
    return None


def hostile_answer(body: dict):
    task = S.task_of(body)
    if task == "summary":
        case = BY_NAME["summary_html"]
        return default_responder(body).rstrip() + "\n\n" + str(case.value) + "\n"
    case = case_of(body)
    if task == "analysis":
        text = default_responder(body)
        if case is not None and case.where == "analysis":
            # the payload inside the first section, the sections around it intact
            first_end = text.index("\n### ", 4)
            return text[:first_end] + "\n\n" + str(case.value) + "\n" + text[first_end:]
        return text
    if task == "fields":
        schema = S.fields_schema_of(S.taxonomy_in_prompt(S.user_text(body)) or ["Video"])
        data = instance_for_schema(schema, "zh")
        data["key_contributions"] = ["本文提出了一种高效的新方法。", "在多个基准上验证了有效性。"]
        if case is not None and case.where == "tldr":
            data["tldr"] = str(case.value)
        if case is not None and case.where == "key_findings":
            data["key_contributions"][0] = str(case.value)
        text = json.dumps(data, ensure_ascii=False)
        return text if "response_format" in body else f"```json\n{text}\n```"
    return None


# ----------------------------------------------------------------------------- the build


@dataclass
class Built:
    root: Path
    fetch: S.Proc
    analyze: S.Proc
    build: S.Proc
    papers: dict
    strict: S.Proc

    def strict_warnings(self, paper_id: str) -> list[str]:
        return [ln for ln in self.strict.output.splitlines()
                if ln.startswith("WARNING") and f"papers/{paper_id}.md" in ln]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("hostile")
    (root / "docs").mkdir()
    with FakeArxiv(entries=entries()) as arxiv, FakeOpenAI(behaviour_for=hostile_answer) as llm:
        config = S.make_site(root, {"base_url": llm.base_url, "attempts": 1, "retries": 0, "timeout": 30},
                             data=None, max_papers=0, categories=["cs.CV"],
                             arxiv={"api_url": arxiv.url, "delay_seconds": 0, "retries": 0, "timeout": 30,
                                    "page_size": 100})
        fetch = S.run_cli(config, "fetch", "--date", DAY)
        analyze = S.run_cli(config, "analyze")
    import yaml

    site = yaml.safe_load(config.read_text(encoding="utf-8"))
    site["plugins"] = ["search", "tags", "macros", *[p for p in site["plugins"] if p != "tags"]]
    for p in site["plugins"]:
        if isinstance(p, dict) and "arxiv-digest" in p:
            p["arxiv-digest"]["llm"] = {}  # the build only reads the store
    config.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # Math as the example site has it: MathML made at build time, and the packaged MathJax (ui/safe) for the TeX
    # that is not made MathML, so every math payload is rendered in Chromium.
    site["extra_javascript"] = ["assets/arxiv-digest/mathjax/loader.js"]
    config.write_text(yaml.safe_dump(site, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "docs" / "index.md").write_text(
        "# Home\n\n{{ digest.cards() }}\n\n[Latest]({{ digest.link(digest.latest.page) }})\n", encoding="utf-8")
    strict = S.build(config, strict=True)
    # A strict build writes the whole site before it aborts on warnings (charged to their cases); only
    # when it stopped early is a second, lenient build needed for the checks.
    build = strict if (root / "site" / "digest" / DAY / "index.html").is_file() else S.build(config, strict=False)
    return Built(root, fetch, analyze, build, S.stored_papers(root / "data"), strict)


def test_store_of_hostile_papers_fetches_and_builds(built):
    assert built.fetch.returncode in (0, 1), built.fetch.output  # 1: the refused ids are reported
    assert (built.root / "site" / "digest" / DAY / "index.html").is_file(), built.build.output[-4000:]


def test_build_is_strict_clean(built):
    assert built.strict.returncode == 0, built.strict.output[-4000:]


# ----------------------------------------------------------------------------- static checks


def content(doc):
    found = doc.xpath('//article[contains(concat(" ", normalize-space(@class), " "), " md-content__inner ")]')
    return found[0] if found else doc


def markup_problems(doc, case: str | None = None) -> list[str]:
    """Markup a payload made, anywhere in the document (case=None: any payload at all)."""
    needle = case or "__pwned"
    problems = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "script" and (needle in (el.text or "") or "alert(" in (el.text or "") and case is None):
            problems.append(f"<script> with the payload: {(el.text or '')[:80]!r}")
        for name, value in el.attrib.items():
            low = name.lower()
            if low.startswith("on") and (needle in value or "alert" in value):
                problems.append(f"<{tag} {name}=…> handler: {value[:80]!r}")
            if low in URL_ATTRS and DANGEROUS_URL_RE.match(re.sub(r"[\x00-\x20]+", "", value)):
                problems.append(f"<{tag} {name}={value[:60]!r}>")
    article = content(doc)
    for el in article.iter("iframe", "object", "embed", "form", "base", "meta", "frame", "frameset"):
        problems.append(f"<{el.tag}> in the content")
    return problems


def invisible_problems(doc) -> list[str]:
    article = content(doc)
    texts = [article.text_content()] + [v for el in article.iter() if isinstance(el.tag, str) for v in el.attrib.values()]
    title = doc.findtext(".//title") or ""
    found = sorted({f"U+{ord(ch):04X} {unicodedata.name(ch, '?')}" for t in texts + [title]
                    for ch in INVISIBLE_RE.findall(t)})
    return [f"invisible/control characters published: {', '.join(found[:8])}"] if found else []


def page_path(root: Path, uri: str) -> Path:
    return root / "site" / uri / "index.html"


def visible(doc) -> str:
    return " ".join(content(doc).text_content().split())


def static_problems(built: Built, case: Case) -> list[str]:
    problems = []
    root = built.root
    if case.where == "id":
        data = root / "data"
        stray = [str(p) for p in root.rglob("*") if "passwd" in p.name or p.name in ("x", "x.json", "y")]
        problems += [f"file written for a hostile id: {s}" for s in stray]
        names = [p.name for p in (data / "papers").glob("*")] if (data / "papers").is_dir() else []
        bad = [n for n in names if not re.fullmatch(r"(\d{4}\.\d{4,5}|[a-z][a-z.-]*(\.[A-Z]{2})?-\d{7})\.json", n)]
        problems += [f"store file with an unexpected name: {n}" for n in bad]
        if "skipped" not in built.fetch.output:
            problems.append("the refused id was not reported by fetch")
        pages = [str(p.relative_to(root / "site")) for p in (root / "site").rglob("*") if ".." in p.name
                 or "passwd" in p.name or "<" in p.name or "?" in p.name]
        problems += [f"page for a hostile id: {p}" for p in pages]
        return problems
    paper = built.papers.get(case.paper_id)
    if paper is None:
        return [f"{case.paper_id} not in the store"]
    analysis = paper.get("analysis") or {}
    if case.where in LLM_WHERE and case.where != "summary":
        if analysis.get("status") != "done" or analysis.get("provenance") != "llm":
            problems.append(f"the LLM payload did not reach the store: {analysis.get('status')} {analysis.get('reason')}")
    path = page_path(root, f"papers/{case.paper_id}")
    if not path.is_file():
        return problems + [f"no page for {case.paper_id}"]
    doc = lxml_html.parse(str(path)).getroot()
    problems += markup_problems(doc)
    problems += invisible_problems(doc)
    text = visible(doc)
    for literal in case.expect:
        if " ".join(literal.split()) not in text:
            problems.append(f"not shown as text on the paper page: {literal[:90]!r}")
    if case.where == "title" and case.expect:
        title = " ".join((doc.findtext(".//title") or "").split())
        if " ".join(case.expect[0].split()) not in title:
            problems.append(f"the page <title> does not show the title as text: {title[:90]!r}")
    if case.where == "summary":
        day_doc = lxml_html.parse(str(page_path(root, f"digest/{DAY}"))).getroot()
        if "<script>" + js("summary_html") not in visible(day_doc):
            problems.append("the day summary payload is not shown as text")
    return problems


def test_day_page_holds_no_markup_made_by_a_payload(built):
    """No markup made by any payload on the day page (its characters are checked per case on paper pages)."""
    doc = lxml_html.parse(str(page_path(built.root, f"digest/{DAY}"))).getroot()
    assert not markup_problems(doc)


# ----------------------------------------------------------------------------- Chromium


INIT_SCRIPT = """
  window.__pwned_all = [];
  Object.defineProperty(window, '__pwned', {configurable: false,
    set(v) { window.__pwned_all.push(String(v)); }, get() { return window.__pwned_all.join(','); }});
"""
# Fire what a reader's pointer or keyboard would: mouseover/focus handlers on the content.
TOUCH_SCRIPT = """async () => {
  // Math first: MathJax (the packaged copy, with ui/safe) turns \\href{…} into links.
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
    // ui/lazy typesets a formula when it comes into view: bring each one there.
    for (const el of document.querySelectorAll('article .arithmatex')) {
      const block = el.closest('details');
      if (block) block.open = true;
      el.scrollIntoView();
      await new Promise(r => setTimeout(r, 20));
    }
    await new Promise(r => setTimeout(r, 200));
    await MathJax.startup.promise;
  }
  for (const el of document.querySelectorAll('article a, article img, article details, article span, article p')) {
    for (const type of ['mouseover', 'focus', 'toggle']) el.dispatchEvent(new Event(type));
  }
  // Links, and any element with an href (MathML's href would be one, were it let through).
  const hrefs = Array.from(document.querySelectorAll('article a, article [href]')).map(
    a => (typeof a.href === 'string' ? a.href : (a.getAttribute('href') || a.getAttribute('xlink:href') || '')));
  // Math rendered: typeset by MathJax, or drawn from the MathML made at build time.
  return [hrefs, document.querySelectorAll('article mjx-container, article math').length];
}"""


async def _visit_all(site: Path, uris: list[str]) -> dict[str, dict]:
    from playwright.async_api import async_playwright

    results: dict[str, dict] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=["--headless", "--no-sandbox", "--disable-gpu",
                                                "--disable-background-networking"])
        try:
            context = await browser.new_context(java_script_enabled=True)
            await context.add_init_script(INIT_SCRIPT)
            await context.route(re.compile(r"^(?!file:).*"), lambda route: route.abort())  # no network
            slots = asyncio.Semaphore(4)

            async def visit(uri: str) -> None:
                async with slots:
                    page = await context.new_page()
                    dialogs: list[str] = []

                    async def on_dialog(dialog) -> None:
                        dialogs.append(dialog.message)
                        await dialog.dismiss()

                    page.on("dialog", on_dialog)
                    await page.goto((site / uri / "index.html").as_uri(), wait_until="load", timeout=60000)
                    await page.wait_for_timeout(100)
                    hrefs, typeset = await page.evaluate(TOUCH_SCRIPT)
                    await page.wait_for_timeout(50)
                    results[uri] = {"pwned": await page.evaluate("() => window.__pwned_all.slice()"),
                                    "dialogs": dialogs, "typeset": typeset,
                                    "script_hrefs": [h for h in hrefs if DANGEROUS_URL_RE.match(h or "")]}
                    await page.close()

            await asyncio.gather(*(visit(uri) for uri in uris))
        finally:
            await browser.close()
    return results


@pytest.fixture(scope="module")
def browser_results(built) -> dict[str, dict]:
    """page uri → {"pwned": [...], "dialogs": [...], "script_hrefs": [...]} for the home page (macros
    cards), the day page and every paper page, in headless Chromium without network."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium: the browser part of the hostile-input cases is skipped")
    pytest.importorskip("playwright.async_api")
    uris = ["", f"digest/{DAY}/"] + [f"papers/{c.paper_id}/" for c in CASES if c.where != "id"]
    # Another module's sync Playwright may hold an event loop in this thread: run ours in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _visit_all(built.root / "site", uris)).result()


def browser_problems(results: dict[str, dict], case: Case) -> list[str]:
    problems = []
    own = f"papers/{case.paper_id}/"
    for uri, got in results.items():
        fired = [v for v in got["pwned"] + got["dialogs"] if uri == own or v == case.name]
        if fired:
            problems.append(f"script ran on /{uri}: {fired[:5]}")
        if uri == own and got["script_hrefs"]:
            problems.append(f"dangerous links on /{uri}: {got['script_hrefs'][:3]}")
        if uri == own and case.name.endswith("math_href") and not got.get("typeset"):
            problems.append(f"no math rendered on /{uri}: the math payload was not exercised")
    return problems


def test_home_and_day_pages_run_nothing(browser_results):
    for uri in ("", f"digest/{DAY}/"):
        got = browser_results[uri]
        assert not got["pwned"] and not got["dialogs"] and not got["script_hrefs"], (uri, got)


# ----------------------------------------------------------------------------- the cases


def _params():
    for case in CASES:
        marks = [pytest.mark.figure(FIGURE)]
        if case.xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
        yield pytest.param(case.name, marks=marks, id=case.name)


@pytest.mark.parametrize("name", list(_params()))
def test_hostile_payload_shows_as_text_and_runs_nothing(built, request, name):
    case = BY_NAME[name]
    assert (built.root / "site" / "digest" / DAY / "index.html").is_file(), \
        "the site did not build:\n" + built.build.output[-3000:]
    problems = [f"breaks mkdocs build --strict: {w}" for w in built.strict_warnings(case.paper_id)]
    problems += static_problems(built, case)
    if case.where != "id":
        if CHROMIUM.exists():
            problems += browser_problems(request.getfixturevalue("browser_results"), case)
    assert not problems, "\n".join(problems)


def test_browser_check_detects_a_payload(tmp_path):
    """Control: the same harness on a page that does run the payloads sees them."""
    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium")
    pytest.importorskip("playwright.async_api")
    page = tmp_path / "bad"
    page.mkdir()
    (page / "index.html").write_text(
        "<html><body><article><img src=x onerror=\"" + js("control") + "\">"
        "<a href=\"javascript:alert('control')\" onmouseover=\"window.__pwned='hover'\">x</a>"
        "<math><mrow href=\"javascript:alert('mathml')\"><mi>x</mi></mrow></math></article></body></html>",
        encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as pool:  # see browser_results
        got = pool.submit(asyncio.run, _visit_all(tmp_path, ["bad/"])).result()["bad/"]
    assert got["typeset"] == 1  # the <math>
    assert "control" in got["pwned"] and "hover" in got["pwned"] and "control" in got["dialogs"], got
    assert len(got["script_hrefs"]) == 2, got  # the link's and the MathML element's
