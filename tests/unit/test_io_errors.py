"""Issue 12, item 7: I/O failures are NetworkFormatError / clean CLI errors naming the path, never raw tracebacks."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from robustmem.cli import main
from robustmem.construct import construct_theorem6
from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.network import load_network, save_network

_BUILD = ["build", "--dataset", "sphere", "--param", "n=4", "--param", "d=2", "--param", "n_classes=2"]
_BUILD += ["--param", "seed=0", "--construction", "theorem6", "--p", "inf", "--fraction-of-limit", "0.5"]


def _small_file(tmp_path):
    net, _ = construct_theorem6(Dataset.from_arrays([[0.0], [1.0]], [1, 2]), p="inf", sigma=0.2)
    return net, save_network(net, tmp_path / "small.rmnet")


def _central_start(raw: bytes) -> int:
    """Offset of the zip central directory (read from the end-of-central-directory record)."""
    eocd = raw.rfind(b"PK\x05\x06")
    return int.from_bytes(raw[eocd + 16 : eocd + 20], "little")


def _flip_sweep(tmp_path, which) -> dict[str, int]:
    """Flip the bytes ``which(raw, members)`` of a small .rmnet (XOR 0xFF): loading must give NetworkFormatError
    naming the file or the identical network (a flip in zip metadata nobody reads) -- never NotImplementedError
    (zip's compression-method field) or any other exception."""
    net, path = _small_file(tmp_path)
    raw = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        members = z.infolist()
    x = np.linspace(-1.0, 2.0, 7)[:, None]
    want = net(x)
    kinds = {"format error": 0, "same network": 0}
    bad = tmp_path / "flipped.rmnet"
    for i in sorted(which(raw, members)):
        b = bytearray(raw)
        b[i] ^= 0xFF
        bad.write_bytes(bytes(b))
        try:
            got = load_network(bad)
        except NetworkFormatError as exc:
            assert str(bad) in str(exc)
            kinds["format error"] += 1
            continue
        assert np.array_equal(got(x), want), f"byte {i}: a different network loaded without complaint"
        kinds["same network"] += 1
    return kinds


def _method_fields(raw: bytes, members) -> set[int]:
    """The compression-method bytes of every local header (offset 8) and central-directory entry (offset 10)."""
    out = {m.header_offset + k for m in members for k in (8, 9)}
    pos = _central_start(raw)
    while raw[pos : pos + 4] == b"PK\x01\x02":
        out |= {pos + 10, pos + 11}
        n, e, c = (int.from_bytes(raw[pos + o : pos + o + 2], "little") for o in (28, 30, 32))
        pos += 46 + n + e + c
    return out


def test_byte_flips_of_the_compression_method_and_a_sample(tmp_path) -> None:
    kinds = _flip_sweep(tmp_path, lambda raw, ms: _method_fields(raw, ms) | set(range(0, len(raw), 97)))
    assert kinds["format error"] >= 2 * len(_small_file(tmp_path)[0].segments), kinds


@pytest.mark.slow
def test_every_single_byte_flip(tmp_path) -> None:
    kinds = _flip_sweep(tmp_path, lambda raw, ms: set(range(len(raw))))
    assert kinds["format error"] > sum(kinds.values()) // 2, kinds


def test_load_network_on_a_missing_path_or_a_directory(tmp_path) -> None:
    with pytest.raises(NetworkFormatError, match="no such file"):
        load_network(tmp_path / "absent.rmnet")
    with pytest.raises(NetworkFormatError, match="directory"):
        load_network(tmp_path)


def test_save_network_into_a_directory_names_it(tmp_path) -> None:
    net, _ = _small_file(tmp_path)
    with pytest.raises(InvalidArgumentError, match="it is a directory"):
        save_network(net, tmp_path)


def test_cli_build_out_dir_and_export_onnx_dir_are_clean_errors(tmp_path, capsys) -> None:
    assert main([*_BUILD, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "directory" in err and str(tmp_path) in err and "Traceback" not in err
    net = str(tmp_path / "n.rmnet")
    assert main([*_BUILD, "--out", net]) == 0
    capsys.readouterr()
    pytest.importorskip("onnx")
    assert main(["export", net, "--onnx", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and str(tmp_path) in err


def test_cli_missing_data_file_and_missing_network_name_the_path(tmp_path, capsys) -> None:
    missing = str(tmp_path / "nope.npz")
    assert main(["build", "--data", missing, "--construction", "theorem6", "--p", "inf", "--sigma", "0.1",
                 "--out", str(tmp_path / "x.rmnet")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "None" not in err and "nope.npz" in err
    assert main(["certify", str(tmp_path / "absent.rmnet")]) == 2
    err = capsys.readouterr().err
    assert "absent.rmnet" in err and "no such file" in err


def test_cli_single_class_names_the_cause(tmp_path, capsys) -> None:
    data = tmp_path / "one.npz"
    np.savez(data, X=np.array([[0.0, 1.0]]), y=np.array([3]))
    assert main(["build", "--data", str(data), "--construction", "theorem6", "--p", "inf",
                 "--fraction-of-limit", "0.5", "--out", str(tmp_path / "x.rmnet")]) == 2  # fmt: skip
    err = capsys.readouterr().err
    assert "single class" in err and "got inf" not in err
    assert main(["build", "--data", str(data), "--construction", "theorem6", "--p", "inf",
                 "--sigma", "1e6", "--out", str(tmp_path / "x.rmnet")]) == 2  # fmt: skip
    assert "single class" in capsys.readouterr().err
