"""Lemma 44's binomial power net (robustmem.gadgets.binomial): error vs the exact bound, Lemma 64's degree."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets.binomial import (
    binomial_coefficients,
    binomial_network,
    binomial_plan,
    binomial_reference,
    exact_exponent,
    lemma64_degree,
    truncation_bound,
)
from robustmem.network import evaluate_exact

RATIONAL_P = [Fraction(3, 2), Fraction(9, 4), Fraction(7, 2), Fraction(5, 4)]


@pytest.mark.parametrize(
    ("p", "eps"), [(p, 0.05) for p in RATIONAL_P] + [(Fraction(9, 4), 1e-3), (Fraction(7, 2), 1e-3)]
)
def test_network_error_within_the_exact_bound(p: Fraction, eps: float) -> None:
    """|g(t) - t^p| <= E checked EXACTLY at rational points: for p = a/b, (g - E)^b <= t^a <= (g + E)^b."""
    net, plan = binomial_network(p, eps)
    assert plan.error <= Fraction(eps) and net.width <= 9 and net.depth == plan.depth + 1
    a, bb = p.numerator, p.denominator
    ts = [Fraction(j, 31) for j in range(32)] + [Fraction(1, 10**6), Fraction(999, 1000)]
    vals = evaluate_exact(net, np.array([[float(t)] for t in ts])).values
    for t, g in zip(ts, vals):
        t = Fraction(float(t))  # the network read the float
        assert g == binomial_reference(t, plan)
        lo, hi = g - plan.error, g + plan.error
        assert (lo <= 0 or lo**bb <= t**a) and t**a <= hi**bb, (t, g)
    # beyond 1 the net outputs exactly 1 = min(t, 1)^p
    assert list(evaluate_exact(net, np.array([[1.0], [3.5]])).values) == [1, 1]


@settings(max_examples=25, deadline=None)
@given(st.fractions(min_value=Fraction(101, 100), max_value=Fraction(6)).filter(lambda f: f.denominator != 1))
def test_tail_coefficients_have_one_sign(p: Fraction) -> None:
    """The fact the truncation bound rests on: c_i has the sign (-1)^(floor p + 1) for i >= floor(p) + 1."""
    c = binomial_coefficients(p, math.floor(p) + 12)
    sign = (-1) ** (math.floor(p) + 1)
    assert all(v * sign > 0 for v in c[math.floor(p) + 1 :])
    D = math.floor(p) + 5
    assert truncation_bound(p, D) == abs(sum(c[: D + 1]))


@pytest.mark.parametrize("p", [Fraction(3, 2), Fraction(5, 2), Fraction(11, 3), 1.25])
@pytest.mark.parametrize("eps", [0.1, 0.01, 0.001])
def test_lemma64_degree_meets_its_claim(p, eps: float) -> None:
    """Lemma 64: with D = ceil(p (pi eps)^(-1/floor p)) + 2 the truncation error is < eps on [0, 1]; the exact
    sup of that error is |binom(p - 1, D)| (attained at t = 0), so the lemma holds iff this is < eps."""
    D = lemma64_degree(p, eps)
    assert truncation_bound(p, D) < Fraction(eps)
    plan = binomial_plan(p, eps)
    assert truncation_bound(p, plan.D) <= Fraction(eps) / 2 and lemma64_degree(p, eps / 2) >= plan.D


def test_float_sampling_agrees_with_the_bound() -> None:
    net, plan = binomial_network(2.7, 1e-2)
    t = np.linspace(0.0, 1.0, 2001)
    err = np.abs(net(t[:, None]) - t**2.7).max()
    assert err <= float(plan.error) + 1e-12
    assert err >= float(plan.error) / 50  # the bound is not vacuous


def test_refusals_name_the_value() -> None:
    for bad in (2, 1.0, 0.5, math.inf):
        with pytest.raises(InvalidArgumentError, match="p in \\(1, inf\\) minus the integers|finite p > 1"):
            exact_exponent(bad)
    with pytest.raises(InvalidArgumentError, match="error budget must lie in"):
        binomial_plan(1.5, 2.0)
    from robustmem.errors import HypothesisError

    with pytest.raises(HypothesisError, match=r"needs a degree D > 50 \(max_degree\).*Lemma 64 would take D ="):
        binomial_plan(1.5, 1e-6, max_degree=50)
