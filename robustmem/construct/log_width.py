"""Logarithmic width: Theorem 7, Theorem 16 and Remark 11.

Theorem 7 recipe (its proof in Appendix B.2: Theorem 18 with k - 6, then Lemma 21 and Theorem 16):
k' = k - 6; P is a k' x d matrix with orthonormal rows; the network's first affine map computes
u = P x + B (the projection is folded into it), and the chain of Theorem 37 with the l_2 indicators
of Lemma 38 memorizes the projected centres c_i = P x_i.
Because P is 1-Lipschitz and B_p(x, sigma) lies in B_2(x, c+_p(d) sigma), the images of the balls
lie in l_2 balls of radius sigma' = c+_p(d) sigma around the c_i, so the network is correct as soon
as tau = min_{y_i != y_j} ||c_i - c_j||_2 > 2 sigma' (after floating-point slack).  Width k' + 6.

Floating point (every slack enlarges r, i.e. weakens the claim):
* ||P||_2 <= sqrt(1 + e) with e >= ||P P^T - I||_2 computed and raised;
* the centres c_i = fl(P x_i) and the network's fl(P x) differ from the exact products by at most
  gamma_d ||x||_2 ||P||_2 per coordinate (gamma_d = d u / (1 - d u), the dot-product bound);
* the carry shift's rounding as in :mod:`robustmem.construct.common`.

Entry points: :func:`construct_log_width` (ask for a width, a radius, or the worst-case radii of
Theorem 7 / Remark 10), :func:`construct_theorem16` (a given linear map M), and
:func:`construct_remark11` (sigma = 0, width 7).
"""

from __future__ import annotations

import functools
import hashlib
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from robustmem.bounds.radii import remark10_radius, theorem7_radius
from robustmem.certificate import Certificate, Construction
from robustmem.construct.certified_chain import chain_construction, dataset_fields
from robustmem.construct.common import (
    U,
    carry_shift,
    check_sigma,
    check_two_classes,
    lowered,
    raised,
    resolve_sigma,
)
from robustmem.construct.large_width import L2ChainParameters, l2_chain_parameters, l2_chain_width
from robustmem.data.separation_near import min_separation_near
from robustmem.errors import HypothesisError, InvalidArgumentError, NotSeparatedError
from robustmem.gadgets.indicators import indicator_l2
from robustmem.gadgets.squaring import square_error_bound
from robustmem.norms import c_plus, check_p

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = [
    "MapSetup",
    "ProjectedMargin",
    "ProjectionChoice",
    "choose_projection",
    "construct_log_width",
    "construct_remark11",
    "construct_theorem16",
    "construct_through_map",
    "map_setup",
    "projected_margin",
]

ProjectionChoice = Literal["random", "best-of-random", "optimize", "anneal", "auto"]

#: "auto" anneals from PCA (and keeps the best of that and best-of-random) when N <= AUTO_ANNEAL_MAX_N; above,
#: it is "best-of-random".  Cost on digits (N = 1797, d = 64, rank 10-14): about 10-40 s (issue 14).
AUTO_ANNEAL_MAX_N: int = 2000
#: projected dimensions up to which the separation of the centres uses the KD-tree search (above it KD-trees
#: visit most nodes: 26 dimensions at N = 2 10^4 took 80 s against a few for the block scan, measured)
_NEAR_MAX_K = 12
_MARGINS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dataset -> {sha256 of M: ProjectedMargin}


def _gamma(n: int) -> float:
    return n * U / (1.0 - n * U)


