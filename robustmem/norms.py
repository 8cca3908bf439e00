"""p-norms and the norm-comparison constants c+_p(d), c-_p(d) of the paper.

Notation (Egosi, Yehudai, Shamir 2025, Section 2 and Appendix E):

* c+_p(d) = d^{max(0, 1/2 - 1/p)} and c-_p(d) = d^{min(0, 1/2 - 1/p)}, so that
  B_p(r) is contained in B_2(c+_p(d) r) and B_2(c-_p(d) r) is contained in B_p(r).
* c+-_{p,q}(d) = d^{[1/q - 1/p]_+-} compare l_p balls with l_q balls:
  B_p(r) is contained in B_q(c+_{p,q}(d) r) and B_q(c-_{p,q}(d) r) is contained in B_p(r).

``p`` is a float in (0, inf]; ``math.inf`` stands for the l_inf norm.  The strings "inf" and
"1"/"2" are accepted at the CLI boundary by :func:`parse_p`.
"""

from __future__ import annotations

import math

import numpy as np

from robustmem.errors import InvalidArgumentError

__all__ = ["c_minus", "c_minus_pq", "c_plus", "c_plus_pq", "check_p", "p_name", "parse_p", "pnorm"]

PLike = int | float | str


def check_p(p: PLike, *, name: str = "p", minimum: float = 0.0, allow_equal: bool = False) -> float:
    """Return ``p`` as a float in (minimum, inf], or raise naming the value and the limit."""
    if isinstance(p, str):
        return check_p(parse_p(p), name=name, minimum=minimum, allow_equal=allow_equal)
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"{name} must be a number in (0, inf], got {p!r}")
    value = float(p)
    if math.isnan(value):
        raise InvalidArgumentError(f"{name} must be a number in (0, inf], got nan")
    if value < minimum or (value == minimum and not allow_equal):
        bound = "[" if allow_equal else "("
        raise InvalidArgumentError(f"{name} must lie in {bound}{minimum:g}, inf], got {value!r}")
    return value


def parse_p(text: str) -> float:
    """Parse a norm exponent given as text: '1', '2', '1.5', 'inf'."""
    t = text.strip().lower()
    if t in {"inf", "infinity", "oo"}:
        return math.inf
    try:
        return float(t)
    except ValueError:
        raise InvalidArgumentError(f"cannot read a norm exponent p from {text!r}; use a number or 'inf'") from None


def p_name(p: float) -> str:
    """'inf' for math.inf, else the shortest decimal form ('1', '2', '1.5')."""
    return "inf" if math.isinf(p) else f"{p:g}"


def pnorm(v: np.ndarray, p: float, axis: int = -1) -> np.ndarray:
    """l_p (quasi-)norm of ``v`` along ``axis`` (p in (0, inf])."""
    p = check_p(p)
    a = np.abs(np.asarray(v, dtype=np.float64))
    if math.isinf(p):
        return a.max(axis=axis)
    if p == 1.0:
        return a.sum(axis=axis)
    if p == 2.0:
        return np.sqrt((a * a).sum(axis=axis))
    return (a**p).sum(axis=axis) ** (1.0 / p)


def _exponent(p: float) -> float:
    return 0.0 if math.isinf(p) else 1.0 / p


def c_plus(p: PLike, d: int) -> float:
    """c+_p(d) = d^{max(0, 1/2 - 1/p)}: B_p(r) lies inside B_2(c+_p(d) r)."""
    return c_plus_pq(p, 2.0, d)


def c_minus(p: PLike, d: int) -> float:
    """c-_p(d) = d^{min(0, 1/2 - 1/p)}: B_2(c-_p(d) r) lies inside B_p(r)."""
    return c_minus_pq(p, 2.0, d)


def _check_d(d: int) -> int:
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise InvalidArgumentError(f"the dimension d must be a positive integer, got {d!r}")
    return int(d)


def c_plus_pq(p: PLike, q: PLike, d: int) -> float:
    """c+_{p,q}(d) = d^{max(0, 1/q - 1/p)}: B_p(r) lies inside B_q(c+_{p,q}(d) r) (Appendix E)."""
    p, q, d = check_p(p), check_p(q, name="q"), _check_d(d)
    return float(d) ** max(0.0, _exponent(q) - _exponent(p))


def c_minus_pq(p: PLike, q: PLike, d: int) -> float:
    """c-_{p,q}(d) = d^{min(0, 1/q - 1/p)}: B_q(c-_{p,q}(d) r) lies inside B_p(r) (Appendix E)."""
    p, q, d = check_p(p), check_p(q, name="q"), _check_d(d)
    return float(d) ** min(0.0, _exponent(q) - _exponent(p))
