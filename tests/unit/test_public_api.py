"""robustmem.__all__ is honest: every listed name resolves, and the subpackages' own __all__ do too."""

from __future__ import annotations

import importlib

import pytest

import robustmem

SUBPACKAGES = [
    "robustmem.data",
    "robustmem.network",
    "robustmem.gadgets",
    "robustmem.construct",
    "robustmem.projection",
    "robustmem.verify",
    "robustmem.bounds",
    "robustmem.norms",
    "robustmem.errors",
    "robustmem.lower_bound",
]


@pytest.mark.parametrize("name", robustmem.__all__)
def test_every_public_name_resolves(name):
    assert getattr(robustmem, name) is not None


@pytest.mark.parametrize("module", SUBPACKAGES)
def test_subpackage_all_resolves(module):
    mod = importlib.import_module(module)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{module}.__all__ lists {name} but it does not exist"


def test_unknown_name_raises():
    with pytest.raises(AttributeError):
        robustmem.no_such_thing  # noqa: B018
