"""The opening affine map of a network on many rows at once: float64 values bit-identical to ``net(X)``, and
a-priori rigorous radii for the verified evaluators.

A segment plan (:mod:`robustmem.network.plan`) computes each neuron as ``acc = bias; acc = acc + w * h ...``
with its entries in increasing input column, the first product added to the bias (``fl(fl(w h) + b)``) and
every later one to the running sum (``fl(acc + fl(w h))``); weights +-1 are applied as an addition or a
subtraction, which is the same IEEE result (``1 * h == h``, ``x - h == x + (-h)``).  The values of a plan that
read only the segment's inputs form one affine map u = W x + b.  :func:`dense_map` reads them off the plan,
checking that every neuron's terms come in strictly increasing input column; :func:`float_values` then runs the
same IEEE operations with the loop turned around: for each input column j, one elementwise product and one
addition on the (outputs, rows) array of every neuron with an entry in column j.  Every neuron therefore sees
the same operations on the same operands in the same order: the values are the same float64 numbers.

Radius (:func:`verified_values`, inputs exact).  For a neuron with m terms (entries, explicit zeros included)
the computed s = fl(...fl(fl(w_1 x_1) + b) + fl(w_2 x_2) ...) is recursive summation of b and the m rounded
products: the bias passes through m additions, product j through one multiplication and m - j + 1 additions, each
a relative error of at most u = 2^-53 (Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
sec. 3.1, the bound (3.4) with (3.5)), and a product may underflow, an absolute error of at most 2^-1075 that the
later additions scale by at most 1 + gamma_m <= 2.  Hence

    |s - (b + sum_j w_j x_j)| <= gamma_{m+1} (|b| + S) + m 2^-1074,   gamma_n = n u / (1 - n u),
    S = sum_j |w_j| |x_j|.

S is bounded above with one BLAS product T = fl(|X'| @ |W|^T), where X' = max(|X|, 2^-1022) (a subnormal input
thus enters as a normal number, so the bound holds even under flush-to-zero/denormals-are-zero): each entry of T
is a sum of d non-negative products formed in some order, with or without fused multiply-adds (no Strassen-type
algorithm), so T >= (1 - gamma_d) S - d 2^-1021 (the absolute term: every product or partial sum that underflows,
even if flushed to zero, loses at most 2^-1022) and S <= (T + d 2^-1021) (1 + 2 gamma_d).  Each float operation
computing the radius itself rounds to nearest (at most six of them, relative u each); the result is widened by a
relative 2^-40 and one ulp, plus 2^-1070 for the underflow of those operations.  A neuron without entries
(m = 0, e.g. the running maximum's start m = 0) is its bias exactly: radius 0.  A ReLU then outputs an exact 0
where s <= -radius, as :class:`~robustmem.network.evaluate.VerifiedArith` does.  The radius is about (m + 1) u S
instead of the error-free transformations' sum of the actual rounding errors (typically u S / 10 to u S): larger
but still ~1e-13 relative, and one BLAS product instead of 2 m passes of TwoProduct and TwoSum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["DenseMap", "dense_map", "float_values", "verified_values"]

_U = 2.0**-53
_CHUNK = 4096  # rows per pass (the (outputs, rows) accumulators stay in cache)
_THREADS = 2  # threads over row chunks


def _gamma(n: int) -> float:
    return n * _U / (1.0 - n * _U)


def _up(x: np.ndarray) -> np.ndarray:
    """Widen a non-negative float array computed with a few roundings to nearest: relative 2^-40 plus one ulp."""
    return np.nextafter(x * (1.0 + 2.0**-40), np.inf)


@dataclass(frozen=True)
class DenseMap:
    """The plan values of a segment that read only its inputs, as u = relu?(W x + b).

    ``vids``: their value ids (plan order); ``W`` (k, d) with 0 where a neuron has no entry, ``b`` (k,);
    ``has`` (k, d): where a neuron has an entry (explicit zeros included); ``relu`` (k,); ``terms`` (k,): entries
    per neuron; ``steps``: per input column j with entries, (j, neurons whose first entry is j, neurons with a
    later entry in j), each an index array or ``slice(None)`` for all."""

    vids: tuple[int, ...]
    W: np.ndarray
    b: np.ndarray
    has: np.ndarray
    relu: np.ndarray
    terms: np.ndarray
    steps: tuple[tuple[int, Any, Any], ...]


def _index(mask: np.ndarray) -> Any:
    """``slice(None)`` when every neuron is selected, None when none is, else the indices."""
    if mask.all():
        return slice(None)
    return np.flatnonzero(mask) if mask.any() else None


def dense_map(plan: Any, ent: np.ndarray, bias: np.ndarray) -> DenseMap | None:
    """The leading plan values that read only the segment's inputs, or None when there are none or one of them
    does not add its terms in strictly increasing input column (the vectorized loop's order)."""
    d = plan.in_dim
    vals = []
    for v in plan.values:
        if any(s >= d for s in v.srcs):
            break
        if any(a >= b for a, b in zip(v.srcs, v.srcs[1:])):
            return None
        vals.append(v)
    if not vals:
        return None
    k = len(vals)
    W, has = np.zeros((k, d)), np.zeros((k, d), dtype=bool)
    for o, v in enumerate(vals):
        W[o, list(v.srcs)] = [float(ent[e]) for e in v.ents]
        has[o, list(v.srcs)] = True
    b = np.array([float(bias[v.bias]) for v in vals])
    first = np.array([v.srcs[0] if v.srcs else -1 for v in vals])
    steps = []
    for j in np.flatnonzero(has.any(axis=0)):
        f = first == j
        steps.append((int(j), _index(f), _index(has[:, j] & ~f)))
    relu = np.array([v.relu for v in vals])
    return DenseMap(tuple(v.vid for v in vals), W, b, has, relu, has.sum(axis=1), tuple(steps))


def _acc_chunk(dm: DenseMap, Xt: np.ndarray) -> np.ndarray:
    """(k, c) pre-activations of the rows Xt (d, c): the plan's IEEE operations, column after column."""
    acc = np.empty((dm.W.shape[0], Xt.shape[1]))
    acc[...] = dm.b[:, None]  # neurons without entries: the bias
    for j, first, rest in dm.steps:
        x = Xt[j]
        if first is not None:
            p = np.multiply(dm.W[first, j][:, None], x)
            p += dm.b[first][:, None]  # fl(fl(w x) + b)
            acc[first] = p
        if rest is not None:
            p = np.multiply(dm.W[rest, j][:, None], x)
            if isinstance(rest, slice):
                acc += p
            else:
                acc[rest] += p
    return acc


def _over_chunks(fn: Any, n: int) -> list:
    """fn(a) for every chunk start a (``_CHUNK`` rows each), on a thread pool (numpy releases the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    from robustmem.network.evaluate import available_cores

    starts = range(0, n, _CHUNK)
    if len(starts) <= 1:
        return [fn(a) for a in starts]
    with ThreadPoolExecutor(max_workers=min(available_cores(), _THREADS)) as pool:
        return list(pool.map(fn, starts))


def float_values(dm: DenseMap, X: np.ndarray) -> np.ndarray:
    """(k, n) values relu?(W x + b) of the rows of X, bit-identical to the plan run with
    :class:`~robustmem.network.evaluate.FloatArith` (module docstring)."""
    out = np.empty((dm.W.shape[0], X.shape[0]))

    def chunk(a: int) -> None:
        acc = _acc_chunk(dm, np.ascontiguousarray(X[a : a + _CHUNK].T))
        if dm.relu.any():
            acc[dm.relu] = np.maximum(acc[dm.relu], 0.0)
        out[:, a : a + _CHUNK] = acc

    _over_chunks(chunk, X.shape[0])
    return out


def _radius_chunk(dm: DenseMap, X: np.ndarray) -> np.ndarray:
    """(k, c) a-priori bounds on |fl(W x + b) - (W x + b)| for the rows X (c, d) (module docstring)."""
    d = dm.W.shape[1]
    Xa = np.maximum(np.abs(X), 2.0**-1022)
    T = (Xa @ np.abs(dm.W).T).T  # (k, c)
    S = _up((T + d * 2.0**-1021) * (1.0 + 2.0 * _gamma(d)))
    g = np.array([_gamma(int(m) + 1) for m in dm.terms])[:, None]
    r = _up(g * (np.abs(dm.b)[:, None] + S) + (dm.terms[:, None] * 2.0**-1074 + 2.0**-1070))
    r[dm.terms == 0] = 0.0  # a neuron without entries is its bias, exactly
    return r


def verified_values(dm: DenseMap, X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(values, radii), each (k, n), of the rows of X (exact inputs): values bit-identical to
    :func:`float_values`, |exact - value| <= radius, an exact 0 (radius 0) after a ReLU whose exact input is
    provably <= 0.  None where a value or a radius is not finite (the caller falls back)."""
    val, rad = np.empty((dm.W.shape[0], X.shape[0])), np.empty((dm.W.shape[0], X.shape[0]))

    def chunk(a: int) -> bool:
        Xc = X[a : a + _CHUNK]
        s = _acc_chunk(dm, np.ascontiguousarray(Xc.T))
        r = _radius_chunk(dm, Xc)
        if not (np.isfinite(s).all() and np.isfinite(r).all()):
            return False
        if dm.relu.any():
            R = dm.relu
            dead = s[R] <= -r[R]
            r[R] = np.where(dead, 0.0, r[R])
            s[R] = np.where(dead, 0.0, np.maximum(s[R], 0.0))
        val[:, a : a + _CHUNK], rad[:, a : a + _CHUNK] = s, r
        return True

    return (val, rad) if all(_over_chunks(chunk, X.shape[0])) else None
