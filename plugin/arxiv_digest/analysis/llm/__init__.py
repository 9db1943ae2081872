"""Analysis stage, LLM side: per-paper analyses, structured fields and day summaries
through any OpenAI-compatible endpoint, validated before anything is stored as done.

- :mod:`.client`: the ``openai`` client, retries and backoff, rate limit, usage accounting;
- :mod:`.providers`: what each endpoint accepts (the one place for provider differences);
- :mod:`.prompts`: the prompt templates per language;
- :mod:`.tasks`: the analysis, fields, summary and relevance requests and the :class:`Analyzer` running them.

Every answer passes the validation gate (:mod:`..checks`): not cut off, not empty, not a refusal or a
request for input, in the site's language, with the required sections, and (for JSON) valid against the
schema with no number in the TL;DR that the source lacks.

The names below are what the pipeline, the plugin and the command line use (``llm.Analyzer``, ...).
"""

from ..checks import Invalid
from .client import Stop, Usage, enabled
from .tasks import Analyzer, Outcome, Request, model_for

__all__ = ["Analyzer", "Invalid", "Outcome", "Request", "Stop", "Usage", "enabled", "model_for"]
