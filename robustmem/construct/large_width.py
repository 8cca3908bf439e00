"""Large-width robust memorizers: Theorem 5, Theorem 6 and the parallel variant of Remark 40.

All three are the chain of Theorem 37 over the data points in the input space, with different
ball indicators:

=============  ================  ===============================  ============  ==========================
function       p                 indicator                        width         depth
=============  ================  ===============================  ============  ==========================
theorem5       any in (0, inf]   l_2, Lemma 38 (squaring net)     d + 6         2 + N (d (M + 1) + 4)
theorem6       1                 l_1, exact                       d + 4         2 + N (d + 4)
theorem6       inf               l_inf, Lemma 39, exact           d + 4         2 + N (2d + 3)
remark40       1                 l_1, parallel, exact             3d + 1        2 + N 5
remark40       inf               l_inf, parallel, exact           3d + 1        2 + N 4
=============  ================  ===============================  ============  ==========================

Hypothesis (all three, as in the theorems): sigma / delta < 1 / (2 c+_p(d)), delta the l_2
separation.  Theorem 5 uses r = c+_p(d) sigma and tau = delta (l_2 balls contain the l_p balls).
Theorem 6 and Remark 40 use r = sigma and, as tau, the data's own l_p separation (exact, and at
least delta for p = 1 and delta / sqrt(d) for p = inf, the values in the theorem's proof), which
certifies the same radius with a wider margin.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from robustmem.certificate import Certificate, Construction
from robustmem.construct.certified_chain import chain_construction, dataset_fields
from robustmem.construct.common import (
    ChainParameters,
    U,
    carry_shift,
    check_two_classes,
    input_rounding,
    lowered,
    margin_or_raise,
    raised,
    resolve_sigma,
    shortened_up,
)
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.indicators import (
    indicator_l1,
    indicator_l1_par,
    indicator_l2,
    indicator_linf,
    indicator_linf_par,
)
from robustmem.gadgets.squaring import square_error_bound, square_steps_for
from robustmem.norms import c_plus, check_p, p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = [
    "ExactChainShape",
    "L2ChainParameters",
    "construct_remark40",
    "construct_theorem5",
    "construct_theorem6",
    "exact_chain_shape",
    "l2_chain_parameters",
    "l2_chain_width",
]


def _limit_check(theorem: str, sigma: float, delta: float, p: float, d: int) -> None:
    limit = 1.0 / (2.0 * c_plus(p, d))
    if not sigma / delta < limit:
        raise HypothesisError(
            f"{theorem} needs sigma/delta < 1/(2 c+_p(d)) = {limit:.17g} for p = {p_name(p)}, d = {d}; "
            f"got sigma/delta = {sigma / delta:.17g} (sigma = {sigma!r}, delta = {delta!r})"
        )


@dataclass(frozen=True)
class L2ChainParameters(ChainParameters):
    """:class:`~robustmem.construct.common.ChainParameters` of an l_2 chain, with the input rounding
    rho (per coordinate; r covers the claimed radius plus sqrt(k) rho)."""

    rho: float


def l2_chain_parameters(
    tau: float,
    r_claim: float,
    k: int,
    shift: float,
    *,
    theorem: str,
    sigma: float,
    delta: float,
    n_terms: int = 1,
) -> L2ChainParameters:
    """r, w, Delta, eps~, M (and rho) for a Lemma 38 (p = 2) chain in R^k with l_2 separation ``tau``.

    r covers the claimed l_2 radius plus k times the input rounding (:func:`input_rounding` with ``n_terms``
    products per input row; k, not sqrt(k): the certifier bounds the input error's effect on sum_j f_j(a_j)
    coordinate by coordinate), and w leaves the same reserve on the OFF side; M is the smallest
    number of squaring steps with 2^(-2M-2) <= eps~/2 (half of Lemma 38's budget is left for
    the float64 rounding of the weights, checked below).
    """
    rho = input_rounding(shift, n_terms)
    r = shortened_up(raised(r_claim + k * rho, 4))
    w = margin_or_raise(tau, r, theorem=theorem, sigma=sigma, delta=delta, reserve=k * rho)
    Delta = w + 2.0 * r
    eps_tilde = w * w / (4.0 * k * Delta * Delta)
    M = square_steps_for(eps_tilde / 2.0)
    # rounding of the weights moves Sigma by at most about (k + 10) * 4u * (r^2 + w^2); Lemma 38
    # leaves w^2/8 of room after the squaring error: insist on a factor 4 to spare.
    if 4.0 * (k + 10) * 4.0 * U * (r * r + w * w) > w * w / 32.0:
        raise HypothesisError(
            f"{theorem}: margin w = {w:.3g} is too small next to r = {r:.3g} for float64 weights "
            "(relative rounding would exceed the margin of Lemma 38); choose a smaller sigma"
        )
    return L2ChainParameters(r=r, w=w, Delta=Delta, eps_tilde=eps_tilde, M=M, rho=rho)


def l2_chain_width(k: int, M: int) -> int:
    """Width of the Lemma 38 chain in R^k: k + 6, except k + 5 when k = 1 and M = 1 (then the
    running sum and the squaring accumulator never coexist)."""
    return k + 5 if (k == 1 and M == 1) else k + 6


def _dataset_basics(dataset: Dataset, sigma: float) -> tuple[np.ndarray, np.ndarray, float]:
    X = np.asarray(dataset.X, dtype=np.float64)
    y = np.asarray(dataset.y)
    shift = carry_shift(float(np.abs(X).max(initial=0.0)), sigma)
    return X, y, shift


def construct_theorem5(
    dataset: Dataset, *, p: float, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Theorem 5: width d + 6 and depth O(N d log(d / (1 - 2 c+_p sigma/delta))), any p in (0, inf].

    Guarantee: for sigma/delta < 1/(2 c+_p(d)) the network outputs y_i exactly on the closed
    l_p ball of radius sigma around every x_i.  Construction: the chain of Theorem 37 over l_2
    balls of radius r >= c+_p(d) sigma (Lemma 38 indicators with the squaring net of Lemma 41),
    tau = delta, w = (power of two) <= delta - 2r.

    ``sigma``: the radius in the input's units; ``sigma_over_delta``: the radius as a fraction of
    the l_2 separation delta (sigma = sigma_over_delta * delta).  Give exactly one.
    """
    p = check_p(p)
    sigma = resolve_sigma(dataset, sigma, sigma_over_delta)
    d = dataset.d
    check_two_classes(dataset, "Theorem 5")
    sep = dataset.separation(2.0)
    delta = sep.delta
    _limit_check("Theorem 5", sigma, delta, p, d)
    X, y, shift = _dataset_basics(dataset, sigma)
    tau = lowered(delta, 2 * d + 2)
    r_claim = raised(c_plus(p, d) * sigma, 2)
    par = l2_chain_parameters(tau, r_claim, d, shift, theorem="Theorem 5", sigma=sigma, delta=delta)
    M = par.M
    emitter = functools.partial(indicator_l2, r=par.r, w=par.w, shift=shift, M=M)
    depth = 2 + dataset.N * (d * (M + 1) + 4)
    cert = Certificate(
        construction="theorem5",
        theorem="Theorem 5",
        p=p,
        sigma=sigma,
        delta=delta,
        tau=tau,
        tau_norm=2.0,
        r=par.r,
        w=par.w,
        shift=shift,
        indicator="l2 (Lemma 38, squaring net)",
        **dataset_fields(dataset),
        claimed_width=l2_chain_width(d, M),
        claimed_depth=depth,
        depth_formula="2 + N (d (M + 1) + 4)",
        square_steps=M,
        eps_tilde=par.eps_tilde,
        square_error=square_error_bound(M),
        float_slack=d * par.rho,
        notes=(
            f"l_{p_name(p)} balls of radius sigma lie in l_2 balls of radius c+_p(d) sigma = {c_plus(p, d) * sigma:.6g}",
        ),
    )
    return chain_construction(cert, X, y, emitter, input_dim=d)


