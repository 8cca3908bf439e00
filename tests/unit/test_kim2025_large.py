"""Kim-Moon-Yun (NeurIPS 2025) Theorem 4.2(iii) / B.14: the case table with the paper's constants, the
projected memorizer (exact fit, no falsifier hit), and its consistency with their width lower bound."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.construct.kim2025 import construct_kim2025, kim2025_plan, kim2025_span_map
from robustmem.data import sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.kim2025_instance import kim2025_attack, kim2025_hard_instance
from robustmem.norms import c_plus
from robustmem.verify import falsify, verify_fit

FAST = dict(n_random=8, n_boundary=8, pgd_steps=4, pgd_restarts=1)


@pytest.mark.parametrize(
    "N,d,rho,case,m",
    [
        (100, 64, 0.5, "I", None),  # rho >= 1/3
        (100, 64, 0.1, "II", None),  # d < 600 ln N
        (100, 10**4, 0.1, "III", None),  # N < 600 ln 100 = 2763 <= d
        (10**6, 10**5, 0.125, "IV", 14063),  # max(9 d rho^2 = 14062.5, 600 ln N = 8289.3, 10 ln d = 115.1)
        (10**6, 10**4, 0.01, "IV", 8290),  # the 600 ln N term wins
        (10**4, 10**5, 0.1, "V", 5527),  # max(9 N rho^2 = 900, 600 ln 10^4 = 5526.2)
        (10**4, 10**5, 0.3, "V", 8100),  # 9 N rho^2 wins
    ],
)
def test_case_table_uses_the_papers_constants(N, d, rho, case, m):
    plan = kim2025_plan(N, d, rho)
    assert (plan.case, plan.m, plan.span) == (case, m, case in ("III", "V"))
    if m is not None:  # Prop. B.19, alpha = 1/5: (4/5) (1/2) sqrt(m/d') >= (6/5) rho, ratio 5/6 after projection
        dp = d if case == "IV" else N
        assert 0.8 * 0.5 * math.sqrt(m / dp) >= 1.2 * rho and 24 * 25 * math.log(N) <= m <= dp


def test_projection_is_never_used_below_thousands_of_points():
    for N in (10, 100, 1000, 5000):
        for d in (10, 1000, 10**6):
            assert kim2025_plan(N, d, 0.2).m is None


def test_plan_validates():
    with pytest.raises(HypothesisError, match="rho"):
        kim2025_plan(10, 5, 1.0)
    with pytest.raises(InvalidArgumentError, match="N"):
        kim2025_plan(0, 5, 0.5)


def test_span_map_is_an_isometry_on_the_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 3)) @ rng.standard_normal((3, 20))  # rank 3 in R^20
    V = kim2025_span_map(X)
    assert V.shape == (3, 20) and np.allclose(V @ V.T, np.eye(3), atol=1e-12)
    D = X[:, None, :] - X[None, :, :]
    assert np.allclose(np.linalg.norm(D @ V.T, axis=-1), np.linalg.norm(D, axis=-1), atol=1e-12)


@pytest.mark.parametrize("p", [2.0, math.inf, 1.0])
@pytest.mark.parametrize("dimension", ["theorem", "smallest"])
@pytest.mark.parametrize("memorizer", ["yu2024", "theorem16"])
def test_fit_and_no_falsifier_hit(p, dimension, memorizer):
    ds = sphere_points(24, 12, n_classes=3, delta=1.0, seed=2)
    delta = ds.separation(2.0).delta
    sigma = 0.35 * delta / (2 * c_plus(p, ds.d))  # rho = 0.35
    net, cert = construct_kim2025(ds, p=p, sigma=sigma, dimension=dimension, memorizer=memorizer)
    m = len(cert.projection)
    # Yu-Gao-Zhang's memorizer (their Lemma D.2): m carried + max + sum + m power nets of width 3
    expected = 4 * m + 2 if memorizer == "yu2024" else m + 6
    assert net.width == cert.claimed_width == expected
    assert ("Yu-Gao-Zhang" in cert.indicator) == (memorizer == "yu2024")
    assert verify_fit(net, ds, mode="exact").passed
    assert falsify(net, ds, p=p, sigma=sigma, **FAST).n_counterexamples == 0
    if dimension == "theorem":
        assert "case I)" in cert.theorem and m == ds.d  # rho >= 1/3: no projection
    else:
        assert m < ds.d


def test_smallest_dimension_respects_the_width_lower_bound_and_resists_their_attack():
    inst = kim2025_hard_instance(12, 0.6)
    ds, sigma = inst.dataset, 0.999 * inst.sigma
    net, cert = construct_kim2025(ds, sigma=sigma, dimension="smallest")
    m = len(cert.projection)
    assert m >= inst.rho**2 * inst.k  # Proposition 3.2: a projection below rho^2 k collapses two balls
    assert verify_fit(net, ds, mode="exact").passed
    assert falsify(net, ds, p=2.0, sigma=sigma, **FAST).n_counterexamples == 0
    with pytest.raises(HypothesisError, match="no unit vector"):
        kim2025_attack(net, inst)  # the certified network's first layer leaves no kernel direction near e_j
    with pytest.raises(HypothesisError, match="no margin"):
        construct_kim2025(ds, sigma=sigma, dimension=int(inst.rho**2 * inst.k))  # below the bound


def test_rejects_radii_beyond_robust_memorization_and_bad_dimensions():
    ds = sphere_points(10, 4, n_classes=2, delta=0.5, seed=1)
    delta = ds.separation(2.0).delta
    with pytest.raises(HypothesisError, match="rho"):
        construct_kim2025(ds, sigma=delta / 2)
    with pytest.raises(InvalidArgumentError, match="dimension"):
        construct_kim2025(ds, sigma=0.1 * delta, dimension="largest")
    with pytest.raises(InvalidArgumentError, match="dimension"):
        construct_kim2025(ds, sigma=0.1 * delta, dimension=0)
    with pytest.raises(InvalidArgumentError, match="memorizer must be 'yu2024' or 'theorem16', got 'chain'"):
        construct_kim2025(ds, sigma=0.1 * delta, memorizer="chain")
