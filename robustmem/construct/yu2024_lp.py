"""The l_p robust memorizer of Yu, Gao, Zhang (ICLR 2024), integer p >= 2: width O(d), depth O~(N p).

Yu, Gao, Zhang, "Optimal robust memorization with ReLU neural networks", ICLR 2024, Theorem B.6,
as restated by Kim, Moon, Yun (NeurIPS 2025, Lemma D.1): for integer p, every dataset, every
rho in (0, 1) and R >= max ||x_i||_inf, with gamma = (1 - rho) eps_p (eps_p half the l_p
separation of differently-labelled points), some network of width O(d) and depth
O(N p (log(d / gamma^p) + p log R + log p)) outputs y_i on every l_p ball of radius rho eps_p.
In this package's notation: every sigma < tau_p / 2, tau_p = min{||x_i - x_j||_p : y_i != y_j}.

Their proof text was not available to us (only the statement and Kim-Moon-Yun's parameter count:
the input is carried at width Theta(d) through every layer).  What is built here has exactly that
shape and rests on this package's proved pieces:

* the chain of running maxima of Theorem 37 (Egosi, Yehudai, Shamir), one block per data point;
* in block i the l_p indicator of Lemma 38 with the coordinates side by side
  (:func:`~robustmem.gadgets.indicators_lp.indicator_lp_par`): all |x_j - x_ij| in one map, then
  d power nets g_{p,M} in parallel, so a block has width d + 2 + d power_width(p) and
  power_depth(p, M) + 5 maps, independent of d;
* M, the number of squaring steps, is the smallest with power-net error <= half of Lemma 38's
  budget w^p / (4 d Delta^p), Delta = w + 2r: M = O(log(d Delta^p / w^p)) = O(log d + p log(Delta / w)),
  so the depth is O(N p (log d + p log(Delta / w))) with Delta / w playing the part of R / gamma.

Radii: r >= sigma + d^(1/p) (input rounding), w = the largest power of two <= tau_p - 2r, so
the claim holds for every sigma < tau_p / 2 up to floating-point slack (HypothesisError names the
values otherwise).  Unlike Theorems 5 and 7, the radius is not limited by delta / (2 c+_p(d)):
this is the "optimal" regime, paid for with width O(d).

:func:`yu2024_lp_through_map` is the same memorizer (p = 2) on the images M x_i of a linear map, the
memorizer Kim, Moon and Yun use after their projection (their Lemma D.2).
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

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
from robustmem.gadgets.indicators_lp import indicator_lp_par, lp_tolerance
from robustmem.gadgets.powers import power_depth, power_error_bound, power_steps_for, power_width
from robustmem.norms import p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = [
    "construct_yu2024_lp",
    "lp_chain_parameters",
    "yu2024_lp_depth",
    "yu2024_lp_through_map",
    "yu2024_lp_width",
]


def _integer_p(p) -> int:
    if isinstance(p, bool):
        raise InvalidArgumentError(f"p must be an integer >= 2, got p={p!r}")
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"p must be an integer >= 2, got p={p!r}") from None
    if not (math.isfinite(value) and value == int(value) and value >= 2):
        hint = " (for p = inf use construct_yu2024, Theorem 4.8)" if value == math.inf else ""
        if math.isfinite(value) and value > 1 and value != int(value):
            hint = " (non-integer p > 1: construct_yu2024_lp_real, with Lemma 44's power nets)"
        raise InvalidArgumentError(
            f"Yu-Gao-Zhang's l_p memorizer (Theorem B.6) is for integer p >= 2, got p={p!r}{hint}"
        )
    return int(value)


def yu2024_lp_width(k: int, p: int, M: int) -> int:
    """Width of the chain with parallel l_p indicators in R^k: k + 1 + max(3k, 1 + k w_p), where
    w_p = power_width(p), one less when M = 1 (the power nets' first map holds c+, c- and c_j
    per coordinate; later maps hold the power nets' neurons and the penalty sum S)."""
    per = power_width(p) - (1 if M == 1 else 0)
    return k + 1 + max(3 * k, 1 + k * per)


def yu2024_lp_depth(N: int, p: int, M: int) -> int:
    """2 + N (power_depth(p, M) + 5) affine maps: the input map, per point |a| + power nets +
    threshold + label + running maximum (two maps), and the output map."""
    return 2 + N * (power_depth(p, M) + 5)


def lp_chain_parameters(
    tau: float, r_claim: float, k: int, p: int, *, theorem: str, sigma: float, delta: float, reserve: float = 0.0
) -> ChainParameters:
    """r, w, Delta, eps~, M for Lemma 38 l_p indicators (integer p >= 2) in R^k, separation ``tau``.

    r = r_claim rounded up to 24 bits; w = the largest power of two <= tau - 2r; M = the smallest
    number of squaring steps whose power-net error is at most half of Lemma 38's budget
    eps~ = w^p / (4 k Delta^p).  The other half absorbs the float64 rounding of the weights: 1/Delta
    and Delta^p are stored with relative error <= u each, which moves every term Delta^p g(b_j) by
    at most about (p + 2) u Delta^p and the thresholds by u (r^p + w^p); insisting on a factor 4 to
    spare, 4 ((p + 2) k Delta^p + 2 (r^p + w^p)) u must stay below w^p / 16, else HypothesisError.
    """
    r = shortened_up(raised(r_claim, 4))
    w = margin_or_raise(tau, r, theorem=theorem, sigma=sigma, delta=delta, reserve=reserve)
    Delta = w + 2.0 * r
    eps_tilde = float(lp_tolerance(k, r, w, p))
    M = power_steps_for(p, eps_tilde / 2.0)
    Dp, rp, wp = (float(Fraction(v) ** p) for v in (Delta, r, w))
    rounding = 4.0 * ((p + 2) * k * Dp + 2.0 * (rp + wp)) * U
    if not rounding < wp / 16.0:
        raise HypothesisError(
            f"{theorem}: margin w = {w:.3g} is too small next to r = {r:.3g} for float64 weights at p = {p} "
            f"(rounding {rounding:.3g} would exceed w^p/16 = {wp / 16.0:.3g}); choose a smaller sigma"
        )
    return ChainParameters(r=r, w=w, Delta=Delta, eps_tilde=eps_tilde, M=M)


def _network(
    centers: np.ndarray,
    labels: np.ndarray,
    *,
    k: int,
    p: int,
    par: ChainParameters,
    shift: float,
    input_dim: int,
    matrix: np.ndarray | None,
    cert_fields: dict[str, Any],
) -> Construction:
    """The chain of parallel Lemma 38 l_p indicators in R^k over ``centers``, with its certificate
    (``cert_fields``: everything but the chain's own numbers)."""
    M = par.M
    cert = Certificate(
        r=par.r,
        w=par.w,
        shift=shift,
        claimed_width=yu2024_lp_width(k, p, M),
        claimed_depth=yu2024_lp_depth(len(labels), p, M),
        depth_formula="2 + N (power_depth(p, M) + 5)",
        square_steps=M,
        eps_tilde=par.eps_tilde,
        square_error=power_error_bound(p, M),
        **cert_fields,
    )
    emitter = functools.partial(indicator_lp_par, p=p, r=par.r, w=par.w, shift=shift, M=M)
    return chain_construction(cert, centers, labels, emitter, input_dim=input_dim, matrix=matrix)


def construct_yu2024_lp(
    dataset: Dataset, *, p: int, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Yu-Gao-Zhang Theorem B.6 (architecture): integer p >= 2, width O(d), depth O(N p log).

    Guarantee: for sigma < tau_p / 2 (tau_p the l_p separation of differently-labelled points) the
    network outputs exactly y_i on every closed ball B_p(x_i, sigma); HypothesisError otherwise
    (after the floating-point slack of robustmem.construct.common).
    ``sigma`` (the radius in the input's units) or ``sigma_over_delta`` (a fraction of the l_2
    separation delta of Definition 2): exactly one.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0]], [1, 2])
    >>> net, cert = construct_yu2024_lp(ds, p=3, sigma=0.4)
    >>> net([[0.35, 0.1], [0.7, -0.2]]).tolist(), net.width == cert.claimed_width, net.depth == cert.claimed_depth
    ([1.0, 2.0], True, True)
    """
    p = _integer_p(p)
    sigma = resolve_sigma(dataset, sigma, sigma_over_delta)
    X = np.asarray(dataset.X, dtype=np.float64)
    d = X.shape[1]
    check_two_classes(dataset, "Yu-Gao-Zhang Theorem B.6")
    tau_raw = dataset.separation(float(p)).delta
    if not sigma < tau_raw / 2:
        raise HypothesisError(
            f"Yu-Gao-Zhang Theorem B.6 needs sigma < tau_p / 2 = {tau_raw / 2:.17g} (tau_p = l_{p} separation "
            f"{tau_raw!r}); got sigma = {sigma!r}"
        )
    tau = lowered(tau_raw, (p + 2) * d + 4)
    shift = carry_shift(float(np.abs(X).max(initial=0.0)), sigma)
    rho = input_rounding(shift)
    slack = d * rho  # the per-coordinate input rounding, summed over coordinates (see l2_chain_parameters)
    delta = dataset.separation(2.0).delta
    par = lp_chain_parameters(
        tau,
        raised(sigma + slack, 2),
        d,
        p,
        theorem="Yu-Gao-Zhang Theorem B.6",
        sigma=sigma,
        delta=delta,
        reserve=slack,
    )
    fields = _yu2024_lp_fields(dataset, p=p, sigma=sigma, delta=delta, tau=tau, tau_raw=tau_raw, slack=slack)
    return _network(X, dataset.y, k=d, p=p, par=par, shift=shift, input_dim=d, matrix=None, cert_fields=fields)


def _yu2024_lp_fields(
    dataset: Dataset, *, p: int, sigma: float, delta: float, tau: float, tau_raw: float, slack: float
) -> dict[str, Any]:
    """The certificate fields of :func:`construct_yu2024_lp` other than the chain's own numbers."""
    return dict(
        construction="yu2024-lp",
        theorem="Yu, Gao, Zhang 2024, Theorem B.6",
        p=float(p),
        sigma=sigma,
        delta=delta,
        tau=tau,
        tau_norm=float(p),
        indicator=f"l_{p} parallel (Lemma 38 with d power nets side by side)",
        **dataset_fields(dataset),
        float_slack=slack,
        notes=(
            f"hypothesis sigma < tau_p / 2 with tau_p = {tau_raw:.17g} the l_{p} separation of differently-labelled points",
            "architecture as stated by Yu-Gao-Zhang (their proof text was not available): Theorem 37's chain with "
            "Lemma 38 l_p indicators whose d power nets run in parallel",
        ),
    )