def _lp_tau(dataset: Dataset, p: float) -> tuple[float, float]:
    """(tau, theorem's tau): the data's exact l_p separation (lowered for rounding) and delta/c+."""
    d = dataset.d
    delta = dataset.separation(2.0).delta
    tau_p = dataset.separation(p).delta
    n_ops = 2 * d + 2 if p == 1.0 else 2
    return lowered(tau_p, n_ops), delta / c_plus(p, d)


@dataclass(frozen=True)
class ExactChainShape:
    """The exact l_1 / l_inf chain (Theorem 6, Remark 40, Theorem 33): its indicator and its claimed shape.

    emit: the block emitter (r, w and shift still to bind); width: the claimed width; per_block: affine maps
    per data point, so depth = 2 + N per_block; depth_formula: that depth in words.
    """

    emit: Callable[..., str]
    width: int
    per_block: int
    depth_formula: str


def exact_chain_shape(q: float, d: int, *, parallel: bool) -> ExactChainShape:
    """The indicator and shape of the exact chain in l_q, q in {1, inf}: one coordinate after the other
    (width d + 4; 4 when d = 1, the running sum/max is never a separate neuron) or in parallel (Remark 40,
    width 3d + 1)."""
    if parallel:
        per_block = 5 if q == 1.0 else 4
        emit = indicator_l1_par if q == 1.0 else indicator_linf_par
        return ExactChainShape(emit, 3 * d + 1, per_block, f"2 + {per_block} N")
    emit = indicator_l1 if q == 1.0 else indicator_linf
    width = d + 4 if d >= 2 else 4
    if q == 1.0:
        return ExactChainShape(emit, width, d + 4, "2 + N (d + 4)")
    return ExactChainShape(emit, width, 2 * d + 3, "2 + N (2d + 3)")


