"""Appendix E's thresholds for (delta, q)-separated data (Definition 30), exact (sympy) and in float64.

Egosi, Yehudai, Shamir (COLT 2025), Appendix E.  Separation is measured in l_q, q in [1, inf] (a norm:
Definition 30 needs the triangle inequality), robustness in l_p, p in (0, inf]:

=========================  =============================================  ===================================
function                   value                                          meaning
=========================  =============================================  ===================================
appendix_e_radius_limit    1 / (2 c+_{p,q}(d))                            sigma/delta_q must stay STRICTLY
                                                                          below (Theorems 31-33, Prop. 34)
appendix_e_lambda          (1 - 2 c+_{p,q}(d) sigma/delta_q)^{-1}         the lambda of Theorems 31, 32
theorem35_radius           a_{p,q,d} N^{-2/(k-6)}, 7 <= k <= d + 5        Theorem 35: sigma/delta_q <= this
                                                                          suffices at width k
theorem36_radius           b_{p,q,d} N^{-2/k}, 1 <= k <= d - 1            Theorem 36: sigma/delta_q > this
                                                                          defeats every width-k network
proposition34_depth_scale  (C Delta / (delta_q - 2 c+_{p,q}(d) sigma))^{d+1}  Proposition 34's depth, up to
                                                                          its O(.) constant
=========================  =============================================  ===================================

a_{p,q,d} and b_{p,q,d} are :func:`~robustmem.bounds.constants.a_pqd` / :func:`~robustmem.bounds.constants.b_pqd`
(a_{p,d} c-_{q,2}(d) and b_{p,d} c+_{q,2}(d), the paper's scalings after Theorem 36).
"""

from __future__ import annotations

import math

import sympy as sp

from robustmem.bounds._args import ExprLike, check_integer, check_ratio, exact_integer, exact_p, power, product
from robustmem.bounds.constants import a_pqd, a_pqd_expr, b_pqd, b_pqd_expr, c_plus_pq_expr
from robustmem.errors import InvalidArgumentError
from robustmem.norms import PLike, c_plus_pq, check_p, p_name

__all__ = [
    "appendix_e_lambda",
    "appendix_e_radius_limit",
    "appendix_e_radius_limit_expr",
    "check_q",
    "proposition34_depth_scale",
    "theorem35_radius",
    "theorem35_radius_expr",
    "theorem36_radius",
    "theorem36_radius_expr",
]

_N_WHY = "a dataset has at least two points"
_K35_WHY = "Theorem 35 needs 7 <= k <= d + 5"
_K36_WHY = "Theorem 36 needs 1 <= k <= d - 1"


def check_q(q: PLike) -> float:
    """The separation norm q of Definition 30 as a float in [1, inf], or an error naming it.

    >>> check_q("inf"), check_q(1)
    (inf, 1.0)
    """
    value = check_p(q, name="q")
    if value < 1.0:
        raise InvalidArgumentError(
            f"the separation norm q must lie in [1, inf] (Definition 30: l_q must be a norm), got q = {value!r}"
        )
    return value


def _exact_q(q: ExprLike) -> sp.Expr:
    e = exact_p(q, "q")
    if e.is_number and e < 1:
        raise InvalidArgumentError(f"the separation norm q must lie in [1, inf] (Definition 30), got q = {e}")
    return e


