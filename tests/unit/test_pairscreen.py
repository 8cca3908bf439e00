"""The Gram pair screen (robustmem.pairscreen) never drops a pair within the radius, in float32 and float64, and
the three searches built on it (min_separation / pairs_below for q = 2, the certifier's out_distance_gram, the
sparse evaluator's _gram_candidates) equal their reference scans on adversarial data: ties, duplicates, pairs at
exactly the radius, scales 1e-30 and 1e+30, one dominant coordinate, data far from the origin, a single label,
spreads so small against the scale that the float32 slack is too large (the float64 fallback)."""

from __future__ import annotations

import math
from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustmem.certify.sparse import _gram_candidates
from robustmem.certify.structural.geometry import Images
from robustmem.certify.structural.near import out_distance_gram, out_distance_scan
from robustmem.data import Separation, min_separation, pair_distances, pairs_below
from robustmem.data import separation as sepmod
from robustmem.pairscreen import GramPairScreen

KINDS = ["normal", "grid", "dup", "dominant", "offset", "cluster", "line"]
SCALES = [1e-30, 1e-3, 1.0, 1e30]


def points(seed: int, n: int, k: int, kind: str, scale: float) -> np.ndarray:
    """n points in R^k of one adversarial kind, times ``scale``."""
    rng = np.random.default_rng(seed)
    if kind == "grid":  # small integers: many exactly equal distances
        X = rng.integers(0, 3, size=(n, k)).astype(float)
    elif kind == "dup":  # repeated points
        X = rng.normal(size=(max(1, n // 3), k))[rng.integers(0, max(1, n // 3), size=n)]
    elif kind == "dominant":  # one coordinate 1e8 times the others
        X = rng.normal(size=(n, k))
        X[:, 0] *= 1e8
    elif kind == "offset":  # far from the origin: centring matters
        X = 1e7 + rng.normal(size=(n, k))
    elif kind == "cluster":  # two clusters, spread 1e-9 of their distance: the float32 slack is too large
        X = np.where(rng.random((n, 1)) < 0.5, 0.0, 1.0) + rng.normal(size=(n, k)) * 1e-9
    elif kind == "line":  # collinear, at distances of one ulp and more
        X = np.zeros((n, k))
        X[:, 0] = 1.0 + np.cumsum(rng.integers(0, 3, size=n)) * 2.0**-52
    else:
        X = rng.normal(size=(n, k))
    return X * scale


def exact_dist_up(p: np.ndarray, q: np.ndarray) -> float:
    """The smallest float >= the exact Euclidean distance of p and q (Fractions; scaled by 4^e, e integer, so that
    the square root of a subnormal or huge sum is computed in range)."""
    s = sum((Fraction(float(a)) - Fraction(float(b))) ** 2 for a, b in zip(p, q))
    if not s:
        return 0.0
    e = (s.numerator.bit_length() - s.denominator.bit_length()) // 2
    r = math.ldexp(math.sqrt(float(s / Fraction(4) ** e)), e)
    while Fraction(r) ** 2 < s:
        r = math.nextafter(r, math.inf)
    while r > 0 and Fraction(math.nextafter(r, 0.0)) ** 2 >= s:
        r = math.nextafter(r, 0.0)
    return r


def assert_keeps_every_pair(P: np.ndarray, Q: np.ndarray, use32: bool) -> None:
    """For every pair, with rho_i = its exact distance (rounded up): G_ij <= T_i in the given precision."""
    S = GramPairScreen(P, Q)
    for i in range(P.shape[0]):
        G = S.block(np.array([i]), slice(None), use32)[0]
        for j in range(Q.shape[0]):
            rho = np.array([exact_dist_up(P[i], Q[j])])
            T = S._cast(S.thresholds(rho, S.rA[i : i + 1], use32), use32)
            assert G[j] <= T[0], (i, j, use32, G[j], T[0])


# -------------------------------------------------------------------------------- the bound itself
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(1, 9),
    k=st.integers(1, 6),
    kind=st.sampled_from(KINDS),
    scale=st.sampled_from([*SCALES, 1e-310, 1e290]),
)
def test_no_pair_within_its_exact_distance_is_dropped(seed, n, k, kind, scale):
    """The whole contract, with rho = the exact distance of the pair itself (the tightest case)."""
    P = points(seed, n, k, kind, scale)
    Q = np.concatenate([points(seed + 1, n, k, kind, scale), P[: n // 2]])  # some columns equal to rows
    for use32 in (True, False):
        assert_keeps_every_pair(P, Q, use32)


def test_float32_is_used_where_the_slack_is_small_and_not_where_it_is_large():
    X = points(0, 50, 8, "normal", 1.0)
    S = GramPairScreen(X)
    assert S.float32_ok(np.full(50, 0.5), S.rA)  # a radius of the order of the distances
    assert not S.float32_ok(np.full(50, 1e-4), S.rA)  # float32 slack ~1e-6 |x|^2 > radius^2 / 4
    assert not S.float32_ok(np.zeros(50), S.rA)  # duplicates: radius 0
    C = points(0, 50, 8, "cluster", 1.0)
    assert not GramPairScreen(C).float32_ok(np.full(50, 1e-9), GramPairScreen(C).rA)


# -------------------------------------------------------------------------------- min_separation, pairs_below
def brute_separation(X: np.ndarray, y: np.ndarray) -> Separation:
    I, J = np.triu_indices(len(X), 1)
    keep = y[I] != y[J]
    I, J = I[keep], J[keep]
    if not I.size:
        return Separation(math.inf, -1, -1, 2.0)
    v = pair_distances(X, I, J, 2.0)
    m = int(np.argmin(v))
    return Separation(float(v[m]), int(I[m]), int(J[m]), 2.0)


def brute_below(X: np.ndarray, y: np.ndarray, t: float) -> list[list[int]]:
    I, J = np.triu_indices(len(X), 1)
    keep = (y[I] != y[J]) & (pair_distances(X, I, J, 2.0) < t)
    return np.stack([I[keep], J[keep]], axis=1).tolist()


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(2, 60),
    k=st.integers(1, 7),
    C=st.integers(1, 4),
    kind=st.sampled_from(KINDS),
    scale=st.sampled_from(SCALES),
    tiny=st.booleans(),
)
def test_min_separation_and_pairs_below_equal_the_brute_force(seed, n, k, C, kind, scale, tiny):
    X = points(seed, n, k, kind, scale)
    y = np.random.default_rng(seed).integers(1, C + 1, size=n)
    with mock.patch.object(sepmod, "_MATRIX_BYTES", 8 * 64 if tiny else sepmod._MATRIX_BYTES):  # many tiles
        s = min_separation(X, y, 2.0)
        assert s == brute_separation(X, y)
        if math.isfinite(s.delta):
            ts = [s.delta, float(np.nextafter(s.delta, math.inf)), 2.0 * s.delta + scale]
            dists = pair_distances(X, *np.triu_indices(n, 1), 2.0)
            ts.append(float(dists[len(dists) // 2]))  # exactly some pair's distance (excluded: strict <)
            for t in ts:
                if t > 0:
                    assert pairs_below(X, y, t, 2.0).tolist() == brute_below(X, y, t)


def test_min_separation_labels_of_many_kinds():
    """Float labels with NaN (each NaN differs from everything), strings, one label, every point its own label."""
    X = points(3, 40, 3, "grid", 1.0)
    rng = np.random.default_rng(3)
    for y in (
        np.where(rng.random(40) < 0.3, np.nan, rng.integers(1, 3, 40).astype(float)),
        rng.choice(np.array(["a", "bb", "c"]), 40),
        np.ones(40, int),
        np.arange(40)[::-1],
    ):
        assert min_separation(X, y, 2.0) == brute_separation(X, y)


# -------------------------------------------------------------------------------- the certifier's search
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    N=st.integers(1, 40),
    M=st.integers(1, 40),
    k=st.integers(1, 6),
    C=st.integers(1, 4),
    kind=st.sampled_from(KINDS),
    scale=st.sampled_from(SCALES),
    frac=st.sampled_from([0.01, 0.3, 1.0, 3.0]),
    entries=st.sampled_from([37, 1 << 20]),
)
def test_out_distance_gram_equals_the_scan(seed, N, M, k, C, kind, scale, frac, entries):
    rng = np.random.default_rng(seed)
    V = points(seed, N, k, kind, scale)
    Cc = np.concatenate([points(seed + 7, M, k, kind, scale), V[: M // 3]])  # some centres at the points
    eps = np.abs(rng.normal(size=V.shape)) * 1e-14 * scale
    Clo = np.abs(rng.normal(size=Cc.shape)) * 1e-15 * scale
    yp = rng.integers(1, C + 1, size=N).astype(float)
    yb = rng.integers(1, C + 1, size=Cc.shape[0]).astype(float)
    G = Images(V, eps, [], [], [])
    for q in (2.0, math.inf, 1.0):
        reach = frac * scale * math.sqrt(k)
        got = out_distance_gram(G, Cc, Clo, yp, yb, q, reach, block_entries=entries)
        assert np.array_equal(got, out_distance_scan(G, Cc, Clo, yp, yb, q, reach))


# -------------------------------------------------------------------------------- the sparse evaluator's search
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(1, 30),
    m=st.integers(1, 30),
    k=st.integers(1, 6),
    kind=st.sampled_from(KINDS),
    scale=st.sampled_from(SCALES),
    entries=st.sampled_from([5, 4_000_000]),
)
def test_gram_candidates_keep_every_block_at_its_exact_distance(seed, n, m, k, kind, scale, entries):
    """rad_i = the exact distance to one block (rounded up), and to a random one: every block within is listed,
    the lists are sorted and without repeats."""
    rng = np.random.default_rng(seed)
    U = points(seed, n, k, kind, scale)
    D = np.concatenate([points(seed + 3, m, k, kind, scale), U[: m // 2]])
    pick = rng.integers(0, D.shape[0], size=n)
    rad = np.array([exact_dist_up(U[i], D[pick[i]]) for i in range(n)])
    lists = _gram_candidates(D, U, rad, 2.0, entries)
    assert len(lists) == n
    for i in range(n):
        within = [b for b in range(D.shape[0]) if exact_dist_up(U[i], D[b]) <= rad[i]]
        assert set(within) <= set(lists[i].tolist()) and pick[i] in lists[i]
        assert np.array_equal(lists[i], np.unique(lists[i]))


def test_gram_candidates_no_rows_and_no_blocks():
    assert _gram_candidates(np.zeros((3, 2)), np.zeros((0, 2)), np.zeros(0), 2.0) == []
    lists = _gram_candidates(np.zeros((0, 2)), np.ones((2, 2)), np.ones(2), 2.0)
    assert [x.size for x in lists] == [0, 0]


@pytest.mark.parametrize("scale", [1e-30, 1.0, 1e30])
def test_min_separation_moderate_n_against_the_block_scan(scale):
    """N = 600 in 26 dimensions (the constructor's k'), several tiles: the pair screen's result equals the
    unsorted float64 block scan of every pair (the path used for unsortable labels)."""
    X = points(11, 600, 26, "normal", scale)
    y = np.random.default_rng(11).integers(1, 11, size=600)
    with mock.patch.object(sepmod, "_MATRIX_BYTES", 8 * 20_000):
        got = min_separation(X, y, 2.0)
    ref = min_separation(X, y.astype(object), 2.0)  # object labels: the block scan
    assert got == ref == brute_separation(X, y)


def test_non_finite_points_are_refused_by_name():
    from robustmem.errors import DataError

    with pytest.raises(DataError, match=r"Q\[1, 0\] = inf"):
        GramPairScreen(np.zeros((2, 2)), np.array([[0.0, 0.0], [np.inf, 0.0]]))
    with pytest.raises(DataError, match=r"P\[0, 1\] = nan"):
        GramPairScreen(np.array([[0.0, np.nan]]))
