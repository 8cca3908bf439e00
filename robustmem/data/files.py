"""Reading and writing datasets: ``.npz`` (exact, no pickles) and ``.csv`` (last column = label).

Formats:

* ``.npz``: arrays ``X`` (N, d) float64 and ``y`` (N,) integer; optional 0-d string arrays ``name``,
  ``meta_json`` (a JSON object) and ``classes_json`` (the label names, a JSON list: see
  :mod:`robustmem.labels`).  Loaded with ``allow_pickle=False``.  Exact round trip, encoding included.
* ``.csv``: comma-separated, one point per line, the last column is the label (an integer or any
  text), an optional header line (recognized by a non-numeric coordinate cell).  Written with 17
  significant digits, so a round trip reproduces every float64 bit for bit; the labels are written
  in the user's names (the dataset's ``classes``).

Labels on loading (``labels=``): "auto" (default) keeps positive integer labels as the paper's
labels 1..C and encodes anything else (0..4, negative integers, strings) as 1..C in sorted order
(:meth:`Dataset.from_labels`); "encode" always encodes.  A CSV therefore keeps the user's labels but
not an unsorted class order (NPZ keeps both).

Malformed files raise :class:`DataError` naming the file, the line (CSV) or key (NPZ) and what was
expected; invalid data raise the usual :class:`Dataset` errors prefixed by the file name.
"""

from __future__ import annotations

import csv
import json
import os
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np

from robustmem.data.dataset import Dataset
from robustmem.errors import DataError, InvalidArgumentError
from robustmem.labels import Label, check_classes, normalize_label

LabelPolicy = Literal["auto", "encode"]

__all__ = ["load_dataset", "save_dataset"]

_FORMATS = (".npz", ".csv")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidArgumentError(f"unknown dataset file type {suffix!r} of {str(path)!r}; use one of {_FORMATS}")
    return suffix


