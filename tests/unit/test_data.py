"""Dataset validation and exact separation (robustmem.data.dataset, robustmem.data.separation)."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import pdist, squareform

from robustmem.data import Dataset, Separation, coincident_groups, min_separation, pair_distances, pairs_below
from robustmem.data import separation as sepmod
from robustmem.errors import DataError, InvalidArgumentError, NotSeparatedError

QS = [1.0, 2.0, math.inf, 1.5, 0.5]


def brute_separation(X: np.ndarray, y: np.ndarray, q: float) -> tuple[float, int, int]:
    """O(N^2) reference: the canonical distance of every differently-labelled pair, first minimum."""
    I, J = np.triu_indices(len(X), 1)  # lexicographic order
    keep = y[I] != y[J]
    I, J = I[keep], J[keep]
    if I.size == 0:
        return math.inf, -1, -1
    v = pair_distances(X, I, J, q)
    k = int(np.argmin(v))
    return float(v[k]), int(I[k]), int(J[k])


def brute_pairs_below(X: np.ndarray, y: np.ndarray, t: float, q: float) -> set[tuple[int, int]]:
    I, J = np.triu_indices(len(X), 1)
    keep = y[I] != y[J]
    I, J = I[keep], J[keep]
    v = pair_distances(X, I, J, q)
    return {(int(i), int(j)) for i, j, d in zip(I, J, v) if d < t}


def scipy_metric(q: float) -> dict:
    if math.isinf(q):
        return {"metric": "chebyshev"}
    return {"metric": "minkowski", "p": q}


@pytest.fixture
def tiny_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Force blocks of a few rows so that block boundaries and the running minimum are exercised."""
    monkeypatch.setattr(sepmod, "_MATRIX_BYTES", 8 * 3 * 64)


