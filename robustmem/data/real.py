"""Real datasets that ship inside scikit-learn (nothing is downloaded).

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

from typing import Any, Literal

import numpy as np

from robustmem.data.dataset import Dataset, Dedupe
from robustmem.validate import unknown_name

__all__ = ["REAL_DATASETS", "load_real"]

RealName = Literal["digits", "iris", "wine", "breast_cancer"]
REAL_DATASETS: tuple[str, ...] = ("digits", "iris", "wine", "breast_cancer")


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
        raise unknown_name(name, REAL_DATASETS, "real dataset")
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
