"""A small network file built through the command line, shared by the CLI tests (certify, export, Marabou)."""

from __future__ import annotations

from pathlib import Path

from robustmem.cli import main

#: `robustmem build` of Theorem 6 (l_inf) on 6 sphere points in R^3, 2 classes, at half the limit
BUILD_ARGS = (
    "build",
    *("--dataset", "sphere"),
    *("--param", "n=6", "--param", "d=3", "--param", "n_classes=2", "--param", "seed=0"),
    *("--construction", "theorem6", "--p", "inf", "--fraction-of-limit", "0.5"),
)


def build_small_theorem6(tmp_path: Path) -> str:
    """Build the network with ``robustmem build`` into ``tmp_path/t.rmnet`` and return its path."""
    out = str(tmp_path / "t.rmnet")
    assert main([*BUILD_ARGS, "--out", out]) == 0
    return out
