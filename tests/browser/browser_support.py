"""Helpers of the browser tests: built sites served on 127.0.0.1, the pages a test opens in Chromium.

The fixtures built on them (the sites, ``browser``, ``open_page``, ``visited``, ``artifacts``)
are in tests/browser/conftest.py.

* Sites are built once per session, all at the same time (``mkdocs build --strict``
  in subprocesses), each into its own temporary directory:

  - ``example_site``: the repository's example site, exactly as ``make build`` makes it
    (``mkdocs.yml``, ``docs/``, ``hooks/``, ``data/`` of the repository root).
  The copies hold only the example's newest day (DAY) and its papers, but for the variant.

  - ``variant_site``: a copy of the example (every day) whose store has one paper analyzed by an
    LLM in Chinese (for jieba search), whose theme turns on ``navigation.instant``, which leaves all
    its math to MathJax (``mathml: false``: MathJax's loader, also after an instant page switch),
    whose search index has a shard per day and whose tags have pages of TAG_PAGE_SIZE cards.
  - ``hostile_site``: a copy of the example whose store has one more paper, made of
    everything a hostile title, abstract, author list and LLM answer can hold.
  - ``bad_links_site``: a copy of the example where one paper's arXiv and code links are
    ``javascript:`` and ``data:`` URLs.

  A failed build fails only the tests of that site.
* ``browser``: Chromium from ``/usr/bin/chromium`` (never a downloaded browser).
* ``open_page``: a page in a fresh context that records console errors, uncaught
  exceptions, failed or >= 400 requests to the local server, requests to any other host
  (aborted, never sent) and dialogs; ``Visit.assert_clean()`` checks them.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from support import REPO, offline_env

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
BUILD_TIMEOUT = 180  # seconds

# The example store's pages used by the tests.
DAY = "2026-02-18"
DAYS = ("2026-01-26", "2026-02-06", DAY)  # every day of the example's store
MATH_PAPERS = {"2602.15727": "2026-02-18", "2602.06042": "2026-02-06"}  # abstracts with $...$ math
ZH_PAPER = "2602.15727"  # gets the Chinese LLM analysis in variant_site
SHARD_MB = 0.05  # variant_site's search_shard_mb: a shard per day
TAG_PAGE_SIZE = 4  # variant_site's tag_page_size: 3D Vision's papers on three pages at least
ZH_TLDR = "提出 LoRWeB：在推理时动态组合一组 LoRA 权重基，完成视觉类比编辑。"
ZH_WORD = "类比"  # in ZH_TLDR only, nowhere else in the example site
HOSTILE_ID = "2602.99999"


# ----------------------------------------------------------------------------- serving


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class SiteServer:
    """``http.server`` on 127.0.0.1 (free port) serving one directory from a thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name=f"serve {directory}", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Site:
    name: str
    root: Path  # the MkDocs project (mkdocs.yml, docs/, data/, ...)
    out: Path  # the built site
    url: str  # where it is served, ending in "/"
    output: str  # mkdocs build log

    def at(self, path: str = "") -> str:
        return self.url + path.lstrip("/")


# ----------------------------------------------------------------------------- building


def mkdocs_build(root: Path, out: Path, site_url: str) -> subprocess.CompletedProcess:
    """``mkdocs build --strict -d OUT`` run from ``root`` (the directory of its mkdocs.yml)."""
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)], cwd=root,
                          env={**offline_env(), "SITE_URL": site_url}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
                          timeout=BUILD_TIMEOUT)


def copy_example(target: Path, days: tuple[str, ...] = (DAY,)) -> Path:
    """The example site's sources (config, pages, hooks) copied to ``target``, with a store of
    only the given digest days and their papers (a smaller store builds faster)."""
    target.mkdir(parents=True)
    shutil.copy2(REPO / "mkdocs.yml", target / "mkdocs.yml")
    for name in ("docs", "hooks"):
        shutil.copytree(REPO / name, target / name)
    for day in days:
        record = json.loads((REPO / "data" / "days" / f"{day}.json").read_text(encoding="utf-8"))
        (target / "data" / "days").mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / "data" / "days" / f"{day}.json", target / "data" / "days")
        for paper_id in record["papers"]:
            (target / "data" / "papers").mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / "data" / "papers" / f"{paper_id}.json", target / "data" / "papers")
    return target


