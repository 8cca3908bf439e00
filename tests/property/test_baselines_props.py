"""Property tests for the competing constructions (docs/constructions.md, Competing constructions).

Robust ones -- Yu-Gao-Zhang 2024 (l_inf, and integer p >= 2) and Kim-Moon-Yun 2025 (any p, both dimension
choices, both memorizers): for
arbitrary separated datasets and radii up to 0.99 of their hypothesis, the network fits exactly and
no falsifier finds a point of a claimed ball with another output.

Non-robust ones -- Zhang et al. 2017 and Vardi-Yehudai-Shamir 2022: the fit is exact (VYS: exact
rational weights; Zhang: exactly when its construction says so, else the documented rounding of its
output weights), and attacks break them at radii where nothing is claimed, while a radius proved
safe is never broken (a certifier must never certify what an attack breaks).
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st
from property.strategies import norms, separated_datasets

from robustmem.construct.kim2025 import construct_kim2025
from robustmem.construct.vardi2022 import LAYOUT_WIDTH, construct_vardi2022
from robustmem.construct.vardi2022_checks import vardi2022_attack, vardi2022_breaking_radius, vardi2022_radius
from robustmem.construct.yu2024 import construct_yu2024
from robustmem.construct.yu2024_lp import construct_yu2024_lp
from robustmem.construct.zhang2017 import construct_zhang2017, zhang2017_radius
from robustmem.norms import c_plus
from robustmem.verify import falsify, verify_fit

FRACTIONS = st.floats(min_value=0.01, max_value=0.99, allow_nan=False)
FAST = dict(n_random=6, n_boundary=6, pgd_steps=3, pgd_restarts=1, seed=0)


def _robust(c, ds, p: float, sigma: float) -> None:
    net, cert = c
    fit = verify_fit(net, ds, mode="exact")
    assert fit.passed, fit.summary()
    rep = falsify(net, ds, p=p, sigma=sigma, **FAST)
    assert rep.n_counterexamples == 0, rep.summary()
    assert net.width == cert.claimed_width and net.depth == cert.claimed_depth


@given(ds=separated_datasets(max_n=20, max_d=5, max_classes=4), fraction=FRACTIONS)
def test_yu2024_robust_in_linf(ds, fraction):
    sigma = fraction * ds.separation(math.inf).delta / 2  # Theorem 4.8: every sigma < tau_inf / 2
    c = construct_yu2024(ds, sigma=sigma)
    _robust(c, ds, math.inf, sigma)
    assert c.network.width <= 3 * ds.d + 1 and c.network.depth == 2 * ds.N + 1


@given(ds=separated_datasets(max_n=12, max_d=4, max_classes=4), p=st.sampled_from([2, 3, 4]), fraction=FRACTIONS)
def test_yu2024_lp_robust_up_to_half_the_lp_separation(ds, p, fraction):
    sigma = fraction * ds.separation(float(p)).delta / 2  # Theorem B.6: every sigma < tau_p / 2
    c = construct_yu2024_lp(ds, p=p, sigma=sigma)
    _robust(c, ds, float(p), sigma)
    assert c.network.width <= 6 * ds.d + 2  # width O(d): d carried + max + sum + d power nets
    # depth O(N p (log d + p log(Delta / w))) (their O(N p (log(d / gamma^p) + p log R))), with this code's
    # constants: M is the least with max(1, 4 (p - 2)) 2^(-2M-2) <= w^p / (8 d Delta^p)
    cert = c.certificate
    Delta = cert.w + 2 * cert.r
    M_bound = 1 + (math.log2(8 * ds.d * max(1, 4 * (p - 2))) - 2 + p * math.log2(Delta / cert.w)) / 2
    assert cert.square_steps <= M_bound + 1e-9
    assert c.network.depth <= 2 + ds.N * (1 + M_bound + (p - 2) * (3 * M_bound + 1) + 5) + 1e-6
    assert cert.square_error <= cert.eps_tilde / 2


@given(
    ds=separated_datasets(max_n=14, max_d=5, max_classes=4),
    p=norms(),
    fraction=FRACTIONS,
    dimension=st.sampled_from(["theorem", "smallest"]),
    memorizer=st.sampled_from(["yu2024", "theorem16"]),
)
def test_kim2025_robust(ds, p, fraction, dimension, memorizer):
    sigma = fraction * ds.separation(2.0).delta / (2 * c_plus(p, ds.d))  # rho' = fraction < 1
    c = construct_kim2025(ds, p=p, sigma=sigma, dimension=dimension, memorizer=memorizer)
    _robust(c, ds, p, sigma)
    m = len(c.certificate.projection)
    assert m <= ds.d
    if memorizer == "theorem16":
        assert c.network.width <= m + 6  # Theorem 16 chain in R^m (m + 5 when m = 1, M = 1)
    else:
        assert c.network.width <= 4 * m + 2  # Yu-Gao-Zhang's parallel l_2 memorizer in R^m


@given(ds=separated_datasets(max_n=20, max_d=5, max_classes=4), p=norms())
def test_zhang2017_fits_and_breaks_where_its_radius_ends(ds, p):
    c = construct_zhang2017(ds, p=p)
    fit = verify_fit(c.network, ds, mode="exact")
    exact = c.network.meta["zhang2017"]["exact_fit_by_construction"]
    assert fit.passed == exact  # exact whenever the output weights are floats
    if not exact:  # Zhang's Theorem 1 holds in the reals; rounded output weights leave a few ulps
        assert fit.max_abs_error <= 1e-9 * max(int(ds.y.max()), 1)
    rad = zhang2017_radius(c)
    sigma = 1e-3 * ds.separation(p).delta
    rep = falsify(c.network, ds, p=p, sigma=sigma, **FAST)
    broken = {cx.ball for cx in rep.counterexamples if cx.exact_confirmed}
    assert all(rad.per_point[i] < sigma for i in broken)  # no ball broken inside its exact radius
    if rad.radius < sigma / 2:
        assert rep.n_counterexamples > 0  # not robust: some ball breaks at 1/1000 of the separation


@given(ds=separated_datasets(max_n=20, max_d=5, max_classes=4), p=norms())
def test_vardi2022_fits_exactly_and_breaks_beyond_its_cells(ds, p):
    c = construct_vardi2022(ds, p=p)
    net = c.network
    assert [int(v) if v.denominator == 1 else None for v in net.evaluate_exact(ds.X)] == [int(v) for v in ds.y]
    assert net.width == LAYOUT_WIDTH and net.depth == c.certificate.claimed_depth
    safe, breaking = vardi2022_radius(c, ds, p=p), vardi2022_breaking_radius(c, ds, p=p)
    assert 0 < safe < breaking
    assert vardi2022_attack(c, ds, radius=safe, p=p, samples=2).n_counterexamples == 0
    att = vardi2022_attack(c, ds, radius=breaking, p=p, samples=0)
    assert att.n_counterexamples >= 1  # the directional point reaches the nearest other label's cell
