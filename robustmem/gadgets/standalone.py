"""Standalone networks for testing each gadget alone (one real network per gadget).

Each function wraps the emitters of this package in a :class:`~robustmem.network.network.ReLUNetwork`
on raw (possibly negative) inputs, so that a gadget's claim can be checked on its own weights:

==========================  ===================================  =====  ==========
network                     function                             width  depth
==========================  ===================================  =====  ==========
abs_network()               t -> |t|                             2      2
max_network()               (a, b) -> max(a, b)                  3      2
carry_network(d, D, B)      x -> <v, x> through D ReLU layers    d      D + 1
indicator_network(...)      one ball indicator R^d -> R          see indicators.py
==========================  ===================================  =====  ==========

(The squaring, power and rounding nets have their own ``*_network`` functions in their modules.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets.basic import abs_parts, shifted_input_layer
from robustmem.gadgets.indicators import (
    indicator_l1,
    indicator_l1_par,
    indicator_l2,
    indicator_linf,
    indicator_linf_par,
)
from robustmem.gadgets.indicators_lp import indicator_lp, lp_indicator_steps, lp_tolerance
from robustmem.gadgets.squaring import square_error_bound
from robustmem.network.builder import Builder, Coef, Expr
from robustmem.network.network import ReLUNetwork

__all__ = ["abs_network", "carry_network", "indicator_network", "max_network"]


def abs_network() -> ReLUNetwork:
    """t -> |t| = relu(t) + relu(-t) on all of R, exactly: width 2, depth 2.

    >>> net = abs_network()
    >>> [float(v) for v in net(np.array([[-2.5], [0.0], [3.0]]))]
    [2.5, 0.0, 3.0]
    """
    b = Builder(["t"], raw_inputs=True)
    b.output(abs_parts(b, b.v("t"), "abs"))
    return ReLUNetwork.from_builder(b, meta={"construction": "absolute value"})


def max_network() -> ReLUNetwork:
    """(a, b) -> max(a, b) = relu(a - b) + relu(b) - relu(-b) on all of R^2, exactly: width 3, depth 2.

    The identity max(a, b) = b + relu(a - b) is the running-maximum step of Theorem 37; the raw
    input b may be negative, so it passes the ReLU as relu(b) - relu(-b).

    >>> net = max_network()
    >>> [float(v) for v in net(np.array([[-1.0, -3.0], [2.0, 5.0]]))]
    [-1.0, 5.0]
    """
    b = Builder(["a", "b"], raw_inputs=True)
    b.layer({"d": b.v("a") - b.v("b"), "b+": b.v("b"), "b-": -b.v("b")})
    b.output(b.v("d") + b.v("b+") - b.v("b-"))
    return ReLUNetwork.from_builder(b, meta={"construction": "maximum of two reals"})


def carry_network(d: int, depth: int, shift: float, *, readout: int | Sequence[float] = 0) -> ReLUNetwork:
    """x in R^d carried through ``depth`` ReLU layers as u = x + shift, then read out.

    The output is <v, x> computed as <v, u> - shift * sum(v), where v is the unit vector of
    coordinate ``readout`` (an int) or the given weights (a sequence of d numbers).  Exact
    whenever every x_j >= -shift (then relu(x_j + shift) = x_j + shift); a coordinate below
    -shift is clipped to -shift.  Width d, depth + 1 maps.

    >>> net = carry_network(2, 3, 1.0, readout=[1.0, -2.0])
    >>> float(net(np.array([[0.5, -0.25]]))[0]), float(net(np.array([[0.5, -4.0]]))[0]), net.depth
    (1.0, 2.5, 4)
    """
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidArgumentError(f"the input dimension d must be an integer >= 1, got d={d!r}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise InvalidArgumentError(f"the number of ReLU layers must be an integer >= 1, got depth={depth!r}")
    if not (isinstance(shift, (int, float)) and math.isfinite(shift) and shift >= 0):
        raise InvalidArgumentError(f"the carry shift must be a finite number >= 0, got shift={shift!r}")
    if isinstance(readout, (int, np.integer)) and not isinstance(readout, bool):
        if not 0 <= readout < d:
            raise InvalidArgumentError(f"readout coordinate {readout} is outside [0, {d})")
        v = np.zeros(d)
        v[int(readout)] = 1.0
    else:
        v = np.asarray(readout, dtype=np.float64)
        if v.shape != (d,) or not np.isfinite(v).all():
            raise InvalidArgumentError(f"readout weights must be {d} finite numbers, got {readout!r}")
    xs, us = [f"x{j}" for j in range(d)], [f"u{j}" for j in range(d)]
    b = Builder(xs, raw_inputs=True)
    shifted_input_layer(b, xs, us, float(shift))
    for _ in range(depth - 1):
        b.layer({})
    out = Expr({u: Coef(float(c)) for u, c in zip(us, v) if c != 0.0}, -float(shift) * float(v.sum()))
    b.output(out)
    return ReLUNetwork.from_builder(b, meta={"construction": "carry", "shift": float(shift)})


def indicator_network(
    center: Sequence[float],
    label: float,
    r: float,
    w: float,
    *,
    p: float,
    shift: float,
    M: int | None = None,
    parallel: bool = False,
) -> ReLUNetwork:
    """One ball indicator as a network R^d -> R (Lemmas 38, 39, Remark 40).

    z(x) = label on ||x - center||_p <= r, z(x) = 0 on ||x - center||_p >= r + w and
    0 <= z <= label everywhere, for x with every x_j >= -shift (the carried input is x + shift).
    p = 1 and p = inf are exact (``parallel`` selects Remark 40's parallel form); p = 2 is
    :func:`~robustmem.gadgets.indicators.indicator_l2` and integer p >= 3
    :func:`~robustmem.gadgets.indicators_lp.indicator_lp`, with M squaring steps (None: the
    smallest M that Lemma 38 allows).

    The claims are about the ball the float64 weights encode: the biases hold fl(shift + c_j),
    so the centre is c'_j = fl(shift + c_j) - shift (within half an ulp of shift + c_j of c_j);
    the exact kinds (p = 1, inf) vanish from r + y0 / fl(y0 fl(1/w)) on, which rounding may put
    a relative 2^-52 beyond r + w; the parallel l_inf form also rounds fl(shift + c_j) +- r.
    tests/property/test_gadget_props.py checks the guarantee exactly against that encoding.

    >>> net = indicator_network([0.0, 1.0], 3.0, 0.5, 0.25, p=math.inf, shift=2.0)
    >>> [float(v) for v in net(np.array([[0.5, 1.0], [0.625, 1.0], [0.0, 1.75]]))]
    [3.0, 1.5, 0.0]
    """
    c = _checked_center(center, label, shift)
    d = len(c)
    xs, us = [f"x{j}" for j in range(d)], [f"u{j}" for j in range(d)]
    b = Builder(xs, raw_inputs=True)
    shifted_input_layer(b, xs, us, float(shift))
    centre = [Coef(float(v)) for v in c]
    z = _emit_indicator(b, us, centre, Coef(float(label)), r, w, p=p, shift=shift, M=M, parallel=parallel)
    b.output(b.v(z))
    meta = {"construction": "ball indicator", "p": p, "r": r, "w": w, "parallel": parallel}
    return ReLUNetwork.from_builder(b, meta=meta)


def _checked_center(center: Sequence[float], label: float, shift: float) -> np.ndarray:
    """The centre as a float64 vector, after checking it (finite, non-empty), the label (> 0) and the shift (>= 0)."""
    c = np.asarray(center, dtype=np.float64)
    if c.ndim != 1 or len(c) < 1 or not np.isfinite(c).all():
        raise InvalidArgumentError(f"the centre must be a non-empty vector of finite numbers, got {center!r}")
    if not (math.isfinite(label) and label > 0):
        raise InvalidArgumentError(f"the label must be a positive finite number, got {label!r}")
    if not (math.isfinite(shift) and shift >= 0):
        raise InvalidArgumentError(f"the carry shift must be a finite number >= 0, got shift={shift!r}")
    return c


def _emit_indicator(
    b: Builder,
    us: list[str],
    centre: list[Coef],
    y0: Coef,
    r: float,
    w: float,
    *,
    p: float,
    shift: float,
    M: int | None,
    parallel: bool,
) -> str:
    """Emit the indicator of the l_p ball on the carried inputs ``us``; the name of its output neuron."""
    if parallel and p not in (1, math.inf):
        raise InvalidArgumentError(f"the parallel form (Remark 40) exists for p = 1 and p = inf only, got p={p!r}")
    if p == math.inf:
        emit = indicator_linf_par if parallel else indicator_linf
        return emit(b, us, centre, y0, r, w, shift=shift)
    if p == 1:
        emit = indicator_l1_par if parallel else indicator_l1
        return emit(b, us, centre, y0, r, w, shift=shift)
    if p == 2:
        return indicator_l2(b, us, centre, y0, r, w, shift=shift, M=_l2_steps(len(us), r, w, M))
    if float(p).is_integer() and p >= 3:
        return indicator_lp(b, us, centre, y0, r, w, p=int(p), shift=shift, M=M)
    raise InvalidArgumentError(f"indicator_network supports p = 1, 2, inf and integers p >= 3, got p={p!r}")


def _l2_steps(d: int, r: float, w: float, M: int | None) -> int:
    """The squaring steps of the l_2 indicator: M, checked against Lemma 38's limit (None: the smallest allowed)."""
    need = lp_indicator_steps(d, r, w, 2)
    if M is not None and (isinstance(M, bool) or not isinstance(M, int) or need > M):
        raise HypothesisError(
            f"M={M!r} squaring steps give an error {square_error_bound(max(int(M), 1)):.3g}, not below Lemma 38's "
            f"limit w^2/(4 k Delta^2) = {float(lp_tolerance(d, r, w, 2)):.3g}; need M >= {need}"
        )
    return need if M is None else M
