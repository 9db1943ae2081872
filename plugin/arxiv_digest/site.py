"""Site stage: store → Markdown pages (days, papers, tags, archive) from overridable Jinja2 templates."""

from __future__ import annotations

import html
import posixpath
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from . import markdown as md
from .analysis import offline_analysis
from .config import DigestConfig
from .store import Record, Store, file_stem

TEMPLATES = Path(__file__).parent / "templates"

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "day_title": "arXiv 每日速递", "window": "投稿窗口", "papers_unit": "篇论文", "of_candidates": "共 {n} 篇候选",
        "summary": "执行摘要", "contents": "目录", "papers": "论文详情", "authors": "作者", "submitted": "提交日期",
        "categories": "分类", "comment": "备注", "abstract": "摘要", "analysis": "分析", "imported": "导入自旧版日报",
        "key_findings": "关键发现", "paper_page": "论文页", "details": "详情", "code": "代码",
        "badge_code": "有代码", "badge_full": "全文分析", "badge_pending": "分析待完成",
        "pending_title": "分析待完成", "pending_text": "这篇论文的分析尚未通过校验，将在下次运行时重试；此处先显示摘要与离线抽取结果。",
        "offline_title": "离线抽取式分析",
        "offline_text": "TL;DR 与关键发现是从摘要中原样抽取的句子，标签由关键词匹配得出；尚未经过大模型分析。",
        "offline_summary_text": "本摘要由离线分析器根据当天论文的标题、标签与链接生成，未经大模型改写。",
        "appeared_on": "收录于", "tag": "标签", "tags": "标签", "all_tags": "全部标签", "archive": "归档",
        "empty_archive": "还没有任何日报。", "status": "站点状态", "status_latest": "最新日报",
        "status_announced": "arXiv 最新公告", "status_behind": "落后公告日数", "status_days": "日报数",
        "status_papers": "论文数", "status_pending": "待完成的分析", "status_built": "构建时间",
        "status_stale": "站点已过期", "month": "{y} 年 {m} 月", "latest": "最新一期",
    },
    "en": {
        "day_title": "arXiv Daily Digest", "window": "Submission window", "papers_unit": "papers",
        "of_candidates": "of {n} candidates", "summary": "Executive summary", "contents": "Contents",
        "papers": "Papers", "authors": "Authors", "submitted": "Submitted", "categories": "Categories",
        "comment": "Comment", "abstract": "Abstract", "analysis": "Analysis", "imported": "imported from a legacy digest",
        "key_findings": "Key findings", "paper_page": "Paper page", "details": "Details", "code": "Code",
        "badge_code": "Code", "badge_full": "Full text", "badge_pending": "Analysis pending",
        "pending_title": "Analysis pending",
        "pending_text": "This paper's analysis has not passed validation yet and will be retried on the next run; "
                        "the abstract and the offline extraction are shown meanwhile.",
        "offline_title": "Offline extractive analysis",
        "offline_text": "The TL;DR and key findings are sentences taken verbatim from the abstract and the tags come "
                        "from keyword matching; no language model has analyzed this paper yet.",
        "offline_summary_text": "This summary was built by the offline analyzer from the day's titles, tags and links; "
                                "no language model rewrote it.",
        "appeared_on": "Appeared on", "tag": "Tag", "tags": "Tags", "all_tags": "All tags", "archive": "Archive",
        "empty_archive": "No digests yet.", "status": "Site status", "status_latest": "Newest digest",
        "status_announced": "Latest arXiv announcement", "status_behind": "Announcement days behind",
        "status_days": "Digest days", "status_papers": "Papers", "status_pending": "Pending analyses",
        "status_built": "Built at", "status_stale": "The site is stale", "month": "{y}-{m:02d}", "latest": "Latest digest",
    },
}

DAY_URI = "digest/{date}.md"
PAPER_URI = "papers/{stem}.md"
TAG_URI = "tags/{slug}.md"
TAGS_URI = "tags/index.md"
ARCHIVE_URI = "archive.md"
STATUS_URI = "status.md"


def slugify(name: str) -> str:
    slug = re.sub(r"[^\w\u3400-\u9fff]+", "-", name.lower()).strip("-")
    return slug or "tag"


def page_url(src_uri: str, use_directory_urls: bool) -> str:
    """The URL MkDocs gives a page built from ``src_uri``."""
    stem = src_uri[: -len(".md")]
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    return (stem[: -len("index")] if stem.endswith("/index") else stem + "/")


def relative_url(target_uri: str, from_uri: str, use_directory_urls: bool) -> str:
    target = page_url(target_uri, use_directory_urls)
    here = page_url(from_uri, use_directory_urls)
    base = posixpath.dirname(here) if not here.endswith("/") and here else here.rstrip("/")
    rel = posixpath.relpath(target or ".", base or ".")
    if use_directory_urls and target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/"
    return "./" if rel in (".", "./") else rel


