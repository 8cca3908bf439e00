"""Rigorous IBP / CROWN bounds (robustmem.certify.propagation) and their float64 rounding policy.

* rounding policy: every primitive of robustmem.certify.rounding is compared with exact rational arithmetic,
  including the cases where it must be exact (no widening) and where it must widen;
* soundness against ground truth: on random ReLU networks (float64 and float32-valued weights, several
  widths and depths, windows) the bounds contain f at uniform, boundary and vertex points of l_inf, l_2 and
  l_1 balls (float64 values near a bound are re-checked exactly); CROWN is inside IBP at every ball and
  strictly tighter on average, and exactly tight on a network that IBP cannot bound;
* exactness: saturated networks get lower = upper = y exactly, and the package's constructions are
  certified by CROWN where its relaxation can see the saturation (table below), never where they break;
* streaming: a deep network is processed with O(window) layers alive;
* validation, reports and doctests.
"""

from __future__ import annotations

import functools
import json
import math
import weakref
from fractions import Fraction

import numpy as np
import pytest
from certify_testnets import CONSTRUCTIONS, assert_enclosed, ball_samples, random_layers, saturating_layers, tiny
from hypothesis import example, given
from hypothesis import strategies as st

import robustmem.certify as certify_pkg
from robustmem.certify import CertifyReport, certify, output_bounds, rounding
from robustmem.certify import layers as layers_module
from robustmem.certify.layers import Layer, LayerSource
from robustmem.construct import construct_remark40, construct_theorem5
from robustmem.data import Dataset, sphere_points
from robustmem.errors import InvalidArgumentError
from robustmem.gadgets import indicators as ind
from robustmem.gadgets.chain import chain_network

INF = math.inf
NORMS = [1.0, 2.0, INF]


def F(x: float) -> Fraction:
    return Fraction(float(x))


# ----- the rounding policy, against exact arithmetic -----


def _special_floats(rng: np.random.Generator, n: int) -> np.ndarray:
    pool = np.concatenate(
        [
            rng.normal(size=n),
            rng.normal(size=n) * 1e-300,
            rng.normal(size=n) * 1e300,
            rng.integers(-9, 9, n),
            np.ldexp(1.0, rng.integers(-1074, -1022, n)) * rng.integers(1, 9, n),
            [0.0, -0.0, 5e-324, 1.0, 0.1, 2**52 + 1],
        ]
    )
    return pool


def test_parts_decompose_every_float_exactly() -> None:
    x = _special_floats(np.random.default_rng(0), 200)
    q, nb = rounding.parts(x)
    for v, qq, bb in zip(x, q, nb):
        if v == 0:
            assert bb == 0
            continue
        m = F(v) / Fraction(2) ** int(qq)
        assert m.denominator == 1 and m.numerator % 2 != 0, v  # an odd integer
        assert abs(m.numerator).bit_length() == bb, v


@pytest.mark.parametrize("kind", ["gauss", "dyadic", "mixed-scale", "float32", "sparse"])
def test_enclose_matmul_contains_the_exact_product(kind: str) -> None:
    rng = np.random.default_rng(hash(kind) % 2**32)
    for _ in range(20):
        m, n, k = rng.integers(1, 6, 3)
        A, B = rng.normal(size=(m, n)), rng.normal(size=(n, k))
        if kind == "dyadic":
            A, B = np.round(A * 8) / 8, np.round(B * 16) / 4
        elif kind == "mixed-scale":
            A *= 10.0 ** rng.integers(-200, 200, A.shape)
        elif kind == "float32":
            A, B = A.astype(np.float32).astype(float), B.astype(np.float32).astype(float)
        elif kind == "sparse":
            A[rng.random(A.shape) < 0.6] = 0.0
        M, E = rounding.enclose_matmul(A, B)
        for i in range(m):
            for j in range(k):
                exact = sum((F(A[i, t]) * F(B[t, j]) for t in range(n)), Fraction(0))
                assert abs(exact - F(M[i, j])) <= F(E[i, j])
                if E[i, j] == 0:
                    assert F(M[i, j]) == exact
        if kind == "dyadic":  # small dyadic numbers multiply and add without rounding: no widening at all
            assert (E == 0).all()


