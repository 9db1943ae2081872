"""Build cost of arxiv-digest next to MkDocs itself, at 1 (and 3) years of digests.

Usage (from the repository root)::

    python benchmarks/build.py --years 1              # 260 days × 10 papers
    python benchmarks/build.py --years 1 --years 3    # and 780 days × 10 papers
    python benchmarks/build.py --days 20 --runs 1     # a quick smoke run
    python benchmarks/build.py --whole-category --years 1 --runs 1   # issue 18: 250 days × (20 featured + 230 listed)

For each scale, in one run:

(a) ``plugin``: ``mkdocs build`` of a site (Material, zh, search, tags, arxiv-digest with
    ``fetch: never``) on a synthetic store (``benchmarks/synth.py``: LLM-analyzed papers; days older than
    30 days packed, as a site's fetching builds leave them with the default ``pack_after_days``), in two states:
    ``daily``: ``cache_dir`` holds what the build of the day before (the store without its newest day) left,
    and the newest day is new, as in the scheduled job that keeps ``cache_dir`` between runs;
    ``cold``: ``cache_dir`` is empty, as in a first build or a CI job that does not keep it;
(b) ``baseline``: the pages the plugin generated in (a), copied verbatim from its
    ``cache_dir/pages`` into ``docs/`` of a second site with the same theme, extensions and
    plugins minus arxiv-digest (the plugin's CSS as ``extra_css``; the generated pages marked
    ``not_in_nav`` as the plugin marks them). mkdocs-macros is off in both.
    Each site is built once untimed (warm-up), then ``--runs`` times, interleaved (cold, daily, baseline
    in turn); the figures are medians. Wall time and peak RSS come from ``os.wait4`` on the child
    (Linux reports the larger peak of the build process and its own children).
    The timed plugin builds run MkDocs' CLI in a wrapper that times the plugin's event handlers
    and the import of the plugin (a few clock reads, no profiler): the plugin's own time, and reads
    the CPU time and peak RSS of the process that writes the generated pages beside the build.
(profile) one more plugin build (daily) under cProfile: the plugin's share is the cumulative time of
    its MkDocs event handlers; the top 15 plugin functions by cumulative time are listed.
(c) a no-op rebuild of (a) with ``fetch: auto``, ``days: 3``, ``until`` = the newest stored
    date, ``arxiv.api_url`` and ``llm.base_url`` pointed at local counting HTTP servers:
    every day is stored and analyzed, so both counts must be 0.
(weight) what readers download: site size, median HTML size of generated day/paper/tag pages,
    ``search/search_index.json`` raw and gzipped (fetched once by the search worker).

The plugin's code is frozen at start (``--plugin-source head``: the last commit, the default;
``worktree``: the working tree as it is) and put first on ``PYTHONPATH`` of every build, so
edits made to plugin/ while the benchmark runs do not change what it measures.
Sites live under ``--work`` (default /tmp/arxiv-digest-bench); a store is regenerated only when
its parameters, synth.py or the plugin modules synth.py imports change. The machine's load average
is printed with the figures.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import http.server
import json
import os
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

PAPERS_PER_DAY = 10
DAYS_PER_YEAR = 260
LISTED_PER_DAY = 0  # --whole-category: 20 featured + 230 listed papers a day, a year of 250 days
WORK = Path(tempfile.gettempdir()) / "arxiv-digest-bench"

COMMON = """\
site_name: arXiv digest benchmark
site_url: https://example.github.io/bench/
theme:
  name: material
  language: zh
  features:
    - navigation.prune
    - navigation.top
    - navigation.tabs
    - search.suggest
    - search.highlight
    - content.code.copy
nav:
  - 首页: index.md
  - 归档: archive.md
  - 标签: tags/index.md
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - pymdownx.details
  - pymdownx.superfences
  - pymdownx.magiclink
  - pymdownx.arithmatex:
      generic: true
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds: { case: lower }
extra_javascript:
  - https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js
"""

PLUGIN_SITE = COMMON + """\
plugins:
  - search:
      lang: [zh, en]
  - tags
  - arxiv-digest:
      categories: [cs.CV, cs.RO]
      max_papers: {max_papers}
      language: zh
      timezone: Asia/Shanghai
      data_dir: ../data
      fetch: {fetch}
{extra}"""

BASELINE_SITE = COMMON + """\
plugins:
  - search:
      lang: [zh, en]
  - tags
extra_css:
  - assets/arxiv-digest/arxiv-digest.css
