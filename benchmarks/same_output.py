"""Does a change of the plugin's code change what it publishes? Builds the same sites with two versions.

Usage (from the repository root)::

    python benchmarks/same_output.py --base 1fdc198          # that commit's plugin against the working tree
    python benchmarks/same_output.py --base 1fdc198 --days 20 --keep

Two sites, each built by ``mkdocs build --strict`` once with the plugin of ``--base`` (``git archive``)
and once with the working tree's plugin, each version first on ``PYTHONPATH`` (as benchmarks/build.py does):

- ``example``: this repository's example site (``mkdocs.yml``, ``docs/``, ``hooks/``, the committed ``data/``);
- ``synthetic``: ``--days`` × 10 LLM-analyzed papers from ``benchmarks/synth.py``, with mkdocs-macros on
  and ``use_directory_urls: false`` (the other URL form), cards of a tag on the home page.

Every HTML, XML and JSON file of the two outputs is compared byte for byte (the status page's build time
aside); the differing files are listed, with the first differing line of each. Exit 1 when any differ.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILT_AT = re.compile(rb"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
COMPARED = ("*.html", "*.xml", "*.json")

SYNTHETIC_SITE = """\
site_name: same-output check
site_url: https://example.github.io/same/
use_directory_urls: false
theme: {name: material, language: zh, features: [navigation.prune]}
nav: [index.md, archive.md, tags/index.md, status.md]
plugins:
  - search: {lang: [zh, en]}
  - tags
  - macros
  - arxiv-digest: {categories: [cs.CV, cs.RO], max_papers: 10, data_dir: data, fetch: never}
markdown_extensions:
  - toc: {permalink: true}
"""

SYNTHETIC_INDEX = """\
# 首页

{{ digest.cards(limit=3) }}

{{ digest.cards(tag="3D Vision", limit=4) }}

{{ digest.trending(limit=5) }}
"""


def plugin_copy(source: str, dest: Path) -> Path:
    """The plugin package of commit ``source`` (or ``worktree``) under ``dest``; returns the source root."""
    if source == "worktree":
        shutil.copytree(ROOT / "plugin" / "arxiv_digest", dest / "plugin" / "arxiv_digest",
                        ignore=shutil.ignore_patterns("__pycache__"))
    else:
        dest.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", source, "plugin/arxiv_digest"],
                                 capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest / "plugin"


def env_for(plugin_root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ARXIV_", "OPENAI_")) and k != "SITE_URL"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(plugin_root), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def build(site: Path, out: Path, plugin_root: Path) -> None:
    # A fresh cache_dir each time: a page kept from the other version's build would hide a difference.
    shutil.rmtree(site / ".cache", ignore_errors=True)
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(site / "mkdocs.yml"),
                          "-d", str(out)], cwd=site, env=env_for(plugin_root), capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"build of {site} with {plugin_root} failed:\n{run.stderr[-3000:]}")
    found = subprocess.run([sys.executable, "-c", "import arxiv_digest; print(arxiv_digest.__file__)"],
                           env=env_for(plugin_root), capture_output=True, text=True).stdout
    if not found.startswith(str(plugin_root)):
        sys.exit(f"the plugin under test is not the one imported ({found.strip()!r})")


def example_site(work: Path) -> Path:
    site = work / "example"
    for name in ("docs", "hooks", "data"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "mkdocs.yml", site / "mkdocs.yml")
    return site


def synthetic_site(work: Path, days: int) -> Path:
    site = work / "synthetic"
    (site / "docs").mkdir(parents=True)
    subprocess.run([sys.executable, str(HERE / "synth.py"), "--days", str(days), "--papers", "10",
                    "--out", str(site / "data"), "--seed", "7"], check=True, capture_output=True,
                   env=env_for(ROOT / "plugin"))
    (site / "mkdocs.yml").write_text(SYNTHETIC_SITE, encoding="utf-8")
    (site / "docs" / "index.md").write_text(SYNTHETIC_INDEX, encoding="utf-8")
    return site


def differences(one: Path, other: Path) -> tuple[int, list[str]]:
    """Number of files compared, and one line per file that differs or exists on one side only."""
    names = sorted({str(p.relative_to(root)) for root in (one, other) for pattern in COMPARED
                    for p in root.rglob(pattern)})
    out = []
    for name in names:
        a, b = ((BUILT_AT.sub(b"", (root / name).read_bytes()) if (root / name).is_file() else None)
                for root in (one, other))
        if a is None or b is None:
            out.append(f"{name}: only in {'the working tree' if a is None else 'base'}")
        elif a != b:
            diff = [line for line in difflib.unified_diff(a.decode(errors="replace").splitlines(),
                                                           b.decode(errors="replace").splitlines(), lineterm="", n=0)
                    if line[:1] in "+-" and not line.startswith(("+++", "---"))][:2]
            out.append(f"{name}: " + " | ".join(s[:160] for s in diff))
    return len(names), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="commit whose plugin is the reference (default HEAD)")
    parser.add_argument("--days", type=int, default=20, help="announcement days of the synthetic site")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and print its path")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="same-output-"))
    try:
        base = plugin_copy(args.base, work / "base")
        tree = plugin_copy("worktree", work / "tree")
        failed = False
        for site in (example_site(work), synthetic_site(work, args.days)):
            build(site, site / "out-base", base)
            build(site, site / "out-tree", tree)
            count, differ = differences(site / "out-base", site / "out-tree")
            print(f"{site.name}: {count - len(differ)} of {count} files identical (base {args.base}, working tree)")
            for line in differ:
                print(f"  differs: {line}")
            failed |= bool(differ)
        sys.exit(1 if failed else 0)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
