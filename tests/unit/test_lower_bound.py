"""Theorem 19's hard instance, its covers, and the kernel attack of Theorem 17 (robustmem.lower_bound)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound import (
    circle_cover,
    greedy_cover,
    hard_instance,
    kernel_attack,
    latitude_cover,
    sampled_covering_radius,
    uniform_sphere,
)
from robustmem.network import Builder, ReLUNetwork
from robustmem.norms import pnorm

INF = math.inf


def _sample(k: int, R: float, n: int = 60000, seed: int = 7) -> np.ndarray:
    return R * uniform_sphere(n, k + 1, np.random.default_rng(seed))


# ------------------------------------------------------------------ covers
@pytest.mark.parametrize("R, rho", [(1.0, 0.5), (0.3, 0.01), (2.0, 3.9), (1.0, 5.0)])
def test_circle_cover_exact_radius_and_minimal(R, rho):
    c = circle_cover(R, rho)
    n = c.n
    assert np.allclose(np.linalg.norm(c.points, axis=1), R)
    assert c.radius <= rho and c.verification == "exact"
    if n > 1:
        # worst points are the arc midpoints, at distance exactly 2 R sin(pi / (2n))
        t = 2 * np.pi * (np.arange(n) + 0.5) / n
        mids = R * np.stack([np.cos(t), np.sin(t)], axis=1)
        assert sampled_covering_radius(c.points, mids) == pytest.approx(2 * R * math.sin(math.pi / (2 * n)), rel=1e-12)
        assert c.radius == pytest.approx(2 * R * math.sin(math.pi / (2 * n)), rel=1e-15)
        # n - 1 points would not do: the cover is the smallest equally spaced one
        assert 2 * R * math.sin(math.pi / (2 * (n - 1))) > rho
    assert sampled_covering_radius(c.points, _sample(1, R)) <= c.radius * (1 + 1e-12)


def test_circle_chord_identity_exact():
    # the chord between angles 0 and pi/n (arc midpoint) is 2 R sin(pi/(2n)): proved symbolically
    R, n = sp.symbols("R n", positive=True)
    chord2 = (R - R * sp.cos(sp.pi / n)) ** 2 + (R * sp.sin(sp.pi / n)) ** 2
    assert sp.simplify(chord2 - (2 * R * sp.sin(sp.pi / (2 * n))) ** 2) == 0


@pytest.mark.parametrize("k, R, rho", [(2, 1.0, 0.5), (2, 0.2, 0.02), (3, 1.0, 0.4), (3, 1.3, 0.9)])
def test_latitude_cover_radius_holds_on_dense_sample(k, R, rho):
    c = latitude_cover(k, R, rho)
    assert c.k == k and c.verification == "proof" and c.radius <= rho
    assert np.allclose(np.linalg.norm(c.points, axis=1), R)
    measured = sampled_covering_radius(c.points, _sample(k, R))
    assert measured <= c.radius * (1 + 1e-12)
    assert measured >= 0.7 * c.radius  # the proved bound is not wildly pessimistic


def test_cover_sizes_small_k():
    # sizes quoted in the report (unit sphere, eta = rho / R)
    assert [circle_cover(1.0, e).n for e in (1.0, 0.5, 0.1)] == [4, 7, 32]
    assert [latitude_cover(2, 1.0, e).n for e in (1.0, 0.5, 0.2)] == [10, 32, 174]
    assert [latitude_cover(3, 1.0, e).n for e in (1.0, 0.5)] == [23, 146]


def test_greedy_cover_sampled():
    c = greedy_cover(4, 1.0, 0.9, samples=4000, verify_samples=20000)
    assert c.verification == "sampled" and c.radius <= 0.9
    assert np.allclose(np.linalg.norm(c.points, axis=1), 1.0)


# ------------------------------------------------------------------ the hard instance
@pytest.mark.parametrize("k, d, sigma, p", [(1, 2, 0.01, 2.0), (1, 4, 0.05, INF), (2, 3, 0.02, 1.0), (2, 4, 0.05, 2.0)])
def test_hard_instance_structure(k, d, sigma, p):
    inst = hard_instance(k, d, 1.0, sigma, p)
    X, y = inst.dataset.X, inst.dataset.y
    assert inst.sigma_prime <= sigma and inst.r == pytest.approx(math.sqrt(2 * inst.sigma_prime))
    assert inst.separation >= 1.0 and inst.dataset.separation().delta >= 1.0
    assert (y[: inst.n1] == 1).all() and (y[inst.n1 :] == 2).all()
    assert np.allclose(np.linalg.norm(X[: inst.n1], axis=1), inst.r)
    assert np.allclose(np.linalg.norm(X[inst.n1 :], axis=1), inst.outer_radius)
    assert (X[:, k + 1 :] == 0).all() and inst.subspace == tuple(range(k + 1))
    assert inst.inner_cover.radius <= inst.sigma_prime and inst.outer_cover.radius <= inst.r
    inner = sampled_covering_radius(X[: inst.n1, : k + 1], _sample(k, inst.r, 20000))
    outer = sampled_covering_radius(X[inst.n1 :, : k + 1], _sample(k, inst.outer_radius, 20000))
    assert inner <= inst.sigma_prime and outer <= inst.r


def test_hard_instance_k1_size():
    inst = hard_instance(1, 2, 1.0, 0.01, 2.0)
    assert (inst.n1, inst.n2) == (45, 26)  # N = 71 vs Theorem 8's N > 4832^{1/2} ~ 70 at sigma/delta = 0.01


@pytest.mark.parametrize(
    "args, kwargs, match",
    [
        ((0, 2, 1.0, 0.1, 2.0), {}, r"k must be an integer >= 1, got 0"),
        ((2, 2, 1.0, 0.1, 2.0), {}, r"d must be an integer >= k \+ 1 = 3, got 2"),
        ((1, 2, 0.0, 0.1, 2.0), {}, r"delta must be a positive finite number, got 0.0"),
        ((1, 2, 1.0, -0.1, 2.0), {}, r"sigma must be a positive finite number, got -0.1"),
        ((1, 2, 1.0, 0.1, 0.0), {}, r"p must lie in \(0, inf\], got 0.0"),
        ((2, 3, 1.0, 0.1, 2.0), {"cover": "circle"}, r"cover='circle' needs k = 1"),
        ((1, 2, 1.0, 0.1, 2.0), {"cover": "hexagonal"}, r"got 'hexagonal'"),
        ((2, 3, 1.0, 1e-4, 2.0), {"max_points": 1000}, r"at least max_points = 1000"),
    ],
)
def test_hard_instance_argument_errors(args, kwargs, match):
    with pytest.raises(InvalidArgumentError, match=match):
        hard_instance(*args, **kwargs)


# ------------------------------------------------------------------ the kernel attack
def _check_pair(res, inst, p):
    X = inst.dataset.X
    assert res.label_i != res.label_j
    assert res.distance <= inst.sigma and res.distance_prime == 0.0
    assert np.array_equal(res.a_prime, X[res.j])
    diff = np.array([float(t - Fraction(float(x))) for t, x in zip(res.a_exact, X[res.i])])
    assert pnorm(diff, p) <= inst.sigma * (1 + 1e-12)
    assert res.exact_kernel and res.image_gap_exact == 0 and res.image_gap < 1e-12


@pytest.mark.parametrize("k, d, p", [(1, 2, 2.0), (1, 5, INF), (2, 3, 1.0), (2, 4, 1.5), (2, 3, 2.0)])
@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_attack_random_rank_k_matrix(k, d, p, seed):
    inst = hard_instance(k, d, 1.0, 0.03, p)
    W = np.random.default_rng(seed).standard_normal((k, d))
    res = kernel_attack(W, inst)
    _check_pair(res, inst, p)
    assert res.first_layer_rank == k and res.outputs is None
    assert np.linalg.norm(W @ res.kernel_vector) < 1e-12


def test_kernel_attack_numerically_low_rank_matrix():
    inst = hard_instance(2, 4, 1.0, 0.03, 2.0)
    rng = np.random.default_rng(3)
    W = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 4))  # rank 2 in exact terms? only numerically
    res = kernel_attack(W, inst)
    assert res.distance <= inst.sigma and res.image_gap < 1e-12


def test_kernel_attack_refuses_full_rank_and_small_sigma():
    inst = hard_instance(1, 2, 1.0, 0.03, 2.0)
    with pytest.raises(HypothesisError, match=r"rank 2 = k \+ 1"):
        kernel_attack(np.eye(2), inst)
    with pytest.raises(HypothesisError, match="no pair found within sigma = 1e-06"):
        kernel_attack(np.array([[1.0, 0.3]]), inst, sigma=1e-6)
    with pytest.raises(InvalidArgumentError, match=r"shape \(m, d = 2\)"):
        kernel_attack(np.ones((1, 3)), inst)


def _dense_network(layers: list[tuple[np.ndarray, np.ndarray]]) -> ReLUNetwork:
    """A ReLUNetwork from dense (W, b) pairs (ReLU between them, none after the last)."""
    d = layers[0][0].shape[1]
    b = Builder([f"x{c}" for c in range(d)], raw_inputs=True)
    names = [f"x{c}" for c in range(d)]
    for ell, (W, bias) in enumerate(layers):
        exprs = []
        for o in range(W.shape[0]):
            e = float(bias[o])
            for c, name in enumerate(names):
                e = b.v(name) * float(W[o, c]) + e
            exprs.append(e)
        if ell == len(layers) - 1:
            b.output(exprs[0])
        else:
            new = [f"h{ell}_{o}" for o in range(W.shape[0])]
            b.layer(dict(zip(new, exprs)), drop=[n for n in names if n not in new])
            names = new
    return ReLUNetwork.from_builder(b)


def _train_mlp(inst, width: int, depth: int = 3, steps: int = 300, seed: int = 0) -> ReLUNetwork:
    torch = pytest.importorskip("torch")
    torch.manual_seed(seed)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny model: thread start-up dominates otherwise
    try:
        return _fit(torch, inst, width, depth, steps)
    finally:
        torch.set_num_threads(threads)


def _fit(torch, inst, width: int, depth: int, steps: int) -> ReLUNetwork:
    dims = [inst.d] + [width] * (depth - 1) + [1]
    mods = []
    for a, b in zip(dims[:-1], dims[1:]):
        mods += [torch.nn.Linear(a, b, dtype=torch.float64), torch.nn.ReLU()]
    model = torch.nn.Sequential(*mods[:-1])
    X = torch.tensor(inst.dataset.X)
    y = torch.tensor(inst.dataset.y, dtype=torch.float64)
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(X).squeeze(1) - y) ** 2).mean()
        loss.backward()
        opt.step()
    lin = [m for m in model if isinstance(m, torch.nn.Linear)]
    net = _dense_network([(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in lin])
    assert np.allclose(net(inst.dataset.X), model(X).squeeze(1).detach().numpy(), atol=1e-10)
    return net


@pytest.mark.parametrize("k, d, p", [(1, 3, 2.0), (2, 3, INF)])
def test_kernel_attack_defeats_trained_width_k_mlp(k, d, p):
    inst = hard_instance(k, d, 1.0, 0.03, p)
    net = _train_mlp(inst, width=k)
    assert net.width == k
    res = kernel_attack(net, inst)
    _check_pair(res, inst, p)
    f_a, f_b = res.outputs
    assert abs(f_a - f_b) <= 1e-9 * (1 + abs(f_b))  # rounding of a only; exactly equal in rationals
    assert res.wrong_labels and set(res.wrong_labels) <= {1, 2}
    assert res.exact_output is not None and abs(float(res.exact_output) - f_b) < 1e-12


def test_kernel_attack_defeats_theorem7_width7_network():
    # construct_log_width(width=7) projects to k - 6 = 1 dimension: its first layer has rank 1 on the
    # k = 1 instance, so the Theorem 7 network (certified at a smaller radius) errs at the larger one.
    from robustmem.construct import construct_log_width

    inst = hard_instance(1, 3, 1.0, 0.05, 2.0)
    built = construct_log_width(inst.dataset, p=2.0, width=7)
    assert built.certificate.sigma < inst.sigma
    res = kernel_attack(built.network, inst)
    _check_pair(res, inst, 2.0)
    assert res.outputs[0] == res.outputs[1]
    assert len(res.wrong_labels) == 1
