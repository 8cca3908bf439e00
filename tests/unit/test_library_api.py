"""The library surface a researcher reaches for: sigma_over_delta=, net.certificate, layers() as (W, b), exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import robustmem
from robustmem.construct import (
    Certificate,
    construct_kim2025,
    construct_log_width,
    construct_remark40,
    construct_theorem5,
    construct_theorem6,
    construct_theorem16,
    construct_yu2024,
    construct_yu2024_lp,
)
from robustmem.data import Dataset, sphere_points
from robustmem.errors import InvalidArgumentError
from robustmem.network import load_network, save_network


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return sphere_points(10, 4, n_classes=2, delta=0.5, seed=1)


CASES = [
    ("theorem5", lambda ds, **kw: construct_theorem5(ds, p=2.0, **kw), 0.1),
    ("theorem6", lambda ds, **kw: construct_theorem6(ds, p="inf", **kw), 0.1),
    ("remark40", lambda ds, **kw: construct_remark40(ds, p=1, **kw), 0.1),
    ("theorem16", lambda ds, **kw: construct_theorem16(ds, np.eye(4), p=2.0, **kw), 0.1),
    ("log-width", lambda ds, **kw: construct_log_width(ds, p=2.0, width=9, **kw), 0.01),
    ("yu2024", lambda ds, **kw: construct_yu2024(ds, **kw), 0.1),
    ("yu2024-lp", lambda ds, **kw: construct_yu2024_lp(ds, p=2, **kw), 0.1),
    ("kim2025", lambda ds, **kw: construct_kim2025(ds, **kw), 0.05),
]


@pytest.mark.parametrize(("name", "build", "ratio"), CASES, ids=[c[0] for c in CASES])
def test_sigma_over_delta_on_every_constructor(ds: Dataset, name: str, build, ratio: float) -> None:
    delta = ds.separation(2.0).delta
    net, cert = build(ds, sigma_over_delta=ratio)
    assert cert.sigma == ratio * delta and cert.sigma_over_delta == pytest.approx(ratio, rel=1e-15)
    net2, cert2 = build(ds, sigma=ratio * delta)
    assert cert2.sigma == cert.sigma and net2.depth == net.depth
    with pytest.raises(InvalidArgumentError, match="give sigma= .* or sigma_over_delta= .*, not both"):
        build(ds, sigma=0.01, sigma_over_delta=ratio)
    with pytest.raises(InvalidArgumentError, match="sigma_over_delta must be a finite number >= 0, got -1"):
        build(ds, sigma_over_delta=-1)


@pytest.mark.parametrize(
    "build",
    [lambda ds: construct_theorem5(ds, p=2.0), lambda ds: construct_yu2024(ds), lambda ds: construct_kim2025(ds)],
)
def test_a_radius_is_required(ds: Dataset, build) -> None:
    with pytest.raises(InvalidArgumentError, match="a radius is required: give sigma= .* or sigma_over_delta="):
        build(ds)


def test_sigma_over_delta_needs_a_finite_separation() -> None:
    one = Dataset([[0.0, 0.0], [1.0, 0.0]], [1, 1])
    with pytest.raises(InvalidArgumentError, match="single label .*delta is infinite.*give sigma= instead"):
        construct_theorem6(one, p="inf", sigma_over_delta=0.1)


def test_loaded_network_has_a_certificate_object(ds: Dataset, tmp_path: Path) -> None:
    net, cert = construct_theorem6(ds, p="inf", sigma_over_delta=0.1)
    back = load_network(save_network(net, tmp_path / "n.rmnet"))
    assert isinstance(back.certificate, Certificate) and back.certificate == cert == net.certificate
    assert back.certificate.summary() == cert.summary()
    assert robustmem.ReLUNetwork.from_dense([(np.ones((1, 2)), np.zeros(1))]).certificate is None


def test_layers_unpack_as_dense_w_b(ds: Dataset) -> None:
    net, _ = construct_theorem6(ds, p="inf", sigma_over_delta=0.1)
    X = ds.X[:3]
    H = X
    layers = list(net.layers())
    for k, (W, b) in enumerate(layers):
        assert W.shape == (b.shape[0], H.shape[1]) and layers[k].W is W
        H = H @ W.T + b
        if k < len(layers) - 1:
            H = np.maximum(H, 0.0)
    assert H[:, 0].tolist() == net(X).tolist() == ds.y[:3].astype(float).tolist()


def test_export_onnx_at_the_top_level() -> None:
    from robustmem.interop import export_onnx

    assert robustmem.export_onnx is export_onnx and "export_onnx" in robustmem.__all__
