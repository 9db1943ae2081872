"""A site made by ``arxiv-digest init`` in Chromium: math is drawn as MathML made at build time, MathJax (served by
the package, nothing copied into the site's docs) is not even loaded, and the page asks no other host for
anything."""

from __future__ import annotations

import subprocess
import sys

from browser_support import SiteServer, assert_mathml_drawn
from support import TIMEOUT, copy_store, offline_env, run_cli

MATH_PAPER = "2602.15727"  # its abstract holds $...$ math


def test_math_renders_in_an_init_site_as_mathml(tmp_path, fixture_store, open_page):
    root = tmp_path / "site"
    assert run_cli("init", str(root), "--yes", "--categories", "cs.CV", "cs.RO").returncode == 0
    copy_store(fixture_store, root)
    assert not list((root / "docs").rglob("*.js")), "init copies no script into the site"
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                           env={**offline_env(), "ARXIV_DIGEST_FETCH": "never"}, capture_output=True, text=True,
                           timeout=TIMEOUT)
    assert build.returncode == 0, build.stderr
    server = SiteServer(root / "site")
    try:
        visit = open_page()
        requests: list[str] = []
        visit.page.on("request", lambda r: requests.append(r.url))
        visit.goto(server.url + f"papers/{MATH_PAPER}/")
        visit.page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
        assert_mathml_drawn(visit.page)
        assert [u for u in requests if "/mathjax/" in u and not u.endswith("/loader.js")] == []
        visit.assert_clean()
        visit.assert_no_external_requests()
    finally:
        server.close()
