"""Reading and writing datasets: ``.npz`` (exact, no pickles) and ``.csv`` (last column = label).

Formats:

* ``.npz``: arrays ``X`` (N, d) float64 and ``y`` (N,) integer; optional 0-d string arrays ``name``
  and ``meta_json`` (a JSON object).  Loaded with ``allow_pickle=False``.
* ``.csv``: comma-separated, one point per line, the last column is the label, an optional header
  line (recognized by a non-numeric cell).  Written with 17 significant digits, so a round trip
  reproduces every float64 bit for bit.

Malformed files raise :class:`DataError` naming the file, the line (CSV) or key (NPZ) and what was
expected; invalid data raise the usual :class:`Dataset` errors prefixed by the file name.
"""

from __future__ import annotations

import csv
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from robustmem.data.dataset import Dataset
from robustmem.errors import DataError, InvalidArgumentError

__all__ = ["load_dataset", "save_dataset"]

_FORMATS = (".npz", ".csv")


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _FORMATS:
        raise InvalidArgumentError(f"unknown dataset file type {suffix!r} of {str(path)!r}; use one of {_FORMATS}")
    return suffix


def save_dataset(ds: Dataset, path: str | os.PathLike[str]) -> Path:
    """Write ``ds`` to ``path`` (format from the suffix: .npz or .csv) and return the path.

    CSV keeps X and y only (the name becomes the file stem on loading); NPZ keeps name and meta too.

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
        with open(p, "wb") as fh:
            np.savez(fh, X=ds.X, y=ds.y, name=np.array(ds.name), meta_json=np.array(meta_json))
    else:
        header = ",".join([f"x{k + 1}" for k in range(ds.d)] + ["label"])
        table = np.concatenate([ds.X, ds.y[:, None].astype(np.float64)], axis=1)
        fmt = ["%.17g"] * ds.d + ["%d"]
        np.savetxt(p, table, delimiter=",", header=header, comments="", fmt=fmt)
    return p


def load_dataset(path: str | os.PathLike[str], *, name: str | None = None) -> Dataset:
    """Read a dataset written by :func:`save_dataset` (or any file in the formats above)."""
    p = Path(path)
    kind = _format_of(p)
    if not p.is_file():
        raise FileNotFoundError(f"no dataset file at {str(p)!r}")
    X, y, stored_name, meta = _read_npz(p) if kind == ".npz" else (*_read_csv(p), None, {})
    try:
        return Dataset(X, y, name=name or stored_name or p.stem, meta=meta)
    except DataError as err:
        raise type(err)(f"{p}: {err}") from None


def _read_npz(p: Path) -> tuple[np.ndarray, np.ndarray, str | None, dict]:
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
    return arrays["X"], arrays["y"], name, meta


def _read_csv(p: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError(f"{p}: not a UTF-8 text file ({err})") from None
    rows = [
        (n, [c.strip() for c in r])
        for n, r in enumerate(csv.reader(text.splitlines()), start=1)
        if any(c.strip() for c in r)
    ]
    if rows and not all(_is_number(c) for c in rows[0][1]):
        rows = rows[1:]  # a header line
    if not rows:
        raise DataError(f"{p}: the file holds no data rows (expected lines 'x1,...,xd,label')")
    width = len(rows[0][1])
    if width < 2:
        raise DataError(f"{p}: line {rows[0][0]} has {width} field; need at least 2 (coordinates, then the label)")
    table = np.empty((len(rows), width), dtype=np.float64)
    for r, (line, cells) in enumerate(rows):
        if len(cells) != width:
            raise DataError(f"{p}: line {line} has {len(cells)} fields, expected {width} as on line {rows[0][0]}")
        for c, cell in enumerate(cells):
            try:
                table[r, c] = float(cell)
            except ValueError:
                raise DataError(f"{p}: line {line}, column {c + 1}: cannot read a number from {cell!r}") from None
    return table[:, :-1], table[:, -1]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
