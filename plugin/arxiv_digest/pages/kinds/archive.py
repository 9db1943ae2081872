"""The archive: every digest day in month grids. It only leads to the day pages: nothing in it is worth a
search result."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from .base import Page, PageKind

if TYPE_CHECKING:
    from ..site import Site


class Archive(PageKind):
    def pages(self, site: Site, prints: dict[str, str]) -> Iterator[Page]:
        yield Page(self.at(site.prefix), None, {"title": site.index_title(self.name)},
                   {"months": months(site.days, site.t), "weekdays": site.t["weekdays"].split()})


def months(days: list[dict[str, Any]], t: dict[str, Any]) -> list[dict[str, Any]]:
    """Months with digests, newest first, as month grids: every day a cell, placed by weekday and week row.

    Cells come newest first (the order of the list a phone shows); the
    stylesheet places them in the grid by their column and row classes.
    """
    by_month: dict[tuple[int, int], dict[int, dict[str, Any]]] = defaultdict(dict)
    for day in days:
        d = day["date_value"]
        by_month[(d.year, d.month)][d.day] = day
    grids = []
    for (year, month), digests in sorted(by_month.items(), reverse=True):
        offset = date(year, month, 1).weekday()
        cells = []
        for number in range(calendar.monthrange(year, month)[1], 0, -1):
            slot = offset + number - 1
            cells.append({"number": number, "date": f"{year:04d}-{month:02d}-{number:02d}",
                          "col": slot % 7 + 1, "row": slot // 7 + 1, "weekend": slot % 7 >= 5,
                          "day": digests.get(number)})
        label = t["month"].format(y=year, m=month)
        grids.append({"label": label, "aria": t["calendar_label"].format(month=label), "cells": cells})
    return grids


ARCHIVE = Archive("archive", "archive.md", "archive.md", index=True, search=False)
