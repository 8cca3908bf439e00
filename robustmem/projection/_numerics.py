"""The rounding policy of the projection package, in one place.

Every search in :mod:`robustmem.projection` first finds candidate pairs from distances computed in a cheap
way (a KD-tree on projected points, or the Gram identity ||u - v||^2 = |u|^2 + |v|^2 - 2 u.v), then evaluates
the candidates *precisely* (difference first, then the projection, then the norm).  For the search to be
exact, a candidate set must contain every pair whose precise value could be the minimum; the cheap value
of a pair may differ from its precise value by rounding, so every comparison is widened by a slack that
bounds that difference.  The slacks below follow the standard floating-point model (Higham, *Accuracy and
Stability of Numerical Algorithms*, 2nd ed., Sec. 3.1): a dot product of length n has absolute error at most
gamma_n * sum |a_l b_l| with gamma_n = n u / (1 - n u), u = 2^-53.  We multiply each bound by
:data:`SAFETY` = 4, so the slack is an over-estimate.  A slack only ever enlarges a candidate set (more pairs
are evaluated precisely); it never changes a reported value.
"""

from __future__ import annotations

import math

__all__ = [
    "EPS_SEARCH_WIDENING",
    "ORTHONORMAL_TOL",
    "SAFETY",
    "UNIT_ROUNDOFF",
    "gamma",
    "gram_sq_slack",
    "projected_distance_slack",
    "residual_slack",
]

UNIT_ROUNDOFF: float = 2.0**-53
SAFETY: float = 4.0

#: Largest allowed max |P P^T - I| entry for a matrix accepted as "orthonormal rows".  A Householder QR in
#: float64 produces about 1e-15; 1e-9 leaves room for matrices read from text files with 12 digits.
ORTHONORMAL_TOL: float = 1e-9


def gamma(n: int) -> float:
    """gamma_n = n u / (1 - n u): the relative error bound of an n-term floating-point dot product."""
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu)


def projected_distance_slack(d: int, k: int, radius: float, distance: float) -> float:
    """Bound on |cheap - precise| for a projected distance ||P(x_i - x_j)||.

    cheap   = ||y_i - y_j|| with y = fl((x - m) P^T) (KD-tree or direct evaluation);
    precise = ||fl(fl(x_i - x_j) P^T)||.
    Both differ from the true value by at most sqrt(k) gamma_{d+2} (||x_i - m|| + ||x_j - m||) (each
    coordinate is a d-term dot product with a unit row of P, after one subtraction) plus the relative error
    gamma_{k+2} of the final k-term norm.  ``radius`` bounds every ||x_i - m||.
    """
    per_point = math.sqrt(k) * gamma(d + 2) * 2.0 * radius
    return SAFETY * (2.0 * per_point + 2.0 * gamma(k + 2) * distance)


def gram_sq_slack(n: int, norm_bound: float) -> float:
    """Bound on the error of fl(|u|^2 + |v|^2 - 2 u.v) as a value of ||u - v||^2 for u, v in R^n.

    The three dot products and two additions have absolute error at most
    gamma_{n+3} (|u|^2 + |v|^2 + 2 |u||v|) <= gamma_{n+3} (2 * norm_bound)^2 when |u|, |v| <= norm_bound.
    """
    return SAFETY * gamma(n + 3) * (2.0 * norm_bound) ** 2


def residual_slack(d: int, k: int, radius: float) -> float:
    """Bound on the error of the computed ||(x - m) - P^T P (x - m)|| (the part of x - m in ker P).

    y = fl(P (x - m)) is off by sqrt(k) gamma_{d+2} radius; fl(P^T y) adds sqrt(d) gamma_{k+2} radius; the
    final subtraction and norm add gamma_{d+2} radius.
    """
    return SAFETY * (math.sqrt(k) * gamma(d + 2) + math.sqrt(d) * gamma(k + 2) + gamma(d + 2)) * radius


#: Relative widening of the candidate thresholds of the eps search.  The precise eps of a pair is computed
#: from (a, b, n) with a few correctly rounded operations (atan2, arcsin, sin), whose relative error is
#: below 1e-14 away from the degenerate case eps ~ 0; 1e-9 exceeds it by orders of magnitude.
EPS_SEARCH_WIDENING: float = 1e-9
