"""The report of the generic certifiers (:func:`robustmem.certify.certify`): one verdict per ball, with evidence.

Per ball B_p(x_i, sigma) the report records a status, the bounds it rests on, the weaker "rounds to the
label" verdict, a reason, and (for 'refuted') a counterexample re-checked on the exact network:

* ``'certified'`` -- f(x) = y_i for every x in the closed ball.  For 'ibp' and 'crown' this is proved
  (lower = upper = y_i in outward-rounded float64, for the exact real network); for 'milp' it means the
  solver proved min f and max f within :data:`~robustmem.certify.milp.MILP_TOLERANCE` of y_i (complete,
  but only as exact as the solver's floating-point tolerances), or the rigorous bounds already proved it.
* ``'refuted'`` -- a point a of the closed ball (membership decided exactly) with f(a) != y_i for the exact
  network; listed in ``counterexamples``.
* ``'unknown'`` -- neither (bounds too loose, solver time limit, or an unconfirmed solver witness).

``round_certified[i]`` is the weaker statement |f(x) - y_i| < 1/2 on the whole ball (so round(f) = y_i),
from the same bounds: lower > y_i - 1/2 and upper < y_i + 1/2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, get_args

from robustmem.errors import InvalidArgumentError
from robustmem.norms import p_name

__all__ = ["CertCounterexample", "CertifyMethod", "CertifyReport", "Status"]

Status = Literal["certified", "refuted", "unknown"]
CertifyMethod = Literal["ibp", "crown", "milp"]


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise InvalidArgumentError(f"inconsistent certify report: {what}")


def _jf(x: float) -> float | str:
    x = float(x)
    return x if math.isfinite(x) else str(x)


@dataclass(frozen=True)
class CertCounterexample:
    """A point of the closed ball around training point ``index`` where the exact network misses the label.

    ``inside_exact`` (exact membership of the closed ball) is always True and ``exact_output != label``:
    the report refuses anything else.  ``output`` is the float64 evaluation, ``found_by`` the source
    ('milp' for a solver witness, 'centre' for the training point itself).
    """

    index: int
    point: tuple[float, ...]
    label: int
    output: float
    exact_output: Fraction
    distance: float
    inside_exact: bool
    found_by: Literal["milp", "centre"]

    def __post_init__(self) -> None:
        _check(self.inside_exact, f"counterexample of ball {self.index} is not inside the closed ball")
        _check(self.exact_output != self.label, f"counterexample of ball {self.index} outputs its label exactly")

    def to_dict(self) -> dict[str, Any]:
        q = self.exact_output
        return {
            "index": self.index,
            "point": list(self.point),
            "label": self.label,
            "output": _jf(self.output),
            "exact_output": str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}",
            "exact_output_float": _jf(float(q)),
            "distance": _jf(self.distance),
            "inside_exact": self.inside_exact,
            "found_by": self.found_by,
        }


@dataclass(frozen=True)
class CertifyReport:
    """Verdicts of one certifier on the balls B_p(x_i, sigma), i in ``indices`` (see the module docstring).

    ``lower[k] <= f <= upper[k]`` on ball ``indices[k]``: rigorous for 'ibp'/'crown'; for 'milp' the solver's
    proven bounds on min f and max f (or the rigorous bounds when they already certified the ball, or
    -inf/+inf when the solver stopped without one).  ``settings`` lists the options used (window, time
    limit, tolerance, ...); ``guarantee`` states what 'certified' means for this method.
    """

    method: CertifyMethod
    p: float
    sigma: float
    n_points_total: int
    indices: tuple[int, ...]
    labels: tuple[int, ...]
    status: tuple[Status, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    round_certified: tuple[bool, ...]
    reasons: tuple[str, ...]
    counterexamples: tuple[CertCounterexample, ...]
    seconds: float
    guarantee: str
    settings: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        _check(self.method in get_args(CertifyMethod), f"unknown method {self.method!r}")
        n = len(self.indices)
        _check(n >= 1, "no ball was checked")
        for name in ("labels", "status", "lower", "upper", "round_certified", "reasons"):
            _check(len(getattr(self, name)) == n, f"{name} has {len(getattr(self, name))} entries for {n} balls")
        _check(
            len(set(self.indices)) == n and all(0 <= i < self.n_points_total for i in self.indices),
            f"indices {self.indices[:5]}... are not distinct indices below {self.n_points_total}",
        )
        refuted = {c.index for c in self.counterexamples}
        for i, y, s, lo, hi, r in zip(
            self.indices, self.labels, self.status, self.lower, self.upper, self.round_certified
        ):
            _check(s in get_args(Status), f"ball {i}: unknown status {s!r}")
            _check(not (lo > hi), f"ball {i}: lower {lo!r} > upper {hi!r}")
            _check(
                (s == "refuted") == (i in refuted), f"ball {i}: status {s!r} but counterexample listed: {i in refuted}"
            )
            if r:
                _check(
                    lo > y - 0.5 and hi < y + 0.5, f"ball {i}: round_certified with bounds [{lo!r}, {hi!r}], label {y}"
                )
            if s == "certified":
                _check(r, f"ball {i}: certified but not round_certified")
                if self.method != "milp":
                    _check(lo >= y and hi <= y, f"ball {i}: certified with bounds [{lo!r}, {hi!r}] != label {y}")
        for c in self.counterexamples:
            _check(c.index in self.indices, f"counterexample for ball {c.index}, which was not checked")

    @property
    def n_checked(self) -> int:
        return len(self.indices)

    @property
    def n_certified(self) -> int:
        return self.status.count("certified")

    @property
    def n_refuted(self) -> int:
        return self.status.count("refuted")

    @property
    def n_unknown(self) -> int:
        return self.status.count("unknown")

    @property
    def n_round_certified(self) -> int:
        return sum(self.round_certified)

    @property
    def all_certified(self) -> bool:
        """True iff every checked ball is 'certified'."""
        return self.n_certified == self.n_checked

    def certified_indices(self) -> tuple[int, ...]:
        return tuple(i for i, s in zip(self.indices, self.status) if s == "certified")

    def status_of(self, index: int) -> Status:
        """The status of the ball around training point ``index``; KeyError if it was not checked."""
        try:
            return self.status[self.indices.index(index)]
        except ValueError:
            raise KeyError(f"ball {index} was not checked (checked: {self.indices[:10]}...)") from None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field plus the counts."""
        return {
            "kind": "certify",
            "method": self.method,
            "p": p_name(self.p),
            "sigma": self.sigma,
            "n_points_total": self.n_points_total,
            "n_checked": self.n_checked,
            "n_certified": self.n_certified,
            "n_refuted": self.n_refuted,
            "n_unknown": self.n_unknown,
            "n_round_certified": self.n_round_certified,
            "all_certified": self.all_certified,
            "indices": list(self.indices),
            "labels": list(self.labels),
            "status": list(self.status),
            "lower": [_jf(v) for v in self.lower],
            "upper": [_jf(v) for v in self.upper],
            "round_certified": list(self.round_certified),
            "reasons": list(self.reasons),
            "counterexamples": [c.to_dict() for c in self.counterexamples],
            "seconds": self.seconds,
            "guarantee": self.guarantee,
            "settings": dict(self.settings),
        }

    def summary(self, *, max_lines: int = 10) -> str:
        """A few human-readable lines (for the CLI)."""
        head = (
            f"certify ({self.method}), l_{p_name(self.p)} balls of radius {self.sigma:.6g}: "
            f"{self.n_certified}/{self.n_checked} certified, {self.n_refuted} refuted, {self.n_unknown} unknown; "
            f"round(f) = y certified on {self.n_round_certified} ({self.seconds:.2f} s)"
        )
        lines = [head, f"  guarantee: {self.guarantee}"]
        shown = 0
        for i, y, s, lo, hi, why in zip(self.indices, self.labels, self.status, self.lower, self.upper, self.reasons):
            if s != "certified" and shown < max_lines:
                lines.append(f"  ball {i} (label {y}): {s}, f in [{lo:.6g}, {hi:.6g}]: {why}")
                shown += 1
        for c in self.counterexamples[:max_lines]:
            dev = float(c.exact_output - c.label)
            lines.append(
                f"  counterexample for ball {c.index}: exact f = {float(c.exact_output)!r} != {c.label} "
                f"(f - y = {dev:.3g}) at distance {c.distance:.6g} ({c.found_by})"
            )
        return "\n".join(lines)
