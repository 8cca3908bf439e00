"""Lemma 46 (rounding net), corrected form: a width-2 ReLU net psi with psi(t) = m on [m - 1/4, m + 1/4], m = 1..C.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 46: a rounding net of width 2 and depth O(C) maps every value within 1/4
of a label m in {1, ..., C} to m exactly. PAPER.md asks for the paper's recursion to be checked; this session could
not consult the paper's text, so the file proves the statement for an explicit width-2 recursion, which the
gadget should follow (or be checked against):

    x_0 = 2t,   x_m = min(x_{m-1}, m + 1/2) + relu(x_{m-1} - m - 3/2)
                    = m + 1/2 - relu(m + 1/2 - x_{m-1}) + relu(x_{m-1} - m - 3/2)   (two neurons per layer),
    psi(t) = x_C - 1/2.

Each layer has the two neurons relu(m + 1/2 - x) and relu(x - m - 3/2), where x is an affine function of the
previous layer's two neurons: width 2, C hidden layers, C + 1 affine maps. psi is nondecreasing (each layer is a
sum of nondecreasing functions of x); it rises with slope 2 between the flats, psi(t) = 2t - m - 1/2 on
[m + 1/4, m + 3/4].

Proof:
1. Induction on j >= 0 (exact, symbolic in j): if x_j(t) = 2t - j for t >= j + 1/4 (true for j = 0), then layer j + 1
   gives x_{j+1} = 2t - j - 1 for t >= j + 5/4, the constant j + 3/2 on [j + 3/4, j + 5/4], and leaves
   x_{j+1} = x_j on t <= j + 3/4 (there x_j <= x_j(j + 3/4) = j + 3/2 by monotonicity, and layer j + 1 is the
   identity on x <= j + 3/2). Every later layer i = j + 2 + l (l >= 0) is the identity on values <= i + 1/2, so
   the flat value j + 3/2 survives and psi = j + 1 on [(j + 1) - 1/4, (j + 1) + 1/4].
2. For C = 1..10 the net is also checked exactly on every interval between consecutive quarter points of
   [0, C + 1]: every relu has a constant sign there, and psi equals the flat/ramp staircase.
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, reduce_piecewise, relu

Rational = sp.Rational
HALF = Rational(1, 2)


def layer(x: sp.Expr, m: sp.Expr) -> sp.Expr:
    """Layer m of the rounding net: min(x, m + 1/2) + relu(x - m - 3/2), written with two relus."""
    return m + HALF - relu(m + HALF - x) + relu(x - m - Rational(3, 2))


def staircase(t: sp.Expr, q: int) -> sp.Expr:
    """The target on [q/4, (q+1)/4]: flat m around m, slope-2 ramp 2t - m - 1/2 on [m + 1/4, m + 3/4]."""
    m, rest = divmod(q + 1, 4)  # q/4 in [m - 1/4, m + 3/4)
    return sp.Integer(m) if rest in (0, 1) else 2 * t - m - HALF


def check() -> str:
    j = sp.Symbol("j", integer=True, nonnegative=True)
    v, ell = sp.Symbol("v", nonnegative=True), sp.Symbol("l", nonnegative=True)

    def t_of(start: sp.Expr) -> sp.Expr:
        """t written from the left end j + start of a region."""
        return j + start + v

    beyond = {v: (Rational(0), sp.oo)}
    assert_equal(
        reduce_piecewise(layer(2 * t_of(Rational(5, 4)) - j, j + 1), beyond),
        2 * t_of(Rational(5, 4)) - j - 1,
        "x_{j+1} = 2t - (j+1) for t >= j + 5/4",
    )
    flat = {v: (Rational(0), HALF)}
    assert_equal(
        reduce_piecewise(layer(2 * t_of(Rational(3, 4)) - j, j + 1), flat),
        j + Rational(3, 2),
        "x_{j+1} = j + 3/2 on [j + 3/4, j + 5/4]",
    )
    ramp = {v: (Rational(0), HALF)}
    assert_equal(
        reduce_piecewise(layer(2 * t_of(Rational(1, 4)) - j, j + 1), ramp),
        2 * t_of(Rational(1, 4)) - j,
        "layer j + 1 is the identity on the ramp [j + 1/4, j + 3/4]",
    )
    below = {v: (Rational(0), sp.oo)}
    assert_equal(
        reduce_piecewise(layer(j + Rational(3, 2) - v, j + 1), below),
        j + Rational(3, 2) - v,
        "layer j + 1 is the identity on values <= j + 3/2",
    )
    later = {ell: (Rational(0), sp.oo), v: (Rational(0), sp.oo)}
    assert_equal(
        reduce_piecewise(layer(j + Rational(3, 2) - v, j + 2 + ell), later),
        j + Rational(3, 2) - v,
        "later layers keep values <= j + 3/2",
    )
    assert_equal(j + Rational(3, 2) - HALF, j + 1, "psi = x_C - 1/2 = j + 1 on the flat")

    t = sp.Symbol("t", real=True)
    top = 10  # the net for C is the first C layers of the net for top, so one pass checks every C <= top
    checked = 0
    for q in range(4 * top + 4):
        box = {t: (Rational(q, 4), Rational(q + 1, 4))}
        x = 2 * t
        for C in range(1, top + 1):
            x = reduce_piecewise(layer(x, sp.Integer(C)), box)
            if 3 <= q <= 4 * C:  # [q/4, (q+1)/4] inside [3/4, C + 1/4]
                assert_equal(x - HALF, staircase(t, q), f"C = {C}: psi on [{Rational(q, 4)}, {Rational(q + 1, 4)}]")
                checked += 1
    return f"psi(t) = m on [m - 1/4, m + 1/4], m <= C (induction), width 2; exact on {checked} (C, interval) pairs"


if __name__ == "__main__":
    print(check())
