r"""Exact minimum of the pair preservation constant over all differently-labelled pairs.

eps(P, D, r) = min over pairs with y_i != y_j of eps_pair(z = x_i - x_j), where eps_pair is the closed form of
:mod:`robustmem.projection.cap` with ball radius r = 2 sigma' (Def. 12 with the scaling of Thm 18).

Search.  The pair attaining tau gives a first value e0 = eps_pair(tau pair).  If e0 = 0 it is the minimum.
Otherwise only pairs with eps_pair < e0 can improve it, and by the pruning lemma of
:mod:`robustmem.projection.cap` (for e in (0, 1) and any B >= b:  a sqrt(1 - e^2) - B e >= r  implies
eps_pair >= e) such a pair satisfies

    a = ||P z|| < A_ij := (r + e0 (rho_i + rho_j)) / sqrt(1 - e0^2),

because b = ||Pi_K z|| = ||Pi_K (x_i - m) - Pi_K (x_j - m)|| <= rho_i + rho_j with rho_i = ||Pi_K (x_i - m)||
(K = ker P, m = mean).  So the candidates are the pairs with projected distance below
max A_ij <= (r + 2 e0 max rho) / sqrt(1 - e0^2), found by the exact projected search
:meth:`CrossLabelSearch.pairs_within`, then filtered by their own A_ij; every candidate is evaluated
precisely.  rho is over-estimated by its rounding bound and every threshold is widened by
EPS_SEARCH_WIDENING and the distance slack, so no pair that could attain the minimum is dropped.

When more than ``max_pairs`` pairs fall below the threshold (data whose projected distances do not
separate pairs with small eps from the rest), a blocked scan over all pairs is used instead: per block of
rows, a^2 from the Gram matrix of the projected points and n^2 = ||z||^2 from the Gram matrix of the centred
data, both with rounding intervals; b >= sqrt(n_lo^2 - a_hi^2); the same lemma with the best precise value
found so far selects the candidates of the block, which are evaluated precisely.  O(N^2 (d + k)) time.
"""

from __future__ import annotations

import math

import numpy as np

from robustmem.projection._numerics import EPS_SEARCH_WIDENING, gram_sq_slack, residual_slack
from robustmem.projection.cap import preservation_from_components
from robustmem.projection.pairs import BLOCK_ENTRIES, CrossLabelSearch, CrossMinimum, PairBudgetExceeded, _argmin_pair

__all__ = ["min_pair_preservation"]


def _residual_norms(search: CrossLabelSearch) -> np.ndarray:
    """Upper bounds on rho_i = ||(x_i - m) - P^T P (x_i - m)||, including the rounding bound."""
    rho = np.empty(search.N)
    rows = max(1, BLOCK_ENTRIES // search.d)
    for s in range(0, search.N, rows):
        rest = (search.X[s : s + rows] - search.center) - search.Y[s : s + rows] @ search.P
        rho[s : s + rows] = np.sqrt((rest * rest).sum(axis=1))
    return rho + residual_slack(search.d, search.k, search.radius)


def _evaluate(search: CrossLabelSearch, I: np.ndarray, J: np.ndarray, r: float, trivial: bool) -> np.ndarray:
    a, b, n = search.components(I, J)
    return preservation_from_components(a, b, n, r, kernel_trivial=trivial)


def min_pair_preservation(search: CrossLabelSearch, r: float, tau: CrossMinimum, *, max_pairs: int) -> CrossMinimum:
    """min over differently-labelled pairs of eps_pair with ball radius r (exact; see module docstring).

    ``tau`` is ``search.minimum()``; its pair starts the search.  The returned ``strategy`` is
    "tau-pair" (the tau pair attains it: eps = 0, or k = d where every pair has eps_pair = 1),
    "pruned" or "blocked-full".
    """
    trivial = search.k == search.d
    I0, J0 = np.array([tau.i]), np.array([tau.j])
    e0 = float(_evaluate(search, I0, J0, r, trivial)[0])
    if trivial or e0 == 0.0:
        return CrossMinimum(e0, tau.i, tau.j, 1, "tau-pair")
    c0 = math.sqrt(1.0 - e0 * e0)
    rho = _residual_norms(search)
    widen = 1.0 + EPS_SEARCH_WIDENING
    # e0 = 1 (the tau pair lies in the row space and r = 0): the lemma needs e < 1, every pair is a candidate
    R = (r + 2.0 * e0 * float(rho.max())) / c0 * widen if c0 > 0.0 else math.inf
    try:
        I, J = search.pairs_within(R, max_pairs=max_pairs)
    except PairBudgetExceeded:
        return _blocked_full(search, r, e0, tau, rho)
    if I.size and c0 > 0.0:  # the pair's own threshold A_ij, on the cheap projected distance (+ its slack)
        limit = (r + e0 * (rho[I] + rho[J])) / c0 * widen
        cheap = np.sqrt(((search.Y[I] - search.Y[J]) ** 2).sum(axis=1))
        keep = cheap <= limit + search.slack(float(limit.max()))
        I, J = I[keep], J[keep]
    I = np.concatenate([I0, I])
    J = np.concatenate([J0, J])
    best = _argmin_pair(_evaluate(search, I, J, r, trivial), I, J, "pruned")
    return best


def _blocked_full(search: CrossLabelSearch, r: float, e0: float, tau: CrossMinimum, rho: np.ndarray) -> CrossMinimum:
    order = search._order
    lab = search.label_index[order]
    Xc = search.X[order] - search.center
    Ys = search.Y[order]
    sqx = (Xc * Xc).sum(axis=1)
    sqy = (Ys * Ys).sum(axis=1)
    ea2 = gram_sq_slack(search.k, search.y_max)
    en2 = gram_sq_slack(search.d, search.radius)
    widen = 1.0 + EPS_SEARCH_WIDENING
    best_val, best_i, best_j, evaluated = e0, tau.i, tau.j, 1
    for s, e, cstart in search._row_blocks():
        a2 = (-2.0 * Ys[s:e]) @ Ys[cstart:].T
        a2 += sqy[None, cstart:]
        a2 += sqy[s:e, None]
        n2 = (-2.0 * Xc[s:e]) @ Xc[cstart:].T
        n2 += sqx[None, cstart:]
        n2 += sqx[s:e, None]
        a_hi = np.sqrt(np.maximum(a2, 0.0) + ea2)
        a_hi += search.slack(float(a_hi.max()))
        n_lo2 = np.maximum(n2 - en2, 0.0)
        b_lo = np.sqrt(np.maximum(n_lo2 - a_hi * a_hi, 0.0))
        c = math.sqrt(1.0 - best_val * best_val)
        cand = a_hi * c - b_lo * best_val < r * widen
        search._mask_same_label(cand, lab, s, e, cstart, fill=False)
        rr, cc = np.nonzero(cand)
        if not rr.size:
            continue
        I, J = order[rr + s], order[cc + cstart]
        I, J = np.minimum(I, J), np.maximum(I, J)
        found = _argmin_pair(_evaluate(search, I, J, r, False), I, J, "blocked-full")
        evaluated += found.candidates
        if (found.value, found.i, found.j) < (best_val, best_i, best_j):
            best_val, best_i, best_j = found.value, found.i, found.j
        if best_val == 0.0:
            break
    return CrossMinimum(best_val, best_i, best_j, evaluated, "blocked-full")
