"""Dataset files: .npz and .csv round trips and malformed inputs (robustmem.data.files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from robustmem.data import Dataset, load_dataset, load_real, save_dataset
from robustmem.errors import DataError, InvalidArgumentError, NotSeparatedError


@pytest.fixture
def awkward() -> Dataset:
    """Values that a lossy text format would change: 0.1, 1/3, huge, tiny, negative zero."""
    X = np.array([[0.1, 1 / 3, -0.0], [1e300, -5e-324, 2.0], [np.pi, np.e, -1.5e-10]])
    return Dataset(X, [1, 7, 1], name="awkward", meta={"note": "x", "removed_indices": [4]})


@pytest.mark.parametrize("suffix", [".npz", ".csv"])
def test_round_trip_is_bit_exact(tmp_path: Path, awkward: Dataset, suffix: str) -> None:
    path = save_dataset(awkward, tmp_path / f"data{suffix}")
    back = load_dataset(path)
    assert back.X.tobytes() == awkward.X.tobytes() and np.array_equal(back.y, awkward.y)
    assert back.fingerprint() == awkward.fingerprint()
    if suffix == ".npz":
        assert back == awkward
    else:
        assert back.name == "data" and load_dataset(path, name="n").name == "n"


def test_round_trip_of_a_real_dataset(tmp_path: Path) -> None:
    ds = load_real("wine")
    for suffix in (".npz", ".csv"):
        assert load_dataset(save_dataset(ds, tmp_path / f"wine{suffix}")).fingerprint() == ds.fingerprint()


def test_csv_header_is_optional_and_blank_lines_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1.5, 2 ,1\n\n3,4,2\n")
    (tmp_path / "b.csv").write_text("u,v,class\n1.5,2,1\n3,4,2\n")
    a, b = load_dataset(tmp_path / "a.csv"), load_dataset(tmp_path / "b.csv")
    assert a.X.tolist() == b.X.tolist() == [[1.5, 2.0], [3.0, 4.0]] and a.y.tolist() == [1, 2]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("", DataError, "holds no data rows"),
        ("x,label\n", DataError, "holds no data rows"),
        ("1\n2\n", DataError, "line 1 has 1 field; need at least 2"),
        ("1,2,1\n3,4\n", DataError, "line 2 has 2 fields, expected 3 as on line 1"),
        ("a,b,label\n1,2,1\n3,x4,2\n", DataError, r"line 3, column 2: cannot read a number from 'x4'"),
        ("1,2,1\n3,4,2.5\n", DataError, r"y\[1\] = 2.5 is not an integer label"),
        ("1,2,1\n3,nan,2\n", DataError, r"X\[1, 1\] = nan is not finite"),
        ("1,2,1\n1,2,2\n", NotSeparatedError, "points 0 and 1 have labels 1 and 2 but coincide"),
    ],
)
def test_malformed_csv(tmp_path: Path, text: str, error: type, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(error, match=message) as info:
        load_dataset(path)
    assert str(path) in str(info.value)


def test_malformed_npz(tmp_path: Path) -> None:
    np.savez(tmp_path / "nokey.npz", X=np.zeros((2, 2)))
    with pytest.raises(DataError, match=r"missing array\(s\) \['y'\]; the file holds \['X'\]"):
        load_dataset(tmp_path / "nokey.npz")
    np.savez(tmp_path / "pickled.npz", X=np.array([[1.0], [2.0]], dtype=object), y=np.array([1, 2]))
    with pytest.raises(DataError, match="cannot be read without pickles"):
        load_dataset(tmp_path / "pickled.npz")
    (tmp_path / "garbage.npz").write_bytes(b"this is not a zip file")
    with pytest.raises(DataError, match="not a readable .npz dataset"):
        load_dataset(tmp_path / "garbage.npz")
    with open(tmp_path / "single.npz", "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(DataError, match="single .npy array"):
        load_dataset(tmp_path / "single.npz")
    np.savez(tmp_path / "meta.npz", X=np.zeros((1, 1)), y=np.ones(1), meta_json=np.array("{not json"))
    with pytest.raises(DataError, match="'meta_json' is not valid JSON"):
        load_dataset(tmp_path / "meta.npz")
    np.savez(tmp_path / "shape.npz", X=np.zeros(3), y=np.ones(3))
    with pytest.raises(DataError, match=r"shape.npz: X must be a 2-D array"):
        load_dataset(tmp_path / "shape.npz")


def test_paths_and_types(tmp_path: Path, awkward: Dataset) -> None:
    with pytest.raises(InvalidArgumentError, match=r"unknown dataset file type '.txt'"):
        save_dataset(awkward, tmp_path / "x.txt")
    with pytest.raises(InvalidArgumentError, match="unknown dataset file type"):
        load_dataset(tmp_path / "x.json")
    with pytest.raises(FileNotFoundError, match="no dataset file at"):
        load_dataset(tmp_path / "missing.npz")
    with pytest.raises(InvalidArgumentError, match="needs a Dataset, got ndarray"):
        save_dataset(np.zeros((2, 2)), tmp_path / "x.npz")  # type: ignore[arg-type]
    bad_meta = Dataset([[0.0]], [1], meta={"f": object()})
    with pytest.raises(DataError, match="not JSON-serializable"):
        save_dataset(bad_meta, tmp_path / "m.npz")