not_in_nav: |
  /digest/
  /papers/
  /tags/*.md
  !/tags/index.md
  /status.md
"""

INDEX_MD = """\
# arXiv 视觉与机器人每日速递（基准站点）

每个 arXiv 公告日，这里收录计算机视觉（cs.CV）与机器人（cs.RO）方向的新论文。

[查看全部日报 →](archive.md) · [按标签浏览 →](tags/index.md)
"""

EMPTY_FEED = (b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
              b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"><title>arXiv Query</title>'
              b'<opensearch:totalResults>0</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex>'
              b'<opensearch:itemsPerPage>0</opensearch:itemsPerPage></feed>\n')


# -- the plugin under test -------------------------------------------------------------------

PLUGIN_PATH: Path | None = None
PLUGIN_LABEL = "installed"


def use_plugin_source(work: Path, source: str) -> str:
    """Freeze the plugin's code for the whole benchmark (others edit plugin/ meanwhile).

    ``head`` (or a commit): ``git archive <commit> plugin/arxiv_digest``; ``worktree``: a copy of the
    working tree's plugin/arxiv_digest. The copy goes first on ``PYTHONPATH`` (before the editable install's
    path), for this process and every MkDocs child, so all builds run the same code.
    """
    global PLUGIN_PATH, PLUGIN_LABEL
    git = ["git", "-C", str(ROOT)]
    rev = "HEAD" if source in ("head", "worktree") else source
    commit = subprocess.run(git + ["rev-parse", "--verify", rev + "^{commit}"], capture_output=True, text=True,
                            check=True).stdout.strip()
    if source != "worktree":
        dest = work / "plugin-src" / commit[:12]
        if not (dest / "plugin" / "arxiv_digest" / "plugin.py").is_file():
            dest.mkdir(parents=True, exist_ok=True)
            archive = subprocess.run(git + ["archive", commit, "plugin/arxiv_digest"], capture_output=True, check=True)
            subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
        PLUGIN_LABEL = f"plugin at commit {commit[:7]} (git archive)"
    else:
        dest = work / "plugin-src" / f"worktree-{time.strftime('%Y%m%dT%H%M%S')}"
        shutil.copytree(ROOT / "plugin" / "arxiv_digest", dest / "plugin" / "arxiv_digest",
                        ignore=shutil.ignore_patterns("__pycache__"))
        PLUGIN_LABEL = f"plugin from the working tree at {time.strftime('%H:%M:%S')} (HEAD {commit[:7]})"
    PLUGIN_PATH = dest / "plugin"
    sys.path.insert(0, str(PLUGIN_PATH))
    found = subprocess.run([sys.executable, "-c", "import arxiv_digest; print(arxiv_digest.__file__)"],
                           env=child_env(), capture_output=True, text=True).stdout.strip()
    if not found.startswith(str(PLUGIN_PATH)):
        sys.exit(f"the plugin snapshot is not the one imported (got {found!r}); is arxiv_digest installed "
                 "some other way?")
    return PLUGIN_LABEL


# -- processes -----------------------------------------------------------------------------

def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ARXIV_", "OPENAI_")) and k not in ("SITE_URL",)}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if PLUGIN_PATH is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(PLUGIN_PATH), *filter(None, [env.get("PYTHONPATH")])])
    return env


def measure(cmd: list[str], cwd: Path, log: Path) -> dict:
    """Run ``cmd``; wall time, peak RSS of that child (os.wait4) and the 1-minute load before it."""
    load = os.getloadavg()[0]
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=child_env(), stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)} in {cwd}\n{text[-3000:]}")
    warnings = [line for line in text.splitlines() if line.startswith("WARNING")]
    built = re.findall(r"Documentation built in ([\d.]+) seconds", text)
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024, "load": load,
            "built": float(built[-1]) if built else float("nan"), "warnings": warnings}


def measure_events(site: Path, log: Path, **kwargs) -> dict:
    """A plugin build through events_build: measure() figures plus the plugin's own time."""
    events = log.with_suffix(".events.json")
    result = measure(mkdocs_build(site, events=events, **kwargs), site, log)
    data = json.loads(events.read_text())
    result["plugin_import"] = data["import"]
    result["plugin_events"] = data["events"]
    result["plugin_own"] = data["import"] + sum(t for _, t in data["events"].values())
    result["background_cpu"], result["background_rss_mb"] = data["background_cpu"], data["background_rss_mb"]
    return result


def mkdocs_build(site: Path, config: str = "mkdocs.yml", out: str = "site", events: Path | None = None) -> list[str]:
    """``mkdocs build``; with ``events``, through :func:`events_build` (same build, plugin events timed)."""
    args = ["build", "-f", str(site / config), "-d", str(site / out)]
    if events is not None:
        return [sys.executable, str(Path(__file__).resolve()), "--events-build", str(events), *args]
    return [sys.executable, "-m", "mkdocs", *args]


def events_build(out: Path, argv: list[str]) -> None:
    """Run the MkDocs CLI with the plugin's event handlers timed (no profiler, a few clock reads);
    also times importing the plugin. Writes {"import": s, "events": {name: [calls, s]}} to ``out``."""
    import functools

    import mkdocs.__main__  # noqa: F401  (MkDocs' own imports are not the plugin's)

    start = time.perf_counter()
    from arxiv_digest import plugin as module
    imported = time.perf_counter() - start
    times: dict[str, list] = {}

    def timed(name: str, method):
        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                entry = times.setdefault(name, [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - t0
        return wrapper

    cls = module.ArxivDigestPlugin
    for name in [n for n in vars(cls) if n.startswith("on_") and callable(vars(cls)[n])]:
        setattr(cls, name, timed(name, vars(cls)[name]))
    try:
        mkdocs.__main__.cli.main(args=argv, prog_name="mkdocs", standalone_mode=False)
    finally:
        # The plugin's background page writer is this process's only child: its CPU time (on the other
        # core) and peak RSS (shared with this process through fork until either writes a page of memory).
        child = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.write_text(json.dumps({"import": imported, "events": times, "background_cpu": child.ru_utime +
                                   child.ru_stime, "background_rss_mb": child.ru_maxrss / 1024}))


# -- sites -----------------------------------------------------------------------------------

def prepare_store(work: Path, days: int, seed: int) -> Path:
    data = work / "data"
    # The store depends on synth.py and the plugin's modules (record format, announcement days, section
    # titles, taxonomy); hashing all of them resynthesizes now and then for nothing, but never misses a change.
    package = (PLUGIN_PATH or ROOT / "plugin") / "arxiv_digest"
    sources = [p for p in [HERE / "synth.py", *sorted(package.rglob("*.py")), *sorted(package.rglob("*.yml"))]
               if p.is_file()]  # not a symlink out of the snapshot (scaffold's digest.yml → .github/)
    params = {"days": days, "papers": PAPERS_PER_DAY, "seed": seed, **({"listed": LISTED_PER_DAY} if LISTED_PER_DAY else {}),
              "sources": hashlib.sha256(b"".join(p.read_bytes() for p in sources)).hexdigest()[:16]}
    marker = data / ".synth.json"
    if marker.is_file() and json.loads(marker.read_text()) == params:
        return data
    import synth

    print(f"  synthesizing {days} days × {PAPERS_PER_DAY} papers (+{LISTED_PER_DAY} listed) into {data} …", flush=True)
    totals = synth.synthesize(data, days, PAPERS_PER_DAY, seed, listed=LISTED_PER_DAY)
    print(f"  {totals['papers']} papers, {totals['bytes'] / 1e6:.0f} MB", flush=True)
    try:
        from arxiv_digest.config import DigestConfig
        from arxiv_digest.packs import pack_days
        from arxiv_digest.store import Store
    except ImportError:  # a plugin from before packed days: its sites keep every file loose
        pass
    else:  # as a site's fetching builds leave it, with the default pack_after_days
        after = DigestConfig.pack_after_days.default
        print(f"  packed {len(pack_days(Store(data), after))} days older than {after} days", flush=True)
    marker.write_text(json.dumps(params))
    return data


def write_plugin_site(site: Path, config: str = "mkdocs.yml", fetch: str = "never", extra: str = "") -> None:
    (site / "docs").mkdir(parents=True, exist_ok=True)
    (site / "docs" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    (site / config).write_text(PLUGIN_SITE.replace("{fetch}", fetch).replace("{extra}", extra)
                               .replace("{max_papers}", str(PAPERS_PER_DAY)), encoding="utf-8")


def write_baseline_site(plugin_site: Path, site: Path) -> int:
    """docs/ = the plugin's generated pages as written in (a) + index.md + the plugin's CSS."""
    import arxiv_digest.pages.assets as assets

    pages = plugin_site / ".cache" / "arxiv-digest" / "pages"
    docs = site / "docs"
    if docs.exists():
        shutil.rmtree(docs)
    shutil.copytree(pages, docs)
    count = sum(1 for _ in docs.rglob("*.md"))
    (docs / "index.md").write_text(INDEX_MD, encoding="utf-8")
    css = docs / assets.CSS_URI
    css.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(assets.ASSETS / "arxiv-digest.css", css)
    (site / "mkdocs.yml").write_text(BASELINE_SITE, encoding="utf-8")
    return count


# -- profile ---------------------------------------------------------------------------------

def profile(site: Path, logs: Path) -> dict:
    prof = logs / "plugin.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "mkdocs", "build", "-f",
           str(site / "mkdocs.yml"), "-d", str(site / "site-profile")]
    measure(cmd, site, logs / "profile.log")
    stats = pstats.Stats(str(prof))
    raw = stats.stats  # type: ignore[attr-defined]

    def mine(key: tuple) -> bool:
        return "/arxiv_digest/" in key[0].replace(os.sep, "/")

    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    # The plugin's share: time inside its MkDocs event handlers (called from mkdocs/plugins.py).
    events = 0.0
    entered = 0.0
    for key, (_, _, _, _, callers) in raw.items():
        if not mine(key):
            continue
        for caller, values in callers.items():
            if caller[0].replace(os.sep, "/").endswith("mkdocs/plugins.py"):
                events += values[3]
            if not mine(caller):
                entered += values[3]
    # Importing the plugin (MkDocs loads it before the build): its package and plugin module, with what they import.
    imports = sum(v[3] for k, v in raw.items() if mine(k) and k[2] == "<module>"
                  and k[0].replace(os.sep, "/").endswith(("arxiv_digest/__init__.py", "arxiv_digest/plugin.py")))
    top = sorted(((k, v) for k, v in raw.items() if mine(k)), key=lambda kv: -kv[1][3])[:15]
    rows = []
    for (path, line, name), (cc, nc, tt, ct, _) in top:
        short = path.replace(os.sep, "/").split("/arxiv_digest/", 1)[1]
        rows.append({"function": f"{short}:{line}({name})", "calls": nc, "tottime": tt, "cumtime": ct})
    others = sorted(((k, v) for k, v in raw.items()), key=lambda kv: -kv[1][2])[:12]
    hot = [{"function": f"{Path(p).name}:{ln}({n})", "calls": v[1], "tottime": v[2], "cumtime": v[3]}
           for (p, ln, n), v in others]
    return {"total": total, "events": events, "imports": imports, "entered": entered, "top": rows, "hot": hot}


# -- no-op rebuild ---------------------------------------------------------------------------

class Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str]
    body: bytes = b""
    status: int = 200
    content_type: str = "application/atom+xml"

    def _answer(self) -> None:
        self.hits.append(f"{self.command} {self.path}")
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        self.send_header("content-type", self.content_type)
        self.send_header("content-length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


def counting_server(body: bytes, status: int, content_type: str) -> tuple[http.server.ThreadingHTTPServer, list[str]]:
    hits: list[str] = []
    handler = type("Handler", (Counter,), {"hits": hits, "body": body, "status": status,
                                           "content_type": content_type})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


def store_snapshot(data: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(data)): (p.stat().st_mtime_ns, p.stat().st_size) for p in data.rglob("*.json")}


def noop_rebuild(site: Path, data: Path, newest: str, logs: Path, runs: int) -> dict:
    arxiv, arxiv_hits = counting_server(EMPTY_FEED, 200, "application/atom+xml")
    openai, llm_hits = counting_server(b'{"error": {"message": "benchmark: no LLM calls expected"}}', 503,
                                       "application/json")
    extra = (f"      days: 3\n      until: {newest}\n"
             f"      arxiv:\n        api_url: http://127.0.0.1:{arxiv.server_port}/api/query\n"
             f"        delay_seconds: 0\n        retries: 0\n"
             f"      llm:\n        base_url: http://127.0.0.1:{openai.server_port}/v1\n        model: bench-model\n"
             f"        retries: 0\n        attempts: 1\n")
    write_plugin_site(site, "mkdocs-noop.yml", fetch="auto", extra=extra)
    before = store_snapshot(data)
    results = [measure_events(site, logs / f"noop-{i}.log", config="mkdocs-noop.yml", out="site-noop")
               for i in range(runs)]
    after = store_snapshot(data)
    arxiv.shutdown()
    openai.shutdown()
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {"runs": results, "arxiv": len(arxiv_hits), "llm": len(llm_hits), "hits": arxiv_hits + llm_hits,
            "changed": changed}


# -- reader-side weight ----------------------------------------------------------------------

def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def index_kind(location: str) -> str:
    for prefix, kind in (("digest/", "day"), ("papers/", "paper"), ("tags/", "tag")):
        if location.startswith(prefix):
            return kind
    return "other"


def lean_index(data: Path) -> dict:
    """What the index would weigh holding only what readers search: per paper title, authors, tags,
    TL;DR and key findings; day and tag pages by title (Material's JSON: compact, ASCII-escaped)."""
    docs = []
    for path in sorted((data / "papers").glob("*.json")):
        p = json.loads(path.read_text(encoding="utf-8"))
        a = p.get("analysis") or {}
        text = " · ".join([", ".join(p.get("authors", [])), ", ".join(p.get("tags", [])), a.get("tldr") or "",
                           *(a.get("key_findings") or [])])
        docs.append({"location": f"papers/{path.stem}/", "title": p["title"], "text": text})
    for path in sorted((data / "days").glob("*.json")):
        docs.append({"location": f"digest/{path.stem}/", "title": f"arXiv 每日速递 · {path.stem}", "text": ""})
    raw = json.dumps({"config": {}, "docs": docs}, separators=(",", ":")).encode()
    utf8 = json.dumps({"config": {}, "docs": docs}, separators=(",", ":"), ensure_ascii=False).encode()
    return {"raw": len(raw), "gz": gz(raw), "utf8_raw": len(utf8), "utf8_gz": gz(utf8)}


def weight(site_dir: Path, data: Path | None = None) -> dict:
    files = [p for p in site_dir.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    html = [p for p in files if p.suffix == ".html"]

    def sizes(pattern: str) -> list[int]:
        return [p.stat().st_size for p in site_dir.glob(pattern)]

    kinds = {"day": sizes("digest/*/index.html"), "paper": sizes("papers/*/index.html"),
             "tag": [p.stat().st_size for p in site_dir.glob("tags/*/index.html")]}
    generated = [s for v in kinds.values() for s in v]
    # A site searched by Pagefind (the plugin's default since issue 16) has no Material index:
    # benchmarks/search.py measures what its searches download.
    index_file = site_dir / "search" / "search_index.json"
    index = index_file.read_bytes() if index_file.is_file() else b'{"docs": []}'
    pagefind = [p for p in (site_dir / "pagefind").rglob("*") if p.is_file()]
    docs = json.loads(index).get("docs", [])
    scripts = [p for p in site_dir.glob("assets/javascripts/workers/search.*.js")]
    scripts += [site_dir / "assets/javascripts/lunr/min" / f"lunr.{n}.min.js" for n in ("stemmer.support", "multi", "zh")]
    scripts = [p for p in scripts if p.is_file()]
    composition: dict[str, list[int]] = {}
    for doc in docs:
        entry = composition.setdefault(index_kind(doc.get("location", "")), [0, 0])
        entry[0] += 1
        entry[1] += len(json.dumps(doc, separators=(",", ":"), default=str))
    utf8 = json.dumps(json.loads(index), separators=(",", ":"), ensure_ascii=False, default=str).encode()
    day_pages = sorted(site_dir.glob("digest/*/index.html"))
    newest_day = day_pages[-1].read_bytes() if day_pages else b""
    return {
        "files": len(files), "total": total, "html_total": sum(p.stat().st_size for p in html), "pages": len(html),
        "median": {k: statistics.median(v) if v else 0 for k, v in kinds.items()},
        "median_all": statistics.median(generated) if generated else 0,
        "max_day": max(kinds["day"], default=0),
        "max_tag": max(kinds["tag"], default=0),
        "newest_day": len(newest_day), "newest_day_gz": gz(newest_day),
        "search_raw": len(index), "search_gz": gz(index), "search_docs": len(docs),
        "search_code_gz": sum(gz(p.read_bytes()) for p in scripts),
        "composition": composition, "search_utf8_raw": len(utf8), "search_utf8_gz": gz(utf8),
        "lean": lean_index(data) if data else None,
        "pagefind_files": len(pagefind), "pagefind_total": sum(p.stat().st_size for p in pagefind),
        "archive": (site_dir / "archive" / "index.html").stat().st_size if (site_dir / "archive").is_dir() else 0,
    }


