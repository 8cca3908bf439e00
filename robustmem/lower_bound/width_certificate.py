r"""Exact certificates that no network of width <= k robustly memorizes a dataset (Theorem 17, Fantope bound).

:func:`width_lower_certificate` solves the Fantope relaxation (:mod:`robustmem.lower_bound.fantope`), rounds its
dual point to rationals -- integer pair weights w, mu = (k-th eigenvalue of S) + a small rational shift, and
V with V^T V = (S - mu I)_+ from the top eigenvectors -- and proves the result with the standard-library
verifier :func:`robustmem.lower_bound.width_verify.verify_width_certificate` (exact rationals, Sylvester's
criterion).  If that exact check fails the function raises: no claim without a proof.

The proved bound B >= max over rank-k orthogonal projections of min_pairs ||P z||^2 turns into the statement
"no network of width <= k (sigma, p)-robustly memorizes D" for every sigma with B <= 4 c-_p(d)^2 sigma^2
(Theorem 17 with closed balls; the argument is in :mod:`~robustmem.lower_bound.width_verify`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.fantope import FantopeSolution, FantopeSolver, _arrays, fantope_relaxation
from robustmem.lower_bound.width_verify import (
    CERTIFICATE_KIND,
    WidthCertificateError,
    verify_width_certificate,
)
from robustmem.norms import c_minus, check_p

__all__ = [
    "WidthLowerBound",
    "certificate_matches",
    "excluded_sigma",
    "load_width_certificate",
    "p_text",
    "width_lower_certificate",
]

#: Pair weights are rounded to integers at this resolution relative to the largest weight.
WEIGHT_BITS: int = 30
#: First shift of mu, relative to the largest eigenvalue of S (makes mu I + Y - S positive definite); it is
#: multiplied by 100 after a failed exact check, at most SHIFT_TRIES times.
SHIFT_START: float = 1e-9
#: V and mu are rounded to multiples of 2^-e with 2^-e about 2^-GRID_BITS times their scale (smaller integers
#: in the exact check; the rounding is covered by the shift of mu).
GRID_BITS: int = 40
SHIFT_TRIES: int = 4


def p_text(p: float) -> str:
    """The certificate's spelling of p: '1', 'inf', or repr(p) for p >= 2 (c-_p(d)^2 is then 1 or 1/d, exact)."""
    p = check_p(p)
    if math.isinf(p):
        return "inf"
    if p == 1.0:
        return "1"
    if p >= 2.0:
        return "2" if p == 2.0 else repr(p)
    raise InvalidArgumentError(
        f"the exact width certificate supports p = 1 and p >= 2 (where c-_p(d)^2 is 1/d or 1); got p = {p!r}"
    )


def excluded_sigma(bound: Fraction, p: float, d: int) -> float:
    """The smallest float64 sigma with bound <= 4 c-_p(d)^2 sigma^2 exactly (radii >= it are excluded)."""
    if bound <= 0:
        return 0.0
    sigma = math.sqrt(float(bound)) / (2.0 * c_minus(p, d))
    sigma = math.nextafter(sigma, 0.0)
    pt = p_text(p)
    from robustmem.lower_bound.width_verify import _c_minus_squared_check

    while not _c_minus_squared_check(bound, Fraction(sigma), pt, d):
        sigma = math.nextafter(sigma, math.inf)
    return sigma


@dataclass(frozen=True, eq=False)
class WidthLowerBound:
    """A verified certificate: no rank-k first layer separates the balls once sigma >= ``sigma_min``.

    k, p : width and norm.  bound : the exact B (a Fraction) >= max_P min_pairs ||P z||^2 over rank-k P.
    sigma_min : the smallest float64 sigma the certificate excludes (B <= 4 c-_p(d)^2 sigma^2, exact).
    sigma_over_delta : sigma_min / delta (delta = the l_2 separation, for reading only).
    certificate : the JSON-ready dict (claim stated at sigma_min); relaxation : the float solution it came from.
    seconds : relaxation + rounding + exact verification.
    """

    k: int
    p: float
    bound: Fraction
    sigma_min: float
    sigma_over_delta: float
    certificate: dict[str, Any]
    relaxation: FantopeSolution
    seconds: float

    def excludes(self, sigma: float) -> bool:
        """Whether the certificate proves that no width <= k network memorizes at radius ``sigma`` (exact)."""
        from robustmem.lower_bound.width_verify import _c_minus_squared_check

        return _c_minus_squared_check(self.bound, Fraction(float(sigma)), p_text(self.p), int(self.certificate["d"]))

    def at_sigma(self, sigma: float) -> dict[str, Any]:
        """The certificate with its claim stated at ``sigma`` (re-verified; WidthCertificateError if not excluded)."""
        cert = dict(self.certificate, sigma=str(Fraction(float(sigma))))
        verify_width_certificate(cert)
        return cert

    def save(self, path: str | Path, *, sigma: float | None = None) -> Path:
        """Write the certificate (claim at ``sigma``, default sigma_min) as JSON; returns the path."""
        cert = self.certificate if sigma is None else self.at_sigma(sigma)
        path = Path(path)
        path.write_text(json.dumps(cert, indent=1) + "\n", encoding="utf-8")
        return path