def save_dataset(ds: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``ds`` to ``path`` (format from the suffix: .npz or .csv) and return the path.

    CSV keeps X and the labels in the user's names (the name becomes the file stem on loading);
    NPZ keeps y, the classes, the name and meta too.

    >>> import tempfile, pathlib
    >>> ds = Dataset([[0.1, 2.0], [3.0, 4.0]], [1, 2], name="toy")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     back = load_dataset(save_dataset(ds, pathlib.Path(tmp) / "toy.npz"))
    >>> back == ds
    True
    """
    if not isinstance(ds, Dataset):
        raise InvalidArgumentError(f"save_dataset needs a Dataset, got {type(ds).__name__}")
    p = Path(path)
    if _format_of(p) == ".npz":
        try:
            meta_json = json.dumps(dict(ds.meta), sort_keys=True)
        except (TypeError, ValueError) as err:
            raise DataError(f"meta of dataset {ds.name!r} is not JSON-serializable: {err}") from None
        arrays = {"X": ds.X, "y": ds.y, "name": np.array(ds.name), "meta_json": np.array(meta_json)}
        if ds.classes is not None:
            arrays["classes_json"] = np.array(json.dumps(list(ds.classes)))
        with open(p, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
    else:
        with open(p, "w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow([f"x{k + 1}" for k in range(ds.d)] + ["label"])
            for row, label in zip(ds.X.tolist(), ds.user_labels.tolist()):
                out.writerow([f"{v:.17g}" for v in row] + [label])
    return p


def load_dataset(path: str | os.PathLike[str], *, name: str | None = None, labels: LabelPolicy = "auto") -> Dataset:
    """Read a dataset written by :func:`save_dataset` (or any file in the formats above).

    ``labels``: "auto" keeps positive integer labels as they are and encodes any others (0..C-1,
    strings) as 1..C with the sorted labels as ``classes``; "encode" always encodes (see the module
    docstring).  A stored class list (NPZ ``classes_json``) is used as it is.
    """
    if labels not in ("auto", "encode"):
        raise InvalidArgumentError(f"labels must be 'auto' or 'encode', got {labels!r}")
    p = Path(path)
    kind = _format_of(p)
    if not p.is_file():
        raise FileNotFoundError(f"no dataset file at {str(p)!r}")
    X, y, stored_name, meta, classes = _read_npz(p) if kind == ".npz" else (*_read_csv(p), None, {}, None)
    try:
        title = name or stored_name or p.stem
        if classes is not None:
            return Dataset(X, np.asarray(y), name=title, meta=meta, classes=check_classes(classes))
        values = [normalize_label(v, f"y[{i}]") for i, v in enumerate(np.asarray(y).tolist())]
        if labels == "auto" and all(isinstance(v, int) and v >= 1 for v in values):
            return Dataset(X, np.array(values, dtype=np.int64), name=title, meta=meta)
        return Dataset.from_labels(X, values, name=title, meta=meta)
    except DataError as err:
        raise type(err)(f"{p}: {err}") from None


def _read_npz(p: Path) -> tuple[np.ndarray, np.ndarray, str | None, dict, list | None]:
    try:
        npz = np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(f"{p}: not a readable .npz dataset ({err})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise DataError(f"{p}: not an .npz archive but a single .npy array")
    with npz:
        missing = [k for k in ("X", "y") if k not in npz.files]
        if missing:
            raise DataError(f"{p}: missing array(s) {missing}; the file holds {sorted(npz.files)}, need 'X' and 'y'")
        try:
            arrays = {k: npz[k] for k in npz.files}
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise DataError(f"{p}: an array in the archive cannot be read without pickles ({err})") from None
    name = str(arrays["name"]) if "name" in arrays and arrays["name"].ndim == 0 else None
    meta: dict = {}
    if "meta_json" in arrays:
        try:
            meta = json.loads(str(arrays["meta_json"]))
        except json.JSONDecodeError as err:
            raise DataError(f"{p}: array 'meta_json' is not valid JSON ({err})") from None
        if not isinstance(meta, dict):
            raise DataError(f"{p}: array 'meta_json' must hold a JSON object, got {type(meta).__name__}")
    classes = None
    if "classes_json" in arrays:
        try:
            classes = json.loads(str(arrays["classes_json"]))
        except json.JSONDecodeError as err:
            raise DataError(f"{p}: array 'classes_json' is not valid JSON ({err})") from None
        if not isinstance(classes, list):
            raise DataError(f"{p}: array 'classes_json' must hold a JSON list, got {type(classes).__name__}")
    return arrays["X"], arrays["y"], name, meta, classes


def _read_csv(p: Path) -> tuple[np.ndarray, list[Label]]:
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"{p}: not a UTF-8 text file ({err})") from None
    rows = [
        (n, [c.strip() for c in r])
        for n, r in enumerate(csv.reader(text.splitlines()), start=1)
        if any(c.strip() for c in r)
    ]
    if rows and not all(_is_number(c) for c in rows[0][1][:-1]):
        rows = rows[1:]  # a header line (a non-numeric coordinate cell)
    if not rows:
        raise DataError(f"{p}: the file holds no data rows (expected lines 'x1,...,xd,label')")
    width = len(rows[0][1])
    if width < 2:
        raise DataError(f"{p}: line {rows[0][0]} has {width} field; need at least 2 (coordinates, then the label)")
    table = np.empty((len(rows), width - 1), dtype=np.float64)
    cells_y: list[str] = []
    for r, (line, cells) in enumerate(rows):
        if len(cells) != width:
            raise DataError(f"{p}: line {line} has {len(cells)} fields, expected {width} as on line {rows[0][0]}")
        for c, cell in enumerate(cells[:-1]):
            try:
                table[r, c] = float(cell)
            except ValueError:
                raise DataError(f"{p}: line {line}, column {c + 1}: cannot read a number from {cell!r}") from None
        cells_y.append(cells[-1])
    return table, _csv_labels(p, rows, cells_y)


def _csv_labels(p: Path, rows: list, cells: list[str]) -> list[Label]:
    """The label column: integers when every cell is an integer (2 or 2.0), else the cells' text."""
    numbers: list[Label] = []
    for r, ((line, _), cell) in enumerate(zip(rows, cells)):
        try:
            v = float(cell)
        except ValueError:
            break
        if not (np.isfinite(v) and v == round(v)):
            raise DataError(f"{p}: line {line}: y[{r}] = {v!r} is not an integer label (labels are integers or text)")
        numbers.append(int(v))
    else:
        return numbers
    return list(cells)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
