r"""The preservation report of a projection P on a dataset: tau, the certified radius sigma_max, and eps.

Notation (Egosi, Yehudai, Shamir 2025; Definitions 12 and 15, Theorems 16 and 18):

=================  =========================================================================================
paper              here
=================  =========================================================================================
P (k' x d)         ``P``: orthonormal rows, the first map of the Thm 7 construction
tau                ``tau`` = min over y_i != y_j of ||P(x_i - x_j)||_2
delta              ``delta`` = min over y_i != y_j of ||x_i - x_j||_2 (the dataset's l2 separation)
c+_p(d)            ``c_plus``; sigma' = c+_p(d) sigma (B_p(x, sigma) lies in B_2(x, sigma'))
eps (Def. 12/18)   ``eps`` = largest e with ||P(a - a')|| >= e ||a - a'|| for a in B_2(x_i, sigma'),
                   a' in B_2(x_j, sigma'), y_i != y_j
=================  =========================================================================================

Certified radius.  ||P||_2 = 1 (orthonormal rows), so P maps B_p(x_i, sigma) into B_2(P x_i, c+ sigma).  The
projected closed balls of two differently-labelled points are disjoint iff ||P(x_i - x_j)|| > 2 c+ sigma,
so all of them are disjoint iff sigma < sigma_max := tau / (2 c+_p(d)).  sigma_max is a supremum: at
sigma = sigma_max the balls of the tau pair touch.  This is what the Thm 7 recipe needs (tau > 2 sigma');
to stay conservative the report divides by max(1, ||P||_2) computed from P.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from robustmem.bounds import theorem18_epsilon
from robustmem.errors import InvalidArgumentError
from robustmem.norms import c_plus as _c_plus
from robustmem.norms import check_p
from robustmem.projection._numerics import projected_distance_slack
from robustmem.projection.epsilon import min_pair_preservation
from robustmem.projection.haar import check_projection
from robustmem.projection.pairs import CrossLabelSearch, SearchStrategy
from robustmem.validate import nonnegative_number

if TYPE_CHECKING:
    from robustmem.data import Dataset
    from robustmem.data.labelled import LabelledPoints

__all__ = ["PreservationReport", "preservation_report", "tau_of"]


@dataclass(frozen=True)
class PreservationReport:
    """What P does to a dataset's differently-labelled pairs.  All values are exact minima over *all*
    differently-labelled pairs of float64 evaluations (see :mod:`robustmem.projection.pairs`).

    Fields
    ------
    n_points, d, k, p, c_plus : N, input dimension, projected dimension, the norm, c+_p(d).
    tau, tau_pair : min ||P(x_i - x_j)||_2 over y_i != y_j and a pair (i < j) attaining it.
    delta : the dataset's l2 separation.
    operator_norm : ||P||_2 as computed (1 up to rounding).
    sigma_max : tau / (2 c+ max(1, operator_norm)); the projected l2 balls of radius c+ sigma around
        differently-labelled points are disjoint for every sigma < sigma_max (supremum, not attained).
    sigma_max_over_delta : sigma_max / delta (the certified radius relative to the separation; at most
        1 / (2 c+), Remark 4).
    sigma, sigma_prime : the radius asked about (None if none) and c+ sigma.
    eps, eps_pair : the exact Def. 12 / Thm 18 preservation constant at sigma' and a pair attaining it.
        eps > 0 iff sigma < sigma_max (for k < d).
    balls_disjoint : sigma < sigma_max.
    eps_theorem18 : (1/2) sqrt(k/(d e)) N^(-2/k), the constant of Thm 18 for this N, d, k
        (robustmem.bounds.theorem18_epsilon).
    theorem18_hypothesis : 2 sigma' / delta <= eps_theorem18 (Thm 18's radius condition holds).
    preserves_theorem18 : eps >= eps_theorem18: P attains Thm 18's conclusion at this sigma.
    theorem16_condition : eps > 2 sigma' / delta: M = P / eps (sigma', k)-preserves D (Def. 12) and
        ||M||_2 = 1 / eps < delta / (2 sigma'), the norm condition of Thm 16.
    tau_strategy, tau_candidates, eps_strategy, eps_candidates : how the minima were found and how many
        pairs were evaluated precisely.
    rounding_bound : a bound on the floating-point error of the reported tau.
    """

    n_points: int
    d: int
    k: int
    p: float
    c_plus: float
    tau: float
    tau_pair: tuple[int, int]
    delta: float
    operator_norm: float
    sigma_max: float
    sigma_max_over_delta: float
    eps_theorem18: float
    tau_strategy: str
    tau_candidates: int
    rounding_bound: float
    sigma: float | None = None
    sigma_prime: float | None = None
    eps: float | None = None
    eps_pair: tuple[int, int] | None = None
    balls_disjoint: bool | None = None
    theorem18_hypothesis: bool | None = None
    preserves_theorem18: bool | None = None
    theorem16_condition: bool | None = None
    eps_strategy: str | None = None
    eps_candidates: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.k <= self.d:
            raise InvalidArgumentError(f"need 1 <= k <= d, got k={self.k}, d={self.d}")
        i, j = self.tau_pair
        if not 0 <= i < j < self.n_points:
            raise InvalidArgumentError(
                f"tau_pair {self.tau_pair} is not a pair i < j of indices below N={self.n_points}"
            )
        if not (self.tau >= 0 and self.delta > 0 and self.sigma_max >= 0):
            raise InvalidArgumentError(f"need tau >= 0, delta > 0: got tau={self.tau}, delta={self.delta}")
        expected = self.tau / (2.0 * self.c_plus * max(1.0, self.operator_norm))
        if self.sigma_max != expected:
            raise InvalidArgumentError(f"sigma_max={self.sigma_max} differs from tau/(2 c+ ||P||)={expected}")
        if (self.sigma is None) != (self.eps is None):
            raise InvalidArgumentError("sigma and eps must be given together")
        if self.eps is not None and not 0.0 <= self.eps <= 1.0:
            raise InvalidArgumentError(f"eps must lie in [0, 1], got {self.eps}")

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (for JSON results)."""
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def _dataset_arrays(dataset: LabelledPoints) -> tuple[np.ndarray, np.ndarray]:
    try:
        return np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y)
    except AttributeError:
        raise InvalidArgumentError(
            f"dataset must be a robustmem.data.Dataset (with X and y), got {type(dataset).__name__}"
        ) from None


