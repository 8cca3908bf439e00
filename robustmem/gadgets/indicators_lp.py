"""The l_p ball indicator of Lemma 38 for integer p >= 2, with the power net as g.

Lemma 38 (Egosi, Yehudai, Shamir 2025).  Centre x0 in R^k, label y0 > 0, radius r >= 0, margin
w > 0, Delta = w + 2r and a scalar function g with g >= 0 on [0, inf) and

    |g(b) - b^p| <= eps~  on [0, 1],   k Delta^p eps~ < w^p / 4.                     (*)

Per coordinate: b_j = |x_j - x0_j| / Delta, c_j = relu(2 b_j - 1), eta_j = Delta^p g(b_j);
Sigma = sum_j (eta_j + (r^p + 3 w^p / 4) c_j) and

    z = relu(y0 (1 - relu(Sigma - r^p - w^p / 4) / (w^p / 2))).

Then z = y0 on ||x - x0||_p <= r, z = 0 on ||x - x0||_p >= r + w and 0 <= z <= y0 everywhere:

* inside, every |a_j| <= r <= Delta / 2, so c_j = 0 and Sigma <= ||a||_p^p + k Delta^p eps~ <= r^p + w^p / 4;
* outside with some b_j >= 1: c_j >= 1 and eta >= 0 give Sigma >= r^p + 3 w^p / 4;
* outside with all b_j < 1: Sigma >= ||a||_p^p - k Delta^p eps~ >= (r + w)^p - w^p / 4 >= r^p + 3 w^p / 4,
  because (r + w)^p >= r^p + w^p for p >= 1;

and Sigma - r^p - w^p / 4 >= w^p / 2 gives z = 0.  (The bound (*) is needed with <= only; the
paper states it strictly and so does :func:`lp_indicator_steps`.)

Here g = g_{p,M} is the power net of :mod:`robustmem.gadgets.powers`: it reads min(b, 1), so
0 <= g <= 1 for every b >= 0 (the second case above needs g >= 0 beyond 1, where the penalty c_j
decides) and its error on [0, 1] is at most power_error_bound(p, M).

For p = 2 this is the construction of :func:`~robustmem.gadgets.indicators.indicator_l2` with the
same Delta, b_j, c_j, penalty and thresholds and g = f_M on [0, 1]; it differs only in clipping b_j
at 1 (one more map per coordinate, one neuron less), so both networks compute the same function
wherever every |x_j - x0_j| <= Delta and are both 0 elsewhere.

Width inside a chain block (k carried coordinates + the chain's running maximum + the sum S +
the power net): k + 5 for p = 2 and k + 7 for p >= 3 (one less when M = 1); maps
k (2 + M + (p - 2)(3M + 1)) + 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.basic import abs_parts
from robustmem.gadgets.indicators import _abs_layer, _check, _offset, _penalty_inputs, _threshold_output
from robustmem.gadgets.powers import emit_power, emit_powers, power_error_bound
from robustmem.network.builder import Builder, Coef, Expr

__all__ = ["indicator_lp", "indicator_lp_par", "lp_indicator_steps", "lp_penalty", "lp_tolerance"]

_MAX_STEPS = 60  # 2^(-2M-2) underflows double precision's useful range long before this


def _check_lp(p: int, k: int, r: float, w: float) -> None:
    if isinstance(p, bool) or not isinstance(p, int) or p < 2:
        raise InvalidArgumentError(f"indicator_lp needs an integer exponent p >= 2, got p={p!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidArgumentError(f"the number of coordinates k must be an integer >= 1, got k={k!r}")
    if not (r >= 0 and w > 0):
        raise InvalidArgumentError(f"an indicator needs r >= 0 and w > 0, got r={r!r}, w={w!r}")


def _pow(x: float, p: int) -> float:
    """x^p correctly rounded to float64."""
    return float(Fraction(x) ** p)


def lp_penalty(r: float, w: float, p: int) -> float:
    """The coefficient r^p + 3 w^p / 4 of c_j in Lemma 38 (correctly rounded).

    >>> lp_penalty(0.5, 1.0, 3)
    0.875
    """
    return float(Fraction(r) ** p + Fraction(3, 4) * Fraction(w) ** p)


def lp_tolerance(k: int, r: float, w: float, p: int) -> Fraction:
    """eps~ of Lemma 38: w^p / (4 k Delta^p) with Delta = fl(w + 2r), as an exact rational.

    >>> lp_tolerance(2, 0.25, 0.5, 2)
    Fraction(1, 32)
    """
    _check_lp(p, k, r, w)
    Delta = Fraction(w + 2.0 * r)
    return Fraction(w) ** p / (4 * k * Delta**p)


def lp_indicator_steps(k: int, r: float, w: float, p: int) -> int:
    """The smallest M >= 1 with power_error_bound(p, M) < w^p / (4 k Delta^p) (Lemma 38's (*)).

    >>> lp_indicator_steps(2, 0.25, 0.5, 2), lp_indicator_steps(2, 0.25, 0.5, 3)
    (2, 4)
    """
    tol = lp_tolerance(k, r, w, p)
    for M in range(1, _MAX_STEPS + 1):
        if Fraction(power_error_bound(p, M)) < tol:
            return M
    raise HypothesisError(
        f"Lemma 38 needs a power-net error below w^p/(4 k Delta^p) = {float(tol):.3g} (k={k}, r={r}, w={w}, p={p}); "
        f"M={_MAX_STEPS} squaring steps reach only {power_error_bound(p, _MAX_STEPS):.3g}"
    )


def _steps(k: int, r: float, w: float, p: int, M: int | None) -> int:
    """The M to use: the smallest allowed by Lemma 38 when None, else M after checking it."""
    need = lp_indicator_steps(k, r, w, p)
    if M is None:
        return need
    if isinstance(M, bool) or not isinstance(M, int) or need > M:
        raise HypothesisError(
            f"M={M!r} squaring steps give a power-net error {power_error_bound(p, max(int(M), 1)):.3g}, not below "
            f"Lemma 38's limit w^p/(4 k Delta^p) = {float(lp_tolerance(k, r, w, p)):.3g}; need M >= {need}"
        )
    return M


def indicator_lp(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    p: int,
    shift: float,
    M: int | None = None,
    tag: str = "I",
) -> str:
    """Lemma 38 for integer p >= 2 with g = g_{p,M} (module docstring); returns the slot of z.

    z = y0 on ||x - c||_p <= r, z = 0 on ||x - c||_p >= r + w, 0 <= z <= y0, for x whose
    carried coordinates u_j = x_j + shift are >= 0.  ``M=None`` takes the smallest M allowed
    by Lemma 38 (:func:`lp_indicator_steps`); a given M must satisfy the same condition, else
    HypothesisError names M, the error it reaches and the limit.
    """
    _check(u, center, r, w)
    k = len(u)
    _check_lp(p, k, r, w)
    M = _steps(k, r, w, p, M)
    Delta = w + 2.0 * r
    Delta_p = _pow(Delta, p)
    K = lp_penalty(r, w, p)
    S, pending = f"{tag}.S", None
    for j, (name, c) in enumerate(zip(u, center)):
        extra = {S: pending} if pending is not None else None
        absval = abs_parts(b, _offset(b, name, c, shift), f"{tag}.a{j}", extra=extra)
        bj = absval / Delta
        cj = f"{tag}.c"
        current = b.v(S) if S in b.slots else Expr()
        g = emit_power(
            b,
            bj,
            p,
            M,
            f"{tag}.pw",
            first_extra={cj: 2.0 * bj - 1.0},
            first_temp=True,
            second_extra={S: current + Expr({cj: Coef(K)})},
        )
        pending = b.v(S) + Delta_p * g
    assert pending is not None  # _check requires at least one input slot
    return _lp_output(b, pending, S, label, r, w, p, tag)


def indicator_lp_par(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    p: int,
    shift: float,
    M: int | None = None,
    tag: str = "I",
) -> str:
    """Lemma 38 for integer p >= 2 with the k coordinates side by side; returns the slot of z.

    Same Delta, b_j, c_j, penalty, thresholds and guarantee as :func:`indicator_lp` (Sigma is the
    same sum, taken in another order): one map for every |a_j|, then the k power nets g_{p,M}(b_j)
    in parallel (:func:`~robustmem.gadgets.powers.emit_powers`), whose first map also computes
    every c_j and whose second map sums the penalties into S.  Maps: 1 + power_depth(p, M) + 2,
    independent of k; width inside a chain block k + 2 + k power_width(p) (carried coordinates,
    running maximum, S and the k power nets) -- the width-O(d), depth-O(p log) per point shape of
    Yu, Gao, Zhang's l_p memorizer (their Theorem B.6).
    """
    _check(u, center, r, w)
    k = len(u)
    _check_lp(p, k, r, w)
    M = _steps(k, r, w, p, M)
    Delta = w + 2.0 * r
    K = lp_penalty(r, w, p)
    S = f"{tag}.S"
    bs = [absval / Delta for absval in _abs_layer(b, u, center, shift, tag)]
    cs, penalty = _penalty_inputs(bs, K, tag)
    gs = emit_powers(
        b, bs, p, M, [f"{tag}.pw{j}" for j in range(k)], first_extra=cs, first_temp=True, second_extra={S: penalty}
    )
    Delta_p = _pow(Delta, p)
    total = b.v(S)
    for g in gs:
        total = total + Delta_p * g
    return _lp_output(b, total, S, label, r, w, p, tag)


def _lp_output(b: Builder, sigma_sum: Expr, S: str, label: Coef, r: float, w: float, p: int, tag: str) -> str:
    """Lemma 38's last two maps: t = Sigma - r^p - w^p/4 (dropping the penalty sum S), then
    z = relu(y0 (1 - t / (w^p / 2))); returns the slot of z."""
    thr = float(Fraction(r) ** p + Fraction(w) ** p / 4)
    return _threshold_output(b, sigma_sum, thr, label, 2.0 / _pow(w, p), tag, drop=[S])
