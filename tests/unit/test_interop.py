"""ONNX export/import, VNN-LIB properties, and Marabou as an outside check agreeing with the MILP."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from robustmem.certify import certify
from robustmem.cli import main
from robustmem.construct import construct_theorem6, construct_zhang2017
from robustmem.data import sphere_points
from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.interop import export_onnx, import_onnx, run_onnx, write_vnnlib
from robustmem.interop.vnnlib import positional


@pytest.fixture(scope="module")
def small():
    ds = sphere_points(6, 3, n_classes=2, seed=0)
    net, cert = construct_theorem6(ds, p=math.inf, sigma=0.05)
    return ds, net, cert


def test_onnx_round_trip_is_exact(small, tmp_path):
    ds, net, _ = small
    path = export_onnx(net, tmp_path / "m.onnx")
    X = np.vstack([ds.X, ds.X + 0.01 * np.random.default_rng(0).standard_normal(ds.X.shape)])
    assert np.array_equal(run_onnx(path, X), net(X))
    layers = import_onnx(path)
    assert len(layers) == net.depth
    for m, (W, b) in zip(net.layers(), layers):
        assert np.array_equal(m.W, W) and np.array_equal(m.b, b)


# torch's legacy exporter (dynamo=False: no onnxscript needed) announces its own deprecation
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_import_of_a_torch_exported_mlp_not_built_here(tmp_path):
    torch.manual_seed(0)
    mlp = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.ReLU(),
                              torch.nn.Linear(4, 1))  # fmt: skip
    path = tmp_path / "t.onnx"
    torch.onnx.export(mlp, (torch.zeros(1, 5),), str(path), dynamo=False, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}})  # fmt: skip
    layers = import_onnx(path)
    X = np.random.default_rng(1).standard_normal((20, 5))
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0)
    assert [W.shape for W, _ in layers] == [(8, 5), (4, 8), (1, 4)]
    np.testing.assert_allclose(h[:, 0], run_onnx(path, X), rtol=1e-5, atol=1e-6)  # the model is float32


# torch's legacy exporter (dynamo=False: no onnxscript needed) announces its own deprecation
@pytest.mark.filterwarnings("ignore:You are using the legacy TorchScript-based ONNX export:DeprecationWarning")
def test_import_refuses_what_is_not_a_relu_mlp(tmp_path):
    mlp = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Sigmoid(), torch.nn.Linear(4, 1))
    path = tmp_path / "s.onnx"
    torch.onnx.export(mlp, (torch.zeros(1, 3),), str(path), dynamo=False)
    with pytest.raises(NetworkFormatError, match=r"node \d+ \(Sigmoid\)"):
        import_onnx(path)
    (tmp_path / "junk.onnx").write_bytes(b"not a model")
    with pytest.raises(NetworkFormatError, match="not a readable ONNX model"):
        import_onnx(tmp_path / "junk.onnx")


def test_positional_numbers_round_trip():
    rng = np.random.default_rng(0)
    for v in [0.1, 1e-300, 123456789.125, -2.5e-7, 5e20, *rng.standard_normal(200) * 10.0 ** rng.integers(-12, 12, 200)]:
        t = positional(float(v))
        assert "e" not in t.lower() and float(t) == float(v), (v, t)


def test_vnnlib_files_state_the_ball_and_the_unsafe_region(small, tmp_path):
    ds, _, cert = small
    csv = write_vnnlib(ds, math.inf, cert.sigma, tmp_path, onnx_name="onnx/m.onnx", timeout=30)
    rows = csv.read_text().splitlines()
    assert len(rows) == ds.N and rows[0] == "onnx/m.onnx,vnnlib/prop_0.vnnlib,30.0"
    for i in range(ds.N):
        text = (tmp_path / f"vnnlib/prop_{i}.vnnlib").read_text()
        lo = {int(j): float(v) for j, v in re.findall(r"\(assert \(>= X_(\d+) ([-0-9.]+)\)\)", text)}
        hi = {int(j): float(v) for j, v in re.findall(r"\(assert \(<= X_(\d+) ([-0-9.]+)\)\)", text)}
        for j in range(ds.d):  # the box contains the ball, by at most an ulp more
            assert lo[j] <= ds.X[i, j] - cert.sigma and hi[j] >= ds.X[i, j] + cert.sigma
            assert np.nextafter(lo[j], np.inf) >= ds.X[i, j] - cert.sigma
        y = int(ds.y[i])
        assert f"(<= Y_0 {positional(y - 0.5)})" in text and f"(>= Y_0 {positional(y + 0.5)})" in text


def test_vnnlib_refuses_l2_unless_the_inscribed_box_is_asked_for(small, tmp_path):
    ds, _, _ = small
    with pytest.raises(InvalidArgumentError, match="boxes only"):
        write_vnnlib(ds, 2.0, 0.1, tmp_path)
    write_vnnlib(ds, 2.0, 0.1, tmp_path, inscribed_box=True)
    text = (tmp_path / "vnnlib/prop_0.vnnlib").read_text()
    assert "inscribed in the l_2 ball" in text
    hi = float(re.search(r"\(assert \(<= X_0 ([-0-9.]+)\)\)", text).group(1))
    assert hi - ds.X[0, 0] <= 0.1 / math.sqrt(3) * (1 + 1e-12)


def test_marabou_agrees_with_the_milp(small, tmp_path):
    from robustmem.interop.marabou import marabou_check

    ds, net, cert = small
    zn, _ = construct_zhang2017(ds)
    for model, sigma in ((net, cert.sigma), (zn, 0.3)):
        path = export_onnx(model, tmp_path / "m.onnx")
        rep = certify(model, ds, p=math.inf, sigma=sigma, method="milp", progress=False)
        for i in range(ds.N):
            status, cex = marabou_check(path, ds.X[i], int(ds.y[i]), sigma, net=model)
            if status == "certified":  # Marabou proved |f - y| < 1/2 on the box: the MILP may not refute
                assert rep.status[i] != "refuted", i
            if status == "refuted":
                assert np.max(np.abs(cex - ds.X[i])) <= sigma and abs(float(model(cex[None])[0]) - ds.y[i]) >= 0.5
                assert rep.status[i] != "certified", i
        if model is net:
            assert rep.status == ("certified",) * ds.N
            assert [marabou_check(path, ds.X[i], int(ds.y[i]), sigma, net=model)[0] for i in range(ds.N)] == [
                "certified"] * ds.N  # fmt: skip
        else:
            assert "refuted" in rep.status


def test_cli_export_writes_onnx_and_vnnlib(tmp_path, capsys):
    out = str(tmp_path / "t.rmnet")
    assert main(["build", "--dataset", "sphere", "--param", "n=6", "--param", "d=3", "--param", "n_classes=2",
                 "--param", "seed=0", "--construction", "theorem6", "--p", "inf", "--fraction-of-limit", "0.5",
                 "--out", out]) == 0  # fmt: skip
    assert main(["export", out, "--onnx", str(tmp_path / "t.onnx"), "--vnnlib", str(tmp_path / "v")]) == 0
    said = capsys.readouterr().out
    assert "onnxruntime agrees with net(X) on the 6 training points" in said
    assert (tmp_path / "v" / "instances.csv").read_text().count("\n") == 6
    assert main(["export", out]) == 2  # nothing asked: a clear error, not a silent no-op
