"""Argument checks shared by the whole package: one message format, naming the value and the limit."""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence

import numpy as np

from robustmem.errors import InvalidArgumentError

__all__ = [
    "finite_layer",
    "index_list",
    "integer_at_least",
    "nonnegative_number",
    "positive_number",
    "unknown_name",
]


def positive_number(value: object, name: str) -> float:
    """``value`` as a float in (0, inf), or InvalidArgumentError naming ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"{name} must be a positive finite number, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v > 0):
        raise InvalidArgumentError(f"{name} must be a positive finite number, got {value!r}")
    return v


def integer_at_least(value: object, name: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or InvalidArgumentError naming ``name``, value and limit."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def nonnegative_number(value: object, name: str) -> float:
    """``value`` as a float in [0, inf), or InvalidArgumentError naming ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidArgumentError(f"{name} must be a number >= 0, got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and v >= 0):
        raise InvalidArgumentError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def index_list(values: object, n: int, name: str) -> np.ndarray:
    """A non-empty sequence of distinct integer indices in 0..n-1, as an intp array (errors name the entry)."""
    from collections.abc import Iterable

    if isinstance(values, (str, bytes, bool)) or not isinstance(values, Iterable):
        raise InvalidArgumentError(f"{name} must be a sequence of integer indices, got {values!r}")
    idx = np.asarray(list(values))
    if idx.ndim != 1 or len(idx) == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise InvalidArgumentError(f"{name} must be a non-empty sequence of integer indices, got {values!r}")
    bad = np.nonzero((idx < 0) | (idx >= n))[0]
    if len(bad):
        raise InvalidArgumentError(f"{name}[{bad[0]}] = {idx[bad[0]]} is outside 0..{n - 1}")
    if len(np.unique(idx)) != len(idx):
        raise InvalidArgumentError(f"{name} lists an index twice")
    return idx.astype(np.intp)


def finite_layer(k: int, W: np.ndarray, b: np.ndarray) -> None:
    """Raise InvalidArgumentError naming the first non-finite entry of layer k's W or b (with its index)."""
    for name, a in (("W", W), ("b", b)):
        bad = np.argwhere(~np.isfinite(a))
        if len(bad):
            where = tuple(int(i) for i in bad[0])
            raise InvalidArgumentError(f"layer {k}: {name}{where} = {a[where]} is not finite")


def unknown_name(name: object, choices: Sequence[str], what: str) -> InvalidArgumentError:
    """The error for a name that is not one of ``choices``: names the value, the closest choice and all of them."""
    close = difflib.get_close_matches(str(name), list(choices), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return InvalidArgumentError(f"unknown {what} {name!r}{hint}; choose one of {', '.join(choices)}")
