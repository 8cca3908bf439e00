"""Users' labels (0..C-1, {3, 17, 99}, strings) <-> the paper's 1..C: one definition of C everywhere."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robustmem.certify import certify_structural
from robustmem.construct import construct_theorem5, construct_theorem6
from robustmem.data import Dataset, load_dataset, save_dataset, sphere_points
from robustmem.errors import DataError
from robustmem.labels import check_classes, classes_of, decode_labels, encode_labels, number_of_classes
from robustmem.network import load_network, save_network


@pytest.fixture(scope="module")
def points() -> tuple[np.ndarray, np.ndarray]:
    """12 separated points in R^3 with labels 0, 1, 2 (as sklearn's make_blobs gives them)."""
    ds = sphere_points(12, 3, n_classes=3, delta=0.4, seed=3)
    return ds.X, ds.y - 1


# ------------------------------------------------------------------ the encoding itself
def test_encoding_round_trip_for_integers_and_strings() -> None:
    assert classes_of([99, 3, 17, 3]) == (3, 17, 99)
    assert encode_labels([17, 99, 3], (3, 17, 99)).tolist() == [2, 3, 1]
    assert decode_labels([2.0, 3.0, 1.0], (3, 17, 99)).tolist() == [17, 99, 3]
    assert classes_of(np.array(["dog", "cat"])) == ("cat", "dog")
    assert decode_labels([1, 2], ("cat", "dog")).tolist() == ["cat", "dog"]
    assert classes_of([2.0, 0.0]) == (0, 2) and all(type(c) is int for c in classes_of([2.0, 0.0]))


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ([1, "a"], r"mixes integers and strings \(classes\[0\] = 1, classes\[1\] = 'a'\)"),
        ([True, False], r"classes\[0\] = True is a boolean"),
        ([0, 2.5], r"classes\[1\] = 2.5 is not an integer"),
        ([4, 4], r"classes\[0\] and classes\[1\] are both 4"),
        ([], "at least one label"),
    ],
)
def test_bad_class_lists_are_named(classes: list, message: str) -> None:
    with pytest.raises(DataError, match=message):
        check_classes(classes)


def test_unknown_labels_and_undecodable_outputs_are_named() -> None:
    with pytest.raises(DataError, match=r"labels\[1\] = 5 is not one of the classes \(0, 1\)"):
        encode_labels([0, 5], (0, 1))
    with pytest.raises(DataError, match=r"value\[1\] = 0.0 is not an integer in 1..2"):
        decode_labels([1.0, 0.0], (0, 1))
    with pytest.raises(DataError, match=r"value\[0\] = 1.5 is not an integer in 1..2"):
        decode_labels([1.5], ("a", "b"))  # never rounded
    assert decode_labels([1.0, 0.0, 2.0], ("a", "b"), missing="?").tolist() == ["a", "?", "b"]
    assert decode_labels([3.0, 7.0], None, n_classes=3, missing=-1).tolist() == [3, -1]


# ------------------------------------------------------------------ the Dataset
def test_from_labels_stores_the_encoding(points: tuple[np.ndarray, np.ndarray]) -> None:
    X, y0 = points
    ds = Dataset.from_labels(X, y0)
    assert ds.classes == (0, 1, 2) and ds.C == 3
    assert ds.y.tolist() == (y0 + 1).tolist() and ds.user_labels.tolist() == y0.tolist()
    sub = ds.subset(np.flatnonzero(y0 != 1))
    assert sub.classes == (0, 1, 2) and sub.C == 3  # C is the encoding's, not the labels present
    custom = Dataset.from_labels(X, y0, classes=[2, 1, 0])
    assert custom.y.tolist() == (3 - y0).tolist() and custom.decode([1, 3]).tolist() == [2, 0]
    assert custom != ds and Dataset(X, y0 + 1) != ds  # the names are part of equality


def test_raw_labels_must_be_positive_and_point_to_from_labels(points: tuple[np.ndarray, np.ndarray]) -> None:
    X, y0 = points
    with pytest.raises(DataError, match=r"y\[\d+\] = 0 is not a positive label.*Dataset.from_labels"):
        Dataset(X, y0)
    with pytest.raises(DataError, match=r"y\[\d+\] = 3 exceeds C = 2"):
        Dataset(X, y0 + 1, classes=["a", "b"])


def test_pickle_keeps_classes(points: tuple[np.ndarray, np.ndarray]) -> None:
    import pickle

    ds = Dataset.from_labels(*points)
    assert pickle.loads(pickle.dumps(ds)) == ds


