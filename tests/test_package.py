"""The distributable package: sdist and wheel built and checked as a release builds them, the wheel installed into a
fresh venv, and a site that ``arxiv-digest init`` wrote built from outside the repository with nothing but the wheel.

The venv is a plain one (no ``--system-site-packages``): ``pip install WHEEL`` takes the dependencies the wheel
declares from PyPI, as a site owner's machine would (about 35 s with pip's cache warm). Reusing this interpreter's
packages would be quicker but unsound: the commands of the dependencies (``mkdocs``) would then not be in the venv,
and the ``mkdocs`` found on PATH would import the checkout's editable install instead of the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from fake_arxiv import FakeArxiv
from recent_arxiv import latest_dates, recent_entries
from support import REPO, TIMEOUT, article, closed_port_url, page

PACKAGE = REPO / "plugin" / "arxiv_digest"


def _run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=TIMEOUT)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """``python -m build``: the sdist, then the wheel built from the sdist (so the sdist must be complete)."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], cwd=out)
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())], cwd=out)
    return out


def _wheel(dist: Path) -> Path:
    (wheel,) = dist.glob("*.whl")
    return wheel


def test_the_wheel_carries_every_file_the_package_reads(dist):
    """Templates, prompts, i18n, assets and init's templates: every non-Python file of the package tracked by git."""
    tracked = subprocess.run(["git", "ls-files", "plugin/arxiv_digest"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    data = {path.removeprefix("plugin/") for path in tracked if not path.endswith(".py")}
    assert {"arxiv_digest/scaffold/templates/digest.yml", "arxiv_digest/assets/mathjax/tex-chtml.js",
            "arxiv_digest/i18n/zh.yml", "arxiv_digest/prompts/en/analysis.md"} <= data
    with zipfile.ZipFile(_wheel(dist)) as wheel:
        names = set(wheel.namelist())
        assert data <= names, sorted(data - names)
        # The workflow init writes is the repository's own, byte for byte (one file, shipped through a symlink).
        shipped = wheel.read("arxiv_digest/scaffold/templates/digest.yml")
        assert shipped == (REPO / ".github" / "workflows" / "digest.yml").read_bytes()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        assert "Requires-Dist: mkdocs-material" in wheel.read(metadata).decode()


def _venv(root: Path, wheel: Path) -> dict[str, str]:
    """A fresh venv with the wheel installed; the environment that runs its commands."""
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV") and not k.startswith(("OPENAI_", "ARXIV_DIGEST_"))}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", NO_MKDOCS_2_WARNING="1",
               PYTHONIOENCODING="utf-8", PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=root, env=env)
    where = _run([str(venv / "bin" / "python"), "-c", "import arxiv_digest; print(arxiv_digest.__file__)"],
                 cwd=root, env=env).stdout.strip()
    assert Path(where).is_relative_to(venv), f"arxiv_digest imported from {where}, not from the wheel"
    for command in ("arxiv-digest", "mkdocs"):
        assert shutil.which(command, path=env["PATH"]) == str(venv / "bin" / command)
    return env


def test_a_site_made_by_init_builds_from_the_installed_wheel(dist, tmp_path):
    """The README's "Start your own digest", exactly, from the wheel and outside the repository."""
    env = _venv(tmp_path, _wheel(dist))
    # Without network and nothing stored, a fresh site still builds (started now: its fetch retries take a while).
    offline = tmp_path / "offline"
    _run(["arxiv-digest", "init", str(offline), "--yes", "--arxiv-api-url", closed_port_url()], cwd=tmp_path,
         env=env)
    offline_build = subprocess.Popen(["mkdocs", "build"], cwd=offline, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
    try:
        with FakeArxiv(entries=[e for day in recent_entries() for e in day]) as fake:
            _run(["arxiv-digest", "init", "site", "--yes", "--arxiv-api-url", fake.url], cwd=tmp_path, env=env)
            site = tmp_path / "site"
            fetch = _run(["arxiv-digest", "fetch"], cwd=site, env=env)
            _run(["mkdocs", "build", "--strict"], cwd=site, env=env)
        output, _ = offline_build.communicate(timeout=TIMEOUT)
    finally:
        offline_build.kill()
    assert "days fetched: 3" in fetch.stdout, fetch.stdout
    built = site / "site"
    newest = latest_dates()[-1]
    day = article(page(built, f"digest/{newest}/"))
    cards = day.xpath(".//article[contains(@class,'ad-card')]")
    assert cards, "no paper cards on the newest day"
    paper_link = cards[0].xpath(".//a[contains(@href,'papers/')]/@href")[0]
    paper_id = paper_link.rstrip("/").rsplit("/", 1)[-1]
    title = " ".join(" ".join(article(page(built, f"papers/{paper_id}/")).xpath(".//h1")[0].itertext()).split()).rstrip("¶ ")
    assert title and title in " ".join(" ".join(cards[0].itertext()).split())
    tag_pages = [p for p in (built / "tags").iterdir() if (p / "index.html").is_file()]
    assert tag_pages and article(page(built, f"tags/{tag_pages[0].name}/")).xpath(
        ".//article[contains(@class,'ad-card')]")
    home = page(built, "")
    assert home.xpath(f"//a[contains(@href,'digest/{newest}')]"), "the home page links the latest digest"
    # Math is MathML made at build time, and else rendered by the packaged MathJax, served by the site itself.
    assert (built / "assets" / "arxiv-digest" / "mathjax" / "tex-chtml.js").is_file()
    assert (built / "assets" / "arxiv-digest" / "mathjax" / "ui" / "safe.js").is_file()
    assert home.xpath("//script[contains(@src,'assets/arxiv-digest/mathjax/loader.js')]")

    assert offline_build.returncode == 0, output
    text = " ".join(article(page(offline / "site", "")).itertext())
    assert "还没有获取任何日报" in text and "arxiv-digest fetch" in text


def test_no_file_of_the_checkout_is_needed(dist, tmp_path):
    """The sdist alone is enough: the wheel above was built from it; here the sdist holds the workflow file."""
    (sdist,) = dist.glob("*.tar.gz")
    shutil.unpack_archive(sdist, tmp_path)
    (root,) = tmp_path.iterdir()
    shipped = root / "plugin" / "arxiv_digest" / "scaffold" / "templates" / "digest.yml"
    assert shipped.is_file() and not shipped.is_symlink()
    assert shipped.read_bytes() == (REPO / ".github" / "workflows" / "digest.yml").read_bytes()