# ---------------------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        ([1.0, 2.0], [1, 2], DataError, r"X must be a 2-D array of shape \(N, d\), got shape \(2,\)"),
        (np.zeros((0, 3)), [], DataError, r"N >= 1 points and d >= 1 coordinates, got shape \(0, 3\)"),
        (np.zeros((2, 0)), [1, 2], DataError, r"got shape \(2, 0\)"),
        ([[0.0, 1.0], [2.0, np.nan]], [1, 2], DataError, r"X\[1, 1\] = nan is not finite"),
        ([[0.0, np.inf], [2.0, np.nan]], [1, 2], DataError, r"X\[0, 1\] = inf is not finite"),
        ([[0.0], [1.0]], [1, 2, 3], DataError, r"y must be a 1-D array of N = 2 labels, got shape \(3,\)"),
        ([[0.0], [1.0]], [[1, 2]], DataError, r"got shape \(1, 2\)"),
        ([[0.0], [1.0], [2.0], [3.0]], [1.0, 2.0, 1.0, 2.5], DataError, r"y\[3\] = 2.5 is not an integer label"),
        ([[0.0], [1.0]], [1.0, np.nan], DataError, r"y\[1\] = nan is not an integer label"),
        ([[0.0], [1.0], [2.0]], [1, 0, 2], DataError, r"y\[1\] = 0 is not a positive label"),
        ([[0.0], [1.0], [2.0]], [1, 2, -3], DataError, r"y\[2\] = -3 is not a positive label"),
        ([[0.0], [1.0]], [1, 2**53 + 1], DataError, r"y\[1\] = 9007199254740993 exceeds the largest supported label"),
        ([["a", "b"]], [1], DataError, r"X must contain real numbers"),
        ([[1 + 1j]], [1], DataError, r"X must contain real numbers, got dtype complex128"),
        ([[True]], [1], DataError, r"got dtype bool"),
        ([[0.0]], ["one"], DataError, r"y must contain integer labels, got dtype <U3"),
        ([[0.0]], [True], DataError, r"got dtype bool"),
    ],
)
def test_invalid_data_names_the_offending_entry(X: object, y: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Dataset(X, y)


def test_coinciding_differently_labelled_points_are_named() -> None:
    X = np.arange(40.0).reshape(20, 2)
    X[17] = X[3]
    y = np.ones(20, dtype=int)
    y[17] = 2
    with pytest.raises(
        NotSeparatedError, match=r"^points 3 and 17 have labels 1 and 2 but coincide: the data is not separated"
    ):
        Dataset(X, y)


def test_conflict_reports_the_lexicographically_first_pair_and_the_count() -> None:
    X = np.array([[5.0], [1.0], [1.0], [5.0], [5.0], [1.0]])
    y = [1, 2, 2, 1, 3, 4]  # group {0,3,4}: first conflict (0, 4); group {1,2,5}: (1, 5)
    with pytest.raises(NotSeparatedError, match=r"points 0 and 4 have labels 1 and 3 .*\(2 groups"):
        Dataset(X, y)


def test_negative_zero_coincides_with_zero() -> None:
    with pytest.raises(NotSeparatedError, match="points 0 and 1"):
        Dataset([[0.0, 1.0], [-0.0, 1.0]], [1, 2])
    assert [g.tolist() for g in coincident_groups(np.array([[0.0], [-0.0], [1.0]]))] == [[0, 1]]


@given(
    st.integers(1, 6),
    st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0**-1074, 1e308, 0.5]), min_size=1, max_size=240),
    st.integers(0, 2**32 - 1),
)
@settings(max_examples=60, deadline=None)
def test_coincident_groups_equals_a_dictionary_of_rows(d: int, values: list[float], seed: int) -> None:
    """The hash pre-filter never loses a group and never merges distinct rows: equal to grouping rows by their
    bits in a dictionary (-0.0 read as 0.0), on rows drawn from a few values so that repeats are common."""
    rng = np.random.default_rng(seed)
    n = max(1, len(values) // d)
    X = rng.choice(np.array(values), size=(n, d))
    rows: dict[tuple[float, ...], list[int]] = {}
    for i, r in enumerate(X + 0.0):
        rows.setdefault(tuple(r.tolist()), []).append(i)
    expected = sorted(g for g in rows.values() if len(g) > 1)
    assert [g.tolist() for g in coincident_groups(X)] == expected


def test_same_label_duplicates_are_allowed_and_float_labels_converted() -> None:
    ds = Dataset([[1, 2], [1, 2], [3, 4]], [2.0, 2.0, 1.0])
    assert ds.y.dtype == np.int64 and ds.y.tolist() == [2, 2, 1]
    assert ds.X.dtype == np.float64 and ds.X.flags.c_contiguous
    assert ds.separation().delta == math.sqrt(8.0)


@pytest.mark.parametrize("name", ["", 3, None])
def test_name_must_be_a_nonempty_string(name: object) -> None:
    with pytest.raises(InvalidArgumentError, match="name must be a non-empty string"):
        Dataset([[0.0]], [1], name=name)


# ---------------------------------------------------------------------------------------- basics
def test_arrays_are_read_only_copies_and_the_object_is_frozen() -> None:
    X, y = np.array([[0.0, 1.0], [2.0, 3.0]]), np.array([1, 2])
    ds = Dataset(X, y)
    X[0, 0], y[0] = 99.0, 7
    assert ds.X[0, 0] == 0.0 and ds.y[0] == 1
    with pytest.raises(ValueError, match="read-only"):
        ds.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        ds.y[0] = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        ds.meta["k"] = 1  # type: ignore[index]


def test_properties_repr_len_equality() -> None:
    ds = Dataset([[0.0], [1.0], [2.0], [3.0]], [3, 1, 3, 5], name="toy")
    assert (ds.N, ds.d, ds.C, len(ds)) == (4, 1, 5, 4)
    assert ds.labels.tolist() == [1, 3, 5]
    assert repr(ds) == "Dataset(name='toy', N=4, d=1, C=5)"
    assert ds == Dataset([[0.0], [1.0], [2.0], [3.0]], [3, 1, 3, 5], name="toy")
    assert ds != ds.with_name("other") and ds != Dataset([[0.0], [1.0], [2.0], [3.5]], [3, 1, 3, 5], name="toy")
    assert hash(ds) == hash(Dataset(ds.X, ds.y, name="toy"))


def test_pickle_and_deepcopy_round_trip() -> None:
    ds = Dataset([[0.0, 1.0], [2.0, 3.0]], [1, 2], name="p", meta={"removed_indices": [3]})
    for back in (pickle.loads(pickle.dumps(ds)), copy.deepcopy(ds)):
        assert back == ds and back.X.flags.writeable is False and back.separation() == ds.separation()


def test_fingerprint_is_pinned_and_sensitive_to_one_ulp() -> None:
    ds = Dataset([[0.0, 1.0], [2.0, 3.0]], [1, 2])
    # Pinned: sha256 of b"robustmem.Dataset/1" + shape (<i8) + X (<f8) + y (<i8).
    assert ds.fingerprint() == "0fcee88310991da8edbe62a3282698fc0c47cc250260e8ae137bd6993887f2e2"
    X = ds.X.copy()
    X[1, 1] = np.nextafter(3.0, 4.0)
    assert Dataset(X, ds.y).fingerprint() != ds.fingerprint()
    assert Dataset(ds.X.reshape(4, 1), [1, 2, 1, 2]).fingerprint() != ds.fingerprint()


def test_subset_and_with_name() -> None:
    ds = Dataset([[0.0], [1.0], [5.0]], [1, 2, 1], name="a", meta={"k": 1})
    sub = ds.subset([2, 0])
    assert sub.X[:, 0].tolist() == [5.0, 0.0] and sub.name == "a" and dict(sub.meta) == {"k": 1}
    assert ds.subset(np.array([True, False, True]), name="b").separation().delta == math.inf
    renamed = ds.with_name("b")
    assert renamed.name == "b" and renamed.separation() is ds.separation()
    for bad, msg in [
        ([], "empty"),
        ([3], r"indices\[0\] = 3 is outside 0..2"),
        ([-1], "outside"),
        (np.array([True]), r"shape \(3,\)"),
        ([0.5], "integers or a boolean mask"),
    ]:
        with pytest.raises(InvalidArgumentError, match=msg):
            ds.subset(bad)
    with pytest.raises(InvalidArgumentError, match="name"):
        ds.with_name("")


def test_distance_method_and_pair_distances_validation() -> None:
    ds = Dataset([[0.0, 0.0], [3.0, 4.0]], [1, 2])
    assert (ds.distance(0, 1), ds.distance(0, 1, 1), ds.distance(1, 0, math.inf)) == (5.0, 7.0, 4.0)
    with pytest.raises(InvalidArgumentError, match=r"j = 2 is not a point index in 0..1"):
        ds.distance(0, 2)
    with pytest.raises(InvalidArgumentError, match=r"i\[0\] = -1 is outside 0..1"):
        pair_distances(ds.X, [-1], [0])
    with pytest.raises(InvalidArgumentError, match="differ in length: 1 and 2"):
        pair_distances(ds.X, [0], [0, 1])


@pytest.mark.parametrize("q", [0, -1.0, math.nan, "abc", None])
def test_separation_rejects_bad_q(q: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^q must|'abc'"):
        Dataset([[0.0], [1.0]], [1, 2]).separation(q)  # type: ignore[arg-type]


def test_single_label_has_infinite_separation() -> None:
    ds = Dataset(np.random.default_rng(0).random((10, 3)), np.full(10, 4))
    for q in QS:
        assert ds.separation(q) == Separation(math.inf, -1, -1, q)
        assert ds.separated_pairs_below(1e300, q).shape == (0, 2)


def test_separation_is_cached_per_q() -> None:
    ds = Dataset(np.random.default_rng(1).random((30, 4)), np.arange(30) % 3 + 1)
    s2, s1 = ds.separation(2), ds.separation(1)
    assert ds.separation(2.0) is s2 and ds.separation("2") is s2 and ds.separation(1) is s1 and s1 != s2


def test_separation_result_is_checked() -> None:
    with pytest.raises(InvalidArgumentError, match="inconsistent Separation"):
        Separation(1.0, 3, 2, 2.0)
    with pytest.raises(InvalidArgumentError, match="inconsistent Separation"):
        Separation(1.0, -1, -1, 2.0)


# ---------------------------------------------------------------------------------------- exactness
def _random_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2024)
    cases = []
    X = rng.standard_normal((150, 6))
    cases.append(("gaussian", X, rng.integers(1, 4, 150)))
    G = rng.integers(0, 3, size=(120, 3)).astype(float)  # a small grid: massive exact ties + duplicates
    u, inv = np.unique(G, axis=0, return_inverse=True)  # one label per position: no conflicts
    cases.append(("grid-ties", G, (rng.integers(1, 3, len(u)))[inv.ravel()]))
    Y = np.concatenate([rng.standard_normal((40, 5)), rng.standard_normal((40, 5)) * 1e-9 + 3.0])
    cases.append(("offset-near-ties", Y + 1e6, rng.integers(1, 3, 80)))
    Z = np.concatenate(
        [
            np.full((30, 4), 1e6) + rng.standard_normal((30, 4)) * 1e-3,
            np.full((30, 4), -1e6) + rng.standard_normal((30, 4)) * 1e-3,
        ]
    )
    cases.append(("two-far-clusters", Z, rng.integers(1, 4, 60)))
    line = 1e8 + np.array([0.0, 1e-7, -1e-7, 2e-7, np.nextafter(1e8 + 2e-7, 2e8) - 1e8, 5.0])[:, None]
    cases.append(("one-ulp-ties", line, np.array([1, 2, 2, 1, 2, 1])))
    v = rng.standard_normal(60) * 10.0 ** rng.integers(-3, 4, 60)  # equal exact distances, rounded differently
    P = np.stack([np.zeros(60)] + [rng.permutation(v) for _ in range(40)])
    cases.append(("permuted-ties", P, np.array([1] + [2] * 40)))
    R = rng.standard_normal((60, 30)) * 1e-3 + 1e4
    cases.append(("far-from-origin", R, rng.integers(1, 3, 60)))
    W = rng.standard_normal((50, 3))
    cases.append(("huge", W * 2.0**600, rng.integers(1, 3, 50)))
    cases.append(("tiny", W * 1e-300, rng.integers(1, 3, 50)))
    cases.append(("subnormal", W * 1e-310, rng.integers(1, 3, 50)))
    return cases


CASES = _random_cases()


@pytest.mark.parametrize("q", QS)
@pytest.mark.parametrize(("label", "X", "y"), CASES, ids=[c[0] for c in CASES])
def test_separation_equals_brute_force_exactly(label: str, X: np.ndarray, y: np.ndarray, q: float) -> None:
    ds = Dataset(X, y, name=label)
    s = ds.separation(q)
    assert (s.delta, s.i, s.j) == brute_separation(ds.X, ds.y, q)
    assert s.delta == ds.distance(s.i, s.j, q) and ds.y[s.i] != ds.y[s.j] and s.q == q


@pytest.mark.parametrize("q", QS)
@pytest.mark.parametrize(("label", "X", "y"), CASES[:7], ids=[c[0] for c in CASES[:7]])
def test_separation_exact_with_tiny_blocks(
    tiny_blocks: None, label: str, X: np.ndarray, y: np.ndarray, q: float
) -> None:
    assert min_separation(X, y, q) == Separation(*brute_separation(X, y, q), q)


@pytest.mark.parametrize("q", QS)
def test_canonical_distance_agrees_with_scipy(q: float) -> None:
    X = np.random.default_rng(5).standard_normal((40, 7)) * 10.0
    ref = squareform(pdist(X, **scipy_metric(q)))
    I, J = np.triu_indices(40, 1)
    np.testing.assert_allclose(pair_distances(X, I, J, q), ref[I, J], rtol=1e-13, atol=0)
    np.testing.assert_array_equal(pair_distances(X, I, J, q), pair_distances(X, J, I, q))


def test_canonical_l2_survives_overflow_and_underflow() -> None:
    X = np.array([[1e300, 1e300], [-1e300, -1e300], [1e-310, 0.0], [0.0, 3e-310]])
    d = pair_distances(X, [0, 2], [1, 3], 2.0)
    assert d[0] == pytest.approx(2e300 * math.sqrt(2.0), rel=1e-15)
    assert d[1] == pytest.approx(math.hypot(1e-310, 3e-310), rel=1e-6)  # subnormal inputs: few bits


@pytest.mark.parametrize("q", QS)
@pytest.mark.parametrize(("label", "X", "y"), CASES, ids=[c[0] for c in CASES])
def test_screens_never_exclude_a_pair(label: str, X: np.ndarray, y: np.ndarray, q: float) -> None:
    """The screen's whole contract: canonical distance <= t implies screening value <= threshold(t)."""
    screen = sepmod._screen_for(X, q)
    M = screen(slice(None), slice(None))
    I, J = np.triu_indices(len(X), 1)
    canonical = pair_distances(X, I, J, q)
    thresholds = np.array([screen.threshold(float(c)) for c in canonical])
    assert (M[I, J] <= thresholds).all()


@pytest.mark.parametrize("q", QS)
@pytest.mark.parametrize(("label", "X", "y"), CASES[:7], ids=[c[0] for c in CASES[:7]])
def test_pairs_below_equals_brute_force(label: str, X: np.ndarray, y: np.ndarray, q: float) -> None:
    ds = Dataset(X, y)
    s = ds.separation(q)
    I, J = np.triu_indices(ds.N, 1)
    median = float(np.median(pair_distances(ds.X, I, J, q)))
    for t in [s.delta, float(np.nextafter(s.delta, math.inf)), median]:
        got = ds.separated_pairs_below(t, q)
        assert got.dtype == np.int64 and got.shape[1] == 2
        assert [tuple(p) for p in got.tolist()] == sorted(brute_pairs_below(ds.X, ds.y, t, q))
    assert ds.separated_pairs_below(s.delta, q).shape == (0, 2)
    assert (s.i, s.j) in {tuple(p) for p in ds.separated_pairs_below(np.nextafter(s.delta, math.inf), q).tolist()}


def test_pairs_below_rows_and_tiny_blocks(tiny_blocks: None) -> None:
    rng = np.random.default_rng(3)
    X, y = rng.random((70, 3)), rng.integers(1, 4, 70)
    rows = np.array([5, 0, 69, 33])
    for q in QS:
        full = brute_pairs_below(X, y, 0.3, q)
        assert {tuple(p) for p in pairs_below(X, y, 0.3, q).tolist()} == full
        want = {p for p in full if p[0] in rows or p[1] in rows}
        assert {tuple(p) for p in pairs_below(X, y, 0.3, q, rows=rows).tolist()} == want


@pytest.mark.parametrize("t", [0.0, -1.0, math.nan, "x"])
def test_pairs_below_rejects_bad_thresholds(t: object) -> None:
    with pytest.raises(InvalidArgumentError, match=rf"threshold must be a positive number \(inf allowed\), got {t!r}"):
        pairs_below([[0.0], [1.0]], [1, 2], t)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="row index 2 is outside 0..1"):
        pairs_below([[0.0], [1.0]], [1, 2], 1.0, rows=[2])
    with pytest.raises(InvalidArgumentError, match="rows must be integer point indices, got dtype float64"):
        pairs_below([[0.0], [1.0]], [1, 2], 1.0, rows=[0.5])


