"""The labelled dataset D = {(x_i, y_i)} of Definition 2, validated when it is built.

A :class:`Dataset` holds N points in R^d (float64) with positive integer labels 1..C (the paper's
labels, which the networks output) and, optionally, the user's names for them: ``classes``, a
tuple (c_1, ..., c_C) of ints or strings, so that paper label m means the user's label c_m
(:mod:`robustmem.labels`).  :meth:`Dataset.from_labels` builds that encoding from any labels
(0..4, {3, 17, 99}, "cat"/"dog").  Building a Dataset checks every invariant the constructions
rely on and names the first offending entry:

* X is a 2-D array with N >= 1 rows and d >= 1 columns of finite reals;
* y has N integer-valued labels (2.0 is accepted, 2.5 is not) in 1..2**53 (so every label is exactly
  representable as the float64 output of a network);
* no two differently-labelled points coincide (checked exactly, by sorting the rows' bytes).
  Same-label duplicates are allowed: Definition 2 only constrains differently-labelled pairs;
* with ``classes``: they are distinct ints or distinct strings, and every label is at most their number.

The number of classes C is ``len(classes)`` when the classes are given and the largest label
otherwise; the certificate, the structural certifier and the reports all read :attr:`Dataset.C`.

The arrays are stored as read-only copies; the object is immutable and caches its separations.
"""

from __future__ import annotations

import hashlib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import numpy as np

from robustmem.data.separation import Separation, _pair_distances, min_separation, pairs_below, require_finite
from robustmem.errors import DataError, InvalidArgumentError, NotSeparatedError
from robustmem.labels import RAISE, Label, check_classes, check_classes_for, classes_of, decode_labels, encode_labels
from robustmem.norms import check_p

__all__ = ["MAX_LABEL", "Dataset", "coincident_groups"]

MAX_LABEL = 2**53  # largest label that float64 represents exactly, together with all smaller ones
Dedupe = Literal["error", "drop-conflicts"]
_DEDUPE_CHOICES = ("error", "drop-conflicts")


def _as_coordinates(X: object) -> np.ndarray:
    A = np.asarray(X)
    if A.dtype == object:
        try:
            A = A.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("X must contain real numbers; it holds non-numeric entries") from None
    if A.dtype == bool or not (np.issubdtype(A.dtype, np.integer) or np.issubdtype(A.dtype, np.floating)):
        raise DataError(f"X must contain real numbers, got dtype {A.dtype}")
    if A.ndim != 2:
        raise DataError(f"X must be a 2-D array of shape (N, d), got shape {A.shape}")
    if A.shape[0] < 1 or A.shape[1] < 1:
        raise DataError(f"X must have N >= 1 points and d >= 1 coordinates, got shape {A.shape}")
    A = np.array(A, dtype=np.float64, order="C", copy=True)
    require_finite(A)
    return A


def _as_labels(y: object, N: int) -> np.ndarray:
    v = np.asarray(y)
    if v.ndim != 1 or v.shape[0] != N:
        raise DataError(f"y must be a 1-D array of N = {N} labels, got shape {v.shape}")
    if v.dtype == object:
        try:
            v = v.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("y must contain integer labels; it holds non-numeric entries") from None
    if v.dtype == bool or not (np.issubdtype(v.dtype, np.integer) or np.issubdtype(v.dtype, np.floating)):
        raise DataError(f"y must contain integer labels, got dtype {v.dtype}")
    if np.issubdtype(v.dtype, np.floating):
        bad = np.flatnonzero(~np.isfinite(v) | (v != np.round(v)))
        if bad.size:
            raise DataError(f"y[{bad[0]}] = {v[bad[0]].item()!r} is not an integer label")
    bad = np.flatnonzero(v < 1)
    if bad.size:
        raise DataError(
            f"y[{bad[0]}] = {v[bad[0]].item()!r} is not a positive label: labels must be integers >= 1 "
            "(the paper's 1..C); Dataset.from_labels(X, labels) encodes any integer or string labels as 1..C"
        )
    bad = np.flatnonzero(v > MAX_LABEL)
    if bad.size:
        raise DataError(f"y[{bad[0]}] = {v[bad[0]].item()!r} exceeds the largest supported label 2**53 = {MAX_LABEL}")
    return np.array(v, dtype=np.int64, copy=True)