@dataclass
class TagView:
    name: str
    page: str
    papers: list[dict[str, Any]] = field(default_factory=list)


class Site:
    """The generated part of the site, computed once per build from the store."""

    def __init__(self, store: Store, config: DigestConfig, use_directory_urls: bool = True) -> None:
        self.config = config
        self.use_directory_urls = use_directory_urls
        self.t = LABELS[config.language]
        loaders = [FileSystemLoader(config.templates_dir)] if config.templates_dir else []
        self.env = Environment(loader=ChoiceLoader([*loaders, FileSystemLoader(TEMPLATES)]),
                               autoescape=select_autoescape(["html", "md"], default_for_string=True),
                               trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                               undefined=StrictUndefined)
        self.env.filters["indent_md"] = md.indent
        self.days: list[dict[str, Any]] = []
        self.papers: dict[str, dict[str, Any]] = {}
        self.tags: dict[str, TagView] = {}
        self._load(store)

    # -- model -----------------------------------------------------------------

    def _load(self, store: Store) -> None:
        records = store.days()  # newest first
        tz = ZoneInfo(self.config.timezone)
        for record in records:
            if not record.get("complete", True):
                continue  # a partial day is held back until arXiv's answer is stable
            papers = [self._paper(store, pid) for pid in record.get("papers", [])]
            papers = [p for p in papers if p is not None]
            if not papers:
                continue  # never publish an empty day
            day = {
                "date": record["date"],
                "page": DAY_URI.format(date=record["date"]),
                "papers": papers,
                "candidates": record.get("candidates"),
                "categories": record.get("categories", []),
                "window_text": self._window_text(record.get("window"), tz),
                "summary_offline": (record.get("summary") or {}).get("provenance") == "offline",
                "summary_md": md.block((record.get("summary") or {}).get("markdown"), heading_level=3),
                "top_tags": [t for t, _ in Counter(t for p in papers for t in p["tag_names"]
                                                  if t in self.config.taxonomy).most_common(3)],
            }
            for p in papers:
                p["days"].append(day)
            self.days.append(day)
        for newer, older in zip(self.days, self.days[1:]):
            newer["prev"], older["next"] = older, newer
        for day in self.days:
            day.setdefault("prev", None)
            day.setdefault("next", None)
        # Tag pages list papers newest first.
        for paper in sorted(self.papers.values(), key=lambda p: (p["published"], p["id"]), reverse=True):
            for tag in paper["tags"]:
                tag.papers.append(paper)

    @staticmethod
    def _window_text(window: dict | None, tz: ZoneInfo) -> str:
        if not window:
            return "-"
        start, end = (datetime.fromisoformat(window[k]).astimezone(tz) for k in ("start", "end"))
        return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} ({tz.key})"

    def _tag(self, name: str) -> TagView:
        if name not in self.tags:
            taken = {t.page for t in self.tags.values()}
            slug = base = slugify(name)
            n = 2
            while TAG_URI.format(slug=slug) in taken:
                slug, n = f"{base}-{n}", n + 1
            self.tags[name] = TagView(name, TAG_URI.format(slug=slug))
        return self.tags[name]

    def _paper(self, store: Store, paper_id: str) -> dict[str, Any] | None:
        if paper_id in self.papers:
            return self.papers[paper_id]
        try:
            record = store.paper(paper_id)
        except ValueError:
            return None
        if record is None:
            return None
        self.papers[paper_id] = view = self._paper_view(record)
        return view

    def _paper_view(self, r: Record) -> dict[str, Any]:
        """Everything templates need about a paper, escaped once here."""
        analysis = r.get("analysis") or {}
        if analysis.get("status") != "done":
            # A pending answer (refusal, failed validation) is never published: show the extraction instead.
            analysis = {**offline_analysis(r), "provenance": analysis.get("provenance"), "status": "pending",
                        "reason": analysis.get("reason")}
        authors = [md.clean(a) for a in r.get("authors", [])]
        short = ", ".join(authors[:3]) + (f" +{len(authors) - 3}" if len(authors) > 3 else "")
        tag_names = list(r.get("tags") or [])
        body = analysis.get("body")
        return {
            "id": r["id"],
            "page": PAPER_URI.format(stem=file_stem(r["id"])),
            "title": md.clean(r["title"]),
            "title_md": md.inline(r["title"]),
            "authors_short": short,
            "authors_all": ", ".join(authors),
            "published": r.get("published", ""),
            "submitted": (r.get("published") or "")[:10],
            "categories": r.get("categories", []),
            "comment": md.inline(r["comment"]) if r.get("comment") else None,
            "abstract_md": md.paragraphs(r.get("abstract")),
            "tldr": md.clean(analysis.get("tldr")),
            "tldr_md": md.inline(analysis.get("tldr")),
            "key_findings": [md.inline(k) for k in analysis.get("key_findings") or []],
            "body_md": md.block(body, heading_level=None) if body else None,
            "body_md_page": md.block(body, heading_level=3) if body else None,
            "provenance": analysis.get("provenance"),
            "offline": analysis.get("provenance") == "offline" or analysis.get("status") != "done",
            "pending": analysis.get("status") == "pending",
            "reason": analysis.get("reason"),
            "full_text": bool(analysis.get("full_text")),
            "links": {k: v for k, v in (r.get("links") or {}).items() if _is_web(v)},
            "code_links": [u for u in r.get("code_links") or [] if _is_web(u)],
            "tag_names": tag_names,
            "tags": [self._tag(n) for n in tag_names],
            "days": [],
        }

    # -- rendering -------------------------------------------------------------

    def _render(self, template: str, src_uri: str, meta: dict[str, Any], **context: Any) -> str:
        def rel(target: str) -> str:
            return relative_url(target, src_uri, self.use_directory_urls)

        def link(target: str) -> str:
            # Markdown links point at source files: MkDocs checks and rewrites them.
            return posixpath.relpath(target, posixpath.dirname(src_uri) or ".")

        def card(p: dict[str, Any], number: int | None = None, anchor: bool = False) -> Markup:
            return self.card(p, src_uri, number=number, anchor=anchor)

        body = self.env.get_template(template).render(t=self.t, rel=rel, link=link, card=card, **context)
        # Themes print page.meta values (title, tags, description) without escaping: escape them here.
        meta = {k: _escape_meta(v) for k, v in meta.items()}
        front = yaml.safe_dump({"render_macros": False, **meta}, allow_unicode=True, sort_keys=False)
        return f"---\n{front}---\n\n{body}"

    def card(self, p: dict[str, Any], from_uri: str, number: int | None = None, anchor: bool = False) -> Markup:
        def rel(target: str) -> str:
            return relative_url(target, from_uri, self.use_directory_urls)

        html = self.env.get_template("card.html").render(p=p, t=self.t, rel=rel, number=number, anchor=anchor)
        return Markup(" ".join(line.strip() for line in html.splitlines() if line.strip()))

    def pages(self) -> dict[str, str]:
        """src_uri → Markdown of every generated page."""
        out: dict[str, str] = {}
        for day in self.days:
            meta = {"title": f"{self.t['day_title']} · {day['date']}", "description": _plain(day["summary_md"])}
            out[day["page"]] = self._render("day.md", day["page"], meta, day=day)
        for p in self.papers.values():
            if not p["days"]:
                continue
            meta = {"title": p["title"], "description": p["tldr"][:300], "tags": p["tag_names"], "hide": ["tags"]}
            out[p["page"]] = self._render("paper.md", p["page"], meta, p=p)
        tags = sorted(self.tags.values(), key=lambda t: (-len(t.papers), t.name))
        for tag in tags:
            out[tag.page] = self._render("tag.md", tag.page, {"title": f"{self.t['tag']}: {tag.name}"},
                                         tag=tag, tags_index=TAGS_URI)
        out[TAGS_URI] = self._render("tags.md", TAGS_URI, {"title": self.t["tags"]}, tags=tags)
        months: dict[str, list] = defaultdict(list)
        for day in self.days:
            months[day["date"][:7]].append(day)
        month_views = [{"label": self.t["month"].format(y=int(k[:4]), m=int(k[5:])), "days": v}
                       for k, v in months.items()]
        out[ARCHIVE_URI] = self._render("archive.md", ARCHIVE_URI, {"title": self.t["archive"]}, months=month_views)
        return out

    def status_page(self, info: dict[str, Any]) -> str:
        """The site's status page: freshness, pending analyses, build time."""
        info = {**info, "pending": [p for p in self.papers.values() if p["pending"] and p["days"]],
                "newest_page": DAY_URI.format(date=info["newest"]) if info.get("newest") else None}
        return self._render("status.md", STATUS_URI, {"title": self.t["status"], "search": {"exclude": True}},
                            info=info)

    def cards(self, from_uri: str, tag: str | None = None, limit: int | None = None, day: str | None = None) -> Markup:
        """Cards for hand-written pages: the latest day's, a given day's, or a tag's (newest first)."""
        if tag is not None:
            papers = self.tags[tag].papers if tag in self.tags else []
        elif self.days:
            chosen = next((d for d in self.days if d["date"] == day), None) if day else self.days[0]
            papers = chosen["papers"] if chosen else []
        else:
            papers = []
        inner = "\n".join(self.card(p, from_uri) for p in papers[:limit])
        return Markup(f'<div class="ad-cards">\n{inner}\n</div>\n')


def _escape_meta(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=True)
    if isinstance(value, list):
        return [_escape_meta(v) for v in value]
    return value


def _is_web(url: Any) -> bool:
    return isinstance(url, str) and re.match(r"^https?://[^\s\"'<>]+$", url) is not None


def _plain(markdown: str) -> str:
    text = re.sub(r"[#*_`>\[\]()!-]+", " ", str(markdown))
    return " ".join(text.split())[:200]
