"""The network IR: evaluators agree, counts are read off the real layers, files round-trip and
corrupt files are refused, the Builder refuses malformed maps.

Tolerance: evaluators that claim to perform the same float64 operations in the same order
(``net(X)``, ``evaluate_sequential``, the torch export) must agree bit for bit.  The dense-layer
evaluators (``evaluate_flat``: BLAS matrix products; ``evaluate_maps``: small dense products) sum
in another order, so they are held to |difference| <= 1e-12 * scale with scale = 1 + max|label| +
shift: every hidden value is at most a few times that large, and the chains have depth < 1000, so
the accumulated rounding (~ depth * 1e-16 * scale) stays far below 1e-12 * scale.
"""

from __future__ import annotations

import functools
import json
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.gadgets import indicators as ind
from robustmem.gadgets.chain import chain_network
from robustmem.gadgets.indicators_lp import indicator_lp
from robustmem.network import Builder, Param, ReLUNetwork, evaluate_exact, evaluate_fraction, evaluate_verified
from robustmem.network.storage import FORMAT_VERSION, load_network, save_network

SHIFT = 4.0
KINDS = {
    "linf": ind.indicator_linf,
    "l1": ind.indicator_l1,
    "l2": functools.partial(ind.indicator_l2, M=3),
    "linf_par": ind.indicator_linf_par,
    "l1_par": ind.indicator_l1_par,
    "lp3": functools.partial(indicator_lp, p=3, M=None),
}


@functools.cache
def chain_parts(kind: str, projected: bool = False) -> tuple[ReLUNetwork, np.ndarray | None]:
    """A chain on 5 random centres in [-1, 1]^3 with labels in 1..4 (correctness is not needed here);
    ``projected``: a 3 x 4 matrix with orthonormal rows folded into the first map (input in R^4)."""
    rng = np.random.default_rng(0)
    centers, labels = rng.uniform(-1, 1, (5, 3)), rng.integers(1, 5, 5)
    emitter = functools.partial(KINDS[kind], r=0.2, w=0.15, shift=SHIFT)
    meta = {"construction": "test", "kind": kind}
    if not projected:
        return chain_network(centers, labels, emitter, shift=SHIFT, input_dim=3, meta=meta), None
    matrix = np.linalg.qr(rng.standard_normal((4, 3)))[0].T
    return chain_network(centers, labels, emitter, shift=SHIFT, input_dim=4, matrix=matrix, meta=meta), matrix


def random_chain(kind: str, projected: bool = False) -> ReLUNetwork:
    return chain_parts(kind, projected)[0]


def probe_points(net: ReLUNetwork, seed: int = 1) -> np.ndarray:
    """60 random points, then points near each centre (inside, on the ramp and outside the balls);
    for a projected chain, points x = P^T (c + noise), so that P x = c + noise."""
    kind, projected = net.meta["kind"], net.input_dim == 4
    matrix = chain_parts(kind, projected)[1]
    rng = np.random.default_rng(seed)
    centers = net.segments[1].params[:, :3]
    box = centers[:, None, :] + rng.uniform(-0.4, 0.4, (len(centers), 12, 3))
    u = rng.standard_normal((len(centers), 20, 3))
    shell = centers[:, None, :] + u / np.linalg.norm(u, axis=2, keepdims=True) * rng.uniform(
        0.18, 0.4, (len(centers), 20, 1)
    )
    near = np.concatenate([box.reshape(-1, 3), shell.reshape(-1, 3), centers])  # shell: the ramps r..r+w
    if matrix is not None:
        near = near @ matrix
    return np.concatenate([rng.uniform(-1.2, 1.2, (60, net.input_dim)), near])


def scale_of(net: ReLUNetwork) -> float:
    return 1.0 + float(net.segments[1].params[:, -1].max()) + SHIFT


ALL = [(k, False) for k in KINDS] + [("linf", True), ("l2", True)]


@pytest.mark.parametrize(("kind", "projected"), ALL)
def test_evaluators_agree(kind: str, projected: bool) -> None:
    net = random_chain(kind, projected=projected)
    X = probe_points(net)
    ref = net(X)
    assert ref.shape == (len(X),) and ref.dtype == np.float64
    assert len(np.unique(ref)) >= 3  # the probes see several labels and ramp values, not just 0
    assert np.array_equal(net.evaluate_sequential(X), ref)
    tol = 1e-12 * scale_of(net)
    assert np.abs(net.evaluate_flat(X) - ref).max() <= tol
    assert np.abs(net.evaluate_maps(X) - ref).max() <= tol
    module = net.to_torch()
    with torch.no_grad():
        out = module(torch.tensor(X)).numpy()
    assert out.dtype == np.float64 and np.array_equal(out, ref)


