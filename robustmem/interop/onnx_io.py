"""ONNX export and import of ReLU networks (Definition 1: affine maps with a ReLU between them).

Export writes the network's own layers and nothing else: one ``Gemm`` (``y = x W^T + b``, ``transB = 1``)
per affine map of :meth:`~robustmem.network.network.ReLUNetwork.layers`, a ``Relu`` after every map
but the last, input ``x`` of shape [batch, d] and output ``y`` of shape [batch, 1].  In float64
(``DOUBLE`` initializers, the default) no weight is rounded, so the file *is* the network; onnxruntime
then computes the same function as ``net(X)`` up to its summation order (bit-identical on the package's
constructions, whose sums are exact; measured in the tests).  ``dtype='float32'`` writes a rounded copy
for tools that read float32 only, and says how many weights the rounding changed.

Import reads ONNX ReLU MLPs written by this package or by other tools (torch's exporter, VNN-COMP
benchmarks): ``Gemm``, ``MatMul`` (+ ``Add``), ``Relu``, and the shape no-ops ``Flatten`` (axis 1),
``Reshape`` to [batch, n] and ``Identity``; weights as initializers or ``Constant`` nodes, float32 or
float64 (read exactly into float64).  Anything else raises :class:`~robustmem.errors.NetworkFormatError`
naming the node index and op type.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.extras import require
from robustmem.network.network import ReLUNetwork

if TYPE_CHECKING:
    import onnx

__all__ = ["MAX_ONNX_BYTES", "OnnxDType", "OnnxExport", "export_onnx", "import_onnx", "onnx_layers", "run_onnx"]

OnnxDType = Literal["float64", "float32"]
#: protobuf cannot serialize a message of 2 GiB or more, and an ONNX model is one message
MAX_ONNX_BYTES = 2**31 - 1
_NODE_BYTES = 256  # generous per-layer allowance for node, names and tensor headers in the size estimate
_DTYPES: dict[str, Any] = {"float64": np.float64, "float32": np.float32}
Layers = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class OnnxExport:
    """What :func:`export_onnx` wrote.  ``rounded_weights`` counts the weights and biases whose value in the
    file differs from the network's float64 value (always 0 for float64: the file is the network)."""

    path: Path
    n_bytes: int
    dtype: OnnxDType
    opset: int
    input_dim: int
    depth: int
    width: int
    rounded_weights: int

    def summary(self) -> str:
        exact = "every weight exact" if self.rounded_weights == 0 else f"{self.rounded_weights:,} weights rounded"
        return (
            f"wrote {self.path} ({self.n_bytes:,} bytes, {self.dtype}, opset {self.opset}): d = {self.input_dim},"
            f" depth {self.depth}, width {self.width}, {exact}"
        )


def _as_network(net: ReLUNetwork | Sequence[tuple[np.ndarray, np.ndarray]]) -> ReLUNetwork:
    if isinstance(net, ReLUNetwork):
        return net
    if isinstance(net, (str, bytes)) or not isinstance(net, Sequence):
        raise InvalidArgumentError(f"expected a ReLUNetwork or a list of (W, b) pairs, got {type(net).__name__}")
    return ReLUNetwork.from_dense(list(net))


def _check_export_options(opset: int, dtype: OnnxDType) -> None:
    """Raise InvalidArgumentError for an unknown dtype or an opset outside [13, onnx's newest]."""
    import onnx

    if dtype not in _DTYPES:
        raise InvalidArgumentError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
    if isinstance(opset, bool) or not isinstance(opset, int) or not 13 <= opset <= onnx.defs.onnx_opset_version():
        raise InvalidArgumentError(f"opset must be an integer in [13, {onnx.defs.onnx_opset_version()}], got {opset!r}")


