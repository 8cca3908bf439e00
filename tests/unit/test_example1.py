"""Example 1 (Section 5, Figure 3): a JL map for the data pair that is not preserving (Definition 12)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from robustmem.errors import InvalidArgumentError
from robustmem.example1 import example1, example1_matrix, example1_symbolic_check


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("sigma", [0.5, 0.1, 0.3, 2.0])
def test_example1_exact(k, sigma):
    ex = example1(k, sigma)
    s = sp.Rational(ex.sigma)  # exact rational of the float sigma
    assert ex.T_exact.shape == (k, k + 1)
    assert list(ex.T_exact * ex.collision_exact) == [0] * k  # T(e_1 + sigma e_2) = 0 = T(0)
    assert ex.data_distance == 1 and ex.image_distance == 1  # ||T(x - x')|| = ||x - x'||
    assert ex.ball_distance == s  # the collision lies on the boundary of the closed ball B_2(x', sigma)
    assert sp.simplify(ex.preservation_gap + sp.sqrt(1 + s**2)) == 0  # Definition 12 fails by sqrt(1 + sigma^2)
    assert ex.dataset.y.tolist() == [1, 2] and ex.dataset.separation().delta == 1.0


@pytest.mark.parametrize("k", [1, 2, 4])
def test_example1_float_agrees(k):
    ex = example1(k, 0.25)
    assert np.linalg.norm(ex.T @ ex.collision) == 0.0  # 0.25 is dyadic: exact in float64 too
    assert np.linalg.norm(ex.T @ (ex.x - ex.x_prime)) == 1.0
    assert np.linalg.norm(ex.collision - ex.x_prime) == 0.25
    ex = example1(k, 0.1)
    assert np.linalg.norm(ex.T @ ex.collision) < 1e-15


def test_example1_matrix_formula():
    s = sp.Symbol("sigma", positive=True)
    a = sp.symbols("a1:6")
    T = example1_matrix(4, s)
    image = T * sp.Matrix(a)
    expected = [a[0] - a[1] / s, a[2], a[3], a[4]]  # T(sum a_i e_i) = (a_1 - a_2/sigma) e_1 + sum a_{i+1} e_i
    assert all(sp.simplify(u - v) == 0 for u, v in zip(image, expected))


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_example1_symbolic(k):
    assert all(v == 0 for v in example1_symbolic_check(k).values())


@pytest.mark.parametrize(
    "k, sigma, match",
    [
        (0, 0.1, "k must be an integer >= 1, got 0"),
        (2, 0.0, "sigma must be a positive finite number, got 0.0"),
        (2, float("inf"), "got inf"),
        (1.5, 0.1, "got 1.5"),
        (2, "0.1", "got '0.1'"),
    ],
)
def test_example1_argument_errors(k, sigma, match):
    with pytest.raises(InvalidArgumentError, match=match):
        example1(k, sigma)
