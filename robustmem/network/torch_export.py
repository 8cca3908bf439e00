"""Export a :class:`~robustmem.network.network.ReLUNetwork` as a differentiable torch module.

The module runs the network's compiled plan (:mod:`robustmem.network.plan`) with torch tensors:
the same values, in the same order, with the same realized float64 weights, block-parallel
where the plan allows.  It is used by the gradient attacks; tests check it against ``net(X)``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustmem.network.evaluate import run_network

__all__ = ["TorchReLUNetwork", "to_torch"]


class TorchArith:
    """torch arithmetic for the plan evaluator (differentiable)."""

    def __init__(self, dtype: torch.dtype):
        self.dtype = dtype

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        acc = bias
        for w, h in terms:
            acc = acc + w * h
        if not torch.is_tensor(acc) or tuple(acc.shape) != shape:
            acc = torch.as_tensor(acc, dtype=self.dtype).expand(shape)
        return torch.relu(acc) if relu else acc

    def split(self, value: Any) -> Any:
        return torch.unbind(value, 0)  # one autograd node for all blocks, not one per block

    def input(self, X: Any, j: int) -> Any:
        return X[:, j]


class TorchReLUNetwork(nn.Module):
    """A torch view of a ReLUNetwork: input (n, d) -> output (n,)."""

    def __init__(self, net: Any, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.net = net
        self.input_dim = net.input_dim
        self.dtype = dtype
        self._realized: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}

    def _realize_all(self, seg: Any, rows: slice) -> tuple[torch.Tensor, torch.Tensor]:
        key = id(seg)
        if key not in self._realized:
            ent, bias = seg.realize_all(slice(0, seg.repeats))
            self._realized[key] = (torch.tensor(ent, dtype=self.dtype), torch.tensor(bias, dtype=self.dtype))
        ent, bias = self._realized[key]
        return ent[rows], bias[rows]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.to(self.dtype)
        if h.ndim == 1:
            h = h[None, :]
        return run_network(self.net, h, TorchArith(self.dtype), realize_all=self._realize_all)


def to_torch(net: Any, dtype: torch.dtype = torch.float64) -> TorchReLUNetwork:
    """The network as an ``nn.Module`` that agrees with ``net(X)``."""
    return TorchReLUNetwork(net, dtype=dtype)
