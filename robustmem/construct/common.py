"""Shared pieces of the chain constructions: validation, floating-point slack, the carry shift.

Tolerance policy (one place): every floating-point slack makes the claim weaker, never stronger.

* Separations computed in float64 are lowered by a relative 4 (n + 2) u (u = 2^-53, n the
  number of rounded operations that produced them) before use.
* The carried input u = x + B and the per-point bias B + c are float64 roundings; the exact
  network (weights read as rationals) and the float64 evaluation both see a_j = x_j - c_j + rho_j
  with |rho_j| <= 2 spacing(2B) (four roundings of numbers below 2B at most).  The indicator radius r is enlarged by that amount (times the
  norm's constant) and then by a relative 8 (k + 4) u, so that points of the claimed ball stay
  strictly inside the indicator's r-ball.  The margin w = tau - 2 r shrinks accordingly.
* r is rounded UP to a number with at most 24 significant bits and w DOWN to a power of two
  (any r' >= r and 0 < w <= tau - 2r' is valid), so that r^2, r + w, label / w, and the
  comparisons with r are exact in float64 for data with short coordinates (integers, pixels):
  the exact-arithmetic fit check then settles every point without rational arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.validate import nonnegative_number

if TYPE_CHECKING:
    from robustmem.data import Dataset
    from robustmem.data.labelled import LabelledPoints

__all__ = [
    "ChainParameters",
    "U",
    "carry_shift",
    "check_sigma",
    "check_two_classes",
    "dataset_fingerprint",
    "input_rounding",
    "lowered",
    "margin_or_raise",
    "power_of_two_below",
    "raised",
    "resolve_sigma",
    "shortened_up",
]

U = 2.0**-53


def lowered(x: float, n_ops: int) -> float:
    """A float64 lower bound for a quantity computed as ``x`` with n_ops rounded operations."""
    if math.isinf(x):
        return x
    return float(np.nextafter(x * (1.0 - 4.0 * (n_ops + 2) * U), -np.inf))


def raised(x: float, n_ops: int) -> float:
    """A float64 upper bound for a quantity computed as ``x`` with n_ops rounded operations."""
    return float(np.nextafter(x * (1.0 + 4.0 * (n_ops + 2) * U), np.inf))


def shortened_up(x: float, bits: int = 24) -> float:
    """The smallest float >= x with at most ``bits`` significant bits (x >= 0)."""
    if x == 0 or math.isinf(x):
        return x
    m, e = math.frexp(x)
    return math.ldexp(math.ceil(m * 2.0**bits), e - bits)


def carry_shift(max_abs: float, extent: float) -> float:
    """B = the smallest power of two >= max_abs + extent + 1 (u = x + B > 0 on every ball)."""
    need = max_abs + extent + 1.0
    return float(2.0 ** math.ceil(math.log2(need)))


#: how many times the per-coordinate input error of the structural certifier's float64 model the constructors
#: reserve (its bounds on the input map and on the indicator's first layer are worst-case sums, and the indicator
#: may amplify them by a small constant: the Lipschitz constant of a Lemma 38 per-coordinate function over its
#: whole domain is up to 2.5 times its slope on the ON ball).  Costs a relative ~1e-14 of the radius at most
#: for data within a factor 2 of the shift B; recorded in every certificate as ``float_slack``.
FLOAT_RESERVE = 8.0


def input_rounding(shift: float, n_terms: int = 1) -> float:
    """Per-coordinate reserve for |a_j - (x_j - c_j)| in float64: FLOAT_RESERVE times the structural certifier's
    bound gamma_{n+2} (|B| + |W_j| |x| + reach) <= gamma_{n+2} 2B of the input map's error (n = ``n_terms``
    products in a row of W: 1 for the identity, d for a projection), plus the rounding of the centre
    (<= spacing(2B)).  At least the earlier 2 spacing(2B) (four roundings of numbers below 2B)."""
    n = int(n_terms) + 2
    gamma = n * U / (1.0 - n * U)
    return float(FLOAT_RESERVE * (gamma * 2.0 * shift + np.spacing(2.0 * shift)))


def power_of_two_below(x: float) -> float:
    """The largest power of two <= x (x > 0)."""
    if not x > 0:
        raise InvalidArgumentError(f"expected a positive number, got {x!r}")
    if math.isinf(x):
        return 1.0
    return float(2.0 ** math.floor(math.log2(x)))


def dataset_fingerprint(dataset: LabelledPoints) -> str:
    """The dataset's fingerprint for the certificate ("" for duck-typed datasets without one)."""
    fp = getattr(dataset, "fingerprint", None)
    return fp() if callable(fp) else ""


