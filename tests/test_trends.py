"""trends.py: papers per tag per week, drawn as inline SVG at build time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

from arxiv_digest.pages import trends

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg_text: str) -> ET.Element:
    root = ET.fromstring(svg_text)  # raises on anything that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def bar_counts(root: ET.Element) -> list[int]:
    return [int(re.search(r"(\d+)$", r.find(f"{SVG}title").text).group(1)) for r in root.iter(f"{SVG}rect")]


def test_weeks_start_on_monday_and_empty_weeks_count_zero():
    assert trends.week_start(date(2026, 2, 18)) == date(2026, 2, 16)
    assert trends.week_start(date(2026, 2, 16)) == date(2026, 2, 16)
    assert trends.week_start(date(2026, 2, 15)) == date(2026, 2, 9)  # a Sunday belongs to the week before
    weeks, series = trends.weekly([(date(2026, 1, 26), ["3D", "cs.CV"]), (date(2026, 1, 30), ["3D"]),
                                   (date(2026, 2, 18), ["cs.CV"])])
    assert weeks == (date(2026, 1, 26), date(2026, 2, 2), date(2026, 2, 9), date(2026, 2, 16))
    assert series["3D"].counts == (2, 0, 0, 0) and series["3D"].total == 2 and series["3D"].peak == 2
    assert series["cs.CV"].counts == (1, 0, 0, 1) and series["cs.CV"].total == 2
    assert trends.weekly([]) == ((), {})


def test_one_week_is_one_slim_bar_with_its_label():
    _, series = trends.weekly([(date(2026, 2, 18), ["Video"])] * 3)
    root = parse(trends.svg(series["Video"]))
    (rect,) = root.iter(f"{SVG}rect")
    assert float(rect.get("width")) <= 28
    assert bar_counts(root) == [3]
    assert [t.text for t in root.iter(f"{SVG}text")] == ["3/week", "02-16"]


def test_three_years_of_weeks_fit_the_chart():
    start = date(2023, 1, 2)
    items = [(start + timedelta(days=3 * i), ["Robotics"] if i % 5 else ["Robotics", "Video"]) for i in range(365)]
    weeks, series = trends.weekly(items)
    assert len(weeks) == 157
    root = parse(trends.svg(series["Robotics"], width=480, height=140))
    rects = list(root.iter(f"{SVG}rect"))
    assert len(rects) == sum(1 for c in series["Robotics"].counts if c)
    assert sum(bar_counts(root)) == 365
    xs = [float(r.get("x")) for r in rects]
    assert xs == sorted(xs) and xs[0] >= 0 and xs[-1] + float(rects[-1].get("width")) <= 480
    for r in rects:
        assert 0 <= float(r.get("y")) and float(r.get("y")) + float(r.get("height")) <= 140 - 19
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels[1:] == ["2023-01-02", "2025-12-29"]  # across years the labels carry the year


def test_chart_is_an_accessible_image_painted_with_current_color():
    _, series = trends.weekly([(date(2026, 2, 18), ["Video"])])
    root = parse(trends.svg(series["Video"], ident="ad-trend-7"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "ad-trend-7-title ad-trend-7-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "ad-trend-7-title", "Video: papers per week")
    assert desc.tag == f"{SVG}desc" and "1 papers" in desc.text
    assert root.find(f"{SVG}g[@class='ad-trend__bars']").get("fill") == "currentColor"
    assert "data-search-exclude" in root.attrib
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|rgb\(", trends.svg(series["Video"]))  # no fixed colours


def test_untrusted_tag_names_are_escaped_and_hidden_characters_dropped():
    name = '<script>alert(1)</script> & "q" \x1b[31m\u202e'
    _, series = trends.weekly([(date(2026, 2, 18), [name])])
    text = trends.svg(series[name], trends.Labels(title="{tag} per week"))
    assert "<script>" not in text and "&lt;script&gt;" in text
    root = parse(text)
    assert root[0].text == '<script>alert(1)</script> & "q" [31m per week'


def test_chart_text_comes_from_the_labels_given():
    _, series = trends.weekly([(date(2026, 1, 26), ["3D"]), (date(2026, 2, 18), ["3D"])])
    labels = trends.Labels(title="{tag}：每周论文数", desc="{first} 至 {last}：{total} 篇", bar="{week} 当周：{count} 篇",
                           peak="峰值 {peak} 篇/周")
    root = parse(trends.svg(series["3D"], labels))
    assert root[0].text == "3D：每周论文数" and root[1].text == "2026-01-26 至 2026-02-16：2 篇"
    assert [r.find(f"{SVG}title").text for r in root.iter(f"{SVG}rect")] == ["2026-01-26 当周：1 篇",
                                                                             "2026-02-16 当周：1 篇"]
    small = parse(trends.svg(series["3D"], labels, width=240, height=84, bar_titles=False))
    assert [r.find(f"{SVG}title") for r in small.iter(f"{SVG}rect")] == [None, None]
