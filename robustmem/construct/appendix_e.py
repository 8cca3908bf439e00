"""Appendix E: robust memorization of (delta, q)-separated data (Definition 30), Theorems 32, 33 and 35.

Egosi, Yehudai, Shamir (COLT 2025), Appendix E / F.  The data is separated in l_q, q in [1, inf]:
delta_q = min{||x_i - x_j||_q : y_i != y_j}; the robustness balls are l_p balls of radius sigma.

==================  =========================  ===============================  =========  ===========================
function            q                          indicator                        width      hypothesis
==================  =========================  ===============================  =========  ===========================
construct_theorem33 1 or inf                   exact l_q (running sum / max)    d + 4      sigma/delta_q < 1/(2c+_{p,q})
construct_theorem32 integer >= 2               Lemma 38 l_q, power nets g_{q,M}  <= d + 9   sigma/delta_q < 1/(2c+_{p,q})
construct_theorem35 any in [1, inf]            Theorem 7's projected l_2 chain  k          radius="theorem35":
                                                                                           sigma = a_{p,q,d} N^{-2/(k-6)}
                                                                                           delta_q
==================  =========================  ===============================  =========  ===========================

Theorems 31-33 (proofs in Appendix F): r = c+_{p,q}(d) sigma (B_p(x, sigma) lies in B_q(x, r), Lemma 70),
the chain of Theorem 37 with l_q indicators of radius r and margin w <= delta_q - 2r.  Here r also absorbs the
float64 rounding of the carried input (:mod:`robustmem.construct.common`), and tau = delta_q lowered for its
rounding.  Theorem 31 (non-integer q) needs Lemma 44's power net and is built by
:func:`robustmem.construct.appendix_e_lp.construct_theorem31`.

Theorem 35 (proof in Appendix F.2): the network of Theorem 7 itself.  Its correctness never involves q: the
projection P maps B_p(x_i, sigma) into the l_2 ball of radius ||P|| c+_{p,2}(d) sigma around P x_i, and the l_2
chain in R^{k-6} memorizes those balls whenever tau = min ||P x_i - P x_j||_2 (y_i != y_j) exceeds twice that
radius (checked, after slack).  q enters only the worst-case radius: Lemma 69 gives ||x_i - x_j||_2 >=
c-_{q,2}(d) delta_q, so a (delta_q, q)-separated set is (c-_{q,2}(d) delta_q)-separated in l_2 and Theorem 7
applies with a_{p,q,d} = a_{p,d} c-_{q,2}(d).  The certificate records q (``separation_norm``) and delta_q.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Literal

import numpy as np

from robustmem.bounds.appendix_e import appendix_e_radius_limit, check_q, theorem35_radius
from robustmem.certificate import Certificate, Construction
from robustmem.construct.certified_chain import chain_construction, dataset_fields
from robustmem.construct.common import (
    carry_shift,
    check_sigma,
    input_rounding,
    lowered,
    margin_or_raise,
    raised,
    shortened_up,
)
from robustmem.construct.large_width import exact_chain_shape
from robustmem.construct.log_width import (
    ProjectionChoice,
    _check_width,
    _largest_sigma,
    _projection,
    construct_through_map,
    projected_margin,
)
from robustmem.construct.yu2024_lp import lp_chain_parameters
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.indicators_lp import indicator_lp
from robustmem.gadgets.powers import power_depth, power_error_bound
from robustmem.norms import PLike, c_plus_pq, check_p, p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = [
    "construct_theorem32",
    "construct_theorem33",
    "construct_theorem35",
    "lq_radius_check",
    "theorem32_depth",
    "theorem32_width",
]


def lq_radius_check(theorem: str, sigma: float, delta_q: float, p: float, q: float, d: int) -> None:
    """HypothesisError unless sigma/delta_q < 1/(2 c+_{p,q}(d)) (the range of Theorems 31-33 and Proposition 34)."""
    limit = appendix_e_radius_limit(p, q, d)
    if not sigma / delta_q < limit:
        raise HypothesisError(
            f"{theorem} needs sigma/delta_q < 1/(2 c+_{{p,q}}(d)) = {limit:.17g} for p = {p_name(p)}, q = {p_name(q)}, "
            f"d = {d}; got sigma/delta_q = {sigma / delta_q:.17g} (sigma = {sigma!r}, delta_q = {delta_q!r})"
        )


def _setup(
    dataset: Dataset, p_in: PLike, q_in: PLike, sigma_in: float, theorem: str
) -> tuple[float, float, float, np.ndarray, int, int, float, float]:
    p, q, sigma = check_p(p_in), check_q(q_in), check_sigma(sigma_in)
    X = np.asarray(dataset.X, dtype=np.float64)
    N, d = X.shape
    delta_q = dataset.separation(q).delta
    lq_radius_check(theorem, sigma, delta_q, p, q, d)
    shift = carry_shift(float(np.abs(X).max(initial=0.0)), raised(c_plus_pq(p, q, d), 4) * sigma)
    return p, q, sigma, X, N, d, delta_q, shift


def _l_q_rounding(q: float, d: int, shift: float) -> float:
    """An upper bound of the l_q norm of the per-coordinate input rounding (d^{1/q} times it)."""
    rho = input_rounding(shift)
    return rho if math.isinf(q) else raised(float(d) ** (1.0 / q), 4) * rho


def construct_theorem33(dataset: Dataset, *, p: PLike, q: Literal[1, "inf"] | float, sigma: float) -> Construction:
    """Theorem 33: (delta_q, q)-separated data with q in {1, inf}; width d + 4, depth O(N d), exact indicators.

    Guarantee: for sigma/delta_q < 1/(2 c+_{p,q}(d)) the network outputs exactly y_i on the closed l_p ball of
    radius sigma around every x_i (it memorizes the l_q balls of radius r >= c+_{p,q}(d) sigma, Lemma 70).

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 1.0]], [1, 2])
    >>> net, cert = construct_theorem33(ds, p=2, q=1, sigma=0.3)
    >>> net([[0.2, -0.2], [0.8, 1.2]]).tolist(), cert.separation_norm, cert.tau_norm
    ([1.0, 2.0], 1.0, 1.0)
    """
    theorem = "Theorem 33"
    if check_q(q) not in (1.0, math.inf):
        raise InvalidArgumentError(
            f"Theorem 33 is for q in {{1, inf}}, got q = {p_name(check_q(q))} (integer q: construct_theorem32; "
            "other q: construct_theorem31)"
        )
    pv, qv, sigma, X, N, d, delta_q, shift = _setup(dataset, p, q, sigma, theorem)
    tau = lowered(delta_q, 2 * d + 2 if qv == 1.0 else 2)
    k_rho = _l_q_rounding(qv, d, shift)
    r = shortened_up(raised(raised(c_plus_pq(pv, qv, d), 4) * sigma + k_rho, 8 * (d + 4)))
    w = margin_or_raise(tau, r, theorem=theorem, sigma=sigma, delta=delta_q)
    shape = exact_chain_shape(qv, d, parallel=False)
    cert = Certificate(
        construction="theorem33",
        theorem=theorem,
        p=pv,
        sigma=sigma,
        delta=delta_q,
        tau=tau,
        tau_norm=qv,
        r=r,
        w=w,
        shift=shift,
        indicator=f"l_{p_name(qv)} exact ({'running sum' if qv == 1.0 else 'running max, Lemma 39'})",
        **dataset_fields(dataset),
        claimed_width=shape.width,
        claimed_depth=2 + N * shape.per_block,
        depth_formula=shape.depth_formula,
        float_slack=k_rho,
        notes=(f"l_{p_name(pv)} balls of radius sigma lie in l_{p_name(qv)} balls of radius c+_{{p,q}}(d) sigma",),
        separation_norm=qv,
    )
    emitter = functools.partial(shape.emit, r=r, w=w, shift=shift)
    return chain_construction(cert, X, dataset.y, emitter, input_dim=d)


def theorem32_width(d: int, q: int, M: int) -> int:
    """Width of Theorem 32's chain (sequential Lemma 38 l_q indicators): d + 5 for q = 2, d + 7 for q >= 3
    (one less when M = 1); at most Theorem 32's d + 9."""
    return d + (5 if q == 2 else 7) - (1 if M == 1 else 0)


