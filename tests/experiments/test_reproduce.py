"""`robustmem reproduce`: the runner plans from the registry, passes the right arguments, reports failures."""

from __future__ import annotations

import sys
import types

import pytest

import robustmem.reproduce as rp
from experiments.registry import EXPERIMENTS, Experiment
from robustmem.cli import main
from robustmem.errors import InvalidArgumentError


def _fake_module(name: str, calls: list, rc: int = 0, boom: bool = False) -> types.ModuleType:
    mod = types.ModuleType(name)

    def fake_main(argv):
        calls.append((name, list(argv)))
        if boom:
            raise RuntimeError("experiment exploded")
        return rc

    mod.main = fake_main
    return mod


@pytest.fixture
def fake_registry(monkeypatch):
    calls: list = []
    exps = (
        Experiment("a", "fake_exp_a", ("a.json",), ("--quick",), ("--full",), "first", figures=("a.png",), sweeps=True),
        Experiment("b", "fake_exp_b", ("b.json",), ("--quick",), (), "second"),
        Experiment("c", "fake_exp_c", ("c.json",), ("--quick",), (), "third"),
    )
    monkeypatch.setitem(sys.modules, "fake_exp_a", _fake_module("a", calls))
    monkeypatch.setitem(sys.modules, "fake_exp_b", _fake_module("b", calls, boom=True))
    monkeypatch.setitem(sys.modules, "fake_exp_c", _fake_module("c", calls, rc=3))
    monkeypatch.setattr(rp, "experiments_registry", lambda: exps)
    return calls


def test_runner_passes_mode_folders_and_scheduler(fake_registry):
    res = rp.reproduce(quick=False, only=["a"], out="R", figures="F", scheduler="tcp://h:1", say=lambda m: None)
    assert [r.status for r in res] == ["ok"]
    assert fake_registry == [("a", ["--full", "--out", "R", "--figures", "F", "--scheduler", "tcp://h:1"])]


def test_runner_quick_defaults_never_touch_full_results(fake_registry):
    rp.reproduce(quick=True, only=["a"], say=lambda m: None)
    assert fake_registry == [("a", ["--quick", "--out", "results/quick", "--figures", "figures/quick"])]


def test_runner_reports_failures_and_keeps_going(fake_registry):
    lines: list[str] = []
    res = rp.reproduce(quick=True, out="R", figures="F", say=lines.append)
    assert [(r.name, r.status) for r in res] == [("a", "ok"), ("b", "failed"), ("c", "failed")]
    assert "experiment exploded" in res[1].error and res[2].error == "exit status 3"
    assert lines[-1].startswith("reproduce: 1/3 experiments ok")
    assert [c[0] for c in fake_registry] == ["a", "b", "c"]  # b's failure did not stop c


def test_unknown_experiment_is_named(fake_registry):
    with pytest.raises(InvalidArgumentError, match=r"'nope'.*\['a', 'b', 'c'\]"):
        rp.plan_runs(quick=True, only=["nope"], out="R", figures="F", scheduler=None)


def test_cli_list_names_every_registered_experiment(capsys):
    assert main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    for e in EXPERIMENTS:
        assert e.name in out


def test_cli_runs_a_real_experiment_in_quick_mode(tmp_path, capsys):
    assert (
        main(
            ["reproduce", "--quick", "--only", "scale", "--out", str(tmp_path / "r"), "--figures", str(tmp_path / "f")]
        )
        == 0
    )
    assert (tmp_path / "r" / "scale.json").exists()
    assert "1/1 experiments ok" in capsys.readouterr().out


def test_registry_names_are_unique_and_modules_exist():
    import importlib.util

    names = [e.name for e in EXPERIMENTS]
    assert len(names) == len(set(names))
    for e in EXPERIMENTS:
        assert importlib.util.find_spec(e.module) is not None, e.module


def test_own_process_experiments_run_in_a_fresh_interpreter(tmp_path, monkeypatch):
    """scale measures peak memory: reproduce must not run it inside the process earlier experiments grew."""
    import os

    (tmp_path / "fresh_exp.py").write_text(
        "import os, sys\n"
        "def main(argv):\n"
        "    open(argv[0], 'w').write(str(os.getpid()))\n"
        "    return 0\n"
        "if __name__ == '__main__':\n"
        "    sys.exit(main(sys.argv[1:]))\n"
    )
    (tmp_path / "failing_exp.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    pid_file = tmp_path / "pid.txt"
    exps = (
        Experiment("fresh", "fresh_exp", (), (str(pid_file),), (str(pid_file),), own_process=True),
        Experiment("failing", "failing_exp", (), (), (), own_process=True),
    )
    monkeypatch.setattr(rp, "experiments_registry", lambda: exps)
    res = rp.reproduce(out=str(tmp_path / "out"), say=lambda *_: None)
    assert [r.status for r in res] == ["ok", "failed"] and res[1].error == "exit status 3"
    assert int(pid_file.read_text()) != os.getpid()
    assert [e.name for e in EXPERIMENTS if e.own_process] == ["scale"]
