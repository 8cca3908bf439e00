"""Exact separation of a labelled point set (Definition 2 of the paper, in any l_q norm).

The separation of points x_1..x_N with labels y_1..y_N is

    delta_q = min { ||x_i - x_j||_q : y_i != y_j }.

**What "exact" means here.**  The distance of a pair is evaluated by one canonical formula,
:func:`pair_distances`, directly from the coordinate differences (never from a Gram matrix, so no
cancellation): l_inf is ``max|x_i - x_j|`` (correctly rounded), l_1 is ``sum|x_i - x_j|`` and other q
use ``s * (sum |(x_i - x_j)/s|^q)^(1/q)`` with ``s`` a power of two (no overflow, no underflow; for
q = 2 this equals the textbook ``sqrt(sum (x_i - x_j)^2)`` whenever that does not overflow).
:func:`min_separation` returns exactly the minimum of these canonical values over all
differently-labelled pairs -- the same number as a brute-force double loop -- and the pair attaining
it; among equal values the lexicographically smallest (i, j) with i < j.

**How it stays fast.**  For q = 2 the points are sorted by label and screened by
:class:`robustmem.pairscreen.GramPairScreen`: each row meets only the columns after its label's run (every
differently-labelled pair once), one float32 BLAS product per tile of 512 rows x 4096 columns (float64 where
the proven float32 slack exceeds a quarter of the threshold), a per-row minimum first; the screen reports every
pair whose exact distance can be <= the best canonical distance found so far (its rounding error bound, from
the standard analysis of dot products -- Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed.,
Section 3.1, any summation order -- is written out in that module), and only those pairs are recomputed with
the canonical formula; the lexicographically first minimum is kept in the original indices.  Labels that are
not numbers or strings, and ``pairs_below(rows=...)``, use blocks of rows with one float64 threshold per block.
For q = 1 and q = inf, blocks are computed
directly with ``scipy.spatial.distance.cdist`` (l_inf is already canonical; l_1 gets a relative
window of 4 (d + 2) eps); for other q, and for q = 2 data beyond 2**400 in magnitude, the canonical
formula is evaluated on every pair (O(N^2 d) powers: minutes at N = 10^4, d = 784).

Memory stays below a few hundred MB: a block holds at most ``_MATRIX_BYTES`` bytes per matrix.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from robustmem.errors import DataError, InvalidArgumentError
from robustmem.norms import check_p
from robustmem.pairscreen import TILE_ENTRIES, GramPairScreen

__all__ = ["Separation", "min_separation", "pair_distances", "pairs_below"]

_EPS = float(np.finfo(np.float64).eps)  # 2**-52, twice the unit roundoff u
_GRAM_SAFE_ABS = 2.0**400  # |x| <= 2**400: squares and Gram sums cannot overflow
_MATRIX_BYTES = 1 << 26  # bytes of one block matrix (rows x columns float64)
_GATHER_BYTES = 1 << 25  # bytes of one chunk of gathered coordinate differences


@dataclass(frozen=True)
class Separation:
    """The separation ``delta`` of a dataset in the l_q norm and a pair ``(i, j)``, i < j, attaining it.

    With fewer than two labels there is no differently-labelled pair: then ``delta`` is ``+inf`` and
    ``i = j = -1``.  (``delta`` is also ``+inf``, with a real pair, if every distance overflows float64.)
    """

    delta: float
    i: int
    j: int
    q: float

    def __post_init__(self) -> None:
        no_pair = self.i == -1 and self.j == -1
        if (no_pair and self.delta != math.inf) or (not no_pair and not (0 <= self.i < self.j and self.delta >= 0)):
            raise InvalidArgumentError(
                f"inconsistent Separation(delta={self.delta!r}, i={self.i}, j={self.j}): "
                "need 0 <= i < j and delta >= 0 for a pair, and i = j = -1 with delta = inf for none"
            )


def _row_norms(diff: np.ndarray, q: float) -> np.ndarray:
    """Canonical l_q norms of the rows of ``diff`` (see the module docstring)."""
    a = np.abs(diff)
    if math.isinf(q):
        return a.max(axis=1)
    if q == 1.0:
        return a.sum(axis=1)
    _, e = np.frexp(a.max(axis=1))  # row maximum = f * 2**e with f in [0.5, 1); e = 0 for a zero row
    b = np.ldexp(a, -e[:, None])
    r = np.sqrt((b * b).sum(axis=1)) if q == 2.0 else ((b**q).sum(axis=1)) ** (1.0 / q)
    return np.ldexp(r, e)


def _pair_distances(X: np.ndarray, i: np.ndarray, j: np.ndarray, q: float) -> np.ndarray:
    out = np.empty(i.size, dtype=np.float64)
    step = max(1, _GATHER_BYTES // (8 * X.shape[1]))
    for s in range(0, i.size, step):
        out[s : s + step] = _row_norms(X[i[s : s + step]] - X[j[s : s + step]], q)
    return out


def require_finite(A: np.ndarray) -> None:
    """DataError naming the first non-finite entry X[i, j] of a 2-D array and its value."""
    if not np.isfinite(A).all():
        i, j = np.argwhere(~np.isfinite(A))[0]
        raise DataError(f"X[{i}, {j}] = {A[i, j].item()!r} is not finite: coordinates must be finite real numbers")


def _as_points(X: object) -> np.ndarray:
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[1] < 1:
        raise DataError(f"points must form a 2-D array (N, d) with d >= 1, got shape {A.shape}")
    require_finite(A)
    return A


def _as_labels(y: object, N: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.shape != (N,):
        raise DataError(f"labels must be a 1-D array of N = {N} entries, got shape {labels.shape}")
    return labels


def pair_distances(X: object, i: object, j: object, q: float = 2.0) -> np.ndarray:
    """Canonical distances ``||X[i_k] - X[j_k]||_q`` for index arrays ``i``, ``j`` of equal length.

    This is *the* definition of a pair's distance throughout robustmem (see the module docstring);
    it is symmetric in ``i`` and ``j`` bit for bit.

    >>> float(pair_distances([[0.0, 0.0], [3.0, 4.0]], [0], [1])[0])
    5.0
    """
    A = _as_points(X)
    q = check_p(q, name="q")
    ii, jj = np.asarray(i, dtype=np.intp).ravel(), np.asarray(j, dtype=np.intp).ravel()
    if ii.shape != jj.shape:
        raise InvalidArgumentError(f"index arrays differ in length: {ii.size} and {jj.size}")
    for name, idx in (("i", ii), ("j", jj)):
        bad = np.flatnonzero((idx < 0) | (idx >= A.shape[0]))
        if bad.size:
            raise InvalidArgumentError(f"{name}[{bad[0]}] = {idx[bad[0]]} is outside 0..{A.shape[0] - 1}")
    return _pair_distances(A, ii, jj, q)


# ----------------------------------------------------------------------------------------------
# Block screens.  A screen maps (row selector, column selector) to a matrix M of screening values
# and ``threshold(t)`` to a number T such that: canonical distance <= t implies M <= T.  Pairs with
# M <= T are the candidates whose canonical distance is then computed.


class _GramScreen:
    """Squared-distance screen (q = 2) from float64 tiles of :class:`robustmem.pairscreen.GramPairScreen`, one
    threshold for every row (its bound with r_i <= max_i r_i); used by ``pairs_below(rows=...)`` and for labels
    that cannot be sorted.  ``threshold(t)``: canonical distance <= t implies exact distance <= rho(t)
    (:func:`_exact_radius`), hence screening value <= threshold(t) by the bound of robustmem.pairscreen."""

    def __init__(self, X: np.ndarray) -> None:
        self.screen = GramPairScreen(X)
        self.d = X.shape[1]
        self.r = np.array([float(self.screen.rA.max(initial=0.0))])

    def __call__(self, rows: slice | np.ndarray, cols: slice | np.ndarray) -> np.ndarray:
        return self.screen.block(rows, cols, use32=False)

    def threshold(self, t: float) -> float:
        return float(self.screen.thresholds(np.array([_exact_radius(t, self.d)]), self.r, use32=False)[0])


def _exact_radius(t: float, d: int) -> float:
    """An upper bound of the exact distance of a pair whose canonical l_2 distance is <= t: the canonical value is
    at least the exact one times (1 - (d/2 + 2) u) >= shrink = 1 - 2 (d + 8) eps (a factor 4 to spare, which
    covers the rounding of the division), minus 2**-1075 when it is subnormal."""
    return (t + math.ulp(0.0)) / (1.0 - 2.0 * (d + 8) * _EPS)


class _CdistScreen:
    """Direct block distances by scipy (l_inf: exactly canonical; l_1: relative window)."""

    def __init__(self, X: np.ndarray, q: float) -> None:
        self.X = X
        self.metric = "chebyshev" if math.isinf(q) else "cityblock"
        self.widen = 1.0 if math.isinf(q) else (1.0 + 2.0 * _EPS) / (1.0 - 4.0 * (X.shape[1] + 2) * _EPS)
        self.workers = max(1, min(8, os.cpu_count() or 1))

    def __call__(self, rows: slice | np.ndarray, cols: slice | np.ndarray) -> np.ndarray:
        A, B = self.X[rows], self.X[cols]
        parts = np.array_split(np.arange(A.shape[0]), min(self.workers, A.shape[0]))
        with ThreadPoolExecutor(len(parts)) as pool:  # cdist releases the GIL
            blocks = list(pool.map(lambda p: cdist(A[p], B, self.metric), parts))
        M = np.concatenate(blocks, axis=0)
        M[~np.isfinite(M)] = 0.0  # an overflowed sum bounds nothing: make it a candidate
        return M

    def threshold(self, t: float) -> float:
        return t * self.widen


class _CanonicalScreen:
    """The canonical distances themselves (general q, or q = 2 on data too large for the Gram trick)."""

    def __init__(self, X: np.ndarray, q: float) -> None:
        self.X, self.q = X, q

    def __call__(self, rows: slice | np.ndarray, cols: slice | np.ndarray) -> np.ndarray:
        A, B = self.X[rows], self.X[cols]
        return np.stack([_row_norms(B - a, self.q) for a in A])

    def threshold(self, t: float) -> float:
        return t


def _screen_for(X: np.ndarray, q: float) -> _GramScreen | _CdistScreen | _CanonicalScreen:
    if q == 2.0 and float(np.abs(X).max()) <= _GRAM_SAFE_ABS:
        return _GramScreen(X)
    if q == 1.0 or math.isinf(q):
        return _CdistScreen(X, q)
    return _CanonicalScreen(X, q)


def _blocks(
    X: np.ndarray, y: np.ndarray, q: float, rows: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, _GramScreen | _CdistScreen | _CanonicalScreen]]:
    """Yield (row indices I, column indices J, screening values M, validity mask V, screen).

    Without ``rows``: every pair i < j once (rows in increasing blocks, columns from the block start).
    With ``rows``: every pair (r, j), r in rows, j != r.  V marks differently-labelled pairs; M is
    +inf outside V.
    """
    N = X.shape[0]
    screen = _screen_for(X, q)
    B = max(1, _MATRIX_BYTES // (8 * N))
    if rows is None:
        for a in range(0, N, B):
            b = min(N, a + B)
            M = screen(slice(a, b), slice(a, N))
            V = y[a:b, None] != y[None, a:N]
            V[:, : b - a] &= ~np.tri(b - a, dtype=bool)  # keep j > i only
            M[~V] = np.inf
            yield np.arange(a, b), np.arange(a, N), M, V, screen
    else:
        for s in range(0, rows.size, B):
            I = rows[s : s + B]
            M = screen(I, slice(None))
            V = y[I, None] != y[None, :]
            M[~V] = np.inf
            yield I, np.arange(N), M, V, screen


def _label_runs(labels: np.ndarray) -> np.ndarray | None:
    """Positions sorted by label (stable), or None when the labels are not numbers or strings (no total order
    that agrees with ``!=``; then the unsorted block scan is used)."""
    if labels.dtype.kind not in "biufUS":
        return None
    return np.argsort(labels, kind="stable")


def _run_ends(ys: np.ndarray) -> np.ndarray:
    """Per position of the sorted labels ``ys``, the end of its run of equal labels (NaN: a run of its own)."""
    N = ys.size
    starts = np.concatenate([[0], np.flatnonzero(np.asarray(ys[1:] != ys[:-1], dtype=bool)) + 1]).astype(np.intp)
    bounds = np.concatenate([starts, [N]])
    return np.repeat(bounds[1:], np.diff(bounds))


def _min_separation_gram(A: np.ndarray, labels: np.ndarray, perm: np.ndarray) -> Separation:
    """min_separation for q = 2: the pair screen of robustmem.pairscreen over the points sorted by label (row i
    meets only the columns after its label's run: every differently-labelled pair once), the canonical distance
    of every reported pair, the lexicographically first pair among the minima (in the original indices)."""
    N, d = A.shape
    lo = _run_ends(labels[perm])
    best = [math.inf, -1, -1]  # value, i, j

    def visit(I: np.ndarray, J: np.ndarray) -> None:
        oi, oj = perm[I], perm[J]
        a, b = np.minimum(oi, oj), np.maximum(oi, oj)
        vals = _pair_distances(A, a, b, 2.0)
        m = float(vals.min())
        if m > best[0]:
            return
        at = np.flatnonzero(vals == m)
        k = at[np.lexsort((b[at], a[at]))[0]]
        if m < best[0] or best[1] == -1 or (int(a[k]), int(b[k])) < (best[1], best[2]):
            best[:] = [m, int(a[k]), int(b[k])]

    GramPairScreen(A[perm]).scan(
        lo,
        np.full(N, N),
        lambda: _exact_radius(best[0], d),
        visit,
        entries=min(TILE_ENTRIES, max(1, _MATRIX_BYTES // 8)),
    )
    return Separation(best[0], int(best[1]), int(best[2]), 2.0) if best[1] != -1 else Separation(math.inf, -1, -1, 2.0)


def _pairs_below_gram(A: np.ndarray, labels: np.ndarray, perm: np.ndarray, t: float) -> list[np.ndarray]:
    """pairs_below for q = 2 without ``rows``: the pair screen at the exact radius of t, canonical distances < t."""
    N, d = A.shape
    found: list[np.ndarray] = []

    def visit(I: np.ndarray, J: np.ndarray) -> None:
        oi, oj = perm[I], perm[J]
        keep = _pair_distances(A, oi, oj, 2.0) < t
        found.append(np.stack([oi[keep], oj[keep]], axis=1).astype(np.int64))

    rho = np.full(N, _exact_radius(t, d))
    GramPairScreen(A[perm]).scan(
        _run_ends(labels[perm]), np.full(N, N), rho, visit, entries=min(TILE_ENTRIES, max(1, _MATRIX_BYTES // 8))
    )
    return found


def _uses_pair_screen(A: np.ndarray, q: float) -> bool:
    return q == 2.0 and A.shape[0] > 0 and float(np.abs(A).max()) <= _GRAM_SAFE_ABS


def min_separation(X: object, y: object, q: float = 2.0) -> Separation:
    """Exact separation min{||x_i - x_j||_q : y_i != y_j} and the (lexicographically first) pair attaining it.

    ``X`` is (N, d), ``y`` has N labels of any comparable dtype.  Coincident differently-labelled
    points give ``delta = 0``.  Fewer than two labels give ``Separation(inf, -1, -1, q)``.

    >>> min_separation([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]], [1, 2, 1])
    Separation(delta=4.47213595499958, i=1, j=2, q=2.0)
    """
    A = _as_points(X)
    labels = _as_labels(y, A.shape[0])
    q = check_p(q, name="q")
    perm = _label_runs(labels)
    if perm is not None and _uses_pair_screen(A, q):
        return _min_separation_gram(A, labels, perm)
    best, bi, bj = math.inf, -1, -1
    for I, J, M, V, screen in _blocks(A, labels, q, None):
        if not V.any():
            continue
        r, c = np.unravel_index(int(np.argmin(M)), M.shape)
        if M[r, c] > screen.threshold(best):
            continue  # every pair of the block is farther than the best pair so far
        v = float(_pair_distances(A, I[r : r + 1], J[c : c + 1], q)[0]) if V[r, c] else math.inf
        cr, cc = np.nonzero(V & (screen.threshold(min(best, v)) >= M))
        if cr.size == 0:
            continue
        vals = _pair_distances(A, I[cr], J[cc], q)
        m = int(np.argmin(vals))  # first minimum: nonzero() lists pairs in (i, j) order
        if vals[m] < best or bi == -1:
            best, bi, bj = float(vals[m]), int(I[cr[m]]), int(J[cc[m]])
    return Separation(best, bi, bj, q) if bi != -1 else Separation(math.inf, -1, -1, q)


def pairs_below(X: object, y: object, threshold: float, q: float = 2.0, *, rows: object = None) -> np.ndarray:
    """All differently-labelled pairs with canonical distance ``< threshold``, as an (m, 2) array.

    Rows are ``(i, j)`` with i < j, sorted lexicographically, each pair once.  With ``rows`` (an index
    array) only pairs with at least one endpoint in ``rows`` are searched (cost O(len(rows) N d)).

    >>> pairs_below([[0.0], [1.0], [5.0]], [1, 2, 1], threshold=4.5).tolist()
    [[0, 1], [1, 2]]
    """
    A = _as_points(X)
    labels = _as_labels(y, A.shape[0])
    q = check_p(q, name="q")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"threshold must be a positive number (inf allowed), got {threshold!r}")
    t = float(threshold)
    if math.isnan(t) or t <= 0:
        raise InvalidArgumentError(f"threshold must be a positive number (inf allowed), got {threshold!r}")
    sel = None
    if rows is not None:
        raw = np.asarray(rows)
        if raw.size and not np.issubdtype(raw.dtype, np.integer):
            raise InvalidArgumentError(f"rows must be integer point indices, got dtype {raw.dtype}")
        sel = np.unique(raw.astype(np.intp).ravel())
        if sel.size and (sel[0] < 0 or sel[-1] >= A.shape[0]):
            bad = sel[0] if sel[0] < 0 else sel[-1]
            raise InvalidArgumentError(f"row index {bad} is outside 0..{A.shape[0] - 1}")
    found = [np.empty((0, 2), dtype=np.int64)]
    perm = _label_runs(labels) if sel is None and _uses_pair_screen(A, q) else None
    if perm is not None:
        found += _pairs_below_gram(A, labels, perm, t)
    for I, J, M, V, screen in _blocks(A, labels, q, sel) if perm is None else ():
        cr, cc = np.nonzero(V & (screen.threshold(t) >= M))
        vals = _pair_distances(A, I[cr], J[cc], q)
        keep = vals < t
        found.append(np.stack([I[cr[keep]], J[cc[keep]]], axis=1).astype(np.int64))
    P = np.sort(np.concatenate(found, axis=0), axis=1)
    N = np.int64(A.shape[0])
    keys = np.unique(P[:, 0] * N + P[:, 1])  # one int64 key per pair: sorted lexicographically, no repeats
    return np.stack([keys // N, keys % N], axis=1)
