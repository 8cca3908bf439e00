"""`robustmem demo`: digits at logarithmic width, ending with the structural certificate (issue 12)."""

from __future__ import annotations

import pytest

from robustmem.cli import main, make_parser


def test_demo_defaults_are_the_headline() -> None:
    args = make_parser().parse_args(["demo"])
    assert (args.width, args.projection, args.exact_fit) == (20, "optimize", False)


@pytest.mark.slow
def test_demo_ends_with_the_structural_certificate(tmp_path, capsys) -> None:
    assert main(["demo", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("structural certificate: CERTIFIED -- 1797/1797 balls certified")
    assert "exact network proven, float64 evaluation proven" in lines[-1] and "(width 20, d = 64)" in lines[-1]
    assert any("Theorem 7's worst case at width 20" in line for line in lines)
    assert (tmp_path / "digits_log_width_k20.rmnet").exists()