def theorem32_depth(N: int, d: int, q: int, M: int) -> int:
    """2 + N (d (1 + power_depth(q, M)) + 4) maps: input map; per point, per coordinate |a_j| (one map) and the
    power net, then the threshold, the label and the running maximum (two maps); the output map."""
    return 2 + N * (d * (1 + power_depth(q, M)) + 4)


def construct_theorem32(dataset: Dataset, *, p: PLike, q: int, sigma: float) -> Construction:
    """Theorem 32: (delta_q, q)-separated data with an integer q >= 2; width <= d + 9, depth O(N d q log(d q lambda^q)).

    Guarantee: for sigma/delta_q < 1/(2 c+_{p,q}(d)) the network outputs exactly y_i on B_p(x_i, sigma) for
    every i.  Construction (Appendix F): Theorem 37's chain of Lemma 38 l_q indicators of radius
    r >= c+_{p,q}(d) sigma, g = the power net g_{q,M} (Lemma 42 style), one coordinate after the other.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 1.0]], [1, 2])
    >>> net, cert = construct_theorem32(ds, p="inf", q=3, sigma=0.3)
    >>> net([[0.3, -0.3], [0.7, 1.3]]).tolist(), net.width <= 2 + 9
    ([1.0, 2.0], True)
    """
    theorem = "Theorem 32"
    qv = check_q(q)
    if not (math.isfinite(qv) and qv == int(qv) and qv >= 2):
        raise InvalidArgumentError(
            f"Theorem 32 is for an integer q >= 2, got q = {p_name(qv)} (q in {{1, inf}}: construct_theorem33; "
            "other q: construct_theorem31)"
        )
    qi = int(qv)
    pv, _, sigma, X, N, d, delta_q, shift = _setup(dataset, p, qv, sigma, theorem)
    tau = lowered(delta_q, (qi + 2) * d + 4)
    slack = _l_q_rounding(qv, d, shift)
    r_claim = raised(raised(c_plus_pq(pv, qv, d), 4) * sigma + slack, 2)
    par = lp_chain_parameters(tau, r_claim, d, qi, theorem=theorem, sigma=sigma, delta=delta_q)
    M = par.M
    cert = Certificate(
        construction="theorem32",
        theorem=theorem,
        p=pv,
        sigma=sigma,
        delta=delta_q,
        tau=tau,
        tau_norm=qv,
        r=par.r,
        w=par.w,
        shift=shift,
        indicator=f"l_{qi} (Lemma 38 with the power net g_{{{qi},M}}, coordinates one after the other)",
        **dataset_fields(dataset),
        claimed_width=theorem32_width(d, qi, M),
        claimed_depth=theorem32_depth(N, d, qi, M),
        depth_formula="2 + N (d (1 + power_depth(q, M)) + 4)",
        square_steps=M,
        eps_tilde=par.eps_tilde,
        square_error=power_error_bound(qi, M),
        float_slack=slack,
        notes=(f"l_{p_name(pv)} balls of radius sigma lie in l_{qi} balls of radius c+_{{p,q}}(d) sigma",),
        separation_norm=qv,
    )
    emitter = functools.partial(indicator_lp, p=qi, r=par.r, w=par.w, shift=shift, M=M)
    return chain_construction(cert, X, dataset.y, emitter, input_dim=d)


