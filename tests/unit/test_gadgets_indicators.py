"""Ball indicators: Lemma 39 (l_inf), l_1, Lemma 38 (l_2 and integer p >= 3), Remark 40 (parallel).

Every kind must give, for x with carried coordinates x_j + shift >= 0,

    z = y0 on ||x - c||_p <= r,    z = 0 on ||x - c||_p >= r + w,    0 <= z <= y0,

checked EXACTLY (float64 weights read as rationals) at points on and near both spheres, and in
float64 on many random points.  The parameters are dyadic (c + shift, 1/w, Delta = w + 2r = 1,
r^p, w^p are exact float64 numbers) so that the weights encode the ball without rounding and the
boundary claims hold to the last bit; tests/property/test_gadget_props.py covers arbitrary
parameters.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.gadgets import (
    chain_block_maps,
    indicator_l1,
    indicator_l1_par,
    indicator_l2,
    indicator_linf,
    indicator_linf_par,
    indicator_lp,
    indicator_network,
    lp_indicator_steps,
    shifted_input_layer,
)
from robustmem.network.builder import Builder, Coef
from robustmem.network.exact import evaluate_exact
from robustmem.network.network import ReLUNetwork

CENTER = np.array([0.5, -0.25, 1.0])
LABEL, R, W, SHIFT = 3.0, 0.25, 0.5, 4.0
KINDS = {  # name: (p, parallel)
    "linf": (math.inf, False),
    "l1": (1, False),
    "l2": (2, False),
    "lp3": (3, False),
    "lp4": (4, False),
    "linf_par": (math.inf, True),
    "l1_par": (1, True),
}


def norm_pow(x: np.ndarray, c: np.ndarray, p: float) -> Fraction:
    """||x - c||_p^p (max for p = inf), exactly."""
    a = [abs(Fraction(float(u)) - Fraction(float(v))) for u, v in zip(x, c)]
    return max(a) if p == math.inf else sum(t ** int(p) for t in a)


def radius_pow(rho: float | Fraction, p: float) -> Fraction:
    return Fraction(rho) if p == math.inf else Fraction(rho) ** int(p)


def pull_inside(x: np.ndarray, c: np.ndarray, rho: float, p: float) -> np.ndarray:
    """Move x toward c one ulp per coordinate at a time until ||x - c||_p <= rho exactly."""
    while norm_pow(x, c, p) > radius_pow(rho, p):
        x = np.nextafter(x, c)
    return x


def push_outside(x: np.ndarray, c: np.ndarray, rho: float, p: float) -> np.ndarray:
    """Move x away from c one ulp per coordinate at a time until ||x - c||_p >= rho exactly."""
    while norm_pow(x, c, p) < radius_pow(rho, p):
        x = np.nextafter(x, np.where(x >= c, np.inf, -np.inf))
    return x


def sphere_points(rng: np.random.Generator, n: int, rho: float, p: float) -> np.ndarray:
    """n float points near the l_p sphere of radius rho around CENTER (directions with no zero entry)."""
    V = rng.uniform(0.05, 1.0, size=(n, len(CENTER))) * rng.choice([-1.0, 1.0], size=(n, len(CENTER)))
    norms = np.max(np.abs(V), axis=1) if p == math.inf else np.sum(np.abs(V) ** p, axis=1) ** (1 / p)
    return CENTER + rho * V / norms[:, None]


def axis_points(rho: float) -> np.ndarray:
    """CENTER +- rho e_j: exactly on the l_p sphere of radius rho for every p."""
    E = np.eye(len(CENTER))
    return np.concatenate([CENTER + rho * E, CENTER - rho * E])


def build(kind: str) -> ReLUNetwork:
    p, parallel = KINDS[kind]
    return indicator_network(CENTER, LABEL, R, W, p=p, shift=SHIFT, parallel=parallel)


def exact(net: ReLUNetwork, X: np.ndarray) -> list[Fraction]:
    return list(evaluate_exact(net, np.asarray(X, dtype=np.float64)).values)


@pytest.mark.parametrize("kind", list(KINDS))
class TestThreeCases:
    """Lemma 38 / Lemma 39 / Remark 40: the three-case guarantee, exactly."""

    def test_label_inside_including_the_sphere(self, kind: str) -> None:
        p = KINDS[kind][0]
        rng = np.random.default_rng(1)
        near = np.array([pull_inside(x, CENTER, R, p) for x in sphere_points(rng, 25, R, p)])
        assert min(norm_pow(x, CENTER, p) for x in near) >= radius_pow(R * (1 - 1e-13), p)  # really on the edge
        interior = CENTER + (sphere_points(rng, 15, R, p) - CENTER) * rng.uniform(0, 1, (15, 1))
        interior = np.array([pull_inside(x, CENTER, R, p) for x in interior])
        X = np.concatenate([[CENTER], axis_points(R), near, interior])
        assert exact(build(kind), X) == [Fraction(LABEL)] * len(X)

    def test_zero_outside_including_the_sphere(self, kind: str) -> None:
        p = KINDS[kind][0]
        rng = np.random.default_rng(2)
        near = np.array([push_outside(x, CENTER, R + W, p) for x in sphere_points(rng, 25, R + W, p)])
        assert max(norm_pow(x, CENTER, p) for x in near) <= radius_pow((R + W) * (1 + 1e-13), p)
        far = CENTER + (sphere_points(rng, 15, R + W, p) - CENTER) * rng.uniform(1, 3, (15, 1))
        X = np.concatenate([axis_points(R + W), near, far])
        assert exact(build(kind), X) == [Fraction(0)] * len(X)

    def test_between_zero_and_label(self, kind: str) -> None:
        p = KINDS[kind][0]
        rng = np.random.default_rng(3)
        X = CENTER + (sphere_points(rng, 40, 1.0, p) - CENTER) * rng.uniform(R, R + W, (40, 1))
        vals = exact(build(kind), X)
        assert all(0 <= v <= LABEL for v in vals)
        assert any(0 < v < LABEL for v in vals)  # the band is a ramp, not a step

    def test_float64_on_many_points(self, kind: str) -> None:
        """The same three cases in float64 evaluation, on 3000 random points."""
        p = KINDS[kind][0]
        rng = np.random.default_rng(4)
        X = CENTER + (sphere_points(rng, 3000, 1.0, p) - CENTER) * rng.uniform(0, 1.5, (3000, 1))
        z = build(kind)(X)
        dist = [norm_pow(x, CENTER, p) for x in X]
        inside = np.array([t <= radius_pow(R, p) for t in dist])
        outside = np.array([t >= radius_pow(R + W, p) for t in dist])
        assert inside.sum() > 100 and outside.sum() > 100
        assert (z[inside] == LABEL).all() and (z[outside] == 0).all()
        assert ((z >= 0) & (z <= LABEL)).all()


@pytest.mark.parametrize("kind", ["linf", "l1", "l1_par", "linf_par"])
def test_exact_kinds_follow_the_ramp(kind: str) -> None:
    """l_inf and l_1 are exact: z = y0 (1 - (||x - c|| - r) / w) in the band (for linf_par the
    penalty is sum_j relu(|a_j| - r), which is the same on the axes)."""
    p = KINDS[kind][0]
    rng = np.random.default_rng(5)
    X = CENTER + (sphere_points(rng, 30, 1.0, p) - CENTER) * rng.uniform(R, R + W, (30, 1))
    if kind == "linf_par":
        X = CENTER + np.eye(3)[rng.integers(0, 3, 30)] * rng.uniform(R, R + W, (30, 1))
    want = [Fraction(LABEL) * (1 - (norm_pow(x, CENTER, p) - Fraction(R)) / Fraction(W)) for x in X]
    assert exact(build(kind), X) == want


def lp2_network() -> ReLUNetwork:
    xs, us = ["x0", "x1", "x2"], ["u0", "u1", "u2"]
    b = Builder(xs, raw_inputs=True)
    shifted_input_layer(b, xs, us, SHIFT)
    z = indicator_lp(b, us, [Coef(float(v)) for v in CENTER], Coef(LABEL), R, W, p=2, shift=SHIFT)
    b.output(b.v(z))
    return ReLUNetwork.from_builder(b)


def test_lp_with_p2_computes_the_l2_indicator() -> None:
    """Lemma 38 with p = 2: indicator_lp and indicator_l2 are the same function (exactly, here)."""
    rng = np.random.default_rng(6)
    X = CENTER + rng.uniform(-1.2, 1.2, size=(300, 3)) * rng.uniform(0, 1, (300, 1))
    assert exact(lp2_network(), X) == exact(build("l2"), X)


# Table of robustmem.gadgets.indicators (and indicators_lp) for k = 3: (block width, block maps
# without the chain's two running-maximum maps).
K = 3
M2, M3, M4 = (lp_indicator_steps(K, R, W, p) for p in (2, 3, 4))
TABLE = {
    "linf": (lambda b, u, c, y: indicator_linf(b, u, c, y, R, W, shift=SHIFT), K + 4, 2 * K + 1),
    "l1": (lambda b, u, c, y: indicator_l1(b, u, c, y, R, W, shift=SHIFT), K + 4, K + 2),
    "l2": (lambda b, u, c, y: indicator_l2(b, u, c, y, R, W, shift=SHIFT, M=M2), K + 6, K * (M2 + 1) + 2),
    "lp2": (lambda b, u, c, y: indicator_lp(b, u, c, y, R, W, p=2, shift=SHIFT, M=M2), K + 5, K * (2 + M2) + 2),
    "lp3": (
        lambda b, u, c, y: indicator_lp(b, u, c, y, R, W, p=3, shift=SHIFT, M=M3),
        K + 7,
        K * (2 + M3 + 3 * M3 + 1) + 2,
    ),
    "lp4": (
        lambda b, u, c, y: indicator_lp(b, u, c, y, R, W, p=4, shift=SHIFT, M=M4),
        K + 7,
        K * (2 + M4 + 2 * (3 * M4 + 1)) + 2,
    ),
    "linf_par": (lambda b, u, c, y: indicator_linf_par(b, u, c, y, R, W, shift=SHIFT), 3 * K + 1, 2),
    "l1_par": (lambda b, u, c, y: indicator_l1_par(b, u, c, y, R, W, shift=SHIFT), 3 * K + 1, 3),
}


@pytest.mark.parametrize("kind", list(TABLE))
def test_width_and_depth_in_a_chain_block(kind: str) -> None:
    emitter, width, maps = TABLE[kind]
    block = chain_block_maps(K, emitter)
    assert max(m.out_dim for m in block.maps) == width
    assert len(block.maps) == maps + 2  # + running_max's two maps


def test_rejects_too_few_squaring_steps() -> None:
    need = lp_indicator_steps(3, R, W, 3)
    with pytest.raises(HypothesisError, match=f"M={need - 1} .* need M >= {need}"):
        indicator_network(CENTER, LABEL, R, W, p=3, shift=SHIFT, M=need - 1)
    with pytest.raises(HypothesisError, match=f"need M >= {M2}"):
        indicator_network(CENTER, LABEL, R, W, p=2, shift=SHIFT, M=M2 - 1)


def test_rejects_unsupported_norms() -> None:
    with pytest.raises(InvalidArgumentError, match="p=2.5"):
        indicator_network(CENTER, LABEL, R, W, p=2.5, shift=SHIFT)
    with pytest.raises(InvalidArgumentError, match="parallel .* p=2"):
        indicator_network(CENTER, LABEL, R, W, p=2, shift=SHIFT, parallel=True)
    with pytest.raises(InvalidArgumentError, match="label"):
        indicator_network(CENTER, 0.0, R, W, p=1, shift=SHIFT)
