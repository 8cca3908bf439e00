"""Lemma 39 (exact l_inf-ball indicator): f = relu(y0 (1 - relu(m - r)/w)) with m = ||x - x0||_inf from a ReLU running max.

Egosi, Yehudai, Shamir (COLT 2025), Lemma 39. Centre x0 in R^k, label y0 > 0, radius r >= 0, margin w > 0.
b_j = relu(x_j - x0_j) + relu(x0_j - x_j) = |x_j - x0_j|; m_0 = 0, m_j = relu(m_{j-1} + relu(b_j - m_{j-1}));
output f = relu(y0 (1 - relu(m_k - r)/w)). Width k + 3, depth O(k), no approximation.

Proved, by exact case analysis:
1. relu(a) + relu(-a) = |a| (cases a >= 0 and a <= 0).
2. For m >= 0 and b >= 0: relu(m + relu(b - m)) = max(m, b) (cases b >= m and b <= m); by induction from
   m_0 = 0, m_k = max_j |x_j - x0_j| = ||x - x0||_inf.
3. f = y0 for m <= r; f = 0 for m >= r + w; f = y0 (1 - lambda) at m = r + lambda w, 0 <= lambda <= 1; so 0 <= f <= y0.
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, reduce_piecewise, relu, sign_on_box

y0, w = sp.symbols("y0 w", positive=True)
r = sp.Symbol("r", nonnegative=True)


def output(m: sp.Expr) -> sp.Expr:
    """The indicator's output as a function of the running maximum m."""
    return relu(y0 * (1 - relu(m - r) / w))


def running_max_step(previous: sp.Expr, b: sp.Expr) -> sp.Expr:
    """One step of the running maximum: two ReLU layers."""
    return relu(previous + relu(b - previous))


def check() -> str:
    t = sp.Symbol("t", nonnegative=True)
    half_line = {t: (sp.Integer(0), sp.oo)}
    for sign in (1, -1):
        both = reduce_piecewise(relu(sign * t) + relu(-sign * t), half_line)
        assert_equal(both, t, f"relu(a) + relu(-a) = |a|, a = {sign} t")

    m, u = sp.symbols("m u", nonnegative=True)
    grid = {m: (sp.Integer(0), sp.oo), u: (sp.Integer(0), sp.oo)}
    assert_equal(reduce_piecewise(running_max_step(m, m + u), grid), m + u, "running max = b when b >= m >= 0")
    assert_equal(reduce_piecewise(running_max_step(m + u, m), grid), m + u, "running max = m when m >= b >= 0")
    assert_equal(reduce_piecewise(running_max_step(0, u), {u: (sp.Integer(0), sp.oo)}), u, "m_1 = b_1 from m_0 = 0")

    assert_equal(reduce_piecewise(output(r - u), {u: (sp.Integer(0), r)}), y0, "f = y0 for 0 <= m <= r")
    assert_equal(reduce_piecewise(output(r + w + t), half_line), 0, "f = 0 for m >= r + w")
    lam = sp.Symbol("lambda", nonnegative=True)
    unit = {lam: (sp.Integer(0), sp.Integer(1))}
    ramp = reduce_piecewise(output(r + lam * w), unit)
    assert_equal(ramp, y0 * (1 - lam), "f = y0 (1 - lambda) at m = r + lambda w")
    assert_holds(sign_on_box(ramp, unit) > 0 and sign_on_box(y0 - ramp, unit) > 0, "0 <= f <= y0 on the ramp")
    return "|a| = relu(a) + relu(-a); running max exact on nonnegative inputs; f = y0 (m <= r), 0 (m >= r + w)"


if __name__ == "__main__":
    print(check())
