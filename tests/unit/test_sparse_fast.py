"""The fast paths of sparse evaluation (robustmem.certify.sparse, robustmem.certify.sparse_input): the opening
affine map vectorized over (outputs, rows) is bit-identical to the plan run value by value and its a-priori
radius bounds the true error (checked in rational arithmetic); the grouped KD-tree search returns exactly the
reference scan's candidates (ties at the radius included); the template is interpreted once per evaluation."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustmem.certify import sparse as sparse_module
from robustmem.certify.sparse import SparseEvaluator, group_trees, tree_candidates
from robustmem.certify.sparse_input import dense_map, float_values, verified_values
from robustmem.construct import construct_log_width
from robustmem.data import sphere_points
from robustmem.network.evaluate import FloatArith, VerifiedArith, segment_plan
from robustmem.network.exact import evaluate_exact
from robustmem.network.network import ReLUNetwork, Segment
from robustmem.network.template import dense_template

INF = math.inf


def _weights(rng: np.random.Generator, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian, +-1, powers of two and zero weights mixed; entries present with probability 0.8 (explicit zeros
    included), every row of the first column present half of the time."""
    kind = rng.integers(0, 4, size=shape)
    W = np.select(
        [kind == 0, kind == 1, kind == 2],
        [rng.normal(size=shape), rng.choice([-1.0, 1.0], size=shape), 2.0 ** rng.integers(-60, 60, size=shape)],
        0.0,
    )
    W *= rng.choice([-1.0, 1.0], size=shape) ** (kind == 2)
    return W, rng.random(shape) < 0.8


