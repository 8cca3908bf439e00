"""Proposition 34: width d + 1 robust memorization with Lemma 46's rounding net, built for d = 1 (and along a
separating direction for d >= 2).

Egosi, Yehudai, Shamir (COLT 2025), Proposition 34 and its proof sketch (Appendix G): a Lipschitz interpolant g
equal to y_i on the balls, approximated within 1/4 by a width-(d+1) network N (Hanin and Sellke's theorem, depth
O((C Delta / (delta - 2 c+_{p,q}(d) sigma))^{d+1})), then f = psi o N with the rounding net psi of Lemma 46.

What is built here (width 2 <= d + 1; the approximator is explicit and exact on the balls, so the depth is
O(N + C) instead of the grid's):

1. t = <v, x> with v = (1) for d = 1, or a unit direction for d >= 2 along which the projected balls of
   differently-labelled points are apart (checked; refused otherwise -- for d >= 2 this is NOT Proposition 34's
   general statement, whose grid approximator is not implemented).  The ball B_p(x_i, sigma) projects into
   I_i = [t_i - rho, t_i + rho], rho >= ||v||_{p*} sigma + rounding (p* the dual exponent; ||v||_inf for p <= 1).
2. Runs: sort the I_i, merge overlapping intervals of equal label; consecutive runs R_1 < ... < R_m =
   [lo_j, hi_j] then have labels l_j != l_{j+1} and gaps G_j = lo_{j+1} - hi_j > 0.
3. Staircase h (Lemma 46's recursion with general ramps): h_1 = 1, h_{j+1} = min(j + 1, max(h_j, L_j(t))),
   L_j(t) = 1 + j (t - a_j) / (b_j - a_j), a_j = hi_j + G_j / 4, b_j = lo_{j+1} - G_j / 4.  Invariant: 1 <= h_j <= j,
   h_j = i on R_i (i <= j) and h_j = j on [lo_j, inf).  Step: left of a_j, L_j <= 1 <= h_j, so h_{j+1} = h_j
   (R_1..R_j lie there); right of b_j, L_j >= j + 1 >= h_j, so h_{j+1} = j + 1 (R_{j+1} lies there); between,
   h_{j+1} is in [j, j + 1].  Margins: L_j <= 1/2 on R_j and L_j >= j + 3/2 on R_{j+1}, so the weights' float64
   rounding cannot move a plateau (h = j exactly on R_j for the exact network).
4. phi with phi(j) = l_j at the integers, phi = max/min of phi_j with one affine A (integer slope and intercept)
   per label change: invariant 1 <= phi_j <= C on [1, j], phi_j(i) = l_i (i <= j), phi_j = A_j on [j, inf),
   |slope A_j| <= C - 1.  If A_j(j+1) < l_{j+1}: phi_{j+1} = max(phi_j, A) with A(h) = l_{j+1} + S (h - j - 1),
   S = max(l_{j+1} - 1, slope A_j, 0): A <= 1 on [1, j] and A >= A_j on [j+1, inf).  Symmetrically with min,
   S = max(C - l_{j+1}, -slope A_j, 0), when A_j(j+1) > l_{j+1}; nothing when equal.
5. f = psi_C(phi(h)) (:func:`~robustmem.gadgets.rounding_net.emit_rounding`): phi(h) = l_j exactly on R_j, and psi_C
   returns m on [m - 1/4, m + 1/4], so f = y_i on every ball (and psi absorbs float64 rounding of phi(h) below 1/4).

Every map has two neurons (t carried and one state neuron; then h and one state neuron; then psi's two, 3C maps).  Proven
by the docstring's induction and checked by the tests with exact arithmetic and the MILP / CROWN certifiers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from robustmem.bounds.appendix_e import check_q, proposition34_depth_scale
from robustmem.certificate import Certificate, Construction
from robustmem.construct.appendix_e import lq_radius_check
from robustmem.construct.certified_chain import dataset_fields
from robustmem.construct.common import U, check_sigma, raised
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.rounding_net import emit_rounding, rounding_depth
from robustmem.network.builder import Builder, Coef, Expr
from robustmem.network.network import ReLUNetwork
from robustmem.norms import PLike, check_p

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["Runs", "construct_proposition34", "proposition34_runs"]

MAX_DEPTH = 100_000


@dataclass(frozen=True)
class Runs:
    """Consecutive runs [lo_j, hi_j] of projected balls, their labels (l_j != l_{j+1}), the direction and rho."""

    lo: tuple[float, ...]
    hi: tuple[float, ...]
    labels: tuple[int, ...]
    direction: tuple[float, ...]
    rho: float


def _dual_norm(v: np.ndarray, p: float) -> float:
    a = np.abs(v)
    if p <= 1.0:
        return float(a.max())
    if math.isinf(p):
        return float(a.sum())
    ps = p / (p - 1.0)
    return float((a**ps).sum() ** (1.0 / ps))


def proposition34_runs(dataset: Dataset, direction: np.ndarray, *, p: float, sigma: float) -> Runs:
    """The runs of step 2 (module docstring) along ``direction``; HypothesisError when two differently-labelled
    projected balls overlap (names the points and the gap)."""
    X = np.asarray(dataset.X, dtype=np.float64)
    v = np.asarray(direction, dtype=np.float64)
    d = X.shape[1]
    if v.shape != (d,) or not np.isfinite(v).all() or not np.any(v):
        raise InvalidArgumentError(f"the direction must be a finite non-zero vector of length {d}, got {v.shape}")
    t = X @ v
    err = raised(d * U / (1 - d * U) * float((np.abs(X) @ np.abs(v)).max(initial=0.0)), 4)
    rho = raised(_dual_norm(v, p) * sigma, 4 * d + 8) + 2 * err
    order = np.argsort(t, kind="stable")
    y = np.asarray(dataset.y)
    lo: list[float] = []
    hi: list[float] = []
    lab: list[int] = []
    first: list[int] = []
    for i in order:
        a, b = float(t[i] - rho), float(t[i] + rho)
        a, b = float(np.nextafter(a, -math.inf)), float(np.nextafter(b, math.inf))
        if lab and lab[-1] == int(y[i]):
            hi[-1] = max(hi[-1], b)
            continue
        if lab and not a > hi[-1]:
            raise HypothesisError(
                f"Proposition 34 along this direction: the projected balls of points {first[-1]} (label {lab[-1]}) and "
                f"{int(i)} (label {int(y[i])}) overlap (gap {a - hi[-1]:.3g} <= 0 with rho = {rho:.6g})"
            )
        lo.append(a)
        hi.append(b)
        lab.append(int(y[i]))
        first.append(int(i))
    return Runs(tuple(lo), tuple(hi), tuple(lab), tuple(float(c) for c in v), rho)


def _phi_ops(labels: tuple[int, ...], C: int) -> list[tuple[str, int, int]]:
    """(kind, intercept at j + 1, slope) per label change (step 4); kind 'max' or 'min'; j is the op's run index."""
    ops: list[tuple[str, int, int]] = []
    a0, s = labels[0], 0  # A_1(h) = l_1
    at = 1  # A_j(h) = a0 + s (h - at)
    for j in range(1, len(labels)):
        v = a0 + s * (j + 1 - at)
        nxt = labels[j]
        if v < nxt:
            S = max(nxt - 1, s, 0)
            ops.append(("max", nxt, S))
        elif v > nxt:
            S = -max(C - nxt, -s, 0)
            ops.append(("min", nxt, S))
        else:
            ops.append(("none", nxt, s))
            continue
        a0, s, at = nxt, S, j + 1
    return ops


