"""robustmem.bounds: exact (sympy) and float64 forms agree; monotonicity and known values; argument validation.

Tolerance policy (one place): a float64 bound is a handful of correctly rounded operations (pow, sqrt, exp, mul),
so it must agree with the exact expression, evaluated at 40 digits, to a relative 1e-12 (about 4500 ulp).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given
from hypothesis import strategies as st

import robustmem.bounds as bounds
from robustmem.bounds import (
    a_pd,
    a_pd_expr,
    a_pqd,
    a_pqd_expr,
    b_pd,
    b_pd_expr,
    b_pqd,
    b_pqd_expr,
    c_minus_expr,
    c_minus_pq_expr,
    c_plus_expr,
    c_plus_pq_expr,
    cap_projection_threshold,
    corollary9_width_bounds,
    dasgupta_gupta_bound,
    equation1_threshold,
    equation1_threshold_expr,
    equation2_threshold,
    equation2_threshold_expr,
    gap_ratio,
    gap_ratio_expr,
    impossible_width,
    pair_union_bound,
    projection_cdf,
    projection_cdf_expr,
    projection_small_ball_bound,
    radii_for_width,
    remark4_radius_limit,
    remark4_radius_limit_expr,
    remark10_radius,
    remark10_radius_expr,
    sufficient_width,
    theorem7_radius,
    theorem7_radius_expr,
    theorem8_radius,
    theorem8_radius_expr,
    theorem18_epsilon,
    theorem18_epsilon_expr,
    theorem18_exact_union_bound,
    theorem18_union_bound,
    theorem18_union_bound_expr,
    theorem19_threshold,
    theorem19_threshold_expr,
    width_report,
)
from robustmem.bounds.widths import WidthReport
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.norms import c_minus, c_minus_pq, c_plus, c_plus_pq

REL = 1e-12
P_TABLE = [0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 1.0 / 3.0, math.inf]
D_TABLE = [1, 2, 3, 7, 64, 784]


def close(value: float, expr: sp.Expr) -> bool:
    exact = float(sp.N(expr, 40))
    return math.isclose(value, exact, rel_tol=REL, abs_tol=0.0)


# exponents with a short rational form (the *_expr functions reject floats that have none)
ps = st.one_of(
    st.sampled_from(P_TABLE),
    st.builds(lambda n, m: n / m, st.integers(min_value=1, max_value=80), st.integers(min_value=1, max_value=8)).filter(
        lambda p: p >= 0.25
    ),
)
dims = st.integers(min_value=1, max_value=2000)
counts = st.integers(min_value=2, max_value=10**9)


# ----------------------------------------------------------------------------------- exact == float tables


@pytest.mark.parametrize("p", P_TABLE)
@pytest.mark.parametrize("d", D_TABLE)
def test_constants_exact_and_float_agree(p: float, d: int) -> None:
    assert close(c_plus(p, d), c_plus_expr(p, d))
    assert close(c_minus(p, d), c_minus_expr(p, d))
    assert close(a_pd(p, d), a_pd_expr(p, d))
    assert close(b_pd(p, d), b_pd_expr(p, d))
    assert close(gap_ratio(p, d), gap_ratio_expr(p, d))
    assert close(remark4_radius_limit(p, d), remark4_radius_limit_expr(p, d))
    for q in P_TABLE:
        assert close(c_plus_pq(p, q, d), c_plus_pq_expr(p, q, d))
        assert close(c_minus_pq(p, q, d), c_minus_pq_expr(p, q, d))
        assert close(a_pqd(p, q, d), a_pqd_expr(p, q, d))
        assert close(b_pqd(p, q, d), b_pqd_expr(p, q, d))


@pytest.mark.parametrize("p", [1.0, 2.0, math.inf, 1.5])
@pytest.mark.parametrize(("N", "d"), [(2, 1), (100, 8), (10**6, 64), (60000, 784)])
def test_radii_exact_and_float_agree_across_widths(p: float, N: int, d: int) -> None:
    """Every width for small d; for d = 784 the ends of each range and every 37th width (sympy is slow)."""

    def widths(lo: int, hi: int) -> list[int]:
        return sorted({lo, lo + 1, hi - 1, hi, *range(lo, hi + 1, 1 if d < 100 else 37)} & set(range(lo, hi + 1)))

    for k in widths(7, d + 5):
        assert close(theorem7_radius(N, d, p, k), theorem7_radius_expr(N, d, p, k))
        assert close(remark10_radius(N, d, p, k), remark10_radius_expr(N, d, p, k))
    for k in widths(1, d - 1):
        assert close(theorem8_radius(N, d, p, k), theorem8_radius_expr(N, d, p, k))
    for k in widths(1, d):
        assert close(theorem18_epsilon(N, d, k), theorem18_epsilon_expr(N, d, k))
        assert close(theorem19_threshold(N, k), theorem19_threshold_expr(N, k))


@given(N=counts, d=st.integers(min_value=2, max_value=2000), p=ps, data=st.data())
def test_radii_agree_property(N: int, d: int, p: float, data: st.DataObject) -> None:
    k7 = data.draw(st.integers(min_value=7, max_value=d + 5))
    assert close(theorem7_radius(N, d, p, k7), theorem7_radius_expr(N, d, p, k7))
    assert close(remark10_radius(N, d, p, k7), remark10_radius_expr(N, d, p, k7))
    k18 = data.draw(st.integers(min_value=1, max_value=d))
    assert close(theorem18_epsilon(N, d, k18), theorem18_epsilon_expr(N, d, k18))
    if d >= 2:
        k8 = data.draw(st.integers(min_value=1, max_value=d - 1))
        assert close(theorem8_radius(N, d, p, k8), theorem8_radius_expr(N, d, p, k8))


@given(N=counts, d=dims, p=ps, rho=st.floats(min_value=1e-12, max_value=1e3))
def test_width_thresholds_agree_property(N: int, d: int, p: float, rho: float) -> None:
    if a_pd(p, d) / rho > 1.0 + 1e-9:
        assert close(equation1_threshold(N, d, p, rho), equation1_threshold_expr(N, d, p, rho))
    if b_pd(p, d) / rho > 1.0 + 1e-9:
        assert close(equation2_threshold(N, d, p, rho), equation2_threshold_expr(N, d, p, rho))


def test_exact_forms_of_awkward_numbers() -> None:
    """Regression: sympy's Integer**Rational factorises the base and did not finish for these (see _args.power)."""
    assert close(theorem8_radius(426283940, 1010, 13 / 3, 829), theorem8_radius_expr(426283940, 1010, 13 / 3, 829))
    assert theorem18_union_bound_expr(822191443, 799, 633) == sp.Rational(822191442, 2 * 822191443)
    args = (336780592, 1971, 6.5, 3.7e-6)
    assert close(equation2_threshold(*args), equation2_threshold_expr(*args))


