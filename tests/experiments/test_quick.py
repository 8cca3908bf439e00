"""Every registered experiment runs in its quick mode and writes the files it promises."""

from __future__ import annotations

import importlib
import json

import pytest

from experiments.registry import EXPERIMENTS


@pytest.mark.parametrize("exp", EXPERIMENTS, ids=lambda e: e.name)
def test_experiment_quick_mode(exp, tmp_path):
    mod = importlib.import_module(exp.module)
    extra = ["--figures", str(tmp_path / "figures")] if exp.figures else []
    assert mod.main([*exp.quick_args, "--out", str(tmp_path), *extra]) == 0
    for name in exp.produces:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 0, name
        if name.endswith(".json"):
            data = json.loads(path.read_text())
            assert data["meta"]["command"].startswith("python -m " + exp.module)
            assert data["rows"], "an experiment must record at least one result row"
    for name in exp.figures:
        png = tmp_path / "figures" / name
        assert png.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    if exp.figures:  # figures are drawn from the results files alone
        for name in exp.figures:
            (tmp_path / "figures" / name).unlink()
        assert mod.main(["--plot-only", "--out", str(tmp_path), *extra]) == 0
        for name in exp.figures:
            assert (tmp_path / "figures" / name).exists(), name
