r"""Searching for a projection with a large certified radius (large tau).

The log-width construction (Thm 7 recipe) is certified up to sigma_max = tau / (2 c+_p(d)), where
tau(P) = min over differently-labelled pairs of ||P(x_i - x_j)||.  Thm 18 shows a Haar-random P is good with
positive probability; for a given dataset one can do better by searching:

* :func:`best_of_random`: the best of m independent Haar draws.
* :func:`optimize_projection`: Riemannian gradient ascent of a soft minimum of the squared projected
  distances, on the Grassmannian of k-planes (tau depends on P only through its row space), with a QR
  retraction; every iterate is evaluated exactly and the best one is returned.

Both return a :class:`SearchResult` whose ``report`` is the exact :func:`preservation_report` of the returned P.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from scipy.special import logsumexp

from robustmem.errors import InvalidArgumentError
from robustmem.projection.haar import _check_dims, check_projection, haar_projection
from robustmem.projection.pairs import CrossLabelSearch, PairBudgetExceeded, SearchStrategy
from robustmem.projection.preservation import PreservationReport, _dataset_arrays, preservation_report
from robustmem.validate import integer_at_least, positive_number

if TYPE_CHECKING:
    from robustmem.data import Dataset
    from robustmem.data.labelled import LabelledPoints

__all__ = ["SearchMethod", "SearchResult", "best_of_random", "optimize_projection", "pca_projection"]

SearchMethod = Literal["best_of_random", "grassmann_ascent"]

#: Step-size control of optimize_projection: multiply eta after an accepted / a rejected step.
STEP_GROWTH: float = 1.5
STEP_SHRINK: float = 0.5
StartLike = Literal["haar", "pca"] | np.ndarray


@dataclass(frozen=True)
class SearchResult:
    """A projection found by a search, with its exact report.

    P : k x d, orthonormal rows (read-only).  report : preservation_report(P, dataset, ...).
    method : "best_of_random" or "grassmann_ascent".
    history : best_of_random: tau of every draw, in order; grassmann_ascent: history[t] is the exact tau
        of the iterate after t steps (history[0]: the start; a rejected step repeats the value).
        report.tau == max(history).
    seed : the seed the search used.
    """

    P: np.ndarray
    report: PreservationReport
    method: SearchMethod
    history: tuple[float, ...]
    seed: int

    def __post_init__(self) -> None:
        if self.P.shape != (self.report.k, self.report.d):
            raise InvalidArgumentError(
                f"P has shape {self.P.shape}, the report is for k={self.report.k}, d={self.report.d}"
            )
        if not self.history:
            raise InvalidArgumentError("history must hold at least the starting tau")
        if self.report.tau != max(self.history):
            raise InvalidArgumentError(f"report.tau={self.report.tau} differs from max(history)={max(self.history)}")

    @property
    def start_tau(self) -> float:
        """tau of the first draw (best_of_random) or of the starting projection (grassmann_ascent)."""
        return self.history[0]


def _check_positive_int(name: str, value: int, minimum: int = 1) -> int:
    return integer_at_least(value, name, minimum)


def _check_positive_float(name: str, value: float) -> float:
    return positive_number(value, name)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


def _readonly(P: np.ndarray) -> np.ndarray:
    P = np.array(P, dtype=np.float64)
    P.setflags(write=False)
    return P


def pca_projection(dataset: LabelledPoints, k: int) -> np.ndarray:
    """The k x d matrix whose rows are the top-k principal directions of the centred data (orthonormal)."""
    X, _ = _dataset_arrays(dataset)
    d, k = _check_dims(X.shape[1], k)
    Xc = X - X.mean(axis=0)
    _, vecs = np.linalg.eigh(Xc.T @ Xc)
    P = np.ascontiguousarray(vecs[:, ::-1][:, :k].T)
    return check_projection(P, d)


def best_of_random(
    dataset: Dataset,
    k: int,
    *,
    m: int,
    seed: int,
    p: float = 2.0,
    sigma: float | None = None,
    method: SearchStrategy = "auto",
) -> SearchResult:
    """The Haar projection with the largest tau among m independent draws (Thm 18's random map, repeated).

    Guarantee: the returned P is the first of the m draws haar_projection(d, k, seed=rng), with
    rng = numpy.random.default_rng(seed), whose exact tau is maximal; history holds all m values of tau.

    >>> from robustmem.data import sphere_points
    >>> res = best_of_random(sphere_points(40, 5, n_classes=2, seed=0), 2, m=5, seed=0)
    >>> len(res.history), res.report.tau == max(res.history), res.P.shape
    (5, True, (2, 5))
    """
    X, y = _dataset_arrays(dataset)
    d, k = _check_dims(X.shape[1], k)
    m = _check_positive_int("m", m)
    seed = _check_seed(seed)
    rng = np.random.default_rng(seed)
    best_P, best_tau, history = None, -np.inf, []
    for _ in range(m):
        P = haar_projection(d, k, seed=rng)
        tau = CrossLabelSearch(X, y, P, method=method).minimum().value
        history.append(tau)
        if tau > best_tau:
            best_P, best_tau = P, tau
    assert best_P is not None
    report = preservation_report(best_P, dataset, p=p, sigma=sigma, method=method)
    return SearchResult(_readonly(best_P), report, "best_of_random", tuple(history), seed)


def _retract(M: np.ndarray) -> np.ndarray:
    """QR retraction onto matrices with orthonormal rows (sign-fixed so it is continuous at M = P)."""
    q, r = np.linalg.qr(M.T)
    s = np.sign(np.diag(r))
    s[s == 0] = 1.0
    return np.ascontiguousarray((q * s).T)


def _start(dataset: Dataset, d: int, k: int, start: StartLike, seed: int) -> np.ndarray:
    """The ascent's first P: a Haar draw from ``seed``, the top-k principal directions, or the given matrix."""
    if isinstance(start, str):
        if start == "haar":
            return np.array(haar_projection(d, k, seed=seed))
        if start == "pca":
            return np.array(pca_projection(dataset, k))
        raise InvalidArgumentError(f"start must be 'haar', 'pca' or a k x d matrix, got {start!r}")
    P = np.array(check_projection(start, d))
    if P.shape[0] != k:
        raise InvalidArgumentError(f"start has {P.shape[0]} rows but k={k}")
    return P


@dataclass(frozen=True, eq=False)
class _ActiveSet:
    """The exact tau of a projection and the differences z of its active pairs (centred data Xc)."""

    X: np.ndarray
    y: np.ndarray
    Xc: np.ndarray
    method: SearchStrategy
    margin: float
    max_active: int

    def __call__(self, P: np.ndarray) -> tuple[float, np.ndarray]:
        """(tau, Z): Z holds z = x_i - x_j for the pairs with ||P z|| <= (1 + margin) tau, the margin halved
        until at most max_active pairs qualify."""
        search = CrossLabelSearch(self.X, self.y, P, method=self.method)
        tau = search.minimum().value
        mg = self.margin
        while True:
            try:  # below a margin of 1e-9 the pairs tie with tau: take them all, whatever their number
                I, J = search.pairs_within((1.0 + mg) * tau, max_pairs=self.max_active if mg > 1e-9 else None)
                break
            except PairBudgetExceeded:
                mg /= 2.0
        return tau, self.Xc[I] - self.Xc[J]


def _soft_min(P: np.ndarray, Z: np.ndarray, T: float, grad: bool) -> tuple[float, np.ndarray | None]:
    """F(P) = -T log sum exp(-||P z||^2 / T) over the rows z of Z and, with ``grad``, its Euclidean gradient."""
    A = Z @ P.T
    q = (A * A).sum(axis=1)
    F = -T * float(logsumexp(-q / T))
    if not grad:
        return F, None
    w = np.exp(-(q - q.min()) / T)
    used = w > 1e-16 * w.sum()  # the others change the gradient by less than a rounding error
    w = w[used] / w.sum()
    return F, 2.0 * (A[used] * w[:, None]).T @ Z[used]


def _ascend(
    P: np.ndarray, active: _ActiveSet, *, iterations: int, temperature: float, eta: float
) -> tuple[np.ndarray, list[float]]:
    """The ascent loop of :func:`optimize_projection`: (the iterate with the largest exact tau, the history)."""
    tau, Z = active(P)
    history = [tau]
    best_P, best_tau = P, tau
    for _ in range(iterations):
        if eta < 1e-9 or tau == 0.0:
            break
        T = temperature * tau * tau
        F, G = _soft_min(P, Z, T, True)
        assert G is not None
        G -= (G @ P.T) @ P
        norm = float(np.linalg.norm(G))
        if norm == 0.0:
            break
        cand = _retract(P + eta * G / norm)
        F_new, _ = _soft_min(cand, Z, T, False)
        if F_new <= F:
            eta *= STEP_SHRINK
            history.append(tau)
            continue
        eta *= STEP_GROWTH
        P = cand
        tau, Z = active(P)
        history.append(tau)
        if tau > best_tau:
            best_P, best_tau = P, tau
    return best_P, history


def optimize_projection(
    dataset: Dataset,
    k: int,
    *,
    seed: int,
    iterations: int = 100,
    start: StartLike = "haar",
    temperature: float = 0.05,
    margin: float = 0.5,
    step: float = 0.1,
    p: float = 2.0,
    sigma: float | None = None,
    method: SearchStrategy = "auto",
    max_active: int = 200_000,
) -> SearchResult:
    r"""Grassmannian gradient ascent of a soft-min of projected distances; returns the best exact iterate.

    Objective on the active set A (differently-labelled pairs with ||P z|| <= (1 + margin) tau, refreshed
    from the exact search at every accepted iterate):

        F(P) = -T log sum_{z in A} exp(-||P z||^2 / T),   T = temperature * tau^2,

    a smooth lower bound of min_A ||P z||^2 (within T log |A|).  Its Euclidean gradient is
    G = 2 sum_A w_z (P z) z^T with softmax weights w; the Riemannian gradient on the Grassmannian is
    G - G P^T P (F depends only on the row space).  A step P + eta G / ||G||_F is retracted by QR; eta grows
    by STEP_GROWTH = 1.5 after an accepted step (F increased) and shrinks by STEP_SHRINK = 0.5 after a
    rejected one; the loop stops after ``iterations`` steps, when eta < 1e-9, or when tau = 0 (the start
    maps a differently-labelled pair to one point; the soft-min has no scale).

    Guarantee: report.tau = max(history) >= history[0] = tau(start): the result is never worse than its
    start, and every value in history is an exact tau.

    Parameters
    ----------
    dataset, k : the data and the projected dimension (1 <= k <= d).
    seed : seeds the Haar start (start="haar").
    iterations : number of gradient steps (accepted or rejected).
    start : "haar" (a Haar draw from seed), "pca" (top-k principal directions), or a k x d matrix.
    temperature, margin, step : soft-min temperature (relative to tau^2), active-set margin, initial step.
    p, sigma, method : passed to :func:`preservation_report` for the returned P.
    max_active : largest active set; the margin is halved until the active set fits.

    >>> from robustmem.data import sphere_points
    >>> res = optimize_projection(sphere_points(40, 5, n_classes=2, seed=0), 2, seed=0, iterations=10)
    >>> res.method, len(res.history), res.report.tau >= res.history[0]
    ('grassmann_ascent', 11, True)
    """
    X, y = _dataset_arrays(dataset)
    d, k = _check_dims(X.shape[1], k)
    seed = _check_seed(seed)
    iterations = _check_positive_int("iterations", iterations, minimum=0)
    temperature = _check_positive_float("temperature", temperature)
    margin = _check_positive_float("margin", margin)
    eta = _check_positive_float("step", step)
    max_active = _check_positive_int("max_active", max_active)
    P = _start(dataset, d, k, start, seed)
    active = _ActiveSet(X, y, X - X.mean(axis=0), method, margin, max_active)
    best_P, history = _ascend(P, active, iterations=iterations, temperature=temperature, eta=eta)
    report = preservation_report(best_P, dataset, p=p, sigma=sigma, method=method)
    return SearchResult(_readonly(best_P), report, "grassmann_ascent", tuple(history), seed)
