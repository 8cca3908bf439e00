"""Integer powers t^p on [0, 1] from squaring nets (Lemma 42 style; Lemma 41 for the squares).

Notation: f_M is the squaring net of Lemma 41 (see :mod:`robustmem.gadgets.squaring`), the
piecewise-linear interpolant of t^2 at the points j / 2^M, with

    0 <= f_M(x) - x^2 <= e_M := 2^(-2M-2)   for x in [0, 1].

Product net.  For x, y in [0, 1] all of (x + y)/2, x/2, y/2 lie in [0, 1] and

    mult_M(x, y) := 2 f_M((x + y)/2) - 2 f_M(x/2) - 2 f_M(y/2),
    mult_M(x, y) - x y = 2 (e_1 - e_2 - e_3) with e_i in [0, e_M],   so   -4 e_M <= mult_M(x, y) - x y <= 2 e_M.

Power net.  s = min(t, 1) (t >= 0), P_1 = s, P_2 = f_M(s) and P_k = clip(mult_M(s, P_{k-1}), 0, 1)
for k = 3..p; the net outputs g_{p,M}(t) := P_p.  Clipping to [0, 1] keeps the next product's
inputs in [0, 1] and never increases the distance to s^k (s^k lies in [0, 1]).  Induction on
P_k - s^k = (mult_M(s, P_{k-1}) - s P_{k-1}) + s (P_{k-1} - s^{k-1}) (before the clip) gives

    -4 (p - 2) e_M  <=  g_{p,M}(t) - min(t, 1)^p  <=  (2 (p - 2) + 1) e_M     (p >= 2, t >= 0),

so |g_{p,M}(t) - t^p| <= max(1, 4 (p - 2)) 2^(-2M-2) on [0, 1] (:func:`power_error_bound`), and
0 <= g_{p,M}(t) <= 1 for every t >= 0.

Network.  On [0, 1] the hat function needs two neurons, h(x) = 2 relu(x) - 4 relu(x - 1/2)
(its third term relu(x - 1) vanishes), so one squaring step keeps two sawtooth neurons r0, r1
and the product net keeps five: s, P_{k-1}, one accumulator A and r0, r1.  The three squares of a
product are computed one after the other into the same accumulator, which holds
mult_M-so-far + 1: the offset 1 keeps it non-negative at every ReLU, because partial sums satisfy
f_i(x) <= x, f_M is non-decreasing and x <= 1/2 for the two subtracted squares.

Cost (maps, i.e. affine layers, of :func:`emit_power`): 1 for the clip, M for P_2, and
3M + 1 per product (three squares and one clip), so 1 + M + (p - 2)(3M + 1); width 3 for p = 2
and 5 for p >= 3 (:func:`power_width`; one less when M = 1, which never materializes A).  All weights are dyadic rationals (exact in float64), so
the real function of the stored network is g_{p,M} itself, with no weight rounding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets.squaring import square_error_bound
from robustmem.network.builder import Builder, Expr, ExprLike
from robustmem.network.network import ReLUNetwork

__all__ = [
    "emit_power",
    "emit_powers",
    "power_depth",
    "power_error_bound",
    "power_error_interval",
    "power_network",
    "power_reference",
    "power_steps_for",
    "power_width",
]

Num = TypeVar("Num", float, Fraction)


def _check_p(p: int) -> None:
    if isinstance(p, bool) or not isinstance(p, int) or p < 2:
        raise InvalidArgumentError(f"the power net needs an integer exponent p >= 2, got p={p!r}")


def _check_M(M: int) -> None:
    if isinstance(M, bool) or not isinstance(M, int) or M < 1:
        raise InvalidArgumentError(f"the squaring nets need an integer number of steps M >= 1, got M={M!r}")


def power_error_interval(p: int, M: int) -> tuple[float, float]:
    """(lo, hi) with lo <= g_{p,M}(t) - t^p <= hi for every t in [0, 1] (module docstring).

    lo = -4 (p - 2) 2^(-2M-2) and hi = (2 (p - 2) + 1) 2^(-2M-2).

    >>> power_error_interval(2, 1), power_error_interval(3, 1)
    ((0.0, 0.0625), (-0.25, 0.1875))
    """
    _check_p(p)
    _check_M(M)
    e = square_error_bound(M)
    return 0.0 - 4.0 * (p - 2) * e, (2.0 * (p - 2) + 1.0) * e


def power_error_bound(p: int, M: int) -> float:
    """max |g_{p,M}(t) - t^p| over [0, 1] is at most max(1, 4 (p - 2)) 2^(-2M-2).

    >>> power_error_bound(2, 3), power_error_bound(4, 3)
    (0.00390625, 0.03125)
    """
    lo, hi = power_error_interval(p, M)
    return max(-lo, hi)


def power_steps_for(p: int, eps: float) -> int:
    """The smallest M >= 1 with power_error_bound(p, M) <= eps.

    >>> power_steps_for(3, 1e-3)
    5
    """
    _check_p(p)
    if not (isinstance(eps, (int, float)) and eps > 0 and math.isfinite(eps)):
        raise InvalidArgumentError(f"the power error budget must be a positive finite number, got eps={eps!r}")
    factor = max(1, 4 * (p - 2))
    M = max(1, math.ceil((math.log2(factor / eps) - 2) / 2))
    while power_error_bound(p, M) > eps:  # guard the logarithm's rounding
        M += 1
    while M > 1 and power_error_bound(p, M - 1) <= eps:
        M -= 1
    return M


def power_width(p: int) -> int:
    """Neurons of the widest hidden layer of :func:`emit_power` (3 for p = 2, 5 for p >= 3)."""
    _check_p(p)
    return 3 if p == 2 else 5


def power_depth(p: int, M: int) -> int:
    """Number of maps :func:`emit_power` emits: 1 + M + (p - 2)(3M + 1)."""
    _check_p(p)
    _check_M(M)
    return 1 + M + (p - 2) * (3 * M + 1)


def _square_phase(
    b: Builder,
    xs: Sequence[Expr],
    M: int,
    tags: Sequence[str],
    acc0s: Sequence[Expr],
    weight: float,
    extra: Mapping[str, ExprLike] | None = None,
    drop: tuple[str, ...] = (),
) -> list[Expr]:
    """Emit M maps; return acc0_c + weight * f_M(x_c) for every channel c (x_c in [0, 1] assumed).

    The channels run side by side in the same maps (one channel per tag).  The first map sets
    r0 = x, r1 = x - 1/2 (plus ``extra``) and materializes ``acc0`` in the channel's accumulator
    slot when it reads slots; every later map updates (A, r0, r1) in place.  The caller
    guarantees that every intermediate accumulator value is >= 0.
    """
    new: dict[str, ExprLike] = {}
    temps: list[str] = []
    for x, tag, acc0 in zip(xs, tags, acc0s, strict=True):
        r0, r1, acc = f"{tag}.r0", f"{tag}.r1", f"{tag}.A"
        new[r0], new[r1] = x, x - 0.5
        temps += [r0, r1]
        if acc0.slots():
            new[acc] = acc0
            temps.append(acc)
    new.update(extra or {})
    b.layer(new, drop=drop, temp_names=temps)
    # f_0(x) = x = relu(x)
    As = [(b.v(f"{tag}.A") if acc0.slots() else acc0) + weight * b.v(f"{tag}.r0") for tag, acc0 in zip(tags, acc0s)]
    for s in range(1, M + 1):
        # h^(s)(x), valid because the sawtooth stays in [0, 1]
        gs = [2.0 * b.v(f"{tag}.r0") - 4.0 * b.v(f"{tag}.r1") for tag in tags]
        As = [A - (weight / 4.0**s) * g for A, g in zip(As, gs)]
        if s == M:
            return As
        new, temps = {}, []
        for tag, A, g in zip(tags, As, gs):
            acc, r0, r1 = f"{tag}.A", f"{tag}.r0", f"{tag}.r1"
            new[acc], new[r0], new[r1] = A, g, g - 0.5
            temps += [acc, r0, r1]
        b.layer(new, temp_names=temps)
        As = [b.v(f"{tag}.A") for tag in tags]
    raise AssertionError("unreachable")


def emit_power(
    b: Builder,
    t: ExprLike,
    p: int,
    M: int,
    tag: str,
    *,
    first_extra: Mapping[str, ExprLike] | None = None,
    first_temp: bool = False,
    second_extra: Mapping[str, ExprLike] | None = None,
) -> Expr:
    """Emit the power net on the non-negative input ``t``; return g_{p,M}(t) as an expression.

    Guarantee (module docstring): for t >= 0, g = g_{p,M}(min(t, 1)) lies in [0, 1] and
    |g - t^p| <= power_error_bound(p, M) when t <= 1.  Emits power_depth(p, M) maps of at most
    power_width(p) new neurons; the returned expression reads temporary neurons only (dropped by
    the map that reads it).  ``first_extra``/``second_extra`` add outputs to the first/second
    emitted map (temporary with ``first_temp``), as for
    :func:`~robustmem.gadgets.squaring.emit_square`.

    >>> import numpy as np
    >>> b = Builder(["t"], raw_inputs=True)
    >>> b.output(emit_power(b, b.v("t"), 3, 4, "pow"))
    >>> net = ReLUNetwork.from_builder(b)
    >>> float(net(np.array([[0.5]]))[0]), net.width, net.depth == power_depth(3, 4) + 1
    (0.125, 5, True)
    """
    return emit_powers(b, [t], p, M, [tag], first_extra=first_extra, first_temp=first_temp, second_extra=second_extra)[
        0
    ]


def emit_powers(
    b: Builder,
    ts: Sequence[ExprLike],
    p: int,
    M: int,
    tags: Sequence[str],
    *,
    first_extra: Mapping[str, ExprLike] | None = None,
    first_temp: bool = False,
    second_extra: Mapping[str, ExprLike] | None = None,
) -> list[Expr]:
    """:func:`emit_power` on several inputs side by side: the same power_depth(p, M) maps, each
    holding every channel (at most power_width(p) neurons per channel), one tag per channel.

    Each returned g_{p,M}(t_c) carries :func:`emit_power`'s guarantee; the channels never read
    each other's neurons, so the parallel net computes exactly the functions of the separate ones.

    >>> import numpy as np
    >>> b = Builder(["s", "t"], raw_inputs=True)
    >>> g0, g1 = emit_powers(b, [b.v("s"), b.v("t")], 2, 3, ["p0", "p1"])
    >>> b.output(g0 + g1)
    >>> net = ReLUNetwork.from_builder(b)
    >>> float(net(np.array([[0.5, 0.25]]))[0]), net.width, net.depth == power_depth(2, 3) + 1
    (0.3125, 6, True)
    """
    _check_p(p)
    _check_M(M)
    if len(ts) != len(tags) or not tags or len(set(tags)) != len(tags):
        raise InvalidArgumentError(f"emit_powers needs one distinct tag per input, got {len(tags)} for {len(ts)}")
    _clip_layer(b, ts, tags, first_extra=first_extra, first_temp=first_temp)
    s_exprs = [b.v(f"{tag}.c+") - b.v(f"{tag}.c-") for tag in tags]  # min(t, 1) for t >= 0
    carry_s = {f"{tag}.s": s for tag, s in zip(tags, s_exprs)} if p >= 3 else {}
    Ps = _square_phase(b, s_exprs, M, tags, [Expr()] * len(tags), 1.0, extra={**carry_s, **(second_extra or {})})
    for k in range(3, p + 1):
        Ps = _product_step(b, Ps, M, tags, last=k == p)
    return Ps


def _clip_layer(
    b: Builder,
    ts: Sequence[ExprLike],
    tags: Sequence[str],
    *,
    first_extra: Mapping[str, ExprLike] | None,
    first_temp: bool,
) -> None:
    """The first map of a power net: c+ = t and c- = t - 1 per channel (relu(c+) - relu(c-) = min(t, 1) for
    t >= 0), temporary, plus ``first_extra`` (temporary too with ``first_temp``)."""
    first: dict[str, ExprLike] = {}
    temps: list[str] = []
    for t, tag in zip([Expr.of(t) for t in ts], tags):
        first[f"{tag}.c+"], first[f"{tag}.c-"] = t, t - 1.0
        temps += [f"{tag}.c+", f"{tag}.c-"]
    if first_temp:
        temps += list(first_extra or {})
    b.layer({**first, **(first_extra or {})}, temp_names=temps)


def _product_step(
    b: Builder,
    Ps: Sequence[Expr],
    M: int,
    tags: Sequence[str],
    *,
    last: bool,
    carry: Mapping[str, ExprLike] | None = None,
) -> list[Expr]:
    """One multiplication of a power net, 3M + 1 maps: clip(mult_M(s, P), 0, 1) per channel, s and P read
    from the slots ``{tag}.s`` and ``{tag}.P`` (P carried from ``Ps`` with ``carry`` in the first map); the
    s slots are dropped when ``last``.  mult_M(s, P) = 2 f_M((s + P)/2) - 2 f_M(P/2) - 2 f_M(s/2), held as the
    accumulator 1 + mult_M(s, P) >= 0 and clipped by relu(Q - 1) - relu(Q - 2)."""
    s_slots, P_slots = [f"{tag}.s" for tag in tags], [f"{tag}.P" for tag in tags]
    Qs = _square_phase(
        b,
        [(b.v(s) + P) * 0.5 for s, P in zip(s_slots, Ps)],
        M,
        tags,
        [Expr(const=1.0)] * len(tags),
        2.0,
        extra={**dict(zip(P_slots, Ps)), **(carry or {})},
    )
    Qs = _square_phase(b, [b.v(P) * 0.5 for P in P_slots], M, tags, Qs, -2.0, drop=tuple(P_slots))
    Qs = _square_phase(b, [b.v(s) * 0.5 for s in s_slots], M, tags, Qs, -2.0)
    new: dict[str, ExprLike] = {}
    temps: list[str] = []
    for tag, Q in zip(tags, Qs):
        new[f"{tag}.m0"], new[f"{tag}.m1"] = Q - 1.0, Q - 2.0
        temps += [f"{tag}.m0", f"{tag}.m1"]
    b.layer(new, drop=tuple(s_slots) if last else (), temp_names=temps)
    return [b.v(f"{tag}.m0") - b.v(f"{tag}.m1") for tag in tags]  # clip(mult_M(s, P), 0, 1)


def power_network(p: int, M: int) -> ReLUNetwork:
    """A standalone network t -> g_{p,M}(clip(t, 0, 1)) on one real input (Lemma 42 style).

    Width power_width(p), depth power_depth(p, M) + 1;
    |output - t^p| <= power_error_bound(p, M) for t in [0, 1].

    >>> import numpy as np
    >>> net = power_network(4, 5)
    >>> abs(float(net(np.array([[0.7]]))[0]) - 0.7**4) <= power_error_bound(4, 5)
    True
    """
    b = Builder(["t"], raw_inputs=True)
    b.output(emit_power(b, b.v("t"), p, M, "pow"))
    meta = {"construction": "power net", "lemma": "Lemma 42", "p": p, "M": M}
    return ReLUNetwork.from_builder(b, meta=meta)


def _hat_steps(x: Num, M: int) -> Num:
    """f_M(x) for x in [0, 1], straight from the formula (exact for Fraction input)."""
    half = Fraction(1, 2) if isinstance(x, Fraction) else 0.5
    g, acc = x, x
    for s in range(1, M + 1):
        g = 2 * max(g, 0 * g) - 4 * max(g - half, 0 * g)
        acc = acc - g / 4**s
    return acc


def power_reference(t: Num, p: int, M: int) -> Num:
    """g_{p,M}(t) from the formulas of the module docstring (t >= 0; exact for Fraction input).

    >>> power_reference(Fraction(1, 2), 3, 1), power_reference(Fraction(1, 2), 3, 2)
    (Fraction(0, 1), Fraction(1, 8))
    """
    _check_p(p)
    _check_M(M)
    one = 1 + 0 * t
    s = min(max(t, 0 * t), one)
    P = _hat_steps(s, M)
    for _ in range(3, p + 1):
        m = 2 * _hat_steps((s + P) / 2, M) - 2 * _hat_steps(P / 2, M) - 2 * _hat_steps(s / 2, M)
        P = min(max(m, 0 * m), one)
    return P