def _check_export_size(net: ReLUNetwork, dtype: OnnxDType) -> None:
    """Raise InvalidArgumentError, naming the estimated size, when the model would pass :data:`MAX_ONNX_BYTES`."""
    estimate = net.num_parameters() * np.dtype(_DTYPES[dtype]).itemsize + _NODE_BYTES * net.depth
    if estimate > MAX_ONNX_BYTES:
        raise InvalidArgumentError(
            f"the ONNX model would take about {estimate:,} bytes ({net.num_parameters():,} dense parameters,"
            f" depth {net.depth}, width {net.width}), above protobuf's limit of {MAX_ONNX_BYTES:,} bytes"
        )


@dataclass(frozen=True)
class _OnnxGraph:
    """The graph's pieces: Gemm/Relu nodes, weight initializers, and how many weights ``dtype`` rounded."""

    nodes: tuple[onnx.NodeProto, ...]
    initializers: tuple[onnx.TensorProto, ...]
    rounded_weights: int


def _onnx_graph(net: ReLUNetwork, dtype: OnnxDType) -> _OnnxGraph:
    """One Gemm per affine map of ``net.layers()`` with a Relu after all but the last, weights cast to ``dtype``."""
    from onnx import helper, numpy_helper

    np_type = _DTYPES[dtype]
    nodes, inits, rounded, cur, L = [], [], 0, "x", net.depth
    for k, m in enumerate(net.layers()):
        with np.errstate(over="ignore"):  # float32 overflow is reported just below
            W, b = m.W.astype(np_type), m.b.astype(np_type)
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise InvalidArgumentError(f"layer {k} has weights beyond the {dtype} range: they would be written as inf")
        rounded += int(np.count_nonzero(W != m.W)) + int(np.count_nonzero(b != m.b))
        inits += [numpy_helper.from_array(W, f"W{k}"), numpy_helper.from_array(b, f"b{k}")]
        last = k == L - 1
        nodes.append(helper.make_node("Gemm", [cur, f"W{k}", f"b{k}"], ["y" if last else f"z{k}"], transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [f"z{k}"], [f"h{k}"]))
            cur = f"h{k}"
    return _OnnxGraph(tuple(nodes), tuple(inits), rounded)


def _onnx_model(net: ReLUNetwork, graph: _OnnxGraph, opset: int, dtype: OnnxDType) -> onnx.ModelProto:
    """The model around ``graph``: input x [batch, d], output y [batch, 1], robustmem metadata; checked."""
    import onnx
    from onnx import TensorProto, helper

    elem = TensorProto.DOUBLE if dtype == "float64" else TensorProto.FLOAT
    model = helper.make_model(
        helper.make_graph(
            list(graph.nodes),
            "relu_network",
            [helper.make_tensor_value_info("x", elem, ["batch", net.input_dim])],
            [helper.make_tensor_value_info("y", elem, ["batch", 1])],
            initializer=list(graph.initializers),
        ),
        opset_imports=[helper.make_opsetid("", opset)],
        producer_name="robustmem",
        doc_string="ReLU network (Definition 1): Gemm maps, Relu between them, scalar output",
    )
    for key, value in (
        ("depth", net.depth),
        ("width", net.width),
        ("dtype", dtype),
        ("construction", net.meta.get("construction", "")),
        ("rounded_weights", graph.rounded_weights),
    ):
        entry = model.metadata_props.add()
        entry.key, entry.value = f"robustmem.{key}", str(value)
    n_bytes = model.ByteSize()
    if n_bytes > MAX_ONNX_BYTES:  # the estimate is generous, so this is a can't-happen guard
        raise InvalidArgumentError(
            f"the ONNX model takes {n_bytes:,} bytes, above protobuf's limit of {MAX_ONNX_BYTES:,}"
        )
    onnx.checker.check_model(model)
    return model


