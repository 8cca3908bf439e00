"""CROWN back-substitution: rigorous linear lower bounds of a layer's neurons through a window of layers.

Notation: layer t computes z_t = W_t h_{t-1} + b_t and h_t = relu(z_t); h_0 = x.  Every pre-activation z_t
of the window has rigorous bounds l_t <= z_t <= u_t (computed earlier, forward).  A *linear lower bound* of
targets T (rows r) is a pair (C, d) with T_r >= sum_j C_rj v_j + d_r for every reachable v; it starts as
(I, 0) on z_k (and (-I, 0) for upper bounds, negated at the end) and is pushed backwards:

* through an affine map: C z_t = M h_{t-1} + C b_t + (C W_t - M) h_{t-1} with M = fl(C W_t); the last term
  is >= -E |h|_max, E the matrix-product error bound of :func:`~robustmem.certify.rounding.enclose_matmul`
  (zero where the product is exact) and |h|_max = relu(u_{t-1}) (or max |x| on the input box);
* through a ReLU h = relu(z), z in [l, u] (Zhang et al., "Efficient Neural Network Robustness Certification
  with General Activation Functions", NeurIPS 2018): stable neurons exactly (h = z or h = 0); an unstable
  neuron with C_rj >= 0 uses h >= alpha z with the adaptive alpha = 1 if u >= -l else 0 (exact); with
  C_rj < 0 it uses h <= s (z - l), where s = up(u / down(u - l)) >= u / (u - l) keeps the line above the
  ReLU on [l, u].  The float product C_rj s = P + e is split by TwoProduct and e (z - l) >= -|e| (u - l) is
  moved into the constant;
* at the start of the window: on the input ball, C x >= C x_0 - sigma ||C_r||_q (q the dual exponent); on
  the box [relu(l), relu(u)] of an earlier layer's output, C h >= C^+ relu(l) + C^- relu(u).

Every prefix of the window (the layers k..t) also ends on a box, so the bound of each prefix is valid and the
best of them is returned: a longer window is never worse than a shorter one for the same earlier bounds.

Why a window stays sound: every reachable h_{t-1} lies in its box, so bounding C h over the box bounds it
over the reachable set; a short window only loses the correlations that the box forgets.
Every constant is accumulated with directed rounding (:mod:`robustmem.certify.rounding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from robustmem.certify.rounding import (
    ETA,
    Parts,
    add_down,
    add_up,
    dual_norm_up,
    enclose_matmul,
    mul_up,
    parts,
    two_product,
    up,
)

__all__ = ["Ball", "Frame", "backsubstitute", "relax_relu"]


@dataclass(frozen=True, eq=False)
class Frame:
    """Layer t of a window: the map (W, b), the rigorous bounds (P, m) of its pre-activation z_t, and the
    matrix [W | b] with its cached :func:`~robustmem.certify.rounding.parts` (build with :meth:`of`)."""

    W: np.ndarray
    b: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    Wb: np.ndarray
    Wb_parts: Parts

    @staticmethod
    def of(W: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> Frame:
        Wb = np.concatenate([W, b[:, None]], axis=1)
        return Frame(W, b, lower, upper, Wb, parts(Wb))

    def with_bounds(self, lower: np.ndarray, upper: np.ndarray) -> Frame:
        return Frame(self.W, self.b, lower, upper, self.Wb, self.Wb_parts)

    def rows(self, sl: slice | np.ndarray) -> Frame:
        return self.with_bounds(self.lower[sl], self.upper[sl])


@dataclass(frozen=True, eq=False)
class Ball:
    """The input balls B_p(centers[i], sigma), with their enclosing box and a bound on |x| (all (P, d))."""

    centers: np.ndarray
    p: float
    sigma: float
    box_lower: np.ndarray
    box_upper: np.ndarray

    @staticmethod
    def around(centers: np.ndarray, p: float, sigma: float) -> Ball:
        c = np.asarray(centers, dtype=np.float64)
        return Ball(c, p, sigma, add_down(c, -sigma), add_up(c, sigma))

    @property
    def abs_max(self) -> np.ndarray:
        return np.maximum(np.abs(self.box_lower), np.abs(self.box_upper))

    def rows(self, sl: slice | np.ndarray) -> Ball:
        return Ball(self.centers[sl], self.p, self.sigma, self.box_lower[sl], self.box_upper[sl])


def _sums(d: np.ndarray, blocks: list[tuple[np.ndarray, list[np.ndarray]]]) -> list[np.ndarray]:
    """Rigorous lower bounds of d + sum_blocks A_b v_b^(c), one per column c, in ONE enclosed product.

    ``blocks``: (A_b (P, R, n_b), [v_b^(c) (P, n_b) or None for 0, per column c]).
    """
    A = np.concatenate([a for a, _ in blocks], axis=-1)
    cols = len(blocks[0][1])
    V = np.stack(
        [
            np.concatenate([np.zeros(a.shape[::2]) if v[c] is None else v[c] for a, v in blocks], axis=-1)
            for c in range(cols)
        ],
        axis=-1,
    )
    M, E = enclose_matmul(A, V)
    return [add_down(d, add_down(M[..., c], -E[..., c])) for c in range(cols)]


def relax_relu(
    C: np.ndarray, E: np.ndarray, d: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One backward step through h = relu(z), z in [lower, upper], of ``T >= C h + d - E relu(upper)``.

    Returns (box, C', d'): ``box`` the lower bound of T over the box [relu(lower), relu(upper)] of h (this
    prefix's bound), and ``T >= C' z + d'`` (the relaxation of the module docstring).  ``E`` is the rounding
    error of the affine step that produced C (may be all 0).  Shapes: C, E (P, R, n), d (P, R), bounds (P, n).
    """
    lo, hi = lower[:, None, :], upper[:, None, :]
    active, inactive = lo >= 0, hi <= 0
    unstable = ~(active | inactive)
    neg = unstable & (C < 0)
    alpha = hi >= -lo
    h_lo, h_hi = np.maximum(lower, 0.0), np.maximum(upper, 0.0)
    # columns: [box bound of this prefix, constant of the relaxed bound]; None stands for a zero vector
    blocks: list[tuple[np.ndarray, list]] = [(np.maximum(C, 0.0), [h_lo, None]), (np.minimum(C, 0.0), [h_hi, None])]
    if E.any():
        blocks.append((E, [-h_hi, -h_hi]))  # (C W - M) h >= -E |h| with |h| <= relu(u), in both
    if neg.any():
        with np.errstate(all="ignore"):
            width = add_up(upper, -lower)  # >= u - l
            slope = np.where(upper > 0, up(upper / np.maximum(add_down(upper, -lower), 0.0)), 0.0)
        slope = np.where(np.isnan(slope), np.inf, slope)
        P, e, risky = two_product(C, slope[:, None, :])
        err = np.where(neg, np.where(risky, up(np.abs(P) * 2.0**-52) + 2 * ETA, np.abs(e)), 0.0)
        # sum_j P_rj (-l_j) (P_rj < 0 < -l_j) and -sum_j |e_rj| (u_j - l_j), see the module docstring
        blocks += [(np.where(neg, P, 0.0), [None, -lower]), (err, [None, -width])]
        Cz = np.where(inactive, 0.0, np.where(active, C, np.where(neg, P, np.where(alpha, C, 0.0))))
    else:
        Cz = np.where(inactive, 0.0, np.where(active | alpha, C, 0.0))
    if len(blocks) == 2:  # nothing moves into the constant: d' = d
        (box,) = _sums(d, [(a, v[:1]) for a, v in blocks])
        return box, Cz, d
    box, dz = _sums(d, blocks)
    return box, Cz, dz


