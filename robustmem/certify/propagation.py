"""Sound output bounds of a ReLU network on l_p balls: interval bound propagation (IBP) and CROWN.

Guarantee: for every centre c_i and every real x with ||x - c_i||_p <= sigma (p in {1, 2, inf}),
``lower[i] <= f(x) <= upper[i]``, where f is the network of Definition 1 with its float64 weights read as
exact rationals.  Every bound is computed in float64 with the rounding policy of
:mod:`robustmem.certify.rounding` (directed two-operand operations, rigorous matrix-product error bounds that
vanish on exact products), so the guarantee holds for the real numbers, not up to rounding; a network that
outputs y_i exactly on a ball can get ``lower[i] = upper[i] = y_i`` exactly.

Methods (both stream the layers once, keeping only ``window`` of them, so depth 10^5 costs memory O(window)):

* ``"ibp"``: layer 1 is bounded exactly over the ball, W x_i + b -/+ sigma ||W_j||_q (q the dual exponent);
  each later layer from the box of the previous one, z in [W^+ relu(l) + W^- relu(u) + b, W^+ relu(u) +
  W^- relu(l) + b].
* ``"crown"``: the IBP box intersected with CROWN back-substitution (:mod:`robustmem.certify.crown`) through
  the last ``window`` layers; when the window does not reach the input it starts from the box of the layer
  before it, which contains every reachable value, so the bounds stay sound (only correlations across more
  than ``window`` layers are forgotten).  CROWN is never looser than IBP at any neuron (the intersection).

Dense float64 matrices are used per layer: the package's networks have widths 7..70 (and imported ones a
few hundred), for which a dense batched matmul beats sparse formats.
"""

from __future__ import annotations

import math
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import numpy as np

from robustmem.certify.crown import Ball, Frame, backsubstitute
from robustmem.certify.layers import LayerSource, NetworkInput, as_layer_source
from robustmem.certify.rounding import add_down, add_up, dot_bounds, dual_norm_up, enclose_matmul, mul_up
from robustmem.errors import InvalidArgumentError
from robustmem.norms import check_p, p_name
from robustmem.validate import integer_at_least, nonnegative_number

__all__ = [
    "DEFAULT_WINDOW",
    "GENERIC_NORMS",
    "BoundMethod",
    "LayerBounds",
    "OutputBounds",
    "Progress",
    "check_ball_norm",
    "layer_bounds",
    "output_bounds",
]

BoundMethod = Literal["ibp", "crown"]
ProgressLike = Callable[[str], None] | bool | None
DEFAULT_WINDOW = 8  # layers of CROWN back-substitution (enough for the l_inf chain blocks, see the tests)
_CHUNK_ELEMENTS = 1 << 21  # coefficient entries per back-substitution chunk (memory stays ~ 100 MB)


#: the ball norms of the generic certifiers (IBP, CROWN, MILP): those with an exact dual
GENERIC_NORMS = (1.0, 2.0, math.inf)


def check_ball_norm(p: Any) -> float:
    """``p`` as 1.0, 2.0 or math.inf (:data:`GENERIC_NORMS`), else InvalidArgumentError naming it."""
    q = check_p(p)
    if q not in GENERIC_NORMS:
        raise InvalidArgumentError(f"the generic certifiers support p in {{1, 2, inf}}, got p = {p!r}")
    return q


class Progress:
    """Periodic progress lines: to stderr every 2 s for True, every call to a callable, none for None/False."""

    def __init__(self, progress: ProgressLike, header: str) -> None:
        if progress is not None and not isinstance(progress, bool) and not callable(progress):
            raise InvalidArgumentError(f"progress must be None, a bool or a callable, got {progress!r}")
        self.sink: Callable[[str], None] | None = (
            (lambda line: print(line, file=sys.stderr, flush=True)) if progress is True else (progress or None)
        )
        self.throttle, self.header = progress is True, header
        self.start, self.last = time.perf_counter(), -math.inf

    def __call__(self, text: str, *, final: bool = False) -> None:
        now = time.perf_counter()
        if self.sink is None or (self.throttle and not final and now - self.last < 2.0):
            return
        self.last = now
        self.sink(f"{self.header}: {text}, {now - self.start:.1f} s")


