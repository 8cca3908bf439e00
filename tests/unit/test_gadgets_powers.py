"""The power net t -> g_{p,M}(t) ~ t^p (Lemma 42 style, built from the squaring nets of Lemma 41).

Claims checked (module docstring of robustmem.gadgets.powers):
* the network computes exactly the formula (products of squares, clipped), in rationals;
* -4(p-2) 2^(-2M-2) <= g - t^p <= (2(p-2)+1) 2^(-2M-2) on [0, 1];
* g = g(clip(t, 0, 1)) in [0, 1] for every real t;
* width power_width(p) (3, or 5 for p >= 3) and depth power_depth(p, M) + 1.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets import (
    power_depth,
    power_error_bound,
    power_error_interval,
    power_network,
    power_reference,
    power_steps_for,
    power_width,
    square_error_bound,
)
from robustmem.network.exact import evaluate_exact
from robustmem.network.network import ReLUNetwork

CASES = [(2, 1), (2, 4), (3, 1), (3, 3), (3, 6), (4, 2), (4, 5), (5, 4), (7, 3)]


def exact(net: ReLUNetwork, t: np.ndarray) -> list[Fraction]:
    return list(evaluate_exact(net, np.asarray(t, dtype=np.float64)[:, None]).values)


@pytest.mark.parametrize("p,M", CASES)
def test_network_is_the_formula(p: int, M: int) -> None:
    """In rationals, the network equals the product-of-squares formula at awkward points."""
    net = power_network(p, M)
    rng = np.random.default_rng(p * 100 + M)
    t = np.concatenate([rng.uniform(0.0, 1.0, 60), [0.0, 1.0, 2.0**-M, 1.0 - 2.0**-30]])
    assert exact(net, t) == [power_reference(Fraction(v), p, M) for v in t]


@pytest.mark.parametrize("p,M", CASES)
def test_error_interval_on_a_dense_grid(p: int, M: int) -> None:
    """The signed error bounds hold on the dyadic grid of step 2^-12 (which contains every
    breakpoint j/2^M of f_M) and at random points."""
    net = power_network(p, M)
    t = np.concatenate([np.arange(2**12 + 1) / 2**12, np.random.default_rng(p + M).uniform(0, 1, 40)])
    errs = [g - Fraction(v) ** p for g, v in zip(exact(net, t), t)]
    lo, hi = power_error_interval(p, M)
    assert Fraction(lo) <= min(errs) and max(errs) <= Fraction(hi)
    assert max(abs(e) for e in errs) <= Fraction(power_error_bound(p, M))


def test_p2_is_the_squaring_net_and_attains_its_bound() -> None:
    """g_{2,M} = f_M on [0, 1]: exact at j/2^M, error exactly 2^(-2M-2) at the midpoints."""
    M = 4
    net = power_network(2, M)
    knots = np.arange(2**M + 1) / 2**M
    mids = (np.arange(2**M) + 0.5) / 2**M
    assert exact(net, knots) == [Fraction(v) ** 2 for v in knots]
    assert [g - Fraction(v) ** 2 for g, v in zip(exact(net, mids), mids)] == [Fraction(square_error_bound(M))] * 2**M


def test_lower_bound_is_nearly_attained_for_p3() -> None:
    """The product's error 2(e1 - e2 - e3) really reaches close to -4 e_M: the interval is not slack."""
    M = 5
    t = np.arange(2**12 + 1) / 2**12
    errs = [g - Fraction(v) ** 3 for g, v in zip(exact(power_network(3, M), t), t)]
    assert min(errs) <= Fraction(9, 10) * Fraction(power_error_interval(3, M)[0])


@pytest.mark.parametrize("p,M", [(2, 3), (3, 2), (6, 2)])
def test_clipped_outside_unit_interval(p: int, M: int) -> None:
    """g(t) = g(0) = 0 for t < 0 and g(t) = g(1) for t > 1, with 0 <= g <= 1 throughout."""
    net = power_network(p, M)
    below = np.array([-1e6, -3.0, -(2.0**-20)])
    above = np.array([1.0 + 2.0**-40, 1.5, 4.0, 1e6])
    g1 = power_reference(Fraction(1), p, M)
    assert exact(net, below) == [Fraction(0)] * 3
    assert exact(net, above) == [g1] * 4
    t = np.linspace(-2.0, 3.0, 501)
    vals = exact(net, t)
    assert min(vals) >= 0 and max(vals) <= 1


@pytest.mark.parametrize("p,M", CASES)
def test_width_and_depth(p: int, M: int) -> None:
    net = power_network(p, M)
    assert net.depth == power_depth(p, M) + 1 == 2 + M + (p - 2) * (3 * M + 1)
    expected_width = {2: 2 if M == 1 else 3}.get(p, 4 if M == 1 else 5)  # M = 1 never materializes A
    assert net.width == expected_width <= power_width(p)


@pytest.mark.parametrize("p", [2, 3, 4, 9])
@pytest.mark.parametrize("eps", [0.5, 1e-2, 1e-5, 3e-9])
def test_steps_for_is_minimal(p: int, eps: float) -> None:
    M = power_steps_for(p, eps)
    assert power_error_bound(p, M) <= eps
    assert M == 1 or power_error_bound(p, M - 1) > eps


def test_rejects_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="p=1"):
        power_network(1, 3)
    with pytest.raises(InvalidArgumentError, match="M=0"):
        power_network(3, 0)
    with pytest.raises(InvalidArgumentError, match="eps=0"):
        power_steps_for(3, 0.0)


@pytest.mark.parametrize("p,M", [(2, 1), (2, 3), (3, 1), (3, 4), (5, 2)])
def test_parallel_channels_are_the_separate_power_nets(p: int, M: int) -> None:
    """emit_powers: k channels side by side, each exactly g_{p,M} of its own input (rationals), in
    power_depth(p, M) maps and at most k * power_width(p) neurons."""
    from robustmem.gadgets.powers import emit_powers
    from robustmem.network.builder import Builder

    k = 3
    b = Builder([f"t{j}" for j in range(k)], raw_inputs=True)
    gs = emit_powers(b, [b.v(f"t{j}") for j in range(k)], p, M, [f"c{j}" for j in range(k)])
    weights = [1.0, 2.0**-7, 2.0**-15]  # read the channels apart in one output (dyadic: exact)
    out = gs[0] * weights[0]
    for g, wgt in zip(gs[1:], weights[1:]):
        out = out + g * wgt
    b.output(out)
    net = ReLUNetwork.from_builder(b)
    assert net.depth == power_depth(p, M) + 1 and net.width <= k * power_width(p)
    rng = np.random.default_rng(7 * p + M)
    T = np.concatenate([rng.uniform(-0.2, 1.3, (40, k)), [[0.0, 1.0, 0.5], [2.0**-M, 1.0 - 2.0**-30, 3.0]]])
    got = list(evaluate_exact(net, T).values)
    want = [
        sum(Fraction(wgt) * power_reference(max(Fraction(t), Fraction(0)), p, M) for wgt, t in zip(weights, row))
        for row in T
    ]
    assert got == want


def test_parallel_channels_need_one_distinct_tag_each() -> None:
    from robustmem.gadgets.powers import emit_powers
    from robustmem.network.builder import Builder

    b = Builder(["s", "t"], raw_inputs=True)
    with pytest.raises(InvalidArgumentError, match="one distinct tag per input"):
        emit_powers(b, [b.v("s"), b.v("t")], 3, 2, ["a", "a"])
    with pytest.raises(InvalidArgumentError, match="one distinct tag per input"):
        emit_powers(b, [b.v("s"), b.v("t")], 3, 2, ["a"])
