"""Appendix D's closed form: robustmem.bounds.projection_cdf_expr(sqrt(x), k, d) is the regularized incomplete beta I_x(k/2, (d-k)/2).

Egosi, Yehudai, Shamir (COLT 2025), Appendix D: for u uniform on S^{d-1} and a rank-k orthogonal projection P,
||P u||^2 ~ Beta(k/2, (d-k)/2), so P(||P u|| <= r) = I_{r^2}(k/2, (d-k)/2) (the Beta law itself is cited; the tests
check it by Monte Carlo). robustmem builds I_x exactly from the base cases I_x(1/2, 1/2) = (2/pi) arcsin(sqrt x),
I_x(1/2, 1) = sqrt x, I_x(1, 1/2) = 1 - sqrt(1 - x), I_x(1, 1) = x by the recurrences
I_x(a, b+1) = I_x(a, b) + x^a (1-x)^b / (b B(a, b)) and I_x(a+1, b) = I_x(a, b) - x^a (1-x)^b / (a B(a, b)).

Proof that the closed form is right, for every 1 <= k < d <= 7 (21 cases): F(x) = projection_cdf_expr(sqrt(x), k, d)
has F(0) = 0, F(1) = 1, and F'(x) = x^{k/2-1} (1-x)^{(d-k)/2-1} / B(k/2, (d-k)/2) on (0, 1), each checked by
simplify(...) == 0; an antiderivative of the Beta density vanishing at 0 is its distribution function.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import projection_cdf_expr
from robustmem.proofcheck import assert_equal

MAX_DIMENSION = 7


def check() -> str:
    x = sp.Symbol("x", positive=True)
    cases = 0
    for d in range(2, MAX_DIMENSION + 1):
        for k in range(1, d):
            a, b = sp.Rational(k, 2), sp.Rational(d - k, 2)
            F = projection_cdf_expr(sp.sqrt(x), k, d)
            density = x ** (a - 1) * (1 - x) ** (b - 1) * sp.gamma(a + b) / (sp.gamma(a) * sp.gamma(b))
            assert_equal(sp.diff(F, x), density, f"F' = Beta({a}, {b}) density, k = {k}, d = {d}")
            assert_equal(F.subs(x, 0), 0, f"F(0) = 0, k = {k}, d = {d}")
            assert_equal(F.subs(x, 1), 1, f"F(1) = 1, k = {k}, d = {d}")
            cases += 1
    return f"projection_cdf_expr = I_x(k/2, (d-k)/2) exactly for all {cases} pairs 1 <= k < d <= {MAX_DIMENSION}"


if __name__ == "__main__":
    print(check())