def load_width_certificate(path: str | Path) -> dict[str, Any]:
    """Read and verify a saved certificate; returns the verifier's report (WidthCertificateError if invalid)."""
    with open(path, encoding="utf-8") as fh:
        cert = json.load(fh)
    return verify_width_certificate(cert)


def certificate_matches(cert: dict[str, Any], dataset: Any) -> bool:
    """Whether every point of the certificate is the dataset's row with that index, exactly, with its label."""
    X, y = _arrays(dataset)
    for key, pt in cert["points"].items():
        i = int(key)
        if not 0 <= i < X.shape[0] or int(y[i]) != int(pt["label"]) or len(pt["x"]) != X.shape[1]:
            return False
        if any(Fraction(float(a)) != Fraction(b) for a, b in zip(X[i], pt["x"])):
            return False
    return True


def _rational_certificate(
    X: np.ndarray, y: np.ndarray, sol: FantopeSolution, shift: float, p: str, fingerprint: str
) -> dict[str, Any]:
    lam = sol.lam
    w = np.rint(lam / lam.max() * 2.0**WEIGHT_BITS).astype(np.int64)
    keep = w > 0
    I, J, w = sol.I[keep], sol.J[keep], w[keep]
    Z = X[I] - X[J]
    S = Z.T @ (w[:, None] * Z) / float(w.sum())
    S = (S + S.T) / 2.0
    vals, vecs = np.linalg.eigh(S)
    vals, vecs = vals[::-1], vecs[:, ::-1]
    k = sol.k
    mu0 = float(vals[k - 1]) if k <= len(vals) else 0.0
    top = max(float(vals[0]), 1e-300)
    rows = [math.sqrt(max(float(vals[i]) - mu0, 0.0)) * vecs[:, i] for i in range(k - 1) if vals[i] > mu0]
    grid = Fraction(1, 2 ** (GRID_BITS - math.frexp(math.sqrt(top))[1]))
    V = [[str(round(Fraction(float(v)) / grid) * grid) for v in r] for r in rows]
    mgrid = Fraction(1, 2 ** (GRID_BITS - math.frexp(top)[1]))
    mu_q = math.ceil(Fraction(mu0 + shift * top) / mgrid) * mgrid
    used = sorted({int(i) for i in I} | {int(j) for j in J})
    points = {str(i): {"label": int(y[i]), "x": [str(Fraction(float(v))) for v in X[i]]} for i in used}
    bound = k * mu_q + sum(Fraction(v) ** 2 for r in V for v in r)
    return {
        "kind": CERTIFICATE_KIND,
        "statement": "Theorem 17 (Egosi, Yehudai, Shamir 2025) with the Fantope relaxation of rank-k projections",
        "k": k,
        "d": int(X.shape[1]),
        "p": p,
        "dataset_fingerprint": fingerprint,
        "points": points,
        "pairs": [[str(int(i)), str(int(j)), str(int(wt))] for i, j, wt in zip(I, J, w)],
        "mu": str(mu_q),
        "V": V,
        "bound": str(bound),
    }


def width_lower_certificate(
    dataset: Any,
    k: int,
    *,
    p: float = 2.0,
    solution: FantopeSolution | None = None,
    solver: FantopeSolver = "SCS",
    time_budget: float = 45.0,
    progress: Callable[[str], None] | None = None,
) -> WidthLowerBound:
    """A verified certificate that no network of width <= k memorizes ``dataset`` at radii >= sigma_min.

    Guarantee: the returned certificate passed :func:`verify_width_certificate` (exact rational arithmetic),
    so for every sigma >= sigma_min no network of width <= k (sigma, p)-robustly memorizes the dataset
    (Theorem 17).  HypothesisError when the rounded certificate cannot be proved (no claim is made).

    Parameters: the dataset, the width k (1 <= k <= d), p (1, 2, inf or an integer >= 3), an already
    solved relaxation (else :func:`fantope_relaxation` is run with ``solver``/``time_budget``), progress.
    """
    import time

    t0 = time.perf_counter()
    pt = p_text(p)
    X, y = _arrays(dataset)
    if solution is None:
        solution = fantope_relaxation(dataset, k, solver=solver, time_budget=time_budget, progress=progress)
    elif solution.k != k:
        raise InvalidArgumentError(f"the relaxation is for k = {solution.k}, asked for k = {k}")
    fp_fn = getattr(dataset, "fingerprint", None)
    fingerprint = fp_fn() if callable(fp_fn) else ""
    shift = SHIFT_START
    last: Exception | None = None
    for _ in range(SHIFT_TRIES):
        cert = _rational_certificate(X, y, solution, shift, pt, fingerprint)
        bound = Fraction(cert["bound"])
        sigma = excluded_sigma(bound, p, int(X.shape[1]))
        cert["sigma"] = str(Fraction(sigma))
        try:
            verify_width_certificate(cert)  # positive definiteness and the claim at sigma, exactly
            break
        except WidthCertificateError as exc:
            last = exc
            shift *= 100.0
    else:
        raise HypothesisError(f"the k = {k} certificate could not be proved exactly: {last}")
    delta = float(dataset.separation(2.0).delta) if hasattr(dataset, "separation") else math.nan
    return WidthLowerBound(k, float(check_p(p)), bound, sigma, sigma / delta, cert, solution, time.perf_counter() - t0)
