"""Sparse exact evaluation of a chain network: only the blocks whose indicator can be non-zero are evaluated.

A chain network (Theorem 37) computes u = relu(W x + b) once, then, block after block, the running maximum
m <- m + relu(z_b - m) with m >= 0, and outputs f = m (fused chains: the pair (m, e), f = m + e).  When the
float64 value of z_b is <= 0, fl(z_b - m) <= 0 (rounding is monotone), relu gives 0 and fl(m + 0) = m: the block
changes no bit of the state (the carried u_j >= 0 pass through unchanged).  The same holds in exact arithmetic
when the exact z_b is 0.  So f(x) is computed by evaluating, in chain order and with the very same float64
operations as ``net(X)``, only the blocks that are not *provably silent* at x.

Proof of silence (the structural certifier's machinery, :mod:`.structural.template` / :mod:`.structural.regions`):
the chain template is interpreted symbolically for all N blocks at once on a box that contains the computed state
u of every query, and a radius R_out is proven in exact rational arithmetic such that

* float64 (``evaluate``): for every float state u in the box with ||u - D_b||_q >= R_out, the float64 label
  neuron of block b is exactly 0 (criterion "zero", every rounding of the block bounded; the state u is the
  block's input, taken as exact, so its own rounding does not enter);
* exact (``evaluate_verified`` / ``evaluate_exact``): for every real u in the box with ||u - D_b||_q >= R_out,
  the exact z_b is 0; the exact state lies within the verified radius of the float state, which is added to
  the search radius.

Here D_b = shift - alpha_b is block b's centre in state coordinates (a_b = u - D_b, exactly a float sum with its
TwoSum error bounded).  Candidates are the blocks whose centre lies within R_out + (centre error) + (state
radius) of u, widened by a relative 2^-20 and an absolute 2^-30 times the coordinate span: exactly the blocks
that pass the reference test fl(||U_i - D_b||_q) (1 - 2^-20) <= radius (``search="scan"``, a direct scan of
every centre, O(N) per point; the widening exceeds the float64 rounding of the distance, a few ulps, by orders
of magnitude).  The default ``search="kdtree"`` finds the same set with scipy's cKDTree: up to 12 coordinates one
tree, above that one tree per group of at most 10 consecutive coordinates, queried at the pigeonhole radius
(:func:`tree_candidates`: ||z||_q <= R forces ||z_g||_q <= R m^(-1/q) in one of the m groups), the union then
filtered with the scan's test.  ``search="gram"`` screens with the Gram identity, one BLAS product per block of
points.  Blocks outside are silent.

The opening affine map u = relu(W x + b) is computed column by column on (outputs, rows) arrays with the plan's
IEEE operations (:mod:`.sparse_input`: the same float64 numbers), and for the verified pass its radius is an
a-priori bound gamma_{m+1} (|b| + sum |w x|) from one BLAS product (from 8 terms per neuron on; error-free
transformations below).  The template is interpreted once per arithmetic: the centres come from the
interpretation made for the proof.  Slots of candidate blocks and the opening map run on a 2-thread pool over row
chunks, the tree queries on up to 4 cores (cKDTree ``workers``).

Measured (all 10^5 training points of the d = 784, k = 32 Theorem 7 network, k' = 26, one block per point; the
command is in docs/speed.md; 2 cores shared with other work, load average 3.7-3.9): ``evaluate_exact`` 29.0 s
wall, 20.0 s CPU, no point needing rational arithmetic; ``evaluate`` 15.9 s wall, 12.4 s CPU.  The code before
these paths took 231.9 s wall, 129.6 s CPU and 42.7 s wall, 36.9 s CPU on the same machine (load 1-4).  With
k' = 10 the exact evaluation took 8.8 s CPU (the earlier code).

Networks without such a proof (no certificate, a construction outside :data:`~.structural.certifier.SUPPORTED`, a
structure the interpreter does not recognize, or no R_out found) are evaluated in full; the report says so
and why (``SparseReport.mode == "full"``, ``reason``).
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from robustmem.errors import InvalidArgumentError

__all__ = [
    "SparseEvaluator",
    "SparseReport",
    "evaluate_exact_sparse",
    "evaluate_sparse",
    "evaluate_verified_sparse",
    "verify_fit_exact",
]

Search = Literal["kdtree", "gram", "scan"]
_REL = 2.0**-20  # relative widening of the search radius
_ABS = 2.0**-30  # absolute widening, times the coordinate span of the centres and states
_ROWS = 16384  # query rows per evaluated slot and thread job (bounds the gathered parameter arrays)
_THREADS = 2  # threads over row chunks (measured: see the module docstring)
_PAIRS = 1 << 22  # coordinates gathered at once by the candidate filter
_DENSE_TERMS = 8  # verified input map: a-priori radii from this many terms per neuron (else error-free ones)
_LEAF = 64  # KD-tree leaf size (measured: 1.9 s CPU per group of 9 coordinates at 10^5 points, 2.7 s at 16)
_GROUP = 10  # at most this many coordinates per KD-tree group (trees prune well up to about 10)


@dataclass(frozen=True)
class SparseReport:
    """How a sparse evaluation ran.

    ``mode``: "sparse" (only candidate blocks evaluated, every skipped block proven silent) or "full" (the whole
    chain, ``reason`` says why); ``n_points``; ``n_blocks`` (chain blocks of the network); ``blocks_evaluated``
    (chain blocks evaluated, summed over points; N per point when full); ``max_blocks_per_point``;
    ``n_full_points`` (points whose state lies too far out for the proof's box: all their blocks evaluated); ``R_out``
    (the proven silence radius used, in the indicator norm ``q``); ``arithmetic`` ("float64" or "exact");
    ``search``; ``seconds``; ``proof_seconds`` (interpreting the template and proving R_out, cached per box).
    """

    mode: Literal["sparse", "full"]
    reason: str | None
    n_points: int
    n_blocks: int
    blocks_evaluated: int
    max_blocks_per_point: int
    n_full_points: int
    R_out: float | None
    q: float | None
    arithmetic: str
    search: str
    seconds: float
    proof_seconds: float

    @property
    def mean_blocks_per_point(self) -> float:
        return self.blocks_evaluated / max(self.n_points, 1)


@dataclass
class _Proof:
    lo: float  # box of the state coordinates the proof covers
    hi: float
    R_out: float


class _Layout:
    """What the evaluator needs from the network's structure (read with the structural certifier's readers)."""

    def __init__(self, net: Any, cert: Any):
        from robustmem.certify.structural.certifier import FUSED
        from robustmem.certify.structural.geometry import read_fused_input_map, read_input_map
        from robustmem.certify.structural.symbols import Unsupported

        segs = net.segments
        self.fused = cert.construction in FUSED
        if self.fused:
            if len(segs) != 3 or segs[0].repeats != 1:
                raise Unsupported(f"expected (input map + first block, chain, output), got {len(segs)} segments")
            im, m_pos, e_pos = read_fused_input_map(segs[0])
            self.pair: tuple[int, int] | None = (m_pos, e_pos)
            self.state_pos: int | None = None
        else:
            if len(segs) != 3 or segs[0].repeats != 1:
                raise Unsupported(f"expected (input map, chain, output), got {len(segs)} segments")
            im = read_input_map(segs[0])
            self.pair, self.state_pos = None, im.state_pos
        self.im = im
        self.chain = segs[1]
        self.coord_pos = list(im.coord_pos)
        self.q = float(cert.tau_norm)
        self.r, self.w = Fraction(cert.r), Fraction(cert.w)


def _certificate_of(net: Any, certificate: Any) -> tuple[Any, str | None]:
    from robustmem.certificate import Certificate

    if certificate is not None:
        if not isinstance(certificate, Certificate):
            raise InvalidArgumentError(f"certificate must be a Certificate, got {type(certificate).__name__}")
        return certificate, None
    d = getattr(net, "meta", {}).get("certificate")
    if d is None:
        return None, "the network carries no certificate (no block structure to prove silence with)"
    try:
        return Certificate.from_dict(d), None
    except Exception as exc:  # a damaged header: evaluate in full rather than trust it
        return None, f"the network's certificate could not be read ({exc})"


class SparseEvaluator:
    """Evaluate a chain network touching only the blocks that are not provably silent (module docstring).

    Guarantee: :meth:`evaluate` returns values equal to ``net(X)`` (the same float64 number, a zero's sign
    aside) and :meth:`evaluate_verified` / :meth:`evaluate_exact` the same values and exact results as
    :func:`~robustmem.network.exact.evaluate_verified` / :func:`~robustmem.network.exact.evaluate_exact`,
    whenever the report's mode is "sparse" (every skipped block proven silent) and trivially when it is "full".

    Parameters: ``net``; ``certificate`` (default ``net.meta['certificate']``; it only tells the construction,
    the indicator norm and r + w: every fact used is proven from the weights); ``search``: "kdtree", "gram" or "scan".
    ``reason`` says why a network is evaluated in full; a template the interpreter does not recognize is found at
    the first evaluation (or the first use of :attr:`D`), where the template is first interpreted.
    """

    def __init__(self, net: Any, certificate: Any = None, *, search: Search = "kdtree"):
        from robustmem.certify.structural.certifier import SUPPORTED
        from robustmem.certify.structural.symbols import Unsupported

        if search not in ("kdtree", "gram", "scan"):
            raise InvalidArgumentError(f"search must be 'kdtree', 'gram' or 'scan', got {search!r}")
        self.net, self.search = net, search
        self.layout: _Layout | None = None
        self.reason: str | None = None
        self._proofs: dict[str, _Proof] = {}
        self._trees: list[tuple[np.ndarray, Any]] | None = None
        self._D: np.ndarray | None = None
        self.D_err = 0.0
        self.centre_box = (0.0, 0.0)
        self.proof_seconds = 0.0
        self.failure: str | None = None  # why the last proof attempt found no radius
        cert, why = _certificate_of(net, certificate)
        if cert is None:
            self.reason = why
            return
        if cert.construction not in SUPPORTED:
            self.reason = f"construction {cert.construction!r} has no structural proof of silence"
            return
        try:
            self.layout = _Layout(net, cert)
        except Unsupported as exc:
            self.reason = f"structure not recognized: {exc}"
            return

    # ----- centres -----
    @property
    def D(self) -> np.ndarray:
        """The block centres D_b (k' coordinates each), shape (N, k'); derived by the first evaluation's proof, or
        here from an interpretation on a large box when asked before any evaluation."""
        if self._D is None and self.layout is not None:
            self._centres(None)
        if self._D is None:
            raise ValueError(f"no block centres: {self.reason}")
        return self._D

    def _centres(self, facts: Any) -> None:
        """Block centres D_b = shift - alpha_b in state coordinates from an interpretation of the template
        (``facts``; None: interpret on a box 2^60 wide).  alpha and shift are read off the weights in the
        interpreter's first pass and depend neither on the box nor on the arithmetic (float64 or exact), so the
        interpretation made for a proof serves."""
        lay = self.layout
        assert lay is not None
        from robustmem.certify.structural.symbols import Unsupported, two_sum

        k = len(lay.coord_pos)
        if facts is None:
            t = time.perf_counter()
            try:
                big = Fraction(2) ** 60  # any box containing the centres: alpha and shift do not depend on it
                facts = self._interpret([Fraction(0)] * k, [big] * k, float_mode=False)
            except Unsupported as exc:
                self.layout, self.reason = None, f"structure not recognized: {exc}"
                return
            finally:
                self.proof_seconds += time.perf_counter() - t
        sh = np.array([float(s) for s in facts.shift])
        D, e = two_sum(np.broadcast_to(sh, facts.alpha.shape), -facts.alpha)  # D + e = shift - alpha exactly
        self._D = np.ascontiguousarray(D)
        self.D_err = float(_up(_qnorm(np.abs(e), lay.q).max(initial=0.0)))
        pad = self._pad()  # the box of every proof covers the centres and their ON regions
        self.centre_box = (max(0.0, float(D.min()) - pad), float(D.max()) + pad)

    def _pad(self) -> float:
        lay = self.layout
        assert lay is not None
        return 2.0 * float(lay.r + lay.w)

    def _interpret(self, U_lo: list[Fraction], U_hi: list[Fraction], *, float_mode: bool) -> Any:
        from robustmem.certify.structural.template import interpret_block

        lay = self.layout
        assert lay is not None
        k = len(lay.coord_pos)
        return interpret_block(
            lay.chain,
            lay.coord_pos,
            lay.state_pos,
            U_lo,
            U_hi,
            [Fraction(0)] * k,
            r_box=lay.r,
            float_mode=float_mode,
            fused=lay.pair,
        )

    def _proof(self, lo: float, hi: float, float_mode: bool) -> float | None:
        """A silence radius R_out proven on a box [lo', hi']^k containing [lo, hi]^k (the states) and the centres'
        box (cached; None if none found).  Before the centres are known, the states' box widened by the room
        below and by 2 (r + w) is interpreted first: the centres come from that interpretation, and when its box
        contains the centres' box it is the proof's box (one interpretation instead of two)."""
        key = "float64" if float_mode else "exact"
        pr = self._proofs.get(key)
        if pr is not None and pr.lo <= lo and hi <= pr.hi:
            return pr.R_out
        if self._D is None:
            span, pad = hi - lo, self._pad()
            blo, bhi = max(0.0, lo - span / 8 - pad - 1e-300), hi + span / 8 + pad + 1e-300
            facts = self._facts(blo, bhi, float_mode)
            self._centres(facts)
            if self.layout is None:
                return None
            if facts is not None and blo <= self.centre_box[0] and self.centre_box[1] <= bhi:
                return self._radius(facts, blo, bhi, key)
        lo, hi = min(lo, self.centre_box[0]), max(hi, self.centre_box[1])
        if pr is not None:
            lo, hi = min(lo, pr.lo), max(hi, pr.hi)
        span = hi - lo
        lo, hi = max(0.0, lo - span / 8 - 1e-300), hi + span / 8 + 1e-300  # room for the next batch
        facts = self._facts(lo, hi, float_mode)
        return None if facts is None else self._radius(facts, lo, hi, key)

    def _facts(self, lo: float, hi: float, float_mode: bool) -> Any:
        """The template interpreted on [lo, hi]^k (None, with ``failure`` set, where it cannot be)."""
        from robustmem.certify.structural.symbols import Unsupported

        lay = self.layout
        assert lay is not None
        t = time.perf_counter()
        k = len(lay.coord_pos)
        try:
            return self._interpret([Fraction(lo)] * k, [Fraction(hi)] * k, float_mode=float_mode)
        except (Unsupported, OverflowError, ValueError) as exc:
            self.failure = f"template not interpreted on the states' box [{lo:.6g}, {hi:.6g}]: {exc}"
            return None
        finally:
            self.proof_seconds += time.perf_counter() - t

    def _radius(self, facts: Any, lo: float, hi: float, key: str) -> float | None:
        """R_out proven from ``facts`` (the template on [lo, hi]^k), cached under ``key``."""
        from robustmem.certify.structural.regions import Regions
        from robustmem.certify.structural.symbols import Unsupported

        lay = self.layout
        assert lay is not None
        t = time.perf_counter()
        try:
            bound = Fraction(max(0.0, float(facts.labels.max()))) if facts.fused else Fraction(0)
            reg = Regions(facts, lay.q, bound)
            R = _search_out(reg, float(lay.r + lay.w), key == "float64")
        except (Unsupported, OverflowError, ValueError) as exc:
            self.failure = f"no silence radius on the states' box [{lo:.6g}, {hi:.6g}]: {exc}"
            R = None
        self.proof_seconds += time.perf_counter() - t
        if R is None:
            return None
        self._proofs[key] = _Proof(lo, hi, R)
        return R

    # ----- candidate search -----
    def _candidates(self, U: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """CSR (indptr, blocks) of the blocks b with ||U_i - D_b||_q possibly <= radius_i (sorted per row)."""
        lay = self.layout
        assert lay is not None
        q = lay.q
        n = U.shape[0]
        span = float(max(np.abs(self.D).max(initial=0.0), np.abs(U).max(initial=0.0)))
        rad = radius * (1.0 + _REL) + _ABS * span * (1 + len(lay.coord_pos))
        if self.search == "scan":
            lists = _scan_lists(self.D, U, rad, q)
        elif self.search == "gram":
            lists = _gram_candidates(self.D, U, rad, q)
        else:
            if self._trees is None:
                self._trees = group_trees(self.D)
            return tree_candidates(self._trees, self.D, U, rad, q)
        counts = np.fromiter((len(x) for x in lists), dtype=np.int64, count=n)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        blocks = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists]) if counts.sum() else np.zeros(0, int)
        return indptr, blocks

    # ----- evaluation -----
    def evaluate(self, X: np.ndarray) -> tuple[np.ndarray, SparseReport]:
        """f(X) in float64, bit-identical to ``net(X)`` (a zero's sign aside), and the report."""
        from robustmem.network.evaluate import FloatArith

        return self._run(X, FloatArith(), float_mode=True)

    def evaluate_verified(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, SparseReport]:
        """(value, radius, report): |f_exact - value| <= radius, values bit-identical to ``net(X)``."""
        from robustmem.network.evaluate import VerifiedArith

        (val, rad), rep = self._run(X, VerifiedArith(), float_mode=False)
        return val, rad, rep

    def evaluate_exact(self, X: np.ndarray, *, fallback_limit: int | None = None) -> tuple[Any, SparseReport]:
        """The exact outputs (an :class:`~robustmem.network.exact.ExactEvaluation`) and the report: the verified
        sparse pass, then exact rationals, again on the candidate blocks only, where its radius is not 0."""
        from robustmem.network.exact import ExactEvaluation

        X = self.net._check_input(X)
        val, rad, rep = self.evaluate_verified(X)
        need = np.flatnonzero(rad != 0.0)
        if fallback_limit is not None and need.size > fallback_limit:
            raise RuntimeError(
                f"{need.size} points need rational arithmetic, more than fallback_limit={fallback_limit}"
            )
        values = [Fraction(float(v)) for v in val]
        if need.size:
            exact, _ = self._run(X[need], _FractionArith(), float_mode=False)
            for i, v in zip(need, exact):
                values[i] = v
        return ExactEvaluation(tuple(values), len(X) - need.size, int(need.size)), rep

    def _run(self, X: np.ndarray, arith: Any, *, float_mode: bool) -> tuple[Any, SparseReport]:
        from robustmem.network.evaluate import segment_plan

        t0 = time.perf_counter()
        net = self.net
        X = net._check_input(X)
        n = X.shape[0]
        arith_name = "float64" if float_mode else "exact"
        lay = self.layout
        nb = net.segments[1].repeats if len(net.segments) == 3 else sum(s.repeats for s in net.segments)
        if lay is None or n == 0:
            return self._full(X, arith, t0, nb, arith_name, self.reason or "no points")
        segs = net.segments
        state = _run_input(segs[0], segment_plan(segs[0], final_relu=True, parallel=False), arith, X)
        U, Urad = _coords(state, lay.coord_pos, arith)
        lo_i, hi_i = (U - Urad).min(axis=1), (U + Urad).max(axis=1)
        R = self._proof(float(lo_i.min()), float(hi_i.max()), float_mode=float_mode)
        if self.layout is None:  # the template was not recognized when first interpreted
            return self._full(X, arith, t0, nb, arith_name, self.reason or "structure not recognized")
        outside = np.zeros(n, dtype=bool)
        if R is None:  # far states: prove on the centres' box (widened) and evaluate the points outside in full
            R, outside = self._centre_box_proof(lo_i, hi_i, float_mode)
        if R is None:
            why = self.failure or f"no silence radius R_out proven ({arith_name}) up to 2^12 (r + w)"
            return self._full(X, arith, t0, nb, arith_name, why)
        state_rad = _up(_qnorm(Urad, lay.q)) if np.any(Urad) else np.zeros(n)
        inside = np.flatnonzero(~outside)
        indptr, blocks = self._candidates(U[inside], np.full(inside.size, _up(R + self.D_err)) + state_rad[inside])
        if outside.any():
            indptr, blocks = _with_full_rows(indptr, blocks, outside, nb)
        counts = np.diff(indptr)
        plan = segment_plan(lay.chain, final_relu=True, parallel=False)
        state = [_as_rows(s, n, arith) for s in state]
        _run_slots(lay.chain, plan, arith, state, indptr, blocks)
        state = _run_one(segs[-1], segment_plan(segs[-1], final_relu=False, parallel=False), arith, state, n)
        rep = SparseReport(
            "sparse",
            None,
            n,
            nb,
            int(counts.sum()),
            int(counts.max(initial=0)),
            int(outside.sum()),
            float(R),
            lay.q,
            arith_name,
            self.search,
            time.perf_counter() - t0,
            self.proof_seconds,
        )
        return state[0], rep

    def _centre_box_proof(
        self, lo_i: np.ndarray, hi_i: np.ndarray, float_mode: bool
    ) -> tuple[float | None, np.ndarray]:
        """(R_out proven on the centres' box widened twice its span, the points whose states leave that box)."""
        c_lo, c_hi = self.centre_box
        c_lo, c_hi = max(0.0, c_lo - 2 * (c_hi - c_lo)), c_hi + 2 * (c_hi - c_lo)
        outside = (lo_i < c_lo) | (hi_i > c_hi)
        return (self._proof(c_lo, c_hi, float_mode=float_mode) if not outside.all() else None), outside

    def _full(
        self, X: np.ndarray, arith: Any, t0: float, nb: int, arith_name: str, why: str
    ) -> tuple[Any, SparseReport]:
        from robustmem.network.evaluate import FloatArith, VerifiedArith

        if isinstance(arith, _FractionArith):
            from robustmem.network.exact import evaluate_fraction

            out: Any = evaluate_fraction(self.net, X)
        elif isinstance(arith, VerifiedArith):
            from robustmem.network.exact import evaluate_verified

            out = evaluate_verified(self.net, X)
        else:
            assert isinstance(arith, FloatArith)
            out = self.net(X)
        n = X.shape[0]
        rep = SparseReport(
            "full", why, n, nb, n * nb, nb if n else 0, n, None, None, arith_name, self.search,
            time.perf_counter() - t0, self.proof_seconds,
        )  # fmt: skip
        return out, rep


# ----------------------------------------------------------------------------------------------------------
def _with_full_rows(
    indptr: np.ndarray, blocks: np.ndarray, outside: np.ndarray, nb: int
) -> tuple[np.ndarray, np.ndarray]:
    """The CSR candidate lists of the points inside the proof's box (in order), with every block 0..nb-1, in
    chain order, inserted for each point outside it."""
    counts = np.zeros(outside.size, dtype=np.int64)
    counts[~outside] = np.diff(indptr)
    counts[outside] = nb
    lists = np.split(blocks, indptr[1:-1])
    full = np.arange(nb, dtype=np.int64)
    it = iter(lists)
    merged = np.concatenate([full if o else next(it) for o in outside] + [np.zeros(0, np.int64)])
    return np.concatenate([[0], np.cumsum(counts)]), merged


def _up(x: Any) -> Any:
    """A float upper bound of a non-negative float (or array) computed with rounding to nearest."""
    return np.nextafter(np.asarray(x, dtype=np.float64) * (1.0 + 2.0**-40), np.inf)


def _qnorm(T: np.ndarray, q: float) -> np.ndarray:
    """||T||_q along the last axis (plain float64; callers widen by far more than its rounding)."""
    if math.isinf(q):
        return T.max(axis=-1)
    if q == 1.0:
        return T.sum(axis=-1)
    if q == 2.0:
        return np.sqrt((T * T).sum(axis=-1))
    M = T.max(axis=-1)
    safe = np.where(M > 0, M, 1.0)
    return M * ((T / safe[..., None]) ** q).sum(axis=-1) ** (1.0 / q)


def _groups(k: int) -> list[np.ndarray]:
    """The coordinate groups of the KD-tree search: one group up to 12 coordinates, else ceil(k / 10) groups of
    consecutive coordinates (9 or 10 each for k = 26)."""
    m = 1 if k <= 12 else -(-k // _GROUP)
    return np.array_split(np.arange(k), m)


def _scan_lists(D: np.ndarray, U: np.ndarray, rad: np.ndarray, q: float) -> list:
    """The reference search: per row i, the b with fl(||D_b - U_i||_q) (1 - 2^-20) <= rad_i (the float rounding
    of the distance is far below 2^-20 relative, so every b with exact distance <= rad_i is kept)."""
    return [np.flatnonzero(_qnorm(np.abs(D - U[i]), q) * (1.0 - _REL) <= rad[i]) for i in range(U.shape[0])]


def group_trees(D: np.ndarray) -> list[tuple[np.ndarray, Any]]:
    """One cKDTree per coordinate group (:func:`_groups`) of the centres D, with the group's coordinates."""
    from scipy.spatial import cKDTree

    return [(g, cKDTree(D[:, g], leafsize=_LEAF)) for g in _groups(D.shape[1])]


def tree_candidates(
    trees: list[tuple[np.ndarray, Any]], D: np.ndarray, U: np.ndarray, rad: np.ndarray, q: float
) -> tuple[np.ndarray, np.ndarray]:
    """CSR (indptr, blocks) of the scan's candidates (:func:`_scan_lists`: the same test on the same floats),
    found with the KD-trees of the coordinate groups (:func:`group_trees`).

    Pigeonhole: the m groups g partition the coordinates, so ||z||_q^q = sum_g ||z_g||_q^q and ||z||_q <= rad
    implies ||z_g||_q <= rad m^(-1/q) for some g (q = inf: every g, radius rad).  A block the scan keeps has
    computed distance at most rad / (1 - 2^-20), exact distance below rad (1 + 2^-19); each tree is queried with
    rad m^(-1/q) (1 + 2^-18) + 2^(-900/q), which also covers the rounding of m^(-1/q) and of the tree's distances
    (a few ulps relative; the absolute term exceeds the underflow of the tree's |z_j|^q sums, (k 2^-1074)^(1/q)).
    The union over the groups, sorted per row, is then filtered with the scan's test, so the result is the
    scan's; extra tree candidates cost only the filter.  Queries run on all cores (cKDTree ``workers``)."""
    from robustmem.network.evaluate import available_cores

    n, N, m = U.shape[0], D.shape[0], len(trees)
    if n == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    floor = 2.0**-900 if math.isinf(q) else 2.0 ** (-900.0 / q)
    rg = rad * (1.0 if math.isinf(q) else m ** (-1.0 / q)) * (1.0 + 4 * _REL) + floor
    keys = []
    for g, tree in trees:
        lists = tree.query_ball_point(U[:, g], rg, p=q, workers=min(available_cores(), 4))
        cnt = np.fromiter(map(len, lists), dtype=np.int64, count=n)
        cols = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64, count=int(cnt.sum()))
        keys.append(np.repeat(np.arange(n, dtype=np.int64) * N, cnt) + cols)
    rows, cols = np.divmod(np.unique(np.concatenate(keys)), N)
    keep = np.zeros(rows.size, dtype=bool)
    step = max(1, _PAIRS // max(D.shape[1], 1))
    for a in range(0, rows.size, step):
        r, c = rows[a : a + step], cols[a : a + step]
        keep[a : a + step] = _qnorm(np.abs(D[c] - U[r]), q) * (1.0 - _REL) <= rad[r]
    rows, cols = rows[keep], cols[keep]
    return np.searchsorted(rows, np.arange(n + 1)), cols


def _search_out(reg: Any, R0: float, float_mode: bool) -> float | None:
    """A small float R with the silence property ("zero": the label neuron is exactly 0 on ||a||_q >= R):
    R0 = r + w or the first of R0 2^j that is proven, then a few bisection steps towards R0 / 2 (each proof is
    exact rational work; a radius a few percent too large only adds candidates)."""
    ok = lambda R: (
        reg.out_empty(Fraction(R))
        or (lambda m: m is not None and m >= 0)(reg.out_margin(Fraction(R), float_mode, "zero"))
    )  # an Out region that misses the states' box is silent vacuously (Regions.out_empty)
    hi: float | None = None
    R = R0
    for _ in range(13):
        if ok(R):
            hi = R
            break
        R *= 2
    if hi is None:
        return None
    lo = hi / 2
    for _ in range(5):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return hi


def _gram_candidates(D: np.ndarray, U: np.ndarray, rad: np.ndarray, q: float, entries: int = 4_000_000) -> list:
    """Per row of U, the sorted indices b with ||U_i - D_b||_q possibly <= rad_i, screened by the Gram pair screen of
    :mod:`robustmem.pairscreen` (its error bound is written out there): ||z||_2 <= c ||z||_q (c = k^(1/2 - 1/q) for
    q >= 2, 1 for q = 1), every block within c rad_i (1 + 2^-20) in exact arithmetic is reported."""
    from robustmem.certify.structural.geometry import cplus_upper
    from robustmem.pairscreen import TILE_ENTRIES, GramPairScreen

    n, k = U.shape
    m = D.shape[0]
    if not n:
        return []
    c = 1.0 if q == 1.0 else cplus_upper(q, 2.0, k)
    hits: list[tuple[np.ndarray, np.ndarray]] = []
    if m:
        screen = GramPairScreen(U, D)
        rho = c * np.asarray(rad, dtype=np.float64) * (1.0 + _REL)
        screen.scan(
            np.zeros(n, np.intp),
            np.full(n, m),
            rho,
            lambda I, J: hits.append((I, J)),
            entries=min(entries, TILE_ENTRIES),
        )
    I = np.concatenate([h[0] for h in hits]) if hits else np.zeros(0, np.intp)
    J = np.concatenate([h[1] for h in hits]) if hits else np.zeros(0, np.intp)
    key = np.unique(I.astype(np.int64) * max(m, 1) + J)  # sorted by row, then block
    rows, cols = np.divmod(key, max(m, 1))
    return np.split(cols, np.searchsorted(rows, np.arange(1, n)))


def _run_one(seg: Any, plan: Any, arith: Any, state: list, n: int) -> list:
    """One non-repeated segment on every row (the operations of ``run_network``)."""
    ent, bias = (a[0] for a in seg.realize_all(slice(0, 1)))
    env = dict(enumerate(state))
    for v in plan.values:
        env[v.vid] = arith.value(bias[v.bias], [(ent[e], env[s]) for s, e in zip(v.srcs, v.ents)], v.relu, (n,))
    return [env[o] for o in plan.outputs]


def _run_input(seg: Any, plan: Any, arith: Any, X: np.ndarray) -> list:
    """The opening segment on every row: its leading affine map vectorized over (outputs, rows) where the plan's
    term order allows (:mod:`.sparse_input`: the same float64 values; for the verified arithmetic, exact inputs
    and an a-priori radius, used from :data:`_DENSE_TERMS` terms per neuron on), the rest as :func:`_run_one`."""
    from robustmem.certify.sparse_input import dense_map, float_values, verified_values
    from robustmem.network.evaluate import FloatArith, VerifiedArith

    n = X.shape[0]
    env = {j: arith.input(X, j) for j in range(X.shape[1])}
    ent, bias = (a[0] for a in seg.realize_all(slice(0, 1)))
    dm = dense_map(plan, ent, bias) if type(arith) in (FloatArith, VerifiedArith) else None
    if dm is not None and type(arith) is FloatArith:
        env.update(zip(dm.vids, float_values(dm, X)))
    elif dm is not None and int(dm.terms.max()) >= _DENSE_TERMS:
        res = verified_values(dm, X)
        if res is not None:
            env.update((vid, (v, r if r.any() else 0.0)) for vid, v, r in zip(dm.vids, *res))
    for v in plan.values:
        if v.vid not in env:
            env[v.vid] = arith.value(bias[v.bias], [(ent[e], env[s]) for s, e in zip(v.srcs, v.ents)], v.relu, (n,))
    return [env[o] for o in plan.outputs]


def _coords(state: list, coord_pos: list[int], arith: Any) -> tuple[np.ndarray, np.ndarray]:
    """The carried coordinates as an (n, k) float array and a bound on their distance to the exact state."""
    from robustmem.network.evaluate import VerifiedArith

    if isinstance(arith, VerifiedArith):
        U = np.stack([np.asarray(state[j][0], dtype=np.float64) for j in coord_pos], axis=1)
        R = np.stack([np.broadcast_to(np.asarray(state[j][1], dtype=np.float64), U.shape[:1]) for j in coord_pos], 1)
        return U, R
    if isinstance(arith, _FractionArith):  # exact states: their floats are within one rounding
        U = np.stack([np.array([float(v) for v in state[j]]) for j in coord_pos], axis=1)
        return U, np.abs(U) * 2.0**-52 + 2.0**-1074
    U = np.stack([np.asarray(state[j], dtype=np.float64) for j in coord_pos], axis=1)
    return U, np.zeros_like(U)


def _as_rows(s: Any, n: int, arith: Any) -> Any:
    from robustmem.network.evaluate import VerifiedArith

    if isinstance(arith, VerifiedArith):
        x, r = s
        return (np.array(np.broadcast_to(x, (n,)), dtype=np.float64), np.array(np.broadcast_to(r, (n,)), dtype=float))
    if isinstance(arith, _FractionArith):
        return np.array(np.broadcast_to(s, (n,)), dtype=object)
    return np.array(np.broadcast_to(s, (n,)), dtype=np.float64)


def _take(s: Any, rows: np.ndarray, arith: Any) -> Any:
    from robustmem.network.evaluate import VerifiedArith

    if isinstance(arith, VerifiedArith):
        x, r = s
        rr = r[rows]
        return (x[rows], rr if rr.any() else 0.0)
    return s[rows]


def _put(s: Any, rows: np.ndarray, value: Any, arith: Any) -> None:
    from robustmem.network.evaluate import VerifiedArith

    if isinstance(arith, VerifiedArith):
        s[0][rows] = value[0]
        s[1][rows] = value[1]
    else:
        s[rows] = value


def _run_slots(seg: Any, plan: Any, arith: Any, state: list, indptr: np.ndarray, blocks: np.ndarray) -> None:
    """Every row's candidate blocks, in chain order (slot t: the t-th candidate of every row that has one), in
    chunks of :data:`_ROWS` rows; the chunks of a slot touch disjoint rows and run on a thread pool (numpy
    releases the GIL in its elementwise loops)."""
    from concurrent.futures import ThreadPoolExecutor

    from robustmem.network.evaluate import available_cores

    counts = np.diff(indptr)
    workers = min(available_cores(), _THREADS)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for t in range(int(counts.max(initial=0))):
            rows_all = np.flatnonzero(counts > t)
            chunks = [rows_all[c : c + _ROWS] for c in range(0, rows_all.size, _ROWS)]
            jobs = [pool.submit(_run_slot, seg, plan, arith, state, r, blocks[indptr[r] + t]) for r in chunks]
            for job in jobs:
                job.result()


def _run_slot(seg: Any, plan: Any, arith: Any, state: list, rows: np.ndarray, blocks: np.ndarray) -> None:
    """Block ``blocks[i]`` on row ``rows[i]``, for every i at once, written back into ``state``.

    Each row's operations are those of its block in ``net(X)``: the realized weight value = base + scale *
    params[pidx] (the IR's realization formula, elementwise) or the template constant, the same plan."""
    base_e, scale_e, pidx_e = seg._flat["ent"]
    base_b, scale_b, pidx_b = seg._flat["bias"]
    P = seg.params[blocks]
    ent: list[Any] = [
        float(base_e[e]) if pidx_e[e] < 0 else base_e[e] + scale_e[e] * P[:, pidx_e[e]] for e in range(len(base_e))
    ]
    bias: list[Any] = [
        float(base_b[e]) if pidx_b[e] < 0 else base_b[e] + scale_b[e] * P[:, pidx_b[e]] for e in range(len(base_b))
    ]
    m = rows.size
    env = {i: _take(s, rows, arith) for i, s in enumerate(state)}
    for v in plan.values:
        env[v.vid] = arith.value(bias[v.bias], [(ent[e], env[s]) for s, e in zip(v.srcs, v.ents)], v.relu, (m,))
    for pos, o in enumerate(plan.outputs):
        if o != pos:
            _put(state[pos], rows, env[o], arith)


class _FractionArith:
    """Exact rational arithmetic on object arrays of Fractions: relu(bias + w_1 h_1 + ...)."""

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        fr = np.frompyfunc(lambda v: Fraction(float(v)), 1, 1)
        acc = np.empty(shape, dtype=object)
        acc[...] = fr(np.broadcast_to(np.asarray(bias, dtype=np.float64), shape))
        for w, h in terms:
            acc = acc + fr(np.broadcast_to(np.asarray(w, dtype=np.float64), shape)) * h
        if relu:
            zero = Fraction(0)
            acc = np.array([a if a > zero else zero for a in acc.ravel()], dtype=object).reshape(shape)
        return acc

    def input(self, X: Any, j: int) -> Any:
        return np.array([Fraction(float(v)) for v in X[:, j]], dtype=object)


def evaluate_sparse(
    net: Any, X: np.ndarray, *, certificate: Any = None, search: Search = "kdtree"
) -> tuple[np.ndarray, SparseReport]:
    """f(X) in float64 bit-identical to ``net(X)``, evaluating only the blocks not proven silent.

    >>> from robustmem.construct import construct_theorem6
    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [1, 2, 1])
    >>> net, cert = construct_theorem6(ds, p="inf", sigma=0.2)
    >>> out, rep = evaluate_sparse(net, ds.X)
    >>> out.tolist(), rep.mode, rep.blocks_evaluated
    ([1.0, 2.0, 1.0], 'sparse', 3)
    """
    return SparseEvaluator(net, certificate, search=search).evaluate(X)


def evaluate_verified_sparse(
    net: Any, X: np.ndarray, *, certificate: Any = None, search: Search = "kdtree"
) -> tuple[np.ndarray, np.ndarray, SparseReport]:
    """(value, radius, report) as :func:`~robustmem.network.exact.evaluate_verified`, on the candidate blocks."""
    return SparseEvaluator(net, certificate, search=search).evaluate_verified(X)


def evaluate_exact_sparse(
    net: Any, X: np.ndarray, *, certificate: Any = None, search: Search = "kdtree", fallback_limit: int | None = None
) -> tuple[Any, SparseReport]:
    """Exact f(X) as :func:`~robustmem.network.exact.evaluate_exact`, on the candidate blocks (O(N K) for N points
    and K candidates each instead of O(N^2))."""
    return SparseEvaluator(net, certificate, search=search).evaluate_exact(X, fallback_limit=fallback_limit)


def verify_fit_exact(
    net: Any, dataset: Any, *, fallback_limit: int | None = None, search: Search = "kdtree", certificate: Any = None
) -> Any:
    """:func:`~robustmem.verify.fit.verify_fit` with ``mode="exact"``, the exact outputs computed on the blocks not
    proven silent (:meth:`SparseEvaluator.evaluate_exact`); the report's ``evaluation`` says how (or why in full).

    >>> from robustmem.construct import construct_theorem6
    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [1, 2, 1])
    >>> net, _ = construct_theorem6(ds, p="inf", sigma=0.2)
    >>> rep = verify_fit_exact(net, ds)
    >>> rep.passed, rep.evaluation.split(":")[0]
    (True, 'sparse')
    """
    from robustmem.verify.fit import verify_fit

    ev = SparseEvaluator(net, certificate, search=search)

    def run(X: np.ndarray, limit: int | None) -> tuple[Any, str]:
        res, how = ev.evaluate_exact(X, fallback_limit=limit)
        if how.mode == "sparse":
            return res, (
                f"sparse: {how.mean_blocks_per_point:.3g} of {how.n_blocks} blocks per point (R_out = {how.R_out:.6g})"
            )
        return res, f"full: {how.reason}"

    return verify_fit(net, dataset, mode="exact", fallback_limit=fallback_limit, evaluator=run)
