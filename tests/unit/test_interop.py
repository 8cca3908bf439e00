"""ONNX export and import, VNN-LIB properties, and Marabou as an outside check agreeing with the MILP."""

from __future__ import annotations

import math
import re
import time
from fractions import Fraction

import numpy as np
import onnx
import pytest
import torch
from cli_nets import build_small_theorem6
from onnx import TensorProto, helper, numpy_helper

from robustmem.certify import certify
from robustmem.cli import main
from robustmem.construct import construct_theorem6, construct_zhang2017
from robustmem.data import sphere_points
from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.geometry import exact_in_ball
from robustmem.interop import (
    OUTPUT_TOLERANCE,
    export_onnx,
    import_onnx,
    marabou_check,
    onnx_layers,
    positional,
    relative_onnx_name,
    run_onnx,
    write_vnnlib,
)
from robustmem.interop import marabou as marabou_module
from robustmem.network import ReLUNetwork
from robustmem.network.exact import evaluate_exact

# torch's legacy exporter (dynamo=False: no onnxscript needed) announces its own deprecation
TORCH_EXPORT = pytest.mark.filterwarnings(
    "ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning"
)


@pytest.fixture(scope="module")
def small():
    ds = sphere_points(6, 3, n_classes=2, seed=0)
    net, cert = construct_theorem6(ds, p=math.inf, sigma=0.05)
    return ds, net, cert


def _forward(layers, X):
    """The ReLU MLP of dense layers, in float64."""
    h = X
    for k, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if k < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h


def _model(nodes, inits, in_shape, out_shape=("batch", 1), *, outputs=("y",), elem=TensorProto.DOUBLE):
    """A hand-written ONNX model: input 'x', initializers given as {name: array}."""
    graph = helper.make_graph(
        nodes,
        "hand",
        [helper.make_tensor_value_info("x", elem, list(in_shape))],
        [helper.make_tensor_value_info(o, elem, list(out_shape)) for o in outputs],
        initializer=[numpy_helper.from_array(np.asarray(a), name) for name, a in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    return model


def _save(model, path):
    onnx.save_model(model, str(path))
    return path


# ----- ONNX -----


def test_onnx_round_trip_is_exact(small, tmp_path):
    ds, net, _ = small
    rep = export_onnx(net, tmp_path / "m.onnx")
    assert rep.path.exists() and rep.n_bytes == rep.path.stat().st_size
    assert (rep.dtype, rep.rounded_weights, rep.depth, rep.width) == ("float64", 0, net.depth, net.width)
    assert "every weight exact" in rep.summary()
    X = np.vstack([ds.X, ds.X + 0.01 * np.random.default_rng(0).standard_normal(ds.X.shape)])
    assert np.array_equal(run_onnx(rep.path, X), net(X))  # bit-identical, measured
    layers = onnx_layers(rep.path)
    assert len(layers) == net.depth
    for m, (W, b) in zip(net.layers(), layers):
        assert np.array_equal(m.W, W) and np.array_equal(m.b, b)
    back = import_onnx(rep.path)
    assert isinstance(back, ReLUNetwork) and (back.depth, back.width) == (net.depth, net.width)
    for m, k in zip(net.layers(), back.layers()):
        assert np.array_equal(m.W, k.W) and np.array_equal(m.b, k.b)
    assert np.array_equal(back(X), net(X))
    # a list of (W, b) pairs is exported as such, and a second round trip changes nothing
    again = export_onnx(layers, tmp_path / "again.onnx")
    assert all(
        np.array_equal(W, W2) and np.array_equal(b, b2) for (W, b), (W2, b2) in zip(layers, onnx_layers(again.path))
    )


def test_export_refuses_bad_options(small, tmp_path):
    _, net, _ = small
    with pytest.raises(InvalidArgumentError, match="dtype"):
        export_onnx(net, tmp_path / "a.onnx", dtype="float16")
    with pytest.raises(InvalidArgumentError, match="opset"):
        export_onnx(net, tmp_path / "a.onnx", opset=9)
    with pytest.raises(InvalidArgumentError, match="ReLUNetwork or a list"):
        export_onnx("net.rmnet", tmp_path / "a.onnx")


@TORCH_EXPORT
def test_import_of_a_torch_exported_mlp_not_built_here(tmp_path):
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)
    )
    path = tmp_path / "t.onnx"
    torch.onnx.export(
        mlp,
        (torch.zeros(1, 5),),
        str(path),
        dynamo=False,
        input_names=["x"],
        output_names=["y"],
        dynamic_axes={"x": {0: "batch"}},
    )
    layers = onnx_layers(path)
    assert [W.shape for W, _ in layers] == [(8, 5), (4, 8), (1, 4)]
    linears = [m for m in mlp if isinstance(m, torch.nn.Linear)]
    for (W, b), lin in zip(layers, linears):  # float32 weights widened exactly
        assert W.dtype == np.float64
        assert np.array_equal(W, lin.weight.detach().double().numpy()) and np.array_equal(
            b, lin.bias.detach().double().numpy()
        )
    X = np.random.default_rng(1).standard_normal((20, 5))
    np.testing.assert_allclose(
        _forward(layers, X)[:, 0], run_onnx(path, X), rtol=1e-5, atol=1e-6
    )  # the model is float32
    net = import_onnx(path)
    assert net.input_dim == 5 and net.depth == 3
    np.testing.assert_allclose(net(X), _forward(layers, X)[:, 0], rtol=1e-13, atol=1e-15)  # summation order aside


