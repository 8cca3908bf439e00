r"""What width does this dataset need?  A certified sandwich lower < needed width <= upper (issue 14).

* Lower side: the largest k whose Fantope certificate (:mod:`~robustmem.lower_bound.width_certificate`,
  exact) excludes sigma -- no network of width <= k (sigma, p)-robustly memorizes D (Theorem 17).
* Upper side: the smallest width w in [7, d + 5] at which the log-width construction (Theorem 7 through a
  projection of rank w - 6, :func:`robustmem.construct.construct_log_width`) builds a network with a
  certificate at sigma.

The relaxation's value U_k = min_lambda KyFan_k(S(lambda)) is non-decreasing in k (S is positive
semidefinite, so KyFan_k(S) <= KyFan_{k+1}(S) for every lambda), so the lower side is found by bisection on the float relaxation values and then
certified exactly at the chosen k (stepping down if the rounded certificate misses sigma).  The upper side is
found by bisection too; the construction's certified radius need not be monotone in w (the projection is a
heuristic), so the reported width is one that was built and certified, not necessarily the smallest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.fantope import FantopeSolution, FantopeSolver, fantope_relaxation
from robustmem.lower_bound.width_certificate import WidthLowerBound, p_text, width_lower_certificate
from robustmem.norms import c_minus, check_p

__all__ = ["WidthSandwich", "WidthSearch", "width_sandwich"]


@dataclass
class WidthSearch:
    """Caches the relaxations (per k) and constructions (per width) of one dataset, for several radii.

    The cache makes ``--table`` over a grid of radii cost one relaxation per k visited and one construction
    per (width, radius) visited.
    """

    dataset: Any
    p: float = 2.0
    solver: FantopeSolver = "SCS"
    time_budget: float = 45.0
    projection: Any = "auto"
    progress: Callable[[str], None] | None = None
    relaxations: dict[int, FantopeSolution] = field(default_factory=dict)
    certificates: dict[int, WidthLowerBound] = field(default_factory=dict)
    upper_sigma: dict[int, float] = field(default_factory=dict)  # width -> largest certified sigma seen
    projections: dict[int, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.p = check_p(self.p)
        p_text(self.p)
        self.d = int(self.dataset.d)
        self.delta = float(self.dataset.separation(2.0).delta)

    def _say(self, msg: str) -> None:
        if self.progress is not None:
            self.progress(msg)

    def relaxation(self, k: int) -> FantopeSolution:
        if k not in self.relaxations:
            self._say(f"lower side: Fantope relaxation at k = {k}")
            self.relaxations[k] = fantope_relaxation(self.dataset, k, solver=self.solver, time_budget=self.time_budget)
        return self.relaxations[k]

    def relaxed_sigma(self, k: int) -> float:
        """The float radius above which the relaxation at k excludes width <= k (not a claim)."""
        return math.sqrt(max(self.relaxation(k).value, 0.0)) / (2.0 * c_minus(self.p, self.d))

    def certificate(self, k: int) -> WidthLowerBound:
        if k not in self.certificates:
            self.certificates[k] = width_lower_certificate(self.dataset, k, p=self.p, solution=self.relaxation(k))
            self._say(f"lower side: k = {k} certified, sigma/delta >= {self.certificates[k].sigma_over_delta:.4f}")
        return self.certificates[k]

    def lower(self, sigma: float) -> WidthLowerBound | None:
        """The certificate of the largest k in [1, d] that excludes sigma (None when even k = 1 does not)."""
        lo, hi = 0, self.d  # invariant: relaxed_sigma(lo) <= sigma (lo = 0: vacuous), answer <= hi
        if self.relaxed_sigma(1) > sigma:
            return None
        lo = 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.relaxed_sigma(mid) <= sigma:
                lo = mid
            else:
                hi = mid - 1
        for k in range(lo, 0, -1):
            cert = self.certificate(k)
            if cert.excludes(sigma):
                return cert
        return None

    def build(self, width: int, sigma: float) -> Any:
        """construct_log_width at (width, sigma) with the search's projection; HypothesisError if not certified."""
        from robustmem.construct import construct_log_width

        P = self.projection_for(width)
        return construct_log_width(self.dataset, p=self.p, width=width, sigma=sigma, projection=P)

    def projection_for(self, width: int) -> np.ndarray:
        from robustmem.construct.log_width import choose_projection

        if width not in self.projections:
            self._say(f"upper side: projection of rank {width - 6} ({self.projection})")
            self.projections[width] = choose_projection(self.dataset, width - 6, strategy=self.projection)
        return self.projections[width]

    def certified_sigma(self, width: int) -> float:
        """The largest radius the construction at this width certifies (0.99 of tau / (2 ||P|| c+))."""
        from robustmem.construct import construct_log_width

        if width not in self.upper_sigma:
            c = construct_log_width(self.dataset, p=self.p, width=width, projection=self.projection_for(width))
            self.upper_sigma[width] = float(c.certificate.sigma)
        return self.upper_sigma[width]

    def upper(self, sigma: float) -> tuple[int, Any] | None:
        """(width, construction) certified at sigma, by bisection over [7, d + 5]; None when d + 5 fails."""
        lo, hi = 7, self.d + 5
        if self.certified_sigma(hi) < sigma:
            return None
        while lo < hi:
            mid = (lo + hi) // 2
            if self.certified_sigma(mid) >= sigma:
                hi = mid
            else:
                lo = mid + 1
        for w in range(lo, self.d + 6):
            try:
                return w, self.build(w, sigma)
            except HypothesisError:
                continue
        return None


