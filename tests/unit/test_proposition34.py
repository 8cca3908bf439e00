"""Proposition 34: width d + 1 with Lemma 46's rounding net; exact fit, sampled balls, CROWN certificate, refusals."""

from __future__ import annotations

import numpy as np
import pytest

from robustmem.certify.generic import certify
from robustmem.construct.proposition34 import construct_proposition34
from robustmem.data import Dataset
from robustmem.errors import HypothesisError
from robustmem.network import evaluate_exact


def _line(seed: int, n: int = 15, C: int = 4) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 20, size=(n, 1))
    y = rng.integers(1, C + 1, size=n)
    return Dataset.from_arrays(X, y)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("p", [1.0, 2.0, np.inf])
def test_d1_memorizes_every_ball_up_to_the_limit(seed: int, p: float) -> None:
    ds = _line(seed)
    sigma = 0.49 * ds.separation(2.0).delta  # d = 1: c+_{p,q}(1) = 1, the limit is delta/2
    net, cert = construct_proposition34(ds, p=p, sigma=sigma)
    assert net.width == 2 == ds.d + 1 and net.depth == cert.claimed_depth
    # the whole closed interval of every point: float64 on a fine grid, the exact network on a coarser one
    t = np.concatenate([np.linspace(x - sigma, x + sigma, 101) for x in ds.X[:, 0]])
    lab = np.repeat(ds.y, 101)
    assert (net(t[:, None]) == lab).all()
    ex = evaluate_exact(net, t[::9, None]).values
    assert all(e == v for e, v in zip(ex, lab[::9]))
    rep = certify(net, ds, p=p, sigma=sigma, method="crown", progress=False)
    assert all(s == "certified" for s in rep.status)


def test_rounding_net_is_used_and_phi_handles_label_changes() -> None:
    ds = Dataset.from_arrays([[0.0], [1.0], [2.0], [3.0], [4.0]], [4, 1, 4, 1, 3])
    net, cert = construct_proposition34(ds, p=2, sigma=0.45)
    assert "rounding net psi_C (Lemma 46)" in cert.indicator
    assert net([[0.45], [1.45], [1.55], [2.55], [3.45], [4.45]]).tolist() == [4.0, 1.0, 4.0, 1.0, 1.0, 3.0]


def test_d2_along_a_separating_direction() -> None:
    rng = np.random.default_rng(5)
    ds = Dataset.from_arrays(rng.normal(size=(8, 2)), rng.integers(1, 3, size=8))
    net, _ = construct_proposition34(ds, p=2, sigma=0.01)
    assert net.width == 2 <= ds.d + 1
    rep = certify(net, ds, p=2.0, sigma=0.01, method="crown", progress=False)
    assert all(s == "certified" for s in rep.status)


def test_refusals_name_the_limit_and_the_depth() -> None:
    ds = _line(0)
    with pytest.raises(HypothesisError, match="Proposition 34 needs sigma/delta_q <"):
        construct_proposition34(ds, p=2, sigma=0.5 * ds.separation(2.0).delta)
    # d = 2, a large radius: no direction separates the projections -> the grid's predicted depth is named
    g = np.array([[i, j] for i in range(4) for j in range(4)], dtype=float)
    ds2 = Dataset.from_arrays(g, [1 + (i + j) % 2 for i in range(4) for j in range(4)])
    with pytest.raises(HypothesisError, match=r"predicted depth scale .* = [0-9.e+]+, is not implemented"):
        construct_proposition34(ds2, p=2, sigma=0.45, draws=8)