@TORCH_EXPORT
def test_import_refuses_what_is_not_a_relu_mlp(tmp_path):
    mlp = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1))
    path = tmp_path / "s.onnx"
    torch.onnx.export(mlp, (torch.zeros(1, 3),), str(path), dynamo=False)
    for read in (onnx_layers, import_onnx):
        with pytest.raises(NetworkFormatError, match=r"node \d+ \(Sigmoid\)"):
            read(path)
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    for read in (onnx_layers, import_onnx):
        with pytest.raises(NetworkFormatError, match="not a readable ONNX model"):
            read(tmp_path / "junk.onnx")


def test_import_of_a_hand_written_matmul_add_chain_with_shape_no_ops(tmp_path):
    """[batch, 2, 3] input -> Flatten -> MatMul (Constant weight) + Add -> Relu -> Reshape [0, -1] -> Identity
    -> Gemm (transB = 0) -> Relu -> MatMul without bias: three maps, read exactly."""
    rng = np.random.default_rng(3)
    A, a = rng.standard_normal((6, 4)), rng.standard_normal(4)  # MatMul weight is (in, out)
    B, c = rng.standard_normal((4, 5)), rng.standard_normal((1, 5))  # Gemm weight (in, out), bias (1, out)
    D = rng.standard_normal((5, 1))
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], axis=1),
        helper.make_node("Constant", [], ["A"], value=numpy_helper.from_array(A, "A")),
        helper.make_node("MatMul", ["f", "A"], ["m0"]),
        helper.make_node("Add", ["a", "m0"], ["z0"]),  # the bias first: Add commutes
        helper.make_node("Relu", ["z0"], ["h0"]),
        helper.make_node("Reshape", ["h0", "shape"], ["r0"]),
        helper.make_node("Identity", ["r0"], ["i0"]),
        helper.make_node("Gemm", ["i0", "B", "c"], ["z1"]),
        helper.make_node("Relu", ["z1"], ["h1"]),
        helper.make_node("MatMul", ["h1", "D"], ["y"]),
    ]
    model = _model(nodes, {"a": a, "shape": np.array([0, -1], dtype=np.int64), "B": B, "c": c, "D": D}, ["batch", 2, 3])
    path = _save(model, tmp_path / "hand.onnx")
    layers = onnx_layers(path)
    assert len(layers) == 3
    assert np.array_equal(layers[0][0], A.T) and np.array_equal(layers[0][1], a)
    assert np.array_equal(layers[1][0], B.T) and np.array_equal(layers[1][1], c.reshape(-1))
    assert np.array_equal(layers[2][0], D.T) and np.array_equal(layers[2][1], np.zeros(1))
    X = rng.standard_normal((7, 2, 3))
    expect = run_onnx(path, X)
    np.testing.assert_allclose(_forward(layers, X.reshape(7, 6))[:, 0], expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(import_onnx(path)(X.reshape(7, 6)), expect, rtol=1e-12, atol=1e-12)


def _gemm(i, src, dst, **kw):
    return helper.make_node("Gemm", [src, f"W{i}", f"b{i}"], [dst], transB=1, **kw)


_W = {"W0": np.array([[1.0], [-1.0]]), "b0": np.zeros(2), "W1": np.ones((1, 2)), "b1": np.zeros(1)}


@pytest.mark.parametrize(
    "nodes, match",
    [
        # f(x) = x - x = 0: reading a ReLU in between would give |x| (unsound)
        ([_gemm(0, "x", "z"), _gemm(1, "z", "y")], r"node 1 \(Gemm\): a second affine map with no ReLU"),
        (
            [
                _gemm(0, "x", "z"),
                helper.make_node("Relu", ["z"], ["h"]),
                _gemm(1, "h", "o"),
                helper.make_node("Relu", ["o"], ["y"]),
            ],
            "the output passes through a ReLU",
        ),
        (
            [
                _gemm(0, "x", "z"),
                helper.make_node("Relu", ["z"], ["h"]),
                helper.make_node("Relu", ["h"], ["g"]),
                _gemm(1, "g", "y"),
            ],
            r"node 2 \(Relu\): a ReLU that does not follow an affine map",
        ),
        (
            [_gemm(0, "x", "z", alpha=2.0), helper.make_node("Relu", ["z"], ["h"]), _gemm(1, "h", "y")],
            r"node 0 \(Gemm\): only Gemm\(x, W, b\) with alpha = beta = 1",
        ),
        (
            [_gemm(0, "x", "z"), helper.make_node("Relu", ["x"], ["h"]), _gemm(1, "h", "y")],
            r"node 1 \(Relu\): does not read the previous layer's output",
        ),  # (a branch)
        ([_gemm(0, "x", "z"), helper.make_node("Sigmoid", ["z"], ["h"]), _gemm(1, "h", "y")], r"node 1 \(Sigmoid\)"),
    ],
)
def test_import_refuses_graphs_that_are_not_definition_1(tmp_path, nodes, match):
    path = _save(_model(nodes, _W, ["batch", 1]), tmp_path / "bad.onnx")
    with pytest.raises(NetworkFormatError, match=match):
        onnx_layers(path)


def test_import_refuses_non_flat_inputs_and_reshapes_that_move_numbers(tmp_path):
    W = {"W0": np.ones((1, 6)), "b0": np.zeros(1)}
    path = _save(_model([_gemm(0, "x", "y")], W, ["batch", 2, 3]), tmp_path / "a.onnx")
    with pytest.raises(NetworkFormatError, match=r"node 0 \(Gemm\): input of shape \(2, 3\) is not flat"):
        onnx_layers(path)
    nodes = [helper.make_node("Reshape", ["x", "shape"], ["r"]), _gemm(0, "r", "y")]
    path = _save(_model(nodes, {**W, "shape": np.array([-1, 3], dtype=np.int64)}, ["batch", 6]), tmp_path / "b.onnx")
    with pytest.raises(NetworkFormatError, match=r"node 0 \(Reshape\): reshape to \[-1, 3\] is not the no-op"):
        onnx_layers(path)
    nodes = [helper.make_node("Flatten", ["x"], ["f"], axis=0), _gemm(0, "f", "y")]
    path = _save(_model(nodes, W, [1, 6]), tmp_path / "c.onnx")
    with pytest.raises(NetworkFormatError, match=r"node 0 \(Flatten\): axis 0"):
        onnx_layers(path)


def test_import_onnx_needs_one_output_value_but_onnx_layers_reads_any(tmp_path):
    W = {"W0": np.eye(2), "b0": np.zeros(2)}
    path = _save(_model([_gemm(0, "x", "y")], W, ["batch", 2], ["batch", 2]), tmp_path / "two.onnx")
    assert len(onnx_layers(path)) == 1
    with pytest.raises(NetworkFormatError, match="2 outputs"):
        import_onnx(path)


def test_float32_export_counts_the_rounded_weights(tmp_path):
    tenth = ReLUNetwork.from_dense(
        [(np.array([[0.1], [-1.0]]), np.array([0.0, 0.3])), (np.array([[1.0, 0.5]]), np.zeros(1))]
    )
    rep = export_onnx(tenth, tmp_path / "f32.onnx", dtype="float32")
    assert rep.dtype == "float32" and rep.rounded_weights == 2  # 0.1 and 0.3 are not float32 numbers
    assert "2 weights rounded" in rep.summary()
    W, b = onnx_layers(rep.path)[0]
    assert W[0, 0] == float(np.float32(0.1)) != 0.1 and b[1] == float(np.float32(0.3))
    X = np.array([[1.0], [-2.0]])
    np.testing.assert_allclose(run_onnx(rep.path, X), tenth(X), rtol=1e-6)
    exact = ReLUNetwork.from_dense([(np.array([[0.5]]), np.array([0.25])), (np.array([[2.0]]), np.zeros(1))])
    assert export_onnx(exact, tmp_path / "e32.onnx", dtype="float32").rounded_weights == 0
    huge = ReLUNetwork.from_dense([(np.array([[1e39]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="beyond the float32 range"):
        export_onnx(huge, tmp_path / "h32.onnx", dtype="float32")


def test_from_dense_names_what_is_wrong():
    W, b = np.ones((2, 3)), np.zeros(2)
    with pytest.raises(InvalidArgumentError, match=r"layer 0: W has shape \(2, 3\) and b \(3,\)"):
        ReLUNetwork.from_dense([(W, np.zeros(3)), (np.ones((1, 2)), np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="layer 1 reads 3 inputs but layer 0 gives 2"):
        ReLUNetwork.from_dense([(W, b), (np.ones((1, 3)), np.zeros(1))])
    bad = np.ones((1, 2))
    bad[0, 1] = np.nan
    with pytest.raises(InvalidArgumentError, match=r"layer 1: W\(0, 1\) = nan is not finite"):
        ReLUNetwork.from_dense([(W, b), (bad, np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match=r"layer 0: b\(1,\) = inf is not finite"):
        ReLUNetwork.from_dense([(W, np.array([0.0, np.inf])), (np.ones((1, 2)), np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="at least one layer"):
        ReLUNetwork.from_dense([])
    with pytest.raises(InvalidArgumentError, match=r"m, n >= 1"):
        ReLUNetwork.from_dense([(np.ones((0, 3)), np.zeros(0)), (np.ones((1, 0)), np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="scalar"):
        ReLUNetwork.from_dense([(W, b)])


# ----- VNN-LIB -----


def test_positional_numbers_round_trip():
    rng = np.random.default_rng(0)
    for v in [
        0.1,
        1e-300,
        123456789.125,
        -2.5e-7,
        5e20,
        *rng.standard_normal(200) * 10.0 ** rng.integers(-12, 12, 200),
    ]:
        t = positional(float(v))
        assert "e" not in t.lower() and float(t) == float(v), (v, t)
    with pytest.raises(InvalidArgumentError, match="finite"):
        positional(math.inf)


def _bounds(text):
    num = r"(-?[0-9]+\.[0-9]+)"
    lo = {int(j): float(v) for j, v in re.findall(rf"\(assert \(>= X_(\d+) {num}\)\)", text)}
    hi = {int(j): float(v) for j, v in re.findall(rf"\(assert \(<= X_(\d+) {num}\)\)", text)}
    return lo, hi


def test_vnnlib_boxes_contain_the_ball_by_at_most_an_ulp(small, tmp_path):
    ds, _, cert = small
    rep = write_vnnlib(ds, math.inf, cert.sigma, tmp_path, onnx_name="onnx/m.onnx", timeout=30)
    rows = rep.csv.read_text().splitlines()
    assert len(rows) == ds.N == rep.n_properties and rows[0] == "onnx/m.onnx,vnnlib/prop_0_0.vnnlib,30"
    assert rep.half_widths == (cert.sigma,) and rep.eps == OUTPUT_TOLERANCE == 1e-3
    s, eps, moved = Fraction(cert.sigma), Fraction(OUTPUT_TOLERANCE), 0
    for i in range(ds.N):
        assert rep.properties[0][i] == tmp_path / f"vnnlib/prop_{i}_0.vnnlib"
        text = rep.properties[0][i].read_text()
        lo, hi = _bounds(text)
        assert sorted(lo) == sorted(hi) == list(range(ds.d))
        for j in range(ds.d):  # exact arithmetic: [lo, hi] contains [x - s, x + s], by less than an ulp more
            x = Fraction(float(ds.X[i, j]))
            assert Fraction(lo[j]) <= x - s < Fraction(np.nextafter(lo[j], np.inf))
            assert Fraction(np.nextafter(hi[j], -np.inf)) < x + s <= Fraction(hi[j])
            moved += Fraction(lo[j]) != x - s
        # thresholds: the unsafe set Y_0 <= t_lo or Y_0 >= t_hi contains |Y_0 - y| >= eps, tightly
        y = int(ds.y[i])
        t_lo, t_hi = (
            float(v) for v in re.search(r"\(<= Y_0 (-?[0-9.]+)\)\) \(and \(>= Y_0 (-?[0-9.]+)\)", text).groups()
        )
        assert Fraction(np.nextafter(t_lo, -np.inf)) < y - eps <= Fraction(t_lo)
        assert Fraction(t_hi) <= y + eps < Fraction(np.nextafter(t_hi, np.inf))
    assert moved > 0  # the data do exercise the outward rounding
    rep = write_vnnlib(ds, "inf", cert.sigma, tmp_path / "half", eps=0.5)
    text = rep.properties[0][0].read_text()
    assert f"(<= Y_0 {positional(ds.y[0] - 0.5)})" in text and f"(>= Y_0 {positional(ds.y[0] + 0.5)})" in text


def test_vnnlib_refuses_l2_unless_the_inscribed_box_is_asked_for(small, tmp_path):
    ds, _, _ = small
    with pytest.raises(InvalidArgumentError, match="boxes only"):
        write_vnnlib(ds, 2.0, 0.1, tmp_path)
    with pytest.raises(InvalidArgumentError, match="a box already"):
        write_vnnlib(ds, "inf", 0.1, tmp_path, inscribed_box=True)
    for p, sigma in ((2.0, 0.1), (1.0, 0.3), (2.0, 1 / 3)):
        rep = write_vnnlib(ds, p, sigma, tmp_path / f"p{p}_{sigma}", inscribed_box=True)
        (h,) = rep.half_widths
        assert h * ds.d ** (1 / p) * (1 + 1e-12) > sigma  # the largest box, up to rounding
        for i in range(ds.N):
            text = rep.properties[0][i].read_text()
            assert f"inscribed in the l_{p:g} ball" in text and "WEAKER" in text
            lo, hi = _bounds(text)
            # the box's farthest corner from x_i lies in the closed ball, decided in exact arithmetic
            far = np.array([lo[j] if ds.X[i, j] - lo[j] > hi[j] - ds.X[i, j] else hi[j] for j in range(ds.d)])
            assert exact_in_ball(far, ds.X[i], p, sigma)
            assert all(lo[j] <= ds.X[i, j] <= hi[j] for j in range(ds.d))


def test_vnnlib_several_radii_and_the_onnx_name(small, tmp_path):
    ds, _, _ = small
    out = tmp_path / "bench"
    name = relative_onnx_name(tmp_path / "models" / "m.onnx", out)
    assert name == "../models/m.onnx"
    rep = write_vnnlib(ds, "inf", [0.01, 0.02, 0.04], out, onnx_name=name, timeout=7.5)
    assert rep.radii == (0.01, 0.02, 0.04) and rep.n_properties == 3 * ds.N
    rows = rep.csv.read_text().splitlines()
    assert rows == [f"../models/m.onnx,vnnlib/prop_{i}_{r}.vnnlib,7.5" for r in range(3) for i in range(ds.N)]
    for r, s in enumerate(rep.radii):
        lo, hi = _bounds((out / f"vnnlib/prop_2_{r}.vnnlib").read_text())
        assert hi[0] - lo[0] == pytest.approx(2 * s)
    assert "18 VNN-LIB properties" in rep.summary() and "0.01, 0.02, 0.04" in rep.summary()
    assert relative_onnx_name(out / "onnx" / "m.onnx", out) == "onnx/m.onnx"
    for bad in ([], [0.1, -1.0], [math.nan], 0.0):
        with pytest.raises(InvalidArgumentError, match="radius|radii|sigma"):
            write_vnnlib(ds, "inf", bad, out)
    with pytest.raises(InvalidArgumentError, match="instances.csv"):
        write_vnnlib(ds, "inf", 0.1, out, onnx_name="a,b.onnx")


# ----- Marabou -----


@pytest.fixture(scope="module")
def zhang():
    ds = sphere_points(6, 3, n_classes=2, seed=0)
    net, _ = construct_zhang2017(ds)
    return ds, net


@pytest.mark.parametrize("p", [math.inf, 1.0], ids=["linf", "l1"])
def test_marabou_agrees_with_the_milp_on_a_robust_network(p, tmp_path):
    """Theorem 6 (built for this norm): MILP and Marabou certify every ball.  eps = 1/2 ('f rounds to y'):
    at the default eps = 1e-3, Marabou 2.0's local search stalls on this depth-56 chain (measured)."""
    ds = sphere_points(6, 3, n_classes=2, seed=0)
    net, cert = construct_theorem6(ds, p=p, sigma=0.05)
    path = export_onnx(net, tmp_path / "t6.onnx").path
    rep = certify(net, ds, p=p, sigma=cert.sigma, method="milp", progress=False)
    assert rep.status == ("certified",) * ds.N
    for i in range(ds.N):
        r = marabou_check(path, ds.X[i], int(ds.y[i]), p, cert.sigma, eps=0.5, net=net, timeout=30)
        assert (r.status, r.answers) == ("certified", ("unsat", "unsat")), r.summary()
        assert r.counterexample is None and "certified" in r.summary()


@pytest.mark.parametrize("p", [math.inf, 1.0], ids=["linf", "l1"])
def test_marabou_agrees_with_the_milp_on_zhangs_interpolator(p, zhang, tmp_path):
    """Zhang et al.'s network is not robust: every Marabou refutation is a real counterexample in the closed
    ball, and no ball is certified by one method and refuted by the other."""
    ds, net = zhang
    sigma = 0.3
    path = export_onnx(net, tmp_path / "z.onnx").path
    rep = certify(net, ds, p=p, sigma=sigma, method="milp", progress=False)
    assert "refuted" in rep.status
    statuses = []
    for i in range(ds.N):
        r = marabou_check(path, ds.X[i], int(ds.y[i]), p, sigma, net=net, timeout=30)
        statuses.append(r.status)
        if r.status == "certified":
            assert rep.status[i] != "refuted", i
        if r.status == "refuted":
            assert rep.status[i] != "certified", i
            cex = r.counterexample
            assert exact_in_ball(cex, ds.X[i], p, sigma)
            exact = evaluate_exact(net, cex[None, :]).values[0]
            assert exact == r.exact_output != int(ds.y[i])
            assert import_onnx(path)(cex[None, :])[0] == net(cex[None, :])[0]  # the file is the network
    assert "refuted" in statuses


def test_marabou_refuses_other_norms_and_enforces_its_timeout(small, tmp_path, monkeypatch):
    ds, net, cert = small
    path = export_onnx(net, tmp_path / "m.onnx").path
    with pytest.raises(InvalidArgumentError, match="p must be 1 or inf"):
        marabou_check(path, ds.X[0], int(ds.y[0]), 2.0, 0.1)
    with pytest.raises(InvalidArgumentError, match="eps"):
        marabou_check(path, ds.X[0], int(ds.y[0]), "inf", 0.1, eps=0.0)

    # Marabou 2.0 does not always honour its own timeout: the query runs in a child process, killed
    def stall(*args):
        time.sleep(120)

    monkeypatch.setattr(marabou_module, "_solve", stall)
    monkeypatch.setattr(marabou_module, "_GRACE_S", 0.2)
    t = time.perf_counter()
    r = marabou_check(path, ds.X[0], int(ds.y[0]), "inf", cert.sigma, timeout=0.3)
    assert time.perf_counter() - t < 10
    assert r.status == "unknown" and r.answers[0].startswith("TIMEOUT (killed") and r.answers[1] == "skipped"


# ----- command line -----


def test_cli_export_writes_onnx_and_vnnlib(tmp_path, capsys):
    out = build_small_theorem6(tmp_path)
    capsys.readouterr()
    assert main(["export", out, "--onnx", str(tmp_path / "t.onnx"), "--vnnlib", str(tmp_path / "v")]) == 0
    said = capsys.readouterr().out
    assert "onnxruntime agrees with net(X) on the 6 training points" in said and "every weight exact" in said
    rows = (tmp_path / "v" / "instances.csv").read_text().splitlines()
    assert len(rows) == 6 and rows[0] == "../t.onnx,vnnlib/prop_0_0.vnnlib,60"  # relative to the benchmark folder
    assert "wrote 6 VNN-LIB properties" in said
    # several radii, repeated or comma-separated; without --vnnlib the named dataset still checks the file
    assert main(["export", out, "--vnnlib", str(tmp_path / "w"), "--sigma", "0.01,0.02", "--sigma", "0.03"]) == 0
    rows = (tmp_path / "w" / "instances.csv").read_text().splitlines()
    assert len(rows) == 18 and rows[-1] == "onnx/model.onnx,vnnlib/prop_5_2.vnnlib,60"
    assert main(["export", out, "--onnx", str(tmp_path / "t32.onnx"), "--dtype", "float32"]) == 0
    said = capsys.readouterr().out
    assert "float32" in said and "on the 6 training points" in said
    assert main(["export", out]) == 2  # nothing asked: a clear error, not a silent no-op
    assert main(["export", out, "--vnnlib", str(tmp_path / "x"), "--p", "2"]) == 2
    assert "boxes only" in capsys.readouterr().err


def test_cli_certify_with_marabou(tmp_path, capsys):
    out = build_small_theorem6(tmp_path)
    capsys.readouterr()
    rep = tmp_path / "r.json"
    assert main(["certify", out, "--method", "marabou", "--eps", "0.5", "--max-points", "3", "--json", str(rep)]) == 0
    said = capsys.readouterr().out
    assert "| marabou | 3 certified (|f - y| < 0.5), 0 refuted, 0 unknown |" in said and "certify PASSED" in said
    import json

    assert json.loads(rep.read_text())["marabou"]["status"] == ["certified"] * 3
    assert main(["certify", out, "--method", "marabou", "--p", "2"]) == 2
    assert "p = 1 or inf" in capsys.readouterr().err
