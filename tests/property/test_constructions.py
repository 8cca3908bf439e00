"""Property tests for the large-width constructions (Theorems 5, 6, Remark 40).

For arbitrary delta-separated datasets (N <= 30, d <= 8, C <= 5) and radii up to 0.99 of the
theorem's limit: the network fits exactly (exact arithmetic, no tolerance), no falsifier (uniform,
boundary, vertex sampling and PGD) finds a point of any ball with another output, the measured
width equals the certificate's claim, and the measured depth equals the claim and stays within
the theorem's bound with the constant stated in the test.
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from property.strategies import norms, separated_datasets

from robustmem.construct import construct_remark40, construct_theorem5, construct_theorem6
from robustmem.norms import c_plus
from robustmem.verify import falsify, verify_fit

FRACTIONS = st.floats(min_value=0.01, max_value=0.99, allow_nan=False)  # sigma = 0: see test_log_width


def _check_network(c, ds, *, pgd: bool = True) -> None:
    net, cert = c
    fit = verify_fit(net, ds, mode="exact")
    assert fit.passed, fit.summary()
    rep = falsify(
        net, ds, p=cert.p, sigma=cert.sigma, n_random=8, n_boundary=8, pgd=pgd, pgd_steps=4, pgd_restarts=2, seed=0
    )
    assert rep.passed and rep.n_counterexamples == 0, rep.summary()
    assert net.width == cert.claimed_width
    assert net.depth == cert.claimed_depth


def _sigma(ds, p: float, fraction: float) -> float:
    return fraction * ds.separation(2.0).delta / (2.0 * c_plus(p, ds.d))


@given(ds=separated_datasets(max_n=30, max_d=8, max_classes=5), p=norms(), fraction=FRACTIONS)
def test_theorem5_robustly_memorizes(ds, p, fraction):
    c = construct_theorem5(ds, p=p, sigma=_sigma(ds, p, fraction))
    _check_network(c, ds)
    cert = c.certificate
    # Theorem 5's depth O(N d log2(d / (1 - 2 c+ sigma/delta))), with the constant of this code:
    # M <= 1 + (5 + log2 d)/2 + log2(1 / (1 - 2r/tau)) since Delta/w <= 2 / (1 - 2r/tau).
    rho = 2.0 * cert.r / cert.tau
    M_bound = 1.0 + (5.0 + math.log2(ds.d)) / 2.0 + math.log2(1.0 / (1.0 - rho))
    assert cert.square_steps <= M_bound
    assert c.network.depth <= 2 + ds.N * (ds.d * (M_bound + 1) + 4)
    assert cert.square_error <= cert.eps_tilde / 2


@given(ds=separated_datasets(max_n=30, max_d=8, max_classes=5), p=st.sampled_from([1.0, math.inf]), fraction=FRACTIONS)
def test_theorem6_robustly_memorizes(ds, p, fraction):
    c = construct_theorem6(ds, p=p, sigma=_sigma(ds, p, fraction))
    _check_network(c, ds)
    assert c.network.width <= ds.d + 4  # d + 4, or 4 when d = 1
    assert c.network.depth <= 2 + ds.N * (2 * ds.d + 3)  # O(N d) with constant 2


@given(ds=separated_datasets(max_n=30, max_d=8, max_classes=5), p=st.sampled_from([1.0, math.inf]), fraction=FRACTIONS)
def test_remark40_robustly_memorizes(ds, p, fraction):
    c = construct_remark40(ds, p=p, sigma=_sigma(ds, p, fraction))
    _check_network(c, ds)
    assert c.network.width == 3 * ds.d + 1
    assert c.network.depth <= 2 + 5 * ds.N  # O(N) with constant 5
