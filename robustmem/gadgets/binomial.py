"""Non-integer powers t^p on [0, 1] (Lemmas 44, 45, 64): the truncated binomial series on the power nets.

Lemma 44 (Egosi, Yehudai, Shamir 2025): for p in (1, inf) \\ N and 0 < eps < 1 a width-9 network g with
|g(t) - t^p| < eps on [0, 1].  Its proof truncates the binomial series around 1 (Lemma 64) and evaluates the
polynomial with Elbrachter et al.'s Proposition III.5 (Lemma 45).  Here, with s = 1 - min(t, 1) in [0, 1]:

    t^p = (1 - s)^p = sum_{i >= 0} c_i s^i,   c_i = binom(p, i) (-1)^i,
    g(t) = sum_{i = 0}^{D} c^_i P_i(s),        P_0 = 1, P_1 = s, P_2 = f_M(s), P_i = clip(mult_M(s, P_{i-1}), 0, 1),

with c^_i = fl(c_i) and P_i the power nets of :mod:`robustmem.gadgets.powers` (the same recursion as
g_{i,M}, so -4 (i - 2) e_M <= P_i - s^i <= (2 (i - 2) + 1) e_M, e_M = 2^(-2M-2), for i >= 2).  p is read as an
exact rational (the float p itself; :func:`exact_exponent`).

Truncation bound (proved here; it replaces Lemma 64's mean-value argument [I]).  For i >= floor(p) + 1 the
factors p - j, j = floor(p) + 1 .. i - 1, of binom(p, i) are negative, so c_i has the constant sign
(-1)^(floor(p) + 1).  For D >= floor(p) the tail T_D(s) = sum_{i > D} c_i s^i is therefore a series of one sign,
|T_D(s)| <= |T_D(1)|, and T_D(1) = (1 - 1)^p - sum_{i <= D} c_i = -sum_{i <= D} c_i (the series converges at
s = 1 for p > 0).  So |sum_{i <= D} c_i s^i - (1 - s)^p| <= |sum_{i <= D} c_i| = |binom(p - 1, D)| on [0, 1]:
exact, in rationals (:func:`truncation_bound`).

Total error (:func:`binomial_error_bound`, exact rational): for t in [0, 1]

    g(t) - t^p = sum_i c^_i (P_i - s^i) + sum_i (c^_i - c_i) s^i - T_D(s),

bounded by the interval sum of c^_i [lo_i, hi_i], plus sum |c^_i - c_i|, plus |binom(p - 1, D)|.  For t >= 1,
s = 0 and g(t) = c^_0 = 1.  Lemma 64 chooses D = ceil(p (pi eps)^(-1/floor p)) + 2; the D found here by the exact
bound is usually far smaller (:func:`lemma64_degree` gives the paper's, the tests check its bound holds there).

Network (:func:`emit_binomial_powers`): the power net's layout plus one accumulator S = K + sum_{i <= j} c^_i P_i,
K = ceil(sum of the negative c^_i) >= 0 an integer, so S >= 0 at every ReLU; the output expression is S - K.
Width 6 per channel (s, P, the squaring accumulator, two sawtooth neurons, S; Lemma 44 allows 9); maps
1 + M + (D - 2)(3M + 1) (:func:`binomial_depth`), the power net's for the exponent D.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.powers import _clip_layer, _product_step, _square_phase, power_error_interval
from robustmem.network.builder import Builder, Expr, ExprLike
from robustmem.network.network import ReLUNetwork

__all__ = [
    "BinomialPlan",
    "binomial_coefficients",
    "binomial_depth",
    "binomial_error_bound",
    "binomial_network",
    "binomial_plan",
    "binomial_reference",
    "emit_binomial_power",
    "emit_binomial_powers",
    "exact_exponent",
    "lemma64_degree",
    "truncation_bound",
]

MAX_DEGREE = 20_000
_MAX_STEPS = 40


def exact_exponent(p: float | Fraction) -> Fraction:
    """p as an exact rational in (1, inf) that is not an integer, or an error naming it.

    A float is read as its own binary value; a rational with a small denominator (1.5, 2.25) stays small.

    >>> exact_exponent(1.5)
    Fraction(3, 2)
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, Fraction)):
        raise InvalidArgumentError(f"the binomial power net needs a number p > 1, got p={p!r}")
    if isinstance(p, float) and not math.isfinite(p):
        raise InvalidArgumentError(f"the binomial power net needs a finite p > 1, got p={p!r}")
    f = Fraction(p)
    if f <= 1 or f.denominator == 1:
        raise InvalidArgumentError(
            f"the binomial power net (Lemma 44) is for p in (1, inf) minus the integers, got p={p!r}; "
            "integer p: robustmem.gadgets.powers"
        )
    return f