# --------------------------------------------------------------------------------- known values and facts


def test_known_values() -> None:
    assert a_pd(2, 1) == pytest.approx(1 / (8 * math.sqrt(math.e)), rel=REL)
    assert b_pd(math.inf, 50) == 2416.0 and b_pd(1, 4) == 4832.0
    assert gap_ratio(2, 1) == pytest.approx(19328 * math.sqrt(math.e), rel=REL)
    assert remark4_radius_limit(math.inf, 100) == 0.05 and remark4_radius_limit(1, 100) == 0.5
    assert theorem19_threshold(4832, 2) == 1.0
    assert a_pd_expr(2, 4) == sp.exp(-sp.Rational(1, 2)) / 16
    assert sp.simplify(b_pd_expr(1, 9) - 3 * 2416) == 0


@pytest.mark.parametrize("p", P_TABLE)
@pytest.mark.parametrize("d", D_TABLE)
def test_gap_identity_numerically(p: float, d: int) -> None:
    """b/a = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|} (proved exactly in proofs/gap_identity.py)."""
    assert b_pd(p, d) / a_pd(p, d) == pytest.approx(gap_ratio(p, d), rel=REL)
    assert a_pd(p, d) == pytest.approx(1 / (2 * c_plus(p, d) * math.sqrt(16 * math.e * d)), rel=REL)
    assert b_pd(p, d) == pytest.approx(4832 / (2 * c_minus(p, d)), rel=REL)


