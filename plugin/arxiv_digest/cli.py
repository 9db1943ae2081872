"""``arxiv-digest`` command line: runs pipeline stages against the store of a site's mkdocs.yml."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from mkdocs.config import load_config
from mkdocs.config.base import ValidationError
from mkdocs.exceptions import Abort, ConfigurationError
from tqdm import tqdm

from . import batches, freshness, listing, pipeline, scaffold
from .analysis import llm
from .arxiv import announce
from .arxiv.ids import ARXIV_ID_RE
from .channels import channel_name, channels, check_channels, check_paths, data_dir
from .config import DigestConfig
from .hooks import HookError, Hooks
from .importers import legacy
from .model import Status, is_publishable, unpublishable_reason
from .store import Store, StoreError


class CommandError(Exception):
    """A one-line reason for a non-zero exit."""


class _Collector(logging.Handler):
    """Keeps the error lines MkDocs logs while validating a configuration."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


@dataclass
class Channel:
    """One digest series of a site (one ``arxiv-digest`` entry of its mkdocs.yml)."""

    name: str
    config: DigestConfig
    store: Store
    hooks: Hooks


def load_channels(config_file: str, only: str | None = None) -> list[Channel]:
    """The channels of a site's mkdocs.yml (just ``only`` when given), with their stores and the site's hooks."""
    path = Path(config_file)
    if not path.is_file():
        raise CommandError(f"no MkDocs configuration at {path} (use -f)")
    # MkDocs logs each invalid option, then aborts: collect those lines to give one reason naming the option.
    errors = _Collector()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(errors)
    try:
        mkdocs_config = load_config(str(path))
    except (ConfigurationError, Abort) as error:
        raise CommandError(f"{path}: {'; '.join(errors.messages) or error}") from None
    finally:
        mkdocs_log.removeHandler(errors)
    configs = channels(mkdocs_config)
    if not configs:
        raise CommandError(f"{path} does not enable the arxiv-digest plugin")
    root = path.resolve().parent
    try:
        for config in configs:
            check_paths(config, root, mkdocs_config.docs_dir, mkdocs_config.site_dir)
        check_channels(configs, root)
    except ValidationError as error:
        raise CommandError(str(error)) from None
    found = [Channel(channel_name(c), c, Store(root / data_dir(c)), Hooks(mkdocs_config.hooks, channel_name(c)))
             for c in configs]
    if only is not None:
        found = [c for c in found if c.name == only]
        if not found:
            raise CommandError(f"{path} has no channel {only!r} (channels: "
                               f"{', '.join(channel_name(c) for c in configs)})")
    return found


def each_channel(args: argparse.Namespace, command: Callable[[argparse.Namespace, Channel], int]) -> int:
    """Run ``command`` for every selected channel, one after the other; the worst exit code wins."""
    selected = load_channels(args.config_file, args.channel)
    if len(selected) > 1 and getattr(args, "one_channel", False):
        raise CommandError(f"this site has several channels ({', '.join(c.name for c in selected)}): "
                           f"choose one with --channel")
    code = 0
    for channel in selected:
        if len(selected) > 1:
            print(f"== channel {channel.name} ({channel.store.root}) ==")
        code = max(code, command(args, channel))
    return code


def _announcements(args: argparse.Namespace, config: DigestConfig) -> list[announce.Announcement]:
    holidays = config.arxiv.holidays
    if args.dates:
        found = []
        for day in args.dates:
            ann = announce.for_digest_date(day, config.timezone, holidays)
            if ann is None:
                print(f"{day}: no arXiv announcement for this digest date (weekend or holiday); skipped",
                      file=sys.stderr)
            else:
                found.append(ann)
        return found
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            raise CommandError("--from and --to go together")
        return announce.between(args.date_from, args.date_to, config.timezone, holidays)
    return list(reversed(announce.latest(config.days, config.timezone, config.until, holidays)))


