"""Re-checking a candidate counterexample on the real network before anything is reported as refuted.

A candidate (a solver's optimal input, or a training point itself) becomes a
:class:`~robustmem.certify.certify_report.CertCounterexample` only if

1. it lies in the closed ball: points that float64 cannot prove inside are first moved inwards by
   :func:`~robustmem.geometry.shrink_into_ball` (solvers return points up to their feasibility
   tolerance outside), then membership is decided exactly (:func:`~robustmem.geometry.exact_in_ball`);
2. the exact output of the network (float64 weights and input read as rationals) differs from the label.

Otherwise the candidate is discarded and the ball's status stays 'unknown'.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from robustmem.certify.certify_report import CertCounterexample
from robustmem.certify.layers import LayerSource
from robustmem.geometry import ball_distance, certainly_in_ball, exact_in_ball, shrink_into_ball

__all__ = ["confirm_counterexample"]


def confirm_counterexample(
    src: LayerSource,
    index: int,
    center: np.ndarray,
    label: int,
    point: np.ndarray,
    *,
    p: float,
    sigma: float,
    found_by: Literal["milp", "centre"],
) -> CertCounterexample | None:
    """The candidate as a confirmed counterexample, or None (see the module docstring)."""
    a = np.asarray(point, dtype=np.float64).reshape(1, -1)
    c = np.asarray(center, dtype=np.float64).reshape(1, -1)
    if not np.isfinite(a).all():
        return None
    if sigma > 0 and not certainly_in_ball(a, c, p, sigma)[0]:
        a = shrink_into_ball(a, c, p, sigma)
    elif sigma == 0:
        a = c.copy()
    inside = exact_in_ball(a[0], c[0], p, sigma) if sigma > 0 else bool(np.array_equal(a, c))
    if not inside:
        return None
    exact = src.evaluate_exact(a)[0]
    if exact == label:
        return None
    return CertCounterexample(
        index=int(index),
        point=tuple(float(v) for v in a[0]),
        label=int(label),
        output=float(src.evaluate(a)[0]),
        exact_output=exact,
        distance=float(ball_distance(a[0], c[0], p)),
        inside_exact=True,
        found_by=found_by,
    )
