"""The headline: the width that robust memorization needs grows like log N (fixed sigma/delta).

For N from 10 to 10^5 on a log grid and a fixed ratio sigma/delta (default 10^-3, l_2 perturbations):

* equation (1) (Theorem 7): the smallest width k > 6 + 2 log N / log(a_{p,d} delta/sigma) that suffices for
  EVERY delta-separated set (``robustmem.bounds.sufficient_width``), for d = 100 and d = 64;
* the construction: the smallest width k in [7, d + 5] at which the package's log-width network
  (``construct_log_width``, projection = best of 8 Haar draws, seeded) certifies sigma = ratio x delta,
  on random points of the unit sphere of R^100 (binary labels; 3 seeds) and on random subsets of
  scikit-learn's digits (d = 64, N up to 1797; 3 seeds);
* equation (2) (Theorem 8): the largest width that is impossible for SOME delta-separated set
  (``robustmem.bounds.impossible_width``; 0 = none).

Why 10^-3 and not a larger ratio: equation (1) gives a width only when sigma/delta < a_{2,d} =
1/(8 sqrt(e) sqrt(d)), i.e. 0.0076 at d = 100 and 0.0095 at d = 64 (``--ratio`` changes it).

Least-squares fits of width against log10 N (slope = extra neurons per decade of N, with a 95 % confidence
interval from Student's t, intercept, R^2) are stored in the JSON (``meta.fits``) and drawn.

How the smallest width is found: for k = 7, 8, ... the projection that ``construct_log_width`` would
choose (``best_of_random(ds, k - 6, m=8, seed)``, the same call) is drawn; widths whose projected
separation tau is below 2 ||P|| c+_p(d) sigma (then the construction must refuse) are skipped without
building; at the first remaining width the network is built with ``construct_log_width(width=k, sigma=...,
projection=P)`` and its certificate recorded (a refusal moves on to k + 1).  For N <= 2000 the result is
checked against ``construct_log_width(sigma=...)``'s own upward search (it must return the same width).

Writes ``width_scaling.json`` and ``width_scaling.png``; ``--plot-only`` redraws from the JSON.

    python -m experiments.width_scaling [--quick] [--ratio 1e-3] [--seed 0] [--out results] [--figures figures]
        [--scheduler tcp://host:port]
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
    integer_ticks,
    legend_below,
    meta_block,
    paper_style,
    read_results,
    savefig,
    sweep,
    write_results,
)
from experiments.radius_common import DIGITS_N, dataset_for, fit_line, p_value

RESULTS = "width_scaling.json"
FIGURE = "width_scaling.png"
SPHERE_D = 100
DIGITS_D = 64
DRAWS = 8
CHECK_SEARCH_UP_TO = 2000  # N up to which the width is also found by construct_log_width(sigma=...) itself
PRECHECK_SLACK = 1e-6  # relative: a width is skipped only when tau < 2 ||P|| sigma' (1 - slack), far below rounding


# ------------------------------------------------------------------------------------------ the search
def smallest_certified_width(
    ds: Any, *, ratio: float, p: float, projection: str, seed: int, draws: int = DRAWS
) -> tuple[int | None, Any, list[list[float]]]:
    """(k, (net, cert), tried) for the smallest width k in [7, d + 5] whose log-width network certifies
    sigma = ratio x delta; (None, None, tried) when none does.  ``tried`` = [[k, sup sigma/delta at k], ...]."""
    from robustmem.construct import choose_projection, construct_log_width
    from robustmem.errors import HypothesisError
    from robustmem.norms import c_plus
    from robustmem.projection import best_of_random, tau_of

    delta = ds.separation().delta
    sigma = ratio * delta
    cp = c_plus(p, ds.d)
    tried: list[list[float]] = []
    for k in range(7, ds.d + 6):
        if projection == "best-of-random":  # exactly choose_projection's call, keeping the exact tau it computed
            res = best_of_random(ds, k - 6, m=draws, seed=seed)
            P, tau = np.asarray(res.P), res.report.tau
        else:
            P = choose_projection(ds, k - 6, strategy=projection, seed=seed, draws=draws)
            tau = tau_of(P, ds)
        norm = float(np.linalg.norm(P, 2))
        tried.append([k, tau / (2.0 * cp * max(1.0, norm)) / delta])
        if tau < 2.0 * cp * sigma * norm * (1.0 - PRECHECK_SLACK):
            continue
        try:
            built = construct_log_width(ds, p=p, width=k, sigma=sigma, projection=P, seed=seed)
        except HypothesisError:
            continue
        return k, built, tried
    return None, None, tried


def width_task(task: dict[str, Any]) -> dict[str, Any]:
    """One (source, N, seed): the smallest certifying width and its certificate (a results row)."""
    from robustmem.construct import construct_log_width

    ds = dataset_for(task["source"], task["N"], task["d"], task["seed"])
    p = p_value(task["p"])
    t0 = time.perf_counter()
    k, built, tried = smallest_certified_width(
        ds, ratio=task["ratio"], p=p, projection=task["projection"], seed=task["seed"]
    )
    seconds = time.perf_counter() - t0
    row = {
        "kind": "construction",
        **task,
        "N": ds.N,
        "d": ds.d,
        "width": k,
        "k_projected": None if k is None else k - 6,
        "delta": ds.separation().delta,
        "tried": tried,
        "seconds": seconds,
        "search_checked": False,
    }
    if built is not None:
        net, cert = built
        row.update(
            network_width=net.width,
            depth=net.depth,
            sigma_over_delta=cert.sigma_over_delta,
            tau=cert.tau,
            r=cert.r,
            w=cert.w,
        )
    if ds.N <= CHECK_SEARCH_UP_TO:
        from robustmem.errors import HypothesisError

        try:
            _, cert2 = construct_log_width(
                ds,
                p=p,
                sigma=task["ratio"] * ds.separation().delta,
                projection=task["projection"],
                seed=task["seed"],
                draws=DRAWS,
            )
            k2 = len(cert2.projection) + 6  # the width parameter k = k' + 6 (the network may be one narrower)
        except HypothesisError:
            k2 = None
        if k2 != k:
            raise AssertionError(f"{task}: the search found width {k}, construct_log_width(sigma=...) found {k2}")
        row["search_checked"] = True
    return row


def theory_rows(Ns: Sequence[int], d: int, ratio: float, p: str) -> list[dict[str, Any]]:
    from robustmem.bounds import equation1_threshold, equation2_threshold, impossible_width, sufficient_width
    from robustmem.errors import HypothesisError

    rows = []
    for N in Ns:
        try:
            eq1, k1 = equation1_threshold(N, d, p_value(p), ratio), sufficient_width(N, d, p_value(p), ratio)
        except HypothesisError:
            eq1, k1 = None, None
        rows.append(
            {
                "kind": "theory",
                "N": N,
                "d": d,
                "p": p,
                "ratio": ratio,
                "equation1_threshold": eq1,
                "sufficient_width": k1,
                "theorem7_applies": k1 is not None and k1 <= d + 5,
                "equation2_threshold": equation2_threshold(N, d, p_value(p), ratio),
                "impossible_width": impossible_width(N, d, p_value(p), ratio),
            }
        )
    return rows


def fits(rows: list[dict[str, Any]], ratio: float, p: str) -> dict[str, Any]:
    """Width against log10 N: the constructions (all seeds) and equation (1); the exact slope of (1)."""
    from robustmem.bounds import a_pd

    out: dict[str, Any] = {"x": "log10 N", "y": "width k"}
    for src in ("sphere", "digits"):
        pts = [
            (math.log10(r["N"]), r["width"])
            for r in rows
            if r["kind"] == "construction" and r["source"] == src and r["width"] is not None
        ]
        if len(pts) >= 3 and len({x for x, _ in pts}) >= 2:
            out[f"construction_{src}"] = fit_line(*zip(*pts))
    for d in (SPHERE_D, DIGITS_D):
        pts = [
            (math.log10(r["N"]), r["sufficient_width"])
            for r in rows
            if r["kind"] == "theory" and r["d"] == d and r["sufficient_width"] is not None
        ]
        if len(pts) >= 3:
            out[f"equation1_d{d}"] = fit_line(*zip(*pts))
        a = a_pd(p_value(p), d)
        out[f"equation1_d{d}"] = {
            **out.get(f"equation1_d{d}", {}),
            "exact_slope": 2 * math.log(10) / math.log(a / ratio) if a > ratio else None,
        }
    return out


# ------------------------------------------------------------------------------------------ plot
def plot(out: Path, figures: Path) -> Path:
    """width_scaling.png from the results JSON: text width, integer width axis, legend below the axes."""
    paper_style()
    import matplotlib.pyplot as plt

    data = read_results(out / RESULTS)
    rows, meta = data["rows"], data["meta"]
    F = meta["fits"]
    fig, ax = plt.subplots(figsize=(TEXT_WIDTH, 3.3))
    styles = {
        SPHERE_D: ("tab:blue", f"sphere, $d = {SPHERE_D}$", "--", 0.06),  # dy: keeps the two step lines apart
        DIGITS_D: ("tab:green", f"digits, $d = {DIGITS_D}$", "-.", -0.06),
    }
    for d, (c, name, ls, dy) in styles.items():
        th = sorted((r for r in rows if r["kind"] == "theory" and r["d"] == d), key=lambda r: r["N"])
        N = [r["N"] for r in th]
        if any(r["sufficient_width"] is not None for r in th):
            ax.step(
                N,
                [r["sufficient_width"] + dy if r["sufficient_width"] is not None else np.nan for r in th],
                ls,
                where="mid",
                color=c,
                label=f"eq. (1): sufficient for every set ({name})",
            )
        ax.step(
            N,
            [r["impossible_width"] + dy for r in th],
            ":",
            where="mid",
            color=c,
            label=f"eq. (2): impossible for some set, widths $\\leq$ this ({name})",
        )
    marks = {
        "sphere": ("tab:blue", "o", f"sphere points ($d = {SPHERE_D}$, 2 labels)"),
        "digits": ("tab:green", "s", f"digits subsets ($d = {DIGITS_D}$, 10 labels)"),
    }
    for src, (c, m, label) in marks.items():
        con = [r for r in rows if r["kind"] == "construction" and r["source"] == src and r["width"] is not None]
        if not con:
            continue
        seeds = sorted({r["seed"] for r in con})
        side = -1.0 if src == "sphere" else 1.0  # sphere points left of the grid value, digits right
        jit = {s: 1.0 + side * 0.05 * (i + 1) for i, s in enumerate(seeds)}
        ax.plot(
            [r["N"] * jit[r["seed"]] for r in con],
            [r["width"] for r in con],
            m,
            color=c,
            ms=4,
            alpha=0.75,
            mfc="none",
            label=f"smallest certifying width, {label}, {len(seeds)} seeds",
        )
        f = F.get(f"construction_{src}")
        if f:
            xs = np.logspace(math.log10(min(r["N"] for r in con)), math.log10(max(r["N"] for r in con)), 50)
            lo, hi = f["slope_ci95"]
            ax.plot(
                xs,
                f["intercept"] + f["slope"] * np.log10(xs),
                "-",
                color=c,
                lw=1.6,
                label=f"fit $k = {f['intercept']:.2f} + {f['slope']:.2f}\\,\\log_{{10}} N$ "
                f"(slope 95% CI [{lo:.2f}, {hi:.2f}], $R^2 = {f['r_squared']:.2f}$)",
            )
    e1 = F.get(f"equation1_d{SPHERE_D}", {})
    if e1.get("exact_slope"):
        ax.plot(
            [],
            [],
            " ",
            label=f"eq. (1) slope at $d = {SPHERE_D}$: $2\\ln 10 / \\ln(a_{{p,d}}\\,\\delta/\\sigma)$ = "
            f"{e1['exact_slope']:.2f} per decade",
        )
    ax.axhline(7, color="0.5", lw=0.7)
    ax.annotate(
        "$k = 7$: narrowest log-width network ($k' = 1$)",
        (1, 7),
        xycoords=("axes fraction", "data"),
        xytext=(-3, -3),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7,
        color="0.35",
    )
    ax.set_xscale("log")
    ax.set_xlabel("number of points $N$")
    ax.set_ylabel("width $k$ (neurons per hidden layer)")
    pn = {"1": "1", "2": "2", "inf": "\\infty"}.get(meta["p"], meta["p"])
    ax.set_title(
        f"Width for robust memorization at $\\sigma/\\delta = {meta['ratio']:g}$ ($\\ell_{{{pn}}}$): "
        f"logarithmic in $N$ (projection: {meta['projection']})"
    )
    ax.grid(True, which="both", alpha=0.25)
    ax.set_ylim(0, None)
    integer_ticks(ax.yaxis)
    legend_below(fig, ax, ncol=2)
    fig.tight_layout()
    return savefig(fig, figures / FIGURE)


# ------------------------------------------------------------------------------------------ main
def plan(quick: bool) -> dict[str, Any]:
    if quick:
        return {"Ns": [10, 20, 50, 100, 200, 300], "digits_Ns": [10, 20, 50, 100, 200, 300], "n_seeds": 2}
    Ns = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000]
    return {"Ns": Ns, "digits_Ns": [n for n in Ns if n < DIGITS_N] + [DIGITS_N], "n_seeds": 3}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNG")
    ap.add_argument("--quick", action="store_true", help="N = 10..300, 2 seeds")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNG from the results JSON")
    ap.add_argument("--seed", type=int, default=0, help="first seed (data and projection); seeds seed, seed+1, ...")
    ap.add_argument("--ratio", type=float, default=1e-3, help="sigma/delta (default 1e-3)")
    ap.add_argument("--max-n", type=int, default=None, help="drop grid points above this N (a shorter full run)")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port); local if absent")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        cfg = plan(args.quick)
        if args.max_n:
            cfg["Ns"] = [n for n in cfg["Ns"] if n <= args.max_n]
            cfg["digits_Ns"] = [n for n in cfg["digits_Ns"] if n <= args.max_n]
        p, seeds = "2", [args.seed + i for i in range(cfg["n_seeds"])]
        print(
            f"width_scaling ({'quick' if args.quick else 'full'}): sigma/delta = {args.ratio:g}, l_{p}; sphere N = "
            f"{cfg['Ns']}, digits N = {cfg['digits_Ns']}; seeds {seeds}",
            flush=True,
        )
        t0 = time.perf_counter()
        base = {"p": p, "ratio": args.ratio, "projection": "best-of-random"}
        tasks = [{"source": "sphere", "N": N, "d": SPHERE_D, "seed": s, **base} for N in cfg["Ns"] for s in seeds]
        tasks += [
            {"source": "digits", "N": N, "d": DIGITS_D, "seed": s, **base} for N in cfg["digits_Ns"] for s in seeds
        ]
        rows = sweep(
            width_task,
            tasks,
            scheduler=args.scheduler,
            name="width_scaling",
            describe=lambda t: f"{t['source']} N={t['N']} seed {t['seed']}",
        )
        allN = sorted(set(cfg["Ns"]) | set(cfg["digits_Ns"]))
        rows += theory_rows(allN, SPHERE_D, args.ratio, p) + theory_rows(allN, DIGITS_D, args.ratio, p)
        meta = meta_block(
            "experiments.width_scaling",
            argv,
            seed=args.seed,
            ratio=args.ratio,
            p=p,
            seeds=seeds,
            projection=f"best-of-random ({DRAWS})",
            sphere_d=SPHERE_D,
            digits_d=DIGITS_D,
            sphere_labels=2,
            fits=fits(rows, args.ratio, p),
            seconds=time.perf_counter() - t0,
            **cfg,
        )
        path = write_results(out / RESULTS, meta, rows)
        for name, f in meta["fits"].items():
            if isinstance(f, dict) and "slope" in f:
                print(
                    f"  fit {name}: width = {f['intercept']:.2f} + {f['slope']:.3f} log10 N, slope 95% CI "
                    f"[{f['slope_ci95'][0]:.3f}, {f['slope_ci95'][1]:.3f}], R^2 = {f['r_squared']:.3f}"
                )
        print(f"wrote {path} ({len(rows)} rows, {time.perf_counter() - t0:.1f} s)")
    print(f"wrote {plot(out, figs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
