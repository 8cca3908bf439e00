"""Lemma 63: the normalized measure of a cap of angular radius phi on S^k is at least sin^k(phi)/sqrt(2 pi (k+1)).

Egosi, Yehudai, Shamir (COLT 2025), Lemma 63 (Boeroeczky and Wintsche 2003, Cor. 3.2(i)), for k in N and
0 < phi < pi/2: mu_k(B_arc(phi)) >= sin^k(phi) / sqrt(2 pi (k+1)). The paper's proof: |cap| >= V_k sin^k(phi)
(Boeroeczky-Wintsche Lemma 3.1(i), V_l = volume of the unit l-ball), |S^k| = (k+1) V_{k+1}, the Gamma-function
algebra, and Gautschi's inequality Gamma(x+1)/Gamma(x+1/2) > sqrt(x) at x = (k+1)/2. No typo.

Proved here:
1. For every k (symbolic): the area of the cap is |S^{k-1}| int_0^phi sin^{k-1} = k V_k int_0^phi sin^{k-1}, and
   G(phi) = k int_0^phi sin^{k-1} - sin^k(phi) has G(0) = 0 and G'(phi) = k sin^{k-1}(phi) (1 - cos phi) >= 0, so
   |cap| >= V_k sin^k(phi): Boeroeczky-Wintsche's Lemma 3.1(i) itself (by the mean value theorem).
2. For every k (symbolic): V_k / ((k+1) V_{k+1}) = Gamma((k+1)/2 + 1) / ((k+1) sqrt(pi) Gamma((k+1)/2 + 1/2)), and
   sqrt(x) / ((k+1) sqrt(pi)) at x = (k+1)/2 is 1/sqrt(2 pi (k+1)) (gammasimp / simplify).
3. Gautschi's step (cited for general k) is checked exactly for k = 1..12 (Gamma at half-integers is a rational
   times 1 or sqrt(pi); squared comparisons with a rational enclosure of pi).
4. Exact integration for k = 1..4: mu_k(cap) = int_0^phi sin^{k-1} / int_0^pi sin^{k-1} in closed form (its
   derivative is checked), F = mu_k - sin^k/sqrt(2 pi (k+1)) has F(0) = 0 and
   F' = sin^{k-1} (1/I_k - k cos(phi)/sqrt(2 pi (k+1))) >= sin^{k-1} (1/I_k - k/sqrt(2 pi (k+1))) >= 0 because
   k^2 I_k^2 <= 2 pi (k+1) (exact), so Lemma 63 holds for these k on all of [0, pi/2] independently of the citation.
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative, pi_enclosure


def ball_volume(n: sp.Expr) -> sp.Expr:
    """V_n = pi^{n/2} / Gamma(n/2 + 1), the volume of the unit n-ball."""
    return sp.pi ** (n / 2) / sp.gamma(n / 2 + 1)


def pi_power_bounds(expr: sp.Expr) -> tuple[sp.Rational, sp.Rational]:
    """Rational (low, high) around a * pi^e (a > 0 rational, e an integer), from the enclosure of pi."""
    coefficient, exponent = sp.nsimplify(expr).as_coeff_exponent(sp.pi)
    if not (coefficient.is_Rational and coefficient > 0 and exponent.is_Integer):
        raise AssertionError(f"{expr} is not a positive rational times an integer power of pi")
    pi_lo, pi_hi = pi_enclosure(12)
    low, high = (pi_lo, pi_hi) if exponent >= 0 else (pi_hi, pi_lo)
    return coefficient * low**exponent, coefficient * high**exponent


def check() -> str:
    k = sp.Symbol("k", positive=True, integer=True)
    phi, theta = sp.Symbol("phi", positive=True), sp.Symbol("theta", positive=True)
    s, u = sp.Symbol("s", positive=True), sp.Symbol("u", nonnegative=True)  # sin(phi), 1 - cos(phi)

    # 1. Boeroeczky-Wintsche Lemma 3.1(i) for every k
    integral = sp.Integral(sp.sin(theta) ** (k - 1), (theta, 0, phi))
    G = k * integral - sp.sin(phi) ** k
    assert_equal(G.subs(phi, 0).doit(), 0, "G(0) = 0")
    dG = sp.diff(G, phi).doit()
    assert_equal(dG, k * sp.sin(phi) ** (k - 1) * (1 - sp.cos(phi)), "G'(phi) = k sin^{k-1} (1 - cos)")
    assert_nonnegative(k * s ** (k - 1) * u, "G' >= 0 on (0, pi/2) (sin > 0, cos <= 1)")
    sphere_k_minus_1 = 2 * sp.pi ** (k / 2) / sp.gamma(k / 2)  # |S^{k-1}|
    assert_equal(sphere_k_minus_1, k * ball_volume(k), "|S^{k-1}| = k V_k")

    # 2. the Gamma algebra, every k
    ratio = ball_volume(k) / ((k + 1) * ball_volume(k + 1))
    printed = sp.gamma((k + 1) / 2 + 1) / ((k + 1) * sp.sqrt(sp.pi) * sp.gamma((k + 1) / 2 + sp.Rational(1, 2)))
    assert_equal(sp.gammasimp(ratio / printed), 1, "V_k/((k+1) V_{k+1}) as printed")
    x = (k + 1) / 2
    assert_equal(sp.sqrt(x) / ((k + 1) * sp.sqrt(sp.pi)), 1 / sp.sqrt(2 * sp.pi * (k + 1)), "the final constant")

    # 3. Gautschi at x = (k+1)/2, k = 1..12: Gamma(x+1)^2 > x Gamma(x+1/2)^2
    for kk in range(1, 13):
        xx = sp.Rational(kk + 1, 2)
        lhs, rhs = sp.gamma(xx + 1) ** 2, xx * sp.gamma(xx + sp.Rational(1, 2)) ** 2
        q = sp.nsimplify(lhs / rhs)  # a rational times pi or 1/pi
        assert_holds(pi_power_bounds(q)[0] > 1, f"Gautschi's step at k = {kk}: {q} > 1")

    # 4. exact integration, k = 1..4
    for kk in range(1, 5):
        total = sp.integrate(sp.sin(theta) ** (kk - 1), (theta, 0, sp.pi))  # I_k
        cap = sp.integrate(sp.sin(theta) ** (kk - 1), (theta, 0, phi)) / total
        assert_equal(sp.diff(cap, phi), sp.sin(phi) ** (kk - 1) / total, f"k = {kk}: d mu/d phi")
        assert_equal(cap.subs(phi, sp.pi), 1, f"k = {kk}: mu(whole sphere) = 1")
        bound = sp.sin(phi) ** kk / sp.sqrt(2 * sp.pi * (kk + 1))
        F = cap - bound
        assert_equal(F.subs(phi, 0), 0, f"k = {kk}: F(0) = 0")
        slack = 1 / total - kk * sp.cos(phi) / sp.sqrt(2 * sp.pi * (kk + 1))
        assert_equal(sp.diff(F, phi), sp.sin(phi) ** (kk - 1) * slack, f"k = {kk}: F'")
        value = kk**2 * total**2 / (2 * sp.pi * (kk + 1))  # a rational times pi^{+-1}
        assert_holds(pi_power_bounds(value)[1] <= 1, f"k = {kk}: k^2 I_k^2 <= 2 pi (k+1) (I_k = {total})")
    return (
        "|cap| >= V_k sin^k (every k, G' = k sin^{k-1}(1 - cos) >= 0), the Gamma algebra (every k), Gautschi's step"
        " exact for k <= 12, and Lemma 63 on [0, pi/2] by exact integration for k = 1..4"
    )


if __name__ == "__main__":
    print(check())