# -- one scale -------------------------------------------------------------------------------

def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_scale(label: str, days: int, args: argparse.Namespace) -> dict:
    work = args.work / label
    if args.weight_only:
        return weight_only(label, days, work)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    print(f"\n== {label}: {days} days × {PAPERS_PER_DAY} papers (work dir {work})", flush=True)
    data = prepare_store(work, days, args.seed)
    newest = max(p.stem for p in (data / "days").glob("*.json"))
    plugin_site, baseline_site = work / "plugin", work / "baseline"
    write_plugin_site(plugin_site)

    cache = plugin_site / ".cache" / "arxiv-digest"
    yesterday = work / "cache-yesterday"
    print(f"  warm-up: plugin build without the newest day ({newest}): the cache a daily build starts from …",
          flush=True)
    newest_file, held = data / "days" / f"{newest}.json", work / f"{newest}.json"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.move(newest_file, held)
    try:
        measure(mkdocs_build(plugin_site), plugin_site, logs / "warmup-yesterday.log")
    finally:
        shutil.move(held, newest_file)
    shutil.rmtree(yesterday, ignore_errors=True)
    shutil.copytree(cache, yesterday)  # copy2: page files keep their mtimes, which the cache's keys record

    def start_from(state: str) -> None:
        shutil.rmtree(cache, ignore_errors=True)
        if state == "daily":
            shutil.copytree(yesterday, cache)

    print("  warm-up: plugin build with the newest day (writes the generated pages) …", flush=True)
    warm_a = measure(mkdocs_build(plugin_site), plugin_site, logs / "warmup-plugin.log")
    pages = write_baseline_site(plugin_site, baseline_site)
    print(f"  {pages} generated pages copied to the baseline; warm-up: baseline build "
          f"(plugin warm-up took {warm_a['wall']:.0f} s) …", flush=True)
    warm_b = measure(mkdocs_build(baseline_site), baseline_site, logs / "warmup-baseline.log")

    a_runs: dict[str, list[dict]] = {"daily": [], "cold": []}
    b_runs: list[dict] = []
    for i in range(args.runs):
        order = [("cold", plugin_site, a_runs["cold"]), ("daily", plugin_site, a_runs["daily"]),
                 ("baseline", baseline_site, b_runs)]
        for name, site, runs in order[i % 3:] + order[:i % 3]:
            log = logs / f"{name}-{i}.log"
            if name == "baseline":
                result = measure(mkdocs_build(site), site, log)
            else:
                start_from(name)
                result = measure_events(site, log, out=f"site-{name}")
            runs.append(result)
            own = f", plugin's own {result['plugin_own']:.1f} s" if "plugin_own" in result else ""
            print(f"  run {i + 1}/{args.runs} {name:8s}: {result['wall']:7.1f} s wall, {result['cpu']:7.1f} s CPU, "
                  f"{result['rss_mb']:6.0f} MB peak{own}, load {result['load']:.2f}", flush=True)

    site_a, site_b = plugin_site / "site-daily", baseline_site / "site"
    same, differ = same_html(plugin_site / "site-cold", site_a)
    print(f"  daily vs cold: {same} HTML files identical, {len(differ)} differ {differ[:5]}", flush=True)
    html_a = {str(p.relative_to(site_a)) for p in site_a.rglob("*.html")}
    html_b = {str(p.relative_to(site_b)) for p in site_b.rglob("*.html")}

    prof = None
    if not args.no_profile:
        print("  profile: plugin build (daily) under cProfile …", flush=True)
        start_from("daily")
        prof = profile(plugin_site, logs)
    print("  no-op rebuild with counting arXiv and LLM servers …", flush=True)
    noop = noop_rebuild(plugin_site, data, newest, logs, args.noop_runs)

    return {
        "label": label, "days": days, "papers": days * PAPERS_PER_DAY, "generated_pages": pages,
        "warmup": {"plugin": warm_a["wall"], "baseline": warm_b["wall"]},
        "a": a_runs, "b": b_runs, "profile": prof, "noop": noop,
        "weight_a": weight(site_a, data), "weight_b": weight(site_b),
        "html_only_a": sorted(html_a - html_b)[:5], "html_only_b": sorted(html_b - html_a)[:5],
        "html_diff": len(html_a ^ html_b), "daily_vs_cold": {"same": same, "differ": differ},
        "warnings_a": a_runs["daily"][-1]["warnings"] + a_runs["cold"][-1]["warnings"],
        "warnings_b": b_runs[-1]["warnings"],
    }


