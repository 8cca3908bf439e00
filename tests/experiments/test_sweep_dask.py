"""A sweep on a Dask cluster gives the rows of the local run (same seed), row for row.

The cluster is a one-worker ``distributed.LocalCluster`` started in the test; the experiment's quick mode
runs with ``--scheduler`` set to its address, so the tasks are pickled, run on the worker and gathered.
"""

from __future__ import annotations

import json

import pytest

distributed = pytest.importorskip("distributed")

TIMING_KEYS = {"build_seconds", "seconds"}  # wall-clock times differ between runs; everything else must not


def _rows(path):
    rows = json.loads(path.read_text())["rows"]
    return [{k: v for k, v in r.items() if k not in TIMING_KEYS} for r in rows]


def test_radius_width_quick_on_dask_equals_local(tmp_path):
    """distributed emits no warning here under filterwarnings = error, so none is ignored."""
    from experiments import radius_width

    local, remote = tmp_path / "local", tmp_path / "dask"
    mode = ["--quick", "--widths", "7,9,12", "--seed", "3"]  # three widths keep the test short
    assert radius_width.main([*mode, "--out", str(local), "--figures", str(local / "f")]) == 0
    # processes=True: the worker is another process, so tasks and results really travel pickled
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        argv = [*mode, "--scheduler", cluster.scheduler_address, "--out", str(remote), "--figures", str(remote / "f")]
        assert radius_width.main(argv) == 0
    a, b = _rows(local / "radius_width.json"), _rows(remote / "radius_width.json")
    assert len(a) == len(b) > 0
    assert a == b
    meta = json.loads((remote / "radius_width.json").read_text())["meta"]
    assert "--scheduler" in meta["command"] and meta["seed"] == 3
    assert (remote / "f" / "radius_width.png").exists()
