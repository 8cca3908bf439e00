"""Radius thresholds of the paper, as ratios sigma/delta (or 2 sigma/delta where the paper says so).

Egosi, Yehudai, Shamir (COLT 2025).  With N >= 2 points in R^d, separation delta (l2, between
differently-labelled points) and perturbation radius sigma in l_p:

===================  ======================================  ==========================================
function             value                                   meaning
===================  ======================================  ==========================================
remark4_radius_limit 1 / (2 c+_p(d))                         Remark 4: every delta-separated set is
                                                             robustly memorizable only if sigma/delta is
                                                             STRICTLY below; Theorem 5 reaches every
                                                             sigma/delta < this at width d + 6.
theorem7_radius      a_{p,d} N^{-2/(k-6)}, 7 <= k <= d+5     Theorem 7: sigma/delta <= this suffices.
remark10_radius      a_{p,d} sqrt(k-6) N^{-2/(k-6)}          Remark 10: what the proof of Thm 7 gives.
theorem8_radius      b_{p,d} N^{-2/k}, 1 <= k <= d-1         Theorem 8: sigma/delta > this is impossible.
theorem18_epsilon    (1/2) sqrt(k/(d e)) N^{-2/k}, k <= d    Theorem 18: 2 sigma/delta <= eps gives a
                                                             projection P with ||P(a-a')|| >= eps||a-a'||.
theorem19_threshold  4832 N^{-2/k}                           Theorem 19: 2 sigma/delta > this defeats
                                                             every linear map to R^k.
===================  ======================================  ==========================================

Each threshold has an exact ``*_expr`` form and a float form; out-of-range arguments raise
:class:`~robustmem.errors.InvalidArgumentError` naming the value and the limit.
"""

from __future__ import annotations

import math

import sympy as sp

from robustmem.bounds._args import ExprLike, check_integer, exact_integer, power, product
from robustmem.bounds.constants import a_pd, a_pd_expr, b_pd, b_pd_expr, c_plus_expr
from robustmem.norms import PLike, c_plus

__all__ = [
    "remark4_radius_limit",
    "remark4_radius_limit_expr",
    "remark10_radius",
    "remark10_radius_expr",
    "theorem7_radius",
    "theorem7_radius_expr",
    "theorem8_radius",
    "theorem8_radius_expr",
    "theorem18_epsilon",
    "theorem18_epsilon_expr",
    "theorem19_threshold",
    "theorem19_threshold_expr",
]

_N_WHY = "a dataset has at least two points"
_K7_WHY = "Theorem 7 needs 7 <= k <= d + 5"
_K8_WHY = "Theorem 8 needs 1 <= k <= d - 1"
_K18_WHY = "Theorem 18 projects R^d onto a k-dimensional subspace, 1 <= k <= d"


def _checked_n_d(N: int, d: int) -> tuple[int, int]:
    return check_integer(N, "N", 2, why=_N_WHY), check_integer(d, "d", 1, why="the dimension is positive")


def _exact_n_d(N: ExprLike, d: ExprLike) -> tuple[sp.Expr, sp.Expr]:
    return exact_integer(N, "N", 2, why=_N_WHY), exact_integer(d, "d", 1, why="the dimension is positive")


