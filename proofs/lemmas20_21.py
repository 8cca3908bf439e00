"""Lemmas 20-21: a rank-k map with no kernel pair can be rescaled to preserve D, and then (1/eps) P_W with eps = 1/||M||_2.

Egosi, Yehudai, Shamir (COLT 2025), Appendix B.2. Lemma 20: if D is not (sigma, k)-preservable, every rank-k M has
a_i in B_2(x_i, sigma), a_j in B_2(x_j, sigma), y_i != y_j, with M(a_i - a_j) = 0 (proof: otherwise
t = min ||M z|| > 0 over the compact Minkowski differences B_ij = B(x_i - x_j, 2 sigma) and tau' = max ||z||, and
M' = (tau'/t) M preserves D). Lemma 21: D is (sigma, eps, k)-orthogonally preservable iff it is (sigma, k)-preservable
under some M with ||M||_2 = 1/eps (proof: M = (1/eps) P one way; the SVD M = U Sigma V^T and the projection P_W onto
the top-k right singular vectors the other, via ||M x|| <= s_1 ||P_W x||). No typo in either.

Proved here, exactly:
* Lemma 20's rescaling: if ||M z|| >= t > 0 and ||z|| <= tau' then ||(tau'/t) M z|| - ||z|| =
  (tau'/t)(||M z|| - t) + (tau' - ||z||) >= 0 (identity + signs).
* Lemma 21's key inequality for every k (termwise in the right-singular coordinates c_i = v_i . x):
  s_1^2 ||P_W x||^2 - ||M x||^2 = sum_i (s_1^2 - s_i^2) c_i^2 >= 0; and ||(1/eps) P||_2 = 1/eps for a nonzero
  orthogonal projection (P^2 = P = P^T, so its eigenvalues are 0 and 1).
* A rational instance (d = 4, k = 2, M = U Sigma V^T with rational orthogonal U, V from Cayley transforms):
  M^T M = V Sigma^2 V^T and s_1^2 P_W - M^T M = V diag(s_1^2 - s_i^2) V^T (exact matrices), so ||M||_2 = s_1; for a
  rational 4-point dataset, each differently-labelled pair is decided exactly: either dist(x_i - x_j, ker M)
  = ||P_row (x_i - x_j)|| <= 2 sigma and explicit rational a_i, a_j with M(a_i - a_j) = 0 are checked (Lemma 20's
  conclusion), or t_ij >= s_k (||P_row c|| - 2 sigma) > 0 (||M z|| >= s_k ||P_W z||, exact matrix identity, and
  P_W is 1-Lipschitz) and M' = (tau'/t) M preserves the pair.
"""

from __future__ import annotations

import sympy as sp

from robustmem.proofcheck import assert_equal, assert_holds, assert_nonnegative


def cayley(skew: sp.Matrix) -> sp.Matrix:
    """The rational orthogonal matrix (I - A)(I + A)^{-1} of a rational skew-symmetric A."""
    eye = sp.eye(skew.shape[0])
    return (eye - skew) * (eye + skew).inv()


def rational_instance() -> tuple[sp.Matrix, sp.Matrix, list[sp.Rational]]:
    """(M, V, singular values) with M = U diag(s) V^T, d = 4, rank 2, U and V rational orthogonal."""
    a = sp.Matrix([[0, 1, 2, 0], [-1, 0, 1, 1], [-2, -1, 0, 3], [0, -1, -3, 0]]) / 3
    b = sp.Matrix([[0, 2, -1, 1], [-2, 0, 1, 0], [1, -1, 0, 2], [-1, 0, -2, 0]]) / 5
    U, V = cayley(a), cayley(b)
    s = [sp.Integer(3), sp.Rational(3, 2), sp.Integer(0), sp.Integer(0)]
    return U * sp.diag(*s) * V.T, V, s


