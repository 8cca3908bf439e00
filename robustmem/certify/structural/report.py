"""What the structural certifier proved, block by block: :class:`StructuralCheck` and :class:`StructuralReport`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

from robustmem.errors import InvalidArgumentError
from robustmem.norms import p_name

__all__ = ["Arithmetic", "CheckMethod", "StructuralCheck", "StructuralReport"]

Arithmetic = Literal["float64", "exact"]
CheckMethod = Literal["exact rational", "conservative float64", "exact identity", "comparison"]
_METHODS = ("exact rational", "conservative float64", "exact identity", "comparison")


def _json(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return x


@dataclass(frozen=True)
class StructuralCheck:
    """One proof obligation: which block, what it states, how it was checked, the margin found.

    ``margin`` is in the natural unit of the statement (>= 0 when it holds; None when it has no size).
    """

    name: str
    block: str
    passed: bool
    proven: str
    method: CheckMethod
    margin: float | None = None
    detail: str = ""

    def __post_init__(self) -> None:
        if self.method not in _METHODS:
            raise InvalidArgumentError(f"check method must be one of {_METHODS}, got {self.method!r}")

    def line(self) -> str:
        mark = "ok  " if self.passed else "FAIL"
        m = "" if self.margin is None else f" (margin {self.margin:.3g})"
        d = f" -- {self.detail}" if self.detail else ""
        return f"  [{mark}] {self.block}: {self.name}{m} [{self.method}]{d}"


@dataclass(frozen=True)
class StructuralReport:
    """The structural certificate of one network on one dataset (see :func:`~robustmem.certify.certify_structural`).

    ``exact_network``: proven for the network of Definition 1 with its float64 weights read as exact rationals.
    ``float64_evaluation``: proven for float64 evaluation (every dot product rounded to nearest in any order,
    FMA allowed); None when ``arithmetic`` is "exact".  ``certified`` requires both (or the first alone when
    ``arithmetic`` is "exact"); then every x with ||x - x_i||_p <= sigma gives exactly y_i, for every i.
    ``radius_bound``: the largest sigma the geometric glue would allow with the proven template radii
    (informative; the template's ranges were proven for ``sigma`` only).
    """

    construction: str
    theorem: str
    p: float
    sigma: float
    n_points: int
    arithmetic: Arithmetic
    checks: tuple[StructuralCheck, ...]
    exact_network: bool
    float64_evaluation: bool | None
    n_certified: int
    n_failed: int
    failed_points: tuple[int, ...]
    radius_bound: float
    template_radii: tuple[float, float]
    seconds: float
    reason: str | None
    #: balls proven for the exact network alone, and for the float64 evaluation alone (None: not asked)
    n_exact: int = -1
    n_float64: int | None = None

    def __post_init__(self) -> None:
        if self.arithmetic not in ("float64", "exact"):
            raise InvalidArgumentError(f"arithmetic must be 'float64' or 'exact', got {self.arithmetic!r}")
        if self.n_certified + self.n_failed != self.n_points:
            raise InvalidArgumentError("inconsistent report: certified + failed points != points")
        if self.certified and (self.reason is not None or self.n_failed or not all(c.passed for c in self.checks)):
            raise InvalidArgumentError("inconsistent report: certified with a failure")
        if not self.certified and not self.reason:
            raise InvalidArgumentError("inconsistent report: not certified without a reason")

    @property
    def certified(self) -> bool:
        if self.arithmetic == "exact":
            return self.exact_network
        return self.exact_network and bool(self.float64_evaluation)

    @property
    def passed(self) -> bool:
        return self.certified

    @property
    def certified_radius(self) -> float:
        """sigma when certified, else 0.0."""
        return self.sigma if self.certified else 0.0

    def counts_text(self) -> str:
        """'<n>/<N> balls (exact network <a>/<N>, float64 evaluation <b>/<N>)': the two proofs counted apart, so that
        "exact proven, float64 not" never reads as a bare 0/N."""
        N = self.n_points
        if self.n_certified == N:
            return f"{N}/{N} balls certified"
        parts = [f"exact network {self.n_exact}/{N}"] if self.n_exact >= 0 else []
        if self.n_float64 is not None:
            parts.append(f"float64 evaluation {self.n_float64}/{N}")
        return f"{self.n_certified}/{N} balls certified" + (f" ({', '.join(parts)})" if parts else "")

    def failed_checks(self) -> tuple[StructuralCheck, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["checks"] = [{k: _json(v) for k, v in c.items()} for c in d["checks"]]
        d["certified"] = self.certified
        return {k: _json(v) for k, v in d.items()}

    def summary(self) -> str:
        verdict = "CERTIFIED" if self.certified else "NOT CERTIFIED"
        head = (
            f"structural certificate ({self.construction}, {self.theorem}): {verdict} at l_{p_name(self.p)} radius "
            f"sigma = {self.sigma:.6g}; {self.counts_text()}; exact network "
            f"{'proven' if self.exact_network else 'not proven'}, float64 evaluation "
            f"{'-' if self.float64_evaluation is None else ('proven' if self.float64_evaluation else 'not proven')}"
            f" ({self.seconds:.1f} s)"
        )
        lines = [head] + [c.line() for c in self.checks]
        lines.append(
            f"  template radii: R_in = {self.template_radii[0]:.6g}, R_out = {self.template_radii[1]:.6g};"
            f" geometry allows sigma up to {self.radius_bound:.6g}"
        )
        if self.reason:
            lines.append(f"  reason: {self.reason}")
        return "\n".join(lines)
