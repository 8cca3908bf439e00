"""Theorem 37's chain: max(a, b) = a + relu(b - a), and the running maximum of the ball indicators outputs y_i on ball i.

Egosi, Yehudai, Shamir (COLT 2025), Theorem 37 (p in [1, inf], r < tau/2, tau <= ||x_i - x_j||_p whenever
y_i != y_j, w = tau - 2r). Indicator z_j of ball j outputs y_j on B_p(x_j, r), 0 outside B_p(x_j, r + w), and
lies in [0, y_j] everywhere (Lemmas 38, 39). The chain carries M_0 = 0, M_i = M_{i-1} + relu(z_i - M_{i-1}).

Proved, by exact case analysis:
1. max(a, b) = a + relu(b - a) for all real a, b (cases b >= a and b <= a).
2. For a, b >= 0 also relu(a + relu(b - a)) = max(a, b): the running maximum survives a ReLU layer.
3. For x in B_p(x_i, r): an other-label j has ||x - x_j||_p >= tau - r = r + w, so z_j = 0; a same-label j has
   0 <= z_j <= y_j = y_i; and z_i = y_i. With labels >= 1, max(y_i, z_same, 0) = y_i for every z_same in [0, y_i],
   so M_N = y_i exactly (the order of the points does not matter since max is associative and commutative).
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, reduce_piecewise, relu


def max_gadget(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """max(a, b) as one ReLU: a + relu(b - a)."""
    return a + relu(b - a)


def check() -> str:
    a = sp.Symbol("a", real=True)
    u = sp.Symbol("u", nonnegative=True)
    half_line = {u: (sp.Integer(0), sp.oo)}
    assert_equal(reduce_piecewise(max_gadget(a, a + u), half_line), a + u, "max(a, b) = b for b = a + u >= a")
    assert_equal(reduce_piecewise(max_gadget(a, a - u), half_line), a, "max(a, b) = a for b = a - u <= a")

    s, t = sp.symbols("s t", nonnegative=True)
    quadrant = {s: (sp.Integer(0), sp.oo), t: (sp.Integer(0), sp.oo)}
    assert_equal(reduce_piecewise(relu(max_gadget(s, s + t)), quadrant), s + t, "relu(max) = max, b >= a >= 0")
    assert_equal(reduce_piecewise(relu(max_gadget(s + t, s)), quadrant), s + t, "relu(max) = max, a >= b >= 0")

    tau, r = sp.symbols("tau r", positive=True)
    w = tau - 2 * r
    assert_equal((tau - r) - (r + w), 0, "tau - r = r + w: other-label indicators vanish on ball i")

    y = sp.Symbol("y", positive=True)  # y_i >= 1 > 0
    z = sp.Symbol("z", nonnegative=True)  # a same-label indicator output in [0, y]
    running = max_gadget(max_gadget(max_gadget(sp.Integer(0), y), z), sp.Integer(0))
    assert_equal(reduce_piecewise(running, {z: (sp.Integer(0), y)}), y, "M = y_i: own y_i, same-label z, other-label 0")
    running_other_order = max_gadget(max_gadget(max_gadget(sp.Integer(0), z), sp.Integer(0)), y)
    assert_equal(reduce_piecewise(running_other_order, {z: (sp.Integer(0), y)}), y, "M = y_i in another order")
    return "max(a,b) = a + relu(b-a); relu-safe for nonnegative inputs; the running maximum outputs y_i on ball i"


if __name__ == "__main__":
    print(check())
