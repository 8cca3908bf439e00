"""Quadratic pair screens by one BLAS product per tile: which pairs (i, j) may lie within a radius of each other.

:class:`GramPairScreen` serves the three O(N^2) searches of the package -- the exact separation
(:func:`robustmem.data.separation.min_separation`, ``pairs_below``), the structural certifier's cross-label
search (``certify.structural.near.out_distance_gram``) and the sparse evaluator's candidate blocks
(``certify.sparse._gram_candidates``).  Its only promise is a superset: every pair whose *exact* Euclidean
distance is <= the caller's radius rho_i is reported (the callers then evaluate their own canonical formulas on
the reported pairs, so their results do not depend on this module's arithmetic).

**The screen.**  Rows p_i (n x k) and columns q_j (m x k) are centred on a float mean m and scaled by an exact
power of two 2^-S so that the largest entry of the centred points has magnitude in [1/2, 1); a_i (float64) and
its float32 rounding a'_i.  One product of the augmented vectors [a'_i, |a'_i|^2, 1] . [-2 b'_j, 1, |b'_j|^2]
(norms summed in float64, rounded once) gives G_ij ~ ||a'_i - b'_j||^2 for a tile of rows against a range of
columns; a per-row minimum is taken first and pairs are extracted only from rows whose minimum is below their
threshold.  Columns are restricted per row to a range [lo_i, hi_i) (sorted labels: a row only meets the columns
that matter), tiles have at most ``entries`` values (no n x m array).

**The bound** (u = 2^-24 for a float32 tile, 2^-53 for a float64 one; u64 = 2^-53; lam = 2^-126 resp. 2^-1022,
the smallest normal; n = k + 2).  Let D = ||p_i - q_j|| 2^-S (exact reals) and r_i >= ||a'_i||, ||a_i||.

1. Inputs.  fl(p - m) is within u64 of p - m per coordinate (relative), the power-of-two scalings are exact
   except below 2^-1022 (absolute 2^-1075 per entry, 2^-1075 2^-e2 for the pre-scaling of data beyond 2^1000),
   the float32 rounding is within u relative or lam absolute (flush to zero).  Hence ||a'_i - a*_i|| <=
   eta r_i + eps with eta = 1.01 (u + 2 u64), eps = 1.01 sqrt(k) (lam + the scaling terms), a*_i the exact
   scaled centred point, and ||a'_i - b'_j|| <= D + Delta_ij, Delta_ij = eta (r_i + r_j) + 2 eps.
2. Norms.  N_i = fl_u(fl64(sum a'_t^2)) is within mu |a'_i|^2 + lam of |a'_i|^2, mu = u + 1.01 gamma64_k.
3. Product.  A dot product of length n in precision u, in ANY order, with or without FMA, is within
   gamma_n sum_t |x_t y_t| of its exact value (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
   Section 3.1, gamma_n = n u / (1 - n u)), plus at most 3 n lam when products or sums flush to zero; here
   sum_t |x_t y_t| <= 2 |a'||b'| + N_i + N_j <= (1 + mu) (r_i + r_j)^2 + 2 lam.  Altogether
   |G_ij - ||a'_i - b'_j||^2| <= E_ij = kappa u (r_i + r_j)^2 + 6 n lam, kappa u = gamma_n (1 + mu) + mu
   (kappa ~ k + 3 for float32).
4. Hence D <= rho_i implies G_ij <= (rho'_i + Delta_ij)^2 + E_ij with rho'_i = rho_i 2^-S rounded up.  The screen
   uses T_i = [(rho'_i + 2 Delta_i)^2 + 2 E_i] (1 + 2^-48), with r_j replaced by R = max_j r_j: the error terms
   doubled, and 2^-48 > 13 u64 covers the float64 evaluation of T_i (at most 12 roundings of non-negative
   terms); T_i is rounded up to float32 for a float32 tile.  A pair is dropped only when G_ij > T_i.

**Precision.**  A tile is computed in float32 when every row's slack T_i - rho'_i^2 is at most rho'_i^2 / 4
(and n u <= 2^-10), otherwise in float64 (same bound with u = u64): the float32 slack would then let too many
pairs through (duplicates, a spread 10^-8 of the scale), never a soundness matter.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from robustmem.errors import DataError

__all__ = ["GramPairScreen", "label_ranges"]

_U64 = 2.0**-53
_PRESCALE_ABOVE = 2.0**1000  # beyond: scale before centring, so that p - m cannot overflow
#: default number of values in one tile (float32: 8 MiB; 512 x 4096 ran about twice as fast as 512 x 30000 here)
TILE_ENTRIES = 1 << 21
TILE_ROWS = 512
_WORKERS = max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))

Visit = Callable[[np.ndarray, np.ndarray], None]


def _gamma(n: int, u: float) -> float:
    return n * u / (1.0 - n * u)


def _exponent(x: float) -> int:
    """e with x = f 2^e, f in [1/2, 1) (x > 0)."""
    return math.frexp(x)[1]


def _round_up32(T: np.ndarray) -> np.ndarray:
    """Smallest float32 values >= T (inf beyond float32's range)."""
    with np.errstate(over="ignore"):
        T32 = T.astype(np.float32)
    low = T32.astype(np.float64) < T
    T32[low] = np.nextafter(T32[low], np.float32(np.inf))
    return T32


class GramPairScreen:
    """Rows P (n, k) and columns Q (m, k): report a superset of the pairs with ||P_i - Q_j||_2 <= rho_i.

    The bound, the precision rule and the tiling are in the module docstring.  ``Q=None`` screens P against
    itself (one centring, the arrays shared).  A non-finite coordinate raises DataError naming it.
    """

    def __init__(self, P: np.ndarray, Q: np.ndarray | None = None) -> None:
        P = np.asarray(P, dtype=np.float64)
        Qa = P if Q is None else np.asarray(Q, dtype=np.float64)
        for name, X in (("P", P), ("Q", Qa)):
            if not np.isfinite(X).all():
                i, j = np.argwhere(~np.isfinite(X))[0]
                raise DataError(
                    f"{name}[{i}, {j}] = {X[i, j].item()!r} is not finite: the pair screen needs finite points"
                )
        self.n, self.k = P.shape
        self.m = Qa.shape[0]
        both = P if Q is None else np.concatenate([P, Qa], axis=0)
        amax = float(np.abs(both).max(initial=0.0))
        e1 = _exponent(amax) if amax > _PRESCALE_ABOVE else 0
        centre = np.ldexp(both, -e1).mean(axis=0) if both.shape[0] else np.zeros(self.k)
        A = np.ldexp(P, -e1) - centre
        B = A if Q is None else np.ldexp(Qa, -e1) - centre
        cmax = max(float(np.abs(A).max(initial=0.0)), float(np.abs(B).max(initial=0.0)))
        e2 = _exponent(cmax) if cmax > 0 else 0
        self.S = e1 + e2  # exact scaling 2^-S of the original coordinates
        self._P, self._Q, self._centre, self._e = P, Qa, centre, (e1, e2)
        del A, B  # the float64 points are recomputed per float64 tile (_scaled): n x k floats less to keep
        self.L32, self.rA = self._augment(self._scaled(P, slice(None)), left=True)
        self.R32, self.rB = self._augment(self._scaled(Qa, slice(None)), left=False)
        self.R = float(self.rB.max(initial=0.0))
        self._eps_abs = 2.0**-1075 + (math.ldexp(1.0, -1075 - e2) if e1 else 0.0)  # per entry, scaled units

    def _scaled(self, X: np.ndarray, idx: slice | np.ndarray) -> np.ndarray:
        """The centred, scaled float64 points (ldexp(ldexp(x, -e1) - centre, -e2)) of X[idx]."""
        e1, e2 = self._e
        return np.ldexp(np.ldexp(X[idx], -e1) - self._centre, -e2)

    def _augment(self, A: np.ndarray, *, left: bool) -> tuple[np.ndarray, np.ndarray]:
        """The float32 augmented vectors [a', N, 1] (left) or [-2 a', 1, N] (right), N = fl32(fl64(|a'|^2)), and
        r >= max(||a||, ||a'||) (float64 sums of the exact squares, relative gamma_k, sqrt and product rounded)."""
        k = self.k
        A32 = A.astype(np.float32)
        W = A32.astype(np.float64)
        n32 = np.einsum("ij,ij->i", W, W)  # squares of float32 values are exact in float64
        n64 = np.einsum("ij,ij->i", A, A)
        r = np.maximum(np.sqrt(n32), np.sqrt(n64)) * (1.0 + (k + 8) * 2.0**-52) + math.sqrt(k) * 2.0**-510
        ones = np.ones((A.shape[0], 1), np.float32)
        N = n32.astype(np.float32)[:, None]
        return (np.concatenate([A32, N, ones], 1) if left else np.concatenate([-2.0 * A32, ones, N], 1)), r

    # ----- the bound -----
    def _terms(self, use32: bool) -> tuple[float, float, float, float]:
        """(eta, eps, kappa u, abs_E) of the module docstring for a float32 or float64 tile."""
        k, n = self.k, self.k + 2
        u, lam = (2.0**-24, 2.0**-126) if use32 else (_U64, 2.0**-1022)
        eta = 1.01 * (u + 2.0 * _U64)
        eps = 1.01 * math.sqrt(k) * (lam + self._eps_abs)
        mu = u + 1.01 * _gamma(k, _U64)
        kappa_u = _gamma(n, u) * (1.0 + mu) + mu
        return eta, eps, kappa_u, 6.0 * n * lam

    def thresholds(self, rho: np.ndarray, r_rows: np.ndarray, use32: bool) -> np.ndarray:
        """T_i (float64, scaled squared units): a pair at exact distance <= rho_i has G_ij <= T_i."""
        eta, eps, kappa_u, abs_e = self._terms(use32)
        with np.errstate(over="ignore", invalid="ignore"):
            rho_s = np.ldexp(np.asarray(rho, dtype=np.float64), -self.S) + 2.0**-1074
            s = r_rows + self.R
            delta = eta * s + 2.0 * eps
            T = ((rho_s + 2.0 * delta) ** 2 + 2.0 * (kappa_u * s * s + abs_e)) * (1.0 + 2.0**-48)
        return np.where(np.isnan(T), np.inf, T)

    def float32_ok(self, rho: np.ndarray, r_rows: np.ndarray) -> bool:
        """Whether the float32 slack is at most a quarter of every rho'_i^2 (module docstring: Precision)."""
        if (self.k + 2) * 2.0**-24 > 2.0**-10:
            return False
        with np.errstate(over="ignore", invalid="ignore"):
            rho_s = np.ldexp(np.asarray(rho, dtype=np.float64), -self.S)
            slack = self.thresholds(rho, r_rows, True) - rho_s * rho_s
            return bool(np.all((slack <= 0.25 * rho_s * rho_s) | np.isinf(rho_s)))

    def block(self, rows: slice | np.ndarray, cols: slice | np.ndarray, use32: bool) -> np.ndarray:
        """G for rows ``rows`` against columns ``cols`` (float32, or float64 from the float64 points)."""
        if use32:
            return self.L32[rows] @ self.R32[cols].T
        A, B = self._scaled(self._P, rows), self._scaled(self._Q, cols)
        nA, nB = np.einsum("ij,ij->i", A, A), np.einsum("ij,ij->i", B, B)
        L = np.concatenate([A, nA[:, None], np.ones((A.shape[0], 1))], 1)
        Rt = np.concatenate([-2.0 * B, np.ones((B.shape[0], 1)), nB[:, None]], 1)
        return L @ Rt.T

    # ----- the scan -----
    def scan(
        self,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: np.ndarray | Callable[[], float],
        visit: Visit,
        *,
        entries: int = TILE_ENTRIES,
        tile_rows: int = TILE_ROWS,
    ) -> None:
        """Call ``visit(I, J)`` (row and column positions) on a superset of the pairs i, j in [lo_i, hi_i) with
        ||P_i - Q_j|| <= rho_i.  ``rho``: one radius per row, or a function giving the current common radius
        (re-read before each tile's extraction: the caller may shrink it from inside ``visit``; then the tile's
        pair of smallest G is visited first)."""
        tile_rows = max(1, min(tile_rows, entries // 64))
        tiles = list(_row_tiles(lo, tile_rows))
        lock = threading.Lock()

        def locked(I: np.ndarray, J: np.ndarray) -> None:
            with lock:
                visit(I, J)

        def work(tile: tuple[int, int]) -> None:
            a, b = tile
            c_lo, c_hi = int(lo[a:b].min()), int(hi[a:b].max())
            step = max(1, entries // (b - a))
            for c0 in range(c_lo, c_hi, step):
                self._piece(slice(a, b), c0, min(c_hi, c0 + step), lo[a:b], hi[a:b], rho, locked)

        workers = min(_WORKERS, len(tiles))
        with _one_blas_thread():
            if workers <= 1:
                for tile in tiles:
                    work(tile)
            else:
                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(work, tiles))

    def _piece(
        self,
        rows: slice,
        c0: int,
        c1: int,
        lo: np.ndarray,
        hi: np.ndarray,
        rho: np.ndarray | Callable[[], float],
        visit: Visit,
    ) -> None:
        a = rows.start
        r_rows = self.rA[rows]
        rad = (lambda: np.full(r_rows.size, rho())) if callable(rho) else (lambda: rho[rows])
        use32 = self.float32_ok(rad(), r_rows)
        G = self.block(rows, slice(c0, c1), use32)
        _mask_ranges(G, lo - c0, hi - c0)
        mins = G.min(axis=1)
        T = self._cast(self.thresholds(rad(), r_rows, use32), use32)
        sel = np.flatnonzero(mins <= T)
        if not sel.size:
            return
        if callable(rho):  # probe the tile's closest pair first: it shrinks the radius
            r = int(sel[np.argmin(mins[sel])])
            visit(np.array([a + r]), np.array([c0 + int(np.argmin(G[r]))]))
            T = self._cast(self.thresholds(rad(), r_rows, use32), use32)
            sel = np.flatnonzero(mins <= T)
        sub = G if sel.size == G.shape[0] else G[sel]
        flat = np.flatnonzero(sub <= T[sel, None])
        rr, cc = np.divmod(flat, G.shape[1])
        if rr.size:
            visit(a + sel[rr], c0 + cc)

    @staticmethod
    def _cast(T: np.ndarray, use32: bool) -> np.ndarray:
        """T in the tile's precision, rounded up, capped at the largest finite value: every G is finite (|entries|
        < 1), so the cap drops nothing, and the masked entries (inf) never pass."""
        if use32:
            return _round_up32(np.minimum(T, float(np.finfo(np.float32).max)))
        return np.minimum(T, float(np.finfo(np.float64).max))


def _one_blas_thread() -> contextlib.AbstractContextManager[object]:
    """BLAS on one thread inside the scan (the tiles run in parallel instead): a small product on two OpenBLAS
    threads spins whenever the other core is busy (measured here, N = 5 10^4: 9.2 s against 0.8 s CPU)."""
    try:
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency of scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def _mask_ranges(G: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
    """Set G[r, c] = inf outside lo[r] <= c < hi[r] (runs of equal ranges at a time)."""
    w = G.shape[1]
    need = np.flatnonzero((lo > 0) | (hi < w))
    if not need.size:
        return
    cuts = np.flatnonzero((np.diff(lo) != 0) | (np.diff(hi) != 0)) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [lo.size]])
    for s, e in zip(starts.tolist(), ends.tolist()):
        lo_s, hi_s = int(lo[s]), int(hi[s])
        if lo_s > 0:
            G[s:e, : min(lo_s, w)] = np.inf
        if hi_s < w:
            G[s:e, max(hi_s, 0) :] = np.inf


def _row_tiles(lo: np.ndarray, tile_rows: int) -> Iterator[tuple[int, int]]:
    """Tiles of at most ``tile_rows`` consecutive rows, cut where ``lo`` changes after >= tile_rows / 8 rows (a
    tile spans the columns of its first row: a long run of a later range would waste a staircase)."""
    n = lo.size
    change = np.flatnonzero(np.diff(lo) != 0) + 1
    a = 0
    while a < n:
        b = min(n, a + tile_rows)
        i = int(np.searchsorted(change, a, side="right"))
        if i < change.size and change[i] < b and change[i] - a >= max(1, tile_rows // 8):
            b = int(change[i])
        yield a, b
        a = b


def label_ranges(y_rows: np.ndarray, y_cols_sorted: np.ndarray) -> np.ndarray:
    """Per row, the first column position (columns sorted by label) with a label strictly larger than the row's."""
    return np.searchsorted(y_cols_sorted, y_rows, side="right").astype(np.intp)
