"""proofs/: every proof file proves its statement; the checking helpers fail on wrong statements."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from robustmem.errors import InvalidArgumentError
from robustmem.proofcheck import (
    ProofResult,
    affine_range,
    assert_equal,
    assert_holds,
    assert_nonnegative,
    assert_zero,
    list_proofs,
    load_proof,
    proofs_directory,
    reduce_piecewise,
    relu,
    run_proofs,
    sign_on_box,
)

REQUIRED = {
    "appendix_d_beta",
    "gap_identity",
    "lemma38",
    "lemma39",
    "lemma41",
    "lemma24",
    "lemma27",
    "lemma28",
    "lemma46",
    "lemma62",
    "lemma63",
    "lemma75",
    "lemmas20_21",
    "lemmas68_70",
    "lemmas71_74",
    "theorem18_cap",
    "theorem18_union_bound",
    "theorem37",
    "theorem7_hypothesis",
}
NAMES = [info.name for info in list_proofs()]


def test_the_required_proofs_exist() -> None:
    assert set(NAMES) >= REQUIRED, f"missing: {REQUIRED - set(NAMES)}"
    assert proofs_directory().name == "proofs" and proofs_directory().is_dir()


@pytest.mark.parametrize("name", NAMES)
def test_proof_is_proved(name: str) -> None:
    (result,) = run_proofs([name])
    assert result.status == "proved", result.message
    assert result.message and result.seconds >= 0


@pytest.mark.parametrize("info", list_proofs(), ids=lambda info: info.name)
def test_proof_file_has_a_statement_and_a_main(info) -> None:  # type: ignore[no-untyped-def]
    text = info.path.read_text(encoding="utf-8")
    assert info.summary != "(no statement)" and len(info.summary) > 20
    assert 'if __name__ == "__main__":\n    print(check())' in text
    assert "def check() -> str:" in text


# --------------------------------------------------------------------------- the helpers can fail


def test_assert_zero_reports_the_remainder() -> None:
    x = sp.Symbol("x", real=True)
    assert_zero((x + 1) ** 2 - x**2 - 2 * x - 1, "binomial")
    with pytest.raises(AssertionError, match=r"remainder 2\*x does not simplify to 0"):
        assert_zero((x + 1) ** 2 - x**2 - 1, "wrong binomial")


def test_a_wrong_gap_constant_is_rejected() -> None:
    """The gap proof's identity with 19327 in place of 19328 must fail."""
    from robustmem.bounds import a_pd_expr, b_pd_expr

    d = sp.Symbol("d", positive=True)
    assert_equal(b_pd_expr(2, d) / a_pd_expr(2, d), 19328 * sp.sqrt(sp.E) * sp.sqrt(d), "right constant")
    with pytest.raises(AssertionError, match="does not simplify to 0"):
        assert_equal(b_pd_expr(2, d) / a_pd_expr(2, d), 19327 * sp.sqrt(sp.E) * sp.sqrt(d), "wrong constant")


def test_assert_holds_and_nonnegative_refuse_undecided_claims() -> None:
    x = sp.Symbol("x", real=True)
    assert_holds(sp.Rational(1, 3) < sp.Rational(1, 2), "1/3 < 1/2")
    with pytest.raises(AssertionError, match="evaluates to False"):
        assert_holds(sp.Rational(1, 2) < sp.Rational(1, 3), "1/2 < 1/3")
    with pytest.raises(AssertionError, match="not True"):
        assert_holds(x < 1, "undecided")
    assert_nonnegative(x**2, "a square")
    with pytest.raises(AssertionError, match="cannot prove"):
        assert_nonnegative(x, "a real number")


def test_case_analysis_refuses_a_relu_that_changes_sign() -> None:
    t = sp.Symbol("t", real=True)
    assert affine_range(3 * t - 1, {t: (sp.Integer(0), sp.Integer(1))}) == (-1, 2)
    assert sign_on_box(t - 1, {t: (sp.Integer(2), sp.oo)}) == 1
    with pytest.raises(AssertionError, match="split the box"):
        reduce_piecewise(relu(t - sp.Rational(1, 2)), {t: (sp.Integer(0), sp.Integer(1))})
    with pytest.raises(AssertionError, match="not affine"):
        affine_range(t**2, {t: (sp.Integer(0), sp.Integer(1))})
    # a wrong claim about the hat function on [1/2, 1] (the truth is 2 - 2t) fails
    hat = 2 * relu(t) - 4 * relu(t - sp.Rational(1, 2)) + 2 * relu(t - 1)
    with pytest.raises(AssertionError, match="does not simplify"):
        assert_equal(reduce_piecewise(hat, {t: (sp.Rational(1, 2), sp.Integer(1))}), 2 * t, "wrong hat piece")


def test_lemma46_proof_rejects_a_gadget_with_a_wrong_bias(monkeypatch: pytest.MonkeyPatch) -> None:
    """The proof checks the gadget's own biases: a rounding net with (2(C - l) + 1)/2 fails it."""
    from fractions import Fraction

    import robustmem.gadgets.rounding_net as rounding

    monkeypatch.setattr(rounding, "rounding_offset", lambda C, level: Fraction(2 * (C - level) + 1, 2))
    with pytest.raises(AssertionError, match="rounding_offset"):
        load_proof("lemma46").check()


# --------------------------------------------------------------------------- the runner


def test_runner_reports_a_failing_proof(tmp_path: Path) -> None:
    (tmp_path / "wrong_lemma.py").write_text(
        '"""A deliberately wrong statement: (a + b)^2 = a^2 + b^2."""\n'
        "import sympy as sp\n"
        "from robustmem.proofcheck import assert_equal\n\n\n"
        "def check() -> str:\n"
        '    a, b = sp.symbols("a b", real=True)\n'
        '    assert_equal((a + b) ** 2, a**2 + b**2, "freshman square")\n'
        '    return "proved"\n',
        encoding="utf-8",
    )
    (tmp_path / "no_check.py").write_text('"""A file without check()."""\n', encoding="utf-8")
    (tmp_path / "_helper.py").write_text("raise RuntimeError('private files are not proofs')\n", encoding="utf-8")
    infos = list_proofs(tmp_path)
    assert [info.name for info in infos] == ["no_check", "wrong_lemma"]
    assert infos[1].summary == "A deliberately wrong statement: (a + b)^2 = a^2 + b^2."
    results = {r.name: r for r in run_proofs(directory=tmp_path)}
    assert results["wrong_lemma"].status == "failed" and "2*a*b" in results["wrong_lemma"].message
    assert results["no_check"].status == "failed" and "no check()" in results["no_check"].message


def test_runner_validates_names_and_status() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown proof"):
        run_proofs(["lemma999"])
    with pytest.raises(InvalidArgumentError, match="status must be"):
        ProofResult("x", "y", "maybe", "", 0.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="no proofs folder"):
        list_proofs(Path("/nonexistent/proofs"))
