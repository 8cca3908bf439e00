"""Non-integer l_p / l_q indicators (Lemma 44 in Lemma 38): yu2024-lp for non-integer p and Theorem 31."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from robustmem.bounds import appendix_e_radius_limit
from robustmem.certify.structural import certify_structural
from robustmem.construct import construct_yu2024_lp
from robustmem.construct.appendix_e_lp import construct_theorem31, construct_yu2024_lp_real
from robustmem.data import Dataset
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.indicators_binomial import lp_real_constants, pow_bounds
from robustmem.network import evaluate_exact
from robustmem.verify.falsify import falsify


def _data() -> Dataset:
    rng = np.random.default_rng(0)
    return Dataset.from_arrays(rng.integers(0, 6, size=(6, 2)).astype(float), [1, 2, 1, 2, 1, 2])


@pytest.mark.parametrize("p", [1.5, 2.5, 2.75])
def test_yu2024_lp_real_fits_and_survives_falsification(p: float) -> None:
    ds = _data()
    sigma = 0.3 * ds.separation(p).delta
    net, cert = construct_yu2024_lp_real(ds, p=p, sigma=sigma)
    assert cert.tau_norm == p and net.depth == cert.claimed_depth and net.width == cert.claimed_width
    assert list(evaluate_exact(net, ds.X).values) == list(ds.y)
    rep = falsify(net, ds, p=p, sigma=sigma, n_random=24, n_boundary=24, pgd=False, seed=1)
    assert rep.n_counterexamples == 0


@pytest.mark.parametrize("p", [1, 2, "inf"])
def test_theorem31_fits_and_survives_falsification(p) -> None:
    ds = _data()
    q = 1.5
    sigma = 0.6 * appendix_e_radius_limit(p, q, ds.d) * ds.separation(q).delta
    net, cert = construct_theorem31(ds, p=p, q=q, sigma=sigma)
    assert cert.separation_norm == q and net.width <= ds.d + 12
    assert list(evaluate_exact(net, ds.X).values) == list(ds.y)
    pv = math.inf if p == "inf" else float(p)
    assert falsify(net, ds, p=pv, sigma=sigma, n_random=24, n_boundary=24, pgd=False, seed=2).n_counterexamples == 0


def test_the_indicator_conditions_are_proven_and_refused_when_false() -> None:
    c = lp_real_constants(3, 0.25, 0.5, Fraction(3, 2))
    assert all(m >= 0 for m in c.margins)
    with pytest.raises(HypothesisError, match=r"fails \(A\)|budget"):
        lp_real_constants(3, 1e6, 2.0**-40, Fraction(3, 2))


@pytest.mark.parametrize("x", [Fraction(1, 3), Fraction(7, 2), Fraction(10**9 + 7, 10**9)])
@pytest.mark.parametrize("p", [Fraction(3, 2), Fraction(27, 10)])
def test_pow_bounds_bracket(x: Fraction, p: Fraction) -> None:
    lo, hi = pow_bounds(x, p)
    a, b = p.numerator, p.denominator
    assert lo**b <= x**a <= hi**b
    assert float(hi - lo) <= 1e-3 * float(x) ** float(p)


def test_refusals_name_the_reason() -> None:
    ds = _data()
    with pytest.raises(InvalidArgumentError, match="p=2.5.*construct_yu2024_lp_real"):
        construct_yu2024_lp(ds, p=2.5, sigma=0.1)
    with pytest.raises(InvalidArgumentError, match="minus the integers, got 3"):
        construct_yu2024_lp_real(ds, p=3, sigma=0.1)
    with pytest.raises(InvalidArgumentError, match="Theorem 31's q must lie in"):
        construct_theorem31(ds, p=2, q=2, sigma=0.1)
    with pytest.raises(HypothesisError, match="Theorem 31 needs sigma/delta_q <"):
        construct_theorem31(ds, p=2, q=1.5, sigma=ds.separation(1.5).delta)
    # the structural certifier proves rational exponents with denominator <= 64 (1.5 here: certified); the
    # constructors refuse the others, naming the limit (1.37 is read as its binary value, denominator 2^52)
    net, _ = construct_yu2024_lp_real(ds, p=1.5, sigma=0.1)
    assert certify_structural(net, ds, progress=False).certified
    with pytest.raises(InvalidArgumentError, match=r"p = 1.37 is the rational .*/1125899906842624.*b <= 64.*37/27"):
        construct_yu2024_lp_real(ds, p=1.37, sigma=0.1)
    with pytest.raises(InvalidArgumentError, match="Theorem 31's q = 1.37 is the rational"):
        construct_theorem31(ds, p=2, q=1.37, sigma=0.1)
    assert construct_theorem31(ds, p=2, q=1.375, sigma=0.1).certificate.separation_norm == 1.375  # 11/8 is fine


def test_the_constructors_limit_is_the_certifier_s() -> None:
    from robustmem.certify.structural.pl import MAX_DEN
    from robustmem.construct.appendix_e_lp import MAX_EXPONENT_DENOMINATOR

    assert MAX_EXPONENT_DENOMINATOR == MAX_DEN
