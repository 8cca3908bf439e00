"""Exact searches over differently-labelled pairs of projected points.

:class:`CrossLabelSearch` holds a labelled point set X (N x d), a projection P (k x d, orthonormal rows) and
the projected points y_i = P(x_i - m) (m = mean of X).  It answers two questions exactly:

* :meth:`CrossLabelSearch.minimum`: tau = min over pairs with y_i != y_j of ||P(x_i - x_j)||_2, and a pair
  attaining it;
* :meth:`CrossLabelSearch.pairs_within`: a set of differently-labelled pairs that contains every pair with
  ||P(x_i - x_j)||_2 <= R.

"Exact" means: the reported tau is the minimum, over *all* differently-labelled pairs, of the float64 value
||fl(fl(x_i - x_j) P^T)||_2 (the *precise* value, :meth:`CrossLabelSearch.projected_distance`).  The search
finds candidates with a cheap distance (a KD-tree on y, or the Gram identity), widens every comparison by
the rounding slack of :mod:`robustmem.projection._numerics`, and evaluates all candidates precisely.  Ties
are broken towards the lexicographically smallest (i, j) with i < j.

Two strategies, chosen by ``method``:

* ``"kdtree"`` (scipy.spatial.cKDTree on y): with C <= 32 classes, one tree per class complement (the points
  of every other class); a point's nearest differently-labelled neighbour is one query.  With more classes,
  one tree and k-nearest queries with growing k, pruned by the best distance found so far.  Fast for small
  k (KD-trees lose their advantage above about 10 dimensions).
* ``"blocked"``: points sorted by label; for each block of rows, the squared distances to all points of
  higher labels from the Gram identity (one BLAS call), each pair once.  O(N^2 k) time, O(block N) memory.

``"auto"`` uses the KD-tree when k <= :data:`KDTREE_MAX_K`, else the blocked scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.spatial import cKDTree

from robustmem.errors import DataError, InvalidArgumentError
from robustmem.projection._numerics import gram_sq_slack, projected_distance_slack
from robustmem.projection.haar import check_projection

__all__ = ["KDTREE_MAX_K", "CrossLabelSearch", "CrossMinimum", "PairBudgetExceeded", "SearchStrategy"]

SearchStrategy = Literal["auto", "kdtree", "blocked"]

#: Largest projected dimension for which "auto" uses KD-trees (measured crossover on 2 cores, N = 10^4).
KDTREE_MAX_K: int = 12
#: Largest number of classes for which the KD-tree strategy builds one tree per class complement.
COMPLEMENT_TREES_MAX_CLASSES: int = 32
#: Number of float64 entries of one block of the blocked scan (64 MiB).
BLOCK_ENTRIES: int = 8_000_000
#: Pairs evaluated precisely per chunk (chunk x d temporary).
CHUNK_PAIRS: int = 4096


class PairBudgetExceeded(RuntimeError):
    """Raised by pairs_within when more than max_pairs pairs qualify (callers switch strategy)."""


@dataclass(frozen=True)
class CrossMinimum:
    """The minimum of a precise pair quantity over all differently-labelled pairs, and where it is attained."""

    value: float
    i: int
    j: int
    candidates: int
    strategy: str


class CrossLabelSearch:
    """Projected points of a labelled set, with exact searches over differently-labelled pairs.

    Parameters
    ----------
    X : (N, d) float64 data; labels : (N,) integer labels (at least two distinct values);
    P : (k, d) matrix with orthonormal rows; method : "auto", "kdtree" or "blocked".
    """

    def __init__(self, X: np.ndarray, labels: np.ndarray, P: np.ndarray, *, method: SearchStrategy = "auto"):
        X = np.asarray(X, dtype=np.float64)
        labels = np.asarray(labels)
        if X.ndim != 2 or labels.shape != (X.shape[0],):
            raise DataError(f"X must be (N, d) and labels (N,), got shapes {X.shape} and {labels.shape}")
        self.P = check_projection(P, X.shape[1])
        self.X, self.labels = X, labels
        self.N, self.d = X.shape
        self.k = self.P.shape[0]
        self.classes, self.label_index = np.unique(labels, return_inverse=True)
        if self.classes.size < 2:
            raise DataError(f"the data needs at least two distinct labels, got only {self.classes.tolist()}")
        if method not in ("auto", "kdtree", "blocked"):
            raise InvalidArgumentError(f"method must be 'auto', 'kdtree' or 'blocked', got {method!r}")
        self.strategy: str = method if method != "auto" else ("kdtree" if self.k <= KDTREE_MAX_K else "blocked")
        self.center = X.mean(axis=0)
        rows = max(1, BLOCK_ENTRIES // max(self.d, 1))
        Y = np.empty((self.N, self.k))
        radius = 0.0
        for s in range(0, self.N, rows):
            xc = X[s : s + rows] - self.center
            Y[s : s + rows] = xc @ self.P.T
            radius = max(radius, float(np.sqrt((xc * xc).sum(axis=1)).max()))
        self.Y = Y
        self.radius = radius  # max ||x_i - m||
        self.y_max = float(np.sqrt((Y * Y).sum(axis=1)).max())
        self._trees: dict[int, tuple[cKDTree, np.ndarray]] | None = None
        self._single: cKDTree | None = None
        # Set by minimum(): per point, a lower bound on its cheap distance to any differently-labelled
        # point ("kdtree"), or the min Gram squared distance to higher-label points ("blocked").  Lets
        # pairs_within skip rows that cannot have a pair below its radius.
        self._nn_low: np.ndarray | None = None
        self._rowmin2: np.ndarray | None = None
        order = np.argsort(self.label_index, kind="stable")
        self._order = order
        bounds = np.searchsorted(self.label_index[order], np.arange(self.classes.size + 1))
        self._class_end = bounds[1:]  # in sorted order, class c occupies [bounds[c], bounds[c+1])

    # -- precise evaluation -------------------------------------------------------------------------------
    def slack(self, distance: float) -> float:
        """Bound on |cheap - precise| for a projected distance near ``distance`` (see _numerics)."""
        return projected_distance_slack(self.d, self.k, self.radius, distance)

    def projected_distance(self, I: np.ndarray, J: np.ndarray) -> np.ndarray:
        """Precise ||fl(fl(x_i - x_j) P^T)||_2 for the index arrays I, J."""
        return self.components(I, J, full=False)[0]

    def components(self, I: np.ndarray, J: np.ndarray, *, full: bool = True) -> tuple[np.ndarray, ...]:
        """Precise (a, b, n) = (||P z||, ||z - P^T P z||, ||z||) for z = x_i - x_j (only a when full=False)."""
        I, J = np.asarray(I, dtype=np.intp), np.asarray(J, dtype=np.intp)
        a = np.empty(I.size)
        b = np.empty(I.size) if full else a
        n = np.empty(I.size) if full else a
        for s in range(0, I.size, CHUNK_PAIRS):
            z = self.X[I[s : s + CHUNK_PAIRS]] - self.X[J[s : s + CHUNK_PAIRS]]
            pz = z @ self.P.T
            a[s : s + CHUNK_PAIRS] = np.sqrt((pz * pz).sum(axis=1))
            if full:
                rest = z - pz @ self.P
                b[s : s + CHUNK_PAIRS] = np.sqrt((rest * rest).sum(axis=1))
                n[s : s + CHUNK_PAIRS] = np.sqrt((z * z).sum(axis=1))
        return (a, b, n) if full else (a,)

    # -- cheap nearest differently-labelled neighbour --------------------------------------------------------
    def _complement_trees(self) -> dict[int, tuple[cKDTree, np.ndarray]]:
        if self._trees is None:
            self._trees = {}
            for c in range(self.classes.size):
                idx = np.flatnonzero(self.label_index != c)
                self._trees[c] = (cKDTree(self.Y[idx]), idx)
        return self._trees

    def _single_tree(self) -> cKDTree:
        if self._single is None:
            self._single = cKDTree(self.Y)
        return self._single

    def candidate_radii(self, cheap: float) -> tuple[float, float]:
        """From the smallest cheap distance found, (R, Rc): every pair that can attain the precise minimum has
        precise value <= R = cheap + s and cheap value <= Rc = R + s (s = slack, increasing in distance)."""
        R = cheap + self.slack(cheap)
        return R, (R + self.slack(R)) * (1.0 + 1e-12)

    def _prune_bound(self, best: float) -> float:
        """A cheap-distance bound beyond which a point cannot take part in the minimum (monotone in best)."""
        return self.candidate_radii(best)[1] * (1.0 + 1e-12) if np.isfinite(best) else np.inf

    def _cheap_nn(self) -> np.ndarray:
        """Per point: the cheap distance to its nearest differently-labelled point, or, for a point pruned
        by the running bound, a lower bound on it that exceeds the final minimum's candidate radius."""
        nn = np.full(self.N, np.inf)
        best = np.inf
        if self.classes.size <= COMPLEMENT_TREES_MAX_CLASSES:
            for c, (tree, _) in self._complement_trees().items():
                rows = np.flatnonzero(self.label_index == c)
                bound = self._prune_bound(best)
                dist, _ = tree.query(self.Y[rows], k=1, distance_upper_bound=bound)
                nn[rows] = np.where(np.isinf(dist), bound, dist)
                best = min(best, float(dist.min()))
            return nn
        tree = self._single_tree()
        active = np.arange(self.N)
        kk = min(self.N, 16)
        while active.size:
            bound = self._prune_bound(best)
            dist, idx = tree.query(self.Y[active], k=kk, distance_upper_bound=bound)
            valid = idx < self.N
            lab = self.label_index[np.where(valid, idx, 0)]
            diff = valid & (lab != self.label_index[active][:, None])
            has = diff.any(axis=1)
            first = np.argmax(diff, axis=1)
            found = dist[np.arange(active.size), first]
            nn[active[has]] = found[has]
            if has.any():
                best = min(best, float(found[has].min()))
            need = ~has & valid[:, -1] & (dist[:, -1] <= self._prune_bound(best))
            # pruned rows: every differently-labelled point is beyond the k-th neighbour, or beyond the bound
            pruned = ~has & ~need
            nn[active[pruned]] = np.where(valid[pruned, -1], dist[pruned, -1], bound)
            if kk == self.N:
                break  # cannot happen with >= 2 labels: every row has a differently-labelled point
            active = active[need]
            kk = min(self.N, 2 * kk)
        return nn

    def _blocked_rowmin(self) -> np.ndarray:
        """Per point (original index): min Gram squared distance to the points of strictly higher label."""
        order, Ys = self._order, self.Y[self._order]
        lab = self.label_index[order]
        sq = (Ys * Ys).sum(axis=1)
        rowmin = np.full(self.N, np.inf)
        for s, e, cstart in self._row_blocks():
            g = (-2.0 * Ys[s:e]) @ Ys[cstart:].T  # |y_i|^2 is constant along a row: added after the min
            g += sq[None, cstart:]
            self._mask_same_label(g, lab, s, e, cstart)
            rowmin[order[s:e]] = g.min(axis=1) + sq[s:e]
        return rowmin

    def _mask_same_label(self, d2: np.ndarray, lab: np.ndarray, s, e, cstart: int, fill: object = np.inf) -> None:
        """Set d2 to ``fill`` on same-label entries; rows = lab[s:e] (or lab[s] for an index array s).  Columns
        start at cstart, so same-label columns can only lie before the end of the block's last class."""
        rl = lab[s:e] if e is not None else lab[s]
        stop = int(self._class_end[rl.max()])
        if stop > cstart:
            sub = d2[:, : stop - cstart]
            sub[rl[:, None] == lab[None, cstart:stop]] = fill

    def _row_blocks(self):
        """Yield (start, end, column start) in sorted order: rows [start, end) against columns from the end of
        the first row's class (so every differently-labelled pair appears once, in its lower-label row)."""
        lab = self.label_index[self._order]
        s = 0
        while s < self.N:
            cstart = int(self._class_end[lab[s]])
            if cstart >= self.N:
                break
            rows = max(1, BLOCK_ENTRIES // (self.N - cstart))
            e = min(s + rows, self.N)
            yield s, e, cstart
            s = e

    # -- public searches --------------------------------------------------------------------------------------
    def pairs_within(
        self, R: float, *, rows: np.ndarray | None = None, max_pairs: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Differently-labelled pairs (i < j) containing every pair with precise ||P(x_i - x_j)|| <= R.

        ``rows`` (optional boolean mask over points) restricts the search to pairs with a member in ``rows``
        (for "kdtree": either member; for "blocked": the lower-label member); callers pass rows that provably
        include such a member.  Raises PairBudgetExceeded when more than ``max_pairs`` pairs qualify.
        """
        mask = np.ones(self.N, dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
        Rc = (R + self.slack(R)) * (1.0 + 1e-12)  # cheap-distance radius (widened past the search's <=/<)
        thr2 = Rc * Rc + gram_sq_slack(self.k, self.y_max)
        if self.strategy == "kdtree" and self._nn_low is not None:
            mask = mask & (self._nn_low <= Rc)
        if self.strategy == "blocked" and self._rowmin2 is not None:  # widened: row min vs entry rounding
            mask = mask & (self._rowmin2 <= thr2 * (1.0 + 1e-12))
        out = _PairCollector(R, max_pairs)
        if self.strategy == "kdtree":
            self._kdtree_pairs(mask, Rc, out)
        else:
            self._blocked_pairs(mask, thr2, out)
        return out.unique(self.N)

    def _kdtree_pairs(self, mask: np.ndarray, Rc: float, out: _PairCollector) -> None:
        """The pairs within cheap distance Rc with a member in ``mask``: each class's masked points against the
        tree of the other classes' points (or, with many classes, one tree and a label filter)."""
        if self.classes.size <= COMPLEMENT_TREES_MAX_CLASSES:
            jobs = [
                (np.flatnonzero((self.label_index == c) & mask), tree, idx, False)
                for c, (tree, idx) in self._complement_trees().items()
            ]
        else:
            jobs = [(np.flatnonzero(mask), self._single_tree(), np.arange(self.N), True)]
        for q, tree, idx, filter_labels in jobs:
            if not q.size:
                continue
            if out.max_pairs is not None and not filter_labels:  # count first: never materialize a huge answer
                lens = tree.query_ball_point(self.Y[q], Rc, return_length=True)
                out.check_room(int(lens.sum()))  # each pair is found from both sides
            lists = tree.query_ball_point(self.Y[q], Rc, return_sorted=False)
            lens = np.fromiter((len(x) for x in lists), dtype=np.intp, count=q.size)
            if lens.sum():
                i = np.repeat(q, lens)
                j = idx[np.concatenate([x for x in lists if x]).astype(np.intp)]
                if filter_labels:
                    keep = self.label_index[i] != self.label_index[j]
                    i, j = i[keep], j[keep]
                out.add(i, j)

    def _blocked_pairs(self, mask: np.ndarray, thr2: float, out: _PairCollector) -> None:
        """The pairs with Gram squared distance <= thr2 whose lower-label member is in ``mask``, block by block."""
        order, Ys = self._order, self.Y[self._order]
        lab = self.label_index[order]
        sq = (Ys * Ys).sum(axis=1)
        msorted = mask[order]
        for s, e, cstart in self._row_blocks():
            sel = np.flatnonzero(msorted[s:e]) + s
            if not sel.size:
                continue
            g = (-2.0 * Ys[sel]) @ Ys[cstart:].T
            g += sq[None, cstart:]
            self._mask_same_label(g, lab, sel, None, cstart, fill=np.nan)  # nan <= x is False, also for x = inf
            r, c = np.nonzero(g <= (thr2 - sq[sel])[:, None])
            if r.size:
                out.add(order[sel[r]], order[c + cstart])

    def minimum(self) -> CrossMinimum:
        """Exact tau = min over differently-labelled pairs of the precise ||P(x_i - x_j)||, with its pair."""
        if self.strategy == "kdtree":
            nn = self._nn_low = self._cheap_nn()
            # precise(tau pair) <= precise(cheap argmin) <= cheap + s = R, and a pair's cheap value is within
            # s of its precise value: every pair that can attain tau has both members with nn <= Rc.
            R, Rc = self.candidate_radii(float(nn.min()))
            rows = nn <= Rc
        else:
            rowmin2 = self._rowmin2 = self._blocked_rowmin()
            e2 = gram_sq_slack(self.k, self.y_max)
            R, Rc = self.candidate_radii(float(np.sqrt(rowmin2.min() + e2)))
            rows = rowmin2 <= Rc * Rc + e2
        I, J = self.pairs_within(R, rows=rows)
        assert I.size, "the cheap minimum pair must be among the candidates"
        vals = self.projected_distance(I, J)
        return _argmin_pair(vals, I, J, self.strategy)


class _PairCollector:
    """The pairs (i < j) a search finds, with the budget ``max_pairs`` (None: no budget) checked as they come."""

    def __init__(self, R: float, max_pairs: int | None) -> None:
        self.R, self.max_pairs = R, max_pairs
        self.out_i: list[np.ndarray] = []
        self.out_j: list[np.ndarray] = []
        self.count = 0

    def _exceeded(self) -> PairBudgetExceeded:
        return PairBudgetExceeded(f"more than {self.max_pairs} pairs within projected distance {self.R:.6g}")

    def check_room(self, more: int) -> None:
        """PairBudgetExceeded when ``more`` further finds (each pair found from both sides) break the budget."""
        if self.max_pairs is not None and self.count + more > 2 * self.max_pairs:
            raise self._exceeded()

    def add(self, i: np.ndarray, j: np.ndarray) -> None:
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        self.out_i.append(lo)
        self.out_j.append(hi)
        self.count += lo.size
        if self.max_pairs is not None and self.count > 2 * self.max_pairs:  # duplicates possible before np.unique
            raise self._exceeded()

    def unique(self, N: int) -> tuple[np.ndarray, np.ndarray]:
        """The distinct pairs, sorted by (i, j); PairBudgetExceeded when more than max_pairs."""
        if not self.out_i:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        codes = np.unique(np.concatenate(self.out_i).astype(np.int64) * N + np.concatenate(self.out_j))
        if self.max_pairs is not None and codes.size > self.max_pairs:
            raise self._exceeded()
        return (codes // N).astype(np.intp), (codes % N).astype(np.intp)


def _argmin_pair(vals: np.ndarray, I: np.ndarray, J: np.ndarray, strategy: str) -> CrossMinimum:
    """The smallest value; among exact ties the lexicographically smallest (i, j)."""
    best = vals.min()
    tied = np.flatnonzero(vals == best)
    pick = tied[np.lexsort((J[tied], I[tied]))[0]]
    return CrossMinimum(float(best), int(I[pick]), int(J[pick]), int(vals.size), strategy)