def test_exactness_test_needs_the_per_term_check() -> None:
    """The separable test sees the fine bits of the first column and gives up on row 0; the per-term test
    notices that row 0 never multiplies them, so the entry stays exact (E = 0)."""
    A = np.array([[0.0, 3.0], [1.0, 1.0]])
    B = np.array([[1.0 + 2.0**-52], [2.0**40]])
    M, E = rounding.enclose_matmul(A, B)
    assert E[0, 0] == 0.0 and M[0, 0] == 3.0 * 2.0**40
    assert E[1, 0] > 0  # 1 + 2^-52 + 2^40 rounds


def test_directed_operations() -> None:
    tiny = 2.0**-60
    assert rounding.add_down(1.0, tiny) == 1.0 and rounding.add_up(1.0, tiny) > 1.0
    assert rounding.add_up(1.0, -tiny) == 1.0 and rounding.add_down(1.0, -tiny) < 1.0
    assert rounding.add_up(0.5, 0.25) == rounding.add_down(0.5, 0.25) == 0.75  # exact: no step
    assert rounding.mul_up(3.0, 0.5) == rounding.mul_down(3.0, 0.5) == 1.5
    a, b = 0.1, 0.3
    assert F(rounding.mul_down(a, b)) <= F(a) * F(b) <= F(rounding.mul_up(a, b))
    # underflow: TwoProduct is not exact there, so both directions step (to a subnormal)
    assert F(rounding.mul_down(1e-200, 1e-200)) <= F(1e-200) ** 2 <= F(rounding.mul_up(1e-200, 1e-200)) <= 2.0**-1073
    assert rounding.add_down(np.inf, -np.inf) == -np.inf and rounding.add_up(np.inf, -np.inf) == np.inf
    assert rounding.add_down(1e308, 1e308) == np.finfo(float).max  # overflow: a finite lower bound stays valid
    assert rounding.gamma(10) >= 10 * 2.0**-53 / (1 - 10 * 2.0**-53)


@pytest.mark.parametrize("p", NORMS)
def test_dual_norm_bounds(p: float) -> None:
    rng = np.random.default_rng(3)
    A = np.concatenate(
        [
            rng.normal(size=(30, 5)) * 10.0 ** rng.integers(-150, 150, (30, 1)),
            np.array([[0, 0, 0, 0, 0], [0, 0, -3.0, 0, 0], [1e-320, 0, 0, 0, 1e-320]]),
        ]
    )
    r = rounding.dual_norm_up(A, p)
    for row, bound in zip(A, r):
        v = [abs(F(x)) for x in row]
        if math.isinf(p):
            assert sum(v) <= F(bound)
        elif p == 1.0:
            assert max(v) == F(bound)
        else:
            assert sum(t * t for t in v) <= F(bound) ** 2
    assert r[-3] == 0.0 and r[-2] == 3.0  # a zero row is exactly 0; one non-zero entry is exact


def test_sum_up_is_exact_when_the_sum_is() -> None:
    assert rounding.sum_up(np.array([[0.5, 0.25, 4.0]]))[0] == 4.75
    x = np.array([[0.1, 0.2, 0.3]])
    assert F(rounding.sum_up(x)[0]) >= F(0.1) + F(0.2) + F(0.3)


# ----- soundness against sampled ground truth -----


@st.composite
def random_nets(draw: st.DrawFn) -> tuple[list, int, float]:
    seed = draw(st.integers(0, 2**32 - 1))
    d = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 7), min_size=0, max_size=4))
    float32 = draw(st.booleans())
    return random_layers(np.random.default_rng(seed), d, widths, float32=float32), seed, d


