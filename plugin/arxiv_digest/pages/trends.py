"""Papers per tag per week, drawn at build time as inline SVG (no JavaScript).

The chart is built with ``xml.etree`` (so tag names are escaped and the SVG is
well-formed XML) and styled for light and dark schemes alike: bars and labels
are painted with ``currentColor`` and the stylesheet colours them with
Material's CSS variables. Each chart is an image for assistive technology
(``role="img"``, a ``<title>`` and a ``<desc>`` saying what the bars show).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .markdown import clean


def week_start(day: date) -> date:
    """Monday of the ISO week holding ``day``."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Series:
    """Weekly counts of one tag over a shared run of weeks (Mondays, oldest first)."""

    name: str
    weeks: tuple[date, ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def peak(self) -> int:
        return max(self.counts, default=0)


def weekly(items: Iterable[tuple[date, Iterable[str]]]) -> tuple[tuple[date, ...], dict[str, Series]]:
    """``(day, tags)`` per paper → every week from the first to the last (empty ones too), tag → series."""
    per_tag: dict[str, Counter[date]] = defaultdict(Counter)
    seen: list[date] = []
    for day, tags in items:
        monday = week_start(day)
        seen.append(monday)
        for tag in tags:
            per_tag[tag][monday] += 1
    if not seen:
        return (), {}
    first, last = min(seen), max(seen)
    weeks = tuple(first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1))
    return weeks, {tag: Series(tag, weeks, tuple(c.get(w, 0) for w in weeks)) for tag, c in per_tag.items()}


@dataclass(frozen=True)
class Labels:
    """Words of a chart in the site's language."""

    title: str = "{tag}: papers per week"
    desc: str = ("{weeks} weeks from {first} to {last}: {total} papers, at most {peak} in one week "
                 "(week of {peak_week}).")
    bar: str = "week of {week}: {count}"
    peak: str = "{peak}/week"
    empty: str = "no papers"


def svg(series: Series, labels: Labels = Labels(), ident: str = "ad-trend", *, width: int = 480, height: int = 140,
        bar_titles: bool = True) -> str:
    """One tag's weekly counts as an SVG bar chart (a string of well-formed XML).

    Bars share the width (at most 28 units each, so one week is a bar, not a
    block); the tallest bar is the busiest week, labelled with its count. Week
    labels sit under the first and last bars. ``bar_titles`` adds a tooltip per
    bar (skip it for small multiples: it is most of the markup).
    """
    name = clean(series.name)
    weeks, counts = series.weeks, series.counts
    pad_x, pad_top, pad_bottom = 6, 16, 20
    plot_w, plot_h = width - 2 * pad_x, height - pad_top - pad_bottom
    root = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg", "class": "ad-trend__svg", "role": "img",
        "viewBox": f"0 0 {width} {height}", "width": str(width), "height": str(height),
        "aria-labelledby": f"{ident}-title {ident}-desc",
        "data-search-exclude": "",  # Material's search skips the element: chart labels are not worth indexing
    })
    ET.SubElement(root, "title", {"id": f"{ident}-title"}).text = labels.title.format(tag=name)
    desc = ET.SubElement(root, "desc", {"id": f"{ident}-desc"})
    peak = series.peak
    if not peak:
        desc.text = labels.empty
        return ET.tostring(root, encoding="unicode")
    peak_week = weeks[counts.index(peak)]
    desc.text = labels.desc.format(weeks=len(weeks), first=weeks[0].isoformat(), last=weeks[-1].isoformat(),
                                   total=series.total, peak=peak, peak_week=peak_week.isoformat())

    step = min(plot_w / len(weeks), 28.0)
    left = pad_x + (plot_w - step * len(weeks)) / 2  # centred when the bars do not fill the width
    bar_w = step * 0.8 if step >= 3 else step  # very long ranges: bars touch rather than vanish
    baseline = pad_top + plot_h
    ET.SubElement(root, "line", {"class": "ad-trend__axis", "stroke": "currentColor", "x1": _n(pad_x),
                                 "x2": _n(width - pad_x), "y1": _n(baseline + 0.5), "y2": _n(baseline + 0.5)})
    ET.SubElement(root, "line", {"class": "ad-trend__grid", "stroke": "currentColor", "stroke-dasharray": "2 3",
                                 "x1": _n(pad_x), "x2": _n(width - pad_x), "y1": _n(pad_top), "y2": _n(pad_top)})
    bars = ET.SubElement(root, "g", {"class": "ad-trend__bars", "fill": "currentColor"})
    for i, (week, count) in enumerate(zip(weeks, counts)):
        if not count:
            continue
        h = max(plot_h * count / peak, 1.5)
        rect = ET.SubElement(bars, "rect", {"x": _n(left + i * step + (step - bar_w) / 2), "y": _n(baseline - h),
                                            "width": _n(bar_w), "height": _n(h)})
        if bar_titles:  # a tooltip per bar, without JavaScript
            ET.SubElement(rect, "title").text = labels.bar.format(week=week.isoformat(), count=count)
    text = ET.SubElement(root, "g", {"class": "ad-trend__labels", "fill": "currentColor"})
    _text(text, pad_x, pad_top - 4, labels.peak.format(peak=peak), "start")
    if len(weeks) == 1:
        _text(text, left + step / 2, height - 5, _short(weeks[0], weeks), "middle")
    else:
        _text(text, left, height - 5, _short(weeks[0], weeks), "start")
        _text(text, left + step * len(weeks), height - 5, _short(weeks[-1], weeks), "end")
    return ET.tostring(root, encoding="unicode")


def _short(week: date, weeks: Sequence[date]) -> str:
    """A week label: month-day within one year, the full date across years."""
    return week.strftime("%m-%d") if weeks[0].year == weeks[-1].year else week.isoformat()


def _text(parent: ET.Element, x: float, y: float, value: str, anchor: str) -> None:
    ET.SubElement(parent, "text", {"x": _n(x), "y": _n(y), "text-anchor": anchor}).text = value


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
