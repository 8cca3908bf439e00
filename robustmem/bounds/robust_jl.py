"""Appendix D: how much a random orthogonal projection can shrink a vector, and Theorem 18's union bound.

For u uniform on the unit sphere S^{d-1} and a fixed orthogonal projection P of rank k < d (equivalently, a
fixed unit u and a Haar-random rank-k projection), ||P u||_2^2 ~ Beta(k/2, (d-k)/2), so

    P(||P u||_2 <= r) = I_{r^2}(k/2, (d-k)/2)        (regularized incomplete beta; Appendix D).

For k = d the projection is the identity and the probability is 1 if r >= 1, else 0.

Bounds used for Theorem 18 (Egosi, Yehudai, Shamir, COLT 2025):

* Dasgupta and Gupta (2003), Lemma 2.2(a): for 0 < beta < 1,
  P(||P u||^2 <= beta k/d) <= beta^{k/2} (1 + (1-beta) k/(d-k))^{(d-k)/2} <= (beta e^{1-beta})^{k/2} <= (e beta)^{k/2};
  in the radius r = sqrt(beta k/d) the last form is (e r^2 d/k)^{k/2} (:func:`projection_small_ball_bound`).
* At r = 2 eps with eps = theorem18_epsilon(N, d, k), (e r^2 d/k)^{k/2} = N^{-2}; with at most N(N-1)/2
  differently-labelled pairs the union bound is (N-1)/(2N) < 1/2, so a good projection exists.
* Cap geometry (proofs/theorem18_cap.py): if sin(theta) = 2 sigma/||x_i - x_j|| <= s, every direction of
  a - a' lies in the cap of angular radius theta around z = (x_i - x_j)/||x_i - x_j||, and
  min over the cap of ||P w|| >= eps  iff  ||P z|| >= eps sqrt(1 - s^2) + s sqrt(1 - eps^2)
  (:func:`cap_projection_threshold`); at s = eps this is 2 eps sqrt(1 - eps^2) <= 2 eps.
"""

from __future__ import annotations

import math

import sympy as sp
from scipy import special

from robustmem.bounds._args import ExprLike, check_integer, exact, exact_integer
from robustmem.bounds.radii import theorem18_epsilon, theorem18_epsilon_expr
from robustmem.errors import InvalidArgumentError

__all__ = [
    "cap_projection_threshold",
    "cap_projection_threshold_expr",
    "dasgupta_gupta_bound",
    "dasgupta_gupta_bound_expr",
    "pair_union_bound",
    "projection_cdf",
    "projection_cdf_expr",
    "projection_small_ball_bound",
    "projection_small_ball_bound_expr",
    "theorem18_exact_union_bound",
    "theorem18_union_bound",
    "theorem18_union_bound_expr",
]


def _k_d(k: int, d: int) -> tuple[int, int]:
    dd = check_integer(d, "d", 1, why="the dimension is positive")
    return check_integer(k, "k", 1, dd, "a rank-k projection of R^d needs 1 <= k <= d"), dd


def _radius(r: float) -> float:
    if isinstance(r, bool) or not isinstance(r, (int, float)) or math.isnan(r) or r < 0:
        raise InvalidArgumentError(f"the radius r must be a number >= 0, got {r!r}")
    return float(r)


def projection_cdf(r: float, k: int, d: int) -> float:
    """P(||P u||_2 <= r) = I_{r^2}(k/2, (d-k)/2) for u uniform on S^{d-1}, P a rank-k orthogonal projection
    (Appendix D); the identity's step function when k = d.

    >>> projection_cdf(1.0, 1, 3) == 1.0 and abs(projection_cdf(0.5, 1, 3) - 0.5) < 1e-15
    True
    """
    kk, dd = _k_d(k, d)
    rr = _radius(r)
    if kk == dd:
        return 1.0 if rr >= 1.0 else 0.0
    return float(special.betainc(kk / 2.0, (dd - kk) / 2.0, min(rr * rr, 1.0)))


def _beta_function(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)


