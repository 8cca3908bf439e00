"""The code gate of issue #17: formatting, lint, import layers and types, each at zero findings, and no function
body over 50 lines (an AST scan of robustmem/).

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


#: the longest function body the house allows (lines from the first statement after the docstring to the end)
MAX_BODY_LINES = 50


def _long_bodies(root: Path) -> list[str]:
    """'path:line name (n lines)' for every function under ``root`` whose body exceeds MAX_BODY_LINES."""
    import ast

    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            doc = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            first = body[1] if doc and len(body) > 1 else body[0]
            lines = (node.end_lineno or first.lineno) - first.lineno + 1
            if lines > MAX_BODY_LINES:
                found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_body_is_longer_than_fifty_lines() -> None:
    """STYLE: a function reads as the steps of what it implements; longer bodies are split into named helpers."""
    assert _long_bodies(ROOT / "robustmem") == []


def test_the_length_rule_sees_a_long_body(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_BODY_LINES + 1))
    (tmp_path / "m.py").write_text(f'def f():\n    """doc"""\n{body}\n\n\ndef g():\n    return 1\n')
    assert _long_bodies(tmp_path) == [f"m.py:1 f ({MAX_BODY_LINES + 1} lines)"]
