"""The structural type of a labelled point set: what checkers read of a dataset (Definition 2).

The certifiers, verifiers and projection searches read only the points ``X`` (N, d) and the labels ``y``
(N,) of their dataset argument, and check both themselves (naming the shape or the entry that is wrong).
They accept a :class:`~robustmem.data.Dataset` or any object with those two attributes, e.g. a
``types.SimpleNamespace`` in an example; :class:`LabelledPoints` is that contract for the type checker.
The constructions need more (the exact separation, the number of classes): they take a ``Dataset``.
"""

from __future__ import annotations

from typing import Protocol

import numpy.typing as npt

__all__ = ["LabelledPoints"]


class LabelledPoints(Protocol):
    """An object with points ``X`` (array-like, shape (N, d)) and labels ``y`` (array-like, shape (N,)).

    >>> from types import SimpleNamespace
    >>> from robustmem.data import Dataset
    >>> def size(points: LabelledPoints) -> int:
    ...     return len(points.y)
    >>> size(Dataset([[0.0], [1.0]], [1, 2])), size(SimpleNamespace(X=[[0.0]], y=[1]))
    (2, 1)
    """

    @property
    def X(self) -> npt.ArrayLike:
        """The points, one row per point."""
        ...

    @property
    def y(self) -> npt.ArrayLike:
        """The labels, one per point."""
        ...
