"""Lemma 38's l_p ball indicator for NON-integer p > 1, with Lemma 44's binomial power net as g.

Per coordinate b_j = |a_j| / D^ (D^ = 1 / fl(1/Delta), the divisor the weights realize exactly, Delta = w + 2r),
c_j = relu(2 b_j - 1), and, scaled by 1/Delta^p so that every weight of the sum stays an exact float,

    Sigma' = sum_j (g(b_j) + K' c_j),   z = relu(y0 (1 - scale' relu(Sigma' - thr'))),

with K' ~ (r^p + w^p) / Delta^p, thr' ~ (r^p + w^p / 4) / Delta^p and scale' ~ 2 Delta^p / w^p stored in float64.
Let E be the power net's exact error bound (|g - t^p| <= E on [0, 1], g = 1 beyond 1, so g >= -E).  Then
z = y0 on ||a||_p <= r and z = 0 on ||a||_p >= r + w as soon as, for the STORED constants (thr'' the threshold
the float64 bias of the threshold map realizes),

    (A)  2 r <= D^  and  r^p / D^^p + k E <= thr''                        (inside: c_j = 0, Sigma' <= thr'')
    (B1) K' - k E - thr'' >= (1 + 2^-50) / scale'                         (some b_j >= 1: c_j >= 1, g >= -E)
    (B2) (r + w)^p / D^^p - k E - thr'' >= (1 + 2^-50) / scale'           (all b_j < 1: sum b_j^p >= ((r+w)/D^)^p)

(the factor 1 + 2^-50 covers the rounding of the per-block weight y0 scale').  The penalty K' includes w^p
(Lemma 38 uses 3 w^p / 4) because this g may dip to -E below 0.  :func:`lp_real_constants` chooses the constants
and PROVES (A), (B1), (B2) in rational arithmetic, with x^p bracketed exactly (:func:`pow_bounds`); a failure is
a HypothesisError naming the condition.  The structural certifier does not handle non-integer norms and refuses
such networks with that reason; this check is the proof of the indicator.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.basic import abs_parts
from robustmem.gadgets.binomial import BinomialPlan, binomial_plan, emit_binomial_power, emit_binomial_powers
from robustmem.gadgets.indicators import _abs_layer, _check, _offset, _penalty_inputs, _threshold_output
from robustmem.network.builder import Builder, Coef, Expr

__all__ = ["LpRealConstants", "indicator_lp_real", "indicator_lp_real_par", "lp_real_constants", "pow_bounds"]

_GRID = 4096  # exponents are bracketed on the grid 1/_GRID when p's denominator does not divide it


def _root_bounds(x: Fraction, a: int, b: int) -> tuple[Fraction, Fraction]:
    """Rationals lo <= x^(a/b) <= hi (x > 0), proven by lo^b <= x^a <= hi^b."""
    target = x**a
    y = float(x) ** (a / b)
    lo, hi = Fraction(float(np.nextafter(y, 0.0))), Fraction(float(np.nextafter(y, math.inf)))
    while lo > 0 and lo**b > target:
        lo = Fraction(float(np.nextafter(float(lo) * (1 - 1e-15), 0.0)))
    while hi**b < target:
        hi = Fraction(float(np.nextafter(float(hi) * (1 + 1e-15), math.inf)))
    return max(lo, Fraction(0)), hi


def pow_bounds(x: Fraction, p: Fraction) -> tuple[Fraction, Fraction]:
    """Exact rationals lo <= x^p <= hi for x >= 0 and rational p > 0.

    Exact brackets when the denominator of p divides 4096; otherwise x^p lies between x^{p-} and x^{p+},
    p- <= p <= p+ the neighbours on the grid 1/4096 (monotone in the exponent).

    >>> lo, hi = pow_bounds(Fraction(1, 4), Fraction(3, 2))
    >>> lo <= Fraction(1, 8) <= hi
    True
    """
    if x < 0 or p <= 0:
        raise InvalidArgumentError(f"pow_bounds needs x >= 0 and p > 0, got x={x}, p={p}")
    if x == 0:
        return Fraction(0), Fraction(0)
    if _GRID % p.denominator == 0:
        return _root_bounds(x, p.numerator, p.denominator)
    los, his = [], []
    for e in (Fraction(math.floor(p * _GRID), _GRID), Fraction(math.ceil(p * _GRID), _GRID)):
        lo, hi = _root_bounds(x, e.numerator, e.denominator)
        los.append(lo)
        his.append(hi)
    return min(los), max(his)


@dataclass(frozen=True)
class LpRealConstants:
    """The stored constants of the non-integer l_p indicator and the margins of (A), (B1), (B2), proven exactly."""

    p: Fraction
    k: int
    r: float
    w: float
    inv_delta: float  # fl(1 / Delta): b_j = |a_j| * inv_delta
    penalty: float  # K'
    threshold: float  # thr'
    scale: float  # scale'
    plan: BinomialPlan
    margins: tuple[float, float, float]  # (A), (B1), (B2), all >= 0


def _on_grid_up(x: Fraction, top: int) -> float:
    """The smallest multiple of 2^(e - 50) >= x, 2^e >= top + x: adding or subtracting integers up to ``top`` to it
    is exact in float64, so the threshold map's bias realizes it exactly."""
    e = math.ceil(math.log2(top + float(x) + 1.0))
    q = Fraction(1, 2 ** (50 - e)) if e <= 50 else Fraction(2 ** (e - 50))
    return float(math.ceil(x / q) * q)