def _check_width(k: int, d: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise InvalidArgumentError(f"width must be an integer, got {k!r}")
    if k < 7:
        raise HypothesisError(f"the log-width construction needs width k >= 7 (k' = k - 6 >= 1), got k = {k}")
    if k > d + 5:
        raise HypothesisError(
            f"Theorem 7 is for 7 <= k <= d + 5 = {d + 5}, got k = {k}; for k >= d + 6 use construct_theorem5"
        )
    return int(k)


def choose_projection(
    dataset: Dataset,
    k_proj: int,
    *,
    strategy: ProjectionChoice = "best-of-random",
    seed: int = 0,
    draws: int = 8,
    iterations: int = 60,
) -> np.ndarray:
    """A k_proj x d projection with orthonormal rows, by strategy:
    "random" (one Haar draw), "best-of-random" (the draw with the largest tau among ``draws``),
    "optimize" (gradient ascent on the Grassmannian from the best draw; never worse than it),
    "anneal" (:func:`robustmem.projection.anneal.anneal_projection` from PCA: ascent with a falling
    temperature), "auto" (the larger exact tau of "anneal" and "best-of-random" when N <= AUTO_ANNEAL_MAX_N,
    else "best-of-random"; never worse than "best-of-random")."""
    from robustmem.projection import best_of_random, haar_projection, optimize_projection
    from robustmem.projection.anneal import anneal_projection

    if strategy == "anneal":
        return np.array(anneal_projection(dataset, k_proj, seed=seed, start="pca").P)
    if strategy == "auto":
        rand = best_of_random(dataset, k_proj, m=draws, seed=seed)
        if dataset.N > AUTO_ANNEAL_MAX_N:
            return np.array(rand.P)
        ann = anneal_projection(dataset, k_proj, seed=seed, start="pca")
        return np.array(ann.P if ann.report.tau >= rand.report.tau else rand.P)

    if strategy == "random":
        return np.array(haar_projection(dataset.d, k_proj, seed=seed))
    if strategy == "best-of-random":
        return np.array(best_of_random(dataset, k_proj, m=draws, seed=seed).P)
    if strategy == "optimize":
        return np.array(optimize_projection(dataset, k_proj, seed=seed, iterations=iterations).P)
    raise InvalidArgumentError(
        f"projection strategy must be 'random', 'best-of-random', 'optimize', 'anneal' or 'auto', got {strategy!r}"
    )


@dataclass(frozen=True)
class ProjectedMargin:
    """The geometry of the images c_i = fl(M x_i) of a dataset under a linear map M (:func:`projected_margin`).

    centers: the float64 centres fl(X M^T), shape (N, k).
    tau: a lower bound (rounded down) of the exact minimum l_2 distance between differently-labelled centres.
    norm: an upper bound (rounded up) of the spectral norm ||M||_2.
    x_norm: max_i ||x_i||_2 over the data.
    pair: a pair (i, j), i < j, of differently-labelled points whose centres attain the float minimum
        distance; (-1, -1) when the dataset has a single label.
    raw_tau: that float minimum distance, before it is rounded down into ``tau`` (inf for a single label).
    """

    centers: np.ndarray
    tau: float
    norm: float
    x_norm: float
    pair: tuple[int, int]
    raw_tau: float


@dataclass(frozen=True)
class MapSetup:
    """The checked inputs of a chain over the images M x_i (:func:`map_setup`).

    p, sigma: the validated norm exponent and radius of the claim B_p(x_i, sigma).
    M: the map as a finite float64 (k, d) array.
    geometry: :func:`projected_margin` of the dataset under M.
    sigma_projected: sigma' = c+_p(d) sigma, the l_2 radius of the l_p ball.
    shift: the carry shift for |(M x)_j| <= ||M|| (max ||x_i|| + sigma') over the balls.
    rho_proj: the per-coordinate rounding of M x (the centres and the network each round it once).
    """

    p: float
    sigma: float
    M: np.ndarray
    geometry: ProjectedMargin
    sigma_projected: float
    shift: float
    rho_proj: float


def projected_margin(dataset: Dataset, M: np.ndarray) -> ProjectedMargin:
    """Centres c = fl(X M^T), their certified l_2 separation tau, ||M||_2 and max ||x_i||_2.

    Returns a :class:`ProjectedMargin`: tau is a lower bound for the exact min distance between
    differently-labelled centres, norm an upper bound of ||M||_2.  Computed once per (dataset, M): the result
    is immutable and kept while the dataset lives.
    """
    X = np.asarray(dataset.X, dtype=np.float64)
    M = np.asarray(M, dtype=np.float64)
    try:  # the same (dataset, map) twice in one construction: computed once (a Dataset is immutable)
        memo = _MARGINS.setdefault(dataset, {})
    except TypeError:  # not weak-referenceable: no memo
        memo = {}
    key = hashlib.sha256(np.ascontiguousarray(M).tobytes() + repr(M.shape).encode()).hexdigest()
    if key not in memo:
        memo[key] = _projected_margin(dataset, X, M)
    return memo[key]


def _projected_margin(dataset: Dataset, X: np.ndarray, M: np.ndarray) -> ProjectedMargin:
    from robustmem.data import Dataset

    C = X @ M.T
    try:
        centres = Dataset(C, dataset.y)
        # neighbour search (near-linear for the k' projected dimensions), equal to the block scan
        sep = min_separation_near(C, dataset.y, 2.0) if M.shape[0] <= _NEAR_MAX_K else centres.separation(2.0)
    except NotSeparatedError as exc:
        raise HypothesisError(f"the map collapses differently-labelled points: {exc}") from exc
    k = M.shape[0]
    tau = lowered(sep.delta, 2 * k + 2)
    sv = np.linalg.norm(M, 2)
    norm = raised(float(sv), 4 * M.shape[1] + 8)
    step = 1 << 14  # row norms by chunks (the same values): no N x d temporary
    x_norm = max(
        (float(np.linalg.norm(X[a : a + step], axis=1).max()) for a in range(0, X.shape[0], step)), default=0.0
    )
    return ProjectedMargin(centers=C, tau=tau, norm=norm, x_norm=x_norm, pair=(sep.i, sep.j), raw_tau=sep.delta)


def map_setup(dataset: Dataset, M: np.ndarray, *, p: float, sigma: float) -> MapSetup:
    """The checked inputs of a chain over the images M x_i (a :class:`MapSetup`, fields documented there)."""
    p = check_p(p)
    sigma = check_sigma(sigma)
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[1] != dataset.d or not np.isfinite(M).all():
        raise InvalidArgumentError(f"the map must be a finite (k, {dataset.d}) matrix, got shape {M.shape}")
    geo = projected_margin(dataset, M)
    sig_proj = c_plus(p, dataset.d) * sigma
    reach = geo.norm * (geo.x_norm + sig_proj)  # bound on |(M x)_j| over the balls
    shift = carry_shift(reach, 0.0)
    rho_proj = 2.0 * _gamma(dataset.d) * reach
    return MapSetup(p, sigma, M, geo, sigma_projected=sig_proj, shift=shift, rho_proj=rho_proj)


def construct_through_map(
    dataset: Dataset,
    M: np.ndarray,
    *,
    p: float,
    sigma: float,
    theorem: str,
    construction: str,
    notes: tuple[str, ...] = (),
    compute_delta: bool = True,
    separation_norm: float = 2.0,
) -> Construction:
    """The chain over the images c_i = M x_i, M folded into the first map (Theorems 7, 16 and 35).

    Claim: output y_i on B_p(x_i, sigma) for every i; holds when tau > 2 r with
    r >= ||M||_2 c+_p(d) sigma + rounding (checked; HypothesisError otherwise).  ``separation_norm`` is the
    q in which the reported delta is measured (Theorem 35's l_q separation; it does not enter the claim).
    """
    check_two_classes(dataset, theorem)
    setup = map_setup(dataset, M, p=p, sigma=sigma)
    # delta is only reported (sigma/delta); the network's correctness rests on tau and r alone.
    delta = dataset.separation(separation_norm).delta if compute_delta else math.nan
    if not compute_delta:
        notes = notes + ("delta not computed (compute_delta=False): sigma/delta is unknown",)
    par = _image_chain_parameters(setup, theorem=theorem, delta=delta)
    cert = _image_certificate(
        dataset,
        setup,
        par,
        delta=delta,
        theorem=theorem,
        construction=construction,
        notes=notes,
        separation_norm=separation_norm,
    )
    emitter = functools.partial(indicator_l2, r=par.r, w=par.w, shift=setup.shift, M=par.M)
    return chain_construction(cert, setup.geometry.centers, dataset.y, emitter, input_dim=dataset.d, matrix=setup.M)


def _image_chain_parameters(setup: MapSetup, *, theorem: str, delta: float) -> L2ChainParameters:
    """The Lemma 38 chain's numbers in the image space R^k: r covers ||M|| sigma' plus sqrt(k) times the
    rounding of M x (the centres' and the network's), then the input rounding (:func:`l2_chain_parameters`)."""
    geo, k = setup.geometry, setup.M.shape[0]
    r_claim = raised(geo.norm * setup.sigma_projected + math.sqrt(k) * setup.rho_proj, 8)
    return l2_chain_parameters(
        geo.tau,
        r_claim,
        k,
        setup.shift,
        theorem=theorem,
        sigma=setup.sigma,
        delta=delta,
        n_terms=int(np.count_nonzero(setup.M, 1).max()),
    )


def _image_certificate(
    dataset: Dataset,
    setup: MapSetup,
    par: L2ChainParameters,
    *,
    delta: float,
    theorem: str,
    construction: str,
    notes: tuple[str, ...],
    separation_norm: float,
) -> Certificate:
    """The claim of :func:`construct_through_map`: B_p(x_i, sigma), through the chain in the image space."""
    geo, k, Mstep = setup.geometry, setup.M.shape[0], par.M
    return Certificate(
        construction=construction,
        theorem=theorem,
        p=setup.p,
        sigma=setup.sigma,
        delta=delta,
        tau=geo.tau,
        tau_norm=2.0,
        r=par.r,
        w=par.w,
        shift=setup.shift,
        indicator="l2 (Lemma 38, squaring net) in the image space",
        **dataset_fields(dataset),
        claimed_width=l2_chain_width(k, Mstep),
        claimed_depth=2 + dataset.N * (k * (Mstep + 1) + 4),
        depth_formula="2 + N (k' (M + 1) + 4)",
        square_steps=Mstep,
        eps_tilde=par.eps_tilde,
        square_error=square_error_bound(Mstep),
        float_slack=par.r - geo.norm * setup.sigma_projected,
        projection=tuple(tuple(float(v) for v in row) for row in setup.M),
        sigma_projected=setup.sigma_projected,
        notes=notes + (f"||M||_2 <= {geo.norm:.17g}; image separation tau = {geo.tau:.6g}",),
        separation_norm=separation_norm,
    )


def _largest_sigma(tau: float, norm: float, p: float, d: int, fraction: float) -> float:
    """``fraction`` of the supremum tau / (2 ||M|| c+_p(d)) of the radii the margin allows."""
    return fraction * tau / (2.0 * norm * c_plus(p, d))


def construct_log_width(
    dataset: Dataset,
    *,
    p: float,
    width: int | None = None,
    sigma: float | None = None,
    sigma_over_delta: float | None = None,
    radius: Literal["theorem7", "remark10"] | None = None,
    projection: ProjectionChoice | np.ndarray = "auto",
    seed: int = 0,
    draws: int = 8,
    fraction: float = 0.99,
    compute_delta: bool = True,
) -> Construction:
    """Theorem 7: width k in [7, d + 5], depth O(N k log k); three ways to ask.

    * ``width=k`` alone: certify ``fraction`` (default 0.99) of the largest radius this dataset and
      projection allow, sup sigma = tau / (2 ||P|| c+_p(d)).
    * ``sigma=s`` alone: the smallest width k in [7, d + 5] whose projection (chosen by
      ``projection``) certifies s; HypothesisError when none does.
    * ``width=k, radius="theorem7"`` or ``"remark10"``: the worst-case radius of Theorem 7,
      sigma = a_{p,d} N^{-2/(k-6)} delta, or of Remark 10 (times sqrt(k - 6)).
    * ``width=k, sigma=s``: that width and that radius.

    Wherever ``sigma=s`` appears, ``sigma_over_delta=t`` may stand instead (sigma = t delta, delta
    the l_2 separation of Definition 2); giving both is an error.

    ``compute_delta=False`` skips the O(N^2 d) l_2 separation of the input (it only serves to
    report sigma/delta; allowed with ``width=k`` and no ``radius``).

    Guarantee: the returned network outputs y_i exactly on B_p(x_i, sigma) for every i (its
    certificate records P, tau, sigma' = c+_p(d) sigma, r, w and the claimed width and depth).
    """
    p = check_p(p)
    check_two_classes(dataset, "Theorem 7")
    sigma = resolve_sigma(dataset, sigma, sigma_over_delta, required=False)
    if not 0 < fraction < 1:
        raise InvalidArgumentError(f"fraction must lie in (0, 1), got {fraction!r}")
    if not compute_delta and (radius is not None or width is None):
        raise InvalidArgumentError("compute_delta=False needs width=k and no radius= (those use delta)")
    delta = dataset.separation(2.0).delta if compute_delta else math.nan
    if width is None and sigma is None:
        raise InvalidArgumentError("give width=..., sigma=... (or sigma_over_delta=...), or both")
    if radius is not None:
        sigma = _worst_case_sigma(dataset, radius, width=width, sigma=sigma, p=p, delta=delta)
    if width is not None:
        k = _check_width(width, dataset.d)
        P = _projection(dataset, k - 6, projection, seed, draws)
        if sigma is None:
            geo = projected_margin(dataset, P)
            sigma = _largest_sigma(geo.tau, geo.norm, p, dataset.d, fraction)
        notes = (f"projection: {projection if isinstance(projection, str) else 'given'} (seed {seed})",)
        return construct_through_map(
            dataset,
            P,
            p=p,
            sigma=sigma,
            theorem="Theorem 7",
            construction="log-width",
            notes=notes,
            compute_delta=compute_delta,
        )
    assert sigma is not None  # width is None here, so sigma was given (neither given raised above)
    return _smallest_width(
        dataset, p=p, sigma=check_sigma(sigma), delta=delta, projection=projection, seed=seed, draws=draws
    )


def _worst_case_sigma(
    dataset: Dataset, radius: str, *, width: int | None, sigma: float | None, p: float, delta: float
) -> float:
    """The worst-case radius of Theorem 7 (a_{p,d} N^{-2/(k-6)} delta) or Remark 10 at ``width``."""
    if width is None or sigma is not None:
        raise InvalidArgumentError("radius='theorem7'/'remark10' needs width=k and no sigma")
    k = _check_width(width, dataset.d)
    form = theorem7_radius if radius == "theorem7" else remark10_radius if radius == "remark10" else None
    if form is None:
        raise InvalidArgumentError(f"radius must be 'theorem7' or 'remark10', got {radius!r}")
    return form(dataset.N, dataset.d, p, k) * delta


def _smallest_width(
    dataset: Dataset,
    *,
    p: float,
    sigma: float,
    delta: float,
    projection: ProjectionChoice | np.ndarray,
    seed: int,
    draws: int,
) -> Construction:
    """The first width k = 7, 8, ..., d + 5 whose projection certifies ``sigma``; HypothesisError if none does."""
    d = dataset.d
    failures = []
    for k in range(7, d + 6):
        P = _projection(dataset, k - 6, projection, seed, draws)
        try:
            return construct_through_map(
                dataset,
                P,
                p=p,
                sigma=sigma,
                theorem="Theorem 7",
                construction="log-width",
                notes=(f"smallest width in [7, {d + 5}] certifying sigma (searched upward)",),
            )
        except HypothesisError as exc:
            failures.append(f"k={k}: {exc}")
    raise HypothesisError(
        f"no width k in [7, {d + 5}] certifies sigma = {sigma!r} (sigma/delta = {sigma / delta:.6g}) with "
        f"projection strategy {projection!r}; last reason: {failures[-1] if failures else 'none'}"
    )


def _projection(dataset: Dataset, k_proj: int, projection, seed: int, draws: int) -> np.ndarray:
    if isinstance(projection, np.ndarray):
        P = np.asarray(projection, dtype=np.float64)
        if P.shape != (k_proj, dataset.d):
            raise InvalidArgumentError(f"the projection must have shape ({k_proj}, {dataset.d}), got {P.shape}")
        return P
    return choose_projection(dataset, k_proj, strategy=projection, seed=seed, draws=draws)


def construct_theorem16(
    dataset: Dataset, M: np.ndarray, *, p: float, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Theorem 16: memorize through a given linear map M (k x d) with ||M||_2 < delta / (2 sigma').

    sigma' = c+_p(d) sigma.  Width k + 6.  The hypothesis on ||M||_2 is checked (HypothesisError);
    the network is then correct when the image balls are apart, tau > 2 ||M|| sigma' (checked).
    ``sigma`` or ``sigma_over_delta`` (a fraction of the l_2 separation delta): exactly one.
    """
    p, sigma = check_p(p), resolve_sigma(dataset, sigma, sigma_over_delta)
    delta = dataset.separation(2.0).delta
    norm = float(np.linalg.norm(np.asarray(M, dtype=np.float64), 2))
    sig_p = c_plus(p, dataset.d) * sigma
    if sig_p > 0 and not norm < delta / (2.0 * sig_p):
        raise HypothesisError(
            f"Theorem 16 needs ||M||_2 < delta / (2 sigma') = {delta / (2 * sig_p):.6g}; got ||M||_2 = {norm:.6g}"
        )
    return construct_through_map(dataset, M, p=p, sigma=sigma, theorem="Theorem 16", construction="theorem16")


def construct_remark11(dataset: Dataset, *, seed: int = 0, draws: int = 8) -> Construction:
    """Remark 11: sigma = 0 gives width 7 (exact, non-robust memorization at constant width).

    Projects onto one direction (the best of ``draws`` Haar draws) and memorizes the projected
    points with the width-7 chain; certified at sigma = 0 (the points themselves).
    """
    P = _projection(dataset, 1, "best-of-random", seed, draws)
    return construct_through_map(dataset, P, p=2.0, sigma=0.0, theorem="Remark 11", construction="remark11")