def remark4_radius_limit_expr(p: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact 1/(2 c+_p(d)) (Remark 4; also Theorem 5's hypothesis sigma/delta < 1/(2 c+_p(d)))."""
    return product(sp.Rational(1, 2), power(c_plus_expr(p, d), -1))


def remark4_radius_limit(p: PLike, d: int) -> float:
    """1/(2 c+_p(d)): sigma/delta must be STRICTLY below this for every delta-separated set to be
    (sigma, p)-robustly memorizable (Remark 4); Theorem 5 achieves every such ratio at width d + 6.

    >>> remark4_radius_limit(2, 10)
    0.5
    """
    return 1.0 / (2.0 * c_plus(p, d))


def theorem7_radius_expr(N: ExprLike, d: ExprLike, p: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact a_{p,d} N^{-2/(k-6)} (Theorem 7), for 7 <= k <= d + 5."""
    NN, dd = _exact_n_d(N, d)
    kk = exact_integer(k, "k", 7, dd + 5 if dd.is_number else None, _K7_WHY)
    return product(a_pd_expr(p, dd), power(NN, -2 / (kk - 6)))


def theorem7_radius(N: int, d: int, p: PLike, k: int) -> float:
    """Theorem 7: if 7 <= k <= d + 5 and sigma/delta <= a_{p,d} N^{-2/(k-6)}, a width-k ReLU network of
    depth O(N k log k) (sigma, p)-robustly memorizes every delta-separated set of N points in R^d.

    Returns a_{p,d} N^{-2/(k-6)}; raises InvalidArgumentError for N < 2, d < 1 or k outside [7, d + 5].

    >>> round(theorem7_radius(10**6, 100, 2, 30), 6)
    0.002398
    """
    NN, dd = _checked_n_d(N, d)
    kk = check_integer(k, "k", 7, dd + 5, _K7_WHY)
    return a_pd(p, dd) * float(NN) ** (-2.0 / (kk - 6))


def remark10_radius_expr(N: ExprLike, d: ExprLike, p: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact a_{p,d} sqrt(k-6) N^{-2/(k-6)} (Remark 10), for 7 <= k <= d + 5."""
    kk = exact_integer(k, "k", 7, None, _K7_WHY)
    return product(theorem7_radius_expr(N, d, p, k), power(kk - 6, sp.Rational(1, 2)))


def remark10_radius(N: int, d: int, p: PLike, k: int) -> float:
    """Remark 10: the proof of Theorem 7 gives sigma/delta <= a_{p,d} sqrt(k-6) N^{-2/(k-6)}.

    >>> remark10_radius(100, 50, 2, 7) == theorem7_radius(100, 50, 2, 7)
    True
    """
    return theorem7_radius(N, d, p, k) * math.sqrt(k - 6)


def theorem8_radius_expr(N: ExprLike, d: ExprLike, p: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact b_{p,d} N^{-2/k} (Theorem 8), for 1 <= k <= d - 1."""
    NN, dd = _exact_n_d(N, d)
    kk = exact_integer(k, "k", 1, dd - 1 if dd.is_number else None, _K8_WHY)
    return product(b_pd_expr(p, dd), power(NN, -2 / kk))


def theorem8_radius(N: int, d: int, p: PLike, k: int) -> float:
    """Theorem 8: if 1 <= k <= d - 1 and sigma/delta > b_{p,d} N^{-2/k}, some binary delta-separated set of
    N points in R^d is (sigma, p)-robustly memorized by NO width-k ReLU network, of any depth.

    Returns b_{p,d} N^{-2/k} (the ratio must be strictly above it for the impossibility).

    >>> theorem8_radius(2416**2, 10, 2, 4)
    1.0
    """
    NN, dd = _checked_n_d(N, d)
    kk = check_integer(k, "k", 1, dd - 1, _K8_WHY)
    return b_pd(p, dd) * float(NN) ** (-2.0 / kk)


def theorem18_epsilon_expr(N: ExprLike, d: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact eps = (1/2) sqrt(k/(d e)) N^{-2/k} (Theorem 18), for 1 <= k <= d."""
    NN, dd = _exact_n_d(N, d)
    kk = exact_integer(k, "k", 1, dd if dd.is_number else None, _K18_WHY)
    return product(sp.Rational(1, 2), power(kk / dd, sp.Rational(1, 2)), sp.exp(-sp.Rational(1, 2)), power(NN, -2 / kk))


def theorem18_epsilon(N: int, d: int, k: int) -> float:
    """Theorem 18 (robust Johnson-Lindenstrauss): with eps = (1/2) sqrt(k/(d e)) N^{-2/k}, if
    2 sigma/delta <= eps then some orthogonal projection P onto a k-dimensional subspace satisfies
    ||P(a - a')||_2 >= eps ||a - a'||_2 for all a in B_2(x_i, sigma), a' in B_2(x_j, sigma), y_i != y_j.

    Returns eps (compare it with 2 sigma/delta, not sigma/delta).

    >>> round(theorem18_epsilon(2, 1, 1), 6)
    0.075816
    """
    NN, dd = _checked_n_d(N, d)
    kk = check_integer(k, "k", 1, dd, _K18_WHY)
    return 0.5 * math.sqrt(kk / (dd * math.e)) * float(NN) ** (-2.0 / kk)


def theorem19_threshold_expr(N: ExprLike, k: ExprLike) -> sp.Expr:
    """Exact 4832 N^{-2/k} (Theorem 19), for k >= 1."""
    NN = exact_integer(N, "N", 2, why=_N_WHY)
    kk = exact_integer(k, "k", 1, why="the target dimension is positive")
    return product(4832, power(NN, -2 / kk))


def theorem19_threshold(N: int, k: int) -> float:
    """Theorem 19: if 2 sigma/delta > 4832 N^{-2/k}, some binary delta-separated dataset (in a (k+1)-dimensional
    subspace) is (sigma, k)-preserved by NO linear map to R^k.

    Returns 4832 N^{-2/k} (a bound on 2 sigma/delta, not on sigma/delta).

    >>> theorem19_threshold(4832, 2)
    1.0
    """
    NN = check_integer(N, "N", 2, why=_N_WHY)
    kk = check_integer(k, "k", 1, why="the target dimension is positive")
    return 4832.0 * float(NN) ** (-2.0 / kk)
