"""Packed days (issue 18's store bound): a day older than ``pack_after_days`` keeps its papers, listed file and
figures in one zip; everything reads, builds and re-analyzes as from loose files, and a run killed while
packing loses nothing."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from arxiv_digest.packs import pack_days
from arxiv_digest.pipeline import update
from arxiv_digest.store import Store
from support import build_site, digest_options, offline_env

FIXTURE = Path(__file__).parent / "fixtures" / "store-offline"
OLDEST, MIDDLE, NEWEST = "2026-01-26", "2026-02-06", "2026-02-18"
BUILT_AT = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def webp(seed: int) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((64, 48)).point(lambda v: (v * (seed + 2)) % 256).convert("RGB").save(out, "WEBP")
    return out.getvalue()


def store_with_figures(root: Path) -> Store:
    """A copy of the offline fixture store, where the first two papers of each day have a figure, and the
    oldest day a listed file."""
    shutil.copytree(FIXTURE, root)
    store = Store(root)
    for n, date in enumerate((OLDEST, MIDDLE, NEWEST)):
        for k, pid in enumerate(store.day(date)["papers"][:2]):
            paper = store.paper(pid)
            paper["figure"] = {"file": store.save_figure(pid, webp(3 * n + k)), "caption": f"Figure of {pid}.",
                               "width": 64, "height": 48, "checked": "2026-02-18T00:00:00+00:00"}
            store.save_paper(paper)
    listed = {"date": OLDEST, "papers": [{"id": "2601.99999", "title": "A listed paper", "authors": ["A. Author"],
                                          "categories": ["cs.CV"], "abstract": "We list it."}]}
    store.save_listed(listed)
    day = store.day(OLDEST)
    store.save_day({**day, "listed": 1})
    return Store(root)


def contents(store: Store) -> dict[str, object]:
    """Everything a build reads from a store, as it reads it."""
    out: dict[str, object] = {}
    for date in store.day_dates():
        day = store.day(date)
        out[f"day {date}"] = (day, store.digest("days", date))
        out[f"listed {date}"] = (store.listed(date), store.listed_digest(date))
        for pid in day["papers"]:
            out[pid] = (store.paper(pid), store.digest("papers", pid))
            figure = store.figure_file(pid)
            out[f"figure {pid}"] = figure.read_bytes() if figure else None
    out["papers()"] = [p["id"] for p in store.papers()]
    return out


def loose_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for sub in ("papers", "listed", "figures")
                  for p in (root / sub).glob("*") if p.is_file())


def test_old_days_are_packed_into_one_zip_each_and_read_exactly_as_before(tmp_path):
    store = store_with_figures(tmp_path / "data")
    before = contents(store)
    loose_before = loose_files(store.root)
    # 12 days: the newest day is kept; 2026-02-06 is 12 days older, so not packed; 2026-01-26 is.
    assert pack_days(store, 12) == [OLDEST]
    after = Store(store.root)
    assert contents(after) == before
    assert sorted(p.name for p in (store.root / "packs").iterdir()) == [f"{OLDEST}.zip"]
    with zipfile.ZipFile(store.root / "packs" / f"{OLDEST}.zip") as pack:
        members = sorted(pack.namelist())
    oldest_ids = store.day(OLDEST)["papers"]
    assert members == sorted([f"papers/{pid}.json" for pid in oldest_ids]
                             + [f"figures/{pid}.webp" for pid in oldest_ids[:2]] + [f"listed/{OLDEST}.json"])
    assert loose_files(store.root) == sorted(set(loose_before) - set(members))
    # Nothing loose is left of the old day: packing again writes nothing.
    assert pack_days(after, 12) == []
    assert pack_days(after, 1) == [MIDDLE]
    assert contents(Store(store.root)) == before


def test_packing_is_off_with_zero_and_a_store_without_packs_is_unchanged(tmp_path):
    store = store_with_figures(tmp_path / "data")
    loose = loose_files(store.root)
    assert pack_days(store, 0) == []
    assert pack_days(store, 3650) == []
    assert loose_files(store.root) == loose and not (store.root / "packs").exists()


def test_a_packed_paper_is_written_loose_when_it_changes_and_packed_again(tmp_path):
    store = store_with_figures(tmp_path / "data")
    pack_days(store, 1)
    pack = store.root / "packs" / f"{OLDEST}.zip"
    packed_bytes = pack.read_bytes()
    pid = store.day(OLDEST)["papers"][3]
    loose = store.papers_dir / f"{pid}.json"
    # The same record again (a refetch): nothing is written.
    assert store.save_paper(store.paper(pid)) is False and not loose.exists()
    assert store.save_listed(store.listed(OLDEST)) is False and not (store.listed_dir / f"{OLDEST}.json").exists()
    # A new analysis: written loose, and read from there.
    paper = store.paper(pid)
    paper["analysis"] = {**paper["analysis"], "tldr": "一句新的总结。"}
    assert store.save_paper(paper) is True and loose.is_file()
    assert Store(store.root).paper(pid)["analysis"]["tldr"] == "一句新的总结。"
    assert store.paper(pid)["analysis"]["tldr"] == "一句新的总结。"
    # The next packing folds it in; the pack changed only there.
    assert pack_days(store, 1) == [OLDEST]
    assert not loose.exists() and pack.read_bytes() != packed_bytes
    fresh = Store(store.root)
    assert fresh.paper(pid)["analysis"]["tldr"] == "一句新的总结。"
    with zipfile.ZipFile(pack) as zf:
        assert json.loads(zf.read(f"papers/{pid}.json"))["analysis"]["tldr"] == "一句新的总结。"


def test_a_damaged_pack_is_reported_never_fatal_and_never_removed(tmp_path, caplog):
    store = store_with_figures(tmp_path / "data")
    pack_days(store, 1)
    pack = store.root / "packs" / f"{OLDEST}.zip"
    pack.write_bytes(pack.read_bytes()[:200])
    damaged = Store(store.root)
    assert damaged.paper(store.day(OLDEST)["papers"][0]) is None
    assert damaged.paper(store.day(NEWEST)["papers"][0]) is not None
    assert pack.is_file() and f"pack {pack} does not open" in caplog.text


def test_a_day_that_cannot_be_packed_stays_loose_and_the_others_are_packed(tmp_path, caplog):
    store = store_with_figures(tmp_path / "data")
    pack_days(store, 12)
    pack = store.root / "packs" / f"{OLDEST}.zip"
    pack.write_bytes(b"not a zip")  # damaged: the oldest day's new file cannot be merged into it
    pid = store.day(OLDEST)["papers"][0]
    store.save_paper({"id": pid, "title": "Written after the pack was damaged", "abstract": "a"})
    assert pack_days(Store(store.root), 1) == [MIDDLE]
    assert (store.papers_dir / f"{pid}.json").is_file() and pack.read_bytes() == b"not a zip"
    assert f"day {OLDEST} not packed" in caplog.text
    assert Store(store.root).paper(pid)["title"] == "Written after the pack was damaged"


PACKER = """
import sys
from arxiv_digest.packs import pack_days
from arxiv_digest.store import Store
print("start", flush=True)
pack_days(Store(sys.argv[1]), 1)
print("done", flush=True)
"""


@pytest.mark.parametrize("trial", range(8))
def test_kill_9_while_packing_loses_nothing(tmp_path, trial):
    """SIGKILL at a different moment of each trial (before, during and after the zip is written, between
    unlinks): every record and figure reads as before, and packing again finishes the work."""
    store = store_with_figures(tmp_path / "data")
    before = contents(store)
    child = subprocess.Popen([sys.executable, "-c", PACKER, str(store.root)], stdout=subprocess.PIPE,
                             env=offline_env())
    assert child.stdout.readline().strip() == b"start"
    # Python's start-up is done; pack_days takes about 5–10 ms here: spread the kills across it.
    time.sleep(trial * 0.0015)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert contents(Store(store.root)) == before
    pack_days(Store(store.root), 1)
    assert contents(Store(store.root)) == before
    newest = Store(store.root).day(NEWEST)["papers"]
    assert loose_files(store.root) == sorted([f"papers/{pid}.json" for pid in newest]
                                             + [f"figures/{pid}.webp" for pid in newest[:2]])
    # What a kill leaves besides the packs is a temporary file, which no reader takes for a pack.
    assert all(p.suffix in (".zip", ".tmp") for p in (store.root / "packs").iterdir())


class Stop(BaseException):
    """A run stopped dead (what kill -9 does, at a chosen step)."""


@pytest.mark.parametrize("stop_at", [0, 1, 2, 7, 13, 14, 15, 20, 26])
def test_a_run_stopped_at_any_step_of_packing_loses_nothing(tmp_path, monkeypatch, stop_at):
    """Steps: each pack's rename into place, then each loose file's removal (2 days: 1 + 13, 1 + 12)."""
    import arxiv_digest.packs as packs

    store = store_with_figures(tmp_path / "data")
    before = contents(store)
    steps = []

    def step(real):
        def run(*args, **kwargs):
            if len(steps) == stop_at:
                raise Stop
            steps.append(real)
            return real(*args, **kwargs)
        return run

    monkeypatch.setattr(packs.os, "replace", step(os.replace))
    monkeypatch.setattr(packs.Path, "unlink", step(Path.unlink))
    with pytest.raises(Stop):
        pack_days(store, 1)
    monkeypatch.undo()
    assert contents(Store(store.root)) == before
    assert pack_days(Store(store.root), 1)
    assert contents(Store(store.root)) == before
    assert len(loose_files(store.root)) == 12


def test_update_packs_old_days_and_says_so(tmp_path):
    from arxiv_digest.config import DigestConfig

    store = store_with_figures(tmp_path / "data")
    config = DigestConfig()
    config.load_dict({"pack_after_days": 1, "fetch": "never"})
    assert config.validate() == ([], [])
    report = update(store, config, [])
    assert report.packed == [OLDEST, MIDDLE]
    assert f"days packed: 2 ({OLDEST} … {MIDDLE})" in report.lines()


def test_a_build_from_a_packed_store_publishes_the_same_site(tmp_path):
    """The same pages, feeds, figures and search records, byte for byte, from loose and from packed files."""
    sites = {}
    for name, days in (("loose", 0), ("packed", 1)):
        root = tmp_path / name
        store = store_with_figures(root / "data")
        if days:
            pack_days(store, days)
            assert len(loose_files(store.root)) == 10 + 2  # the newest day's papers and figures
        run = build_site(root, digest_options(pack_after_days=days), extra={"site_url": "https://example.org/"})
        assert run.returncode == 0, run.output
        sites[name] = root / "site"
    files = {name: sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
             for name, site in sites.items()}
    assert files["loose"] == files["packed"]
    assert sum(f.endswith(".webp") and f.startswith("papers/") for f in files["packed"]) == 6
    differ = [f for f in files["loose"] if BUILT_AT.sub(b"", (sites["loose"] / f).read_bytes())
              != BUILT_AT.sub(b"", (sites["packed"] / f).read_bytes())]
    assert differ == []
