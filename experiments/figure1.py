"""Figure 1 of the paper with numbers: the radius sigma/delta against the width k, theory and measurement.

The paper's Figure 1 is a schematic.  Here every curve is computed, for l_2 and l_inf perturbations:

* theory (``robustmem.bounds``): Theorem 7's sufficient radius a_{p,d} N^{-2/(k-6)} and Remark 10's
  (times sqrt(k - 6)) for 7 <= k <= d + 5; Theorem 8's impossible radius b_{p,d} N^{-2/k} for k <= d - 1;
  Remark 4's limit 1/(2 c+_p(d)); Theorem 5's region k >= d + 6 (every ratio below the limit);
* the certified radius of the package's log-width network (``construct_log_width(width=k)``,
  best of 8 Haar projections) on random points of the unit sphere (N = 1000, d = 100, binary labels;
  median and range over seeds) and on scikit-learn's digits (N = 1797, d = 64: its own panel, with its
  own theory curves);
* the kernel attack (``robustmem.lower_bound``) on Theorem 19's hard instance: for each k, the smallest
  radius at which the instance of parameter k has at most N points (then NO width-k network robustly
  memorizes it; the collision W a = W a' is verified exactly against a Haar-random k x d first layer), and
  Theorem 8's own radius at k = 1 (the attack succeeds there, with far fewer than N points);
* the package's own width-k network on a hard instance: its first layer reads only k' = k - 6 linear
  features of x, so the instance of parameter k - 6 (at most N points) defeats it.  We build the network
  on that instance, record its certified radius, and run the kernel attack against it: the collision
  radius ||a - x_i||_p / delta is where the network verifiably fails (outputs exactly equal at two
  differently-labelled points).  Certified < collision radius is checked on every row.

Writes ``figure1.json`` and the PNGs ``figure1_l2.png`` and ``figure1_linf.png``; ``--plot-only``
redraws them from the JSON.

    python -m experiments.figure1 [--quick] [--seed 0] [--out results] [--figures figures] [--scheduler ADDR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
    DIGITS_N,
    P_LABEL,
    certified_radius_task,
    draw_theory,
    median_band,
    p_value,
    theory_rows,
)

RESULTS = "figure1.json"
FIGURES = {"2": "figure1_l2.png", "inf": "figure1_linf.png"}
SPHERE_D = 100
DIGITS_D = 64
BISECT_STEPS = 10  # halvings of the log-interval bracketing the smallest instance radius (ratio 2^(1/1024))


# ------------------------------------------------------------------------------------------ attacks
def smallest_instance(k: int, d: int, p: float, n_max: int, *, seed: int = 0):
    """The hard instance of parameter k (delta = 1) with at most ``n_max`` points and (nearly) the smallest
    radius: bisection in log sigma on ``hard_instance(k, d, 1, sigma, p)``, whose size decreases with sigma.

    Returns (instance, probes) with probes = [(sigma, N or None when too large)] in the order tried."""
    from robustmem.errors import InvalidArgumentError
    from robustmem.lower_bound import hard_instance

    probes: list[tuple[float, int | None]] = []

    def build(s: float):
        try:
            inst = hard_instance(k, d, 1.0, s, p, max_points=n_max + 1, seed=seed)
        except InvalidArgumentError:  # more than n_max + 1 points (raised before the outer cover is built)
            probes.append((s, None))
            return None
        probes.append((s, inst.N))
        return inst if n_max >= inst.N else None

    hi, best = 0.25, None
    while (best := build(hi)) is None:
        hi *= 2.0
        if hi > 64:
            raise RuntimeError(f"no hard instance with k = {k} and at most {n_max} points for sigma <= 64")
    lo = hi / 2.0
    while (inst := build(lo)) is not None:
        hi, best, lo = lo, inst, lo / 2.0
        if lo < 1e-14:
            raise RuntimeError("the instance size does not grow as sigma shrinks")
    for _ in range(BISECT_STEPS):
        mid = math.sqrt(lo * hi)
        inst = build(mid)
        if inst is None:
            lo = mid
        else:
            hi, best = mid, inst
    return best, probes


def attack_task(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows for one instance parameter k_inst (``task``: k_inst, d, p, n_max, seed, package, theorem8).

    * ``generic``: the smallest-radius instance of parameter k_inst with <= n_max points, attacked through a
      Haar-random k_inst x d first layer (what every width-k_inst network has);
    * ``package`` (if k_inst + 6 <= d + 5): the package's width-(k_inst + 6) network built on that instance,
      its certified radius and the exact collision the attack finds against it;
    * ``theorem8`` (if asked): the instance at 1.000001 x Theorem 8's radius for width k_inst, attacked.
    """
    from robustmem.bounds import theorem8_radius
    from robustmem.construct import construct_log_width
    from robustmem.lower_bound import hard_instance, kernel_attack
    from robustmem.projection import haar_projection

    k, d, n_max, seed = int(task["k_inst"]), int(task["d"]), int(task["n_max"]), int(task["seed"])
    p = p_value(task["p"])
    t0 = time.perf_counter()
    inst, probes = smallest_instance(k, d, p, n_max, seed=seed)
    delta = inst.separation
    W = haar_projection(d, k, seed=seed)
    res = kernel_attack(W, inst)
    base = {
        "p": task["p"],
        "d": d,
        "n_max": n_max,
        "seed": seed,
        "k_instance": k,
        "N_instance": inst.N,
        "n1": inst.n1,
        "n2": inst.n2,
        "cover": inst.inner_cover.method,
        "cover_verification": inst.inner_cover.verification,
        "delta": delta,
        "instance_sigma_over_delta": inst.sigma / delta,
        "instance_sigma_prime": inst.sigma_prime,
    }
    verified = bool(
        res.exact_kernel and res.image_gap_exact == 0 and res.label_i != res.label_j and res.distance <= inst.sigma
    )
    rows = [
        {
            "kind": "attack_generic",
            **base,
            "k": k,
            "first_layer": f"Haar-random {k} x {d}",
            "collision_radius_over_delta": res.distance / delta,
            "verified_collision": verified,
            "distance_check": res.distance_check,
            "bisection_probes": probes,
            "seconds": time.perf_counter() - t0,
            "theorem8_radius_at_N_instance": theorem8_radius(inst.N, d, p, k) if k <= d - 1 else None,
        }
    ]
    if task.get("package") and k + 6 <= d + 5:
        t1 = time.perf_counter()
        net, cert = construct_log_width(inst.dataset, p=p, width=k + 6, projection="best-of-random", seed=seed)
        att = kernel_attack(net, inst)
        ok = bool(att.exact_kernel and att.image_gap_exact == 0 and att.wrong_labels and att.distance <= inst.sigma)
        rows.append(
            {
                "kind": "attack_package",
                **base,
                "k": net.width,
                "depth": net.depth,
                "certified_sigma_over_delta": cert.sigma / delta,
                "collision_radius_over_delta": att.distance / delta,
                "verified_collision": ok,
                "exact_output": str(att.exact_output),
                "wrong_labels": list(att.wrong_labels),
                "labels": [att.label_i, att.label_j],
                "consistent": bool(cert.sigma < att.distance),
                "seconds": time.perf_counter() - t1,
            }
        )
    if task.get("theorem8") and k <= d - 1:
        s8 = theorem8_radius(n_max, d, p, k) * (1 + 1e-6)
        inst8 = hard_instance(k, d, 1.0, s8, p, seed=seed)
        r8 = kernel_attack(W, inst8)
        rows.append(
            {
                "kind": "attack_theorem8",
                "p": task["p"],
                "d": d,
                "n_max": n_max,
                "seed": seed,
                "k": k,
                "sigma_over_delta": s8 / inst8.separation,
                "theorem8_radius": s8 / (1 + 1e-6),
                "N_instance": inst8.N,
                "collision_radius_over_delta": r8.distance / inst8.separation,
                "verified_collision": bool(r8.exact_kernel and r8.image_gap_exact == 0 and r8.distance <= s8),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------ compute
def plan(quick: bool, seed: int) -> dict[str, Any]:
    if quick:
        return {
            "N": 200,
            "digits_N": 200,
            "widths": [7, 8, 10, 14, 20, 40, 105],
            "digits_widths": [7, 10, 20, 69],
            "seeds": [seed],
            "k_inst": [1, 2],
        }
    widths = list(range(7, 16)) + [17, 20, 25, 30, 40, 50, 60, 70, 80, 90, 105]
    return {
        "N": 1000,
        "digits_N": DIGITS_N,
        "widths": widths,
        "digits_widths": list(range(7, 16)) + [17, 20, 25, 30, 40, 50, 60, 69],
        "seeds": [seed, seed + 1, seed + 2],
        "k_inst": [1, 2, 3],
    }


def compute(cfg: dict[str, Any], *, scheduler: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for p in FIGURES:
        rows += theory_rows("sphere", cfg["N"], SPHERE_D, p, SPHERE_D + 15)
        rows += theory_rows("digits", cfg["digits_N"], DIGITS_D, p, DIGITS_D + 15)
    tasks = [
        {
            "panel": "sphere",
            "source": "sphere",
            "N": cfg["N"],
            "d": SPHERE_D,
            "p": p,
            "k": k,
            "seed": s,
            "projection": "best-of-random",
        }
        for p in FIGURES
        for s in cfg["seeds"]
        for k in cfg["widths"]
    ]
    tasks += [
        {
            "panel": "digits",
            "source": "digits",
            "N": cfg["digits_N"],
            "d": DIGITS_D,
            "p": p,
            "k": k,
            "seed": s,
            "projection": "best-of-random",
        }
        for p in FIGURES
        for s in cfg["seeds"]
        for k in cfg["digits_widths"]
    ]
    rows += sweep(
        certified_radius_task,
        tasks,
        scheduler=scheduler,
        name="figure1 certified radii",
        describe=lambda t: f"{t['source']} l_{t['p']} k={t['k']} seed {t['seed']}",
    )
    attacks = [
        {
            "k_inst": k,
            "d": SPHERE_D,
            "p": p,
            "n_max": cfg["N"],
            "seed": cfg["seeds"][0],
            "package": True,
            "theorem8": k == 1,
        }
        for p in FIGURES
        for k in cfg["k_inst"]
    ]
    for part in sweep(
        attack_task,
        attacks,
        scheduler=scheduler,
        name="figure1 kernel attacks",
        describe=lambda t: f"l_{t['p']} instance k={t['k_inst']}",
    ):
        rows += part
    bad = [r for r in rows if r["kind"].startswith("attack") and not r["verified_collision"]]
    bad += [r for r in rows if r["kind"] == "attack_package" and not r["consistent"]]
    if bad:
        raise AssertionError(f"an attack row failed its check (certified radius above a verified collision?): {bad[0]}")
    return rows


# ------------------------------------------------------------------------------------------ plot
def _panel(ax: Any, rows: list[dict[str, Any]], panel: str, p: str, with_attacks: bool) -> None:
    th = [r for r in rows if r["kind"] == "theory" and r["panel"] == panel and r["p"] == p]
    con = [r for r in rows if r["kind"] == "construction" and r["panel"] == panel and r["p"] == p]
    N, d = th[0]["N"], th[0]["d"]
    draw_theory(ax, th, ytop=1.0)
    if con:
        k, med, lo, hi = median_band(con)
        n = len({r["seed"] for r in con})
        ax.errorbar(
            k,
            med,
            yerr=[med - lo, hi - med],
            fmt="o",
            color="tab:blue",
            ms=3.5,
            capsize=1.5,
            elinewidth=0.8,
            label=f"certified radius of the package's width-$k$ net (median, range of {n} seed{'s' if n > 1 else ''})",
        )
    vals = [r["sigma_over_delta"] for r in con] + [r["theorem7"] for r in th if r["theorem7"]]
    if with_attacks:
        gen = sorted((r for r in rows if r["kind"] == "attack_generic" and r["p"] == p), key=lambda r: r["k"])
        pkg = sorted((r for r in rows if r["kind"] == "attack_package" and r["p"] == p), key=lambda r: r["k"])
        t8 = [r for r in rows if r["kind"] == "attack_theorem8" and r["p"] == p]
        if gen:
            ax.plot(
                [r["k"] for r in gen],
                [r["instance_sigma_over_delta"] for r in gen],
                "v-",
                color="tab:purple",
                ms=5,
                label=f"kernel attack: no width-$k$ net works above ($\\leq {gen[0]['n_max']}$ points)",
            )
        if t8:
            ax.plot(
                [r["k"] for r in t8],
                [r["sigma_over_delta"] for r in t8],
                "*",
                color="tab:red",
                ms=9,
                mec="k",
                mew=0.6,
                label=f"attack verified at Thm 8's radius ({t8[0]['N_instance']} points suffice)",
            )
        for i, r in enumerate(pkg):
            ax.plot(
                [r["k"], r["k"]],
                [r["certified_sigma_over_delta"], r["collision_radius_over_delta"]],
                "-",
                color="tab:orange",
                lw=1,
            )
            ax.plot(
                r["k"],
                r["certified_sigma_over_delta"],
                "^",
                color="tab:orange",
                ms=5,
                mec="k",
                mew=0.6,
                label="package's net on the hard instance: certified" if i == 0 else None,
            )
            ax.plot(
                r["k"],
                r["collision_radius_over_delta"],
                "X",
                color="tab:orange",
                ms=6,
                mec="k",
                mew=0.6,
                label="... and broken there (exact collision, kernel attack)" if i == 0 else None,
            )
        vals += [r["certified_sigma_over_delta"] for r in pkg] + [r["instance_sigma_over_delta"] for r in gen]
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(0.8, 1.7 * (d + 6))
    ax.set_ylim(min(v for v in vals if v > 0) / 5, 1.0)
    ax.set_xlabel("width $k$ (neurons per hidden layer)")
    ax.set_ylabel(f"radius $\\sigma/\\delta$ ({P_LABEL[p]} radius / $\\ell_2$ separation)")
    src = "unit sphere, 2 labels" if panel == "sphere" else "scikit-learn digits"
    ax.set_title(f"{src}: $N = {N}$, $d = {d}$")
    ax.grid(True, which="both", alpha=0.2)


def plot(out: Path, figures: Path) -> list[Path]:
    paper_style()
    import matplotlib.pyplot as plt

    rows = read_results(out / RESULTS)["rows"]
    paths = []
    for p, name in FIGURES.items():
        fig, (ax, bx) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, 3.2))
        _panel(ax, rows, "sphere", p, with_attacks=True)
        _panel(bx, rows, "digits", p, with_attacks=False)
        bx.set_ylabel("")
        fig.suptitle(
            f"Figure 1 with numbers ({P_LABEL[p]} balls): green suffices, red is impossible, markers are measured"
        )
        legend_below(fig, [ax, bx], ncol=2)
        fig.tight_layout()
        paths.append(savefig(fig, figures / name))
    return paths


# ------------------------------------------------------------------------------------------ main
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNGs")
    ap.add_argument("--quick", action="store_true", help="N = 200, 7 widths, 1 seed, instances k = 1, 2")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNGs from the results JSON")
    ap.add_argument("--seed", type=int, default=0, help="first seed (data, projections, attacked first layers)")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:port); local if absent")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        cfg = plan(args.quick, args.seed)
        print(
            f"figure1 ({'quick' if args.quick else 'full'}): sphere N = {cfg['N']}, d = {SPHERE_D}; digits N = "
            f"{cfg['digits_N']}; {len(cfg['widths'])} + {len(cfg['digits_widths'])} widths x {len(cfg['seeds'])} "
            f"seed(s) x l_2, l_inf; hard instances k = {cfg['k_inst']}",
            flush=True,
        )
        t0 = time.perf_counter()
        rows = compute(cfg, scheduler=args.scheduler)
        meta = meta_block(
            "experiments.figure1",
            argv,
            seed=args.seed,
            **cfg,
            sphere_d=SPHERE_D,
            digits_d=DIGITS_D,
            projection="best-of-random (8 Haar draws)",
            sphere_labels=2,
            seconds=time.perf_counter() - t0,
        )
        path = write_results(out / RESULTS, meta, rows)
        for r in rows:
            if r["kind"] == "attack_package":
                print(
                    f"  l_{r['p']} width {r['k']} on the k' = {r['k_instance']} instance ({r['N_instance']} points): "
                    f"certified {r['certified_sigma_over_delta']:.3g}, "
                    f"broken at {r['collision_radius_over_delta']:.3g}"
                )
        print(f"wrote {path} ({len(rows)} rows, {time.perf_counter() - t0:.1f} s)")
    for p in plot(out, figs):
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
