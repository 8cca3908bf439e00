"""Appendix E constructions (Theorems 32, 33, 35) and Theorem 36's instance: built, fitted, certified, attacked."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.bounds import appendix_e_radius_limit, theorem35_radius
from robustmem.certify.structural import certify_structural
from robustmem.construct.appendix_e import construct_theorem32, construct_theorem33, construct_theorem35
from robustmem.data import Dataset
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound import kernel_attack
from robustmem.lower_bound.appendix_e import theorem36_instance
from robustmem.network import evaluate_exact
from robustmem.verify.falsify import falsify


def _grid_data(seed: int = 0, n: int = 10, d: int = 3) -> Dataset:
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 8, size=(n, d)).astype(float)
    y = rng.integers(1, 4, size=n)
    return Dataset.from_arrays(X, y)


def _exact_fit(net, ds: Dataset) -> bool:
    vals = evaluate_exact(net, ds.X).values
    return all(v == int(t) for v, t in zip(vals, ds.y))


@pytest.mark.parametrize("q", [1, "inf"])
@pytest.mark.parametrize("p", [0.5, 1, 2, "inf"])
def test_theorem33_certified_for_any_p(p, q) -> None:
    ds = _grid_data()
    qv = 1.0 if q == 1 else math.inf
    sigma = 0.95 * appendix_e_radius_limit(p, q, ds.d) * ds.separation(qv).delta
    net, cert = construct_theorem33(ds, p=p, q=q, sigma=sigma)
    assert (cert.tau_norm, cert.separation_norm) == (qv, qv)
    assert cert.delta == ds.separation(qv).delta
    assert net.width == cert.claimed_width <= ds.d + 4 and net.depth == cert.claimed_depth
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified, rep.reason
    assert _exact_fit(net, ds)


@pytest.mark.parametrize(("p", "q"), [(1, 2), ("inf", 2), (2, 3), ("inf", 3)])
def test_theorem32_certified(p, q) -> None:
    ds = _grid_data(n=6)
    sigma = 0.8 * appendix_e_radius_limit(p, q, ds.d) * ds.separation(float(q)).delta
    net, cert = construct_theorem32(ds, p=p, q=q, sigma=sigma)
    assert net.width == cert.claimed_width <= ds.d + 9 and net.depth == cert.claimed_depth
    assert cert.separation_norm == q
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified, rep.reason


def test_theorem32_33_refusals_name_the_values() -> None:
    ds = _grid_data()
    limit = appendix_e_radius_limit(2, 1, ds.d) * ds.separation(1.0).delta
    with pytest.raises(HypothesisError, match=r"Theorem 33 needs sigma/delta_q < 1/\(2 c\+_\{p,q\}\(d\)\)"):
        construct_theorem33(ds, p=2, q=1, sigma=limit)
    with pytest.raises(InvalidArgumentError, match="Theorem 33 is for q in"):
        construct_theorem33(ds, p=2, q=2, sigma=0.1)
    with pytest.raises(InvalidArgumentError, match=r"Theorem 32 is for an integer q >= 2, got q = 1.5"):
        construct_theorem32(ds, p=2, q=1.5, sigma=0.1)
    with pytest.raises(InvalidArgumentError, match=r"q must lie in \[1, inf\]"):
        construct_theorem33(ds, p=2, q=0.5, sigma=0.1)


@pytest.mark.parametrize("q", [1, 1.5, 2, 3, "inf"])
def test_theorem35_certified_and_records_q(q) -> None:
    rng = np.random.default_rng(3)
    ds = Dataset.from_arrays(rng.normal(size=(24, 12)), rng.integers(1, 3, size=24))
    qv = math.inf if q == "inf" else float(q)
    net, cert = construct_theorem35(ds, p=2, q=q, width=9, radius="theorem35")
    assert cert.theorem == "Theorem 35" and cert.separation_norm == qv
    assert cert.delta == ds.separation(qv).delta
    assert math.isclose(cert.sigma, theorem35_radius(ds.N, ds.d, 2, q, 9) * cert.delta)
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified, rep.reason
    assert rep.n_certified == ds.N
    # the saved certificate round-trips with q
    from robustmem.certificate import Certificate

    assert Certificate.from_dict(net.meta["certificate"]).separation_norm == qv
    assert falsify(net, ds, p=2.0, sigma=cert.sigma, n_random=32, pgd=False, seed=0).n_counterexamples == 0


def test_theorem35_refuses_a_radius_the_projection_cannot_certify() -> None:
    rng = np.random.default_rng(3)
    ds = Dataset.from_arrays(rng.normal(size=(24, 12)), rng.integers(1, 3, size=24))
    with pytest.raises(HypothesisError, match="leaves no margin"):
        construct_theorem35(ds, p=2, q=1, width=7, sigma=0.49 * ds.separation(2.0).delta)
    with pytest.raises(HypothesisError, match="Theorem 7 is for 7 <= k <= d \\+ 5"):
        construct_theorem35(ds, p=2, q=1, width=40)
    with pytest.raises(InvalidArgumentError, match="not both"):
        construct_theorem35(ds, p=2, q=1, width=7, sigma=0.1, radius="theorem35")


@pytest.mark.parametrize("q", [1, 1.5, 3, "inf"])
def test_theorem36_instance_is_lq_separated_and_attacked(q) -> None:
    inst = theorem36_instance(2, 3, 1.0, 0.02, 2, q)
    assert inst.delta_q >= 1.0
    assert inst.instance.separation >= inst.instance.delta
    W = np.random.default_rng(1).normal(size=(2, 3))
    res = kernel_attack(W, inst.instance)
    assert res.exact_kernel and res.image_gap_exact == 0
    assert res.distance <= 0.02 and res.label_i != res.label_j


def test_theorem36_attack_breaks_a_width_k_network() -> None:
    """A width-1 network built on the instance (Remark 11, sigma = 0 fits it) is broken by the attack at sigma."""
    from robustmem.construct import construct_remark11

    inst = theorem36_instance(1, 2, 1.0, 0.05, "inf", 1)
    net, _ = construct_remark11(inst.dataset)
    res = kernel_attack(np.asarray(next(iter(net.layers())).W)[:1], inst.instance)
    assert res.image_gap_exact == 0 and res.distance <= 0.05


@pytest.mark.parametrize(
    "name",
    [
        "robustmem.bounds.appendix_e",
        "robustmem.construct.appendix_e",
        "robustmem.construct.appendix_e_lp",
        "robustmem.construct.proposition34",
        "robustmem.gadgets.binomial",
        "robustmem.gadgets.indicators_binomial",
        "robustmem.lower_bound.appendix_e",
    ],
)
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
