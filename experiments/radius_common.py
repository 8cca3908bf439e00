"""Pieces shared by the radius experiments (``figure1``, ``radius_width``, ``width_scaling``).

* the datasets, seeded and cached per process (also on a Dask worker): random points on the unit sphere
  (binary labels, as in Theorem 8's hard case) and random subsets of scikit-learn's digits;
* the theory rows: the radii of Theorem 7, Remark 10, Theorem 8 and Remark 4 at every width
  (:func:`robustmem.bounds.radii_for_width`);
* :func:`certified_radius_task`, one sweep task: the certified sigma/delta of the log-width network
  (:func:`robustmem.construct.construct_log_width` at ``width=k``) that the package builds;
* :func:`fit_line`: least squares with a 95 % confidence interval on the slope;
* plotting helpers that draw the theory curves from the rows alone.

No work happens at import.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "P_LABEL",
    "P_NAMES",
    "certified_radius_task",
    "dataset_for",
    "digits_dataset",
    "draw_theory",
    "fit_line",
    "median_band",
    "p_value",
    "sphere_dataset",
    "theory_rows",
]

P_NAMES = ("1", "2", "inf")
P_LABEL = {"1": "$\\ell_1$", "2": "$\\ell_2$", "inf": "$\\ell_\\infty$"}  # mathtext, for figure text
DIGITS_N = 1797  # points of scikit-learn's digits (d = 64, 10 classes, no duplicates)


def p_value(name: str) -> float:
    """'1' -> 1.0, '2' -> 2.0, 'inf' -> inf (the p of the rows, stored as a name so the JSON stays plain)."""
    from robustmem.norms import parse_p

    return float(parse_p(name))


# ------------------------------------------------------------------------------------------ datasets
@functools.lru_cache(maxsize=8)
def sphere_dataset(N: int, d: int, seed: int, n_classes: int = 2):
    """N points uniform on the unit sphere of R^d, labels uniform in 1..n_classes (``sphere_points``)."""
    from robustmem.data import sphere_points

    return sphere_points(int(N), int(d), n_classes=int(n_classes), seed=int(seed))


@functools.lru_cache(maxsize=1)
def _digits():
    from robustmem.data import load_real

    return load_real("digits")


@functools.lru_cache(maxsize=8)
def digits_dataset(N: int, seed: int):
    """All 1797 digits (N >= 1797) or N of them drawn without replacement by ``default_rng(seed)`` (index order)."""
    ds = _digits()
    if N >= ds.N:
        return ds
    idx = np.sort(np.random.default_rng(int(seed)).choice(ds.N, size=int(N), replace=False))
    return ds.subset(idx, name=f"digits[{N} of {ds.N}, seed {seed}]")


def dataset_for(source: str, N: int, d: int, seed: int):
    if source == "sphere":
        return sphere_dataset(N, d, seed)
    if source == "digits":
        return digits_dataset(N, seed)
    raise ValueError(f"unknown data source {source!r}: 'sphere' or 'digits'")


# ------------------------------------------------------------------------------------------ theory
def theory_rows(panel: str, N: int, d: int, p: str, kmax: int) -> list[dict[str, Any]]:
    """One row per width k = 1..kmax with the paper's radii (None where a theorem does not apply)."""
    from robustmem.bounds import radii_for_width

    rows = []
    for k in range(1, kmax + 1):
        r = radii_for_width(N, d, p_value(p), k)
        rows.append(
            {
                "kind": "theory",
                "panel": panel,
                "N": N,
                "d": d,
                "p": p,
                "k": k,
                "theorem7": r.theorem7,
                "remark10": r.remark10,
                "theorem8": r.theorem8,
                "remark4_limit": r.remark4_limit,
                "theorem5_applies": r.theorem5_applies,
                "theorem6_applies": r.theorem6_applies,
            }
        )
    return rows


# ------------------------------------------------------------------------------------------ the sweep task
def certified_radius_task(task: dict[str, Any]) -> dict[str, Any]:
    """Build the log-width network at width k and return its certified sigma/delta (a results row).

    ``task``: panel, source ('sphere' | 'digits'), N, d, p ('1' | '2' | 'inf'), k, seed, projection.
    The certified radius is the construction's own: ``fraction`` = 0.99 of tau / (2 ||P|| c+_p(d)),
    tau the l_2 separation of the projected points (:func:`construct_log_width` with ``width=k``).
    """
    from robustmem.bounds import theorem7_radius
    from robustmem.construct import construct_log_width

    ds = dataset_for(task["source"], task["N"], task["d"], task["seed"])
    p, k = p_value(task["p"]), int(task["k"])
    t0 = time.perf_counter()
    net, cert = construct_log_width(ds, p=p, width=k, projection=task["projection"], seed=int(task["seed"]))
    seconds = time.perf_counter() - t0
    t7 = theorem7_radius(ds.N, ds.d, p, k)
    return {
        "kind": "construction",
        **task,
        "N": ds.N,
        "d": ds.d,
        "width": net.width,
        "depth": net.depth,
        "sigma_over_delta": cert.sigma_over_delta,
        "sigma": cert.sigma,
        "delta": cert.delta,
        "tau": cert.tau,
        "sigma_projected": cert.sigma_projected,
        "theorem7_radius": t7,
        "ratio_to_theorem7": cert.sigma_over_delta / t7,
        "build_seconds": seconds,
    }


