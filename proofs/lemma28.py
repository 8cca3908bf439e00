"""Lemma 28: (sigma + sqrt(sigma^2 + 4 sigma delta))/2 <= sqrt(2 sigma delta) holds exactly when sigma <= delta/2.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 28 (Appendix C.2, used for Theorem 19's hard instance): for
0 <= sigma < delta/2, (1/2)(sigma + sqrt(sigma^2 + 4 sigma delta)) <= sqrt(2 sigma delta). The paper proves it by
a chain of equivalences ending in sigma + sqrt(sigma^2 + 4 sigma delta) <= 2 delta. No typo. Proved here is the
sharper statement "for sigma, delta > 0 the inequality holds if and only if sigma <= delta/2, with equality only at
sigma = delta/2", and the two consequences Theorem 19 draws with r = sqrt(2 sigma delta):
(5) (r + delta)/r <= r/sigma and (6) (sigma/r)^2 = sigma/(2 delta).

Proof (exact sympy algebra). Write sigma = u^2 delta / 2 with u = sqrt(2 sigma/delta) > 0; everything scales with
delta, so set delta = 1. Then RHS - LHS = (u/4) (4 - u - sqrt(u^2 + 8)), and
(4 - u - sqrt(u^2 + 8)) (4 - u + sqrt(u^2 + 8)) = 8 (1 - u), an identity. The second factor is positive
(sqrt(u^2 + 8) > u), so RHS - LHS = 2 u (1 - u) / (4 - u + sqrt(u^2 + 8)) has the sign of 1 - u, i.e. of
delta/2 - sigma. For (5): r >= r_+ := (sigma + sqrt(sigma^2 + 4 sigma delta))/2, the larger root of
r^2 - sigma r - sigma delta = (r - r_+)(r - r_-) with r_- <= 0, so r^2 >= sigma (r + delta).
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative


def check() -> str:
    u, delta, w = sp.symbols("u delta w", positive=True)
    sigma = u**2 * delta / 2
    lhs = (sigma + sp.sqrt(sigma**2 + 4 * sigma * delta)) / 2
    rhs = sp.sqrt(2 * sigma * delta)
    assert_equal(rhs, u * delta, "sqrt(2 sigma delta) = u delta")
    assert_equal(sp.sqrt(sigma**2 + 4 * sigma * delta), u * delta * sp.sqrt(u**2 + 8) / 2, "the inner root")
    root = sp.sqrt(u**2 + 8)
    assert_equal((4 - u - root) * (4 - u + root), 8 * (1 - u), "conjugate product")
    assert_equal(root - u, 8 / (root + u), "sqrt(u^2 + 8) - u = 8/(sqrt(u^2 + 8) + u)")
    denominator = 4 + 8 / (root + u)  # = 4 - u + sqrt(u^2 + 8)
    assert_nonnegative(denominator, "4 - u + sqrt(u^2 + 8) > 0")
    closed = 2 * u * (1 - u) * delta / denominator
    assert_equal(rhs - lhs, closed, "RHS - LHS = 2 u (1 - u) delta / (4 - u + sqrt(u^2 + 8))")
    # the sign of 1 - u is the sign of delta/2 - sigma (u = sqrt(2 sigma / delta) is increasing in sigma)
    assert_equal(sigma.subs(u, 1), delta / 2, "u = 1 exactly at sigma = delta/2")
    assert_equal((rhs - lhs).subs(u, 1), 0, "equality at sigma = delta/2")
    for value, sign in ((sp.Rational(1, 3), 1), (sp.Rational(3, 2), -1), (sp.Integer(5), -1)):
        gap = sp.nsimplify((rhs - lhs).subs({u: value, delta: 1}))
        assert_holds(sp.sign(gap) == sign, f"sign of RHS - LHS at u = {value}")
    # consequences (5) and (6) with r = sqrt(2 sigma delta) and 0 < sigma <= delta/2, i.e. u = 1/(1 + w)
    sig = (1 / (1 + w)) ** 2 * delta / 2
    r = sp.sqrt(2 * sig * delta)
    r_plus = (sig + sp.sqrt(sig**2 + 4 * sig * delta)) / 2
    r_minus = (sig - sp.sqrt(sig**2 + 4 * sig * delta)) / 2
    assert_equal((r - r_plus) * (r - r_minus), r**2 - sig * r - sig * delta, "roots of r^2 - sigma r - sigma delta")
    one_minus_u = w / (1 + w)
    gap = 2 * (1 / (1 + w)) * one_minus_u * delta / (4 + 8 / (sp.sqrt((1 / (1 + w)) ** 2 + 8) + 1 / (1 + w)))
    assert_equal(r - r_plus, gap, "r - r_+ is the closed form above at u = 1/(1 + w)")
    assert_nonnegative(gap, "Lemma 28: r >= r_+ for sigma <= delta/2")
    root_s = sp.sqrt(sig**2 + 4 * sig * delta)
    assert_equal(-r_minus, 2 * sig * delta / (root_s + sig), "-r_- = 2 sigma delta/(sqrt(..) + sigma)")
    assert_nonnegative(r + 2 * sig * delta / (root_s + sig), "r - r_- >= 0")
    assert_equal(r / sig - (r + delta) / r, (r**2 - sig * r - sig * delta) / (sig * r), "(5) as a quadratic")
    assert_equal((sig / r) ** 2, sig / (2 * delta), "(6): (sigma/r)^2 = sigma/(2 delta)")
    return (
        "RHS - LHS = 2u(1-u) delta/(4 - u + sqrt(u^2+8)) with u = sqrt(2 sigma/delta): Lemma 28 holds iff"
        " sigma <= delta/2 (equality there); eqs. (5) and (6) of Theorem 19 follow"
    )


if __name__ == "__main__":
    print(check())
