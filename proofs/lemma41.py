"""Lemma 41's squaring net: f_m(t) = t - sum_{s=1..m} h^{(s)}(t)/4^s satisfies 0 <= f_m(t) - t^2 <= 2^{-2m-2} on [0, 1].

Egosi, Yehudai, Shamir (COLT 2025), Lemma 41 (after Yarotsky 2017 and Elbraechter et al. 2019), with the hat
h(t) = 2 relu(t) - 4 relu(t - 1/2) + 2 relu(t - 1) and h^{(s)} its s-fold composition.

Proof:
1. On [0, 1], h(t) = 2t for t <= 1/2 and 2 - 2t for t >= 1/2 (exact case analysis), so h maps every dyadic
   interval of level s + 1 affinely onto one of level s; by induction h^{(s)} is affine on every dyadic interval of
   level s, hence f_m is affine on every interval [j/2^m, (j+1)/2^m].
2. For m = 1..8 this is checked exactly on each of the 2^m intervals (every relu's sign is decided at the interval's
   rational endpoints), and the affine piece found equals the chord of t^2 over the interval; independently,
   f_m(j/2^m) = (j/2^m)^2 at all 2^m + 1 breakpoints, evaluated from the relu formula in exact rationals.
   So f_m is the piecewise-linear interpolant of t^2 at the dyadic points of level m.
3. On an interval [a, a + L] the chord l(t) of t^2 satisfies l(t) - t^2 = (t - a)(a + L - t) and
   L^2/4 - (t - a)(a + L - t) = (t - a - L/2)^2, so 0 <= l(t) - t^2 <= L^2/4, with equality at the midpoint.
   With L = 2^{-m}: 0 <= f_m(t) - t^2 <= 2^{-2m-2}.
4. For every m (not only m <= 8): at a midpoint of level m the level-(m-1) chord exceeds t^2 by
   (2^{-(m-1)})^2/4 = 4^{-m} = h^{(m)}(midpoint)/4^m, and at level-(m-1) points both vanish, which is the
   refinement f_m = f_{m-1} - h^{(m)}/4^m between consecutive interpolants. That h^{(m)} is 1 at odd and 0 at
   even multiples of 2^{-m} follows from h(j/2^{s+1}) = j/2^s (j <= 2^s) or (2^{s+1} - j)/2^s (j >= 2^s): the
   numerator keeps its parity, and h(1/2) = 1, h(0) = h(1) = 0.
"""

from __future__ import annotations

from typing import NamedTuple

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, reduce_piecewise, relu

Rational = sp.Rational
LEVELS = range(1, 9)


class Affine(NamedTuple):
    """t -> slope t + intercept, with exact rational coefficients."""

    slope: sp.Rational
    intercept: sp.Rational

    def at(self, t: sp.Rational) -> sp.Rational:
        return self.slope * t + self.intercept


def relu_on(g: Affine, shift: sp.Rational, lo: sp.Rational, hi: sp.Rational) -> Affine:
    """relu(g - shift) on [lo, hi], exactly; AssertionError if the sign changes inside the interval."""
    a, b = g.at(lo) - shift, g.at(hi) - shift
    if a >= 0 and b >= 0:
        return Affine(g.slope, g.intercept - shift)
    if a <= 0 and b <= 0:
        return Affine(Rational(0), Rational(0))
    raise AssertionError(f"relu({g} - {shift}) changes sign inside [{lo}, {hi}]")


def hat_on(g: Affine, lo: sp.Rational, hi: sp.Rational) -> Affine:
    """h(g(t)) on [lo, hi] as an affine function (2 relu(g) - 4 relu(g - 1/2) + 2 relu(g - 1))."""
    parts = [(2, relu_on(g, Rational(0), lo, hi)), (-4, relu_on(g, Rational(1, 2), lo, hi))]
    parts.append((2, relu_on(g, Rational(1), lo, hi)))
    return Affine(sum(c * p.slope for c, p in parts), sum(c * p.intercept for c, p in parts))


