"""Figures 2 and 3 of the paper, drawn from the package's own objects.

Figure 2 (Theorem 19's hard instance for k + 1 = 2, i.e. k = 1, in R^2): class 1 is a sigma'-cover of
the circle of radius r = sqrt(2 sigma' delta), class 2 an r-cover of the circle of radius r + delta
(``robustmem.lower_bound.hard_instance``).  The right panel is the difference set
{a - x_j : a in B_2(x_i, sigma'), y_i = 1, y_j = 2} = union of the discs B_2(x_i - x_j, sigma'), drawn
together with the full difference set of Definition 12 (both points in their balls: discs of radius
2 sigma').  It meets every line through the origin, so every 1 x 2 first layer W has a kernel vector
a - x_j in it and W a = W x_j (``robustmem.lower_bound.kernel_attack``, exact rationals): no width-1
network robustly memorizes the instance.  The line-hitting claim is checked on a grid of directions.

Figure 3 (Example 1, ``robustmem.example1``) for k = 1: T(a_1, a_2) = a_1 - a_2 / sigma keeps the data
distance |T(x - x')| = ||x - x'|| = 1 (a JL map for the pair) but sends the point e_1 + sigma e_2 of the
closed ball B_2(x', sigma) to 0 = T(x): the images of the two balls overlap, T is not preserving.

Writes ``figure2_3.json`` (every plotted coordinate) and the PNGs ``figure2_hard_instance.png`` and
``figure3_example1.png``; ``--plot-only`` redraws them from the JSON.

    python -m experiments.figure2_3 [--sigma 0.08] [--sigma-example 0.25] [--out results] [--figures figures]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.common import TEXT_WIDTH, legend_below, meta_block, paper_style, read_results, savefig, write_results

RESULTS = "figure2_3.json"
FIG2 = "figure2_hard_instance.png"
FIG3 = "figure3_example1.png"
N_DIRECTIONS = 3600  # directions of the kernel line checked on the difference set (a grid on [0, pi))


# ------------------------------------------------------------------------------------------ compute
def figure2_data(*, delta: float, sigma: float, attack_angles: Sequence[float]) -> dict[str, Any]:
    """Coordinates of Figure 2 from ``hard_instance(1, 2, delta, sigma, 2)`` and ``kernel_attack``."""
    from robustmem.lower_bound import hard_instance, kernel_attack

    inst = hard_instance(1, 2, delta, sigma, 2.0)
    X, y, n1 = inst.dataset.X, inst.dataset.y, inst.n1
    A, B = X[:n1], X[n1:]
    diffs = (A[:, None, :] - B[None, :, :]).reshape(-1, 2)  # centres of the difference discs
    # every direction u: the distance from the line R u to the nearest difference centre
    th = np.linspace(0.0, math.pi, N_DIRECTIONS, endpoint=False)
    U = np.stack([np.cos(th), np.sin(th)], axis=1)
    cross = np.abs(diffs[None, :, 0] * U[:, None, 1] - diffs[None, :, 1] * U[:, None, 0])  # |det(c, u)|
    line_gap = cross.min(axis=1)
    attacks = []
    for ang in attack_angles:
        u = np.array([math.cos(ang), math.sin(ang)])
        W = np.array([[-u[1], u[0]]])  # a width-1 first layer whose kernel is the line R u
        res = kernel_attack(W, inst)
        attacks.append(
            {
                "angle": ang,
                "W": W[0],
                "kernel_vector": res.kernel_vector,
                "i": res.i,
                "j": res.j,
                "label_i": res.label_i,
                "label_j": res.label_j,
                "a": res.a,
                "a_prime": res.a_prime,
                "x_i": X[res.i],
                "distance_to_x_i": res.distance,
                "exact_kernel": res.exact_kernel,
                "image_gap_exact": str(res.image_gap_exact),
                "W_a": float(W[0] @ res.a),
                "W_a_prime": float(W[0] @ res.a_prime),
            }
        )
    return {
        "figure": "figure2",
        "k": inst.k,
        "d": inst.d,
        "delta": inst.delta,
        "sigma": inst.sigma,
        "p": inst.p,
        "sigma_prime": inst.sigma_prime,
        "r": inst.r,
        "outer_radius": inst.outer_radius,
        "n1": inst.n1,
        "n2": inst.n2,
        "separation": inst.separation,
        "inner_cover_radius": inst.inner_cover.radius,
        "outer_cover_radius": inst.outer_cover.radius,
        "inner_cover_method": inst.inner_cover.method,
        "verification": inst.inner_cover.verification,
        "class1_points": A,
        "class2_points": B,
        "labels": y,
        "difference_centres": diffs,
        "directions_checked": N_DIRECTIONS,
        "max_line_gap": float(line_gap.max()),
        "every_line_meets_difference_set": bool(line_gap.max() <= inst.sigma_prime),
        "line_gap_curve": {"angle": th[::20], "gap": line_gap[::20]},
        "attacks": attacks,
        "notes": list(inst.notes),
    }


def figure3_data(*, sigma: float, ks: Sequence[int] = (1, 2, 3)) -> dict[str, Any]:
    """Coordinates of Figure 3 from ``example1(1, sigma)``; the symbolic identities for ``ks``."""
    import sympy as sp

    from robustmem.example1 import example1, example1_symbolic_check

    ex = example1(1, sigma)
    T = ex.T
    half = float(np.linalg.norm(T[0]) * sigma)  # T(B_2(c, sigma)) = [T c - sigma ||T||, T c + sigma ||T||]
    sym = {str(k): {name: str(v) for name, v in example1_symbolic_check(k).items()} for k in ks}
    return {
        "figure": "figure3",
        "k": ex.k,
        "sigma": ex.sigma,
        "T": T,
        "T_exact": [[str(v) for v in row] for row in ex.T_exact.tolist()],
        "x": ex.x,
        "x_prime": ex.x_prime,
        "labels": ex.dataset.y,
        "collision": ex.collision,
        "image_x": float(T[0] @ ex.x),
        "image_x_prime": float(T[0] @ ex.x_prime),
        "image_collision": float(T[0] @ ex.collision),
        "image_of_collision_exact": [str(v) for v in ex.image_of_collision],
        "data_distance": str(ex.data_distance),
        "image_distance": str(ex.image_distance),
        "ball_distance": str(ex.ball_distance),
        "preservation_gap": str(ex.preservation_gap),
        "preservation_gap_float": float(sp.N(ex.preservation_gap)),
        "image_interval_x": [float(T[0] @ ex.x) - half, float(T[0] @ ex.x) + half],
        "image_interval_x_prime": [float(T[0] @ ex.x_prime) - half, float(T[0] @ ex.x_prime) + half],
        "kernel_direction": [1.0, sigma],
        "symbolic_checks": sym,
        "all_symbolic_checks_zero": all(v == "0" for c in sym.values() for v in c.values()),
    }


# ------------------------------------------------------------------------------------------ plot
def _disc(ax: Any, c: Sequence[float], rad: float, **kw: Any) -> None:
    import matplotlib.patches as mpatches

    ax.add_patch(mpatches.Circle((float(c[0]), float(c[1])), rad, **kw))


def _tex(expr: str) -> str:
    """A sympy expression string of the results file as mathtext ('-sqrt(17)/4' -> '-\\frac{\\sqrt{17}}{4}')."""
    import sympy as sp

    return sp.latex(sp.sympify(expr))


def plot_figure2(row: dict[str, Any], path: Path) -> Path:
    """figure2_hard_instance.png (text width): the instance with its kernel attacks, and its difference set."""
    paper_style()
    import matplotlib.patches as mpatches
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    A, B = np.array(row["class1_points"]), np.array(row["class2_points"])
    D = np.array(row["difference_centres"])
    sp_, r, R = row["sigma_prime"], row["r"], row["outer_radius"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, 3.55))
    t = np.linspace(0, 2 * math.pi, 400)
    for rad in (r, R):
        ax.plot(rad * np.cos(t), rad * np.sin(t), "--", color="0.55", lw=0.6)
    for b in B:
        _disc(ax, b, r, color="tab:orange", alpha=0.10, lw=0)
    for a in A:
        _disc(ax, a, sp_, color="tab:blue", alpha=0.35, lw=0)
    ax.plot(A[:, 0], A[:, 1], "o", color="tab:blue", ms=2.5)
    ax.plot(B[:, 0], B[:, 1], "s", color="tab:orange", ms=2.5)
    colors = ["tab:green", "tab:purple", "tab:red", "tab:brown"]
    for c, at in zip(colors, row["attacks"]):
        a, ap = np.array(at["a"]), np.array(at["a_prime"])
        s = np.linspace(-0.3, 1.3, 2)
        seg = a[None, :] + np.outer(s, ap - a)
        ax.plot(seg[:, 0], seg[:, 1], "-", color=c, lw=0.9)
        for pt, name in ((a, "$a$"), (ap, "$a'$")):
            ax.plot(*pt, "*", color=c, ms=7, mec="k", mew=0.4)
            ax.annotate(name, pt, textcoords="offset points", xytext=(3, 3), color=c, fontsize=7)
    ax.set_aspect("equal")
    lim = R + r + 0.1
    ax.set_xlim(-lim, lim), ax.set_ylim(-lim, lim)
    ax.set_title(
        f"Theorem 19's hard instance, $k + 1 = 2$\n($\\delta = {row['delta']:g}$, $\\sigma = {row['sigma']:g}$,"
        f" $\\sigma' = {sp_:.3g}$, $r = \\sqrt{{2 \\sigma' \\delta}} = {r:.3g}$)"
    )
    ax.set_xlabel("$x_1$"), ax.set_ylabel("$x_2$")

    for c in D:
        _disc(bx, c, 2 * sp_, color="0.6", alpha=0.10, lw=0)
    for c in D:
        _disc(bx, c, sp_, color="tab:blue", alpha=0.25, lw=0)
    bx.plot(D[:, 0], D[:, 1], ".", color="k", ms=1.5)
    ext = float(np.abs(D).max()) + 2 * sp_ + 0.1
    kernel_lines = []
    for c, at in zip(colors, row["attacks"]):
        u = np.array(at["kernel_vector"])
        (line,) = bx.plot([-ext * u[0], ext * u[0]], [-ext * u[1], ext * u[1]], "-", color=c, lw=0.9)
        kernel_lines.append(
            (line, f"$\\ker W$ at {math.degrees(at['angle']):.0f}\u00b0: $i = {at['i']}$, $j = {at['j']}$")
        )
        dv = np.array(at["a"]) - np.array(at["a_prime"])
        bx.plot(*dv, "*", color=c, ms=7, mec="k", mew=0.4)
    bx.plot(0, 0, "+", color="k", ms=6)
    bx.set_aspect("equal")
    bx.set_xlim(-ext, ext), bx.set_ylim(-ext, ext)
    ok = "passes" if row["every_line_meets_difference_set"] else "does NOT pass"
    bx.set_title(
        "difference set $\\{a - x_j : a \\in B(x_i, \\sigma'),\\ y_i = 1,\\ y_j = 2\\}$\n"
        f"every line through 0 {ok} within ${row['max_line_gap']:.3f} \\leq \\sigma'$ of a centre"
    )
    bx.set_xlabel("$z_1$"), bx.set_ylabel("$z_2$")
    entries = [
        (
            Line2D([], [], ls="", marker="o", color="tab:blue", ms=2.5),
            f"class 1: {row['n1']} points, a $\\sigma'$-cover of $\\|x\\| = r$; discs $B(x_i, \\sigma')$",
        ),
        (
            Line2D([], [], ls="", marker="s", color="tab:orange", ms=2.5),
            f"class 2: {row['n2']} points, an $r$-cover of $\\|x\\| = r + \\delta$; discs: radius $r$",
        ),
        (
            Line2D([], [], ls="", marker="*", color="0.6", mec="k", mew=0.4, ms=7),
            "$a \\in B(x_i, \\sigma')$, $a' = x_j$, $W a = W a'$ exactly; right: $a - a'$",
        ),
        (
            mpatches.Patch(color="tab:blue", alpha=0.3, lw=0),
            "right: discs $B(x_i - x_j, \\sigma')$ (centres: black dots)",
        ),
        (mpatches.Patch(color="0.6", alpha=0.3, lw=0), "right: radius $2\\sigma'$ (the full set of Definition 12)"),
        *kernel_lines,
    ]
    fig.tight_layout()
    legend_below(fig, [ax, bx], ncol=2, handles=[h for h, _ in entries], labels=[lab for _, lab in entries])
    return savefig(fig, path)


def _label_spots(
    T: np.ndarray,
    levels: np.ndarray,
    avoid: list[np.ndarray],
    view: tuple[float, float, float, float] = (-0.4, 1.5, -0.45, 0.55),
) -> list[tuple[float, float]]:
    """Where to write each nonzero level of a -> T a in the left panel: the point of the level line inside
    ``view`` farthest from the points in ``avoid`` (the labels then sit off the discs)."""
    spots = []
    a1 = np.linspace(view[0], view[1], 200)
    for c in levels:
        if c == 0:
            continue
        a2 = (c - T[0] * a1) / T[1]
        inside = (a2 >= view[2]) & (a2 <= view[3])
        if not inside.any():
            continue
        P = np.stack([a1[inside], a2[inside]], axis=1)
        dist = np.min([np.linalg.norm(P - q, axis=1) for q in avoid], axis=0)
        spots.append((float(P[dist.argmax(), 0]), float(P[dist.argmax(), 1])))
    return spots


def plot_figure3(row: dict[str, Any], path: Path) -> Path:
    """figure3_example1.png (text width): Example 1's map T on the two balls, and the overlapping images."""
    paper_style()
    import matplotlib.pyplot as plt

    s = row["sigma"]
    x, xp, col = np.array(row["x"]), np.array(row["x_prime"]), np.array(row["collision"])
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(TEXT_WIDTH, 2.6), gridspec_kw={"width_ratios": [1.25, 1]})
    _disc(ax, x, s, color="tab:blue", alpha=0.25, lw=0.8, ec="tab:blue")
    _disc(ax, xp, s, color="tab:orange", alpha=0.25, lw=0.8, ec="tab:orange")
    ax.plot(*x, "o", color="tab:blue", ms=4, label=f"$x = 0$, label {row['labels'][0]}")
    ax.plot(*xp, "o", color="tab:orange", ms=4, label=f"$x' = e_1$, label {row['labels'][1]}")
    ax.plot(
        *col,
        "*",
        color="tab:red",
        ms=8,
        mec="k",
        mew=0.4,
        label=f"$a' = e_1 + \\sigma e_2 \\in B_2(x', \\sigma)$ (distance ${_tex(row['ball_distance'])}$ from $x'$)",
    )
    kd = np.array(row["kernel_direction"]) / np.linalg.norm(row["kernel_direction"])
    L = np.linspace(-0.6, 1.7, 2)
    ax.plot(L * kd[0], L * kd[1], "-", color="tab:red", lw=1.0, label="$\\ker T = T^{-1}(0)$: holds $x$ and $a'$")
    gx, gy = np.meshgrid(np.linspace(-0.5, 1.6, 220), np.linspace(-0.55, 0.65, 160))
    T = np.array(row["T"])[0]
    levels = np.arange(-3, 4, 1.0)
    cs = ax.contour(gx, gy, T[0] * gx + T[1] * gy, levels=levels, colors="0.6", linewidths=0.5, linestyles="solid")
    ax.clabel(
        cs, [v for v in levels if v != 0], fmt="$T = %g$", fontsize=6, manual=_label_spots(T, levels, [x, xp, col])
    )
    ax.set_aspect("equal"), ax.set_xlim(-0.5, 1.6), ax.set_ylim(-0.55, 0.65)
    ax.set_xlabel("$a_1$"), ax.set_ylabel("$a_2$")
    t1, t2 = (_tex(v) for v in row["T_exact"][0])
    t2s = f"+ {t2}" if not t2.startswith("-") else f"- {t2[1:].strip()}"
    t1s = "" if t1 == "1" else t1
    ax.set_title(
        f"Example 1 ($k = {row['k']}$, $\\sigma = {s:g}$): $T(a) = {t1s} a_1 {t2s} a_2$\n"
        "grey: level sets of $T$; discs: $B_2(x, \\sigma)$, $B_2(x', \\sigma)$"
    )

    I, Ip = row["image_interval_x"], row["image_interval_x_prime"]
    bx.barh(
        1,
        I[1] - I[0],
        left=I[0],
        height=0.35,
        color="tab:blue",
        alpha=0.35,
        label=f"$T(B_2(x, \\sigma)) = [{I[0]:.3f}, {I[1]:.3f}]$",
    )
    bx.barh(
        0,
        Ip[1] - Ip[0],
        left=Ip[0],
        height=0.35,
        color="tab:orange",
        alpha=0.35,
        label=f"$T(B_2(x', \\sigma)) = [{Ip[0]:.3f}, {Ip[1]:.3f}]$",
    )
    bx.plot(row["image_x"], 1, "o", color="tab:blue", ms=4)
    bx.plot(row["image_x_prime"], 0, "o", color="tab:orange", ms=4)
    bx.plot(row["image_collision"], 0, "*", color="tab:red", ms=8, mec="k", mew=0.4)
    bx.axvline(0.0, color="tab:red", lw=0.8, ls=":")
    bx.annotate(
        f"$T x = T a' = {row['image_collision']:g}$",
        (0, 0.5),
        textcoords="offset points",
        xytext=(4, 0),
        color="tab:red",
        fontsize=7,
        va="center",
    )
    bx.set_yticks([0, 1], ["ball of $x'$", "ball of $x$"])
    bx.set_ylim(-0.5, 1.9), bx.set_xlim(min(I[0], Ip[0]) - 0.3, max(I[1], Ip[1]) + 0.3)
    bx.set_xlabel(f"$T(a) \\in \\mathbb{{R}}^{{{row['k']}}}$")
    checked = ", ".join(row["symbolic_checks"])
    bx.set_title(
        f"$|T x - T x'| = {_tex(row['image_distance'])} = \\|x - x'\\|$, but the images overlap:\n"
        f"$\\|T(x - a')\\| - \\|x - a'\\| = {_tex(row['preservation_gap'])}"
        f" \\approx {row['preservation_gap_float']:.3f}$"
    )
    bx.text(
        0.98,
        0.97,
        f"exact arithmetic; Example 1's identities\nfor $k = {checked}$ simplify to 0",
        transform=bx.transAxes,
        ha="right",
        va="top",
        fontsize=6,
        color="0.3",
    )
    fig.tight_layout()
    legend_below(fig, [ax, bx], ncol=2)
    return savefig(fig, path)


