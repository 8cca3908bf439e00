"""Radius against width at fixed N, for l_1, l_2 and l_inf: certified sigma/delta of the log-width network.

Random points on the unit sphere of R^100 (N = 1000, binary labels; quick: N = 100), widths k = 7..105,
3 seeds, two projection choices of ``construct_log_width``: ``random`` (one Haar draw: Theorem 7's
recipe) and ``best-of-random`` (the best of 8 draws, the package's default).  For each p in {1, 2, inf}
the certified radius (0.99 of tau / (2 ||P|| c+_p(d)), the construction's own certificate) is drawn with
the paper's curves for that p: Theorem 7 and Remark 10 (sufficient), Theorem 8 (impossible above),
Remark 4 (the limit 1/(2 c+_p(d))).

Since B_p(x, sigma) lies in B_2(x, c+_p(d) sigma) and the network tests l_2 balls in the projected space,
the certified l_p radius is the l_2 radius divided by c+_p(d) = d^max(0, 1/2 - 1/p): the same for p = 1 and
p = 2, sqrt(d) = 10 times smaller for p = inf; the theory's sufficient radius a_{p,d} scales the same way,
while the impossible radius of Theorem 8 (b_{p,d} = 2416 d^max(0, 1/p - 1/2)) is sqrt(d) larger for p = 1.

The rate: for a random projection onto k' = k - 6 dimensions the smallest projected distance among
~N^2 pairs scales like N^(-2/k'), the exponent of Theorem 7.  ``meta.rate_fits`` fits
ln(sigma/delta) = A - B / (k - 6) over 7 <= k <= 20 (median over seeds) and reports B next to 2 ln N.

Writes ``radius_width.json`` and ``radius_width.png``; ``--plot-only`` redraws from the JSON.

    python -m experiments.radius_width [--quick] [--seed 0] [--out results] [--figures figures] [--scheduler ADDR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.common import (
    TEXT_WIDTH,
    legend_below,
    meta_block,
    paper_style,
    read_results,
    savefig,
    sweep,
    write_results,
)
from experiments.radius_common import (
    P_LABEL,
    P_NAMES,
    certified_radius_task,
    draw_theory,
    fit_line,
    median_band,
    theory_rows,
)

RESULTS = "radius_width.json"
FIGURE = "radius_width.png"
D = 100
PROJECTIONS = ("random", "best-of-random")
RATE_FIT_KMAX = 20  # the N^(-2/(k-6)) law is a small-radius law: fit it where sigma/delta is small


def plan(quick: bool, seed: int) -> dict[str, Any]:
    if quick:
        return {"N": 100, "widths": [7, 8, 10, 12, 15, 20, 40, 105], "seeds": [seed]}
    widths = list(range(7, 13)) + [14, 16, 18, 20, 25, 30, 40, 50, 60, 70, 80, 90, 105]
    return {"N": 1000, "widths": widths, "seeds": [seed, seed + 1, seed + 2]}


def rate_fits(rows: list[dict[str, Any]], N: int) -> dict[str, Any]:
    out = {}
    for p in P_NAMES:
        for proj in PROJECTIONS:
            con = [
                r
                for r in rows
                if r["kind"] == "construction" and r["p"] == p and r["projection"] == proj and r["k"] <= RATE_FIT_KMAX
            ]
            if len({r["k"] for r in con}) < 3:
                continue
            k, med, _, _ = median_band(con)
            f = fit_line(1.0 / (k - 6.0), np.log(med))
            out[f"{p}/{proj}"] = {
                **f,
                "B": -f["slope"],
                "B_ci95": [-f["slope_ci95"][1], -f["slope_ci95"][0]],
                "two_ln_N": 2 * math.log(N),
                "x": "1/(k-6)",
                "y": "ln(median sigma/delta)",
            }
    return out


def plot(out: Path, figures: Path) -> Path:
    """radius_width.png from the results JSON: four panels at text width, one legend below."""
    paper_style()
    import matplotlib.pyplot as plt

    data = read_results(out / RESULTS)
    rows, meta = data["rows"], data["meta"]
    colors = {"1": "tab:purple", "2": "tab:blue", "inf": "tab:orange"}
    fig, axes = plt.subplots(2, 2, figsize=(TEXT_WIDTH, 5.8))
    cmp_ax, panels = axes[0, 0], [axes[0, 1], axes[1, 0], axes[1, 1]]
    vals = [r["sigma_over_delta"] for r in rows if r["kind"] == "construction"]
    th_all = [r for r in rows if r["kind"] == "theory"]
    ymin = min(vals + [r["theorem7"] for r in th_all if r["theorem7"]]) / 5
    for ax, p in zip(panels, P_NAMES):
        th = [r for r in th_all if r["p"] == p]
        draw_theory(ax, th, ytop=1.0)
        for proj, m, c in (("random", "s", "0.35"), ("best-of-random", "o", colors[p])):
            con = [r for r in rows if r["kind"] == "construction" and r["p"] == p and r["projection"] == proj]
            if con:
                k, med, lo, hi = median_band(con)
                n = len({r["seed"] for r in con})
                ax.errorbar(
                    k,
                    med,
                    yerr=[med - lo, hi - med],
                    fmt=m + "-",
                    color=c,
                    ms=3,
                    lw=0.9,
                    capsize=1.5,
                    elinewidth=0.7,
                    label=f"certified, {proj} projection (median, range of {n} seed{'s' if n > 1 else ''})",
                )
        f = meta.get("rate_fits", {}).get(f"{p}/best-of-random")
        if f:
            ax.plot(
                [],
                [],
                " ",
                label=f"{P_LABEL[p]} fit $\\ln(\\sigma/\\delta) = A - B/(k-6)$, $k \\leq {RATE_FIT_KMAX}$: "
                f"$B = {f['B']:.1f}$ [{f['B_ci95'][0]:.1f}, {f['B_ci95'][1]:.1f}] vs $2\\ln N = {f['two_ln_N']:.1f}$",
            )
        ax.set_title(f"{P_LABEL[p]} balls ($c^+_p(d) = {0.5 / th[0]['remark4_limit']:.3g}$)")
    for p in P_NAMES:
        con = [r for r in rows if r["kind"] == "construction" and r["p"] == p and r["projection"] == "best-of-random"]
        th = sorted((r for r in th_all if r["p"] == p and r["theorem7"]), key=lambda r: r["k"])
        if con:
            k, med, _, _ = median_band(con)
            big = p == "1"  # l_1 coincides with l_2: hollow and larger so both stay visible
            cmp_ax.plot(
                k,
                med,
                "D-" if big else "o-",
                color=colors[p],
                ms=6 if big else 3,
                mfc="none" if big else None,
                lw=2.2 if big else 1.0,
                alpha=0.6 if big else 1.0,
                label=f"{P_LABEL[p]}: certified (best of 8 projections, median)",
            )
        cmp_ax.plot(
            [r["k"] for r in th],
            [r["theorem7"] for r in th],
            "--",
            color=colors[p],
            label=f"{P_LABEL[p]}: Thm 7 radius",
        )
        cmp_ax.axhline(th_all[[r["p"] for r in th_all].index(p)]["remark4_limit"], color=colors[p], ls=":", lw=1)
    cmp_ax.set_title("the three norms (dotted: Rem. 4 limits; $\\ell_1$ = $\\ell_2$ as $c^+_1 = c^+_2 = 1$)")
    for ax in [cmp_ax, *panels]:
        ax.set_xscale("log"), ax.set_yscale("log")
        ax.set_xlim(0.8, 1.7 * (D + 6)), ax.set_ylim(ymin, 1.0)
        ax.set_xlabel("width $k$")
        ax.set_ylabel("radius $\\sigma/\\delta$")
        ax.grid(True, which="both", alpha=0.2)
    fig.suptitle(
        f"Certified radius against width: $N = {meta['N']}$ points on the unit sphere of $\\mathbb{{R}}^{{{D}}}$, "
        "2 labels, log-width construction (Thm 7)"
    )
    legend_below(fig, [*panels, cmp_ax], ncol=2)
    fig.tight_layout()
    return savefig(fig, figures / FIGURE)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNG")
    ap.add_argument("--quick", action="store_true", help="N = 100, 8 widths, 1 seed")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNG from the results JSON")
    ap.add_argument("--seed", type=int, default=0, help="first seed (data and projections); seeds seed, seed+1, ...")
    ap.add_argument("--widths", default=None, help="comma-separated widths replacing the mode's list, e.g. 7,8,10")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port); local if absent")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        cfg = plan(args.quick, args.seed)
        if args.widths:
            cfg["widths"] = [int(w) for w in args.widths.split(",")]
        print(
            f"radius_width ({'quick' if args.quick else 'full'}): N = {cfg['N']}, d = {D}, widths {cfg['widths']}, "
            f"seeds {cfg['seeds']}, p in {{1, 2, inf}}, projections {PROJECTIONS}",
            flush=True,
        )
        t0 = time.perf_counter()
        tasks = [
            {
                "panel": "sphere",
                "source": "sphere",
                "N": cfg["N"],
                "d": D,
                "p": p,
                "k": k,
                "seed": s,
                "projection": proj,
            }
            for s in cfg["seeds"]
            for proj in PROJECTIONS
            for k in cfg["widths"]
            for p in P_NAMES
        ]
        rows = sweep(
            certified_radius_task,
            tasks,
            scheduler=args.scheduler,
            name="radius_width",
            describe=lambda t: f"l_{t['p']} k={t['k']} {t['projection']} seed {t['seed']}",
        )
        for p in P_NAMES:
            rows += theory_rows("sphere", cfg["N"], D, p, D + 15)
        meta = meta_block(
            "experiments.radius_width",
            argv,
            seed=args.seed,
            d=D,
            sphere_labels=2,
            projections=list(PROJECTIONS),
            rate_fits=rate_fits(rows, cfg["N"]),
            seconds=time.perf_counter() - t0,
            **cfg,
        )
        path = write_results(out / RESULTS, meta, rows)
        for name, f in meta["rate_fits"].items():
            print(
                f"  rate fit {name}: B = {f['B']:.2f} (95% CI [{f['B_ci95'][0]:.2f}, {f['B_ci95'][1]:.2f}]), "
                f"2 ln N = {f['two_ln_N']:.2f}, R^2 = {f['r_squared']:.3f}"
            )
        print(f"wrote {path} ({len(rows)} rows, {time.perf_counter() - t0:.1f} s)")
    print(f"wrote {plot(out, figs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
