"""Every docstring example in the package runs and holds: one test per module, found by walking robustmem/.

Modules listed in :data:`WITH_EXAMPLES` must keep at least one example (their docstrings promise one); a
module that grows examples is checked without being listed.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import sympy as sp

import robustmem

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(robustmem.__path__, prefix="robustmem.") if not m.name.endswith("__main__")
)

#: modules whose docstrings carry examples today; losing them fails the test
WITH_EXAMPLES = {
    "robustmem.bounds.constants",
    "robustmem.bounds.radii",
    "robustmem.bounds.widths",
    "robustmem.catalog",
    "robustmem.construct.kim2025",
    "robustmem.construct.vardi2022",
    "robustmem.data.dataset",
    "robustmem.data.files",
    "robustmem.data.generators",
    "robustmem.data.real",
    "robustmem.data.separation",
    "robustmem.example1",
    "robustmem.geometry",
    "robustmem.lower_bound.attack",
    "robustmem.lower_bound.covers",
    "robustmem.lower_bound.instance",
    "robustmem.network.rational",
    "robustmem.projection.cap",
    "robustmem.projection.haar",
    "robustmem.projection.preservation",
    "robustmem.projection.search",
    "robustmem.verify.attacks",
    "robustmem.verify.fit",
}


def test_the_walk_finds_the_listed_modules() -> None:
    assert set(MODULES) >= WITH_EXAMPLES, sorted(WITH_EXAMPLES - set(MODULES))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, extraglobs={"sp": sp}, raise_on_error=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
    if name in WITH_EXAMPLES:
        assert result.attempted > 0, f"{name} lost its docstring examples"