@dataclass(frozen=True, eq=False)
class WidthSandwich:
    """lower < (the width D needs at sigma) <= upper.

    lower : no network of width <= lower (sigma, p)-robustly memorizes D (0 when nothing is proved);
    certificate : its verified :class:`WidthLowerBound` (None when lower = 0).  upper : a width at which a
    network was built and certified at sigma (None when the log-width construction fails up to d + 5);
    construction : that network and its certificate.  seconds : wall time.
    """

    sigma: float
    sigma_over_delta: float
    p: float
    lower: int
    certificate: WidthLowerBound | None
    upper: int | None
    construction: Any
    seconds: float

    @property
    def gap(self) -> int | None:
        return None if self.upper is None else self.upper - self.lower


def width_sandwich(
    dataset: Any,
    *,
    p: float = 2.0,
    sigma: float | None = None,
    sigma_over_delta: float | None = None,
    search: WidthSearch | None = None,
    progress: Callable[[str], None] | None = None,
) -> WidthSandwich:
    """The certified sandwich for one radius: no network of width <= lower works, width upper is built.

    Guarantee: ``certificate`` (when lower >= 1) passed the exact verifier at sigma, and ``construction``
    carries the log-width construction's certificate at sigma (width ``upper``).  Give exactly one of sigma and
    sigma_over_delta (delta = the l_2 separation).  Pass a :class:`WidthSearch` to reuse work across radii.
    """
    t0 = time.perf_counter()
    if search is None:
        search = WidthSearch(dataset, p=p, progress=progress)
    elif search.dataset is not dataset or search.p != check_p(p):
        raise InvalidArgumentError("the WidthSearch was made for another dataset or p")
    if (sigma is None) == (sigma_over_delta is None):
        raise InvalidArgumentError("give exactly one of sigma= and sigma_over_delta=")
    if sigma is None:
        assert sigma_over_delta is not None
        sigma = float(sigma_over_delta) * search.delta
    if not (math.isfinite(sigma) and sigma > 0):
        raise InvalidArgumentError(f"sigma must be a finite positive number, got {sigma!r}")
    cert = search.lower(sigma)
    up = search.upper(sigma)
    return WidthSandwich(
        sigma,
        sigma / search.delta,
        search.p,
        0 if cert is None else cert.k,
        cert,
        None if up is None else up[0],
        None if up is None else up[1],
        time.perf_counter() - t0,
    )