def check() -> str:
    # Lemma 20's rescaling step
    Mz, z, t, tau = sp.symbols("Mz z t tau", positive=True)
    e1, e2 = sp.symbols("e1 e2", nonnegative=True)  # ||M z|| - t >= 0, tau' - ||z|| >= 0
    scaled = (tau / t) * Mz - z
    assert_equal(scaled, (tau / t) * (Mz - t) + (tau - z), "||M' z|| - ||z|| split")
    assert_nonnegative((tau / t) * e1 + e2, "||M' z|| >= ||z||")
    # Lemma 21, every k: termwise in the coordinates c_i = v_i . x
    s1, c, g = sp.symbols("s1 c g", positive=True)  # s_i^2 = s1^2 - g with g >= 0
    assert_equal(s1**2 * c**2 - (s1**2 - g) * c**2, g * c**2, "s_1^2 c_i^2 - s_i^2 c_i^2 = (s_1^2 - s_i^2) c_i^2")
    assert_nonnegative(g * c**2, "each term of s_1^2 ||P_W x||^2 - ||M x||^2 is >= 0")
    # the rational instance
    M, V, s = rational_instance()
    assert_equal((V.T * V - sp.eye(4)).norm(), 0, "V is orthogonal")
    assert_holds(M.rank() == 2, "M has rank k = 2")
    assert_equal((M.T * M - V * sp.diag(*[x**2 for x in s]) * V.T).norm(), 0, "M^T M = V Sigma^2 V^T")
    P_W = V[:, :2] * V[:, :2].T
    assert_equal((P_W * P_W - P_W).norm() + (P_W - P_W.T).norm(), 0, "P_W is an orthogonal projection")
    gap = s[0] ** 2 * P_W - M.T * M
    assert_equal(
        (gap - V * sp.diag(*[s[0] ** 2 - x**2 if i < 2 else 0 for i, x in enumerate(s)]) * V.T).norm(),
        0,
        "s_1^2 P_W - M^T M = V diag(s_1^2 - s_i^2, 0, 0) V^T",
    )
    assert_holds(all(s[0] ** 2 - x**2 >= 0 for x in s[:2]), "that diagonal is >= 0: ||M x|| <= s_1 ||P_W x||")
    low = M.T * M - s[1] ** 2 * P_W
    assert_equal(
        (low - V * sp.diag(*[x**2 - s[1] ** 2 if i < 2 else 0 for i, x in enumerate(s)]) * V.T).norm(),
        0,
        "M^T M - s_k^2 P_W = V diag(s_i^2 - s_k^2, 0, 0) V^T >= 0: ||M z|| >= s_k ||P_W z||",
    )
    eps = 1 / s[0]
    assert_holds(max((M.T * M).eigenvals()) == s[0] ** 2, "||M||_2 = s_1 = 1/eps")
    assert_holds(set((P_W / eps).T.multiply(P_W / eps).eigenvals()) == {0, s[0] ** 2}, "||(1/eps) P_W||_2 = 1/eps")
    # a rational dataset and two radii: Lemma 20's dichotomy decided per pair
    X = [sp.Matrix(v) for v in ([0, 0, 0, 0], [4, 1, 0, 2], [1, 3, 2, 0], [-2, 2, 5, 1])]
    labels = [1, 2, 1, 2]
    P_row = P_W  # the row space of M = span of the top-k right singular vectors
    decided = {"kernel pair": 0, "rescaled": 0}
    for sigma in (sp.Rational(1, 10), sp.Integer(3)):
        for i in range(4):
            for j in range(i + 1, 4):
                if labels[i] == labels[j]:
                    continue
                cij = X[i] - X[j]
                proj = P_row * cij
                if proj.dot(proj) <= 4 * sigma**2:  # the ball B(c, 2 sigma) meets ker M: exhibit the pair
                    a_i, a_j = X[i] - proj / 2, X[j] + proj / 2
                    assert_equal((M * (a_i - a_j)).norm(), 0, f"M(a_{i} - a_{j}) = 0")
                    assert_holds((a_i - X[i]).dot(a_i - X[i]) <= sigma**2, f"a_{i} in B(x_{i}, sigma)")
                    assert_holds((a_j - X[j]).dot(a_j - X[j]) <= sigma**2, f"a_{j} in B(x_{j}, sigma)")
                    decided["kernel pair"] += 1
                    continue
                t_low = s[1] * (sp.sqrt(proj.dot(proj)) - 2 * sigma)  # ||M z|| >= s_k ||P_row z|| >= this
                tau_prime = sp.sqrt(cij.dot(cij)) + 2 * sigma
                assert_holds(t_low > 0, f"t_{i}{j} > 0")
                scale = tau_prime / t_low  # M' = scale * M; on B_ij: ||M' z|| >= tau' >= ||z||
                assert_equal(scale * t_low, tau_prime, "||M' z|| >= (tau'/t) t = tau'")
                decided["rescaled"] += 1
    assert_holds(decided["kernel pair"] > 0 and decided["rescaled"] > 0, "both branches of Lemma 20 occur")
    return (
        "Lemma 20's rescaling and Lemma 21's ||M x|| <= s_1 ||P_W x|| (every k); a rational rank-2 instance: exact"
        f" SVD identities, ||M||_2 = 1/eps, {decided['kernel pair']} kernel pairs exhibited, {decided['rescaled']}"
        " pairs rescaled"
    )


if __name__ == "__main__":
    print(check())