# ------------------------------------------------------------------------------------------ statistics
def fit_line(x: Sequence[float], y: Sequence[float]) -> dict[str, Any]:
    """Least squares y = intercept + slope x with the 95 % confidence interval of the slope (Student t,
    n - 2 degrees of freedom) and R^2.  Needs at least 3 points with two distinct x."""
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.size < 3 or np.ptp(x) == 0:
        raise ValueError(f"a line fit needs >= 3 points with distinct x, got {x.size}")
    res = stats.linregress(x, y)
    t = float(stats.t.ppf(0.975, x.size - 2))
    return {
        "slope": float(res.slope),
        "intercept": float(res.intercept),
        "slope_stderr": float(res.stderr),
        "slope_ci95": [float(res.slope - t * res.stderr), float(res.slope + t * res.stderr)],
        "intercept_stderr": float(res.intercept_stderr),
        "r_squared": float(res.rvalue**2),
        "n": int(x.size),
    }


def median_band(rows: list[dict[str, Any]], key: str = "sigma_over_delta", x: str = "k") -> tuple[np.ndarray, ...]:
    """(x, median, min, max) of ``key`` over the rows sharing each x (seeds)."""
    xs = sorted({r[x] for r in rows})
    vals = [[r[key] for r in rows if r[x] == v] for v in xs]
    return (
        np.array(xs, dtype=float),
        np.array([np.median(v) for v in vals]),
        np.array([min(v) for v in vals]),
        np.array([max(v) for v in vals]),
    )


# ------------------------------------------------------------------------------------------ plotting
def draw_theory(
    ax: Any,
    rows: list[dict[str, Any]],
    *,
    color_suff: str = "tab:green",
    color_imp: str = "tab:red",
    label_suffix: str = "",
    ytop: float = 1.0,
    shade: bool = True,
) -> None:
    """Theorem 7 / Remark 10 (sufficient), Theorem 8 (impossible) and Remark 4 (limit) from theory rows;
    with ``shade`` also the regions: impossible above the limit and above Theorem 8, Theorem 5 at k >= d + 6."""
    rows = sorted(rows, key=lambda r: r["k"])
    d, lim = rows[0]["d"], rows[0]["remark4_limit"]
    k7 = [r["k"] for r in rows if r["theorem7"] is not None]
    ax.plot(
        k7,
        [r["theorem7"] for r in rows if r["theorem7"] is not None],
        "-",
        color=color_suff,
        lw=1.6,
        label=f"Thm 7: $a_{{p,d}}\\,N^{{-2/(k-6)}}$ suffices{label_suffix}",
    )
    ax.plot(
        k7,
        [r["remark10"] for r in rows if r["remark10"] is not None],
        "--",
        color=color_suff,
        lw=1.2,
        label=f"Rem. 10: Thm 7 $\\times\\sqrt{{k-6}}$ suffices{label_suffix}",
    )
    k8 = [r["k"] for r in rows if r["theorem8"] is not None]
    t8 = np.array([r["theorem8"] for r in rows if r["theorem8"] is not None])
    above = [k for k, v in zip(k8, t8) if v > ytop]
    note = ""
    if above:  # say in the legend where the curve leaves the plot (b_(p,d) = 2416 d^max(0, 1/p - 1/2) is large)
        ruled = "no width" if min(above) == 1 else f"only $k \\leq {min(above) - 1}$"
        b = float(t8[0]) * rows[0]["N"] ** 2  # b_(p,d) N^(-2/1) at k = 1
        note = f" ($b_{{p,d}} = {b:.4g}$: rules out {ruled})"
    ax.plot(
        k8,
        np.minimum(t8, 10 * ytop),
        "-",
        color=color_imp,
        lw=1.6,
        label=f"Thm 8: $b_{{p,d}}\\,N^{{-2/k}}$ impossible above{note}{label_suffix}",
    )
    ax.axhline(lim, color="k", ls=":", lw=1.2, label=f"Rem. 4 limit $1/(2c^+_p(d))$: no width above{label_suffix}")
    if shade:
        kmax = max(r["k"] for r in rows)
        ax.axhspan(lim, 10 * ytop, color=color_imp, alpha=0.06, lw=0)
        ax.fill_between(k8, np.minimum(t8, 10 * ytop), 10 * ytop, color=color_imp, alpha=0.08, lw=0)
        if any(r["theorem6_applies"] and not r["theorem5_applies"] for r in rows):
            ax.plot(
                [d + 4, d + 4],
                [1e-30, lim],
                "-",
                color=color_suff,
                lw=1,
                alpha=0.7,
                label="Thm 6 ($p \\in \\{1, \\infty\\}$): every ratio below the limit at $k \\geq d + 4$",
            )
        ax.fill_between(
            [d + 6, kmax * 1.3],
            [lim, lim],
            [1e-30, 1e-30],
            color=color_suff,
            alpha=0.15,
            lw=0,
            label="Thm 5: every $\\sigma/\\delta$ below the limit at $k \\geq d + 6$",
        )