def export_onnx(
    net: ReLUNetwork | Sequence[tuple[np.ndarray, np.ndarray]],
    path: str | Path,
    *,
    opset: int = 17,
    dtype: OnnxDType = "float64",
) -> OnnxExport:
    """Write ``net`` (a ReLUNetwork, or dense (W, b) pairs) as an ONNX model; return an :class:`OnnxExport`.

    Guarantee (float64): the file's Gemm weights and biases are exactly the float64 numbers of
    ``net.layers()``, with a Relu after every map but the last -- Definition 1, nothing rounded.  The model
    passes ``onnx.checker``.  Raises InvalidArgumentError, naming the estimated size, when the model would
    reach protobuf's 2 GiB limit (:data:`MAX_ONNX_BYTES`; the dense size is depth x width^2 x 8 bytes),
    for an opset below 13 or an unknown dtype, and for weights beyond the float32 range with ``dtype='float32'``.

    >>> import tempfile, pathlib
    >>> net = ReLUNetwork.from_dense([(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    >>> rep = export_onnx(net, pathlib.Path(tempfile.mkdtemp()) / "abs.onnx")
    >>> rep.depth, rep.rounded_weights, run_onnx(rep.path, np.array([[-3.0], [2.0]])).tolist()
    (2, 0, [3.0, 2.0])
    """
    onnx = require("onnx", feature="ONNX export")

    _check_export_options(opset, dtype)
    net = _as_network(net)
    _check_export_size(net, dtype)
    graph = _onnx_graph(net, dtype)
    model = _onnx_model(net, graph, opset, dtype)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(model, str(path))
    return OnnxExport(
        path, path.stat().st_size, dtype, opset, net.input_dim, net.depth, net.width, graph.rounded_weights
    )


def run_onnx(path: str | Path, X: np.ndarray) -> np.ndarray:
    """Evaluate an ONNX model with onnxruntime (CPU) on a batch X (n, d); returns (n,) for a scalar output.

    X is cast to the model's input type: float32 models see a rounded X.
    """
    ort = require("onnxruntime", feature="running an ONNX file")

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    X = np.atleast_2d(np.asarray(X, dtype=np.float64 if inp.type == "tensor(double)" else np.float32))
    (out,) = sess.run(None, {inp.name: X})
    out = np.asarray(out)
    return out.reshape(len(X)) if out.size == len(X) else out


# ----- import -----


def _fail(k: int, op: str, why: str) -> NetworkFormatError:
    return NetworkFormatError(f"node {k} ({op}): {why}")


