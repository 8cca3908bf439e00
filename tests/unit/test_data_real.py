"""Real datasets bundled with scikit-learn and the named-dataset registry (robustmem.data.real)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.catalog import dataset_names, named_dataset
from robustmem.data import Dataset, coincident_groups, load_real
from robustmem.errors import InvalidArgumentError, NotSeparatedError


@pytest.mark.parametrize(
    ("name", "N", "d", "C", "dup_groups", "delta2"),
    [
        ("digits", 1797, 64, 10, [], 18.867962264113206),
        ("iris", 150, 4, 3, [[101, 142]], 0.22360679774997896),
        ("wine", 178, 13, 3, [], 4.784642097377818),
        ("breast_cancer", 569, 30, 2, [], 10.922117153611655),
    ],
)
def test_real_dataset_shapes_labels_duplicates_and_separation(
    name: str, N: int, d: int, C: int, dup_groups: list[list[int]], delta2: float
) -> None:
    ds = load_real(name)
    assert (ds.N, ds.d, ds.C, ds.name) == (N, d, C, name)
    assert ds.labels.tolist() == list(range(1, C + 1))  # class index + 1
    assert [g.tolist() for g in coincident_groups(ds.X)] == dup_groups
    for g in dup_groups:  # the coincident points share a label, so the data are separated
        assert np.unique(ds.y[g]).size == 1
    s = ds.separation(2)
    assert s.delta == pytest.approx(delta2, rel=1e-12) and ds.y[s.i] != ds.y[s.j]
    assert ds.meta["source"] == f"sklearn.datasets.load_{name}" and len(ds.meta["class_names"]) == C


def test_digits_labels_are_digit_plus_one() -> None:
    import sklearn.datasets

    ds = load_real("digits")
    np.testing.assert_array_equal(ds.y, sklearn.datasets.load_digits().target + 1)
    assert ds.X.max() == 16.0 and ds.separation(math.inf).delta == 7.0


def test_conflicting_coincident_points_raise_by_default_and_drop_explicitly() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [2.0, 2.0], [1.0, 1.0], [0.0, 0.0]])
    y = np.array([1, 2, 3, 1, 2, 1])
    with pytest.raises(NotSeparatedError, match=r"points 0 and 2 have labels 1 and 3 but coincide.*drop-conflicts"):
        Dataset.from_arrays(X, y, name="toy")
    ds = Dataset.from_arrays(X, y, name="toy", dedupe="drop-conflicts")
    assert ds.meta["removed_indices"] == [0, 2, 5] and ds.name == "toy[drop-conflicts]"
    assert ds.X.tolist() == [[1.0, 1.0], [2.0, 2.0], [1.0, 1.0]] and ds.y.tolist() == [2, 1, 2]
    clean = Dataset.from_arrays(X[[1, 3]], y[[1, 3]], name="c", dedupe="drop-conflicts")
    assert clean.name == "c" and clean.meta["removed_indices"] == []
    with pytest.raises(InvalidArgumentError, match=r"dedupe must be one of \('error', 'drop-conflicts'\), got 'drop'"):
        Dataset.from_arrays(X, y, dedupe="drop")  # type: ignore[arg-type]
    with pytest.raises(Exception, match="would remove all 2 points"):
        Dataset.from_arrays([[0.0], [0.0]], [1, 2], name="x", dedupe="drop-conflicts")


def test_load_real_validates_its_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match=r"unknown real dataset 'irs' \(did you mean 'iris'\?\)"):
        load_real("irs")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="dedupe must be one of"):
        load_real("iris", dedupe="yes")  # type: ignore[arg-type]
    assert load_real("iris", dedupe="drop-conflicts").meta["removed_indices"] == []


def test_named_dataset_registry() -> None:
    assert dataset_names() == (
        "digits",
        "iris",
        "wine",
        "breast_cancer",
        "sphere",
        "cube",
        "gaussian",
        "sphere-small",
        "digits-small",
        "kim2025-hard",
        "theorem19-hard",
    )
    ds = named_dataset("sphere", n=200, d=10, n_classes=3, seed=0)
    assert (ds.N, ds.d, ds.C) == (200, 10, 3)
    assert named_dataset("cube", n=20, d=2, n_classes=2, delta=0.1, seed=0).separation().delta >= 0.1
    assert named_dataset("gaussian", n=20, d=2, n_classes=2, delta=0.1, spread=1.0, seed=0).C == 2
    assert named_dataset("iris") == load_real("iris")
    with pytest.raises(InvalidArgumentError, match=r"unknown dataset 'spher' \(did you mean 'sphere'\?\)"):
        named_dataset("spher")
    with pytest.raises(InvalidArgumentError, match=r"does not take argument\(s\) dim; it accepts n, d, n_classes"):
        named_dataset("sphere", n=5, dim=3, n_classes=2, seed=0)
    with pytest.raises(InvalidArgumentError, match=r"missing a required argument: 'seed'"):
        named_dataset("sphere", n=5, d=3, n_classes=2)
    with pytest.raises(InvalidArgumentError, match=r"'iris' does not take argument\(s\) name; it accepts dedupe"):
        named_dataset("iris", name="wine")
