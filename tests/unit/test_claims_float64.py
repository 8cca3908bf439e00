"""Issue 12 regressions: every case where a constructor's certificate and the structural certifier disagreed.

Each network below was returned by its constructor but refused by ``certify_structural`` in float64 before the
fixes (the certifier double-counted a running maximum's rounding and the squaring nets' hat steps, doubled the
carried range, rounded the c+ exponent up; the constructors reserved too little float64 room for tiny margins).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from robustmem.certify import certify_structural
from robustmem.certify.structural.template import relu_sum_lip
from robustmem.construct import construct_log_width, construct_theorem5, construct_theorem6
from robustmem.data import Dataset, load_real
from robustmem.errors import HypothesisError
from robustmem.norms import c_plus


def _limit(ds: Dataset, p: float) -> float:
    return ds.separation(2.0).delta / (2.0 * c_plus(p, ds.d))


def _proven(net, ds) -> None:
    rep = certify_structural(net, ds, progress=False)
    assert rep.exact_network and rep.float64_evaluation, rep.reason
    assert rep.n_certified == ds.N


def test_breast_cancer_raw_linf_theorem6_is_proven_in_float64() -> None:
    """Raw breast cancer, first 200 points: float64 R_in was 1.0704997 < sigma = 1.0705003 (d = 30 running max)."""
    bc = load_real("breast_cancer")
    ds = Dataset.from_arrays(bc.X[:200], bc.y[:200])
    net, cert = construct_theorem6(ds, p="inf", sigma=0.9 * _limit(ds, math.inf))
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified and rep.n_certified == 200, rep.reason
    on = next(c for c in rep.checks if c.name == "indicator ON (float64)")
    assert on.margin is not None and on.margin >= 0
    assert cert.r - rep.template_radii[0] < 1e-9  # float64 R_in within 1e-9 of r (it was 6.7e-7 below)


@pytest.mark.slow
def test_digits_linf_theorem6_is_proven_in_float64() -> None:
    """The old demo's network (digits, Theorem 6, l_inf, 0.9 of the limit): 'no R_in >= 0 works' in float64."""
    ds = load_real("digits")
    net, _ = construct_theorem6(ds, p="inf", sigma=0.9 * _limit(ds, math.inf))
    _proven(net, ds)


@pytest.mark.parametrize("d", [2, 8])
@pytest.mark.parametrize("p", ["inf", 1])
def test_pair_1e9_apart_at_1e3(d: int, p) -> None:
    """Two points 1e-9 apart with coordinates ~1e3: proven, or refused by the constructor -- never an unprovable net."""
    x = np.random.default_rng(0).uniform(500, 1500, size=d)
    ds = Dataset.from_arrays(np.stack([x, x + np.eye(d)[0] * 1e-9]), [1, 2])
    try:
        net, _ = construct_theorem6(ds, p=p, sigma=0.5 * _limit(ds, float(p)))
    except HypothesisError:
        return
    _proven(net, ds)


def test_pair_1e9_apart_log_width_k7() -> None:
    """log-width k = 7 on the pair: the constructor returned a network refused by 3.8e-13 (float64 ON geometry)."""
    x = np.random.default_rng(0).uniform(500, 1500, size=2)
    ds = Dataset.from_arrays(np.stack([x, x + np.array([1e-9, 0.0])]), [1, 2])
    for k in (7,):
        try:
            net, _ = construct_log_width(ds, p=2.0, width=k)
        except HypothesisError:
            continue
        _proven(net, ds)


def test_theorem5_tiny_delta_at_scale_1e3() -> None:
    """Theorem 5 (Lemma 41 squaring nets), N = 4, d = 3, a pair ~1e-8 apart at 1e3: float64 R_in was 6e-11 short."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(4, 3)) * 1e3
    X[1] = X[0]
    X[1, 0] += 1e-8
    ds = Dataset.from_arrays(X, [1, 2, 1, 2])
    net, _ = construct_theorem5(ds, p=2.0, sigma=0.45 * _limit(ds, 2.0))
    _proven(net, ds)


@pytest.mark.parametrize("d", [2, 5, 30])
def test_theorem5_p3_uses_the_exact_cplus_exponent(d: int) -> None:
    """p = 3: the certifier's L = c+_{3,2}(d) had its exponent 1/6 rounded up to 11/64 (exact geometry refused)."""
    rng = np.random.default_rng(d)
    ds = Dataset.from_arrays(rng.integers(0, 256, size=(5, d)).astype(float), [1, 2, 3, 1, 2])
    net, _ = construct_theorem5(ds, p=3.0, sigma=0.9 * _limit(ds, 3.0))
    _proven(net, ds)


def test_relu_sum_lipschitz_of_the_hat_step() -> None:
    """Lemma 41's hat 2 relu(t) - 4 relu(t - 1/2) + 2 relu(t - 1) has Lipschitz constant 2 (sum |w| = 8)."""
    F = Fraction
    terms = [(F(2), F(1), F(0)), (F(-4), F(1), F(-1, 2)), (F(2), F(1), F(-1))]
    assert relu_sum_lip(terms) == 2
    assert relu_sum_lip([(F(1), F(1), F(0)), (F(1), F(-1), F(0))]) == 1  # |t|
    assert relu_sum_lip([(F(3), F(-2), F(5))]) == 6


def test_report_counts_exact_and_float64_apart() -> None:
    """'exact proven, float64 not' reads as such, never as a bare 0/N (issue 12, item 4)."""
    from robustmem.certify.structural.report import StructuralCheck, StructuralReport

    bad = StructuralCheck("indicator ON (float64)", "chain template", False, "z_b = y_b", "exact rational")
    rep = StructuralReport(
        construction="theorem6",
        theorem="Theorem 6",
        p=math.inf,
        sigma=1.0,
        n_points=1797,
        arithmetic="float64",
        checks=(bad,),
        exact_network=True,
        float64_evaluation=False,
        n_certified=0,
        n_failed=1797,
        failed_points=(0,),
        radius_bound=0.0,
        template_radii=(1.0, 2.0),
        seconds=0.0,
        reason="chain template: indicator ON (float64) failed",
        n_exact=1797,
        n_float64=0,
    )
    text = rep.counts_text()
    assert text == "0/1797 balls certified (exact network 1797/1797, float64 evaluation 0/1797)"
    assert text in rep.summary()
    assert rep.to_dict()["n_exact"] == 1797 and rep.to_dict()["n_float64"] == 0


def test_structural_report_fills_both_counts() -> None:
    ds = Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], [1, 2, 3])
    net, _ = construct_theorem6(ds, p="inf", sigma=0.2)
    rep = certify_structural(net, ds, progress=False)
    assert (rep.n_exact, rep.n_float64, rep.n_certified) == (3, 3, 3)
    rep = certify_structural(net, ds, progress=False, arithmetic="exact")
    assert (rep.n_exact, rep.n_float64) == (3, None)
    rep = certify_structural(net, ds, progress=False, sigma=0.6)  # beyond the margin: the geometry fails
    assert rep.n_certified == 0 and rep.n_exact == 0 and "exact network 0/3" in rep.counts_text()