# ------------------------------------------------------------------ end to end: construct, certify, save, decode
def test_labels_3_17_99_certified_with_one_definition_of_C(points: tuple[np.ndarray, np.ndarray]) -> None:
    """Regression (issue 12): labels {3, 17, 99} were built with C = 99 but certified against C = 3."""
    X, y0 = points
    user = np.array([3, 17, 99])[y0]
    for ds, C in ((Dataset(X, user), 99), (Dataset.from_labels(X, user), 3)):
        sigma = 0.1 * ds.separation().delta
        net, cert = construct_theorem6(ds, p="inf", sigma=sigma)
        assert cert.n_classes == ds.C == number_of_classes(ds, ds.y) == C
        rep = certify_structural(net, ds, progress=False)
        assert rep.certified and rep.n_certified == ds.N
        assert net.predict_labels(X).tolist() == user.tolist()
        assert cert.decode(net(X)).tolist() == user.tolist()


def test_string_labels_survive_the_network_file(points: tuple[np.ndarray, np.ndarray], tmp_path: Path) -> None:
    X, y0 = points
    names = np.array(["setosa", "versicolor", "virginica"])[y0]
    ds = Dataset.from_labels(X, names)
    net, cert = construct_theorem5(ds, p=2.0, sigma=0.1 * ds.separation().delta)
    back = load_network(save_network(net, tmp_path / "n.rmnet"))
    assert back.certificate == cert and back.certificate.classes == ("setosa", "versicolor", "virginica")
    assert "labels: C = 3 classes, outputs 1 -> 'setosa'" in back.certificate.summary()
    assert back.predict_labels(X).tolist() == names.tolist()
    far = back.predict_labels(X[:1] + 1e3, missing="unknown").tolist()
    assert far[0] in ("unknown", *cert.classes)  # far from the data: a class or explicitly unknown
    assert certify_structural(back, ds, progress=False).certified


def test_certifier_refuses_a_dataset_named_differently(points: tuple[np.ndarray, np.ndarray]) -> None:
    X, y0 = points
    ds = Dataset.from_labels(X, y0)
    net, _ = construct_theorem6(ds, p="inf", sigma=0.1 * ds.separation().delta)
    other = Dataset.from_labels(X, y0, classes=[0, 1, 2, 7])  # same y, C = 4
    rep = certify_structural(net, other, progress=False)
    assert not rep.certified
    failed = {c.name for c in rep.checks if not c.passed}
    assert {"dataset shape", "label names"} <= failed


# ------------------------------------------------------------------ files
def test_csv_with_string_and_zero_based_labels(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("a,b,species\n0,0,cat\n1,0,dog\n0,1,cat\n")
    (tmp_path / "z.csv").write_text("0,0,0\n1,0,4\n0,1,0\n")
    s, z = load_dataset(tmp_path / "s.csv"), load_dataset(tmp_path / "z.csv")
    assert s.classes == ("cat", "dog") and s.y.tolist() == [1, 2, 1]
    assert z.classes == (0, 4) and z.y.tolist() == [1, 2, 1] and z.C == 2
    (tmp_path / "p.csv").write_text("0,0,3\n1,0,99\n")
    assert load_dataset(tmp_path / "p.csv").classes is None and load_dataset(tmp_path / "p.csv").C == 99
    enc = load_dataset(tmp_path / "p.csv", labels="encode")
    assert enc.classes == (3, 99) and enc.C == 2
    for suffix in (".csv", ".npz"):
        back = load_dataset(save_dataset(s, tmp_path / f"s2{suffix}"))
        assert back.classes == s.classes and np.array_equal(back.y, s.y)
    unsorted = Dataset.from_labels(s.X, s.user_labels, classes=["dog", "cat"])
    assert load_dataset(save_dataset(unsorted, tmp_path / "u.npz")) == unsorted


def test_every_registered_construction_keeps_the_user_s_class_names(points: tuple[np.ndarray, np.ndarray]) -> None:
    """Regression: the certificates of Theorems 31-33, Proposition 34 and yu2024-lp-real recorded no class names,
    so their networks could not turn outputs back into string labels."""
    from robustmem.construct import (
        construct_proposition34,
        construct_theorem31,
        construct_theorem32,
        construct_theorem33,
        construct_yu2024_lp_real,
    )

    X, y0 = points
    names = np.array(["setosa", "versicolor", "virginica"])[y0]
    ds = Dataset.from_labels(X, names)
    s = 0.02 * ds.separation().delta
    builds = [
        lambda: construct_theorem31(ds, p=2, q=1.5, sigma=s),
        lambda: construct_theorem32(ds, p=2, q=3, sigma=s),
        lambda: construct_theorem33(ds, p=2, q=1, sigma=s),
        lambda: construct_yu2024_lp_real(ds, p=1.5, sigma=s),
    ]
    line = Dataset.from_labels(np.arange(6.0)[:, None], ["b", "a", "b", "c", "a", "c"])
    builds.append(lambda: construct_proposition34(line, p=2, sigma=0.1))
    for build in builds:
        net, cert = build()
        data = line if cert.construction == "proposition34" else ds
        assert cert.classes == data.classes, cert.construction
        assert net.predict_labels(data.X).tolist() == data.user_labels.tolist(), cert.construction