def plot(out: Path, figures: Path) -> list[Path]:
    rows = {r["figure"]: r for r in read_results(out / RESULTS)["rows"]}
    return [plot_figure2(rows["figure2"], figures / FIG2), plot_figure3(rows["figure3"], figures / FIG3)]


# ------------------------------------------------------------------------------------------ main
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNGs")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNGs from the results JSON")
    ap.add_argument("--delta", type=float, default=1.0, help="separation of the hard instance (Figure 2)")
    ap.add_argument("--sigma", type=float, default=0.08, help="radius of the hard instance (Figure 2)")
    ap.add_argument("--sigma-example", type=float, default=0.25, help="sigma of Example 1 (Figure 3)")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        angles = [math.radians(a) for a in (20.0, 75.0, 140.0)]
        fig2 = figure2_data(delta=args.delta, sigma=args.sigma, attack_angles=angles)
        if not fig2["every_line_meets_difference_set"]:
            raise AssertionError(f"a line through 0 misses the difference set (gap {fig2['max_line_gap']})")
        fig3 = figure3_data(sigma=args.sigma_example)
        meta = meta_block(
            "experiments.figure2_3",
            argv,
            seed=None,
            delta=args.delta,
            sigma=args.sigma,
            sigma_example=args.sigma_example,
        )
        path = write_results(out / RESULTS, meta, [fig2, fig3])
        print(
            f"Figure 2: {fig2['n1']} + {fig2['n2']} points, max line gap {fig2['max_line_gap']:.4f} <= sigma' = "
            f"{fig2['sigma_prime']:.4f}; Figure 3: T(e_1 + sigma e_2) = {fig3['image_collision']:g}, gap "
            f"{fig3['preservation_gap']}"
        )
        print(f"wrote {path}")
    for p in plot(out, figs):
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
