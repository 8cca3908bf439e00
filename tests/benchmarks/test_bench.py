"""Speed measurements (pytest-benchmark); excluded from the default run.

Run: .venv/bin/python -m pytest tests/benchmarks -m benchmark --benchmark-enable
The scale run of the log-width construction (N = 10^4, d = 784, k = 32) is also available as
`python -m experiments.scale` with memory figures.  Nothing here asserts on time.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.construct import construct_log_width, construct_theorem5, construct_theorem6
from robustmem.data import load_real, sphere_points
from robustmem.network.exact import evaluate_verified

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def digits():
    return load_real("digits")


def test_build_theorem6_digits(benchmark, digits):
    net, cert = benchmark(lambda: construct_theorem6(digits, p=math.inf, sigma=1.0))
    assert net.depth == cert.claimed_depth


def test_build_theorem5_sphere(benchmark):
    ds = sphere_points(500, 20, n_classes=4, seed=0)
    net, cert = benchmark(lambda: construct_theorem5(ds, p=2.0, sigma=0.2 * ds.separation().delta))
    assert net.width == cert.claimed_width


def test_evaluate_theorem6_digits_200_points(benchmark, digits):
    net, _ = construct_theorem6(digits, p=math.inf, sigma=1.0)
    out = benchmark.pedantic(lambda: net(digits.X[:200]), rounds=2, iterations=1)
    assert np.array_equal(out, digits.y[:200])


def test_verified_evaluate_theorem6_digits_200_points(benchmark, digits):
    net, _ = construct_theorem6(digits, p=math.inf, sigma=1.0)
    val, rad = benchmark.pedantic(lambda: evaluate_verified(net, digits.X[:200]), rounds=1, iterations=1)
    assert np.array_equal(val, digits.y[:200]) and not rad.any()


def test_build_log_width_digits_k16(benchmark, digits):
    net, cert = benchmark.pedantic(
        lambda: construct_log_width(digits, p=2.0, width=16, projection="random"), rounds=2, iterations=1
    )
    assert net.width == cert.claimed_width
