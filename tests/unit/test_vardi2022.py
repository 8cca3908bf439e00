"""Vardi-Yehudai-Shamir (ICLR 2022, Theorem 3.1): exact fit, width, O~(sqrt N) parameters, exact weights
beyond float64, and non-robustness (the proved radius is sharp)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.construct.vardi2022 import LAYOUT_WIDTH, VYS_WIDTH, construct_vardi2022
from robustmem.construct.vardi2022_checks import float64_fit, vardi2022_attack, vardi2022_radius
from robustmem.construct.zhang2017 import construct_zhang2017
from robustmem.data import Dataset, load_real, sphere_points
from robustmem.errors import InvalidArgumentError


def _exact_fit(c, ds) -> bool:
    return [int(v) if v.denominator == 1 else None for v in c.network.evaluate_exact(ds.X)] == [int(v) for v in ds.y]


@pytest.mark.parametrize("n,d,C,seed", [(3, 2, 3, 0), (7, 4, 2, 1), (50, 10, 3, 2), (200, 6, 5, 3)])
def test_exact_fit_width_and_depth(n, d, C, seed):
    ds = sphere_points(n, d, n_classes=C, seed=seed)
    c = construct_vardi2022(ds)
    net, cert = c
    assert _exact_fit(c, ds)
    assert net.width == cert.claimed_width == LAYOUT_WIDTH <= VYS_WIDTH == 12
    assert net.depth == cert.claimed_depth
    plan = net.meta["plan"]
    assert net.depth == 2 * plan.group_size * plan.steps + plan.groups + 3
    assert cert.sigma == 0.0


def test_duplicates_one_label_and_integer_data():
    X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 2.0], [5.0, -1.0], [1.0, 2.0]])
    ds = Dataset.from_arrays(X, [2, 2, 1, 7, 1])
    assert _exact_fit(construct_vardi2022(ds), ds)
    one = Dataset.from_arrays(np.arange(10.0).reshape(5, 2), [4] * 5)
    assert _exact_fit(construct_vardi2022(one), one)
    for B in (1, 2, 5):
        assert _exact_fit(construct_vardi2022(ds, group_size=B), ds)
    with pytest.raises(InvalidArgumentError, match="group_size"):
        construct_vardi2022(ds, group_size=0)


def test_real_digits_subset():
    ds = load_real("digits").subset(range(150))
    assert _exact_fit(construct_vardi2022(ds), ds)


def test_parameters_grow_like_sqrt_n_log_n_not_like_n():
    def params(n: int) -> int:
        return construct_vardi2022(sphere_points(n, 8, n_classes=3, seed=n)).network.num_parameters()

    p100, p400, p1600 = params(100), params(400), params(1600)
    # sqrt(N log N) predicts a factor 2 * sqrt(log 400 / log 100) ~ 2.3 per quadrupling; linear would be 4
    assert 1.5 < p400 / p100 < 3.0 and 1.5 < p1600 / p400 < 3.0
    # the one-hidden-layer baseline pays (d + 1) N + N non-zero weights; VYS overtakes it in the thousands
    ds = sphere_points(6400, 8, n_classes=3, seed=6400)
    vys_nz = construct_vardi2022(ds).network.num_nonzero_parameters()
    assert vys_nz < construct_zhang2017(ds).network.num_nonzero_parameters() / 1.5


def test_weights_outgrow_float64_and_the_float64_view_then_fails():
    small = sphere_points(30, 10, n_classes=3, seed=0)
    c = construct_vardi2022(small)
    assert c.network.meta["plan"].key_bits_per_group <= 53 and float64_fit(c, small).passed
    big = sphere_points(600, 10, n_classes=3, seed=0)
    c = construct_vardi2022(big)
    assert c.network.meta["plan"].key_bits_per_group > 53
    assert _exact_fit(c, big)  # exact arithmetic still fits
    fit = float64_fit(c, big)
    assert not fit.passed and len(fit.wrong) > 0 and fit.max_weight_bits > 53


@pytest.mark.parametrize("p", [1.0, 2.0, math.inf])
def test_proved_radius_holds_and_is_sharp(p):
    ds = sphere_points(25, 5, n_classes=3, seed=4)
    c = construct_vardi2022(ds)
    r = vardi2022_radius(c, ds, p=p)
    assert 0 < r < 0.01 * ds.separation(p).delta  # robust only at a tiny radius
    assert vardi2022_attack(c, ds, radius=r, p=p, samples=8).n_counterexamples == 0
    beyond = vardi2022_attack(c, ds, radius=1.01 * r, p=p, samples=8)
    assert beyond.n_counterexamples >= 1 and beyond.examples  # just past a cell edge the label changes
    wide = vardi2022_attack(c, ds, radius=ds.separation(p).delta / 4, p=p, samples=4)
    assert wide.n_balls_broken > ds.N // 2  # a quarter of the separation breaks most balls


def test_exact_fit_at_a_thousand_points():
    ds = sphere_points(1000, 16, n_classes=10, seed=7)
    c = construct_vardi2022(ds)
    assert _exact_fit(c, ds) and c.network.width == LAYOUT_WIDTH