def _regularized_beta(x: sp.Expr, a: sp.Rational, b: sp.Rational) -> sp.Expr:
    """Exact I_x(a, b) for a, b in {1/2, 1, 3/2, ...}, built from the four base cases by
    I_x(a, b+1) = I_x(a, b) + x^a (1-x)^b / (b B(a, b)) and I_x(a+1, b) = I_x(a, b) - x^a (1-x)^b / (a B(a, b))."""
    half = sp.Rational(1, 2)
    a0 = half if (2 * a) % 2 else sp.Integer(1)
    b0 = half if (2 * b) % 2 else sp.Integer(1)
    base = {
        (half, half): 2 / sp.pi * sp.asin(sp.sqrt(x)),
        (half, sp.Integer(1)): sp.sqrt(x),
        (sp.Integer(1), half): 1 - sp.sqrt(1 - x),
        (sp.Integer(1), sp.Integer(1)): x,
    }[(a0, b0)]
    value, aa, bb = base, a0, b0
    while bb < b:
        value += x**aa * (1 - x) ** bb / (bb * _beta_function(aa, bb))
        bb += 1
    while aa < a:
        value -= x**aa * (1 - x) ** bb / (aa * _beta_function(aa, bb))
        aa += 1
    return value


def projection_cdf_expr(r: ExprLike, k: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact P(||P u||_2 <= r) = I_{r^2}(k/2, (d-k)/2) in closed form (Appendix D), for r in [0, 1].

    k and d must be numbers (the closed form is built by recurrence); r may be a symbol.

    >>> projection_cdf_expr(sp.Rational(1, 2), 1, 3)
    1/2
    """
    dd = int(exact_integer(d, "d", 1))
    kk = int(exact_integer(k, "k", 1, dd, "a rank-k projection of R^d needs 1 <= k <= d"))
    rr = exact(r)
    if rr.is_number and (rr < 0 or rr > 1):
        raise InvalidArgumentError(f"the closed form covers radii r in [0, 1], got {r!r}")
    if kk == dd:
        return sp.Piecewise((sp.Integer(1), sp.Ge(rr, 1)), (sp.Integer(0), True))
    return _regularized_beta(rr**2, sp.Rational(kk, 2), sp.Rational(dd - kk, 2))


def dasgupta_gupta_bound_expr(beta: ExprLike, k: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact beta^{k/2} (1 + (1-beta) k/(d-k))^{(d-k)/2} (Dasgupta and Gupta 2003, Lemma 2.2(a))."""
    b, kk, dd = exact(beta), exact(k), exact(d)
    return b ** (kk / 2) * (1 + (1 - b) * kk / (dd - kk)) ** ((dd - kk) / 2)


def dasgupta_gupta_bound(beta: float, k: int, d: int) -> float:
    """Dasgupta-Gupta (2003, Lemma 2.2(a)): for 0 < beta < 1 and k < d,
    P(||P u||_2^2 <= beta k/d) <= beta^{k/2} (1 + (1-beta) k/(d-k))^{(d-k)/2}.

    >>> round(dasgupta_gupta_bound(0.5, 1, 2), 6)
    0.866025
    """
    kk, dd = _k_d(k, d)
    if kk == dd:
        raise InvalidArgumentError(f"the Dasgupta-Gupta bound needs k < d, got k = d = {dd}")
    if isinstance(beta, bool) or not isinstance(beta, (int, float)) or not 0.0 < beta < 1.0:
        raise InvalidArgumentError(f"beta must lie in (0, 1), got {beta!r}")
    return beta ** (kk / 2.0) * (1.0 + (1.0 - beta) * kk / (dd - kk)) ** ((dd - kk) / 2.0)


def projection_small_ball_bound_expr(r: ExprLike, k: ExprLike, d: ExprLike) -> sp.Expr:
    """Exact (e r^2 d / k)^{k/2}."""
    rr, kk, dd = exact(r), exact(k), exact(d)
    return (sp.E * rr**2 * dd / kk) ** (kk / 2)


def projection_small_ball_bound(r: float, k: int, d: int) -> float:
    """(e r^2 d/k)^{k/2} >= P(||P u||_2 <= r), for 1 <= k <= d and r >= 0 (the last form of the
    Dasgupta-Gupta bound with beta = r^2 d/k; trivially true when beta >= 1). This is the bound behind
    Theorem 18's eps.

    >>> projection_small_ball_bound(2 * theorem18_epsilon(10, 20, 4), 4, 20) - 10.0**-2 < 1e-15
    True
    """
    kk, dd = _k_d(k, d)
    return (math.e * _radius(r) ** 2 * dd / kk) ** (kk / 2.0)


def cap_projection_threshold_expr(eps: ExprLike, s: ExprLike) -> sp.Expr:
    """Exact eps sqrt(1 - s^2) + s sqrt(1 - eps^2) = cos(arccos(eps) - arcsin(s))."""
    e, ss = exact(eps), exact(s)
    return e * sp.sqrt(1 - ss**2) + ss * sp.sqrt(1 - e**2)


def cap_projection_threshold(eps: float, s: float) -> float:
    """The least ||P z||_2 (z a unit vector) for which EVERY unit w within angle arcsin(s) of z has
    ||P w||_2 >= eps: eps sqrt(1 - s^2) + s sqrt(1 - eps^2), valid for eps, s >= 0 with eps^2 + s^2 <= 1
    (proved in proofs/theorem18_cap.py). For Theorem 18, s = 2 sigma/delta <= eps.

    >>> cap_projection_threshold(0.6, 0.0)
    0.6
    """
    for name, v in (("eps", eps), ("s", s)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= v <= 1.0:
            raise InvalidArgumentError(f"{name} must lie in [0, 1], got {v!r}")
    if eps * eps + s * s > 1.0:
        raise InvalidArgumentError(f"the cap formula needs eps^2 + s^2 <= 1, got eps = {eps!r}, s = {s!r}")
    return eps * math.sqrt(1.0 - s * s) + s * math.sqrt(1.0 - eps * eps)


def pair_union_bound(num_pairs: int, r: float, k: int, d: int) -> float:
    """num_pairs * P(||P u||_2 <= r): a union bound on the probability that a Haar-random rank-k projection
    maps the direction of SOME differently-labelled pair to norm <= r. A value < 1 certifies that a
    projection keeping every pair's direction above r exists. (Not clipped at 1.)
    """
    pairs = check_integer(num_pairs, "num_pairs", 0)
    return pairs * projection_cdf(r, k, d)


def theorem18_union_bound_expr(N: ExprLike, d: ExprLike, k: ExprLike, pairs: ExprLike | None = None) -> sp.Expr:
    """Exact pairs * (e (2 eps)^2 d/k)^{k/2} with eps of Theorem 18; pairs defaults to N(N-1)/2, where it
    equals (N-1)/(2N).

    The product is simplified with N, d, k, pairs as positive symbols first (where it is pairs / N^2) and the
    given values are substituted afterwards, so numeric arguments give an exact rational at once.
    """
    NN = exact_integer(N, "N", 2, why="a dataset has at least two points")
    dd = exact_integer(d, "d", 1, why="the dimension is positive")
    kk = exact_integer(k, "k", 1, dd if dd.is_number else None, "a rank-k projection of R^d needs 1 <= k <= d")
    n_, d_, k_, c_ = sp.symbols("N d k pairs", positive=True)
    eps = theorem18_epsilon_expr(n_, d_, k_)
    generic = sp.simplify(c_ * projection_small_ball_bound_expr(2 * eps, k_, d_))
    count = NN * (NN - 1) / 2 if pairs is None else exact(pairs)
    return generic.subs({n_: NN, d_: dd, k_: kk, c_: count})


def theorem18_union_bound(N: int, d: int, k: int, pairs: int | None = None) -> float:
    """Theorem 18's union bound: pairs * (e (2 eps)^2 d/k)^{k/2} = pairs / N^2 with eps = theorem18_epsilon;
    pairs (the number of differently-labelled pairs) defaults to the maximum N(N-1)/2, giving (N-1)/(2N) < 1/2.

    >>> theorem18_union_bound(10, 20, 4)
    0.45
    """
    NN = check_integer(N, "N", 2, why="a dataset has at least two points")
    count = NN * (NN - 1) // 2 if pairs is None else check_integer(pairs, "pairs", 0, NN * (NN - 1) // 2)
    _k_d(k, d)
    return count / float(NN) ** 2


def theorem18_exact_union_bound(N: int, d: int, k: int, pairs: int | None = None) -> float:
    """The union bound of Theorem 18 with the exact Beta probability instead of the Dasgupta-Gupta bound:
    pairs * I_{r^2}(k/2, (d-k)/2) at r = cap_projection_threshold(eps, eps) = 2 eps sqrt(1 - eps^2), the
    sharp per-pair requirement when 2 sigma/delta = eps. Never larger than :func:`theorem18_union_bound`.
    """
    NN = check_integer(N, "N", 2, why="a dataset has at least two points")
    count = NN * (NN - 1) // 2 if pairs is None else check_integer(pairs, "pairs", 0, NN * (NN - 1) // 2)
    eps = theorem18_epsilon(NN, d, k)
    return count * projection_cdf(cap_projection_threshold(eps, eps), k, d)
