"""Width lower bounds (issue 14): Fantope certificates of Theorem 17, their exact verifier, the witness."""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from robustmem.data import Dataset, sphere_points
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.fantope import closest_cross_pairs, fantope_relaxation
from robustmem.lower_bound.width_certificate import (
    certificate_matches,
    excluded_sigma,
    p_text,
    width_lower_certificate,
)
from robustmem.lower_bound.width_verify import (
    WidthCertificateError,
    leading_minors_positive,
    verify_width_certificate,
)
from robustmem.lower_bound.width_witness import theorem17_witness

pytest.importorskip("cvxpy")


def _brute_opt1(X: np.ndarray, y: np.ndarray, grid: int) -> float:
    """max over unit u of min over differently-labelled pairs of <u, z>^2, on a grid (d = 2: angles; d = 3:
    a Fibonacci sphere); a LOWER estimate of OPT_1 (the grid misses the exact maximiser)."""
    d = X.shape[1]
    if d == 2:
        th = np.linspace(0.0, math.pi, grid, endpoint=False)
        U = np.stack([np.cos(th), np.sin(th)], axis=1)
    else:
        t = np.arange(grid) + 0.5
        phi = np.arccos(1 - t / grid)  # upper hemisphere suffices (u and -u agree)
        th = math.pi * (1 + 5**0.5) * t
        U = np.stack([np.cos(th) * np.sin(phi), np.sin(th) * np.sin(phi), np.cos(phi)], axis=1)
    i, j = np.nonzero(y[:, None] != y[None, :])
    Z = X[i] - X[j]
    return float(((Z @ U.T) ** 2).min(axis=0).max())


def _small(n: int, d: int, seed: int, classes: int = 2) -> Dataset:
    return sphere_points(n, d, n_classes=classes, seed=seed)


@pytest.mark.parametrize("d, seed", [(2, 0), (2, 1), (3, 2), (3, 3)])
def test_certified_bound_dominates_brute_force_opt1(d, seed):
    ds = _small(12, d, seed)
    lb = width_lower_certificate(ds, 1)
    brute = _brute_opt1(ds.X, ds.y, 4000 if d == 2 else 20000)
    assert float(lb.bound) >= brute  # sound: B >= OPT_1 >= the grid maximum
    # and not vacuous: B is far below the trivial bound min ||z||^2 of the closest pair
    assert float(lb.bound) <= closest_cross_pairs(ds, 1)[2][0] * (1 + 1e-6)
    # every rank-1 map gives a witness at the excluded radius (Theorem 17), checked exactly
    rng = np.random.default_rng(seed)
    for _ in range(5):
        w = theorem17_witness(rng.standard_normal((1, d)), ds, sigma=lb.sigma_min)
        assert w.image_equal and w.distance <= lb.sigma_min and w.label_i != w.label_j