@given(
    net=random_nets(), p=st.sampled_from(NORMS), sigma=st.sampled_from([0.0, 0.01, 0.3, 2.0]), window=st.integers(1, 6)
)
@example(net=(random_layers(np.random.default_rng(0), 2, [5, 5, 5]), 0, 2), p=1.0, sigma=2.0, window=1)
def test_bounds_contain_f_on_every_sampled_point(net: tuple, p: float, sigma: float, window: int) -> None:
    layers, seed, d = net
    rng = np.random.default_rng(seed)
    C = rng.normal(size=(3, d))
    ibp = output_bounds(layers, C, p=p, sigma=sigma, method="ibp")
    crown = output_bounds(layers, C, p=p, sigma=sigma, method="crown", window=window)
    for i in range(3):
        pts = ball_samples(C[i], p, sigma, 150, rng) if sigma > 0 else C[i : i + 1]
        for ob in (ibp, crown):
            assert_enclosed(layers, pts, ob.lower[i], ob.upper[i])
        assert ibp.lower[i] <= crown.lower[i] <= crown.upper[i] <= ibp.upper[i]  # CROWN never looser
    if sigma == 0.0:  # a point: both bounds are within a few ulps of the value
        f = layers_module.as_layer_source(layers).evaluate(C)
        assert np.all(np.abs(crown.upper - crown.lower) <= 1e-9 * (1 + np.abs(f)))


def test_crown_is_tighter_than_ibp_on_average() -> None:
    rng = np.random.default_rng(7)
    ratios = []
    for t in range(30):
        layers = random_layers(rng, 3, [6, 6, 6])
        C = rng.normal(size=(4, 3))
        p = NORMS[t % 3]
        ibp = output_bounds(layers, C, p=p, sigma=0.2, method="ibp")
        crown = output_bounds(layers, C, p=p, sigma=0.2, method="crown")
        flat = ibp.width == 0  # a constant network on the ball (every ReLU dead): both bounds are exact
        assert (crown.width[flat] == 0).all()
        ratios.extend(crown.width[~flat] / ibp.width[~flat])
    assert len(ratios) >= 100 and max(ratios) <= 1.0 and np.mean(ratios) < 0.8


@pytest.mark.parametrize("p", NORMS)
def test_crown_is_exact_where_ibp_cannot_be(p: float) -> None:
    """f(x) = relu(x_0 + 10) - relu(x_0 + 10) = 0: IBP loses the cancellation (width 2 sigma ||.||), CROWN
    sees that both ReLUs are active and cancels exactly: lower = upper = 0."""
    layers = [(np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([10.0, 10.0])), (np.array([[1.0, -1.0]]), np.zeros(1))]
    C = np.array([[0.3, -0.7]])
    ibp = output_bounds(layers, C, p=p, sigma=0.5, method="ibp")
    crown = output_bounds(layers, C, p=p, sigma=0.5, method="crown")
    assert ibp.lower[0] <= -1.0 and ibp.upper[0] >= 1.0
    assert crown.lower[0] == 0.0 and crown.upper[0] == 0.0


@pytest.mark.parametrize("method", ["ibp", "crown"])
def test_saturated_networks_get_exact_bounds(method: str) -> None:
    """f = 3 + relu(g(x) - c) with c far above g on the ball: the ReLU is provably off, f = 3 exactly."""
    rng = np.random.default_rng(11)
    g = random_layers(rng, 2, [4, 4])
    C = rng.normal(size=(5, 2))
    net = saturating_layers(g, 3, threshold=100.0)
    ob = output_bounds(net, C, p=INF, sigma=0.1, method=method)
    assert (ob.lower == 3.0).all() and (ob.upper == 3.0).all()
    rep = certify(net, Dataset(C, np.full(5, 3)), p=INF, sigma=0.1, method=method, progress=False)
    assert rep.all_certified and rep.n_round_certified == 5


def test_longer_windows_are_never_looser_on_a_chain() -> None:
    """Each prefix of a window is a valid window, so the bound of window w + 1 contains no worse bound."""
    ds = sphere_points(4, 3, n_classes=2, seed=5)
    net, cert = construct_theorem5(ds, p=INF, sigma=0.2 * ds.separation(2.0).delta)
    widths = [output_bounds(net, ds.X, p=INF, sigma=cert.sigma, window=w).width for w in (1, 2, 4, 8)]
    assert all((b <= a).all() for a, b in zip(widths, widths[1:]))


# ----- rounding soundness on a network that is wrong by 1e-14 -----


def _chain_data() -> Dataset:
    rng = np.random.default_rng(20)
    grid = np.array([[x, y, 0.0] for x in (-0.6, 0.0, 0.6) for y in (-0.5, 0.5)])
    anchors = grid + rng.uniform(-0.05, 0.05, grid.shape)
    partners = anchors[:3] + np.array([0.16, 0.0, 0.0])
    labels = np.array([1, 2, 3, 1, 2, 3])
    return Dataset(np.concatenate([anchors, partners]), np.concatenate([labels, labels[:3] % 3 + 1]))


