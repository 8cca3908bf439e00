"""The network IR: a ReLU network of Definition 1, stored as segments of parametric maps.

``f = T_L o relu o T_{L-1} o ... o relu o T_1`` with affine T_l, no activation after T_L and a
scalar output (Definition 1 of Egosi, Yehudai, Shamir 2025).  The network is stored as a list
of :class:`Segment` s; a segment repeats a list of :class:`MapTemplate` s once per row of its
parameter matrix (one row per data point for the chain constructions).  Storage is therefore
O(N k) numbers plus the templates, while :meth:`ReLUNetwork.layers` yields the real affine maps
(dense W, b) lazily and every count (width, depth, parameters) is read off those maps.

Two float64 evaluators compute the same function: :meth:`ReLUNetwork.evaluate_flat` walks the
dense layers (the definition), ``net(X)`` walks the sparse structure (fast).  Exact evaluation
lives in :mod:`robustmem.network.exact`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.labels import RAISE, decode_labels
from robustmem.network.template import MapTemplate, realize_rows

__all__ = ["AffineMap", "ReLUNetwork", "Segment"]


@dataclass(frozen=True)
class AffineMap:
    """One real affine map x -> W x + b (dense, float64); unpacks as ``W, b = affine_map``.

    >>> W, b = AffineMap(np.eye(2), np.zeros(2))
    >>> W.shape, b.shape
    ((2, 2), (2,))
    """

    W: np.ndarray
    b: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        yield self.W
        yield self.b


@dataclass(frozen=True, eq=False)
class Segment:
    """``maps`` applied in order, repeated once per row of ``params`` (ReLU after every map)."""

    maps: tuple[MapTemplate, ...]
    params: np.ndarray
    name: str = "segment"
    _flat: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        maps = tuple(self.maps)
        object.__setattr__(self, "maps", maps)
        params = np.array(self.params, dtype=np.float64, copy=True)
        if params.ndim != 2 or params.shape[0] < 1:
            raise InvalidArgumentError(
                f"segment {self.name!r}: params must be a (repeats, P) array, got {params.shape}"
            )
        if not np.isfinite(params).all():
            raise InvalidArgumentError(f"segment {self.name!r}: params contain NaN or inf")
        params.setflags(write=False)
        object.__setattr__(self, "params", params)
        if not maps:
            raise InvalidArgumentError(f"segment {self.name!r} has no maps")
        for a, b in zip(maps, maps[1:]):
            if a.out_dim != b.in_dim:
                raise InvalidArgumentError(f"segment {self.name!r}: map output {a.out_dim} != next input {b.in_dim}")
        if self.repeats > 1 and maps[-1].out_dim != maps[0].in_dim:
            raise InvalidArgumentError(f"segment {self.name!r} repeats but its output dim != input dim")
        need = max(m.n_params_used for m in maps)
        if need > params.shape[1]:
            raise InvalidArgumentError(
                f"segment {self.name!r}: maps use {need} parameters, params has {params.shape[1]}"
            )
        cat = lambda attr: np.concatenate([getattr(m, attr) for m in maps])
        ent_off = np.cumsum([0] + [len(m.ent_row) for m in maps])
        bias_off = np.cumsum([0] + [len(m.active) for m in maps])
        self._flat.update(
            ent=(cat("ent_base"), cat("ent_scale"), cat("ent_pidx")),
            bias=(cat("bias_base"), cat("bias_scale"), cat("bias_pidx")),
            ent_off=ent_off,
            bias_off=bias_off,
        )

    @property
    def repeats(self) -> int:
        return int(self.params.shape[0])

    @property
    def in_dim(self) -> int:
        return self.maps[0].in_dim

    @property
    def out_dim(self) -> int:
        return self.maps[-1].out_dim

    @property
    def num_maps(self) -> int:
        return self.repeats * len(self.maps)

    def realize(self, rep: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """The float64 (entry values, bias values) of every map of repetition ``rep``."""
        ent, bias = (a[0] for a in self.realize_all(slice(rep, rep + 1)))
        eo, bo = self._flat["ent_off"], self._flat["bias_off"]
        return [(ent[eo[i] : eo[i + 1]], bias[bo[i] : bo[i + 1]]) for i in range(len(self.maps))]

    def realize_all(self, rows: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Entry and bias values for many repetitions at once: arrays (reps, n_entries), (reps, n_bias).

        This is THE realization formula of the IR: value = base + scale * params[pidx], and
        exactly ``base`` where pidx == -1.
        """
        P = self.params[rows]
        (eb, es, ep), (bb, bs, bp) = self._flat["ent"], self._flat["bias"]
        return realize_rows(eb, es, ep, P), realize_rows(bb, bs, bp, P)


