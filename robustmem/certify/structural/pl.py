"""Exact piecewise-linear functions of one variable, in rational arithmetic (the structural certifier's calculus).

A one-dimensional ReLU network with rational weights computes a continuous piecewise-linear function.  On a
bounded interval it is determined by its breakpoints and the values there; :class:`PL` stores both as
:class:`fractions.Fraction` and implements exactly what the certifier needs:

* affine combinations of functions on the same interval and ``relu`` (a new breakpoint at every sign change),
  so that a sub-network can be pushed through neuron by neuron;
* extrema on a sub-interval of ``f``, ``f - x^2``, ``f - |x|`` and ``min(psi(x), T) - f`` with psi = |x| or
  x^2.  Why checking finitely many points is a proof: on a linear piece ``f - |x|`` is linear where x keeps
  its sign (extrema at the piece's ends and at 0), ``f - x^2`` is concave (its maximum is at the vertex
  x* = slope / 2 when x* lies in the piece, else at an end; the vertex is rational), and ``x^2 - f`` is
  convex (its maximum is at an end).  Every candidate point is rational, so every extremum is exact.
* the same for integer powers psi(x) = |x|^q, q >= 3 (``psi=q``, an int), rational at rational x:
  ``psi - f`` is convex on each piece (``max_psi_minus`` and ``max_saturated_gap`` stay exact: window points
  only), and ``h = f - psi`` is concave on each piece but its stationary point x* = sign(s) (|s| / q)^(1/(q-1))
  (s the piece's slope) is irrational in general.  ``max_minus_psi`` then returns an exact rational UPPER
  bound: where h' changes sign inside the piece [x0, x1] (h'(x0) > 0 > h'(x1), decided exactly), a rational t
  in the piece near x* (a float estimate of x* read exactly, clipped to the piece) gives the tangent
  l(x) = h(t) + h'(t) (x - t) >= h(x) (concavity), so max h <= max(l(x0), l(x1)) = h(t) + |h'(t)| dist, dist
  the distance from t to the end towards which l rises; since h(t) <= max h, the bound is off by at most
  |h'(t)| dist, about q (q - 1) |x*|^(q-2) |t - x*| (x1 - x0), i.e. a few float ulps.  Elsewhere h is monotone
  on the piece and its maximum is exact, at an end.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal

__all__ = ["PL", "Psi", "combine", "psi_power", "psi_value"]

#: |x| ("abs"), x^2 ("square") or |x|^q for an int q >= 1 (q = 1, 2 mean "abs", "square")
Psi = Literal["abs", "square"] | int
_ZERO = Fraction(0)


def psi_power(psi: Psi) -> int:
    """The exponent q of psi(x) = |x|^q: 1 for "abs", 2 for "square", an int q >= 1 as given."""
    if psi == "abs":
        return 1
    if psi == "square":
        return 2
    if isinstance(psi, bool) or not isinstance(psi, int) or psi < 1:
        raise ValueError(f"psi must be 'abs', 'square' or an integer exponent q >= 1, got {psi!r}")
    return psi


def psi_value(x: Fraction, q: int) -> Fraction:
    """|x|^q, exact."""
    return abs(x) if q == 1 else (x * x if q == 2 else abs(x) ** q)


def _dpsi(x: Fraction, q: int) -> Fraction:
    """d/dx |x|^q = q x |x|^(q-2) (q >= 2), exact."""
    return q * x * abs(x) ** (q - 2)


def _near_stationary(s: Fraction, q: int, x0: Fraction, x1: Fraction) -> Fraction:
    """A rational t in [x0, x1] near x* = sign(s) (|s| / q)^(1/(q-1)), the zero of s - q x |x|^(q-2).

    Any t in the piece gives a sound tangent bound; this one is the float estimate of x* read exactly (a
    Fraction of a float), or the midpoint when the estimate is not finite.  Not used for soundness."""
    try:
        sf = float(s)
        est = math.copysign((abs(sf) / q) ** (1.0 / (q - 1)), sf)
    except (OverflowError, ValueError, ZeroDivisionError):
        est = math.nan
    t = Fraction(est) if math.isfinite(est) else (x0 + x1) / 2
    return min(max(t, x0), x1)


class PL:
    """A continuous piecewise-linear function on [xs[0], xs[-1]] given by breakpoints and values (exact)."""

    __slots__ = ("_mm", "xs", "ys")

    def __init__(self, xs: Sequence[Fraction], ys: Sequence[Fraction]):
        if len(xs) != len(ys) or len(xs) < 2:
            raise ValueError(f"a piecewise-linear function needs >= 2 breakpoints and one value each, got {len(xs)}")
        self.xs = list(xs)
        self.ys = list(ys)
        self._mm: tuple[Fraction, Fraction] | None = None

    def _minmax(self) -> tuple[Fraction, Fraction]:
        if self._mm is None:
            self._mm = (min(self.ys), max(self.ys))
        return self._mm

    @staticmethod
    def affine(slope: Fraction, const: Fraction, lo: Fraction, hi: Fraction) -> PL:
        """x -> slope x + const on [lo, hi]."""
        if not lo < hi:
            raise ValueError(f"empty interval [{lo}, {hi}]")
        return PL([lo, hi], [slope * lo + const, slope * hi + const])

    @property
    def lo(self) -> Fraction:
        return self.xs[0]

    @property
    def hi(self) -> Fraction:
        return self.xs[-1]

    @property
    def pieces(self) -> int:
        return len(self.xs) - 1

    def __call__(self, x: Fraction) -> Fraction:
        xs = self.xs
        if not xs[0] <= x <= xs[-1]:
            raise ValueError(f"{float(x)} is outside the domain [{float(xs[0])}, {float(xs[-1])}]")
        k = min(max(bisect.bisect_right(xs, x) - 1, 0), len(xs) - 2)
        x0, x1, y0, y1 = xs[k], xs[k + 1], self.ys[k], self.ys[k + 1]
        return y0 + (y1 - y0) * (x - x0) / (x1 - x0)

    def scaled(self, c: Fraction) -> PL:
        return self if c == 1 else PL(self.xs, [c * y for y in self.ys])

    def relu(self) -> PL:
        """x -> max(f(x), 0), with a breakpoint inserted at every sign change (exact)."""
        xs, ys = self.xs, self.ys
        if self._minmax()[0] >= 0:
            return self
        ox, oy = [xs[0]], [max(ys[0], _ZERO)]
        for k in range(len(xs) - 1):
            x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
            if (y0 < 0 < y1) or (y1 < 0 < y0):
                ox.append(x0 + (x1 - x0) * (-y0) / (y1 - y0))
                oy.append(_ZERO)
            ox.append(x1)
            oy.append(max(y1, _ZERO))
        return PL(ox, oy).simplified()

    def simplified(self) -> PL:
        """The same function without breakpoints where the slope does not change."""
        xs, ys = self.xs, self.ys
        ox, oy = [xs[0]], [ys[0]]
        for k in range(1, len(xs) - 1):
            # keep xs[k] when the slopes (ys[k]-oy[-1])/(xs[k]-ox[-1]) and (ys[k+1]-ys[k])/(xs[k+1]-xs[k]) differ
            if (ys[k] - oy[-1]) * (xs[k + 1] - xs[k]) != (ys[k + 1] - ys[k]) * (xs[k] - ox[-1]):
                ox.append(xs[k])
                oy.append(ys[k])
        ox.append(xs[-1])
        oy.append(ys[-1])
        return PL(ox, oy) if len(ox) < len(xs) else self

    # ----- extrema (exact) -----
    def _window(self, a: Fraction, b: Fraction) -> tuple[list[Fraction], list[Fraction]]:
        """Breakpoints and values of f restricted to [a, b] (a, b clipped to the domain; both ends included)."""
        a, b = max(a, self.xs[0]), min(b, self.xs[-1])
        if a > b:
            return [], []
        i = bisect.bisect_right(self.xs, a)
        j = bisect.bisect_left(self.xs, b)
        xs = [a] + self.xs[i:j] + [b]
        ys = [self(a)] + self.ys[i:j] + [self(b)]
        return xs, ys

    def max_on(self, a: Fraction, b: Fraction) -> Fraction | None:
        """max of f on [a, b] (None when [a, b] misses the domain)."""
        if a <= self.xs[0] and self.xs[-1] <= b:
            return self._minmax()[1]
        _, ys = self._window(a, b)
        return max(ys) if ys else None

    def min_on(self, a: Fraction, b: Fraction) -> Fraction | None:
        if a <= self.xs[0] and self.xs[-1] <= b:
            return self._minmax()[0]
        _, ys = self._window(a, b)
        return min(ys) if ys else None

    def max_abs(self) -> Fraction:
        lo, hi = self._minmax()
        return max(hi, -lo)

    def max_minus_psi(self, a: Fraction, b: Fraction, psi: Psi) -> Fraction | None:
        """max over [a, b] of f(x) - psi(x), psi(x) = |x| or x^2 (exact; see the module docstring), or |x|^q
        for an int q >= 3 (an exact rational upper bound of the max, tight to a few float ulps: the tangent
        bound of the module docstring)."""
        q = psi_power(psi)
        if q <= 2:
            psi = "abs" if q == 1 else "square"
        xs, ys = self._window(a, b)
        if not xs:
            return None
        if q >= 3:
            return _max_minus_power(xs, ys, q)
        if psi == "abs":
            cand = [y - abs(x) for x, y in zip(xs, ys)]
            if xs[0] < 0 < xs[-1]:
                cand.append(self(_ZERO))
            return max(cand)
        best = max(y - x * x for x, y in zip(xs, ys))
        for k in range(len(xs) - 1):
            x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
            if x1 == x0:
                continue
            s = (y1 - y0) / (x1 - x0)
            v = s / 2  # vertex of the concave parabola y0 + s (x - x0) - x^2
            if x0 < v < x1:
                best = max(best, y0 + s * (v - x0) - v * v)
        return best

    def max_psi_minus(self, a: Fraction, b: Fraction, psi: Psi) -> Fraction | None:
        """max over [a, b] of psi(x) - f(x) (convex on each piece: attained at a window point; exact for every
        psi = |x|^q)."""
        q = psi_power(psi)
        xs, ys = self._window(a, b)
        if not xs:
            return None
        cand = [psi_value(x, q) - y for x, y in zip(xs, ys)]
        return max(cand)

    def max_saturated_gap(self, psi: Psi, R: Fraction) -> Fraction:
        """max over the whole domain of min(psi(x), psi(R)) - f(x) (R >= 0; exact).

        Inside [-R, R] the gap psi - f is convex on each piece (|x|^q, q >= 2) or linear between kinks (|x|),
        so its maximum is at a breakpoint, at +-R, or (|x|) at 0; outside, psi(R) - f is linear on each piece.
        """
        q = psi_power(psi)
        T = psi_value(R, q)
        cand = []
        for x, y in zip(*self._window(-R, R)):
            cand.append(psi_value(x, q) - y)
        if q == 1 and self.xs[0] < 0 < self.xs[-1] and -R < 0 < R:
            cand.append(-self(_ZERO))
        for a, b in ((self.xs[0], -R), (R, self.xs[-1])):
            _, ys = self._window(a, b)
            cand.extend(T - y for y in ys)
        return max(cand)


def _max_minus_power(xs: list[Fraction], ys: list[Fraction], q: int) -> Fraction:
    """An exact rational upper bound of max (f - |x|^q) over the window (xs, ys), q >= 3 (module docstring).

    Window points give exact values (the max is one of them unless h = f - psi peaks inside a piece); on a piece
    where h'(x0) > 0 > h'(x1) the tangent of the concave h at a rational t near the stationary point bounds h
    from above on the whole piece, so its larger end value bounds the max there."""
    pw = [psi_value(x, q) for x in xs]
    best = max(y - v for y, v in zip(ys, pw))
    dp = [_dpsi(x, q) for x in xs]
    for k in range(len(xs) - 1):
        x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
        if x1 == x0:
            continue
        s = (y1 - y0) / (x1 - x0)
        if not (s - dp[k] > 0 > s - dp[k + 1]):
            continue  # h' does not change sign inside: h is monotone on the piece, its max is at an end
        t = _near_stationary(s, q, x0, x1)
        ht = y0 + s * (t - x0) - psi_value(t, q)
        dt = s - _dpsi(t, q)  # h'(t); l(x) = ht + dt (x - t) >= h(x) on the piece (h concave there)
        best = max(best, ht + (dt * (x1 - t) if dt > 0 else dt * (x0 - t)))
    return best


def combine(terms: Sequence[tuple[Fraction, PL]], const: Fraction = _ZERO) -> PL:
    """const + sum_k c_k f_k for functions on one common interval (exact; breakpoints: the union)."""
    if not terms:
        raise ValueError("combine needs at least one function (it fixes the interval)")
    lo, hi = terms[0][1].lo, terms[0][1].hi
    for _, f in terms:
        if f.lo != lo or f.hi != hi:
            raise ValueError("combine: functions live on different intervals")
    first = terms[0][1].xs
    if all(f.xs is first or f.xs == first for _, f in terms):
        xs = first
        ys = [const] * len(xs)
        for c, f in terms:
            if c == 1:
                ys = [s + v for s, v in zip(ys, f.ys)]
            elif c != 0:
                ys = [s + c * v for s, v in zip(ys, f.ys)]
        return PL(xs, ys).simplified()
    xs = sorted(set().union(*(f.xs for _, f in terms)))
    ys = [const] * len(xs)
    for c, f in terms:
        if c == 0:
            continue
        vals = _values_at(f, xs)
        ys = [s + c * v for s, v in zip(ys, vals)]
    return PL(xs, ys).simplified()


def _values_at(f: PL, xs: list[Fraction]) -> list[Fraction]:
    """f at every point of the sorted list xs (a superset of f's breakpoints), by one walk."""
    out = []
    k = 0
    fx, fy = f.xs, f.ys
    last = len(fx) - 2
    for x in xs:
        while k < last and fx[k + 1] <= x:
            k += 1
        x0, x1 = fx[k], fx[k + 1]
        if x == x0:
            out.append(fy[k])
        elif x == x1:
            out.append(fy[k + 1])
        else:
            out.append(fy[k] + (fy[k + 1] - fy[k]) * (x - x0) / (x1 - x0))
    return out