@dataclass(frozen=True, eq=False)
class OutputBounds:
    """Rigorous bounds lower[i] <= f(x) <= upper[i] on B_p(centers[i], sigma) (see the module docstring).

    ``n_unstable[i]`` counts the hidden ReLUs whose bounds straddle 0 on ball i (after the method's bounds).
    """

    method: BoundMethod
    p: float
    sigma: float
    window: int
    lower: np.ndarray
    upper: np.ndarray
    n_unstable: np.ndarray
    depth: int
    seconds: float

    def __post_init__(self) -> None:
        for name in ("lower", "upper", "n_unstable"):
            a = np.array(getattr(self, name), copy=True)
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        if self.lower.shape != self.upper.shape or self.lower.ndim != 1:
            raise InvalidArgumentError(f"bounds of shapes {self.lower.shape} and {self.upper.shape} do not match")
        bad = np.nonzero(~(self.lower <= self.upper))[0]
        if len(bad):
            i = int(bad[0])
            raise InvalidArgumentError(
                f"inconsistent bounds at point {i}: lower {self.lower[i]!r} > upper {self.upper[i]!r}"
            )

    @property
    def width(self) -> np.ndarray:
        """upper - lower per point (float64, rounded)."""
        return self.upper - self.lower


@dataclass(frozen=True, eq=False)
class LayerBounds:
    """Rigorous pre-activation bounds of every layer (``lower[k]``, ``upper[k]`` of shape (P, m_{k+1}))."""

    output: OutputBounds
    lower: tuple[np.ndarray, ...] = field(repr=False)
    upper: tuple[np.ndarray, ...] = field(repr=False)


def _first_layer(W: np.ndarray, b: np.ndarray, ball: Ball) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = dot_bounds(W, ball.centers)  # (P, m)
    rad = mul_up(np.float64(ball.sigma), dual_norm_up(W, ball.p))  # (m,)
    return add_down(add_down(lo, b), -rad), add_up(add_up(hi, b), rad)