def _build(runs: Runs, C: int, shift: float, d: int) -> tuple[ReLUNetwork, int]:
    m = len(runs.labels)
    b = Builder([f"x{j}" for j in range(d)], raw_inputs=True)
    v = runs.direction
    u = Expr({f"x{j}": Coef(v[j]) for j in range(d) if v[j] != 0.0}) + shift  # u = t + B >= 0 on the balls
    if m == 1:
        b.output(Expr(const=float(runs.labels[0])))
        return ReLUNetwork.from_builder(b), 0
    ts, q = "t", "q"
    q_now: Expr = Expr()
    for j in range(1, m):
        G = runs.lo[j] - runs.hi[j - 1]
        a, bb = runs.hi[j - 1] + G / 4 + shift, runs.lo[j] - G / 4 + shift
        slope = 1.0 / (bb - a)
        if j == 1:
            b.layer({ts: u, q: (1.0 + (j * slope) * (u - a)) - 1.0})
            top = 1.0 + b.v(q)
        else:
            L = 1.0 + (j * slope) * (b.v(ts) - a)
            b.layer({q: (j - q_now) - L})
            top = L + b.v(q)
        last = j == m - 1
        b.layer({q: (j + 1.0) - top}, drop=[ts] if last else [], temp_names=[q] if last else [])
        q_now = b.v(q)
    h = float(m) - q_now  # the staircase, in [1, m]
    ops = _phi_ops(runs.labels, C)
    active = [(j, op) for j, op in enumerate(ops, start=1) if op[0] != "none"]
    hs, q2 = "h", "phi"
    phi: Expr = Expr(const=float(runs.labels[0]))
    h_expr = h
    for n, (j, (kind, val, S)) in enumerate(active):
        A = val + S * (h_expr - (j + 1))
        new = {q2: (phi - A) if kind == "max" else (A - phi)}
        if n == 0:
            new[hs] = h
        last = n == len(active) - 1
        b.layer(new, temp_names=[q2, hs] if last else [])
        h_expr = b.v(hs)
        phi = (val + S * (h_expr - (j + 1))) + (b.v(q2) if kind == "max" else -b.v(q2))
    n_phi = len(active)
    out = emit_rounding(b, phi, C, "psi")
    b.output(out)
    return ReLUNetwork.from_builder(b), n_phi


