"""Bad configuration: every plugin option, with a wrong type and (where one exists) a wrong value.

The options are discovered from ``arxiv_digest.config.DigestConfig`` (sub-configs
``arxiv``, ``llm``, ``llm.models``, ``ranking``, … walked recursively), so an option
added without a case here fails ``test_every_option_has_cases``.

Each case writes a site whose plugin options are valid except the one under test
(``fetch: auto``, arXiv ``api_url`` and LLM ``base_url`` pointed at counting fake
servers) and passes when:

* ``mkdocs build`` (in-process: ``load_config``, then the build) stops with one error
  that names the option (every part of its dotted path), from MkDocs' validation or the
  plugin's ``on_config``;
* ``arxiv-digest fetch`` and ``analyze`` (in-process) exit non-zero naming the option;
* no message echoes a secret (``llm.api_key_env`` holding a pasted key);
* nothing reaches the network: all three make 0 requests to the fake arXiv and fake LLM.

Figure: options covered (every case of the option passed) / options, and cases passed / cases.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.config import config_options as c
from mkdocs.config import load_config

from arxiv_digest import cli
from arxiv_digest.config import DigestConfig
from fake_arxiv import FakeArxiv
from fake_openai import FakeOpenAI

FIGURE = "Bad configuration"
PASTED_KEY = "sk-proj-PASTEDKEY0123456789abcdefghij"

# option path -> (wrong type, wrong value); None: the type is the only thing that can be wrong.
CASES: dict[str, tuple[object, object]] = {
    "enabled": ("sometimes", None),
    "prefix": (5, "../robotics"),  # outside the site (and "tags/robotics": test_channels)
    "title": (5, "  "),
    "categories": ("cs.CV", ["computer vision"]),
    "max_papers": ("ten", -1),
    "days": (2.5, 1000),
    "until": ([2026, 2, 18], "2026-02-30"),
    "timezone": (8, "Mars/Olympus_Mons"),
    "language": (["zh"], "fr"),
    "data_dir": (5, "docs"),  # inside docs_dir: refused in on_config / the CLI (also test_store_inside_docs_dir_...)
    "pack_after_days": ("30", -1),
    "cache": ("yes", None),
    "cache_dir": (5, "docs/generated"),
    "background": ("yes", None),
    "fetch": (True, "sometimes"),
    "partial_day_ratio": ("0.3", 1.5),
    "freshness_days": ("3", -1),
    "on_failure": (1, "explode"),
    "taxonomy": (["3D Vision"], {"3D Vision": []}),
    "max_tags": ("4", 0),
    "figures": ("yes", None),
    "listed": ("yes", None),
    "tag_page_size": ("50", 0),
    "day_analyses": ("10", -1),
    "templates_dir": (5, "no/such/dir"),
    "search": ("yes", None),
    "search_shard_mb": ("12", 0),
    "mathml": ("yes", None),
    "arxiv.api_url": (5, "export.arxiv.org/api/query"),  # no scheme
    "arxiv.html_url": (5, "https://arxiv.org/html/{paper}"),  # unknown placeholder
    "arxiv.pdf_url": (5, "ftp://arxiv.org/pdf/{id}"),
    "arxiv.delay_seconds": ("3", -1),
    "arxiv.retries": (1.5, 100),
    "arxiv.timeout": ("30", 0),
    "arxiv.page_size": ("200", 0),
    "arxiv.holidays": ("2026-01-01", ["2026-13-01"]),
    "llm.base_url": (5, "localhost:8080/v1"),  # no scheme
    "llm.model": (5, ""),
    "llm.models.analysis": (5, ""),
    "llm.models.tags": (5, ""),
    "llm.models.relevance": (5, ""),
    "llm.models.summary": (5, ""),
    "llm.models.brief": (5, ""),
    "llm.api_key_env": (5, PASTED_KEY),  # the key itself pasted where its variable's name goes
    "llm.concurrency": ("8", 0),
    "llm.requests_per_minute": ("60", -1),
    "llm.timeout": ("120", 0),
    "llm.retries": (1.5, 11),
    "llm.attempts": ("2", 0),
    "llm.max_tokens": ("4096", 1),
    "llm.temperature": ("hot", 3),
    "llm.extra_body": ("enable_thinking=false", {"messages": []}),  # would replace every prompt
    "llm.json_schema": ("yes please", None),
    "llm.provider": (5, "qwen"),  # not a profile
    "llm.token_parameter": (5, "max_output_tokens"),
    "llm.send_temperature": ("no", 1),
    "llm.structured_output": (True, "grammar"),
    "llm.thinking": (False, "on"),
    "llm.stream": ("sometimes", 1),
    "llm.full_text": ("yes please", None),
    "llm.full_text_max_tokens": ("12000", 10),
    "llm.reanalyze": (True, "always"),
    "llm.price_input": ("0.15", -1),
    "llm.price_output": ("0.60", -1),
    "llm.batch_discount": ("half", 1.5),
    "llm.brief_batch": ("20", 0),
    "ranking.keywords": (5, {"gaussian splatting": "high"}),
    "ranking.authors": ("K. He", [""]),
    "ranking.author_weight": ("5", -1),
    "ranking.exclude": ("survey", [""]),
    "ranking.min_score": ("0", -5000),
    "ranking.llm_interest": (5, ""),
    "ranking.llm_weight": ("1", -1),
    "ranking.llm_batch": ("20", 0),
}


def discover(schema=DigestConfig._schema, prefix: str = "") -> list[str]:
    out = []
    for name, option in schema:
        if isinstance(option, c.SubConfig) and isinstance(getattr(option, "config_class", None), type):
            out += discover(option.config_class._schema, f"{prefix}{name}.")
        else:
            out.append(prefix + name)
    return out


OPTIONS = discover()


def test_every_option_has_cases():
    missing = [o for o in OPTIONS if o not in CASES]
    stale = [o for o in CASES if o not in OPTIONS]
    assert not missing, f"options without bad-configuration cases: {missing}"
    assert not stale, f"cases for options that no longer exist: {stale}"


# ----------------------------------------------------------------------------- running one case


@pytest.fixture(scope="module")
def servers():
    with FakeArxiv(entries=[]) as arxiv, FakeOpenAI() as llm:
        yield arxiv, llm


def base_options(arxiv: FakeArxiv, llm: FakeOpenAI) -> dict:
    return {"categories": ["cs.CV"], "fetch": "auto", "days": 1, "until": "2026-02-18",
            "arxiv": {"api_url": arxiv.url, "delay_seconds": 0, "retries": 0, "timeout": 5},
            "llm": {"base_url": llm.base_url, "retries": 0, "attempts": 1, "timeout": 5}}


def write_site(root: Path, options: dict) -> Path:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = {"site_name": "Bad config", "theme": {"name": "material"}, "plugins": [{"arxiv-digest": options}]}
    path = root / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_option(options: dict, path: str, value: object) -> dict:
    out = yaml.safe_load(yaml.safe_dump(options))
    node = out
    *parents, leaf = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value
    return out


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@contextlib.contextmanager
def captured():
    """Records of the mkdocs loggers; handlers that cli.main adds are taken off again."""
    logger = logging.getLogger("mkdocs")
    handlers, level = list(logger.handlers), logger.level
    records = Records()
    logger.addHandler(records)
    try:
        yield records
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)


def run_cli(config: Path, *args: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli.main(["-f", str(config), *args])
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, err.getvalue()


def run_build(config: Path) -> tuple[bool, list[str], str]:
    """``mkdocs build`` in-process: (built, ERROR records, text of the exception that stopped it)."""
    from mkdocs.commands.build import build

    with captured() as records:
        try:
            mkdocs_config = load_config(str(config))
            mkdocs_config.plugins.on_startup(command="build", dirty=False)
            try:
                build(mkdocs_config)
            finally:
                mkdocs_config.plugins.on_shutdown()
        except (Exception, SystemExit) as error:  # mkdocs' Abort is a SystemExit
            return False, records.at(logging.ERROR), str(error)
    return True, records.at(logging.ERROR), ""


def names(text: str, path: str) -> bool:
    return path in text or all(f"'{part}'" in text for part in path.split("."))


def check(root: Path, servers, path: str, value: object, monkeypatch) -> list[str]:
    arxiv, llm = servers
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(root.parent)
    config = write_site(root, with_option(base_options(arxiv, llm), path, value))
    before = (len(arxiv.requests), len(llm.requests))
    problems = []
    # 1. mkdocs build: stopped by one error naming the option (validation, or the plugin's on_config)
    built, errors, stopped_by = run_build(config)
    messages = errors + ([stopped_by] if stopped_by and not stopped_by.startswith("Aborted with") else [])
    if built:
        problems.append(f"mkdocs build accepted {path}: {value!r}")
    elif not any(names(m, path) for m in messages):
        problems.append(f"mkdocs build stopped without naming {path}: {messages or stopped_by}")
    if len(errors) > 1:
        problems.append(f"{len(errors)} errors for one bad option: {errors}")
    # 2. the command line: a non-zero exit whose output names the option
    said = []
    for command in ("fetch", "analyze"):
        with captured():
            code, err = run_cli(config, command)
        said.append(err)
        if code == 0:
            problems.append(f"arxiv-digest {command} accepted {path}: {value!r}")
        elif not names(err, path):
            problems.append(f"arxiv-digest {command} exited {code} without naming {path}: {err.strip()[-300:]!r}")
    if any(PASTED_KEY in m for m in messages + said):
        problems.append("an error message echoes the pasted key")
    # 3. no request reached the network
    after = (len(arxiv.requests), len(llm.requests))
    if after != before:
        problems.append(f"network touched with this configuration: {after[0] - before[0]} arXiv and "
                        f"{after[1] - before[1]} LLM requests")
    return problems


# ----------------------------------------------------------------------------- the cases

_URL = (
    "BUG: {opt} accepts a URL {what}; the plugin only fails later, at request time (after other requests were "
    "made). config.py declares it c.Type(str). Fix: a URL option type that requires http(s) and a host{extra}, "
    "raising a ValidationError naming the option.")
VALUE_BUGS: dict[str, str] = {}
TYPE_BUGS: dict[str, str] = {}


def _params():
    for option in OPTIONS:
        wrong_type, wrong_value = CASES.get(option, (None, None))
        for kind, value, bugs in (("type", wrong_type, TYPE_BUGS), ("value", wrong_value, VALUE_BUGS)):
            if value is None:
                continue
            marks = [pytest.mark.figure(FIGURE, group=option)]
            if option in bugs:
                marks.append(pytest.mark.xfail(strict=True, reason=bugs[option]))
            yield pytest.param(option, kind, value, marks=marks, id=f"{option}-wrong_{kind}")


@pytest.mark.parametrize("option,kind,value", list(_params()))
def test_bad_option_is_refused_by_name_before_any_request(tmp_path, servers, monkeypatch, option, kind, value):
    problems = check(tmp_path / "site", servers, option, value, monkeypatch)
    assert not problems, "\n".join(problems)


# ----------------------------------------------------------------------------- around the options


@pytest.mark.parametrize("typo", ["categoris", "llm.modle", "arxiv.retrys"])
def test_unknown_option_is_named(tmp_path, servers, monkeypatch, typo):
    """A misspelt option is at least reported by name (MkDocs' convention: a warning, fatal with --strict)."""
    arxiv, llm = servers
    config = write_site(tmp_path, with_option(base_options(arxiv, llm), typo, 1))
    with captured() as records:
        load_config(str(config))
    leaf = typo.split(".")[-1]
    assert any(leaf in m for m in records.at(logging.WARNING)), records.at(logging.DEBUG)


def test_cli_exit_code_for_bad_configuration(tmp_path, servers, monkeypatch):
    arxiv, llm = servers
    config = write_site(tmp_path, with_option(base_options(arxiv, llm), "arxiv.retries", "three"))
    with captured():
        code, err = run_cli(config, "fetch")
    assert code == 2, (code, err)


@pytest.mark.parametrize("option,value", [("data_dir", "docs"), ("cache_dir", "docs/generated")])
def test_store_inside_docs_dir_is_refused(tmp_path, servers, monkeypatch, option, value):
    """A store or cache inside docs_dir would be published and make `mkdocs serve` rebuild forever.

    Plugin options cannot see docs_dir while MkDocs validates them, so the check runs first thing in
    on_config and in the command line: one error naming the option, before any request."""
    arxiv, llm = servers
    monkeypatch.chdir(tmp_path)
    config = write_site(tmp_path / "site", with_option(base_options(arxiv, llm), option, value))
    before = (len(arxiv.requests), len(llm.requests))
    code, err = run_cli(config, "fetch")
    assert code == 2 and f"'{option}'" in err and "docs_dir" in err, (code, err)
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(config)], capture_output=True,
                           text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert build.returncode != 0 and f"'{option}'" in build.stderr + build.stdout
    assert (len(arxiv.requests), len(llm.requests)) == before
    assert not (tmp_path / "site" / "docs" / "days").exists() and not (tmp_path / "site" / "docs" / "generated").exists()
