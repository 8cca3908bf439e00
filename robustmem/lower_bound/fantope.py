r"""The Fantope relaxation of "some rank-k projection keeps every differently-labelled pair apart" (Theorem 17).

With closed balls, a linear map T of rank <= k sends a in B_2(x_i, s) and a' in B_2(x_j, s) to one point iff
z = x_i - x_j lies within 2s of ker T, i.e. iff ||Q z||_2 <= 2s for Q the orthogonal projection onto T's row
space.  So D is (s, k)-preservable (Definition 15, closed balls) iff some rank-k orthogonal projection P has
||P z||_2 > 2s for every differently-labelled pair z, and the quantity that decides it is

    OPT_k = max over rank-k orthogonal projections P of min_pairs ||P z||^2.

Relaxing P to the Fantope F_k = {0 <= P <= I, tr P = k} (Loewner order) and keeping any subset of the pairs
gives the upper bound

    OPT_k <= U_k = max_{P in F_k} min_{pairs in the subset} <z z^T, P>
              = min over lambda in the simplex of KyFan_k(sum lambda_z z z^T)        (minimax, LP duality),

solved here (float64, cvxpy with Clarabel or SCS) with constraint generation: start from the closest
differently-labelled pairs, solve, add the pairs the relaxed optimum P* violates (over ALL pairs), repeat.
Nothing here is a claim: :mod:`robustmem.lower_bound.width_certificate` turns the solver's lambda into a
certificate checked in exact rational arithmetic.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.extras import require
from robustmem.validate import integer_at_least

__all__ = ["FantopeSolution", "FantopeSolver", "closest_cross_pairs", "cross_pairs_below", "fantope_relaxation"]

FantopeSolver = Literal["CLARABEL", "SCS"]

#: A pair is "violated" by the relaxed optimum P* when <z z^T, P*> < (1 - VIOLATION_TOL) t*.
VIOLATION_TOL: float = 1e-4  # about the accuracy of SCS at its default settings
#: A pair is carried to the next round when its dual weight exceeds LAMBDA_DROP times the largest or its value
#: <z z^T, P*> is at most KEEP_FACTOR t* (near-active pairs stay, so the rounds do not cycle in practice).
LAMBDA_DROP: float = 1e-4
KEEP_FACTOR: float = 1.5
#: SCS iteration cap: an inaccurate solve still gives valid dual weights (every lambda in the simplex proves a
#: bound), it only loosens it; without the cap a last round on digits (k = 3) took 33 s instead of 2-6 s.
SCS_MAX_ITERS: int = 2000


def _arrays(dataset: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(getattr(dataset, "X", None), dtype=np.float64)
    y = np.asarray(getattr(dataset, "y", None))
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InvalidArgumentError(f"expected a dataset with X (N, d) and y (N,), got shapes {X.shape}, {y.shape}")
    if not np.isfinite(X).all():
        raise InvalidArgumentError("the dataset has non-finite coordinates")
    return X, y


def _blocks(N: int, size: int = 512) -> list[tuple[int, int]]:
    return [(s, min(N, s + size)) for s in range(0, N, size)]


def cross_pairs_below(
    Y: np.ndarray, y: np.ndarray, m: int, *, below: float = np.inf
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (at most) m differently-labelled pairs i < j with the smallest ||Y_i - Y_j||^2, among those < below.

    Returns (I, J, values) sorted by value; exact up to float64 rounding of the squared distances.
    """
    N = Y.shape[0]
    sq = (Y * Y).sum(axis=1)
    best_v = np.empty(0)
    best_i = np.empty(0, dtype=np.int64)
    best_j = np.empty(0, dtype=np.int64)
    for s, e in _blocks(N):
        d2 = sq[s:e, None] + sq[None, :] - 2.0 * (Y[s:e] @ Y.T)
        np.maximum(d2, 0.0, out=d2)
        rows = np.arange(s, e)[:, None]
        d2[(y[s:e, None] == y[None, :]) | (np.arange(N)[None, :] <= rows)] = np.inf
        flat = d2.ravel()
        keep = np.flatnonzero(flat < below)
        if keep.size > m:
            keep = keep[np.argpartition(flat[keep], m - 1)[:m]]
        ii, jj = np.unravel_index(keep, d2.shape)
        best_v = np.concatenate([best_v, flat[keep]])
        best_i = np.concatenate([best_i, ii + s])
        best_j = np.concatenate([best_j, jj])
        if best_v.size > m:
            sel = np.argpartition(best_v, m - 1)[:m]
            best_v, best_i, best_j = best_v[sel], best_i[sel], best_j[sel]
    order = np.argsort(best_v, kind="stable")
    return best_i[order], best_j[order], best_v[order]


