"""Every registered experiment runs in its quick mode and writes the files it promises."""

from __future__ import annotations

import importlib
import json

import pytest

from experiments.registry import EXPERIMENTS


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_experiment_quick_mode(exp, tmp_path):
    mod = importlib.import_module(exp.module)
    assert mod.main([*exp.quick_args, "--out", str(tmp_path)]) == 0
    for name in exp.produces:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 0, name
        if name.endswith(".json"):
            data = json.loads(path.read_text())
            assert data["meta"]["command"].startswith("python -m " + exp.module)
            assert data["rows"], "an experiment must record at least one result row"
