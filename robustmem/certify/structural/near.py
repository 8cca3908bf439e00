"""The certifier's cross-label search by neighbour search: near-linear instead of the O(N^2 k) Gram scan.

Step 5 of the structural certifier needs, per training point i, a lower bound of the exact distance
min ||W x_i - c_b||_q over the blocks b with a larger label y_b > y_i, and only below the radius the verdict needs
(``need`` = R_out + L sigma) does its value decide anything.  :func:`out_distance_near` returns, per point,

    out_i = min( cap,  min over b with y_b > y_i of  low(i, b) )        (inf when no block has a larger label)

where low(i, b) = ||max(dn(|V_i - C_b|) - eps_i - Clo_b, 0)||_q rounded down is the coordinate-by-coordinate
lower bound of the exact offset distance (|fl(W x_i) - W x_i| <= eps_i, |C_b - c_b| <= Clo_b;
every rounding moves it down), and cap <= ``reach`` is a float lower bound of ``reach`` (``reach`` >= need, so the
verdicts only depend on values below the cap).  The minimum runs over the blocks whose float centre lies within
reach' = reach (1 + 2^-20) + ||eps_i||_q + max_b ||Clo_b||_q + 2^-30 span of V_i in the q-norm, found with
scipy's cKDTree: every block outside has low(i, b) > reach >= cap (its float distance exceeds reach' up to
the tree's float64 rounding, a few ulps, far below the 2^-20 widening), so out_i equals the same expression over
ALL blocks -- :func:`out_distance_scan`, the O(N M k) reference, computes exactly that (tested equal).
"""

from __future__ import annotations

import math

import numpy as np

from robustmem.certify.structural.geometry import Images, _norm, _sub_dn, dn
from robustmem.pairscreen import TILE_ENTRIES, GramPairScreen, label_ranges

__all__ = ["NEAR_MAX_K", "out_distance_gram", "out_distance_near", "out_distance_scan"]

#: offset coordinates up to which the certifier uses this search (above, KD-trees do not prune: measured)
NEAR_MAX_K = 12

_REL = 2.0**-20
_ABS = 2.0**-30
_PAIRS = 1 << 20  # candidate pairs evaluated per chunk


def _low(V: np.ndarray, eps: np.ndarray, C: np.ndarray, Clo: np.ndarray, I: np.ndarray, B: np.ndarray, q: float):
    """low(i, b) for the index arrays I, B (the coordinate-by-coordinate lower bound of the module docstring)."""
    D = np.maximum(_sub_dn(_sub_dn(dn(np.abs(V[I] - C[B]), 0), eps[I]), Clo[B]), 0.0)
    return _norm(D, q, False)


def _cap(reach: float) -> float:
    return float(np.nextafter(reach * (1.0 - 2.0**-40), 0.0)) if math.isfinite(reach) else math.inf


def out_distance_scan(
    G: Images, C: np.ndarray, Clo: np.ndarray, y_pts: np.ndarray, y_blk: np.ndarray, q: float, reach: float
) -> np.ndarray:
    """The reference: min(cap, min_b low(i, b)) over every block with y_b > y_i, by a full scan (O(N M k))."""
    N = G.V.shape[0]
    out = np.full(N, np.inf)
    cap = _cap(reach)
    for i in range(N):
        B = np.flatnonzero(y_blk > y_pts[i])
        if B.size:
            out[i] = min(cap, float(_low(G.V, G.eps, C, Clo, np.full(B.size, i), B, q).min()))
    return out