@given(N=counts, d=st.integers(min_value=2, max_value=500), p=ps)
@example(N=2, d=2, p=2.0)  # smallest N, and the only width (k = 7) where Remark 10 equals Theorem 7
def test_radius_monotonicity(N: int, d: int, p: float) -> None:
    t7 = [theorem7_radius(N, d, p, k) for k in range(7, d + 6)]
    assert all(x < y for x, y in zip(t7, t7[1:])), "Theorem 7's radius increases with k"
    r10 = [remark10_radius(N, d, p, k) for k in range(7, d + 6)]
    assert r10[0] == t7[0] and all(r >= t for r, t in zip(r10, t7))
    assert max(r10) < remark4_radius_limit(p, d), "Remark 10 stays below Remark 4's limit"
    t8 = [theorem8_radius(N, d, p, k) for k in range(1, d)]
    assert all(x < y for x, y in zip(t8, t8[1:])), "Theorem 8's radius increases with k"
    for k in range(7, d):
        assert theorem8_radius(N, d, p, k) > theorem7_radius(N, d, p, k)


# ------------------------------------------------------------------------------------------------- widths


@given(N=counts, d=dims, p=ps, rho=st.floats(min_value=1e-9, max_value=0.5))
def test_sufficient_width_is_the_least_strict_solution(N: int, d: int, p: float, rho: float) -> None:
    a = a_pd(p, d)
    if a / rho <= 1.0:
        with pytest.raises(HypothesisError, match="no width"):
            sufficient_width(N, d, p, rho)
        return
    k = sufficient_width(N, d, p, rho)
    threshold = equation1_threshold(N, d, p, rho)
    assert k >= 7 and k - 1 <= threshold < k


@given(N=counts, d=st.integers(min_value=2, max_value=2000), p=ps, rho=st.floats(min_value=1e-9, max_value=1e4))
def test_impossible_width_is_the_largest_strict_solution(N: int, d: int, p: float, rho: float) -> None:
    k = impossible_width(N, d, p, rho)
    assert 0 <= k <= d - 1
    if k >= 1:
        assert rho > theorem8_radius(N, d, p, k), "Theorem 8 rules out width k"
    if k + 1 <= d - 1:
        assert rho <= theorem8_radius(N, d, p, k + 1), "Theorem 8 does not rule out width k + 1"


@pytest.mark.parametrize(("rho", "expected"), [(151.0, 1), (604.0, 3)])
def test_impossible_width_at_an_exact_boundary(rho: float, expected: int) -> None:
    """b/rho = 16 (threshold 2 log 16 / log 16 = 2) and b/rho = 4 (threshold 4): strict, decided exactly."""
    assert equation2_threshold(16, 10, 2, rho) == pytest.approx(expected + 1, rel=REL)
    assert impossible_width(16, 10, 2, rho) == expected


def test_width_report_regimes() -> None:
    r = width_report(10**6, 1000, 2, 1e-4)
    assert (r.impossible_width, r.sufficient_width, r.theorem7_width, r.gap) == (1, 15, 15, 13)
    assert r.unknown_widths == (2, 14) and not r.impossible_at_every_width
    large = width_report(100, 4, math.inf, 0.2)  # below 1/(2 sqrt 4) = 0.25, above a_{p,d}
    assert large.equation1_width is None and large.theorem6_width == 8 and large.sufficient_width == 8
    too_big = width_report(100, 4, 2, 0.5)  # Remark 4: sigma/delta >= 1/(2 c+) = 1/2
    assert too_big.impossible_at_every_width and too_big.sufficient_width is None and too_big.gap is None
    assert too_big.impossible_width == 1  # Theorem 8 alone: 2 log 100 / log(2416 / 0.5) = 1.09
    assert "unknown: widths 2..14 (13 widths)" in r.summary() and "sufficient width: 15" in r.summary()
    assert "EVERY width (Remark 4)" in too_big.summary() and "Theorem 6: 8" in large.summary()


def test_width_report_rejects_inconsistent_fields() -> None:
    good = width_report(10**6, 1000, 2, 1e-4)
    fields = dict(good.__dict__)
    with pytest.raises(InvalidArgumentError, match="inconsistent"):
        WidthReport(**{**fields, "impossible_width": 15})
    with pytest.raises(InvalidArgumentError, match="not the least"):
        WidthReport(**{**fields, "sufficient_width": 16})


