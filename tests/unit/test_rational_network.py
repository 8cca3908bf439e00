"""RationalNetwork: exact evaluation against hand-computed Fractions, the float64 view, shape facts."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from robustmem.errors import InvalidArgumentError
from robustmem.network.rational import RationalLayer, RationalNetwork


def _abs_net(big: F = F(0)) -> RationalNetwork:
    """f(x) = |x_0| + big x_1 + 1/3 on two hidden ReLUs (and a third carrying x_1 + 2^70)."""
    lay1 = RationalLayer(2, rows=(((0, F(1)),), ((0, F(-1)),), ((1, F(1)),)), bias=(F(0), F(0), F(2) ** 70))
    lay2 = RationalLayer(
        3,
        rows=(((0, F(1)), (1, F(1)), (2, big)) if big else ((0, F(1)), (1, F(1))),),
        bias=(F(1, 3) - big * F(2) ** 70,),
    )
    return RationalNetwork((lay1, lay2))


def test_exact_values_equal_hand_computation():
    net = _abs_net()
    X = [[-2.5, 1.0], [0.75, -3.0], [0.0, 0.0]]
    assert net.evaluate_exact(X) == [F(5, 2) + F(1, 3), F(3, 4) + F(1, 3), F(1, 3)]
    assert net.evaluate_exact([[F(-1, 7), F(0)]]) == [F(1, 7) + F(1, 3)]
    assert net.evaluate_exact(np.array(X)) == net.evaluate_exact(X)


def test_float_view_is_exact_when_everything_is_representable_and_loses_big_cancellations():
    net = _abs_net(big=F(3))  # 3 relu(x_1 + 2^70) - 3 * 2^70: exact only in rationals
    X = np.array([[1.0, 5.0]])
    assert net.evaluate_exact(X) == [F(1) + 15 + F(1, 3)]
    assert net.evaluate_float(X)[0] != 1.0 + 15.0 + 1.0 / 3.0  # 2^70 swallows x_1 in float64
    plain = _abs_net()
    assert plain.evaluate_float(np.array([[-2.0, 7.0]]))[0] == 2.0 + 1.0 / 3.0


def test_shape_facts_are_read_off_the_layers():
    net = _abs_net(big=F(3))
    assert (net.depth, net.width, net.layer_widths()) == (2, 3, [3])
    assert net.num_parameters() == (2 * 3 + 3) + (3 * 1 + 1)
    assert net.num_nonzero_parameters() == 3 + 1 + 3 + 1  # weights 3, bias 2^70, weights 3, bias
    assert net.max_weight_bits() == (9 * 2**70 - 1).bit_length()  # 1/3 - 3 * 2^70 = -(9 * 2^70 - 1) / 3


@pytest.mark.parametrize(
    "rows,bias,match",
    [
        ((((2, F(1)),),), (F(0),), "columns"),
        ((((0, F(0)),),), (F(0),), "zero weights"),
        ((((1, F(1)), (0, F(1))),), (F(0),), "increasing"),
        ((((0, F(1)),),), (F(0), F(1)), "as many rows"),
    ],
)
def test_layers_validate(rows, bias, match):
    with pytest.raises(InvalidArgumentError, match=match):
        RationalLayer(2, rows=rows, bias=bias)


def test_network_validates_dimensions():
    a = RationalLayer(2, rows=(((0, F(1)),), ((1, F(1)),)), bias=(F(0), F(0)))
    with pytest.raises(InvalidArgumentError, match="scalar"):
        RationalNetwork((a,))
    b = RationalLayer(3, rows=(((0, F(1)),),), bias=(F(0),))
    with pytest.raises(InvalidArgumentError, match="reads 3"):
        RationalNetwork((a, b))
    net = RationalNetwork((a, RationalLayer(2, rows=(((0, F(1)),),), bias=(F(0),))))
    with pytest.raises(InvalidArgumentError, match="shape"):
        net.evaluate_float(np.zeros((1, 3)))
    with pytest.raises(InvalidArgumentError, match="coordinates"):
        net.evaluate_exact([[F(1)]])
