"""Packaging: optional extras with clean errors, --version, LICENSE, py.typed, proofs/ and experiments/ in the wheel."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

import robustmem
from robustmem import cli, resources
from robustmem.errors import MissingExtraError, RobustMemError
from robustmem.extras import EXTRA_OF, require
from robustmem.network import ReLUNetwork, save_network

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def test_every_extra_named_in_errors_exists_in_pyproject() -> None:
    extras = _pyproject()["project"]["optional-dependencies"]
    assert set(EXTRA_OF.values()) <= set(extras)
    assert {"onnx", "verifiers", "dask", "keel", "docs", "all", "test"} <= set(extras)
    listed_in_all = extras["all"][0].split("[")[1].rstrip("]").split(",")
    assert set(listed_in_all) == set(extras) - {"all", "test"}


@pytest.mark.parametrize("module", ["onnx", "onnxruntime", "pyscipopt", "maraboupy", "distributed"])
def test_a_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import now raises ModuleNotFoundError, as if not installed
    with pytest.raises(MissingExtraError, match=rf"needs the optional package '{module}'.*install robustmem\[\w+\]"):
        require(module, feature="a test")
    with pytest.raises(ImportError):  # still an ImportError for code that catches those
        require(module, feature="a test")


def test_an_error_inside_an_installed_package_is_not_disguised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy.no_such_helper", None)
    with pytest.raises(MissingExtraError, match="install numpy"):  # no extra for numpy: the package itself
        require("numpy.no_such_helper", feature="a test")


def test_export_onnx_without_onnx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> None:
    net = ReLUNetwork.from_dense([(np.ones((1, 2)), np.zeros(1))])
    path = save_network(net, tmp_path / "n.rmnet")
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(MissingExtraError, match=r"ONNX export needs .*'onnx'.*install robustmem\[onnx\]"):
        robustmem.export_onnx(net, tmp_path / "n.onnx")
    assert cli.main(["export", str(path), "--onnx", str(tmp_path / "n.onnx")]) == 2
    err = capsys.readouterr().err
    assert "robustmem export: error: ONNX export needs the optional package 'onnx'" in err
    assert "pip install 'robustmem[onnx]'" in err and "Traceback" not in err


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"robustmem {robustmem.__version__}"
    assert _pyproject()["project"]["version"] == robustmem.__version__


def test_license_and_typing_marker() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert _pyproject()["project"]["license"] == "MIT"
    assert (ROOT / "robustmem" / "py.typed").is_file()


def test_folders_found_in_a_checkout_and_in_an_installed_layout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert resources.bundled_folder("proofs") == ROOT / "proofs"
    assert resources.bundled_folder("experiments") == ROOT / "experiments"
    site = tmp_path / "site-packages" / "robustmem"  # a wheel's layout: no proofs/ next to the package
    for name, marker in (("proofs", "theorem37.py"), ("experiments", "registry.py")):
        (site / "_bundled" / name).mkdir(parents=True)
        (site / "_bundled" / name / marker).write_text("")
    monkeypatch.setattr(resources, "_PACKAGE", site)
    assert resources.bundled_folder("proofs") == site / "_bundled" / "proofs"
    assert resources.bundled_folder("experiments") == site / "_bundled" / "experiments"
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path / "elsewhere" / "robustmem")
    with pytest.raises(RobustMemError, match=r"no proofs/ folder found \(looked in .*elsewhere/proofs and"):
        resources.bundled_folder("proofs")


@pytest.mark.slow
def test_the_wheel_ships_proofs_experiments_license_and_py_typed(tmp_path: Path) -> None:
    """Build the wheel (pip wheel --no-deps, no build isolation: no download) and list it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            str(ROOT),
            "-w",
            str(tmp_path),
        ],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("robustmem-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("proofs", "experiments"):
        shipped = {p.name for p in (ROOT / folder).glob("*.py")}
        assert {f"robustmem/_bundled/{folder}/{n}" for n in shipped} <= names
    assert "robustmem/py.typed" in names and any(n.endswith("licenses/LICENSE") for n in names)
    assert not any("__pycache__" in n for n in names)
