"""Property tests of the data layer, driven by the strategies in tests/property/strategies.py."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from property.strategies import norms, separated_datasets  # tests/ is on sys.path (rootdir conftest)

from robustmem.data import Dataset, pair_distances


def _brute(ds: Dataset, q: float) -> tuple[float, int, int]:
    I, J = np.triu_indices(ds.N, 1)
    keep = ds.y[I] != ds.y[J]
    v = pair_distances(ds.X, I[keep], J[keep], q)
    k = int(np.argmin(v))
    return float(v[k]), int(I[keep][k]), int(J[keep][k])


@given(separated_datasets(min_delta=0.25), norms())
def test_strategy_keeps_its_promise_and_separation_is_exact(ds: Dataset, q: float) -> None:
    s = ds.separation(q)
    assert s.delta >= 0.25
    assert (s.delta, s.i, s.j) == _brute(ds, q)


@given(separated_datasets(max_n=20, max_d=4, min_delta=1e-3), st.sampled_from([0.5, 1.5, 3.0]))
def test_separation_exact_for_other_norms(ds: Dataset, q: float) -> None:
    assert (ds.separation(q).delta, ds.separation(q).i, ds.separation(q).j) == _brute(ds, q)
    assert ds.separation(q).delta >= 1e-3


@given(separated_datasets(), norms())
def test_pairs_below_brackets_the_separation(ds: Dataset, q: float) -> None:
    s = ds.separation(q)
    assert ds.separated_pairs_below(s.delta, q).shape == (0, 2)
    above = ds.separated_pairs_below(float(np.nextafter(s.delta, math.inf)), q)
    assert [s.i, s.j] in above.tolist()
    assert all(ds.distance(int(i), int(j), q) == s.delta for i, j in above)


@given(separated_datasets(), norms(), st.data())
def test_subsets_are_at_least_as_separated(ds: Dataset, q: float, data: st.DataObject) -> None:
    keep = data.draw(st.lists(st.integers(0, ds.N - 1), min_size=1, max_size=ds.N, unique=True))
    assert ds.subset(keep).separation(q).delta >= ds.separation(q).delta