def test_certificate_roundtrip_and_standalone_verifier(tmp_path):
    ds = _small(30, 5, 4, classes=3)
    lb = width_lower_certificate(ds, 2)
    path = lb.save(tmp_path / "cert.json")
    rep = verify_width_certificate(json.loads(path.read_text()))
    assert rep["k"] == 2 and Fraction(rep["bound"]) == lb.bound
    assert certificate_matches(lb.certificate, ds)
    script = Path(__file__).resolve().parents[2] / "robustmem" / "lower_bound" / "width_verify.py"
    out = subprocess.run([sys.executable, "-I", str(script), str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout.startswith("VERIFIED: no network of width <= 2")
    assert lb.excludes(lb.sigma_min) and not lb.excludes(math.nextafter(lb.sigma_min, 0.0))


def _tampered(cert: dict) -> list[tuple[str, dict]]:
    out = []
    c = copy.deepcopy(cert)
    c["mu"] = str(Fraction(c["mu"]) - Fraction(c["bound"]) / (100 * c["k"]))  # 1% of the bound
    c["bound"] = str(c["k"] * Fraction(c["mu"]) + sum(Fraction(v) ** 2 for r in c["V"] for v in r))
    out.append(("mu lowered", c))
    c = copy.deepcopy(cert)
    c["sigma"] = str(Fraction(c["sigma"]) * Fraction(999, 1000))
    out.append(("sigma lowered", c))
    c = copy.deepcopy(cert)
    c["bound"] = str(Fraction(c["bound"]) / 2)
    out.append(("bound halved", c))
    c = copy.deepcopy(cert)
    i, j, _ = c["pairs"][0]
    c["points"][j]["label"] = c["points"][i]["label"]
    out.append(("labels made equal", c))
    c = copy.deepcopy(cert)
    c["pairs"][0][2] = "-1"
    out.append(("negative weight", c))
    c = copy.deepcopy(cert)
    c["k"] = c["k"] + 1
    out.append(("k raised", c))
    c = copy.deepcopy(cert)
    c["p"] = "1"
    out.append(("p changed to 1", c))
    c = copy.deepcopy(cert)
    c["p"] = "1.5"
    out.append(("p changed to 1.5", c))
    if c["V"]:
        c = copy.deepcopy(cert)
        c["V"] = c["V"][1:]
        c["bound"] = str(c["k"] * Fraction(c["mu"]) + sum(Fraction(v) ** 2 for r in c["V"] for v in r))
        out.append(("a row of V removed", c))
    return out


def test_verifier_rejects_tampered_certificates():
    ds = _small(30, 4, 5, classes=3)
    lb = width_lower_certificate(ds, 2)
    verify_width_certificate(lb.certificate)
    tampered = _tampered(lb.certificate)
    assert len(tampered) >= 7
    for what, cert in tampered:
        with pytest.raises(WidthCertificateError):
            verify_width_certificate(cert)
            pytest.fail(f"accepted a certificate with {what}")
    moved = copy.deepcopy(lb.certificate)
    key = next(iter(moved["points"]))
    moved["points"][key]["x"][0] = str(Fraction(moved["points"][key]["x"][0]) + 1)
    assert not certificate_matches(moved, ds)


def test_leading_minors():
    assert leading_minors_positive([[2, 1], [1, 2]]) == (True, 2)
    assert leading_minors_positive([[1, 1], [1, 1]]) == (False, 1)
    assert leading_minors_positive([[0]]) == (False, 0)


@pytest.mark.parametrize("p", [1.0, 2.0, math.inf, 3.0])
def test_excluded_sigma_is_tight_in_float64(p):
    bound, d = Fraction(7, 3), 5
    s = excluded_sigma(bound, p, d)
    from robustmem.lower_bound.width_verify import _c_minus_squared_check

    assert _c_minus_squared_check(bound, Fraction(s), p_text(p), d)
    assert not _c_minus_squared_check(bound, Fraction(math.nextafter(s, 0.0)), p_text(p), d)


def test_p_text_refuses_non_integer_p():
    with pytest.raises(InvalidArgumentError):
        p_text(1.5)


def test_relaxation_converges_to_all_pairs():
    ds = _small(40, 6, 6, classes=3)
    sol = fantope_relaxation(ds, 3, initial_pairs=10, add_pairs=10, max_rounds=30)
    assert sol.all_pairs_min >= sol.value * (1 - 1e-4)  # no pair left violated: U_k over all pairs


def test_witness_refuses_separating_first_layer():
    X = np.array([[0.0, 0.0], [1.0, 0.0]])
    ds = Dataset.from_arrays(X, np.array([1, 2]))
    with pytest.raises(HypothesisError):
        theorem17_witness(np.array([[1.0, 0.0]]), ds, sigma=0.49)
    w = theorem17_witness(np.array([[1.0, 0.0]]), ds, sigma=0.5)  # closed balls: they touch at 1/2
    assert w.a_exact == w.a_prime_exact == (Fraction(1, 2), Fraction(0))
    w = theorem17_witness(np.array([[0.0, 1.0]]), ds, sigma=0.0)  # x_1 - x_0 lies in the kernel
    assert w.distance == 0.0
