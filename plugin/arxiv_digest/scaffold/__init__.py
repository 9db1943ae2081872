"""``arxiv-digest init``: a new digest site, ready to build and to deploy from GitHub.

The files are templates shipped in ``scaffold/templates/`` (the digest workflow is the plugin repository's own
``.github/workflows/digest.yml``, the one file both use). Answers are checked by the plugin's own config options,
so a site that ``init`` wrote always loads. Nothing is written when any target file exists, unless ``force``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from mkdocs.config.base import ValidationError

from .. import __version__
from ..config import DigestConfig, LLMConfig
from ..i18n import labels, texts

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Target path in the site → template; the workflow is copied verbatim (its ${{ }} are GitHub's).
FILES = {"mkdocs.yml": "mkdocs.yml", "docs/index.md": "index.md", ".github/workflows/digest.yml": "digest.yml",
         ".gitignore": "gitignore", "requirements.txt": "requirements.txt", "README.md": "README.md"}
VERBATIM = {"digest.yml"}


@dataclass(frozen=True)
class Provider:
    label: str
    base_url: str | None  # None: the openai client's default, api.openai.com
    model: str


# Endpoints and model names as each provider documents them for OpenAI-compatible clients.
PROVIDERS = {
    "openai": Provider("OpenAI", None, LLMConfig.model.default),
    "deepseek": Provider("DeepSeek", "https://api.deepseek.com", "deepseek-chat"),
    "openrouter": Provider("OpenRouter", "https://openrouter.ai/api/v1", "openai/gpt-4o-mini"),
    "other": Provider("OpenAI-compatible endpoint's", None, LLMConfig.model.default),
}


class ScaffoldError(Exception):
    """A one-line reason why no site was written."""


@dataclass
class Answers:
    """What ``init`` asks (or takes from flags); ``None`` means not given yet."""

    site_name: str | None = None
    language: str | None = None
    categories: list[str] | None = None
    max_papers: int | None = None
    provider: str | None = None
    model: str | None = None
    llm_base_url: str | None = None
    arxiv_api_url: str | None = None
    timezone: str | None = None
    site_url: str | None = None


def _option(option: Any) -> Callable[[Any], Any]:
    """A parser that checks a value with the plugin's own config option."""
    def parse(value: Any) -> Any:
        try:
            return option.validate(value)
        except ValidationError as error:
            raise ValueError(str(error)) from None
    return parse


def _provider(value: str) -> str:
    if value not in PROVIDERS:
        raise ValueError(f"unknown provider {value!r} (one of: {', '.join(PROVIDERS)})")
    return value


def _count(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"not a whole number: {value!r}") from None
    return _option(DigestConfig.max_papers)(number)


def _categories(value: str | list[str]) -> list[str]:
    """Typed: separated by spaces; from flags: a list (an item with a space in it is refused, not split)."""
    return _option(DigestConfig.categories)(value.split() if isinstance(value, str) else value)


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


# The questions, in order: field, prompt, parser of a typed answer, default (from the answers so far).
QUESTIONS: list[tuple[str, str, Callable[[Any], Any], Callable[[Answers], Any]]] = [
    ("language", "Language of the pages and analyses (zh, en)", _option(DigestConfig.language),
     lambda a: DigestConfig.language.default),
    ("site_name", "Site name", _text, lambda a: labels(a.language)["day_title"]),
    ("categories", "arXiv categories, separated by spaces", _categories,
     lambda a: DigestConfig.categories.default),
    ("max_papers", "Papers per digest day (0 = all)", _count,
     lambda a: DigestConfig.max_papers.default),
    ("provider", f"LLM provider ({', '.join(PROVIDERS)})", _provider, lambda a: "openai"),
    ("model", "Model", _text, lambda a: PROVIDERS[a.provider].model),
]


