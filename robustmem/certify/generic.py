"""The generic certifier: does a ReLU network output y_i on every l_p ball B_p(x_i, sigma)?

:func:`certify` works on any ReLU network (a :class:`~robustmem.network.network.ReLUNetwork` or a list of
(W, b) pairs), unlike the structural certifier (:func:`~robustmem.certify.certify_structural`), which reads
the package's chain constructions block by block.  Three methods:

* ``'ibp'`` and ``'crown'``: rigorous output bounds (:mod:`robustmem.certify.propagation`).  A ball is
  'certified' iff lower = upper = y_i (possible because the constructions saturate: their output is exactly
  y_i on the ball, and the bounds carry exact values through without rounding); otherwise the centre
  itself is evaluated exactly and a wrong output there makes the ball 'refuted'; else 'unknown'.
* ``'milp'``: a complete search (:mod:`robustmem.certify.milp`) for small networks.

See :class:`~robustmem.certify.certify_report.CertifyReport` for what each status proves.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args

import numpy as np

from robustmem.certify.certify_report import CertCounterexample, CertifyMethod, CertifyReport, Status
from robustmem.certify.layers import LayerSource, NetworkInput, as_layer_source
from robustmem.certify.milp import MAX_UNSTABLE, milp_balls
from robustmem.certify.propagation import (
    DEFAULT_WINDOW,
    BoundMethod,
    OutputBounds,
    ProgressLike,
    check_ball_norm,
    output_bounds,
)
from robustmem.certify.witness import confirm_counterexample
from robustmem.errors import InvalidArgumentError
from robustmem.validate import index_list, integer_at_least, nonnegative_number, positive_number

if TYPE_CHECKING:
    from robustmem.data.labelled import LabelledPoints

__all__ = ["BOUND_GUARANTEE", "certify"]

BOUND_GUARANTEE = (
    "rigorous: lower <= f(x) <= upper for every real x in the closed ball, for the exact network "
    "(float64 weights read as rationals), computed with outward rounding; certified means "
    "lower = upper = y_i"
)


def _selection(
    src: LayerSource, dataset: LabelledPoints, points: Sequence[int] | Iterable[int] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    try:
        X, y = np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y)
    except AttributeError:
        raise InvalidArgumentError(f"expected a Dataset with X and y, got {type(dataset).__name__}") from None
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 1:
        raise InvalidArgumentError(f"dataset X {X.shape} and y {y.shape} are not (N >= 1, d) and (N,)")
    if X.shape[1] != src.input_dim:
        raise InvalidArgumentError(f"the dataset has d = {X.shape[1]} but the network reads {src.input_dim} inputs")
    N = X.shape[0]
    if points is None:
        idx = np.arange(N)
    else:
        idx = index_list(points, N, "points")
    return idx.astype(np.intp), X[idx], y[idx].astype(np.int64), N


def _bound_report(
    src: LayerSource,
    idx: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    N: int,
    *,
    p: float,
    sigma: float,
    method: BoundMethod,
    window: int,
    progress: ProgressLike,
) -> CertifyReport:
    t0 = time.perf_counter()
    ob = output_bounds(
        src,
        X,
        p=p,
        sigma=sigma,
        method=method,
        window=window,
        progress=progress,
    )
    verdicts = [_bound_verdict(src, ob, k, int(idx[k]), X[k], int(y[k]), method, p, sigma) for k in range(len(idx))]
    lo, hi = ob.lower, ob.upper
    rounds = (lo > y - 0.5) & (hi < y + 0.5)
    return CertifyReport(
        method=method,
        p=p,
        sigma=sigma,
        n_points_total=N,
        indices=tuple(int(i) for i in idx),
        labels=tuple(int(v) for v in y),
        status=tuple(v.status for v in verdicts),
        lower=tuple(float(v) for v in lo),
        upper=tuple(float(v) for v in hi),
        round_certified=tuple(bool(r) for r in rounds),
        reasons=tuple(v.reason for v in verdicts),
        counterexamples=tuple(v.counterexample for v in verdicts if v.counterexample is not None),
        seconds=time.perf_counter() - t0,
        guarantee=BOUND_GUARANTEE,
        settings=(("window", window),) if method == "crown" else (),
    )


@dataclass(frozen=True)
class _BoundVerdict:
    """One ball's verdict from the bounds: status, why, and the counterexample at the centre if refuted."""

    status: Status
    reason: str
    counterexample: CertCounterexample | None = None


