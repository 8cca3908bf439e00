"""Sparse exact evaluation against dense evaluation (pytest-benchmark; excluded from the default run).

Run: .venv/bin/python -m pytest tests/benchmarks/test_bench_sparse.py -m benchmark --benchmark-enable
Per-point evaluation of the N = 2,000 log-width network: the sparse evaluator (robustmem.certify.sparse) and a
dense float64 torch evaluation over net.layers() (every affine map as a dense matrix), on 200 and 20 of the same points (divide by the point count);
exact fit of digits at k = 12 (verify_fit mode='exact', sparse).  Nothing here asserts on time; the outputs
are asserted identical.
"""

from __future__ import annotations

import numpy as np
import pytest

from robustmem.certify import verify_fit_exact
from robustmem.certify.sparse import SparseEvaluator
from robustmem.construct import construct_log_width
from robustmem.data import load_real, sphere_points

pytestmark = pytest.mark.benchmark


@pytest.fixture(scope="module")
def n2000():
    ds = sphere_points(2000, 64, n_classes=10, seed=0)
    net, _ = construct_log_width(ds, p=2.0, width=16, projection="random")
    ev = SparseEvaluator(net)
    ev.evaluate(ds.X[:1])  # the proof of silence, once per network
    return ds, net, ev


def _dense_torch(net):
    import torch

    layers = [(torch.from_numpy(L.W.copy()), torch.from_numpy(L.b.copy())) for L in net.layers()]

    def run(X: np.ndarray) -> np.ndarray:
        h = torch.from_numpy(np.array(X))  # a writable copy (Dataset arrays are read-only)
        with torch.no_grad():
            for k, (W, b) in enumerate(layers):
                h = h @ W.T + b
                if k < len(layers) - 1:
                    h = torch.relu(h)
        return h[:, 0].numpy()

    return run


def test_sparse_per_point_n2000(benchmark, n2000):
    ds, net, ev = n2000
    Q = ds.X[:200]
    out = benchmark.pedantic(lambda: np.concatenate([ev.evaluate(q[None])[0] for q in Q]), rounds=3, iterations=1)
    assert np.array_equal(out, ds.y[:200]) and np.array_equal(out, net(Q))


def test_dense_torch_per_point_n2000(benchmark, n2000):
    ds, net, _ = n2000
    run = _dense_torch(net)
    Q = ds.X[:20]  # per point the same work as the 200 points above, 10 times fewer points
    out = benchmark.pedantic(lambda: np.concatenate([run(q[None]) for q in Q]), rounds=1, iterations=1)
    assert np.array_equal(out, ds.y[:20])


def test_exact_fit_digits_k12(benchmark):
    digits = load_real("digits")
    net, _ = construct_log_width(digits, p=2.0, width=12, projection="random")
    rep = benchmark.pedantic(lambda: verify_fit_exact(net, digits), rounds=1, iterations=1)
    assert rep.passed and rep.evaluation.startswith("sparse")