def _find_runs(
    dataset: Dataset, *, p: float, sigma: float, direction: np.ndarray | None, seed: int, draws: int, scale: float
) -> tuple[Runs, str]:
    """The runs along the given direction (d = 1: v = (1)), else along the first of ``draws`` random unit
    directions that keeps differently-labelled projected balls apart; with how the direction was chosen."""
    d = dataset.d
    if d == 1 or direction is not None:
        runs = proposition34_runs(dataset, np.ones(1) if direction is None else direction, p=p, sigma=sigma)
        return runs, "d = 1" if direction is None else "the given direction"
    rng = np.random.default_rng(seed)
    best: HypothesisError | None = None
    for _ in range(draws):
        raw = rng.normal(size=d)
        vec = np.asarray(raw / np.linalg.norm(raw), dtype=np.float64)
        try:
            return proposition34_runs(dataset, vec, p=p, sigma=sigma), f"a random direction (seed {seed})"
        except HypothesisError as exc:
            best = exc
    raise HypothesisError(
        f"Proposition 34 for d = {d}: none of {draws} random directions separates the projected balls "
        f"({best}); the proof's width-(d+1) grid approximator, of predicted depth scale (C Delta/(delta_q - "
        f"2 c+_{{p,q}}(d) sigma))^(d+1) = {scale:.3g}, is not implemented"
    )


