"""The fidelity table (robustmem.fidelity): every statement has a row and every reference in it exists."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from robustmem.errors import InvalidArgumentError
from robustmem.fidelity import TABLE, Row, render_markdown, render_text
from robustmem.proofcheck import list_proofs

ROOT = Path(__file__).resolve().parents[2]

# Every numbered statement of the paper (PMLR numbering), grouped as the table groups them.
STATEMENTS = (
    [f"Definition {n}" for n in (1, 2, 3, 12, 15, 29, 30)]
    + ["Definitions 59-60", "Remark 4", "Remark 10", "Remark 11", "Remark 40", "Corollary 9", "Proposition 34"]
    + [f"Theorem {n}" for n in (5, 6, 7, 8, 13, 14, 16, 17, 18, 19, 31, 32, 33, 35, 36, 37, 61)]
    + [f"Lemma {n}" for n in (*range(20, 29), 38, 39, *range(41, 47), 62, 63, 71, 72, 73, 74, 75)]
    + ["Lemmas 47-58", "Lemmas 64-67", "Lemmas 68-70", "Example 1", "Equation (1)", "Equation (2)"]
    + ["Figure 1", "Figures 2-3", "Figures 4-10", "Figure 11"]
)


def resolve(dotted: str) -> object:
    """Import the longest importable module prefix of ``dotted`` and follow the rest as attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_statement_has_exactly_one_row() -> None:
    names = [row.statement for row in TABLE]
    assert len(names) == len(set(names)), "a statement has two rows"
    missing = sorted(set(STATEMENTS) - set(names))
    assert not missing, f"no row for {missing}"


@pytest.mark.parametrize("row", TABLE, ids=lambda row: row.statement)
def test_every_reference_exists(row: Row) -> None:
    for dotted in row.code:
        assert resolve(dotted) is not None, dotted
    proofs = {info.name for info in list_proofs()}
    assert set(row.proofs) <= proofs, f"{row.statement}: unknown proof files {set(row.proofs) - proofs}"
    for test in row.tests:
        path, _, node = test.partition("::")
        assert (ROOT / path).is_file(), f"{row.statement}: no test file {path}"
        if node:
            assert node in (ROOT / path).read_text(encoding="utf-8"), f"{row.statement}: {node} not in {path}"


def test_every_proof_file_is_in_the_table() -> None:
    used = {name for row in TABLE for name in row.proofs}
    orphans = {info.name for info in list_proofs()} - used
    assert not orphans, f"proof files no row cites: {orphans}"


def test_no_row_is_missing_without_a_reason() -> None:
    for row in TABLE:
        if not ({"implemented", "proved", "tested"} & set(row.status)):
            assert row.note, row.statement


def test_rows_validate_their_status() -> None:
    with pytest.raises(InvalidArgumentError, match="needs the reason"):
        Row("Lemma 0", "lemma", "x", status=("out of scope",))
    with pytest.raises(InvalidArgumentError, match="names no proof file"):
        Row("Lemma 0", "lemma", "x", status=("proved",))
    with pytest.raises(InvalidArgumentError, match="must be a non-empty subset"):
        Row("Lemma 0", "lemma", "x", status=("missing",))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="kind"):
        Row("Lemma 0", "lema", "x", status=("cited",), note="n")  # type: ignore[arg-type]


def test_the_resolver_fails_on_a_wrong_name() -> None:
    with pytest.raises(AttributeError):
        resolve("robustmem.gadgets.rounding_netwerk")


def test_docs_fidelity_md_is_generated_from_the_table() -> None:
    path = ROOT / "docs" / "fidelity.md"
    assert path.read_text(encoding="utf-8") == render_markdown(), "regenerate: python -m robustmem.fidelity"
    assert all(f"| {row.statement} |" in render_markdown() for row in TABLE)


def test_cli_proofs_lists_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    from robustmem.cli import main

    assert main(["proofs"]) == 0
    out = capsys.readouterr().out
    assert render_text() in out and "Lemma 46" in out and "lemma46" in out