def _exact_radii(
    tau: float, sigma: float, shift: float, p: float, d: int, *, theorem: str, delta: float
) -> tuple[float, float, float]:
    """(r, w, slack) of the exact l_p chain: r covers sigma plus the input rounding (d rho in l_1, rho in
    l_inf), rounded up; w the margin left by tau with that rounding reserved on the OFF side."""
    rho = input_rounding(shift)
    k_rho = d * rho if p == 1.0 else rho
    r = shortened_up(raised(sigma + k_rho, 8 * (d + 4)))
    w = margin_or_raise(tau, r, theorem=theorem, sigma=sigma, delta=delta, reserve=k_rho)
    return r, w, k_rho


def _exact_chain(
    dataset: Dataset,
    *,
    p: Literal[1, "inf"] | float,
    sigma: float | None,
    sigma_over_delta: float | None,
    parallel: bool,
    theorem: str,
    construction: str,
) -> Construction:
    p = check_p(p)
    if p not in (1.0, math.inf):
        raise InvalidArgumentError(f"{theorem} is for p in {{1, inf}}, got p = {p_name(p)}")
    sigma = resolve_sigma(dataset, sigma, sigma_over_delta)
    d, N = dataset.d, dataset.N
    check_two_classes(dataset, theorem)
    delta = dataset.separation(2.0).delta
    _limit_check(theorem, sigma, delta, p, d)
    X, y, shift = _dataset_basics(dataset, sigma)
    tau, tau_theorem = _lp_tau(dataset, p)
    r, w, k_rho = _exact_radii(tau, sigma, shift, p, d, theorem=theorem, delta=delta)
    shape = exact_chain_shape(p, d, parallel=parallel)
    kind = "parallel (Remark 40)" if parallel else "exact sum" if p == 1.0 else "running max (Lemma 39)"
    cert = Certificate(
        construction=construction,
        theorem=theorem,
        p=p,
        sigma=sigma,
        delta=delta,
        tau=tau,
        tau_norm=p,
        r=r,
        w=w,
        shift=shift,
        indicator=f"l_{p_name(p)} {kind}",
        **dataset_fields(dataset),
        claimed_width=shape.width,
        claimed_depth=2 + N * shape.per_block,
        depth_formula=shape.depth_formula,
        float_slack=k_rho,
        notes=(
            f"tau is the data's own l_{p_name(p)} separation; the theorem's proof uses delta/c+_p(d) = {tau_theorem:.6g}",
        ),
    )
    return chain_construction(cert, X, y, functools.partial(shape.emit, r=r, w=w, shift=shift), input_dim=d)


def construct_theorem6(
    dataset: Dataset, *, p: Literal[1, "inf"] | float, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Theorem 6: p in {1, inf}, width d + 4, depth O(N d), exact indicators (no approximation).

    Guarantee: for sigma/delta < 1/(2 c+_p(d)) the output is exactly y_i on the closed l_p ball
    of radius sigma around every x_i.  ``sigma``: the radius in the input's units;
    ``sigma_over_delta``: the radius as a fraction of the l_2 separation delta.  Give exactly one.

    >>> from robustmem.data import Dataset
    >>> net, cert = construct_theorem6(Dataset([[0.0, 0.0], [1.0, 0.0]], [1, 2]), p="inf", sigma_over_delta=0.25)
    >>> cert.sigma, cert.sigma_over_delta
    (0.25, 0.25)
    """
    return _exact_chain(
        dataset,
        p=p,
        sigma=sigma,
        sigma_over_delta=sigma_over_delta,
        parallel=False,
        theorem="Theorem 6",
        construction="theorem6",
    )


def construct_remark40(
    dataset: Dataset, *, p: Literal[1, "inf"] | float, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Remark 40: the indicators computed in parallel; width 3d + 1, depth O(N), p in {1, inf}.

    Same guarantee as Theorem 6 (this recovers Yu, Gao, Zhang 2024, Theorem 4.8, for l_inf).
    ``sigma`` or ``sigma_over_delta`` (a fraction of the l_2 separation delta): exactly one.
    """
    return _exact_chain(
        dataset,
        p=p,
        sigma=sigma,
        sigma_over_delta=sigma_over_delta,
        parallel=True,
        theorem="Remark 40",
        construction="remark40",
    )