def binomial_coefficients(p: float | Fraction, D: int) -> list[Fraction]:
    """The exact c_i = binom(p, i) (-1)^i, i = 0..D: t^p = sum_i c_i (1 - t)^i.

    >>> binomial_coefficients(1.5, 3)
    [Fraction(1, 1), Fraction(-3, 2), Fraction(3, 8), Fraction(1, 16)]
    """
    pf = exact_exponent(p)
    if isinstance(D, bool) or not isinstance(D, int) or D < 0:
        raise InvalidArgumentError(f"the degree D must be an integer >= 0, got D={D!r}")
    c, out = Fraction(1), [Fraction(1)]
    for i in range(1, D + 1):
        c = c * (pf - (i - 1)) / i
        out.append(c * (-1) ** i)
    return out


def truncation_bound(p: float | Fraction, D: int) -> Fraction:
    """|binom(p - 1, D)| = |sum_{i <= D} c_i|: a bound of |sum_{i <= D} c_i (1 - t)^i - t^p| on [0, 1] for
    D >= floor(p) (module docstring), exact.

    >>> truncation_bound(1.5, 2)
    Fraction(1, 8)
    """
    pf = exact_exponent(p)
    if math.floor(pf) > D:
        raise InvalidArgumentError(f"the truncation bound needs D >= floor(p) = {math.floor(pf)}, got D={D}")
    return abs(sum(binomial_coefficients(pf, D), Fraction(0)))


def lemma64_degree(p: float | Fraction, eps: float) -> int:
    """Lemma 64's degree D = ceil(p (pi eps)^(-1/floor p)) + 2 for the truncation error eps.

    >>> lemma64_degree(1.5, 0.01)
    50
    """
    pf = exact_exponent(p)
    if not (isinstance(eps, (int, float)) and 0 < eps < 1):
        raise InvalidArgumentError(f"eps must lie in (0, 1), got eps={eps!r}")
    return math.ceil(float(pf) * (math.pi * eps) ** (-1.0 / math.floor(pf))) + 2


def _float_coefficients(p: Fraction, D: int) -> tuple[list[Fraction], list[float]]:
    exact = binomial_coefficients(p, D)
    return exact, [float(c) for c in exact]


def binomial_error_bound(p: float | Fraction, D: int, M: int) -> Fraction:
    """An exact rational E with |g(t) - t^p| <= E on [0, 1] for the net of degree D and M squaring steps.

    E = max(-lo, hi) + sum_i |c^_i - c_i| + |binom(p - 1, D)|, [lo, hi] the interval sum of c^_i [lo_i, hi_i]
    (module docstring).  Needs D >= max(2, floor(p)).
    """
    pf = exact_exponent(p)
    if max(2, math.floor(pf)) > D:
        raise InvalidArgumentError(f"the degree D must be >= max(2, floor(p)) = {max(2, math.floor(pf))}, got {D}")
    if isinstance(M, bool) or not isinstance(M, int) or M < 1:
        raise InvalidArgumentError(f"the squaring steps M must be an integer >= 1, got M={M!r}")
    exact, fl = _float_coefficients(pf, D)
    lo_sum, hi_sum = Fraction(0), Fraction(0)
    for i in range(2, D + 1):
        lo, hi = (Fraction(v) for v in power_error_interval(i, M))
        c = Fraction(fl[i])
        lo_sum += min(c * lo, c * hi)
        hi_sum += max(c * lo, c * hi)
    coeff = sum((abs(Fraction(f) - e) for f, e in zip(fl, exact)), Fraction(0))
    return max(-lo_sum, hi_sum) + coeff + truncation_bound(pf, D)


