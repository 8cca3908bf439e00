"""``robustmem reproduce``: rerun the registered experiments and redraw every figure and table.

The experiments live in the source checkout's ``experiments/`` folder, and a wheel ships a copy
(``robustmem/_bundled/experiments``); :func:`experiments_registry` finds them
(:func:`robustmem.resources.bundled_folder`).  Each experiment
runs through its own ``main(argv)`` exactly as ``python -m experiments.NAME`` would, so the command
recorded in each results file is the one this runner used.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robustmem.errors import InvalidArgumentError, RobustMemError

__all__ = ["RunResult", "experiments_registry", "plan_runs", "reproduce"]


@dataclass(frozen=True)
class RunResult:
    name: str
    argv: tuple[str, ...]
    status: str  # "ok" | "failed"
    seconds: float
    error: str = ""


def experiments_registry() -> tuple[Any, ...]:
    """The registry of ``experiments/registry.py``: the source checkout's, or the copy in the wheel."""
    from robustmem.resources import bundled_folder

    try:
        mod = importlib.import_module("experiments.registry")
    except ModuleNotFoundError:
        root = bundled_folder("experiments").parent
        sys.path.insert(0, str(root))
        mod = importlib.import_module("experiments.registry")
    return tuple(mod.EXPERIMENTS)


def plan_runs(
    *, quick: bool, only: Sequence[str] | None, out: str, figures: str, scheduler: str | None
) -> list[tuple[Any, list[str]]]:
    """The (experiment, argv) pairs ``reproduce`` would run, in registry order; unknown names are an error."""
    exps = experiments_registry()
    names = [e.name for e in exps]
    if only:
        unknown = [n for n in only if n not in names]
        if unknown:
            raise InvalidArgumentError(f"unknown experiment(s) {unknown}; the registry has {names}")
        exps = tuple(e for e in exps if e.name in only)
    plan = []
    for e in exps:
        argv = list(e.quick_args if quick else e.full_args) + ["--out", out]
        if e.figures:
            argv += ["--figures", figures]
        if scheduler is not None and getattr(e, "sweeps", False):
            argv += ["--scheduler", scheduler]
        plan.append((e, argv))
    return plan


def _run_one(e: Any, argv: list[str]) -> int:
    """Run one experiment: in this process, or (``own_process``: it measures peak memory, which must not
    include what earlier experiments used) as ``python -m MODULE ARGV`` in a fresh interpreter."""
    if not getattr(e, "own_process", False):
        return importlib.import_module(e.module).main(argv)
    import os
    import subprocess

    init = importlib.import_module("experiments").__file__
    if init is None:
        raise RobustMemError("the experiments package has no __init__.py: run from a source checkout of robustmem")
    root = Path(init).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    return subprocess.call([sys.executable, "-m", e.module, *argv], env=env)


def reproduce(
    *,
    quick: bool = False,
    only: Sequence[str] | None = None,
    out: str | None = None,
    figures: str | None = None,
    scheduler: str | None = None,
    keep_going: bool = True,
    say: Any = print,
) -> list[RunResult]:
    """Run the planned experiments one after another, reporting each start, end and time.

    Quick mode writes under ``results/quick`` and ``figures/quick`` by default so that it never
    overwrites the full-mode files the README shows.  A failing experiment is reported with its
    traceback; with ``keep_going`` the others still run.
    """
    out = out or ("results/quick" if quick else "results")
    figures = figures or ("figures/quick" if quick else "figures")
    plan = plan_runs(quick=quick, only=only, out=out, figures=figures, scheduler=scheduler)
    results: list[RunResult] = []
    t_all = time.perf_counter()
    for i, (e, argv) in enumerate(plan, 1):
        say(f"[{i}/{len(plan)}] {e.name}: python -m {e.module} {' '.join(argv)}")
        t = time.perf_counter()
        try:
            rc = _run_one(e, argv)
            status, err = ("ok", "") if rc == 0 else ("failed", f"exit status {rc}")
        except Exception as exc:  # report and go on: one broken figure must not hide the others
            status, err = "failed", "".join(traceback.format_exception_only(type(exc), exc)).strip()
            say(traceback.format_exc())
            if not keep_going:
                raise
        dt = time.perf_counter() - t
        results.append(RunResult(e.name, tuple(argv), status, dt, err))
        say(f"[{i}/{len(plan)}] {e.name}: {status} in {dt:.1f} s" + (f" ({err})" if err else ""))
    ok = sum(r.status == "ok" for r in results)
    say(
        f"reproduce: {ok}/{len(results)} experiments ok in {time.perf_counter() - t_all:.1f} s;"
        f" results in {out}/, figures in {figures}/"
    )
    return results
