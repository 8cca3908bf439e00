"""The norm-inclusion constants of Lemmas 68-70 are attained: ||1||_q/||1||_p and ||e_1||_q/||e_1||_p are c+-_{p,q}(d).

Egosi, Yehudai, Shamir (COLT 2025), Lemmas 68-70 (Appendix E; c+-_p(d) = c+-_{p,2}(d) in Section 2): for x in R^d and
p, q in (0, inf], c-_{p,q}(d) ||x||_p <= ||x||_q <= c+_{p,q}(d) ||x||_p with c+-_{p,q}(d) = d^{[1/q - 1/p]_+-},
i.e. B_p(r) lies in B_q(c+_{p,q}(d) r) and B_q(c-_{p,q}(d) r) lies in B_p(r). The inequalities are the standard
monotonicity of l_p norms (q >= p) and Hoelder's inequality (q < p); proved here is that NEITHER constant can be
improved: the all-ones vector 1 and the basis vector e_1 attain them.

Proof: ||1||_p = d^{1/p} (= 1 = d^0 for p = inf) and ||e_1||_p = 1, so the two ratios are d^{1/q - 1/p} and 1.
With s = 1/q - 1/p, split at s >= 0 (then c+ = d^s is attained by 1 and c- = 1 by e_1) and s <= 0 (then c+ = 1 by
e_1 and c- = d^s by 1); p = inf and q = inf are separate cases. The ratios are computed from the definitions
(sums of |x_i|^p, Max for inf) and compared with robustmem.bounds' c_plus_pq_expr / c_minus_pq_expr.
The boundary point x = r 1/||1||_p of B_p(r) has ||x||_q = c+ r when s >= 0, so the inclusion is tight.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import c_minus_pq_expr, c_plus_pq_expr
from robustmem.proofcheck import assert_equal

d = sp.Symbol("d", positive=True, integer=True)
i = sp.Symbol("i", positive=True, integer=True)


def norm_all_ones(p: sp.Expr) -> sp.Expr:
    """||(1, ..., 1)||_p in R^d from the definition."""
    if p is sp.oo:
        return sp.Integer(1)  # max_i |1|
    return sp.summation(sp.Integer(1) ** p, (i, 1, d)) ** (1 / p)


def norm_e1(p: sp.Expr) -> sp.Expr:
    """||e_1||_p in R^d from the definition (one coordinate 1, the others 0)."""
    if p is sp.oo:
        return sp.Integer(1)
    return (sp.Integer(1) ** p + sp.summation(sp.Integer(0) ** p, (i, 2, d))) ** (1 / p)


def check() -> str:
    a = sp.Symbol("a", positive=True)  # 1/p
    t = sp.Symbol("t", nonnegative=True)
    r = sp.Symbol("r", positive=True)
    # (1/p, 1/q) with s = 1/q - 1/p of known sign; zero reciprocals stand for inf.
    cases = {
        "s = t >= 0, finite p, q": (1 / a, 1 / (a + t), 1),
        "s = -t <= 0, finite p, q": (1 / (a + t), 1 / a, -1),
        "p = inf, q finite (s > 0)": (sp.oo, 1 / a, 1),
        "q = inf, p finite (s < 0)": (1 / a, sp.oo, -1),
    }
    for label, (p, q, sign) in cases.items():
        ones = norm_all_ones(q) / norm_all_ones(p)
        basis = norm_e1(q) / norm_e1(p)
        upper, lower = c_plus_pq_expr(p, q, d), c_minus_pq_expr(p, q, d)
        assert_equal(basis, 1, f"||e_1||_q / ||e_1||_p = 1, {label}")
        attains_upper, attains_lower = (ones, basis) if sign > 0 else (basis, ones)
        assert_equal(attains_upper, upper, f"c+_{{p,q}} attained, {label}")
        assert_equal(attains_lower, lower, f"c-_{{p,q}} attained, {label}")
        if sign > 0:
            boundary = norm_all_ones(q) * r / norm_all_ones(p)
            assert_equal(boundary, upper * r, f"r 1/||1||_p sits on the sphere of B_q(c+ r), {label}")
    assert_equal(c_plus_pq_expr(sp.oo, 2, d), sp.sqrt(d), "c+_inf(d) = sqrt(d)")
    assert_equal(c_minus_pq_expr(1, 2, d), 1 / sp.sqrt(d), "c-_1(d) = 1/sqrt(d)")
    return "c+-_{p,q}(d) are attained by 1 and e_1 in every sign case of 1/q - 1/p, p or q = inf included"


if __name__ == "__main__":
    print(check())
