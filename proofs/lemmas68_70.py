"""Lemmas 68-70: c-_{p,q}(d) ||x||_p <= ||x||_q <= c+_{p,q}(d) ||x||_p (so the ball inclusions), both constants attained.

Egosi, Yehudai, Shamir (COLT 2025), Lemmas 68-70 (Appendix E; c+-_p(d) = c+-_{p,2}(d) in Section 2): for x in R^d and
p, q in (0, inf], c-_{p,q}(d) ||x||_p <= ||x||_q <= c+_{p,q}(d) ||x||_p with c+-_{p,q}(d) = d^{[1/q - 1/p]_+-},
i.e. B_p(r) lies in B_q(c+_{p,q}(d) r) and B_q(c-_{p,q}(d) r) lies in B_p(r). Lemma 68 (0 < alpha < beta):
||v||_beta <= ||v||_alpha <= d^{1/alpha - 1/beta} ||v||_beta; the paper uses monotonicity of u -> u^t on [0, 1] and
Hoelder. No typo (the paper's v = (d^{-1/p}, ...) for the attained case is the all-ones vector rescaled).

The inclusions (Lemma 68 and hence 69-70), proved here:
* Left: with u_i = |v_i|/||v||_beta in [0, 1], ||v||_alpha^alpha/||v||_beta^alpha = sum u_i^alpha >= sum u_i^beta = 1,
  using u^alpha - u^beta = u^alpha (1 - u^{beta - alpha}) >= 0 on [0, 1] (monotonicity of powers, an analytic fact).
* Right (instead of Hoelder): the tangent-line (Bernoulli) inequality x^g <= 1 + g (x - 1) for 0 < g < 1, x > 0:
  h(x) = 1 + g(x - 1) - x^g has h(1) = 0 and h'(x) = g (1 - x^{g-1}), negative on (0, 1) and positive on (1, oo)
  (identity checked; the sign is monotonicity of powers). Summing at x_i = s_i/mean(s) with s_i = |v_i|^beta and
  g = alpha/beta gives sum |v_i|^alpha <= d^{1 - alpha/beta} ||v||_beta^alpha, i.e. the right inequality (algebra).
* Exact finite check: for 60 rational vectors in R^2..R^4 and p, q in {1, 2, 3, inf}, c-_{p,q} ||v||_p <= ||v||_q <=
  c+_{p,q} ||v||_p with the package's c_minus_pq_expr / c_plus_pq_expr, compared after raising to the 6th power.
Tightness:

Proof: ||1||_p = d^{1/p} (= 1 = d^0 for p = inf) and ||e_1||_p = 1, so the two ratios are d^{1/q - 1/p} and 1.
With s = 1/q - 1/p, split at s >= 0 (then c+ = d^s is attained by 1 and c- = 1 by e_1) and s <= 0 (then c+ = 1 by
e_1 and c- = d^s by 1); p = inf and q = inf are separate cases. The ratios are computed from the definitions
(sums of |x_i|^p, Max for inf) and compared with robustmem.bounds' c_plus_pq_expr / c_minus_pq_expr.
The boundary point x = r 1/||1||_p of B_p(r) has ||x||_q = c+ r when s >= 0, so the inclusion is tight.
"""

from __future__ import annotations

import random

import sympy as sp

from robustmem.bounds import c_minus_pq_expr, c_plus_pq_expr
from robustmem.proofcheck import assert_equal, assert_holds

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


def _norm6(v: list[sp.Rational], p: sp.Expr) -> sp.Rational:
    """||v||_p^6, a rational for p in {1, 2, 3, inf}."""
    if p is sp.oo:
        return max(abs(x) for x in v) ** 6
    return sum(abs(x) ** p for x in v) ** (6 // p)


def _inclusions() -> int:
    gamma = sp.Symbol("g", positive=True)
    x = sp.Symbol("x", positive=True)
    h = 1 + gamma * (x - 1) - x**gamma
    assert_equal(h.subs(x, 1), 0, "h(1) = 0")
    assert_equal(sp.diff(h, x), gamma * (1 - x ** (gamma - 1)), "h'(x) = g (1 - x^{g-1})")
    # summing the tangent line: sum s_i^g <= sum (m^g + g m^{g-1} (s_i - m)) = d m^g, then the algebra
    dd, B, alpha, beta = sp.symbols("d B alpha beta", positive=True)  # B = ||v||_beta
    mean = B**beta / dd
    assert_equal((dd * mean ** (alpha / beta)) ** (1 / alpha), dd ** (1 / alpha - 1 / beta) * B, "d m^g -> right side")
    u, t = sp.symbols("u t", positive=True)
    assert_equal(u**alpha - u ** (alpha + t), u**alpha * (1 - u**t), "u^alpha - u^beta factor (beta = alpha + t)")
    rng = random.Random(68)
    checked = 0
    sixth: dict[tuple[object, object, int], tuple[sp.Rational, sp.Rational]] = {}
    for _ in range(60):
        v = [sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(rng.randint(2, 4))]
        if all(x == 0 for x in v):
            continue
        n = len(v)
        for p in (1, 2, 3, sp.oo):
            for q in (1, 2, 3, sp.oo):
                if (p, q, n) not in sixth:  # (c-)^6 and (c+)^6 are rationals here
                    sixth[p, q, n] = (c_minus_pq_expr(p, q, n) ** 6, c_plus_pq_expr(p, q, n) ** 6)
                c_low, c_high = sixth[p, q, n]
                norm_p, norm_q = _norm6(v, p), _norm6(v, q)
                assert_holds(c_low * norm_p <= norm_q, f"c- ||v||_{p} <= ||v||_{q}, v = {v}")
                assert_holds(norm_q <= c_high * norm_p, f"||v||_{q} <= c+ ||v||_{p}, v = {v}")
                checked += 1
    return checked


def check() -> str:
    checked = _inclusions()
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
    return (
        f"Lemma 68's two inequalities (tangent-line algebra; {checked} exact (v, p, q) checks of Lemma 69) and"
        " c+-_{p,q}(d) attained by 1 and e_1 in every sign case of 1/q - 1/p, p or q = inf included"
    )


if __name__ == "__main__":
    print(check())
