"""The docstring examples of robustmem.data run and hold."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dataset", "separation", "generators", "real", "io"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(f"robustmem.data.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