def edit_json(path: Path, change: Callable[[dict], None]) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def edit_mkdocs_yml(root: Path, change: Callable[[str], str]) -> None:
    """Text edit of mkdocs.yml (it holds !ENV and !!python tags, so it is not round-tripped)."""
    path = root / "mkdocs.yml"
    before = path.read_text(encoding="utf-8")
    after = change(before)
    assert after != before, "mkdocs.yml edit did not apply: the example's mkdocs.yml changed shape"
    path.write_text(after, encoding="utf-8")


def make_variant(root: Path) -> None:
    """Chinese LLM analysis for ZH_PAPER; Material's instant navigation on; every formula left to MathJax;
    a search index in shards of one day each (SHARD_MB is less than a day's pages); tag pages of
    TAG_PAGE_SIZE cards."""
    def chinese(record: dict) -> None:
        record["analysis"] = {
            **record["analysis"], "provenance": "llm", "status": "done", "reason": None, "model": "test-model",
            "tldr": ZH_TLDR,
            "key_findings": ["视觉类比任务可以由一组 LoRA 权重基的线性组合表示。"],
            "body": "### 研究问题\n\n如何在推理时为每个类比任务定制模型。\n\n### 方法\n\n- 学习 LoRA 权重基\n- 动态组合\n",
        }
    edit_json(root / "data" / "papers" / f"{ZH_PAPER}.json", chinese)
    edit_mkdocs_yml(root, lambda text: text.replace("  features:\n", "  features:\n    - navigation.instant\n", 1)
                    .replace("      max_papers: 10\n", f"      max_papers: 10\n      search_shard_mb: {SHARD_MB}\n"
                             f"      tag_page_size: {TAG_PAGE_SIZE}\n", 1)
                    .replace("  - arxiv-digest:\n", "  - arxiv-digest:\n      mathml: false\n", 1))


# Everything a hostile source can put into a paper. Script payloads set window.__pwned, so a
# test sees any of them run even when no dialog opens.
SCRIPT = "<script>window.__pwned='script';alert(1)</script>"
IMG = "<img src=x onerror=\"window.__pwned='img';alert(2)\">"
JINJA = "{{ 7*7 }}"
RAW = "{% raw %}"
MATH_LINK = r"$\href{javascript:window.__pwned='mathjax'}{\text{mathlink}}$"
MATH_STYLE = r"$\style{position:fixed;top:0;left:0;width:100vw;height:100vh;background:red}{\text{cover}}$"
LONG_WORD = "Hyper" + "trans" * 40 + "former"  # 207 characters without a break
LONG_URL = "https://example.com/" + "a1b2c3" * 50


