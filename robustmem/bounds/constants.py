"""The paper's constants: c+-_p(d), c+-_{p,q}(d), a_{p,d}, b_{p,d}, a_{p,q,d}, b_{p,q,d} and the gap b/a.

Egosi, Yehudai, Shamir, "Logarithmic Width Suffices for Robust Memorization" (COLT 2025):

* c+_p(d) = d^{max(0, 1/2 - 1/p)}, c-_p(d) = d^{min(0, 1/2 - 1/p)} (Section 2);
  c+-_{p,q}(d) = d^{[1/q - 1/p]_+-} (Appendix E).
* a_{p,d} = 1/(8 sqrt(e)) d^{-1/2 + min(0, 1/p - 1/2)}  (Theorem 7),
  b_{p,d} = 2416 d^{max(0, 1/p - 1/2)}               (Theorem 8).
* a_{p,q,d} = 1/(8 sqrt(e)) d^{-1/2 + min(0, 1/2 - 1/q) + min(0, 1/p - 1/2)},
  b_{p,q,d} = 2416 d^{max(0, 1/2 - 1/q) + max(0, 1/p - 1/2)}  (Appendix E, separation in l_q).
* b_{p,d} / a_{p,d} = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|}  (the gap between Theorems 7 and 8).

Each constant comes twice: ``name_expr`` builds the exact sympy expression (``sqrt(E)`` for sqrt(e),
``oo`` for p = inf, a float p read as the short rational it rounds from, see
:func:`robustmem.bounds._args.exact_p`) and ``name`` evaluates it in float64
from the comparison constants of :mod:`robustmem.norms`.  The tests check that the two agree.
"""

from __future__ import annotations

import math

import sympy as sp

from robustmem.bounds._args import ExprLike, exact_integer, exact_p, power, product
from robustmem.norms import PLike, c_minus, c_plus, check_p

__all__ = [
    "a_pd",
    "a_pd_expr",
    "a_pqd",
    "a_pqd_expr",
    "b_pd",
    "b_pd_expr",
    "b_pqd",
    "b_pqd_expr",
    "c_minus_expr",
    "c_minus_pq_expr",
    "c_plus_expr",
    "c_plus_pq_expr",
    "gap_ratio",
    "gap_ratio_expr",
]

_HALF = sp.Rational(1, 2)
_A_FACTOR = 1 / (8 * sp.sqrt(sp.E))


def _d(d: ExprLike) -> sp.Expr:
    return exact_integer(d, "d", 1, why="the dimension is a positive integer")


def c_plus_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact c+_p(d) = d^{max(0, 1/2 - 1/p)}: B_p(r) lies inside B_2(c+_p(d) r) (Section 2).

    >>> c_plus_expr(sp.oo, 4)
    2
    """
    return c_plus_pq_expr(p, 2, d)


def c_minus_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact c-_p(d) = d^{min(0, 1/2 - 1/p)}: B_2(c-_p(d) r) lies inside B_p(r) (Section 2).

    >>> c_minus_expr(1, 4)
    1/2
    """
    return c_minus_pq_expr(p, 2, d)