@pytest.mark.parametrize(("kind", "projected"), ALL)
def test_torch_export_is_differentiable_and_matches_finite_differences(kind: str, projected: bool) -> None:
    net = random_chain(kind, projected=projected)
    X = probe_points(net)[60:]  # the points near the centres, where the gradient is not zero
    x = torch.tensor(X, requires_grad=True)
    (g,) = torch.autograd.grad(net.to_torch()(x).sum(), x)
    assert g.shape == x.shape and torch.isfinite(g).all()
    h = 1e-7  # central differences, checked only where f is affine on [x - 2h, x + 2h]
    n, d = X.shape
    steps = np.array([-2.0, -1.0, 1.0, 2.0])
    P = X[:, None, None, :] + h * steps[None, None, :, None] * np.eye(d)[None, :, None, :]  # (n, d, 4, d)
    f = net(P.reshape(-1, d)).reshape(n, d, 4)
    affine = (np.abs((f[..., 3] - f[..., 2]) - (f[..., 1] - f[..., 0])) <= 1e-9) & (
        np.abs((f[..., 2] - f[..., 1]) - 2 * (f[..., 3] - f[..., 2])) <= 1e-9
    )
    fd, G = (f[..., 2] - f[..., 1]) / (2 * h), g.numpy()
    assert (np.abs(fd - G)[affine] <= 1e-5 * (1 + np.abs(G[affine]))).all()
    checked = int((affine & (G != 0.0)).sum())
    assert checked >= 3  # some points lie on the ramps, where the derivative is not zero (not vacuous)


@pytest.mark.parametrize("kind", list(KINDS))
def test_exact_evaluators_agree(kind: str) -> None:
    net = random_chain(kind)
    X = probe_points(net)[::3]
    ev = evaluate_exact(net, X)
    frac = evaluate_fraction(net, X)
    assert list(ev.values) == frac and ev.n_verified_float + ev.n_fraction == len(X)
    val, rad = evaluate_verified(net, X)
    assert np.array_equal(val, net(X))
    for v, r, q in zip(val, rad, frac):
        assert abs(Fraction(float(v)) - q) <= Fraction(float(r))


@pytest.mark.parametrize(("kind", "projected"), ALL)
def test_counts_are_read_off_the_dense_layers(kind: str, projected: bool) -> None:
    net = random_chain(kind, projected=projected)
    layers = list(net.layers())
    assert net.depth == len(layers)
    assert layers[0].W.shape[1] == net.input_dim and layers[-1].W.shape[0] == 1
    for a, b in zip(layers, layers[1:]):
        assert a.W.shape[0] == b.W.shape[1] and a.b.shape == (a.W.shape[0],)
    hidden = [L.W.shape[0] for L in layers[:-1]]
    assert list(net.layer_widths()) == hidden and net.width == max(hidden)
    assert net.num_parameters() == sum(L.W.size + L.b.size for L in layers)
    assert net.num_nonzero_parameters() == sum(np.count_nonzero(L.W) + np.count_nonzero(L.b) for L in layers)


def test_counts_of_a_hand_written_network() -> None:
    b = Builder(["x", "y"], raw_inputs=True)
    b.layer({"p": b.v("x") - b.v("y"), "q": 2.0 * b.v("y") + 1.0, "z": b.v("x") * 0.0})
    b.output(b.v("p") + b.v("q"))
    net = ReLUNetwork.from_builder(b)
    assert (net.depth, net.width, net.num_parameters()) == (2, 3, 2 * 3 + 3 + 3 * 1 + 1)
    assert net.num_nonzero_parameters() == 3 + 1 + 2  # x, -y, 2y, bias 1; output weights 1, 1
    assert float(net(np.array([3.0, 1.0]))[0]) == 2.0 + 3.0


# ----- files -----


