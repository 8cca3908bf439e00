"""Widths from the radius bounds: equations (1) and (2), Corollary 9, and the per-width radii.

Egosi, Yehudai, Shamir (COLT 2025), Section 4.2. For N >= 2 points in R^d and a ratio rho = sigma/delta:

* equation (1): width k > 6 + 2 log N / log(a_{p,d} / rho) suffices (Theorem 7, while k <= d + 5);
  no width follows from it when a_{p,d} / rho <= 1.
* equation (2): width k < 2 log N / log(b_{p,d} / rho) is impossible (Theorem 8, for k <= d - 1);
  when b_{p,d} / rho <= 1 every width 1..d-1 is impossible.
* Corollary 9 (p in [2, inf]): there b_{p,d} = 2416 and a_{p,d} = d^{1/p - 1} / (8 sqrt e), so the necessary
  and the sufficient widths are both Theta(log N / log(delta/sigma)), up to a log d term in the denominator.

Integer widths are decided at 60 significant digits (mpmath), and by exact sympy comparison when a
threshold lies within 1e-40 of an integer (for p with a short rational form), so a boundary case is not
decided by float rounding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import mpmath
import sympy as sp

from robustmem.bounds._args import ExprLike, check_integer, check_ratio, exact, exact_integer, exact_p, power, product
from robustmem.bounds.constants import a_pd_expr, b_pd_expr
from robustmem.bounds.radii import (
    remark4_radius_limit,
    remark10_radius,
    theorem7_radius,
    theorem8_radius,
)
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.norms import PLike, check_p, p_name

__all__ = [
    "RadiiForWidth",
    "WidthReport",
    "corollary9_width_bounds",
    "corollary9_width_bounds_expr",
    "equation1_threshold",
    "equation1_threshold_expr",
    "equation2_threshold",
    "equation2_threshold_expr",
    "impossible_width",
    "radii_for_width",
    "sufficient_width",
    "width_report",
]

_DIGITS = 60
_NEAR_INTEGER = mpmath.mpf("1e-40")


def _args(N: int, d: int, p: PLike, rho: float) -> tuple[int, int, float, float]:
    NN = check_integer(N, "N", 2, why="a dataset has at least two points")
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    return NN, dd, check_p(p), check_ratio(rho)


def _mp_inv(p: float) -> mpmath.mpf:
    return mpmath.mpf(0) if math.isinf(p) else 1 / mpmath.mpf(p)


def _mp_a(d: int, p: float) -> mpmath.mpf:
    exponent = -mpmath.mpf(1) / 2 + min(mpmath.mpf(0), _mp_inv(p) - mpmath.mpf(1) / 2)
    return mpmath.mpf(d) ** exponent / (8 * mpmath.sqrt(mpmath.e))


def _mp_b(d: int, p: float) -> mpmath.mpf:
    return 2416 * mpmath.mpf(d) ** max(mpmath.mpf(0), _mp_inv(p) - mpmath.mpf(1) / 2)


def equation1_threshold_expr(N: ExprLike, d: ExprLike, p: ExprLike, sigma_over_delta: ExprLike) -> sp.Expr:
    """Exact 6 + 2 log N / log(a_{p,d} delta/sigma) (equation (1))."""
    NN = exact_integer(N, "N", 2)
    return 6 + 2 * sp.log(NN) / sp.log(product(a_pd_expr(exact_p(p), d), power(exact(sigma_over_delta), -1)))


def equation1_threshold(N: int, d: int, p: PLike, sigma_over_delta: float) -> float:
    """6 + 2 log N / log(a_{p,d} delta/sigma): widths strictly above it suffice (equation (1), Theorem 7).

    Raises HypothesisError when a_{p,d} delta/sigma <= 1 (no width suffices by this bound).
    """
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    return float(_equation1_mp(NN, dd, pp, rho))


def _equation1_mp(N: int, d: int, p: float, rho: float) -> mpmath.mpf:
    with mpmath.workdps(_DIGITS):
        x = _mp_a(d, p) / mpmath.mpf(rho)
        if x <= 1:
            raise HypothesisError(
                f"sigma/delta = {rho!r} is not below a_{{p,d}} = {float(_mp_a(d, p))!r} (p = {p!r}, d = {d}): "
                "equation (1) gives no width, since a_{p,d} delta/sigma <= 1"
            )
        return 6 + 2 * mpmath.log(N) / mpmath.log(x)


def equation2_threshold_expr(N: ExprLike, d: ExprLike, p: ExprLike, sigma_over_delta: ExprLike) -> sp.Expr:
    """Exact 2 log N / log(b_{p,d} delta/sigma) (equation (2))."""
    NN = exact_integer(N, "N", 2)
    return 2 * sp.log(NN) / sp.log(product(b_pd_expr(exact_p(p), d), power(exact(sigma_over_delta), -1)))


def equation2_threshold(N: int, d: int, p: PLike, sigma_over_delta: float) -> float:
    """2 log N / log(b_{p,d} delta/sigma): widths strictly below it are impossible (equation (2), Theorem 8,
    for widths <= d - 1). Returns math.inf when b_{p,d} delta/sigma <= 1 (then every width 1..d-1 is)."""
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    value = _equation2_mp(NN, dd, pp, rho)
    return math.inf if value is None else float(value)


def _equation2_mp(N: int, d: int, p: float, rho: float) -> mpmath.mpf | None:
    with mpmath.workdps(_DIGITS):
        y = _mp_b(d, p) / mpmath.mpf(rho)
        return None if y <= 1 else 2 * mpmath.log(N) / mpmath.log(y)


def _integer_part(value: mpmath.mpf, exact_value: Callable[[], sp.Expr], rounding: str) -> int:
    """floor (rounding='floor') or ceiling of a threshold, exactly when it is within 1e-40 of an integer."""
    with mpmath.workdps(_DIGITS):
        if abs(value - mpmath.nint(value)) < _NEAR_INTEGER:
            try:
                expr = exact_value()
            except InvalidArgumentError:  # p has no short exact form: 60 digits is the best there is
                pass
            else:
                return int(sp.floor(expr) if rounding == "floor" else sp.ceiling(expr))
        return int(mpmath.floor(value) if rounding == "floor" else mpmath.ceil(value))


def sufficient_width(N: int, d: int, p: PLike, sigma_over_delta: float) -> int:
    """The smallest integer width k with k > 6 + 2 log N / log(a_{p,d} delta/sigma) (equation (1)).

    Theorem 7 covers it when k <= d + 5 (see :func:`width_report` for the Theorem 5/6 alternatives).
    Raises HypothesisError when a_{p,d} delta/sigma <= 1: then no width suffices by this bound.

    >>> sufficient_width(10**6, 1000, 2, 1e-4)
    15
    """
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    threshold = _equation1_mp(NN, dd, pp, rho)
    return _integer_part(threshold, lambda: equation1_threshold_expr(NN, dd, pp, rho), "floor") + 1


def impossible_width(N: int, d: int, p: PLike, sigma_over_delta: float) -> int:
    """The largest width k <= d - 1 with k < 2 log N / log(b_{p,d} delta/sigma) (equation (2), Theorem 8):
    some delta-separated set of N points defeats every network of width k or less. 0 when no width is
    ruled out; d - 1 when b_{p,d} delta/sigma <= 1.

    >>> impossible_width(10**6, 1000, 2, 1e-4)
    1
    """
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    threshold = _equation2_mp(NN, dd, pp, rho)
    if threshold is None:
        return dd - 1
    largest = _integer_part(threshold, lambda: equation2_threshold_expr(NN, dd, pp, rho), "ceiling") - 1
    return max(0, min(dd - 1, largest))


def corollary9_width_bounds_expr(
    N: ExprLike, d: ExprLike, p: ExprLike, sigma_over_delta: ExprLike
) -> tuple[sp.Expr, sp.Expr]:
    """Exact (2 log N / log(2416 delta/sigma), 6 + 2 log N / (log(delta/sigma) - log(8 sqrt e) - (1 - 1/p) log d))."""
    NN, dd, pp, rho = exact(N), exact(d), exact_p(p), exact(sigma_over_delta)
    necessary = 2 * sp.log(NN) / sp.log(2416 / rho)
    sufficient = 6 + 2 * sp.log(NN) / (sp.log(1 / rho) - sp.log(8 * sp.sqrt(sp.E)) - (1 - 1 / pp) * sp.log(dd))
    return necessary, sufficient


def corollary9_width_bounds(N: int, d: int, p: PLike, sigma_over_delta: float) -> tuple[float, float]:
    """Corollary 9 (p in [2, inf]): widths below 2 log N / log(2416 delta/sigma) are impossible (up to d - 1)
    and widths above 6 + 2 log N / (log(delta/sigma) - log(8 sqrt e) - (1 - 1/p) log d) suffice (up to d + 5):
    both Theta(log N / log(delta/sigma)) up to the log d term. Returns (necessary, sufficient).

    Raises InvalidArgumentError for p < 2 and HypothesisError when sigma/delta >= a_{p,d} (the sufficient
    form has no positive denominator).
    """
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    if pp < 2.0:
        raise InvalidArgumentError(f"Corollary 9 is stated for p in [2, inf], got p = {pp!r}")
    sufficient = float(_equation1_mp(NN, dd, pp, rho))
    necessary = equation2_threshold(NN, dd, pp, rho)
    return necessary, sufficient


@dataclass(frozen=True)
class WidthReport:
    """What the paper says about the width needed for (sigma, p)-robust memorization of EVERY
    delta-separated set of N points in R^d, at the ratio sigma_over_delta.

    Widths up to ``impossible_width`` are impossible (Theorem 8; 0 = none ruled out); ``sufficient_width`` is
    the smallest width a theorem guarantees (Theorem 7 via equation (1), Theorem 6's d + 4, Theorem 5's d + 6),
    None when none applies; ``unknown_widths`` is the inclusive range in between, None when empty or open.
    ``impossible_at_every_width`` is Remark 4: sigma/delta >= 1/(2 c+_p(d)).
    """

    N: int
    d: int
    p: float
    sigma_over_delta: float
    remark4_limit: float
    impossible_at_every_width: bool
    equation1_width: int | None
    theorem7_width: int | None
    theorem6_width: int | None
    theorem5_width: int | None
    sufficient_width: int | None
    impossible_width: int
    unknown_widths: tuple[int, int] | None

    def __post_init__(self) -> None:
        candidates = [w for w in (self.theorem7_width, self.theorem6_width, self.theorem5_width) if w is not None]
        if self.sufficient_width != (min(candidates) if candidates else None):
            raise InvalidArgumentError(f"sufficient_width {self.sufficient_width} is not the least of {candidates}")
        if self.sufficient_width is not None and self.impossible_width >= self.sufficient_width:
            raise InvalidArgumentError(
                f"impossible width {self.impossible_width} >= sufficient width {self.sufficient_width}: inconsistent"
            )
        if self.impossible_at_every_width and self.sufficient_width is not None:
            raise InvalidArgumentError("Remark 4 rules out every width, yet a sufficient width is recorded")

    @property
    def gap(self) -> int | None:
        """How many widths are neither ruled out nor guaranteed (None when no width is guaranteed)."""
        if self.sufficient_width is None:
            return None
        return self.sufficient_width - self.impossible_width - 1

    def summary(self) -> str:
        """Human-readable lines: the impossible width, the sufficient width and the gap, with their theorems."""
        head = f"N = {self.N}, d = {self.d}, p = {p_name(self.p)}, sigma/delta = {self.sigma_over_delta:.6g}"
        lines = [head, f"  Remark 4 limit 1/(2 c+_p(d)) = {self.remark4_limit:.6g}"]
        if self.impossible_at_every_width:
            lines.append("  sigma/delta >= 1/(2 c+_p(d)): some delta-separated set defeats EVERY width (Remark 4)")
        ruled = {0: "no width", 1: "width 1"}.get(self.impossible_width, f"widths 1..{self.impossible_width}")
        lines.append(f"  impossible (Theorem 8, equation (2)): {ruled}")
        eq1 = "none (a_{p,d} delta/sigma <= 1)" if self.equation1_width is None else str(self.equation1_width)
        lines.append(f"  equation (1) width: {eq1}; Theorem 7 applies up to d + 5 = {self.d + 5}")
        alternatives = [f"Theorem {n}: {w}" for n, w in ((6, self.theorem6_width), (5, self.theorem5_width)) if w]
        if alternatives:
            lines.append("  large-width theorems: " + ", ".join(alternatives))
        best = "none" if self.sufficient_width is None else str(self.sufficient_width)
        lines.append(f"  sufficient width: {best}")
        if self.unknown_widths is not None:
            lo, hi = self.unknown_widths
            lines.append(f"  unknown: widths {lo}..{hi} ({self.gap} widths)")
        return "\n".join(lines)


def width_report(N: int, d: int, p: PLike, sigma_over_delta: float) -> WidthReport:
    """Sufficient width, impossible width and the unknown gap at sigma/delta (Theorems 5-8, equations (1)-(2)).

    >>> r = width_report(10**6, 1000, 2, 1e-4)
    >>> (r.impossible_width, r.sufficient_width, r.unknown_widths, r.theorem5_width)
    (1, 15, (2, 14), 1006)
    """
    NN, dd, pp, rho = _args(N, d, p, sigma_over_delta)
    limit = remark4_radius_limit(pp, dd)
    every = rho >= limit
    try:
        eq1: int | None = sufficient_width(NN, dd, pp, rho)
    except HypothesisError:
        eq1 = None
    thm7 = eq1 if eq1 is not None and eq1 <= dd + 5 else None
    thm6 = dd + 4 if not every and pp in (1.0, math.inf) else None
    thm5 = dd + 6 if not every else None
    candidates = [w for w in (thm7, thm6, thm5) if w is not None]
    best = min(candidates) if candidates else None
    impossible = impossible_width(NN, dd, pp, rho)
    unknown = (impossible + 1, best - 1) if best is not None and best - impossible > 1 else None
    return WidthReport(NN, dd, pp, rho, limit, every, eq1, thm7, thm6, thm5, best, impossible, unknown)


@dataclass(frozen=True)
class RadiiForWidth:
    """The radius ratios sigma/delta the paper gives for width k (None where the theorem does not apply).

    ``theorem7`` and ``remark10`` suffice (sigma/delta <= value; 7 <= k <= d + 5); ``theorem8`` is impossible
    above (sigma/delta > value; 1 <= k <= d - 1); ``remark4_limit`` is impossible at or above at every width,
    and every ratio strictly below it suffices when ``theorem5_applies`` (k >= d + 6) or ``theorem6_applies``
    (p in {1, inf}, k >= d + 4).
    """

    N: int
    d: int
    p: float
    k: int
    theorem7: float | None
    remark10: float | None
    theorem8: float | None
    remark4_limit: float
    theorem5_applies: bool
    theorem6_applies: bool

    def summary(self) -> str:
        """Human-readable lines: each theorem's radius ratio at width k, or why it does not apply."""

        def show(value: float | None, why: str) -> str:
            return f"{value:.6g}" if value is not None else f"n/a ({why})"

        def applies(yes: bool, why: str) -> str:
            return "applies" if yes else f"does not apply ({why})"

        return "\n".join(
            [
                f"N = {self.N}, d = {self.d}, p = {p_name(self.p)}, width k = {self.k}",
                f"  Theorem 7 (suffices, sigma/delta <=): {show(self.theorem7, 'needs 7 <= k <= d + 5')}",
                f"  Remark 10 (suffices, sigma/delta <=): {show(self.remark10, 'needs 7 <= k <= d + 5')}",
                f"  Theorem 8 (impossible, sigma/delta >): {self.theorem8_text()}",
                f"  Remark 4 (impossible at every width, sigma/delta >=): {self.remark4_limit:.6g}",
                f"  Theorem 5 (every sigma/delta below Remark 4's limit): {applies(self.theorem5_applies, 'needs k >= d + 6')}",
                f"  Theorem 6 (same, p in {{1, inf}}): {applies(self.theorem6_applies, 'needs p in {1, inf} and k >= d + 4')}",
            ]
        )

    @property
    def theorem8_vacuous(self) -> bool:
        """Theorem 8's bound says nothing new: it is at or above Remark 4's limit, beyond which no width works."""
        return self.theorem8 is not None and self.theorem8 >= self.remark4_limit

    def theorem8_text(self) -> str:
        """Theorem 8's ratio for display: the number, "vacuous (...)" when at or above Remark 4's limit, or n/a."""
        if self.theorem8 is None:
            return "n/a (needs 1 <= k <= d - 1)"
        if self.theorem8_vacuous:
            return f"vacuous ({self.theorem8:.6g} >= Remark 4's limit {self.remark4_limit:.6g})"
        return f"{self.theorem8:.6g}"

    def __post_init__(self) -> None:
        if self.theorem7 is not None and self.theorem8 is not None and not self.theorem7 < self.theorem8:
            raise InvalidArgumentError(f"Theorem 7 radius {self.theorem7} is not below Theorem 8's {self.theorem8}")
        for name in ("theorem7", "remark10", "theorem8"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise InvalidArgumentError(f"{name} radius must be positive, got {value!r}")


def radii_for_width(N: int, d: int, p: PLike, k: int) -> RadiiForWidth:
    """The radii of Theorem 7, Remark 10, Theorem 8 and Remark 4 for width k.

    >>> r = radii_for_width(1000, 50, 2, 10)
    >>> r.theorem7 < r.remark10 < r.theorem8, r.theorem5_applies
    (True, False)
    """
    NN = check_integer(N, "N", 2, why="a dataset has at least two points")
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    pp = check_p(p)
    kk = check_integer(k, "k", 1, why="a width is a positive integer")
    in7 = 7 <= kk <= dd + 5
    in8 = 1 <= kk <= dd - 1
    return RadiiForWidth(
        N=NN,
        d=dd,
        p=pp,
        k=kk,
        theorem7=theorem7_radius(NN, dd, pp, kk) if in7 else None,
        remark10=remark10_radius(NN, dd, pp, kk) if in7 else None,
        theorem8=theorem8_radius(NN, dd, pp, kk) if in8 else None,
        remark4_limit=remark4_radius_limit(pp, dd),
        theorem5_applies=kk >= dd + 6,
        theorem6_applies=kk >= dd + 4 and pp in (1.0, math.inf),
    )