def c_plus_pq_expr(p: ExprLike, q: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact c+_{p,q}(d) = d^{max(0, 1/q - 1/p)}: B_p(r) lies inside B_q(c+_{p,q}(d) r) (Appendix E)."""
    return power(_d(d), sp.Max(0, 1 / exact_p(q, "q") - 1 / exact_p(p)))


def c_minus_pq_expr(p: ExprLike, q: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact c-_{p,q}(d) = d^{min(0, 1/q - 1/p)}: B_q(c-_{p,q}(d) r) lies inside B_p(r) (Appendix E)."""
    return power(_d(d), sp.Min(0, 1 / exact_p(q, "q") - 1 / exact_p(p)))


def a_pd_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact a_{p,d} = 1/(8 sqrt(e)) d^{-1/2 + min(0, 1/p - 1/2)}, the constant of Theorem 7.

    Equivalently 1/(2 c+_p(d) sqrt(16 e d)).

    >>> a_pd_expr(2, 4)
    exp(-1/2)/16
    """
    return product(_A_FACTOR, power(_d(d), -_HALF + sp.Min(0, 1 / exact_p(p) - _HALF)))


def a_pd(p: PLike, d: int) -> float:
    """a_{p,d} = 1/(8 sqrt(e)) d^{-1/2 + min(0, 1/p - 1/2)} = 1/(8 c+_p(d) sqrt(e d)) (Theorem 7).

    >>> round(a_pd(2, 1), 6)
    0.075816
    """
    cp = c_plus(p, d)
    return 1.0 / (8.0 * math.sqrt(math.e * d) * cp)


def b_pd_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact b_{p,d} = 2416 d^{max(0, 1/p - 1/2)}, the constant of Theorem 8 (= 4832 / (2 c-_p(d))).

    >>> b_pd_expr(1, 4)
    4832
    """
    return product(2416, power(_d(d), sp.Max(0, 1 / exact_p(p) - _HALF)))


def b_pd(p: PLike, d: int) -> float:
    """b_{p,d} = 2416 d^{max(0, 1/p - 1/2)} = 2416 / c-_p(d) (Theorem 8).

    >>> b_pd(1, 4)
    4832.0
    """
    return 2416.0 / c_minus(p, d)


def a_pqd_expr(p: ExprLike, q: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact a_{p,q,d} = 1/(8 sqrt e) d^{-1/2 + min(0, 1/2 - 1/q) + min(0, 1/p - 1/2)} (Appendix E)."""
    dd = _d(d)
    exponent = -_HALF + sp.Min(0, _HALF - 1 / exact_p(q, "q")) + sp.Min(0, 1 / exact_p(p) - _HALF)
    return product(_A_FACTOR, power(dd, exponent))


def a_pqd(p: PLike, q: PLike, d: int) -> float:
    """a_{p,q,d} = c-_q(d) / (8 c+_p(d) sqrt(e d)): Theorem 7's constant for l_q separation (Appendix E)."""
    cq, cp = c_minus(check_p(q, name="q"), d), c_plus(p, d)
    return cq / (8.0 * math.sqrt(math.e * d) * cp)


def b_pqd_expr(p: ExprLike, q: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact b_{p,q,d} = 2416 d^{max(0, 1/2 - 1/q) + max(0, 1/p - 1/2)} (Appendix E)."""
    dd = _d(d)
    exponent = sp.Max(0, _HALF - 1 / exact_p(q, "q")) + sp.Max(0, 1 / exact_p(p) - _HALF)
    return product(2416, power(dd, exponent))


def b_pqd(p: PLike, q: PLike, d: int) -> float:
    """b_{p,q,d} = 2416 c+_q(d) / c-_p(d): Theorem 8's constant for l_q separation (Appendix E)."""
    return 2416.0 * c_plus(check_p(q, name="q"), d) / c_minus(p, d)


def gap_ratio_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact gap b_{p,d} / a_{p,d} = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|} (Section 4.2, after Corollary 9).

    The identity with the quotient of :func:`b_pd_expr` and :func:`a_pd_expr` is proved in
    proofs/gap_identity.py.
    """
    dd = _d(d)
    return product(19328, sp.sqrt(sp.E), power(dd, _HALF), power(dd, sp.Abs(_HALF - 1 / exact_p(p))))


def gap_ratio(p: PLike, d: int) -> float:
    """The gap b_{p,d} / a_{p,d} = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|}, evaluated directly (not as a quotient).

    >>> round(gap_ratio(2, 1), 3)
    31866.485
    """
    pv = check_p(p)
    inv_p = 0.0 if math.isinf(pv) else 1.0 / pv
    dv = float(exact_integer(d, "d", 1))
    return 19328.0 * math.sqrt(math.e) * math.sqrt(dv) * dv ** abs(0.5 - inv_p)
