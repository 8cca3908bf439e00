"""Yu-Gao-Zhang's l_p memorizer (Theorem B.6 shape): parallel Lemma 38 indicators, integer p, every sigma < tau_p/2."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from robustmem.construct.yu2024_lp import construct_yu2024_lp, yu2024_lp_depth, yu2024_lp_width
from robustmem.data import Dataset, sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.indicators_lp import indicator_lp, indicator_lp_par, lp_indicator_steps
from robustmem.network.builder import Builder, Coef
from robustmem.network.exact import evaluate_exact
from robustmem.network.network import ReLUNetwork
from robustmem.norms import c_plus
from robustmem.verify import falsify, verify_fit

FAST = dict(n_random=12, n_boundary=12, pgd_steps=6, pgd_restarts=2, seed=0)


def _indicator_net(emit, k: int, p: int, M: int | None) -> ReLUNetwork:
    """A standalone indicator around a fixed centre (label 3, r = 0.375, w = 0.25), inputs shifted by 4."""
    b = Builder([f"x{j}" for j in range(k)], raw_inputs=True)
    b.layer({f"u{j}": b.v(f"x{j}") + 4.0 for j in range(k)})
    centre = [Coef(0.25 * (j + 1)) for j in range(k)]
    z = emit(b, [f"u{j}" for j in range(k)], centre, Coef(3.0), 0.375, 0.25, p=p, shift=4.0, M=M)
    b.output(b.v(z))
    return ReLUNetwork.from_builder(b)


@pytest.mark.parametrize("p", [2, 3, 4])
def test_parallel_indicator_is_the_sequential_one_in_exact_arithmetic(p):
    """indicator_lp_par sums the same terms as indicator_lp in another order: in rationals the two
    networks are the same function (so Lemma 38's proof covers the parallel one), at a depth that
    does not grow with k."""
    k = 3
    par, seq = _indicator_net(indicator_lp_par, k, p, None), _indicator_net(indicator_lp, k, p, None)
    rng = np.random.default_rng(p)
    centre = 0.25 * np.arange(1, k + 1)
    dirs = rng.normal(size=(60, k))
    dirs /= np.linalg.norm(dirs, ord=p, axis=1, keepdims=True)
    X = centre + dirs * rng.uniform(0.0, 0.9, (60, 1))  # inside, across the margin and outside
    assert list(evaluate_exact(par, X).values) == list(evaluate_exact(seq, X).values)
    vals = evaluate_exact(par, X).values
    dist = np.linalg.norm(X - centre, ord=p, axis=1)
    assert all(v == 3 for v, t in zip(vals, dist) if t <= 0.375 * (1 - 1e-9))
    assert all(v == 0 for v, t in zip(vals, dist) if t >= 0.625 * (1 + 1e-9))
    assert all(0 <= v <= 3 for v in vals)
    assert par.depth < seq.depth
    M = lp_indicator_steps(6, 0.375, 0.25, p)  # allowed for k = 3 and k = 6: same depth for both
    assert _indicator_net(indicator_lp_par, 3, p, M).depth == _indicator_net(indicator_lp_par, 6, p, M).depth


@pytest.mark.parametrize("p", [2, 3, 5])
@pytest.mark.parametrize("fraction", [0.5, 0.99])
def test_fits_exactly_and_resists_the_falsifier_up_to_half_the_lp_separation(p, fraction):
    ds = sphere_points(14, 4, n_classes=3, delta=0.6, seed=p)
    tau = ds.separation(float(p)).delta
    sigma = fraction * tau / 2
    net, cert = construct_yu2024_lp(ds, p=p, sigma=sigma)
    assert verify_fit(net, ds, mode="exact").passed
    rep = falsify(net, ds, p=float(p), sigma=sigma, **FAST)
    assert rep.n_counterexamples == 0, rep.summary()
    M = cert.square_steps
    assert net.width == cert.claimed_width == yu2024_lp_width(ds.d, p, M)
    assert net.depth == cert.claimed_depth == yu2024_lp_depth(ds.N, p, M)
    assert cert.r >= sigma and cert.r + cert.w <= tau - cert.r + 1e-12 * tau
    # beyond Theorems 5 / 7: the radius is not capped at delta / (2 c+_p(d))
    if fraction == 0.99:
        assert sigma > ds.separation(2.0).delta / (2 * c_plus(float(p), ds.d)) or p == 2


def test_width_is_linear_and_depth_free_of_d():
    """Width k + 1 + max(3k, 1 + k w_p) (w_p = 3 for p = 2, 5 beyond; one less when M = 1): O(d);
    the maps per point, power_depth(p, M) + 5, do not depend on d."""
    for p, M, per in [(2, 3, 3), (2, 1, 2), (3, 4, 5), (3, 1, 4)]:
        for k in (1, 2, 7):
            assert yu2024_lp_width(k, p, M) == k + 1 + max(3 * k, 1 + k * per)
    X = np.array([[0.0, 0.0], [3.0, 0.0]])
    nets = [
        construct_yu2024_lp(Dataset.from_arrays(np.pad(X, ((0, 0), (0, d - 2))), [1, 2]), p=3, sigma=1.0)
        for d in (2, 8)
    ]
    # same r, w; M grows with log d only (Lemma 38's budget has k in it), so compare per-M depths
    for net in nets:
        cert = net.certificate
        assert net.network.depth == 2 + 2 * (1 + cert.square_steps + (3 - 2) * (3 * cert.square_steps + 1) + 5)
    assert nets[1].certificate.square_steps - nets[0].certificate.square_steps <= 2  # log2(8/2)/2 = 1, +1 rounding


def test_radius_at_or_beyond_half_the_separation_is_refused_with_the_values():
    ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 1.0]], [1, 2])
    tau = 2.0 ** (1 / 3)
    with pytest.raises(HypothesisError, match=r"sigma < tau_p / 2 = 0\.62996.*l_3 separation.*got sigma = 0\.63"):
        construct_yu2024_lp(ds, p=3, sigma=0.63)
    net, _ = construct_yu2024_lp(ds, p=3, sigma=0.999 * tau / 2)
    assert net([[0.3, 0.3], [0.7, 0.7]]).tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "p,match", [(2.5, "p=2.5"), (1, "p=1"), (math.inf, "construct_yu2024"), ("two", "p='two'"), (True, "p=True")]
)
def test_rejects_non_integer_exponents(p, match):
    ds = Dataset.from_arrays([[0.0], [1.0]], [1, 2])
    with pytest.raises(InvalidArgumentError, match=match):
        construct_yu2024_lp(ds, p=p, sigma=0.1)


def test_the_certificate_records_the_hypothesis_and_the_steps():
    ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], [1, 2, 1])
    net, cert = construct_yu2024_lp(ds, p=4, sigma=0.25)
    assert cert.construction == "yu2024-lp" and cert.tau_norm == 4.0 and cert.p == 4.0
    assert cert.tau <= 1.0 and cert.tau > 1.0 - 1e-12  # the l_4 separation, lowered for rounding
    assert Fraction(cert.square_error) <= Fraction(cert.eps_tilde) / 2
    assert any("Theorem 37" in n for n in cert.notes)
    assert net.meta["construction"] == "yu2024-lp"