@dataclass(frozen=True)
class BinomialPlan:
    """Degree D, squaring steps M and the exact error bound E (<= the budget asked for) of a binomial power net."""

    p: Fraction
    D: int
    M: int
    error: Fraction
    coefficients: tuple[float, ...]  # c^_0 .. c^_D
    offset: int  # K

    @property
    def depth(self) -> int:
        return binomial_depth(self.D, self.M)


def binomial_plan(p: float | Fraction, eps: float | Fraction, *, max_degree: int = MAX_DEGREE) -> BinomialPlan:
    """The smallest D with |binom(p - 1, D)| <= eps / 2, then the smallest M with total error <= eps (exact).

    HypothesisError when D would exceed ``max_degree`` (the error names the degree needed, from Lemma 64's
    asymptotics, and the limit).

    >>> plan = binomial_plan(1.5, 0.01)
    >>> plan.D, plan.M, plan.error <= Fraction(1, 100)
    (15, 3, True)
    """
    pf = exact_exponent(p)
    e = Fraction(eps)
    if not 0 < e < 1:
        raise InvalidArgumentError(f"the error budget must lie in (0, 1), got eps={eps!r}")
    D = max(2, math.floor(pf))
    coeffs = binomial_coefficients(pf, D)
    total = sum(coeffs, Fraction(0))
    c = coeffs[-1] * (-1) ** D  # binom(p, D)
    while abs(total) > e / 2:
        if max_degree <= D:
            raise HypothesisError(
                f"Lemma 44's power net for p = {float(pf)!r} needs a degree D > {max_degree} (max_degree) for the "
                f"truncation error {float(e) / 2:.3g} (Lemma 64 would take D = {lemma64_degree(pf, float(e) / 2)}); "
                "the network would be too deep: choose a larger margin (smaller sigma)"
            )
        D += 1
        c = c * (pf - (D - 1)) / D
        total += c * (-1) ** D
    for M in range(1, _MAX_STEPS + 1):
        err = binomial_error_bound(pf, D, M)
        if err <= e:
            fl = [float(v) for v in binomial_coefficients(pf, D)]
            K = math.ceil(sum(-Fraction(v) for v in fl if v < 0))
            return BinomialPlan(pf, D, M, err, tuple(fl), K)
    raise HypothesisError(f"no M <= {_MAX_STEPS} brings the binomial power net's error below {float(e):.3g}")


def binomial_depth(D: int, M: int) -> int:
    """Maps of :func:`emit_binomial_powers`: 1 + M + (D - 2)(3M + 1)."""
    return 1 + M + (D - 2) * (3 * M + 1)


def emit_binomial_power(b: Builder, t: ExprLike, plan: BinomialPlan, tag: str, **kw) -> Expr:
    """:func:`emit_binomial_powers` on one input."""
    return emit_binomial_powers(b, [t], plan, [tag], **kw)[0]