def _ibp_layer(
    W: np.ndarray, b: np.ndarray, prev_lower: np.ndarray, prev_upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    hl, hu = np.maximum(prev_lower, 0.0), np.maximum(prev_upper, 0.0)
    A = np.concatenate([np.maximum(W, 0.0), np.minimum(W, 0.0), b[:, None]], axis=1)  # (m, 2n + 1)
    one = np.ones((hl.shape[0], 1))
    V = np.stack([np.concatenate([hl, hu, one], axis=1), np.concatenate([hu, hl, one], axis=1)], axis=-1)
    M, E = enclose_matmul(A, V)  # (P, m, 2): column 0 the lower sum, column 1 the upper sum
    return add_down(M[..., 0], -E[..., 0]), add_up(M[..., 1], E[..., 1])


def _carry_rows(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Rows that copy one input (a single weight 1, bias 0): z_j = h_t, whose box [relu(l_t), relu(u_t)] is
    already the best bound CROWN could give from layer t's own bounds, so back-substitution is skipped."""
    return ((W != 0).sum(axis=1) == 1) & ((W == 1.0).sum(axis=1) == 1) & (b == 0)


def _crown_layer(
    frames: deque, start: Ball | Frame, lower: np.ndarray, upper: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Intersect [lower, upper] with CROWN bounds of the last frame's neurons that are not already a point and
    not a carried copy (:func:`_carry_rows`), for the balls where some of them is not a point."""
    open_ = lower < upper
    rows = np.nonzero(open_.any(axis=0) & ~_carry_rows(frames[-1].W, frames[-1].b))[0]
    if not len(rows):
        return lower, upper
    balls = np.nonzero(open_[:, rows].any(axis=1))[0]
    R = len(rows)
    width = max(f.W.shape[1] for f in frames)
    chunk = max(1, _CHUNK_ELEMENTS // (2 * R * max(width, R)))
    lower, upper = lower.copy(), upper.copy()
    eye = np.zeros((2 * R, lower.shape[1]))
    eye[np.arange(R), rows] = 1.0
    eye[R + np.arange(R), rows] = -1.0
    for s in range(0, len(balls), chunk):
        sel = balls[s : s + chunk]
        d = backsubstitute(
            np.broadcast_to(eye, (len(sel),) + eye.shape), [f.rows(sel) for f in frames], start.rows(sel)
        )
        ix = np.ix_(sel, rows)
        lower[ix] = np.maximum(lower[ix], d[:, :R])
        upper[ix] = np.minimum(upper[ix], -d[:, R:])
    return lower, upper


def _propagate(
    src: LayerSource, ball: Ball, method: BoundMethod, window: int, progress: ProgressLike, keep: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    show = Progress(progress, f"{method} l_{p_name(ball.p)} sigma={ball.sigma:.4g}, {len(ball.centers)} balls")
    frames: deque[Frame] = deque(maxlen=window)
    before: Frame | None = None  # the layer just before the window, once the window has left the input
    n_unstable = np.zeros(len(ball.centers), dtype=np.int64)
    kept_lo: list[np.ndarray] = []
    kept_hi: list[np.ndarray] = []
    lower = upper = np.zeros((len(ball.centers), 0))
    for lay in src.layers():
        if lay.W.shape[1] != (ball.centers.shape[1] if lay.index == 1 else lower.shape[1]):
            raise InvalidArgumentError(f"layer {lay.index} reads {lay.W.shape[1]} inputs, expected {lower.shape[1]}")
        if lay.index == 1:
            lower, upper = _first_layer(lay.W, lay.b, ball)
        else:
            lower, upper = _ibp_layer(lay.W, lay.b, lower, upper)
            if method == "crown":
                if len(frames) == window:
                    before = frames[0]
                frames.append(Frame.of(lay.W, lay.b, lower, upper))
                lower, upper = _crown_layer(frames, before if before is not None else ball, lower, upper)
                frames[-1] = frames[-1].with_bounds(lower, upper)
        if method == "crown" and lay.index == 1:
            frames.append(Frame.of(lay.W, lay.b, lower, upper))
        if not lay.last:
            n_unstable += ((lower < 0) & (upper > 0)).sum(axis=1)
        if keep:
            kept_lo.append(lower)
            kept_hi.append(upper)
        show(f"layer {lay.index}/{src.depth}, {int(n_unstable.sum())} unstable ReLUs so far")
    show(f"done, {src.depth} layers", final=True)
    return lower[:, 0], upper[:, 0], n_unstable, kept_lo, kept_hi


def _arguments(
    net: NetworkInput, centers: Any, p: Any, sigma: Any, method: Any, window: Any
) -> tuple[LayerSource, Ball, BoundMethod, int]:
    src = as_layer_source(net)
    p = check_ball_norm(p)
    sigma = nonnegative_number(sigma, "sigma")
    if method not in get_args(BoundMethod):
        raise InvalidArgumentError(f"method must be one of {get_args(BoundMethod)}, got {method!r}")
    window = integer_at_least(window, "window", 1)
    C = np.asarray(centers, dtype=np.float64)
    if C.ndim == 1:
        C = C[None, :]
    if C.ndim != 2 or C.shape[1] != src.input_dim or C.shape[0] < 1:
        raise InvalidArgumentError(f"centers must have shape (n >= 1, {src.input_dim}), got {C.shape}")
    bad = np.argwhere(~np.isfinite(C))
    if len(bad):
        raise InvalidArgumentError(f"centers[{bad[0][0]}, {bad[0][1]}] = {C[tuple(bad[0])]} is not finite")
    return src, Ball.around(C, p, sigma), method, window


def output_bounds(
    net: NetworkInput,
    centers: Any,
    *,
    p: Any,
    sigma: float,
    method: BoundMethod = "crown",
    window: int = DEFAULT_WINDOW,
    progress: ProgressLike = None,
) -> OutputBounds:
    """Rigorous bounds of f on every ball B_p(centers[i], sigma); see the module docstring for the guarantee.

    ``net``: a ReLUNetwork or a sequence of (W, b) pairs; ``centers``: (P, d); ``p`` in {1, 2, inf};
    ``sigma >= 0``; ``window`` (CROWN only): layers of back-substitution.

    >>> net = [(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.array([[1.0, 1.0]]), np.zeros(1))]  # |x|
    >>> ob = output_bounds(net, [[2.0]], p=math.inf, sigma=0.5, method="crown")
    >>> float(ob.lower[0]), float(ob.upper[0])
    (1.5, 2.5)
    """
    src, ball, method, window = _arguments(net, centers, p, sigma, method, window)
    t0 = time.perf_counter()
    lo, hi, unstable, _, _ = _propagate(src, ball, method, window, progress, keep=False)
    return OutputBounds(method, ball.p, ball.sigma, window, lo, hi, unstable, src.depth, time.perf_counter() - t0)


def layer_bounds(
    net: NetworkInput,
    centers: Any,
    *,
    p: Any,
    sigma: float,
    method: BoundMethod = "crown",
    window: int = DEFAULT_WINDOW,
    progress: ProgressLike = None,
) -> LayerBounds:
    """Like :func:`output_bounds`, keeping the bounds of every layer (memory O(depth x width x points))."""
    src, ball, method, window = _arguments(net, centers, p, sigma, method, window)
    t0 = time.perf_counter()
    lo, hi, unstable, klo, khi = _propagate(src, ball, method, window, progress, keep=True)
    out = OutputBounds(method, ball.p, ball.sigma, window, lo, hi, unstable, src.depth, time.perf_counter() - t0)
    return LayerBounds(out, tuple(klo), tuple(khi))
