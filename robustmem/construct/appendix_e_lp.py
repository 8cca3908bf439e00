"""Non-integer l_p / l_q indicators in chains (Lemma 44): yu2024-lp for non-integer p, and Theorem 31.

* :func:`construct_yu2024_lp_real`: Yu-Gao-Zhang's l_p memorizer shape (:mod:`robustmem.construct.yu2024_lp`)
  for a non-integer p > 1, the d power nets replaced by Lemma 44's binomial nets
  (:func:`~robustmem.gadgets.indicators_binomial.indicator_lp_real_par`); sigma < tau_p / 2.
* :func:`construct_theorem31`: Theorem 31, (delta_q, q)-separated data with q in (1, inf) \\ N, any p: the chain of
  Theorem 37 with the sequential non-integer l_q indicator of radius r >= c+_{p,q}(d) sigma; width d + O(1)
  (the paper's d + 12), sigma/delta_q < 1/(2 c+_{p,q}(d)).

What proves these networks: every indicator's conditions (A), (B1), (B2) are proven in rational arithmetic by
:func:`~robustmem.gadgets.indicators_binomial.lp_real_constants` when the network is built (a failure is a
HypothesisError), with the power net's exact error bound (:mod:`robustmem.gadgets.binomial`); Theorem 37 and the
slack policy of :mod:`robustmem.construct.common` do the rest, as for the integer-p chains.  The structural
certifier refuses non-integer norms (it names the reason); falsification tests sample the balls.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from robustmem.bounds.appendix_e import check_q
from robustmem.certificate import Certificate, Construction
from robustmem.construct.appendix_e import _l_q_rounding, _setup
from robustmem.construct.certified_chain import dataset_fields
from robustmem.construct.common import (
    carry_shift,
    check_sigma,
    input_rounding,
    lowered,
    margin_or_raise,
    raised,
    shortened_up,
)
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.binomial import binomial_depth, exact_exponent
from robustmem.gadgets.chain import chain_network
from robustmem.gadgets.indicators_binomial import indicator_lp_real, indicator_lp_real_par, lp_real_constants
from robustmem.norms import PLike, c_plus_pq, p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["construct_theorem31", "construct_yu2024_lp_real", "real_lp_chain_depth"]


def real_lp_chain_depth(N: int, d: int, D: int, M: int, *, parallel: bool) -> int:
    """Maps of the chain: parallel 2 + N (binomial_depth + 5); sequential 2 + N (d (1 + binomial_depth) + 4)."""
    bd = binomial_depth(D, M)
    return 2 + N * (bd + 5) if parallel else 2 + N * (d * (1 + bd) + 4)


#: the largest denominator of a non-integer exponent q = a/b the structural certifier proves
#: (robustmem.certify.structural.pl.MAX_DEN; a test keeps the two equal)
MAX_EXPONENT_DENOMINATOR = 64


def _noninteger(p: PLike, what: str) -> tuple[float, Fraction]:
    try:
        value = float(p)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{what} must be a number, got {p!r}") from None
    if not (math.isfinite(value) and value > 1 and value != int(value)):
        raise InvalidArgumentError(f"{what} must lie in (1, inf) minus the integers, got {p!r}")
    exact = exact_exponent(value)
    if exact.denominator > MAX_EXPONENT_DENOMINATOR:  # no claim the structural certifier cannot prove
        near = exact.limit_denominator(MAX_EXPONENT_DENOMINATOR)
        raise InvalidArgumentError(
            f"{what} = {p!r} is the rational {exact.numerator}/{exact.denominator} as a float; the structural "
            f"certifier proves l_q indicators for q = a/b with b <= {MAX_EXPONENT_DENOMINATOR} only, so this "
            f"network would carry a claim it cannot check (the nearest such value is {near} = {float(near)!r})"
        )
    return value, exact


def _chain(dataset: Dataset, X, *, k, r, w, pf, shift, parallel, cert_fields) -> Construction:
    consts = lp_real_constants(k, r, w, pf)
    plan = consts.plan
    emit = indicator_lp_real_par if parallel else indicator_lp_real
    N = X.shape[0]
    notes = tuple(cert_fields.pop("notes")) + (
        f"Lemma 44 power net: degree D = {plan.D}, M = {plan.M}, exact error bound E = {float(plan.error):.3g}; "
        f"Lemma 38's conditions proven in rational arithmetic, margins {consts.margins}",
    )
    cert = Certificate(
        r=r,
        w=w,
        shift=shift,
        claimed_width=0,
        claimed_depth=real_lp_chain_depth(N, k, plan.D, plan.M, parallel=parallel),
        depth_formula="2 + N (binomial_depth(D, M) + 5)" if parallel else "2 + N (d (1 + binomial_depth(D, M)) + 4)",
        square_steps=plan.M,
        square_error=float(plan.error),
        notes=notes,
        **cert_fields,
    )
    emitter = functools.partial(emit, r=r, w=w, consts=consts, shift=shift)
    construction = cert.construction
    net = chain_network(X, np.asarray(dataset.y), emitter, shift=shift, input_dim=k, meta={})
    cert = replace(cert, claimed_width=net.width)
    net.meta.update({"construction": construction, "certificate": cert.to_dict()})
    if net.depth != cert.claimed_depth:
        raise AssertionError(f"depth {net.depth} != claimed {cert.claimed_depth}")
    return Construction(net, cert)


def construct_yu2024_lp_real(dataset: Dataset, *, p: float, sigma: float) -> Construction:
    """Yu-Gao-Zhang's l_p memorizer shape for a NON-integer p > 1 (Lemma 44's power nets side by side).

    Guarantee: for sigma < tau_p / 2 (tau_p the l_p separation of differently-labelled points) the network outputs
    exactly y_i on every closed ball B_p(x_i, sigma) -- proven at construction (module docstring); HypothesisError
    otherwise.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0]], [1, 2])
    >>> net, cert = construct_yu2024_lp_real(ds, p=1.5, sigma=0.3)
    >>> net([[0.25, 0.1], [0.8, -0.1]]).tolist()
    [1.0, 2.0]
    """
    pv, pf = _noninteger(p, "p")
    sigma = check_sigma(sigma)
    X = np.asarray(dataset.X, dtype=np.float64)
    d = X.shape[1]
    tau_raw = dataset.separation(pv).delta
    if not sigma < tau_raw / 2:
        raise HypothesisError(
            f"Yu-Gao-Zhang Theorem B.6 needs sigma < tau_p / 2 = {tau_raw / 2:.17g} (tau_p = l_{p_name(pv)} separation "
            f"{tau_raw!r}); got sigma = {sigma!r}"
        )
    tau = lowered(tau_raw, 8 * d + 8)  # the float l_p norm: pow, sum and root of d terms
    shift = carry_shift(float(np.abs(X).max(initial=0.0)), sigma)
    slack = raised(d ** (1.0 / pv), 4) * input_rounding(shift)
    r = shortened_up(raised(sigma + slack, 4))
    w = margin_or_raise(tau, r, theorem="Yu-Gao-Zhang Theorem B.6", sigma=sigma, delta=tau_raw)
    fields = dict(
        construction="yu2024-lp",
        theorem="Yu, Gao, Zhang 2024, Theorem B.6 (non-integer p: Lemma 44's power nets)",
        p=pv,
        sigma=sigma,
        delta=dataset.separation(2.0).delta,
        tau=tau,
        tau_norm=pv,
        indicator=f"l_{p_name(pv)} parallel (Lemma 38 with d binomial power nets side by side, Lemma 44)",
        **dataset_fields(dataset),
        float_slack=slack,
        notes=(f"hypothesis sigma < tau_p / 2 with tau_p = {tau_raw:.17g}",),
    )
    return _chain(dataset, X, k=d, r=r, w=w, pf=pf, shift=shift, parallel=True, cert_fields=fields)


def construct_theorem31(dataset: Dataset, *, p: PLike, q: float, sigma: float) -> Construction:
    """Theorem 31: (delta_q, q)-separated data, q in (1, inf) minus the integers, any p; width d + O(1).

    Guarantee: for sigma/delta_q < 1/(2 c+_{p,q}(d)) the network outputs exactly y_i on B_p(x_i, sigma) for every
    i -- proven at construction (module docstring); HypothesisError otherwise.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 1.0]], [1, 2])
    >>> net, cert = construct_theorem31(ds, p=2, q=1.5, sigma=0.3)
    >>> net([[0.2, -0.2], [0.8, 1.2]]).tolist(), cert.separation_norm, net.width <= 2 + 12
    ([1.0, 2.0], 1.5, True)
    """
    theorem = "Theorem 31"
    qv, qf = _noninteger(check_q(q), "Theorem 31's q")
    pv, _, sigma, X, _, d, delta_q, shift = _setup(dataset, p, qv, sigma, theorem)
    tau = lowered(delta_q, 8 * d + 8)
    slack = _l_q_rounding(qv, d, shift)
    r = shortened_up(raised(raised(c_plus_pq(pv, qv, d), 4) * sigma + slack, 4))
    w = margin_or_raise(tau, r, theorem=theorem, sigma=sigma, delta=delta_q)
    fields = dict(
        construction="theorem31",
        theorem=theorem,
        p=pv,
        sigma=sigma,
        delta=delta_q,
        tau=tau,
        tau_norm=qv,
        indicator=f"l_{p_name(qv)} (Lemma 38 with Lemma 44's binomial power net, coordinates one after the other)",
        **dataset_fields(dataset),
        float_slack=slack,
        notes=(f"l_{p_name(pv)} balls of radius sigma lie in l_{p_name(qv)} balls of radius c+_{{p,q}}(d) sigma",),
        separation_norm=qv,
    )
    return _chain(dataset, X, k=d, r=r, w=w, pf=qf, shift=shift, parallel=False, cert_fields=fields)
