"""min_separation_near (data/separation_near.py) returns exactly min_separation's result (delta and pair) on many
datasets: random, integer grids with ties, duplicates across and within labels, tiny and huge scales, every norm."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from robustmem.data.separation import min_separation
from robustmem.data.separation_near import min_separation_near


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    N=st.integers(2, 60),
    d=st.integers(1, 6),
    C=st.integers(1, 6),
    kind=st.sampled_from(["normal", "grid", "dup"]),
    scale=st.sampled_from([1e-300, 1e-6, 1.0, 1e6, 1e300]),
    q=st.sampled_from([1.0, 2.0, 3.0, math.inf]),
)
def test_near_equals_block_scan(seed, N, d, C, kind, scale, q):
    rng = np.random.default_rng(seed)
    if kind == "grid":
        X = rng.integers(0, 3, size=(N, d)).astype(float) * scale
    elif kind == "dup":
        base = rng.normal(size=(max(1, N // 3), d)) * scale
        X = base[rng.integers(0, base.shape[0], size=N)]
    else:
        X = rng.normal(size=(N, d)) * scale
    y = rng.integers(1, C + 1, size=N)
    assert min_separation_near(X, y, q) == min_separation(X, y, q)


def test_near_equals_block_scan_larger():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 8))
    y = rng.integers(0, 12, size=3000)
    for q in (2.0, math.inf):
        assert min_separation_near(X, y, q) == min_separation(X, y, q)
