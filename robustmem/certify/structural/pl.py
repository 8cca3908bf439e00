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
* rational non-integer powers psi(x) = c |x|^q, q = a/b > 1 with b <= MAX_DEN and a rational scale c > 0
  (:class:`Power`; Lemma 44's binomial power nets approximate (|x| / Delta)^q, so c ~ Delta^-q).  psi is
  irrational at rational points; :func:`pow_bounds` brackets x^e (x >= 0, e = a/b > 0) between rationals:
  x is rounded to floats X- <= x <= X+ (x^e is increasing), and lo, hi are floats (read exactly) proven by
  lo^b <= X-^a and hi^b >= X+^a, checked in exact rational arithmetic (a float estimate, nudged until the exact
  check passes).  psi is convex and differentiable (q > 1), so on every linear piece [x0, x1] of f (slope s):

  - ``psi - f`` is convex: its maximum is at a window point, bounded above by c hi(|x|^q) - f(x);
  - ``h = f - psi`` is concave: for ANY t in the piece, h(x) <= h(t) + h'(t) (x - t) on the whole piece,
    h'(t) = s - c q sign(t) |t|^(q-1).  With h(t) <= f(t) - c lo(|t|^q) and h'(t) in [dl, dh] (from the
    brackets of |t|^(q-1)): h'(t) (x - t) <= dh (x1 - t) for x >= t and <= dl (x0 - t) for x <= t, so
    max h <= f(t) - c lo(|t|^q) + max(dh (x1 - t), dl (x0 - t)).  t is the float estimate of the stationary
    point sign(s) (|s| / (c q))^(1/(q-1)) clipped to the piece (only tightness depends on it): the bound is off
    by |h'(t)| times the piece's length plus the brackets' widths, a few float ulps;
  - ``min(psi, T) - f`` with a RATIONAL level T <= c R^q (the caller's; :meth:`Power.level` gives one): on
    [-R, R] it is <= psi - f (convex: window points, as above), outside <= T - f (linear: window points).
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

__all__ = ["MAX_DEN", "PL", "Power", "Psi", "combine", "pow_bounds", "psi_power", "psi_value"]

_ZERO = Fraction(0)
#: the largest denominator b of a non-integer exponent q = a/b that :class:`Power` accepts
MAX_DEN = 64


def _float_down(x: Fraction) -> Fraction:
    """The largest float <= x (x >= 0, below the float range's top), read exactly."""
    f = Fraction(float(x))
    return f if f <= x else Fraction(math.nextafter(float(f), 0.0))


def _float_up(x: Fraction) -> Fraction:
    """The smallest float >= x (x >= 0), read exactly."""
    f = Fraction(float(x))
    return f if f >= x else Fraction(math.nextafter(float(f), math.inf))


def _estimate(X: Fraction, e: Fraction) -> float:
    """A float estimate of X^e (X > 0 a float; nan when it leaves the float range)."""
    try:
        v = float(X) ** float(e)
    except OverflowError:
        return math.nan
    return v if 0.0 < v < math.inf else math.nan


@functools.lru_cache(maxsize=1 << 16)
def _float_pow_bounds(X: Fraction, a: int, b: int) -> tuple[Fraction, Fraction]:
    """Floats lo <= X^(a/b) <= hi (read exactly) for a float X > 0, proven by lo^b <= X^a <= hi^b (exact)."""
    target = X**a
    est = _estimate(X, Fraction(a, b))
    if math.isnan(est):  # outside the float range: 0 and the least positive float when that is proven, else
        tiny = Fraction(2) ** -1074  # a crude power (X^(a/b) <= max(1, X)^ceil(a/b))
        return _ZERO, tiny if tiny**b >= target else max(Fraction(1), X) ** -(-a // b)
    lo = hi = est
    step = 2.0**-52  # doubled after every failed check: the brackets end within about twice the estimate's error
    for _ in range(60):
        if Fraction(lo) ** b <= target:
            break
        lo, step = est * (1 - step), 2 * step
    else:  # pragma: no cover - the estimate is off by a few ulps
        lo = 0.0
    lo = max(lo, 0.0)  # (a negative lo, after many failed checks, is a true but useless bound)
    step = 2.0**-52
    for _ in range(60):
        if Fraction(hi) ** b >= target:
            break
        hi, step = est * (1 + step), 2 * step
    else:  # pragma: no cover
        raise ArithmeticError(f"could not bound {float(X)!r}^({a}/{b}) from above")
    return Fraction(lo), Fraction(hi)


def pow_bounds(x: Fraction, e: Fraction) -> tuple[Fraction, Fraction]:
    """Exact rationals lo <= x^e <= hi for a rational x >= 0 and a rational e > 0 with denominator <= MAX_DEN.

    x is rounded to floats X- <= x <= X+ (x^e is increasing in x) and the brackets of X-^e, X+^e are checked
    exactly: lo^b <= X-^a, hi^b >= X+^a (e = a/b); both are within a few float ulps of x^e."""
    if x < 0 or e <= 0 or e.denominator > MAX_DEN:
        raise ValueError(f"pow_bounds needs x >= 0 and an exponent e > 0 with denominator <= {MAX_DEN}, got {x}, {e}")
    if x == 0:
        return _ZERO, _ZERO
    if x >= 2**1000:
        raise ValueError(f"pow_bounds: x = {float(x):.3g} is too large (the brackets use floats)")
    if e.denominator == 1:
        v = x ** int(e)
        return v, v
    a, b = e.numerator, e.denominator
    xd, xu = _float_down(x), _float_up(x)
    lo = _float_pow_bounds(xd, a, b)[0] if xd > 0 else _ZERO
    return lo, _float_pow_bounds(xu, a, b)[1]


@dataclass(frozen=True)
class Power:
    """psi(x) = c |x|^q for a rational q > 1 that is not an integer (denominator <= MAX_DEN) and a rational c > 0."""

    q: Fraction
    c: Fraction

    def __post_init__(self) -> None:
        if not (self.q > 1 and 1 < self.q.denominator <= MAX_DEN and self.c > 0):
            raise ValueError(
                f"psi = c |x|^q needs a non-integer q > 1 with denominator <= {MAX_DEN} and c > 0, "
                f"got q = {self.q}, c = {self.c}"
            )

    def upper(self, x: Fraction) -> Fraction:
        """>= c |x|^q."""
        return self.c * pow_bounds(abs(x), self.q)[1]

    def lower(self, x: Fraction) -> Fraction:
        """<= c |x|^q."""
        return self.c * pow_bounds(abs(x), self.q)[0]

    def level(self, R: Fraction) -> Fraction:
        """A rational T <= c R^q (the saturation level of :meth:`PL.max_saturated_gap`)."""
        return self.lower(R)

    def slope_bounds(self, t: Fraction) -> tuple[Fraction, Fraction]:
        """Rationals (lo, hi) with lo <= psi'(t) = c q sign(t) |t|^(q-1) <= hi."""
        if t == 0:
            return _ZERO, _ZERO
        lo, hi = pow_bounds(abs(t), self.q - 1)
        k = self.c * self.q
        return (k * lo, k * hi) if t > 0 else (-k * hi, -k * lo)

    def stationary(self, s: Fraction, x0: Fraction, x1: Fraction) -> Fraction:
        """A rational t in [x0, x1] near the zero of s - psi'(x) (only tightness depends on it)."""
        try:
            sf = float(s)
            est = math.copysign((abs(sf) / float(self.c * self.q)) ** (1.0 / float(self.q - 1)), sf)
        except (OverflowError, ValueError, ZeroDivisionError):
            est = math.nan
        t = Fraction(est) if math.isfinite(est) else (x0 + x1) / 2
        return min(max(t, x0), x1)


#: |x| ("abs"), x^2 ("square"), |x|^q for an int q >= 1 (q = 1, 2 mean "abs", "square"), or c |x|^q (Power)
Psi = Literal["abs", "square"] | int | Power


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
        bound of the module docstring), or c |x|^q (:class:`Power`: an exact rational upper bound, module
        docstring)."""
        if isinstance(psi, Power):
            xs, ys = self._window(a, b)
            return _max_minus_real(xs, ys, psi) if xs else None
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
        psi = |x|^q; for :class:`Power` an exact rational upper bound, c |x|^q bounded above)."""
        xs, ys = self._window(a, b)
        if not xs:
            return None
        if isinstance(psi, Power):
            return max(psi.upper(x) - y for x, y in zip(xs, ys))
        q = psi_power(psi)
        cand = [psi_value(x, q) - y for x, y in zip(xs, ys)]
        return max(cand)

    def max_saturated_gap(self, psi: Psi, R: Fraction) -> Fraction:
        """max over the whole domain of min(psi(x), psi(R)) - f(x) (R >= 0; exact).

        Inside [-R, R] the gap psi - f is convex on each piece (|x|^q, q >= 2) or linear between kinks (|x|),
        so its maximum is at a breakpoint, at +-R, or (|x|) at 0; outside, psi(R) - f is linear on each piece.
        For :class:`Power` the level is T = ``psi.level(R)`` <= c R^q and the result an exact rational upper bound
        of max (min(c |x|^q, T) - f) (module docstring).
        """
        if isinstance(psi, Power):
            T = psi.level(R)
            inside = [psi.upper(x) - y for x, y in zip(*self._window(-R, R))]
            outside = [T - y for a, b in ((self.xs[0], -R), (R, self.xs[-1])) for y in self._window(a, b)[1]]
            return max(inside + outside)
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


def _max_minus_real(xs: list[Fraction], ys: list[Fraction], psi: Power) -> Fraction:
    """An exact rational upper bound of max (f - c |x|^q) over the window (xs, ys) (module docstring: on each
    piece the tangent of the concave h = f - psi at a rational t, every irrational quantity bounded in the
    direction that raises the bound)."""
    best: Fraction | None = None
    for k in range(len(xs) - 1):
        x0, x1, y0, y1 = xs[k], xs[k + 1], ys[k], ys[k + 1]
        if x1 == x0:
            continue
        s = (y1 - y0) / (x1 - x0)
        t = psi.stationary(s, x0, x1)
        ht = y0 + s * (t - x0) - psi.lower(t)  # >= h(t)
        d_lo, d_hi = psi.slope_bounds(t)
        dl, dh = s - d_hi, s - d_lo  # dl <= h'(t) <= dh
        bound = ht + max(_ZERO, dh * (x1 - t), dl * (x0 - t))  # sup of h'(t) (x - t) over the piece
        best = bound if best is None else max(best, bound)
    if best is None:  # a one-point window
        return ys[0] - psi.lower(xs[0])
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
