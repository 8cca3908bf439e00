"""The chain of running maxima (Theorem 37).

Input map: u = M x + shift (M = identity or a projection folded into the first affine map) and
m = 0.  Then one block per data point i computes the indicator z_i of the ball around its centre
and replaces m by max(m, z_i).  The output map reads m_N.

Why it is correct (Theorem 37): labels are positive, so inside ball i the indicator z_i equals
y_i, an indicator of a same-label point is at most y_j = y_i, and an indicator of a
differently-labelled point j is 0 because ||x - x_j|| >= tau - r >= r + w.  Hence
m_N = max_j z_j = y_i exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets.basic import running_max, shifted_input_layer
from robustmem.network.builder import Builder, Coef, Param
from robustmem.network.network import ReLUNetwork, Segment

__all__ = ["BlockEmitter", "chain_block_maps", "chain_network"]

BlockEmitter = Callable[[Builder, Sequence[str], Sequence[Coef], Coef], str]


def chain_block_maps(k: int, emitter: BlockEmitter) -> Builder:
    """The builder of one chain block on slots (u_0..u_{k-1}, m) with parameters (centre, label)."""
    u = [f"u{j}" for j in range(k)]
    b = Builder(u + ["m"], raw_inputs=False, n_params=k + 1)
    z = emitter(b, u, [Param(j) for j in range(k)], Param(k))
    running_max(b, "m", z)
    if b.slots != u + ["m"]:
        raise AssertionError(f"a chain block must end on its input layout, ended on {b.slots}")
    return b


def chain_network(
    centers: np.ndarray,
    labels: np.ndarray,
    emitter: BlockEmitter,
    *,
    shift: float,
    input_dim: int,
    matrix: np.ndarray | None = None,
    meta: dict[str, Any] | None = None,
) -> ReLUNetwork:
    """The Theorem 37 network for ``centers`` (N, k) in the (possibly projected) space R^k.

    ``matrix`` (k, input_dim) is folded into the first affine map; None means the identity
    (then k == input_dim).
    """
    centers = np.asarray(centers, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    N, k = centers.shape
    if matrix is None and k != input_dim:
        raise InvalidArgumentError(f"centres have {k} coordinates but the input has {input_dim}")
    if matrix is not None and np.shape(matrix) != (k, input_dim):
        raise InvalidArgumentError(f"the input matrix must have shape ({k}, {input_dim}), got {np.shape(matrix)}")
    if len(labels) != N or (labels <= 0).any():
        raise InvalidArgumentError("the chain needs one positive label per centre")
    xs = [f"x{j}" for j in range(input_dim)]
    u = [f"u{j}" for j in range(k)]
    b_in = Builder(xs, raw_inputs=True)
    shifted_input_layer(b_in, xs, u, shift, None if matrix is None else np.asarray(matrix), extra={"m": 0.0})
    block = chain_block_maps(k, emitter)
    b_out = Builder(u + ["m"], raw_inputs=False)
    b_out.output(b_out.v("m"))
    params = np.concatenate([centers, labels[:, None]], axis=1)
    segments = [
        Segment(tuple(b_in.maps), np.zeros((1, 0)), name="input"),
        Segment(tuple(block.maps), params, name="chain"),
        Segment(tuple(b_out.maps), np.zeros((1, 0)), name="output"),
    ]
    return ReLUNetwork(segments, meta=meta)
