"""`robustmem certify`: proves a built network's claim from its file and refuses a radius it cannot prove."""

from __future__ import annotations

import json

from cli_nets import build_small_theorem6

from robustmem.cli import main


def _build(tmp_path) -> str:
    return build_small_theorem6(tmp_path)


def test_certify_structural_and_milp_agree_on_a_built_network(tmp_path, capsys):
    net = _build(tmp_path)
    rep = tmp_path / "r.json"
    assert main(["certify", net, "--method", "all", "--json", str(rep)]) == 0
    out = capsys.readouterr().out
    assert "| structural | 6/6 balls certified |" in out
    assert "| milp | 6 certified, 0 refuted, 0 unknown |" in out
    assert "certify PASSED" in out
    data = json.loads(rep.read_text())
    assert set(data) == {"structural", "crown", "milp"}
    assert data["milp"]["status"] == ["certified"] * 6


def test_certify_beyond_the_separation_is_not_certified(tmp_path, capsys):
    net = _build(tmp_path)
    capsys.readouterr()
    # radius 10: every ball overlaps a differently-labelled one, so nothing may be certified
    assert main(["certify", net, "--method", "structural", "--sigma", "10"]) == 1
    out = capsys.readouterr().out
    assert "| structural | 0/6 balls certified" in out
    assert main(["certify", net, "--method", "milp", "--sigma", "10"]) == 1
    out = capsys.readouterr().out
    assert "0 certified, 6 refuted" in out and "certify FAILED" in out


def test_certify_all_on_an_l3_network_skips_the_generic_methods_and_keeps_the_proof(tmp_path, capsys):
    out = str(tmp_path / "y.rmnet")
    assert (
        main(
            [
                "build",
                "--dataset",
                "sphere",
                "--param",
                "n=8",
                "--param",
                "d=3",
                "--param",
                "n_classes=2",
                "--param",
                "seed=1",
                "--construction",
                "yu2024-lp",
                "--p",
                "3",
                "--sigma-over-delta",
                "0.3",
                "--out",
                out,
            ]
        )
        == 0
    )
    assert main(["certify", out, "--method", "all"]) == 0
    text = capsys.readouterr().out
    assert "| structural | 8/8 balls certified |" in text
    assert "| crown | skipped: the generic certifiers handle l_1, l_2, l_inf balls, not l_3 |" in text
    assert "certify PASSED: every ball proved by structural" in text
    assert main(["certify", out, "--method", "crown"]) == 2  # asked for by name: a clear error, not a skip
    assert "support p in {1, 2, inf}, got p = 3.0" in capsys.readouterr().err
