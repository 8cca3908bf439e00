"""The structural certifier (robustmem.certify.structural): certifies what the constructions claim, refuses
tampered certificates and weights naming the block, agrees with falsification, scales to N = 10^4."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from property.strategies import separated_datasets

from robustmem.certify.structural import SUPPORTED, certify_structural
from robustmem.certify.structural import certifier as structural_module
from robustmem.certify.structural.geometry import cplus_upper, spectral_upper
from robustmem.certify.structural.pl import PL, combine
from robustmem.certify.structural.report import StructuralCheck, StructuralReport
from robustmem.construct import (
    construct_log_width,
    construct_remark11,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    construct_theorem16,
    construct_yu2024,
    construct_zhang2017,
)
from robustmem.data import Dataset, sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError, VerificationError
from robustmem.network.network import ReLUNetwork, Segment
from robustmem.norms import c_plus_pq
from robustmem.verify import falsify

INF = math.inf


@pytest.fixture(scope="module")
def small():
    return sphere_points(10, 4, n_classes=3, seed=5)


def _delta(ds):
    return ds.separation(2.0).delta


BUILDERS = {
    "theorem5-p1": lambda ds: construct_theorem5(ds, p=1.0, sigma=0.3 * _delta(ds)),
    "theorem5-p2": lambda ds: construct_theorem5(ds, p=2.0, sigma=0.3 * _delta(ds)),
    "theorem5-pinf": lambda ds: construct_theorem5(ds, p=INF, sigma=0.1 * _delta(ds)),
    "theorem6-p1": lambda ds: construct_theorem6(ds, p=1.0, sigma=0.3 * _delta(ds)),
    "theorem6-pinf": lambda ds: construct_theorem6(ds, p=INF, sigma=0.2 * _delta(ds)),
    "remark40-p1": lambda ds: construct_remark40(ds, p=1.0, sigma=0.3 * _delta(ds)),
    "remark40-pinf": lambda ds: construct_remark40(ds, p=INF, sigma=0.2 * _delta(ds)),
    "log-width-p1": lambda ds: construct_log_width(ds, p=1.0, width=8),
    "log-width-p2": lambda ds: construct_log_width(ds, p=2.0, width=8),
    "log-width-pinf": lambda ds: construct_log_width(ds, p=INF, width=9),
    "theorem16": lambda ds: construct_theorem16(
        ds, np.random.default_rng(1).normal(size=(3, 4)) / 3, p=2.0, sigma=0.02 * _delta(ds)
    ),
    "remark11": lambda ds: construct_remark11(ds),
}


@pytest.fixture(scope="module")
def built(small):
    return {name: make(small) for name, make in BUILDERS.items()}


# ----- the exact calculus -----
def _square_net(M: int) -> PL:
    """f_M on [0, 2] pushed through the hat recursion with PL arithmetic (Lemma 41)."""
    t = PL.affine(Fraction(1), Fraction(0), Fraction(0), Fraction(2))
    g, acc = t, t
    for s in range(1, M + 1):
        r = [combine([(Fraction(1), g)], Fraction(-c)).relu() for c in (0, Fraction(1, 2), 1)]
        g = combine([(Fraction(2), r[0]), (Fraction(-4), r[1]), (Fraction(2), r[2])])
        acc = combine([(Fraction(1), acc), (Fraction(-1, 4**s), g)])
    return acc


@pytest.mark.parametrize("M", [1, 3, 6])
def test_squaring_net_error_is_exactly_the_lemma_bound(M):
    f = _square_net(M)
    assert f.max_minus_psi(Fraction(0), Fraction(1), "square") == Fraction(1, 4 ** (M + 1))  # attained at midpoints
    assert f.max_psi_minus(Fraction(0), Fraction(1), "square") == 0  # f_M >= t^2, equal at the nodes
    assert f.pieces == 2**M + 1  # 2^M pieces on [0, 1], then f = t on [1, 2]
    assert f(Fraction(3, 2)) == Fraction(3, 2)


def test_pl_operations_agree_with_float_evaluation():
    rng = np.random.default_rng(0)
    xs = sorted({Fraction(int(v), 64) for v in rng.integers(-256, 256, size=12)} | {Fraction(-4), Fraction(4)})
    f = PL(xs, [Fraction(int(v), 8) for v in rng.integers(-40, 40, size=len(xs))])
    g = combine([(Fraction(3), f), (Fraction(-1, 2), f.relu())], Fraction(1, 3))
    for x in rng.uniform(-4, 4, size=200):
        fx = float(f(Fraction(x)))
        assert float(g(Fraction(x))) == pytest.approx(3 * fx - 0.5 * max(fx, 0.0) + 1 / 3, abs=1e-12)
    grid = [Fraction(i, 512) for i in range(-2048, 2049)]
    assert max(float(f(x)) - float(x * x) for x in grid) <= float(f.max_minus_psi(Fraction(-4), Fraction(4), "square"))
    R = Fraction(5, 2)
    assert max(min(float(x * x), 6.25) - float(f(x)) for x in grid) <= float(f.max_saturated_gap("square", R))


def test_float_running_maximum_lemma():
    """RN(m + RN(y - m)) == y for floats 0 <= m <= y, y a small integer (random and tie-prone m)."""
    rng = np.random.default_rng(7)
    for y in (1.0, 2.0, 3.0, 7.0, 1024.0):
        m = np.concatenate(
            [
                rng.uniform(0, y, 100_000),
                y * rng.uniform(0, 1, 1000) ** 40,
                np.ldexp(rng.integers(1, 2**20, 1000).astype(float), -rng.integers(20, 80, 1000)),
                np.nextafter(y, 0) - np.arange(64) * np.spacing(y),
            ]
        )
        m = m[(m >= 0) & (m <= y)]
        assert np.all((m + (y - m)) == y)


def test_spectral_and_cplus_bounds():
    rng = np.random.default_rng(2)
    for W in (np.linalg.qr(rng.normal(size=(30, 6)))[0].T, rng.normal(size=(5, 9))):
        s = spectral_upper(W)
        assert np.linalg.norm(W, 2) <= s <= np.linalg.norm(W, 2) * (1 + 1e-6)
    for p, q, d in ((INF, 2.0, 784), (3.0, 2.0, 10), (1.0, 2.0, 5), (INF, 1.0, 7), (2.0, 1.0, 9)):
        c = cplus_upper(p, q, d)
        assert c >= c_plus_pq(p, q, d) and c <= c_plus_pq(p, q, d) * 1.2


# ----- certifies what the constructions claim -----
@pytest.mark.parametrize("name", list(BUILDERS))
def test_certifies_each_supported_construction(built, small, name):
    net, cert = built[name]
    rep = certify_structural(net, small, progress=False)
    assert rep.certified, rep.summary()
    assert rep.exact_network and rep.float64_evaluation
    assert rep.n_certified == small.N and rep.n_failed == 0 and rep.reason is None
    assert rep.certified_radius == cert.sigma
    assert rep.template_radii[0] <= cert.r and rep.template_radii[1] >= cert.r + cert.w * (1 - 1e-15)
    assert rep.radius_bound >= cert.sigma * (1 - 1e-9)
    blocks = {c.block for c in rep.checks}
    assert {"input map", "chain template", "chain parameters", "output map", "geometry"} <= blocks
    json.dumps(rep.to_dict())
    assert "CERTIFIED" in rep.summary()


_BY_NAME = {"theorem5": construct_theorem5, "theorem6": construct_theorem6, "remark40": construct_remark40}


@given(
    ds=separated_datasets(max_n=10, max_d=3),
    which=st.sampled_from(
        [
            ("theorem5", 2.0),
            ("theorem5", INF),
            ("theorem6", 1.0),
            ("theorem6", INF),
            ("remark40", 1.0),
            ("remark40", INF),
        ]
    ),
    fraction=st.sampled_from([0.0, 0.2, 0.45]),
)
# sigma = 0 with exact indicators: r is only the float slack (a few ulps of the shift B); the float64 ON proof
# once failed here because the rounding bounds used whole-domain magnitudes (now: the ON box, Sterbenz offsets)
@example(
    ds=Dataset.from_arrays([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.2, 1.0, 0.6]], [1, 2, 1]),
    which=("theorem6", INF),
    fraction=0.0,
)
@example(
    ds=Dataset.from_arrays([[0.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.2, 1.0, 0.6]], [1, 2, 1]),
    which=("remark40", 1.0),
    fraction=0.0,
)
def test_every_large_width_network_is_certified(ds, which, fraction):
    """Every network the large-width constructions return (any sigma below the theorem's limit) is certified,
    for the exact network and for its float64 evaluation."""
    name, p = which
    sigma = fraction * ds.separation(2.0).delta / c_plus_pq(p, 2.0, ds.d)
    try:
        net, _ = _BY_NAME[name](ds, p=p, sigma=sigma)
    except HypothesisError:  # e.g. a margin too small for float64 weights: nothing is built, nothing to certify
        assume(False)
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified, rep.summary()


def test_exact_arithmetic_mode(built, small):
    net, _ = built["theorem6-pinf"]
    rep = certify_structural(net, small, arithmetic="exact", progress=False)
    assert rep.certified and rep.float64_evaluation is None
    assert not any("(float64)" in c.name for c in rep.checks)
    with pytest.raises(InvalidArgumentError, match="arithmetic"):
        certify_structural(net, small, arithmetic="float32", progress=False)  # type: ignore[arg-type]


# ----- refuses tampered certificates and weights, naming the block -----
def _with_segment(net, idx, seg):
    segs = list(net.segments)
    segs[idx] = seg
    return ReLUNetwork(segs, meta=net.meta)


def _refused(rep, block):
    assert not rep.certified and not rep.exact_network
    assert rep.reason and rep.reason.startswith(block), rep.reason
    assert any(c.block == block and not c.passed for c in rep.checks)
    assert rep.n_certified < rep.n_points


@pytest.mark.parametrize("name", ["log-width-p2", "theorem6-pinf"])
def test_refuses_tampered_certificates(built, small, name):
    net, cert = built[name]
    run = lambda c: certify_structural(net, small, c, progress=False)
    _refused(run(dataclasses.replace(cert, sigma=cert.sigma * 1.5)), "geometry")
    _refused(run(dataclasses.replace(cert, r=cert.r * 1.5)), "chain template")
    _refused(run(dataclasses.replace(cert, w=cert.w * 1e-3)), "chain template")
    _refused(run(dataclasses.replace(cert, shift=cert.shift * 2)), "input map")
    if cert.projection is not None:
        P = np.array(cert.projection)
        P[0, 1] += 1e-6
        _refused(run(dataclasses.replace(cert, projection=tuple(map(tuple, P)))), "input map")


def test_refuses_a_wrong_label_in_a_block(built, small):
    net, _ = built["log-width-p2"]
    seg = net.segments[1]
    params = seg.params.copy()
    params[4, -1] = params[4, -1] % 3 + 1
    rep = certify_structural(_with_segment(net, 1, Segment(seg.maps, params, name=seg.name)), small, progress=False)
    _refused(rep, "chain parameters")
    assert "block 4" in rep.reason


def _perturbed_map(seg, value: float, new: float, skip: int = 0):
    maps = list(seg.maps)
    for ti, t in enumerate(maps):
        hit = np.flatnonzero((t.ent_base == value) & (t.ent_pidx < 0))
        if hit.size and ti >= skip:
            base = t.ent_base.copy()
            base[hit[0]] = new
            maps[ti] = dataclasses.replace(t, ent_base=base, _cache={})
            return Segment(tuple(maps), seg.params, name=seg.name)
    raise AssertionError(f"no weight {value} in the template")


def test_refuses_a_perturbed_squaring_weight(built, small):
    net, _ = built["log-width-p2"]
    tampered = _with_segment(net, 1, _perturbed_map(net.segments[1], -4.0, -4.5, skip=3))
    assert np.array_equal(tampered(small.X), net(small.X))  # still fits the centres: only the balls break
    _refused(certify_structural(tampered, small, progress=False), "chain template")


def test_refuses_a_changed_shift_in_the_weights(built, small):
    net, _ = built["theorem5-p2"]
    t0 = net.segments[0].maps[0]
    bias = t0.bias_base.copy()
    bias[0] += 0.5
    seg0 = Segment((dataclasses.replace(t0, bias_base=bias, _cache={}),), net.segments[0].params, name="input")
    _refused(certify_structural(_with_segment(net, 0, seg0), small, progress=False), "input map")


def test_refuses_an_unrecognizable_running_maximum(built, small):
    net, _ = built["theorem6-p1"]
    seg = net.segments[1]
    last = seg.maps[-1]
    base = last.ent_base.copy()
    base[:] = np.where(base == 1.0, 2.0, base)  # m' = 2 m + 2 d is not max(m, z)
    maps = seg.maps[:-1] + (dataclasses.replace(last, ent_base=base, _cache={}),)
    rep = certify_structural(_with_segment(net, 1, Segment(maps, seg.params, name=seg.name)), small, progress=False)
    _refused(rep, "network")
    assert "running maximum" in rep.reason


def test_unsupported_constructions_raise(small):
    net, _ = construct_zhang2017(small)
    with pytest.raises(VerificationError, match="unsupported construction"):
        certify_structural(net, small, progress=False)
    assert certify_structural(construct_yu2024(small, sigma=0.01).network, small, progress=False).certified
    bare = ReLUNetwork(construct_theorem6(small, p=1.0, sigma=0.01).network.segments)
    with pytest.raises(VerificationError, match="no certificate"):
        certify_structural(bare, small, progress=False)
    assert set(SUPPORTED) == {
        "theorem5",
        "theorem6",
        "remark40",
        "log-width",
        "theorem16",
        "remark11",
        "kim2025",
        "yu2024",
        "yu2024-lp",
        "theorem32",
        "theorem33",
        "theorem35",
        "theorem31",
    }


def test_report_invariants():
    chk = StructuralCheck("x", "geometry", False, "claim", "comparison")
    kw = dict(
        construction="theorem6",
        theorem="Theorem 6",
        p=1.0,
        sigma=0.1,
        n_points=2,
        arithmetic="float64",
        checks=(chk,),
        exact_network=True,
        float64_evaluation=True,
        n_certified=2,
        n_failed=0,
        failed_points=(),
        radius_bound=0.1,
        template_radii=(0.1, 0.2),
        seconds=0.0,
    )
    with pytest.raises(InvalidArgumentError, match="certified with a failure"):
        StructuralReport(**kw, reason=None)
    with pytest.raises(InvalidArgumentError, match="without a reason"):
        StructuralReport(**{**kw, "exact_network": False, "checks": ()}, reason=None)
    with pytest.raises(InvalidArgumentError, match="check method"):
        StructuralCheck("x", "geometry", True, "claim", "guess")  # type: ignore[arg-type]


# ----- agreement with falsification -----
@pytest.mark.parametrize("name", ["theorem5-p2", "theorem6-pinf", "remark40-p1", "log-width-p2"])
def test_agrees_with_falsification(built, small, name):
    """Certified at the claim: the attacks find nothing.  At 1.5 sigma the attacks break the network, and the
    certifier must refuse (it may never certify what an attack breaks)."""
    net, cert = built[name]
    for factor in (1.0, 1.5):
        sigma = cert.sigma * factor
        rep = certify_structural(net, small, sigma=sigma, progress=False)
        fal = falsify(net, small, p=cert.p, sigma=sigma, n_random=16, n_boundary=16, pgd_steps=8, pgd_restarts=1)
        assert not (rep.certified and fal.n_counterexamples)
        if factor == 1.0:
            assert rep.certified and fal.n_counterexamples == 0
        else:
            assert fal.n_counterexamples > 0 and not rep.certified


# ----- scale (slow) -----
@pytest.mark.slow
def test_scale_log_width_n10000_d784_k32():
    """The largest network the package builds in experiments/scale.py: certified, time printed."""
    ds = sphere_points(10_000, 784, n_classes=10, seed=0)
    net, _cert = construct_log_width(ds, p=2.0, width=32, projection="random", seed=0)
    t = time.perf_counter()
    rep = certify_structural(net, ds, progress=False)
    print(
        f"\nstructural certificate of N = 10^4, d = 784, k = 32 (depth {net.depth:,}): {time.perf_counter() - t:.1f} s"
    )
    print(rep.summary())
    assert rep.certified and rep.n_certified == ds.N


def test_verdict_per_point():
    """A moved point fails alone (its ball leaves its block's ON region); the others stay certified."""
    ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 3.0]], [1, 2, 1])
    net, cert = construct_theorem6(ds, p=INF, sigma=0.2)
    moved = Dataset.from_arrays([[0.0, 0.0], [0.7, 0.0], [0.0, 3.0]], [1, 2, 1])
    rep = certify_structural(net, moved, progress=False)
    assert any(c.name == "dataset fingerprint" and not c.passed for c in rep.checks)  # refused outright ...
    assert rep.n_certified == 0
    rep = certify_structural(net, moved, dataclasses.replace(cert, dataset_fingerprint=""), progress=False)
    assert not rep.certified and rep.failed_points == (1,) and rep.n_certified == 2  # ... or point by point
    assert rep.reason.startswith("geometry")


def test_float_off_criterion_brings_every_higher_label_down_to_the_least_label(monkeypatch) -> None:
    """Theorem 37 needs z_b <= y_i from each block with y_b > y_i; with labels 1..4, y_i = 1 lies below
    y_b - 1 = 3 for y_b = 4, so the float64 OFF bound must reach the least label, not y_b - 1."""
    made = []
    real = structural_module.Regions

    def recording(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(structural_module, "Regions", recording)
    ds = sphere_points(12, 4, n_classes=4, seed=2)
    assert set(ds.y.tolist()) == {1, 2, 3, 4}
    for net, _ in (construct_theorem6(ds, p=math.inf, sigma=0.01), construct_log_width(ds, p=2.0, width=8)):
        made.clear()
        rep = certify_structural(net, ds, progress=False)
        assert rep.certified and made
        for reg in made:
            assert reg.floor == 1
            need = reg.v_need(True, "drop")
            for y, g in zip(reg.facts.labels, reg.facts.gamma):
                if y > 1:  # the exact value y + gamma V at V = need is already <= the least label
                    assert Fraction(float(y)) + Fraction(float(g)) * need <= 1
