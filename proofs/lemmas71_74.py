"""Lemmas 71, 72, 74: projections map balls onto balls, P_{gW} = g P_W g^T, and dimension counting forces a kernel vector.

Egosi, Yehudai, Shamir (COLT 2025), Appendix H.4. Lemma 71: for an orthogonal projection P, a point x, r >= 0 and
a' in Im P with ||a' - Px|| <= r, a = a' + x - Px lies in B_2(x, r) and Pa = a' (so P maps B_2(x, r) onto the
r-ball around Px in Im P). Lemma 72: ||P_{gW} x|| = ||P_W(g^{-1} x)|| for g in O(d). Lemma 74 (Grassmann's
identity): subspaces of dimensions l_1 and l_2 >= d - l_1 + 1 share a nonzero vector; Theorem 19 uses it for
ker W^{(1)} (dimension >= d - k) and the (k+1)-dimensional span of the hard instance. No typo.
(Lemma 73, that g maps a cover to a cover, is a two-line set argument; the package's hard instance builds the
difference cover it gives and tests it, see the fidelity table.)

Proved here:
* Lemma 71, symbolically: P(a' + x - Px) - a' = (P a' - a') + (P x - P^2 x) and (a' + x - Px) - x = a' - Px are
  identities of noncommutative matrix symbols, zero when P^2 = P and P a' = a'; and exactly on rational instances
  (P = B (B^T B)^{-1} B^T with rational B, d = 5, k = 1..4).
* Lemma 72, exactly: for rational orthogonal g (Cayley transforms) and rational bases B of W, the projection onto
  span(g B) equals g P_W g^T, hence ||P_{gW} x||^2 = ||P_W g^T x||^2 (g^T = g^{-1}), checked on rational x.
* Lemma 74, exactly: for rational W of rank k (k x d, d = 6, k = 1..5) the k x (k+1) system W[:, :k+1] y = 0 has a
  nonzero rational solution, a nonzero vector of ker W inside span(e_1..e_{k+1}); and for random rational subspaces
  with l_1 + l_2 > d, rank([B_1 | B_2]) < l_1 + l_2 yields a nonzero common vector, checked to lie in both.
"""

from __future__ import annotations

import random

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds


def _rational_matrix(rng: random.Random, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Rational(rng.randint(-6, 6), rng.randint(1, 4)))


def _projection(B: sp.Matrix) -> sp.Matrix:
    return B * (B.T * B).inv() * B.T


def _cayley(rng: random.Random, d: int) -> sp.Matrix:
    A = _rational_matrix(rng, d, d)
    skew = (A - A.T) / 2
    return (sp.eye(d) - skew) * (sp.eye(d) + skew).inv()


def check() -> str:
    # Lemma 71, symbolically
    d = sp.Symbol("d", integer=True, positive=True)
    P = sp.MatrixSymbol("P", d, d)
    x, a1 = sp.MatrixSymbol("x", d, 1), sp.MatrixSymbol("a1", d, 1)
    a = a1 + x - P * x
    zero = sp.ZeroMatrix(d, 1)
    assert_holds(sp.expand(P * a - a1 - ((P * a1 - a1) + (P * x - P * P * x))) == zero, "P a - a' split")
    assert_holds(sp.expand(a - x - (a1 - P * x)) == zero, "a - x = a' - P x")
    assert_holds(sp.expand(P * a - a1) != zero, "(the split is not vacuous: P a - a' is not identically 0)")
    rng = random.Random(71)
    checks = 0
    for k in range(1, 5):
        B = _rational_matrix(rng, 5, k)
        if B.rank() < k:
            continue
        Pk = _projection(B)
        assert_equal((Pk * Pk - Pk).norm() + (Pk - Pk.T).norm(), 0, f"P is an orthogonal projection (k = {k})")
        xv, w = _rational_matrix(rng, 5, 1), _rational_matrix(rng, 5, 1)
        a_prime = Pk * w  # any point of Im P
        av = a_prime + xv - Pk * xv
        assert_equal((Pk * av - a_prime).norm(), 0, "Lemma 71: P a = a'")
        assert_equal((av - xv).dot(av - xv) - (a_prime - Pk * xv).dot(a_prime - Pk * xv), 0, "||a - x|| = ||a' - Px||")
        # Lemma 72 on the same W
        g = _cayley(rng, 5)
        assert_equal((g.T * g - sp.eye(5)).norm(), 0, "g is orthogonal")
        P_gW = _projection(g * B)
        assert_equal((P_gW - g * Pk * g.T).norm(), 0, "P_{gW} = g P_W g^T")
        lhs, rhs = P_gW * xv, Pk * (g.T * xv)
        assert_equal(lhs.dot(lhs) - rhs.dot(rhs), 0, "Lemma 72: ||P_{gW} x|| = ||P_W g^{-1} x||")
        checks += 1
    # Lemma 74
    for k in range(1, 6):
        W = _rational_matrix(rng, k, 6)
        null = W[:, : k + 1].nullspace()
        assert_holds(len(null) >= 1, f"k = {k}: the k x (k+1) system has a nonzero solution")
        v = sp.Matrix.vstack(null[0], sp.zeros(6 - k - 1, 1))
        assert_equal((W * v).norm(), 0, f"k = {k}: W v = 0 for v in span(e_1..e_(k+1))")
        assert_holds(v.norm() != 0, "v != 0")
        l1 = rng.randint(1, 5)
        l2 = 6 - l1 + 1
        B1, B2 = _rational_matrix(rng, 6, l1), _rational_matrix(rng, 6, l2)
        coefficients = sp.Matrix.hstack(B1, -B2).nullspace()
        assert_holds(len(coefficients) >= 1, "l_1 + l_2 > d: [B_1 | -B_2] has a kernel")
        common = B1 * coefficients[0][:l1, :]
        assert_equal((common - B2 * coefficients[0][l1:, :]).norm(), 0, "the common vector lies in both")
        if B1.rank() == l1:
            assert_holds(common.norm() != 0, "and is nonzero (B_1 has full rank)")
        checks += 1
    return f"Lemma 71 symbolically and Lemmas 71, 72, 74 exactly on {checks} rational instances"


if __name__ == "__main__":
    print(check())
