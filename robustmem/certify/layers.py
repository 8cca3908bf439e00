"""The networks the generic certifiers accept, seen as a stream of affine layers.

A network is either a :class:`~robustmem.network.network.ReLUNetwork` (its affine maps are realized lazily,
one at a time, by :meth:`~robustmem.network.network.ReLUNetwork.layers`) or a plain sequence of ``(W, b)``
pairs (e.g. a network imported from ONNX), with a ReLU after every map but the last and a scalar output:
``f = T_L o relu o ... o relu o T_1`` (Definition 1).  :func:`as_layer_source` validates either form and
returns a :class:`LayerSource`, which streams the layers (never holding them all for a ReLUNetwork) and
evaluates the network in float64 and exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

from robustmem.errors import InvalidArgumentError
from robustmem.validate import finite_layer

if TYPE_CHECKING:
    from robustmem.network.network import AffineMap, ReLUNetwork

__all__ = ["Layer", "LayerSource", "NetworkInput", "as_layer_source"]

#: A network as the generic certifiers accept it: a ReLUNetwork, a LayerSource already built, or a sequence of
#: affine maps (``(W, b)`` pairs or objects with ``W`` and ``b``) with a ReLU after every map but the last.
NetworkInput: TypeAlias = "ReLUNetwork | LayerSource | Sequence[tuple[npt.ArrayLike, npt.ArrayLike] | AffineMap]"


@dataclass(frozen=True)
class Layer:
    """The affine map z = W h + b of layer ``index`` (1-based); ``last`` says that no ReLU follows."""

    index: int
    W: np.ndarray
    b: np.ndarray
    last: bool


def _exact_rows(H: list[list[Fraction]], W: np.ndarray, b: np.ndarray, relu: bool) -> list[list[Fraction]]:
    Wf = [[Fraction(float(v)) for v in row] for row in W]
    bf = [Fraction(float(v)) for v in b]
    out = []
    for h in H:
        z = [bf[j] + sum((w * x for w, x in zip(Wf[j], h) if w and x), Fraction(0)) for j in range(len(bf))]
        out.append([max(v, Fraction(0)) for v in z] if relu else z)
    return out


class LayerSource:
    """A validated network: ``input_dim``, ``depth``, :meth:`layers` (a fresh stream each call), evaluation.

    Build it with :func:`as_layer_source`.
    """

    def __init__(
        self,
        net: ReLUNetwork | None,
        pairs: tuple[tuple[np.ndarray, np.ndarray], ...] | None,
        input_dim: int,
        depth: int,
        widths: tuple[int, ...] | None,
    ) -> None:
        self.net, self._pairs, self.input_dim, self.depth = net, pairs, input_dim, depth
        self._widths = widths

    @property
    def is_relu_network(self) -> bool:
        return self._pairs is None

    def _relu_network(self) -> ReLUNetwork:
        assert self.net is not None, "a LayerSource holds a ReLUNetwork or (W, b) pairs"  # as_layer_source
        return self.net

    def layers(self) -> Iterator[Layer]:
        """Yield the L layers in order (dense float64 W, b), lazily for a ReLUNetwork."""
        if self._pairs is not None:
            for k, (W, b) in enumerate(self._pairs, start=1):
                yield Layer(k, W, b, k == self.depth)
            return
        for k, m in enumerate(self._relu_network().layers(), start=1):
            yield Layer(k, np.asarray(m.W, dtype=np.float64), np.asarray(m.b, dtype=np.float64), k == self.depth)

    def widths(self) -> tuple[int, ...]:
        """d_1, ..., d_{L-1}: the hidden layer sizes."""
        if self._widths is None:
            self._widths = tuple(int(w) for w in self._relu_network().layer_widths())
        return self._widths

    def n_neurons(self) -> int:
        """The number of hidden ReLUs, sum of d_1..d_{L-1}."""
        return sum(self.widths())

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """f(X) in float64 for X (n, d): ``net(X)`` for a ReLUNetwork, a dense layer walk otherwise."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if self._pairs is None:
            return np.asarray(self._relu_network()(X), dtype=np.float64)
        H = X
        for lay in self.layers():
            H = H @ lay.W.T + lay.b
            if not lay.last:
                H = np.maximum(H, 0.0)
        return H[:, 0]

    def evaluate_exact(self, X: np.ndarray) -> list[Fraction]:
        """The exact output f(x) for every row of X, float64 weights and inputs read as rationals."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if self._pairs is None:
            from robustmem.network.exact import evaluate_exact

            return list(evaluate_exact(self._relu_network(), X).values)
        H = [[Fraction(float(v)) for v in row] for row in X]
        for lay in self.layers():
            H = _exact_rows(H, lay.W, lay.b, relu=not lay.last)
        return [h[0] for h in H]


def _pair(item: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
    if hasattr(item, "W") and hasattr(item, "b"):
        W, b = item.W, item.b
    else:
        try:
            W, b = item
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"layer {k} must be a (W, b) pair, got {type(item).__name__}") from None
    W = np.array(W, dtype=np.float64, copy=True)
    b = np.array(b, dtype=np.float64, copy=True).reshape(-1)
    if W.ndim != 2 or W.shape[0] < 1 or W.shape[1] < 1:
        raise InvalidArgumentError(f"layer {k}: W must be a non-empty 2-D matrix, got shape {W.shape}")
    if b.shape != (W.shape[0],):
        raise InvalidArgumentError(f"layer {k}: b has shape {b.shape} but W has {W.shape[0]} rows")
    finite_layer(k, W, b)
    W.setflags(write=False)
    b.setflags(write=False)
    return W, b


def as_layer_source(net: NetworkInput) -> LayerSource:
    """Validate ``net`` (a ReLUNetwork or a sequence of (W, b) pairs) and wrap it as a :class:`LayerSource`.

    Raises InvalidArgumentError naming the layer whose shape, finiteness or output size is wrong.

    >>> src = as_layer_source([(np.eye(2), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    >>> src.input_dim, src.depth, float(src.evaluate(np.array([[1.0, -2.0]]))[0])
    (2, 2, 1.0)
    """
    if isinstance(net, LayerSource):
        return net
    from robustmem.network.network import ReLUNetwork

    if isinstance(net, ReLUNetwork):
        return LayerSource(net, None, net.input_dim, net.depth, None)
    if isinstance(net, (str, bytes)) or not isinstance(net, Sequence):
        raise InvalidArgumentError(f"expected a ReLUNetwork or a sequence of (W, b) pairs, got {type(net).__name__}")
    if len(net) == 0:
        raise InvalidArgumentError("the network has no layers")
    pairs = tuple(_pair(item, k) for k, item in enumerate(net, start=1))
    for k in range(1, len(pairs)):
        if pairs[k][0].shape[1] != pairs[k - 1][0].shape[0]:
            raise InvalidArgumentError(
                f"layer {k + 1} reads {pairs[k][0].shape[1]} inputs but layer {k} outputs {pairs[k - 1][0].shape[0]}"
            )
    if pairs[-1][0].shape[0] != 1:
        raise InvalidArgumentError(f"the output must be scalar: the last layer has {pairs[-1][0].shape[0]} rows")
    widths = tuple(W.shape[0] for W, _ in pairs[:-1])
    return LayerSource(None, pairs, pairs[0][0].shape[1], len(pairs), widths)
