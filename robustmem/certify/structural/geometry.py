"""The geometric glue of the structural certifier, recomputed from the data and the network's own weights.

The input map computes u = W x + b (the projection folded in, the carry shift b); block b tests the offset
a_b(x) = W x - c_b with the centre c_b = -(b + alpha_b) + shift read off its first-layer biases.  For a point
x in B_p(x_i, sigma):

* ||a_b(x)||_q <= ||W x_i - c_b||_q + L sigma and >= ||W x_i - c_b||_q - L sigma, L >= ||W||_{p -> q}
  (L = c+_{p,q}(d) for W = I; L = ||W||_2 c+_{p,2}(d) when q = 2, and also for an integer q >= 3 since
  ||v||_q <= ||v||_2 there);
* the carried coordinates stay in [U_lo, U_hi], U_j = (W x_i)_j + b_j -+ ||W_j||_* sigma (dual norm).

Floating point (every slack enlarges an upper bound or lowers a lower bound): fl(W x_i) is off by at most
gamma_d (|W| |x_i|) per coordinate (any summation order); a value computed with n rounded operations is
multiplied by 1 +- (n + 2) 2^-51 (twice the usual (n + 1) u); bounds on errors are doubled once computed.
||W||_2 is bounded by sqrt(s) where s I - W W^T is proven positive definite in exact rational arithmetic
(pivots of an exact LDL^T), and c+ by a float whose power is checked exactly.

Norms ||T||_q of non-negative float vectors (T >= 0 by construction) are rounded up for the in-radii and down for
the out-distances: q = inf exactly (a max), q = 1 and 2 with the factors above; an integer q >= 3
(:func:`_pow_norm`) by scaling with the row maximum M (exact) so that the summands (T_j / M)^q lie in [0, 1]
and the largest is exactly 1.  Every term is fl(fl(T_j / M)^q) = (T_j / M)^q (1 + d)^q (1 + d')^(q-1): the
division's error enters q times, so with the k - 1 additions of non-negative terms the computed sum is the
exact one times a factor in [(1 - u)^n, (1 + u)^n], n = 2q + k - 2, and up / dn(., q + k + 1) (a factor
1 +- 4 (q + k + 3) u) covers it more than twice over; underflow (a term whose computation underflows is below
2^-1021 both exactly and computed, next to a sum >= 1) is far inside that slack.  The root r of the bounded sum
S is then checked in float64 with its own error factor (dn(fl(r^q), q) >= S proves r^q >= S, up(fl(r^q), q)
<= S proves r^q <= S: fl(r^q) is r^q within (1 +- u)^(q-1)); r is moved until it passes, and M r is rounded
once more (a lower bound that overflows falls back to M = ||T||_inf <= ||T||_q).

A non-integer rational q = a/b > 1 (b <= 64, :func:`rational_norm`; :func:`_real_pow_norm`) uses the same scaling,
but never a float power function (np.power is not correctly rounded).  Every power x^(a/b) of a float x in
[2^-E, 2^E] (E = floor(1000 / q) - 2: every intermediate power stays a normal float) is bracketed in float64 with
proofs that use only correctly rounded products (:func:`_pow_bound`): a root estimate rho is moved until the
b-fold product checks it (up(fl(rho^b), b) <= x proves rho^b <= x, as a product of n rounded multiplications
is within (1 +- u)^n of the exact one; dn(fl(rho^b), b) >= x proves rho^b >= x), and then x^(a/b) >= rho^a >=
dn(fl(rho^a), a), or <= up(fl(rho^a), a) for the upper rho.  Entries Z = T_j / M below 2^-E count 0 (lower
bound) or up(Z, 1) >= Z^q (upper bound, Z <= 1).  The scaled terms carry the division's error (a factor
(1 +- u)^q) and the k - 1 additions another (1 +- u)^(k-1): up / dn(., k + ceil(q) + 1) cover both.  The root
r is checked with the same brackets (r^q <= S proven by the upper bracket of r^q, r^q >= S by the lower one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from robustmem.certify.structural.pl import MAX_DEN, pow_bounds
from robustmem.certify.structural.symbols import ETA_Q, Unsupported, all_pow2, two_sum

__all__ = [
    "Images",
    "InputMap",
    "centres",
    "cplus_upper",
    "images",
    "in_radius",
    "in_radius_exact",
    "operator_bound",
    "raw_input_map",
    "read_fused_input_map",
    "read_input_map",
    "spectral_upper",
]

_R = 2.0**-51  # 4 u per rounded operation


def up(x, n: int):
    return x * (1.0 + (n + 2) * _R)


def dn(x, n: int):
    return x * (1.0 - (n + 2) * _R)


def _gamma(n: int) -> float:
    return n * 2.0**-53 / (1.0 - n * 2.0**-53)


@dataclass(frozen=True)
class InputMap:
    W: np.ndarray  # (k, d)
    b: np.ndarray  # (k,)
    coord_pos: tuple[int, ...]
    state_pos: int
    identity: bool
    nnz: np.ndarray  # non-zero weights per row


def read_input_map(seg) -> InputMap:
    """The first segment as u = W x + b plus a state neuron with no weights and bias 0 (m = 0)."""
    if seg.repeats != 1 or len(seg.maps) != 1:
        raise Unsupported(f"the input segment {seg.name!r} must be one affine map, got {len(seg.maps)} x {seg.repeats}")
    t = seg.maps[0]
    if len(t.carry_dst) or (t.ent_pidx >= 0).any() or (t.bias_pidx >= 0).any():
        raise Unsupported("the input map carries raw inputs or has parameter-dependent weights")
    W = np.zeros((t.out_dim, t.in_dim))
    W[t.ent_row, t.ent_col] = t.ent_base
    b = np.zeros(t.out_dim)
    b[t.active] = t.bias_base
    empty = [o for o in range(t.out_dim) if not W[o].any() and b[o] == 0.0]
    if len(empty) != 1:
        raise Unsupported(f"the input map must set exactly one state neuron to 0, found {len(empty)} candidates")
    state = empty[0]
    coords = tuple(o for o in range(t.out_dim) if o != state)
    Wc = W[list(coords)]
    ident = Wc.shape == (t.in_dim, t.in_dim) and np.array_equal(Wc, np.eye(t.in_dim))
    return InputMap(Wc, b[list(coords)], coords, state, bool(ident), np.count_nonzero(Wc, axis=1))


def read_fused_input_map(seg) -> tuple[InputMap, int, int]:
    """A fused opening segment (input map and first block, yu2024): its first map's rows with template-constant
    weights and bias are u = W x + b; where the segment's last map carries them to are ``coord_pos``.  The two
    other outputs of the last map are the state pair: m (no weights, bias 0) and e.  Returns (u map, m, e)."""
    if seg.repeats != 1 or len(seg.maps) != 2:
        raise Unsupported(
            f"the fused opening segment {seg.name!r} must be two affine maps, once; got {len(seg.maps)} x {seg.repeats}"
        )
    t, last = seg.maps
    if len(t.carry_dst):
        raise Unsupported("the fused opening map carries raw inputs")
    rows = []
    for a, o in enumerate(t.active):
        sel = np.flatnonzero(t.ent_row == o)
        if t.bias_pidx[a] < 0 and not (t.ent_pidx[sel] >= 0).any():
            rows.append((int(o), sel, float(t.bias_base[a])))
    dst = {int(s_): int(d_) for s_, d_ in zip(last.carry_src, last.carry_dst)}
    if len(dst) != len(rows) or any(o not in dst for o, _, _ in rows):
        raise Unsupported("the fused opening block must carry exactly the input map's rows u = W x + b")
    W = np.zeros((len(rows), t.in_dim))
    for k, (_, sel, _) in enumerate(rows):
        W[k, t.ent_col[sel]] = t.ent_base[sel]
    b = np.array([bb for _, _, bb in rows])
    coords = tuple(dst[o] for o, _, _ in rows)
    rest = [int(o) for o in last.active]
    empty = [o for o in rest if not (last.ent_row == o).any()]
    if len(rest) != 2 or len(empty) != 1:
        raise Unsupported(f"the fused opening block must end with the pair (m = 0, e), found outputs {rest}")
    m_pos = empty[0]
    e_pos = rest[1 - rest.index(m_pos)]
    ident = W.shape == (t.in_dim, t.in_dim) and np.array_equal(W, np.eye(t.in_dim))
    return InputMap(W, b, coords, m_pos, bool(ident), np.count_nonzero(W, axis=1)), m_pos, e_pos


def raw_input_map(d: int) -> InputMap:
    """x itself (W = I, b = 0): the coordinates a block reads when it reads the raw input."""
    return InputMap(np.eye(d), np.zeros(d), tuple(range(d)), -1, True, np.ones(d, dtype=np.int64))


def _to_int_matrix(W: np.ndarray) -> tuple[np.ndarray, int]:
    """W = Wi * 2^-S exactly with Wi a matrix of Python ints."""
    m, e = np.frexp(W)
    nz = m != 0
    S = int((53 - e[nz]).max()) if nz.any() else 0
    Wi = np.empty(W.shape, dtype=object)
    for idx in np.ndindex(W.shape):
        Wi[idx] = int(m[idx] * 2.0**53) << int(e[idx] - 53 + S) if m[idx] != 0 else 0
    return Wi, S


def _positive_definite(A: list[list[Fraction]]) -> bool:
    """Exact LDL^T: all pivots > 0."""
    n = len(A)
    A = [row[:] for row in A]
    for i in range(n):
        if A[i][i] <= 0:
            return False
        for r in range(i + 1, n):
            f = A[r][i] / A[i][i]
            if f:
                for c in range(i + 1, n):
                    A[r][c] -= f * A[i][c]
    return True


def spectral_upper(W: np.ndarray) -> float:
    """A float s with ||W||_2 <= s, proven: s^2 I - W W^T is positive definite (exact rationals)."""
    est = float(np.linalg.norm(W, 2)) if W.size else 0.0
    Wi, S = _to_int_matrix(W)
    G = Wi.dot(Wi.T)
    scale = Fraction(2) ** (2 * S)
    for f in (2.0**-40, 2.0**-30, 2.0**-20, 2.0**-10, 2.0**-3, 1.0):
        s = np.nextafter(est * (1.0 + f), math.inf)
        s2 = Fraction(s) ** 2 * scale
        A = [[(s2 if r == c else 0) - Fraction(G[r, c]) for c in range(len(G))] for r in range(len(G))]
        if _positive_definite(A):
            return float(s)
    raise Unsupported("could not bound ||W||_2 (no positive-definiteness proof)")


def integer_norm(q: float) -> bool:
    """q is a finite integer >= 3 (Lemma 38 l_q indicators with integer powers, e.g. yu2024-lp)."""
    return math.isfinite(q) and q >= 3 and float(q).is_integer()


def rational_norm(q: float) -> Fraction | None:
    """q as a rational a/b > 1 that is not an integer, with b <= 64 (l_q norms bounded by :func:`_real_pow_norm`);
    None otherwise."""
    if not math.isfinite(q) or q <= 1 or float(q).is_integer():
        return None
    f = Fraction(q)
    return f if f.denominator <= MAX_DEN else None


def cplus_upper(p: float, q: float, d: int) -> float:
    """A float >= c+_{p,q}(d) = d^max(0, 1/q - 1/p), with the power checked exactly: c^m >= d^n for the exact
    exponent n/m when its denominator m is at most 1024 (the constructors use d^(1/2 - 1/p) itself, e.g. d^(1/6)
    for p = 3, or d^(1/14) for p = 2, q = 1.75, and a rounded-up exponent would cost up to d^(1/64), more than
    their margin), else the exponent rounded up to a multiple of 1/1024 (d >= 1 makes that an upper bound)."""
    inv = lambda t: Fraction(0) if math.isinf(t) else 1 / Fraction(t)
    e = max(Fraction(0), inv(q) - inv(p))
    if e == 0 or d == 1:
        return 1.0
    den = e.denominator if e.denominator <= 1024 else 1024
    n = math.ceil(e * den)
    c = float(d) ** (n / den)
    while Fraction(c) ** den < Fraction(d) ** n:
        c = float(np.nextafter(c, math.inf))
    return c


def operator_bound(im: InputMap, p: float, q: float, d: int) -> tuple[float, str]:
    """L >= ||W||_{p -> q} and how it was obtained."""
    if im.identity:
        return cplus_upper(p, q, d), "W = I: c+_{p,q}(d)"
    if q != 2.0 and not integer_norm(q) and rational_norm(q) is None:
        raise Unsupported(
            f"a projected input map with an l_{q:g} indicator (only l_2, integer l_q, q >= 3, and rational l_q, "
            f"q > 1 with denominator <= {MAX_DEN}, are supported)"
        )
    s = spectral_upper(im.W)
    c = cplus_upper(p, 2.0, d)
    how = "" if q == 2.0 else " (||v||_q <= ||v||_2 for q >= 2)"
    if q < 2.0:  # ||v||_q <= k^(1/q - 1/2) ||v||_2 = c+_{2,q}(k) ||v||_2 for 1 <= q < 2
        c = up(c * cplus_upper(2.0, q, im.W.shape[0]), 1)
        how = " times c+_{2,q}(k) (||v||_q <= k^(1/q - 1/2) ||v||_2 for q < 2)"
    return float(np.nextafter(up(s * c, 1), math.inf)), f"||W||_2 <= {s!r} (exact PD proof) times c+_{{p,2}}(d){how}"


@dataclass
class Images:
    V: np.ndarray  # (N, k) fl(W x_i)
    eps: np.ndarray  # (N, k) >= |fl(W x_i) - W x_i|
    U_lo: list[Fraction]
    U_hi: list[Fraction]
    E_in: list[Fraction]  # float64 error bound of the computed u_j on the balls


def _dual_row_norms(W: np.ndarray, p: float, d: int) -> np.ndarray:
    """Upper bounds of ||W_j||_{p*} (p* the dual exponent) for every row j."""
    A = np.abs(W)
    if ((A == 0.0) | (A == 1.0)).all() and (A.sum(axis=1) <= 1.0).all():
        return A.sum(axis=1)  # rows e_j (or 0): ||e_j||_{p*} = 1 exactly for every p
    if p <= 1.0:
        return up(A.max(axis=1), 0)
    if math.isinf(p):
        return up(A.sum(axis=1), d)
    return up(np.sqrt((A * A).sum(axis=1)) * cplus_upper(p, 2.0, d), d + 3)


def images(im: InputMap, X: np.ndarray, p: float, sigma: float) -> Images:
    _N, d = X.shape
    if im.identity:
        V, absprod, eps = X.copy(), np.abs(X), np.zeros_like(X)
    else:
        V = X @ im.W.T
        absW = np.abs(im.W).T
        absprod = np.empty_like(V)
        for s in range(0, X.shape[0], 1 << 14):  # |X| |W|^T by row chunks: no N x d temporary
            absprod[s : s + (1 << 14)] = np.abs(X[s : s + (1 << 14)]) @ absW
        absprod = up(absprod, d)
        eps = 2.0 * up(_gamma(d) * absprod, 2)
    # |(W (x - x_i))_j| <= ||W_j||_* sigma (Hoelder); _dual_row_norms is an upper bound, up(., 1) covers the product
    rad = up(_dual_row_norms(im.W, p, d) * sigma, 1)
    U_lo, U_hi, E_in = [], [], []
    for j in range(V.shape[1]):
        e, r, bj = Fraction(float(eps[:, j].max())), Fraction(float(rad[j])), Fraction(float(im.b[j]))
        U_lo.append(Fraction(float(V[:, j].min())) - e - r + bj)
        U_hi.append(Fraction(float(V[:, j].max())) + e + r + bj)
        size = abs(float(im.b[j])) + float(absprod[:, j].max()) + float(rad[j])
        n_add = int(im.nnz[j]) + (im.b[j] != 0.0) - 1  # additions on any path of the sum; +1 if a product rounds
        n_round = max(n_add, 0) + (0 if all_pow2(im.W[j][im.W[j] != 0.0]) else 1)
        E_in.append(Fraction(float(up(_gamma(n_round) * size, 3))) + int(im.nnz[j]) * ETA_Q)
    return Images(V, eps, U_lo, U_hi, E_in)


def centres(im: InputMap, alpha: np.ndarray, shift: list[Fraction]) -> tuple[np.ndarray, np.ndarray]:
    """(C, Clo): the exact centre c_b = -(b + alpha_b) + shift lies within Clo of the float C (elementwise)."""
    s, e = two_sum(np.broadcast_to(im.b, alpha.shape), alpha)
    sh = np.array([float(v) for v in shift])
    C, e2 = two_sum(np.broadcast_to(sh, s.shape), -s)  # shift - s = C + e2 exactly; c = C + e2 - e
    return C, up(np.abs(e2) + np.abs(e), 1)


def _pow_norm(T: np.ndarray, q: int, upward: bool) -> np.ndarray:
    """||T||_q along the last axis for an integer q >= 3 and finite T >= 0, rounded up (``upward``) or down
    (module docstring: scaled by the row maximum, every rounding covered, the root checked in float64)."""
    k = T.shape[-1]
    M = T.max(axis=-1)
    pos = M > 0
    safe = np.where(pos, M, 1.0)
    Z = T / safe[..., None]  # in [0, 1]; the maximum's own entry is exactly 1
    P = Z
    for _ in range(q - 1):
        P = P * Z
    S = P.sum(axis=-1)  # >= 1 on rows with M > 0
    S = up(S, q + k + 1) if upward else dn(S, q + k + 1)
    r = _checked_root(S, q, upward, f"an l_{q} norm")
    if upward:
        out = up(M * r, 1)
    else:
        out = dn(M * r, 1)
        out = np.where(np.isfinite(out), out, M)  # overflow: M = ||T||_inf is still a lower bound
    return np.where(pos, out, 0.0)


def _checked_root(S: np.ndarray, n: int, upward: bool, what: str) -> np.ndarray:
    """Floats r with r^n >= S (``upward``) or r^n <= S, elementwise, proven in float64: fl(r^n) by n - 1 correctly
    rounded products is r^n within (1 +- u)^(n-1), so dn(fl(r^n), n) >= S proves r^n >= S and up(fl(r^n), n) <= S
    proves r^n <= S; the float root is moved by 16 ulps until the check passes (a few steps)."""
    r = np.power(S, 1.0 / n)
    r = up(r, 2) if upward else dn(r, 2)
    for _ in range(400):
        R = r
        for _ in range(n - 1):
            R = R * r
        bad = dn(R, n) < S if upward else up(R, n) > S
        if not bad.any():
            return r
        r = np.where(bad, up(r, 2) if upward else dn(r, 2), r)
    raise Unsupported(f"could not bound {what} in float64")  # pragma: no cover - the root is off by a few ulps


def _pow_bound(x: np.ndarray, a: int, b: int, upward: bool) -> np.ndarray:
    """Floats >= x^(a/b) (``upward``) or <= x^(a/b), proven with correctly rounded products only, for floats x in
    [2^-E, 2^E] (:func:`_pow_range`, a/b > 1; module docstring)."""
    rho = _checked_root(x, b, upward, f"a power x^({a}/{b})")
    P = rho
    for _ in range(a - 1):
        P = P * rho
    return up(P, a) if upward else dn(P, a)


def _pow_range(q: Fraction) -> float:
    """2^-E with E = floor(1000 / q) - 2: floats in [2^-E, 2^E] keep every power of :func:`_pow_bound` normal."""
    return 2.0 ** -(math.floor(1000 / q) - 2)


def _real_pow_norm(T: np.ndarray, q: Fraction, upward: bool) -> np.ndarray:
    """||T||_q along the last axis for a non-integer rational q (:func:`rational_norm`) and finite T >= 0, rounded
    up (``upward``) or down (module docstring)."""
    a, b = q.numerator, q.denominator
    k = T.shape[-1]
    M = T.max(axis=-1)
    pos = M > 0
    safe = np.where(pos, M, 1.0)
    Z = T / safe[..., None]  # in [0, 1]; the maximum's own entry is exactly 1
    tiny = _pow_range(q)
    big = tiny <= Z
    terms = np.where(big, 0.0, up(Z, 1) if upward else 0.0)
    if big.any():
        terms[big] = _pow_bound(Z[big], a, b, upward)
    n = k + math.ceil(q) + 1
    S = up(terms.sum(axis=-1), n) if upward else dn(terms.sum(axis=-1), n)
    S = np.where(pos, S, 1.0)  # >= 1 - (n + 2) 2^-51 where M > 0
    if not (1.0 / tiny >= S).all():
        raise Unsupported(f"an l_{float(q):g} norm of {k} coordinates leaves the float range of the power bounds")
    r = np.power(S, 1.0 / float(q))
    r = up(r, 2) if upward else dn(r, 2)
    for _ in range(400):
        # upward: r^q >= (lower bracket of r^q) >= S; downward: r^q <= (upper bracket) <= S
        bad = _pow_bound(r, a, b, False) < S if upward else _pow_bound(r, a, b, True) > S
        if not bad.any():
            break
        r = np.where(bad, up(r, 2) if upward else dn(r, 2), r)
    else:  # pragma: no cover
        raise Unsupported(f"could not bound an l_{float(q):g} norm in float64")
    if upward:
        out = up(M * r, 1)
    else:
        out = dn(M * r, 1)
        out = np.where(np.isfinite(out), out, M)  # overflow: M = ||T||_inf is still a lower bound
    return np.where(pos, out, 0.0)


_NORMS = f"l_{{q:g}} norms of the geometry (q must be 1, 2, an integer >= 3, inf or a rational > 1 with denominator <= {MAX_DEN})"


def _norm(T: np.ndarray, q: float, upward: bool) -> np.ndarray:
    """||T||_q along the last axis for T >= 0, rounded up (``upward``) or down."""
    k = T.shape[-1]
    f = up if upward else dn
    if math.isinf(q):
        return T.max(axis=-1)
    if q == 1.0:
        return f(T.sum(axis=-1), k)
    if q == 2.0:
        return f(np.sqrt((T * T).sum(axis=-1)), k + 2)
    if integer_norm(q):
        return _pow_norm(T, int(q), upward)
    qr = rational_norm(q)
    if qr is not None:
        return _real_pow_norm(T, qr, upward)
    raise Unsupported(_NORMS.format(q=q))


def in_radius(G: Images, C: np.ndarray, Clo: np.ndarray, q: float) -> np.ndarray:
    """Upper bounds of ||W x_i - c_i||_q (point i against block i)."""
    T = up(up(np.abs(G.V - C), 0) + G.eps + Clo, 2)
    return _norm(T, q, True)


def in_radius_exact(x: np.ndarray, im: InputMap, alpha_i: np.ndarray, shift: list[Fraction], q: float) -> float:
    """The same quantity for one point, computed exactly (rationals) and rounded up to a float."""
    xs = [Fraction(float(v)) for v in x]
    diffs = []
    for j in range(im.W.shape[0]):
        wx = sum((Fraction(float(w)) * xs[l] for l, w in enumerate(im.W[j]) if w != 0.0), Fraction(0))
        c = -(Fraction(float(im.b[j])) + Fraction(float(alpha_i[j]))) + shift[j]
        diffs.append(abs(wx - c))
    if math.isinf(q):
        val = max(diffs)
    elif q == 1.0:
        val = sum(diffs, Fraction(0))
    elif q == 2.0:
        sq = sum((t * t for t in diffs), Fraction(0))
        r = math.sqrt(float(sq))
        while Fraction(r) ** 2 < sq:
            r = float(np.nextafter(r, math.inf))
        return r
    elif integer_norm(
        q
    ):  # the float q-th root of the exact sum of q-th powers, moved up until its q-th power covers it
        qi = int(q)
        sq = sum((t**qi for t in diffs), Fraction(0))
        r = float(sq) ** (1.0 / qi)
        while Fraction(r) ** qi < sq:
            r = float(np.nextafter(r, math.inf))
        return r
    elif rational_norm(q) is not None:  # the same with exact rational brackets of the non-integer powers
        qr = rational_norm(q)
        assert qr is not None
        sq = sum((pow_bounds(t, qr)[1] for t in diffs), Fraction(0))
        r = float(sq) ** (1.0 / float(qr))
        while Fraction(r) ** qr.numerator < sq**qr.denominator:  # r^q >= sq, exactly
            r = float(np.nextafter(r, math.inf))
        return r
    else:
        raise Unsupported(_NORMS.format(q=q))
    r = float(val)
    while Fraction(r) < val:
        r = float(np.nextafter(r, math.inf))
    return r


def _sub_dn(a, b):
    return (a - b) - (np.abs(a) + np.abs(b)) * _R
