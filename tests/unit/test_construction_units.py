"""Unit tests of the constructions: hypotheses enforced with clear errors, certificates that
survive a save/load round trip, and the floating-point slack policy in its hardest regime."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.construct import Certificate, construct_remark40, construct_theorem5, construct_theorem6
from robustmem.data import Dataset, sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.network import load_network, save_network
from robustmem.verify import falsify, verify_fit


@pytest.fixture(scope="module")
def ds():
    return sphere_points(25, 5, n_classes=3, seed=4)


@pytest.mark.parametrize("p", [1.0, 2.0, math.inf])
def test_radius_at_the_remark4_limit_is_refused(ds, p):
    from robustmem.norms import c_plus

    limit = ds.separation().delta / (2 * c_plus(p, ds.d))
    with pytest.raises(HypothesisError, match=r"needs sigma/delta < 1/\(2 c\+_p\(d\)\)"):
        construct_theorem5(ds, p=p, sigma=limit * (1 + 1e-9))
    # exactly at the limit (up to the rounding of limit itself): refused, by the hypothesis or,
    # when the float ratio lands a hair below the limit, by the margin check
    with pytest.raises(HypothesisError, match="Theorem 5"):
        construct_theorem5(ds, p=p, sigma=limit)


def test_theorem6_is_only_for_p_1_and_inf(ds):
    with pytest.raises(InvalidArgumentError, match="p in \\{1, inf\\}, got p = 2"):
        construct_theorem6(ds, p=2.0, sigma=0.01)


@pytest.mark.parametrize("bad", [float("nan"), -0.1, float("inf"), "0.1"])
def test_bad_sigma_is_named(ds, bad):
    with pytest.raises(InvalidArgumentError, match="sigma"):
        construct_theorem6(ds, p=math.inf, sigma=bad)


def test_certificate_round_trips_through_the_network_file(ds, tmp_path):
    net, cert = construct_theorem5(ds, p=math.inf, sigma=0.01)
    path = save_network(net, tmp_path / "n.rmnet")
    again = load_network(path)
    assert Certificate.from_dict(again.meta["certificate"]) == cert
    assert np.array_equal(again(ds.X), net(ds.X))


@pytest.mark.parametrize("build", [construct_theorem6, construct_remark40])
@pytest.mark.parametrize("sigma", [1e-9, 3.3e-10])
def test_large_offset_tiny_radius_still_exact_on_the_whole_ball(build, sigma):
    """Coordinates near 10^4 and radii near 10^-9: the rounding of x + B and of the biases is of
    the radius' own order, so the indicator radius must absorb it (construct/common.py)."""
    rng = np.random.default_rng(0)
    data = Dataset(10000.0 + rng.uniform(0, 50, size=(30, 2)), rng.integers(1, 3, 30))
    net, cert = build(data, p=math.inf, sigma=sigma)
    assert cert.r >= sigma + cert.float_slack
    assert verify_fit(net, data, mode="exact").passed
    rep = falsify(net, data, p=math.inf, sigma=sigma, n_random=4, n_boundary=32, pgd=False, seed=1)
    assert rep.passed, rep.summary()
