"""Export a :class:`~robustmem.network.network.ReLUNetwork` to torch: a module, a dense Sequential, a classifier.

* :class:`TorchReLUNetwork` (``net.to_torch()``): runs the network's compiled plan
  (:mod:`robustmem.network.plan`) with torch tensors -- the same values, in the same order, with
  the same realized float64 weights, block-parallel where the plan allows, so at float64 its
  outputs are bit-identical to ``net(X)`` (tested).  The realized weights are registered buffers:
  ``state_dict()`` holds them and ``.to(dtype, device)`` / ``.float()`` / ``.double()`` move and
  cast them (the forward pass then runs in that dtype, on that device).  Input (n, d) -> output (n,).
  The gradient attacks (:mod:`robustmem.verify.attacks`) use it.
* :func:`as_sequential` (``net.as_sequential()``): the dense ``nn.Sequential`` of ``nn.Linear`` and
  ``nn.ReLU`` of Definition 1, for networks small enough to hold densely; output (n, 1).
* :class:`TorchClassifier` (``net.to_torch(head="logits")``): C logits, logit_m = -(f(x) - m)^2
  for the paper's labels m = 1..C, so that tools expecting a classifier (foolbox, torchattacks,
  ART) can attack it with a cross-entropy loss.  Exact at the memorized points: where f(x) = y
  exactly, logit_y = 0 > logit_m for every m != y, so the argmax is y - 1 (class index y - 1 is
  the paper's label y; ``TorchClassifier.classes`` names it in the user's labels).  Everywhere,
  the argmax is the label nearest to f(x) (ties to the smaller label).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import nn

from robustmem.errors import InvalidArgumentError
from robustmem.network.evaluate import run_network

if TYPE_CHECKING:
    from robustmem.network.network import ReLUNetwork

__all__ = ["DENSE_LIMIT", "TorchClassifier", "TorchReLUNetwork", "as_sequential", "to_torch"]

#: default largest dense parameter count :func:`as_sequential` builds (10^7 numbers, 80 MB in float64)
DENSE_LIMIT = 10**7
#: largest number of classes the logits head accepts (one logit per label 1..C)
LOGITS_LIMIT = 10**6


class TorchArith:
    """torch arithmetic for the plan evaluator (differentiable)."""

    def __init__(self, dtype: torch.dtype, device: torch.device | None = None):
        self.dtype = dtype
        self.device = device

    def value(self, bias: Any, terms: list, relu: bool, shape: tuple[int, ...]) -> Any:
        acc = bias
        for w, h in terms:
            acc = acc + w * h
        if not torch.is_tensor(acc) or tuple(acc.shape) != shape:
            acc = torch.as_tensor(acc, dtype=self.dtype, device=self.device).expand(shape)
        return torch.relu(acc) if relu else acc

    def split(self, value: Any) -> Any:
        return torch.unbind(value, 0)  # one autograd node for all blocks, not one per block

    def input(self, X: Any, j: int) -> Any:
        return X[:, j]


class TorchReLUNetwork(nn.Module):
    """A torch module computing the ReLUNetwork ``net``: input (n, d) (or (d,)) -> output (n,).

    The realized weights of segment i are the buffers ``seg{i}_entries`` (repeats x entries) and
    ``seg{i}_biases`` (repeats x active neurons); their dtype and device are the module's.  At
    float64 the output equals ``net(X)`` bit for bit.
    """

    def __init__(self, net: ReLUNetwork, dtype: torch.dtype = torch.float64):
        super().__init__()
        self.net = net
        self.input_dim = int(net.input_dim)
        self._index = {id(seg): i for i, seg in enumerate(net.segments)}
        for i, seg in enumerate(net.segments):
            ent, bias = seg.realize_all(slice(0, seg.repeats))
            self.register_buffer(f"seg{i}_entries", torch.tensor(ent, dtype=dtype))
            self.register_buffer(f"seg{i}_biases", torch.tensor(bias, dtype=dtype))

    @property
    def dtype(self) -> torch.dtype:
        """The dtype of the weights (and of the computation)."""
        return self.get_buffer("seg0_entries").dtype

    @property
    def device(self) -> torch.device:
        """The device of the weights (and of the computation)."""
        return self.get_buffer("seg0_entries").device

    def _realize_all(self, seg: Any, rows: slice) -> tuple[torch.Tensor, torch.Tensor]:
        i = self._index[id(seg)]
        return self.get_buffer(f"seg{i}_entries")[rows], self.get_buffer(f"seg{i}_biases")[rows]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.as_tensor(x).to(dtype=self.dtype, device=self.device)
        if h.ndim == 1:
            h = h[None, :]
        if h.ndim != 2 or h.shape[1] != self.input_dim:
            raise InvalidArgumentError(f"input must have shape (n, {self.input_dim}), got {tuple(h.shape)}")
        arith = TorchArith(self.dtype, self.device)
        return run_network(self.net, h, arith, realize_all=self._realize_all)

    def extra_repr(self) -> str:
        return f"{self.net!r}"


class TorchClassifier(nn.Module):
    """C logits from a scalar network ``body``: logit_m = -(f(x) - m)^2 for m = 1..C; output (n, C).

    Exact at the memorized points (argmax = y - 1 where f(x) = y); everywhere the argmax is the
    label nearest to f(x).  ``classes``: the user's name of each class index (None: index m - 1
    is the label m).  The label values are a buffer, so ``.to`` / ``.float()`` move them too.
    """

    def __init__(self, body: nn.Module, n_classes: int, classes: tuple[Any, ...] | None = None):
        super().__init__()
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or not 1 <= n_classes <= LOGITS_LIMIT:
            raise InvalidArgumentError(f"n_classes must be an integer in 1..{LOGITS_LIMIT}, got {n_classes!r}")
        self.body = body
        self.classes = classes
        dtype = getattr(body, "dtype", torch.float64)
        self.register_buffer("labels", torch.arange(1, n_classes + 1, dtype=dtype))

    @property
    def n_classes(self) -> int:
        return int(self.get_buffer("labels").shape[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.body(x).reshape(-1, 1)
        return -((f.to(self.labels.dtype) - self.labels) ** 2)


def _n_classes(net: ReLUNetwork) -> tuple[int, tuple[Any, ...] | None]:
    cert = net.meta.get("certificate") or {}
    get = cert.get if isinstance(cert, dict) else lambda k: getattr(cert, k, None)
    C = get("n_classes")
    if C is None:
        raise InvalidArgumentError(
            "head='logits' needs the number of classes: the network has no certificate (net.meta['certificate']); "
            "wrap net.to_torch() in TorchClassifier(body, n_classes) instead"
        )
    classes = get("classes")
    return int(C), (None if classes is None else tuple(classes))


def to_torch(
    net: ReLUNetwork, dtype: torch.dtype = torch.float64, *, head: Literal["scalar", "logits"] = "scalar"
) -> TorchReLUNetwork | TorchClassifier:
    """``net`` as an ``nn.Module``: the scalar output (n,) (``head="scalar"``) or C logits (``head="logits"``).

    See the module docstring for the guarantees: bit-identical to ``net(X)`` at float64, weights as
    buffers, the logits head exact (argmax = label - 1) at the memorized points.

    >>> import numpy as np
    >>> from robustmem.network.network import ReLUNetwork
    >>> net = ReLUNetwork.from_dense([(np.array([[1.0, 0.0]]), np.array([1.0]))])
    >>> to_torch(net)(torch.tensor([[1.0, 5.0]])).tolist(), len(to_torch(net).state_dict())
    ([2.0], 2)
    """
    if head not in ("scalar", "logits"):
        raise InvalidArgumentError(f"head must be 'scalar' or 'logits', got {head!r}")
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise InvalidArgumentError(f"dtype must be a torch floating dtype, got {dtype!r}")
    body = TorchReLUNetwork(net, dtype=dtype)
    if head == "scalar":
        return body
    C, classes = _n_classes(net)
    return TorchClassifier(body, C, classes)


def as_sequential(
    net: ReLUNetwork, dtype: torch.dtype = torch.float64, *, max_parameters: int = DENSE_LIMIT
) -> nn.Sequential:
    """The dense ``nn.Sequential(Linear, ReLU, ..., Linear)`` of Definition 1; output (n, 1).

    Its weights are exactly ``net.layers()`` (cast to ``dtype``).  Dense matrix products sum in a
    different order than ``net(X)``, so outputs agree up to rounding, not bit for bit.  Networks
    whose dense form has more than ``max_parameters`` numbers raise InvalidArgumentError naming the
    size (use :func:`to_torch`, which keeps the sparse structure, instead).
    """
    n = int(net.num_parameters())
    if n > max_parameters:
        nbytes = n * torch.empty((), dtype=dtype).element_size()
        raise InvalidArgumentError(
            f"the dense form of this network has {n:,} parameters ({nbytes / 2**20:,.0f} MiB as {dtype}), above "
            f"max_parameters = {max_parameters:,}; use net.to_torch() (sparse, same function) or raise max_parameters"
        )
    mods: list[nn.Module] = []
    L = int(net.depth)
    with torch.no_grad():
        for k, (W, b) in enumerate(net.layers(), start=1):
            lin = nn.Linear(W.shape[1], W.shape[0], dtype=dtype)
            lin.weight.copy_(torch.tensor(W, dtype=dtype))
            lin.bias.copy_(torch.tensor(b, dtype=dtype))
            mods.append(lin)
            if k < L:
                mods.append(nn.ReLU())
    return nn.Sequential(*mods)
