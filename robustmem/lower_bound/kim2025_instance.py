"""The necessary-width instance of Kim, Moon, Yun (NeurIPS 2025, arXiv 2510.24643) and its attack.

Instance: D = {(e_j, 1) : j = 1..k} u {(0, 2)} in R^d (k <= d unit vectors, default k = d), so
N = k + 1, delta = 1 (the l_2 separation: ||e_j - 0||_2 = 1; the e_j share a label), and for a
robustness ratio rho = 2 sigma / delta in (0, 1) the radius sigma = rho delta / 2.  Their
statement: a network that (sigma, 2)-robustly memorizes every such dataset needs first-layer width
>= rho^2 min(N - 1, d).

The argument made concrete (our proof of the step we verify): let W (m x d) be the first layer and
S = span(e_1..e_k).  If m < rho^2 k, the kernel K of W restricted to S has dimension >= k - m, so
with P the orthogonal projection onto K (inside S), sum_j ||P e_j||^2 = trace P >= k - m and some j
has ||P e_j||^2 >= (k - m) / k > 1 - rho^2; then r = e_j - P e_j has ||r||_2^2 = 1 - ||P e_j||^2
< rho^2 = (2 sigma)^2.  The points a = e_j - r / 2 in B_2(e_j, sigma) and a' = r / 2 in B_2(0, sigma)
satisfy a - a' = P e_j in ker W, so W a = W a': the network outputs the same value at both and
misses label 1 or label 2.  (The l_2 balls lie inside the l_p balls of the same radius for p >= 2,
so the same pair defeats l_p robustness for every p >= 2.)

Everything is exact: the kernel basis and the projection are computed in rational arithmetic on the
float64 weights, and the network is evaluated at the rational points a, a' with Fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from robustmem.data import Dataset
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.attack import exact_kernel
from robustmem.network.network import ReLUNetwork

__all__ = ["Kim2025Attack", "Kim2025Instance", "exact_forward", "kim2025_attack", "kim2025_hard_instance"]


@dataclass(frozen=True, eq=False)
class Kim2025Instance:
    """{(e_j, 1)}_{j <= k} u {(0, 2)} in R^d with delta = 1 and sigma = rho delta / 2."""

    dataset: Dataset
    d: int
    k: int
    rho: float
    delta: float
    sigma: float

    @property
    def necessary_width(self) -> float:
        """rho^2 min(N - 1, d): a first layer narrower than this is defeated by :func:`kim2025_attack`."""
        return self.rho**2 * min(self.dataset.N - 1, self.d)


def kim2025_hard_instance(d: int, rho: float, *, k: int | None = None) -> Kim2025Instance:
    """The hard instance of Kim, Moon, Yun 2025 (k = d unit vectors by default).

    >>> inst = kim2025_hard_instance(4, 0.5)
    >>> inst.dataset.N, inst.delta, inst.sigma, inst.necessary_width
    (5, 1.0, 0.25, 1.0)
    """
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise InvalidArgumentError(f"d must be an integer >= 1, got {d!r}")
    k = int(d) if k is None else k
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= d:
        raise InvalidArgumentError(f"k must be an integer in [1, d = {d}], got {k!r}")
    if isinstance(rho, bool) or not isinstance(rho, (int, float)) or not 0 < rho < 1:
        raise InvalidArgumentError(f"rho = 2 sigma / delta must lie in (0, 1), got {rho!r}")
    X = np.zeros((k + 1, d))
    X[np.arange(k), np.arange(k)] = 1.0
    y = np.array([1] * k + [2])
    ds = Dataset.from_arrays(X, y, name=f"kim2025(d={d}, k={k})")
    return Kim2025Instance(ds, int(d), int(k), float(rho), 1.0, float(rho) / 2.0)


def exact_forward(net: ReLUNetwork, x: list[Fraction]) -> Fraction:
    """f(x) for a rational input, in exact arithmetic over the network's dense layers."""
    h = list(x)
    layers = list(net.layers())
    for n, lay in enumerate(layers):
        W, b = lay.W, lay.b
        out = []
        for row, bias in zip(W, b):
            acc = Fraction(float(bias))
            for wv, hv in zip(row, h):
                if wv != 0.0 and hv != 0:
                    acc += Fraction(float(wv)) * hv
            out.append(acc if n == len(layers) - 1 or acc > 0 else Fraction(0))
        h = out
    return h[0]


