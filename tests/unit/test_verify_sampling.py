"""Ball samplers, exact membership, the l_1 projection and steepest-ascent directions.

Tolerances used here (each stated where it is used):
* inside the ball: none -- every point must pass certainly_in_ball (float64 distance times
  (1 + gamma) <= sigma, which proves exact membership) and exact arithmetic is checked on samples;
* boundary points: sigma - distance <= (d + 4) ulp(max|x_j| + sigma) + (gamma + 8 eps) sigma (the
  rounding of x + sigma u coordinate by coordinate and the proof's slack gamma; see sampling.py);
* Monte Carlo moments: within 5 standard errors of the closed form (false alarm rate ~ 6e-7 per check,
  and the seeds are fixed, so a failure is reproducible);
* the l_1 projection: KKT conditions to 1e-12 relative, and a generic QP solver to 1e-6.
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from scipy.optimize import minimize

from robustmem.errors import InvalidArgumentError
from robustmem.geometry import (
    VERTEX_ENUMERATION_MAX_DIM,
    ball_distance,
    ball_vertices,
    certainly_in_ball,
    exact_in_ball,
    on_sphere,
    rounding_slack,
    shrink_into_ball,
    uniform_in_ball,
)
from robustmem.verify.attacks import ascent_direction, nearest_other_label, project_l1_ball, project_onto_ball

PS = [1.0, 1.5, 2.0, 3.0, math.inf]
EPS = float(np.finfo(np.float64).eps)


def _centers(rng: np.random.Generator, m: int, d: int) -> np.ndarray:
    """Centres of very different magnitudes: rounding of x + sigma u matters for the large ones."""
    scale = np.array([1.0, 1e-3, 37.0, 1e4])[np.arange(m) % 4]
    return rng.uniform(-1.0, 1.0, (m, d)) * scale[:, None]


def _exact_norm_p(v: list[Fraction], p: float) -> float:
    """||v||_p with 200-bit mpmath (for comparing with exact_in_ball at non-integer p)."""
    with mpmath.workprec(200):
        return float(mpmath.fsum(abs(mpmath.mpf(t.numerator) / t.denominator) ** p for t in v) ** (1 / mpmath.mpf(p)))


# ----- every sample is inside, checked point by point -----


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("sigma", [0.05, 1e-9, 3.0])
def test_samplers_never_leave_the_ball(p: float, sigma: float) -> None:
    rng = np.random.default_rng(1)
    C = _centers(rng, 8, 5)
    for A in (
        uniform_in_ball(C, p, sigma, 500, rng=rng),
        on_sphere(C, p, sigma, 500, rng=rng),
        ball_vertices(C, p, sigma, n_random=50, rng=rng),
    ):
        dist = ball_distance(A, C[:, None, :], p)
        assert A.shape[0] == 8 and A.shape[2] == 5
        assert (dist <= sigma).all(), f"max distance {dist.max()!r} > sigma {sigma!r}"
        assert certainly_in_ball(A, C[:, None, :], p, sigma).all()


@pytest.mark.parametrize("p", PS)
def test_boundary_points_are_on_the_sphere_within_rounding(p: float) -> None:
    rng = np.random.default_rng(2)
    d, sigma = 6, 0.05
    C = _centers(rng, 8, d)
    A = on_sphere(C, p, sigma, 400, rng=rng)
    gap = sigma - ball_distance(A, C[:, None, :], p)  # (m, n), >= 0 by the previous test
    ulp = np.spacing(np.abs(C).max(axis=1) + sigma)
    bound = (d + 4) * ulp + (rounding_slack(d, p) + 8 * EPS) * sigma
    assert (gap >= 0).all()
    assert (gap <= bound[:, None]).all(), f"largest gap {gap.max()!r}, bounds {bound}"


@pytest.mark.parametrize("p", PS)
def test_sampled_points_are_inside_in_exact_arithmetic(p: float) -> None:
    """Boundary points are the hardest case: exact arithmetic confirms every one is inside."""
    rng = np.random.default_rng(3)
    C = _centers(rng, 4, 4)
    A = on_sphere(C, p, 0.05, 25, rng=rng)
    for i in range(4):
        for a in A[i]:
            assert exact_in_ball(a, C[i], p, 0.05)


def test_shrink_into_ball_leaves_inside_points_bitwise_and_fixes_outside_ones() -> None:
    rng = np.random.default_rng(4)
    C = rng.uniform(-1, 1, (50, 3))
    U = rng.uniform(-1, 1, (50, 3))
    for p in PS:
        sigma = 0.3
        inside = C + 0.5 * sigma * U / np.maximum(ball_distance(U, 0.0, p), 1.0)[:, None]
        assert np.array_equal(shrink_into_ball(inside, C, p, sigma), inside)
        outside = C + 3.0 * sigma * U / ball_distance(U, 0.0, p)[:, None]  # distance 3 sigma
        fixed = shrink_into_ball(outside, C, p, sigma)
        dist = ball_distance(fixed, C, p)
        assert (dist <= sigma).all() and (dist >= sigma * (1 - 1e-12)).all()
        # moved towards the centre along the ray: same signs of the offsets
        assert (np.sign(fixed - C) == np.sign(outside - C)).all()


def test_shrink_moves_a_point_one_ulp_outside_by_ulps() -> None:
    x, sigma = np.array([0.1, 0.7]), 0.3
    a = np.array([np.nextafter(x[0] + sigma, np.inf), 0.7])  # l_inf distance just beyond sigma
    assert ball_distance(a, x, math.inf) > sigma
    b = shrink_into_ball(a, x, math.inf, sigma)
    assert ball_distance(b, x, math.inf) <= sigma
    assert abs(b[0] - a[0]) <= 4 * np.spacing(a[0]) and b[1] == 0.7


def test_linf_vertices_are_enumerated_up_to_the_limit_and_sampled_beyond() -> None:
    rng = np.random.default_rng(5)
    C = rng.uniform(-1, 1, (3, 4))
    V = ball_vertices(C, math.inf, 0.25, n_random=7, rng=rng)
    assert V.shape == (3, 16, 4)
    signs = np.sign(V - C[:, None, :])
    assert len({tuple(s) for s in signs[0]}) == 16  # every sign pattern once
    assert np.allclose(np.abs(V - C[:, None, :]), 0.25, rtol=0, atol=4 * EPS)
    d = VERTEX_ENUMERATION_MAX_DIM + 1
    W = ball_vertices(np.zeros((2, d)), math.inf, 0.25, n_random=7, rng=rng)
    assert W.shape == (2, 7, d) and (np.abs(W) == 0.25).all()


def test_l1_vertices_are_the_2d_axis_points() -> None:
    V = ball_vertices(np.zeros((1, 3)), 1.0, 0.5, n_random=1, rng=np.random.default_rng(0))
    expected = np.concatenate([0.5 * np.eye(3), -0.5 * np.eye(3)])
    assert np.array_equal(V[0], expected)


# ----- the samplers cover the ball with the right distribution -----


def _within(samples: np.ndarray, expected: float, what: str) -> None:
    se = samples.std() / math.sqrt(len(samples))
    assert abs(samples.mean() - expected) <= 5 * se, f"{what}: mean {samples.mean()} vs {expected} (se {se})"


@pytest.mark.parametrize("p", PS)
def test_uniform_radial_and_coordinate_moments(p: float) -> None:
    """Uniform in B_p^d: P(||u||_p <= t) = t^d, so E||u||_p = d/(d+1); (|u_j|^p, W) is Dirichlet
    (Barthe et al. 2005), so E|u_1|^p = 1/(d+p) (p < inf) and E|u_1| = 1/2 for the cube; E u = 0."""
    rng = np.random.default_rng(6)
    d, n, sigma = 7, 40000, 2.0
    U = uniform_in_ball(np.zeros((1, d)), p, sigma, n, rng=rng)[0] / sigma
    _within(ball_distance(U, 0.0, p), d / (d + 1), "E||u||")
    first = np.abs(U[:, 0]) ** (1.0 if math.isinf(p) else p)
    _within(first, 0.5 if math.isinf(p) else 1.0 / (d + p), "E|u_1|^p")
    for j in range(d):
        _within(U[:, j], 0.0, f"E u_{j}")


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_sphere_coordinate_moments(p: float) -> None:
    """Uniform on the sphere: l_2: E u_1^2 = 1/d; l_1: (|u_j|) is Dirichlet(1..1), E|u_1| = 1/d."""
    rng = np.random.default_rng(7)
    d = 5
    U = on_sphere(np.zeros((1, d)), p, 1.0, 40000, rng=rng)[0]
    _within(np.abs(U[:, 0]) ** p, 1.0 / d, "E|u_1|^p on the sphere")


def test_linf_sphere_is_uniform_on_the_faces() -> None:
    rng = np.random.default_rng(8)
    U = on_sphere(np.zeros((1, 4)), math.inf, 1.0, 40000, rng=rng)[0]
    on_face = np.abs(U) == 1.0
    assert (on_face.sum(axis=1) >= 1).all()
    _within(on_face[:, 0].astype(float), 0.25, "share of points on the faces x_1 = +-1")


def test_samplers_are_seeded() -> None:
    a = uniform_in_ball(np.zeros((2, 3)), 1.5, 1.0, 10, rng=np.random.default_rng(9))
    b = uniform_in_ball(np.zeros((2, 3)), 1.5, 1.0, 10, rng=np.random.default_rng(9))
    assert np.array_equal(a, b)


# ----- exact membership -----


def test_exact_in_ball_sees_what_float64_rounds_away() -> None:
    """Random points near the l_1 / l_2 / l_inf sphere: exact_in_ball agrees with a direct Fraction
    computation; on some of them float64 says 'inside' while the exact norm is > sigma, and
    certainly_in_ball rejects those and shrink_into_ball moves them exactly inside."""
    rng = np.random.default_rng(10)
    disagreements = 0
    for p in (1.0, 2.0, math.inf):
        for _ in range(400):
            x = rng.uniform(-1, 1, 3)
            u = rng.standard_normal(3)
            a = x + 0.3 * u / ball_distance(u, 0.0, p)
            v = [abs(Fraction(ai) - Fraction(xi)) for ai, xi in zip(a, x)]
            s = Fraction(0.3)
            truth = max(v) <= s if math.isinf(p) else sum(t ** int(p) for t in v) <= s ** int(p)
            assert exact_in_ball(a, x, p, 0.3) == truth
            if certainly_in_ball(a, x, p, 0.3):
                assert truth
            if truth != (ball_distance(a, x, p) <= 0.3):
                disagreements += 1
                assert not certainly_in_ball(a, x, p, 0.3)
                assert exact_in_ball(shrink_into_ball(a, x, p, 0.3), x, p, 0.3)
    assert disagreements > 0  # float64 alone gets some of these points wrong


def test_exact_in_ball_non_integer_p_agrees_with_high_precision() -> None:
    rng = np.random.default_rng(11)
    for _ in range(100):
        x, a = rng.uniform(-1, 1, 4), rng.uniform(-1, 1, 4)
        sigma = float(rng.uniform(0.2, 2.0))
        norm = _exact_norm_p([Fraction(s) - Fraction(t) for s, t in zip(a, x)], 1.5)
        if abs(norm - sigma) > 1e-9 * sigma:
            assert exact_in_ball(a, x, 1.5, sigma) == (norm <= sigma)
    x = np.array([0.25, 0.0])
    assert exact_in_ball(x + np.array([0.5, 0.0]), x, 1.5, 0.5)  # exactly on the sphere


def test_sampler_arguments_are_validated() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidArgumentError, match="sigma"):
        uniform_in_ball(np.zeros((1, 2)), 2.0, 0.0, 3, rng=rng)
    with pytest.raises(InvalidArgumentError, match=r"\[1, inf\]"):
        on_sphere(np.zeros((1, 2)), 0.5, 1.0, 3, rng=rng)
    with pytest.raises(InvalidArgumentError, match="n must be a positive integer"):
        uniform_in_ball(np.zeros((1, 2)), 2.0, 1.0, 0, rng=rng)
    with pytest.raises(InvalidArgumentError, match="centres"):
        uniform_in_ball(np.zeros(2), 2.0, 1.0, 3, rng=rng)


# ----- the l_1 projection (Duchi et al. 2008) -----


def _qp_projection(v: np.ndarray, z: float) -> np.ndarray:
    """min ||w - v||^2 s.t. sum(w+ + w-) <= z, w+-, >= 0 (w = w+ - w-), by SLSQP."""
    d = len(v)
    fun = lambda q: 0.5 * np.sum((q[:d] - q[d:] - v) ** 2)
    jac = lambda q: np.concatenate([q[:d] - q[d:] - v, -(q[:d] - q[d:] - v)])
    cons = {"type": "ineq", "fun": lambda q: z - q.sum(), "jac": lambda q: -np.ones(2 * d)}
    res = minimize(
        fun,
        np.zeros(2 * d),
        jac=jac,
        constraints=[cons],
        bounds=[(0, None)] * (2 * d),
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    return res.x[:d] - res.x[d:]


def test_l1_projection_is_the_euclidean_projection() -> None:
    rng = np.random.default_rng(12)
    V = rng.standard_normal((200, 6)) * rng.uniform(0.1, 3.0, (200, 1))
    z = 1.0
    W = project_l1_ball(V, z)
    inside = np.abs(V).sum(axis=1) <= z
    assert inside.any() and (~inside).any()
    assert np.array_equal(W[inside], V[inside])
    assert (np.abs(W).sum(axis=1) <= z * (1 + 1e-12)).all()
    # optimality: <v - w, u - w> <= 0 for all u in the ball  <=>  <v - w, w> >= z ||v - w||_inf
    R = V - W
    lhs, rhs = (R * W).sum(axis=1), z * np.abs(R).max(axis=1)
    assert (lhs >= rhs - 1e-12 * (1 + np.abs(V).sum(axis=1))).all()
    for v, w in zip(V[:30], W[:30]):
        assert np.abs(_qp_projection(v, z) - w).max() <= 1e-6


def test_project_onto_ball_is_euclidean_for_linf_and_l2_and_stays_inside() -> None:
    rng = np.random.default_rng(13)
    C, A = rng.uniform(-1, 1, (100, 4)), rng.uniform(-3, 3, (100, 4))
    P = project_onto_ball(A, C, math.inf, 0.5)
    assert np.allclose(P, np.clip(A, C - 0.5, C + 0.5), rtol=0, atol=4 * EPS)
    Q = project_onto_ball(A, C, 2.0, 0.5)
    V = A - C
    expected = C + V * np.minimum(1.0, 0.5 / np.linalg.norm(V, axis=1))[:, None]
    assert np.allclose(Q, expected, rtol=0, atol=1e-14)
    for p in PS:
        assert (ball_distance(project_onto_ball(A, C, p, 0.5), C, p) <= 0.5).all()


# ----- steepest ascent and neighbours -----


@pytest.mark.parametrize("p", PS)
def test_ascent_direction_attains_the_dual_norm(p: float) -> None:
    """<D, g> = ||g||_q with ||D||_p = 1 (Hoelder equality; l_1 with k = 1 coordinate for d < 20)."""
    rng = np.random.default_rng(14)
    G = rng.standard_normal((50, 8))
    G[3] = 0.0
    D, zero = ascent_direction(G, p, rng)
    assert zero.tolist() == [i == 3 for i in range(50)]
    norms = ball_distance(D, 0.0, p)
    assert np.allclose(norms, 1.0, rtol=1e-12, atol=0)  # the random direction for row 3 too
    q = 1.0 if math.isinf(p) else (math.inf if p == 1.0 else p / (p - 1.0))
    keep = ~zero
    assert np.allclose((D * G).sum(axis=1)[keep], ball_distance(G[keep], 0.0, q), rtol=1e-12, atol=0)


def test_nearest_other_label_matches_brute_force() -> None:
    rng = np.random.default_rng(15)
    X, y = rng.uniform(-1, 1, (40, 3)), rng.integers(1, 4, 40)
    for p in (1.0, 2.0, math.inf):
        near = nearest_other_label(X, y, np.arange(40), p, 2, chunk_bytes=8 * 40 * 7)  # 7 rows per chunk
        for i in range(40):
            dist = ball_distance(X, X[i], p)
            dist[y == y[i]] = np.inf
            assert np.allclose(dist[near[i]], np.sort(dist)[:2], rtol=1e-14, atol=0)
            assert (y[near[i]] != y[i]).all()
    assert (nearest_other_label(X, np.ones(40, int), np.arange(3), 2.0, 1) == -1).all()
