r"""Theorem 17 for a given network: two differently-labelled balls on which its first layer agrees, exactly.

For a first layer W (m x d) let Q be the orthogonal projection onto its row space.  For a differently-labelled
pair z = x_i - x_j the points

    a = x_i - Q z / 2  in B(x_i, ||Q z|| / 2),        a' = x_j + Q z / 2  in B(x_j, ||Q z|| / 2)

satisfy W a - W a' = W (z - Q z) = 0, so every network with first layer W takes one value at a and a' and is
wrong at one of them.  :func:`theorem17_witness` picks the pair with the smallest ||Q z||_p (float64 search
over all differently-labelled pairs), then computes Q z, a and a' in exact rational arithmetic (the float64
weights and data read as exact rationals) and checks W a = W a' and the ball memberships exactly (p = 1, 2,
inf; in float64 for other p, flagged).  When a width-k certificate of
:mod:`~robustmem.lower_bound.width_certificate` holds at sigma, such a pair exists for every W with <= k rows.
This generalizes :func:`robustmem.lower_bound.attack.kernel_attack` from Theorem 19's instance to any dataset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.fantope import _arrays, cross_pairs_below
from robustmem.network import ReLUNetwork
from robustmem.norms import check_p, pnorm

__all__ = ["Theorem17Witness", "first_layer_matrix", "theorem17_witness"]

#: Candidate pairs (closest in l_2 after Q) re-ranked by their l_p distance when p != 2.
CANDIDATES: int = 64


@dataclass(frozen=True, eq=False)
class Theorem17Witness:
    """Two points in two differently-labelled closed l_p balls of radius sigma with equal first-layer image.

    a_exact, a_prime_exact : the points (exact rationals); a, a_prime : rounded to float64 (for display; the
    guarantee is about the exact points).  i, j : the pair, label_i != label_j.  rows, rank : the first
    layer's number of rows and exact rank.  distance : ||a - x_i||_p = ||a' - x_j||_p (= ||Q z||_p / 2).
    distance_check : "exact" (p in {1, 2, inf}) or "float".  image_equal : W a == W a' checked exactly
    (always True in a returned witness).  outputs : the network's float64 outputs at a and a' (when a
    network was given; equal in exact arithmetic).
    """

    a: np.ndarray
    a_prime: np.ndarray
    a_exact: tuple[Fraction, ...]
    a_prime_exact: tuple[Fraction, ...]
    i: int
    j: int
    label_i: int
    label_j: int
    rows: int
    rank: int
    sigma: float
    p: float
    distance: float
    distance_check: Literal["exact", "float"]
    image_equal: bool
    outputs: tuple[float, float] | None

    def __post_init__(self) -> None:
        if self.label_i == self.label_j:
            raise InvalidArgumentError(f"the pair ({self.i}, {self.j}) has equal labels {self.label_i}")
        if not self.image_equal:
            raise InvalidArgumentError("a witness needs W a == W a' exactly")
        if not self.distance <= self.sigma:
            raise InvalidArgumentError(f"distance {self.distance!r} exceeds sigma = {self.sigma!r}")


def first_layer_matrix(net: Any) -> tuple[np.ndarray, ReLUNetwork | None]:
    """The first affine map's matrix W (m x d) of a ReLUNetwork, a sequence of (W, b) layers, or a matrix."""
    if isinstance(net, ReLUNetwork):
        return np.asarray(next(iter(net.layers())).W, dtype=np.float64), net
    if isinstance(net, Sequence) and not isinstance(net, (str, bytes)) and net and isinstance(net[0], tuple):
        W = np.asarray(net[0][0], dtype=np.float64)
    else:
        W = np.asarray(net, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] < 1:
        raise InvalidArgumentError(f"the first layer must be a matrix of shape (m, d), got shape {W.shape}")
    if not np.isfinite(W).all():
        raise InvalidArgumentError("the first layer has non-finite weights")
    return W, None


def _independent_rows(W: list[list[Fraction]]) -> list[int]:
    """Indices of a maximal set of linearly independent rows (exact elimination)."""
    basis: list[tuple[int, list[Fraction]]] = []  # (pivot column, reduced row)
    chosen: list[int] = []
    for r, row in enumerate(W):
        v = list(row)
        for col, b in basis:
            if v[col] != 0:
                f = v[col] / b[col]
                v = [x - f * y for x, y in zip(v, b)]
        piv = next((c for c, x in enumerate(v) if x != 0), None)
        if piv is not None:
            basis.append((piv, v))
            chosen.append(r)
    return chosen


def _solve(G: list[list[Fraction]], b: list[Fraction]) -> list[Fraction]:
    """Solve G c = b exactly (G symmetric positive definite)."""
    n = len(b)
    A = [list(G[r]) + [b[r]] for r in range(n)]
    for c in range(n):
        piv = next(r for r in range(c, n) if A[r][c] != 0)
        A[c], A[piv] = A[piv], A[c]
        for r in range(n):
            if r != c and A[r][c] != 0:
                f = A[r][c] / A[c][c]
                A[r] = [x - f * y for x, y in zip(A[r], A[c])]
    return [A[r][n] / A[r][r] for r in range(n)]


def _norm_exact(v: list[Fraction], p: float) -> tuple[Fraction | None, float]:
    """(||v||_p^e exactly or None, ||v||_p as a float): e = 2 for p = 2, else 1."""
    if math.isinf(p):
        m = max(abs(t) for t in v)
        return m, float(m)
    if p == 1.0:
        m1 = sum((abs(t) for t in v), Fraction(0))
        return m1, float(m1)
    if p == 2.0:
        m2 = sum((t * t for t in v), Fraction(0))
        return m2, math.sqrt(m2)
    return None, float(pnorm(np.array([float(t) for t in v]), p))


