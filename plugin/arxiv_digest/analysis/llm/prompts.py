"""The prompt templates (``prompts/<lang>/*.md``, Jinja2), overridable per site."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

PROMPTS = Path(__file__).parents[2] / "prompts"


class Prompts:
    """Prompt templates per language; a site overrides them in ``templates_dir/prompts/<lang>/``."""

    def __init__(self, language: str, templates_dir: str | None) -> None:
        dirs = [Path(templates_dir) / "prompts" / language] if templates_dir else []
        self.env = Environment(loader=ChoiceLoader([FileSystemLoader([str(d) for d in dirs]),
                                                    FileSystemLoader(str(PROMPTS / language))]),
                               autoescape=False, trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)

    def source(self, name: str) -> str:
        return self.env.loader.get_source(self.env, name)[0]

    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context).strip()

    def digest(self, *names: str, extra: str = "") -> str:
        """Hash of the templates a result came from: the cache key's prompt part."""
        text = "\x00".join(self.source(n) for n in names) + extra
        return hashlib.sha256(text.encode()).hexdigest()[:16]