def test_save_load_round_trip(tmp_path: Path) -> None:
    for kind, projected in ALL:
        base = random_chain(kind, projected=projected)
        cert = {"p": "inf", "sigma": 0.1, "notes": ["a", "b"], "nested": {"k": [1, 2.5]}}
        net = ReLUNetwork(base.segments, meta={**base.meta, "certificate": cert})
        path = save_network(net, tmp_path / f"{kind}{projected}.rmnet")
        back = load_network(path)
        assert back.meta == net.meta and json.dumps(back.meta, sort_keys=True) == json.dumps(net.meta, sort_keys=True)
        assert [s.name for s in back.segments] == [s.name for s in net.segments]
        X = probe_points(net)
        assert np.array_equal(back(X), net(X)) and np.array_equal(back.evaluate_flat(X), net.evaluate_flat(X))
        assert (back.depth, back.width, back.num_nonzero_parameters()) == (
            net.depth,
            net.width,
            net.num_nonzero_parameters(),
        )


def _members(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _rewrite(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return save_network(random_chain("l2"), tmp_path / "net.rmnet")


def test_truncated_file_is_refused(saved: Path) -> None:
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(NetworkFormatError, match="not a valid robustmem network file: cannot read the archive"):
        load_network(saved)


def test_altered_array_value_is_refused(saved: Path) -> None:
    arrays = _members(saved)
    params = arrays["s1_params"].copy()
    params.view(np.uint8)[3] ^= 0x01  # one altered byte inside a centre coordinate
    arrays["s1_params"] = params
    _rewrite(saved, arrays)
    with pytest.raises(NetworkFormatError, match="SHA-256 digest"):
        load_network(saved)


def test_altered_byte_in_the_compressed_file_is_refused(saved: Path) -> None:
    with zipfile.ZipFile(saved) as z:
        info = z.getinfo("s1_params.npy")
    data = bytearray(saved.read_bytes())
    pos = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data[pos] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(NetworkFormatError, match="not a valid robustmem network file"):
        load_network(saved)


def test_wrong_version_is_refused(saved: Path) -> None:
    arrays = _members(saved)
    header = json.loads(arrays["header"].tobytes().decode())
    header["version"] = FORMAT_VERSION + 1
    arrays["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    _rewrite(saved, arrays)
    with pytest.raises(NetworkFormatError, match=f"version {FORMAT_VERSION + 1} is not supported"):
        load_network(saved)


def test_non_archive_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.rmnet"
    path.write_text("this is not a network\n")
    with pytest.raises(NetworkFormatError, match=r"notes\.rmnet: not a valid robustmem network file"):
        load_network(path)


def test_archive_without_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.npz"
    _rewrite(path, {"a": np.zeros(3)})
    with pytest.raises(NetworkFormatError, match="no header"):
        load_network(path)


# ----- the Builder -----


def test_builder_refuses_unknown_slots_and_bad_orders() -> None:
    b = Builder(["x0", "x1"], raw_inputs=True)
    with pytest.raises(InvalidArgumentError, match="no slot named 'nope'"):
        b.v("nope")
    b.layer({"u0": b.v("x0") + 1.0, "u1": b.v("x1") + 1.0})
    with pytest.raises(InvalidArgumentError, match=r"cannot drop slots that do not exist: \['ghost'\]"):
        b.layer({"s": b.v("u0")}, drop=["ghost"])
    with pytest.raises(InvalidArgumentError, match="is not a permutation of outputs"):
        b.layer({"s": b.v("u0")}, order=["s", "u0"])  # u1 missing from the order
    with pytest.raises(InvalidArgumentError, match="is not a permutation of outputs"):
        b.layer({"s": b.v("u0")}, order=["s", "u0", "u1", "u2"])
    with pytest.raises(InvalidArgumentError, match="no output map yet"):
        ReLUNetwork.from_builder(b)
    b.output(b.v("u0"))
    with pytest.raises(InvalidArgumentError, match="already has its output map"):
        b.layer({"t": 1.0})


def test_builder_refuses_raw_carry_and_bad_parameters() -> None:
    b = Builder(["x"], raw_inputs=True, n_params=2)
    b.layer({"y": b.v("x") + 1.0})
    with pytest.raises(InvalidArgumentError, match="no slot named 'x'"):  # raw inputs are never carried
        b.v("x")
    with pytest.raises(InvalidArgumentError, match="beyond the block's 2 parameters"):
        b.layer({"z": b.v("y") * Param(5)})
    with pytest.raises(InvalidArgumentError, match="index must be >= 0"):
        Param(-1)
    with pytest.raises(InvalidArgumentError, match="one parameter only"):
        b.layer({"z": b.v("y") * Param(0) + b.v("y") * Param(1)})
    with pytest.raises(InvalidArgumentError, match="distinct"):
        Builder(["a", "a"], raw_inputs=True)
