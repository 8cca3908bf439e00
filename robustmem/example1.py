"""Example 1 (Section 5, Figure 3): a JL map for the data that is not a preserving map (Definition 12).

Data in R^{k+1}: x = 0 with label 1 and x' = e_1 with label 2 (the paper uses labels 0 and 1; this
package's labels start at 1).  The linear map T : R^{k+1} -> R^k,

    T(sum_i a_i e_i) = (a_1 - a_2 / sigma) e_1 + sum_{i=2..k} a_{i+1} e_i,

keeps the data distance, ||T(x - x')|| = ||-e_1|| = 1 = ||x - x'||, yet T(e_1 + sigma e_2) = 0 = T(0)
while e_1 + sigma e_2 lies in the closed ball B_2(x', sigma) (at distance exactly sigma) and 0 = x:
so ||a - a'|| <= ||T(a - a')|| fails for a = 0, a' = e_1 + sigma e_2, and T is not (sigma, k)-preserving.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp

from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError
from robustmem.validate import integer_at_least, positive_number

__all__ = ["Example1", "example1", "example1_matrix", "example1_symbolic_check"]


def example1_matrix(k: int, sigma: sp.Expr) -> sp.Matrix:
    """The k x (k+1) matrix of T with exact (sympy) entries; ``sigma`` may be a symbol."""
    T = sp.zeros(k, k + 1)
    T[0, 0], T[0, 1] = sp.Integer(1), -1 / sigma
    for i in range(2, k + 1):  # e_i <- a_{i+1}: row i-1, column i (0-based)
        T[i - 1, i] = sp.Integer(1)
    return T


@dataclass(frozen=True, eq=False)
class Example1:
    """Example 1 for given k and sigma, with its exact checks (sympy Rationals).

    ``T`` float64 (k, k+1); ``T_exact`` sympy Matrix; ``dataset`` = {(0, 1), (e_1, 2)} in R^{k+1};
    ``collision`` = e_1 + sigma e_2.  Exact facts (checked on construction):
    ``image_of_collision`` == 0 == T x, ``ball_distance`` == sigma (so the collision lies in the closed
    ball B_2(x', sigma)), ``data_distance`` == ``image_distance`` == 1, and the Definition 12 gap
    ||T(a - a')|| - ||a - a'|| at (a, a') = (x, collision) is -sqrt(1 + sigma^2) < 0.
    """

    k: int
    sigma: float
    T: np.ndarray
    T_exact: sp.Matrix
    dataset: Dataset
    x: np.ndarray
    x_prime: np.ndarray
    collision: np.ndarray
    collision_exact: sp.Matrix
    image_of_collision: sp.Matrix
    data_distance: sp.Expr
    image_distance: sp.Expr
    ball_distance: sp.Expr
    preservation_gap: sp.Expr

    def __post_init__(self) -> None:
        if any(v != 0 for v in self.image_of_collision):
            raise InvalidArgumentError(f"T(e_1 + sigma e_2) = {list(self.image_of_collision)} is not 0")
        if sp.simplify(self.data_distance - self.image_distance) != 0:
            raise InvalidArgumentError("T does not keep the distance of the data pair")
        if sp.simplify(self.ball_distance - sp.Rational(Fraction(self.sigma))) != 0:
            raise InvalidArgumentError(f"the collision is at distance {self.ball_distance} from x', not sigma")
        if not self.preservation_gap < 0:
            raise InvalidArgumentError("T is preserving at the colliding pair")


def example1(k: int, sigma: float) -> Example1:
    """Example 1's map T, data pair and colliding point, verified exactly (sympy Rationals).

    ``sigma`` is read as the exact rational of its float64 value.

    >>> ex = example1(2, 0.5)
    >>> ex.T.tolist(), list(ex.image_of_collision), ex.image_distance, ex.ball_distance
    ([[1.0, -2.0, 0.0], [0.0, 0.0, 1.0]], [0, 0], 1, 1/2)
    """
    k = integer_at_least(k, "k", 1)
    sig = sp.Rational(Fraction(positive_number(sigma, "sigma")))
    T = example1_matrix(k, sig)
    e = [sp.Matrix([1 if c == i else 0 for c in range(k + 1)]) for i in range(k + 1)]
    x, xp = sp.zeros(k + 1, 1), e[0]
    col = e[0] + sig * e[1]
    X = np.zeros((2, k + 1))
    X[1, 0] = 1.0
    return Example1(
        k=k,
        sigma=float(sigma),
        T=np.array(T.tolist(), dtype=np.float64),
        T_exact=T,
        dataset=Dataset(X, np.array([1, 2]), name=f"example1_k{k}"),
        x=X[0].copy(),
        x_prime=X[1].copy(),
        collision=np.array([float(v) for v in col]),
        collision_exact=col,
        image_of_collision=T * col,
        data_distance=(x - xp).norm(),
        image_distance=(T * (x - xp)).norm(),
        ball_distance=(col - xp).norm(),
        preservation_gap=(T * (x - col)).norm() - (x - col).norm(),
    )


def example1_symbolic_check(k: int) -> dict[str, sp.Expr]:
    """Example 1 with a symbolic sigma > 0: every identity as an expression that simplifies to 0.

    >>> all(v == 0 for v in example1_symbolic_check(3).values())
    True
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InvalidArgumentError(f"k must be an integer >= 1, got {k!r}")
    s = sp.Symbol("sigma", positive=True)
    T = example1_matrix(int(k), s)
    e1 = sp.Matrix([1] + [0] * int(k))
    e2 = sp.Matrix([0, 1] + [0] * (int(k) - 1))
    col = e1 + s * e2
    return {
        "T(e1 + sigma e2)": sp.simplify((T * col).norm()),
        "||T e1|| - ||e1||": sp.simplify((T * e1).norm() - 1),
        "||collision - e1|| - sigma": sp.simplify((col - e1).norm() - s),
        "gap + sqrt(1 + sigma^2)": sp.simplify((T * col).norm() - col.norm() + sp.sqrt(1 + s**2)),
    }
