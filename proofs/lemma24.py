"""Lemma 24: mu_{d-1}{y : y_1^2 + ... + y_k^2 <= (k/d) r^2} < e^{k/2} r^k for 0 < r < 1, from Dasgupta-Gupta.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 24 (Appendix C.1, used by Lemma 25 and Theorem 18). The paper quotes
Dasgupta and Gupta (2003, Lemma 2.2): the measure is at most r^k g(r) with
g(r) = (1 + k(1 - r^2)/(d - k))^{(d - k)/2} (k < d), then argues that g decreases on [0, 1] and that
g(0) = (1 + (k/2)/((d - k)/2))^{(d - k)/2} <= e^{k/2}. No typo (for k = d the set is empty when r < 1).

Proved here, exactly, with d = k + j (j > 0) and every symbol positive:
1. r^k g(r) is Dasgupta-Gupta's bound beta^{k/2} (1 + (1 - beta) k/(d - k))^{(d - k)/2} at beta = r^2 (cited).
2. Monotonicity step: g'(r) = -k r g(r)/B(r) with B(r) = 1 + k(1 - r^2)/(d - k) > 0 on (0, 1), an identity, so
   g' < 0 there and g(r) < g(0) for 0 < r < 1 (mean value theorem).
3. g(0) = (1 + a/n)^n with a = k/2, n = (d - k)/2, an identity.
4. Final inequality (1 + a/n)^n < e^a: equivalent to h(x) = x - ln(1 + x) > 0 at x = a/n > 0; h(0) = 0 and
   h'(x) = x/(1 + x) > 0 (identity and sign), so h > 0 on (0, oo).
So the measure is <= r^k g(r) < r^k g(0) < r^k e^{k/2}. The analytic facts used beyond sympy's algebra are the
mean value theorem and the cited Dasgupta-Gupta bound. As a cross-check the measure itself is integrated exactly
for (k, d) = (1, 3) and (2, 4), where y_1^2 + ... + y_k^2 ~ Beta(k/2, (d - k)/2) (Lemma 22, Appendix D) has
closed-form CDFs sqrt(x) and x, and compared with the package's projection_cdf_expr; the package's
dasgupta_gupta_bound_expr and projection_small_ball_bound_expr are the expressions proved about.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import dasgupta_gupta_bound_expr, projection_cdf_expr, projection_small_ball_bound_expr
from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative


def check() -> str:
    k, j, r, w, x, beta = sp.symbols("k j r w x beta", positive=True)
    d = k + j
    B = 1 + k * (1 - r**2) / (d - k)
    g = B ** ((d - k) / 2)
    dg = dasgupta_gupta_bound_expr(beta, k, d)  # the package's form of the cited bound
    assert_equal(dg.subs(beta, r**2), r**k * g, "Dasgupta-Gupta's bound at beta = r^2 is r^k g(r)")
    claim = projection_small_ball_bound_expr(sp.sqrt(k / d) * r, k, d)  # the package's (e r'^2 d/k)^{k/2}
    assert_equal(claim, sp.exp(k / 2) * r**k, "the package's small-ball bound at r' = sqrt(k/d) r is e^{k/2} r^k")
    assert_equal(sp.diff(g, r), -k * r * g / B, "g'(r) = -k r g(r) / B(r)")
    inside = {r: 1 / sp.sqrt(1 + w)}  # every r in (0, 1)
    assert_equal(B.subs(inside), 1 + k * w / ((1 + w) * j), "B(r) = 1 + k w/((1 + w) j) for r^2 = 1/(1 + w)")
    assert_nonnegative((k * r * g / B).subs(inside), "-g'(r) >= 0 on (0, 1)")
    a, n = k / 2, (d - k) / 2
    assert_equal(g.subs(r, 0), (1 + a / n) ** n, "g(0) = (1 + (k/2)/((d-k)/2))^{(d-k)/2}")
    h = x - sp.log(1 + x)
    assert_equal(h.subs(x, 0), 0, "h(0) = 0")
    assert_equal(sp.diff(h, x), x / (1 + x), "h'(x) = x/(1 + x)")
    assert_nonnegative(x / (1 + x), "h' > 0 on (0, oo)")
    assert_equal(sp.log((1 + a / n) ** n) - a, -n * h.subs(x, a / n), "ln g(0) - k/2 = -n h(a/n)")
    # cross-checks by exact integration of the Beta law (Lemma 22): (k, d) = (1, 3) and (2, 4)
    t = sp.Symbol("t", positive=True)
    for kk, dd, cdf in ((1, 3, sp.sqrt(x)), (2, 4, x)):
        aa, bb = sp.Rational(kk, 2), sp.Rational(dd - kk, 2)
        density = t ** (aa - 1) * (1 - t) ** (bb - 1) / sp.beta(aa, bb)
        assert_equal(sp.integrate(density, (t, 0, x)), cdf, f"Beta({aa}, {bb}) CDF")
        measure = cdf.subs(x, sp.Rational(kk, dd) * r**2)
        radius = sp.sqrt(sp.Rational(kk, dd)) * r
        assert_equal(projection_cdf_expr(radius, kk, dd), measure, "robustmem.bounds.projection_cdf_expr agrees")
        ratio = sp.simplify(measure / r**kk)  # a constant: the measure is c r^k
        assert_holds(ratio.free_symbols == set(), f"(k, d) = ({kk}, {dd}): measure / r^k is constant")
        assert_holds(ratio**2 < sp.E**kk, f"(k, d) = ({kk}, {dd}): {ratio} < e^{{k/2}}")
        bound = (r**kk * g).subs({k: kk, j: dd - kk})
        assert_holds(sp.simplify((bound / r**kk).subs(r, 0)) ** 2 < sp.E**kk, "g(0) < e^{k/2} on the instance")
    return (
        "g'(r) = -k r g/B < 0 and (1 + a/n)^n < e^a via h(x) = x - ln(1+x), h' = x/(1+x): the Dasgupta-Gupta bound"
        " r^k g(r) is < e^{k/2} r^k on (0, 1); exact Beta measures for (k, d) = (1, 3), (2, 4) agree"
    )


if __name__ == "__main__":
    print(check())
