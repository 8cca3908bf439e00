r"""Standalone exact verifier of a width lower-bound certificate (Theorem 17 with the Fantope relaxation).

This module uses the Python standard library only (``json``, ``fractions``): it can be copied next to a
certificate file and run as ``python width_verify.py CERT.json``.  Every number in the certificate is an exact
rational written as a string ("p/q" or "p"); the data points are the float64 coordinates read exactly.

What a certificate holds: a rank k, a norm p, a radius sigma, labelled points x_i (a sub-dataset of D),
differently-labelled pairs (i, j) with weights w_ij >= 0, a rational mu and a rational r x d matrix V.
With z = x_i - x_j, S = sum w z z^T / sum w, Y = V^T V and B = k mu + tr Y, the verifier checks exactly

    (1) the labels of every pair differ and the weights are >= 0 with a positive sum;
    (2) M = mu I + Y - S is positive definite: all leading principal minors of M are > 0 (Sylvester's
        criterion), computed by fraction-free (Bareiss) elimination of M times a common denominator;
    (3) B <= 4 c-_p(d)^2 sigma^2, where c-_p(d) = d^{min(0, 1/2 - 1/p)}: c-^2 = 1 for p >= 2 (B_2(x, r) lies
        in B_p(x, r)) and 1/d for p = 1 (B_2(x, r / sqrt d) lies in B_1(x, r)); p in (1, 2) is not supported.

Why that proves "no network of width <= k (sigma, p)-robustly memorizes D" (Theorem 17): let W (m x d,
m <= k <= d) be the first layer and Q the orthogonal projection onto its row space; extend Q to a rank-k
orthogonal projection P >= Q.  P lies in the Fantope {0 <= P <= I, tr P = k}, so
sum w ||Q z||^2 / sum w <= <S, P> = <S - mu I - Y, P> + mu tr P + <Y, P> <= 0 + k mu + tr Y = B (by (2),
Y >= 0 and I - P >= 0).  Some pair therefore has ||Q z||_2 <= sqrt(B) <= 2 c-_p(d) sigma by (3).  The points
a = x_i - Q z / 2 and a' = x_j + Q z / 2 lie in the closed l_2 balls of radius c-_p(d) sigma around x_i and
x_j, hence in the closed l_p balls of radius sigma, and W a - W a' = W (z - Q z) = 0: the network computes
the same value at a and a', yet must output y_i != y_j there.  The claim holds for every dataset containing
the certificate's points with their labels.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from fractions import Fraction
from math import lcm
from typing import Any

__all__ = ["CERTIFICATE_KIND", "WidthCertificateError", "leading_minors_positive", "verify_width_certificate"]

CERTIFICATE_KIND = "robustmem.width_lower_bound/1"


class WidthCertificateError(ValueError):
    """The certificate is malformed or one of its exact checks fails."""


def _q(text: Any, what: str) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise WidthCertificateError(f"{what} must be a rational written as a string 'p/q', got {text!r}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise WidthCertificateError(f"{what} = {text!r} is not a rational number") from exc


def leading_minors_positive(M: list[list[int]]) -> tuple[bool, int]:
    """(True, n) when every leading principal minor of the symmetric integer matrix M is > 0, i.e. M is
    positive definite (Sylvester); else (False, index of the first minor <= 0).  Exact (Bareiss)."""
    n = len(M)
    A = [list(row) for row in M]
    prev = 1
    for c in range(n):
        piv = A[c][c]
        if piv <= 0:
            return False, c
        for r in range(c + 1, n):
            Ar, Ac = A[r], A[c]
            arc = Ar[c]
            for s in range(c + 1, n):
                Ar[s] = (piv * Ar[s] - arc * Ac[s]) // prev
        prev = piv
    return True, n


def _c_minus_squared_check(bound: Fraction, sigma: Fraction, p: str, d: int) -> bool:
    """Exactly: bound <= 4 c-_p(d)^2 sigma^2, with c-_p(d)^2 = 1 for p >= 2 and 1/d for p = 1."""
    rhs = 4 * sigma * sigma
    if p == "1":
        return bound <= rhs / d
    try:
        value = float(p)
    except ValueError as exc:
        raise WidthCertificateError(f"p must be '1', 'inf' or a number >= 2, got {p!r}") from exc
    if not value >= 2:  # p in (1, 2): c-_p(d)^2 = d^{1 - 2/p} is irrational in general
        raise WidthCertificateError(f"p must be '1', 'inf' or a number >= 2, got {p!r}")
    return bound <= rhs


def verify_width_certificate(cert: dict[str, Any], *, require_claim: bool = True) -> dict[str, Any]:
    """Check a width lower-bound certificate exactly; returns a report dict, raises WidthCertificateError.

    The report holds: k, d, p, sigma (strings), bound (B = k mu + tr Y, a string), pairs (count), and claim
    (the sentence proved).  With ``require_claim=False`` step (3) is skipped (only the bound B on
    max over rank-k projections of min_pairs ||P z||^2 is proved) and sigma may be absent.
    """
    k, d, points, pairs, V_text, mu = _header(cert)
    X, labels = _points(points, d)
    Z, W = _pair_differences(pairs, X, labels)  # step (1)
    V = [[_q(v, "V entry") for v in row] for row in V_text]
    if any(len(row) != d for row in V):
        raise WidthCertificateError(f"every row of V must have d = {d} entries")
    ok, where = leading_minors_positive(_scaled_matrix(Z, W, V, mu, d))  # step (2)
    if not ok:
        raise WidthCertificateError(f"mu I + V^T V - S is not proved positive definite (leading minor {where + 1})")
    bound = k * mu + sum(v * v for row in V for v in row)
    if "bound" in cert and _q(cert["bound"], "bound") != bound:
        raise WidthCertificateError(f"the stated bound {cert['bound']} differs from k mu + tr Y = {bound}")
    report: dict[str, Any] = {"k": k, "d": d, "bound": str(bound), "pairs": len(pairs), "points": len(X)}
    proved = f"every rank-{k} orthogonal projection P has min over the {len(pairs)} pairs of ||P z||^2 <= {bound}"
    return _claim(report, cert, bound, proved, require_claim=require_claim)  # step (3)


def _header(cert: dict[str, Any]) -> tuple[int, int, Any, Any, Any, Fraction]:
    """(k, d, points, pairs, V, mu) as the certificate states them; WidthCertificateError when malformed."""
    if not isinstance(cert, dict) or cert.get("kind") != CERTIFICATE_KIND:
        raise WidthCertificateError(f"not a width certificate (kind must be {CERTIFICATE_KIND!r})")
    try:
        k, d = int(cert["k"]), int(cert["d"])
        points, pairs, V_text = cert["points"], cert["pairs"], cert["V"]
        mu = _q(cert["mu"], "mu")
    except (KeyError, TypeError, ValueError) as exc:
        raise WidthCertificateError(f"malformed certificate: {exc!r}") from exc
    if not 1 <= k <= d:
        raise WidthCertificateError(f"k = {k} must satisfy 1 <= k <= d = {d}")
    return k, d, points, pairs, V_text, mu


def _points(points: dict[Any, Any], d: int) -> tuple[dict[str, list[Fraction]], dict[str, int]]:
    """The labelled points, read exactly: (key -> coordinates, key -> label)."""
    X: dict[str, list[Fraction]] = {}
    labels: dict[str, int] = {}
    for key, pt in points.items():
        coords = [_q(v, f"coordinate of point {key}") for v in pt["x"]]
        if len(coords) != d:
            raise WidthCertificateError(f"point {key} has {len(coords)} coordinates, expected d = {d}")
        X[str(key)], labels[str(key)] = coords, int(pt["label"])
    return X, labels


def _pair_differences(
    pairs: list[Any], X: dict[str, list[Fraction]], labels: dict[str, int]
) -> tuple[list[list[Fraction]], list[Fraction]]:
    """Step (1): the differences z = x_i - x_j and weights w of the pairs; labels differ, w >= 0, sum w > 0."""
    if not pairs:
        raise WidthCertificateError("the certificate lists no pairs")
    Z: list[list[Fraction]] = []
    W: list[Fraction] = []
    for t, pair in enumerate(pairs):
        i, j, w = str(pair[0]), str(pair[1]), _q(pair[2], f"weight of pair {t}")
        if i not in X or j not in X:
            raise WidthCertificateError(f"pair {t} = ({i}, {j}) names a point the certificate does not hold")
        if labels[i] == labels[j]:
            raise WidthCertificateError(f"pair {t} = ({i}, {j}) has equal labels {labels[i]}")
        if w < 0:
            raise WidthCertificateError(f"pair {t} has negative weight {w}")
        Z.append([a - b for a, b in zip(X[i], X[j])])
        W.append(w)
    if sum(W) <= 0:
        raise WidthCertificateError("the pair weights sum to 0")
    return Z, W


def _denominator(values: Iterable[Fraction]) -> int:
    """The least common multiple of the values' denominators."""
    den = 1
    for v in values:
        den = lcm(den, v.denominator)
    return den


