"""The catalog of named datasets: scikit-learn's real datasets, the generators, and the presets.

It sits above data, construct and lower_bound (the presets include the lower-bound instances), so that none
of those imports it.  :func:`named_dataset` is what the CLI and the experiments call.

Presets are fixed small instances for comparisons, and the lower-bound instances.

Each preset is a function whose keyword arguments all have defaults, so ``named_dataset(name)``
works without parameters and ``--param key=value`` overrides them:

================  ==========================================================================
sphere-small      40 points on the unit sphere of R^10, 3 classes, l_2 separation >= 1 (seed 0)
digits-small      the first ``n`` (default 120) images of scikit-learn's digits, 64 pixels
kim2025-hard      Kim-Moon-Yun's instance {(e_j, 1)} u {(0, 2)} in R^d (Proposition 3.2)
theorem19-hard    Egosi-Yehudai-Shamir Theorem 19's binary instance (two sphere covers)
================  ==========================================================================
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from robustmem.data.dataset import Dataset
from robustmem.data.generators import cube_points, gaussian_clusters, sphere_points
from robustmem.data.real import REAL_DATASETS, load_real
from robustmem.errors import InvalidArgumentError
from robustmem.lower_bound import hard_instance
from robustmem.lower_bound.kim2025_instance import kim2025_hard_instance
from robustmem.validate import unknown_name

__all__ = [
    "GENERATORS",
    "PRESETS",
    "dataset_names",
    "digits_small",
    "kim2025_hard",
    "named_dataset",
    "sphere_small",
    "theorem19_hard",
]

GENERATORS: dict[str, Callable[..., Dataset]] = {
    "sphere": sphere_points,
    "cube": cube_points,
    "gaussian": gaussian_clusters,
}


def sphere_small(seed: int = 0) -> Dataset:
    """40 points on the unit sphere in R^10, 3 classes, l_2 separation at least 1.

    >>> ds = sphere_small(); (ds.N, ds.d, ds.C, ds.separation().delta >= 1.0)
    (40, 10, 3, True)
    """
    return sphere_points(40, 10, n_classes=3, delta=1.0, seed=seed).with_name(f"sphere-small(seed={seed})")


def digits_small(n: int = 120) -> Dataset:
    """The first ``n`` digits images (labels = digit + 1), raw pixel values 0..16."""
    ds = load_real("digits")
    return ds.subset(range(min(int(n), ds.N)), name=f"digits-small(n={n})")


def kim2025_hard(d: int = 8, rho: float = 0.5, k: int | None = None) -> Dataset:
    """{(e_j, 1) : j <= k} u {(0, 2)} in R^d (k = d by default): delta = 1; a network robust at
    sigma = rho delta / 2 needs first-layer width >= rho^2 k (Kim-Moon-Yun Proposition 3.2)."""
    return kim2025_hard_instance(d, rho, k=k).dataset


def theorem19_hard(
    k: int = 1, d: int = 2, delta: float = 1.0, sigma: float = 0.05, p: float = 2.0, seed: int = 0
) -> Dataset:
    """Theorem 19's binary delta-separated instance that defeats every network of width <= k at radius
    sigma (:func:`robustmem.lower_bound.hard_instance`)."""
    return hard_instance(k, d, delta, sigma, p, seed=seed).dataset


#: name -> function (every argument has a default)
PRESETS: dict[str, Callable[..., Dataset]] = {
    "sphere-small": sphere_small,
    "digits-small": digits_small,
    "kim2025-hard": kim2025_hard,
    "theorem19-hard": theorem19_hard,
}


def dataset_names() -> tuple[str, ...]:
    """Every name :func:`named_dataset` understands: the real datasets, the generators, the presets
    (:data:`PRESETS`)."""
    return REAL_DATASETS + tuple(GENERATORS) + tuple(PRESETS)


def named_dataset(name: str, /, **kwargs: Any) -> Dataset:
    """A dataset by name: a real one (``dedupe`` allowed), a generator with its keyword arguments, or a
    preset (:data:`PRESETS`; its arguments are optional).

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
        raise unknown_name(name, dataset_names(), "dataset")
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
