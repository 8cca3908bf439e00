"""Random datasets with a guaranteed separation, and rescaling to a given separation.

Every generator draws from ``numpy.random.default_rng(seed)`` (same seed, same dataset), labels
every class 1..C at least once (so C = n_classes) and returns a :class:`Dataset` whose
``separation(q).delta`` is at least the requested ``delta`` -- guaranteed, not just likely: after
sampling, every point in a differently-labelled pair closer than ``delta`` (canonical distance, the
same one :meth:`Dataset.separation` minimizes) is resampled from its own distribution, and the loop
stops after ``max_rounds`` rounds with :class:`DataError` if conflicts remain.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from robustmem.data.dataset import Dataset, coincident_groups
from robustmem.data.separation import pairs_below
from robustmem.errors import DataError, InvalidArgumentError
from robustmem.norms import c_plus_pq, check_p, p_name
from robustmem.validate import integer_at_least as _check_int
from robustmem.validate import positive_number as _check_positive

__all__ = ["cube_points", "gaussian_clusters", "rescale_to_separation", "sphere_points"]

_MAX_ROUNDS = 200
_ZERO_DISTANCE = math.ulp(0.0)  # "closer than the smallest positive float" means "coincident"


def _check_common(n: object, d: object, n_classes: object, seed: object) -> tuple[int, int, int, int]:
    n, d = _check_int(n, "n", 1), _check_int(d, "d", 1)
    C = _check_int(n_classes, "n_classes", 1)
    if n < C:
        raise InvalidArgumentError(f"n_classes = {C} exceeds n = {n}: every class needs at least one point")
    return n, d, C, _check_int(seed, "seed", 0)


def _labels(rng: np.random.Generator, n: int, C: int) -> np.ndarray:
    """Labels uniform in 1..C, each class present at least once."""
    y = np.concatenate([np.arange(1, C + 1), rng.integers(1, C + 1, size=n - C)])
    rng.shuffle(y)
    return y


def _enforce_separation(
    X: np.ndarray, y: np.ndarray, delta: float, q: float, resample: Callable[[np.ndarray], np.ndarray], what: str
) -> np.ndarray:
    """Resample the later point of every differently-labelled pair closer than ``delta`` until none is.

    Points never resampled are never moved, so each round only checks pairs touching resampled points.
    """
    suspects: np.ndarray | None = None  # None: check all pairs
    for _ in range(_MAX_ROUNDS):
        bad = pairs_below(X, y, delta, q, rows=suspects)
        if bad.shape[0] == 0:
            return X
        suspects = np.unique(bad[:, 1])
        X[suspects] = resample(suspects)
    remaining = pairs_below(X, y, delta, q, rows=suspects).shape[0]
    raise DataError(
        f"could not reach separation delta = {delta!r} (l_{p_name(q)}) for {what} after {_MAX_ROUNDS} rounds "
        f"of rejection sampling ({remaining} differently-labelled pairs are still closer); "
        "use a smaller delta, fewer points or fewer classes"
    )


def _redraw_coincident(X: np.ndarray, y: np.ndarray, resample: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Redraw points that coincide exactly with a differently-labelled point (probability 0 for
    continuous draws, but checked), using the exact sort-based coincidence test of Dataset."""
    for _ in range(_MAX_ROUNDS):
        bad = [int(g[j]) for g in coincident_groups(X) if len(set(y[g].tolist())) > 1 for j in range(1, len(g))]
        if not bad:
            return X
        X[bad] = resample(np.array(bad))
    raise DataError("could not separate coincident differently-labelled points by redrawing")


