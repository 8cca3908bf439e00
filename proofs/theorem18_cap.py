"""Theorem 18's deterministic step: if ||P z|| >= 2 eps sqrt(1 - eps^2) ||z|| for z = x_i - x_j, then ||P(a - a')|| >= eps ||a - a'||.

Egosi, Yehudai, Shamir (COLT 2025), proof of Theorem 18 (robust Johnson-Lindenstrauss). Setting: P an orthogonal
projection, ||x_i - x_j||_2 >= delta, a in B_2(x_i, sigma), a' in B_2(x_j, sigma), 2 sigma/delta <= eps, and
eps = (1/2) sqrt(k/(d e)) N^{-2/k} <= 1/(2 sqrt e) (k <= d, N >= 1). (This session could not consult the paper's own
lemma for this step; the argument below is self-contained and gives exactly the paper's constants.)

1. Angle. a - a' = z + e with ||e|| <= 2 sigma =: rho <= eps ||z||. In the plane of z and e (z = (L, 0), e = (x, y),
   x^2 + y^2 <= rho^2 <= L^2): sin^2 angle(z + e, z) = y^2/((L + x)^2 + y^2) <= rho^2/L^2, because
   rho^2 (L + x)^2 - (rho^2 - x^2)(L^2 - rho^2) = (x L + rho^2)^2 >= 0. So the direction w of a - a' is within the
   angle theta of z_hat = z/||z||, sin(theta) <= s := eps.
2. Projection of the cap. Write t = ||P z_hat|| = cos(beta), u1 = P z_hat / t, and w = cos(phi) z_hat + sin(phi) v
   with v a unit vector orthogonal to z_hat. Then ||P w|| >= <w, u1> = t cos(phi) + sin(phi) <v, u1>, and
   |<v, u1>| = |<v, u1 - t z_hat>| <= ||u1 - t z_hat|| = sqrt(1 - t^2) since <u1, z_hat> = t. Hence
   ||P w|| >= cos(beta) cos(phi) - sin(beta) sin(phi) = cos(beta + phi) >= cos(beta + theta) (decreasing on [0, pi]).
3. Threshold. cos(beta + theta) >= eps iff beta <= arccos(eps) - theta, implied by
   t >= cos(arccos(eps) - arcsin(s)) = eps sqrt(1 - s^2) + s sqrt(1 - eps^2) when eps^2 + s^2 <= 1. It is sharp: in
   R^2 with P the projection onto e_1, z_hat = (cos beta, sin beta) and w = (cos(beta+theta), sin(beta+theta))
   (angle theta from z_hat) give ||P w|| = cos(beta + theta).
4. At s = eps the threshold is 2 eps sqrt(1 - eps^2) <= 2 eps, and eps^2 + s^2 = 2 eps^2 <= 1/(2e) < 1.
   So ||P z_hat|| >= 2 eps suffices, and ||P(a - a')|| = ||a - a'|| ||P w|| >= eps ||a - a'||.
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import cap_projection_threshold_expr, theorem18_epsilon_expr
from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative


def check() -> str:
    L, rho, x = sp.symbols("L rho x", real=True)
    assert_equal(
        rho**2 * (L + x) ** 2 - (rho**2 - x**2) * (L**2 - rho**2),
        (x * L + rho**2) ** 2,
        "rho^2 (L+x)^2 - (rho^2 - x^2)(L^2 - rho^2) = (x L + rho^2)^2",
    )

    t = sp.Symbol("t", real=True)
    uu, zz, uz = sp.Integer(1), sp.Integer(1), t  # |u1| = |z_hat| = 1, <u1, z_hat> = t
    assert_equal(uu - 2 * t * uz + t**2 * zz, 1 - t**2, "||u1 - t z_hat||^2 = 1 - t^2")

    beta, phi, theta = sp.symbols("beta phi theta", real=True)
    lower = sp.cos(beta) * sp.cos(phi) - sp.sin(beta) * sp.sin(phi)
    assert_equal(lower, sp.cos(beta + phi), "t cos(phi) - sqrt(1 - t^2) sin(phi) = cos(beta + phi), t = cos(beta)")
    assert_equal(sp.diff(sp.cos(beta + phi), phi), -sp.sin(beta + phi), "d/dphi cos(beta + phi) = -sin(beta + phi)")

    eps, s = sp.symbols("epsilon s", positive=True)
    composed = sp.expand_trig(sp.cos(sp.acos(eps) - sp.asin(s)))
    assert_equal(composed, eps * sp.sqrt(1 - s**2) + s * sp.sqrt(1 - eps**2), "cos(arccos eps - arcsin s)")
    assert_equal(composed, cap_projection_threshold_expr(eps, s), "robustmem.bounds.cap_projection_threshold_expr")

    w = (sp.cos(beta + theta), sp.sin(beta + theta))
    z_hat = (sp.cos(beta), sp.sin(beta))
    assert_equal(w[0] * z_hat[0] + w[1] * z_hat[1], sp.cos(theta), "the sharp w is at angle theta from z_hat")

    y = sp.Symbol("y", nonnegative=True)
    e_small = 1 / (1 + y)  # eps in (0, 1]
    root = sp.sqrt(1 - e_small**2)
    at_s_eq_eps = cap_projection_threshold_expr(e_small, e_small)
    assert_equal(at_s_eq_eps, 2 * e_small * root, "threshold at s = eps is 2 eps sqrt(1 - eps^2)")
    witness = 2 * e_small**3 / (1 + root)
    assert_equal(2 * e_small - at_s_eq_eps, witness, "2 eps - 2 eps sqrt(1 - eps^2) = 2 eps^3/(1 + sqrt(1 - eps^2))")
    assert_nonnegative(witness, "2 eps sqrt(1 - eps^2) <= 2 eps")

    N, d, k = sp.symbols("N d k", positive=True)
    eps_18 = theorem18_epsilon_expr(N, d, k)
    assert_equal(4 * sp.E * eps_18**2, (k / d) * N ** (-4 / k), "4 e eps^2 = (k/d) N^{-4/k} <= 1 for k <= d, N >= 1")
    assert_holds(2 * (1 / (4 * sp.E)) < 1, "2 eps^2 <= 1/(2e) < 1, so eps^2 + s^2 <= 1 at s = eps")
    return "every direction within arcsin(eps) of z keeps ||P w|| >= eps once ||P z_hat|| >= 2 eps sqrt(1-eps^2); sharp"


if __name__ == "__main__":
    print(check())