def apply_map(H: np.ndarray, t: MapTemplate, ent: np.ndarray, bias: np.ndarray, relu: bool) -> np.ndarray:
    """Apply one realized sparse map to a batch ``H`` of shape (n, in_dim)."""
    lay = t.layout()
    out = np.empty((H.shape[0], t.out_dim))
    if len(t.carry_dst):
        out[:, t.carry_dst] = H[:, t.carry_src]
    if len(t.active):
        if lay.shape[1]:
            small = np.zeros(lay.shape[0] * lay.shape[1])
            small[lay.flat_index] = ent
            out[:, t.active] = H[:, lay.used_cols] @ small.reshape(lay.shape).T + bias
        else:
            out[:, t.active] = bias
    if relu:
        np.maximum(out, 0.0, out=out)
    return out


class ReLUNetwork:
    """A scalar-output ReLU network (Definition 1) stored as segments; see the module docstring.

    >>> from robustmem.network.builder import Builder
    >>> b = Builder(["x"], raw_inputs=True)
    >>> b.layer({"p": b.v("x"), "n": -b.v("x")})
    >>> b.output(b.v("p") + b.v("n"))
    >>> net = ReLUNetwork.from_builder(b)
    >>> float(net(np.array([[-3.0]]))[0]), net.width, net.depth
    (3.0, 2, 2)
    """

    def __init__(self, segments: Sequence[Segment], *, meta: dict[str, Any] | None = None):
        self.segments: tuple[Segment, ...] = tuple(segments)
        if not self.segments:
            raise InvalidArgumentError("a network needs at least one segment")
        for a, b in zip(self.segments, self.segments[1:]):
            if a.out_dim != b.in_dim:
                raise InvalidArgumentError(f"segment {a.name!r} outputs {a.out_dim} but {b.name!r} reads {b.in_dim}")
        if self.segments[-1].out_dim != 1:
            raise InvalidArgumentError(f"the output map must be scalar, got dimension {self.segments[-1].out_dim}")
        if self.segments[-1].repeats != 1:
            raise InvalidArgumentError(
                f"the last segment ({self.segments[-1].name!r}) holds the output map and must not repeat,"
                f" got {self.segments[-1].repeats} repetitions"
            )
        self.meta: dict[str, Any] = dict(meta or {})

    @staticmethod
    def from_builder(b: Any, *, meta: dict[str, Any] | None = None) -> ReLUNetwork:
        """A network made of one builder's maps (no block parameters)."""
        if not b.finished:
            raise InvalidArgumentError("the builder has no output map yet (call output())")
        return ReLUNetwork([Segment(tuple(b.maps), np.zeros((1, 0)), name="net")], meta=meta)

    @staticmethod
    def from_dense(
        layers: Sequence[tuple[np.ndarray, np.ndarray]], *, meta: dict[str, Any] | None = None
    ) -> ReLUNetwork:
        """The network of plain dense maps ``[(W_1, b_1), ..., (W_L, b_L)]`` (ReLU after all but the last).

        Guarantee: :meth:`layers` yields exactly these float64 matrices and vectors (each entry is stored
        as a template constant, which the realization formula returns unchanged).

        >>> net = ReLUNetwork.from_dense([(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
        >>> float(net(np.array([[-3.0]]))[0]), net.width, net.depth
        (3.0, 2, 2)
        """
        from robustmem.network.template import dense_template
        from robustmem.validate import finite_layer

        maps: list[MapTemplate] = []
        for k, (W, b) in enumerate(layers):
            W, b = np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
            if W.ndim != 2 or b.shape != (W.shape[0],) or W.size == 0:
                raise InvalidArgumentError(
                    f"layer {k}: W has shape {W.shape} and b {b.shape}; need (m, n) and (m,), m, n >= 1"
                )
            if maps and W.shape[1] != maps[-1].out_dim:
                raise InvalidArgumentError(
                    f"layer {k} reads {W.shape[1]} inputs but layer {k - 1} gives {maps[-1].out_dim}"
                )
            finite_layer(k, W, b)
            maps.append(dense_template(W, b))
        if not maps:
            raise InvalidArgumentError("from_dense needs at least one layer")
        return ReLUNetwork([Segment(tuple(maps), np.zeros((1, 0)), name="dense")], meta=meta)

    # ----- shape facts, read off the real maps -----
    @property
    def input_dim(self) -> int:
        return self.segments[0].in_dim

    @property
    def depth(self) -> int:
        """L, the number of affine maps (Definition 1)."""
        return sum(s.num_maps for s in self.segments)

    @property
    def width(self) -> int:
        """The largest hidden layer size max(d_1..d_{L-1}); 0 for a single affine map."""
        outs = [m.out_dim for s in self.segments for m in s.maps]
        outs.pop()  # the output map T_L (the last segment never repeats): not a hidden layer
        return max(outs, default=0)

    def layer_widths(self) -> Iterator[int]:
        """d_1, ..., d_{L-1}: the output size of every map but the last, lazily."""
        first = True
        prev = None
        for s in self.segments:
            for _ in range(s.repeats):
                for m in s.maps:
                    if not first:
                        yield prev  # type: ignore[misc]
                    prev, first = m.out_dim, False

    def num_parameters(self) -> int:
        """Dense parameter count: sum over maps of in*out + out."""
        return sum(s.repeats * sum(m.in_dim * m.out_dim + m.out_dim for m in s.maps) for s in self.segments)

    def num_nonzero_parameters(self, chunk: int = 2048) -> int:
        """Number of non-zero weights and biases of the realized maps (carried weights count 1)."""
        total = 0
        for s in self.segments:
            carried = sum(len(m.carry_dst) for m in s.maps)
            for start in range(0, s.repeats, chunk):
                ent, bias = s.realize_all(slice(start, start + chunk))
                total += int(np.count_nonzero(ent)) + int(np.count_nonzero(bias)) + carried * len(ent)
        return total

    # ----- the real affine maps -----
    def layers(self) -> Iterator[AffineMap]:
        """Yield the L affine maps in order, lazily, as :class:`AffineMap` s that unpack as dense ``(W, b)``.

        ``for W, b in net.layers()`` and ``for L in net.layers(): L.W, L.b`` both work; W is
        (d_l, d_{l-1}) float64 and b is (d_l,), so layer l computes ``W @ h + b`` (ReLU after all but the last).
        """
        for s in self.segments:
            for rep in range(s.repeats):
                for m, (ent, bias) in zip(s.maps, s.realize(rep)):
                    W, b = m.dense(ent, bias)
                    yield AffineMap(W, b)

    def maps(self) -> Iterator[tuple[MapTemplate, np.ndarray, np.ndarray]]:
        """Yield (template, entry values, bias values) of every map in order (sparse form)."""
        for s in self.segments:
            for rep in range(s.repeats):
                for m, (ent, bias) in zip(s.maps, s.realize(rep)):
                    yield m, ent, bias

    # ----- float64 evaluation -----
    def _check_input(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.input_dim:
            raise InvalidArgumentError(f"input must have shape (n, {self.input_dim}), got {X.shape}")
        if not np.isfinite(X).all():
            i, j = np.argwhere(~np.isfinite(X))[0]
            raise InvalidArgumentError(f"input entry ({i}, {j}) is {X[i, j]}: inputs must be finite")
        return X

    def __call__(
        self, X: np.ndarray, *, chunk: int = 8192, kernels: bool = True, processes: bool | None = None
    ) -> np.ndarray:
        """f(X) for a batch X of shape (n, d) (or one point (d,)): float64 array (n,).

        Block-parallel compiled evaluation (:mod:`robustmem.network.plan`) with the float64 operations
        run by torch's vectorized kernels (:class:`~robustmem.network.evaluate.KernelArith`);
        the same float64 values as :meth:`evaluate_sequential` (a zero's sign bit aside).  ``kernels=False`` (also chosen when torch
        flushes subnormals to zero) runs the same operations with numpy.

        Parallelism, over rows (each row's operations are the same either way): large jobs
        (rows x depth >= :data:`~robustmem.network.evaluate.PROCESS_WORK`, on Linux) run in forked
        worker processes, one per core, with the kernels; the per-neuron Python work holds the GIL,
        so threads share one core (400 points of the N = 10^4, k = 32 network on 2 idle cores:
        6.0 s in processes, 10.5 s on numpy threads, 17.8 s on kernel threads).  Smaller jobs use
        numpy on threads, or the kernels on the calling thread for a single chunk of rows.
        ``processes`` forces the choice.
        """
        from concurrent.futures import ThreadPoolExecutor

        from robustmem.network.evaluate import (
            PROCESS_WORK,
            FloatArith,
            KernelArith,
            available_cores,
            can_fork,
            evaluate_in_processes,
            kernels_are_ieee,
            run_network,
        )

        X = self._check_input(X)
        if len(X) == 0:
            return np.zeros(0)
        use_kernels = kernels and kernels_are_ieee()
        arith = KernelArith() if use_kernels else FloatArith()
        workers = min(available_cores(), 4)
        if processes is None:
            processes = workers > 1 and len(X) >= 2 and len(X) * self.depth >= PROCESS_WORK and can_fork()
        if processes:
            return evaluate_in_processes(self, X, workers=workers, kernels=use_kernels, chunk=chunk)
        chunk = min(chunk, max(64, -(-len(X) // workers)))  # numpy releases the GIL: one chunk per core
        parts = [X[i : i + chunk] for i in range(0, len(X), chunk)]
        if len(parts) == 1:
            return np.asarray(run_network(self, parts[0], arith, max_elements=arith.max_elements))
        # several threads: numpy (torch's per-operation GIL hand-offs made threads slower than one, measured)
        numpy_arith = FloatArith()
        run = lambda part: np.asarray(run_network(self, part, numpy_arith))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return np.concatenate(list(pool.map(run, parts)))

    def evaluate_sequential(self, X: np.ndarray) -> np.ndarray:
        """f(X) block after block, value by value (same operations as ``net(X)``, no parallelism)."""
        from robustmem.network.evaluate import FloatArith, run_network

        return np.asarray(run_network(self, self._check_input(X), FloatArith(), parallel=False))

    def evaluate_maps(self, X: np.ndarray) -> np.ndarray:
        """f(X) applying each realized sparse map to the whole state (a third, independent path)."""
        H = self._check_input(X)
        total, k = self.depth, 0
        for s in self.segments:
            for rep in range(s.repeats):
                for m, (ent, bias) in zip(s.maps, s.realize(rep)):
                    k += 1
                    H = apply_map(H, m, ent, bias, relu=k < total)
        return H[:, 0]

    def evaluate_flat(self, X: np.ndarray) -> np.ndarray:
        """f(X) by walking the dense maps of :meth:`layers` (the definition; slow)."""
        H = self._check_input(X)
        total = self.depth
        for k, L in enumerate(self.layers(), start=1):
            H = H @ L.W.T + L.b
            if k < total:
                H = np.maximum(H, 0.0)
        return H[:, 0]

    # ----- the claim and the labels -----
    @property
    def certificate(self) -> Any:
        """The construction's :class:`~robustmem.construct.Certificate` (with ``.summary()``), or None.

        Read from ``meta["certificate"]`` (the JSON form saved in the network file), so networks
        returned by :func:`~robustmem.network.storage.load_network` carry it too.
        """
        d = self.meta.get("certificate")
        if d is None:
            return None
        from robustmem.certificate import Certificate

        return d if isinstance(d, Certificate) else Certificate.from_dict(d)

    def predict_labels(self, X: np.ndarray, *, missing: Any = RAISE) -> np.ndarray:
        """The network's outputs on X decoded into the user's labels (the certificate's ``classes``).

        The float64 output m (the paper's label, exactly an integer in 1..C) becomes ``classes[m - 1]``;
        without classes the labels are their own names.  No output is rounded: a value that is not
        exactly such an integer (typically far from the data, where the network promises nothing)
        raises DataError naming its index, unless ``missing`` is given to stand for it.
        """
        meta_cert = self.meta.get("certificate") or {}
        classes = meta_cert.get("classes") if isinstance(meta_cert, dict) else getattr(meta_cert, "classes", None)
        top = meta_cert.get("n_classes") if isinstance(meta_cert, dict) else getattr(meta_cert, "n_classes", None)
        return decode_labels(self(X), classes, missing=missing, n_classes=top)

    # ----- export and files -----
    def to_torch(self, dtype: Any = None, *, head: str = "scalar") -> Any:
        """An ``nn.Module`` computing this network (float64 unless ``dtype`` is given).

        ``head="scalar"``: f(x), shape (n,), bit-identical to ``net(X)`` at float64; the weights are
        buffers (``state_dict()``, ``.to(dtype, device)``, ``.float()``).  ``head="logits"``: C logits
        -(f(x) - m)^2, m = 1..C, for attack libraries (foolbox, torchattacks, ART); the argmax is
        label - 1 at every memorized point.  See :mod:`robustmem.network.torch_export`.
        """
        import torch

        from robustmem.network.torch_export import to_torch

        return to_torch(self, dtype=dtype or torch.float64, head=head)  # type: ignore[arg-type]

    def as_sequential(self, dtype: Any = None, *, max_parameters: int | None = None) -> Any:
        """The dense ``nn.Sequential`` of ``nn.Linear`` / ``nn.ReLU`` layers (Definition 1); output (n, 1).

        For networks whose dense form fits in memory: more than ``max_parameters`` (default
        :data:`~robustmem.network.torch_export.DENSE_LIMIT` = 10^7) numbers raise an error naming the size.
        """
        import torch

        from robustmem.network.torch_export import DENSE_LIMIT, as_sequential

        limit = DENSE_LIMIT if max_parameters is None else max_parameters
        return as_sequential(self, dtype=dtype or torch.float64, max_parameters=limit)

    def __repr__(self) -> str:
        name = self.meta.get("construction", "network")
        return f"ReLUNetwork({name}, input_dim={self.input_dim}, width={self.width}, depth={self.depth})"
