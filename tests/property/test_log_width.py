"""Property and theory tests for the logarithmic-width construction (Theorem 7, Remarks 10, 11).

* For arbitrary separated datasets (N <= 40, d <= 30), every width k in [7, d + 5] and
  p in {1, 2, inf}: exact fit, no falsifier hit inside any ball, measured width == claimed <= k.
* Theory: at the Theorem 7 and Remark 10 radii a random projection succeeds; at larger radii the
  measured failure rate of random projections stays below the incomplete-beta union bound of
  Appendix D (plus a stated binomial sampling allowance).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from property.strategies import norms, separated_datasets

from robustmem.bounds import projection_cdf
from robustmem.construct import construct_log_width, construct_remark11, construct_theorem16
from robustmem.construct.log_width import projected_margin
from robustmem.data import sphere_points
from robustmem.errors import HypothesisError
from robustmem.norms import c_plus
from robustmem.projection import haar_projection
from robustmem.verify import falsify, verify_fit


@st.composite
def dataset_and_width(draw):
    ds = draw(separated_datasets(min_n=2, max_n=40, max_d=30, max_classes=5))
    if ds.d < 2:
        ds = draw(separated_datasets(min_n=2, max_n=40, max_d=30, max_classes=5).filter(lambda e: e.d >= 2))
    k = draw(st.integers(7, ds.d + 5))
    return ds, k


@given(dk=dataset_and_width(), p=norms(), fraction=st.floats(0.05, 0.99), seed=st.integers(0, 2**16))
def test_log_width_robustly_memorizes(dk, p, fraction, seed):
    ds, k = dk
    net, cert = construct_log_width(ds, p=p, width=k, fraction=fraction, projection="random", seed=seed)
    assert net.width == cert.claimed_width <= k
    assert net.depth == cert.claimed_depth
    fit = verify_fit(net, ds, mode="exact")
    assert fit.passed, fit.summary()
    rep = falsify(
        net, ds, p=p, sigma=cert.sigma, n_random=8, n_boundary=8, pgd=True, pgd_steps=3, pgd_restarts=2, seed=0
    )
    assert rep.passed, rep.summary()
    # the certified radius is the requested fraction of the largest one this projection allows
    sup = cert.tau / (2.0 * c_plus(p, ds.d) * float(np.linalg.norm(cert.projection_matrix(), 2)))
    assert cert.sigma <= sup


def test_remark11_width_at_most_7_sigma_zero():
    ds = sphere_points(60, 12, n_classes=4, seed=3)
    net, cert = construct_remark11(ds)
    assert cert.sigma == 0.0 and net.width <= 7
    assert verify_fit(net, ds, mode="exact").passed


def test_width_outside_theorem7_range_is_refused():
    ds = sphere_points(20, 5, n_classes=2, seed=0)
    with pytest.raises(HypothesisError, match="k >= 7"):
        construct_log_width(ds, p=2.0, width=6)
    with pytest.raises(HypothesisError, match="d \\+ 5 = 10"):
        construct_log_width(ds, p=2.0, width=11)


def test_sigma_mode_returns_smallest_certifying_width():
    ds = sphere_points(80, 20, n_classes=3, seed=1)
    delta = ds.separation().delta
    c = construct_log_width(ds, p=2.0, sigma=0.05 * delta, projection="best-of-random", seed=0)
    k = c.network.width
    assert verify_fit(c.network, ds, mode="exact").passed
    if k > 7:  # the next smaller width, with the same projection strategy and seed, cannot certify it
        with pytest.raises(HypothesisError):
            construct_log_width(ds, p=2.0, width=k - 1, sigma=0.05 * delta, projection="best-of-random", seed=0)


def test_theorem16_rejects_a_map_with_too_large_norm():
    ds = sphere_points(30, 8, n_classes=2, seed=2)
    delta = ds.separation().delta
    M = 10.0 * haar_projection(8, 4, seed=0)
    with pytest.raises(HypothesisError, match="Theorem 16 needs"):
        construct_theorem16(ds, M, p=2.0, sigma=0.1 * delta)


@pytest.mark.parametrize("radius", ["theorem7", "remark10"])
@pytest.mark.parametrize("p", [1.0, 2.0, math.inf])
def test_random_projection_succeeds_at_the_theorem_radius(radius, p):
    ds = sphere_points(300, 40, n_classes=3, seed=5)
    for seed in range(5):
        net, _cert = construct_log_width(ds, p=p, width=16, radius=radius, projection="random", seed=seed)
        assert verify_fit(net, ds, mode="float64").passed


def test_failure_rate_of_random_projections_below_the_union_bound():
    """Appendix D: P(min ||P z|| <= 2 sigma') <= sum over pairs of I_{(2 sigma'/||z||)^2}(k/2, (d-k)/2)."""
    ds = sphere_points(40, 30, n_classes=2, seed=7)
    X, y = ds.X, ds.y
    i, j = np.nonzero(y[:, None] != y[None, :])
    keep = i < j
    norms_z = np.linalg.norm(X[i[keep]] - X[j[keep]], axis=1)
    kp = 6
    for s_prime in (0.05, 0.08, 0.12):  # sigma' = c+ sigma in units of the data
        bound = sum(projection_cdf(min(1.0, 2 * s_prime / nz), kp, ds.d) for nz in norms_z)
        if bound >= 1:
            continue
        draws = 300
        fails = sum(
            projected_margin(ds, haar_projection(ds.d, kp, seed=s)).raw_tau <= 2 * s_prime for s in range(draws)
        )
        allowance = 3.0 * math.sqrt(bound * (1 - bound) / draws) + 1.0 / draws  # binomial, 3 standard deviations
        assert fails / draws <= bound + allowance, (s_prime, fails / draws, bound)
