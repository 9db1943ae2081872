"""Precision and recall of the keyword tagger against the tags assigned by hand to the example site's 30 papers
(tests/fixtures/tags-hand.yml; their titles and abstracts from the arXiv fixtures the example was fetched from).

Usage (from the repository root)::

    python benchmarks/tags.py            # micro and per-tag figures, this tagger beside the base commit's
    python benchmarks/tags.py --papers   # also each paper's tags: missed (-) and wrong (+)

Prints micro precision/recall/F1 and per tag (taxonomy tags only, never arXiv categories), for this checkout's
tagger and, when git can show it, the tagger of ``--base`` (default 58ae998, before issue 17); then the same
figures for this tagger at other evidence thresholds, and what tagging costs per paper (pages make the tags of
every paper without an LLM analysis again at each build).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "plugin"), str(ROOT / "tests")]

from support import fixture_papers  # noqa: E402  (tests/support.py: the arXiv fixtures)

from arxiv_digest.analysis import offline, taxonomy  # noqa: E402

HAND = ROOT / "tests" / "fixtures" / "tags-hand.yml"
Tagger = Callable[[dict], list[str]]


def hand_tags() -> dict[str, set[str]]:
    return {pid: set(entry["tags"]) for pid, entry in yaml.safe_load(HAND.read_text(encoding="utf-8")).items()}


def papers() -> dict[str, dict]:
    return {p.id: {"id": p.id, "title": p.title, "abstract": p.abstract, "categories": list(p.categories)}
            for day in fixture_papers().values() for p in day}


def current(min_evidence: int = taxonomy.MIN_EVIDENCE) -> Tagger:
    if min_evidence == taxonomy.MIN_EVIDENCE:  # what fetches and pages run
        return lambda paper: [t for t in offline.tags_for(paper, taxonomy.DEFAULT_TAXONOMY, 4)
                              if t in taxonomy.DEFAULT_TAXONOMY]

    def tag(paper: dict) -> list[str]:
        found = offline.sentences(paper["abstract"])
        return taxonomy.match_tags(paper["title"], found, taxonomy.DEFAULT_TAXONOMY, 4, min_evidence)
    return tag


def base(commit: str) -> Tagger | None:
    """The tagger of ``commit`` (its taxonomy.py, run beside this package's i18n), or None without git history."""
    try:
        source = subprocess.run(["git", "show", f"{commit}:plugin/arxiv_digest/analysis/taxonomy.py"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("arxiv_digest.analysis.taxonomy_base")
    module.__package__ = "arxiv_digest.analysis"
    exec(compile(source, f"{commit}:taxonomy.py", "exec"), module.__dict__)
    return lambda paper: module.match_tags(f"{paper['title']}\n{paper['abstract']}", module.DEFAULT_TAXONOMY, 4)


def scores(tagger: Tagger, corpus: dict[str, dict], truth: dict[str, set[str]]) -> dict[str, list[int]]:
    """Tag → [true positives, false positives, false negatives]; ``*`` sums them (micro)."""
    out: dict[str, list[int]] = {"*": [0, 0, 0]}
    for pid, wanted in truth.items():
        got = set(tagger(corpus[pid]))
        for tag in got | wanted:
            row = out.setdefault(tag, [0, 0, 0])
            kind = 0 if tag in got and tag in wanted else 1 if tag in got else 2
            row[kind] += 1
            out["*"][kind] += 1
    return out


def ratios(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def line(name: str, row: list[int]) -> str:
    p, r, f = ratios(*row)
    return f"{name:<26} {p:6.2f} {r:6.2f} {f:6.2f}   tp {row[0]:3d} fp {row[1]:3d} fn {row[2]:3d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="58ae998", help="commit whose tagger to compare with")
    parser.add_argument("--papers", action="store_true", help="list each paper's missed and wrong tags")
    args = parser.parse_args()
    truth, corpus = hand_tags(), papers()
    taggers = {"this tagger": current()}
    old = base(args.base)
    if old is None:
        print(f"(no git history for {args.base}: its tagger is not shown)")
    else:
        taggers[f"base {args.base}"] = old
    print(f"{len(truth)} papers, {sum(map(len, truth.values()))} tags by hand ({HAND.relative_to(ROOT)})\n")
    results = {name: scores(t, corpus, truth) for name, t in taggers.items()}
    for name, result in results.items():
        print(f"{name + ':':<26} {'prec':>6} {'recall':>6} {'F1':>6}")
        print(line("micro", result["*"]))
        for tag in [*taxonomy.DEFAULT_TAXONOMY, *sorted(set(result) - set(taxonomy.DEFAULT_TAXONOMY) - {"*"})]:
            if tag in result:
                print(line(f"  {tag}", result[tag]))
        print()
    print(f"this tagger by evidence threshold (title = {taxonomy.TITLE_WEIGHT}, each abstract sentence = 1; "
          f"default {taxonomy.MIN_EVIDENCE}):")
    for threshold in range(1, 5):
        print(line(f"  min_evidence {threshold}", scores(current(threshold), corpus, truth)["*"]))
    if args.papers:
        print("\nthis tagger, per paper (- missed, + wrong):")
        tag = current()
        for pid, wanted in truth.items():
            got = set(tag(corpus[pid]))
            diff = [f"-{t}" for t in sorted(wanted - got)] + [f"+{t}" for t in sorted(got - wanted)]
            if diff:
                print(f"  {pid} {corpus[pid]['title'][:60]}: {', '.join(diff)}")
    runs = 20
    print()
    for name, tagger in taggers.items():
        best = min(_timed(tagger, list(corpus.values())) for _ in range(runs))
        print(f"{name}: {best / len(corpus) * 1e6:.0f} µs to tag one paper")
    print(f"(fastest of {runs} passes over the {len(corpus)} papers; this tagger's time includes splitting sentences)")


def _timed(tag: Tagger, corpus: list[dict]) -> float:
    start = time.perf_counter()
    for paper in corpus:
        tag(paper)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
