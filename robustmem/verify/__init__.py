"""Verification layer (docs/certification.md): exact fit and falsification, each returning a report.

* :func:`verify_fit` -- f(x_i) == y_i with no tolerance, in float64 or exact arithmetic.
* :func:`falsify` -- uniform, boundary and vertex sampling and projected gradient attacks on the
  balls B_p(x_i, sigma); counterexamples are re-checked exactly.
"""

from robustmem.geometry import (
    ball_distance,
    ball_vertices,
    certainly_in_ball,
    exact_in_ball,
    on_sphere,
    shrink_into_ball,
    uniform_in_ball,
)
from robustmem.verify.attacks import (
    PGDBatch,
    ascent_direction,
    nearest_other_label,
    pgd_attack,
    project_l1_ball,
    project_onto_ball,
)
from robustmem.verify.falsify import falsify
from robustmem.verify.fit import verify_fit
from robustmem.verify.reports import Counterexample, FalsificationReport, FitReport, MethodStats

__all__ = [
    "Counterexample",
    "FalsificationReport",
    "FitReport",
    "MethodStats",
    "PGDBatch",
    "ascent_direction",
    "ball_distance",
    "ball_vertices",
    "certainly_in_ball",
    "exact_in_ball",
    "falsify",
    "nearest_other_label",
    "on_sphere",
    "pgd_attack",
    "project_l1_ball",
    "project_onto_ball",
    "shrink_into_ball",
    "uniform_in_ball",
    "verify_fit",
]
