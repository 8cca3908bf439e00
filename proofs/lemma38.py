"""Lemma 38 (l_p-ball indicator, p >= 1): f = y0 on ||x - x0||_p <= r, f = 0 on ||x - x0||_p >= r + w, 0 <= f <= y0.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 38. Centre x0 in R^k, label y0 > 0, radius r >= 0, margin w > 0,
Delta = w + 2r, and a scalar net g with |g(t) - t^p| < eps~ = w^p / (4 k Delta^p) on [0, 1]. Per coordinate:
b_j = |x_j - x0_j| / Delta, c_j = relu(2 b_j - 1), eta_j = relu(Delta^p g(b_j)),
s_j = eta_j + (r^p + 3 w^p/4) c_j (the penalty term), Sigma = sum_j s_j, and the output
    f = relu(y0 (1 - relu(Sigma - r^p - w^p/4) / (w^p/2))).

Proved (write R = r^p, W = w^p):
1. f as a function of Sigma, by exact case analysis: f = y0 for Sigma <= R + W/4; f = 0 for Sigma >= R + 3W/4;
   f = y0 (1 - lambda) in [0, y0] at Sigma = R + W/4 + lambda W/2, 0 <= lambda <= 1.
2. Inside (||x - x0||_p <= r): every b_j <= r/Delta < 1/2, so c_j = 0, and eta_j <= |x_j - x0_j|^p + Delta^p eps~
   with k Delta^p eps~ = W/4, so Sigma <= R + W/4 and f = y0.
3. Outside (||x - x0||_p >= r + w): if some b_j > 1 then c_j > 1 and Sigma >= (R + 3W/4) c_j >= R + 3W/4; otherwise
   every eta_j >= |x_j - x0_j|^p - W/(4k), so Sigma >= (r + w)^p - W/4 >= R + W - W/4 = R + 3W/4, using
   (r + w)^p >= r^p + w^p for p >= 1 (h(r) = (r+w)^p - r^p - w^p has h(0) = 0 and h' = p((r+w)^{p-1} - r^{p-1}) >= 0).
   Either way f = 0.
Elementary facts used and not re-proved: t -> t^q is nondecreasing on [0, inf) for q >= 0; a function with
nonnegative derivative is nondecreasing; relu(v) >= v and relu(v) <= max(v, 0).
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative, reduce_piecewise, relu, sign_on_box

y0, W = sp.symbols("y0 W", positive=True)
R = sp.Symbol("R", nonnegative=True)
u = sp.Symbol("u", nonnegative=True)
lam = sp.Symbol("lambda", nonnegative=True)


def output(sigma: sp.Expr) -> sp.Expr:
    """The indicator's last two layers as a function of Sigma."""
    return relu(y0 * (1 - relu(sigma - R - W / 4) / (W / 2)))


def check() -> str:
    half_open = {u: (sp.Integer(0), sp.oo)}
    assert_equal(reduce_piecewise(output(R + W / 4 - u), half_open), y0, "f = y0 for Sigma <= R + W/4")
    assert_equal(reduce_piecewise(output(R + 3 * W / 4 + u), half_open), 0, "f = 0 for Sigma >= R + 3W/4")
    unit = {lam: (sp.Integer(0), sp.Integer(1))}
    ramp = reduce_piecewise(output(R + W / 4 + lam * W / 2), unit)
    assert_equal(ramp, y0 * (1 - lam), "f = y0 (1 - lambda) on the ramp")
    assert_holds(sign_on_box(ramp, unit) > 0 and sign_on_box(y0 - ramp, unit) > 0, "0 <= f <= y0 on the ramp")

    r, w, Delta, k, p = sp.symbols("r w Delta k p", positive=True)
    b = sp.Symbol("b", nonnegative=True)
    # 2. inside: b_j <= r/Delta < 1/2 gives c_j = 0; the eta budget sums to W/4.
    inside = {b: (sp.Integer(0), r / (w + 2 * r))}
    assert_equal(reduce_piecewise(relu(2 * b - 1), inside), 0, "c_j = relu(2 b_j - 1) = 0 when b_j <= r/Delta")
    assert_equal(sp.Rational(1, 2) - r / (w + 2 * r), w / (2 * (w + 2 * r)), "1/2 - r/Delta = w/(2 Delta) > 0")
    eps_tilde = w**p / (4 * k * Delta**p)
    assert_equal(k * Delta**p * eps_tilde, w**p / 4, "k Delta^p eps~ = w^p/4")
    # 3. outside with a coordinate beyond Delta: the penalty alone reaches R + 3W/4.
    c = sp.Symbol("c", positive=True)
    beyond = {b: (sp.Integer(1), sp.oo)}
    assert_equal(reduce_piecewise(relu(2 * b - 1), beyond), 2 * b - 1, "c_j = 2 b_j - 1 when b_j >= 1")
    assert_holds(sign_on_box(2 * b - 1 - 1, beyond) > 0, "c_j >= 1 when b_j >= 1")
    assert_nonnegative((R + 3 * W / 4) * (1 + c) - (R + 3 * W / 4), "(R + 3W/4) c_j >= R + 3W/4 for c_j >= 1")
    # 3. outside with every b_j <= 1: superadditivity of t^p for p = 1 + q >= 1.
    q = sp.Symbol("q", nonnegative=True)
    h = (r + w) ** (1 + q) - r ** (1 + q) - w ** (1 + q)
    assert_equal(h.subs(r, 0), 0, "h(0) = 0")
    assert_equal(sp.diff(h, r), (1 + q) * ((r + w) ** q - r**q), "h' = p((r+w)^{p-1} - r^{p-1})")
    sum_lower = (r**p + w**p) - w**p / 4
    assert_equal(sum_lower - (r**p + 3 * w**p / 4), 0, "(r^p + w^p) - W/4 = R + 3W/4")
    return "f = y0 for Sigma <= R + W/4, 0 for Sigma >= R + 3W/4, linear between; inside -> y0, outside -> 0"


if __name__ == "__main__":
    print(check())
