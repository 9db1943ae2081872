"""Runs the `run:` steps of a GitHub Actions job locally, in order, as the runner would (bash -eo pipefail, the
job's and the step's `env:`, the step's `if:`), taken from the workflow file itself, never copied.

Only the expressions listed in ``EXPRESSIONS`` are understood; any other ``${{ }}`` stops the run, so a new
expression in the workflow makes its test say so instead of being evaluated wrongly. ``uses:`` steps are the
runner's (checkout, setup-python, cache, upload): the caller provides what they would (a clone, a Python).
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


@dataclass
class Context:
    """What the expressions of a run see."""

    secrets: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    vars: dict[str, str] = field(default_factory=dict)  # the repository's variables


EXPRESSIONS: dict[str, Callable[[Context], Any]] = {
    "secrets.OPENAI_API_KEY != ''": lambda c: c.secrets.get("OPENAI_API_KEY", "") != "",
    "secrets.OPENAI_API_KEY": lambda c: c.secrets.get("OPENAI_API_KEY", ""),
    "inputs.date": lambda c: c.inputs.get("date", ""),
    "vars.ARXIV_DIGEST_BATCH": lambda c: c.vars.get("ARXIV_DIGEST_BATCH", ""),
    "env.HAS_LLM_KEY == 'true'": lambda c: c.env.get("HAS_LLM_KEY") == "true",
}
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(expression: str, context: Context) -> Any:
    if expression not in EXPRESSIONS:
        raise ValueError(f"the workflow uses an expression this runner does not know: {expression!r}")
    return EXPRESSIONS[expression](context)


def expand(text: Any, context: Context) -> str:
    """A value with its ``${{ }}`` replaced as GitHub renders them (booleans as ``true``/``false``)."""
    def value(match: re.Match) -> str:
        result = evaluate(match.group(1), context)
        return str(result).lower() if isinstance(result, bool) else str(result)
    return _EXPR.sub(value, str(text))


@dataclass
class StepRun:
    name: str
    returncode: int | None  # None: skipped by its `if:`
    output: str
    seconds: float = 0.0


@dataclass
class JobRun:
    steps: list[StepRun]

    @property
    def ok(self) -> bool:
        return all(step.returncode in (0, None) for step in self.steps)

    def step(self, name: str) -> StepRun:
        return next(step for step in self.steps if step.name == name)

    @property
    def output(self) -> str:
        return "\n".join(f"== {s.name} (exit {s.returncode}, {s.seconds:.1f} s)\n{s.output}" for s in self.steps)


def run_steps(workflow: Path, job: str, workdir: Path, env: dict[str, str], context: Context,
              steps: list[dict] | None = None) -> JobRun:
    """Run the ``run:`` steps of ``job`` (or the given ``steps``, to try a changed list) in ``workdir``; the
    job stops at the first failing step, as on GitHub."""
    spec = yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"][job]
    context.env = {**env, **{k: expand(v, context) for k, v in (spec.get("env") or {}).items()}}
    done = []
    for number, step in enumerate(steps if steps is not None else spec["steps"]):
        if "run" not in step:
            continue
        name = step.get("name", f"step {number}")
        condition = step.get("if")
        if condition is not None and not evaluate(_EXPR.sub(r"\1", str(condition)).strip(), context):
            done.append(StepRun(name, None, ""))
            continue
        step_env = {**context.env, **{k: expand(v, context) for k, v in (step.get("env") or {}).items()}}
        script = workdir.parent / f"step-{number}.sh"
        script.write_text(expand(step["run"], context), encoding="utf-8")
        start = time.monotonic()
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=workdir,
                              env=step_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              encoding="utf-8", errors="replace", timeout=300)
        done.append(StepRun(name, proc.returncode, proc.stdout, time.monotonic() - start))
        if proc.returncode != 0:
            break
    return JobRun(done)
