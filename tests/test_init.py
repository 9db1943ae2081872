"""``arxiv-digest init``: the questions and flags, the files it writes, refusing to overwrite, and the new site's
first build (nothing stored yet). The installed-wheel run is in test_package.py, the workflow's steps in
test_workflow_run.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from mkdocs.config import load_config
from support import REPO, TIMEOUT, article, offline_env, page, run_cli

FILES = ("mkdocs.yml", "docs/index.md", ".github/workflows/digest.yml", ".gitignore", "requirements.txt",
         "README.md")


def _init(root: Path, *args: str, answers: str | None = None) -> subprocess.CompletedProcess:
    """``arxiv-digest init ROOT ARGS``, typing ``answers`` (one per line) when given."""
    script = Path(sys.executable).with_name("arxiv-digest")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "arxiv_digest.cli"]
    return subprocess.run([*cmd, "init", str(root), *args], input=answers or "", capture_output=True, text=True,
                          encoding="utf-8", env=offline_env(), timeout=TIMEOUT)


def _plugin_options(root: Path) -> dict:
    config = load_config(str(root / "mkdocs.yml"))
    return next(p for name, p in config.plugins.items() if name.startswith("arxiv-digest")).config


def test_init_asks_each_question_and_checks_the_answers(tmp_path):
    # language, site name, categories, max papers (a wrong one, then a good one), provider, model (the default)
    answers = "en\nMy Robot Digest\ncs.RO cs.CV\nmany\n5\ndeepseek\n\n"
    run = _init(tmp_path / "site", answers=answers)
    assert run.returncode == 0, run.stderr
    assert "not a whole number: 'many'" in run.stdout
    root = tmp_path / "site"
    assert all((root / name).is_file() for name in FILES)
    options = _plugin_options(root)
    assert (options.categories, options.max_papers, options.language) == (["cs.RO", "cs.CV"], 5, "en")
    assert (options.llm.base_url, options.llm.model) == ("https://api.deepseek.com", "deepseek-chat")
    assert load_config(str(root / "mkdocs.yml")).site_name == "My Robot Digest"
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "OPENAI_API_KEY" in readme and "DeepSeek" in readme and "Source: GitHub Actions" in readme
    assert "Next: cd " in run.stdout


def test_flags_answer_without_questions_and_any_site_name_survives_yaml(tmp_path):
    name = 'Ada\'s "digest": #1 {of} [all] — 速递'
    run = _init(tmp_path, "--yes", "--site-name", name, "--language", "zh", "--categories", "cs.CV", "math.AG",
                "--max-papers", "0", "--provider", "other", "--llm-base-url", "http://127.0.0.1:8080/v1",
                "--model", "qwen", "--timezone", "UTC", "--site-url", "https://ada.github.io/digest/")
    assert run.returncode == 0, run.stderr
    config = load_config(str(tmp_path / "mkdocs.yml"))
    assert config.site_name == name and config.site_url == "https://ada.github.io/digest/"
    options = _plugin_options(tmp_path)
    assert (options.categories, options.max_papers, options.timezone) == (["cs.CV", "math.AG"], 0, "UTC")
    assert (options.llm.base_url, options.llm.model) == ("http://127.0.0.1:8080/v1", "qwen")
    assert options.fetch == "auto"  # a local build fetches; the workflow sets ARXIV_DIGEST_FETCH=never


def test_bad_flags_are_refused_with_the_flag_named_and_nothing_written(tmp_path):
    for args, message in ((["--categories", "cs.CV", "not a category"], "--categories: 'not a category'"),
                          (["--max-papers", "-2"], "--max-papers: Expected a number of at least 0"),
                          (["--language", "fr"], "--language: Expected one of"),
                          (["--provider", "other"], "--provider other needs --llm-base-url"),
                          (["--timezone", "Mars/Olympus"], "--timezone: 'Mars/Olympus'")):
        run = _init(tmp_path / "site", "--yes", *args)
        assert run.returncode == 2 and message in run.stderr, (args, run.stderr)
    assert not (tmp_path / "site").exists()


def test_init_never_overwrites_a_file_unless_told(tmp_path):
    assert _init(tmp_path, "--yes").returncode == 0
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n", encoding="utf-8")
    (tmp_path / "README.md").unlink()
    again = _init(tmp_path, "--yes", "--language", "en")
    assert again.returncode == 2
    assert "already has mkdocs.yml, docs/index.md" in again.stderr and "--force" in again.stderr
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: mine\n"
    assert not (tmp_path / "README.md").exists()  # nothing written, not even the missing file
    forced = _init(tmp_path, "--yes", "--language", "en", "--force")
    assert forced.returncode == 0 and _plugin_options(tmp_path).language == "en"


def test_the_workflow_init_writes_is_the_repositorys_and_passes_actionlint(tmp_path):
    assert _init(tmp_path, "--yes").returncode == 0
    written = tmp_path / ".github" / "workflows" / "digest.yml"
    assert written.read_bytes() == (REPO / ".github" / "workflows" / "digest.yml").read_bytes()
    assert shutil.which("shellcheck"), "actionlint checks run: scripts with shellcheck"
    lint = subprocess.run([shutil.which("actionlint"), str(written)], capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    requirements = (tmp_path / "requirements.txt").read_text(encoding="utf-8")
    assert "mkdocs-arxiv-digest" in requirements and "-e ." not in requirements


def test_a_fresh_site_builds_and_its_home_page_says_how_to_fetch(tmp_path):
    """Nothing stored and no fetch: the build passes --strict and the home page tells what to do."""
    assert _init(tmp_path, "--yes", "--language", "en").returncode == 0
    env = {**offline_env(), "ARXIV_DIGEST_FETCH": "never"}  # the workflow's build step (test_package: fetch fails)
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert build.returncode == 0, build.stderr
    home = page(tmp_path / "site", "")
    text = " ".join(" ".join(article(home).itertext()).split())
    assert "No digest has been fetched yet. Run arxiv-digest fetch in the site's folder" in text
    # MathML is made at build time; the packaged loader brings MathJax to a page with TeX MathML cannot draw.
    assert home.xpath("//script[contains(@src,'assets/arxiv-digest/mathjax/loader.js')]")
    served = tmp_path / "site" / "assets" / "arxiv-digest" / "mathjax"
    assert (served / "tex-chtml.js").stat().st_size > 1_000_000 and (served / "ui" / "safe.js").is_file()
    for index in ("archive", "tags", "status"):
        assert (tmp_path / "site" / index / "index.html").is_file()


def test_a_site_listing_the_retired_mathjax_scripts_is_told_what_to_list(tmp_path):
    """A site made by an older init lists config.js and tex-svg-full.js, gone from the package: the build names
    them and the loader that replaces them (a warning: --strict stops)."""
    assert _init(tmp_path, "--yes").returncode == 0
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    old = "  - assets/arxiv-digest/mathjax/config.js\n  - assets/arxiv-digest/mathjax/tex-svg-full.js\n"
    config.write_text(text.replace("  - assets/arxiv-digest/mathjax/loader.js\n", old), encoding="utf-8")
    env = {**offline_env(), "ARXIV_DIGEST_FETCH": "never"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert build.returncode != 0
    for retired in ("config.js", "tex-svg-full.js"):
        assert (f"extra_javascript lists assets/arxiv-digest/mathjax/{retired}, which this version of arxiv-digest "
                "no longer ships: list assets/arxiv-digest/mathjax/loader.js instead") in build.stderr


def test_a_site_without_the_mathjax_scripts_gets_only_the_stylesheet_and_scripts(tmp_path):
    """Packaged assets other than the CSS, the day page's script and the search box's script are added only when
    the site lists them."""
    assert _init(tmp_path, "--yes").returncode == 0
    config = tmp_path / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.split("# Math in titles")[0], encoding="utf-8")
    env = {**offline_env(), "ARXIV_DIGEST_FETCH": "never"}
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert build.returncode == 0, build.stderr
    assert sorted(os.listdir(tmp_path / "site" / "assets" / "arxiv-digest")) == [
        "arxiv-digest-day.js", "arxiv-digest.css", "search.js"]


def test_init_needs_no_site_and_ignores_the_config_file_option(tmp_path):
    run = run_cli("-f", str(tmp_path / "nowhere.yml"), "init", str(tmp_path / "new"), "--yes")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "new" / "mkdocs.yml").is_file()


def test_requirements_pin_only_a_released_version(monkeypatch):
    from arxiv_digest import scaffold
    for version, line in (("0.2.0", "mkdocs-arxiv-digest==0.2.0"), ("0.2.1.dev3+gabc1234", "mkdocs-arxiv-digest"),
                          ("0.0.0", "mkdocs-arxiv-digest")):
        monkeypatch.setattr(scaffold, "__version__", version)
        assert scaffold.requirement() == line
