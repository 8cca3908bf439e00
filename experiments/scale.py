"""Scale of the log-width construction: build and certify Theorem 7 networks for N = 10^4 (and
10^5) random points in d = 784 at width k = 32, and evaluate all N training points through the
network's real arithmetic.

Writes results/scale.json.  Run:  python -m experiments.scale [--n 10000 100000] [--k 32] [--eval-n 10000]

Peak memory is the largest maximum resident set size (getrusage) of the process and of its finished
worker processes (``net(X)`` evaluates large jobs in forked workers), read after each step.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def _peak_mb() -> float:
    """The largest resident set of this process or of any finished worker process (net(X) forks workers)."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024.0


def main(argv: Sequence[str] | None = None) -> int:
    from robustmem.construct import construct_log_width
    from robustmem.data import sphere_points

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--d", type=int, default=784)
    ap.add_argument("--k", type=int, default=32)
    ap.add_argument("--eval-n", type=int, default=10_000, help="evaluate all points for runs with N <= this")
    ap.add_argument("--delta-n", type=int, default=10_000, help="compute the l2 separation delta for N <= this")
    ap.add_argument("--out", default="results")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = []
    for n in args.n:
        print(f"N = {n}, d = {args.d}, k = {args.k}: generating data", flush=True)
        t = time.perf_counter()
        ds = sphere_points(n, args.d, n_classes=10, seed=args.seed)
        gen = time.perf_counter() - t
        t = time.perf_counter()
        net, cert = construct_log_width(
            ds, p=2.0, width=args.k, projection="random", seed=args.seed, compute_delta=n <= args.delta_n
        )
        build = time.perf_counter() - t
        row = {
            "N": n,
            "d": args.d,
            "k": args.k,
            "generate_seconds": gen,
            "build_and_certify_seconds": build,
            "peak_rss_mb_after_build": _peak_mb(),
            "depth": net.depth,
            "width": net.width,
            "sigma_over_delta": cert.sigma_over_delta,
            "tau": cert.tau,
            "square_steps": cert.square_steps,
        }
        print(
            f"  built and certified in {build:.1f} s (peak RSS {row['peak_rss_mb_after_build']:.0f} MB),"
            f" width {net.width}, depth {net.depth:,}, sigma/delta = {cert.sigma_over_delta:.4g}",
            flush=True,
        )
        if n <= args.eval_n:
            t = time.perf_counter()
            out = np.empty(n)
            step = 1000
            for i in range(0, n, step):
                out[i : i + step] = net(ds.X[i : i + step])
                print(f"  evaluated {min(n, i + step)}/{n} points, {time.perf_counter() - t:.0f} s", flush=True)
            row["evaluate_all_seconds"] = time.perf_counter() - t
            row["fit_float64_exact_equality"] = bool(np.array_equal(out, ds.y))
            row["peak_rss_mb_after_eval"] = _peak_mb()
        rows.append(row)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = {
        "command": "python -m experiments.scale " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": args.seed,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cores": 2,
    }
    (out / "scale.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=2))
    print(f"wrote {out / 'scale.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
