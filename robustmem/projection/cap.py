r"""The exact preservation constant of one pair: the minimum of ||P v|| over a spherical cap.

Setting (Egosi, Yehudai, Shamir 2025, Def. 12 and Thm 18).  P is k x d with orthonormal rows, S = row
space of P, K = ker P = S^perp (dim d - k).  For a pair x_i, x_j with z = x_i - x_j != 0 and balls of radius
sigma' around both points, the differences a - a' (a in B_2(x_i, sigma'), a' in B_2(x_j, sigma')) fill the
ball B_2(z, r) with r = 2 sigma'.  The pair's preservation constant is

    eps_pair = inf { ||P w|| / ||w|| : w in B_2(z, r), w != 0 },

the largest eps with ||P(a - a')|| >= eps ||a - a'|| on the pair (the scaling of Thm 18).

Closed form.  Write a = ||P z|| (= ||Pi_S z||), b = ||Pi_K z||, n = ||z|| = sqrt(a^2 + b^2), u = z / n.

* If k = d then K = {0} and ||P w|| = ||w||: eps_pair = 1.
* If k < d and r >= n, the ball reaches the origin, its directions contain a closed half-sphere, which
  always contains a unit vector of K: eps_pair = 0 (an infimum over directions near K).
* If k < d and r < n, the directions of B_2(z, r) are exactly the cap {v in S^{d-1}: angle(v, u) <= theta},
  theta = arcsin(r / n) in [0, pi/2).  Let psi = atan2(a, b) in [0, pi/2], the angle between u and the unit
  sphere of K (for a unit vector v, ||Pi_K v|| = cos angle(v, K) and ||P v|| = sin angle(v, K)).  Then

      eps_pair = sin(max(0, psi - theta))
               = max(0, (a sqrt(n^2 - r^2) - b r) / n^2).

  Proof.  Lower bound: the angle to the closed set K n S^{d-1} is a distance to a set for the geodesic
  metric of the sphere, hence 1-Lipschitz: angle(v, K) >= angle(u, K) - angle(u, v) >= psi - theta for v in
  the cap, and sin is increasing on [0, pi/2].  Attainment: with s = Pi_S z / a and t = Pi_K z / b (any unit
  vector of S, resp. K, when a = 0, resp. b = 0), u = sin(psi) s + cos(psi) t; the unit vector
  v* = sin(psi - theta) s + cos(psi - theta) t is at angle theta from u (in the cap) and ||P v*|| =
  sin(psi - theta); if psi <= theta, t itself is in the cap and ||P t|| = 0.  So the minimum over the cap is
  attained on its boundary, in the plane spanned by u and its kernel component, or at a kernel direction
  inside the cap (the centre u is never the minimizer when theta > 0 and a > 0).  In terms of the angle
  phi = pi/2 - psi between z and its projection P^T P z: eps_pair = cos(phi + theta) when phi + theta <= pi/2.

  Consequences: eps_pair > 0 iff a > r, i.e. iff ||P z|| > 2 sigma' (the projected balls are disjoint);
  eps_pair <= a / n; eps_pair >= (a - r) / n (sin is subadditive on [0, pi/2]: sin(psi) <= sin(psi - theta)
  + sin(theta)); eps_pair is increasing in a and decreasing in n (for fixed a > r).

Pruning lemma (used by the all-pairs search in :mod:`robustmem.projection.preservation`).  For e in [0, 1) and
r < n:  sin(psi - theta) >= e  <=>  a sqrt(1 - e^2) - b e >= r.
Proof: with beta = arcsin(e), both sides of sin(psi - theta) >= sin(beta) are sines of angles in
[-pi/2, pi/2], so it is psi - theta >= beta, i.e. psi - beta >= theta; again both are in [-pi/2, pi/2], so
it is sin(psi - beta) >= sin(theta), i.e. (a/n) cos(beta) - (b/n) sin(beta) >= r / n.  For e > 0 and
n <= r the right-hand side fails (a c - b e <= n sqrt(c^2 + e^2) = n <= r with equality impossible when
e > 0, b >= 0, n > 0), matching eps_pair = 0 < e.  Hence for e in (0, 1) and any B >= b:
a sqrt(1 - e^2) - B e >= r  implies  eps_pair >= e.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from robustmem.errors import InvalidArgumentError
from robustmem.projection.haar import check_projection

__all__ = ["cap_min_norm", "cap_minimizer", "pair_preservation", "preservation_from_components"]


def preservation_from_components(
    a: npt.ArrayLike, b: npt.ArrayLike, n: npt.ArrayLike, r: float, *, kernel_trivial: bool
) -> np.ndarray:
    """eps_pair from a = ||P z||, b = ||(I - P^T P) z||, n = ||z|| and the ball radius r (vectorized).

    See the module docstring for the derivation; ``kernel_trivial`` is True exactly when k = d.
    The angle psi is computed as atan2(a, b), so the value is consistent even when a^2 + b^2 differs from
    n^2 by rounding.
    """
    a = np.asarray(a, dtype=np.float64)
    if kernel_trivial:
        return np.ones_like(a)
    b = np.asarray(b, dtype=np.float64)
    n = np.asarray(n, dtype=np.float64)
    psi = np.arctan2(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(n > 0, r / np.where(n > 0, n, 1.0), np.inf)
    inside = ratio < 1.0
    theta = np.arcsin(np.where(inside, ratio, 0.0))
    eps = np.sin(np.clip(psi - theta, 0.0, None))
    return np.where(inside, eps, 0.0)


def _components(P: np.ndarray, z: np.ndarray) -> tuple[float, float, float]:
    pz = P @ z
    return float(np.linalg.norm(pz)), float(np.linalg.norm(z - P.T @ pz)), float(np.linalg.norm(z))


def _check_z_r(z: np.ndarray, radius: float, d: int) -> tuple[np.ndarray, float]:
    z = np.asarray(z, dtype=np.float64)
    if z.shape != (d,):
        raise InvalidArgumentError(f"z must be a vector of length d={d}, got shape {z.shape}")
    if not np.all(np.isfinite(z)) or not np.any(z != 0):
        raise InvalidArgumentError("z must be a finite non-zero vector (a difference of two distinct points)")
    radius = float(radius)
    if not (radius >= 0.0 and np.isfinite(radius)):
        raise InvalidArgumentError(f"the ball radius r must be finite and >= 0, got {radius!r}")
    return z, radius


def cap_min_norm(P: np.ndarray, u: np.ndarray, theta: float) -> float:
    """min ||P v|| over unit vectors v at angle <= theta from the direction of ``u`` (exact closed form).

    Guarantee: returns sin(max(0, psi - theta)) with psi the angle between u and ker P (1.0 when ker P = 0);
    this is the exact minimum over the closed cap (module docstring).  theta must lie in [0, pi/2).

    >>> P = np.array([[1.0, 0.0]])          # projection of R^2 onto the first axis
    >>> round(cap_min_norm(P, np.array([1.0, 0.0]), np.pi / 6), 12)   # cos(pi/6)
    0.866025403784
    """
    P = check_projection(P)
    theta = float(theta)
    if not 0.0 <= theta < np.pi / 2:
        raise InvalidArgumentError(f"the cap radius theta must lie in [0, pi/2), got {theta!r}")
    u, _ = _check_z_r(u, 0.0, P.shape[1])
    a, b, n = _components(P, u)
    return float(preservation_from_components(a, b, n, n * np.sin(theta), kernel_trivial=P.shape[0] == P.shape[1]))


def pair_preservation(P: np.ndarray, z: np.ndarray, radius: float) -> float:
    """eps_pair = inf ||P w|| / ||w|| over w in B_2(z, radius), w != 0 (Def. 12 / Thm 18 for one pair).

    With radius = 2 sigma', this is the largest eps such that ||P(a - a')|| >= eps ||a - a'|| for all
    a in B_2(x_i, sigma'), a' in B_2(x_j, sigma'), where z = x_i - x_j.  Exact closed form (module docstring).

    >>> P = np.array([[1.0, 0.0]])
    >>> pair_preservation(P, np.array([2.0, 0.0]), 2.0)   # the ball reaches the origin
    0.0
    """
    P = check_projection(P)
    z, radius = _check_z_r(z, radius, P.shape[1])
    a, b, n = _components(P, z)
    return float(preservation_from_components(a, b, n, radius, kernel_trivial=P.shape[0] == P.shape[1]))


def cap_minimizer(P: np.ndarray, z: np.ndarray, radius: float) -> np.ndarray:
    """A unit vector v* in the closure of the directions of B_2(z, radius) with ||P v*|| = eps_pair.

    This is the constructive half of the closed form: v* = sin(psi - theta) s + cos(psi - theta) t in the
    notation of the module docstring, or the kernel direction t when the cap contains it.  Requires k < d.
    """
    P = check_projection(P)
    k, d = P.shape
    if k == d:
        raise InvalidArgumentError(f"cap_minimizer needs a non-trivial kernel (k < d), got k = d = {d}")
    z, radius = _check_z_r(z, radius, d)
    pz = P @ z
    zs = P.T @ pz
    zk = z - zs
    a, b, n = float(np.linalg.norm(pz)), float(np.linalg.norm(zk)), float(np.linalg.norm(z))
    if b > 0:
        t = zk / b
    else:  # z lies in the row space: any unit kernel vector is orthogonal to it
        _, _, vt = np.linalg.svd(P, full_matrices=True)
        t = vt[k]
    if a > 0:
        s = zs / a
    else:
        s = P[0]
    if radius >= n:
        return t
    psi = np.arctan2(a, b)
    theta = np.arcsin(radius / n)
    if psi <= theta:
        return t
    v = np.sin(psi - theta) * s + np.cos(psi - theta) * t
    return v / np.linalg.norm(v)
