"""Exact evaluation of a network whose float64 weights are read as exact rationals.

Every float64 number is a dyadic rational, so the network of Definition 1 with the stored
weights is a well-defined function on rational inputs.  Two exact evaluators:

* :func:`evaluate_fraction` computes it with :class:`fractions.Fraction` (slow, simple, exact).
* :func:`evaluate_verified` runs float64 arithmetic together with a rigorous bound ``R`` on the
  distance to the exact value.  Products and sums use error-free transformations (Dekker's
  TwoProduct and Knuth's TwoSum), so an operation without rounding contributes exactly zero, and a
  ReLU whose exact pre-activation is provably <= 0 outputs an exact 0 with ``R = 0``.  Where the
  final ``R`` is 0 the float64 value IS the exact value.

:func:`evaluate_exact` combines them: the verified pass first, the Fraction pass for the points
whose verified radius is not zero.  The answer is exact either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from robustmem.network.network import ReLUNetwork

__all__ = ["ExactEvaluation", "evaluate_exact", "evaluate_fraction", "evaluate_verified"]


def _frac_array(values: np.ndarray) -> np.ndarray:
    return np.array([Fraction(float(v)) for v in np.ravel(values)], dtype=object).reshape(np.shape(values))


def evaluate_fraction(net: ReLUNetwork, X: np.ndarray) -> list[Fraction]:
    """The exact output f(x) for every row of X, in rational arithmetic.

    Inputs and weights are the exact rationals of their float64 values.  Cost grows with
    (number of points) x (number of non-carried weights).
    """
    H = _frac_array(net._check_input(X))
    total = net.depth
    zero = Fraction(0)
    for k, (t, ent, bias) in enumerate(net.maps(), start=1):
        out = np.empty((H.shape[0], t.out_dim), dtype=object)
        if len(t.carry_dst):
            out[:, t.carry_dst] = H[:, t.carry_src]
        if len(t.active):
            acc = np.empty((H.shape[0], len(t.active)), dtype=object)
            acc[:, :] = _frac_array(bias)[None, :]
            pos = np.searchsorted(t.active, t.ent_row)
            for e in range(len(t.ent_row)):
                acc[:, pos[e]] = acc[:, pos[e]] + H[:, t.ent_col[e]] * Fraction(float(ent[e]))
            out[:, t.active] = acc
        if k < total:
            out = np.where(out > zero, out, zero)  # type: ignore[call-overload]  # numpy stubs reject a Fraction scalar
        H = out
    return [Fraction(v) for v in H[:, 0]]


def evaluate_verified(net: ReLUNetwork, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, radius) with |f_exact(x) - value| <= radius for every row; radius 0 means exact.

    ``value`` is bit-identical to ``net(X)``.
    """
    from robustmem.network.evaluate import VerifiedArith, run_network

    X = net._check_input(X)
    out = []
    for i in range(0, len(X), 4096):
        out.append(run_network(net, X[i : i + 4096], VerifiedArith()))
    values = np.concatenate([np.asarray(o[0], dtype=np.float64) for o in out])
    radii = np.concatenate([np.broadcast_to(np.asarray(o[1], dtype=np.float64), np.shape(o[0])) for o in out])
    return values, radii


@dataclass(frozen=True)
class ExactEvaluation:
    """Exact outputs plus how they were obtained."""

    values: tuple[Fraction, ...]
    n_verified_float: int  # points settled by the verified float pass (radius exactly 0)
    n_fraction: int  # points that needed rational arithmetic


def evaluate_exact(net: ReLUNetwork, X: np.ndarray, *, fallback_limit: int | None = None) -> ExactEvaluation:
    """Exact f(x) for every row of X (verified float64 first, Fractions where that is not exact).

    ``fallback_limit`` caps how many points may need the slow Fraction pass; beyond it a
    RuntimeError is raised rather than running for hours.
    """
    X = net._check_input(X)
    val, rad = evaluate_verified(net, X)
    need = np.nonzero(rad != 0.0)[0]
    if fallback_limit is not None and len(need) > fallback_limit:
        raise RuntimeError(f"{len(need)} points need rational arithmetic, more than fallback_limit={fallback_limit}")
    values = [Fraction(float(v)) for v in val]
    if len(need):
        for i, v in zip(need, evaluate_fraction(net, X[need])):
            values[i] = v
    return ExactEvaluation(tuple(values), len(X) - len(need), len(need))
