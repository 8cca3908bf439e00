"""The width sandwich (issue 14): lower < upper, the CLI command, and the witness against built networks."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from robustmem.data import sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.sandwich import WidthSearch, width_sandwich
from robustmem.lower_bound.width_verify import verify_width_certificate
from robustmem.lower_bound.width_witness import theorem17_witness

pytest.importorskip("cvxpy")


@pytest.mark.parametrize("seed", [0, 1])
def test_certified_lower_never_reaches_a_built_width(seed):
    ds = sphere_points(40, 8, n_classes=3, seed=seed)
    search = WidthSearch(ds, p=2.0)
    both = 0
    for s in (0.05, 0.2, 0.35, 0.45):
        res = width_sandwich(ds, sigma_over_delta=s, search=search)
        both += res.lower >= 1 and res.upper is not None
        if res.certificate is not None:
            rep = verify_width_certificate(res.certificate.at_sigma(res.sigma))
            assert rep["k"] == res.lower
        if res.upper is not None:
            assert res.lower < res.upper  # soundness: an excluded width is never built
            assert res.construction.certificate.sigma >= res.sigma * (1 - 1e-12)
            # the built network's first layer keeps every differently-labelled pair of balls apart
            with pytest.raises(HypothesisError):
                theorem17_witness(res.construction.network, ds, sigma=res.sigma)
    assert both >= 1  # the test is not vacuous
    # the curves agree with each other at every width visited on both sides
    for k, cert in search.certificates.items():
        for w, s_up in search.upper_sigma.items():
            if w <= k:
                assert not cert.excludes(s_up)


def test_witness_breaks_every_first_layer_of_an_excluded_width():
    ds = sphere_points(30, 6, n_classes=2, seed=3)
    search = WidthSearch(ds, p=2.0)
    cert = search.certificate(2)
    rng = np.random.default_rng(0)
    for rows in (1, 2):
        W = rng.standard_normal((rows, 6))
        w = theorem17_witness(W, ds, sigma=cert.sigma_min)
        assert w.image_equal and w.distance <= cert.sigma_min and w.label_i != w.label_j
        gap = [sum(Fraction(float(c)) * (a - b) for c, a, b in zip(row, w.a_exact, w.a_prime_exact)) for row in W]
        assert gap == [0] * rows
        r2 = sum((a - Fraction(float(x))) ** 2 for a, x in zip(w.a_exact, ds.X[w.i]))
        assert r2 <= Fraction(cert.sigma_min) ** 2


def test_sandwich_arguments():
    ds = sphere_points(20, 4, n_classes=2, seed=0)
    with pytest.raises(InvalidArgumentError):
        width_sandwich(ds)
    with pytest.raises(InvalidArgumentError):
        width_sandwich(ds, sigma=1.0, sigma_over_delta=0.1)


def test_cli_width(tmp_path, capsys):
    from robustmem.cli import main

    rc = main(["width", "--dataset", "iris", "--standardize", "--sigma-over-delta", "0.4", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0 and "no network of width <= 1" in out and "built and certified" in out
    cert = json.loads(next(tmp_path.glob("width_lower_k1_*.json")).read_text())
    assert verify_width_certificate(cert)["k"] == 1
    assert list(tmp_path.glob("width_upper_w*_s0p4.rmnet"))
    rc = main(["width", "--dataset", "iris", "--table", "0.1,0.7", "--out", str(tmp_path)])
    assert rc == 2 and "must lie in (0, 1/2)" in capsys.readouterr().err


def test_witness_reads_onnx_layers(tmp_path):
    pytest.importorskip("onnx")
    from robustmem.construct import construct_log_width
    from robustmem.interop import export_onnx, onnx_layers

    ds = sphere_points(30, 8, n_classes=2, seed=5)
    net, cert = construct_log_width(ds, p=2.0, width=8)
    export_onnx(net, tmp_path / "net.onnx")
    layers = onnx_layers(tmp_path / "net.onnx")
    with pytest.raises(HypothesisError):  # certified at cert.sigma: the first layer keeps the balls apart
        theorem17_witness(layers, ds, sigma=cert.sigma)
    lower = WidthSearch(ds, p=2.0).certificate(int(np.asarray(layers[0][0]).shape[0]))
    w = theorem17_witness(layers, ds, sigma=lower.sigma_min)  # the same layer, at the excluded radius
    assert w.image_equal and w.rows == np.asarray(layers[0][0]).shape[0]