def hat_value(t: sp.Rational) -> sp.Rational:
    """h(t) from the relu formula at an exact point."""
    return 2 * max(t, 0) - 4 * max(t - Rational(1, 2), 0) + 2 * max(t - 1, 0)


def squaring_value(t: sp.Rational, m: int) -> sp.Rational:
    """f_m(t) = t - sum_{s<=m} h^{(s)}(t)/4^s at an exact point."""
    total, g = t, t
    for s in range(1, m + 1):
        g = hat_value(g)
        total -= g / Rational(4) ** s
    return total


def check() -> str:
    t = sp.Symbol("t", real=True)
    hat = 2 * relu(t) - 4 * relu(t - Rational(1, 2)) + 2 * relu(t - 1)
    assert_equal(reduce_piecewise(hat, {t: (Rational(0), Rational(1, 2))}), 2 * t, "h = 2t on [0, 1/2]")
    assert_equal(reduce_piecewise(hat, {t: (Rational(1, 2), Rational(1))}), 2 - 2 * t, "h = 2 - 2t on [1/2, 1]")

    intervals = 0
    for m in LEVELS:
        step = Rational(1, 2**m)
        for j in range(2**m + 1):
            point = j * step
            assert_holds(squaring_value(point, m) == point**2, f"f_{m}({point}) = {point}^2")
        for j in range(2**m):
            lo, hi = j * step, (j + 1) * step
            g, f = Affine(Rational(1), Rational(0)), Affine(Rational(1), Rational(0))
            for s in range(1, m + 1):
                g = hat_on(g, lo, hi)
                f = Affine(f.slope - g.slope / 4**s, f.intercept - g.intercept / 4**s)
            chord = Affine(lo + hi, -lo * hi)  # the line through (lo, lo^2) and (hi, hi^2)
            assert_holds(f == chord, f"f_{m} is the chord of t^2 on [{lo}, {hi}]: got {f}")
            intervals += 1

    a, L = sp.Symbol("a", real=True), sp.Symbol("L", positive=True)
    chord_expr = a**2 + (2 * a + L) * (t - a)
    assert_equal(chord_expr - t**2, (t - a) * (a + L - t), "chord - t^2 = (t - a)(a + L - t)")
    assert_equal(L**2 / 4 - (t - a) * (a + L - t), (t - a - L / 2) ** 2, "L^2/4 - error = (t - a - L/2)^2")
    m = sp.Symbol("m", positive=True, integer=True)
    assert_equal((2 ** (-m)) ** 2 / 4, 2 ** (-2 * m - 2), "L = 2^{-m} gives the bound 2^{-2m-2}")
    assert_equal((2 ** (1 - m)) ** 2 / 4, 4 ** (-m), "level-(m-1) chord error at a level-m midpoint = 4^{-m}")
    j, s = sp.Symbol("j", integer=True, nonnegative=True), sp.Symbol("s", integer=True, nonnegative=True)
    assert_equal(2 * (j / 2 ** (s + 1)), j / 2**s, "h(j/2^{s+1}) = j/2^s on [0, 1/2]")
    assert_equal(2 - 2 * (j / 2 ** (s + 1)), (2 ** (s + 1) - j) / 2**s, "h(j/2^{s+1}) = (2^{s+1} - j)/2^s on [1/2, 1]")
    assert_equal(((2 ** (s + 1) - j) - j) / 2, 2**s - j, "the two numerators differ by an even integer")
    values = (hat_value(Rational(1, 2)), hat_value(Rational(0)), hat_value(Rational(1)))
    assert_holds(values == (1, 0, 0), "h(1/2) = 1, h(0) = h(1) = 0")
    return f"0 <= f_m - t^2 <= 2^(-2m-2); f_m = chord of t^2 on all {intervals} dyadic intervals (m = 1..8)"


if __name__ == "__main__":
    print(check())