@dataclass(frozen=True, eq=False)
class Kim2025Attack:
    """Two points in differently-labelled sigma-balls with the same first-layer image.

    ``a`` in B_2(e_j, sigma) (label 1), ``a_prime`` in B_2(0, sigma) (label 2), both exact rationals;
    ``image_gap_exact`` = max |(W (a - a'))_m| = 0; ``outputs_exact`` the network's exact values at
    both (equal); ``wrong_labels`` the labels the common value misses (at least one).
    """

    j: int
    a: tuple[Fraction, ...]
    a_prime: tuple[Fraction, ...]
    first_layer_width: int
    kernel_dim: int
    distance_sq: Fraction  # ||a - e_j||_2^2 = ||a'||_2^2 = ||r||^2 / 4
    sigma: float
    image_gap_exact: Fraction
    outputs_exact: tuple[Fraction, Fraction] | None
    wrong_labels: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.image_gap_exact != 0:
            raise InvalidArgumentError(f"W a != W a': gap {self.image_gap_exact}")
        if not self.distance_sq <= Fraction(self.sigma) ** 2:
            raise InvalidArgumentError(
                f"the pair is at l_2 distance {math.sqrt(self.distance_sq)!r} > sigma = {self.sigma!r}"
            )


def _solve_exact(G: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    n = len(G)
    M = [row[:] + [v] for row, v in zip(G, rhs)]
    for c in range(n):
        piv = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[piv] = M[piv], M[c]
        inv = 1 / M[c][c]
        M[c] = [v * inv for v in M[c]]
        for r in range(n):
            if r != c and M[r][c] != 0:
                f = M[r][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    return [M[r][n] for r in range(n)]


def kim2025_attack(net_or_matrix: Any, instance: Kim2025Instance) -> Kim2025Attack:
    """Defeat a first layer W of width m < rho^2 k on the Kim-Moon-Yun instance (module docstring).

    Guarantee: the returned a, a' are exact rationals in the closed l_2 balls of radius sigma
    around e_j (label 1) and 0 (label 2), with W a = W a' exactly; for a network, its exact outputs
    at a and a' are computed independently and are equal.  HypothesisError when no unit vector is
    within 2 sigma of the kernel (always avoided when m < rho^2 k; possible, not certain, otherwise).
    """
    if not isinstance(instance, Kim2025Instance):
        raise InvalidArgumentError(f"instance must be a Kim2025Instance, got {type(instance).__name__}")
    d, k = instance.d, instance.k
    net = net_or_matrix if isinstance(net_or_matrix, ReLUNetwork) else None
    W = np.asarray(next(iter(net.layers())).W if net is not None else net_or_matrix, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d:
        raise InvalidArgumentError(f"the first layer must have shape (m, d = {d}), got {W.shape}")
    basis = exact_kernel(W[:, :k])  # kernel inside S = span(e_1..e_k)
    if not basis:
        raise HypothesisError(f"the first layer has full rank {k} on span(e_1..e_{k}): no kernel direction")
    q = len(basis)
    G = [[sum((u * v for u, v in zip(bu, bv)), Fraction(0)) for bv in basis] for bu in basis]
    # ||P e_j||^2 = c_j^T G c_j with G c_j = (basis_l[j])_l; pick j maximising it (float screening, exact check)
    Kf = np.array([[float(v) for v in bu] for bu in basis])  # q x k
    Pf = Kf.T @ np.linalg.solve(Kf @ Kf.T, Kf)
    order = np.argsort(-np.diag(Pf), kind="stable")
    s2 = Fraction(instance.sigma) ** 2
    for j in (int(t) for t in order[:3]):
        c = _solve_exact(G, [bu[j] for bu in basis])
        Pe = [sum((cl * bu[i] for cl, bu in zip(c, basis)), Fraction(0)) for i in range(k)]
        r = [(Fraction(1) if i == j else Fraction(0)) - Pe[i] for i in range(k)]
        dist_sq = sum((v * v for v in r), Fraction(0)) / 4
        if dist_sq <= s2:
            break
    else:
        raise HypothesisError(
            f"no unit vector lies within 2 sigma = {2 * instance.sigma!r} of the first layer's kernel "
            f"(width {W.shape[0]} >= rho^2 k = {instance.rho**2 * k:.6g} is allowed to resist)"
        )
    a = [Fraction(0)] * d
    a_prime = [Fraction(0)] * d
    for i in range(k):
        a[i] = (Fraction(1) if i == j else Fraction(0)) - r[i] / 2
        a_prime[i] = r[i] / 2
    gap = max(abs(sum((Fraction(float(wv)) * (u - v) for wv, u, v in zip(row, a, a_prime)), Fraction(0))) for row in W)
    outputs = None
    wrong: tuple[int, ...] = ()
    if net is not None:
        fa, fb = exact_forward(net, a), exact_forward(net, a_prime)
        outputs = (fa, fb)
        wrong = tuple(lab for lab, val in ((1, fa), (2, fb)) if val != lab)
    return Kim2025Attack(j, tuple(a), tuple(a_prime), int(W.shape[0]), q, dist_sq, instance.sigma, gap, outputs, wrong)
