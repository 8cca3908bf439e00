"""Appendix E's thresholds (robustmem.bounds.appendix_e) against the paper's formulas, exactly where sympy can."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from robustmem.bounds import (
    a_pd_expr,
    a_pqd_expr,
    appendix_e_lambda,
    appendix_e_radius_limit,
    appendix_e_radius_limit_expr,
    b_pd_expr,
    b_pqd_expr,
    c_minus_pq_expr,
    c_plus_pq_expr,
    check_q,
    proposition34_depth_scale,
    theorem35_radius,
    theorem35_radius_expr,
    theorem36_radius,
    theorem36_radius_expr,
)
from robustmem.errors import InvalidArgumentError

P_EXACT = [sp.Rational(1, 2), sp.Integer(1), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3), sp.oo]
Q_EXACT = [sp.Integer(1), sp.Rational(3, 2), sp.Integer(2), sp.Integer(3), sp.oo]
D_EXACT = [1, 2, 7, 64]


def _pos(x: sp.Expr) -> sp.Expr:
    return sp.Max(0, x)


def _neg(x: sp.Expr) -> sp.Expr:
    return sp.Min(0, x)


def _inv(p: sp.Expr) -> sp.Expr:
    return sp.Integer(0) if p is sp.oo else 1 / p


def _zero(expr: sp.Expr) -> bool:
    return sp.simplify(expr) == 0


@pytest.mark.parametrize("p", P_EXACT)
@pytest.mark.parametrize("q", Q_EXACT)
@pytest.mark.parametrize("d", D_EXACT)
def test_constants_are_the_papers_scalings(p: sp.Expr, q: sp.Expr, d: int) -> None:
    """a_{p,q,d} = a_{p,d} c-_{q,2}(d) and b_{p,q,d} = b_{p,d} c+_{q,2}(d) (after Theorem 36), and the printed forms."""
    half = sp.Rational(1, 2)
    a_printed = d ** (-half + _neg(half - _inv(q)) + _neg(_inv(p) - half)) / (8 * sp.sqrt(sp.E))
    b_printed = 2416 * sp.Integer(d) ** (_pos(half - _inv(q)) + _pos(_inv(p) - half))
    assert _zero(a_pqd_expr(p, q, d) - a_printed)
    assert _zero(b_pqd_expr(p, q, d) - b_printed)
    assert _zero(a_pqd_expr(p, q, d) - a_pd_expr(p, d) * c_minus_pq_expr(q, 2, d))
    assert _zero(b_pqd_expr(p, q, d) - b_pd_expr(p, d) * c_plus_pq_expr(q, 2, d))
    # the gap b/a = 19328 sqrt(e) d^{1/2} d^{|1/2 - 1/p|} d^{|1/2 - 1/q|}
    gap = 19328 * sp.sqrt(sp.E) * sp.sqrt(d) * sp.Integer(d) ** (sp.Abs(half - _inv(p)) + sp.Abs(half - _inv(q)))
    assert _zero(b_pqd_expr(p, q, d) / a_pqd_expr(p, q, d) - gap)


@pytest.mark.parametrize("p", P_EXACT)
@pytest.mark.parametrize("q", Q_EXACT)
@pytest.mark.parametrize(("d", "k"), [(2, 7), (7, 7), (7, 12), (64, 20)])
def test_theorem35_radius_is_below_what_its_proof_needs(p: sp.Expr, q: sp.Expr, d: int, k: int) -> None:
    """The proof of Theorem 35 needs sigma/delta <= c-_{q,2}(d) / (2 c+_{p,2}(d)) sqrt((k-6)/(16 e d)) N^{-2/(k-6)};
    a_{p,q,d} N^{-2/(k-6)} is at most that (the factor sqrt(k - 6) >= 1 is dropped), checked exactly."""
    N = 1000
    need = (
        c_minus_pq_expr(q, 2, d)
        / (2 * c_plus_pq_expr(p, 2, d))
        * sp.sqrt(sp.Rational(k - 6, 16 * d) / sp.E)
        * sp.Integer(N) ** sp.Rational(-2, k - 6)
    )
    got = theorem35_radius_expr(N, d, p, q, k)
    assert sp.simplify(need / got - sp.sqrt(k - 6)) == 0
    assert math.isclose(theorem35_radius(N, d, float(p), float(q), k), float(sp.N(got, 30)), rel_tol=1e-12)


@pytest.mark.parametrize("p", P_EXACT)
@pytest.mark.parametrize("q", Q_EXACT)
def test_theorem36_radius_is_the_scaled_theorem19_threshold(p: sp.Expr, q: sp.Expr) -> None:
    """The proof of Theorem 36: sigma/delta > c+_{q,2}(d) / c-_{p,2}(d) 2416 N^{-2/k} is b_{p,q,d} N^{-2/k}."""
    N, d, k = 500, 9, 3
    scaled = c_plus_pq_expr(q, 2, d) / c_minus_pq_expr(p, 2, d) * 2416 * sp.Integer(N) ** sp.Rational(-2, k)
    assert _zero(theorem36_radius_expr(N, d, p, q, k) - scaled)
    assert math.isclose(theorem36_radius(N, d, float(p), float(q), k), float(sp.N(scaled, 30)), rel_tol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("q", [1.0, 1.5, 2.0, math.inf])
def test_radius_limit_and_lambda(p: float, q: float) -> None:
    d = 5
    limit = appendix_e_radius_limit(p, q, d)
    assert math.isclose(limit, float(sp.N(appendix_e_radius_limit_expr(p, q, d), 30)), rel_tol=1e-12)
    assert math.isclose(appendix_e_lambda(limit / 2, p, q, d), 2.0, rel_tol=1e-12)
    with pytest.raises(InvalidArgumentError, match="is not below 1/"):
        appendix_e_lambda(limit, p, q, d)
    assert proposition34_depth_scale(3, 2.0, 1.0, limit, p, q, d) == math.inf
    assert math.isclose(proposition34_depth_scale(3, 2.0, 1.0, limit / 2, p, q, d), 12.0**6, rel_tol=1e-12)


def test_q_below_one_is_refused_with_its_value() -> None:
    for call in (
        lambda: check_q(0.5),
        lambda: appendix_e_radius_limit(2, 0.5, 3),
        lambda: theorem35_radius(10, 10, 2, 0.5, 7),
        lambda: theorem36_radius(10, 10, 2, 0.5, 3),
        lambda: theorem35_radius_expr(10, 10, 2, sp.Rational(1, 2), 7),
    ):
        with pytest.raises(InvalidArgumentError, match=r"q must lie in \[1, inf\].*0\.5|q = 1/2"):
            call()
    with pytest.raises(InvalidArgumentError, match="k = 6 is below the limit 7"):
        theorem35_radius(10, 10, 2, 2, 6)
    with pytest.raises(InvalidArgumentError, match="k = 10 is above the limit 9"):
        theorem36_radius(10, 10, 2, 2, 10)