@pytest.mark.parametrize("method", ["ibp", "crown"])
def test_no_certificate_for_a_chain_that_rounding_breaks(method: str) -> None:
    """The Lemma 39 chain built at exactly r = sigma misses its label by ~1e-14 on part of its balls in exact
    arithmetic (tests/unit/test_verify.py shows exact counterexamples); no such ball may be certified.  With
    r = 1.01 sigma the parallel l_inf indicator (Remark 40) is certified exactly on every ball."""
    data = _chain_data()
    for r_net, expect_all in ((0.05, False), (0.05 * 1.01, True)):
        emitter = functools.partial(ind.indicator_linf_par, r=r_net, w=0.05, shift=4.0)
        net = chain_network(data.X, data.y, emitter, shift=4.0, input_dim=3)
        rep = certify(net, data, p=INF, sigma=0.05, method=method, progress=False)
        assert rep.all_certified == expect_all
        if not expect_all:
            from robustmem.verify import falsify

            fr = falsify(net, data, p=INF, sigma=0.05, n_random=0, boundary=False, pgd=False)
            broken = {c.ball for c in fr.counterexamples if c.exact_confirmed}
            assert broken and not broken & set(rep.certified_indices())


# ----- the package's constructions -----


@pytest.mark.parametrize("name", sorted(CONSTRUCTIONS))
def test_constructions_with_bounds(name: str) -> None:
    ds, dl = tiny()
    build, crown_ok, ibp_ok = CONSTRUCTIONS[name]
    net, cert = build(ds, dl)
    for method, ok in (("crown", crown_ok), ("ibp", ibp_ok)):
        rep = certify(net, ds, p=cert.p, sigma=cert.sigma, method=method, progress=False)
        assert rep.all_certified == ok, rep.summary()
        assert rep.n_refuted == 0  # the constructions are correct: nothing may be refuted
        if ok:
            assert rep.lower == rep.upper == tuple(float(v) for v in ds.y)


@pytest.mark.parametrize("p, sigma_frac", [(INF, 0.2), (1.0, 0.3)])
def test_crown_scales_to_a_deeper_chain(p: float, sigma_frac: float) -> None:
    """Remark 40 (l_inf) on N = 60 points in d = 4 (depth 242): CROWN certifies every ball; with l_1 it cannot
    (the l_1 indicator), and says 'unknown', never 'refuted'."""
    ds = sphere_points(60, 4, n_classes=3, seed=2)
    net, cert = construct_remark40(ds, p=p, sigma=sigma_frac * ds.separation(2.0).delta)
    rep = certify(net, ds, p=p, sigma=cert.sigma, method="crown", points=range(0, 60, 6), progress=False)
    assert rep.n_checked == 10 and rep.n_refuted == 0
    assert rep.all_certified == math.isinf(p)


# ----- streaming -----


class _CountingSource(LayerSource):
    """A deep network generated layer by layer; counts the weight matrices alive at any time."""

    def __init__(self, depth: int, width: int) -> None:
        super().__init__(None, None, 2, depth, tuple([width] * (depth - 1)))
        self.width, self.alive, self.peak = width, 0, 0

    def _track(self, W: np.ndarray) -> np.ndarray:
        self.alive += 1
        self.peak = max(self.peak, self.alive)
        weakref.finalize(W, self._dead)
        return W

    def _dead(self) -> None:
        self.alive -= 1

    def layers(self):  # type: ignore[override]
        rng = np.random.default_rng(0)
        for k in range(1, self.depth + 1):
            n = 2 if k == 1 else self.width
            m = 1 if k == self.depth else self.width
            W = rng.normal(size=(m, n)) / n
            if k > 1:
                W[: min(m, n), : min(m, n)] += np.eye(min(m, n))
            yield Layer(k, self._track(W), rng.normal(size=m) * 0.1, k == self.depth)