def out_distance_near(
    G: Images, C: np.ndarray, Clo: np.ndarray, y_pts: np.ndarray, y_blk: np.ndarray, q: float, reach: float
) -> np.ndarray:
    """Per point i: min(cap, min over blocks b with y_b > y_i of low(i, b)) (module docstring), by neighbour
    search; equal to :func:`out_distance_scan`.  ``reach``: the radius below which values matter (>= need)."""
    from scipy.spatial import cKDTree

    V, eps = G.V, G.eps
    N, M = V.shape[0], C.shape[0]
    out = np.full(N, np.inf)
    has = np.zeros(N, dtype=bool)
    if M:
        has = y_blk.max() > y_pts
    cap = _cap(reach)
    out[has] = cap
    if not has.any() or not math.isfinite(reach):
        if not math.isfinite(reach) and has.any():  # no cap: every pair matters
            return out_distance_scan(G, C, Clo, y_pts, y_blk, q, reach)
        return out
    e_q = _norm(eps, q, True)
    clo_q = float(_norm(Clo, q, True).max(initial=0.0))
    span = float(max(np.abs(V).max(initial=0.0), np.abs(C).max(initial=0.0)))
    rad = reach * (1.0 + _REL) + e_q + clo_q + _ABS * span * (1 + V.shape[1])
    tree = cKDTree(C)
    rows = np.flatnonzero(has)
    step = max(1, min(rows.size, 8192))
    for s in range(0, rows.size, step):
        r = rows[s : s + step]
        lists = tree.query_ball_point(V[r], rad[r], p=q)
        lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=r.size)
        if not lens.sum():
            continue
        I = np.repeat(r, lens)
        B = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if x])
        keep = y_blk[B] > y_pts[I]
        I, B = I[keep], B[keep]
        for c in range(0, I.size, _PAIRS):
            Ic, Bc = I[c : c + _PAIRS], B[c : c + _PAIRS]
            vals = _low(V, eps, C, Clo, Ic, Bc, q)
            np.minimum.at(out, Ic, vals)
    return out


def out_distance_gram(
    G: Images,
    C: np.ndarray,
    Clo: np.ndarray,
    y_pts: np.ndarray,
    y_blk: np.ndarray,
    q: float,
    reach: float,
    *,
    block_entries: int = TILE_ENTRIES,
) -> np.ndarray:
    """The same values as :func:`out_distance_near` (and :func:`out_distance_scan`), the candidates found by the
    Gram pair screen of :mod:`robustmem.pairscreen` instead of a tree (for many offset coordinates, where trees do
    not prune).

    A block b with low(i, b) < cap has ||V_i - C_b||_2 <= c_q (cap + ||eps_i||_q + ||Clo_b||_q) =: s_i (c_q =
    k^(1/2 - 1/q) for q >= 2, 1 for q = 1: the l_2 norm against the l_q one), evaluated with a relative 2^-20 to
    spare; the screen reports every pair within s_i (1 + 2^-20) in exact arithmetic (its bound is written out in
    robustmem.pairscreen), among the blocks with y_b > y_i only (points and blocks sorted by label).  The others
    have low(i, b) >= cap.  ``block_entries``: values per tile of the screen."""
    from robustmem.certify.structural.geometry import cplus_upper

    V, eps = G.V, G.eps
    N, k = V.shape
    M = C.shape[0]
    out = np.full(N, np.inf)
    if not M:
        return out
    has = y_blk.max() > y_pts
    cap = _cap(reach)
    out[has] = cap
    if not has.any():
        return out
    if not math.isfinite(reach):
        return out_distance_scan(G, C, Clo, y_pts, y_blk, q, reach)
    cq = 1.0 if q == 1.0 else cplus_upper(q, 2.0, k)  # ||z||_2 <= k^(1/2 - 1/q) ||z||_q (q >= 2)
    e_q = _norm(eps, q, True)
    clo_q = float(_norm(Clo, q, True).max(initial=0.0))
    s = cq * (cap + e_q + clo_q) * (1.0 + _REL)
    rows = np.flatnonzero(has)
    rows = rows[np.argsort(y_pts[rows], kind="stable")]
    order = np.argsort(y_blk, kind="stable")
    lo = label_ranges(y_pts[rows], y_blk[order])  # first block with a larger label than the row's

    def visit(I: np.ndarray, J: np.ndarray) -> None:
        I, B = rows[I], order[J]
        for c in range(0, I.size, _PAIRS):
            Ic, Bc = I[c : c + _PAIRS], B[c : c + _PAIRS]
            np.minimum.at(out, Ic, _low(V, eps, C, Clo, Ic, Bc, q))

    screen = GramPairScreen(V[rows], C[order])
    screen.scan(lo, np.full(rows.size, M), s[rows] * (1.0 + _REL), visit, entries=block_entries)
    return out