def same_html(one: Path, other: Path) -> tuple[int, list[str]]:
    """How many HTML pages two builds of the same site made byte for byte alike, and which differ
    (the status page's build time aside)."""
    built = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
    names = sorted({str(p.relative_to(one)) for p in one.rglob("*.html")} |
                   {str(p.relative_to(other)) for p in other.rglob("*.html")})
    differ = []
    for name in names:
        texts = [built.sub(b"", (root / name).read_bytes()) if (root / name).is_file() else None
                 for root in (one, other)]
        if texts[0] != texts[1]:
            differ.append(name)
    return len(names) - len(differ), differ


def weight_only(label: str, days: int, work: Path) -> dict:
    """Reader-side figures of sites an earlier run built (no builds): ``--weight-only``."""
    print(f"\n== {label}: reader-side weight of the sites built earlier in {work}", flush=True)
    nothing = [{"wall": float("nan"), "cpu": float("nan"), "rss_mb": float("nan"), "load": float("nan"),
                "built": float("nan"), "warnings": []}]
    return {"label": label, "days": days, "papers": days * PAPERS_PER_DAY, "generated_pages": 0,
            "a": {"daily": nothing, "cold": nothing}, "b": nothing, "profile": None, "noop": None, "html_diff": 0,
            "warnings_a": [], "warnings_b": [],
            "weight_a": weight(work / "plugin" / "site-daily", work / "data"), "weight_b": weight(work / "baseline" / "site")}


