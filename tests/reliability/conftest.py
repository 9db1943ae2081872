"""Reliability suite (issue 7): figures per part, printed at the end of every run.

Every case of a part is one test item marked ``@pytest.mark.figure("<part>", group=...)``.
At the end of the session the terminal summary prints, per part, how many cases
passed out of how many ran (a case ``xfail``-ed for a known bug counts as not passed),
and for parts with groups (bad configuration: one group per option) how many groups
passed completely. The figures are also written to ``$RELIABILITY_FIGURES`` (JSON)
when that variable is set.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

# part -> nodeid -> (group, outcome)
_OUTCOMES: dict[str, dict[str, list]] = defaultdict(dict)
_UNITS: dict[str, str] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "figure(part, group=None, unit='cases'): a case counted in a reliability figure")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("figure")
    if marker is None:
        return
    part = marker.args[0]
    _UNITS[part] = marker.kwargs.get("unit", "cases")
    record = _OUTCOMES[part].setdefault(item.nodeid, [marker.kwargs.get("group"), None])
    if report.failed:
        record[1] = "failed"  # also a strict XPASS: the bug is gone, the mark must go
    elif report.skipped and hasattr(report, "wasxfail"):
        record[1] = "xfailed" if record[1] != "failed" else "failed"
    elif report.skipped:
        record[1] = record[1] or "skipped"
    elif report.when == "call":
        record[1] = record[1] or "passed"


def figures() -> dict[str, dict]:
    out = {}
    for part, items in sorted(_OUTCOMES.items()):
        states = [s or "failed" for _, s in items.values()]
        counted = [s for s in states if s != "skipped"]
        figure = {"unit": _UNITS.get(part, "cases"), "passed": states.count("passed"), "total": len(counted),
                  "xfailed": states.count("xfailed"), "failed": states.count("failed"),
                  "skipped": states.count("skipped")}
        groups: dict[str, list[str]] = defaultdict(list)
        for group, state in items.values():
            if group is not None:
                groups[group].append(state or "failed")
        if groups:
            figure["groups_passed"] = sum(1 for g in groups.values() if all(s == "passed" for s in g))
            figure["groups_total"] = len(groups)
            figure["groups_not_passed"] = sorted(k for k, g in groups.items() if not all(s == "passed" for s in g))
        out[part] = figure
    return out


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    found = figures()
    if not found:
        return
    terminalreporter.section("reliability figures")
    for part, f in found.items():
        line = f"{part}: {f['unit']} passed {f['passed']} / {f['total']}"
        extra = [f"{f['xfailed']} xfailed (known bugs)"] if f["xfailed"] else []
        if f["failed"]:
            extra.append(f"{f['failed']} FAILED")
        if f["skipped"]:
            extra.append(f"{f['skipped']} skipped")
        if "groups_total" in f:
            line += f"; options covered {f['groups_passed']} / {f['groups_total']}"
        terminalreporter.write_line(line + (f" ({', '.join(extra)})" if extra else ""))
        if f.get("groups_not_passed"):
            terminalreporter.write_line(f"    not covered: {', '.join(f['groups_not_passed'])}")
    target = os.environ.get("RELIABILITY_FIGURES")
    if target:
        Path(target).write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