@pytest.mark.parametrize("method, window", [("ibp", 8), ("crown", 5)])
def test_layers_are_streamed(method: str, window: int) -> None:
    src = _CountingSource(depth=300, width=7)
    ob = output_bounds(src, np.zeros((2, 2)), p=INF, sigma=0.01, method=method, window=window)
    assert np.isfinite(ob.lower).all() and ob.depth == 300
    assert src.peak <= window + 3  # the window, the layer being read, and the generator's reference


# ----- validation, reports, docs -----


def test_arguments_are_validated() -> None:
    net = [(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))]
    C = np.zeros((1, 2))
    cases = [
        (dict(p=3), "p in {1, 2, inf}"),
        (dict(sigma=-1.0), "sigma"),
        (dict(method="crwn"), "method"),
        (dict(window=0), "window"),
    ]
    for kw, text in cases:
        args = {"p": INF, "sigma": 0.1, "method": "crown", "window": 2, **kw}
        with pytest.raises(InvalidArgumentError, match=text):
            output_bounds(net, C, **args)
    with pytest.raises(InvalidArgumentError, match=r"shape \(n >= 1, 2\)"):
        output_bounds(net, np.zeros((1, 3)), p=INF, sigma=0.1)
    bad_nets = [
        ([(np.eye(2), np.zeros(2)), (np.ones((2, 2)), np.zeros(2))], "scalar"),
        ([(np.eye(2), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))], "layer 2 reads 3 inputs but layer 1 outputs 2"),
        ([(np.array([[np.nan, 1.0]]), np.zeros(1))], r"layer 1: W\(0, 0\) = nan"),
        ([(np.eye(2), np.zeros(3))], "layer 1: b has shape"),
        ([], "no layers"),
        ("net.onnx", "ReLUNetwork or a sequence"),
    ]
    for bad, text in bad_nets:
        with pytest.raises(InvalidArgumentError, match=text):
            output_bounds(bad, C, p=INF, sigma=0.1)
    data = Dataset(np.zeros((2, 2)) + np.eye(2), [1, 2])
    for kw, text in (
        (dict(points=[0, 0]), "twice"),
        (dict(points=[5]), r"points\[0\] = 5"),
        (dict(points="01"), "sequence"),
        (dict(time_limit=0), "time_limit"),
        (dict(trust_bounds=1), "trust_bounds"),
    ):
        with pytest.raises(InvalidArgumentError, match=text):
            certify(net, data, p=INF, sigma=0.1, method="crown", progress=False, **kw)


def test_report_fields_json_and_invariants() -> None:
    net = [(np.array([[1.0], [-1.0]]), np.array([-1.0, -1.0])), (np.array([[-1.0, -1.0]]), np.array([2.0]))]
    data = Dataset(np.array([[0.0], [3.0], [1.0]]), [2, 1, 2])  # f = 2 - relu(x - 1) - relu(-x - 1)
    lines: list[str] = []
    rep = certify(net, data, p=INF, sigma=0.5, method="crown", progress=lines.append)
    assert lines and "crown l_inf" in lines[-1]
    assert rep.status == ("certified", "refuted", "unknown") and rep.n_certified == 1
    assert rep.round_certified == (True, False, False) and rep.status_of(1) == "refuted"
    (cx,) = rep.counterexamples
    assert cx.index == 1 and cx.exact_output == 0 and cx.distance == 0.0 and cx.found_by == "centre"
    d = json.loads(json.dumps(rep.to_dict()))
    assert d["n_certified"] == 1 and d["counterexamples"][0]["exact_output"] == "0" and d["p"] == "inf"
    assert "1/3 certified, 1 refuted, 1 unknown" in rep.summary()
    import dataclasses

    with pytest.raises(InvalidArgumentError, match="certified with bounds"):
        dataclasses.replace(rep, lower=(1.5, -1.0, 1.0))
    with pytest.raises(InvalidArgumentError, match="counterexample listed"):
        dataclasses.replace(rep, counterexamples=())
    with pytest.raises(KeyError):
        rep.status_of(7)


def test_package_exports() -> None:
    for name in ("certify", "CertifyReport", "CertCounterexample", "output_bounds", "OutputBounds"):
        assert name in certify_pkg.__all__ and hasattr(certify_pkg, name)
    assert CertifyReport is certify_pkg.CertifyReport
