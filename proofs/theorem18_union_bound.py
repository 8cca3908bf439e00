"""Theorem 18's union bound: with eps = (1/2) sqrt(k/(d e)) N^{-2/k}, a random projection fails some pair with probability <= (N-1)/(2N) < 1/2.

Egosi, Yehudai, Shamir (COLT 2025), proof of Theorem 18. For a unit vector z_hat and a Haar-random rank-k orthogonal
projection P of R^d (k < d), Dasgupta and Gupta (2003, Lemma 2.2(a)) give, for 0 < beta < 1,
    P(||P z_hat||^2 <= beta k/d) <= beta^{k/2} (1 + (1 - beta) k/(d - k))^{(d-k)/2}      (cited, not re-proved;
the tests compare it with the exact Beta law at many points). Proved here:
1. beta^{k/2} (1 + (1-beta) k/(d-k))^{(d-k)/2} <= beta^{k/2} e^{(1-beta) k/2} <= (e beta)^{k/2}, from 1 + x <= e^x
   (g(x) = e^x - 1 - x has g(0) = g'(0) = 0 and g'' = e^x > 0) with x = (1-beta) k/(d-k) >= 0, and e^{-beta k/2} <= 1.
2. At radius 2 eps, i.e. beta = (2 eps)^2 d/k: e beta = N^{-4/k}, so beta = N^{-4/k}/e < 1 and (e beta)^{k/2} = N^{-2}.
3. With at most N(N-1)/2 differently-labelled pairs: N(N-1)/2 * N^{-2} = (N-1)/(2N) = 1/2 - 1/(2N) < 1/2, so some P
   has ||P z_hat|| > 2 eps for every pair, which proofs/theorem18_cap.py turns into ||P(a - a')|| >= eps ||a - a'||.
   (For k = d, P is the identity and ||P z_hat|| = 1 > 2 eps.)
"""

from __future__ import annotations

import sympy as sp

from robustmem.bounds import (
    dasgupta_gupta_bound_expr,
    projection_small_ball_bound_expr,
    theorem18_epsilon_expr,
    theorem18_union_bound_expr,
)
from robustmem.proofcheck import assert_equal, assert_holds


def check() -> str:
    x = sp.Symbol("x", nonnegative=True)
    g = sp.exp(x) - 1 - x
    assert_equal(g.subs(x, 0), 0, "g(0) = 0")
    assert_equal(sp.diff(g, x).subs(x, 0), 0, "g'(0) = 0")
    assert_holds(sp.diff(g, x, 2).is_positive, "g'' = e^x > 0")

    beta, k, d = sp.symbols("beta k d", positive=True)
    x_dg = (1 - beta) * k / (d - k)
    assert_equal(x_dg * (d - k) / 2, (1 - beta) * k / 2, "(1 + x)^{(d-k)/2} <= e^{x (d-k)/2} = e^{(1-beta) k/2}")
    relaxed = beta ** (k / 2) * sp.exp((1 - beta) * k / 2)
    assert_equal(
        dasgupta_gupta_bound_expr(beta, k, d),
        beta ** (k / 2) * (1 + x_dg) ** ((d - k) / 2),
        "robustmem.bounds.dasgupta_gupta_bound_expr is the Dasgupta-Gupta bound",
    )
    ratio = relaxed / (sp.E * beta) ** (k / 2)
    assert_equal(ratio, sp.exp(-beta * k / 2), "beta^{k/2} e^{(1-beta)k/2} / (e beta)^{k/2} = e^{-beta k/2}")

    N = sp.Symbol("N", positive=True)
    eps = theorem18_epsilon_expr(N, d, k)
    beta_18 = (2 * eps) ** 2 * d / k
    assert_equal(sp.E * beta_18, N ** (-4 / k), "e beta = N^{-4/k} at radius 2 eps")
    assert_equal(projection_small_ball_bound_expr(2 * eps, k, d), N ** (-2), "(e beta)^{k/2} = N^{-2}")
    assert_holds(sp.E > 1, "beta = N^{-4/k}/e < 1 (N >= 1)")
    union = N * (N - 1) / 2 * N ** (-2)
    assert_equal(union, (N - 1) / (2 * N), "N(N-1)/2 * N^{-2} = (N-1)/(2N)")
    assert_equal(sp.Rational(1, 2) - union, 1 / (2 * N), "1/2 - (N-1)/(2N) = 1/(2N) > 0")
    assert_equal(theorem18_union_bound_expr(N, d, k), (N - 1) / (2 * N), "robustmem.bounds.theorem18_union_bound_expr")
    return "(e beta)^{k/2} = N^{-2} at radius 2 eps; union over N(N-1)/2 pairs = (N-1)/(2N) < 1/2"


if __name__ == "__main__":
    print(check())