def appendix_e_radius_limit_expr(p: ExprLike, q: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact 1 / (2 c+_{p,q}(d)) (Appendix E's admissible range of sigma/delta_q)."""
    return product(sp.Rational(1, 2), power(c_plus_pq_expr(p, _exact_q(q), d), -1))


def appendix_e_radius_limit(p: PLike, q: PLike, d: int) -> float:
    """1 / (2 c+_{p,q}(d)): robust memorization of EVERY (delta, q)-separated set needs sigma/delta strictly below.

    >>> appendix_e_radius_limit(2, "inf", 4), appendix_e_radius_limit("inf", 2, 4)
    (0.5, 0.25)
    """
    return 1.0 / (2.0 * c_plus_pq(p, check_q(q), d))


def appendix_e_lambda(sigma_over_delta: float, p: PLike, q: PLike, d: int) -> float:
    """lambda = (1 - 2 c+_{p,q}(d) sigma/delta)^{-1} of Theorems 31 and 32 (>= 1; error outside the range).

    >>> appendix_e_lambda(0.25, 2, 2, 3)
    2.0
    """
    ratio = check_ratio(sigma_over_delta)
    gap = 1.0 - 2.0 * c_plus_pq(p, check_q(q), d) * ratio
    if not gap > 0:
        raise InvalidArgumentError(
            f"sigma/delta = {ratio!r} is not below 1/(2 c+_{{p,q}}(d)) = {appendix_e_radius_limit(p, q, d)!r} "
            f"(p = {p_name(check_p(p))}, q = {p_name(check_q(q))}, d = {d}): lambda is undefined"
        )
    return 1.0 / gap


def theorem35_radius_expr(N: ExprLike, d: ExprLike, p: ExprLike, q: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact a_{p,q,d} N^{-2/(k-6)} (Theorem 35), for 7 <= k <= d + 5."""
    NN = exact_integer(N, "N", 2, why=_N_WHY)
    dd = exact_integer(d, "d", 1, why="the dimension is positive")
    kk = exact_integer(k, "k", 7, dd + 5 if dd.is_number else None, _K35_WHY)
    return product(a_pqd_expr(p, _exact_q(q), dd), power(NN, -2 / (kk - 6)))


def theorem35_radius(N: int, d: int, p: PLike, q: PLike, k: int) -> float:
    """Theorem 35: for 7 <= k <= d + 5 and sigma/delta_q <= a_{p,q,d} N^{-2/(k-6)}, a width-k network of depth
    O(N k log k) (sigma, p)-robustly memorizes every (delta_q, q)-separated set of N points in R^d.

    >>> theorem35_radius(100, 20, 2, 2, 10) == theorem35_radius(100, 20, 2, 3, 10)
    True
    """
    NN = check_integer(N, "N", 2, why=_N_WHY)
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    kk = check_integer(k, "k", 7, dd + 5, _K35_WHY)
    return a_pqd(p, check_q(q), dd) * float(NN) ** (-2.0 / (kk - 6))


def theorem36_radius_expr(N: ExprLike, d: ExprLike, p: ExprLike, q: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact b_{p,q,d} N^{-2/k} (Theorem 36), for 1 <= k <= d - 1."""
    NN = exact_integer(N, "N", 2, why=_N_WHY)
    dd = exact_integer(d, "d", 1, why="the dimension is positive")
    kk = exact_integer(k, "k", 1, dd - 1 if dd.is_number else None, _K36_WHY)
    return product(b_pqd_expr(p, _exact_q(q), dd), power(NN, -2 / kk))


def theorem36_radius(N: int, d: int, p: PLike, q: PLike, k: int) -> float:
    """Theorem 36: for 1 <= k <= d - 1 and sigma/delta_q > b_{p,q,d} N^{-2/k}, some binary (delta_q, q)-separated
    set of N points in R^d is (sigma, p)-robustly memorized by NO width-k network.

    >>> theorem36_radius(2416**2, 10, 2, 2, 4)
    1.0
    """
    NN = check_integer(N, "N", 2, why=_N_WHY)
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    kk = check_integer(k, "k", 1, dd - 1, _K36_WHY)
    return b_pqd(p, check_q(q), dd) * float(NN) ** (-2.0 / kk)


def proposition34_depth_scale(C: int, Delta: float, delta: float, sigma: float, p: PLike, q: PLike, d: int) -> float:
    """(C Delta / (delta - 2 c+_{p,q}(d) sigma))^{d+1}: Proposition 34's depth up to its O(.) constant (inf when
    sigma is at or beyond the limit).

    >>> proposition34_depth_scale(2, 1.0, 1.0, 0.25, 2, 2, 1)
    16.0
    """
    CC = check_integer(C, "C", 1, why="labels are 1..C")
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    for name, v in (("Delta", Delta), ("delta", delta), ("sigma", sigma)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v >= 0):
            raise InvalidArgumentError(f"{name} must be a finite number >= 0, got {v!r}")
    gap = delta - 2.0 * c_plus_pq(p, check_q(q), dd) * sigma
    if not gap > 0:
        return math.inf
    return (CC * Delta / gap) ** (dd + 1)
