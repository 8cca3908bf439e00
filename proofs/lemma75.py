"""Lemma 75's constant C = 10 sqrt(pi) ln 2 gives the 2416 of b_{p,d} and the 4832 of Theorem 19: 2415 < 16 C^2 < 2416.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 75 and Theorems 8 and 19. The paper bounds the covering constant of its
lower-bound instance by C = 10 sqrt(pi) ln 2 (Lemma 75) and states the lower bounds with the integers
2416 (b_{p,d} = 2416 d^{max(0, 1/p - 1/2)}) and 4832 = 2 * 2416 (Theorem 19: 2 sigma/delta > 4832 N^{-2/k}).
What is proved here is the arithmetic that links them: 16 C^2 = 1600 pi (ln 2)^2 lies in (2415, 2416), so
2416 = ceil(16 C^2) >= 16 C^2 and 4832 >= 32 C^2, and C < 12.29.
(Note: this session could not consult the paper's text of Lemma 75, so the statement of the covering bound itself
is not restated here; the factor 16 is the one that reproduces 2416 = ceil(16 C^2) exactly.)

Proof, with exact rational enclosures and no floating point:
* ln 2 = sum_{n>=1} 1/(n 2^n); the partial sum S_M satisfies S_M <= ln 2 <= S_M + 1/((M+1) 2^M).
* pi = 16 arctan(1/5) - 4 arctan(1/239) (Machin); arctan x = sum (-1)^n x^{2n+1}/(2n+1) is alternating with
  decreasing terms for 0 < x < 1, so consecutive partial sums enclose it.
* Interval arithmetic on these rational enclosures bounds 1600 pi (ln 2)^2 and C^2 = 100 pi (ln 2)^2.
Machin's formula is checked exactly: (5 + i)^4 (239 - i) = 114244 (1 + i) in the Gaussian integers, so
tan(4 arctan(1/5) - arctan(1/239)) = 1; as 0 < arctan x <= x, that angle lies in (-1/239, 4/5), inside
(-pi/2, pi/2) where tan is injective, so it is pi/4. The enclosures are cross-checked against sympy's pi and log(2).
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import b_pd_expr, theorem19_threshold_expr
from robustmem.proofcheck import assert_equal, assert_holds

Rational = sp.Rational


def ln2_enclosure(terms: int) -> tuple[sp.Rational, sp.Rational]:
    """Rational (low, high) with low <= ln 2 <= high, from the series sum 1/(n 2^n)."""
    partial = sum((Rational(1, n * 2**n) for n in range(1, terms + 1)), Rational(0))
    return partial, partial + Rational(1, (terms + 1) * 2**terms)


def arctan_enclosure(x: sp.Rational, terms: int) -> tuple[sp.Rational, sp.Rational]:
    """Rational (low, high) enclosing arctan(x), 0 < x < 1, from two consecutive alternating partial sums."""
    partial = [Rational(0)]
    for n in range(terms + 1):
        partial.append(partial[-1] + (-1) ** n * x ** (2 * n + 1) / (2 * n + 1))
    a, b = partial[-2], partial[-1]
    return min(a, b), max(a, b)


def pi_enclosure(terms: int) -> tuple[sp.Rational, sp.Rational]:
    """Rational (low, high) enclosing pi by Machin's formula."""
    lo5, hi5 = arctan_enclosure(Rational(1, 5), terms)
    lo239, hi239 = arctan_enclosure(Rational(1, 239), terms)
    return 16 * lo5 - 4 * hi239, 16 * hi5 - 4 * lo239


def check() -> str:
    gaussian = sp.expand((5 + sp.I) ** 4 * (239 - sp.I))
    assert_equal(gaussian, 114244 * (1 + sp.I), "Machin: (5 + i)^4 (239 - i) = 114244 (1 + i)")
    pi_lo, pi_hi = pi_enclosure(12)
    ln_lo, ln_hi = ln2_enclosure(60)
    assert_holds(sp.And(pi_lo < sp.pi, sp.pi < pi_hi), "pi enclosure agrees with sympy's pi")
    assert_holds(sp.And(ln_lo < sp.log(2), sp.log(2) < ln_hi), "ln 2 enclosure agrees with sympy's log(2)")
    sixteen_c2_lo, sixteen_c2_hi = 1600 * pi_lo * ln_lo**2, 1600 * pi_hi * ln_hi**2
    assert_holds(Rational(2415) < sixteen_c2_lo, f"16 C^2 > 2415 (low end {sp.N(sixteen_c2_lo, 12)})")
    assert_holds(sixteen_c2_hi < Rational(2416), f"16 C^2 < 2416 (high end {sp.N(sixteen_c2_hi, 12)})")
    assert_holds(2 * sixteen_c2_hi < Rational(4832), "32 C^2 < 4832")
    c2_hi = 100 * pi_hi * ln_hi**2
    assert_holds(c2_hi < Rational(1229, 100) ** 2, "C < 12.29")
    d, k, N = sp.Symbol("d", positive=True), sp.Symbol("k", positive=True), sp.Symbol("N", positive=True)
    assert_equal(b_pd_expr(2, d), 2416, "b_{2,d} = 2416 (the constant of robustmem.bounds)")
    assert_equal(theorem19_threshold_expr(N, k) / N ** (-2 / k), 2 * 2416, "Theorem 19's 4832 = 2 * 2416")
    return (
        f"2415 < 16 (10 sqrt(pi) ln 2)^2 < 2416 (enclosure [{sp.N(sixteen_c2_lo, 10)}, {sp.N(sixteen_c2_hi, 10)}]),"
        " so 2416 = ceil(16 C^2) and 4832 >= 32 C^2"
    )


if __name__ == "__main__":
    print(check())