# -- report ----------------------------------------------------------------------------------

def walls(runs: list[dict]) -> str:
    return ", ".join(f"{r['wall']:.1f}" for r in runs)


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"


def report(results: list[dict], args: argparse.Namespace, started: float) -> None:
    loads = [r["load"] for res in results for r in res["a"]["daily"] + res["a"]["cold"] + res["b"]] or [float("nan")]
    print(f"\n# arxiv-digest build benchmark ({PLUGIN_LABEL}; "
          f"{os.cpu_count()} CPUs; medians of {args.runs} runs; 1-min load average during runs "
          f"{min(loads):.2f}–{max(loads):.2f}, median {median(loads):.2f})\n")

    print("## Build: (a) plugin vs (b) the same pages as plain Markdown\n")
    print("(a) daily: cache_dir as the build of the day before left it, one new day in the store; "
          "(a) cold: empty cache_dir.\n")
    print("| scale | (a) | pages | (a) wall | (b) wall | a/b wall (target ≤ 1.05) | (a) CPU | (b) CPU | a/b CPU | "
          "(a) peak RSS | (b) peak RSS | a/b RSS | runs a (wall) | runs b (wall) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for res in results:
        b, cb = median([r["wall"] for r in res["b"]]), median([r["cpu"] for r in res["b"]])
        mbb = median([r["rss_mb"] for r in res["b"]])
        for state, runs in res["a"].items():
            a, ca = median([r["wall"] for r in runs]), median([r["cpu"] for r in runs])
            ma = median([r["rss_mb"] for r in runs])
            print(f"| {res['label']} ({res['days']}×{PAPERS_PER_DAY}) | {state} | {res['weight_a']['pages']} | "
                  f"{a:.1f} s | {b:.1f} s | {a / b:.3f} | {ca:.1f} s | {cb:.1f} s | {ca / cb:.3f} | {ma:.0f} MB | "
                  f"{mbb:.0f} MB | {ma / mbb:.2f} | {walls(runs)} | {walls(res['b'])} |")
    print("\nwall = process start to exit (what CI pays); CPU = user + sys of the build process, less sensitive to "
          "other load on the machine; MkDocs' own 'Documentation built in' (excludes start-up and plugin import): "
          + "; ".join(f"{res['label']}: a daily {median([r['built'] for r in res['a']['daily']]):.1f} s, "
                      f"a cold {median([r['built'] for r in res['a']['cold']]):.1f} s, "
                      f"b {median([r['built'] for r in res['b']]):.1f} s" for res in results))
    for res in results:
        check = res.get("daily_vs_cold")
        if check:
            print(f"\n{res['label']}: the daily and the cold build made the same HTML: {check['same']} pages alike, "
                  f"{len(check['differ'])} differ" + (f" ({check['differ'][:5]})" if check["differ"] else ""))
        if res["html_diff"]:
            print(f"\nnote {res['label']}: {res['html_diff']} HTML files differ between the sites "
                  f"(only plugin: {res['html_only_a']}, only baseline: {res['html_only_b']})")
        for side in ("a", "b"):
            if res[f"warnings_{side}"]:
                print(f"\nnote {res['label']} ({side}) warnings: {res[f'warnings_{side}'][:5]}")

    print("\n## The plugin's own time in (a), without a profiler (event handlers timed, plus importing the plugin)\n")
    print("| scale | (a) | import | on_config | on_files | on_page_read_source (waiting for pages) | on_post_page "
          "(all pages) | on_post_build | other events | plugin total | share of (a) wall | (a) − (b) wall | "
          "background writer: CPU, peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for res in results:
        b = median([r["wall"] for r in res["b"]])
        for state, all_runs in res["a"].items():
            runs = [r for r in all_runs if "plugin_events" in r]
            if not runs:
                continue
            named = ("on_config", "on_files", "on_page_read_source", "on_post_page", "on_post_build")

            def ev(name: str) -> float:
                return median([r["plugin_events"].get(name, [0, 0.0])[1] for r in runs])

            other = median([sum(t for n, (_, t) in r["plugin_events"].items() if n not in named) for r in runs])
            own = median([r["plugin_own"] for r in runs])
            a = median([r["wall"] for r in runs])
            print(f"| {res['label']} | {state} | {median([r['plugin_import'] for r in runs]):.2f} s | "
                  f"{ev('on_config'):.2f} s | {ev('on_files'):.2f} s | {ev('on_page_read_source'):.2f} s | "
                  f"{ev('on_post_page'):.2f} s | {ev('on_post_build'):.2f} s | {other:.2f} s | {own:.1f} s | "
                  f"{100 * own / a:.1f} % | {a - b:+.1f} s | {median([r['background_cpu'] for r in runs]):.1f} s, "
                  f"{median([r['background_rss_mb'] for r in runs]):.0f} MB |")

    print("\n## The plugin's own share of (a), from cProfile\n")
    print("| scale | profiled build | plugin event handlers | importing the plugin | plugin share |")
    print("|---|---|---|---|---|")
    for res in results:
        p = res["profile"]
        if p:
            own = p["events"] + p["imports"]
            print(f"| {res['label']} | {p['total']:.1f} s | {p['events']:.2f} s | {p['imports']:.2f} s | "
                  f"{100 * own / p['total']:.1f} % |")
    for res in results:
        p = res["profile"]
        if not p:
            continue
        print(f"\n### Top 15 plugin functions by cumulative time ({res['label']}, under cProfile)\n")
        print("| function (plugin/arxiv_digest/…) | calls | tottime | cumtime |")
        print("|---|---|---|---|")
        for row in p["top"]:
            print(f"| {row['function']} | {row['calls']} | {row['tottime']:.2f} s | {row['cumtime']:.2f} s |")
        print(f"\n### Hottest functions overall by own time ({res['label']}), for context\n")
        print("| function | calls | tottime | cumtime |")
        print("|---|---|---|---|")
        for row in p["hot"]:
            print(f"| {row['function']} | {row['calls']} | {row['tottime']:.2f} s | {row['cumtime']:.2f} s |")

    print("\n## (c) No-op rebuild (fetch: auto, days: 3, until = newest stored day)\n")
    print("| scale | wall | CPU | plugin's own time (import + events) | arXiv requests | LLM requests | "
          "store JSON files changed |")
    print("|---|---|---|---|---|---|---|")
    for res in results:
        n = res["noop"]
        if n is None:
            continue
        own = median([r.get("plugin_own", float("nan")) for r in n["runs"]])
        print(f"| {res['label']} | {median([r['wall'] for r in n['runs']]):.1f} s | "
              f"{median([r['cpu'] for r in n['runs']]):.1f} s | {own:.1f} s | {n['arxiv']} (expect 0) | "
              f"{n['llm']} (expect 0) | {len(n['changed'])} |")
        if n["hits"]:
            print(f"\nrequests seen ({res['label']}): {n['hits'][:10]}")
        if n["changed"]:
            print(f"\nchanged ({res['label']}): {n['changed'][:10]}")

    print("\n## Reader-side weight (plugin site; the baseline's search index for comparison)\n")
    print("| scale | site size | files | HTML pages | median generated page | median day | median paper | "
          "median tag | largest day | largest tag | search_index.json raw | gzip (one search) | + search code gzip | "
          "baseline index gzip |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for res in results:
        w, wb = res["weight_a"], res["weight_b"]
        print(f"| {res['label']} | {mb(w['total'])} | {w['files']} | {w['pages']} | {mb(w['median_all'])} | "
              f"{mb(w['median']['day'])} | {mb(w['median']['paper'])} | {mb(w['median']['tag'])} | {mb(w['max_day'])} | {mb(w['max_tag'])} | "
              f"{mb(w['search_raw'])} | {mb(w['search_gz'])} | {mb(w['search_code_gz'])} | {mb(wb['search_gz'])} |")
    print("\n### What the search index holds (plugin site), and a lean alternative\n")
    print("| scale | day pages | paper pages | tag pages | other | same index, UTF-8 instead of \\u-escapes "
          "(raw / gzip) | lean index: papers' title, authors, tags, TL;DR, key findings; days by title (raw / gzip) |")
    print("|---|---|---|---|---|---|---|")
    for res in results:
        w = res["weight_a"]
        comp = w["composition"]
        cell = {k: f"{mb(comp[k][1])} ({comp[k][0]} entries)" if k in comp else "-"
                for k in ("day", "paper", "tag", "other")}
        lean = w.get("lean") or {}
        print(f"| {res['label']} | {cell['day']} | {cell['paper']} | {cell['tag']} | {cell['other']} | "
              f"{mb(w['search_utf8_raw'])} / {mb(w['search_utf8_gz'])} | "
              + (f"{mb(lean['raw'])} / {mb(lean['gz'])} |" if lean else "- |"))
    for res in results:
        w = res["weight_a"]
        if w["pagefind_files"]:
            print(f"\n{res['label']}: searched by Pagefind: {w['pagefind_files']} files, {mb(w['pagefind_total'])} on disk "
                  "(what a search downloads: python benchmarks/search.py)")
            continue
        verdict = "meets" if w["search_gz"] <= 1e6 else "misses"
        print(f"\n{res['label']}: one search downloads {mb(w['search_gz'] + w['search_code_gz'])} gzipped "
              f"({w['search_docs']} index entries) — {verdict} the ≤ 1 MB target"
              + (" (target is for 1 year)" if res["days"] != DAYS_PER_YEAR else ""))

    took = time.perf_counter() - started
    print("\nimporting the plugin = arxiv_digest/__init__.py + plugin.py module code with everything they import "
          "(openai, jsonschema, arxiv, …), paid by every build before the first event.")
    print(f"\nbenchmark wall time: {took / 60:.1f} min")
    for res in results:
        if res["days"] == DAYS_PER_YEAR and 3 not in args.years and not args.weight_only:
            per = took / max(len(results), 1)
            print(f"estimate for --years 3 (≈3× the 1-year build, linear in pages): ≈ {3 * per / 60:.0f} min more")
    cmd = "python benchmarks/build.py" + "".join(f" --years {y}" for y in args.years)
    if args.days:
        cmd += "".join(f" --days {d}" for d in args.days)
    if args.runs != 3:
        cmd += f" --runs {args.runs}"
    if args.seed != 1:
        cmd += f" --seed {args.seed}"
    if args.plugin_source != "head":
        cmd += f" --plugin-source {args.plugin_source}"
    if args.weight_only:
        cmd += " --weight-only"
    if LISTED_PER_DAY:
        cmd += " --whole-category"
    print(f"\nreproduce: {cmd}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, action="append", choices=[1, 2, 3, 4, 5],
                        help="scale in years of 260 days × 10 papers (repeatable; default 1)")
    parser.add_argument("--days", type=int, action="append", help="a custom scale in days (repeatable)")
    parser.add_argument("--runs", type=int, default=3, help="timed builds per site (median reported; default 3)")
    parser.add_argument("--noop-runs", type=int, default=1, help="no-op rebuilds (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=WORK, help=f"work directory (default {WORK})")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile build")
    parser.add_argument("--plugin-source", default="head",
                        help="plugin code measured, frozen at start: head (the last commit, default), worktree, "
                             "or a commit")
    parser.add_argument("--weight-only", action="store_true",
                        help="only measure the reader-side weight of sites built by an earlier run")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON here")
    parser.add_argument("--whole-category", action="store_true",
                        help="issue 18's scale: 20 featured + 230 listed papers a day, years of 250 days")
    args = parser.parse_args()
    if args.whole_category:
        global PAPERS_PER_DAY, DAYS_PER_YEAR, LISTED_PER_DAY
        PAPERS_PER_DAY, DAYS_PER_YEAR, LISTED_PER_DAY = 20, 250, 230
        args.work = args.work / "whole-category"
    if not args.years and not args.days:
        args.years = [1]
    args.years = args.years or []
    started = time.perf_counter()
    print(f"measuring the {use_plugin_source(args.work, args.plugin_source)}", flush=True)
    scales = [(f"{y} year" + ("s" if y > 1 else ""), y * DAYS_PER_YEAR) for y in args.years]
    scales += [(f"{d} days", d) for d in args.days or []]
    results = [run_scale(label.replace(" ", "-"), days, args) for label, days in scales]
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    report(results, args, started)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--events-build"]:
        events_build(Path(sys.argv[2]), sys.argv[3:])
    else:
        main()