def _bound_verdict(
    src: LayerSource,
    ob: OutputBounds,
    k: int,
    index: int,
    x: np.ndarray,
    label: int,
    method: str,
    p: float,
    sigma: float,
) -> _BoundVerdict:
    """Ball k: 'certified' when its bounds equal the label, 'refuted' when the exact centre misses it, else 'unknown'."""
    lo, hi = ob.lower[k], ob.upper[k]
    if lo >= label and hi <= label:
        return _BoundVerdict("certified", f"{method} bounds equal the label")
    cx = confirm_counterexample(src, index, x, label, x, p=p, sigma=sigma, found_by="centre")
    if cx is not None:
        dev = float(cx.exact_output - label)
        return _BoundVerdict("refuted", f"the centre itself misses the label: exact f - y = {dev:.3g}", cx)
    return _BoundVerdict("unknown", f"{method} bounds [{lo:.6g}, {hi:.6g}], {int(ob.n_unstable[k])} unstable ReLUs")


@dataclass(frozen=True)
class _Options:
    """certify's options, checked: the norm, radius, method and the MILP and CROWN settings."""

    p: float
    sigma: float
    method: CertifyMethod
    window: int
    time_limit: float
    max_unstable: int
    trust_bounds: bool


def _checked_options(
    p: Any, sigma: float, method: CertifyMethod, window: int, time_limit: float, max_unstable: int, trust_bounds: bool
) -> _Options:
    """The options of :func:`certify`, each checked in turn (InvalidArgumentError naming the first bad one)."""
    p = check_ball_norm(p)
    sigma = nonnegative_number(sigma, "sigma")
    if method not in get_args(CertifyMethod):
        raise InvalidArgumentError(f"method must be one of {get_args(CertifyMethod)}, got {method!r}")
    window = integer_at_least(window, "window", 1)
    time_limit = positive_number(time_limit, "time_limit")
    max_unstable = integer_at_least(max_unstable, "max_unstable", 0)
    if not isinstance(trust_bounds, bool):
        raise InvalidArgumentError(f"trust_bounds must be True or False, got {trust_bounds!r}")
    return _Options(p, sigma, method, window, time_limit, max_unstable, trust_bounds)


def certify(
    net: NetworkInput,
    dataset: LabelledPoints,
    *,
    p: Any,
    sigma: float,
    method: CertifyMethod,
    points: Sequence[int] | None = None,
    progress: ProgressLike = True,
    window: int = DEFAULT_WINDOW,
    time_limit: float = 60.0,
    max_unstable: int = MAX_UNSTABLE,
    trust_bounds: bool = True,
) -> CertifyReport:
    """Certify f = y_i on every ball B_p(x_i, sigma) of ``dataset`` (or of ``points``) with ``method``.

    Guarantee ('ibp', 'crown'): a 'certified' ball has f(x) = y_i for every real x with ||x - x_i||_p <=
    sigma, for the exact network (float64 weights read as rationals); proved with outward-rounded float64.
    'milp': min f and max f over the ball are within 1e-6 of y_i according to the solver (complete search,
    up to solver tolerances), or the rigorous bounds certify.  Every 'refuted' ball comes with a point of the
    closed ball (membership checked exactly) where the exact network misses the label.

    Parameters: ``net`` a ReLUNetwork or a list of (W, b) pairs; ``dataset`` with X (N, d) and labels y;
    ``p`` in {1, 2, inf}; ``sigma >= 0``; ``points`` dataset indices (None: all); ``progress`` True (lines on
    stderr every 2 s), False/None, or a callable receiving each line; ``window`` CROWN back-substitution
    depth ('crown', and the big-M bounds of 'milp'); ``time_limit`` seconds per solver call, ``max_unstable``
    the largest number of binaries per ball, ``trust_bounds`` skip the solver where the bounds already
    certify (all three 'milp' only).

    >>> from types import SimpleNamespace
    >>> net = [(np.array([[1.0], [-1.0]]), np.array([-1.0, -1.0])), (np.array([[-1.0, -1.0]]), np.array([2.0]))]
    >>> data = SimpleNamespace(X=np.array([[0.0], [3.0]]), y=np.array([2, 1]))
    >>> r = certify(net, data, p="inf", sigma=0.5, method="crown", progress=False)
    >>> r.status
    ('certified', 'refuted')
    """
    src = as_layer_source(net)
    opt = _checked_options(p, sigma, method, window, time_limit, max_unstable, trust_bounds)
    idx, X, y, N = _selection(src, dataset, points)
    if opt.method == "milp":
        return milp_balls(
            src,
            idx,
            X,
            y,
            N,
            p=opt.p,
            sigma=opt.sigma,
            time_limit=opt.time_limit,
            max_unstable=opt.max_unstable,
            trust_bounds=opt.trust_bounds,
            window=opt.window,
            progress=progress,
        )
    return _bound_report(
        src, idx, X, y, N, p=opt.p, sigma=opt.sigma, method=opt.method, window=opt.window, progress=progress
    )
