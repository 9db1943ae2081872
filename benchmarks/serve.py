"""``mkdocs serve`` at a year of digests: from saving a hand-written page to the reload.

Usage (from the repository root)::

    python benchmarks/serve.py               # 1 year (260 days × 10 papers), 3 edits
    python benchmarks/serve.py --runs 5
    python benchmarks/serve.py --dirty       # mkdocs serve --dirty (only changed pages rebuilt)

Uses the plugin site of ``benchmarks/build.py`` (same work directory, created here if
missing): a synthetic store, Material (zh), search, tags, arxiv-digest with ``fetch: never``.
Starts ``mkdocs serve`` on a free local port, waits for the first build, then ``--runs``
times rewrites ``docs/index.md`` with a new marker and times, from the moment the file is
saved:

- detect: the server logs "Detected file changes";
- rebuilt: MkDocs logs "Documentation built in …" (and the rebuild's own duration);
- reload: the server logs "Reloading browsers" (what a reader's open tab waits for);
- served: ``GET /`` first returns the new marker (polled every 0.1 s).

The figures are medians; the 1-minute load average at each edit is printed with them.
``docs/index.md`` is restored and the server stopped at the end.

Each edit replaces ``docs/index.md`` atomically (written next to the site, then renamed into
``docs/``), as editors that save through a rename do. MkDocs watches by polling (every 0.5 s,
comparing mtime and size): an in-place write (truncate, then write) that a poll catches half done
shows up as two changes, and a second, unrequested rebuild starts right after the first one. An
edit made 2 s after a reload then lands inside that rebuild and, being seen by the watcher during
it, queues yet another: once it happens, every later figure is off (seen at a year of digests:
"save → reload" 90 s for a 93 s rebuild, 4 rebuilds for 3 edits). Edits are also made only once the
server is idle (every "Detected file
changes" followed by "Reloading browsers" and nothing logged for 2 s), after a random part of
the polling interval, so "detect" samples the poll phase instead of always hitting the same
point of it. Rebuilds nobody asked for are counted and reported.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import build as B  # noqa: E402

PLUGIN_NOTE = ["installed plugin"]


class Log:
    """Lines of the server's output, each with the monotonic time it arrived."""

    def __init__(self, stream) -> None:
        self.lines: list[tuple[float, str]] = []
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip()
            with self.cond:
                self.lines.append((time.monotonic(), line))
                self.cond.notify_all()
        with self.cond:
            self.lines.append((time.monotonic(), "<eof>"))
            self.cond.notify_all()

    def wait_for(self, pattern: str, after: float, timeout: float) -> tuple[float, str] | None:
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for stamp, line in self.lines:
                    if stamp >= after and regex.search(line):
                        return stamp, line
                    if line == "<eof>":
                        return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return ""


def edit(index: Path, original: str, marker: str, scratch: Path) -> float:
    """Save ``docs/index.md`` with ``marker`` in one step (rename), so the polling watcher sees one change.

    The new text is written to ``scratch`` (outside ``docs/``, same file system) and renamed over the
    page: a poll sees either the old file or the new one, never a half-written one. Returns the
    monotonic time right after the rename (the moment the saved page exists).
    """
    scratch.write_text(original + f"\n\n基准编辑标记：{marker}\n", encoding="utf-8")
    os.replace(scratch, index)
    return time.monotonic()


def count(log: "Log", pattern: str, after: float = 0.0) -> int:
    with log.cond:
        return sum(1 for stamp, line in log.lines if stamp >= after and pattern in line)


