"""Real datasets that ship inside scikit-learn (nothing is downloaded), and the named-dataset registry.

Labels are the class index + 1, so they lie in 1..C as Definition 2 requires.  What the data hold
(checked exactly when this module was written, scikit-learn 1.9):

============== ====== ==== == ==================================================================
name              N     d  C  coincident points
============== ====== ==== == ==================================================================
digits          1797    64 10 none
iris             150     4  3 rows 101 and 142 coincide, both label 3 (allowed: same label)
wine             178    13  3 none
breast_cancer    569    30  2 none
============== ====== ==== == ==================================================================

No dataset has differently-labelled coincident points, so all load with the default
``dedupe="error"``; should a future scikit-learn ship one, :func:`load_real` raises
:class:`NotSeparatedError` naming the pair, and ``dedupe="drop-conflicts"`` removes the conflicting
points explicitly (recording them in ``meta["removed_indices"]``).
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from robustmem.data.dataset import Dataset, Dedupe
from robustmem.data.generators import cube_points, gaussian_clusters, sphere_points
from robustmem.data.presets import PRESETS
from robustmem.errors import InvalidArgumentError

__all__ = ["GENERATORS", "REAL_DATASETS", "dataset_names", "load_real", "named_dataset"]

RealName = Literal["digits", "iris", "wine", "breast_cancer"]
REAL_DATASETS: tuple[str, ...] = ("digits", "iris", "wine", "breast_cancer")
GENERATORS: dict[str, Callable[..., Dataset]] = {
    "sphere": sphere_points,
    "cube": cube_points,
    "gaussian": gaussian_clusters,
}


def _unknown(name: object, choices: tuple[str, ...], what: str) -> InvalidArgumentError:
    close = difflib.get_close_matches(str(name), choices, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return InvalidArgumentError(f"unknown {what} {name!r}{hint}; choose one of {', '.join(choices)}")


def load_real(name: RealName, *, dedupe: Dedupe = "error") -> Dataset:
    """Load a scikit-learn bundled dataset as a :class:`Dataset` with labels = class index + 1.

    ``dedupe="error"`` (default) raises :class:`NotSeparatedError` naming the first pair of
    differently-labelled coincident points; ``dedupe="drop-conflicts"`` removes every point of each
    such group and records the removed indices in ``meta["removed_indices"]`` (see the module table:
    none of the four datasets needs it today).  Coordinates are the raw features (no scaling).

    >>> ds = load_real("iris")
    >>> ds.N, ds.d, ds.C, ds.labels.tolist()
    (150, 4, 3, [1, 2, 3])
    """
    if name not in REAL_DATASETS:
        raise _unknown(name, REAL_DATASETS, "real dataset")
    import sklearn
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{name}")()
    X = np.asarray(bunch.data, dtype=np.float64)
    y = np.asarray(bunch.target, dtype=np.int64) + 1
    meta: dict[str, Any] = {
        "source": f"sklearn.datasets.load_{name}",
        "sklearn_version": sklearn.__version__,
        "labels": "class index + 1",
        "class_names": [str(c) for c in bunch.target_names],
    }
    return Dataset.from_arrays(X, y, name=name, meta=meta, dedupe=dedupe)


def dataset_names() -> tuple[str, ...]:
    """Every name :func:`named_dataset` understands: the real datasets, the generators, the presets
    (:mod:`robustmem.data.presets`)."""
    return REAL_DATASETS + tuple(GENERATORS) + tuple(PRESETS)


def named_dataset(name: str, /, **kwargs: Any) -> Dataset:
    """A dataset by name: a real one (``dedupe`` allowed), a generator with its keyword arguments, or a
    preset (:mod:`robustmem.data.presets`; its arguments are optional).

    Unknown names and unknown or missing arguments raise :class:`InvalidArgumentError` naming them
    and the accepted ones (typos are never ignored).

    >>> named_dataset("sphere", n=20, d=3, n_classes=2, seed=0).N
    20
    >>> named_dataset("wine").d
    13
    """
    if name in REAL_DATASETS:
        fn: Callable[..., Dataset] = load_real
        fixed = {"name": name}
    elif name in GENERATORS:
        fn, fixed = GENERATORS[name], {}
    elif name in PRESETS:
        fn, fixed = PRESETS[name], {}
    else:
        raise _unknown(name, dataset_names(), "dataset")
    sig = inspect.signature(fn)
    accepted = [p for p in sig.parameters if p not in fixed]
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise InvalidArgumentError(
            f"dataset {name!r} does not take argument(s) {', '.join(unknown)}; it accepts {', '.join(accepted)}"
        )
    try:
        sig.bind(**fixed, **kwargs)
    except TypeError as err:
        raise InvalidArgumentError(f"dataset {name!r}: {err}; it accepts {', '.join(accepted)}") from None
    return fn(**fixed, **kwargs)
