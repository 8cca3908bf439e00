"""The code gate of issue #17: formatting, lint, import layers and types, each at zero findings.

Each tool runs as a subprocess from the repository root, taken from the environment that runs the tests
(the executables next to ``sys.executable``; the ``test`` extra installs all four).  Their configuration
lives in pyproject.toml: ``[tool.ruff]``, ``[tool.importlinter]`` (the layer contract of
docs/architecture.md) and ``[tool.mypy]`` (robustmem/ with check_untyped_defs).  mypy keeps its cache
in .mypy_cache, so a second run takes seconds; the first run on a fresh checkout takes about a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

GATES = {
    "ruff-format": ("ruff", "format", "--check", "."),
    "ruff-lint": ("ruff", "check", "."),
    "import-layers": ("lint-imports",),
    "mypy": ("mypy",),
}


@pytest.mark.parametrize("gate", sorted(GATES))
def test_gate_passes(gate: str) -> None:
    tool, *args = GATES[gate]
    exe = BIN / tool
    assert exe.exists(), f"{tool} is not installed next to {sys.executable}: pip install -e '.[test]'"
    proc = subprocess.run([str(exe), *args], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (
        f"{gate}: `{tool} {' '.join(args)}` exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