def wait_idle(log: "Log", proc: subprocess.Popen, timeout: float, quiet: float = 2.0) -> float:
    """Wait until no rebuild runs or is pending: as many "Reloading browsers" as "Detected file changes"
    (plus the first build) and no server output for ``quiet`` seconds. Returns the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc.poll() is not None:
            sys.exit("mkdocs serve exited:\n" + "\n".join(line for _, line in log.lines[-30:]))
        with log.cond:
            last = log.lines[-1][0] if log.lines else start
        busy = count(log, "Detected file changes") > (count(log, "Reloading browsers")
                                                       + count(log, "An error happened during the rebuild"))
        if not busy and time.monotonic() - last >= quiet:
            return time.monotonic() - start
        time.sleep(0.2)
    sys.exit(f"mkdocs serve did not become idle within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=1, help="scale in years of 260 days × 10 papers (default 1)")
    parser.add_argument("--days", type=int, help="a custom scale in days instead")
    parser.add_argument("--runs", type=int, default=3, help="edits timed (median reported; default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=B.WORK, help=f"work directory (default {B.WORK})")
    parser.add_argument("--plugin-source", default="head",
                        help="plugin code measured, frozen at start: head (the last commit, default), worktree, "
                             "or a commit")
    parser.add_argument("--dirty", action="store_true",
                        help="mkdocs serve --dirty: rebuild only changed files (MkDocs' own incremental mode)")
    parser.add_argument("--verbose", action="store_true", help="run mkdocs serve -v (file events in the log)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for a build (default 1800)")
    args = parser.parse_args()

    PLUGIN_NOTE[0] = B.use_plugin_source(args.work, args.plugin_source)
    print(f"measuring the {PLUGIN_NOTE[0]}", flush=True)
    days = args.days or args.years * B.DAYS_PER_YEAR
    label = f"{args.days} days" if args.days else f"{args.years} year" + ("s" if args.years > 1 else "")
    work = args.work / label.replace(" ", "-")
    data = B.prepare_store(work, days, args.seed)
    site = work / "plugin"
    B.write_plugin_site(site)
    index = site / "docs" / "index.md"
    original = index.read_text(encoding="utf-8")

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**B.child_env(), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "mkdocs", "serve", "-f", str(site / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"] + (["-v"] if args.verbose else []) + (["--dirty"] if args.dirty else [])
    print(f"{label}: {days} days × {B.PAPERS_PER_DAY} papers; store {data}; serving on port {port}", flush=True)
    load0 = os.getloadavg()[0]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    log = Log(proc.stdout)
    rows = []
    try:
        served = log.wait_for(r"Serving on", start, args.timeout)
        if served is None:
            sys.exit("mkdocs serve did not start:\n" + "\n".join(line for _, line in log.lines[-30:]))
        initial = served[0] - start
        url = re.search(r"Serving on (\S+)", served[1]).group(1)  # includes site_url's path
        print(f"  first build and start: {initial:.1f} s (load {load0:.2f})", flush=True)
        scratch = site / ".serve-edit.tmp"  # outside docs/: not watched
        for run in range(args.runs):
            waited = wait_idle(log, proc, args.timeout)
            if waited > 3:
                print(f"  (waited {waited:.1f} s for the server to become idle before edit {run + 1})", flush=True)
            time.sleep(random.uniform(0, 0.5))  # a random phase of MkDocs' 0.5 s polling
            load = os.getloadavg()[0]
            marker = f"edit-{run}-{time.time_ns()}"
            saved = edit(index, original, marker, scratch)
            page = None
            deadline = saved + args.timeout
            while time.monotonic() < deadline:
                if marker in fetch(url):
                    page = time.monotonic()
                    break
                if proc.poll() is not None:
                    sys.exit("mkdocs serve exited:\n" + "\n".join(line for _, line in log.lines[-30:]))
                time.sleep(0.1)
            detect = log.wait_for(r"Detected file changes", saved, 5)
            reload = log.wait_for(r"Reloading browsers", saved, 30)
            # MkDocs drops a log message it has logged before (a DuplicateFilter on its logger): a rebuild that
            # takes as long, to the hundredth of a second, as an earlier one prints no "Documentation built in".
            built = log.wait_for(r"Documentation built in", saved, 0 if reload else 5)
            if built is not None and reload is not None and built[0] > reload[0]:
                built = None  # a later rebuild's line
            time.sleep(1.5)  # a second change seen by the watcher would be logged by now (after the reload)
            rebuilds = count(log, "Detected file changes", saved)
            row = {
                "load": load,
                "rebuilds": rebuilds,
                "detect": detect[0] - saved if detect else float("nan"),
                "built": built[0] - saved if built else float("nan"),
                "build_own": float(re.search(r"in ([\d.]+) seconds", built[1]).group(1)) if built else float("nan"),
                "reload": reload[0] - saved if reload else float("nan"),
                "served": page - saved if page else float("nan"),
            }
            rows.append(row)
            if run == 0:
                print(f"  polling {url}", flush=True)
            print(f"  edit {run + 1}/{args.runs}: detect {row['detect']:.2f} s, rebuilt {row['built']:.1f} s "
                  f"(MkDocs: {row['build_own']:.1f} s), reload {row['reload']:.1f} s, served {row['served']:.1f} s, "
                  f"load {load:.2f}" + (f"; {rebuilds} rebuilds started for this edit" if rebuilds != 1 else ""),
                  flush=True)
        wait_idle(log, proc, args.timeout)
        rebuilds = count(log, "Detected file changes")
        if rebuilds != len(rows):
            print(f"  note: the server rebuilt {rebuilds} times for {len(rows)} edits", flush=True)
    finally:
        index.write_text(original, encoding="utf-8")
        (site / ".serve-edit.tmp").unlink(missing_ok=True)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.thread.join(timeout=5)
        (work / "logs").mkdir(parents=True, exist_ok=True)
        saved_log = work / "logs" / ("serve-dirty.log" if args.dirty else "serve.log")
        saved_log.write_text("\n".join(f"{stamp - start:9.2f} {line}" for stamp, line in log.lines) + "\n",
                             encoding="utf-8")
        print(f"  server log: {saved_log}", flush=True)

    def med(key: str) -> float:
        values = [r[key] for r in rows if r[key] == r[key]]  # without NaN (a line MkDocs did not print)
        return statistics.median(values) if values else float("nan")

    loads = [r["load"] for r in rows]
    extra = sum(r["rebuilds"] for r in rows) - len(rows)
    print(f"\n# mkdocs serve{' --dirty' if args.dirty else ''}, {label} ({days}×{B.PAPERS_PER_DAY}): save docs/index.md → reload "
          f"(medians of {len(rows)} edits; {os.cpu_count()} CPUs; 1-min load {min(loads):.2f}–{max(loads):.2f}; "
          f"{PLUGIN_NOTE[0]}; {extra} extra rebuilds)\n")
    print("| figure | median | runs |")
    print("|---|---|---|")
    print(f"| first build + start (`Serving on`) | {initial:.1f} s | 1 |")
    for key, name in [("detect", "save → \"Detected file changes\""), ("built", "save → \"Documentation built\""),
                      ("build_own", "rebuild as timed by MkDocs"), ("reload", "save → \"Reloading browsers\""),
                      ("served", "save → new text served at /")]:
        print(f"| {name} | {med(key):.1f} s | {', '.join(f'{r[key]:.1f}' for r in rows)} |")
    print(f"\nreproduce: python benchmarks/serve.py" + (f" --days {args.days}" if args.days else
                                                       (f" --years {args.years}" if args.years != 1 else ""))
          + (f" --runs {args.runs}" if args.runs != 3 else "") + (" --dirty" if args.dirty else "")
          + (f" --plugin-source {args.plugin_source}" if args.plugin_source != "head" else "")
          + (f" --work {args.work}" if args.work != B.WORK else ""))


if __name__ == "__main__":
    main()
