"""A table of the paper's radii: Theorem 7, Remark 10 (width k suffices) and Theorem 8 (width k is impossible).

    python examples/bounds_table.py                          # the default grid, printed as Markdown
    python examples/bounds_table.py --N 1000 100000 --d 100 --k 10 20 --p 2 --out table.md

For every N, d and width k the table gives, in units of the separation delta:

* Theorem 7: sigma/delta <= a_{p,d} N^{-2/(k-6)} suffices for width k (7 <= k <= d + 5);
* Remark 10: the sharper sigma/delta <= a_{p,d} sqrt(k - 6) N^{-2/(k-6)} from the same proof;
* Theorem 8: above b_{p,d} N^{-2/k} some dataset defeats every width-k network (1 <= k <= d - 1);
* Remark 4: no width works at or above 1/(2 c+_p(d)), so a Theorem 8 radius above it rules nothing out
  (marked "vacuous").

The numbers come from :mod:`robustmem.bounds` (float64; each function has an exact sympy twin ``*_expr``).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path


def parse_p(text: str) -> float:
    return math.inf if text.lower() in ("inf", "infinity") else float(text)


def table(Ns: Sequence[int], ds: Sequence[int], ks: Sequence[int], p: float) -> list[str]:
    """Markdown lines: one row per (N, d, k) with the radii of Theorems 7, 8, Remark 10 and Remark 4's limit."""
    from robustmem.bounds import remark4_radius_limit, remark10_radius, theorem7_radius, theorem8_radius

    def fmt(x: float) -> str:
        return f"{x:.3g}"

    lines = [
        "| N | d | k | Theorem 7 (suffices) | Remark 10 (suffices) | Theorem 8 (impossible above) | Remark 4 limit |",
        "|---|---|---|---|---|---|---|",
    ]
    for N in Ns:
        for d in ds:
            limit = remark4_radius_limit(p, d)
            for k in ks:
                t7 = fmt(theorem7_radius(N, d, p, k)) if 7 <= k <= d + 5 else "-"
                r10 = fmt(remark10_radius(N, d, p, k)) if 7 <= k <= d + 5 else "-"
                if 1 <= k <= d - 1:
                    t8 = theorem8_radius(N, d, p, k)
                    t8s = fmt(t8) + (" (vacuous)" if t8 >= limit else "")
                else:
                    t8s = "-"
                lines.append(f"| {N:,} | {d} | {k} | {t7} | {r10} | {t8s} | {fmt(limit)} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--N", type=int, nargs="+", default=[100, 10_000, 1_000_000], help="dataset sizes")
    ap.add_argument("--d", type=int, nargs="+", default=[100], help="input dimensions")
    ap.add_argument("--k", type=int, nargs="+", default=[1, 2, 4, 8, 12, 20, 32], help="widths")
    ap.add_argument("--p", type=parse_p, default=2.0, help="norm of the balls: a number >= 1 or inf (default 2)")
    ap.add_argument("--out", type=Path, help="also write the table to this Markdown file")
    args = ap.parse_args(argv)

    lines = table(args.N, args.d, args.k, args.p)
    print(f"radii sigma/delta for l_{args.p:g} balls (robustmem.bounds)")
    print("\n".join(lines))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
