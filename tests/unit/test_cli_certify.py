"""`robustmem certify`: proves a built network's claim from its file and refuses a radius it cannot prove."""

from __future__ import annotations

import json

from robustmem.cli import main


def _build(tmp_path) -> str:
    out = str(tmp_path / "t.rmnet")
    assert main(["build", "--dataset", "sphere", "--param", "n=6", "--param", "d=3", "--param", "n_classes=2",
                 "--param", "seed=0", "--construction", "theorem6", "--p", "inf", "--fraction-of-limit", "0.5",
                 "--out", out]) == 0  # fmt: skip
    return out


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
