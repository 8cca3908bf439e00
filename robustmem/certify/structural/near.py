"""The certifier's cross-label search by neighbour search: near-linear instead of the O(N^2 k) Gram scan.

Step 5 of the structural certifier needs, per training point i, a lower bound of the exact distance
min ||W x_i - c_b||_q over the blocks b with a larger label y_b > y_i, and only below the radius the verdict needs
(``need`` = R_out + L sigma) does its value decide anything.  :func:`out_distance_near` returns, per point,

    out_i = min( cap,  min over b with y_b > y_i of  low(i, b) )        (inf when no block has a larger label)

where low(i, b) = ||max(dn(|V_i - C_b|) - eps_i - Clo_b, 0)||_q rounded down is the coordinate-by-coordinate
lower bound of :func:`~.structural.geometry.out_distance` (|fl(W x_i) - W x_i| <= eps_i, |C_b - c_b| <= Clo_b;
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

__all__ = ["NEAR_MAX_K", "out_distance_gram", "out_distance_near", "out_distance_scan"]

#: offset coordinates up to which the certifier uses this search (above, KD-trees do not prune: measured)
NEAR_MAX_K = 12

_REL = 2.0**-20
_ABS = 2.0**-30
_PAIRS = 1 << 20  # candidate pairs evaluated per chunk


def _low(V: np.ndarray, eps: np.ndarray, C: np.ndarray, Clo: np.ndarray, I: np.ndarray, B: np.ndarray, q: float):
    """low(i, b) for the index arrays I, B (the refinement formula of structural.geometry.out_distance)."""
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
    block_entries: int = 4_000_000,
) -> np.ndarray:
    """The same values as :func:`out_distance_near` (and :func:`out_distance_scan`), the candidates screened by the
    Gram identity in blocks of rows instead of a tree (for many offset coordinates, where trees do not prune).

    A block b with low(i, b) < cap has ||V_i - C_b||_2 <= c_q (cap + ||eps_i||_q + ||Clo_b||_q) =: s_i (c_q =
    k^(1/2 - 1/q) for q >= 2, 1 for q = 1: the l_2 norm against the l_q one), and the computed Gram value
    |v|^2 + |c|^2 - 2 v.c is within g (|v| + |c|)^2 of ||v - c||^2 (g = 2 gamma_{k+3}, any summation order); so
    every such block has Gram value <= s_i^2 (1 + 2^-20) + g (|V_i| + max |C|)^2 and is a candidate.  The
    others have low(i, b) >= cap."""
    from robustmem.certify.structural.geometry import _gamma, cplus_upper, up

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
    sqV, sqC = (V * V).sum(axis=1), (C * C).sum(axis=1)
    nV, nCmax = np.sqrt(sqV) * (1 + 2.0**-40), float(np.sqrt(sqC.max())) * (1 + 2.0**-40)
    g = 2.0 * up(_gamma(k + 3), 2)
    s = cq * (cap + e_q + clo_q) * (1.0 + _REL)
    thr = s * s * (1.0 + _REL) + g * (nV + nCmax) ** 2 * (1.0 + _REL) + 2.0**-1000
    order = np.argsort(y_blk, kind="stable")
    ys = y_blk[order]
    Cs = C[order]
    rows = np.flatnonzero(has)
    step = max(1, block_entries // M)
    for a in range(0, rows.size, step):
        r = rows[a : a + step]
        start = int(np.searchsorted(ys, y_pts[r].min(), side="right"))  # columns with a larger label than some row
        D2 = Cs[start:] @ (-2.0 * V[r]).T  # (columns, rows)
        D2 += sqC[order][start:, None]
        D2 += sqV[r][None, :]
        flat = np.flatnonzero(thr[r][None, :] >= D2)  # one flat pass (2-D nonzero is several times slower)
        cc, rr = np.divmod(flat, r.size)
        if not cc.size:
            continue
        I, B = r[rr], order[start + cc]
        keep = y_blk[B] > y_pts[I]
        I, B = I[keep], B[keep]
        for c in range(0, I.size, _PAIRS):
            Ic, Bc = I[c : c + _PAIRS], B[c : c + _PAIRS]
            np.minimum.at(out, Ic, _low(V, eps, C, Clo, Ic, Bc, q))
    return out
