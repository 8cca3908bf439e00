"""Export a :class:`~robustmem.network.network.ReLUNetwork` as a differentiable torch module.

The module computes the same maps in the same order as ``net(X)`` (float64 by default), from the
same realized weights, with the carried coordinates copied and the sparse entries applied as a
small dense matrix per map.  It is used by the gradient attacks; tests check it against net(X).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

__all__ = ["TorchReLUNetwork", "to_torch"]


class TorchReLUNetwork(nn.Module):
    """A torch view of a ReLUNetwork: input (n, d) -> output (n,)."""

    def __init__(self, net: Any, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.input_dim = net.input_dim
        self.depth = net.depth
        self._maps: list[tuple[torch.Tensor, ...]] = []
        for t, ent, bias in net.maps():
            lay = t.layout()
            small = np.zeros(lay.shape[0] * lay.shape[1])
            small[lay.flat_index] = ent
            perm = np.argsort(np.concatenate([t.carry_dst, t.active]))
            self._maps.append(
                (
                    torch.tensor(np.array(t.carry_src), dtype=torch.long),
                    torch.tensor(np.array(lay.used_cols), dtype=torch.long),
                    torch.tensor(np.array(small.reshape(lay.shape).T), dtype=dtype),
                    torch.tensor(np.array(bias), dtype=dtype),
                    torch.tensor(perm, dtype=torch.long),
                )
            )
        self.dtype = dtype

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.to(self.dtype)
        if h.ndim == 1:
            h = h[None, :]
        last = len(self._maps) - 1
        for k, (carry_src, used, Wt, b, perm) in enumerate(self._maps):
            parts = []
            if len(carry_src):
                parts.append(h[:, carry_src])
            if len(b):
                parts.append(h[:, used] @ Wt + b if Wt.shape[0] else b.expand(h.shape[0], -1))
            h = torch.cat(parts, dim=1)[:, perm]
            if k < last:
                h = torch.relu(h)
        return h[:, 0]


def to_torch(net: Any, dtype: torch.dtype = torch.float64) -> TorchReLUNetwork:
    """The network as an ``nn.Module`` that agrees with ``net(X)``."""
    return TorchReLUNetwork(net, dtype=dtype)
