"""Hypothesis strategies that read like the paper's hypotheses.

``separated_datasets(...)`` draws a delta-separated dataset (Definition 2) with delta bounded away
from 0: distinct positions are jittered integer grid points, so every differently-labelled pair is
at distance >= ``min_delta`` in EVERY l_q norm, q in (0, inf] (||v||_q >= ||v||_inf).  Same-label
duplicates and a large common offset are drawn too, to exercise the separation code.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from robustmem.data import Dataset

__all__ = ["norms", "separated_datasets"]

_JITTER_STEPS = 16  # jitter in {-16..16}/64, i.e. at most 1/4 per coordinate
_MARGIN = 1.0 + 2.0**-20  # covers the rounding of (offset + cell + jitter) * scale and of the distance


def norms() -> st.SearchStrategy[float]:
    """The norms the paper treats explicitly: l_1, l_2, l_inf (as floats; inf is math.inf)."""
    return st.sampled_from([1.0, 2.0, math.inf])


@st.composite
def separated_datasets(
    draw: st.DrawFn,
    *,
    min_n: int = 2,
    max_n: int = 30,
    max_d: int = 8,
    min_classes: int = 2,
    max_classes: int = 5,
    min_delta: float = 0.25,
    duplicates: bool = True,
) -> Dataset:
    """A Dataset with labels 1..C (each present), N in [max(min_n, C), max_n], d in [1, max_d].

    Guarantee: every pair with different labels has ||x_i - x_j||_q >= min_delta for all q in (0, inf].
    Coordinates are ``(offset + cell + jitter) * scale`` with distinct integer cells, jitter in
    [-1/4, 1/4] (multiples of 1/64), ``scale = 2 * min_delta * zoom * (1 + 2**-20)``, zoom in {1, 3, 1000} and
    offset in {0, 7, 10**4}: distinct cells differ by >= 1/2 * scale >= min_delta in l_inf.
    """
    if not (1 <= min_classes <= max_classes and max(min_n, min_classes) <= max_n and max_d >= 1 and min_delta > 0):
        raise ValueError(
            f"inconsistent bounds: min_n={min_n}, max_n={max_n}, max_d={max_d}, "
            f"classes {min_classes}..{max_classes}, min_delta={min_delta}"
        )
    C = draw(st.integers(min_classes, min(max_classes, max_n)))
    n = draw(st.integers(max(min_n, C), max_n))
    d = draw(st.integers(1, max_d))
    m = draw(st.integers(C, n)) if duplicates else n  # distinct positions; the rest are duplicates
    K = 2
    while K**d < 2 * m:
        K += 1
    cells = draw(st.lists(st.tuples(*[st.integers(0, K - 1)] * d), min_size=m, max_size=m, unique=True))
    jitter = draw(st.lists(st.integers(-_JITTER_STEPS, _JITTER_STEPS), min_size=m * d, max_size=m * d))
    labels = list(range(1, C + 1)) + draw(st.lists(st.integers(1, C), min_size=m - C, max_size=m - C))
    labels = draw(st.permutations(labels))
    copies = draw(st.lists(st.integers(0, m - 1), min_size=n - m, max_size=n - m))
    zoom = draw(st.sampled_from([1.0, 3.0, 1000.0]))
    offset = draw(st.sampled_from([0, 7, 10**4]))
    scale = 2.0 * min_delta * zoom * _MARGIN
    grid = offset + np.array(cells, dtype=np.float64) + np.array(jitter, dtype=np.float64).reshape(m, d) / 64.0
    X = grid * scale
    y = np.array(labels, dtype=np.int64)
    order = np.concatenate([np.arange(m), np.array(copies, dtype=np.intp)])
    order = order[np.array(draw(st.permutations(range(n))), dtype=np.intp)]
    return Dataset(X[order], y[order], name=f"separated(n={n}, d={d}, C={C})")
