"""Seeded samplers for closed l_p balls B_p(x, sigma), p in [1, inf], that never leave the ball.

Guarantee: every point ``a`` a sampler returns lies in the closed ball for the exact real numbers,
||a - x||_p <= sigma, proved in float64 by :func:`certainly_in_ball`: the float64 distance
:func:`ball_distance` times (1 + gamma) is <= sigma, where gamma = :func:`rounding_slack` bounds
the relative rounding error of that distance (for l_inf the test is exact, from error-free
differences).  (A float64 check alone is not enough: a point can
have float64 distance <= sigma and exact distance > sigma; a test exhibits such points.)  A point
whose rounded coordinates fail the test is moved inwards by :func:`shrink_into_ball`, never
dropped and never counted outside.  :func:`exact_in_ball` decides membership of a single point in
exact arithmetic.

:func:`ball_distance` is the one float64 formula for ||a - x||_p used by the whole verifier (the
canonical formula of :mod:`robustmem.data.separation`): l_inf is max|a_j - x_j|, l_1 is
sum|a_j - x_j|, other p are ``s (sum |(a_j - x_j)/s|^p)^(1/p)`` with ``s`` a power of two, so
nothing overflows or underflows.

Distributions (offsets ``u`` in the unit ball, ``a = x + sigma u``):

* :func:`uniform_in_ball` -- uniform on the ball: l_inf the uniform cube; l_2 a Gaussian direction
  times radius U^(1/d); l_1 a Laplace vector normalised to the l_1 sphere (uniform on it) times
  U^(1/d); other p the method of Barthe, Guedon, Mendelson and Naor (Ann. Probab. 2005): Y with
  i.i.d. density proportional to exp(-|t|^p), W ~ Exp(1), u = Y / (||Y||_p^p + W)^(1/p).
* :func:`on_sphere` -- on the sphere ||u||_p = 1: l_inf uniform on the cube's surface; other p the
  cone measure Y / ||Y||_p (the uniform surface measure for p in {1, 2}).  After rounding, the
  float64 distance lies in [sigma - (d + 4) ulp(max|x_j| + sigma) - (gamma + 8 eps) sigma, sigma]
  (tested): as close to the sphere as the rounding of x + sigma u and the proof of membership allow.
* :func:`ball_vertices` -- l_inf: all 2^d vertices x + sigma s, s in {-1, 1}^d, when
  d <= VERTEX_ENUMERATION_MAX_DIM, else random vertices; other p: the 2d axis points
  x +- sigma e_j (the vertices of the l_1 ball).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from robustmem.errors import InvalidArgumentError, VerificationError
from robustmem.norms import check_p

__all__ = [
    "VERTEX_ENUMERATION_MAX_DIM",
    "ball_distance",
    "ball_vertices",
    "certainly_in_ball",
    "check_ball_p",
    "check_sigma",
    "exact_in_ball",
    "on_sphere",
    "rounding_slack",
    "shrink_into_ball",
    "uniform_in_ball",
    "unit_sphere",
]

VERTEX_ENUMERATION_MAX_DIM = 12  # l_inf balls in d <= 12 get all 2^d vertices (4096 per ball at most)
_EPS = float(np.finfo(np.float64).eps)
_SHRINK_STEPS = 4096  # ulp steps after the radial rescale; 1 or 2 are used in practice


def check_ball_p(p: float) -> float:
    """``p`` as a float in [1, inf] (balls are convex), or InvalidArgumentError naming it."""
    return check_p(p, minimum=1.0, allow_equal=True)


def check_sigma(sigma: float) -> float:
    """``sigma`` as a positive finite float, or InvalidArgumentError naming it."""
    if isinstance(sigma, bool) or not isinstance(sigma, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"the radius sigma must be a positive finite number, got {sigma!r}")
    s = float(sigma)
    if not (s > 0 and math.isfinite(s)):
        raise InvalidArgumentError(f"the radius sigma must be a positive finite number, got {sigma!r}")
    return s


def _norms(V: np.ndarray, p: float) -> np.ndarray:
    a = np.abs(V)
    if math.isinf(p):
        return a.max(axis=-1)
    if p == 1.0:
        return a.sum(axis=-1)
    _, e = np.frexp(a.max(axis=-1))  # scale by a power of two: exact, no overflow or underflow
    b = np.ldexp(a, -e[..., None])
    r = np.sqrt((b * b).sum(axis=-1)) if p == 2.0 else ((b**p).sum(axis=-1)) ** (1.0 / p)
    return np.ldexp(r, e)


def ball_distance(A: np.ndarray, centers: np.ndarray, p: float) -> np.ndarray:
    """The float64 ||a - x||_p along the last axis (``A`` and ``centers`` broadcast).

    >>> float(ball_distance(np.array([3.0, 4.0]), np.zeros(2), 2.0))
    5.0
    """
    p = check_ball_p(p)
    return _norms(np.asarray(A, dtype=np.float64) - np.asarray(centers, dtype=np.float64), p)


def rounding_slack(d: int, p: float) -> float:
    """gamma: a bound on the relative error of the float64 :func:`ball_distance` in dimension d.

    For p < inf the exact ||a - x||_p <= (float64 distance) * (1 + gamma) / (1 + 2 eps), with
    gamma = (d + 8) eps (standard error analysis of differences, sums and square roots: Higham,
    *Accuracy and Stability of Numerical Algorithms*, 2nd ed., section 3.1, with a factor of about 2
    to spare; for p not in {1, 2, inf} it relies on ``pow`` being accurate to 1 ulp, as glibc's is).
    For p = inf membership is decided exactly (:func:`certainly_in_ball`) and gamma = 0.
    """
    return 0.0 if math.isinf(p) else (d + 8) * _EPS


def _linf_certain(V_hi: np.ndarray, V_lo: np.ndarray, sigma: float) -> np.ndarray:
    """max_j |hi_j + lo_j| <= sigma, decided exactly for |lo_j| <= ulp(hi_j) / 2 (a TwoSum pair):
    |hi| < sigma proves it (|hi| <= pred(sigma) and |lo| <= ulp(hi) / 2), |hi| = sigma needs
    lo * sign(hi) <= 0, |hi| > sigma is rejected (exact only up to a tie at a binade edge)."""
    a = np.abs(V_hi)
    ok = (a < sigma) | ((a == sigma) & (V_lo * np.sign(V_hi) <= 0))
    return ok.all(axis=-1)


def _two_diff(A: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, e) with s = fl(a - c) and a - c = s + e exactly (Knuth's TwoSum)."""
    s = A - C
    bb = s - A
    return s, (A - (s - bb)) + (-C - bb)


def certainly_in_ball(A: np.ndarray, centers: np.ndarray, p: float, sigma: float) -> np.ndarray:
    """Boolean mask (A.shape[:-1]): True where float64 proves that the exact ||a - x||_p <= sigma.

    p = inf: decided exactly from the error-free differences (x_j - a_j = s_j + e_j); True for every
    point of the closed ball except in a tie at a binade edge of sigma.  p < inf:
    fl(ball_distance * (1 + gamma)) <= sigma with gamma = :func:`rounding_slack`, so a point within
    about gamma * sigma of the sphere may be inside and still get False -- except points differing
    from the centre in one coordinate only (axis points), which are decided exactly as for l_inf.  True implies
    ``ball_distance <= sigma`` as well.
    """
    p, sigma = check_ball_p(p), check_sigma(sigma)
    A = np.asarray(A, dtype=np.float64)
    C = np.broadcast_to(np.asarray(centers, dtype=np.float64), A.shape)
    hi, lo = _two_diff(A, C)
    exact = _linf_certain(hi, lo, sigma)
    if math.isinf(p):
        return exact
    axis_point = (hi != 0).sum(axis=-1) <= 1  # one non-zero difference: every l_p norm is the l_inf norm
    return (_norms(hi, p) * (1.0 + rounding_slack(A.shape[-1], p)) <= sigma) | (axis_point & exact)


def shrink_into_ball(A: np.ndarray, centers: np.ndarray, p: float, sigma: float) -> np.ndarray:
    """A copy of ``A`` with every point moved into the ball: :func:`certainly_in_ball` afterwards,
    so the exact ||a - x||_p <= sigma (and the float64 distance too).

    Points already certainly inside are returned unchanged (bit for bit).  Any other point is
    first rescaled radially, a = x + (a - x) sigma / (||a - x||_p (1 + max(gamma, 2 eps))), then each of its
    coordinates is moved one ulp towards the centre (``nextafter``) until the test holds; every
    step shrinks each |a_j - x_j| exactly, so the point stays on its ray's side of the centre.
    """
    p, sigma = check_ball_p(p), check_sigma(sigma)
    A = np.array(A, dtype=np.float64, copy=True)
    shape = A.shape
    if A.ndim == 0:
        raise InvalidArgumentError("points must have at least one axis (the coordinates)")
    A = A.reshape(-1, shape[-1])
    C = np.broadcast_to(np.asarray(centers, dtype=np.float64), shape).reshape(-1, shape[-1])
    gamma = rounding_slack(shape[-1], p)
    bad = np.nonzero(~certainly_in_ball(A, C, p, sigma))[0]
    if len(bad):
        dist = _norms(A[bad] - C[bad], p) * (1.0 + max(gamma, 2 * _EPS))
        A[bad] = C[bad] + (A[bad] - C[bad]) * (sigma / dist)[:, None]
        for _ in range(_SHRINK_STEPS):
            bad = bad[~certainly_in_ball(A[bad], C[bad], p, sigma)]
            if not len(bad):
                break
            A[bad] = np.nextafter(A[bad], C[bad])
        else:
            raise VerificationError(f"could not move {len(bad)} points into the l_{p} ball of radius {sigma!r}")
    assert certainly_in_ball(A, C, p, sigma).all(), "shrink_into_ball left a point outside"
    return A.reshape(shape)


def _generalized_gaussian(rng: np.random.Generator, shape: tuple[int, ...], p: float) -> np.ndarray:
    """I.i.d. entries with density proportional to exp(-|t|^p): |Y| = G^(1/p), G ~ Gamma(1/p, 1)."""
    if p == 2.0:
        return rng.standard_normal(shape)
    if p == 1.0:
        return rng.laplace(size=shape)
    mag = rng.gamma(1.0 / p, 1.0, size=shape) ** (1.0 / p)
    return np.where(rng.random(shape) < 0.5, -mag, mag)


def unit_sphere(rng: np.random.Generator, n: int, d: int, p: float) -> np.ndarray:
    """``n`` points with ||u||_p = 1 up to rounding (l_inf: uniform on the cube surface; else the
    cone measure Y / ||Y||_p, uniform for p in {1, 2}); no inside-check: use for directions."""
    if math.isinf(p):
        U = rng.uniform(-1.0, 1.0, size=(n, d))
        face = rng.integers(0, d, size=n)
        U[np.arange(n), face] = np.where(rng.random(n) < 0.5, -1.0, 1.0)
        return U
    Y = _generalized_gaussian(rng, (n, d), p)
    norm = _norms(Y, p)
    zero = norm == 0.0  # probability 0; keep the output well defined
    Y[zero, 0], norm[zero] = 1.0, 1.0
    return Y / norm[:, None]


def _unit_uniform(rng: np.random.Generator, n: int, d: int, p: float) -> np.ndarray:
    if math.isinf(p):
        return rng.uniform(-1.0, 1.0, size=(n, d))
    if p in (1.0, 2.0):
        return unit_sphere(rng, n, d, p) * (rng.random(n) ** (1.0 / d))[:, None]
    Y = _generalized_gaussian(rng, (n, d), p)
    W = rng.exponential(1.0, size=n)
    return Y / ((np.abs(Y) ** p).sum(axis=1) + W)[:, None] ** (1.0 / p)


def _check_centers(centers: np.ndarray) -> np.ndarray:
    C = np.asarray(centers, dtype=np.float64)
    if C.ndim != 2 or C.shape[1] < 1:
        raise InvalidArgumentError(f"centres must be an (m, d) array, got shape {C.shape}")
    if not np.isfinite(C).all():
        raise InvalidArgumentError("centres must be finite")
    return C


def _check_count(n: int, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidArgumentError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def _place(C: np.ndarray, U: np.ndarray, p: float, sigma: float) -> np.ndarray:
    m, d = C.shape
    A = C[:, None, :] + sigma * U.reshape(m, -1, d)
    return shrink_into_ball(A, C[:, None, :], p, sigma)


def uniform_in_ball(centers: np.ndarray, p: float, sigma: float, n: int, *, rng: np.random.Generator) -> np.ndarray:
    """``n`` uniform points in each ball B_p(centers[i], sigma): array (m, n, d), all inside.

    >>> A = uniform_in_ball(np.zeros((2, 3)), 2.0, 0.5, 100, rng=np.random.default_rng(0))
    >>> A.shape, bool(certainly_in_ball(A, 0.0, 2.0, 0.5).all())
    ((2, 100, 3), True)
    """
    C, p, sigma, n = _check_centers(centers), check_ball_p(p), check_sigma(sigma), _check_count(n, "n")
    return _place(C, _unit_uniform(rng, C.shape[0] * n, C.shape[1], p), p, sigma)


def on_sphere(centers: np.ndarray, p: float, sigma: float, n: int, *, rng: np.random.Generator) -> np.ndarray:
    """``n`` points on each sphere ||a - centers[i]||_p = sigma (as close as float64 allows and never
    outside, even in exact arithmetic; see the module docstring for the bound): array (m, n, d)."""
    C, p, sigma, n = _check_centers(centers), check_ball_p(p), check_sigma(sigma), _check_count(n, "n")
    return _place(C, unit_sphere(rng, C.shape[0] * n, C.shape[1], p), p, sigma)


def ball_vertices(
    centers: np.ndarray, p: float, sigma: float, *, n_random: int, rng: np.random.Generator
) -> np.ndarray:
    """Extreme points of each ball: array (m, k, d), all inside.

    l_inf: all k = 2^d vertices x + sigma s, s in {-1, 1}^d, if d <= VERTEX_ENUMERATION_MAX_DIM,
    else k = ``n_random`` vertices with i.i.d. uniform signs (``rng``).  Other p: the k = 2d axis
    points x +- sigma e_j (for p = 1 these are all the vertices; ``n_random`` is not used).
    """
    C, p, sigma = _check_centers(centers), check_ball_p(p), check_sigma(sigma)
    n_random = _check_count(n_random, "n_random")
    m, d = C.shape
    if math.isinf(p):
        if d <= VERTEX_ENUMERATION_MAX_DIM:
            codes = np.arange(2**d)[:, None] >> np.arange(d)[None, :]
            S = np.where(codes & 1, 1.0, -1.0)
            U = np.broadcast_to(S, (m, 2**d, d))
        else:
            U = np.where(rng.random((m, n_random, d)) < 0.5, -1.0, 1.0)
    else:
        E = np.eye(d)
        U = np.broadcast_to(np.concatenate([E, -E]), (m, 2 * d, d))
    return _place(C, np.ascontiguousarray(U), p, sigma)


def exact_in_ball(point: np.ndarray, center: np.ndarray, p: float, sigma: float) -> bool:
    """Whether ||point - center||_p <= sigma holds for the exact real numbers (no rounding).

    The float64 inputs are read as exact rationals.  p = inf, p = 1 and integer p are decided
    with Fractions (comparing sum |v_j|^p with sigma^p); other p with rigorous interval
    arithmetic (mpmath.iv) on sum (|v_j| / sigma)^p <= 1, raising the precision until the
    interval decides, up to 4096 bits (beyond: VerificationError).
    """
    p, sigma = check_ball_p(p), check_sigma(sigma)
    a = np.asarray(point, dtype=np.float64).ravel()
    c = np.asarray(center, dtype=np.float64).ravel()
    if a.shape != c.shape:
        raise InvalidArgumentError(f"point has {a.size} coordinates but the centre has {c.size}")
    v = [abs(Fraction(float(x)) - Fraction(float(y))) for x, y in zip(a, c)]
    s = Fraction(sigma)
    if math.isinf(p):
        return max(v, default=Fraction(0)) <= s
    if p.is_integer():
        k = int(p)
        return sum(t**k for t in v) <= s**k
    from mpmath import iv

    saved, prec = iv.prec, 128
    try:
        while prec <= 4096:
            iv.prec = prec
            ps, total = iv.mpf(p), iv.mpf(0)
            for t in v:
                if t:
                    q = t / s
                    total += (iv.mpf(q.numerator) / iv.mpf(q.denominator)) ** ps
            if total.b <= 1:
                return True
            if total.a > 1:
                return False
            prec *= 2
    finally:
        iv.prec = saved
    raise VerificationError(f"cannot decide l_{p} membership at distance ~{sigma!r} with 4096-bit intervals")
