"""Label encodings: the user's labels (any integers, or strings) <-> the paper's labels 1..C.

Definition 2 of Egosi, Yehudai, Shamir (2025) labels a dataset with integers in [C] = {1, ..., C}
and every construction outputs that integer.  Users have other labels: 0..4 from
``sklearn.datasets.make_blobs``, {3, 17, 99}, or strings such as "cat".  A *class list*
``classes = (c_1, ..., c_C)`` fixes the encoding: the user's label c_m is the paper's label m.
It is stored in the :class:`~robustmem.data.Dataset` (``Dataset.from_labels``), copied into the
network's certificate, and decodes the network's outputs back (``Certificate.decode``,
``ReLUNetwork.predict_labels``).

Class lists hold either Python ints or Python strs (never a mixture, never bools); integer-valued
floats such as 2.0 are read as the int 2.  With no class list, the labels are their own names and
C is the largest label (labels lie in 1..C).

>>> classes = classes_of([3, 99, 17, 3])
>>> classes
(3, 17, 99)
>>> encode_labels([99, 3, 17], classes).tolist()
[3, 1, 2]
>>> decode_labels([3.0, 1.0], classes).tolist()
[99, 3]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from robustmem.errors import DataError

__all__ = [
    "RAISE",
    "Label",
    "check_classes",
    "check_classes_for",
    "classes_json",
    "classes_of",
    "decode_labels",
    "encode_labels",
    "normalize_label",
    "number_of_classes",
]

Label = int | str

RAISE: Any = object()  #: default ``missing`` of decode_labels: raise on values that name no class


def normalize_label(value: object, where: str = "label") -> Label:
    """``value`` as a Python int or str (integer-valued floats become ints), or a DataError naming it.

    >>> normalize_label(np.int64(4)), normalize_label(2.0), normalize_label("cat")
    (4, 2, 'cat')
    """
    if isinstance(value, (bool, np.bool_)):
        raise DataError(f"{where} = {value!r} is a boolean; labels must be integers or strings")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isfinite(v) and v == round(v):
            return int(v)
        raise DataError(f"{where} = {value!r} is not an integer; labels must be integers or strings")
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise DataError(f"{where} = {value!r} ({type(value).__name__}) is not a label: labels must be integers or strings")


def _normalized(values: object, name: str) -> list[Label]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise DataError(f"{name} must be a sequence of labels, got {values!r}")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise DataError(f"{name} must be one-dimensional, got shape {values.shape}")
        items = values.tolist()
    else:
        items = list(values)  # not np.asarray: it would turn [1, "a"] into two strings
    out = [normalize_label(v, f"{name}[{i}]") for i, v in enumerate(items)]
    kinds = {type(v) for v in out}
    if len(kinds) > 1:
        i = next(k for k, v in enumerate(out) if type(v) is not type(out[0]))
        raise DataError(
            f"{name} mixes integers and strings ({name}[0] = {out[0]!r}, {name}[{i}] = {out[i]!r}); "
            "use one kind of label"
        )
    return out


def check_classes(classes: object) -> tuple[Label, ...]:
    """A class list as a tuple of distinct ints or distinct strs, or a DataError naming the problem.

    >>> check_classes(np.array([0, 1, 2]))
    (0, 1, 2)
    """
    out = _normalized(classes, "classes")
    if not out:
        raise DataError("classes must list at least one label")
    seen: dict[Label, int] = {}
    for i, v in enumerate(out):
        if v in seen:
            raise DataError(f"classes[{seen[v]}] and classes[{i}] are both {v!r}: every class is listed once")
        seen[v] = i
    return tuple(out)


def classes_of(labels: object) -> tuple[Label, ...]:
    """The sorted distinct labels of ``labels``: the default class list of ``Dataset.from_labels``."""
    out = _normalized(labels, "labels")
    if not out:
        raise DataError("labels is empty")
    return tuple(sorted(set(out)))  # type: ignore[type-var,unused-ignore]


def encode_labels(labels: object, classes: Sequence[Label]) -> np.ndarray:
    """The paper's labels (int64 array in 1..C): ``labels[i] = classes[m - 1]`` gives m.

    Raises DataError naming the first label (and its index) that ``classes`` does not list.
    """
    index = {c: m for m, c in enumerate(check_classes(classes), start=1)}
    out = _normalized(labels, "labels")
    codes = np.empty(len(out), dtype=np.int64)
    for i, v in enumerate(out):
        m = index.get(v)
        if m is None:
            shown = list(index)[:10]
            more = ", ..." if len(index) > 10 else ""
            raise DataError(f"labels[{i}] = {v!r} is not one of the classes ({', '.join(map(repr, shown))}{more})")
        codes[i] = m
    return codes


def decode_labels(
    values: object, classes: Sequence[Label] | None, *, missing: Any = RAISE, n_classes: int | None = None
) -> np.ndarray:
    """The user's labels for the paper's labels ``values`` (network outputs, exact integers 1..C).

    ``classes=None`` means the labels are their own names: the values come back as int64 (in
    1..``n_classes`` when that is given).
    A value that is not exactly an integer in 1..C (a network's output far from the data, or a
    non-integer) raises DataError naming its index, unless ``missing`` is given: then it becomes
    ``missing``.  No value is rounded.  Integer classes give an int64 array (an object array when
    ``missing`` is not an int), string classes a str array (object when ``missing`` is not a str).
    """
    v = np.asarray(values, dtype=np.float64).ravel()
    top: float = len(classes) if classes is not None else (math.inf if n_classes is None else n_classes)
    ok = np.isfinite(v) & (v == np.round(v)) & (v >= 1) & (v <= top)
    if not ok.all() and missing is RAISE:
        i = int(np.flatnonzero(~ok)[0])
        limit = "a positive integer" if math.isinf(top) else f"an integer in 1..{int(top)}"
        raise DataError(
            f"value[{i}] = {float(v[i])!r} is not {limit}, so it names no class; pass missing= to decode such values"
        )
    codes = np.where(ok, v, 1).astype(np.int64)
    if classes is None:
        decoded: list[Any] = codes.tolist()
    else:
        cls = check_classes(classes)
        decoded = [cls[m - 1] for m in codes.tolist()]
    if not ok.all():
        for i in np.flatnonzero(~ok).tolist():
            decoded[i] = missing
    kinds = {type(x) for x in decoded}
    if kinds <= {int}:
        return np.array(decoded, dtype=np.int64)
    if kinds <= {str}:
        return np.array(decoded, dtype=str)
    return np.array(decoded, dtype=object)


def classes_json(classes: Sequence[Label] | None) -> list[Label] | None:
    """The class list as a JSON-able list (None stays None)."""
    return None if classes is None else list(check_classes(classes))


def check_classes_for(y: np.ndarray, classes: object) -> tuple[Label, ...]:
    """``classes`` checked, and every paper label in ``y`` shown to index it (DataError naming the first that does not)."""
    cls = check_classes(classes)
    bad = np.flatnonzero(np.asarray(y) > len(cls))
    if bad.size:
        i = int(bad[0])
        raise DataError(f"y[{i}] = {int(np.asarray(y)[i])} exceeds C = {len(cls)}, the number of classes listed")
    return cls


def number_of_classes(dataset: object, y: object) -> int:
    """C of Definition 2 for ``dataset``: its ``C`` attribute (a :class:`~robustmem.data.Dataset`), else max(y).

    The one definition of C (labels lie in 1..C) that constructions, certificates, the certifiers
    and the reports share; never the number of distinct labels present.
    """
    C = getattr(dataset, "C", None)
    if C is not None:
        return int(C)
    return int(np.max(np.asarray(y)))
