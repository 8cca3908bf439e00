"""net(X) in forked worker processes: the same outputs, bit for bit, as in one process."""

from __future__ import annotations

import numpy as np
import pytest

from robustmem.construct import construct_log_width
from robustmem.data import sphere_points
from robustmem.network.evaluate import PROCESS_WORK, can_fork, evaluate_in_processes

pytestmark = pytest.mark.skipif(not can_fork(), reason="worker processes are forked (Linux only)")


@pytest.mark.parametrize("p", [1.0, 2.0, float("inf")])
@pytest.mark.parametrize("kernels", [True, False])
def test_processes_give_the_outputs_of_one_process(p: float, kernels: bool) -> None:
    ds = sphere_points(30, 10, n_classes=3, seed=4)
    net, _ = construct_log_width(ds, p=p, width=9)
    X = np.concatenate([ds.X, ds.X + np.random.default_rng(0).normal(0.0, 0.05, ds.X.shape)])
    ref = net.evaluate_sequential(X)
    for workers in (2, 3):
        out = evaluate_in_processes(net, X, workers=workers, kernels=kernels, chunk=7)
        assert out.shape == ref.shape and np.array_equal(out, ref)
    assert np.array_equal(net(X, processes=True, kernels=kernels), ref)
    assert np.array_equal(net(X, processes=False, kernels=kernels), ref)
    assert np.array_equal(ref[: ds.N], ds.y)


def test_the_automatic_choice_uses_processes_only_for_large_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    import robustmem.network.evaluate as ev

    calls = []
    real = ev.evaluate_in_processes
    monkeypatch.setattr(ev, "evaluate_in_processes", lambda *a, **k: calls.append(len(a[1])) or real(*a, **k))
    monkeypatch.setattr(ev, "available_cores", lambda: 2)
    ds = sphere_points(20, 6, n_classes=2, seed=1)
    net, _ = construct_log_width(ds, p=2.0, width=8)
    small = net(ds.X)
    assert calls == [] and len(ds.X) * net.depth < PROCESS_WORK
    monkeypatch.setattr(ev, "PROCESS_WORK", len(ds.X) * net.depth)
    assert np.array_equal(net(ds.X), small) and calls == [len(ds.X)]
