"""The fidelity table: every numbered statement of the paper -> code, proof file, tests, status.

Egosi, Yehudai, Shamir (COLT 2025, PMLR numbering), statement by statement. The table is
data (:data:`TABLE`, one :class:`Row` per statement or group of statements); ``docs/fidelity.md`` is generated from it
by :func:`render_markdown` (``python -m robustmem.fidelity docs/fidelity.md``), ``robustmem proofs`` prints it with
:func:`render_text`, and tests/unit/test_fidelity.py checks that every code object, proof file and test it names
exists, so the table cannot rot.

Status words (a row carries one or more): ``implemented`` (code builds or computes the statement's object),
``proved`` (a proofs/*.py file proves it, exactly), ``tested`` (tests check the code against the statement),
``cited`` (a result the paper quotes from another paper; used, not re-proved), ``out of scope`` (with the reason in
the note).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from robustmem.errors import InvalidArgumentError

__all__ = ["KINDS", "STATUSES", "TABLE", "Row", "render_markdown", "render_text"]

Kind = Literal["definition", "theorem", "lemma", "remark", "corollary", "proposition", "example", "equation", "figure"]
Status = Literal["implemented", "proved", "tested", "cited", "out of scope"]
KINDS: tuple[Kind, ...] = (
    "definition",
    "theorem",
    "lemma",
    "remark",
    "corollary",
    "proposition",
    "example",
    "equation",
    "figure",
)
STATUSES: tuple[Status, ...] = (
    "implemented",
    "proved",
    "tested",
    "cited",
    "out of scope",
)


@dataclass(frozen=True)
class Row:
    """One statement: ``code`` are dotted names of importable objects, ``proofs`` names of proofs/*.py files,
    ``tests`` paths of test files (optionally ``path::name`` with a name that occurs in the file)."""

    statement: str
    kind: Kind
    claim: str
    code: tuple[str, ...] = ()
    proofs: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    status: tuple[Status, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidArgumentError(f"{self.statement}: kind {self.kind!r} is not one of {KINDS}")
        unknown = [s for s in self.status if s not in STATUSES]
        if not self.status or unknown:
            raise InvalidArgumentError(
                f"{self.statement}: status {self.status!r} must be a non-empty subset of {STATUSES}"
            )
        if ("out of scope" in self.status or "cited" in self.status) and not self.note:
            raise InvalidArgumentError(
                f"{self.statement}: an 'out of scope' or 'cited' row needs the reason in its note"
            )
        if "proved" in self.status and not self.proofs:
            raise InvalidArgumentError(f"{self.statement}: status 'proved' names no proof file")
        if "tested" in self.status and not self.tests:
            raise InvalidArgumentError(f"{self.statement}: status 'tested' names no test")
        if "implemented" in self.status and not self.code:
            raise InvalidArgumentError(f"{self.statement}: status 'implemented' names no code")


def _r(statement: str, kind: Kind, claim: str, *, code: str = "", proofs: str = "", tests: str = "",
       status: str, note: str = "") -> Row:  # fmt: skip
    """A row from space-separated lists (status: comma-separated)."""
    return Row(
        statement,
        kind,
        claim,
        tuple(code.split()),
        tuple(proofs.split()),
        tuple(tests.split()),
        tuple(s.strip() for s in status.split(",")),  # type: ignore[misc]
        note,
    )


U, P = "tests/unit/", "tests/property/"
IPT = "implemented, proved, tested"
IT = "implemented, tested"

TABLE: tuple[Row, ...] = (
    # ------------------------------------------------------------------ Section 3: setting
    _r(
        "Definition 1",
        "definition",
        "ReLU network f = T_L o relu o ... o T_1; depth L, width max d_l",
        code="robustmem.network.ReLUNetwork robustmem.network.Builder",
        tests=U + "test_network.py",
        status=IT,
    ),
    _r(
        "Definition 2",
        "definition",
        "dataset in R^d x [C]; delta-separated: min l2 distance of differently-labelled pairs",
        code="robustmem.data.Dataset robustmem.data.min_separation",
        tests=U + "test_data.py",
        status=IT,
    ),
    _r(
        "Definition 3",
        "definition",
        "(sigma, p)-robust memorization: f(x) = y_i exactly on the closed ball B_p(x_i, sigma)",
        code="robustmem.verify.verify_fit robustmem.verify.falsify robustmem.certify.certify",
        tests=U + "test_verify.py " + U + "test_certify_structural.py",
        status=IT,
    ),
    _r(
        "Remark 4",
        "remark",
        "sigma/delta < 1/(2 c+_p(d)) is necessary for every delta-separated dataset",
        code="robustmem.bounds.remark4_radius_limit robustmem.norms.c_plus",
        tests=U + "test_bounds.py",
        status=IT,
    ),
    # ------------------------------------------------------------------ Section 4: main results
    _r(
        "Theorem 5",
        "theorem",
        "width d + 6, depth O(N d log(d/(1 - 2 c+ sigma/delta))) for any p",
        code="robustmem.construct.construct_theorem5",
        tests=U + "test_construction_units.py " + P + "test_constructions.py",
        status=IT,
    ),
    _r(
        "Theorem 6",
        "theorem",
        "p in {1, inf}: width d + 4, depth O(N d)",
        code="robustmem.construct.construct_theorem6",
        tests=U + "test_certify_structural.py " + P + "test_constructions.py",
        status=IT,
    ),
    _r(
        "Theorem 7",
        "theorem",
        "7 <= k <= d + 5, sigma/delta <= a_{p,d} N^{-2/(k-6)}: width k, depth O(N k log k)",
        code="robustmem.construct.construct_log_width robustmem.bounds.theorem7_radius robustmem.bounds.a_pd",
        proofs="theorem7_hypothesis",
        tests=U + "test_bounds.py " + P + "test_log_width.py",
        status=IPT,
    ),
    _r(
        "Theorem 8",
        "theorem",
        "k <= d - 1, sigma/delta > b_{p,d} N^{-2/k}: a binary dataset no width-k net memorizes",
        code="robustmem.bounds.theorem8_radius robustmem.bounds.b_pd robustmem.lower_bound.hard_instance",
        proofs="lemma75 gap_identity",
        tests=U + "test_bounds.py " + U + "test_lower_bound.py",
        status=IPT,
    ),
    _r(
        "Equation (1)",
        "equation",
        "sufficient width 6 + 2 log N / log((delta/sigma) a_{p,d}) < k",
        code="robustmem.bounds.equation1_threshold robustmem.bounds.sufficient_width",
        tests=U + "test_bounds.py",
        status=IT,
    ),
    _r(
        "Equation (2)",
        "equation",
        "impossible width k < 2 log N / log((delta/sigma) b_{p,d})",
        code="robustmem.bounds.equation2_threshold robustmem.bounds.impossible_width",
        tests=U + "test_bounds.py",
        status=IT,
    ),
    _r(
        "Corollary 9",
        "corollary",
        "p >= 2: width Theta(log N / log(delta/sigma)) up to the d-dependence",
        code="robustmem.bounds.corollary9_width_bounds",
        tests=U + "test_bounds.py",
        status=IT,
    ),
    _r(
        "Remark 10",
        "remark",
        "the proof of Theorem 7 gives sigma/delta <= a_{p,d} sqrt(k - 6) N^{-2/(k-6)}",
        code="robustmem.bounds.remark10_radius",
        proofs="theorem7_hypothesis",
        tests=U + "test_bounds.py " + P + "test_log_width.py",
        status=IPT,
    ),
    _r(
        "Remark 11",
        "remark",
        "sigma = 0: width 7 suffices",
        code="robustmem.construct.construct_remark11",
        tests=U + "test_certify_structural.py",
        status=IT,
    ),
    _r(
        "Section 4.2.1 gap",
        "equation",
        "b_{p,d}/a_{p,d} = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|}",
        code="robustmem.bounds.gap_ratio",
        proofs="gap_identity",
        tests=U + "test_proofs.py",
        status=IPT,
    ),
    # ------------------------------------------------------------------ Section 5: preserving maps
    _r(
        "Definition 12",
        "definition",
        "T (sigma, k)-preserves D: ||a - a'|| <= ||T(a - a')|| across labels",
        code="robustmem.projection.preservation_report robustmem.projection.pair_preservation",
        tests=U + "test_projection.py " + U + "test_example1.py",
        status=IT,
    ),
    _r(
        "Theorem 13",
        "theorem",
        "robust JL: preserving maps exist iff sigma/delta is below ~sqrt(k/d) N^{-2/k} (to gaps)",
        code="robustmem.bounds.theorem18_epsilon robustmem.bounds.theorem19_threshold",
        proofs="theorem18_cap theorem18_union_bound lemma75",
        tests=U + "test_bounds.py",
        status=IPT,
        note="parts 1 and 2 are Theorems 18 and 19 (C1 = 1/(4 sqrt e), C2 = 2416)",
    ),
    _r(
        "Theorem 14",
        "theorem",
        "classical Johnson-Lindenstrauss lemma (Dasgupta-Gupta 2003)",
        status="cited",
        note="quoted to motivate Example 1; the package never needs a JL map",
    ),
    _r(
        "Example 1",
        "example",
        "a JL map that is not preserving: T(e_1 + sigma e_2) = 0",
        code="robustmem.example1 robustmem.example1.example1_symbolic_check",
        tests=U + "test_example1.py",
        status=IT,
    ),
    _r(
        "Definition 15",
        "definition",
        "(sigma, k)-preservable; (sigma, eps, k)-orthogonally preservable (M = P/eps)",
        code="robustmem.projection.preservation_report robustmem.construct.choose_projection",
        tests=U + "test_projection.py",
        status=IT,
    ),
    _r(
        "Theorem 16",
        "theorem",
        "preservable under M with ||M|| < delta/(2 sigma'): width k + 6 memorizes",
        code="robustmem.construct.construct_theorem16",
        tests=P + "test_log_width.py " + U + "test_cli.py",
        status=IT,
    ),
    _r(
        "Theorem 17",
        "theorem",
        "not (c-_p sigma, k)-preservable: no width-k network memorizes",
        code="robustmem.lower_bound.kernel_attack robustmem.lower_bound.exact_kernel",
        tests=U + "test_lower_bound.py",
        status=IT,
        note="the kernel attack is Theorem 17's argument run on a given network's first layer",
    ),
    _r(
        "Theorem 18",
        "theorem",
        "2 sigma/delta <= eps = (1/2) sqrt(k/(de)) N^{-2/k}: orthogonally preservable",
        code="robustmem.bounds.theorem18_epsilon robustmem.bounds.theorem18_union_bound robustmem.projection.haar_projection",
        proofs="theorem18_cap theorem18_union_bound",
        tests=U + "test_bounds.py " + U + "test_projection.py",
        status=IPT,
    ),
    _r(
        "Theorem 19",
        "theorem",
        "2 sigma/delta > 4832 N^{-2/k}: a binary dataset that is not preservable",
        code="robustmem.lower_bound.hard_instance robustmem.bounds.theorem19_threshold",
        proofs="lemma27 lemma28 lemma75",
        tests=U + "test_lower_bound.py",
        status=IPT,
        note="typo [I]: the instance has min distance >= delta, Definition 2 wants = delta (hard_instance attains it)",
    ),
    # ------------------------------------------------------------------ Appendix B-C
    _r(
        "Lemma 20",
        "lemma",
        "not preservable => every rank-k M has a kernel pair a_i - a_j across labels",
        proofs="lemmas20_21",
        tests=U + "test_proofs.py",
        status="proved",
        note="exact on a rational rank-2 instance and the rescaling step symbolically; compactness is the analytic step",
    ),
    _r(
        "Lemma 21",
        "lemma",
        "orthogonally preservable with eps <=> preservable under M with ||M||_2 = 1/eps",
        proofs="lemmas20_21",
        tests=U + "test_proofs.py",
        status="proved",
        note="construct_theorem16 uses M directly (Theorem 16), not Lemma 21's projection; both are sound",
    ),
    _r(
        "Lemma 22",
        "lemma",
        "P(||Px|| <= r) over the Grassmannian = mu{y_1^2 + ... + y_k^2 <= r^2} (Beta law)",
        code="robustmem.bounds.projection_cdf robustmem.bounds.projection_cdf_expr",
        proofs="appendix_d_beta",
        tests=U + "test_bounds.py",
        status=IPT,
    ),
    _r(
        "Lemma 23",
        "lemma",
        "a point of the cap B_arc(x, phi) with ||Pb|| <= eps forces ||Px|| <= eps + sin phi",
        code="robustmem.projection.cap_min_norm robustmem.bounds.cap_projection_threshold",
        proofs="theorem18_cap",
        tests=U + "test_projection.py",
        status=IPT,
        note="theorem18_cap proves the sharper exact cap minimum",
    ),
    _r(
        "Lemma 24",
        "lemma",
        "mu{y_1^2 + ... + y_k^2 <= (k/d) r^2} < e^{k/2} r^k (from Dasgupta-Gupta)",
        code="robustmem.bounds.dasgupta_gupta_bound robustmem.bounds.projection_small_ball_bound",
        proofs="lemma24",
        tests=U + "test_bounds.py::test_projection_bounds_chain",
        status=IPT,
        note="Dasgupta-Gupta's Lemma 2.2 is cited; the monotonicity step and the final inequality are proved",
    ),
    _r(
        "Lemma 25",
        "lemma",
        "one cap: P(some b in the cap has ||sqrt(d/k) P b|| <= eps) < 1/m",
        code="robustmem.bounds.pair_union_bound",
        proofs="theorem18_union_bound",
        tests=U + "test_bounds.py",
        status=IPT,
        note="typo [I]: the printed set has Px where Pb is meant",
    ),
    _r(
        "Lemma 26",
        "lemma",
        "union bound over m caps: some P keeps ||Pu|| >= eps on all of them",
        code="robustmem.bounds.theorem18_union_bound",
        proofs="theorem18_union_bound",
        tests=U + "test_bounds.py",
        status=IPT,
    ),
    _r(
        "Lemma 27",
        "lemma",
        "(Delta_k R/r)^k < m: m points cover the R-sphere of R^{k+1} with r-balls",
        code="robustmem.lower_bound.sphere_cover robustmem.lower_bound.circle_cover",
        proofs="lemma27",
        tests=U + "test_lower_bound.py",
        status=IPT,
        note="the package builds explicit covers (far fewer points); the lemma's count is an existence bound",
    ),
    _r(
        "Lemma 28",
        "lemma",
        "(sigma + sqrt(sigma^2 + 4 sigma delta))/2 <= sqrt(2 sigma delta) for sigma < delta/2",
        code="robustmem.lower_bound.hard_instance",
        proofs="lemma28",
        tests=U + "test_lower_bound.py",
        status=IPT,
        note="proved sharper: holds iff sigma <= delta/2; r = sqrt(2 sigma delta) is hard_instance's inner radius",
    ),
    # ------------------------------------------------------------------ Appendix D
    _r(
        "Definition 29",
        "definition",
        "(d-k, phi)-hitting sets and the hitting number; cap measure I_{sin^2 phi}(k/2, (d-k)/2)",
        code="robustmem.bounds.projection_cdf_expr",
        proofs="appendix_d_beta",
        tests=U + "test_bounds.py",
        status="implemented, proved, tested, out of scope",
        note="the exact cap measure is implemented and proved; the hitting number itself (an open question of the"
        " paper, bounds (k/d)^{k/2}(C1/phi)^k <= m <= (C2/phi)^k) has no algorithm and is not computed",
    ),
    # ------------------------------------------------------------------ Appendix E: l_q-separated data
    _r(
        "Definition 30",
        "definition",
        "(delta, q)-separated datasets",
        code="robustmem.data.Dataset.separation robustmem.bounds.check_q robustmem.certificate.Certificate",
        tests=U + "test_data.py " + U + "test_appendix_e.py",
        status=IT,
        note="the certificate records q as separation_norm and delta as delta_q",
    ),
    _r(
        "Theorem 31",
        "theorem",
        "q in (1, oo) minus N: width d + 12",
        code="robustmem.construct.construct_theorem31",
        tests=U + "test_appendix_e_lp.py " + U + "test_certify_structural_realq.py",
        status=IT,
        note="width d + 8 with the Lemma 44 power net; proven at construction (Lemma 38's conditions checked in exact"
        " rational arithmetic) and by the structural certifier for q = a/b with b <= 64 (|a|^q bracketed by exact"
        " rationals); other q (e.g. 1.37, read as its binary value) are refused by the constructor, naming that limit",
    ),
    _r(
        "Theorem 32",
        "theorem",
        "q in N_{>=2}: width d + 9, depth O(N d q log(d q lambda^q))",
        code="robustmem.construct.construct_theorem32",
        tests=U + "test_appendix_e.py",
        status=IT,
        note="certified by the structural certifier (width d + 5 for q = 2, d + 7 for q >= 3)",
    ),
    _r(
        "Theorem 33",
        "theorem",
        "q in {1, oo}: width d + 4, depth O(N d)",
        code="robustmem.construct.construct_theorem33",
        tests=U + "test_appendix_e.py",
        status=IT,
        note="certified by the structural certifier for p in {0.5, 1, 2, oo}; typo [I]: the q = oo proof writes"
        " F_{d,delta,r,1} for F_{d,delta,r,oo}",
    ),
    _r(
        "Proposition 34",
        "proposition",
        "width d + 1, depth exponential in d (Hanin-Sellke + rounding net)",
        code="robustmem.construct.construct_proposition34 robustmem.bounds.proposition34_depth_scale",
        tests=U + "test_proposition34.py",
        status=IT,
        note="d = 1: a width-2 staircase, an integer label map and Lemma 46's rounding net, every ball certified by"
        " CROWN; d >= 2 only along a direction that keeps differently-labelled balls apart, otherwise refused naming"
        " the paper's depth scale (no general width-(d+1) grid approximator)",
    ),
    _r(
        "Theorem 35",
        "theorem",
        "log width for l_q-separated data with a_{p,q,d}",
        code="robustmem.construct.construct_theorem35 robustmem.bounds.a_pqd robustmem.bounds.theorem35_radius",
        tests=U + "test_appendix_e.py " + U + "test_appendix_e_bounds.py",
        status=IT,
        note="certified by the structural certifier for q in {1, 1.5, 2, 3, oo}; a_{p,q,d} checked exactly against"
        " the proof's requirement",
    ),
    _r(
        "Theorem 36",
        "theorem",
        "lower bound for l_q-separated data with b_{p,q,d}",
        code="robustmem.lower_bound.appendix_e.theorem36_instance robustmem.bounds.b_pqd"
        " robustmem.bounds.theorem36_radius",
        tests=U + "test_appendix_e.py " + U + "test_appendix_e_bounds.py",
        status=IT,
        note="Theorem 19's instance at l_2 separation c+_{q,2}(d) delta; the exact kernel attack breaks it; the"
        " instance has delta_q >= delta (Definition 30 asks =; scaling down only makes it harder)",
    ),
    # ------------------------------------------------------------------ Appendix F-G: building blocks
    _r(
        "Theorem 37",
        "theorem",
        "chain of indicators with running maxima memorizes with width W + 1",
        code="robustmem.gadgets.chain_network",
        proofs="theorem37",
        tests=U + "test_gadgets.py",
        status=IPT,
    ),
    _r(
        "Lemma 38",
        "lemma",
        "approximate l_p-ball indicator (p in [1, oo)), width k + 2 + W(g)",
        code="robustmem.gadgets.indicator_l2 robustmem.gadgets.indicator_lp",
        proofs="lemma38",
        tests=U + "test_gadgets_indicators.py",
        status=IPT,
    ),
    _r(
        "Lemma 39",
        "lemma",
        "exact l_inf-ball indicator, width k + 3",
        code="robustmem.gadgets.indicator_linf",
        proofs="lemma39",
        tests=U + "test_gadgets_indicators.py",
        status=IPT,
    ),
    _r(
        "Remark 40",
        "remark",
        "indicators with the coordinates in parallel: depth O(L(g)), width k(1 + W(g))",
        code="robustmem.gadgets.indicator_lp_par robustmem.gadgets.indicator_linf_par robustmem.construct.construct_remark40",
        tests=U + "test_gadgets_indicators.py",
        status=IT,
    ),
    _r(
        "Lemma 41",
        "lemma",
        "squaring net: width 3, depth O(log(1/eps)), |g(a) - a^2| <= eps on [0, 1]",
        code="robustmem.gadgets.square_network",
        proofs="lemma41",
        tests=U + "test_gadgets.py",
        status=IPT,
        note="cited from Elbraechter et al.; the package's Yarotsky-style net is proved exactly",
    ),
    _r(
        "Lemma 42",
        "lemma",
        "x^p for integer p >= 2, width 6, depth O(p log(p/eps))",
        code="robustmem.gadgets.power_network robustmem.gadgets.power_error_bound",
        tests=U + "test_gadgets_powers.py",
        status=IT,
        note="built from products of squaring nets (xy from squares), its error bound tested exactly",
    ),
    _r(
        "Lemma 43",
        "lemma",
        "multiplication net, width 5, error <= eps on [0, 1]^2 (Elbraechter Prop. III.3)",
        code="robustmem.gadgets.emit_power",
        tests=U + "test_gadgets_powers.py",
        status="implemented, tested, cited",
        note="cited; the package multiplies through squaring nets inside the power net; typo [I]: h_eps maps R^2 -> R",
    ),
    _r(
        "Lemma 44",
        "lemma",
        "x^p for non-integer p > 1 (binomial series), width 9",
        code="robustmem.gadgets.binomial.binomial_network robustmem.gadgets.binomial.binomial_plan",
        tests=U + "test_gadgets_binomial.py",
        status=IT,
        note="width 6; the error bound is exact (truncation |binom(p - 1, D)| by the one-signed tail, coefficient"
        " rounding, power nets) and checked exactly at rational points",
    ),
    _r(
        "Lemma 45",
        "lemma",
        "polynomial nets (Elbraechter Prop. III.5), width 9",
        code="robustmem.gadgets.binomial.emit_binomial_powers robustmem.gadgets.indicators_binomial.indicator_lp_real",
        tests=U + "test_gadgets_binomial.py " + U + "test_appendix_e_lp.py " + U + "test_certify_structural_realq.py",
        status=IT,
        note="the package's proved power nets evaluate the monomials instead of Elbraechter's construction; the"
        " non-integer l_p indicator built from them is proven at construction and by the structural certifier"
        " (exponent denominators <= 64)",
    ),
    _r(
        "Lemma 46",
        "lemma",
        "rounding net psi, width 2, depth 3C: psi(t) = m on [m - 1/4, m + 1/4]",
        code="robustmem.gadgets.rounding_network robustmem.gadgets.emit_rounding robustmem.gadgets.rounding_reference",
        proofs="lemma46",
        tests=U + "test_gadgets.py::TestRounding",
        status=IPT,
        note="the paper's recursion as printed (no typo); the proof covers every C, the test the emitted weights",
    ),
    # ------------------------------------------------------------------ Appendix H: background
    _r(
        "Lemmas 47-58",
        "lemma",
        "Haar measure on O(d), invariant measures on the Grassmannian and the sphere, G-spaces",
        status="out of scope",
        note="measure-theory background for the existence proof of Theorem 18; the package draws Haar projections"
        " (projection.haar_projection, QR of a Gaussian) and checks preservation exactly instead of relying on it",
    ),
    _r(
        "Definitions 59-60",
        "definition",
        "covering number and covering density of a transitive G-space",
        proofs="lemma27",
        status="out of scope",
        note="definitions only (after Naszodi 2016); their one use, tau = theta/mu in Lemma 27, is in proofs/lemma27.py",
    ),
    _r(
        "Theorem 61",
        "theorem",
        "covering density of S^k by caps <= inf_a (1 + 1/(a-1))(k ln(ak) + 1)",
        proofs="lemma62",
        status="cited",
        note="Rolfes and Vallentin (2018), Cor. 3.1; lemma62 proves the step to 5k ln(k+1)",
    ),
    _r(
        "Lemma 62",
        "lemma",
        "covering density <= 5k ln(k+1)",
        proofs="lemma62",
        tests=U + "test_proofs.py",
        status="proved, tested",
        note="Theorem 61's bound at alpha = 2 already gives it, for every k in N",
    ),
    _r(
        "Lemma 63",
        "lemma",
        "mu_k(B_arc(phi)) >= sin^k(phi)/sqrt(2 pi (k+1))",
        proofs="lemma63",
        tests=U + "test_proofs.py",
        status="proved, tested",
        note="every k given Gautschi's inequality (exact for k <= 12); by exact integration for k <= 4",
    ),
    _r(
        "Lemmas 64-67",
        "lemma",
        "binomial-series truncation and Gamma-ratio bounds behind Lemma 44",
        code="robustmem.gadgets.binomial.truncation_bound robustmem.gadgets.binomial.lemma64_degree",
        tests=U + "test_gadgets_binomial.py::test_lemma64_degree_meets_its_claim",
        status=IT,
        note="Lemma 64's claim checked exactly; its mean-value step (c in [x/2, x] for an expansion around 1) does"
        " not hold, so the bound is proved from the one-signed tail instead; Lemmas 65-67 serve only that step",
    ),
    _r(
        "Lemmas 68-70",
        "lemma",
        "c-_{p,q} ||x||_p <= ||x||_q <= c+_{p,q} ||x||_p; ball inclusions; tightness",
        code="robustmem.norms.c_plus_pq robustmem.norms.c_minus_pq robustmem.bounds.c_plus_pq_expr",
        proofs="lemmas68_70",
        tests=U + "test_bounds.py",
        status=IPT,
    ),
    _r(
        "Lemma 71",
        "lemma",
        "an orthogonal projection maps B_2(x, r) onto the r-ball around Px in Im P",
        code="robustmem.construct.construct_log_width",
        proofs="lemmas71_74",
        tests=P + "test_log_width.py",
        status=IPT,
        note="a = a' + x - Px; every projected construction relies on it and is tested end to end",
    ),
    _r(
        "Lemma 72",
        "lemma",
        "||P_{gW} x|| = ||P_W g^{-1} x|| for g in O(d)",
        proofs="lemmas71_74",
        tests=U + "test_proofs.py",
        status="proved, tested",
        note="rotation invariance used inside the measure arguments (Lemmas 21-22); no package code depends on it",
    ),
    _r(
        "Lemma 73",
        "lemma",
        "a group element maps a cover to a cover",
        code="robustmem.lower_bound.hard_instance",
        tests=U + "test_lower_bound.py",
        status=IT,
        note="the hard instance's difference cover (-a_i) is built and tested",
    ),
    _r(
        "Lemma 74",
        "lemma",
        "dim V + dim RA > d forces a nonzero common vector",
        code="robustmem.lower_bound.kernel_attack robustmem.lower_bound.exact_kernel",
        proofs="lemmas71_74",
        tests=U + "test_lower_bound.py",
        status=IPT,
        note="the kernel attack finds the kernel direction in the (k+1)-dimensional span exactly",
    ),
    _r(
        "Lemma 75",
        "lemma",
        "(5k ln(k+1) sqrt(2 pi (k+1)))^{1/k} <= 10 sqrt(pi) ln 2 (maximum at k = 1)",
        code="robustmem.bounds.b_pd_expr robustmem.bounds.theorem19_threshold_expr",
        proofs="lemma75",
        tests=U + "test_proofs.py",
        status=IPT,
        note="monotone decrease proved (exact for k <= 5, derivative signs on [5, oo)); gives 2416 and 4832",
    ),
    # ------------------------------------------------------------------ figures
    _r(
        "Figure 1",
        "figure",
        "the (width, radius) phase diagram: Theorems 5, 7, 8 and Remark 4",
        code="experiments.figure1.main",
        tests="tests/experiments/test_figures_content.py",
        status=IT,
    ),
    _r(
        "Figures 2-3",
        "figure",
        "the hard instance (Theorem 19) and Example 1",
        code="experiments.figure2_3.main",
        tests="tests/experiments/test_figures_content.py",
        status=IT,
    ),
    _r(
        "Figures 4-10",
        "figure",
        "architectures: chain block, full chain, M_j, l_p and l_inf indicators, x^p",
        code="experiments.architecture.main",
        tests="tests/experiments/test_figures_content.py",
        status=IT,
        note="drawn from real networks (Theorems 5, 6, 7); Figure 10 (x^p) is the power net of Lemma 42",
    ),
    _r(
        "Figure 11",
        "figure",
        "the rounding net psi's architecture (input carried beside psi_j)",
        code="robustmem.gadgets.rounding_network",
        proofs="lemma46",
        tests=U + "test_gadgets.py::TestRounding",
        status=IPT,
        note="the network itself; not drawn",
    ),
)


# ------------------------------------------------------------------------------------------- rendering
def _cell(items: Sequence[str], wrap: str = "`") -> str:
    return ", ".join(f"{wrap}{item}{wrap}" for item in items) if items else "-"


def render_markdown() -> str:
    """docs/fidelity.md: an explanation and one table row per :data:`TABLE` entry."""
    lines = [
        "# Fidelity table: every numbered statement of the paper",
        "",
        "Generated by `python -m robustmem.fidelity docs/fidelity.md` from `robustmem/fidelity.py`; do not edit by",
        "hand (tests/unit/test_fidelity.py checks that this file is up to date and that every code object, proof file",
        "and test named below exists). `robustmem proofs` prints the same table; `robustmem proofs --run` runs the",
        "proofs.",
        "",
        "Status: *implemented* (code builds or computes it), *proved* (proofs/NAME.py proves it exactly), *tested*",
        "(tests check code against it), *cited* (quoted from another paper, used, not re-proved), *out of scope* (reason",
        "in the note).",
        "",
        "| statement | claim | code | proof | tests | status | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in TABLE:
        proofs = tuple(f"proofs/{name}.py" for name in row.proofs)
        cells = [row.statement, row.claim, _cell(row.code), _cell(proofs), _cell(row.tests), ", ".join(row.status)]
        cells.append(row.note or "-")
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    counts = {s: sum(s in row.status for row in TABLE) for s in STATUSES}
    lines += ["", "Rows per status: " + ", ".join(f"{s}: {n}" for s, n in counts.items()) + f" (of {len(TABLE)}).", ""]
    return "\n".join(lines)


def render_text() -> str:
    """The table for a terminal: statement, status, proof files, then the claim (one block per row)."""
    out = []
    for row in TABLE:
        proof = " ".join(f"proofs/{name}.py" for name in row.proofs) or "-"
        out.append(f"{row.statement:<18} {', '.join(row.status):<34} {proof}")
        out.append(f"{'':<18} {row.claim}")
        if row.note:
            out.append(f"{'':<18} note: {row.note}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Write docs/fidelity.md (or the path given) from :data:`TABLE`."""
    args = list(sys.argv[1:] if argv is None else argv)
    target = Path(args[0]) if args else Path("docs/fidelity.md")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_markdown(), encoding="utf-8")
    print(f"wrote the fidelity table ({len(TABLE)} rows) to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