def hostile_paper() -> dict[str, Any]:
    head = (f"{SCRIPT} {IMG} {JINJA} {RAW} {{% endraw %}} {{{{ config }}}} {{% include 'x' %}} "
            f"{MATH_LINK} {MATH_STYLE} [md link](javascript:window.__pwned='md') <a href=\"javascript:alert(3)\">a</a> "
            f"{LONG_URL} {LONG_WORD}\n\n---\ntitle: pwned\nhide: [navigation]\n---\n\n")
    filler = " ".join(["The method is evaluated on standard benchmarks with ablations."] * 200)
    abstract = (head + filler)[:10_000]
    assert len(abstract) == 10_000
    title = (f"---\ntitle: pwned\n--- {SCRIPT} {IMG} {JINJA} {RAW} {MATH_LINK} "
             f"An Extremely Long Title About {LONG_WORD} " + "and Robust Scalable Learning " * 8).strip()
    authors = [f"Author Number{i} Surname" for i in range(1, 500)] + [f"{IMG}{SCRIPT}"]
    body = (f"### 研究问题\n\n{SCRIPT}\n\n{IMG}\n\n<iframe src=\"javascript:alert(4)\"></iframe>\n\n"
            f"{JINJA} {RAW} {{% endraw %}}\n\n---\ntitle: pwned\n---\n\n"
            "[click](javascript:window.__pwned='body') <javascript:alert(5)> {: onclick=\"alert(6)\" }\n\n"
            f"!!! danger \"{SCRIPT}\"\n\n    admonition\n\n{MATH_LINK}\n\n$$\n\\style{{color:red}}{{x}} {LONG_WORD}\n$$\n")
    return {
        "schema": 1, "id": HOSTILE_ID, "version": 1, "title": title, "abstract": abstract, "authors": authors,
        "categories": ["cs.CV"], "primary_category": "cs.CV", "comment": f"{SCRIPT} {IMG} {JINJA}",
        "doi": None, "journal_ref": None,
        "links": {"abs": f"https://arxiv.org/abs/{HOSTILE_ID}v1", "pdf": f"https://arxiv.org/pdf/{HOSTILE_ID}v1"},
        "code_links": ["javascript:alert(8)", LONG_URL],
        "published": "2026-02-17T12:00:00+00:00", "updated": "2026-02-17T12:00:00+00:00",
        "tags": ["3D Vision", "cs.CV"],
        "analysis": {
            "provenance": "llm", "status": "done", "reason": None, "model": "test-model",
            "tldr": f"{SCRIPT} {IMG} {JINJA} {RAW} {MATH_LINK} {LONG_WORD}",
            "key_findings": [SCRIPT, IMG, f"{JINJA} {RAW}", "---", MATH_LINK],
            "body": body,
        },
    }


