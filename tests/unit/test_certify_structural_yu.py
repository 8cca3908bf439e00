"""The structural certifier on Yu-Gao-Zhang networks (fused chain: the first block in the input segment, the
indicator merged into the running maximum): certified at the claim in both arithmetic modes, in agreement with
the MILP; a weight or bias changed past the margin is refused (never certified), naming the block, and for
several of those mutants the MILP finds a real counterexample."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from robustmem.certify import certify, certify_structural
from robustmem.construct import construct_yu2024
from robustmem.data import Dataset, sphere_points
from robustmem.network.network import ReLUNetwork, Segment

INF = math.inf


def _built(N, d, C, seed, frac=0.4):
    ds = sphere_points(N, d, n_classes=C, seed=seed)
    return ds, *construct_yu2024(ds, sigma=frac * ds.separation(INF).delta)


@pytest.fixture(scope="module")
def tiny():
    return _built(4, 2, 2, 5)


@pytest.mark.parametrize("arithmetic", ["float64", "exact"])
@pytest.mark.parametrize("shape", [(4, 2, 2, 5), (10, 4, 3, 5), (12, 5, 3, 1), (6, 3, 3, 2)])
def test_certified_at_the_claim(shape, arithmetic):
    ds, net, cert = _built(*shape)
    rep = certify_structural(net, ds, arithmetic=arithmetic, progress=False)
    assert rep.certified, rep.summary()
    assert rep.n_certified == ds.N and rep.certified_radius == cert.sigma
    assert rep.float64_evaluation is (True if arithmetic == "float64" else None)
    assert rep.template_radii[0] <= cert.r and rep.template_radii[1] >= (cert.r + cert.w) * (1 - 1e-15)
    blocks = {c.block for c in rep.checks}
    assert {"input map", "first block", "chain template", "chain parameters", "output map", "geometry"} <= blocks
    assert any(c.name == "f = m + e" and c.passed for c in rep.checks)


def test_one_dimensional_and_two_point_data():
    for ds in (Dataset.from_arrays([[0.0], [1.0]], [2, 1]), Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0]], [1, 2])):
        net, _cert = construct_yu2024(ds, sigma=0.1)
        assert certify_structural(net, ds, progress=False).certified
        big = certify_structural(net, ds, sigma=0.6, progress=False)
        assert not big.certified and big.reason.startswith("geometry")


def test_agrees_with_the_milp(tiny):
    ds, net, cert = tiny
    rep = certify_structural(net, ds, progress=False)
    milp = certify(net, ds, p=INF, sigma=cert.sigma, method="milp", progress=False)
    assert rep.certified and milp.n_certified == ds.N
    for tampered in (dataclasses.replace(cert, r=cert.r * 1.5), dataclasses.replace(cert, w=cert.w * 0.5)):
        assert not certify_structural(net, ds, tampered, progress=False).certified


# ----- mutants: one weight or bias changed in the real network -----
def _mutated(net, seg: int, map_: int, field: str, index: int, value):
    """``net`` with ``segments[seg].maps[map_].<field>[index]`` set to ``value`` (or value(old))."""
    segs = list(net.segments)
    maps = list(segs[seg].maps)
    arr = getattr(maps[map_], field).copy()
    arr[index] = value(arr[index]) if callable(value) else value
    maps[map_] = dataclasses.replace(maps[map_], **{field: arr}, _cache={})
    segs[seg] = Segment(tuple(maps), segs[seg].params, name=segs[seg].name)
    return ReLUNetwork(segs, meta=net.meta)


def _with_params(net, seg: int, row: int, col: int, value: float):
    segs = list(net.segments)
    params = segs[seg].params.copy()
    params[row, col] = value
    segs[seg] = Segment(segs[seg].maps, params, name=segs[seg].name)
    return ReLUNetwork(segs, meta=net.meta)


def _rows(t, *, param_bias: bool):
    """Active positions (index into t.active) of rows whose bias is / is not parameter-dependent."""
    return [a for a in range(len(t.active)) if (t.bias_pidx[a] >= 0) == param_bias]


def _refused(rep, block: str, also: str = ""):
    assert not rep.certified and not rep.exact_network and rep.n_certified < rep.n_points
    assert rep.reason and rep.reason.startswith(block), rep.reason
    assert also in rep.reason, rep.reason


def _refuted_by_milp(net, ds, sigma) -> bool:
    milp = certify(net, ds, p=INF, sigma=sigma, method="milp", trust_bounds=False, time_limit=30.0, progress=False)
    return milp.n_refuted > 0


def test_mutants_are_refused_and_some_are_really_broken(tiny):
    ds, net, cert = tiny
    run = lambda m: certify_structural(m, ds, progress=False)
    r = cert.r
    chain, first = net.segments[1].maps, net.segments[0].maps
    # shrink r in every chain block (all p_j, n_j biases): the ball leaks out of the ON region
    leaky = net
    for a in _rows(chain[0], param_bias=True):
        leaky = _mutated(leaky, 1, 0, "bias_base", a, lambda b: b + 0.75 * r)
    _refused(run(leaky), "chain template")
    assert _refuted_by_milp(leaky, ds, cert.sigma)
    # the same in the first block (it reads x itself)
    a0 = _rows(first[0], param_bias=True)[0]
    _refused(run(_mutated(net, 0, 0, "bias_base", a0, lambda b: b + 0.75 * r)), "first block")
    # one p_j bias only, past the margin, in the chain template
    a1 = _rows(chain[0], param_bias=True)[1]
    _refused(run(_mutated(net, 1, 0, "bias_base", a1, lambda b: b + cert.w)), "chain template")
    # the carried running maximum m + e with coefficient 2: not max(m, z) (and the outputs double)
    st = int(np.flatnonzero(chain[0].ent_pidx < 0)[0])
    doubled = _mutated(net, 1, 0, "ent_base", st, 2.0)
    _refused(run(doubled), "network", "running maximum")
    assert _refuted_by_milp(doubled, ds, cert.sigma)
    # the output map f = m + e -> m + 0.5 e
    _refused(run(_mutated(net, 2, 0, "ent_base", 1, 0.5)), "output map")
    # the fused label neuron's weight on m: -1 -> -0.5
    lab = chain[1]
    wm = int(np.flatnonzero(lab.ent_pidx < 0)[0])
    _refused(run(_mutated(net, 1, 1, "ent_base", wm, -0.5)), "network", "weight -1")
    # one label weight gamma (its scale -1/w on one input) halved: inputs weighed differently
    wg = int(np.flatnonzero(lab.ent_pidx >= 0)[0])
    _refused(run(_mutated(net, 1, 1, "ent_scale", wg, lambda s: 0.5 * s)), "network", "differently")
    # every label weight halved (consistently): the OFF region moves past r + w
    weak = net
    for e in np.flatnonzero(lab.ent_pidx >= 0):
        weak = _mutated(weak, 1, 1, "ent_scale", int(e), lambda s: 0.25 * s)
    _refused(run(weak), "chain template")
    # the opening state m = 0 -> 0.5
    m0 = next(a for a in range(len(first[1].active)) if not (first[1].ent_row == first[1].active[a]).any())
    _refused(run(_mutated(net, 0, 1, "bias_base", m0, 0.5)), "network")
    # the input map's carry shift of one coordinate
    u0 = _rows(first[0], param_bias=False)[0]
    _refused(run(_mutated(net, 0, 0, "bias_base", u0, lambda b: b + 0.5)), "input map", "shift")
    # a wrong label in block 2 (a parameter of the chain segment): refused naming the block, and really wrong
    relabel = _with_params(net, 1, 1, ds.d, float(3 - ds.y[2]))
    rep = run(relabel)
    _refused(rep, "chain parameters", "block 2")
    assert 2 in rep.failed_points
    assert _refuted_by_milp(relabel, ds, cert.sigma)


def test_random_bias_mutants_past_the_margin_are_never_certified(tiny):
    """Every parameter-dependent bias of either template moved by +-(1..3) w: refused (a moved p_j / n_j kink or
    label is off the claimed pattern by more than the float slack)."""
    ds, net, cert = tiny
    rng = np.random.default_rng(0)
    for seg in (0, 1):
        for mi, t in enumerate(net.segments[seg].maps):
            for a in _rows(t, param_bias=True):
                delta = rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 3.0) * cert.w
                rep = certify_structural(
                    _mutated(net, seg, mi, "bias_base", a, lambda b: b + delta),  # noqa: B023 (called at once)
                    ds,
                    progress=False,
                )
                assert not rep.certified, (seg, mi, a, delta)