def construct_theorem35(
    dataset: Dataset,
    *,
    p: PLike,
    q: PLike,
    width: int,
    sigma: float | None = None,
    radius: Literal["theorem35"] | None = None,
    projection: ProjectionChoice | np.ndarray = "best-of-random",
    seed: int = 0,
    draws: int = 8,
    fraction: float = 0.99,
) -> Construction:
    """Theorem 35: log width for (delta_q, q)-separated data; width k in [7, d + 5], depth O(N k log k).

    * ``radius="theorem35"``: the worst-case radius sigma = a_{p,q,d} N^{-2/(k-6)} delta_q of Theorem 35;
    * ``sigma=s``: that radius;
    * neither: ``fraction`` (default 0.99) of the largest radius this dataset and projection allow.

    Guarantee: the returned network outputs y_i exactly on B_p(x_i, sigma) for every i; HypothesisError when the
    projection's image separation cannot certify sigma (module docstring).  The certificate's ``delta`` is
    delta_q and ``separation_norm`` is q.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0] * 8, [1.0] * 8], [1, 2])
    >>> net, cert = construct_theorem35(ds, p=2, q="inf", width=7, radius="theorem35")
    >>> cert.theorem, cert.separation_norm, cert.delta, net.width
    ('Theorem 35', inf, 1.0, 6)
    """
    p, q = check_p(p), check_q(q)
    d, N = dataset.d, dataset.N
    if not 0 < fraction < 1:
        raise InvalidArgumentError(f"fraction must lie in (0, 1), got {fraction!r}")
    k = _check_width(width, d)
    delta_q = dataset.separation(q).delta
    if radius is not None:
        if radius != "theorem35":
            raise InvalidArgumentError(f"radius must be 'theorem35' or None, got {radius!r}")
        if sigma is not None:
            raise InvalidArgumentError("give radius='theorem35' or sigma=..., not both")
        sigma = theorem35_radius(N, d, p, q, k) * delta_q
    P = _projection(dataset, k - 6, projection, seed, draws)
    if sigma is None:
        geo = projected_margin(dataset, P)
        sigma = _largest_sigma(geo.tau, geo.norm, p, d, fraction)
    notes = (
        f"projection: {projection if isinstance(projection, str) else 'given'} (seed {seed})",
        f"delta is the l_{p_name(q)} separation delta_q (Definition 30); Theorem 35's worst-case radius "
        f"a_{{p,q,d}} N^(-2/(k-6)) delta_q = {theorem35_radius(N, d, p, q, k) * delta_q:.6g}",
    )
    return construct_through_map(
        dataset,
        P,
        p=p,
        sigma=sigma,
        theorem="Theorem 35",
        construction="theorem35",
        notes=notes,
        separation_norm=q,
    )
