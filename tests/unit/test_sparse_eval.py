"""Sparse exact evaluation (robustmem.certify.sparse): bit-identical to net(X) on every chain construction, on
training points, ball boundaries, the indicators' transition bands, far points and subnormal inputs; exact results
equal to the full exact evaluation; networks without a proof fall back to the full evaluation and say so; a
silence radius that is too small is caught."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from robustmem.certify import sparse as sparse_module
from robustmem.certify.sparse import SparseEvaluator, evaluate_exact_sparse, evaluate_sparse
from robustmem.construct import (
    construct_kim2025,
    construct_log_width,
    construct_remark11,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    construct_theorem16,
    construct_yu2024,
    construct_zhang2017,
)
from robustmem.construct.yu2024_lp import construct_yu2024_lp
from robustmem.data import Dataset, sphere_points
from robustmem.network.exact import evaluate_exact, evaluate_verified
from robustmem.network.network import ReLUNetwork

INF = math.inf


def _delta(ds, q=2.0):
    return ds.separation(q).delta


BUILDERS = {
    "theorem5-p2": lambda ds: construct_theorem5(ds, p=2.0, sigma=0.3 * _delta(ds)),
    "theorem5-pinf": lambda ds: construct_theorem5(ds, p=INF, sigma=0.1 * _delta(ds)),
    "theorem6-p1": lambda ds: construct_theorem6(ds, p=1.0, sigma=0.3 * _delta(ds)),
    "theorem6-pinf": lambda ds: construct_theorem6(ds, p=INF, sigma=0.2 * _delta(ds)),
    "remark40-p1": lambda ds: construct_remark40(ds, p=1.0, sigma=0.3 * _delta(ds)),
    "remark40-pinf": lambda ds: construct_remark40(ds, p=INF, sigma=0.2 * _delta(ds)),
    "log-width-p2": lambda ds: construct_log_width(ds, p=2.0, width=8),
    "log-width-pinf": lambda ds: construct_log_width(ds, p=INF, width=9),
    "theorem16": lambda ds: construct_theorem16(
        ds, np.random.default_rng(1).normal(size=(3, 4)) / 3, p=2.0, sigma=0.02 * _delta(ds)
    ),
    "remark11": lambda ds: construct_remark11(ds),
    "kim2025": lambda ds: construct_kim2025(ds, p=2.0, sigma=0.05 * _delta(ds), dimension="smallest"),
    "yu2024": lambda ds: construct_yu2024(ds, sigma=0.4 * _delta(ds, INF)),
    "yu2024-lp3": lambda ds: construct_yu2024_lp(ds, p=3, sigma=0.3 * _delta(ds, 3.0)),
}


@pytest.fixture(scope="module")
def small():
    return sphere_points(10, 4, n_classes=3, seed=5)


@pytest.fixture(scope="module")
def built(small):
    return {name: next(iter(make(small))) for name, make in BUILDERS.items()}


def _band(net, X: np.ndarray, y: np.ndarray, pairs: int = 8) -> np.ndarray:
    """Points in the indicators' transition bands: along segments between differently-labelled points, every
    jump of net(x) between samples is zoomed into (the bands can be narrow in input space) until fractional
    outputs appear."""
    i, j = np.nonzero(y[:, None] != y[None, :])
    found = []
    for a_, b_ in list(zip(i, j))[:pairs]:
        lo, hi = np.zeros(1), np.ones(1)
        for _ in range(8):
            t = np.concatenate([np.linspace(l, h, 101) for l, h in zip(lo, hi)])[:, None]
            Q = X[a_] * (1 - t) + X[b_] * t
            out = net(Q)
            frac = out != np.round(out)
            if frac.any():
                found.append(Q[frac][:40])
                found.append(Q[::10])
                break
            jump = np.flatnonzero(np.diff(out) != 0)[:4]
            if not jump.size:
                break
            lo, hi = t[jump, 0], t[jump + 1, 0]
    return np.concatenate(found) if found else np.zeros((0, X.shape[1]))


def _queries(net, ds, sigma: float, p: float, seed: int = 0) -> dict[str, np.ndarray]:
    """Training points, ball boundaries, transition bands (fractional outputs), far points, subnormal and zero
    inputs."""
    rng = np.random.default_rng(seed)
    X, y = ds.X, ds.y
    G = rng.normal(size=(3 * len(X), X.shape[1]))
    if math.isinf(p):
        G = np.sign(G)
    else:
        G /= np.linalg.norm(G, ord=p, axis=1, keepdims=True)
    boundary = np.repeat(X, 3, axis=0) + sigma * G
    far = np.concatenate([1e3 * rng.normal(size=(5, X.shape[1])), -1e6 * np.abs(rng.normal(size=(3, X.shape[1])))])
    tiny = np.concatenate([np.zeros((1, X.shape[1])), 5e-324 * rng.integers(-3, 4, size=(4, X.shape[1]))])
    return {"train": X, "boundary": boundary, "band": _band(net, X, y), "far": far, "subnormal": tiny}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_sparse_float64_bit_identical(name, built, small):
    net = built[name]
    cert = net.meta["certificate"]
    ev = SparseEvaluator(net)
    assert ev.reason is None, ev.reason
    qs = _queries(net, small, cert["sigma"], float(cert["p"]))
    for kind, Q in qs.items():
        out, rep = ev.evaluate(Q)
        ref = net(Q)
        assert rep.mode == "sparse" and rep.reason is None
        bad = np.flatnonzero(out != ref)
        assert not bad.size, f"{kind}: row {bad[:3]}: sparse {out[bad[:3]]} vs net(X) {ref[bad[:3]]}"
        if kind == "train":
            assert np.array_equal(out, small.y)
        if kind == "far":
            assert rep.blocks_evaluated <= len(Q) * small.N
    band = qs["band"]
    frac = net(band)
    assert np.any(frac != np.round(frac)), "the segments must cross a transition band (fractional outputs)"


@pytest.mark.parametrize("name", ["theorem5-p2", "theorem6-pinf", "log-width-p2", "yu2024", "yu2024-lp3"])
def test_sparse_exact_equals_full_exact(name, built, small):
    net = built[name]
    cert = net.meta["certificate"]
    qs = _queries(net, small, cert["sigma"], float(cert["p"]), seed=1)
    Q = np.concatenate([qs["train"], qs["band"][::7], qs["far"], qs["subnormal"]])
    ev = SparseEvaluator(net)
    val, rad, rep = ev.evaluate_verified(Q)
    assert rep.mode == "sparse" and rep.arithmetic == "exact"
    assert np.array_equal(val, net(Q))
    full_val, _ = evaluate_verified(net, Q)
    assert np.array_equal(val, full_val)
    exact, rep2 = ev.evaluate_exact(Q)
    assert exact.values == evaluate_exact(net, Q).values
    assert all(abs(e - Fraction(float(v))) <= Fraction(float(r)) for e, v, r in zip(exact.values, val, rad))
    assert rep2.mode == "sparse"


def test_sparse_scan_equals_kdtree(built, small):
    net = built["log-width-p2"]
    qs = _queries(net, small, net.meta["certificate"]["sigma"], 2.0)
    Q = np.concatenate(list(qs.values()))
    a, ra = evaluate_sparse(net, Q, search="kdtree")
    b, rb = evaluate_sparse(net, Q, search="scan")
    assert np.array_equal(a, b) and ra.blocks_evaluated == rb.blocks_evaluated


def test_training_points_touch_few_blocks():
    ds = sphere_points(300, 20, n_classes=4, seed=2)
    net, _ = construct_log_width(ds, p=2.0, width=12)
    out, rep = evaluate_sparse(net, ds.X)
    assert np.array_equal(out, ds.y)
    assert rep.mode == "sparse" and rep.n_blocks == 300
    assert rep.blocks_evaluated < 10 * ds.N  # about one block per point instead of N
    ex, _ = evaluate_exact_sparse(net, ds.X)
    assert [int(v) for v in ex.values] == ds.y.tolist() and ex.n_fraction == 0


@pytest.mark.parametrize("name", ["log-width-p2", "theorem6-pinf", "yu2024", "yu2024-lp3"])
def test_too_small_silence_radius_is_caught(name, built, small, monkeypatch):
    """The mutation: R_out halved.  Blocks whose indicator is still partly on are skipped, and the band points
    then disagree with net(X) -- the tests above would fail."""
    net = built[name]
    cert = net.meta["certificate"]
    Q = _queries(net, small, cert["sigma"], float(cert["p"]))["band"]
    real = sparse_module._search_out
    monkeypatch.setattr(sparse_module, "_search_out", lambda reg, R0, fm: 0.5 * real(reg, R0, fm))
    out, rep = SparseEvaluator(net).evaluate(Q)
    assert rep.mode == "sparse"
    assert np.any(out != net(Q))


def test_no_certificate_falls_back_to_full(built, small):
    net = built["log-width-p2"]
    bare = ReLUNetwork(net.segments, meta={})
    out, rep = evaluate_sparse(bare, small.X)
    assert rep.mode == "full" and "no certificate" in rep.reason
    assert rep.blocks_evaluated == small.N * small.N and np.array_equal(out, small.y)
    dense = ReLUNetwork.from_dense([(L.W, L.b) for L in net.layers()])
    out, rep = evaluate_sparse(dense, small.X[:3])
    assert rep.mode == "full" and np.array_equal(out, small.y[:3])
    ex, rep = evaluate_exact_sparse(dense, small.X[:2])
    assert rep.mode == "full" and [int(v) for v in ex.values] == small.y[:2].tolist()


def test_unsupported_construction_falls_back(small):
    net, _ = construct_zhang2017(small)
    out, rep = evaluate_sparse(net, small.X)
    assert rep.mode == "full" and "zhang2017" in rep.reason
    assert np.array_equal(out, net(small.X))


def test_duplicate_centres_and_single_point():
    ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [1, 2, 2, 1])
    net, _ = construct_theorem6(ds, p=INF, sigma=0.2)
    Q = np.array([[0.5, 0.5], [0.0, 0.0], [0.3, 0.0], [0.35, 0.0], [0.7, 0.0], [1e300, -1e300]])
    out, rep = evaluate_sparse(net, Q)
    assert np.array_equal(out, net(Q)) and rep.mode == "sparse"
    assert rep.n_full_points == 1  # the far point lies outside every box a proof holds on: evaluated in full


def test_doctests():
    import doctest

    from robustmem.data import separation_near

    assert doctest.testmod(sparse_module, raise_on_error=False).failed == 0
    assert doctest.testmod(separation_near, raise_on_error=False).failed == 0


def test_many_state_coordinates_every_search_agrees():
    """k' = 26 state coordinates: the KD-tree and the Gram screen give the same blocks and outputs as the scan,
    bit-identical to net(X) (training points, band points, far points)."""
    ds = sphere_points(120, 64, n_classes=4, seed=3)
    net, _ = construct_log_width(ds, p=2.0, width=32)
    ev = SparseEvaluator(net, search="gram")
    assert ev.D.shape[1] == 26
    Q = np.concatenate([ds.X, _band(net, ds.X, ds.y, pairs=4), 50 * ds.X[:3]])
    a, ra = ev.evaluate(Q)
    b, rb = SparseEvaluator(net, search="scan").evaluate(Q)
    c, rc = SparseEvaluator(net, search="kdtree").evaluate(Q)
    assert np.array_equal(a, net(Q)) and np.array_equal(a, b) and np.array_equal(a, c)
    assert ra.blocks_evaluated == rb.blocks_evaluated == rc.blocks_evaluated and ra.mode == "sparse"
    assert np.any(a != np.round(a))
