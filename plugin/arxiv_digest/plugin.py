"""MkDocs events of arxiv-digest: wiring only; each stage lives in its own module."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section

from . import freshness, pipeline, search
from .analysis import llm
from .arxiv import announce
from .channels import channel_name, channels, check_channels, check_paths, data_dir
from .config import DigestConfig
from .hooks import HookError, Hooks
from .i18n import labels
from .macros import register_macros
from .pages import feed
from .pages import markdown as md
from .pages import math
from .pages.assets import ASSETS, CSS_URI, JS_URI, RETIRED, deferred, packaged_assets
from .pages.cache import inputs as site_inputs
from .pages.kinds import nav_owner
from .pages.kinds.day import footer_neighbours
from .pages.render import TEMPLATES
from .pages.site import Site
from .pages.writer import Pages, write_pages
from .store import Store, StoreError, write_atomic

log = get_plugin_logger(__name__)

# Extensions the generated pages use (collapsible blocks, admonitions, ids); added when a site lacks them.
# md_in_html: a day page's paper entries are sections (the tag filter hides one whole) holding Markdown.
REQUIRED_EXTENSIONS = ("admonition", "pymdownx.details", "attr_list", "toc", "pymdownx.arithmatex", "md_in_html")


class ArxivDigestPlugin(BasePlugin[DigestConfig]):
    """Daily arXiv digests as virtual pages of a Material for MkDocs site.

    A site may list the plugin several times: each entry is a channel, a digest series with its own
    categories, options, store and pages under its own ``prefix``.
    """

    supports_multiple_instances = True

    def __init__(self) -> None:
        self.is_serve = False
        self.fetched = False
        self.site: Site | None = None
        self.pages: Pages | None = None
        self.background = False
        self.inputs: tuple = ()
        self.store: Store | None = None
        self.generated: set[str] = set()
        self.status: dict[str, Any] = {}
        self.macros: Any = None
        self.hooks = Hooks()
        self.search_box: search.SearchBox | None = None  # set on the channel that runs the site's search
        self._lit: Any = None  # the nav item highlighted for the page being rendered (on_page_context)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup keeps this instance across `mkdocs serve` rebuilds: fetch once per session.
        self.is_serve = command == "serve"
        # A build reads each page only when it gets to it: a second process can write them meanwhile.
        self.background = command in ("build", "gh-deploy") and not dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        root = Path(config.config_file_path or ".").resolve().parent
        try:
            check_paths(self.config, root, config.docs_dir, config.site_dir)
            check_channels(channels(config), root)
        except ValidationError as error:
            raise PluginError(str(error)) from None
        self.cache_dir = root / self.config.cache_dir
        self.store = Store(root / data_dir(self.config), unpack_dir=self.cache_dir / "unpacked")
        _add_markdown_extensions(config)
        if CSS_URI not in config.extra_css:
            config.extra_css.append(CSS_URI)
        if JS_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(deferred(JS_URI))
        self.macros = register_macros(config, self)
        self.hooks = Hooks(config.hooks, channel=channel_name(self.config))
        self._configure_search(config)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        self._update_store()
        self._check_freshness()
        self._generate_pages(config)
        self._add_generated_files(files, config, {**self.pages.paths, self.site.status_uri: self._write_status()})
        return files

    def on_page_markdown(self, markdown: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or self.site is None:
            return None
        # Material's footer links (navigation.footer) of a day page, not in the nav: the older and newer day.
        for attr, uri in footer_neighbours(self.site, page.file.src_uri).items():
            neighbour = files.get_file_from_path(uri)
            if neighbour is not None and neighbour.page is not None:
                setattr(page, attr, neighbour.page)
        # Said at build time, not in the kept pages: a digest grows stale without any change to the store.
        notice = self.site.stale_notice(page.file.src_uri, self.status)
        return md.after_title(markdown, notice) if notice else None

    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Files) -> str | None:
        # Every page's formulas, the site's own pages too: math is drawn by the browser, not by a script.
        return math.render(html) if self.config.enabled and self.config.mathml else None

    def on_page_read_source(self, *, page: Any, config: MkDocsConfig) -> str | None:
        if self.pages is not None:
            self.pages.wait(page.file.src_uri)  # written by the background process, maybe not yet
        return None

    def on_env(self, env: Any, *, config: MkDocsConfig, files: Files) -> Any:
        if self.pages is not None:
            self.pages.finish()  # every page is read by now; the keys are written for the next build
        return env

    def on_build_error(self, *, error: Exception) -> None:
        if self.pages is not None:
            self.pages.close()
            self.pages = None  # some pages may be missing or old: the next serve rebuild writes them again

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled or self.site is None:
            return
        self._log_totals()
        self._write_feeds(config)
        if self.search_box is not None:
            self.search_box.build_index(config.site_dir, self.cache_dir / "search")

    def on_page_context(self, context: Any, *, page: Any, config: MkDocsConfig, nav: Navigation) -> Any:
        if not self.config.enabled or self.site is None:
            return None
        # A day, paper or tag page is in no tab: Material highlights its index page's tab while it renders (until
        # on_post_page).
        owner = nav_owner(self.site, page.file.src_uri)
        item = next((p for p in nav.pages if p.file.src_uri == owner), None) if owner else None
        if item is not None and not item.active:
            item.active = True
            self._lit = item
        return None

    def on_post_page(self, output: str, *, page: Any, config: MkDocsConfig) -> str | None:
        if self._lit is not None:
            self._lit.active, self._lit = False, None
        if not self.config.enabled:
            return None
        if self.search_box is not None:
            output = self.search_box.add(output, indexed=search.is_indexed(page), path=page.file.dest_uri)
        # Feed readers and browsers find the feed through every page's head.
        return feed.add_head_link(output, self._feed_link(config)) if config.site_url else output

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str | None:
        if not self.config.enabled or not template_name.endswith(".html"):
            return None
        if self.search_box is not None:  # 404.html
            output_content = self.search_box.add(output_content, indexed=False)
        return feed.add_head_link(output_content, self._feed_link(config)) if config.site_url else output_content

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if not self.config.enabled or config.nav is not None:
            return None
        # Auto-generated nav: keep the index pages (archive, tag index, status), not every day, paper and tag page.
        nav.items = _prune(nav.items, self.generated - self.site.index_pages)
        return nav

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        if self.config.enabled and self.store is not None:
            # `arxiv-digest fetch/analyze` in another terminal refreshes the served site.
            self.store.root.mkdir(parents=True, exist_ok=True)
            server.watch(str(self.store.root))
        return server

    # -- helpers ---------------------------------------------------------------

    def _update_store(self) -> None:
        """Fetch the latest announcement days the configuration asks for."""
        if self.config.fetch == "never" or (self.is_serve and self.fetched):
            return
        self.fetched = True
        announcements = announce.latest(self.config.days, self.config.timezone, self.config.until,
                                        self.config.arxiv.holidays)
        try:
            report = pipeline.update(self.store, self.config, announcements, refetch=self.config.fetch == "always",
                                     hooks=self.hooks)
        except HookError as error:
            raise PluginError(f"arxiv-digest: {error}") from error
        except StoreError as error:
            self._failure(str(error))
            return
        for line in report.lines():
            log.info(line)
        for failure in report.failures:
            self._failure(f"{failure}; building from the store")
        self._analyze([a.digest_date.isoformat() for a in announcements])

    def _analyze(self, dates: list[str]) -> None:
        """Analyze the recent days' papers with the LLM when one is configured."""
        if not llm.enabled(self.config.llm):
            log.info("no LLM configured (llm.base_url or $%s); pages use the offline extractive analyzer",
                     self.config.llm.api_key_env)
            return

        def progress(done: int, total: int) -> None:
            if done % 5 == 0 or done == total:
                log.info("analyzed %d of %d papers", done, total)

        try:
            report = pipeline.analyze(self.store, self.config, dates=dates, progress=progress)
        except StoreError as error:
            self._failure(str(error))
            return
        for line in report.lines():
            log.info(line)
        for paper_id, reason in report.pending.items():
            self._failure(f"analysis of {paper_id} is pending: {reason}")
        for failure in report.failures:  # the endpoint stopped the run (quota, key)
            self._failure(failure)

    def _check_freshness(self) -> None:
        """A silently stale site is the classic failure of scheduled digests: say so."""
        message = freshness.stale_message(self.store, self.config)
        if message:
            # A build that does not fetch cannot fix staleness itself; the scheduled job's fetch step reports it.
            (self._failure if self.config.fetch != "never" else log.info)(message)

    def _generate_pages(self, config: MkDocsConfig) -> None:
        """Make the site's view of the store and put its pages in place, unless nothing they are made from
        changed since the last build of this ``serve`` session."""
        hooks_files = [getattr(module, "__file__", "") for module in config.hooks.values()]
        feeds = bool(config.site_url)
        inputs = site_inputs(self.store, self.config, config.use_directory_urls, hooks_files, feeds)
        if self.pages is not None and inputs == self.inputs and all(map(Path.is_file, self.pages.paths.values())):
            log.debug("store, options, templates and hooks unchanged: keeping the generated pages")
            return
        try:
            self.site = Site(self.store, self.config, config.use_directory_urls, hooks=self.hooks,
                             cache_dir=self.cache_dir, feeds=feeds)
            keys_file = self.site.cache_file("pages.json") if self.config.cache else None
            self.pages = write_pages(self.site.plan(), self.cache_dir / "pages", keys_file, salt=inputs[1],
                                     background=self.background and self.config.background)
        except HookError as error:
            raise PluginError(f"arxiv-digest: {error}") from error
        self.inputs = inputs

    def _configure_search(self, config: MkDocsConfig) -> None:
        """Pagefind search in the header, run by the site's first channel (one index for the whole site)."""
        first = channels(config)[0]
        if first is not self.config or not self.config.search:
            self.search_box = None
            return
        search.replace_material_search(config)
        self.search_box = search.SearchBox(self.config.templates_dir, labels(self.config.language), TEMPLATES,
                                           shard_bytes=int(self.config.search_shard_mb * 1_000_000))
        if search.JS_URI not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(search.JS_URI)

    def _write_status(self) -> Path:
        """The status page, made on every build (it shows the build's time); where it is written."""
        # Generated pages are real files, each complete when MkDocs reads it: other plugins read abs_src_path.
        status = self.cache_dir / "pages" / self.site.status_uri
        self.status = self._status_info()
        write_atomic(status, self.site.status_page(self.status), durable=False)
        return status

    def _log_totals(self) -> None:
        published = self.site.views.published()
        log.info("published %d digest days, %d papers (%d with analysis pending)",
                 len(self.site.days), len(published), sum(1 for p in published if p["pending"]))

    def _status_info(self) -> dict[str, Any]:
        behind, newest, latest = freshness.freshness(self.store, self.config)
        return {"newest": newest, "latest": latest, "behind": max(behind, 0), "days": len(self.site.days),
                "papers": len(self.site.views.published()),
                "built": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "stale": freshness.stale_message(self.store, self.config)}

    def _write_feeds(self, config: MkDocsConfig) -> None:
        """``feed.xml`` (the newest digest days) and a feed per tag; they need ``site_url`` for absolute links."""
        if not config.site_url:
            log.info("no site_url in mkdocs.yml: the Atom feeds (%s, one per tag) are not written, as they need "
                     "absolute links", self.site.feed_file)
            return
        documents = self.site.feeds(config.site_url, self._feed_title(config), subtitle=config.site_description,
                                    language=self.config.language, author=config.site_author)
        for path, document in documents.items():
            write_atomic(Path(config.site_dir) / path, document.decode("utf-8"))

    def _feed_link(self, config: MkDocsConfig) -> str:
        # Only the channel's feed: Material reads every <link rel="alternate"> as another language of the site and
        # fetches the sitemap.xml beside it, which a tag's folder lacks. Tag pages link their feeds in the text.
        return feed.head_link(config.site_url, self._feed_title(config), self.site.feed_file)

    def _feed_title(self, config: MkDocsConfig) -> str:
        return self.config.title or config.site_name

    def _failure(self, message: str) -> None:
        if self.config.on_failure == "abort":
            raise PluginError(f"arxiv-digest: {message}")
        (log.warning if self.config.on_failure == "warn" else log.info)(message)

    def _add_generated_files(self, files: Files, config: MkDocsConfig, pages: dict[str, Path]) -> None:
        self.generated = set()
        index = self.site.index_pages
        for src_uri, path in pages.items():
            if files.get_file_from_path(src_uri) is not None:
                log.info("%s exists in docs_dir; keeping the site's own page", src_uri)
                continue
            file = File.generated(config, src_uri, abs_src_path=str(path))
            if src_uri not in index:
                file.inclusion = InclusionLevel.NOT_IN_NAV  # reachable by links; no "not in nav" notice
            files.append(file)
            self.generated.add(src_uri)
        scripts = [str(script) for script in config.extra_javascript]  # ExtraScriptValue or str
        for uri in sorted(set(scripts) & RETIRED.keys()):
            log.warning("extra_javascript lists %s, which this version of arxiv-digest no longer ships: list %s "
                        "instead", uri, RETIRED[uri])
        for uri, path in packaged_assets([*config.extra_css, *scripts]).items():
            if files.get_file_from_path(uri) is None:  # a site's own copy wins
                files.append(File.generated(config, uri, abs_src_path=str(path)))
        # Papers' figures are served from the store, as they are, like the CSS from the package.
        for src_uri, path in self.site.views.figure_files().items():
            if files.get_file_from_path(src_uri) is None:
                files.append(File.generated(config, src_uri, abs_src_path=str(path)))
        if self.search_box is not None and files.get_file_from_path(search.JS_URI) is None:
            files.append(File.generated(config, search.JS_URI, abs_src_path=str(ASSETS / "arxiv-digest-search.js")))


def _add_markdown_extensions(config: MkDocsConfig) -> None:
    for name in REQUIRED_EXTENSIONS:
        if name not in config.markdown_extensions:
            config.markdown_extensions.append(name)
            if name == "pymdownx.arithmatex":
                # Keeps math verbatim for MathJax; without it Markdown would eat backslashes inside $…$.
                config.mdx_configs.setdefault(name, {"generic": True})


def _prune(items: list[Any], drop: set[str]) -> list[Any]:
    out = []
    for item in items:
        if isinstance(item, Section):
            item.children = _prune(item.children, drop)
            if item.children:
                out.append(item)
        elif getattr(getattr(item, "file", None), "src_uri", None) not in drop:
            out.append(item)
    return out