def _inputs(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Normal, subnormal, zero, negative-zero and large inputs."""
    kind = rng.integers(0, 5, size=(n, d))
    return np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [rng.normal(size=(n, d)), 5e-324 * rng.integers(-4, 5, size=(n, d)), 0.0, -0.0],
        1e150 * rng.normal(size=(n, d)),
    )


def _net(rng: np.random.Generator, d: int, k: int) -> ReLUNetwork:
    W1, h1 = _weights(rng, (k, d))
    b1 = np.where(rng.random(k) < 0.3, 0.0, rng.normal(size=k))
    W2, h2 = _weights(rng, (2, k))
    maps = (dense_template(W1, b1, h1), dense_template(W2, rng.normal(size=2), h2))
    out = dense_template(np.ones((1, 2)), np.zeros(1), np.ones((1, 2), dtype=bool))
    return ReLUNetwork([Segment(maps, np.zeros((1, 0)), name="open"), Segment((out,), np.zeros((1, 0)), name="out")])


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float64).view(np.int64)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 30), d=st.integers(1, 24), k=st.integers(1, 6))
def test_input_map_bit_identical_to_plan(seed, n, d, k):
    """Float64 and verified values of the vectorized opening map equal the plan's, bit for bit (zero signs too),
    on random dense maps with +-1, power-of-two and explicit zero weights and subnormal inputs."""
    rng = np.random.default_rng(seed)
    net = _net(rng, d, k)
    X = _inputs(rng, n, d)
    seg = net.segments[0]
    plan = segment_plan(seg, final_relu=True, parallel=False)
    for arith in (FloatArith(), VerifiedArith()):
        fast = sparse_module._run_input(seg, plan, arith, X)
        old = sparse_module._run_one(seg, plan, arith, [arith.input(X, j) for j in range(d)], n)
        for a, b in zip(fast, old):
            va, vb = (a[0], b[0]) if isinstance(arith, VerifiedArith) else (a, b)
            assert np.array_equal(_bits(np.broadcast_to(va, (n,))), _bits(np.broadcast_to(vb, (n,))))
    ent, bias = (a[0] for a in seg.realize_all(slice(0, 1)))
    dm = dense_map(plan, ent, bias)
    assert dm is not None and dm.W.shape[0] >= k and dm.vids[:k] == tuple(range(d, d + k))
    env: dict = {j: X[:, j] for j in range(d)}
    for v in plan.values:  # the plan, value by value (FloatArith): every value of the dense map, bit for bit
        env[v.vid] = FloatArith().value(bias[v.bias], [(ent[e], env[s]) for s, e in zip(v.srcs, v.ents)], v.relu, (n,))
    assert np.array_equal(_bits(float_values(dm, X)), _bits(np.stack([env[v] for v in dm.vids])))


def _exact_first_map(dm, X: np.ndarray) -> list[list[Fraction]]:
    out = []
    for o in range(dm.W.shape[0]):
        row = []
        for x in X:
            s = Fraction(float(dm.b[o])) + sum(
                (Fraction(float(dm.W[o, j])) * Fraction(float(x[j])) for j in np.flatnonzero(dm.has[o])), Fraction(0)
            )
            row.append(max(s, Fraction(0)) if dm.relu[o] else s)
        out.append(row)
    return out


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 12), d=st.integers(1, 40), k=st.integers(1, 4))
def test_input_map_radius_covers_the_true_error(seed, n, d, k):
    """|exact - value| <= radius for every neuron and row, the exact value computed with Fractions; a radius 0
    only where the value is exact."""
    rng = np.random.default_rng(seed)
    net = _net(rng, d, k)
    X = _inputs(rng, n, d)
    X[np.abs(X) > 1e100] /= 1e140  # keep the verified pass finite (its overflow is a separate, refused case)
    seg = net.segments[0]
    plan = segment_plan(seg, final_relu=True, parallel=False)
    ent, bias = (a[0] for a in seg.realize_all(slice(0, 1)))
    dm = dense_map(plan, ent, bias)
    res = verified_values(dm, X)
    assert res is not None
    val, rad = res
    exact = _exact_first_map(dm, X)
    for o in range(dm.W.shape[0]):
        for i in range(n):
            err = abs(exact[o][i] - Fraction(float(val[o, i])))
            assert err <= Fraction(float(rad[o, i])), (o, i, float(err), rad[o, i])


def test_input_map_radius_is_tight_enough_and_not_vacuous():
    """On Gaussian maps the true error is non-zero for most neurons (the check above is not vacuous) and the
    a-priori radius stays within (m + 2) u (|b| + sum |w x|) (it is not inflated)."""
    rng = np.random.default_rng(7)
    d, k, n = 30, 5, 20
    W, b = rng.normal(size=(k, d)), rng.normal(size=k)
    seg = Segment((dense_template(W, b, np.ones((k, d), dtype=bool)),), np.zeros((1, 0)), name="o")
    X = rng.normal(size=(n, d))
    plan = segment_plan(seg, final_relu=False, parallel=False)
    dm = dense_map(plan, *(a[0] for a in seg.realize_all(slice(0, 1))))
    val, rad = verified_values(dm, X)
    exact = _exact_first_map(dm, X)
    errs = np.array([[float(abs(exact[o][i] - Fraction(float(val[o, i])))) for i in range(n)] for o in range(k)])
    assert (errs > 0).mean() > 0.5 and np.all(errs <= rad)
    scale = np.abs(b)[:, None] + np.abs(W) @ np.abs(X).T
    assert np.all(rad <= (d + 2) * 2.0**-53 * scale * 1.01)


def test_dense_map_refuses_an_unsorted_term_order():
    """A plan whose neuron adds its terms out of column order is not vectorized (the caller falls back)."""
    rng = np.random.default_rng(1)
    net = _net(rng, 5, 3)
    seg = net.segments[0]
    plan = segment_plan(seg, final_relu=True, parallel=False)
    v = plan.values[0]
    assert len(v.srcs) >= 2
    swapped = type(v)(v.vid, v.srcs[::-1], v.ents[::-1], v.bias, v.relu, v.state_free)
    bad = type(plan)(plan.in_dim, (swapped,) + plan.values[1:], plan.outputs, plan.pass_through, plan.exported, {})
    assert dense_map(bad, *(a[0] for a in seg.realize_all(slice(0, 1)))) is None


# ----- grouped KD-tree search -----
Q_NORMS = [1.0, 2.0, 3.0, INF]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    N=st.integers(1, 60),
    k=st.integers(1, 31),
    q=st.sampled_from(Q_NORMS),
    spread=st.sampled_from([1e-3, 1.0, 1e6]),
)
def test_group_search_equals_scan(seed, N, k, q, spread):
    """Random centres, queries near them (some at distance exactly the radius along (+-1, ..., +-1), which ties
    every group when the groups have equal size), far queries and duplicates: the same candidates as the scan."""
    rng = np.random.default_rng(seed)
    D = spread * rng.normal(size=(N, k))
    if N > 2:
        D[1] = D[0]
    R = spread * float(rng.choice([1e-3, 0.1, 1.0]))
    near = D[rng.integers(0, N, size=12)] + R * rng.normal(size=(12, k)) / math.sqrt(k)
    picks = rng.integers(0, N, size=8)
    tie = D[picks] + rng.choice([-1.0, 1.0], size=(8, k)) * R * float(rng.random())
    U = np.concatenate([near, tie, spread * 10 * rng.normal(size=(3, k)), D[:2]])
    rad = np.full(len(U), R)
    for i, b in enumerate(picks):  # the radius of a tie query is the scan's own distance to its centre
        rad[12 + i] = sparse_module._qnorm(np.abs(D[b] - U[12 + i]), q) * (1.0 - sparse_module._REL)
    indptr, blocks = tree_candidates(group_trees(D), D, U, rad, q)
    ref = sparse_module._scan_lists(D, U, rad, q)
    assert len(indptr) == len(U) + 1
    for i, r in enumerate(ref):
        assert np.array_equal(blocks[indptr[i] : indptr[i + 1]], r), (i, r)
    for i, b in enumerate(picks):
        assert b in ref[12 + i]


def test_groups_split_the_coordinates():
    for k in (1, 12, 13, 26, 31, 64):
        g = sparse_module._groups(k)
        assert np.array_equal(np.concatenate(g), np.arange(k))
        assert max(len(x) for x in g) <= (12 if k <= 12 else 10)
    assert len(sparse_module._groups(12)) == 1 and len(sparse_module._groups(26)) == 3


def test_group_search_ties_every_group():
    """k' = 30 in three equal groups, offsets t (+-1, ..., +-1): each group holds exactly m^(-1/q) of the
    distance, so a group radius a hair too small misses the block (the mutation this test is for)."""
    rng = np.random.default_rng(3)
    D = rng.normal(size=(200, 30))
    for q in Q_NORMS:
        U = D[:50] + rng.choice([-1.0, 1.0], size=(50, 30)) * 0.01
        rad = sparse_module._qnorm(np.abs(D[:50] - U), q) * (1.0 - sparse_module._REL)
        indptr, blocks = tree_candidates(group_trees(D), D, U, rad, q)
        for i in range(50):
            assert i in blocks[indptr[i] : indptr[i + 1]]


# ----- one interpretation -----
def test_one_template_interpretation_and_the_same_centres(monkeypatch):
    """An evaluation interprets the template once (the centres come from the proof's interpretation) and gets
    the same centres as the interpretation on the 2^60 box; outputs stay net(X) and exact."""
    from robustmem.certify.structural import template

    ds = sphere_points(60, 24, n_classes=3, seed=4)
    net, _ = construct_log_width(ds, p=2.0, width=16)
    calls = []
    real = template.interpret_block
    monkeypatch.setattr(template, "interpret_block", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    ev = SparseEvaluator(net)
    res, rep = ev.evaluate_exact(ds.X)
    assert len(calls) == 1 and rep.mode == "sparse"
    assert res.values == evaluate_exact(net, ds.X).values and res.n_fraction == 0
    out, rep = ev.evaluate(ds.X)
    assert len(calls) == 2 and np.array_equal(out, net(ds.X))  # the float64 proof: its own interpretation
    assert np.array_equal(ev.D, SparseEvaluator(net).D)
    fresh = SparseEvaluator(net)  # centres from the float64 proof's interpretation: the same
    fresh.evaluate(ds.X[:5])
    assert np.array_equal(fresh.D, ev.D) and fresh.D_err == ev.D_err


@pytest.mark.parametrize("d", [9, 40])
def test_verified_fast_path_keeps_training_points_exact(d):
    """With the a-priori radius (d >= 8 terms per neuron) the training points' outputs are still settled by
    the verified pass (no Fractions), equal to the full exact evaluation, and radii cover the exact outputs."""
    ds = sphere_points(80, d, n_classes=4, seed=d)
    net, _ = construct_log_width(ds, p=2.0, width=12)
    ev = SparseEvaluator(net)
    val, rad, rep = ev.evaluate_verified(ds.X)
    assert rep.mode == "sparse" and np.array_equal(val, net(ds.X)) and not rad.any()
    Q = ds.X[:10] + 1e-3 * np.random.default_rng(0).normal(size=(10, d))
    res, _ = ev.evaluate_exact(Q)
    assert res.values == evaluate_exact(net, Q).values
