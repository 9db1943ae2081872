"""Extension points a site's MkDocs hooks file can define (``hooks:`` in mkdocs.yml).

The plugin calls, when a hooks module defines them:

``arxiv_digest_candidates(papers: list[dict], date: str) -> list[dict] | None``
    Filter or re-order a day's ranked candidates before ``max_papers`` are taken.
``arxiv_digest_paper_tags(paper: dict) -> list[str] | None``
    Extra tags for a paper (added after the analyzer's).
``arxiv_digest_card_context(paper: dict, context: dict) -> dict | None``
    Extra fields for the card template (available as ``extra`` in ``card.html``).

Each may also take a ``channel`` keyword argument: the name of the channel (series) being built,
for sites that follow several. Returning None keeps the input. A hook that raises stops the run
with an error naming it.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import partial
from types import ModuleType
from typing import Any

NAMES = ("arxiv_digest_candidates", "arxiv_digest_paper_tags", "arxiv_digest_card_context")


class HookError(Exception):
    """A site hook failed; the message names the hook and its file."""


class Hooks:
    """The extension functions found in a site's hooks modules."""

    def __init__(self, modules: Mapping[str, ModuleType] | None = None, channel: str = "main") -> None:
        self.found: dict[str, list[tuple[str, Any]]] = {name: [] for name in NAMES}
        for module in (modules or {}).values():
            for name in NAMES:
                function = getattr(module, name, None)
                if callable(function):
                    # Signatures are read once here, not on every call (hooks run once per paper).
                    bound = partial(function, channel=channel) if _takes_channel(function) else function
                    self.found[name].append((getattr(module, "__file__", str(module)), bound))

    def _run(self, name: str, path: str, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except Exception as error:
            raise HookError(f"hook {name} in {path} failed: {type(error).__name__}: {error}") from error

    def candidates(self, papers: list[dict], date: str) -> list[dict]:
        for path, function in self.found["arxiv_digest_candidates"]:
            result = self._run("arxiv_digest_candidates", path, function, list(papers), date)
            if result is not None:
                if not isinstance(result, list) or not all(isinstance(p, dict) and "id" in p for p in result):
                    raise HookError(f"hook arxiv_digest_candidates in {path} must return a list of papers")
                papers = result
        return papers

    def paper_tags(self, paper: dict) -> list[str]:
        tags: list[str] = []
        for path, function in self.found["arxiv_digest_paper_tags"]:
            tags += [str(t) for t in self._run("arxiv_digest_paper_tags", path, function, paper) or []]
        return tags

    def card_context(self, paper: dict) -> dict:
        context: dict = {}
        for path, function in self.found["arxiv_digest_card_context"]:
            context.update(self._run("arxiv_digest_card_context", path, function, paper, dict(context)) or {})
        return context


def _takes_channel(function: Any) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "channel" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
