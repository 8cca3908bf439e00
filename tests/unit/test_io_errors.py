"""Issue 12, item 7: I/O failures are NetworkFormatError / clean CLI errors naming the path, never raw tracebacks."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from robustmem.cli import main
from robustmem.construct import construct_theorem6
from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.network import load_network

_BUILD = ["build", "--dataset", "sphere", "--param", "n=4", "--param", "d=2", "--param", "n_classes=2"]
_BUILD += ["--param", "seed=0", "--construction", "theorem6", "--p", "inf", "--fraction-of-limit", "0.5"]


def _small_file(tmp_path):
    net, _ = construct_theorem6(Dataset.from_arrays([[0.0], [1.0]], [1, 2]), p="inf", sigma=0.2)
    return net, net.save(tmp_path / "small.rmnet")


def _central_start(raw: bytes) -> int:
    """Offset of the zip central directory (read from the end-of-central-directory record)."""
    eocd = raw.rfind(b"PK\x05\x06")
    return int.from_bytes(raw[eocd + 16 : eocd + 20], "little")


def test_every_single_byte_flip_is_a_network_format_error_or_the_same_network(tmp_path) -> None:
    """Flip bytes of a small .rmnet (XOR 0xFF; every header byte): loading gives NetworkFormatError or the identical network (a
    flip in zip metadata nobody reads); never NotImplementedError (the zip compression-method field) or another."""
    net, path = _small_file(tmp_path)
    raw = path.read_bytes()
    x = np.linspace(-1.0, 2.0, 7)[:, None]
    want = net(x)
    kinds = {"format error": 0, "same network": 0}
    bad = tmp_path / "flipped.rmnet"
    with zipfile.ZipFile(path) as z:  # every byte of the zip headers (local and central), every 31st of the rest
        heads = [(m.header_offset, m.header_offset + 30 + len(m.filename) + len(m.extra)) for m in z.infolist()]
    central = _central_start(raw)
    where = {i for a, b in heads for i in range(a, b)} | set(range(central, len(raw))) | set(range(0, len(raw), 31))
    for i in sorted(where):
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
    assert kinds["format error"] > len(where) // 2, kinds


def test_load_network_on_a_missing_path_or_a_directory(tmp_path) -> None:
    with pytest.raises(NetworkFormatError, match="no such file"):
        load_network(tmp_path / "absent.rmnet")
    with pytest.raises(NetworkFormatError, match="directory"):
        load_network(tmp_path)


def test_save_network_into_a_directory_names_it(tmp_path) -> None:
    net, _ = _small_file(tmp_path)
    with pytest.raises(InvalidArgumentError, match="it is a directory"):
        net.save(tmp_path)


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