def lp_real_constants(k: int, r: float, w: float, p: Fraction) -> LpRealConstants:
    """Choose and prove the constants of the non-integer l_p indicator (module docstring), or HypothesisError."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidArgumentError(f"the number of coordinates k must be an integer >= 1, got k={k!r}")
    if not (r >= 0 and w > 0):
        raise InvalidArgumentError(f"an indicator needs r >= 0 and w > 0, got r={r!r}, w={w!r}")
    Delta = w + 2.0 * r
    inv = 1.0 / Delta
    Dh = 1 / Fraction(inv)
    R, W = Fraction(r), Fraction(w)
    Dp_lo, Dp_hi = pow_bounds(Dh, p)
    _, rp_hi = pow_bounds(R, p)
    wp_lo, wp_hi = pow_bounds(W, p)
    rwp_lo, _ = pow_bounds(R + W, p)
    budget = wp_lo / (8 * k * Dp_hi)  # half of Lemma 38's eps~ = w^p / (4 k Delta^p)
    if not budget > Fraction(1, 10**15):
        raise HypothesisError(f"the non-integer l_{float(p)!r} indicator's budget {float(budget):.3g} is below 1e-15")
    plan = binomial_plan(p, min(budget, Fraction(1, 2)))
    E = plan.error
    pen = float((rp_hi + wp_hi) / Dp_lo)
    thr = _on_grid_up((rp_hi + wp_hi / 4) / Dp_lo + k * E, k * plan.offset + 2)
    scale = float(2 * Dp_lo / wp_hi)
    thr_eff = Fraction(thr)
    need = (1 + Fraction(1, 2**50)) / Fraction(scale)
    inside = Dh >= 2 * R
    mA = thr_eff - (rp_hi / Dp_lo + k * E)
    mB1 = Fraction(pen) - k * E - thr_eff - need
    mB2 = rwp_lo / Dp_hi - k * E - thr_eff - need
    for name, ok, m in (
        ("(A) 2r <= Delta and r^p/Delta^p + k E <= thr'", inside and mA >= 0, mA),
        ("(B1) K' - k E - thr' >= 1/scale'", mB1 >= 0, mB1),
        ("(B2) (r + w)^p/Delta^p - k E - thr' >= 1/scale'", mB2 >= 0, mB2),
    ):
        if not ok:
            raise HypothesisError(
                f"the l_{float(p)!r} indicator (Lemma 38 with Lemma 44's g) fails {name}: margin {float(m):.3g} "
                f"(k = {k}, r = {r!r}, w = {w!r}, E = {float(E):.3g}); the margin w is too small next to r for float64"
            )
    return LpRealConstants(p, k, r, w, inv, pen, thr, scale, plan, (float(mA), float(mB1), float(mB2)))


def indicator_lp_real_par(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    consts: LpRealConstants,
    shift: float,
    tag: str = "I",
) -> str:
    """The non-integer l_p indicator with the k coordinates side by side (yu2024-lp's layout); returns z's slot.

    Guarantee (module docstring, proven by ``consts``): z = y0 on ||a||_p <= r, z = 0 on ||a||_p >= r + w and
    0 <= z <= y0, for carried u_j = x_j + shift >= 0.  Maps: 1 + binomial_depth(D, M) + 2.
    """
    _check_consts(u, center, r, w, consts)
    S, k = f"{tag}.S", len(u)
    bs = [absval * consts.inv_delta for absval in _abs_layer(b, u, center, shift, tag)]
    cs, penalty = _penalty_inputs(bs, consts.penalty, tag)
    gs = emit_binomial_powers(
        b,
        bs,
        consts.plan,
        [f"{tag}.pw{j}" for j in range(k)],
        first_extra=cs,
        first_temp=True,
        second_extra={S: penalty},
    )
    total = Expr()
    for g in gs:
        total = total + g
    return _output(b, b.v(S) + total, S, label, consts, tag)


def indicator_lp_real(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    consts: LpRealConstants,
    shift: float,
    tag: str = "I",
) -> str:
    """The non-integer l_p indicator, one coordinate after the other (Theorem 31's width d + O(1)).

    Same guarantee as :func:`indicator_lp_real_par`; the sum Sigma' is accumulated in the slot S.
    """
    _check_consts(u, center, r, w, consts)
    S, pending = f"{tag}.S", None
    for j, (name, c) in enumerate(zip(u, center)):
        extra = {S: pending} if pending is not None else None
        absval = abs_parts(b, _offset(b, name, c, shift), f"{tag}.a{j}", extra=extra)
        bj = absval * consts.inv_delta
        cj = f"{tag}.c"
        current = b.v(S) if S in b.slots else Expr(const=1.0)  # S = 1 + partial sums >= 1 - k E > 0
        g = emit_binomial_power(
            b,
            bj,
            consts.plan,
            f"{tag}.pw",
            first_extra={cj: 2.0 * bj - 1.0},
            first_temp=True,
            second_extra={S: current + Expr({cj: Coef(consts.penalty)})},
        )
        pending = b.v(S) + g
    assert pending is not None
    return _output(b, pending - 1.0, S, label, consts, tag)


def _check_consts(u: Sequence[str], center: Sequence[Coef], r: float, w: float, consts: LpRealConstants) -> None:
    """The indicator's arguments, and that ``consts`` were proven for its (k, r, w)."""
    _check(u, center, r, w)
    if (len(u), r, w) != (consts.k, consts.r, consts.w):
        raise InvalidArgumentError(f"consts were proven for (k, r, w) = {(consts.k, consts.r, consts.w)}")


def _output(b: Builder, total: Expr, S: str, label: Coef, consts: LpRealConstants, tag: str) -> str:
    """t = relu(Sigma' - thr'), then z; the bias is an exact float (the integer offsets plus thr' on its grid)."""
    t = total - consts.threshold
    if Fraction(t.const.base) != Fraction(total.const.base) - Fraction(consts.threshold):
        raise AssertionError("the threshold map's bias is not exact")  # _on_grid_up guarantees it
    return _threshold_output(b, total, consts.threshold, label, consts.scale, tag, drop=[S])
