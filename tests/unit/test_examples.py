"""Every script in examples/ runs, in a quick mode, as a user would run it: a subprocess from the repository root.

Each test checks what the script printed and the files it wrote, not only its exit status.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def run_example(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )
    assert proc.returncode == 0, f"{name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_every_example_is_tested() -> None:
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    text = Path(__file__).read_text(encoding="utf-8")
    assert scripts == ["bounds_table.py", "csv_to_onnx.py", "width_figure.py"]
    assert all(f'"{s}"' in text for s in scripts)


@pytest.mark.skipif(
    importlib.util.find_spec("onnx") is None or importlib.util.find_spec("onnxruntime") is None,
    reason="onnx and onnxruntime are needed (pip install -e '.[test]')",
)
def test_csv_to_onnx_on_a_users_csv(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    centres = np.array([[0.0] * 6, [5.0] * 6, [-5.0, 5.0, -5.0, 5.0, -5.0, 5.0]])
    labels = np.repeat([1, 2, 3], 8)
    X = np.round(centres[labels - 1] + rng.normal(size=(len(labels), 6)), 2)
    csv = tmp_path / "mine.csv"
    names = {1: "cat", 2: "dog", 3: "eel"}  # the user's labels are strings
    csv.write_text("".join(",".join([*map(str, x), names[c]]) + "\n" for x, c in zip(X, labels)), encoding="utf-8")
    out = tmp_path / "out"
    proc = run_example("csv_to_onnx.py", "--csv", str(csv), "--out", str(out), "--width", "8")
    text = proc.stdout
    assert (
        f"1. dataset: {csv}" in text and "N = 24, d = 6, labels [1, 2, 3] (your labels ['cat', 'dog', 'eel'])" in text
    )
    assert "certify_structural: 24/24 balls proven (exact network: True, float64 evaluation: True)" in text
    assert "equal to net(X) exactly: True; every output equals its label: True" in text
    assert "net.predict_labels on the training points gives the labels of the file: True" in text
    assert text.rstrip().endswith(f"PASSED: files in {out}")
    assert (out / "network.onnx").stat().st_size > 0


def test_csv_to_onnx_demo_csv_is_a_valid_dataset(tmp_path: Path) -> None:
    from robustmem.data import load_dataset

    spec = importlib.util.spec_from_file_location("csv_to_onnx", EXAMPLES / "csv_to_onnx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # the script does no work at import
    path = module.write_demo_csv(tmp_path / "data.csv", n=30, d=6, seed=0)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "x0,x1,x2,x3,x4,x5,label" and len(lines) == 31
    ds = load_dataset(path)
    assert (ds.N, ds.d) == (30, 6) and set(ds.y.tolist()) <= {1, 2, 3}


def test_bounds_table(tmp_path: Path) -> None:
    from robustmem.bounds import remark10_radius, theorem7_radius, theorem8_radius

    out = tmp_path / "table.md"
    proc = run_example("bounds_table.py", "--N", "100", "10000", "--d", "100", "--k", "1", "20", "--out", str(out))
    rows = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| 1")]
    assert rows == [
        f"| 100 | 100 | 1 | - | - | {theorem8_radius(100, 100, 2, 1):.3g} | 0.5 |",
        f"| 100 | 100 | 20 | {theorem7_radius(100, 100, 2, 20):.3g} | {remark10_radius(100, 100, 2, 20):.3g} | "
        f"{theorem8_radius(100, 100, 2, 20):.3g} (vacuous) | 0.5 |",
        f"| 10,000 | 100 | 1 | - | - | {theorem8_radius(10_000, 100, 2, 1):.3g} | 0.5 |",
        f"| 10,000 | 100 | 20 | {theorem7_radius(10_000, 100, 2, 20):.3g} | {remark10_radius(10_000, 100, 2, 20):.3g} | "
        f"{theorem8_radius(10_000, 100, 2, 20):.3g} (vacuous) | 0.5 |",
    ]
    assert "| 100 | 100 | 20 | 0.00393 | 0.0147 |" in proc.stdout  # a_{2,100} 100^{-1/7}, by hand
    assert f"wrote {out}" in proc.stdout


def test_width_figure(tmp_path: Path) -> None:
    out = tmp_path / "fig" / "width.png"
    proc = run_example("width_figure.py", str(out), "--max-n", "1e5")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # equation (1) at d = 100, sigma/delta = 1e-3: 13 at N = 1000, 18 at N = 10^5; equation (2): width 1 at 10^5
    assert "| 1,000 | 13 | none |" in proc.stdout and "| 100,000 | 18 | 1 |" in proc.stdout
    assert proc.stdout.rstrip().endswith(f"wrote {out}")
