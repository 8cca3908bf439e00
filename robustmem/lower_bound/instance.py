"""The hard binary dataset of Theorem 19 (and through Theorem 17, of Theorem 8's lower bound).

In a (k+1)-dimensional coordinate subspace of R^d, with sigma' = c-_p(d) sigma and r = sqrt(2 sigma' delta):

* class 1 (label 1): a sigma'-cover of the sphere of radius r;
* class 2 (label 2): an r-cover of the sphere of radius r + delta.

Why it is hard (the geometry :func:`~robustmem.lower_bound.kernel_attack` makes concrete): a linear map
W of rank <= k has a unit vector u of its kernel in the (k+1)-dim subspace.  Some class-2 point b_j lies
within r of (r + delta) u, so the line b_j + R u passes within r of the origin and meets the sphere of
radius r at a point z; some class-1 point a_i lies within sigma' of z.  Then z in B_2(a_i, sigma'),
contained in B_p(a_i, sigma), and W z = W b_j: every network whose first layer is W gives z and b_j the
same output, but their labels differ.  The argument works for every r > 0; r = sqrt(2 sigma' delta)
balances the two cover sizes, about (r / sigma')^k and ((r + delta) / r)^k, which gives N ~ (delta/sigma')^{k/2}
points, the N^{-2/k} rate of Theorems 8 and 19.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from robustmem.bounds import b_pd
from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError
from robustmem.lower_bound.covers import CoverMethod, SphereCover, sphere_cover
from robustmem.norms import c_minus, check_p, p_name
from robustmem.validate import positive_number as _positive

__all__ = ["SEPARATION_SAFETY", "HardInstance", "hard_instance"]

# The outer sphere has radius r + (1 + SEPARATION_SAFETY) delta, so that the float64 points are
# delta-separated although each is rounded (the argument above needs no particular outer radius).
SEPARATION_SAFETY = 1e-12


@dataclass(frozen=True, eq=False)
class HardInstance:
    """Theorem 19's hard dataset with everything needed to check and attack it.

    Rows 0..n1-1 of ``dataset`` are class 1 (label 1, on the sphere of radius ``r``), the rest class 2
    (label 2, on the sphere of radius ``outer_radius``); all of them are zero outside the coordinates
    ``subspace``.  ``separation`` is the l_2 separation of ``dataset`` computed from its points.
    """

    dataset: Dataset
    k: int
    delta: float
    sigma: float
    p: float
    sigma_prime: float  # c-_p(d) sigma
    r: float  # sqrt(2 sigma' delta)
    outer_radius: float  # r + delta (1 + SEPARATION_SAFETY)
    subspace: tuple[int, ...]  # the k+1 coordinates used
    inner_cover: SphereCover  # class 1: covering radius <= sigma'
    outer_cover: SphereCover  # class 2: covering radius <= r
    separation: float
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n1 = self.inner_cover.n
        y = self.dataset.y
        if n1 + self.outer_cover.n != self.dataset.N or (y[:n1] != 1).any() or (y[n1:] != 2).any():
            raise InvalidArgumentError("the dataset must hold the inner cover (label 1) then the outer cover (label 2)")
        if len(self.subspace) != self.k + 1:
            raise InvalidArgumentError(f"subspace {self.subspace} must have k + 1 = {self.k + 1} coordinates")
        if not self.inner_cover.radius <= self.sigma_prime:
            raise InvalidArgumentError(
                f"class-1 covering radius {self.inner_cover.radius!r} exceeds sigma' = {self.sigma_prime!r}"
            )
        if not self.outer_cover.radius <= self.r:
            raise InvalidArgumentError(f"class-2 covering radius {self.outer_cover.radius!r} exceeds r = {self.r!r}")
        if not self.separation >= self.delta:
            raise InvalidArgumentError(f"the dataset's separation {self.separation!r} is below delta = {self.delta!r}")

    @property
    def d(self) -> int:
        """Ambient dimension."""
        return self.dataset.d

    @property
    def N(self) -> int:
        """Number of points, n1 + n2."""
        return self.dataset.N

    @property
    def n1(self) -> int:
        """Number of class-1 points (the sigma'-cover of the inner sphere)."""
        return self.inner_cover.n

    @property
    def n2(self) -> int:
        """Number of class-2 points (the r-cover of the outer sphere)."""
        return self.outer_cover.n


def hard_instance(
    k: int,
    d: int,
    delta: float,
    sigma: float,
    p: float,
    *,
    cover: CoverMethod | Literal["auto"] = "auto",
    max_points: int = 200_000,
    seed: int = 0,
) -> HardInstance:
    """Theorem 19's binary dataset that no network of width <= k (sigma, p)-robustly memorizes.

    Guarantee: the returned dataset is delta-separated (``separation >= delta``, computed) and, for every
    matrix W with d columns whose restriction to the coordinates ``0..k`` has rank <= k, there are
    a in B_p(x_i, sigma), a' in B_p(x_j, sigma) with y_i != y_j and W a = W a' (proved for the
    ``circle`` and ``latitude`` covers; for ``greedy`` the cover radius is only sampled).  So a network
    of width <= k outputs the same value at a and a' and errs at one of them (Theorem 17).

    Parameters: 1 <= k <= d - 1; delta, sigma > 0; p in (0, inf]; ``cover`` in auto / circle /
    latitude / greedy (auto: circle for k = 1, latitude for k = 2, 3, greedy beyond); ``max_points``
    refuses larger instances; ``seed`` seeds the greedy cover.

    >>> inst = hard_instance(1, 2, 1.0, 0.01, 2.0)
    >>> inst.n1, inst.n2, inst.separation >= 1.0
    (45, 26, True)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgumentError(f"the width k must be an integer >= 1, got {k!r}")
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < k + 1:
        raise InvalidArgumentError(f"the dimension d must be an integer >= k + 1 = {int(k) + 1}, got {d!r}")
    k, d = int(k), int(d)
    delta, sigma = _positive(delta, "delta"), _positive(sigma, "sigma")
    p = check_p(p)
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 2:
        raise InvalidArgumentError(f"max_points must be an integer >= 2, got {max_points!r}")
    sigma_prime = c_minus(p, d) * sigma
    r = math.sqrt(2.0 * sigma_prime * delta)
    outer = r + delta * (1.0 + SEPARATION_SAFETY)
    inner_cover = sphere_cover(k, r, sigma_prime, method=cover, seed=seed)
    if inner_cover.n >= max_points:
        raise InvalidArgumentError(
            f"the class-1 cover has {inner_cover.n} points, at least max_points = {max_points} "
            f"(k = {k}, sigma'/delta = {sigma_prime / delta:.3g}); raise max_points or sigma"
        )
    outer_cover = sphere_cover(k, outer, r, method=cover, seed=seed + 1)
    n = inner_cover.n + outer_cover.n
    if n > max_points:
        raise InvalidArgumentError(f"the instance has {n} points, more than max_points = {max_points}")
    X = np.zeros((n, d))
    X[:, : k + 1] = np.concatenate([inner_cover.points, outer_cover.points], axis=0)
    y = np.concatenate([np.ones(inner_cover.n, dtype=np.int64), np.full(outer_cover.n, 2, dtype=np.int64)])
    name = f"theorem19_k{k}_d{d}_p{p_name(p)}"
    ds = Dataset(X, y, name=name, meta={"construction": "Theorem 19", "k": k, "delta": delta, "sigma": sigma})
    sep = ds.separation(2.0).delta
    threshold = b_pd(p, d) * n ** (-2.0 / k)
    notes = (
        f"class 1: {inner_cover.n} points, {inner_cover.method} cover of radius {inner_cover.radius:.6g} "
        f"<= sigma' = {sigma_prime:.6g} ({inner_cover.verification})",
        f"class 2: {outer_cover.n} points, {outer_cover.method} cover of radius {outer_cover.radius:.6g} "
        f"<= r = {r:.6g} ({outer_cover.verification})",
        f"Theorem 8 as stated needs sigma/delta > b_pd N^(-2/k) = {threshold:.4g}; here sigma/delta = "
        f"{sigma / delta:.4g} ({'met' if sigma / delta > threshold else 'not met: the explicit covers are far smaller'})",
    )
    return HardInstance(
        ds, k, delta, sigma, p, sigma_prime, r, outer, tuple(range(k + 1)), inner_cover, outer_cover, sep, notes
    )
