"""KernelArith (torch's elementwise kernels) performs the float64 operations of FloatArith: equal values
(np.array_equal; only a zero's sign bit may differ, see KernelArith).

``net(X)`` uses it on the block-parallel arrays (``KernelArith.state_free_values``, one chunk of
blocks at a time) and on long rows (``KernelArith.value``); these tests force both paths (arrays of
at least KERNEL_MIN_ELEMENTS elements) and compare with numpy on values built to expose any
difference: a fused multiply-add, another summation order, or flushed subnormals would each change
some of them.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_network import ALL, probe_points, random_chain

from robustmem.construct import construct_log_width, construct_theorem5, construct_theorem6
from robustmem.data import sphere_points
from robustmem.network.evaluate import (
    KERNEL_MIN_ELEMENTS,
    TORCH_GRAIN,
    FloatArith,
    KernelArith,
    kernels_are_ieee,
    run_network,
)

B, N = 16, 1024  # B * N = 2 * KERNEL_MIN_ELEMENTS, below torch's grain size
assert KERNEL_MIN_ELEMENTS <= B * N < TORCH_GRAIN


def _operands(rng: np.random.Generator, n_terms: int) -> tuple[np.ndarray, list]:
    """A per-block bias and terms mixing per-block weights (some +-1, some subnormal-producing),
    scalar weights, full (B, N) values and pass-through (N,) values."""
    bias = rng.standard_normal((B, 1)) * 10.0 ** rng.integers(-3, 4, (B, 1))
    terms = []
    for t in range(n_terms):
        kind = t % 4
        if kind == 0:
            w = rng.standard_normal((B, 1))
        elif kind == 1:
            w = rng.choice([1.0, -1.0], size=(B, 1)) if t % 8 == 1 else np.full((B, 1), -1.0)
        elif kind == 2:
            w = np.float64(rng.standard_normal() * 2.0**-1000)  # products are subnormal
        else:
            w = np.float64(rng.choice([3.0, 0.1, -7.25]))
        h = rng.standard_normal((B, N)) * 10.0 ** rng.integers(-8, 8, (B, N)) if t % 2 == 0 else rng.standard_normal(N)
        terms.append((w, h))
    return bias, terms


@pytest.mark.parametrize("n_terms", [1, 2, 3, 5, 9])
@pytest.mark.parametrize("relu", [False, True])
def test_kernel_values_equal_numpy_values_bit_for_bit(n_terms: int, relu: bool) -> None:
    assert kernels_are_ieee()
    rng = np.random.default_rng(n_terms + 10 * relu)
    for _ in range(5):
        bias, terms = _operands(rng, n_terms)
        ref = FloatArith().value(bias, terms, relu, (B, N))
        got = KernelArith().value(bias, terms, relu, (B, N))
        assert isinstance(got, np.ndarray) and got.shape == (B, N) and got.dtype == np.float64
        assert np.array_equal(got, ref)
        assert not np.array_equal(ref, np.zeros_like(ref))


def test_subnormal_results_are_kept() -> None:
    """Products and sums in the subnormal range: a kernel that flushed them would return zeros."""
    rng = np.random.default_rng(1)
    h = rng.standard_normal((B, N))
    terms = [(np.full((B, 1), 2.0**-1060), h), (np.float64(-(2.0**-1050)), rng.standard_normal(N))]
    ref = FloatArith().value(np.zeros((B, 1)), terms, False, (B, N))
    assert ((ref != 0) & (np.abs(ref) < 2.0**-1022)).mean() > 0.9
    assert np.array_equal(KernelArith().value(np.zeros((B, 1)), terms, False, (B, N)), ref)


@given(st.integers(0, 2**32 - 1), st.integers(1, 6), st.booleans())
@settings(max_examples=25, deadline=None)
def test_kernel_values_equal_numpy_values_property(seed: int, n_terms: int, relu: bool) -> None:
    bias, terms = _operands(np.random.default_rng(seed), n_terms)
    assert np.array_equal(KernelArith().value(bias, terms, relu, (B, N)), FloatArith().value(bias, terms, relu, (B, N)))


@pytest.mark.parametrize(("kind", "projected"), ALL)
def test_networks_through_the_kernels_equal_numpy_and_sequential(kind: str, projected: bool) -> None:
    net = random_chain(kind, projected=projected)
    X = np.tile(probe_points(net), (12, 1))  # ~2700 rows x 5 blocks: every parallel array uses the kernels
    X = X + np.random.default_rng(2).normal(0.0, 1e-3, X.shape)
    ref = net(X, kernels=False)
    assert np.array_equal(net(X), ref)
    assert np.array_equal(np.asarray(run_network(net, X, KernelArith(), max_elements=KernelArith.max_elements)), ref)
    assert np.array_equal(net.evaluate_sequential(X[::7]), ref[::7])


@pytest.mark.parametrize("p", [1.0, 2.0, float("inf")])
def test_constructions_through_the_kernels(p: float) -> None:
    ds = sphere_points(40, 12, n_classes=3, seed=1)
    rng = np.random.default_rng(3)
    X = np.concatenate([ds.X, np.repeat(ds.X, 60, axis=0) + rng.normal(0.0, 0.05, (60 * ds.N, ds.d))])
    large = construct_theorem6(ds, p=p, sigma=0.02) if p != 2.0 else construct_theorem5(ds, p=p, sigma=0.02)
    for net, _ in (large, construct_log_width(ds, p=p, width=10)):
        out = net(X)
        assert np.array_equal(out, net(X, kernels=False))
        assert np.array_equal(out[: ds.N], ds.y)  # and the fit itself


def test_flushed_subnormals_switch_the_kernels_off() -> None:
    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush subnormals")
    try:
        assert not kernels_are_ieee()
        net = random_chain("l2")
        X = np.tile(probe_points(net), (12, 1))
        assert np.array_equal(net(X), net(X, kernels=False))  # falls back to numpy
    finally:
        torch.set_flush_denormal(False)
    assert kernels_are_ieee()
