"""feed.py (the Atom feed) and markdown.plain (its summaries): valid XML whatever the text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from lxml import etree

from arxiv_digest.pages import feed
from arxiv_digest.pages import markdown as md

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert(1)</script> ]]> & "q" \x00\x1b\x0b \ud800 {{ 7*7 }}'


def entry(day: int, **overrides) -> feed.Entry:
    fields = dict(title=f"Digest · 2026-02-{day:02d}", url=f"https://example.org/site/digest/2026-02-{day:02d}/",
                  published=datetime(2026, 2, day, 1, tzinfo=timezone.utc), summary=f"Summary of day {day}.",
                  papers=[("A paper", "https://example.org/site/papers/2602.00001/", "Its TL;DR.")])
    return feed.Entry(**{**fields, **overrides})


def test_atom_document_with_entries_newest_first():
    document = feed.build([entry(18), entry(6)], site_url="https://example.org/site/", title="Site",
                          subtitle="Sub", language="zh", author="Me")
    root = etree.fromstring(document)
    assert root.tag == f"{A}feed"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    assert root.findtext(f"{A}id") == "https://example.org/site/feed.xml"
    assert root.find(f"{A}link[@rel='self']").get("href") == "https://example.org/site/feed.xml"
    assert root.findtext(f"{A}updated") == "2026-02-18T01:00:00+00:00"
    assert root.findtext(f"{A}author/{A}name") == "Me"
    entries = root.findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in entries] == ["https://example.org/site/digest/2026-02-18/",
                                                       "https://example.org/site/digest/2026-02-06/"]
    first = entries[0]
    assert first.find(f"{A}link").get("href") == first.findtext(f"{A}id")
    assert first.findtext(f"{A}summary") == "Summary of day 18."
    content = first.find(f"{A}content")
    assert content.get("type") == "html"
    html = etree.fromstring(content.text, etree.HTMLParser())
    assert html.xpath("//a/@href") == ["https://example.org/site/papers/2602.00001/"]


def test_newest_thirty_days_only():
    days = [entry(1, published=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=i),
                  url=f"https://example.org/d{i}/") for i in range(40, 0, -1)]
    root = etree.fromstring(feed.build(days, site_url="https://example.org/", title="T"))
    ids = [e.findtext(f"{A}id") for e in root.findall(f"{A}entry")]
    assert len(ids) == 30 and ids[0] == "https://example.org/d40/" and ids[-1] == "https://example.org/d11/"


def test_untrusted_text_is_escaped_and_forbidden_characters_dropped():
    bad = entry(18, title=HOSTILE, summary=HOSTILE, papers=[(HOSTILE, "https://example.org/p/", HOSTILE)])
    document = feed.build([bad], site_url="https://example.org/", title=HOSTILE)
    root = etree.fromstring(document)  # well-formed although every text holds markup, ]]> and control characters
    assert root.findtext(f"{A}title") == '<script>alert(1)</script> ]]> & "q"   {{ 7*7 }}'
    assert root.find(f"{A}entry").findtext(f"{A}summary").startswith("<script>alert(1)</script>")
    html = etree.fromstring(root.find(f"{A}entry/{A}content").text, etree.HTMLParser())
    assert html.xpath("//script") == [] and "<script>" in html.xpath("string(//a)")
    assert b"<script>" not in document


def test_empty_feed_is_still_valid():
    root = etree.fromstring(feed.build([], site_url="https://example.org/", title="T"))
    assert root.findall(f"{A}entry") == [] and root.findtext(f"{A}updated")


def test_head_link_goes_before_head_end_once():
    link = feed.head_link("https://example.org/site/", 'Site "x" <y>')
    assert link == ('<link rel="alternate" type="application/atom+xml" title="Site &quot;x&quot; &lt;y&gt;" '
                    'href="https://example.org/site/feed.xml">')
    page = "<html><head><title>t</title></head><body>x</body></html>"
    once = feed.add_head_link(page, link)
    assert once == page.replace("</head>", link + "\n</head>")
    assert feed.add_head_link(once, link) == once
    assert feed.add_head_link("<p>no head</p>", link) == "<p>no head</p>"


def test_plain_text_drops_markup_and_control_characters_and_ends_at_the_limit():
    text = ("## 摘要\n\n<script>alert(20)</script> See [the *paper*](https://x.org/a_(b)) and ![img](i.png).\n\n"
            "- **3D Vision**：5 篇\n1. `code` and $x_1 < y$\n\n[r]: https://x.org\n> quoted \\*star\\*")
    assert md.plain(text) == "摘要 alert(20) See the *paper* and img. 3D Vision：5 篇 code and $x_1 < y$ quoted *star*"
    assert md.plain("a\x1b\u202eb " * 100, limit=20) == ("ab " * 7).strip()[:19] + "…"
    assert md.plain(None) == ""
