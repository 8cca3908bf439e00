"""Evaluators that run a network's compiled plans with a chosen arithmetic.

* :class:`FloatArith` - float64 numpy (``evaluate_sequential``, and the reference);
* :class:`KernelArith` - the same float64 operations run by torch's vectorized, multi-threaded
  elementwise kernels on the large block-parallel arrays (``net(X)``);
* :class:`VerifiedArith` - float64 plus a rigorous radius around the exact value
  (error-free transformations; see :mod:`robustmem.network.exact`);
* :class:`TorchArith` - torch tensors, differentiable (``net.to_torch()``).

All three perform, value by value, ``acc = bias; acc = acc + w * h ...; relu``.  The float64
and verified evaluators therefore return bit-identical values, and block-parallel evaluation is
bit-identical to block-after-block evaluation (see :mod:`robustmem.network.plan`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from robustmem.network.plan import SegmentPlan, compile_segment

if TYPE_CHECKING:
    from robustmem.network.network import ReLUNetwork

__all__ = [
    "PROCESS_WORK",
    "FloatArith",
    "KernelArith",
    "VerifiedArith",
    "available_cores",
    "can_fork",
    "evaluate_in_processes",
    "kernels_are_ieee",
    "run_network",
    "segment_plan",
]


def _unit(w: Any) -> float:
    """+1.0 or -1.0 when every entry of the weight (a scalar, or one per block) is that number
    (the product is then exact), else 0.0."""
    if np.ndim(w) == 0:
        return float(w) if (w == 1.0 or w == -1.0) else 0.0
    first = float(w.flat[0])
    if (first == 1.0 or first == -1.0) and bool((w == first).all()):
        return first
    return 0.0


class FloatArith:
    """Plain float64 numpy arithmetic: value = relu(bias + w_1 h_1 + w_2 h_2 + ...), left to right.

    In-place accumulation computes bias + w_1 h_1 as w_1 h_1 + bias (one IEEE addition is
    commutative), so the rounding is exactly that of the left-to-right sum.  Weights +-1 are
    applied as an addition or subtraction (x + (-1) h == x - h exactly), saving a pass.
    """

    #: elements per block-parallel array (run_network's ``max_elements``); 2^16 measured best for numpy
    max_elements = 1 << 16

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        if not terms:
            acc = (
                np.full(shape, bias, dtype=np.float64) if np.ndim(bias) == 0 else np.array(np.broadcast_to(bias, shape))
            )
        else:
            w, h = terms[0]
            u = _unit(w)
            if u == 1.0:
                acc = np.add(h, bias)
            elif u == -1.0:
                acc = np.subtract(bias, h)
            else:
                acc = w * h
                acc += bias
            if acc.shape != shape:
                acc = np.array(np.broadcast_to(acc, shape))
            for w, h in terms[1:]:
                u = _unit(w)
                if u == 1.0:
                    acc += h
                elif u == -1.0:
                    acc -= h
                else:
                    acc += w * h
        if relu:
            np.maximum(acc, 0.0, out=acc)
        return acc

    def split(self, value: Any) -> Any:
        """The per-block rows of a block-parallel value."""
        return value

    def input(self, X: Any, j: int) -> Any:
        return X[:, j]


#: arrays with fewer elements than this stay in numpy (torch's per-call overhead would dominate)
KERNEL_MIN_ELEMENTS = 1 << 13
#: torch's internal GRAIN_SIZE: elementwise kernels on fewer elements run on the calling thread
TORCH_GRAIN = 1 << 15


def kernels_are_ieee() -> bool:
    """Whether torch's CPU float64 kernels currently keep subnormal numbers (no flush-to-zero).

    ``torch.set_flush_denormal(True)`` makes the CPU flush subnormal results and inputs to zero, which
    would change results where numpy's do not; :class:`KernelArith` is only used when this is False.
    """
    import torch

    tiny = torch.tensor([2.0**-1070], dtype=torch.float64)
    return bool((tiny * 1.0).item() != 0.0)


def _tensor(a: Any) -> Any:
    """A torch view of a float64 numpy array (a copy only when the array is read-only), or a float."""
    import torch

    if np.ndim(a) == 0:
        return float(a)
    a = np.asarray(a, dtype=np.float64)
    if not a.flags.writeable:
        a = a.copy()
    return torch.from_numpy(a)


def _kernel_value(tb: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
    """relu(bias + w_1 h_1 + w_2 h_2 + ...) left to right, one IEEE operation per torch call (no fusion):
    the operations of :meth:`FloatArith.value`.  ``tb``: a float or a tensor broadcasting to ``shape``;
    ``terms``: (w, h) with w a float (+-1 applied as an addition or subtraction) or a tensor, h a tensor."""
    import torch

    out = torch.empty(shape, dtype=torch.float64)
    if not terms:
        out.copy_(torch.as_tensor(tb, dtype=torch.float64).expand(shape))
    tmp = None
    for k, (w, h) in enumerate(terms):
        u = w if (isinstance(w, float) and (w == 1.0 or w == -1.0)) else 0.0
        if k == 0:
            hx = h.expand(shape)
            if u == 1.0:
                torch.add(hx, tb, out=out)
            elif u == -1.0:
                torch.neg(hx, out=out)  # tb - h is exactly (-h) + tb in IEEE arithmetic
                out.add_(tb)
            else:
                torch.mul(hx, w, out=out)  # w * h, then + bias: the rounding of bias + w * h
                out.add_(tb)
        elif u == 1.0:
            out.add_(h)
        elif u == -1.0:
            out.sub_(h)
        elif isinstance(w, float) and h.dim() < len(shape):  # a scalar times a row: the product is a row
            out.add_(torch.mul(h, w))
        else:
            if tmp is None:
                tmp = torch.empty(shape, dtype=torch.float64)
            torch.mul(h.expand(shape), w, out=tmp)
            out.add_(tmp)
    if relu:
        out.clamp_(min=0.0)
    return out


class KernelArith(FloatArith):
    """The operations of :class:`FloatArith`, performed by torch's elementwise CPU kernels.

    Each step is one IEEE float64 operation -- ``mul``, ``add``, ``sub`` (never a fused multiply-add)
    and ``max(x, 0)`` -- on the same operands in the same order as :class:`FloatArith`, so every value
    is the same float64 number (tested on every construction).  The one representational difference:
    torch's ``clamp`` keeps -0.0 where numpy's ``maximum`` returns +0.0; products and sums with a zero
    of either sign give the same number again, so no value, infinity or NaN differs, only possibly
    the sign bit of a zero.  Arrays below :data:`KERNEL_MIN_ELEMENTS` elements and values with no terms use numpy.
    Values are returned as numpy arrays sharing memory with the torch results.
    Use only when :func:`kernels_are_ieee` holds.

    Threads: torch splits an elementwise operation over its OpenMP threads only from
    :data:`TORCH_GRAIN` elements on, and OpenMP threads that spin while other processes hold the
    cores slowed evaluation 30-fold on this 2-core machine (measured).  Arrays are therefore kept
    below that size (``max_elements``), so each kernel runs on the calling thread and the caller
    parallelizes over row chunks (``net(X)`` uses worker processes for large jobs).
    """

    max_elements = TORCH_GRAIN - 1

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        if (
            not terms
            or int(np.prod(shape)) < KERNEL_MIN_ELEMENTS
            or np.broadcast_shapes(np.shape(bias), np.shape(terms[0][0]), np.shape(terms[0][1])) != shape
        ):
            return super().value(bias, terms, relu, shape)
        # a weight that is +-1 everywhere is applied as an addition or subtraction, as FloatArith does
        weights = [_unit(w) or _tensor(w) for w, _ in terms]
        return _kernel_value(_tensor(bias), [(w, _tensor(h)) for w, (_, h) in zip(weights, terms)], relu, shape).numpy()

    def state_free_values(
        self, plan: SegmentPlan, ENT: np.ndarray, BIAS: np.ndarray, state: list, shape: tuple[int, int]
    ) -> dict[int, np.ndarray]:
        """The exported state-free values of one chunk of B blocks, as numpy (B, n) arrays.

        The block-parallel loop of :func:`run_network` for this arithmetic, with the per-value work
        done once per chunk: a weight or bias column that is the same in every block of the chunk
        is applied as a scalar (the same IEEE operation on the same numbers), and values stay torch
        tensors until exported.  Operation for operation the same as :meth:`FloatArith.value`.
        """
        import torch

        _B, _n = shape
        ENT, BIAS = np.ascontiguousarray(ENT, dtype=np.float64), np.ascontiguousarray(BIAS, dtype=np.float64)
        e_const, b_const = (ENT[:1] == ENT).all(axis=0), (BIAS[:1] == BIAS).all(axis=0)
        TE = torch.from_numpy(np.ascontiguousarray(ENT.T)).unsqueeze(2)  # (E, B, 1): TE[e] is a column
        TB = torch.from_numpy(np.ascontiguousarray(BIAS.T)).unsqueeze(2)
        e0, b0 = ENT[0], BIAS[0]
        env: dict[int, Any] = {
            i: torch.from_numpy(np.ascontiguousarray(state[i], dtype=np.float64)) for i in plan.pass_through
        }
        for idx, v in enumerate(plan.values):
            if not v.state_free:
                continue
            tb = float(b0[v.bias]) if b_const[v.bias] else TB[v.bias]
            terms = [(float(e0[e]) if e_const[e] else TE[e], env[src]) for src, e in zip(v.srcs, v.ents)]
            env[v.vid] = _kernel_value(tb, terms, v.relu, shape)
            for src in v.srcs:  # free state-free values after their last state-free reader
                if plan.last_use.get(src) == idx and src not in plan.exported and src not in plan.pass_through:
                    del env[src]
        return {vid: env[vid].numpy() for vid in plan.exported}


_SPLITTER = 134217729.0
_TINY = 2.0**-900
_HUGE = 2.0**900


def _up(x: Any) -> Any:
    """An upper bound of a non-negative float computed with rounding to nearest."""
    return np.where(x > 0, np.nextafter(x * (1.0 + 2.0**-30), np.inf), 0.0)


def _is_pow2(w: Any) -> bool:
    """Whether every weight is 0 or +-2^k: products with them are exact (barring underflow)."""
    m, _ = np.frexp(np.asarray(w))
    return bool(np.all((m == 0.5) | (m == -0.5) | (m == 0.0)))


class VerifiedArith:
    """float64 values with radii R: |exact - value| <= R; R == 0 means the value is exact.

    A value is a pair (x, R); R is the scalar 0.0 while the value is exact.  Products use
    Dekker's TwoProduct (skipped when the weights are powers of two, whose products are exact
    above the underflow range, which is checked), sums Knuth's TwoSum, so operations without
    rounding contribute exactly zero.  A ReLU whose exact input is provably <= 0 outputs an
    exact 0.  The float values are bit-identical to :class:`FloatArith`'s.
    """

    @staticmethod
    def _split(a: Any) -> tuple[Any, Any]:
        c = _SPLITTER * a
        hi = c - (c - a)
        return hi, a - hi

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        s: Any = bias
        err: Any = 0.0
        prop: Any = 0.0
        for w, (hv, hr) in terms:
            p = w * hv
            if _is_pow2(w):
                risky = (np.abs(p) < _TINY) & (hv != 0) & (np.asarray(w) != 0)
                if np.any(risky):
                    err = err + np.where(risky, 2 * _TINY, 0.0)
            else:
                wh, wl = self._split(np.asarray(w))
                hh, hl = self._split(hv)
                ep = ((wh * hh - p) + wh * hl + wl * hh) + wl * hl
                risky = (
                    ((np.abs(p) < _TINY) & (np.asarray(w) != 0) & (hv != 0))
                    | (np.abs(w) > _HUGE)
                    | (np.abs(hv) > _HUGE)
                )
                err = err + _up(np.abs(np.where(risky, 0.0, ep))) + np.where(risky, 2 * _TINY, 0.0)
            s0 = s
            s = s0 + p
            bb = s - s0
            es = (s0 - (s - bb)) + (p - bb)
            if np.any(es != 0):
                err = err + _up(np.abs(es))
            if not (np.ndim(hr) == 0 and hr == 0.0):
                prop = prop + _up(np.abs(w) * hr)
        s = np.array(np.broadcast_to(s, shape), dtype=np.float64)
        if not np.isfinite(s).all():
            raise OverflowError("verified evaluation overflowed; use evaluate_fraction")
        exact = np.ndim(err) == 0 and err == 0.0 and np.ndim(prop) == 0 and prop == 0.0
        if exact:
            rad: Any = 0.0
        else:
            rad = np.array(
                np.broadcast_to(
                    _up(_up(np.asarray(err, dtype=np.float64)) + _up(np.asarray(prop, dtype=np.float64))), shape
                )
            )
            if not np.isfinite(rad).all():
                raise OverflowError("verified evaluation overflowed; use evaluate_fraction")
        if relu:
            if exact:
                return (np.maximum(s, 0.0), 0.0)
            dead = s <= -rad
            rad = np.where(dead, 0.0, rad)
            s = np.where(dead, 0.0, np.maximum(s, 0.0))
            if not rad.any():
                rad = 0.0
        return (s, rad)

    def split(self, value: Any) -> Any:
        x, r = value
        return [(x[b], r if np.ndim(r) == 0 else r[b]) for b in range(len(x))]

    def input(self, X: Any, j: int) -> Any:
        return (X[:, j], 0.0)


def segment_plan(seg: Any, *, final_relu: bool, parallel: bool) -> SegmentPlan:
    """The compiled plan of ``seg`` (cached on the segment)."""
    key = ("plan", final_relu, parallel)
    plan = seg._flat.get(key)
    if plan is None:
        plan = compile_segment(seg, final_relu=final_relu, parallel=parallel)
        seg._flat[key] = plan
    return plan


def _run_values(
    plan: SegmentPlan, arith: Any, env: dict, ent: Any, bias: Any, shape: tuple[int, ...], values: Any
) -> None:
    for v in values:
        env[v.vid] = arith.value(bias[v.bias], [(ent[e], env[s]) for s, e in zip(v.srcs, v.ents)], v.relu, shape)


def _run_sequential(seg: Any, plan: SegmentPlan, arith: Any, state: list, n: int, reps: range, realize: Any) -> list:
    for rep in reps:
        ent, bias = realize(seg, rep)
        env = dict(enumerate(state))
        _run_values(plan, arith, env, ent, bias, (n,), plan.values)
        state = [env[o] for o in plan.outputs]
    return state


def _run_parallel(seg: Any, plan: SegmentPlan, arith: Any, state: list, n: int, chunk: int, realize_all: Any) -> list:
    for start in range(0, seg.repeats, chunk):
        stop = min(seg.repeats, start + chunk)
        ENT, BIAS = realize_all(seg, slice(start, stop))
        B = stop - start
        if B * n >= KERNEL_MIN_ELEMENTS and hasattr(arith, "state_free_values"):
            split = arith.state_free_values(plan, ENT, BIAS, state, (B, n))
            state = _run_dependent(plan, arith, state, n, B, split, ENT, BIAS)
            continue
        env1: dict[int, Any] = {i: state[i] for i in plan.pass_through}
        for idx, v in enumerate(plan.values):
            if not v.state_free:
                continue
            terms = [(ENT[:, e][:, None], env1[s]) for s, e in zip(v.srcs, v.ents)]
            env1[v.vid] = arith.value(BIAS[:, v.bias][:, None], terms, v.relu, (B, n))
            for s in v.srcs:  # free state-free values after their last state-free reader
                if plan.last_use.get(s) == idx and s not in plan.exported and s not in plan.pass_through:
                    del env1[s]
        split = {vid: arith.split(env1[vid]) for vid in plan.exported}
        state = _run_dependent(plan, arith, state, n, B, split, ENT, BIAS)
    return state


def _run_dependent(
    plan: SegmentPlan, arith: Any, state: list, n: int, B: int, split: dict, ENT: Any, BIAS: Any
) -> list:
    """The state-dependent values of B blocks, block after block, reading the exported state-free ones."""
    dependent = [v for v in plan.values if not v.state_free]
    for b in range(B):
        env = dict(enumerate(state))
        for vid in plan.exported:
            env[vid] = split[vid][b]
        _run_values(plan, arith, env, ENT[b], BIAS[b], (n,), dependent)
        state = [env[o] for o in plan.outputs]
    return state


def run_network(
    net: ReLUNetwork,
    X: Any,
    arith: Any,
    *,
    parallel: bool = True,
    max_elements: int = 1 << 16,
    realize: Any = None,
    realize_all: Any = None,
) -> Any:
    """Evaluate ``net`` on the batch X (n, d) with ``arith``; returns the output value."""
    n = X.shape[0]
    realize_all = realize_all or (lambda seg, rows: seg.realize_all(rows))
    realize = realize or (lambda seg, rep: tuple(a[0] for a in realize_all(seg, slice(rep, rep + 1))))
    state = [arith.input(X, j) for j in range(net.input_dim)]
    last = len(net.segments) - 1
    for k, seg in enumerate(net.segments):
        par = parallel and seg.repeats > 1
        plan = segment_plan(seg, final_relu=k < last, parallel=par)
        if par and plan.pass_through:
            chunk = max(1, max_elements // max(n, 1))
            state = _run_parallel(seg, plan, arith, state, n, chunk, realize_all)
        else:
            state = _run_sequential(seg, plan, arith, state, n, range(seg.repeats), realize)
    return state[0]


#: rows x depth from which ``net(X)`` evaluates in worker processes (below it, process start-up and
#: the copy of X would cost more than the second core gains)
PROCESS_WORK = 1 << 28
_FORKED_NET: Any = None  # the network a forked worker evaluates (inherited, never pickled)


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the OS reports it)."""
    import os

    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether worker processes can be forked safely: Linux, and not inside a daemonic worker itself."""
    import multiprocessing as mp
    import sys

    return sys.platform.startswith("linux") and not mp.current_process().daemon


def _forked_rows(args: tuple[np.ndarray, bool, int]) -> np.ndarray:
    X, kernels, chunk = args
    net = _FORKED_NET
    arith = KernelArith() if kernels else FloatArith()
    return np.concatenate(
        [
            np.asarray(run_network(net, X[i : i + chunk], arith, max_elements=arith.max_elements))
            for i in range(0, len(X), chunk)
        ]
    )


def evaluate_in_processes(
    net: ReLUNetwork, X: np.ndarray, *, workers: int, kernels: bool, chunk: int = 8192
) -> np.ndarray:
    """f(X) with the rows split over ``workers`` forked processes (each inherits ``net``).

    Every row is evaluated by :func:`run_network` with the same arithmetic as in one process, so the
    result is bit-identical (tested).  Raises RuntimeError where fork is unavailable.
    """
    import multiprocessing as mp

    global _FORKED_NET
    if not can_fork():
        raise RuntimeError("evaluate_in_processes needs fork (Linux, not inside a daemonic process)")
    n = len(X)
    size = -(-n // workers)
    parts = [(X[i : i + size], kernels, min(chunk, size)) for i in range(0, n, size)]
    _FORKED_NET = net
    try:
        with mp.get_context("fork").Pool(len(parts)) as pool:
            outs = pool.map(_forked_rows, parts)
    finally:
        _FORKED_NET = None
    return np.concatenate(outs)
