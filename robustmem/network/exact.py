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
from typing import Any

import numpy as np

from robustmem.network.template import MapTemplate

__all__ = ["evaluate_fraction", "evaluate_verified", "evaluate_exact", "ExactEvaluation"]

_SPLITTER = 134217729.0  # 2^27 + 1 (Dekker)
_TINY = 2.0**-900  # below this magnitude a product may lose exactness to underflow
_HUGE = 2.0**900  # above this Dekker's split may overflow


def _frac_array(values: np.ndarray) -> np.ndarray:
    return np.array([Fraction(float(v)) for v in np.ravel(values)], dtype=object).reshape(np.shape(values))


def evaluate_fraction(net: Any, X: np.ndarray) -> list[Fraction]:
    """The exact output f(x) for every row of X, in rational arithmetic.

    Inputs and weights are the exact rationals of their float64 values.  Cost grows with
    (number of points) x (number of non-carried weights).
    """
    H = _frac_array(net._check_input(X))
    total, k = net.depth, 0
    zero = Fraction(0)
    for t, ent, bias in net.maps():
        k += 1
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
            out = np.where(out > zero, out, zero)
        H = out
    return [Fraction(v) for v in H[:, 0]]


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    c = _SPLITTER * a
    hi = c - (c - a)
    return hi, a - hi


def _two_prod(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p = fl(a b), err with a b = p + err exactly, and a flag where exactness is not guaranteed."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    risky = ((np.abs(p) < _TINY) & (a != 0) & (b != 0)) | (np.abs(a) > _HUGE) | (np.abs(b) > _HUGE)
    return p, np.where(risky, 0.0, err), risky


def _up(x: np.ndarray) -> np.ndarray:
    """An upper bound for a non-negative float sum/product computed with rounding to nearest."""
    return np.where(x > 0, np.nextafter(x * (1.0 + 2.0**-30), np.inf), 0.0)


def _row_table(t: MapTemplate) -> np.ndarray:
    """(n_active, max entries per row) table of entry indices in column order, -1 padded."""
    cache = t._cache.get("row_table")
    if cache is None:
        pos = np.searchsorted(t.active, t.ent_row)
        counts = np.bincount(pos, minlength=len(t.active)) if len(pos) else np.zeros(len(t.active), int)
        cache = -np.ones((len(t.active), int(counts.max(initial=0))), dtype=np.int64)
        fill = np.zeros(len(t.active), dtype=np.int64)
        for e in np.lexsort((t.ent_col, pos)):
            cache[pos[e], fill[pos[e]]] = e
            fill[pos[e]] += 1
        t._cache["row_table"] = cache
    return cache


def _verified_map(
    H: np.ndarray, R: np.ndarray, t: MapTemplate, ent: np.ndarray, bias: np.ndarray, relu: bool
) -> tuple[np.ndarray, np.ndarray]:
    n = H.shape[0]
    out = np.empty((n, t.out_dim))
    rad = np.empty((n, t.out_dim))
    if len(t.carry_dst):
        out[:, t.carry_dst] = H[:, t.carry_src]
        rad[:, t.carry_dst] = R[:, t.carry_src]
    if len(t.active):
        table = _row_table(t)
        acc = np.broadcast_to(bias, (n, len(t.active))).copy()
        err = np.zeros((n, len(t.active)))
        prop = np.zeros((n, len(t.active)))
        for j in range(table.shape[1]):
            idx = table[:, j]
            rows = np.nonzero(idx >= 0)[0]
            e = idx[rows]
            v = ent[e][None, :]
            h = H[:, t.ent_col[e]]
            p, ep, risky = _two_prod(v, h)
            s, es = _two_sum(acc[:, rows], p)
            acc[:, rows] = s
            err[:, rows] += _up(np.abs(ep)) + _up(np.abs(es)) + np.where(risky, _TINY, 0.0)
            prop[:, rows] += _up(np.abs(v) * R[:, t.ent_col[e]])
        out[:, t.active] = acc
        rad[:, t.active] = _up(_up(err) + _up(prop))
    if relu:
        dead = out <= -rad  # exact pre-activation <= 0: the ReLU outputs an exact zero
        out = np.where(dead, 0.0, np.maximum(out, 0.0))
        rad = np.where(dead, 0.0, rad)
    if not (np.isfinite(out).all() and np.isfinite(rad).all()):
        raise OverflowError("verified evaluation overflowed; use evaluate_fraction")
    return out, rad


def evaluate_verified(net: Any, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, radius) with |f_exact(x) - value| <= radius for every row; radius 0 means exact."""
    H = net._check_input(X).copy()
    R = np.zeros_like(H)
    total, k = net.depth, 0
    for t, ent, bias in net.maps():
        k += 1
        H, R = _verified_map(H, R, t, ent, bias, relu=k < total)
    return H[:, 0], R[:, 0]


@dataclass(frozen=True)
class ExactEvaluation:
    """Exact outputs plus how they were obtained."""

    values: tuple[Fraction, ...]
    n_verified_float: int  # points settled by the verified float pass (radius exactly 0)
    n_fraction: int  # points that needed rational arithmetic


def evaluate_exact(net: Any, X: np.ndarray, *, fallback_limit: int | None = None) -> ExactEvaluation:
    """Exact f(x) for every row of X (verified float64 first, Fractions where that is not exact).

    ``fallback_limit`` caps how many points may need the slow Fraction pass; beyond it a
    RuntimeError is raised rather than running for hours.
    """
    X = net._check_input(X)
    val, rad = evaluate_verified(net, X)
    need = np.nonzero(rad != 0.0)[0]
    if fallback_limit is not None and len(need) > fallback_limit:
        raise RuntimeError(
            f"{len(need)} points need rational arithmetic, more than fallback_limit={fallback_limit}"
        )
    values = [Fraction(float(v)) for v in val]
    if len(need):
        for i, v in zip(need, evaluate_fraction(net, X[need])):
            values[i] = v
    return ExactEvaluation(tuple(values), len(X) - len(need), len(need))
