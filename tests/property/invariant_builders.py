"""Every construction the structural certifier supports, as one table of builders (shared by the invariant test).

``build(name, dataset, p, fraction, seed)`` asks construction ``name`` for a network certifying ``fraction`` of the
largest radius its hypothesis allows on ``dataset`` (in norm ``p`` when the construction takes one).  It returns
the :class:`~robustmem.construct.Construction`, or raises :class:`~robustmem.errors.HypothesisError` when the
construction refuses (allowed: a refusal is not a claim).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from robustmem.construct import (
    Construction,
    construct_kim2025,
    construct_log_width,
    construct_remark11,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    construct_theorem16,
    construct_theorem32,
    construct_theorem33,
    construct_theorem35,
    construct_yu2024,
    construct_yu2024_lp,
)
from robustmem.construct.appendix_e_lp import construct_theorem31
from robustmem.data import Dataset
from robustmem.norms import c_plus, c_plus_pq

__all__ = ["NORMS", "build"]

#: construction -> the norms it is built for (the structural certifier proves each of them)
NORMS: dict[str, tuple[float, ...]] = {
    "theorem5": (1.0, 2.0, 3.0, math.inf),
    "theorem6": (1.0, math.inf),
    "remark40": (1.0, math.inf),
    "log-width": (1.0, 2.0, math.inf),
    "theorem16": (2.0, math.inf),
    "remark11": (2.0,),
    "kim2025": (2.0, math.inf),
    "yu2024": (math.inf,),
    "yu2024-lp": (2.0, 3.0),
    "theorem32": (2.0, math.inf),
    "theorem33": (1.0, 2.0, math.inf),
    "theorem35": (2.0, math.inf),
    "theorem31": (1.0, 2.0, math.inf),
}


def _limit(ds: Dataset, p: float) -> float:
    return ds.separation(2.0).delta / (2.0 * c_plus(p, ds.d))


def _limit_q(ds: Dataset, p: float, q: float) -> float:
    return ds.separation(q).delta / (2.0 * c_plus_pq(p, q, ds.d))


def _log_width(ds: Dataset, p: float, fraction: float, seed: int) -> Construction:
    k = 7 + seed % max(1, min(ds.d, 4))  # k' = k - 6 in [1, min(d, 4)]
    return construct_log_width(ds, p=p, width=k, fraction=fraction, projection="random", seed=seed, draws=1)


def _theorem16(ds: Dataset, p: float, fraction: float, seed: int) -> Construction:
    rng = np.random.default_rng(seed)
    M = rng.normal(size=(min(ds.d, 3), ds.d))
    M /= max(1.0, float(np.linalg.norm(M, 2)))  # ||M||_2 <= 1 (up to rounding)
    return construct_theorem16(ds, M, p=p, sigma=fraction * _limit(ds, p) * 0.5)


_BUILDERS: dict[str, Callable[[Dataset, float, float, int], Construction]] = {
    "theorem5": lambda ds, p, f, s: construct_theorem5(ds, p=p, sigma=f * _limit(ds, p)),
    "theorem6": lambda ds, p, f, s: construct_theorem6(ds, p=p, sigma=f * _limit(ds, p)),
    "remark40": lambda ds, p, f, s: construct_remark40(ds, p=p, sigma=f * _limit(ds, p)),
    "log-width": _log_width,
    "theorem16": _theorem16,
    "remark11": lambda ds, p, f, s: construct_remark11(ds, seed=s, draws=1),
    "kim2025": lambda ds, p, f, s: construct_kim2025(
        ds, p=p, sigma=f * _limit(ds, p), dimension="smallest", seed=s, draws=1, memorizer="theorem16"
    ),
    "yu2024": lambda ds, p, f, s: construct_yu2024(ds, sigma=f * ds.separation(math.inf).delta / 2.0),
    "yu2024-lp": lambda ds, p, f, s: construct_yu2024_lp(ds, p=int(p), sigma=f * ds.separation(p).delta / 2.0),
    "theorem32": lambda ds, p, f, s: construct_theorem32(ds, p=p, q=2 + s % 2, sigma=f * _limit_q(ds, p, 2 + s % 2)),
    "theorem33": lambda ds, p, f, s: construct_theorem33(
        ds, p=p, q=(1.0, math.inf)[s % 2], sigma=f * _limit_q(ds, p, (1.0, math.inf)[s % 2])
    ),
    "theorem35": lambda ds, p, f, s: construct_theorem35(
        ds, p=p, q=(1.0, math.inf)[s % 2], width=7 + s % max(1, min(ds.d, 3)), fraction=f, projection="random", draws=1
    ),
    "theorem31": lambda ds, p, f, s: construct_theorem31(
        ds, p=p, q=(1.5, 2.5)[s % 2], sigma=f * _limit_q(ds, p, (1.5, 2.5)[s % 2])
    ),
}


def build(name: str, ds: Dataset, p: float, fraction: float, seed: int = 0) -> Construction:
    """The construction ``name`` on ``ds`` at ``fraction`` of its largest radius (HypothesisError: refused)."""
    return _BUILDERS[name](ds, p, fraction, seed)