def yu2024_lp_through_map(
    dataset: Dataset,
    M: np.ndarray,
    *,
    p: float,
    sigma: float,
    theorem: str,
    construction: str,
    notes: tuple[str, ...] = (),
) -> Construction:
    """Yu-Gao-Zhang's memorizer (l_2, Theorem B.6 with p = 2) on the images c_i = M x_i, M folded in.

    Claim: output y_i on B_p(x_i, sigma) for every i.  The image of that ball lies in the l_2 ball of
    radius ||M||_2 c+_p(d) sigma around c_i (plus rounding), and the parallel l_2 chain in R^k
    memorizes those balls whenever their radius r stays below tau / 2, tau the l_2 separation of the
    images (checked; HypothesisError otherwise).  The same bookkeeping as
    :func:`~robustmem.construct.log_width.construct_through_map`, with this module's indicator.
    """
    from robustmem.construct.log_width import map_setup

    check_two_classes(dataset, theorem)
    setup = map_setup(dataset, M, p=p, sigma=sigma)
    p, sigma, M, geo = setup.p, setup.sigma, setup.M, setup.geometry
    sig_proj, shift = setup.sigma_projected, setup.shift
    d, k = dataset.d, M.shape[0]
    delta = dataset.separation(2.0).delta
    rho_in = input_rounding(shift, int(np.count_nonzero(M, 1).max()))
    r_claim = raised(geo.norm * sig_proj + k * (setup.rho_proj + rho_in), 8)
    par = lp_chain_parameters(
        geo.tau, r_claim, k, 2, theorem=theorem, sigma=sigma, delta=delta, reserve=k * (setup.rho_proj + rho_in)
    )
    fields = dict(
        construction=construction,
        theorem=theorem,
        p=p,
        sigma=sigma,
        delta=delta,
        tau=geo.tau,
        tau_norm=2.0,
        indicator="l2 parallel (Yu-Gao-Zhang Theorem B.6 shape) in the image space",
        **dataset_fields(dataset),
        float_slack=par.r - geo.norm * sig_proj,
        projection=tuple(tuple(float(v) for v in row) for row in M),
        sigma_projected=sig_proj,
        notes=notes
        + (
            f"l_{p_name(p)} balls of radius sigma map into l_2 balls of radius ||M||_2 c+_p(d) sigma; ||M||_2 <= "
            f"{geo.norm:.17g}; image separation tau = {geo.tau:.6g}",
        ),
    )
    return _network(
        geo.centers,
        dataset.y,
        k=k,
        p=2,
        par=par,
        shift=shift,
        input_dim=d,
        matrix=M,
        cert_fields=fields,
    )
