"""Exact separation by neighbour search: the result of :func:`~robustmem.data.separation.min_separation`, near-linear
for low-dimensional data (e.g. the k' projected centres of Theorem 7).

Two stages, both on scipy's cKDTree in the l_q norm:

1. an upper bound t0: per point, its nearest differently-labelled neighbour (one tree per class complement when
   there are at most :data:`COMPLEMENT_MAX_CLASSES` classes), and t0 = the smallest *canonical* distance
   (:func:`~robustmem.data.separation.pair_distances`) among these pairs -- a real pair's value, so t0 >= delta;
2. every pair whose tree distance is at most r = t0 (1 + 2^-20) + 2^-30 (d + 1) max|x| + 2^-1000: this contains
   every pair with canonical distance <= t0, since the canonical value and the tree's float64 value are both
   within a relative few d ulps of the exact distance (|x| <= 2^400: no overflow; subnormal squares only make
   the tree's value smaller).  The canonical distances of the differently-labelled ones give delta and the
   lexicographically first pair attaining it, exactly as the block scan does.

Data beyond 2^400 in magnitude, or with more than :data:`COMPLEMENT_MAX_CLASSES` classes, or a stage-2 answer
estimated (from 2,000 sampled points) at more than ``max_pairs`` pairs falls back to the block scan (same
result; the estimate only guards memory, never correctness).
"""

from __future__ import annotations

import math

import numpy as np

from robustmem.data.separation import Separation, _as_labels, _as_points, _pair_distances, min_separation
from robustmem.norms import check_p

__all__ = ["COMPLEMENT_MAX_CLASSES", "min_separation_near"]

#: most classes for which stage 1 builds one tree per class complement
COMPLEMENT_MAX_CLASSES = 64
_SAFE = 2.0**400


def min_separation_near(X: object, y: object, q: float = 2.0, *, max_pairs: int = 20_000_000) -> Separation:
    """min{||x_i - x_j||_q : y_i != y_j} and the first pair attaining it, equal to ``min_separation(X, y, q)``.

    >>> min_separation_near([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]], [1, 2, 1])
    Separation(delta=4.47213595499958, i=1, j=2, q=2.0)
    """
    from scipy.spatial import cKDTree

    A = _as_points(X)
    labels = _as_labels(y, A.shape[0])
    q = check_p(q, name="q")
    classes, idx = np.unique(labels, return_inverse=True)
    N, d = A.shape
    amax = float(np.abs(A).max(initial=0.0))
    if classes.size < 2 or classes.size > COMPLEMENT_MAX_CLASSES or amax > _SAFE:
        return min_separation(A, labels, q)
    # stage 1: each point's nearest differently-labelled neighbour in the tree's metric
    I, J = [], []
    for c in range(classes.size):
        rows, other = np.flatnonzero(idx == c), np.flatnonzero(idx != c)
        _, nn = cKDTree(A[other]).query(A[rows], k=1, p=q)
        I.append(rows)
        J.append(other[nn])
    i1, j1 = np.concatenate(I), np.concatenate(J)
    t0 = float(_pair_distances(A, i1, j1, q).min())
    # stage 2: every pair within t0, widened past the float64 rounding of both distance computations
    r = t0 * (1.0 + 2.0**-20) + 2.0**-30 * (d + 1) * amax + 2.0**-1000
    tree = cKDTree(A)
    sample = np.random.default_rng(0).choice(N, size=min(N, 2000), replace=False)  # memory guard only: estimate
    expected = 0.5 * N * float(np.mean(tree.query_ball_point(A[sample], r, p=q, return_length=True)))
    if expected > max_pairs:
        return min_separation(A, labels, q)
    P = tree.query_pairs(r, p=q, output_type="ndarray")
    P = P[idx[P[:, 0]] != idx[P[:, 1]]]
    P = np.sort(P, axis=1)
    vals = _pair_distances(A, P[:, 0], P[:, 1], q)
    best = vals.min()
    tied = np.flatnonzero(vals == best)
    k = tied[np.lexsort((P[tied, 1], P[tied, 0]))[0]]
    if not math.isfinite(best):
        return min_separation(A, labels, q)
    return Separation(float(best), int(P[k, 0]), int(P[k, 1]), q)