def make_hostile(root: Path) -> None:
    paper = hostile_paper()
    (root / "data" / "papers" / f"{HOSTILE_ID}.json").write_text(
        json.dumps(paper, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    edit_json(root / "data" / "days" / f"{DAY}.json", lambda day: day["papers"].insert(0, HOSTILE_ID))


BAD_LINKS_PAPER = "2602.15828"  # first paper of DAY


def make_bad_links(root: Path) -> None:
    """A day of one paper whose arXiv links are not web links (a hostile or broken feed, an old import)."""
    def links(record: dict) -> None:
        record["links"] = {"abs": "javascript:window.__pwned='abs'", "pdf": "javascript:window.__pwned='pdf'"}
        record["code_links"] = ["javascript:window.__pwned='code'", "data:text/html,<script>alert(1)</script>"]
    edit_json(root / "data" / "papers" / f"{BAD_LINKS_PAPER}.json", links)
    edit_json(root / "data" / "days" / f"{DAY}.json", lambda day: day.update(papers=[BAD_LINKS_PAPER]))
    for path in (root / "data" / "papers").glob("*.json"):
        if path.stem != BAD_LINKS_PAPER:
            path.unlink()


# ----------------------------------------------------------------------------- the browser


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


@dataclass
class Visit:
    """A page with everything it reported since it was opened."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_local: list[str] = field(default_factory=list)
    bad_local: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def goto(self, url: str, *, idle: bool = True) -> Any:
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
        if idle:
            self.page.wait_for_load_state("networkidle")
        self.wait_for_math()
        return response

    def wait_for_math(self) -> None:
        """Until MathJax (if the page has it) has typeset the page."""
        self.page.evaluate("""async () => {
            const mj = window.MathJax;
            if (mj && mj.startup && mj.startup.promise) await mj.startup.promise;
        }""")

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"uncaught exception: {m}" for m in self.page_errors]
                + [f"failed request: {m}" for m in self.failed_local]
                + [f"HTTP error: {m}" for m in self.bad_local]
                + [f"dialog: {m}" for m in self.dialogs])

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "\n".join(problems)

    def assert_no_external_requests(self) -> None:
        hosts = sorted({urlsplit(u).hostname or u for u in self.external})
        assert not self.external, (f"requests to other hosts than 127.0.0.1 ({', '.join(hosts)}); a reader "
                                   "without network (or with a blocker) gets errors:\n" + "\n".join(self.external))


def assert_mathml_drawn(page: Any) -> None:
    """The page's math is MathML the browser lays out as math (no script): no TeX left for MathJax, and each
    subscript sits lower and each superscript higher than its base, which unknown elements laid out as text would
    not."""
    assert page.locator("article math").count() >= 1
    assert page.locator("article .arithmatex").all_text_contents() == [], "math left as TeX for MathJax"
    shifts = page.evaluate("""() => [...document.querySelectorAll('article math :is(msub, msup)')]
        .filter(s => s.getClientRects().length)
        .map(s => {
            const [base, script] = [...s.children].map(c => c.getBoundingClientRect());
            return s.localName === 'msub' ? script.bottom - base.bottom : base.top - script.top;
        })""")
    assert shifts and min(shifts) > 0, f"scripts not moved off their base: {shifts}"
    # The TeX annotation is not drawn.
    assert page.evaluate("""() => [...document.querySelectorAll('article math annotation')]
        .every(a => a.getClientRects().length === 0)""")


def watch(page: Any) -> Visit:
    visit = Visit(page)

    def on_console(msg: Any) -> None:
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        # A request to another host is aborted by the route below and logged by Chromium as
        # "Failed to load resource": it is reported by assert_no_external_requests instead.
        if where and not is_local(where) and msg.text.startswith("Failed to load resource"):
            return
        visit.console_errors.append(f"{msg.text} ({where or 'no location'})")

    def on_request_failed(request: Any) -> None:
        if is_local(request.url):
            visit.failed_local.append(f"{request.url}: {request.failure}")

    def on_response(response: Any) -> None:
        if response.status >= 400 and is_local(response.url):
            visit.bad_local.append(f"{response.status} {response.url}")

    def on_dialog(dialog: Any) -> None:
        visit.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)
    page.on("dialog", on_dialog)
    return visit


def new_visit(browser: Any, *, viewport: dict | None = None, color_scheme: str = "light",
              **options: Any) -> tuple[Any, Visit]:
    """A fresh browser context (no cache, no storage) and a watched page in it."""
    context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900},
                                  color_scheme=color_scheme, locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = watch(page)

    def route(route: Any) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:  # never let a page reach the network; record that it tried
            visit.external.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    return context, visit


# ----------------------------------------------------------------------------- search


def search(visit: Visit, query: str, more: bool = True) -> list[dict[str, str]]:
    """Type ``query`` into the header's search box (Pagefind); the results as [{title, href, meta, excerpt}],
    all of them (``more``: "more results" clicked until it goes) or the first ones shown."""
    page = visit.page
    box = page.locator("header input.md-search__input")
    box.click()
    hint = page.locator(".ad-search .md-search-result__meta").inner_text().strip()
    box.press_sequentially(query, delay=10) if query.isascii() else box.fill(query)  # fill: as an IME commits
    # The box answers with a count or "nothing found" once Pagefind has loaded and searched.
    page.wait_for_function("""([hint, q]) => { const box = document.querySelector('.ad-search');
        const t = box.querySelector('.md-search-result__meta').textContent.trim();
        return box.querySelector('input').value === q && t && t !== hint && box.dataset.done === q; }""",
                           arg=[hint, query], timeout=15_000)
    button = page.locator(".ad-search .ad-search__more")
    while more and button.is_visible():  # ten results at a time, then the older shards' (which may add none)
        count = page.locator(".ad-search .md-search-result__item").count()
        said = page.locator(".ad-search .md-search-result__meta").inner_text()
        button.click()
        page.wait_for_function("""([n, said]) => document.querySelectorAll('.ad-search .md-search-result__item').length > n
            || document.querySelector('.ad-search .ad-search__more').hidden
            || document.querySelector('.ad-search .md-search-result__meta').innerText !== said""", arg=[count, said])
    return page.evaluate("""() => [...document.querySelectorAll('.ad-search .md-search-result__item')]
        .map(li => ({title: li.querySelector('h1')?.textContent.trim() ?? '', href: li.querySelector('a')?.href ?? '',
                     meta: li.querySelector('.ad-search__meta')?.textContent ?? '',
                     excerpt: li.querySelector('p:last-child')?.innerHTML ?? ''}))""")
