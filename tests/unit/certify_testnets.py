"""Shared helpers of the generic-certifier tests: small random ReLU networks, dense-to-ReLUNetwork conversion,
dense ball sampling, the exact re-check of sampled values against bounds, and the table of constructions."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from robustmem.certify.layers import as_layer_source
from robustmem.construct import (
    construct_kim2025,
    construct_log_width,
    construct_remark11,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    construct_theorem16,
    construct_yu2024,
    construct_yu2024_lp,
)
from robustmem.data import Dataset, sphere_points
from robustmem.geometry import ball_vertices, on_sphere, uniform_in_ball
from robustmem.network.builder import Builder, Coef, Expr
from robustmem.network.network import ReLUNetwork

Layers = list[tuple[np.ndarray, np.ndarray]]
INF = math.inf


def random_layers(
    rng: np.random.Generator, d: int, widths: list[int], *, float32: bool = False, scale: float = 1.0
) -> Layers:
    """A random network R^d -> R with the given hidden widths (Gaussian weights and biases)."""
    dims = [d, *widths, 1]
    out = []
    for k in range(len(dims) - 1):
        W = rng.normal(size=(dims[k + 1], dims[k])) * scale / math.sqrt(dims[k])
        b = rng.normal(size=dims[k + 1]) * 0.5
        if float32:
            W, b = W.astype(np.float32).astype(np.float64), b.astype(np.float32).astype(np.float64)
        out.append((W, b))
    return out


def saturating_layers(g: Layers, label: int, threshold: float) -> Layers:
    """f(x) = label + relu(g(x) - threshold): exactly ``label`` wherever g <= threshold."""
    W, b = g[-1]
    return [*g[:-1], (W.copy(), b - threshold), (np.array([[1.0]]), np.array([float(label)]))]


def dense_network(layers: Layers) -> ReLUNetwork:
    """The ReLUNetwork with exactly these dense affine maps (zero weights are not stored)."""
    d = layers[0][0].shape[1]
    b = Builder([f"x{j}" for j in range(d)], raw_inputs=True)
    prev = [f"x{j}" for j in range(d)]
    for k, (W, bias) in enumerate(layers):
        exprs = {}
        for i in range(W.shape[0]):
            terms = {prev[t]: Coef(float(W[i, t])) for t in range(W.shape[1]) if W[i, t] != 0}
            exprs[f"h{k}_{i}"] = Expr(terms, float(bias[i]))
        if k == len(layers) - 1:
            b.output(exprs[f"h{k}_0"])
        else:
            b.layer(exprs, drop=[s for s in prev if s not in b.raw])
            prev = list(exprs)
    return ReLUNetwork.from_builder(b)


def ball_samples(center: np.ndarray, p: float, sigma: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Uniform points, sphere points and vertices / axis points of the closed ball (all certainly inside)."""
    c = np.asarray(center, dtype=np.float64)[None, :]
    parts = [
        uniform_in_ball(c, p, sigma, n, rng=rng)[0],
        on_sphere(c, p, sigma, n, rng=rng)[0],
        ball_vertices(c, p, sigma, n_random=n, rng=rng)[0],
        c,
    ]
    return np.concatenate(parts)


def assert_enclosed(net: object, points: np.ndarray, lower: float, upper: float) -> int:
    """Assert lower <= f(a) <= upper for every point; float64 values outside (or within 1e-9 relative of) the
    bounds are re-checked with the exact network, so rounding of the evaluation cannot fake a failure.
    Returns how many points needed the exact re-check."""
    src = as_layer_source(net)
    f = src.evaluate(points)
    slack = 1e-9 * (1.0 + np.abs(f))
    near = np.nonzero((f < lower + slack) | (f > upper - slack))[0]
    if len(near):
        exact = src.evaluate_exact(points[near])
        for i, v in zip(near, exact):
            assert Fraction(lower) <= v <= Fraction(upper), (
                f"point {i}: exact f = {float(v)!r} outside the bounds [{lower!r}, {upper!r}]"
            )
    return len(near)


def tiny() -> tuple[Dataset, float]:
    ds = sphere_points(3, 2, n_classes=2, seed=1)
    return ds, ds.separation(2.0).delta


#: construction -> (builder, does CROWN certify every ball at N = 3, d = 2?, does IBP?)
#: CROWN cannot see through the l_1 indicators (|a_j| relaxed separately: sum <= d sigma), the running maximum
#: of |a_j| in the Lemma 39 chain (Theorem 6, l_inf), or the squaring nets when the l_2 radius is tight
#: (Theorem 5 with p <= 2, log-width with p in {2, inf}); the MILP certifies those (test_certify_milp.py).
CONSTRUCTIONS = {
    "theorem5-pinf": (lambda ds, dl: construct_theorem5(ds, p=INF, sigma=0.2 * dl), True, False),
    "theorem5-p1": (lambda ds, dl: construct_theorem5(ds, p=1.0, sigma=0.3 * dl), False, False),
    "theorem5-p2": (lambda ds, dl: construct_theorem5(ds, p=2.0, sigma=0.3 * dl), False, False),
    "theorem6-p1": (lambda ds, dl: construct_theorem6(ds, p=1.0, sigma=0.3 * dl), False, False),
    "theorem6-pinf": (lambda ds, dl: construct_theorem6(ds, p=INF, sigma=0.2 * dl), False, False),
    "remark40-p1": (lambda ds, dl: construct_remark40(ds, p=1.0, sigma=0.3 * dl), False, False),
    "remark40-pinf": (lambda ds, dl: construct_remark40(ds, p=INF, sigma=0.2 * dl), True, True),
    "log-width-p1": (lambda ds, dl: construct_log_width(ds, p=1.0, width=7), True, False),
    "log-width-p2": (lambda ds, dl: construct_log_width(ds, p=2.0, width=7), False, False),
    "log-width-pinf": (lambda ds, dl: construct_log_width(ds, p=INF, width=7), False, False),
    "theorem16": (
        lambda ds, dl: construct_theorem16(ds, np.random.default_rng(1).normal(size=(1, 2)), p=2.0, sigma=0.02 * dl),
        True,
        False,
    ),
    "remark11": (lambda ds, dl: construct_remark11(ds), True, True),
    "yu2024": (lambda ds, dl: construct_yu2024(ds, sigma=0.2 * dl), True, True),
    "kim2025": (lambda ds, dl: construct_kim2025(ds, sigma=0.1 * dl), True, False),
    "kim2025-theorem16": (lambda ds, dl: construct_kim2025(ds, sigma=0.1 * dl, memorizer="theorem16"), True, False),
    "yu2024-lp-p2": (lambda ds, dl: construct_yu2024_lp(ds, p=2, sigma=0.1 * dl), True, False),
}
