"""Lemma 62: the covering density of S^k by caps is at most 5k ln(k+1), from Theorem 61's bound at alpha = 2.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 62 (Appendix H.3): for k in N and 0 < phi < pi/2,
theta(S^k, caps of radius phi) <= 5k ln(k+1). The paper quotes Theorem 61 (Rolfes and Vallentin 2018, Cor. 3.1):
theta <= inf_{alpha > 1} (1 + 1/(alpha - 1)) (k ln(alpha k) + 1), and states that this infimum is
<= 5k ln(k+1) without a computation. Theorem 61 is a cited result and is not proved here; proved is the step from
it to Lemma 62 (no typo): already alpha = 2 gives (1 + 1)(k ln(2k) + 1) = 2k ln(2k) + 2 <= 5k ln(k+1) for k = 1, 2
and every real k >= 3 (so for every k in N), so the infimum is below 5k ln(k+1) too.

Proof: k = 1 and k = 2 by rational enclosures of ln 2 and ln 3 (3 ln 2 > 2 and 10 ln 3 - 8 ln 2 > 2). For real
k >= 3, the identity 5k ln(k+1) - 2k ln(2k) - 2 = 2k (ln(k+1) - ln k) + 3k (ln(k+1) - ln 4) + (4k ln 2 - 2) holds
(sympy, after expanding the logarithms), the first two brackets are >= 0 because ln increases and k + 1 >= 4, and
4k ln 2 - 2 >= 12 ln 2 - 2 > 0.
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, log_enclosure


def theorem61_at(alpha: sp.Expr, k: sp.Expr) -> sp.Expr:
    """Theorem 61's bound (1 + 1/(alpha - 1)) (k ln(alpha k) + 1) at one alpha > 1."""
    return (1 + 1 / (alpha - 1)) * (k * sp.log(alpha * k) + 1)


def check() -> str:
    k = sp.Symbol("k", positive=True)
    at_two = theorem61_at(sp.Integer(2), k)
    assert_equal(at_two, 2 * k * sp.log(2 * k) + 2, "alpha = 2 gives 2k ln(2k) + 2")
    ln2_lo, ln2_hi = log_enclosure(2)
    ln3_lo, _ = log_enclosure(3)
    assert_holds(3 * ln2_lo > 2, "k = 1: 5 ln 2 - (2 ln 2 + 2) = 3 ln 2 - 2 > 0")
    assert_holds(10 * ln3_lo - 8 * ln2_hi > 2, "k = 2: 10 ln 3 - (4 ln 4 + 2) > 0")
    gap = 5 * k * sp.log(k + 1) - at_two
    split = 2 * k * (sp.log(k + 1) - sp.log(k)) + 3 * k * (sp.log(k + 1) - sp.log(4)) + (4 * k * sp.log(2) - 2)
    assert_equal(sp.expand_log(gap - split, force=True), 0, "the split of 5k ln(k+1) - 2k ln(2k) - 2")
    assert_holds(12 * ln2_lo - 2 > 0, "k >= 3: 4k ln 2 - 2 >= 12 ln 2 - 2 > 0")
    return "Theorem 61's bound at alpha = 2 is 2k ln(2k) + 2 <= 5k ln(k+1) for k = 1, 2 (exact) and all real k >= 3"


if __name__ == "__main__":
    print(check())