# ---------------------------------------------------------------------------------------- scale
@pytest.mark.slow
def test_separation_at_mnist_scale() -> None:
    """N = 10^4, d = 784 (the size of an MNIST subset): runs in seconds; the answer is checked."""
    rng = np.random.default_rng(0)
    X = rng.random((10_000, 784))
    y = rng.integers(1, 11, 10_000)
    start = time.perf_counter()
    ds = Dataset(X, y, name="mnist-scale")
    s = ds.separation(2.0)
    elapsed = time.perf_counter() - start
    print(f"\nN=10^4, d=784, q=2: construction + separation {elapsed:.2f} s, delta={s.delta!r}")
    assert s.delta == ds.distance(s.i, s.j) and ds.y[s.i] != ds.y[s.j]
    assert ds.separated_pairs_below(s.delta).shape == (0, 2)
    sub = rng.choice(10_000, 1500, replace=False)  # independent check on a subsample
    ref = squareform(pdist(X[sub]))
    diff = y[sub][:, None] != y[sub][None, :]
    assert s.delta <= ref[diff].min() * (1 + 1e-12)
    small = ds.subset(np.arange(1000))
    for q in (1.0, math.inf):
        start = time.perf_counter()
        sq = small.separation(q)
        print(f"N=1000, d=784, q={q}: {time.perf_counter() - start:.2f} s, delta={sq.delta!r}")
        assert sq == Separation(*brute_separation(small.X, small.y, q), q)