def cmd_fetch(args: argparse.Namespace, channel: Channel) -> int:
    config, store, hooks = channel.config, channel.store, channel.hooks
    announcements = _announcements(args, config)
    # Dates named one by one are fetched again even if stored; a range (a backfill) and the latest-days
    # default only fill gaps, so an interrupted backfill resumes where it stopped.
    refetch = bool(args.dates) or config.fetch == "always"
    with tqdm(total=len(announcements), unit="day", disable=None) as bar:
        def progress(ann: announce.Announcement) -> None:
            bar.set_postfix_str(ann.digest_date.isoformat())
            bar.update(1)
        report = pipeline.update(store, config, announcements, refetch=refetch, progress=progress, hooks=hooks)
    for line in report.lines():
        print(line)
    return 1 if report.failures else 0


def cmd_analyze(args: argparse.Namespace, channel: Channel) -> int:
    config, store = channel.config, channel.store
    if not llm.enabled(config.llm) and not (args.batch_file or args.batch_results):
        raise CommandError(f"no LLM configured: set llm.base_url or the {config.llm.api_key_env} environment variable")
    dates = [d.isoformat() for d in args.dates] or None
    if args.date_from or args.date_to:
        dates = [a.digest_date.isoformat() for a in _announcements(args, config)]
    for paper_id in args.ids or []:
        if not ARXIV_ID_RE.match(paper_id):
            raise CommandError(f"not an arXiv id without version: {paper_id!r} (e.g. 2601.16982)")
        if store.paper(paper_id) is None:
            raise CommandError(f"{paper_id} is not in the store {store.root}; fetch its day first")
    if args.batch or args.batch_file or args.batch_results:
        return _batch(args, channel, dates)
    with tqdm(unit="paper", disable=None) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)
        report = pipeline.analyze(store, config, dates=dates, ids=args.ids or None, force=args.force,
                                  progress=progress)
    for line in report.lines():
        print(line)
    return 1 if report.failures or report.pending else 0


def _batch(args: argparse.Namespace, channel: Channel, dates: list[str] | None) -> int:
    """``analyze --batch`` / ``--batch-file`` / ``--batch-results``."""
    if args.ids or args.force:
        raise CommandError("--ids and --force analyze live; batches send every pending request (choose --date)")
    if args.batch_results:
        if not args.batch_results.is_file():
            raise CommandError(f"--batch-results: no such file {args.batch_results}")
        report, notes = batches.ingest_file(channel.store, channel.config, args.batch_results)
    elif args.batch_file:
        report, notes = batches.write_file(channel.store, channel.config, args.batch_file, dates)
    else:
        report, notes = batches.run(channel.store, channel.config, dates)
    for line in notes + report.lines():
        print(line)
    return 1 if report.failures else 0


def cmd_import(args: argparse.Namespace, channel: Channel) -> int:
    config, store = channel.config, channel.store
    report = pipeline.Report()
    problems = legacy.import_digests(store, config, args.files, report)
    for problem in problems:
        print(problem, file=sys.stderr)
    pending = sum(1 for p in store.papers() if (p.get("analysis") or {}).get("status") == Status.PENDING)
    print(f"days imported: {len(report.days_fetched)} ({', '.join(report.days_fetched) or '-'}); "
          f"new papers: {report.papers_new}; files written: {report.files_written}; "
          f"pending analyses in the store: {pending}; problems: {len(problems)}")
    return 1 if any(": skipped:" in p for p in problems) else 0