def test_corollary9_matches_equations_1_and_2() -> None:
    for p in (2.0, 3.0, math.inf):
        necessary, sufficient = corollary9_width_bounds(10**5, 300, p, 1e-6)
        assert necessary == pytest.approx(equation2_threshold(10**5, 300, p, 1e-6), rel=REL)
        assert sufficient == pytest.approx(equation1_threshold(10**5, 300, p, 1e-6), rel=REL)
        exact_necessary, exact_sufficient = bounds.corollary9_width_bounds_expr(10**5, 300, p, 1e-6)
        assert close(necessary, exact_necessary) and close(sufficient, exact_sufficient)
    with pytest.raises(InvalidArgumentError, match=r"p in \[2, inf\]"):
        corollary9_width_bounds(100, 10, 1.5, 1e-6)


def test_radii_for_width_ranges() -> None:
    r = radii_for_width(1000, 50, 2, 10)
    assert r.theorem7 == theorem7_radius(1000, 50, 2, 10) and r.theorem8 == theorem8_radius(1000, 50, 2, 10)
    # at N = 1000 Theorem 8's radius 2416 * 1000^{-1/5} is far above Remark 4's limit 1/2: vacuous there
    assert r.theorem7 < r.remark10 < r.remark4_limit < r.theorem8
    small = radii_for_width(1000, 50, 1, 3)
    assert small.theorem7 is None and small.remark10 is None and small.theorem8 is not None
    top7 = radii_for_width(1000, 50, math.inf, 55)  # d + 5: Theorem 7's last width; Theorem 6 from d + 4
    assert top7.theorem7 is not None and top7.theorem8 is None and top7.theorem6_applies and not top7.theorem5_applies
    wide = radii_for_width(1000, 50, 2, 56)
    assert wide.theorem7 is None and wide.theorem5_applies and not wide.theorem6_applies


# --------------------------------------------------------------------------------- Appendix D / Theorem 18


@pytest.mark.parametrize(("k", "d"), [(1, 2), (1, 3), (2, 5), (3, 7), (4, 4), (5, 12), (6, 9), (10, 30)])
def test_projection_cdf_exact_and_float_agree(k: int, d: int) -> None:
    for r in [sp.Rational(1, 10), sp.Rational(1, 3), sp.Rational(7, 10), sp.Integer(1)]:
        exact = float(sp.N(projection_cdf_expr(r, k, d), 40))
        assert math.isclose(projection_cdf(float(r), k, d), exact, rel_tol=REL, abs_tol=0.0)


def test_beta_law_by_monte_carlo() -> None:
    """||P u||^2 ~ Beta(k/2, (d-k)/2): 40000 Haar samples; 5 binomial standard errors."""
    rng = np.random.default_rng(20250216)
    d, k, n = 12, 3, 40000
    u = rng.standard_normal((n, d))
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    squared = (u[:, :k] ** 2).sum(axis=1)
    for r in (0.2, 0.4, 0.6):
        p = projection_cdf(r, k, d)
        assert abs((squared <= r * r).mean() - p) <= 5 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize(("k", "d"), [(1, 2), (2, 10), (5, 50), (20, 100), (99, 100)])
def test_projection_bounds_chain(k: int, d: int) -> None:
    """exact Beta <= Dasgupta-Gupta <= (e r^2 d/k)^{k/2} on a grid of radii below sqrt(k/d)."""
    for beta in np.linspace(0.02, 0.98, 25):
        r = math.sqrt(beta * k / d)
        exact = projection_cdf(r, k, d)
        dg = dasgupta_gupta_bound(float(beta), k, d)
        assert exact <= dg * (1 + 1e-12) and dg <= projection_small_ball_bound(r, k, d) * (1 + 1e-12)


@given(N=counts, d=st.integers(min_value=1, max_value=300), data=st.data())
def test_theorem18_union_bound(N: int, d: int, data: st.DataObject) -> None:
    k = data.draw(st.integers(min_value=1, max_value=d))
    bound = theorem18_union_bound(N, d, k)
    assert bound == pytest.approx((N - 1) / (2 * N), rel=REL) and bound < 0.5
    via_radius = N * (N - 1) / 2 * projection_small_ball_bound(2 * theorem18_epsilon(N, d, k), k, d)
    assert via_radius == pytest.approx(bound, rel=1e-9)
    if N <= 10**4:
        assert theorem18_exact_union_bound(N, d, k) <= bound


