"""The large-radius robust memorizer of Kim, Moon, Yun (NeurIPS 2025): project, then memorize.

Kim, Moon, Yun, "The Cost of Robustness: Tighter Bounds on Parameter Complexity for Robust
Memorization in ReLU Nets", NeurIPS 2025 (arXiv 2510.24643).  Notation: eps_D = delta / 2 (half the
l_2 separation), mu = sigma, rho = mu / eps_D = 2 sigma / delta.  Theorem 4.2(iii) (proved as
Theorem B.14, Appendix B.3): for rho in (1 / (5 sqrt d), 1) a network of width O~(rho^2 d), depth
O~(N) and O~(N d^2 rho^4) parameters rho-robustly memorizes D.  The proof splits five cases (we read
them in the paper's Appendix B.3; natural logarithms, as their Lemma B.22 shows):

====  =============================================  ===========================================================
case  condition                                      first map
====  =============================================  ===========================================================
I     rho >= 1/3                                     identity (Yu-Gao-Zhang's memorizer in R^d)
II    rho < 1/3, d < 600 ln N                        identity
III   rho < 1/3, N < 600 ln N <= d                   phi: R^d -> R^N onto span{x_i} (Proposition B.21)
IV    rho < 1/3, N >= d >= 600 ln N                  random projection, m = max(ceil(9 d rho^2), ceil(600 ln N),
                                                     ceil(10 ln d)), alpha = 1/5 (Proposition B.19)
V     rho < 1/3, d > N >= 600 ln N                   phi onto span{x_i}, then projection with
                                                     m = max(ceil(9 N rho^2), ceil(600 ln N))
====  =============================================  ===========================================================

Proposition B.19 / Lemma B.18 (a strengthened Johnson-Lindenstrauss lemma after Matousek, Lectures
on Discrete Geometry, Theorem 15.2.1): for 24 alpha^-2 ln N <= m <= d a random orthogonal projection
onto m dimensions is 1-Lipschitz and keeps (1 - alpha) beta ||x_i - x_j|| <= ||phi(x_i - x_j)||
<= (1 + alpha) beta ||x_i - x_j|| for all pairs with positive probability, beta >= sqrt(m / d) / 2
when m >= 10 ln d; with m >= 9 d rho^2 this gives eps_D' >= (4/5) beta eps_D >= (6/5) rho eps_D,
so the projected balls (same radius, the map is 1-Lipschitz) are apart at ratio 5/6.

What is built here (the deviations are stated in every certificate's notes):

* ``dimension="theorem"`` follows the case table with the paper's constants.  For every dataset
  that fits in memory the constants 600 ln N (>= 4000 once N >= 800) put it in cases I-III, so the
  random projection of cases IV-V is never used: the paper's projection only pays off beyond
  N ~ 5300 points in d >= 600 ln N dimensions.
* ``dimension="smallest"`` keeps the paper's map (span reduction, then a random orthogonal
  projection; ``draws`` Haar draws, the best kept) but takes the smallest m whose projection passes
  the exact check below; ``dimension=m`` uses that m.  Neither is the paper's constant: they show
  what the projection achieves on the given data.
* The memorizer in the image space is, by default, Yu-Gao-Zhang's width-O(m) l_2 network that the
  paper cites (their Lemma D.2 = Yu-Gao-Zhang Theorem B.6 with p = 2), built as in
  :mod:`robustmem.construct.yu2024_lp` (Theorem 37's chain with parallel Lemma 38 indicators,
  width 4m + 2 (4m + 1 when M = 1), depth O(N log)); ``memorizer="theorem16"`` uses the chain of Egosi-Yehudai-Shamir
  Theorem 16 instead (l_2 indicators coordinate after coordinate, width m + 6, depth O(N m log)).
* Whatever m, the network's correctness is checked, not assumed: both memorizers require the
  images of the balls (radius ||M|| c+_p(d) sigma, plus rounding) to be apart (HypothesisError
  otherwise).  Other p than 2 use B_p(x, sigma) in B_2(x, c+_p(d) sigma) (the paper's Appendix C
  has its own l_p constants, not used here).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import numpy as np

from robustmem.certificate import Construction
from robustmem.construct.common import check_two_classes, resolve_sigma
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.norms import c_plus, check_p, p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["KMY_ALPHA", "Kim2025Plan", "construct_kim2025", "kim2025_plan", "kim2025_span_map"]

KMY_ALPHA = 0.2  # alpha = 1/5 in Theorem B.14 cases IV and V
DimensionChoice = Literal["theorem", "smallest"]
Memorizer = Literal["yu2024", "theorem16"]


@dataclass(frozen=True)
class Kim2025Plan:
    """Which case of Theorem B.14 applies and the dimension of the image space.

    ``case`` in {"I", ..., "V"}; ``span`` whether the first step maps onto span{x_i} (Prop. B.21);
    ``m`` the random-projection dimension (None: no random projection); ``reason`` in words.
    """

    N: int
    d: int
    rho: float
    case: str
    span: bool
    m: int | None
    reason: str

    @property
    def necessary_width(self) -> float:
        """rho^2 min(N - 1, d): no first layer narrower than this works for every dataset (Prop. 3.2)."""
        return self.rho**2 * min(self.N - 1, self.d)


def kim2025_plan(N: int, d: int, rho: float) -> Kim2025Plan:
    """The case of Kim-Moon-Yun Theorem B.14 and its dimension m, with the paper's constants.

    >>> kim2025_plan(100, 64, 0.5).case, kim2025_plan(10**6, 10**5, 0.125).m
    ('I', 14063)
    """
    for name, v in (("N", N), ("d", d)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidArgumentError(f"{name} must be an integer >= 1, got {v!r}")
    if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 <= rho < 1:
        raise HypothesisError(f"robust memorization needs rho = 2 sigma / delta in [0, 1), got {rho!r}")
    N, d = int(N), int(d)
    big = 600.0 * math.log(N) if N >= 2 else 0.0
    if N < 2:
        return Kim2025Plan(N, d, rho, "II", False, None, "a single point: nothing to separate, no projection")
    if rho >= 1.0 / 3.0:
        return Kim2025Plan(N, d, rho, "I", False, None, f"rho = {rho:.4g} >= 1/3: Yu-Gao-Zhang in R^d")
    if d < big:
        return Kim2025Plan(N, d, rho, "II", False, None, f"d = {d} < 600 ln N = {big:.4g}: no projection")
    if big > N:
        return Kim2025Plan(N, d, rho, "III", True, None, f"N = {N} < 600 ln N = {big:.4g} <= d: onto span{{x_i}}")
    if d <= N:
        m = max(math.ceil(9 * d * Fraction(rho) ** 2), math.ceil(big), math.ceil(10 * math.log(d)))
        why = f"N >= d >= 600 ln N: m = max(9 d rho^2, 600 ln N, 10 ln d) = {m}"
        return Kim2025Plan(N, d, rho, "IV", False, m, why)
    m = max(math.ceil(9 * N * Fraction(rho) ** 2), math.ceil(big))
    return Kim2025Plan(N, d, rho, "V", True, m, f"d > N >= 600 ln N: span, then m = max(9 N rho^2, 600 ln N) = {m}")


def kim2025_span_map(X: np.ndarray) -> np.ndarray:
    """Proposition B.21: a matrix V^T (r x d) with orthonormal rows spanning span{x_i} (r = rank of X).

    1-Lipschitz and an isometry on span{x_i}, so all distances between data points are kept.
    (The paper pads the basis to N vectors; the rank-r basis is the same map with zero rows dropped.)
    """
    X = np.asarray(X, dtype=np.float64)
    _, S, Vt = np.linalg.svd(X, full_matrices=False)
    tol = S.max(initial=0.0) * max(X.shape) * np.finfo(np.float64).eps
    r = max(1, int((tol < S).sum()))
    return np.ascontiguousarray(Vt[:r])


def _projected(dataset: Dataset, V: np.ndarray | None, m: int, seed: int, draws: int) -> np.ndarray:
    """The best (largest image separation) of ``draws`` Haar projections onto m dimensions,
    composed with V; identity-like when m >= the current dimension."""
    from robustmem.construct.log_width import projected_margin
    from robustmem.projection import haar_projection

    base = np.eye(dataset.d) if V is None else V
    k = base.shape[0]
    if m >= k:
        return base
    best, best_tau = None, -math.inf
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        M = haar_projection(k, m, seed=rng) @ base
        try:
            tau = projected_margin(dataset, M).tau
        except HypothesisError:
            continue
        if tau > best_tau:
            best, best_tau = M, tau
    if best is None:
        raise HypothesisError(f"every one of {draws} projections onto {m} dimensions collapses two labels")
    return best


def construct_kim2025(
    dataset: Dataset,
    *,
    p: float = 2.0,
    sigma: float | None = None,
    sigma_over_delta: float | None = None,
    dimension: DimensionChoice | int = "theorem",
    seed: int = 0,
    draws: int = 8,
    memorizer: Memorizer = "yu2024",
) -> Construction:
    """Kim-Moon-Yun 2025, Theorem 4.2(iii) (Theorem B.14): project, then memorize in the image.

    Guarantee: the network outputs exactly y_i on every closed ball B_p(x_i, sigma).  Hypothesis:
    rho' = 2 c+_p(d) sigma / delta < 1 (HypothesisError otherwise), and the chosen map keeps the
    image balls apart (checked exactly by construct_through_map; HypothesisError otherwise).

    ``dimension``: "theorem" (the case table with the paper's constants, module docstring),
    "smallest" (the smallest m whose best-of-``draws`` projection passes the check), or an int m.

    ``memorizer``: the network in the image space.  "yu2024" (default, the paper's choice, their
    Lemma D.2): Yu-Gao-Zhang's width-O(m) l_2 memorizer
    (:func:`~robustmem.construct.yu2024_lp.yu2024_lp_through_map`, width 4m + 2); "theorem16": the
    Egosi-Yehudai-Shamir Theorem 16 chain (width m + 6, deeper by a factor about m).

    ``sigma`` (the radius in the input's units) or ``sigma_over_delta`` (a fraction of the l_2
    separation delta of Definition 2): exactly one.

    >>> from robustmem.data import sphere_points
    >>> ds = sphere_points(12, 6, n_classes=2, delta=0.5, seed=0)
    >>> net, cert = construct_kim2025(ds, sigma=0.1)
    >>> cert.theorem, net.width
    ('Kim, Moon, Yun 2025, Theorem 4.2(iii) (Theorem B.14, case II)', 26)
    >>> construct_kim2025(ds, sigma=0.1, memorizer="theorem16").network.width
    12
    """
    check_two_classes(dataset, "Kim-Moon-Yun Theorem 4.2(iii)")
    p, sigma = check_p(p), resolve_sigma(dataset, sigma, sigma_over_delta)
    through_map, deviation = _memorizer(memorizer)
    N, d = dataset.N, dataset.d
    delta = dataset.separation(2.0).delta
    rho = 2.0 * c_plus(p, d) * sigma / delta
    if not rho < 1.0:
        raise HypothesisError(
            f"Kim-Moon-Yun need rho = 2 c+_p(d) sigma / delta < 1 (p = {p_name(p)}, d = {d}); got rho = {rho:.6g}"
        )
    plan = kim2025_plan(N, d, rho)
    notes = (
        f"rho = 2 c+_p(d) sigma / delta = {rho:.6g}; necessary first-layer width rho^2 min(N - 1, d) = "
        f"{plan.necessary_width:.4g} (Proposition 3.2)",
    )
    run = _Memorize(dataset, through_map, p=p, sigma=sigma, notes=notes, deviation=deviation)
    if dimension == "theorem":
        return _theorem_case(run, plan, seed=seed, draws=draws)
    if dimension == "smallest" or (isinstance(dimension, (int, np.integer)) and not isinstance(dimension, bool)):
        return _chosen_dimension(run, plan, dimension, seed=seed, draws=draws)
    raise InvalidArgumentError(f"dimension must be 'theorem', 'smallest' or an integer, got {dimension!r}")


@dataclass(frozen=True)
class _Memorize:
    """The memorizer in the image space (a through-map constructor), the claim (p, sigma) and the notes."""

    dataset: Dataset
    through_map: Callable[..., Construction]
    p: float
    sigma: float
    notes: tuple[str, ...]
    deviation: tuple[str, ...]

    def __call__(self, M: np.ndarray, theorem: str, notes: tuple[str, ...] = ()) -> Construction:
        return self.through_map(
            self.dataset,
            M,
            p=self.p,
            sigma=self.sigma,
            theorem=theorem,
            construction="kim2025",
            notes=self.notes + notes + self.deviation,
        )


def _theorem_case(run: _Memorize, plan: Kim2025Plan, *, seed: int, draws: int) -> Construction:
    """The paper's case table: span reduction and/or random projection as ``plan`` says."""
    dataset = run.dataset
    V = kim2025_span_map(np.asarray(dataset.X, dtype=np.float64)) if plan.span else None
    if plan.m is not None:
        M = _projected(dataset, V, plan.m, seed, draws)
    else:
        M = np.eye(dataset.d) if V is None else V
    theorem = f"Kim, Moon, Yun 2025, Theorem 4.2(iii) (Theorem B.14, case {plan.case})"
    return run(M, theorem, (f"case {plan.case}: {plan.reason}",))


def _chosen_dimension(
    run: _Memorize, plan: Kim2025Plan, dimension: DimensionChoice | int, *, seed: int, draws: int
) -> Construction:
    """Span reduction, then the best of ``draws`` projections onto m dimensions: m = ``dimension``, or the
    smallest m = 1, 2, ... whose image balls the memorizer keeps apart."""
    dataset = run.dataset
    V = kim2025_span_map(np.asarray(dataset.X, dtype=np.float64))
    k = V.shape[0]
    candidates: Sequence[int]
    if dimension == "smallest":
        candidates = range(1, k + 1)
    else:
        if not 1 <= int(dimension) <= dataset.d:
            raise InvalidArgumentError(f"dimension must lie in [1, d = {dataset.d}], got {dimension!r}")
        candidates = [int(dimension)]
    why = (
        f"dimension {dimension!r} (not the paper's constant; the paper's case is {plan.case}: {plan.reason}); "
        f"span{{x_i}} has dimension {k}",
    )
    last = None
    for m in candidates:
        try:
            M = _projected(dataset, V, m, seed, draws)
            return run(M, f"Kim, Moon, Yun 2025, Theorem 4.2(iii) recipe, image dimension m = {M.shape[0]}", why)
        except HypothesisError as exc:
            if dimension != "smallest":
                raise
            last = exc
    raise HypothesisError(
        f"no image dimension m in 1..{k} keeps the balls of radius sigma = {run.sigma!r} apart "
        f"(best of {draws} projections each); at m = {k}: {last}"
    )


def _memorizer(name: str):
    """(the through-map constructor, the certificate note) for ``memorizer``."""
    if name == "yu2024":
        from robustmem.construct.yu2024_lp import yu2024_lp_through_map

        return yu2024_lp_through_map, (
            "memorizer in the image space: Yu-Gao-Zhang's l_2 network (Theorem B.6 shape, width 4m + 2), as cited by "
            "Kim-Moon-Yun (Lemma D.2)",
        )
    if name == "theorem16":
        from robustmem.construct.log_width import construct_through_map

        return construct_through_map, (
            "memorizer in the image space: the Egosi-Yehudai-Shamir Theorem 16 chain (width m + 6), not Yu-Gao-Zhang's "
            "network cited by Kim-Moon-Yun (Lemma D.2)",
        )
    raise InvalidArgumentError(f"memorizer must be 'yu2024' or 'theorem16', got {name!r}")
