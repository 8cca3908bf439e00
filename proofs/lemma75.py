"""Lemma 75: A_k = (5k ln(k+1) sqrt(2 pi (k+1)))^{1/k} decreases in k in N, so A_k <= A_1 = 10 sqrt(pi) ln 2.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 75 (Appendix H.4): for every k in N,
(5k ln(k+1) sqrt(2 pi (k+1)))^{1/k} <= 10 sqrt(pi) ln 2. Hence Delta_k = sqrt(2) A_k <= Delta_1 (Lemma 27's constant)
and Theorem 19's 4832 >= 16 Delta_1^2 = 3200 pi (ln 2)^2; the 2416 of b_{p,d} (Theorem 8) is 4832/2. The paper's
proof: psi(k) = ln A_k = (1/k)(c + ln k + ln ln(k+1) + ln(k+1)/2), c = ln 5 + ln(2 pi)/2; each term decreases for
k >= 4.14 and psi(1..5) are computed. No typo.

Proof here (exact; the analytic facts used are the monotonicity of ln and the mean value theorem):
1. k psi(k) = ln(A_k^k) expands to c + ln k + ln ln(k+1) + ln(k+1)/2 (sympy, k > 0), and A_1 = 10 sqrt(pi) ln 2.
2. k = 1..5: A_1 > A_2 > A_3 > A_4 > A_5, from Q_k := (A_k^k)^2 = 50 pi k^2 (k+1) ln^2(k+1) and
   A_k > A_{k+1} <=> Q_k^{k+1} > Q_{k+1}^k, with rational enclosures of pi and ln 2..ln 6 (interval arithmetic).
3. Real k >= 5: k^2 psi'(k) = -c + (1 - ln k) + (k/((k+1) ln(k+1)) - ln ln(k+1)) + (k/(2(k+1)) - ln(k+1)/2) (an
   identity), and each bracket is < 0 there: c > 0; ln k >= ln 5 > 1; k/((k+1) ln(k+1)) < 1/ln 6 < ln ln 6 <=
   ln ln(k+1); k/(2(k+1)) < 1/2 < ln(6)/2. So psi decreases on [5, oo).
Together: A_k is decreasing on N and its maximum is A_1. Then the arithmetic behind the integers: 16 A_1^2 =
1600 pi (ln 2)^2 lies in (2415, 2416), so 4832 >= 2 * 16 A_1^2 = 16 Delta_1^2 and 2416 = ceil(16 A_1^2); A_1 < 12.29.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import b_pd_expr, theorem19_threshold_expr
from robustmem.proofcheck import assert_equal, assert_holds, log_enclosure, pi_enclosure

Rational = sp.Rational


def a_k_power(k: sp.Expr) -> sp.Expr:
    """A_k^k = 5k ln(k+1) sqrt(2 pi (k+1))."""
    return 5 * k * sp.log(k + 1) * sp.sqrt(2 * sp.pi * (k + 1))


def q_enclosure(k: int) -> tuple[sp.Rational, sp.Rational]:
    """Rational (low, high) around Q_k = (A_k^k)^2 = 50 pi k^2 (k+1) ln^2(k+1)."""
    pi_lo, pi_hi = pi_enclosure(12)
    ln_lo, ln_hi = log_enclosure(k + 1, 60)
    scale = 50 * k**2 * (k + 1)
    return scale * pi_lo * ln_lo**2, scale * pi_hi * ln_hi**2


def check() -> str:
    gaussian = sp.expand((5 + sp.I) ** 4 * (239 - sp.I))
    assert_equal(gaussian, 114244 * (1 + sp.I), "Machin: (5 + i)^4 (239 - i) = 114244 (1 + i)")
    pi_lo, pi_hi = pi_enclosure(12)
    assert_holds(sp.And(pi_lo < sp.pi, sp.pi < pi_hi), "pi enclosure agrees with sympy's pi")

    # 1. the logarithm and A_1
    k = sp.Symbol("k", positive=True)
    c = sp.log(5) + sp.log(2 * sp.pi) / 2
    psi_k = (c + sp.log(k) + sp.log(sp.log(k + 1)) + sp.log(k + 1) / 2) / k
    assert_equal(sp.expand_log(sp.log(a_k_power(k)), force=True), k * psi_k, "k psi(k) = ln(A_k^k)")
    assert_equal(a_k_power(sp.Integer(1)), 10 * sp.sqrt(sp.pi) * sp.log(2), "A_1 = 10 sqrt(pi) ln 2")
    assert_equal(sp.sqrt(2) * a_k_power(sp.Integer(1)), sp.sqrt(2) * 10 * sp.sqrt(sp.pi) * sp.log(2), "Delta_1")

    # 2. A_1 > ... > A_5 in exact interval arithmetic
    for kk in range(1, 5):
        q_lo, _ = q_enclosure(kk)
        _, q_next_hi = q_enclosure(kk + 1)
        assert_holds(q_lo ** (kk + 1) > q_next_hi**kk, f"A_{kk} > A_{kk + 1}")

    # 3. psi decreases on [5, oo)
    derivative = -c + (1 - sp.log(k)) + (k / ((k + 1) * sp.log(k + 1)) - sp.log(sp.log(k + 1)))
    derivative += k / (2 * (k + 1)) - sp.log(k + 1) / 2
    assert_equal(sp.diff(psi_k, k) * k**2, derivative, "k^2 psi'(k)")
    ln5_lo, _ = log_enclosure(5)
    ln6_lo, _ = log_enclosure(6)
    assert_holds(ln5_lo > 0 and log_enclosure(2 * pi_lo)[0] > 0, "c = ln 5 + ln(2 pi)/2 > 0")
    assert_holds(ln5_lo > 1, "ln k >= ln 5 > 1 for k >= 5")
    assert_holds(1 / ln6_lo < log_enclosure(ln6_lo)[0], "k/((k+1) ln(k+1)) < 1/ln 6 < ln ln 6 <= ln ln(k+1)")
    assert_holds(ln6_lo > 1, "k/(2(k+1)) < 1/2 < ln(6)/2 <= ln(k+1)/2")

    # the integers of Theorems 8 and 19
    ln_lo, ln_hi = log_enclosure(2, 60)
    assert_holds(sp.And(ln_lo < sp.log(2), sp.log(2) < ln_hi), "ln 2 enclosure agrees with sympy's log(2)")
    sixteen_a1_lo, sixteen_a1_hi = 1600 * pi_lo * ln_lo**2, 1600 * pi_hi * ln_hi**2
    assert_holds(Rational(2415) < sixteen_a1_lo, f"16 A_1^2 > 2415 (low end {sp.N(sixteen_a1_lo, 12)})")
    assert_holds(sixteen_a1_hi < Rational(2416), f"16 A_1^2 < 2416 (high end {sp.N(sixteen_a1_hi, 12)})")
    assert_holds(2 * sixteen_a1_hi < Rational(4832), "16 Delta_1^2 = 32 A_1^2 < 4832")
    assert_holds(100 * pi_hi * ln_hi**2 < Rational(1229, 100) ** 2, "A_1 < 12.29")
    d, kk_sym, N = sp.Symbol("d", positive=True), sp.Symbol("k", positive=True), sp.Symbol("N", positive=True)
    assert_equal(b_pd_expr(2, d), 2416, "b_{2,d} = 2416 (the constant of robustmem.bounds)")
    assert_equal(theorem19_threshold_expr(N, kk_sym) / N ** (-2 / kk_sym), 2 * 2416, "Theorem 19's 4832 = 2 * 2416")
    return (
        "A_1 > A_2 > ... > A_5 (exact intervals) and psi = ln A_k decreasing on [5, oo) (k^2 psi' < 0 term by term):"
        f" max_k A_k = A_1 = 10 sqrt(pi) ln 2; 16 A_1^2 in [{sp.N(sixteen_a1_lo, 10)}, {sp.N(sixteen_a1_hi, 10)}]"
        " gives 2416 and 4832"
    )


if __name__ == "__main__":
    print(check())
