"""The Gram pair screen (robustmem.pairscreen) at moderate N (pytest-benchmark; excluded from the default run).

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_pairscreen.py -m benchmark --benchmark-enable
N = 20,000 points in k' = 26 dimensions with 10 labels (the shape of the Theorem 7 construction's projected
points): the exact separation (min_separation, q = 2), the certifier-shaped screen (rows against columns of larger
labels at a fixed radius) and the sparse-evaluator-shaped candidate search (every pair).  The float64 block scan
of every pair (object labels take that path) is measured alongside for comparison; the results are asserted equal.
Nothing here asserts on time.
"""

from __future__ import annotations

import numpy as np
import pytest

from robustmem.certify.sparse import _gram_candidates
from robustmem.data import min_separation

pytestmark = pytest.mark.benchmark

N, K = 20_000, 26


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, K))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, rng.integers(1, 11, size=N)


def test_min_separation_pair_screen(benchmark, cloud):
    X, y = cloud
    s = benchmark.pedantic(lambda: min_separation(X, y, 2.0), rounds=2, iterations=1)
    assert s.delta > 0 and y[s.i] != y[s.j]


def test_min_separation_float64_block_scan(benchmark, cloud):
    X, y = cloud
    s = benchmark.pedantic(lambda: min_separation(X, y.astype(object), 2.0), rounds=1, iterations=1)
    assert s == min_separation(X, y, 2.0)


def test_gram_candidates_every_pair(benchmark, cloud):
    X, _ = cloud
    U, D = X[: N // 2], X[N // 2 :]
    rad = np.full(U.shape[0], 0.3)
    lists = benchmark.pedantic(lambda: _gram_candidates(D, U, rad, 2.0), rounds=2, iterations=1)
    i = 7
    want = np.flatnonzero(np.linalg.norm(D - U[i], axis=1) <= 0.3 * (1 - 1e-12))
    assert len(lists) == U.shape[0] and set(want) <= set(lists[i].tolist())


def test_out_distance_gram_certifier_shape(benchmark, cloud):
    from robustmem.certify.structural.geometry import Images
    from robustmem.certify.structural.near import out_distance_gram

    X, y = cloud
    V, C = X[: N // 2], X[N // 2 :]
    G = Images(V, np.zeros_like(V), [], [], [])
    yp, yb = y[: N // 2].astype(float), y[N // 2 :].astype(float)
    out = benchmark.pedantic(
        lambda: out_distance_gram(G, C, np.zeros_like(C), yp, yb, 2.0, 0.5), rounds=2, iterations=1
    )
    assert np.all(out[yp < yb.max()] <= 0.5) and np.all(out[yp >= yb.max()] == np.inf)
