"""Finite covers of the Euclidean sphere R S^k in R^{k+1}, the building block of Theorem 19's instance.

A set C on the sphere of radius R is a rho-cover when every point x of the sphere has a point c of C
with ||x - c||_2 <= rho (chordal, l_2 distance).  Three constructions:

* ``circle``   (k = 1): n equally spaced points.  Exact covering radius 2 R sin(pi / (2n)).
* ``latitude`` (any k): latitude bands, each band covered by a (recursive) cover of S^{k-1};
  the covering radius is a proved upper bound (see :func:`latitude_cover`).
* ``greedy``   (any k): greedy centres from a dense seeded sample, covering radius MEASURED on a
  fresh dense sample (a sampled, not a proved, bound).

Every cover is built for the target radius (1 - COVER_SAFETY) rho so that the float64 rounding of the
points (relative error ~1e-16) cannot push the true covering radius of the stored points above rho.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.validate import positive_number as _check_positive

__all__ = [
    "COVER_SAFETY",
    "CoverMethod",
    "SphereCover",
    "circle_cover",
    "greedy_cover",
    "latitude_cover",
    "sampled_covering_radius",
    "sphere_cover",
    "uniform_sphere",
]

COVER_SAFETY = 1e-9  # covers are built for (1 - COVER_SAFETY) * rho: absorbs float64 rounding of the points
CoverMethod = Literal["circle", "latitude", "greedy"]
Verification = Literal["exact", "proof", "sampled"]
_FRACTIONS = (0.2, 0.35, 0.5, 0.65, 0.8)  # share of rho^2 spent on the band width (the rest on the band cover)


@dataclass(frozen=True, eq=False)
class SphereCover:
    """A rho-cover of the sphere of radius R in R^{k+1}.

    ``radius`` is the covering radius: exact (``circle``), a proved bound (``latitude``) or measured on
    a dense sample (``greedy``), as ``verification`` says.  Invariant: radius <= target.
    """

    points: np.ndarray  # (n, k+1), every row of norm R (up to rounding)
    R: float
    target: float
    radius: float
    method: CoverMethod
    verification: Verification

    def __post_init__(self) -> None:
        P = np.asarray(self.points, dtype=np.float64)
        if P.ndim != 2 or P.shape[0] < 1 or P.shape[1] < 2:
            raise InvalidArgumentError(f"a sphere cover needs >= 1 point in R^(k+1), k >= 1; got shape {P.shape}")
        if not self.radius <= self.target:
            raise InvalidArgumentError(
                f"{self.method} cover: covering radius {self.radius!r} exceeds the target {self.target!r}"
            )
        P = P.copy()
        P.setflags(write=False)
        object.__setattr__(self, "points", P)

    @property
    def k(self) -> int:
        """Dimension of the sphere (it lives in R^{k+1})."""
        return int(self.points.shape[1]) - 1

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.points.shape[0])


def _check_k(k: object) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgumentError(f"the sphere dimension k must be an integer >= 1, got {k!r}")
    return int(k)


# ---------------------------------------------------------------------------------------- circle
def circle_count(eta: float) -> int:
    """Smallest n whose n equally spaced points cover the UNIT circle within chord eta.

    The farthest point of the circle from n equally spaced points is an arc midpoint, at chord
    2 sin(pi / (2n)); so n = ceil(pi / (2 arcsin(eta / 2))) (and n = 1 when eta >= 2).
    """
    if eta >= 2.0:
        return 1
    return max(1, math.ceil(math.pi / (2.0 * math.asin(eta / 2.0))))


def _circle_radius(n: int) -> float:
    return 2.0 if n == 1 else 2.0 * math.sin(math.pi / (2 * n))


def _circle_points(n: int) -> np.ndarray:
    t = 2.0 * np.pi * np.arange(n) / n
    return np.stack([np.cos(t), np.sin(t)], axis=1)


def circle_cover(R: float, rho: float) -> SphereCover:
    """The fewest equally spaced points on the circle of radius R with covering radius <= rho.

    Exact: n = ceil(pi / (2 arcsin(rho / (2R)))) points at angles 2 pi m / n; the worst points are
    the arc midpoints, at distance exactly 2 R sin(pi / (2n)) <= rho from their neighbours.

    >>> c = circle_cover(1.0, 0.5); (c.n, round(c.radius, 4))
    (7, 0.445)
    """
    R, rho = _check_positive(R, "R"), _check_positive(rho, "rho")
    n = circle_count((1.0 - COVER_SAFETY) * rho / R)
    return SphereCover(R * _circle_points(n), R, rho, R * _circle_radius(n), "circle", "exact")


# ---------------------------------------------------------------------------------------- latitude
def _latitude_plan(m_amb: int, eta: float) -> tuple[int, float, object]:
    """(count, certified radius, plan) of the latitude cover of the unit sphere in R^{m_amb}.

    plan is ("circle", n) or ("bands", [(c_l, subplan), ...]).
    """
    if eta >= 2.0:
        return 1, 2.0, ("point",)
    if m_amb == 2:
        n = circle_count(eta)
        return n, _circle_radius(n), ("circle", n)
    best: tuple[int, float, object] | None = None
    for f in _FRACTIONS:
        half = math.sqrt(f) * eta / 2.0  # sin(h/4) <= half
        m = max(1, math.ceil(math.pi / (4.0 * math.asin(min(1.0, half)))))
        h = math.pi / m
        s2 = math.sin(h / 4.0) ** 2
        rest = eta * eta - 4.0 * s2
        if rest <= 0:
            continue
        count, worst, bands = 0, 0.0, []
        for ell in range(m):
            lo, hi = ell * h, (ell + 1) * h
            c = (lo + hi) / 2.0
            S = 1.0 if lo <= math.pi / 2 <= hi else max(math.sin(lo), math.sin(hi))
            weight = S * math.sin(c)
            eta_l = 2.0 if weight <= 0 else math.sqrt(rest / weight)
            sub_n, sub_rad, sub_plan = _latitude_plan(m_amb - 1, eta_l)
            count += sub_n
            worst = max(worst, 4.0 * s2 + weight * sub_rad * sub_rad)
            bands.append((c, sub_plan))
            if best is not None and count >= best[0]:
                break
        else:
            if best is None or count < best[0]:
                best = (count, math.sqrt(worst), ("bands", bands))
    assert best is not None  # f = 0.2 always leaves rest > 0
    return best


def _realize(m_amb: int, plan: object) -> np.ndarray:
    kind = plan[0]  # type: ignore[index]
    if kind == "point":
        return np.eye(1, m_amb)
    if kind == "circle":
        return _circle_points(plan[1])  # type: ignore[index]
    parts = []
    for c, sub in plan[1]:  # type: ignore[index]
        W = _realize(m_amb - 1, sub)
        parts.append(np.concatenate([np.full((len(W), 1), math.cos(c)), math.sin(c) * W], axis=1))
    return np.concatenate(parts, axis=0)


def latitude_cover(k: int, R: float, rho: float) -> SphereCover:
    """A rho-cover of the sphere of radius R in R^{k+1} by latitude bands (proved covering radius).

    Construction (unit sphere, eta = rho / R): write x = (cos phi, sin phi w) with polar angle
    phi in [0, pi] and w on the unit sphere of R^k.  Cut [0, pi] into m bands of width h = pi/m with
    centres c_l; in band l put the points y = (cos c_l, sin c_l w') for w' in an eta_l-cover of the
    unit sphere of R^k (recursively; k = 1 is :func:`circle_cover`'s circle).

    Proof of the covering radius.  For x in band l (|phi - c_l| <= h/2) and w' within eta_l of w,
        ||x - y||^2 = 2 - 2 cos phi cos c_l - 2 sin phi sin c_l <w, w'>
                    = 4 sin^2((phi - c_l)/2) + sin phi sin c_l ||w - w'||^2
                   <= 4 sin^2(h/4) + S_l sin c_l eta_l^2,
    with S_l = max of sin over band l (both sines are >= 0 on [0, pi]).  The covering radius is the
    maximum of the square root of the right side over the bands, computed with the sub-covers'
    certified radii (``radius``); m and the eta_l are chosen to keep it <= rho, trying a few splits
    of rho^2 between the two terms and keeping the smallest cover.  For k = 1 this is the circle.

    >>> c = latitude_cover(2, 1.0, 0.5); c.n, c.radius <= 0.5
    (32, True)
    """
    k = _check_k(k)
    R, rho = _check_positive(R, "R"), _check_positive(rho, "rho")
    if k == 1:
        c = circle_cover(R, rho)
        return SphereCover(c.points, R, rho, c.radius, "latitude", "exact")
    _, radius, plan = _latitude_plan(k + 1, (1.0 - COVER_SAFETY) * rho / R)
    return SphereCover(R * _realize(k + 1, plan), R, rho, R * radius, "latitude", "proof")


# ---------------------------------------------------------------------------------------- greedy
def uniform_sphere(n: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniform on the unit sphere of R^dim (normalised Gaussians)."""
    G = rng.standard_normal((n, dim))
    return G / np.linalg.norm(G, axis=1, keepdims=True)


def sampled_covering_radius(points: np.ndarray, samples: np.ndarray, *, chunk: int = 4096) -> float:
    """max over the sample rows of the l_2 distance to the nearest row of ``points`` (a lower bound
    on the covering radius of ``points`` over the sphere the samples are drawn from)."""
    P = np.asarray(points, dtype=np.float64)
    worst = 0.0
    P2 = (P * P).sum(axis=1)
    for s in range(0, len(samples), chunk):
        S = samples[s : s + chunk]
        D2 = (S * S).sum(axis=1)[:, None] + P2[None, :] - 2.0 * S @ P.T
        worst = max(worst, float(np.sqrt(max(0.0, D2.min(axis=1).max()))))
    return worst


def _greedy_add(centres: list[np.ndarray], pool: np.ndarray, radius: float) -> list[np.ndarray]:
    """Greedily add pool points farther than ``radius`` from every centre (each new centre covers its ball)."""
    if centres:
        C = np.stack(centres)
        C2 = (C * C).sum(axis=1)
        d2 = np.concatenate(
            [
                ((S * S).sum(axis=1)[:, None] + C2[None, :] - 2.0 * S @ C.T).min(axis=1)
                for S in np.array_split(pool, max(1, len(pool) // 4096))
            ]
        )
        covered = d2 <= radius * radius
    else:
        covered = np.zeros(len(pool), dtype=bool)
    for idx in range(len(pool)):
        if covered[idx]:
            continue
        centres.append(pool[idx])
        covered |= ((pool - pool[idx]) ** 2).sum(axis=1) <= radius * radius
    return centres


def greedy_cover(
    k: int,
    R: float,
    rho: float,
    *,
    samples: int = 20000,
    verify_samples: int = 50000,
    seed: int = 0,
    rounds: int = 10,
) -> SphereCover:
    """Greedy rho-cover of the sphere of radius R in R^{k+1} (covering radius measured, not proved).

    Centres are picked greedily at radius 0.9 rho from ``samples`` seeded uniform points; then, up to
    ``rounds`` times, ``verify_samples`` FRESH uniform points are drawn and those farther than rho from
    every centre are added greedily.  The first fresh sample found fully covered certifies the cover:
    the reported ``radius`` is its measured covering radius (``verification == "sampled"``), a lower
    estimate of the true covering radius, not a bound.
    """
    k = _check_k(k)
    R, rho = _check_positive(R, "R"), _check_positive(rho, "rho")
    for name, v in (("samples", samples), ("verify_samples", verify_samples), ("rounds", rounds)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidArgumentError(f"{name} must be a positive integer, got {v!r}")
    eta = (1.0 - COVER_SAFETY) * rho / R
    if eta >= 2.0:
        return SphereCover(R * np.eye(1, k + 1), R, rho, 2.0 * R, "greedy", "exact")
    rng = np.random.default_rng(seed)
    centres = _greedy_add([], uniform_sphere(int(samples), k + 1, rng), 0.9 * eta)
    for _ in range(int(rounds)):
        fresh = uniform_sphere(int(verify_samples), k + 1, rng)
        C = np.stack(centres)
        measured = sampled_covering_radius(C, fresh)
        if measured <= eta:
            return SphereCover(R * C, R, rho, R * measured, "greedy", "sampled")
        centres = _greedy_add(centres, fresh, 0.9 * eta)
    raise InvalidArgumentError(
        f"greedy cover of radius {rho!r} on the sphere of radius {R!r} in R^{k + 1} did not verify in "
        f"{rounds} rounds; increase samples (got {samples}) or rounds"
    )


def sphere_cover(
    k: int, R: float, rho: float, *, method: CoverMethod | Literal["auto"] = "auto", seed: int = 0
) -> SphereCover:
    """A rho-cover of the sphere of radius R in R^{k+1}: ``auto`` = circle (k = 1), latitude (k = 2, 3),
    greedy (k >= 4)."""
    k = _check_k(k)
    if method == "auto":
        method = "circle" if k == 1 else ("latitude" if k <= 3 else "greedy")
    if method == "circle":
        if k != 1:
            raise InvalidArgumentError(f"cover='circle' needs k = 1 (a circle), got k = {k}")
        return circle_cover(R, rho)
    if method == "latitude":
        return latitude_cover(k, R, rho)
    if method == "greedy":
        return greedy_cover(k, R, rho, seed=seed)
    raise InvalidArgumentError(f"cover must be one of 'auto', 'circle', 'latitude', 'greedy'; got {method!r}")