def _constants(model: Any) -> dict[str, np.ndarray]:
    """Initializers and Constant-node values, as arrays of their own dtype (float16 etc. are refused later)."""
    from onnx import numpy_helper

    out = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant" and len(node.attribute) == 1 and node.attribute[0].name == "value":
            out[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    return out


def _weight(consts: dict[str, np.ndarray], name: str, k: int, op: str) -> np.ndarray:
    if name not in consts:
        raise _fail(k, op, f"input {name!r} is neither an initializer nor a Constant: not a fixed weight")
    a = consts[name]
    if a.dtype not in (np.float32, np.float64):
        raise _fail(k, op, f"weight {name!r} has dtype {a.dtype}; only float32 and float64 are read exactly")
    return a.astype(np.float64)  # exact: every float32 is a float64


def _bias(b: np.ndarray, m: int, k: int, op: str) -> np.ndarray:
    if b.size not in (1, m) or (b.ndim == 2 and b.shape[0] != 1) or b.ndim > 2:
        raise _fail(k, op, f"bias of shape {b.shape} does not broadcast to {m} outputs")
    return np.broadcast_to(b.reshape(-1), (m,)).copy()


def _data_input(node: Any, cur: str, k: int) -> list[str]:
    """The node's inputs other than the chain's current tensor (which it must read exactly once)."""
    ins = list(node.input)
    if ins.count(cur) != 1:
        raise _fail(k, node.op_type, f"does not read the previous layer's output {cur!r} (a ReLU MLP is one chain)")
    return [name for name in ins if name != cur]


class _MlpReader:
    """Reads an ONNX graph node by node into dense layers: one method per accepted op, each checking its node.

    State: ``features`` is the current tensor's shape without the batch axis, ``cur`` its name; ``pending`` holds a
    MatMul's W (out, in) until its Add (or a ReLU) closes the layer; ``relu_after[j]`` says layer j is followed by
    a ReLU.
    """

    def __init__(self, consts: dict[str, np.ndarray], features: tuple[int, ...], cur: str) -> None:
        self.consts = consts
        self.features = features
        self.cur = cur
        self.layers: Layers = []
        self.relu_after: list[bool] = []
        self.pending: np.ndarray | None = None

    def _close(self, W: np.ndarray, b: np.ndarray) -> None:
        self.layers.append((W, b))
        self.relu_after.append(False)

    def read(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        op = node.op_type
        if op in ("Gemm", "MatMul"):
            if self.pending is not None or (self.layers and not self.relu_after[-1]):
                raise _fail(k, op, "a second affine map with no ReLU in between")  # the list would read one in
            if len(self.features) != 1:
                raise _fail(k, op, f"input of shape {self.features} is not flat (missing Flatten)")
        handler = self._HANDLERS.get(op)
        if handler is None:
            raise _fail(k, op, "not part of a ReLU MLP (Gemm, MatMul, Add, Relu, Flatten, Reshape, Identity)")
        handler(self, k, node, attrs, others)
        self.cur = node.output[0]

    def _identity(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        pass

    def _flatten(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        if attrs.get("axis", 1) != 1:
            raise _fail(k, node.op_type, f"axis {attrs['axis']} would mix the batch axis into the features")
        self.features = (math.prod(self.features),)

    def _reshape(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        op = node.op_type
        if not others or others[0] not in self.consts or attrs.get("allowzero", 0):
            raise _fail(k, op, "only a Reshape to a constant shape (allowzero = 0) is read")
        shape, n = [int(s) for s in self.consts[others[0]].reshape(-1)], math.prod(self.features)
        if len(shape) != 2 or shape[0] not in (-1, 0) or shape[1] not in (n, -1) or (shape[0] == shape[1] == -1):
            raise _fail(k, op, f"reshape to {shape} is not the no-op [batch, {n}]")
        self.features = (n,)

    def _gemm(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        op = node.op_type
        if (
            attrs.get("alpha", 1.0) != 1.0
            or attrs.get("beta", 1.0) != 1.0
            or attrs.get("transA", 0) != 0
            or node.input[0] != self.cur
        ):
            raise _fail(k, op, f"only Gemm(x, W, b) with alpha = beta = 1 and transA = 0 is read, got {attrs}")
        B = _weight(self.consts, node.input[1], k, op)
        W = B if attrs.get("transB", 0) else B.T
        if W.ndim != 2 or W.shape[1] != self.features[0]:
            raise _fail(k, op, f"weight of shape {B.shape} does not map {self.features[0]} inputs")
        b = _weight(self.consts, node.input[2], k, op) if len(node.input) > 2 and node.input[2] else np.zeros(1)
        self._close(W, _bias(b, W.shape[0], k, op))
        self.features = (W.shape[0],)

    def _matmul(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        B = _weight(self.consts, others[0], k, node.op_type)
        if node.input[0] != self.cur or B.ndim != 2 or B.shape[0] != self.features[0]:
            raise _fail(k, node.op_type, f"only x @ W with W of shape ({self.features[0]}, n) is read, got W {B.shape}")
        self.pending, self.features = B.T, (B.shape[1],)

    def _add(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        op = node.op_type
        if self.pending is None:
            raise _fail(k, op, "an Add that does not follow a MatMul (only biases are read)")
        W = self.pending
        self._close(W, _bias(_weight(self.consts, others[0], k, op), W.shape[0], k, op))
        self.pending = None

    def _relu(self, k: int, node: Any, attrs: dict[str, Any], others: list[str]) -> None:
        self.flush()
        if not self.layers or self.relu_after[-1]:
            raise _fail(k, node.op_type, "a ReLU that does not follow an affine map")
        self.relu_after[-1] = True

    def flush(self) -> None:
        """Close a MatMul that has no bias."""
        if self.pending is not None:
            self._close(self.pending, np.zeros(self.pending.shape[0]))
            self.pending = None

    _HANDLERS: ClassVar[dict[str, Callable[..., None]]] = {
        "Identity": _identity,
        "Flatten": _flatten,
        "Reshape": _reshape,
        "Gemm": _gemm,
        "MatMul": _matmul,
        "Add": _add,
        "Relu": _relu,
    }


def _graph_input(path: str | Path, g: Any, consts: dict[str, np.ndarray]) -> tuple[str, tuple[int, ...]]:
    """The graph's one data input: its name and its shape without the batch axis."""
    inputs = [v for v in g.input if v.name not in consts]
    if len(inputs) != 1 or len(g.output) != 1:
        raise NetworkFormatError(
            f"{path}: a ReLU MLP has one data input and one output, got {len(inputs)} and {len(g.output)}"
        )
    dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) < 2 or any(d is None for d in dims[1:]):
        raise NetworkFormatError(f"{path}: input {inputs[0].name!r} has shape {dims}; need [batch, features...]")
    return inputs[0].name, tuple(int(d) for d in dims[1:] if d is not None)  # every dim is set: checked above


def onnx_layers(path: str | Path) -> Layers:
    """The dense float64 layers [(W_1, b_1), ..., (W_L, b_L)] of an ONNX ReLU MLP (ReLU between them).

    Guarantee: evaluating the layers in exact arithmetic gives the model's function in exact arithmetic
    (float32 weights are widened exactly; no node is skipped silently).  Raises NetworkFormatError naming
    the node index and op type for any node that is not an affine map, a ReLU or a shape no-op, for a
    ReLU after the last map, two maps without a ReLU between them, or two ReLUs in a row.
    """
    onnx = require("onnx", feature="ONNX import")

    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf's DecodeError and friends share no base class worth naming
        raise NetworkFormatError(f"{path}: not a readable ONNX model ({type(exc).__name__}: {exc})") from exc
    g = model.graph
    consts = _constants(model)
    name, features = _graph_input(path, g, consts)
    reader = _MlpReader(consts, features, name)
    for k, node in enumerate(g.node):
        if node.op_type == "Constant":
            if node.output[0] not in consts:
                raise _fail(k, node.op_type, "only Constant nodes with a tensor 'value' are read")
            continue
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        reader.read(k, node, attrs, _data_input(node, reader.cur, k))
    reader.flush()
    if not reader.layers:
        raise NetworkFormatError(f"{path}: no affine map found")
    if reader.relu_after[-1]:
        raise NetworkFormatError(f"{path}: the output passes through a ReLU; Definition 1 ends with an affine map")
    if reader.cur != g.output[0].name:
        raise NetworkFormatError(
            f"{path}: the graph output {g.output[0].name!r} is not the last map's result {reader.cur!r}"
        )
    return reader.layers


def import_onnx(path: str | Path) -> ReLUNetwork:
    """Read an ONNX ReLU MLP with a scalar output as a :class:`ReLUNetwork` (see :func:`onnx_layers`).

    Guarantee: ``net.layers()`` are exactly the model's weights, widened to float64; a file written by
    :func:`export_onnx` in float64 comes back with identical layers.  Raises NetworkFormatError as
    :func:`onnx_layers` does, and when the model has more than one output value.
    """
    layers = onnx_layers(path)
    if layers[-1][0].shape[0] != 1:
        raise NetworkFormatError(
            f"{path}: the model has {layers[-1][0].shape[0]} outputs; a ReLUNetwork (Definition 1)"
            " has one -- use onnx_layers() for the raw layers"
        )
    return ReLUNetwork.from_dense(layers, meta={"construction": "onnx-import", "source": str(path)})