def sphere_points(
    n: int, d: int, *, n_classes: int, delta: float | None = None, radius: float = 1.0, seed: int, q: float = 2.0
) -> Dataset:
    """n points uniform on the sphere {||x||_2 = radius} in R^d (d >= 2), labels uniform in 1..n_classes.

    Guarantee: ``separation(q).delta >= delta`` when ``delta`` is given; without it, only that no two
    differently-labelled points coincide.  Points lie on the sphere up to one rounding per coordinate.
    Raises :class:`InvalidArgumentError` at once if delta exceeds the l_q diameter of the sphere
    (2 radius d^max(0, 1/q - 1/2)) and there are two classes, :class:`DataError` if rejection fails.

    >>> ds = sphere_points(50, 3, n_classes=2, delta=0.3, seed=0)
    >>> ds.N, ds.d, ds.C, ds.separation().delta >= 0.3
    (50, 3, 2, True)
    """
    n, d, C, seed = _check_common(n, d, n_classes, seed)
    if d < 2:
        raise InvalidArgumentError(f"the sphere needs d >= 2 (in R^1 it has two points), got d = {d}")
    radius, q = _check_positive(radius, "radius"), check_p(q, name="q")
    target = _ZERO_DISTANCE if delta is None else _check_positive(delta, "delta")
    diameter = 2.0 * radius * c_plus_pq(2.0, q, d)
    if C >= 2 and target > diameter:
        raise InvalidArgumentError(
            f"delta = {delta!r} exceeds the l_{p_name(q)} diameter {diameter!r} of the sphere of radius {radius!r} "
            f"in R^{d}: two classes cannot be that far apart"
        )
    rng = np.random.default_rng(seed)

    def draw(idx: np.ndarray) -> np.ndarray:
        G = rng.standard_normal((idx.size, d))
        norms = np.linalg.norm(G, axis=1, keepdims=True)
        G *= radius  # in place: the operations of radius * G / norms, without two N x d temporaries
        G /= norms
        return G

    y = _labels(rng, n, C)
    X = draw(np.arange(n))
    if delta is not None:
        X = _enforce_separation(X, y, target, q, draw, f"{n} points on the sphere in R^{d}")
    else:  # only coincidences matter: found exactly (by sorting rows) in O(N log N), not by an N^2 scan
        X = _redraw_coincident(X, y, draw)
    meta = {"generator": "sphere_points", "seed": seed, "radius": radius, "delta": delta, "q": q}
    return Dataset(X, y, name=f"sphere(n={n}, d={d}, C={C}, seed={seed})", meta=meta)


def cube_points(n: int, d: int, *, n_classes: int, delta: float, seed: int, q: float = 2.0) -> Dataset:
    """n points uniform in [0, 1]^d with labels uniform in 1..n_classes and ``separation(q) >= delta``.

    Raises :class:`InvalidArgumentError` at once if delta exceeds the cube's l_q diameter d^(1/q)
    and there are two classes, :class:`DataError` if rejection sampling fails.

    >>> ds = cube_points(40, 2, n_classes=3, delta=0.05, seed=1)
    >>> bool(ds.separation().delta >= 0.05), bool((ds.X >= 0).all() and (ds.X <= 1).all())
    (True, True)
    """
    n, d, C, seed = _check_common(n, d, n_classes, seed)
    delta, q = _check_positive(delta, "delta"), check_p(q, name="q")
    diameter = 1.0 if math.isinf(q) else float(d) ** (1.0 / q)
    if C >= 2 and delta > diameter:
        raise InvalidArgumentError(
            f"delta = {delta!r} exceeds the l_{p_name(q)} diameter {diameter!r} of [0, 1]^{d}: "
            "two classes cannot be that far apart"
        )
    rng = np.random.default_rng(seed)

    def draw(idx: np.ndarray) -> np.ndarray:
        return rng.random((idx.size, d))

    y = _labels(rng, n, C)
    X = _enforce_separation(draw(np.arange(n)), y, delta, q, draw, f"{n} points in [0, 1]^{d}")
    meta = {"generator": "cube_points", "seed": seed, "delta": delta, "q": q}
    return Dataset(X, y, name=f"cube(n={n}, d={d}, C={C}, seed={seed})", meta=meta)