def test_theorem18_union_bound_expr_is_exact() -> None:
    assert sp.simplify(theorem18_union_bound_expr(10, 20, 4) - sp.Rational(9, 20)) == 0
    assert pair_union_bound(3, 0.5, 1, 3) == pytest.approx(1.5, rel=REL)


def test_cap_threshold_against_sampled_geometry() -> None:
    """||P z_hat|| at the threshold keeps every sampled direction in the cap above eps; just below, the worst
    direction of the proof drops below eps."""
    rng = np.random.default_rng(7)
    d, k, eps, s = 6, 2, 0.3, 0.25
    t = cap_projection_threshold(eps, s)
    beta, theta = math.acos(t), math.asin(s)
    z = np.zeros(d)
    z[0], z[k] = math.cos(beta), math.sin(beta)  # P = projection onto the first k coordinates
    for _ in range(2000):
        v = rng.standard_normal(d)
        v -= (v @ z) * z
        v /= np.linalg.norm(v)
        phi = theta * rng.random()
        w = math.cos(phi) * z + math.sin(phi) * v
        assert np.linalg.norm(w[:k]) >= eps - 1e-12
    worst_angle = math.acos(t) + 1e-6 + theta
    assert math.cos(worst_angle) < eps


# ------------------------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: theorem7_radius(1, 10, 2, 8), "N = 1 is below the limit 2"),
        (lambda: theorem7_radius(100, 10, 2, 6), r"k = 6 is below the limit 7 \(Theorem 7 needs 7 <= k <= d \+ 5\)"),
        (lambda: theorem7_radius(100, 10, 2, 16), "k = 16 is above the limit 15"),
        (lambda: theorem8_radius(100, 10, 2, 10), "k = 10 is above the limit 9"),
        (lambda: theorem8_radius(100, 0, 2, 1), "d = 0 is below the limit 1"),
        (lambda: theorem18_epsilon(100, 5, 6), "k = 6 is above the limit 5"),
        (lambda: theorem19_threshold(2.5, 1), "N must be an integer, got 2.5"),
        (lambda: theorem19_threshold(True, 1), "N must be an integer, got True"),
        (lambda: a_pd(0, 3), r"p must lie in \(0, inf\], got 0.0"),
        (lambda: a_pqd(2, -1, 3), r"q must lie in \(0, inf\], got -1.0"),
        (lambda: sufficient_width(100, 10, 2, 0.0), "sigma_over_delta must be a finite number > 0, got 0.0"),
        (lambda: impossible_width(100, 10, 2, math.nan), "sigma_over_delta must be a finite number > 0, got nan"),
        (lambda: theorem7_radius_expr(100, 10, 2, 20), "k = 20 is above the limit 15"),
        (lambda: a_pd_expr(-2, 3), r"p must lie in \(0, inf\]"),
        (lambda: a_pd_expr(7.123456789, 3), "p = 7.123456789 is not a rational with denominator <= 10000"),
        (lambda: projection_cdf(-0.1, 1, 3), "the radius r must be a number >= 0, got -0.1"),
        (lambda: projection_cdf_expr(2, 1, 3), r"radii r in \[0, 1\], got 2"),
        (lambda: cap_projection_threshold(0.9, 0.9), "eps\\^2 \\+ s\\^2 <= 1"),
        (lambda: dasgupta_gupta_bound(1.0, 1, 3), r"beta must lie in \(0, 1\), got 1.0"),
    ],
)
def test_invalid_arguments_name_value_and_limit(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgumentError, match=message):
        call()


def test_symbolic_arguments_pass_validation() -> None:
    N, d, k = sp.symbols("N d k", positive=True)
    assert theorem18_epsilon_expr(N, d, k).has(N, d, k)
    assert theorem7_radius_expr(N, d, 2, k).has(k)


def test_public_names_are_exported() -> None:
    assert len(bounds.__all__) == len(set(bounds.__all__))
    for name in bounds.__all__:
        assert hasattr(bounds, name), name
