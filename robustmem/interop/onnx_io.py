"""ONNX export and import of ReLU networks (Definition 1: affine maps with ReLU between them).

The export writes the network's own layers, exactly: one ``MatMul`` + ``Add`` per affine map with
float64 (DOUBLE) initializers, a ``Relu`` after every map but the last; input ``x`` of shape
[batch, d], output ``y`` of shape [batch, 1].  Nothing is rounded, so onnxruntime computes the same
function as ``net(X)`` (summation order aside).  The import reads such graphs back -- and MLPs written
by other tools (``Gemm``, ``MatMul`` + ``Add``, ``Relu``, ``Flatten``/``Identity``), in float32 or float64 --
as a list of dense float64 ``(W, b)`` layers, which :func:`robustmem.certify.certify` accepts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError, NetworkFormatError

__all__ = ["export_onnx", "import_onnx", "run_onnx", "MAX_ONNX_BYTES"]

MAX_ONNX_BYTES = 2_000_000_000  # protobuf's 2 GB message limit, less a margin


def _layers(net: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(net, (list, tuple)):
        return [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)) for W, b in net]
    return [(m.W, m.b) for m in net.layers()]


def export_onnx(net: Any, path: str | Path, *, opset: int = 17) -> Path:
    """Write ``net`` (a ReLUNetwork or a list of (W, b)) as an ONNX model in float64; return the path.

    Raises InvalidArgumentError when the dense weights would pass protobuf's 2 GB limit (the
    message names the size), since such a file cannot be written or read by ONNX tools.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    layers = _layers(net)
    if not layers:
        raise InvalidArgumentError("the network has no layers")
    size = sum(W.nbytes + b.nbytes for W, b in layers)
    if size > MAX_ONNX_BYTES:
        raise InvalidArgumentError(
            f"the dense weights take {size:,} bytes, above ONNX's protobuf limit of {MAX_ONNX_BYTES:,}:"
            " export a smaller network (depth x width^2 decides the size)"
        )
    nodes, inits = [], []
    cur = "x"
    for i, (W, b) in enumerate(layers):
        inits += [numpy_helper.from_array(np.ascontiguousarray(W.T), f"W{i}"), numpy_helper.from_array(b, f"b{i}")]
        nodes.append(helper.make_node("MatMul", [cur, f"W{i}"], [f"m{i}"]))
        last = i == len(layers) - 1
        nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], ["y" if last else f"a{i}"]))
        if not last:
            nodes.append(helper.make_node("Relu", [f"a{i}"], [f"h{i}"]))
            cur = f"h{i}"
    d, out = layers[0][0].shape[1], layers[-1][0].shape[0]
    graph = helper.make_graph(
        nodes, "robustmem_relu_network",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["batch", d])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["batch", out])],
        initializer=inits,
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="robustmem")
    onnx.checker.check_model(model)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def run_onnx(path: str | Path, X: np.ndarray) -> np.ndarray:
    """Evaluate an ONNX model with onnxruntime on X (cast to the model's input type); returns (n,) or (n, m)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()[0]
    dtype = np.float64 if "double" in inp.type else np.float32
    (y,) = sess.run(None, {inp.name: np.asarray(X, dtype=dtype)})
    return y[:, 0] if y.ndim == 2 and y.shape[1] == 1 else y


def import_onnx(path: str | Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """Read an ONNX ReLU MLP as dense float64 layers [(W, b), ...] (ReLU between them, none after the last).

    Accepted nodes: Gemm (alpha = beta = 1, transA = 0), MatMul followed by Add, Relu, and the
    shape no-ops Flatten / Identity.  Anything else raises NetworkFormatError naming the node index
    and op type; so does a ReLU after the last affine map or two ReLUs in a row.
    """
    import onnx
    from onnx import numpy_helper

    try:
        model = onnx.load(str(path))
    except Exception as exc:  # protobuf DecodeError and friends
        raise NetworkFormatError(f"{path}: not a readable ONNX model ({exc})") from exc
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    layers: list[tuple[np.ndarray, np.ndarray]] = []
    relu_after: list[bool] = []
    pending_W: np.ndarray | None = None
    for idx, node in enumerate(g.node):
        op = node.op_type
        if op in ("Flatten", "Identity"):
            continue
        if op == "Gemm":
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            if attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0 or attrs.get("transA", 0):
                raise NetworkFormatError(f"node {idx} (Gemm): only alpha = beta = 1, transA = 0 is supported, got {attrs}")
            W = inits.get(node.input[1])
            if W is None:
                raise NetworkFormatError(f"node {idx} (Gemm): weight {node.input[1]!r} is not an initializer")
            W = W if attrs.get("transB", 0) else W.T
            b = inits.get(node.input[2], np.zeros(W.shape[0])) if len(node.input) > 2 else np.zeros(W.shape[0])
            layers.append((W, np.broadcast_to(b, (W.shape[0],)).copy()))
            relu_after.append(False)
        elif op == "MatMul":
            W = inits.get(node.input[1])
            if W is None or pending_W is not None:
                raise NetworkFormatError(f"node {idx} (MatMul): expected x @ W with W an initializer")
            pending_W = W.T
        elif op == "Add":
            if pending_W is None:
                raise NetworkFormatError(f"node {idx} (Add): an Add must follow a MatMul")
            b = inits.get(node.input[1], inits.get(node.input[0]))
            if b is None:
                raise NetworkFormatError(f"node {idx} (Add): the bias is not an initializer")
            layers.append((pending_W, np.broadcast_to(b, (pending_W.shape[0],)).copy()))
            relu_after.append(False)
            pending_W = None
        elif op == "Relu":
            if pending_W is not None:  # MatMul without bias
                layers.append((pending_W, np.zeros(pending_W.shape[0])))
                relu_after.append(False)
                pending_W = None
            if not layers or relu_after[-1]:
                raise NetworkFormatError(f"node {idx} (Relu): a ReLU must follow an affine map")
            relu_after[-1] = True
        else:
            raise NetworkFormatError(f"node {idx} ({op}): not part of a ReLU MLP (Gemm, MatMul, Add, Relu, Flatten)")
    if pending_W is not None:
        layers.append((pending_W, np.zeros(pending_W.shape[0])))
        relu_after.append(False)
    if not layers:
        raise NetworkFormatError(f"{path}: no affine layers found")
    if relu_after[-1]:
        raise NetworkFormatError(f"{path}: the output passes through a ReLU; Definition 1 ends with an affine map")
    if not all(relu_after[:-1]):
        bad = relu_after.index(False)
        raise NetworkFormatError(f"{path}: affine map {bad} is not followed by a ReLU (consecutive affine maps)")
    for i, ((W1, _), (W2, _)) in enumerate(zip(layers, layers[1:])):
        if W2.shape[1] != W1.shape[0]:
            raise NetworkFormatError(f"layer {i + 1} expects {W2.shape[1]} inputs, layer {i} gives {W1.shape[0]}")
    return layers