def _check_sigma(sigma: float | None) -> float | None:
    return None if sigma is None else nonnegative_number(sigma, "sigma")


def _check_max_pairs(max_pairs: int | None, N: int) -> int:
    if max_pairs is None:
        return max(100_000, 50 * N)
    if isinstance(max_pairs, bool) or not isinstance(max_pairs, (int, np.integer)) or max_pairs < 1:
        raise InvalidArgumentError(f"max_pairs must be a positive integer, got {max_pairs!r}")
    return int(max_pairs)


def tau_of(P: np.ndarray, dataset: LabelledPoints, *, method: SearchStrategy = "auto") -> float:
    """tau = min over differently-labelled pairs of ||P(x_i - x_j)||_2 (exact; the search of pairs.py)."""
    X, y = _dataset_arrays(dataset)
    return CrossLabelSearch(X, y, P, method=method).minimum().value


def preservation_report(
    P: np.ndarray,
    dataset: Dataset,
    *,
    p: float,
    sigma: float | None = None,
    method: SearchStrategy = "auto",
    max_pairs: int | None = None,
) -> PreservationReport:
    """Exact preservation report of the projection P on ``dataset`` (Def. 12, Thms 16, 18; Thm 7 recipe).

    Guarantees: ``tau`` is the minimum over all differently-labelled pairs of the float64 value
    ||fl(fl(x_i - x_j) P^T)||_2 (no sampling, no approximation in the search); ``sigma_max`` =
    tau / (2 c+_p(d) max(1, ||P||_2)) is the supremum of the radii sigma for which the l2 balls of radius
    c+_p(d) sigma around the projected points are disjoint across labels; if ``sigma`` is given, ``eps`` is
    the exact minimum over differently-labelled pairs of the cap closed form of
    :mod:`robustmem.projection.cap` with ball radius 2 c+_p(d) sigma.

    Parameters
    ----------
    P : k x d matrix with orthonormal rows (checked).
    dataset : a robustmem.data.Dataset (X, y, separation()).
    p : the perturbation norm, in (0, inf].
    sigma : optional perturbation radius (>= 0) at which eps is computed.
    method : search strategy for the projected pairs ("auto", "kdtree", "blocked").
    max_pairs : candidate budget of the pruned eps search before it switches to the blocked scan
        (default max(10^5, 50 N)).

    >>> from robustmem.data import Dataset
    >>> ds = Dataset([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]], [1, 2, 1])
    >>> rep = preservation_report(np.array([[1.0, 0.0]]), ds, p=2.0, sigma=0.5)
    >>> rep.tau, rep.tau_pair, rep.sigma_max, rep.delta
    (3.0, (0, 1), 1.5, 4.242640687119285)
    >>> round(rep.eps, 6), rep.eps_pair   # (3 sqrt(24) - 4) / 25 at the pair z = (-3, -4)
    (0.427878, (0, 1))
    """
    p = check_p(p)
    sigma = _check_sigma(sigma)
    X, y = _dataset_arrays(dataset)
    P = check_projection(P, X.shape[1])
    k, d = P.shape
    N = X.shape[0]
    budget = _check_max_pairs(max_pairs, N)
    search = CrossLabelSearch(X, y, P, method=method)
    tau = search.minimum()
    delta = float(dataset.separation(q=2.0).delta)
    cp = _c_plus(p, d)
    opnorm = float(np.linalg.norm(P, 2))
    sigma_max = tau.value / (2.0 * cp * max(1.0, opnorm))
    fields: dict[str, Any] = dict(
        n_points=N,
        d=d,
        k=k,
        p=p,
        c_plus=cp,
        tau=tau.value,
        tau_pair=(tau.i, tau.j),
        delta=delta,
        operator_norm=opnorm,
        sigma_max=sigma_max,
        sigma_max_over_delta=sigma_max / delta,
        eps_theorem18=theorem18_epsilon(N, d, k),
        tau_strategy=tau.strategy,
        tau_candidates=tau.candidates,
        rounding_bound=projected_distance_slack(d, k, search.radius, tau.value),
    )
    if sigma is not None:
        sp = cp * sigma
        eps = min_pair_preservation(search, 2.0 * sp, tau, max_pairs=budget)
        fields.update(
            sigma=sigma,
            sigma_prime=sp,
            eps=eps.value,
            eps_pair=(eps.i, eps.j),
            balls_disjoint=sigma < sigma_max,
            theorem18_hypothesis=2.0 * sp / delta <= fields["eps_theorem18"],
            preserves_theorem18=eps.value >= fields["eps_theorem18"],
            theorem16_condition=eps.value > 2.0 * sp / delta,
            eps_strategy=eps.strategy,
            eps_candidates=eps.candidates,
        )
    return PreservationReport(**fields)
