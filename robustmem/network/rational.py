"""A ReLU network (Definition 1) whose weights are exact rationals, for constructions that need more
than 53 bits per weight.

:class:`~robustmem.network.network.ReLUNetwork` stores float64 weights.  Bit-extraction
constructions (Vardi, Yehudai, Shamir 2022) store about sqrt(N) log N bits in single weights, which
float64 cannot hold.  :class:`RationalNetwork` keeps every weight and bias as a
:class:`fractions.Fraction` (sparse rows), and offers

* :meth:`RationalNetwork.evaluate_exact`: f(x) in exact rational arithmetic (inputs are read as the
  exact rationals of their float64 values, or given as Fractions);
* :meth:`RationalNetwork.evaluate_float`: the *float64 view*, i.e. every weight rounded to the
  nearest float64 and the network run in float64 (what a float64 framework would compute);
* the shape facts (width, depth, dense and non-zero parameter counts, weight bit sizes) read off the
  real layers, as for ReLUNetwork.

The exact evaluator runs all points at once on integer numerators with one common denominator per
point (numpy object arrays of Python ints), reduced by the gcd after every layer; the result is
returned as Fractions.

>>> from fractions import Fraction as F
>>> lay1 = RationalLayer(1, rows=(((0, F(1)),), ((0, F(-1)),)), bias=(F(0), F(0)))
>>> lay2 = RationalLayer(2, rows=(((0, F(1)), (1, F(1))),), bias=(F(1, 3),))
>>> net = RationalNetwork((lay1, lay2))
>>> net.evaluate_exact([[-2.0], [0.5]]), net.width, net.depth
([Fraction(7, 3), Fraction(5, 6)], 2, 2)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError

__all__ = ["RationalLayer", "RationalNetwork"]

Row = tuple[tuple[int, Fraction], ...]


def _bits(v: Fraction) -> int:
    return max(abs(v.numerator).bit_length(), v.denominator.bit_length())


@dataclass(frozen=True, eq=False)
class RationalLayer:
    """One affine map x -> W x + b with exact rational entries, stored by rows.

    ``rows[i]`` lists the non-zero entries (column, weight) of row i, columns strictly increasing;
    ``bias[i]`` is the bias of output i.  Zero weights are not stored (a zero row is an output that
    is identically its bias).
    """

    in_dim: int
    rows: tuple[Row, ...]
    bias: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        if isinstance(self.in_dim, bool) or not isinstance(self.in_dim, int) or self.in_dim < 1:
            raise InvalidArgumentError(f"in_dim must be an integer >= 1, got {self.in_dim!r}")
        rows = tuple(tuple((int(c), Fraction(w)) for c, w in row) for row in self.rows)
        bias = tuple(Fraction(b) for b in self.bias)
        if len(rows) != len(bias) or not rows:
            raise InvalidArgumentError(f"a layer needs as many rows as biases (>= 1), got {len(rows)} and {len(bias)}")
        for i, row in enumerate(rows):
            cols = [c for c, _ in row]
            if any(not 0 <= c < self.in_dim for c in cols) or cols != sorted(set(cols)):
                raise InvalidArgumentError(
                    f"row {i}: columns {cols} must be distinct, increasing, in [0, {self.in_dim})"
                )
            if any(w == 0 for _, w in row):
                raise InvalidArgumentError(f"row {i}: zero weights must not be stored")
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "bias", bias)

    @property
    def out_dim(self) -> int:
        return len(self.rows)

    def dense(self) -> tuple[list[list[Fraction]], list[Fraction]]:
        """(W, b) as dense lists of Fractions."""
        W = [[Fraction(0)] * self.in_dim for _ in self.rows]
        for i, row in enumerate(self.rows):
            for c, w in row:
                W[i][c] = w
        return W, list(self.bias)

    def float64(self) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) with every entry rounded to the nearest float64 (Fraction.__float__ rounds correctly)."""
        W = np.zeros((self.out_dim, self.in_dim))
        for i, row in enumerate(self.rows):
            for c, w in row:
                W[i, c] = float(w)
        return W, np.array([float(b) for b in self.bias])

    def scaled_integers(self) -> tuple[int, np.ndarray, np.ndarray]:
        """(D, W*D, b*D): the lcm D of every denominator and the integer matrices (object arrays)."""
        D = 1
        for row in self.rows:
            for _, w in row:
                D = math.lcm(D, w.denominator)
        for b in self.bias:
            D = math.lcm(D, b.denominator)
        Wi = np.zeros((self.out_dim, self.in_dim), dtype=object)
        for i, row in enumerate(self.rows):
            for c, w in row:
                Wi[i, c] = w.numerator * (D // w.denominator)
        bi = np.array([b.numerator * (D // b.denominator) for b in self.bias], dtype=object)
        return D, Wi, bi


class RationalNetwork:
    """f = T_L o relu o ... o relu o T_1 with exact rational T_l (Definition 1), scalar output.

    ``meta`` is free-form (the construction stores its plan there).
    """

    def __init__(self, layers: Sequence[RationalLayer], *, meta: dict[str, Any] | None = None):
        self.layers: tuple[RationalLayer, ...] = tuple(layers)
        if not self.layers:
            raise InvalidArgumentError("a network needs at least one layer")
        for k, (a, b) in enumerate(zip(self.layers, self.layers[1:])):
            if a.out_dim != b.in_dim:
                raise InvalidArgumentError(f"layer {k} outputs {a.out_dim} values but layer {k + 1} reads {b.in_dim}")
        if self.layers[-1].out_dim != 1:
            raise InvalidArgumentError(f"the output map must be scalar, got dimension {self.layers[-1].out_dim}")
        self.meta: dict[str, Any] = dict(meta or {})
        self._float: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._ints: list[tuple[int, np.ndarray, np.ndarray]] | None = None

    # ----- shape facts, read off the layers -----
    @property
    def input_dim(self) -> int:
        return self.layers[0].in_dim

    @property
    def depth(self) -> int:
        """L, the number of affine maps."""
        return len(self.layers)

    @property
    def width(self) -> int:
        """max(d_1, ..., d_{L-1}); 0 for a single affine map."""
        return max((lay.out_dim for lay in self.layers[:-1]), default=0)

    def layer_widths(self) -> list[int]:
        return [lay.out_dim for lay in self.layers[:-1]]

    def num_parameters(self) -> int:
        """Dense count: sum over maps of in*out + out."""
        return sum(lay.in_dim * lay.out_dim + lay.out_dim for lay in self.layers)

    def num_nonzero_parameters(self) -> int:
        """Non-zero weights and biases."""
        weights = sum(len(r) for lay in self.layers for r in lay.rows)
        return weights + sum(1 for lay in self.layers for b in lay.bias if b)

    def max_weight_bits(self) -> int:
        """The largest bit length of a numerator or denominator over all weights and biases."""
        best = 0
        for lay in self.layers:
            for row in lay.rows:
                for _, w in row:
                    best = max(best, _bits(w))
            for b in lay.bias:
                best = max(best, _bits(b))
        return best

    # ----- evaluation -----
    def _check_input(self, X: Any) -> list[list[Fraction]] | np.ndarray:
        if isinstance(X, np.ndarray) and X.dtype != object:
            A = np.asarray(X, dtype=np.float64)
            if A.ndim == 1:
                A = A[None, :]
            if A.ndim != 2 or A.shape[1] != self.input_dim:
                raise InvalidArgumentError(f"input must have shape (n, {self.input_dim}), got {A.shape}")
            if not np.isfinite(A).all():
                raise InvalidArgumentError("inputs must be finite")
            return A
        rows = [list(r) for r in X]
        if any(len(r) != self.input_dim for r in rows):
            raise InvalidArgumentError(f"every input must have {self.input_dim} coordinates")
        return rows

    def evaluate_exact(self, X: Any) -> list[Fraction]:
        """Exact f(x) for every row of X (floats read as exact rationals, or Fractions)."""
        rows = self._check_input(X)
        if self._ints is None:
            self._ints = [lay.scaled_integers() for lay in self.layers]
        n = len(rows)
        if n == 0:
            return []
        nums = np.empty((n, self.input_dim), dtype=object)
        den = np.empty(n, dtype=object)
        for i, r in enumerate(rows):
            fr = [Fraction(v) if not isinstance(v, (float, np.floating)) else Fraction(float(v)) for v in r]
            D = 1
            for v in fr:
                D = math.lcm(D, v.denominator)
            den[i] = D
            nums[i, :] = [v.numerator * (D // v.denominator) for v in fr]
        last = len(self._ints) - 1
        for k, (Dw, Wi, bi) in enumerate(self._ints):
            new = nums.dot(Wi.T) + den[:, None] * bi[None, :]
            den = den * Dw
            if k < last:
                new = np.where(new > 0, new, 0)
            g = np.gcd.reduce(np.concatenate([new, den[:, None]], axis=1), axis=1)
            nums, den = new // g[:, None], den // g
        return [Fraction(int(a), int(b)) for a, b in zip(nums[:, 0], den)]

    def float_layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The float64 view: every (W, b) rounded entrywise to the nearest float64."""
        if self._float is None:
            self._float = [lay.float64() for lay in self.layers]
        return self._float

    def evaluate_float(self, X: Any) -> np.ndarray:
        """f(X) for the float64 view (weights rounded to float64, float64 arithmetic)."""
        H = np.asarray(X, dtype=np.float64)
        if H.ndim == 1:
            H = H[None, :]
        if H.ndim != 2 or H.shape[1] != self.input_dim:
            raise InvalidArgumentError(f"input must have shape (n, {self.input_dim}), got {H.shape}")
        layers = self.float_layers()
        for k, (W, b) in enumerate(layers):
            H = H @ W.T + b
            if k < len(layers) - 1:
                H = np.maximum(H, 0.0)
        return H[:, 0]

    __call__ = evaluate_float

    def iter_dense(self) -> Iterator[tuple[list[list[Fraction]], list[Fraction]]]:
        """The L affine maps as dense Fraction lists (the definition)."""
        for lay in self.layers:
            yield lay.dense()

    def __repr__(self) -> str:
        name = self.meta.get("construction", "network")
        return f"RationalNetwork({name}, input_dim={self.input_dim}, width={self.width}, depth={self.depth})"
