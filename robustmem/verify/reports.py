"""Verification reports: frozen records of what was checked, how, and what was found.

A report is evidence, not a bool (docs/certification.md): it says how many points were checked,
by which method, with which arithmetic, and lists the failures it found (a capped listing next to
the full count).  Every report validates its own invariants when it is built, has a ``passed``
property, a JSON-able :meth:`to_dict` and a short multi-line :meth:`summary` for the CLI.

* :class:`FitReport` -- does f(x_i) = y_i hold exactly on the training points
  (:func:`robustmem.verify.verify_fit`)?
* :class:`FalsificationReport` -- did sampling and gradient attacks find a point a with
  ||a - x_i||_p <= sigma and f(a) != y_i (:func:`robustmem.verify.falsify`)?  One
  :class:`MethodStats` per method and one :class:`Counterexample` per listed failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, get_args

from robustmem.errors import InvalidArgumentError
from robustmem.norms import p_name

__all__ = [
    "BallSelection",
    "Counterexample",
    "FalsificationReport",
    "FalsifyMethod",
    "FitMode",
    "FitReport",
    "MethodStats",
]

FitMode = Literal["float64", "exact"]
FalsifyMethod = Literal["random", "boundary", "vertices", "pgd"]
BallSelection = Literal["all", "random", "given"]


def _json_float(x: float) -> float | str:
    """A float for JSON: inf and nan become the strings 'inf', '-inf', 'nan'."""
    x = float(x)
    return str(x) if not math.isfinite(x) else x


def _fraction_text(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _check(cond: bool, what: str) -> None:
    if not cond:
        raise InvalidArgumentError(f"inconsistent report: {what}")


@dataclass(frozen=True)
class FitReport:
    """Exact fit on the training points: f(x_i) == y_i with no tolerance.

    ``mode`` is the arithmetic used: 'float64' compares the float64 output of ``net(X)`` with the
    label; 'exact' compares the exact rational output of the network (its float64 weights read as
    rationals, :func:`~robustmem.network.exact.evaluate_exact`) with the label.
    ``wrong_indices`` / ``wrong_outputs`` / ``wrong_labels`` list the first ``len(wrong_indices)``
    failures in index order (at most the listing cap); :attr:`n_wrong` is the full count.
    ``max_abs_error`` is max_i |f(x_i) - y_i| (in exact mode the exact maximum rounded to float64).
    ``n_verified_float`` / ``n_fraction`` (exact mode only) say how many points the verified float
    pass settled and how many needed rational arithmetic.
    ``evaluation`` (exact mode): how the chain was evaluated -- "sparse: ..." (only the blocks not proven
    silent, :mod:`robustmem.certify.sparse`) or "full: <why>".
    """

    n_points: int
    mode: FitMode
    n_correct: int
    wrong_indices: tuple[int, ...]
    wrong_outputs: tuple[float, ...]
    wrong_labels: tuple[int, ...]
    max_abs_error: float
    seconds: float
    n_verified_float: int | None = None
    n_fraction: int | None = None
    evaluation: str | None = None

    def __post_init__(self) -> None:
        _check(self.mode in get_args(FitMode), f"mode {self.mode!r} is not one of {get_args(FitMode)}")
        _check(0 <= self.n_correct <= self.n_points, f"n_correct={self.n_correct} outside [0, {self.n_points}]")
        k = len(self.wrong_indices)
        _check(k <= self.n_wrong, f"{k} listed failures but only {self.n_wrong} wrong points")
        _check(k == len(self.wrong_outputs) == len(self.wrong_labels), "wrong_* listings differ in length")
        _check(self.n_wrong == 0 or k > 0, "wrong points exist but none is listed")
        _check(
            self.max_abs_error >= 0 and (self.n_wrong > 0 or self.max_abs_error == 0.0),
            f"max_abs_error={self.max_abs_error!r} is inconsistent with {self.n_wrong} wrong points",
        )
        exact_fields = (self.n_verified_float, self.n_fraction)
        if self.mode == "exact":
            _check(
                None not in exact_fields and sum(exact_fields) == self.n_points,  # type: ignore[arg-type]
                f"exact mode needs n_verified_float + n_fraction == {self.n_points}, got {exact_fields}",
            )
        else:
            _check(exact_fields == (None, None), "n_verified_float / n_fraction are for exact mode only")

    @property
    def n_wrong(self) -> int:
        """The full number of training points with f(x_i) != y_i."""
        return self.n_points - self.n_correct

    @property
    def passed(self) -> bool:
        """True iff f(x_i) == y_i for every point, in the report's arithmetic."""
        return self.n_correct == self.n_points

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict of every field, plus ``n_wrong`` and ``passed``."""
        return {
            "kind": "fit",
            "n_points": self.n_points,
            "mode": self.mode,
            "n_correct": self.n_correct,
            "n_wrong": self.n_wrong,
            "passed": self.passed,
            "wrong_indices": list(self.wrong_indices),
            "wrong_outputs": [_json_float(v) for v in self.wrong_outputs],
            "wrong_labels": list(self.wrong_labels),
            "max_abs_error": _json_float(self.max_abs_error),
            "n_verified_float": self.n_verified_float,
            "n_fraction": self.n_fraction,
            "seconds": self.seconds,
        }

    def summary(self) -> str:
        """A few human-readable lines (used by the CLI)."""
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"fit ({self.mode}, no tolerance): {verdict}: {self.n_correct}/{self.n_points} points output their label"
            f" exactly; max |f(x_i) - y_i| = {self.max_abs_error:.6g} ({self.seconds:.2f} s)"
        ]
        if self.mode == "exact":
            lines.append(
                f"  {self.n_verified_float} points settled by verified float64, {self.n_fraction} by Fractions"
            )
        for i, v, y in zip(self.wrong_indices, self.wrong_outputs, self.wrong_labels):
            lines.append(f"  point {i}: f = {v!r}, label {y}")
        if self.n_wrong > len(self.wrong_indices):
            lines.append(f"  ... and {self.n_wrong - len(self.wrong_indices)} more wrong points")
        return "\n".join(lines)


@dataclass(frozen=True)
class MethodStats:
    """What one falsification method did: points evaluated, failures found, extremes seen.

    ``max_abs_deviation`` is the largest |f(a) - y_i| over the method's evaluated points (0.0 is
    what a robust memorizer gives); ``max_distance`` the largest float64 ||a - x_i||_p among them
    (at most sigma; close to sigma shows that the method reached the boundary).
    """

    method: FalsifyMethod
    n_points: int
    n_counterexamples: int
    max_abs_deviation: float
    max_distance: float

    def __post_init__(self) -> None:
        _check(self.method in get_args(FalsifyMethod), f"unknown method {self.method!r}")
        _check(
            0 <= self.n_counterexamples <= self.n_points,
            f"{self.method}: counts {self.n_counterexamples} > {self.n_points}",
        )
        _check(self.max_abs_deviation >= 0 and self.max_distance >= 0, f"{self.method}: negative extreme")
        _check(
            (self.n_counterexamples > 0) == (self.max_abs_deviation > 0),
            f"{self.method}: max_abs_deviation={self.max_abs_deviation!r} with {self.n_counterexamples} failures",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "n_points": self.n_points,
            "n_counterexamples": self.n_counterexamples,
            "max_abs_deviation": _json_float(self.max_abs_deviation),
            "max_distance": _json_float(self.max_distance),
        }


@dataclass(frozen=True)
class Counterexample:
    """A point ``a`` of the ball around training point ``ball`` where the network misses the label.

    ``distance`` is the float64 ||a - x_ball||_p (checked <= sigma when the report is built);
    ``inside_exact`` is the exact-arithmetic verdict on ||a - x_ball||_p <= sigma (see
    :func:`robustmem.geometry.exact_in_ball`).  ``output`` is ``net(a)`` in float64;
    ``exact_output`` is the exact rational output of the network at ``a``.
    """

    ball: int
    method: FalsifyMethod
    point: tuple[float, ...]
    output: float
    label: int
    distance: float
    inside_exact: bool
    exact_output: Fraction

    @property
    def exact_confirmed(self) -> bool:
        """True iff the point is exactly inside the ball and the exact output differs from the label."""
        return self.inside_exact and self.exact_output != self.label

    def to_dict(self) -> dict[str, Any]:
        return {
            "ball": self.ball,
            "method": self.method,
            "point": [float(v) for v in self.point],
            "output": _json_float(self.output),
            "label": self.label,
            "distance": _json_float(self.distance),
            "inside_exact": self.inside_exact,
            "exact_output": _fraction_text(self.exact_output),
            "exact_output_float": _json_float(float(self.exact_output)),
            "exact_confirmed": self.exact_confirmed,
        }


@dataclass(frozen=True)
class FalsificationReport:
    """Outcome of searching the balls B_p(x_i, sigma) for points with f(a) != y_i.

    Guarantee: every point counted in ``methods`` satisfies ||a - x_i||_p <= sigma for the exact
    reals (proved in float64 before it was evaluated), and a counterexample is a point with
    ``net(a) != y_i`` exactly (no tolerance).  ``n_counterexamples`` is the full count over all
    methods; ``counterexamples`` lists at most the listing cap of them (the worst per ball and
    method), each re-checked in exact arithmetic (membership and output; a float64 counterexample
    whose exact output equals the label is a rounding artefact of the float64 evaluator, and
    ``exact_confirmed`` says so).  A passed report is evidence, not proof: only the evaluated
    points were checked.

    Ball selection: ``ball_selection`` is 'all' (every training point), 'random' (a uniformly random
    subset of size ``n_balls_attacked`` drawn with ``ball_seed``) or 'given' (indices supplied by the
    caller); ``ball_indices`` holds the attacked indices unless the selection is 'all'.
    """

    p: float
    sigma: float
    n_balls_total: int
    n_balls_attacked: int
    ball_selection: BallSelection
    ball_seed: int | None
    ball_indices: tuple[int, ...] | None
    seed: int
    methods: tuple[MethodStats, ...]
    n_counterexamples: int
    n_balls_broken: int
    counterexamples: tuple[Counterexample, ...]
    seconds: float

    def __post_init__(self) -> None:
        _check(self.sigma > 0 and math.isfinite(self.sigma), f"sigma={self.sigma!r} must be positive and finite")
        _check(self.ball_selection in get_args(BallSelection), f"unknown ball selection {self.ball_selection!r}")
        _check(
            0 < self.n_balls_attacked <= self.n_balls_total, f"{self.n_balls_attacked} of {self.n_balls_total} balls"
        )
        if self.ball_selection == "all":
            _check(self.ball_indices is None and self.n_balls_attacked == self.n_balls_total, "'all' lists no indices")
        else:
            _check(
                self.ball_indices is not None and len(self.ball_indices) == self.n_balls_attacked,
                "a subset selection must list its indices",
            )
        _check((self.ball_selection == "random") == (self.ball_seed is not None), "ball_seed is for 'random' only")
        names = [m.method for m in self.methods]
        _check(len(set(names)) == len(names), f"duplicate methods {names}")
        _check(
            self.n_counterexamples == sum(m.n_counterexamples for m in self.methods), "counterexample counts disagree"
        )
        _check(
            0 <= self.n_balls_broken <= min(self.n_balls_attacked, self.n_counterexamples),
            "n_balls_broken out of range",
        )
        _check((self.n_balls_broken > 0) == (self.n_counterexamples > 0), "broken balls without counterexamples")
        _check(len(self.counterexamples) <= self.n_counterexamples, "more listed counterexamples than counted")
        _check(self.n_counterexamples == 0 or bool(self.counterexamples), "counterexamples exist but none is listed")
        for c in self.counterexamples:
            _check(c.distance <= self.sigma, f"listed point of ball {c.ball} is at distance {c.distance!r} > sigma")
            _check(c.output != c.label, f"listed point of ball {c.ball} outputs its label {c.label}")
            _check(c.method in names, f"listed point found by {c.method!r}, a method that did not run")

    @property
    def passed(self) -> bool:
        """True iff no evaluated point of any attacked ball had f(a) != y_i."""
        return self.n_counterexamples == 0

    @property
    def n_points(self) -> int:
        """Total number of points evaluated, all methods together."""
        return sum(m.n_points for m in self.methods)

    @property
    def points_evaluated(self) -> dict[str, int]:
        """Points evaluated per method, e.g. {'random': 6400, 'pgd': 3100}."""
        return {m.method: m.n_points for m in self.methods}

    @property
    def max_abs_deviation(self) -> float:
        """The largest |f(a) - y_i| over every evaluated point (0.0 for a robust memorizer)."""
        return max((m.max_abs_deviation for m in self.methods), default=0.0)

    @property
    def n_exact_confirmed(self) -> int:
        """How many listed counterexamples exact arithmetic confirms (inside the ball, wrong output)."""
        return sum(c.exact_confirmed for c in self.counterexamples)

    def method(self, name: FalsifyMethod) -> MethodStats:
        """The stats of one method; raises KeyError naming the methods that ran."""
        for m in self.methods:
            if m.method == name:
                return m
        raise KeyError(f"method {name!r} did not run; ran {[m.method for m in self.methods]}")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (p = inf as the string 'inf')."""
        return {
            "kind": "falsification",
            "p": p_name(self.p),
            "sigma": self.sigma,
            "passed": self.passed,
            "n_balls_total": self.n_balls_total,
            "n_balls_attacked": self.n_balls_attacked,
            "ball_selection": self.ball_selection,
            "ball_seed": self.ball_seed,
            "ball_indices": None if self.ball_indices is None else list(self.ball_indices),
            "seed": self.seed,
            "n_points": self.n_points,
            "methods": [m.to_dict() for m in self.methods],
            "n_counterexamples": self.n_counterexamples,
            "n_balls_broken": self.n_balls_broken,
            "max_abs_deviation": _json_float(self.max_abs_deviation),
            "n_exact_confirmed": self.n_exact_confirmed,
            "counterexamples": [c.to_dict() for c in self.counterexamples],
            "seconds": self.seconds,
        }

    def summary(self) -> str:
        """A few human-readable lines (used by the CLI)."""
        verdict = "no counterexample found" if self.passed else f"{self.n_counterexamples} COUNTEREXAMPLES"
        which = "all" if self.ball_selection == "all" else f"{self.ball_selection} subset of"
        seed = f", subset seed {self.ball_seed}" if self.ball_seed is not None else ""
        lines = [
            f"falsification, l_{p_name(self.p)} balls of radius {self.sigma:.6g}: {verdict}"
            f" ({self.n_points} points, {self.seconds:.2f} s)",
            f"  balls: {which} {self.n_balls_attacked} of {self.n_balls_total} (seed {self.seed}{seed});"
            f" broken: {self.n_balls_broken}; max |f(a) - y_i| = {self.max_abs_deviation:.6g}",
        ]
        for m in self.methods:
            lines.append(
                f"  {m.method:>8}: {m.n_points} points, {m.n_counterexamples} counterexamples,"
                f" max |f - y| = {m.max_abs_deviation:.3g}, max distance / sigma = {m.max_distance / self.sigma:.6f}"
            )
        for c in self.counterexamples[:5]:
            lines.append(
                f"  ball {c.ball} ({c.method}): f = {c.output!r} != {c.label} at distance {c.distance:.6g};"
                f" exact f = {float(c.exact_output)!r}, {'confirmed' if c.exact_confirmed else 'NOT confirmed'} exactly"
            )
        if len(self.counterexamples) > 5:
            lines.append(f"  ... {len(self.counterexamples) - 5} more listed (see to_dict())")
        return "\n".join(lines)