def cmd_status(args: argparse.Namespace, channel: Channel) -> int:
    config, store = channel.config, channel.store
    days = store.days()
    papers = list(store.papers())
    by_status: dict[str, int] = {}
    for paper in papers:
        analysis = paper.get("analysis") or {}
        key = f"{analysis.get('status', 'missing')} ({analysis.get('provenance', '-')})"
        by_status[key] = by_status.get(key, 0) + 1
    print(f"store: {store.root}")
    print(f"days: {len(days)} (newest first)")
    for day in days:
        print(f"  {day['date']}: {len(day.get('papers', []))} papers"
              + (f" + {day['listed']} listed" if day.get("listed") else "")
              + f", summary {(day.get('summary') or {}).get('provenance', '-')}"
              + (f" (pending: {day['summary_pending']})" if day.get("summary_pending") else ""))
    print(f"papers: {len(papers)}")
    for key, count in sorted(by_status.items()):
        print(f"  analysis {key}: {count}")
    # Pending: stored so, or stored done but rejected by the current gate (pages show those as pending too).
    pending = [p for p in papers if p.get("analysis") and not is_publishable(p["analysis"])]
    for paper in pending:
        analysis = paper["analysis"]
        print(f"  pending {paper['id']}: {unpublishable_reason(analysis) or '-'}"
              + (f" ({analysis['detail']})" if analysis.get("detail") else ""))
    briefs, brief_pending = listing.brief_status(store, [d["date"] for d in days])
    for key, count in sorted(briefs.items()):
        print(f"  listed, brief {key}: {count}")
    for pid, reason in brief_pending:  # their entries show the offline TL;DR until analyze redoes them
        print(f"  pending brief {pid}: {reason}")
    running = batches.State(store).open()
    if running:
        print(f"batches open: {len(running)} ({sum(len(b['custom_ids']) for b in running)} requests); "
              "the next 'arxiv-digest analyze --batch' collects them")
    behind, newest, latest = freshness.freshness(store, config)
    print(f"freshness: newest digest {newest or '-'}, latest arXiv announcement {latest}, "
          f"{max(behind, 0)} announcement days behind")
    stale = freshness.stale_message(store, config)
    if stale:
        print(f"stale: {stale}")
    return 1 if args.strict and (stale or pending) else 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write a new site into ``args.dir`` (no mkdocs.yml to load yet)."""
    given = scaffold.Answers(**{name: getattr(args, name) for name in scaffold.Answers.__dataclass_fields__})
    try:
        answers = scaffold.complete(given, None if args.yes else input)
        written = scaffold.write(Path(args.dir), answers, force=args.force)
    except scaffold.ScaffoldError as error:
        raise CommandError(str(error)) from None
    for path in written:
        print(f"wrote {path}")
    print(scaffold.next_steps(Path(args.dir), answers))
    return 0


def cmd_check(args: argparse.Namespace, channel: Channel) -> int:
    """A few tiny requests to the configured endpoint; prints what works and the ``llm:`` options to paste."""
    import yaml

    from .analysis.llm import probe

    config = channel.config
    if not llm.enabled(config.llm):
        raise CommandError(f"no LLM configured: set llm.base_url or the {config.llm.api_key_env} environment variable")
    print(f"endpoint: {config.llm.base_url or 'https://api.openai.com/v1'}")
    found = probe.check(config.llm)
    for line in found.lines:
        print(line)
    print(f"requests: {found.requests} (nothing stored)")
    print("options to paste under the plugin's llm: (mkdocs.yml)")
    print(yaml.safe_dump({"llm": found.options}, sort_keys=False, allow_unicode=True).rstrip())
    return 0 if found.ok else 1


def _site_options(*, defaults: bool) -> argparse.ArgumentParser:
    """-f, --channel and -v, for the main parser (``defaults=True``) and for every subcommand, so that
    ``arxiv-digest fetch -f site/mkdocs.yml`` works as ``mkdocs build -f`` does, and so does
    ``arxiv-digest -f site/mkdocs.yml fetch``. Given in both places, the one after the subcommand wins."""
    # A subcommand's defaults would overwrite what was given before it: only the main parser has them.
    def default(value: Any) -> Any:
        return value if defaults else argparse.SUPPRESS

    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("-f", "--config-file", default=default("mkdocs.yml"),
                         help="the site's mkdocs.yml (default: ./mkdocs.yml)")
    options.add_argument("-v", "--verbose", action="store_true", default=default(False),
                         help="show every request and retry")
    options.add_argument("--channel", metavar="NAME", default=default(None),
                         help="only this channel of a site with several (its prefix, or 'main'; default: all)")
    return options


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="arxiv-digest", description="Daily arXiv digests for MkDocs sites.",
                                  parents=[_site_options(defaults=True)])
    sub = top.add_subparsers(dest="command", required=True)
    site = _site_options(defaults=False)

    fetch = sub.add_parser("fetch", parents=[site], help="fetch announcement days from arXiv into the store")
    fetch.add_argument("--date", dest="dates", type=_date, action="append", default=[], metavar="D",
                       help="digest date to fetch (repeatable); fetched even if stored")
    fetch.add_argument("--from", dest="date_from", type=_date, metavar="D", help="first digest date of a range")
    fetch.add_argument("--to", dest="date_to", type=_date, metavar="D", help="last digest date of a range")
    fetch.set_defaults(run=cmd_fetch)

    analyze = sub.add_parser("analyze", parents=[site], help="analyze stored papers with the configured LLM")
    analyze.add_argument("--date", dest="dates", type=_date, action="append", default=[], metavar="D",
                         help="digest date whose papers to analyze (repeatable; default: every stored day)")
    analyze.add_argument("--from", dest="date_from", type=_date, metavar="D", help="first digest date of a range")
    analyze.add_argument("--to", dest="date_to", type=_date, metavar="D", help="last digest date of a range")
    analyze.add_argument("--ids", nargs="+", metavar="ID", help="arXiv ids to analyze (without version)")
    analyze.add_argument("--force", action="store_true", help="analyze again even when a valid analysis exists")
    way = analyze.add_mutually_exclusive_group()
    way.add_argument("--batch", action="store_true",
                     help="through the provider's Batch API: collect what ended, submit what is pending")
    way.add_argument("--batch-file", type=Path, metavar="PATH",
                     help="write the pending requests as a batch file (vLLM run_batch's input), send nothing")
    way.add_argument("--batch-results", type=Path, metavar="PATH", help="store the answers of a batch results file")
    analyze.set_defaults(run=cmd_analyze)

    imp = sub.add_parser("import", parents=[site], help="import legacy Markdown digests into the store")
    imp.add_argument("files", nargs="+", metavar="FILE.md", help="digest files")
    imp.set_defaults(run=cmd_import, one_channel=True)

    status = sub.add_parser("status", parents=[site], help="days, papers and pending analyses in the store")
    status.add_argument("--strict", action="store_true",
                        help="exit 1 when the site is stale or analyses are pending (for scheduled jobs)")
    status.set_defaults(run=cmd_status)

    init = sub.add_parser("init", help="write a new digest site (mkdocs.yml, home page, workflow, README)")
    init.add_argument("dir", nargs="?", default=".", metavar="DIR", help="folder of the new site (default: .)")
    init.add_argument("--yes", "-y", action="store_true", help="ask nothing: defaults for what flags leave out")
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    init.add_argument("--site-name", metavar="TEXT")
    init.add_argument("--language", metavar="LANG", help="zh or en")
    init.add_argument("--categories", nargs="+", metavar="CAT", help="arXiv categories, e.g. cs.CV cs.RO")
    init.add_argument("--max-papers", metavar="N", help="papers per digest day (0 = all)")
    init.add_argument("--provider", metavar="NAME", help=f"LLM provider: {', '.join(scaffold.PROVIDERS)}")
    init.add_argument("--model", metavar="NAME", help="LLM model (default: the provider's)")
    init.add_argument("--llm-base-url", metavar="URL", help="OpenAI-compatible endpoint (default: the provider's)")
    init.add_argument("--arxiv-api-url", metavar="URL", help="arXiv API endpoint (default: export.arxiv.org)")
    init.add_argument("--timezone", metavar="TZ", help="time zone of the digest date (default: Asia/Shanghai)")
    init.add_argument("--site-url", metavar="URL", help="the site's address, e.g. https://USER.github.io/REPO/")
    init.set_defaults(run=cmd_init, standalone=True)

    check = sub.add_parser("check", parents=[site], help="try the configured LLM endpoint (at most 6 tiny requests, "
                                                         "nothing stored) and print the llm: options that work")
    check.set_defaults(run=cmd_check)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    # Configuration errors are reported once, as the command's one-line reason (see load_site).
    handler.addFilter(lambda record: not (record.levelno >= logging.ERROR and record.name == "mkdocs.config"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    # Our own notes (retries, waiting for the lock, full-text fallbacks) are worth seeing on the command line.
    logging.getLogger("mkdocs.plugins.arxiv_digest").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        return args.run(args) if getattr(args, "standalone", False) else each_channel(args, args.run)
    except (CommandError, StoreError, HookError) as error:
        print(f"arxiv-digest: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("arxiv-digest: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
