"""A figure: the width the paper's bounds ask for, against the dataset size N.

    python examples/width_figure.py width.png
    python examples/width_figure.py width.png --d 100 --p 2 --sigma-over-delta 1e-3 --max-n 1e8

For a fixed radius sigma/delta, dimension d and norm p it draws, for N from 10 to ``--max-n``:

* the width that suffices by equation (1) (Theorem 7): the smallest k > 6 + 2 log N / log(a_{p,d} delta/sigma);
* the largest width that is impossible by equation (2) (Theorem 8): k < 2 log N / log(b_{p,d} delta/sigma),
  0 where it rules nothing out;
Everything between the two curves is the gap the paper leaves open. (Theorem 5's width d + 6 works at every
radius below Remark 4's limit 1/(2 c+_p(d)), far above these curves for d = 100.) The numbers come from
:func:`robustmem.bounds.sufficient_width` and :func:`robustmem.bounds.impossible_width`; the script also prints
them as a table.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def parse_p(text: str) -> float:
    return math.inf if text.lower() in ("inf", "infinity") else float(text)


def widths(Ns: Sequence[int], d: int, p: float, rho: float) -> tuple[list[int], list[int]]:
    """Sufficient (equation (1)) and impossible (equation (2)) widths for each N at sigma/delta = rho."""
    from robustmem.bounds import impossible_width, sufficient_width

    return [sufficient_width(N, d, p, rho) for N in Ns], [impossible_width(N, d, p, rho) for N in Ns]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="image file to write (.png, .pdf or .svg)")
    ap.add_argument("--d", type=int, default=100, help="input dimension (default 100)")
    ap.add_argument("--p", type=parse_p, default=2.0, help="norm of the balls (default 2)")
    ap.add_argument("--sigma-over-delta", type=float, default=1e-3, help="the radius in units of delta (default 1e-3)")
    ap.add_argument("--max-n", type=float, default=1e8, help="largest N (default 1e8)")
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from robustmem.bounds import a_pd

    if args.sigma_over_delta >= a_pd(args.p, args.d):
        print(
            f"equation (1) gives no width at sigma/delta = {args.sigma_over_delta:g}: it needs sigma/delta below "
            f"a_{{p,d}} = {a_pd(args.p, args.d):.4g} (d = {args.d}, p = {args.p:g})",
            file=sys.stderr,
        )
        return 2
    Ns = sorted({round(float(n)) for n in np.logspace(1, math.log10(args.max_n), 29)})
    suff, imp = widths(Ns, args.d, args.p, args.sigma_over_delta)

    print(f"widths at sigma/delta = {args.sigma_over_delta:g}, d = {args.d}, p = {args.p:g}")
    print("| N | sufficient, equation (1) | impossible up to, equation (2) |")
    print("|---|---|---|")
    for N, s, i in zip(Ns, suff, imp):
        print(f"| {N:,} | {s} | {i if i else 'none'} |")

    fig, ax = plt.subplots(figsize=(3.4, 2.6), dpi=200, layout="constrained")
    ax.step(Ns, suff, where="post", color="tab:green", label=r"suffices, eq. (1) (Thm 7)")
    ax.step(Ns, imp, where="post", color="tab:red", label=r"impossible, eq. (2) (Thm 8)")
    ax.fill_between(Ns, imp, suff, step="post", color="0.85", label="open")
    ax.set_xscale("log")
    ax.set_xlabel(r"dataset size $N$")
    ax.set_ylabel(r"width $k$")
    ax.set_title(rf"$\sigma/\delta = {args.sigma_over_delta:g}$, $d = {args.d}$, $p = {args.p:g}$", fontsize=8)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(suff) * 1.1)
    ax.tick_params(labelsize=7)
    ax.xaxis.label.set_size(8)
    ax.yaxis.label.set_size(8)
    fig.legend(loc="outside lower center", ncols=2, fontsize=6, frameon=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out)
    plt.close(fig)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
