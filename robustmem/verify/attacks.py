"""Projected gradient attacks on l_p balls, batched over many balls at once.

The attack maximises |f(a) - y_i| over a in B_p(x_i, sigma) by projected steepest ascent on the
torch export of the network (:meth:`~robustmem.network.network.ReLUNetwork.to_torch`), from several
starts per ball.  Every iterate is evaluated with ``net(X)`` (float64 numpy, the reference
evaluator) and yielded to the caller; the attack itself decides nothing.

Ingredients (each a small public function, tested on its own):

* :func:`ascent_direction` -- the steepest-ascent direction of the l_p norm for a gradient g:
  sign(g) for l_inf; g / ||g||_2 for l_2; for l_1 the top-|g_j| coordinates (k = max(1, d // 10)
  of them, each with weight 1/k; k = 1 is the exact steepest ascent, a few at once move faster);
  for other p the dual-norm direction sign(g) |g|^(q-1), 1/p + 1/q = 1.  Rows with g = 0 (the flat
  regions that memorizers are made of) get a random direction instead.
* :func:`project_l1_ball` -- the exact Euclidean projection onto {v : ||v||_1 <= z} by sorting
  (Duchi, Shalev-Shwartz, Singer, Chandra, ICML 2008, Figure 1).
* :func:`project_onto_ball` -- Euclidean projection for p in {1, 2, inf} (Duchi / rescaling /
  clipping), radial rescaling for other p; followed by
  :func:`~robustmem.geometry.shrink_into_ball`, so the float64 distance is <= sigma.
* :func:`nearest_other_label` -- the k nearest differently-labelled training points of each ball's
  centre; their projections onto the ball are the first starts (for a memorizer the label changes
  on the way to a differently-labelled neighbour).

Ascent sign: the step follows sign(f - y) grad f; where f = y exactly (the gradient of
(f - y)^2 vanishes there) even restarts descend f and odd restarts ascend it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.spatial.distance import cdist

from robustmem.errors import InvalidArgumentError
from robustmem.geometry import (
    check_ball_p,
    check_sigma,
    shrink_into_ball,
    uniform_in_ball,
    unit_sphere,
)

if TYPE_CHECKING:
    from robustmem.network.network import ReLUNetwork

__all__ = [
    "PGDBatch",
    "ascent_direction",
    "nearest_other_label",
    "pgd_attack",
    "project_l1_ball",
    "project_onto_ball",
    "torch_batch_rows",
]

_TORCH_MEMORY_BYTES = 1 << 29  # autograd memory budget of one PGD batch (512 MiB)
_RANDOM_STEP = 0.5  # a zero-gradient row with f = y moves sigma * _RANDOM_STEP in a random direction
_GRADIENT_STEP = 2.5  # a gradient row moves sigma * _GRADIENT_STEP / steps (Madry et al. 2018)


def project_l1_ball(V: np.ndarray, radius: float) -> np.ndarray:
    """The Euclidean projection of every row of ``V`` onto {w : ||w||_1 <= radius}.

    Duchi et al. (2008): rows with ||v||_1 <= radius are returned unchanged; otherwise
    w_j = sign(v_j) max(|v_j| - theta, 0) with theta = (sum_{j <= rho} u_j - radius) / rho, where u is
    |v| sorted decreasingly and rho the largest j with u_j > (sum_{i <= j} u_i - radius) / j.
    Exact in real arithmetic; in float64 ||w||_1 may exceed ``radius`` by rounding.

    >>> project_l1_ball(np.array([[3.0, 1.0]]), 2.0)
    array([[2., 0.]])
    """
    V = np.asarray(V, dtype=np.float64)
    if V.ndim != 2:
        raise InvalidArgumentError(f"project_l1_ball needs an (n, d) array, got shape {V.shape}")
    radius = check_sigma(radius)
    A = np.abs(V)
    outside = A.sum(axis=1) > radius
    W = V.copy()
    if outside.any():
        a = A[outside]
        u = -np.sort(-a, axis=1)
        css = np.cumsum(u, axis=1)
        j = np.arange(1, a.shape[1] + 1)
        cond = u - (css - radius) / j > 0  # cond[:, 0] holds: u_1 - (u_1 - radius) = radius > 0
        rho = a.shape[1] - 1 - np.argmax(cond[:, ::-1], axis=1)
        theta = (css[np.arange(len(a)), rho] - radius) / (rho + 1)
        W[outside] = np.sign(V[outside]) * np.maximum(a - theta[:, None], 0.0)
    return W


def project_onto_ball(A: np.ndarray, centers: np.ndarray, p: float, sigma: float) -> np.ndarray:
    """Points of B_p(centers, sigma) nearest to ``A`` (rows; centres broadcast), float64-inside.

    p = inf: clipping; p = 2: radial rescaling; p = 1: :func:`project_l1_ball` -- each the exact
    Euclidean projection before rounding.  Other p: radial rescaling (inside, not the Euclidean
    projection).  The result always satisfies ``ball_distance <= sigma`` (shrink_into_ball).
    """
    p, sigma = check_ball_p(p), check_sigma(sigma)
    A = np.asarray(A, dtype=np.float64)
    C = np.broadcast_to(np.asarray(centers, dtype=np.float64), A.shape)
    V = A - C
    if math.isinf(p):
        V = np.clip(V, -sigma, sigma)
    elif p == 1.0:
        V = project_l1_ball(V.reshape(-1, V.shape[-1]), sigma).reshape(V.shape)
    # p = 2 and other p: shrink_into_ball rescales radially whatever lies outside
    return shrink_into_ball(C + V, C, p, sigma)


def ascent_direction(G: np.ndarray, p: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(D, zero): the l_p steepest-ascent direction of every row of G (||D_row||_p = 1 up to
    rounding), and a mask of the rows whose gradient was exactly zero; those get a random
    direction from :func:`~robustmem.geometry.unit_sphere`."""
    p = check_ball_p(p)
    G = np.asarray(G, dtype=np.float64)
    _n, d = G.shape
    zero = ~(G != 0.0).any(axis=1)
    D = np.zeros_like(G)
    g = G[~zero]
    if math.isinf(p):
        D[~zero] = np.sign(g)
    elif p == 2.0:
        D[~zero] = g / np.linalg.norm(g, axis=1, keepdims=True)
    elif p == 1.0:
        k = max(1, d // 10)
        top = np.argpartition(-np.abs(g), k - 1, axis=1)[:, :k]
        rows = np.arange(len(g))[:, None]
        Dg = np.zeros_like(g)
        Dg[rows, top] = np.sign(g[rows, top]) / k
        D[~zero] = Dg
    else:
        q = p / (p - 1.0)
        a = np.abs(g) / np.abs(g).max(axis=1, keepdims=True)
        v = np.sign(g) * a ** (q - 1.0)
        D[~zero] = v / ((np.abs(v) ** p).sum(axis=1, keepdims=True) ** (1.0 / p))
    if zero.any():
        D[zero] = unit_sphere(rng, int(zero.sum()), d, p)
    return D, zero


def nearest_other_label(
    X: np.ndarray, y: np.ndarray, balls: np.ndarray, p: float, k: int, *, chunk_bytes: int = 1 << 26
) -> np.ndarray:
    """Indices (len(balls), k) of the k nearest training points with a label different from
    y[ball], by l_p distance (scipy's cdist; a heuristic, not the canonical distance); -1 pads
    rows with fewer than k such points."""
    p = check_ball_p(p)
    X, y, balls = np.asarray(X, dtype=np.float64), np.asarray(y), np.asarray(balls, dtype=np.intp)
    N = len(X)
    out = -np.ones((len(balls), k), dtype=np.intp)
    if k < 1:
        return out
    metric: dict[str, Any]
    if math.isinf(p):
        metric = {"metric": "chebyshev"}
    elif p == 1.0:
        metric = {"metric": "cityblock"}
    elif p == 2.0:
        metric = {"metric": "euclidean"}
    else:
        metric = {"metric": "minkowski", "p": p}
    step = max(1, chunk_bytes // (8 * max(N, 1)))
    for s in range(0, len(balls), step):
        b = balls[s : s + step]
        D = cdist(X[b], X, **metric)
        D[y[None, :] == y[b][:, None]] = np.inf
        kk = min(k, N)
        part = np.argpartition(D, kk - 1, axis=1)[:, :kk]
        order = np.argsort(np.take_along_axis(D, part, axis=1), axis=1, kind="stable")
        idx = np.take_along_axis(part, order, axis=1)
        finite = np.isfinite(np.take_along_axis(D, idx, axis=1))
        out[s : s + step, :kk] = np.where(finite, idx, -1)
    return out


def torch_batch_rows(net: ReLUNetwork) -> int:
    """Rows per PGD batch so that autograd's saved tensors stay near 512 MiB, clamped to [1, 65536].

    The torch export evaluates the network's compiled plan value by value (carried coordinates
    are not recomputed), and autograd keeps about one product and one sum per weight and one
    ReLU output per neuron: 8 bytes x (2 entries + neurons) per row, summed over every map.
    """
    per_row = 8 * sum(s.repeats * sum(2 * len(m.ent_row) + len(m.active) for m in s.maps) for s in net.segments)
    return int(min(65536, max(1, _TORCH_MEMORY_BYTES // max(1, per_row))))


@dataclass(frozen=True)
class PGDBatch:
    """One evaluated PGD iterate for a batch of rows.

    ``balls``: position of each row's ball in the ``centers`` given to :func:`pgd_attack`;
    ``points``: the iterate (inside the ball in float64); ``values``: ``net(points)``;
    ``step``: 0 for the starts, then 1..steps.
    """

    balls: np.ndarray
    points: np.ndarray
    values: np.ndarray
    step: int


def pgd_attack(
    net: ReLUNetwork,
    centers: np.ndarray,
    labels: np.ndarray,
    *,
    p: float,
    sigma: float,
    steps: int,
    restarts: int,
    rng: np.random.Generator,
    targets: np.ndarray | None = None,
    module: Any = None,
    batch_rows: int | None = None,
) -> Iterator[PGDBatch]:
    """Projected steepest ascent of |f(a) - y_i| on every ball B_p(centers[i], sigma).

    Each ball gets ``restarts`` starts: restart r uses ``targets[i, r]`` projected onto the ball
    when ``targets`` (shape (m, t, d), NaN rows for none) has such a row, else a uniform random point
    of the ball.  Each of ``steps`` steps proposes a move of sigma * 2.5 / steps along
    :func:`ascent_direction` of sign(f - y) grad f, projected back with :func:`project_onto_ball`,
    and accepts it iff |f - y| does not decrease (so a row never leaves a counterexample for a
    better-labelled point).  The direction is random where the gradient is zero or the previous
    proposal was rejected; the move is then sigma / 2 if f = y (escape a flat region where the
    label is right) and the usual size otherwise.  Yields a :class:`PGDBatch` of the starts and
    of every step's proposals (all of them evaluated), for batches of at most ``batch_rows``
    rows (default :func:`torch_batch_rows`).  ``module`` is ``net.to_torch()`` if given.
    """
    import torch

    p, sigma = check_ball_p(p), check_sigma(sigma)
    C = np.asarray(centers, dtype=np.float64)
    Y = np.asarray(labels, dtype=np.float64)
    m, d = C.shape
    for name, v in (("steps", steps), ("restarts", restarts)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < (0 if name == "steps" else 1):
            raise InvalidArgumentError(f"{name} must be an integer >= {0 if name == 'steps' else 1}, got {v!r}")
    if targets is not None and (np.ndim(targets) != 3 or np.shape(targets)[::2] != (m, d)):
        raise InvalidArgumentError(f"targets must have shape ({m}, t, {d}), got {np.shape(targets)}")
    module = net.to_torch() if module is None else module
    rows_per_batch = batch_rows or torch_batch_rows(net)
    per_batch = max(1, rows_per_batch // restarts)
    grad_step = _GRADIENT_STEP * sigma / max(steps, 1)
    for s in range(0, m, per_batch):
        cb = C[s : s + per_batch]
        mb = len(cb)
        A = uniform_in_ball(cb, p, sigma, restarts, rng=rng)  # (mb, restarts, d)
        if targets is not None:
            T = np.asarray(targets, dtype=np.float64)[s : s + per_batch, :restarts]
            have = np.isfinite(T).all(axis=2)
            if have.any():
                rows = np.nonzero(have)
                A[rows] = project_onto_ball(T[rows], cb[rows[0]], p, sigma)
        A = A.reshape(mb * restarts, d)
        Cr = np.repeat(cb, restarts, axis=0)
        Yr = np.repeat(Y[s : s + per_batch], restarts)
        balls = np.repeat(np.arange(s, s + mb), restarts)
        flat_sign = np.where(np.tile(np.arange(restarts), mb) % 2 == 0, -1.0, 1.0)
        vals = net(A)
        yield PGDBatch(balls, A, vals, 0)
        explore = np.zeros(len(A), dtype=bool)
        for t in range(1, steps + 1):
            x = torch.tensor(A, dtype=torch.float64, requires_grad=True)
            (grad,) = torch.autograd.grad(module(x).sum(), x)
            sgn = np.where(vals > Yr, 1.0, np.where(vals < Yr, -1.0, flat_sign))
            D, zero = ascent_direction(grad.numpy() * sgn[:, None], p, rng)
            if explore.any():
                D[explore] = unit_sphere(rng, int(explore.sum()), d, p)
            size = np.where((zero | explore) & (vals == Yr), _RANDOM_STEP * sigma, grad_step)
            cand = project_onto_ball(A + size[:, None] * D, Cr, p, sigma)
            cand_vals = net(cand)
            yield PGDBatch(balls, cand, cand_vals, t)
            accept = np.abs(cand_vals - Yr) >= np.abs(vals - Yr)
            # new arrays, so that the batches already yielded stay intact
            A, vals = np.where(accept[:, None], cand, A), np.where(accept, cand_vals, vals)
            explore = ~accept