def closest_cross_pairs(dataset: Any, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The m closest (l_2) differently-labelled pairs (i, j), i < j, with their squared distances, sorted."""
    X, y = _arrays(dataset)
    m = integer_at_least(m, "m", 1)
    return cross_pairs_below(X, y, m)


@dataclass(frozen=True, eq=False)
class FantopeSolution:
    """The relaxation solved on a pair subset (float64; no claim).

    k : the rank.  I, J : the pairs of the last subset.  lam : their dual weights (>= 0, sum 1).
    value : the solver's optimum t* = max_{P in F_k} min_subset <z z^T, P>.  P : the relaxed optimum (d x d).
    all_pairs_min : min over ALL differently-labelled pairs of <z z^T, P> (a feasible value of the full
        relaxation: U_k(all pairs) lies in [all_pairs_min, value]).
    rounds : constraint-generation rounds; seconds : wall time; solver : the cvxpy solver used.
    """

    k: int
    I: np.ndarray
    J: np.ndarray
    lam: np.ndarray
    value: float
    P: np.ndarray
    all_pairs_min: float
    rounds: int
    seconds: float
    solver: str

    def top_subspace(self, r: int) -> np.ndarray:
        """The r x d matrix of the top-r eigenvectors of P* (orthonormal rows): a start for the upper side."""
        _vals, vecs = np.linalg.eigh(self.P)
        return np.ascontiguousarray(vecs[:, ::-1][:, :r].T)


def _solve_subset(Z: np.ndarray, k: int, solver: str) -> tuple[float, np.ndarray, np.ndarray]:
    cp = require("cvxpy", feature="the Fantope relaxation (width lower bound)")

    m, d = Z.shape
    A = np.einsum("mi,mj->mij", Z, Z).reshape(m, d * d)
    scale = float(np.abs(A).max()) or 1.0  # the constraints in units of the largest entry (conditioning)
    P = cp.Variable((d, d), symmetric=True)
    t = cp.Variable()
    cons = [P >> 0, np.eye(d) - P >> 0, cp.trace(P) == k, (A / scale) @ cp.vec(P, order="C") >= t]
    prob = cp.Problem(cp.Maximize(t), cons)
    try:
        with warnings.catch_warnings():  # "solution may be inaccurate": the status is checked below
            warnings.simplefilter("ignore", UserWarning)
            prob.solve(solver=solver, **({"max_iters": SCS_MAX_ITERS} if solver == "SCS" else {}))
    except cp.error.SolverError as exc:
        raise HypothesisError(f"the SDP solver {solver} failed on the Fantope relaxation (k = {k}): {exc}") from exc
    if prob.status not in ("optimal", "optimal_inaccurate") or P.value is None or cons[3].dual_value is None:
        raise HypothesisError(f"the SDP solver {solver} returned status {prob.status!r} (k = {k})")
    lam = np.maximum(np.asarray(cons[3].dual_value, dtype=np.float64).reshape(-1), 0.0)
    if lam.sum() <= 0:
        raise HypothesisError(f"the SDP solver {solver} returned zero dual weights (k = {k})")
    lam /= lam.sum()
    Pv = np.asarray(P.value, dtype=np.float64)
    return float(np.asarray(t.value)) * scale, lam, (Pv + Pv.T) / 2.0


def fantope_relaxation(
    dataset: Any,
    k: int,
    *,
    initial_pairs: int = 200,
    add_pairs: int = 200,
    max_rounds: int = 8,
    time_budget: float = 45.0,
    solver: FantopeSolver = "SCS",
    progress: Callable[[str], None] | None = None,
) -> FantopeSolution:
    """Solve the Fantope relaxation of OPT_k with constraint generation from the closest pairs (float64).

    Round 1 uses the ``initial_pairs`` closest differently-labelled pairs; every further round keeps the pairs
    with positive dual weight or near-active (<z z^T, P*> <= KEEP_FACTOR t*) and adds the ``add_pairs`` pairs with the smallest <z z^T, P*> among those below
    (1 - VIOLATION_TOL) t* over ALL pairs.  Stops when none is violated, after ``max_rounds`` rounds, or when the
    next round would start after ``time_budget`` seconds.  Every round's lambda is a valid dual point (any subset
    gives an upper bound), so stopping early only loosens the bound; the last round's is returned.

    Parameters: k (1 <= k <= d), the pair counts, the round and time limits, the cvxpy solver, and a progress
    callback receiving one line per round.
    """
    X, y = _arrays(dataset)
    _N, d = X.shape
    k = integer_at_least(k, "k", 1)
    if k > d:
        raise InvalidArgumentError(f"k = {k} exceeds the dimension d = {d}")
    if solver not in ("CLARABEL", "SCS"):
        raise InvalidArgumentError(f"solver must be 'CLARABEL' or 'SCS', got {solver!r}")
    initial_pairs = integer_at_least(initial_pairs, "initial_pairs", 1)
    add_pairs = integer_at_least(add_pairs, "add_pairs", 1)
    max_rounds = integer_at_least(max_rounds, "max_rounds", 1)
    if len(np.unique(y)) < 2:
        raise InvalidArgumentError("the dataset has a single label: there are no differently-labelled pairs")
    t0 = time.perf_counter()
    I, J, _ = cross_pairs_below(X, y, initial_pairs)
    rounds = 0
    while True:
        rounds += 1
        value, lam, P = _solve_subset(X[I] - X[J], k, solver)
        vals, vecs = np.linalg.eigh(P)
        L = vecs * np.sqrt(np.clip(vals, 0.0, None))
        below = (1.0 - VIOLATION_TOL) * value
        vI, vJ, vv = cross_pairs_below(X @ L, y, add_pairs, below=below)
        allmin = float(vv[0]) if vv.size else min(value, float(cross_pairs_below(X @ L, y, 1)[2][0]))
        if progress is not None:
            progress(
                f"  k = {k} round {rounds}: {len(I)} pairs, relaxation {value:.6g}, all-pairs min {allmin:.6g}, "
                f"{vv.size} violated, {time.perf_counter() - t0:.1f} s"
            )
        if vv.size == 0 or rounds >= max_rounds or time.perf_counter() - t0 > time_budget:
            break
        Zs = (X[I] - X[J]) @ L
        keep = (lam > LAMBDA_DROP * lam.max()) | ((Zs * Zs).sum(axis=1) <= KEEP_FACTOR * value)
        pairs = {(int(a), int(b)) for a, b in zip(I[keep], J[keep])}
        pairs.update((int(a), int(b)) for a, b in zip(vI, vJ))
        ordered = sorted(pairs)
        I = np.array([a for a, _ in ordered], dtype=np.int64)
        J = np.array([b for _, b in ordered], dtype=np.int64)
    return FantopeSolution(k, I, J, lam, value, P, allmin, rounds, time.perf_counter() - t0, solver)