def gaussian_clusters(
    n: int,
    d: int,
    *,
    n_classes: int,
    delta: float,
    spread: float,
    seed: int,
    clusters_per_class: int = 1,
    q: float = 2.0,
) -> Dataset:
    """Gaussian clusters (``clusters_per_class`` per class, standard deviation ``spread``) with separation >= delta.

    Cluster centres are ``D (g + u)`` for distinct random integer vectors g in {0, .., K-1}^d, jitter
    u uniform in [-1/4, 1/4]^d and D = 2 (delta + 2 spread (sqrt(d) + 4) c+_{2,q}(d)), so centres are
    at least D/2 apart in every l_q and most points are far from other classes; points are
    ``centre + spread * N(0, I_d)`` with the cluster picked uniformly (each class has >= 1 point), and
    the rejection loop then guarantees ``separation(q) >= delta``.

    >>> ds = gaussian_clusters(60, 4, n_classes=3, delta=1.0, spread=0.5, seed=2, clusters_per_class=2)
    >>> ds.C, bool(ds.separation().delta >= 1.0)
    (3, True)
    """
    n, d, C, seed = _check_common(n, d, n_classes, seed)
    delta, spread, q = _check_positive(delta, "delta"), _check_positive(spread, "spread"), check_p(q, name="q")
    m = _check_int(clusters_per_class, "clusters_per_class", 1)
    rng = np.random.default_rng(seed)
    n_centres = C * m
    grid = _distinct_grid(rng, n_centres, d)
    D = 2.0 * (delta + 2.0 * spread * (math.sqrt(d) + 4.0) * c_plus_pq(2.0, q, d))
    centres = D * (grid + rng.uniform(-0.25, 0.25, size=(n_centres, d)))
    y = _labels(rng, n, C)
    cluster = (y - 1) * m + rng.integers(0, m, size=n)  # clusters of class c: (c-1) m .. c m - 1

    def draw(idx: np.ndarray) -> np.ndarray:
        return centres[cluster[idx]] + spread * rng.standard_normal((idx.size, d))

    X = _enforce_separation(draw(np.arange(n)), y, delta, q, draw, f"{n} points in {n_centres} Gaussian clusters")
    meta = {
        "generator": "gaussian_clusters",
        "seed": seed,
        "delta": delta,
        "spread": spread,
        "clusters_per_class": m,
        "q": q,
    }
    return Dataset(X, y, name=f"gaussian(n={n}, d={d}, C={C}, seed={seed})", meta=meta)


def _distinct_grid(rng: np.random.Generator, n_centres: int, d: int) -> np.ndarray:
    """``n_centres`` distinct random integer vectors in {0, .., K-1}^d, K = max(2, ceil(n_centres^(1/d)) + 1).

    Duplicates are redrawn; DataError after ``_MAX_ROUNDS`` rounds with duplicates left.
    """
    K = max(2, math.ceil(n_centres ** (1.0 / d)) + 1)
    grid = rng.integers(0, K, size=(n_centres, d))
    for _ in range(_MAX_ROUNDS):  # make the integer vectors distinct
        _, first = np.unique(grid, axis=0, return_index=True)
        dup = np.setdiff1d(np.arange(n_centres), first)
        if dup.size == 0:
            return grid
        grid[dup] = rng.integers(0, K, size=(dup.size, d))
    raise DataError(f"could not draw {n_centres} distinct grid cells in {{0..{K - 1}}}^{d}")


def rescale_to_separation(ds: Dataset, delta: float, *, q: float = 2.0) -> Dataset:
    """``ds`` with X multiplied by a scalar s > 0 so that ``separation(q).delta`` is delta up to rounding.

    Guarantee (q >= 1): |separation_q(result) - delta| <= 4 (d + 8) eps (delta + R), eps = 2**-52, where
    R = max_i ||s x_i||_q: scaling rounds each coordinate once (moving a difference by at most
    2 u R) and the distance has relative rounding error below (d + 8) eps.  Up to four correction steps
    s <- s delta / separation keep the closest result; for data centred near 0 it is usually exact or
    within a few ulps.  The name is kept; ``meta`` records the scale.

    >>> ds = rescale_to_separation(Dataset([[0.0], [3.0]], [1, 2]), 1.0)
    >>> ds.separation().delta, ds.meta["scale"]
    (1.0, 0.3333333333333333)
    """
    q = check_p(q, name="q", minimum=1.0, allow_equal=True)
    delta = _check_positive(delta, "delta")
    sep = ds.separation(q).delta
    if math.isinf(sep):
        raise InvalidArgumentError(
            f"dataset {ds.name!r} has a single label {int(ds.labels[0])}: its separation is infinite and "
            "cannot be rescaled"
        )
    best: tuple[float, Dataset] | None = None
    s = delta / sep
    for _ in range(5):
        if not (math.isfinite(s) and s > 0):
            break
        out = Dataset(ds.X * s, ds.y, name=ds.name, meta={**ds.meta, "scale": s, "rescaled_to": delta, "q": q})
        got = out.separation(q).delta
        if best is None or abs(got - delta) < best[0]:
            best = (abs(got - delta), out)
        if got == delta:
            break
        s *= delta / got
    if best is None:
        raise InvalidArgumentError(f"cannot rescale {ds.name!r} (separation {sep!r}) to delta = {delta!r}: scale {s!r}")
    return best[1]
