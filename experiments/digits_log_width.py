"""Digits at logarithmic width: the certified radius of Theorem 7 at k = 12, 16, 20, 24, 32 and at
full width (Theorem 5), each with exact fit and falsification.

Writes results/digits_log_width.json (raw numbers, seed, versions, command) and
results/digits_log_width.md (the README's table).  Run:

    python -m experiments.digits_log_width [--quick] [--out results]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def run(
    widths: Sequence[int],
    *,
    p: float,
    projection: str,
    seed: int,
    samples: int,
    pgd_balls: int,
    full_width: bool,
    subset: int | None,
    on_row=None,
) -> list[dict]:
    from robustmem.construct import construct_log_width, construct_theorem5
    from robustmem.data import load_real
    from robustmem.verify import falsify, verify_fit

    ds = load_real("digits")
    if subset:
        ds = ds.subset(np.arange(subset), name=f"digits[:{subset}]")
    rows = []
    jobs: list[tuple[str, int | None]] = [("theorem7", k) for k in widths] + (
        [("theorem5", None)] if full_width else []
    )
    for kind, k in jobs:
        t = time.perf_counter()
        if kind == "theorem7":
            net, cert = construct_log_width(ds, p=p, width=k, projection=projection, seed=seed)
        else:
            delta = ds.separation().delta
            net, cert = construct_theorem5(ds, p=p, sigma=0.99 * delta / 2.0)
        build = time.perf_counter() - t
        fit = verify_fit(net, ds, mode="exact")
        fal = falsify(
            net,
            ds,
            p=p,
            sigma=cert.sigma,
            n_random=samples,
            n_boundary=samples,
            vertices=False,
            pgd=pgd_balls > 0,
            pgd_steps=5,
            pgd_restarts=2,
            balls=None,
            seed=seed,
        )
        row = {
            "construction": cert.theorem,
            "width": net.width,
            "depth": net.depth,
            "k_projected": k - 6 if k else ds.d,
            "parameters_dense": net.num_parameters(),
            "parameters_nonzero": net.num_nonzero_parameters(),
            "sigma": cert.sigma,
            "sigma_over_delta": cert.sigma_over_delta,
            "tau": cert.tau,
            "delta": cert.delta,
            "exact_fit": fit.passed,
            "exact_fit_points": fit.n_points,
            "fraction_settled_by_verified_float": fit.to_dict().get("n_verified_float"),
            "falsification_points": fal.n_points,
            "counterexamples": fal.n_counterexamples,
            "build_seconds": build,
            "verify_seconds": fit.seconds + fal.seconds,
        }
        print(
            f"  {cert.theorem} width {net.width}: sigma/delta = {cert.sigma_over_delta:.4f}, exact fit {fit.passed},"
            f" {fal.n_points} falsification points, {fal.n_counterexamples} counterexamples",
            flush=True,
        )
        rows.append(row)
        if on_row is not None:
            on_row(rows)  # partial results reach disk after every row
    return rows


def table(rows: list[dict], N: int = 1797, d: int = 64) -> str:
    """The README table; the theory columns are the worst-case radii at the row's width."""
    from robustmem.bounds import remark10_radius, theorem7_radius

    lines = [
        "| construction | width | depth | non-zero params | certified sigma/delta | Theorem 7 radius | Remark 10 radius"
        " | exact fit | falsification points | counterexamples |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        k = r["width"]
        t7 = f"{theorem7_radius(N, d, 2.0, k):.4f}" if 7 <= k <= d + 5 else "-"
        r10 = f"{remark10_radius(N, d, 2.0, k):.4f}" if 7 <= k <= d + 5 else "-"
        lines.append(
            f"| {r['construction']} | {k} | {r['depth']:,} | {r['parameters_nonzero']:,} | {r['sigma_over_delta']:.4f} |"
            f" {t7} | {r10} | {'yes' if r['exact_fit'] else 'NO'} ({r['exact_fit_points']}) |"
            f" {r['falsification_points']:,} | {r['counterexamples']} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results")
    ap.add_argument("--quick", action="store_true", help="200 points, widths 12 and 16, few samples")
    ap.add_argument("--p", default="2")
    ap.add_argument("--projection", default="best-of-random", choices=["random", "best-of-random", "optimize"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--table-only", action="store_true", help="rewrite the Markdown table from the JSON in --out")
    args = ap.parse_args(argv)
    if args.table_only:
        data = json.loads((Path(args.out) / "digits_log_width.json").read_text())
        (Path(args.out) / "digits_log_width.md").write_text(table(data["rows"]) + "\n")
        print(f"wrote {Path(args.out) / 'digits_log_width.md'} from {Path(args.out) / 'digits_log_width.json'}")
        return 0
    import robustmem
    from robustmem.norms import parse_p

    p = parse_p(args.p)
    widths = [12, 16] if args.quick else [12, 16, 20, 24, 32]
    print(
        f"digits log-width experiment ({'quick' if args.quick else 'full'}), l_{args.p}, projection {args.projection}",
        flush=True,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    N = 200 if args.quick else 1797

    def write(rows: list[dict]) -> None:
        (out / "digits_log_width.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
        (out / "digits_log_width.md").write_text(table(rows, N=N) + "\n")

    meta = {
        "command": "python -m experiments.digits_log_width " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": args.seed,
        "p": args.p,
        "projection": args.projection,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "robustmem": getattr(robustmem, "__version__", "0.1.0"),
    }
    rows = run(
        widths,
        p=p,
        projection=args.projection,
        seed=args.seed,
        samples=1 if args.quick else 2,
        pgd_balls=0,
        full_width=not args.quick,
        subset=200 if args.quick else None,
        on_row=write,
    )
    write(rows)
    print(f"wrote {out / 'digits_log_width.json'} and {out / 'digits_log_width.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