def _certificate(
    dataset: Dataset,
    runs: Runs,
    *,
    p: float,
    q: float,
    sigma: float,
    delta_q: float,
    shift: float,
    n_phi: int,
    how: str,
    scale: float,
) -> Certificate:
    """The claim of :func:`construct_proposition34`: B_p(x_i, sigma) through the staircase of the m runs."""
    m = len(runs.labels)
    C = int(np.max(dataset.y))
    return Certificate(
        construction="proposition34",
        theorem="Proposition 34",
        p=p,
        sigma=sigma,
        delta=delta_q,
        tau=min((runs.lo[j] - runs.hi[j - 1] for j in range(1, m)), default=math.inf),
        tau_norm=2.0,
        r=runs.rho,
        w=0.0,
        shift=shift,
        indicator="none: staircase h, label map phi, rounding net psi_C (Lemma 46)",
        **dataset_fields(dataset),
        claimed_width=0 if m == 1 else 2,
        claimed_depth=1 if m == 1 else 2 * (m - 1) + n_phi + rounding_depth(C) + 1,
        depth_formula="2 (m - 1) + (label changes of phi) + 3C + 1, m = number of runs",
        notes=(
            f"projected along {how}; {m} runs, projected radius rho = {runs.rho:.6g}",
            f"Proposition 34's depth scale (C Delta/(delta_q - 2 c+ sigma))^(d+1) = {scale:.3g} (the proof's grid)",
        ),
        separation_norm=q,
    )


def construct_proposition34(
    dataset: Dataset,
    *,
    p: PLike,
    q: PLike = 2,
    sigma: float,
    direction: np.ndarray | None = None,
    seed: int = 0,
    draws: int = 64,
    max_depth: int = MAX_DEPTH,
) -> Construction:
    """Proposition 34: width d + 1 (here 2), f = psi_C o phi o h (module docstring), for (delta_q, q)-separated data.

    Guarantee: the network outputs exactly y_i on B_p(x_i, sigma) for every i (module docstring's induction).
    d = 1: every sigma/delta_q < 1/(2 c+_{p,q}(1)) = 1/2 (Proposition 34's range).  d >= 2: only along a direction
    (given, or the best of ``draws`` random ones) that keeps differently-labelled projected balls apart; else
    HypothesisError naming Proposition 34's predicted depth scale (C Delta/(delta_q - 2 c+ sigma))^{d+1}, since the
    general grid approximator of the proof is not implemented.  ``max_depth`` refuses deeper networks.

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0], [1.0], [2.0], [3.0]], [2, 1, 3, 1])
    >>> net, cert = construct_proposition34(ds, p=2, sigma=0.4)
    >>> net([[0.4], [0.6], [2.39], [3.4]]).tolist(), net.width
    ([2.0, 1.0, 3.0, 1.0], 2)
    """
    p, qv, sigma = check_p(p), check_q(q), check_sigma(sigma)
    X = np.asarray(dataset.X, dtype=np.float64)
    d = X.shape[1]
    C = int(np.max(dataset.y))
    delta_q = dataset.separation(qv).delta
    lq_radius_check("Proposition 34", sigma, delta_q, p, qv, d)
    Delta = float(np.linalg.norm(X, axis=1).max(initial=0.0))
    scale = proposition34_depth_scale(C, Delta, delta_q, sigma, p, qv, d) if math.isfinite(delta_q) else 0.0
    runs, how = _find_runs(dataset, p=p, sigma=sigma, direction=direction, seed=seed, draws=draws, scale=scale)
    shift = float(2.0 ** math.ceil(math.log2(max(abs(v) for v in runs.lo + runs.hi) + 2.0)))
    predicted = 2 * (len(runs.labels) - 1) + len(runs.labels) + rounding_depth(C) + 1
    if predicted > max_depth:
        raise HypothesisError(
            f"Proposition 34's network would have about {predicted} maps, above max_depth = {max_depth}"
        )
    net, n_phi = _build(runs, C, shift, d)
    cert = _certificate(
        dataset, runs, p=p, q=qv, sigma=sigma, delta_q=delta_q, shift=shift, n_phi=n_phi, how=how, scale=scale
    )
    net.meta.update({"construction": "proposition34", "certificate": cert.to_dict()})
    if (net.width, net.depth) != (cert.claimed_width, cert.claimed_depth):
        raise AssertionError(f"built {net.width} x {net.depth}, claimed {cert.claimed_width} x {cert.claimed_depth}")
    return Construction(net, cert)
