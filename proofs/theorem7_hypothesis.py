"""Theorem 7's hypothesis sigma/delta <= a_{p,d} N^{-2/(k-6)} implies 2 sigma'/(eps delta) <= 1/(2 sqrt(k-6)) <= 1/2.

Egosi, Yehudai, Shamir (COLT 2025), proof of Theorem 7 (with Theorems 16 and 18, Remark 10). Here k' = k - 6 >= 1
is the projection dimension, sigma' = c+_p(d) sigma (B_p(x, sigma) lies in B_2(x, sigma')), and
eps = (1/2) sqrt(k'/(d e)) N^{-2/k'} is Theorem 18's constant in dimension k' (k' <= d - 1 as k <= d + 5).
Consequences: 2 sigma'/delta <= eps/2 <= eps, so Theorem 18 gives an orthogonal projection P with
||P(a - a')|| >= eps ||a - a'||; M = P/eps then preserves the sigma'-balls with ||M||_2 = 1/eps and
||M||_2 2 sigma'/delta <= 1/2 < 1, as Theorem 16 needs, and its depth factor log2(k'/(1 - 1/2)) = log2(2k').
At Remark 10's radius a_{p,d} sqrt(k') N^{-2/k'} the ratio is exactly 1/2.

Proof: with rho = sigma/delta, R(rho) = 2 c+ rho / eps is linear in rho with positive slope; at
rho = a_{p,d} N^{-2/k'} it simplifies to 1/(2 sqrt(k')) (c+ cancels because a_{p,d} = 1/(8 c+ sqrt(e d)),
checked for p <= 2, p >= 2 and p = inf on robustmem.bounds' expressions), and 1/(2 sqrt(k')) <= 1/2 as k' >= 1.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import c_plus_expr, remark10_radius_expr, theorem7_radius_expr, theorem18_epsilon_expr
from robustmem.proofcheck import assert_equal, assert_nonnegative


def check() -> str:
    N = sp.Symbol("N", positive=True)
    d = sp.Symbol("d", positive=True)
    k1 = sp.Symbol("k1", positive=True)  # k' = k - 6
    j = sp.Symbol("j", nonnegative=True)  # k' = 1 + j >= 1
    v = sp.Symbol("v", nonnegative=True)
    half = sp.Rational(1, 2)
    eps = theorem18_epsilon_expr(N, d, k1)
    for label, p in {"p <= 2": 1 / (half + v), "p >= 2": 1 / (half - v), "p = inf": sp.oo}.items():
        cp = c_plus_expr(p, d)

        def ratio(rho: sp.Expr, cp: sp.Expr = cp) -> sp.Expr:
            return 2 * cp * rho / eps

        slope = sp.diff(ratio(sp.Symbol("rho")), sp.Symbol("rho"))
        assert_nonnegative(slope, f"R(rho) is nondecreasing, {label}")
        at_theorem7 = ratio(theorem7_radius_expr(N, d, p, k1 + 6))
        assert_equal(at_theorem7, 1 / (2 * sp.sqrt(k1)), f"R at Theorem 7's radius, {label}")
        assert_equal(ratio(remark10_radius_expr(N, d, p, k1 + 6)), half, f"R at Remark 10's radius, {label}")
    root = sp.sqrt(1 + j)
    witness = j / (2 * root * (root + 1))  # a product of nonnegative factors
    assert_equal(half - 1 / (2 * root), witness, "1/2 - 1/(2 sqrt(1 + j)) = j / (2 sqrt(1+j) (sqrt(1+j) + 1))")
    assert_nonnegative(witness, "1/(2 sqrt(k')) <= 1/2 for k' = 1 + j >= 1")
    assert_nonnegative(eps - eps / 2, "eps/2 <= eps: Theorem 18's hypothesis 2 sigma'/delta <= eps holds")
    return "2 sigma'/(eps delta) = 1/(2 sqrt(k-6)) <= 1/2 at Theorem 7's radius (= 1/2 at Remark 10's), all p"


if __name__ == "__main__":
    print(check())