def _affine_back(C: np.ndarray, d: np.ndarray, f: Frame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Push ``T >= C z_t + d`` through z_t = W h + b: returns (M, E, d') with T >= M h + d' - E |h|
    (M = fl(C W), E its error bound, d' = d + C b rounded down)."""
    n = f.W.shape[1]
    MM, EE = enclose_matmul(C, f.Wb, b_parts=f.Wb_parts)  # [C W | C b] in one product
    return MM[..., :n], EE[..., :n], add_down(d, add_down(MM[..., n], -EE[..., n]))


def _concretize_ball(C: np.ndarray, E: np.ndarray, d: np.ndarray, ball: Ball) -> np.ndarray:
    blocks: list[tuple[np.ndarray, list]] = [(C, [ball.centers])]
    if E.any():
        blocks.append((E, [-ball.abs_max]))
    (cx,) = _sums(d, blocks)
    rad = mul_up(np.float64(ball.sigma), dual_norm_up(C, ball.p))
    return add_down(cx, -rad)


def _concretize_box(C: np.ndarray, E: np.ndarray, d: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    h_lo, h_hi = np.maximum(lower, 0.0), np.maximum(upper, 0.0)
    blocks: list[tuple[np.ndarray, list]] = [(np.maximum(C, 0.0), [h_lo]), (np.minimum(C, 0.0), [h_hi])]
    if E.any():
        blocks.append((E, [-h_hi]))
    return _sums(d, blocks)[0]


def backsubstitute(C0: np.ndarray, frames: Sequence[Frame], start: Ball | Frame) -> np.ndarray:
    """Rigorous lower bounds (P, R) of the targets ``C0 z_k`` (C0: (P, R, m_k)), z_k the last frame's output.

    ``frames`` are consecutive layers j0..k (oldest first); ``start`` is the input :class:`Ball` when j0 = 1,
    else the :class:`Frame` of layer j0 - 1, whose output box [relu(l), relu(u)] the window starts from.
    Every prefix of the window (layers k..t) ends on the box of h_{t-1}; the best prefix bound is returned.
    """
    C = C0
    d = np.zeros(C0.shape[:2])
    best = np.full(C0.shape[:2], -np.inf)
    for t in range(len(frames) - 1, -1, -1):
        M, E, d = _affine_back(C, d, frames[t])
        if t > 0:
            box, C, d = relax_relu(M, E, d, frames[t - 1].lower, frames[t - 1].upper)
            best = np.maximum(best, box)
    if isinstance(start, Ball):
        out = _concretize_ball(M, E, d, start)
    else:
        out = _concretize_box(M, E, d, start.lower, start.upper)
    return np.maximum(best, np.where(np.isnan(out), -np.inf, out))
