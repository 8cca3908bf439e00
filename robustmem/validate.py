"""Argument checks shared by the whole package: one message format, naming the value and the limit."""

from __future__ import annotations

import math

import numpy as np

from robustmem.errors import InvalidArgumentError

__all__ = ["positive_number", "nonnegative_number", "integer_at_least"]


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
