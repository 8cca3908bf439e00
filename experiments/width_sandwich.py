"""What width does a dataset need?  The certified sandwich [lower, upper] against sigma/delta (issue 14, l_2).

For each dataset (digits raw; iris, wine, breast cancer standardized) and each k of a grid: the exact Fantope
certificate's excluded radius (no network of width <= k memorizes at sigma/delta >= it; Theorem 17), and the
radius certified by the log-width construction at width w with the default projection (Theorem 7 recipe).
The sandwich at a radius s: lower = the largest grid k whose certificate excludes s, upper = the smallest grid
width whose construction certifies s.  Beside it: the worst-case curves of Theorems 7 and 8 for the same
(N, d).  Writes results/width_sandwich.json, results/width_sandwich.md; draws figures/width_sandwich.png.

    python -m experiments.width_sandwich [--quick] [--out results] [--figures figures] [--plot-only]
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
    integer_ticks,
    legend_below,
    meta_block,
    paper_style,
    read_results,
    savefig,
    write_results,
)

RADII = (0.1, 0.25, 0.4)
FULL = {
    "digits": ([1, 2, 3, 4, 6, 8, 10, 14], [8, 10, 12, 14, 16, 18, 20]),
    "iris": ([1, 2, 3, 4], [7, 8, 9]),
    "wine": ([1, 2, 3, 4, 6, 8], [7, 8, 9, 10, 12, 14, 16, 18]),
    "breast_cancer": ([1, 2, 3, 4, 6, 8], [7, 8, 9, 10, 12, 14, 16, 20]),
}
QUICK = {"iris": ([1, 2, 3], [7, 8])}


def load(name: str) -> Any:
    """digits raw; the others standardized (zero mean, unit variance per feature)."""
    from robustmem.data import Dataset, load_real

    ds = load_real(name)  # type: ignore[arg-type]
    if name == "digits":
        return ds
    X = (ds.X - ds.X.mean(axis=0)) / ds.X.std(axis=0)
    return Dataset.from_arrays(X, ds.y, name=f"{name} (standardized)")


def run_dataset(name: str, ks: list[int], widths: list[int], say: Any) -> list[dict[str, Any]]:
    from robustmem.bounds import theorem7_radius, theorem8_radius
    from robustmem.lower_bound.sandwich import WidthSearch

    ds = load(name)
    search = WidthSearch(ds, p=2.0, progress=say)
    rows: list[dict[str, Any]] = []
    for k in [k for k in ks if k <= ds.d]:
        t = time.perf_counter()
        cert = search.certificate(k)
        rows.append(
            {
                "dataset": name,
                "side": "lower",
                "k": k,
                "sigma_over_delta": cert.sigma_over_delta,
                "relaxation_all_pairs_min_over_delta": math.sqrt(max(cert.relaxation.all_pairs_min, 0.0))
                / (2 * search.delta),
                "pairs": len(cert.certificate["pairs"]),
                "seconds": time.perf_counter() - t,
                "theorem8": theorem8_radius(ds.N, ds.d, 2.0, k) if k <= ds.d - 1 else None,
            }
        )
    for w in [w for w in widths if w <= ds.d + 5]:
        t = time.perf_counter()
        s = search.certified_sigma(w)
        rows.append(
            {
                "dataset": name,
                "side": "upper",
                "k": w,
                "sigma_over_delta": s / search.delta,
                "seconds": time.perf_counter() - t,
                "theorem7": theorem7_radius(ds.N, ds.d, 2.0, w),
            }
        )
        say(f"upper side: width {w} certifies sigma/delta = {s / search.delta:.4f}")
    for r in rows:
        r.update(N=ds.N, d=ds.d, delta=search.delta)
    return rows


def sandwich(rows: list[dict[str, Any]], name: str, s: float) -> tuple[int, int | None]:
    low = [r["k"] for r in rows if r["dataset"] == name and r["side"] == "lower" and r["sigma_over_delta"] <= s]
    up = [r["k"] for r in rows if r["dataset"] == name and r["side"] == "upper" and r["sigma_over_delta"] >= s]
    return max(low, default=0), min(up, default=None)


def table(rows: list[dict[str, Any]], command: str) -> str:
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    lines = [
        "| dataset | N | d | " + " | ".join(f"sigma/delta = {s}" for s in RADII) + " |",
        "|---|---|---|" + "---|" * len(RADII),
    ]
    for n in names:
        r0 = next(r for r in rows if r["dataset"] == n)
        cells = []
        for s in RADII:
            lo, up = sandwich(rows, n, s)
            cells.append(f"> {lo}, <= {up if up is not None else '?'}" + (f" (gap {up - lo})" if up else ""))
        lines.append(f"| {n} | {r0['N']} | {r0['d']} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("'> a': no network of width <= a works (exact Fantope certificate, Theorem 17); '<= b': the log-width")
    lines.append("construction with the default projection builds and certifies width b. Widths on the grid only.")
    lines.append(f"Produced by `{command}`.")
    return "\n".join(lines) + "\n"


def plot(data: dict[str, Any], figures: Path) -> Path:
    """The sandwich per dataset: widths excluded by an exact certificate and widths built and certified, against
    sigma/delta, with the worst-case curves of Theorems 7 and 8 (drawn in the shared paper style)."""
    paper_style()
    import matplotlib.pyplot as plt

    rows = data["rows"]
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    fig, axes = plt.subplots(2, (len(names) + 1) // 2, figsize=(7.0, 4.6), squeeze=False, sharex=True)
    flat = list(axes.flat)
    for ax, n in zip(flat, names):
        lo = sorted((r["k"], r["sigma_over_delta"]) for r in rows if r["dataset"] == n and r["side"] == "lower")
        up = sorted((r["k"], r["sigma_over_delta"]) for r in rows if r["dataset"] == n and r["side"] == "upper")
        t7 = sorted((r["k"], r["theorem7"]) for r in rows if r["dataset"] == n and r.get("theorem7"))
        t8 = sorted((r["k"], r["theorem8"]) for r in rows if r["dataset"] == n and r.get("theorem8"))
        if lo:
            ax.step([s for _, s in lo], [k for k, _ in lo], where="post", color="C3")
            ax.plot([s for _, s in lo], [k for k, _ in lo], "v", color="C3", label=r"no network of width $\leq k$")
        if up:
            ax.plot([s for _, s in up], [k for k, _ in up], "^-", color="C0", label="built and certified")
        if t7:
            ax.plot([s for _, s in t7], [k for k, _ in t7], ":", color="C2", label="Theorem 7 (worst case)")
        if t8:
            t8x = [min(s, 0.5) for _, s in t8]
            ax.plot(t8x, [k for k, _ in t8], "--", color="C1", label="Theorem 8 (worst case, capped at 1/2)")
        ax.set_xscale("log")
        ax.set_xlim(1e-3, 0.55)
        integer_ticks(ax.yaxis)
        ax.set_ylabel("width $k$")
        ax.set_title(n.replace("_", " "))
    for ax in flat[len(names) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(r"$\sigma/\delta$ ($\ell_2$)")
    fig.tight_layout()
    legend_below(fig, flat[: len(names)], ncol=2)
    return savefig(fig, figures / "width_sandwich.png")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON and the markdown table")
    ap.add_argument("--figures", default="figures", help="folder of the PNG")
    ap.add_argument("--quick", action="store_true", help="iris only, a few widths")
    ap.add_argument("--datasets", default=None, help="comma-separated subset of digits,iris,wine,breast_cancer")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNG from the results JSON")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    path = out / "width_sandwich.json"
    if not args.plot_only:
        plan = QUICK if args.quick else FULL
        if args.datasets:
            plan = {n: FULL[n] for n in args.datasets.split(",")}

        def say(msg: str) -> None:
            print(msg, file=sys.stderr, flush=True)

        rows: list[dict[str, Any]] = []
        t0 = time.perf_counter()
        for name, (ks, widths) in plan.items():
            say(f"width_sandwich: {name}, lower k in {ks}, upper widths {widths}")
            rows += run_dataset(name, ks, widths, say)
        meta = meta_block("experiments.width_sandwich", argv, seconds=time.perf_counter() - t0, radii=list(RADII))
        write_results(path, meta, rows)
        (out / "width_sandwich.md").write_text(table(rows, meta["command"]))
        print(f"wrote {path} and {out / 'width_sandwich.md'}")
    fig = plot(read_results(path), figs)
    print(f"wrote {fig}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