def coincident_groups(X: np.ndarray) -> list[np.ndarray]:
    """Groups (sorted index arrays, ascending by first index) of at least two identical rows of ``X``.

    Exact: rows are compared bit for bit after mapping -0.0 to 0.0.  Cost: one sort of N rows.

    >>> [g.tolist() for g in coincident_groups(np.array([[1.0, 2.0], [0.0, 0.0], [1.0, 2.0], [-0.0, 0.0]]))]
    [[0, 2], [1, 3]]
    """
    A = np.asarray(X, dtype=np.float64)
    if A.ndim != 2 or A.shape[0] < 2:
        return []
    # identical rows have identical hashes, so only rows whose hash repeats can coincide; the sort below then
    # compares those candidate rows bit for bit (the hash only saves memory: a collision costs nothing but time)
    h = _row_hashes(A)
    _, hinv, hcount = np.unique(h, return_inverse=True, return_counts=True)
    cand = np.flatnonzero(hcount[hinv.ravel()] > 1)
    if cand.size == 0:
        return []
    Z = np.ascontiguousarray(A[cand] + 0.0)  # -0.0 + 0.0 == +0.0
    keys = Z.view(np.dtype((np.void, Z.dtype.itemsize * Z.shape[1]))).ravel()
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    repeated = np.flatnonzero(counts > 1)
    if repeated.size == 0:
        return []
    idx = np.flatnonzero(np.isin(inverse, repeated))
    idx = idx[np.argsort(inverse[idx], kind="stable")]
    groups = np.split(cand[idx], np.cumsum(counts[repeated])[:-1])
    return sorted(groups, key=lambda g: int(g[0]))


def _row_hashes(A: np.ndarray, rows: int = 1 << 14) -> np.ndarray:
    """A 64-bit hash of each row's bits (-0.0 read as 0.0), equal for identical rows; O(N d) time, O(rows d) memory."""
    mult = np.random.default_rng(0x5EED).integers(1, 2**63, size=A.shape[1], dtype=np.uint64) | np.uint64(1)
    out = np.empty(A.shape[0], dtype=np.uint64)
    for s in range(0, A.shape[0], rows):
        bits = np.ascontiguousarray(A[s : s + rows] + 0.0).view(np.uint64)
        bits ^= bits >> np.uint64(29)  # mix high (exponent) bits into the low ones before the products
        out[s : s + rows] = (bits * mult).sum(axis=1, dtype=np.uint64)  # wraps modulo 2^64 (no error)
    return out


