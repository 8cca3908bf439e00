"""Lemma 27: if (Delta_k R/r)^k < m, m points on the sphere of radius R in R^{k+1} cover it with balls of radius r.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 27 (Appendix C.2, the covers of Theorem 19's hard instance): for r <= R,
k in N and Delta_k = sqrt(2) (5k ln(k+1) sqrt(2 pi (k+1)))^{1/k}, (Delta_k R/r)^k < m implies a set of m points
v_i on dB^{k+1}(0, R) with dB^{k+1}(0, R) inside the union of the B^{k+1}(v_i, r). No typo.

The paper's chain, with 2 sin(phi/2) = r/R: tau(sphere, balls) = tau(S^k, caps of radius phi)
= theta/mu_k(cap) <= 5k ln(k+1)/mu_k(cap) (Lemma 62) <= 5k ln(k+1) sqrt(2 pi (k+1))/sin^k(phi) (Lemma 63)
= Delta_k^k/(sqrt(2) sin phi)^k <= Delta_k^k/(2 sin(phi/2))^k = (Delta_k R/r)^k < m. Proved here (exact sympy):
1. A ball B(R e_1, r) meets the sphere of radius R exactly in the cap of angle phi with 2R sin(phi/2) = r: the
   chord identity |R e_1 - R(cos t, sin t)|^2 = 4 R^2 sin^2(t/2), increasing in t on [0, pi].
2. r <= R gives sin(phi/2) <= 1/2, so phi <= pi/3 < pi/2 and Lemmas 62 and 63 apply.
3. Delta_k^k = 2^{k/2} 5k ln(k+1) sqrt(2 pi (k+1)), so the Lemma 63 bound equals Delta_k^k/(sqrt(2) sin phi)^k.
4. sqrt(2) sin phi - 2 sin(phi/2) = 2 sin(phi/2) (sqrt(2) cos(phi/2) - 1) >= 0 for phi <= pi/2 (cos(phi/2) >=
   cos(pi/4) = 1/sqrt(2)).
Lemmas 62 and 63 are proved in their own files (Theorem 61 is cited); Lemma 75 bounds Delta_k <= Delta_1.
5. k = 1 independently: m > Delta_1 R/r equally spaced points on the circle cover it, since their covering chord is
   2R sin(pi/(2m)) <= pi R/m < r, as Delta_1 > pi (Delta_1^2 = 200 pi ln^2 2 > pi^2, exact); the package's
   lower_bound.circle_cover never uses more points than the lemma's m.
"""

from __future__ import annotations

import math

import sympy as sp

from robustmem.lower_bound import circle_cover
from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative, log_enclosure, pi_enclosure


def delta_k(k: sp.Expr) -> sp.Expr:
    """Delta_k = sqrt(2) (5k ln(k+1) sqrt(2 pi (k+1)))^{1/k} (Lemma 27)."""
    return sp.sqrt(2) * (5 * k * sp.log(k + 1) * sp.sqrt(2 * sp.pi * (k + 1))) ** (1 / k)


def check() -> str:
    k = sp.Symbol("k", positive=True, integer=True)
    R, t, phi = sp.Symbol("R", positive=True), sp.Symbol("t", real=True), sp.Symbol("phi", positive=True)
    chord2 = (R - R * sp.cos(t)) ** 2 + (R * sp.sin(t)) ** 2
    assert_equal(chord2, 4 * R**2 * sp.sin(t / 2) ** 2, "chord^2 = 4 R^2 sin^2(t/2)")
    assert_equal(sp.diff(2 * R * sp.sin(t / 2), t), R * sp.cos(t / 2), "the chord 2R sin(t/2) increases on [0, pi]")
    assert_equal(sp.sin(sp.pi / 6), sp.Rational(1, 2), "sin(phi/2) <= 1/2 means phi <= pi/3")
    assert_holds(sp.pi / 3 < sp.pi / 2, "pi/3 < pi/2")
    lemma63 = 5 * k * sp.log(k + 1) * sp.sqrt(2 * sp.pi * (k + 1)) / sp.sin(phi) ** k
    assert_equal(
        sp.powsimp(delta_k(k) ** k, force=True),
        2 ** (k / 2) * 5 * k * sp.log(k + 1) * sp.sqrt(2 * sp.pi * (k + 1)),
        "Delta_k^k",
    )
    assert_equal(
        lemma63, delta_k(k) ** k / (sp.sqrt(2) * sp.sin(phi)) ** k, "Lemma 63's bound = Delta_k^k/(sqrt2 sin)^k"
    )
    half = sp.Symbol("h", positive=True)  # phi/2
    gap = sp.sqrt(2) * sp.sin(2 * half) - 2 * sp.sin(half)
    assert_equal(gap, 2 * sp.sin(half) * (sp.sqrt(2) * sp.cos(half) - 1), "sqrt2 sin phi - 2 sin(phi/2)")
    assert_equal(sp.cos(sp.pi / 4), 1 / sp.sqrt(2), "cos(pi/4) = 1/sqrt(2)")
    s, c = sp.Symbol("s", positive=True), sp.Symbol("c", positive=True)  # sin(phi/2) > 0, cos(phi/2) >= 1/sqrt2
    assert_nonnegative((2 * s * (sp.sqrt(2) * (1 / sp.sqrt(2) + c) - 1)), "2 sin(phi/2) <= sqrt2 sin phi")
    # 5. k = 1
    _, pi_hi = pi_enclosure(12)
    ln2_lo, _ = log_enclosure(2)
    assert_equal(delta_k(sp.Integer(1)) ** 2, 200 * sp.pi * sp.log(2) ** 2, "Delta_1^2 = 200 pi ln^2 2")
    assert_holds(200 * ln2_lo**2 > pi_hi, "Delta_1 > pi")
    delta1 = float(delta_k(sp.Integer(1)))
    for ratio in (1.0, 0.5, 0.1, 0.013):
        m_lemma = math.floor(delta1 / ratio) + 1
        n = circle_cover(1.0, ratio).n
        assert_holds(sp.Integer(n) <= m_lemma, f"circle_cover(1, {ratio}) uses {n} <= {m_lemma} points")
    return "the chain of Lemma 27 (chord = cap, phi <= pi/3, Delta_k^k algebra, 2 sin(phi/2) <= sqrt2 sin phi); k = 1 direct"


if __name__ == "__main__":
    print(check())