def _shown(value: Any) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def complete(answers: Answers, ask: Callable[[str], str] | None) -> Answers:
    """Fill what flags left out: with ``ask`` (a prompt → typed answer), ask until the answer is valid;
    without it, take the defaults. Flags are checked by the same parsers."""
    for name, prompt, parse, default in QUESTIONS:
        given = getattr(answers, name)
        if given is not None:
            try:
                value = parse(given)
            except ValueError as error:
                raise ScaffoldError(f"--{name.replace('_', '-')}: {error}") from None
        elif ask is None:
            value = default(answers)
        else:
            value = _ask(ask, prompt, parse, default(answers))
        setattr(answers, name, value)
    answers.timezone = _checked("timezone", answers.timezone or DigestConfig.timezone.default, DigestConfig.timezone)
    if answers.provider == "other" and not answers.llm_base_url:
        raise ScaffoldError("--provider other needs --llm-base-url (the endpoint, e.g. http://host:8080/v1)")
    if answers.llm_base_url is None:
        answers.llm_base_url = PROVIDERS[answers.provider].base_url
    return answers


def _checked(name: str, value: Any, option: Any) -> Any:
    try:
        return _option(option)(value)
    except ValueError as error:
        raise ScaffoldError(f"--{name.replace('_', '-')}: {error}") from None


def _ask(ask: Callable[[str], str], prompt: str, parse: Callable[[Any], Any], default: Any) -> Any:
    while True:
        try:
            typed = ask(f"{prompt} [{_shown(default)}]: ").strip()
        except EOFError:
            raise ScaffoldError(f"no answer to {prompt!r} (use --yes to take the defaults)") from None
        if not typed:
            return default
        try:
            return parse(typed)
        except ValueError as error:
            print(f"  {error}")


def requirement() -> str:
    """The plugin pinned at this version when it is a release (a dev build, or 0.0.0 from a tree without git
    metadata, is not on PyPI)."""
    if re.fullmatch(r"\d+(\.\d+)*", __version__) and __version__ != "0.0.0":
        return f"mkdocs-arxiv-digest=={__version__}"
    return "mkdocs-arxiv-digest"


def render(answers: Answers) -> dict[str, str]:
    """Target path → text of every file of the new site."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True,
                      # The pages' own {{ }} / {% %} are for mkdocs-macros at build time: init uses [[ ]] / [% %].
                      variable_start_string="[[", variable_end_string="]]",
                      block_start_string="[%", block_end_string="%]",
                      comment_start_string="[#", comment_end_string="#]")
    # A JSON string or list is a YAML flow scalar or sequence: quoting that any site name survives.
    env.filters["yaml"] = lambda value: json.dumps(value, ensure_ascii=False)
    context = {f.name: getattr(answers, f.name) for f in fields(answers)}
    context.update(version=__version__, requirement=requirement(), home=texts(answers.language)["home"],
                   provider_label=PROVIDERS[answers.provider].label)
    out = {}
    for target, name in FILES.items():
        if name in VERBATIM:
            out[target] = (TEMPLATES / name).read_text(encoding="utf-8")
        else:
            out[target] = env.get_template(name).render(context)
    return out


def write(root: Path, answers: Answers, *, force: bool = False) -> list[Path]:
    """Write the site into ``root``; refuses (writing nothing) when a file exists and ``force`` is false."""
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} exists and is not a folder")
    files = render(answers)
    existing = [target for target in files if (root / target).exists()]
    if existing and not force:
        raise ScaffoldError(f"{root} already has {', '.join(existing)}: nothing written (--force overwrites)")
    written = []
    for target, text in files.items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def next_steps(root: Path, answers: Answers) -> str:
    """What to do after ``init``, printed by the command."""
    where = "" if root.resolve() == Path.cwd().resolve() else f"cd {root} && "
    return (f"Next: {where}arxiv-digest fetch && mkdocs serve   (a local preview)\n"
            f"Then push to GitHub, turn on Pages (Settings → Pages → Source: GitHub Actions) and, for "
            f"{PROVIDERS[answers.provider].label} analyses, add the secret OPENAI_API_KEY: see README.md.")
