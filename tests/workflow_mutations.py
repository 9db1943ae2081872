"""Shows that tests/test_workflow_run.py fails when a step of the workflow is removed or reordered.

Not a test (each mutation reruns the whole scenario, about a minute): ``python tests/workflow_mutations.py
[LABEL ...]`` runs the scenario with each changed list of steps and prints which of the four tests fail.
"""
import sys
import tempfile
from pathlib import Path

import yaml

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import conftest  # noqa: E402,F401 - puts the helpers on sys.path
import test_workflow_run as t  # noqa: E402

steps = yaml.safe_load(t.WORKFLOW.read_text())["jobs"]["build"]["steps"]
names = [s.get("name", s.get("uses")) for s in steps]
idx = {n: i for i, n in enumerate(names)}


def removed(name):
    return [s for s in steps if s.get("name") != name]


def swapped(a, b):
    out = list(steps)
    out[idx[a]], out[idx[b]] = out[idx[b]], out[idx[a]]
    return out


MUTATIONS = {
    "none": list(steps),  # the workflow as it is: no test fails
    "remove Commit": removed("Commit data/ when it changed"),
    "remove Keep-alive": removed("Keep the schedule alive"),
    "swap Fetch/Analyze": swapped("Fetch", "Analyze"),
    "swap Analyze/Commit": swapped("Analyze", "Commit data/ when it changed"),
    "swap Commit/Keep-alive": swapped("Commit data/ when it changed", "Keep the schedule alive"),
    "remove Build": removed("Build"),
}
TESTS = [t.test_day_one_commits_the_data_once_and_builds, t.test_a_rerun_with_nothing_new_commits_nothing,
         t.test_the_keep_alive_step_commits_only_when_due,
         t.test_an_llm_failure_still_commits_what_succeeded_builds_and_reports]
only = sys.argv[1:] or list(MUTATIONS)
for label in only:
    try:
        out = t.run_days(Path(tempfile.mkdtemp()), steps=MUTATIONS[label])
    except Exception as e:
        print(f"{label}: scenario itself failed: {type(e).__name__}: {str(e)[:200]}", flush=True); continue
    failed = []
    for test in TESTS:
        try:
            test(out)
        except Exception as e:
            failed.append(f"{test.__name__} ({type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''})")
    print(f"{label}: {len(failed)} of 4 tests fail: " + "; ".join(failed), flush=True)