def _conflicts(X: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The coincidence groups whose labels disagree."""
    groups = coincident_groups(X)
    if not groups:
        return []
    starts = np.cumsum([0] + [g.size for g in groups[:-1]])
    labels = y[np.concatenate(groups)]
    disagree = np.minimum.reduceat(labels, starts) != np.maximum.reduceat(labels, starts)
    return [groups[k] for k in np.flatnonzero(disagree)]


def _conflict_message(g: np.ndarray, y: np.ndarray, total: int) -> str:
    i = int(g[0])
    j = int(g[np.flatnonzero(y[g] != y[i])[0]])
    more = f" ({total} groups of coincident points have conflicting labels)" if total > 1 else ""
    return (
        f"points {i} and {j} have labels {y[i]} and {y[j]} but coincide: the data is not separated{more}; "
        "Dataset.from_arrays(..., dedupe='drop-conflicts') removes such points explicitly"
    )


@dataclass(frozen=True, eq=False)
class Dataset:
    """N labelled points (x_i, y_i) in R^d x {1, ..., C}, validated and immutable (Definition 2).

    Guarantees after construction: ``X`` is a read-only C-contiguous float64 (N, d) array of finite
    values; ``y`` a read-only int64 (N,) array of labels in 1..2**53; differently-labelled points are
    distinct.  ``meta`` is a read-only mapping of provenance notes (e.g. removed indices).
    ``classes`` (None, or a tuple of C distinct ints or strings, all y <= C) names the labels:
    paper label m is the user's ``classes[m - 1]``; build it with :meth:`from_labels`.

    >>> ds = Dataset([[0, 0], [3, 4], [0, 1]], [1, 2, 1], name="toy")
    >>> ds.N, ds.d, ds.C, ds.labels.tolist()
    (3, 2, 2, [1, 2])
    >>> ds.separation()
    Separation(delta=4.242640687119285, i=1, j=2, q=2.0)
    >>> blobs = Dataset.from_labels([[0, 0], [3, 4], [0, 1]], [0, 4, 0])
    >>> blobs.y.tolist(), blobs.classes, blobs.C, blobs.user_labels.tolist()
    ([1, 2, 1], (0, 4), 2, [0, 4, 0])
    """

    X: np.ndarray
    y: np.ndarray
    name: str = "dataset"
    meta: Mapping[str, Any] = field(default_factory=dict)
    classes: tuple[Label, ...] | None = None
    _cache: dict[object, Any] = field(init=False, default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise InvalidArgumentError(f"name must be a non-empty string, got {self.name!r}")
        if not isinstance(self.meta, Mapping):
            raise InvalidArgumentError(f"meta must be a mapping, got {type(self.meta).__name__}")
        X = _as_coordinates(self.X)
        y = _as_labels(self.y, X.shape[0])
        if self.classes is not None:
            object.__setattr__(self, "classes", check_classes_for(y, self.classes))
        bad = _conflicts(X, y)
        if bad:
            raise NotSeparatedError(_conflict_message(bad[0], y, len(bad)))
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "meta", types.MappingProxyType(dict(self.meta)))

    @classmethod
    def from_arrays(
        cls,
        X: object,
        y: object,
        *,
        name: str = "dataset",
        meta: Mapping[str, Any] | None = None,
        dedupe: Dedupe = "error",
        classes: object = None,
    ) -> Dataset:
        """Build a Dataset; with ``dedupe="drop-conflicts"`` remove every point of a conflicting group.

        A conflicting group is a set of >= 2 identical points whose labels are not all equal.  All of
        its points are removed (no label is preferred); the removed indices (into the input) are
        recorded in ``meta["removed_indices"]`` and the name gets the suffix ``[drop-conflicts]``.
        Same-label duplicates are kept.  With ``dedupe="error"`` (default) conflicts raise
        :class:`NotSeparatedError` naming the first pair.  ``y`` holds the paper's labels 1..C;
        ``classes`` optionally names them (see :meth:`from_labels` for labels such as 0..C-1).

        >>> ds = Dataset.from_arrays([[0.0], [0.0], [1.0]], [1, 2, 1], name="t", dedupe="drop-conflicts")
        >>> ds.N, ds.name, ds.meta["removed_indices"]
        (1, 't[drop-conflicts]', [0, 1])
        """
        if dedupe not in _DEDUPE_CHOICES:
            raise InvalidArgumentError(f"dedupe must be one of {_DEDUPE_CHOICES}, got {dedupe!r}")
        meta = dict(meta or {})
        if dedupe == "drop-conflicts":
            A = _as_coordinates(X)
            labels = _as_labels(y, A.shape[0])
            groups = _conflicts(A, labels)
            removed = np.sort(np.concatenate(groups)) if groups else np.empty(0, dtype=np.intp)
            if removed.size == A.shape[0]:
                raise DataError(f"dedupe='drop-conflicts' would remove all {A.shape[0]} points of {name!r}")
            keep = np.setdiff1d(np.arange(A.shape[0]), removed)
            meta.update(dedupe="drop-conflicts", removed_indices=[int(i) for i in removed])
            if removed.size:
                name = f"{name}[drop-conflicts]"
            X, y = A[keep], labels[keep]
        named = None if classes is None else check_classes(classes)
        # X and y may still be array-likes here: __post_init__ converts and validates them
        return cls(cast(np.ndarray, X), cast(np.ndarray, y), name=name, meta=meta, classes=named)

    @classmethod
    def from_labels(
        cls,
        X: object,
        labels: object,
        *,
        classes: object = None,
        name: str = "dataset",
        meta: Mapping[str, Any] | None = None,
        dedupe: Dedupe = "error",
    ) -> Dataset:
        """A Dataset from the user's own labels (any integers, or strings), with their encoding.

        ``classes`` (default: the sorted distinct labels) lists the C labels in the order that
        numbers them: label ``classes[m - 1]`` becomes the paper's label m (Definition 2), so
        ``y`` lies in 1..C and C = ``len(classes)``.  A label missing from ``classes`` raises
        DataError naming it and its index.  Networks built on the result output m; decode with
        :meth:`decode`, ``Certificate.decode`` or ``ReLUNetwork.predict_labels``.

        >>> ds = Dataset.from_labels([[0.0], [1.0], [2.0]], ["dog", "cat", "dog"])
        >>> ds.y.tolist(), ds.classes, ds.decode([2, 1]).tolist()
        ([2, 1, 2], ('cat', 'dog'), ['dog', 'cat'])
        """
        order = classes_of(labels) if classes is None else classes
        y = encode_labels(labels, order)  # type: ignore[arg-type]
        return cls.from_arrays(X, y, name=name, meta=meta, dedupe=dedupe, classes=order)

    # ------------------------------------------------------------------ basic properties
    @property
    def N(self) -> int:
        """Number of points."""
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        """Input dimension."""
        return int(self.X.shape[1])

    @property
    def C(self) -> int:
        """The number of classes C of Definition 2: ``len(classes)`` when named, else the largest label.

        Labels lie in 1..C.  This is the one definition the certificate, the structural certifier
        and every report use (not the number of distinct labels present, which a subset may lower).
        """
        return len(self.classes) if self.classes is not None else int(self.y.max())

    @property
    def user_labels(self) -> np.ndarray:
        """The labels in the user's names (``classes``); the paper's labels ``y`` when none are given."""
        return decode_labels(self.y, self.classes)

    def decode(self, values: object, *, missing: Any = RAISE) -> np.ndarray:
        """The user's labels for paper labels ``values`` (e.g. network outputs); see :func:`robustmem.labels.decode_labels`.

        A value that is not exactly an integer in 1..C raises DataError unless ``missing`` is given.
        """
        return decode_labels(values, self.classes, missing=missing)

    @property
    def labels(self) -> np.ndarray:
        """The distinct labels, sorted ascending (read-only int64 array)."""
        if "labels" not in self._cache:
            u = np.unique(self.y)
            u.setflags(write=False)
            self._cache["labels"] = u
        return self._cache["labels"]

    def __len__(self) -> int:
        return self.N

    def __repr__(self) -> str:
        return f"Dataset(name={self.name!r}, N={self.N}, d={self.d}, C={self.C})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return (
            self.name == other.name
            and self.X.shape == other.X.shape
            and np.array_equal(self.X, other.X)
            and np.array_equal(self.y, other.y)
            and dict(self.meta) == dict(other.meta)
            and self.classes == other.classes
        )

    def __hash__(self) -> int:
        return hash((self.fingerprint(), self.name))

    def __reduce__(self) -> tuple[type[Dataset], tuple[Any, ...]]:
        """Pickle as the constructor call (re-validated on loading), e.g. for process pools and Dask."""
        return (Dataset, (self.X, self.y, self.name, dict(self.meta), self.classes))

    def fingerprint(self) -> str:
        """SHA-256 (hex) of the shape, the X bytes and the y bytes (little-endian): data provenance.

        The name, meta and classes are not part of it (the network outputs the labels y, whatever
        their names); equal data give equal fingerprints on every platform.
        """
        if "fingerprint" not in self._cache:
            h = hashlib.sha256(b"robustmem.Dataset/1")
            h.update(np.array(self.X.shape, dtype="<i8").tobytes())
            # the arrays' own buffers (C-contiguous, little-endian): the same bytes as tobytes(), without a copy
            h.update(np.ascontiguousarray(self.X.astype("<f8", copy=False)).data)
            h.update(np.ascontiguousarray(self.y.astype("<i8", copy=False)).data)
            self._cache["fingerprint"] = h.hexdigest()
        return self._cache["fingerprint"]

    # ------------------------------------------------------------------ separation
    def separation(self, q: float = 2.0) -> Separation:
        """Exact separation delta_q = min{||x_i - x_j||_q : y_i != y_j} and a pair i < j attaining it.

        Exact means: the minimum of the canonical pair distances (:func:`pair_distances`) over all
        differently-labelled pairs, identical to a brute-force loop; ties go to the lexicographically
        smallest (i, j).  With a single label present there is no such pair and the result is
        ``Separation(delta=inf, i=-1, j=-1, q=q)``.  Results are cached per q.
        """
        q = check_p(q, name="q")
        key = ("separation", q)
        if key not in self._cache:
            self._cache[key] = min_separation(self.X, self.y, q)
        return self._cache[key]

    def separated_pairs_below(self, threshold: float, q: float = 2.0) -> np.ndarray:
        """All differently-labelled pairs (i < j) with ||x_i - x_j||_q < threshold, sorted, shape (m, 2)."""
        return pairs_below(self.X, self.y, threshold, check_p(q, name="q"))

    def distance(self, i: int, j: int, q: float = 2.0) -> float:
        """Canonical ||x_i - x_j||_q (the value :meth:`separation` minimizes)."""
        for name, v in (("i", i), ("j", j)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < self.N:
                raise InvalidArgumentError(f"{name} = {v!r} is not a point index in 0..{self.N - 1}")
        return float(_pair_distances(self.X, np.array([i]), np.array([j]), check_p(q, name="q"))[0])

    # ------------------------------------------------------------------ derived datasets
    def subset(self, indices: object, *, name: str | None = None) -> Dataset:
        """The points at ``indices`` (an integer index array or a boolean mask of length N), in that order.

        Same name unless ``name`` is given; ``meta`` and ``classes`` (hence C) are kept.  Raises if the
        selection is empty.
        """
        idx = np.asarray(indices)
        if idx.dtype == bool:
            if idx.shape != (self.N,):
                raise InvalidArgumentError(f"a boolean mask must have shape ({self.N},), got {idx.shape}")
            idx = np.flatnonzero(idx)
        elif idx.size and not np.issubdtype(idx.dtype, np.integer):
            raise InvalidArgumentError(f"indices must be integers or a boolean mask, got dtype {idx.dtype}")
        idx = idx.astype(np.intp, copy=False).ravel()
        if idx.size == 0:
            raise InvalidArgumentError("subset(): the selection is empty; a Dataset needs N >= 1 points")
        bad = np.flatnonzero((idx < 0) | (idx >= self.N))
        if bad.size:
            raise InvalidArgumentError(f"indices[{bad[0]}] = {idx[bad[0]]} is outside 0..{self.N - 1}")
        return Dataset(
            self.X[idx], self.y[idx], name=self.name if name is None else name, meta=self.meta, classes=self.classes
        )

    def with_name(self, name: str) -> Dataset:
        """The same data under another name (the separation cache is shared)."""
        out = Dataset.__new__(Dataset)
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"name must be a non-empty string, got {name!r}")
        for key, value in (
            ("X", self.X),
            ("y", self.y),
            ("name", name),
            ("meta", self.meta),
            ("classes", self.classes),
        ):
            object.__setattr__(out, key, value)
        object.__setattr__(out, "_cache", self._cache)
        return out
