"""Lemma 46: the paper's width-2 recursion psi = psi_{3C-1} equals the staircase S_C, so psi(t) = m on [m - 1/4, m + 1/4].

Egosi, Yehudai, Shamir (COLT 2025), Lemma 46 (Appendix G, used by Proposition 34): for C >= 2 there is a network
psi: R -> R of width 2 and depth O(C) with psi(t) = m for every t in [m - 1/4, m + 1/4], 1 <= m <= C. The proof
defines, for 0 <= l <= C - 1 and psi_{-1} = 0,

    psi_{3l}   = relu(2x - (2(C - l) - 1)/2 - psi_{3l-1}),   psi_{3l+1} = relu(l + 1 - psi_{3l}),
    psi_{3l+2} = relu(l + 1 - psi_{3l+1}),                     psi = psi_{3C-1},

and says "a computation using the definitions yields" the claim. Whether the recursion is right as printed is
settled here: it is correct as printed (no typo), and it is exactly what
robustmem.gadgets.rounding_net emits (the biases are rounding_offset(C, l); tests/unit/test_gadgets.py evaluates the
emitted network with Fractions against :func:`staircase`). C = 1 works as well.

Claim proved (every C >= 1, every real x): psi(x) = S_C(x), the clamped staircase with S_n(t) = 0 for t <= 1/4,
S_n = m on [m - 1/4, m + 1/4] (1 <= m <= n - 1), S_n = n for t >= n - 1/4, and the ramps 2t - m - 1/2 on
[m + 1/4, m + 3/4] (0 <= m <= n - 1); S_0 = 0.

Proof (symbolic in C, l, the level n and the plateau index m; reduce_piecewise decides every relu on each piece):
1. relu(l + 1 - relu(l + 1 - a)) = min(l + 1, a) for a >= 0, so psi_{3l+2} = min(l + 1, psi_{3l}).
2. Shift: with y = x - (C - 1 - l)/2, 2x - (2(C - l) - 1)/2 = 2y - 1/2 and x - (C - l)/2 = y - 1/2.
3. Step: min(n + 1, relu(2y - 1/2 - S_n(y - 1/2))) = S_{n+1}(y) for every n >= 0 and every real y, checked on the
   pieces (-oo, 1/4], [1/4, 3/4], [m + 3/4, m + 5/4] (0 <= m <= n - 1), [m + 1/4, m + 3/4] (1 <= m <= n - 1),
   [n + 1/4, n + 3/4] and [n + 3/4, oo), which cover R; on each, S_n(y - 1/2) is one affine piece of its definition.
4. Induction on l with 1-3: psi_{3l+2}(x) = S_{l+1}(x - (C - 1 - l)/2); at l = C - 1, psi = S_C.
5. The net carries relu(x) instead of x: for x <= 0 both give psi_{3l} = 0 (the relu argument is <= -1/2).
6. Exact finite check of the gadget: for C = 1..50 its biases are (2(C - l) - 1)/2 and rounding_reference (the
   recursion in Fractions) equals S_C at both ends and the middle of every plateau and ramp.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from robustmem.gadgets.rounding_net import rounding_offset, rounding_reference
from robustmem.proofcheck import assert_equal, reduce_piecewise, relu

Rational = sp.Rational
HALF, QUARTER = Rational(1, 2), Rational(1, 4)
FINITE_C = 50


def staircase(t: Fraction, C: int) -> Fraction:
    """S_C(t) exactly: the statement the gadget is tested against."""
    if t <= Fraction(1, 4):
        return Fraction(0)
    if t >= C - Fraction(1, 4):
        return Fraction(C)
    m = (t + Fraction(1, 4)).__floor__()  # t in [m - 1/4, m + 3/4)
    return Fraction(m) if t <= m + Fraction(1, 4) else 2 * t - m - Fraction(1, 2)


def _min(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.Min(a, b, evaluate=False)


def check() -> str:
    m = sp.Symbol("m", integer=True, nonnegative=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    v = sp.Symbol("v", nonnegative=True)
    a = sp.Symbol("a", nonnegative=True)
    x, C, ell = sp.Symbol("x", real=True), sp.Symbol("C", integer=True), sp.Symbol("l", integer=True)

    # 1. two relus clamp from above
    lvl = sp.Symbol("l0", integer=True, nonnegative=True)
    clamp = relu(lvl + 1 - relu(lvl + 1 - a))
    assert_equal(reduce_piecewise(clamp, {a: (Rational(0), lvl + 1)}), a, "psi_{3l+2} = psi_{3l} when <= l + 1")
    assert_equal(reduce_piecewise(clamp, {a: (lvl + 1, sp.oo)}), lvl + 1, "psi_{3l+2} = l + 1 when psi_{3l} >= l + 1")

    # 2. the shift y = x - (C - 1 - l)/2
    y = x - (C - 1 - ell) / 2
    assert_equal(2 * x - (2 * (C - ell) - 1) / sp.Integer(2), 2 * y - HALF, "bias of psi_{3l} in y")
    assert_equal(x - (C - ell) / sp.Integer(2), y - HALF, "psi_{3l-1} reads y - 1/2")

    # 3. the step S_n -> S_{n+1}; n = 0 and n >= 1 (then m-indexed pieces use n = m + 1 + j)
    def step(prev: sp.Expr, yy: sp.Expr, n: sp.Expr) -> sp.Expr:
        return _min(n + 1, relu(2 * yy - HALF - prev))

    box_inf, box_half = {v: (Rational(0), sp.oo)}, {v: (Rational(0), HALF)}
    for n, name in ((sp.Integer(0), "n = 0"), (j + 1, "n >= 1")):
        pieces = [  # (y, S_n(y - 1/2) on the piece, S_{n+1}(y), box, what)
            (QUARTER - v, 0, 0, box_inf, "y <= 1/4"),
            (QUARTER + v, 0, 2 * (QUARTER + v) - HALF, box_half, "first ramp"),
            (n + 3 * QUARTER + v, n, n + 1, box_inf, "top plateau"),
        ]
        if n != 0:
            pieces.append((n + QUARTER + v, n, 2 * (n + QUARTER + v) - n - HALF, box_half, "last ramp"))
        for yy, prev, target, box, what in pieces:
            assert_equal(reduce_piecewise(step(prev, yy, n), box), target, f"S_{{n+1}} on the {what}, {name}")
    n = m + 1 + j  # a level n >= m + 1
    yy = m + 3 * QUARTER + v  # y - 1/2 on ramp m of S_n, y on plateau m + 1 of S_{n+1}
    on_ramp = 2 * (yy - HALF) - m - HALF
    assert_equal(reduce_piecewise(step(on_ramp, yy, n), box_half), m + 1, "S_{n+1} = m + 1 on [m + 3/4, m + 5/4]")
    mm = m + 1  # plateau index >= 1 of S_n; n = mm + 1 + j
    yy = mm + QUARTER + v
    got = reduce_piecewise(step(mm, yy, mm + 1 + j), box_half)
    assert_equal(got, 2 * yy - mm - HALF, "S_{n+1} = ramp on [m + 1/4, m + 3/4], 1 <= m <= n - 1")

    # 5. carrying relu(x): for x <= 0 the relu argument of psi_{3l} is <= -1/2 whether it reads x or 0
    prev = sp.Symbol("p", nonnegative=True)
    bias = (2 * (j + 1) - 1) / sp.Integer(2)  # C - l = j + 1 >= 1
    for read in (x, sp.Integer(0)):
        value = reduce_piecewise(relu(2 * read - bias - prev), {x: (-sp.oo, Rational(0)), prev: (Rational(0), sp.oo)})
        assert_equal(value, 0, f"psi_{{3l}} = 0 for x <= 0 reading {read}")

    # 6. the gadget, exactly, for C <= FINITE_C
    points = 0
    for levels in range(1, FINITE_C + 1):
        for level in range(levels):
            if rounding_offset(levels, level) != Fraction(2 * (levels - level) - 1, 2):
                raise AssertionError(f"rounding_offset({levels}, {level}) is not (2(C - l) - 1)/2")
        grid = [Fraction(q, 8) for q in range(-2, 8 * levels + 8)]
        for t in grid:
            if rounding_reference(t, levels) != staircase(t, levels):
                raise AssertionError(f"C = {levels}: the recursion gives {rounding_reference(t, levels)} at t = {t}")
        points += len(grid)
    return (
        "psi_{3l+2}(x) = S_{l+1}(x - (C-1-l)/2) for all C, l, x (symbolic induction), so psi = S_C and psi(t) = m on"
        f" [m - 1/4, m + 1/4]; gadget's biases and recursion equal S_C exactly at {points} points for C <= {FINITE_C}"
    )


if __name__ == "__main__":
    print(check())
