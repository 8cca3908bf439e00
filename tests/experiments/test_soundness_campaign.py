"""The structural certifier's soundness campaign (issue 12): quick mode in the normal suite, 10^4 mutants in slow."""

from __future__ import annotations

import json

import pytest

from experiments.soundness_campaign import KINDS, base_networks, main


def _rows(path) -> dict[str, dict]:
    return {r["group"]: r for r in json.loads(path.read_text())["rows"]}


def test_every_supported_construction_has_a_base_network() -> None:
    from robustmem.certify.structural import SUPPORTED

    names = {cert.construction for _, _, cert, _ in base_networks()}
    assert names == set(SUPPORTED)


def test_quick_campaign_certifies_no_broken_mutant(tmp_path, capsys) -> None:
    assert main(["--quick", "--out", str(tmp_path)]) == 0
    rows = _rows(tmp_path / "soundness_campaign.json")
    tot = rows["total"]
    assert tot["mutants"] == 112 and tot["certified_and_broken"] == 0 and tot["errors"] == 0
    assert tot["refused"] + tot["certified"] == tot["mutants"]
    assert tot["broken"] >= 20  # teeth: many mutants are really broken (and then never certified)
    assert {f"kind {k}" for k in KINDS} <= set(rows)
    assert "112 mutants" in capsys.readouterr().out


@pytest.mark.slow
def test_full_campaign_ten_thousand_mutants(tmp_path) -> None:
    assert main(["--mutants", "10976", "--out", str(tmp_path)]) == 0
    tot = _rows(tmp_path / "soundness_campaign.json")["total"]
    assert tot["mutants"] == 10976 and tot["certified_and_broken"] == 0