def theorem17_witness(net: Any, dataset: Any, *, sigma: float, p: float = 2.0) -> Theorem17Witness:
    """Two differently-labelled sigma-balls of ``dataset`` on which the first layer of ``net`` agrees exactly.

    Guarantee: W a_exact == W a_prime_exact in exact rational arithmetic, a_exact lies in the closed ball
    B_p(x_i, sigma), a_prime_exact in B_p(x_j, sigma), y_i != y_j (memberships exact for p = 1, 2, inf), so
    ``net`` does not (sigma, p)-robustly memorize the dataset.  HypothesisError when the pair found (smallest
    ||Q z||_p, Q = projection onto W's row space) is farther than sigma: the first layer keeps the balls apart.

    Parameters: net (ReLUNetwork, a list of (W, b) layers, e.g. from robustmem.interop.onnx_layers, or W
    itself), the dataset, sigma >= 0 and p.
    """
    p = check_p(p)
    sigma = float(sigma)
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InvalidArgumentError(f"sigma must be a finite number >= 0, got {sigma!r}")
    X, y = _arrays(dataset)
    W, network = first_layer_matrix(net)
    if W.shape[1] != X.shape[1]:
        raise InvalidArgumentError(f"the first layer reads R^{W.shape[1]}, the dataset lives in R^{X.shape[1]}")
    Wq = [[Fraction(float(v)) for v in row] for row in W]
    rows = _independent_rows(Wq)
    i, j = _closest_pair(X, y, W[rows], p)
    a, ap, half = _halfway_points([Wq[r] for r in rows], X[i], X[j])
    image_equal = all(sum(w * (s - t) for w, s, t in zip(row, a, ap)) == 0 for row in Wq)
    exact, dist = _norm_exact(half, p)
    sq = Fraction(sigma)
    inside = (exact <= (sq * sq if p == 2.0 else sq)) if exact is not None else dist <= sigma
    if not image_equal:  # cannot happen: W (z - Q z) = 0 for the exact projection
        raise AssertionError("exact projection failed: W a != W a'")
    if not inside:
        raise HypothesisError(
            f"the first layer ({W.shape[0]} rows, rank {len(rows)}) keeps the sigma-balls apart as far as this "
            f"search sees: the closest pair ({i}, {j}) needs radius {dist!r} > sigma = {sigma!r} in l_{p:g}"
        )
    if exact is not None:
        dist = min(dist, sigma)  # inside exactly; the float square root may round above sigma
    a_f = np.array([float(t) for t in a])
    ap_f = np.array([float(t) for t in ap])
    outputs = None
    if network is not None:
        out = np.asarray(network(np.stack([a_f, ap_f])), dtype=np.float64).reshape(2, -1)
        outputs = (float(out[0, 0]), float(out[1, 0]))
    how: Literal["exact", "float"] = "exact" if exact is not None else "float"
    return Theorem17Witness(
        a_f,
        ap_f,
        tuple(a),
        tuple(ap),
        i,
        j,
        int(y[i]),
        int(y[j]),
        int(W.shape[0]),
        len(rows),
        sigma,
        p,
        dist,
        how,
        image_equal,
        outputs,
    )


def _closest_pair(X: np.ndarray, y: np.ndarray, W_rows: np.ndarray, p: float) -> tuple[int, int]:
    """Float search: the differently-labelled pair (i, j) whose difference z has the smallest ||Q z||_p, Q the
    orthogonal projection onto the row space of ``W_rows`` (independent rows), among the CANDIDATES closest
    in l_2."""
    U = np.linalg.qr(W_rows.T)[0] if len(W_rows) else np.zeros((X.shape[1], 0))
    Y = X @ U if U.shape[1] else np.zeros((X.shape[0], 1))
    I, J, _ = cross_pairs_below(Y, y, CANDIDATES)
    if p != 2.0:
        QZ = (X[I] - X[J]) @ U @ U.T
        order = np.argsort([pnorm(q, p) for q in QZ], kind="stable")
        I, J = I[order], J[order]
    return int(I[0]), int(J[0])


def _halfway_points(
    R: list[list[Fraction]], x_i: np.ndarray, x_j: np.ndarray
) -> tuple[list[Fraction], list[Fraction], list[Fraction]]:
    """(a, a', Q z / 2) in exact rationals: z = x_i - x_j, Q z its projection onto the row space of R (solving
    the Gram system R R^T c = R z), a = x_i - Q z / 2 and a' = x_j + Q z / 2, so W a = W a'."""
    xi = [Fraction(float(v)) for v in x_i]
    xj = [Fraction(float(v)) for v in x_j]
    z = [a - b for a, b in zip(xi, xj)]
    if R:
        G = [[sum((a * b for a, b in zip(r1, r2)), Fraction(0)) for r2 in R] for r1 in R]
        c = _solve(G, [sum((a * b for a, b in zip(r, z)), Fraction(0)) for r in R])
        qz = [sum((cc * r[t] for cc, r in zip(c, R)), Fraction(0)) for t in range(len(z))]
    else:
        qz = [Fraction(0)] * len(z)
    half = [Fraction(1, 2) * t for t in qz]
    return [u - h for u, h in zip(xi, half)], [u + h for u, h in zip(xj, half)], half
