"""Shared test configuration: hypothesis profiles and the slow/benchmark switches.

Profiles (select with HYPOTHESIS_PROFILE=dev|ci|thorough; CI uses 'ci'):
  dev       few examples, fast feedback
  ci        the default; what .ci/run uses
  thorough  many examples, for a long local run
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked slow unless ROBUSTMEM_SLOW=1 or -m selects them; same for benchmarks."""
    selected = config.getoption("-m") or ""
    run_slow = os.environ.get("ROBUSTMEM_SLOW") == "1" or "slow" in selected
    run_bench = "benchmark" in selected
    for item in items:
        if "slow" in item.keywords and not run_slow:
            item.add_marker(pytest.mark.skip(reason="slow: set ROBUSTMEM_SLOW=1 or use -m slow"))
        if "benchmark" in item.keywords and not run_bench:
            item.add_marker(pytest.mark.skip(reason="benchmark: use -m benchmark --benchmark-enable"))