def _scaled_matrix(
    Z: list[list[Fraction]], W: list[Fraction], V: list[list[Fraction]], mu: Fraction, d: int
) -> list[list[int]]:
    """M D as integers, M = mu I + V^T V - S (S = sum w z z^T / sum w) and D = lcm(mu's denominator, vden^2,
    Wtot zden^2) with every z = Zi / zden, w = Wi / wden, V = Vi / vden over integers (Wtot = sum Wi)."""
    zden = _denominator(v for row in Z for v in row)
    Zi = [[int(v * zden) for v in row] for row in Z]
    wden = _denominator(W)
    Wi = [int(w * wden) for w in W]
    Wtot = sum(Wi)
    vden = _denominator(v for row in V for v in row)
    Vi = [[int(v * vden) for v in row] for row in V]
    D = lcm(mu.denominator, vden * vden, Wtot * zden * zden)
    fs, fv, fm = D // (Wtot * zden * zden), D // (vden * vden), mu * D
    assert fm.denominator == 1
    M = [[0] * d for _ in range(d)]
    for a in range(d):
        for b in range(a, d):
            s = sum(w * z[a] * z[b] for w, z in zip(Wi, Zi))
            y = sum(r[a] * r[b] for r in Vi)
            val = fv * y - fs * s + (int(fm) if a == b else 0)
            M[a][b] = M[b][a] = val
    return M


