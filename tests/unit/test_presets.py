"""The preset datasets (robustmem.catalog): reachable by name, with the documented shapes."""

from __future__ import annotations

import pytest

import robustmem.catalog as presets
from robustmem.catalog import dataset_names, named_dataset
from robustmem.errors import InvalidArgumentError
from robustmem.lower_bound.kim2025_instance import kim2025_hard_instance


def test_every_preset_is_named_and_builds_without_arguments():
    for name in presets.PRESETS:
        assert name in dataset_names()
        ds = named_dataset(name)
        assert ds.N >= 2 and ds.C >= 2


def test_preset_values_and_overrides():
    assert (named_dataset("digits-small").N, named_dataset("digits-small", n=30).N) == (120, 30)
    hard = named_dataset("kim2025-hard", d=5, rho=0.9)
    assert (hard.N, hard.d, hard.separation(2.0).delta) == (6, 5, 1.0)
    assert hard == kim2025_hard_instance(5, 0.9).dataset
    t19 = named_dataset("theorem19-hard", k=1, d=3, delta=2.0, sigma=0.1)
    assert t19.d == 3 and t19.separation(2.0).delta >= 2.0 and set(t19.labels.tolist()) == {1, 2}
    with pytest.raises(InvalidArgumentError, match="does not take"):
        named_dataset("sphere-small", n=5)
