"""Typed option schema of the plugin (``plugins: - arxiv-digest: ...``)."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mkdocs.config import base
from mkdocs.config import config_options as c

from .analysis.taxonomy import DEFAULT_TAXONOMY
from .arxiv.ids import CATEGORY_RE
from .config_types import URL, Integer, Number, Text  # noqa: F401 (part of this module's names)
from .pages import kinds


class StrOption(c.Type):
    """A string option; subclasses check its form in ``run_validation``."""

    def __init__(self, default: str | None = None) -> None:
        super().__init__(str, default=default)


class Category(StrOption):
    """An arXiv category such as ``cs.CV``."""

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        if not CATEGORY_RE.match(value):
            raise c.ValidationError(f"'{value}' is not an arXiv category (expected e.g. 'cs.CV').")
        return value


class EnvVarName(StrOption):
    """The name of an environment variable (never a secret's value)."""

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        looks_like_key = re.match(r"sk[-_]", value, re.IGNORECASE) or len(value) > 64
        if looks_like_key or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
            # Never echo the value: it may be a pasted key.
            raise c.ValidationError("Expected the NAME of an environment variable (e.g. OPENAI_API_KEY), "
                                    "not a key; put the key itself in that variable.")
        return value


RESERVED_BODY_KEYS = {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "response_format",
                      "stream", "stream_options", "n"}
PROVIDERS = ["auto", "openai", "deepseek", "dashscope", "vllm", "llama.cpp", "ollama", "openrouter", "gemini",
             "moonshot", "zhipu", "siliconflow", "generic"]


class ExtraBody(c.Type):
    """Provider switches merged into request bodies; never the fields the plugin sets itself."""

    def __init__(self) -> None:
        super().__init__(dict, default={})

    def run_validation(self, value: object) -> dict:
        value = super().run_validation(value)
        clash = sorted(RESERVED_BODY_KEYS & set(value))
        if clash:
            raise c.ValidationError(f"May not set {', '.join(clash)}: the plugin sets these itself (see "
                                    f"llm.token_parameter, llm.send_temperature, llm.structured_output, llm.stream).")
        return value


# Top folders of the root channel's pages and of Material's own files.
RESERVED_FOLDERS = {*kinds.folders(), "assets", "search", "javascripts", "pagefind"}


class Prefix(StrOption):
    """A folder inside the site such as ``robotics`` or ``digests/robotics`` (empty: the site's root)."""

    def __init__(self) -> None:
        super().__init__(default="")

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value).strip().strip("/")
        if value and not re.fullmatch(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*", value):
            raise c.ValidationError(f"Expected a folder made of letters, digits, '-', '_' and '/', got {value!r}.")
        if value.split("/")[0] in RESERVED_FOLDERS:
            raise c.ValidationError(f"{value!r} would mix with the pages of a channel at the root or with the theme's "
                                    f"files; choose a folder not starting with {', '.join(sorted(RESERVED_FOLDERS))}.")
        return value


class Timezone(StrOption):
    """An IANA time zone name such as ``Asia/Shanghai``."""

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise c.ValidationError(f"'{value}' is not an IANA time zone (expected e.g. 'Asia/Shanghai').")
        return value


class DateOption(c.BaseConfigOption[date]):
    """A date written ``YYYY-MM-DD``."""

    def run_validation(self, value: object) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise c.ValidationError(f"Expected a date written YYYY-MM-DD, got {value!r}.")


class Taxonomy(c.BaseConfigOption[dict]):
    """A mapping of tag name to the keywords that assign it."""

    def __init__(self, default: dict[str, list[str]]) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> dict[str, list[str]]:
        if not isinstance(value, dict) or not value:
            raise c.ValidationError("Expected a mapping of tag name to a list of keywords.")
        out: dict[str, list[str]] = {}
        for tag, words in value.items():
            if not isinstance(tag, str) or not tag.strip():
                raise c.ValidationError(f"Tag names must be non-empty strings, got {tag!r}.")
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise c.ValidationError(f"Tag '{tag}': expected a non-empty list of keywords.")
            out[tag.strip()] = [w.strip() for w in words]
        return out


class ArxivConfig(base.Config):
    """Where and how politely to query the arXiv API."""

    api_url = URL("https://export.arxiv.org/api/query")
    """Query endpoint of the arXiv API (point it at a mirror or a local fake in tests)."""
    html_url = URL("https://arxiv.org/html/{id}v{version}", placeholders=("id", "version"))
    """Full-text HTML rendering of a paper (``{id}``, ``{version}``)."""
    pdf_url = URL("https://arxiv.org/pdf/{id}v{version}", placeholders=("id", "version"))
    """PDF of a paper (``{id}``, ``{version}``), the full-text fallback."""
    delay_seconds = Number(3.0)
    """Seconds between two requests, as arXiv's terms of use ask."""
    retries = Integer(3, maximum=20)
    """How often a failed request (HTTP 429/5xx, connection error, timeout) is retried."""
    timeout = Number(30.0, minimum=1)
    """Seconds to wait for one API response."""
    page_size = Integer(200, minimum=1, maximum=2000)
    """Results per API request."""
    holidays = c.ListOfItems(DateOption(), default=[])
    """Dates (US Eastern) on which arXiv makes no announcement; their submissions move to the next one."""


class Keywords(c.BaseConfigOption[dict]):
    """Weighted keywords: a list (weight 1 each) or a mapping of keyword to weight."""

    def __init__(self) -> None:
        super().__init__()
        self.default = {}

    def run_validation(self, value: object) -> dict[str, float]:
        if isinstance(value, list):
            value = {k: 1.0 for k in value}
        if not isinstance(value, dict):
            raise c.ValidationError("Expected a list of keywords or a mapping of keyword to weight.")
        out = {}
        for term, weight in value.items():
            if not isinstance(term, str) or not term.strip():
                raise c.ValidationError(f"Keywords must be non-empty strings, got {term!r}.")
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise c.ValidationError(f"Keyword '{term}': the weight must be a number, got {weight!r}.")
            out[term.strip()] = float(weight)
        return out


class RankingConfig(base.Config):
    """Which of a day's papers are published, in which order (default: newest first)."""

    keywords = Keywords()
    """Terms or phrases matched as taxonomy keywords (README "Tags"), twice the weight in the title: a list, or term → weight."""
    authors = c.ListOfItems(Text(), default=[])
    """Followed authors, matched on normalised names ("K. He" matches "Kaiming He")."""
    author_weight = Number(5.0)
    """Points for each followed author."""
    exclude = c.ListOfItems(Text(), default=[])
    """Negative keywords: matching papers are not published (counted in the report)."""
    min_score = Number(0.0, minimum=-1000)
    """Papers scoring below this are not published (only applies when keywords, authors or llm_interest are set)."""
    llm_interest = c.Optional(Text())
    """A short description of the reader's interests: the LLM scores the day's candidates (0–10) before analysis."""
    llm_weight = Number(1.0)
    """Multiplier of the LLM relevance score (0–10) added to the keyword score."""
    llm_batch = Integer(20, minimum=1, maximum=100)
    """Candidates per LLM relevance request."""


class ModelsConfig(base.Config):
    """Per-task model overrides (default: ``llm.model``)."""

    analysis = c.Optional(Text())
    """Model for the per-paper analysis."""
    tags = c.Optional(Text())
    """Model for the structured fields (TL;DR, tags, key contributions); a cheaper model is often enough."""
    relevance = c.Optional(Text())
    """Model for the relevance scores of ``ranking.llm_interest``."""
    summary = c.Optional(Text())
    """Model for the day's executive summary."""
    brief = c.Optional(Text())
    """Model for the briefs (one-sentence TL;DR and tags) of listed papers, many per request: a cheap one will do."""


class Switch(c.BaseConfigOption[str]):
    """``auto``, ``true`` or ``false`` (YAML booleans accepted), kept as one of those three strings."""

    def __init__(self) -> None:
        super().__init__()
        self.default = "auto"

    def run_validation(self, value: object) -> str:
        value = {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
        if value not in ("auto", "true", "false"):
            raise c.ValidationError(f"Expected auto, true or false, got {value!r}.")
        return value


class LLMConfig(base.Config):
    """The LLM analyzer; with no key and no ``base_url`` the offline analyzer stays in charge."""

    base_url = c.Optional(URL())
    """OpenAI-compatible endpoint, e.g. ``https://api.openai.com/v1`` or a local ``http://127.0.0.1:8080/v1``."""
    model = Text(default="gpt-4o-mini")
    """Model name sent to the endpoint."""
    models = c.SubConfig(ModelsConfig)
    """Per-task model overrides: ``analysis``, ``tags``, ``summary``, ``relevance``, ``brief``."""
    api_key_env = EnvVarName("OPENAI_API_KEY")
    """Name of the environment variable holding the API key (the key itself never goes in mkdocs.yml)."""
    concurrency = Integer(8, minimum=1, maximum=64)
    """Requests in flight at once."""
    requests_per_minute = Integer(0, maximum=100000)
    """Most requests started per minute (0 = no limit)."""
    timeout = Number(120.0, minimum=1)
    """Seconds to wait for one answer."""
    retries = Integer(2, maximum=10)
    """Retries of one request on HTTP 429/5xx and timeouts (with backoff, honouring Retry-After)."""
    attempts = Integer(2, minimum=1, maximum=5)
    """Tries per task when an answer fails validation; after that the paper is stored as pending."""
    max_tokens = Integer(4096, minimum=64)
    """Most tokens one answer may use."""
    temperature = Number(0.3, maximum=2)
    """Sampling temperature."""
    extra_body = ExtraBody()
    """Provider switches added to every request body (e.g. ``{enable_thinking: false}``); they win over the profile's."""
    provider = c.Choice(PROVIDERS, default="auto")
    """Provider profile: what the endpoint accepts (``auto``: from ``base_url``'s host; README, "Providers")."""
    token_parameter = c.Choice(["auto", "max_tokens", "max_completion_tokens"], default="auto")
    """Name of the token-limit parameter (``auto``: the profile's; OpenAI's reasoning models need ``max_completion_tokens``)."""
    send_temperature = c.Optional(c.Type(bool))
    """Whether ``temperature`` is sent (default: the profile's; OpenAI o-series, GPT-5 and Kimi K2.5+ refuse it)."""
    structured_output = c.Choice(["auto", "json_schema", "json_object", "prompt"], default="auto")
    """How JSON answers are asked for (``auto``: the profile's; a refused mode falls back to the next one)."""
    thinking = c.Choice(["off", "default"], default="off")
    """``off``: send the profile's switch turning thinking off; ``default``: leave the model's default."""
    stream = Switch()
    """Stream answers: ``auto`` (when the model requires it, or after an endpoint says so), ``true`` or ``false``."""
    json_schema = c.Type(bool, default=True)
    """``false``: ask for JSON in the prompt only, as ``structured_output: prompt`` (kept for older sites)."""
    full_text = c.Type(bool, default=False)
    """Analyze from the full text (arXiv HTML, else PDF) instead of the abstract."""
    full_text_max_tokens = Integer(12000, minimum=500)
    """Token budget of the full text sent to the model (sections trimmed, references first)."""
    reanalyze = c.Choice(["never", "stale"], default="never")
    """``stale``: re-analyze papers whose prompts, model or request settings changed; ``never``: only with ``--force``."""
    brief_batch = Integer(20, minimum=1, maximum=100)
    """Listed papers per brief request (TL;DR and tags of each, one JSON answer)."""
    price_input = Number(0.0)
    """Price per million input tokens, for the cost line of the report (0 = not shown)."""
    price_output = Number(0.0)
    """Price per million output tokens."""
    batch_discount = Number(0.5, minimum=0, maximum=1)
    """Share of the prices paid for batch requests (``analyze --batch``; OpenAI's Batch API: half)."""


class DigestConfig(base.Config):
    """Options of the ``arxiv-digest`` plugin."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off without removing it (e.g. ``!ENV [DIGEST, true]``)."""
    prefix = Prefix()
    """Folder of this series' pages in the site (e.g. ``robotics``); each channel of a site needs its own."""
    title = c.Optional(Text())
    """Title of this digest series on its pages and feed (default: "arXiv 每日速递" / "arXiv Daily Digest")."""
    categories = c.ListOfItems(Category(), default=["cs.CV"])
    """arXiv categories followed; cross-lists count, a paper appears once."""
    max_papers = Integer(10)
    """Papers per digest day (0 = all of the day's papers)."""
    listed = c.Type(bool, default=True)
    """List the day's other papers (beyond ``max_papers``) compactly on its page, with a brief each; ``false``
    publishes the ``max_papers`` best only."""
    tag_page_size = Integer(50, minimum=1, maximum=1000)
    """Cards on a tag page, newest first; a tag with more papers continues on ``tags/<tag>/page/2/`` and so on
    (on one page, the largest tag of a whole category's year was 5.3 MB of HTML)."""
    day_analyses = Integer(10)
    """Featured papers whose full analysis their day page holds (collapsed in their entry); the others' entries
    link to their paper page, which always has it. Keeps a day of 20 featured papers under 600 KB of HTML."""
    days = Integer(3, maximum=365)
    """How many most recent announcement days a build makes sure are in the store."""
    until = c.Optional(DateOption())
    """Latest digest date a build makes sure of (default: today in ``timezone``)."""
    timezone = Timezone("Asia/Shanghai")
    """Time zone of the digest date: a digest dated D holds the announcement made on the evening (US Eastern) before D."""
    language = c.Choice(["zh", "en"], default="zh")
    """Language of generated text (page labels, summaries, analyses)."""
    data_dir = c.Optional(c.Type(str))
    """Store of papers and days (JSON, meant to be committed), relative to mkdocs.yml
    (default: ``data``, or ``data/<prefix>`` for a channel with a ``prefix``)."""
    pack_after_days = Integer(30, maximum=3650)
    """Days more than this many days older than the newest stored day keep their papers, listed papers and
    figures in one zip each, ``packs/<date>.zip`` in ``data_dir``, instead of 40-odd files (0 = never pack).
    Packed papers read, build and re-analyze as before; what changes is written loose, and packed again."""
    cache = c.Type(bool, default=True)
    """Keep each generated page from the previous build while what it shows is unchanged (its paper or day,
    their tags and related papers, options, templates), instead of making it again."""
    cache_dir = c.Type(str, default=".cache/arxiv-digest")
    """Throw-away files (generated pages, their keys, related papers), relative to mkdocs.yml."""
    background = c.Type(bool, default=True)
    """During ``mkdocs build``, write the generated pages in a second process while MkDocs converts the pages
    before them; ``false`` writes them all before MkDocs reads any (for plugins that read them early)."""
    fetch = c.Choice(["auto", "always", "never"], default="auto")
    """``auto``: fetch missing recent days; ``always``: refetch them; ``never``: build from the store only."""
    partial_day_ratio = Number(0.3, maximum=1)
    """A day with fewer papers than this share of the usual count is held back as partial and refetched
    (published once arXiv gives the same answer twice)."""
    freshness_days = Integer(3, maximum=100)
    """Warn when the newest digest is more than this many announcement days behind arXiv (0 = never)."""
    on_failure = c.Choice(["warn", "info", "abort"], default="warn")
    """How a network or analysis failure during a build is reported (``warn`` fails ``--strict``)."""
    arxiv = c.SubConfig(ArxivConfig)
    """arXiv API settings."""
    llm = c.SubConfig(LLMConfig)
    """LLM analyzer settings."""
    ranking = c.SubConfig(RankingConfig)
    """Relevance ranking: keywords, followed authors, negative keywords, LLM interest."""
    taxonomy = Taxonomy(default=DEFAULT_TAXONOMY)
    """Topic tags: tag name → keywords matched (whole words, any case) in title and abstract."""
    max_tags = Integer(4, minimum=1, maximum=20)
    """Most topic tags given to one paper."""
    figures = c.Type(bool, default=True)
    """Show each paper's first figure: fetched once per paper from its arXiv HTML rendering, kept as a small WebP."""
    templates_dir = c.Optional(c.Dir(exists=True))
    """Folder whose templates override the plugin's own (same file names)."""
    search = c.Type(bool, default=True)
    """Full-text search by Pagefind in the header, in place of Material's search (read from the first channel)."""
    search_shard_mb = Number(12, minimum=0.05, maximum=1000)
    """HTML (MB) of the pages in one shard of the search index: a shard is what the indexer holds in memory and
    what a reader's first search loads the chunks of (about 300 analyzed paper pages)."""
    mathml = c.Type(bool, default=True)
    """Turn the site's TeX into MathML at build time, drawn by the browser with no script; ``false`` leaves every
    formula to the site's MathJax."""

    def validate(self) -> tuple[list, list]:  # type: ignore[override]
        failed, warnings = super().validate()
        if not failed and not self.categories:
            failed.append(("categories", c.ValidationError("Follow at least one category.")))
        return failed, warnings