def _claim(
    report: dict[str, Any], cert: dict[str, Any], bound: Fraction, proved: str, *, require_claim: bool
) -> dict[str, Any]:
    """Step (3): B <= 4 c-_p(d)^2 sigma^2 gives the width claim at sigma; without it (``require_claim=False``)
    the report states the bound alone."""
    k, d, n_points = report["k"], report["d"], report["points"]
    if not require_claim and "sigma" not in cert:
        report["claim"] = proved
        return report
    p = str(cert.get("p"))
    sigma = _q(cert.get("sigma"), "sigma")
    if sigma < 0:
        raise WidthCertificateError(f"sigma = {sigma} is negative")
    if not _c_minus_squared_check(bound, sigma, p, d):
        if require_claim:
            raise WidthCertificateError(
                f"the bound {float(bound):.6g} exceeds 4 c-_{p}({d})^2 sigma^2 at sigma = {sigma}"
            )
        report["claim"] = proved
        return report
    report.update(p=p, sigma=str(sigma))
    report["claim"] = (
        f"no network of width <= {k} (sigma, l_{p})-robustly memorizes a dataset containing these "
        f"{n_points} labelled points, at sigma = {float(sigma):.17g} (Theorem 17); {proved}"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    """``python width_verify.py CERT.json``: print the verified claim, exit 0; print the failure, exit 1."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python width_verify.py CERT.json", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as fh:
            cert = json.load(fh)
        report = verify_width_certificate(cert)
    except (OSError, json.JSONDecodeError, WidthCertificateError) as exc:
        print(f"NOT VERIFIED: {exc}")
        return 1
    print(f"VERIFIED: {report['claim']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