def check_sigma(sigma: float, *, name: str = "sigma") -> float:
    """sigma as a finite float >= 0, or an error naming it."""
    return nonnegative_number(sigma, name)


def check_two_classes(dataset, theorem: str) -> None:
    """HypothesisError when the dataset has a single label (N = 1 included).

    Robust memorization needs differently-labelled points: with one class delta = inf, sigma / delta is
    undefined (not 0), and the constant network y is robust at every radius -- no theorem of the paper is
    needed, and no chain certificate would mean anything.
    """
    y = np.asarray(dataset.y)
    if y.size and (y == y.flat[0]).all():
        raise HypothesisError(
            f"{theorem}: the dataset has a single class (N = {y.size}, every label {y.flat[0].item()!r}): there is no "
            "differently-labelled pair, delta = inf and sigma/delta is undefined; the constant network "
            f"f = {y.flat[0].item()!r} is robust at every radius"
        )


def margin_or_raise(tau: float, r: float, *, theorem: str, sigma: float, delta: float, reserve: float = 0.0) -> float:
    """w = largest power of two <= tau - 2r - reserve, or HypothesisError when that is <= 0.

    ``reserve``: the float64 room of the OFF side (the certifier's float64 OFF radius exceeds r + w by about the
    input rounding, as its ON radius falls short of r by it): the constructors pass their ON reserve."""
    if math.isinf(tau):
        return 1.0  # a single label: no other-label ball to keep apart
    gap = tau - 2.0 * r - reserve
    if not gap > 0:
        raise HypothesisError(
            f"{theorem}: sigma = {sigma!r} (sigma/delta = {sigma / delta:.17g}) leaves no margin: "
            f"tau - 2r - reserve = {gap:.3g} <= 0 with tau = {tau!r}, r = {r!r}, float64 reserve {reserve!r}; "
            "choose a smaller sigma"
        )
    return power_of_two_below(gap)


@overload
def resolve_sigma(
    dataset: Dataset, sigma: float | None, sigma_over_delta: float | None, *, required: Literal[True] = True
) -> float: ...


@overload
def resolve_sigma(
    dataset: Dataset, sigma: float | None, sigma_over_delta: float | None, *, required: bool
) -> float | None: ...


def resolve_sigma(
    dataset: Dataset, sigma: float | None, sigma_over_delta: float | None, *, required: bool = True
) -> float | None:
    """The radius from exactly one of ``sigma`` (absolute) and ``sigma_over_delta`` (units of delta).

    ``sigma_over_delta = s`` means sigma = s * delta with delta the dataset's exact l_2 separation
    (``dataset.separation(2.0).delta``, Definition 2), the unit the paper states its bounds in.
    Both given: InvalidArgumentError.  Neither: InvalidArgumentError when ``required``, else None.
    A single-label dataset (delta infinite) has no unit: sigma_over_delta is refused there.
    """
    if sigma is not None and sigma_over_delta is not None:
        raise InvalidArgumentError(
            f"give sigma= (absolute) or sigma_over_delta= (units of delta), not both "
            f"(got sigma={sigma!r}, sigma_over_delta={sigma_over_delta!r})"
        )
    if sigma_over_delta is None:
        if sigma is None and required:
            raise InvalidArgumentError(
                "a radius is required: give sigma= (in the input's units) or sigma_over_delta= "
                "(a fraction of the l2 separation delta)"
            )
        return None if sigma is None else check_sigma(sigma)
    ratio = nonnegative_number(sigma_over_delta, "sigma_over_delta")
    delta = dataset.separation(2.0).delta
    if not math.isfinite(delta):
        raise InvalidArgumentError(
            f"sigma_over_delta={sigma_over_delta!r} needs the separation delta, but the dataset has a single label "
            "(delta is infinite); give sigma= instead"
        )
    return ratio * delta


@dataclass(frozen=True)
class ChainParameters:
    """The numbers of a chain of Lemma 38 indicators in R^k whose centres have separation tau.

    r: the indicator radius: the claimed radius plus the floating-point slack, rounded up (module docstring).
    w: the margin, the largest power of two <= tau - 2 r.
    Delta: w + 2 r, the scale of the offsets a_j the indicator reads.
    eps_tilde: Lemma 38's error budget eps~ for the squaring or power nets.
    M: the number of squaring steps, chosen for half of that budget (the other half absorbs the float64
        rounding of the weights).
    """

    r: float
    w: float
    Delta: float
    eps_tilde: float
    M: int