def emit_binomial_powers(
    b: Builder,
    ts: Sequence[ExprLike],
    plan: BinomialPlan,
    tags: Sequence[str],
    *,
    first_extra: dict[str, ExprLike] | None = None,
    first_temp: bool = False,
    second_extra: dict[str, ExprLike] | None = None,
) -> list[Expr]:
    """Emit g(t_c) for every channel (inputs t_c >= 0), side by side; return the expressions.

    Guarantee (module docstring): |g(t) - t^p| <= plan.error for t in [0, 1] and g(t) = 1 for t >= 1.  Emits
    binomial_depth(D, M) maps with at most 6 new neurons per channel; the returned expressions read temporary
    neurons and the accumulator ``{tag}.S`` (dropped by the map that reads them).  ``first_extra`` /
    ``second_extra`` add outputs to the first / second map, as in :func:`~robustmem.gadgets.powers.emit_powers`.
    """
    D, M, K = plan.D, plan.M, plan.offset
    c = plan.coefficients
    if len(ts) != len(tags) or not tags or len(set(tags)) != len(tags):
        raise InvalidArgumentError(f"emit_binomial_powers needs one distinct tag per input, got {len(tags)}")
    _clip_layer(b, ts, tags, first_extra=first_extra, first_temp=first_temp)
    s_exprs = [1.0 - b.v(f"{tag}.c+") + b.v(f"{tag}.c-") for tag in tags]  # s = 1 - min(t, 1)
    S = [f"{tag}.S" for tag in tags]
    extra: dict[str, ExprLike] = {name: (K + c[0]) + c[1] * s for name, s in zip(S, s_exprs)}
    if D >= 3:
        extra.update({f"{tag}.s": s for tag, s in zip(tags, s_exprs)})
    Ps = _square_phase(b, s_exprs, M, tags, [Expr()] * len(tags), 1.0, extra={**extra, **(second_extra or {})})
    for k in range(3, D + 1):
        carry: dict[str, ExprLike] = {name: b.v(name) + c[k - 1] * P for name, P in zip(S, Ps)}
        Ps = _product_step(b, Ps, M, tags, last=k == D, carry=carry)
    b.temp |= set(S)  # the accumulator is dropped by the map that reads the result
    return [b.v(name) + c[D] * P - float(K) for name, P in zip(S, Ps)]


def binomial_network(p: float | Fraction, eps: float) -> tuple[ReLUNetwork, BinomialPlan]:
    """A standalone network t -> g(t) (Lemma 44) with |g(t) - t^p| <= plan.error <= eps on [0, 1].

    >>> import numpy as np
    >>> net, plan = binomial_network(1.5, 0.01)
    >>> abs(float(net(np.array([[0.49]]))[0]) - 0.49**1.5) <= float(plan.error), net.width <= 9
    (True, True)
    """
    plan = binomial_plan(p, eps)
    b = Builder(["t"], raw_inputs=True)
    b.output(emit_binomial_power(b, b.v("t"), plan, "bp"))
    meta = {"construction": "binomial power net", "lemma": "Lemma 44", "p": float(plan.p), "D": plan.D, "M": plan.M}
    return ReLUNetwork.from_builder(b, meta=meta), plan


def _hat(x: Fraction, M: int) -> Fraction:
    g, acc = x, x
    for s in range(1, M + 1):
        g = 2 * max(g, Fraction(0)) - 4 * max(g - Fraction(1, 2), Fraction(0))
        acc = acc - g / 4**s
    return acc


def binomial_reference(t: Fraction, plan: BinomialPlan) -> Fraction:
    """g(t) from the formulas of the module docstring, exactly (t >= 0 a Fraction)."""
    s = 1 - min(max(Fraction(t), Fraction(0)), Fraction(1))
    total = Fraction(plan.coefficients[0]) + Fraction(plan.coefficients[1]) * s
    P = _hat(s, plan.M)
    total += Fraction(plan.coefficients[2]) * P
    for k in range(3, plan.D + 1):
        m = 2 * _hat((s + P) / 2, plan.M) - 2 * _hat(P / 2, plan.M) - 2 * _hat(s / 2, plan.M)
        P = min(max(m, Fraction(0)), Fraction(1))
        total += Fraction(plan.coefficients[k]) * P
    return total
