"""The gap between Theorems 7 and 8: b_{p,d} / a_{p,d} = 19328 sqrt(e) sqrt(d) d^{|1/2 - 1/p|} for every p in (0, inf].

Egosi, Yehudai, Shamir (COLT 2025), Section 4.2 (after Corollary 9), with
a_{p,d} = 1/(8 sqrt e) d^{-1/2 + min(0, 1/p - 1/2)} (Theorem 7) and b_{p,d} = 2416 d^{max(0, 1/p - 1/2)} (Theorem 8).
Also proved: a_{p,d} = 1/(2 c+_p(d) sqrt(16 e d)) and b_{p,d} = 4832 / (2 c-_p(d)), the forms the proofs use.

Proof: write u = 1/p and split at p = 2. For p <= 2, u = 1/2 + v with v >= 0; for p >= 2 (p = inf included),
u = 1/2 - v with 0 <= v <= 1/2. In each case every min, max and |.| has an argument of known sign and the
identity is an equality of monomials in d, checked by simplify(lhs - rhs) == 0 on robustmem.bounds' own
expressions; p = inf (u = 0) is also checked directly.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import a_pd_expr, b_pd_expr, c_minus_expr, c_plus_expr, gap_ratio_expr
from robustmem.proofcheck import assert_equal


def check() -> str:
    d = sp.Symbol("d", positive=True)
    v = sp.Symbol("v", nonnegative=True)
    half = sp.Rational(1, 2)
    cases = {
        "p <= 2 (1/p = 1/2 + v)": 1 / (half + v),
        "p >= 2 (1/p = 1/2 - v, v <= 1/2)": 1 / (half - v),
        "p = inf": sp.oo,
    }
    for label, p in cases.items():
        a, b = a_pd_expr(p, d), b_pd_expr(p, d)
        assert_equal(b / a, gap_ratio_expr(p, d), f"b/a, case {label}")
        assert_equal(a, 1 / (2 * c_plus_expr(p, d) * sp.sqrt(16 * sp.E * d)), f"a = 1/(2 c+ sqrt(16 e d)), {label}")
        assert_equal(b, 4832 / (2 * c_minus_expr(p, d)), f"b = 4832/(2 c-), {label}")
    assert_equal(sp.Integer(2416) * 8, 19328, "2416 * 8")
    return "b/a = 19328 sqrt(e) sqrt(d) d^{|1/2-1/p|} for p <= 2, p >= 2 and p = inf; a and b in their c+- forms"


if __name__ == "__main__":
    print(check())
