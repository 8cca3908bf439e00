"""The float64 rounding policy of the bound engine: every computed bound encloses the exact real value.

This module is the ONE place where the certifiers of :mod:`robustmem.certify.propagation` and
:mod:`robustmem.certify.milp` handle rounding.  The policy:

1. **What is bounded.**  Weights, biases, centres and the radius are read as the exact rationals of their
   float64 values; the bounds enclose the exact real network of Definition 1 on the exact real ball.
2. **Two-operand sums and products** are *directed*: the float64 result is kept when an error-free
   transformation (Knuth's TwoSum, Dekker's TwoProduct) shows that it already lies on the safe side of the
   exact value, else it is moved one ``nextafter`` step outward.  An exact operation therefore costs
   nothing, which lets a saturated network be certified with the bound ``lower = upper = y_i`` exactly.
   Products near the underflow or overflow range (where TwoProduct is not exact) are always stepped.
3. **Matrix products** ``A @ B`` run in numpy/BLAS in any order, FMA allowed.  Entry (i, j) gets an error
   bound ``E_ij >= |(A B)_ij - M_ij|``, ``M = fl(A @ B)``:

   * ``E_ij = 0`` when :func:`exact_entries` proves the entry exact: every product ``A_it B_tj`` is
     representable (odd significands of total bit length <= 53, exponent >= -1074) and all products are
     integer multiples of ``2^Q`` with ``fl(sum_t |A_it B_tj|) <= 2^(Q+52)``; then every partial sum, in any
     order, is a multiple of ``2^Q`` below ``2^(Q+53)`` in magnitude, hence representable, so no operation
     rounds.
   * otherwise ``E_ij = up(up(g G_ij) + (2n + 2) eta)`` with ``G = fl(|A| @ |B|)``, ``g >= gamma_{2n+2}``,
     ``gamma_k = k u / (1 - k u)``, ``u = 2^-53``, ``eta = 2^-1074`` (Higham, *Accuracy and Stability of
     Numerical Algorithms*, 2nd ed., Theorem 3.5 and section 2.1 for underflow: ``|M - AB| <= gamma_n |A||B|
     + n eta`` in any summation order; ``|A||B| <= (G + n eta) / (1 - gamma_n)`` and
     ``gamma_n / (1 - gamma_n) <= gamma_{2n}``).
4. **Non-finite values**: a NaN lower bound becomes -inf, a NaN upper bound +inf; overflow gives infinite
   bounds, never a wrong finite one.

Everything here is elementwise numpy; no global rounding mode is changed.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "ETA",
    "FULL_TEST_BUDGET",
    "Parts",
    "U",
    "add_down",
    "add_up",
    "dot_bounds",
    "down",
    "dual_norm_up",
    "enclose_matmul",
    "exact_entries",
    "gamma",
    "mul_down",
    "mul_up",
    "parts",
    "sum_up",
    "two_product",
    "up",
]

U = 2.0**-53  # unit roundoff of float64
ETA = 2.0**-1074  # smallest positive subnormal
FULL_TEST_BUDGET = 1 << 22  # entry-times-length elements the full exactness test may inspect per call (~100 MB)
_BIG = 4096  # stands for the trailing exponent of a zero (larger than any real one)
_SPLITTER = 134217729.0  # 2^27 + 1, Dekker's splitting constant
_SAFE_HI = 2.0**995  # above this Dekker's split may overflow
_SAFE_LO = 2.0**-960  # below this a product's error may not be representable


@functools.lru_cache(maxsize=4096)
def gamma(k: int) -> float:
    """A float64 upper bound of gamma_k = k u / (1 - k u) (Higham's constant), for k u < 1/2."""
    if k * U >= 0.5:
        raise OverflowError(f"gamma_{k} is not small: k = {k} is too large for the rounding analysis")
    return float(np.nextafter(np.nextafter(k * U / (1.0 - k * U), np.inf), np.inf))


def up(x: np.ndarray) -> np.ndarray:
    """One step towards +inf: an upper bound of any real that rounds to ``x`` (NaN becomes +inf)."""
    with np.errstate(all="ignore"):
        r = np.nextafter(x, np.inf)
    return np.where(np.isnan(r), np.inf, r)


def down(x: np.ndarray) -> np.ndarray:
    """One step towards -inf: a lower bound of any real that rounds to ``x`` (NaN becomes -inf)."""
    with np.errstate(all="ignore"):
        r = np.nextafter(x, -np.inf)
    return np.where(np.isnan(r), -np.inf, r)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def add_up(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """An upper bound of the exact a + b: fl(a + b) when that is not below it, else one step up."""
    with np.errstate(all="ignore"):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        s, e = _two_sum(a, b)
        r = np.where((e > 0) | np.isnan(e), np.nextafter(s, np.inf), s)
    return np.where(np.isnan(s), np.inf, r)


def add_down(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """A lower bound of the exact a + b: fl(a + b) when that is not above it, else one step down."""
    with np.errstate(all="ignore"):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        s, e = _two_sum(a, b)
        r = np.where((e < 0) | np.isnan(e), np.nextafter(s, -np.inf), s)
    return np.where(np.isnan(s), -np.inf, r)


def two_product(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(p, e, risky): p = fl(a b) and, where ``risky`` is False, a b = p + e exactly (Dekker)."""
    with np.errstate(all="ignore"):
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        p = a * b
        c = _SPLITTER * a
        ah = c - (c - a)
        al = a - ah
        c = _SPLITTER * b
        bh = c - (c - b)
        bl = b - bh
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        nz = (a != 0) & (b != 0)
        risky = nz & ((np.abs(a) > _SAFE_HI) | (np.abs(b) > _SAFE_HI) | (np.abs(p) < _SAFE_LO) | ~np.isfinite(e))
    return p, np.where(risky, 0.0, e), risky


def mul_up(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """An upper bound of the exact a b (fl(a b) when TwoProduct shows it is not below, else one step up)."""
    p, e, risky = two_product(a, b)
    with np.errstate(all="ignore"):
        r = np.where((e > 0) | risky, np.nextafter(p, np.inf), p)
    return np.where(np.isnan(p), np.inf, r)


def mul_down(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """A lower bound of the exact a b (fl(a b) when TwoProduct shows it is not above, else one step down)."""
    p, e, risky = two_product(a, b)
    with np.errstate(all="ignore"):
        r = np.where((e < 0) | risky, np.nextafter(p, -np.inf), p)
    return np.where(np.isnan(p), -np.inf, r)


Parts = tuple[np.ndarray, np.ndarray]


def parts(A: np.ndarray) -> Parts:
    """(q, nb): every entry is m 2^q with m an odd integer of nb bits; zeros and non-finite entries get
    (_BIG, 0).  Read from the IEEE bits; callers that multiply by the same matrix often cache it."""
    A = np.ascontiguousarray(A, dtype=np.float64)
    bits = A.view(np.int64) & 0x7FFFFFFFFFFFFFFF
    E = bits >> 52
    frac = bits & 0xFFFFFFFFFFFFF
    normal = E > 0
    M = np.where(normal, frac | 0x10000000000000, frac)  # integer significand
    tz = np.frexp((M & -M).astype(np.float64))[1] - 1  # trailing zero bits of M (exact: a power of two)
    top = np.where(normal, 53, np.frexp(M.astype(np.float64))[1])  # bit length of M
    ok = (E < 2047) & (M != 0)
    q = np.where(ok, np.where(normal, E - 1075, -1074) + tz, _BIG).astype(np.int32)
    nb = np.where(ok, top - tz, 0).astype(np.int32)
    return q, nb


def _product_fits(nba: np.ndarray, nbb: np.ndarray) -> np.ndarray:
    """Whether odd significands of nba and nbb bits multiply to at most 53 bits (a sufficient test)."""
    return (nba <= 1) | (nbb <= 1) | (nba + nbb <= 53)


def _sum_fits(G: np.ndarray, Q: np.ndarray) -> np.ndarray:
    """Whether G <= 2^(Q + 52) (G >= 0 finite; G < 2^e with e the frexp exponent) and Q >= -1074."""
    e = np.frexp(G)[1]
    return (Q >= -1074) & ((G == 0) | (e <= Q + 52))


def exact_entries(
    A: np.ndarray, B: np.ndarray, G: np.ndarray, *, a_parts: Parts | None = None, b_parts: Parts | None = None
) -> np.ndarray:
    """Boolean mask of the entries of A @ B that every float64 evaluation computes exactly.

    ``A`` is (..., m, n), ``B`` is (..., n, k) (batch axes broadcast), ``G = fl(|A| @ |B|)``; ``a_parts`` /
    ``b_parts`` are :func:`parts` of A / B when the caller has them.  A cheap separable test (row minima
    of A's trailing exponents plus column minima of B's) runs first; entries it cannot decide get the full
    per-term test while at most :data:`FULL_TEST_BUDGET` elements are inspected, the rest stay inexact
    (sound: they only get an error bound they may not need).
    """
    qa, nba = a_parts if a_parts is not None else parts(A)
    qb, nbb = b_parts if b_parts is not None else parts(B)
    finite = np.isfinite(G)
    Q = qa.min(axis=-1)[..., :, None] + qb.min(axis=-2)[..., None, :]
    fits = _product_fits(nba.max(axis=-1)[..., :, None], nbb.max(axis=-2)[..., None, :])
    ok = finite & fits & _sum_fits(np.where(finite, G, 0.0), Q)
    todo = np.nonzero(finite & ~ok & (G > 0))
    n = A.shape[-1]
    if len(todo[0]) and len(todo[0]) * n <= FULL_TEST_BUDGET:
        batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
        qa = np.broadcast_to(qa, batch + qa.shape[-2:])
        nba = np.broadcast_to(nba, batch + nba.shape[-2:])
        qb = np.broadcast_to(np.swapaxes(qb, -1, -2), batch + qb.shape[-1:] + qb.shape[-2:-1])
        nbb = np.broadcast_to(np.swapaxes(nbb, -1, -2), batch + nbb.shape[-1:] + nbb.shape[-2:-1])
        *bidx, i, j = todo
        qa_r, nba_r = qa[(*bidx, i)], nba[(*bidx, i)]  # (F, n): row i of A for each entry
        qb_c, nbb_c = qb[(*bidx, j)], nbb[(*bidx, j)]  # (F, n): column j of B for each entry
        both = (nba_r > 0) & (nbb_c > 0)
        Qf = np.where(both, qa_r + qb_c, 2 * _BIG).min(axis=-1)
        fit = np.where(both, _product_fits(nba_r, nbb_c), True).all(axis=-1)
        ok[todo] = fit & _sum_fits(G[todo], Qf)
    return ok


def enclose_matmul(
    A: np.ndarray, B: np.ndarray, *, a_parts: Parts | None = None, b_parts: Parts | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(M, E) with M = fl(A @ B) and |(A B)_ij - M_ij| <= E_ij for the exact product; E = 0 where exact.

    Shapes as for ``np.matmul`` with at least 2 axes each; ``a_parts``/``b_parts`` optional cached
    :func:`parts`.  See the module docstring, point 3.

    >>> M, E = enclose_matmul(np.array([[0.5, 0.25]]), np.array([[2.0], [4.0]]))
    >>> float(M[0, 0]), float(E[0, 0])
    (2.0, 0.0)
    >>> M, E = enclose_matmul(np.array([[0.1, 0.2]]), np.array([[1.0], [1.0]]))
    >>> bool(E[0, 0] > 0)
    True
    """
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    n = A.shape[-1]
    with np.errstate(all="ignore"):
        M = A @ B
        G = np.abs(A) @ np.abs(B)
        E = up(up(gamma(2 * n + 2) * G) + (2 * n + 2) * ETA)
    exact = exact_entries(A, B, G, a_parts=a_parts, b_parts=b_parts) & np.isfinite(M)
    E = np.where(exact, 0.0, E)
    return M, np.where(np.isnan(E), np.inf, E)


def dot_bounds(A: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) enclosing the exact rows-times-vector products: A (..., R, n), v (..., n) -> (..., R)."""
    M, E = enclose_matmul(A, np.asarray(v, dtype=np.float64)[..., :, None])
    return add_down(M[..., 0], -E[..., 0]), add_up(M[..., 0], E[..., 0])


def sum_up(A: np.ndarray, axis: int = -1) -> np.ndarray:
    """An upper bound of the exact sum of the entries of ``A`` along ``axis`` (the float sum where exact)."""
    A = np.moveaxis(np.asarray(A, dtype=np.float64), axis, -1)
    M, E = enclose_matmul(A, np.ones((A.shape[-1], 1)))
    return add_up(M[..., 0], E[..., 0])


def dual_norm_up(A: np.ndarray, p: float) -> np.ndarray:
    """An upper bound of ||a||_q for every row a of ``A`` (last axis), q the dual exponent of p in {1, 2, inf}.

    p = inf: q = 1 (a rigorous upper sum); p = 1: q = inf (max |a_j|, exact); p = 2: q = 2 (the sum of squares
    of the power-of-two-scaled row, bounded above, then a correctly rounded square root stepped up).
    Rows of zeros give exactly 0.
    """
    a = np.abs(np.asarray(A, dtype=np.float64))
    if math.isinf(p):
        return sum_up(a)
    top = a.max(axis=-1)
    if p == 1.0:
        return top
    if p != 2.0:
        raise ValueError(f"dual_norm_up supports p in {{1, 2, inf}}, got {p!r}")
    with np.errstate(all="ignore"):
        e = np.frexp(top)[1]
        s = np.ldexp(a, -e[..., None])  # exact scaling by a power of two, entries in [0, 1)
        sq = mul_up(s, s)  # upper bounds of the squares (underflow included)
        ss = sum_up(sq)
        r = up(np.ldexp(up(np.sqrt(ss)), e))  # sqrt is correctly rounded; ldexp may round only when subnormal
        r = np.where(np.isnan(r), np.inf, r)
    one = (a != 0).sum(axis=-1) <= 1  # a single non-zero entry: the norm is exactly max |a_j|
    return np.where(one, top, r)
