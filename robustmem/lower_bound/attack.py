"""Theorem 17 made concrete: a first layer of rank <= k cannot separate Theorem 19's instance.

:func:`kernel_attack` takes a network (its first affine map W) or a matrix W and returns two points
a in B_p(x_i, sigma), a' in B_p(x_j, sigma) with y_i = 1 != 2 = y_j and W a = W a' EXACTLY (rational
arithmetic on the float64 weights): the network computes the same function value at both, so it is wrong
at one of them at least.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.lower_bound.instance import HardInstance
from robustmem.network import ReLUNetwork, evaluate_exact
from robustmem.norms import check_p, pnorm

__all__ = ["KernelAttackResult", "exact_kernel", "kernel_attack"]

RANK_TOL = 1e-10  # relative singular-value threshold for the float fallback (matrix not exactly rank-deficient)


@dataclass(frozen=True, eq=False)
class KernelAttackResult:
    """Two differently-labelled robustness balls that one first-layer image cannot tell apart.

    ``a`` (float64, rounded from the exact rational ``a_exact``) lies in B_p(x_i, sigma); ``a_prime`` = x_j.
    With ``exact_kernel`` True, W a_exact = W a_prime holds exactly (``image_gap_exact`` == 0), so the
    network's exact outputs at a_exact and a_prime coincide; ``exact_output`` is that common value
    (computed exactly at a_prime) and ``wrong_labels`` the labels it misses (at least one of y_i, y_j).
    ``outputs`` are the float64 outputs at the rounded points ``a`` and ``a_prime``.
    """

    a: np.ndarray
    a_prime: np.ndarray
    a_exact: tuple[Fraction, ...] | None
    i: int
    j: int
    label_i: int
    label_j: int
    kernel_vector: np.ndarray  # unit, in R^d, supported on the instance's subspace
    exact_kernel: bool
    first_layer_rank: int  # numerical rank of W restricted to the subspace
    sigma: float
    p: float
    distance: float  # ||a_exact - x_i||_p
    distance_l2: float
    distance_prime: float  # ||a' - x_j||_p = 0
    distance_check: Literal["exact", "float"]
    image_gap: float  # ||W a - W a'||_2 at the float64 points
    image_gap_exact: Fraction | None  # max |(W (a_exact - a'))_m|
    outputs: tuple[float, float] | None
    exact_output: Fraction | None
    wrong_labels: tuple[int, ...]

    def __post_init__(self) -> None:
        if self.label_i == self.label_j:
            raise InvalidArgumentError(f"the pair ({self.i}, {self.j}) has equal labels {self.label_i}")
        if not self.distance <= self.sigma:
            raise InvalidArgumentError(f"a is at distance {self.distance!r} > sigma = {self.sigma!r} from x_{self.i}")
        if self.exact_kernel and self.image_gap_exact != 0:
            raise InvalidArgumentError(f"exact kernel but W(a - a') = {self.image_gap_exact} != 0")


def exact_kernel(W: np.ndarray) -> list[list[Fraction]]:
    """A basis of the kernel of W (float64 entries read as exact rationals), by Gaussian elimination."""
    M = [[Fraction(float(v)) for v in row] for row in np.asarray(W, dtype=np.float64)]
    n = int(np.shape(W)[1])
    pivots: list[int] = []
    row = 0
    for col in range(n):
        piv = next((r for r in range(row, len(M)) if M[r][col] != 0), None)
        if piv is None:
            continue
        M[row], M[piv] = M[piv], M[row]
        inv = 1 / M[row][col]
        M[row] = [v * inv for v in M[row]]
        for r in range(len(M)):
            if r != row and M[r][col] != 0:
                f = M[r][col]
                M[r] = [a - f * b for a, b in zip(M[r], M[row])]
        pivots.append(col)
        row += 1
        if row == len(M):
            break
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        v = [Fraction(0)] * n
        v[free] = Fraction(1)
        for r, pc in enumerate(pivots):
            v[pc] = -M[r][free]
        basis.append(v)
    return basis


def _first_layer(net_or_matrix: Any, d: int) -> tuple[np.ndarray, ReLUNetwork | None]:
    if isinstance(net_or_matrix, ReLUNetwork):
        if net_or_matrix.input_dim != d:
            raise InvalidArgumentError(f"the network reads R^{net_or_matrix.input_dim}, the instance lives in R^{d}")
        return np.asarray(next(iter(net_or_matrix.layers())).W, dtype=np.float64), net_or_matrix
    W = np.asarray(net_or_matrix, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1:
        raise InvalidArgumentError(f"the first-layer matrix must have shape (m, d = {d}), got {W.shape}")
    if not np.isfinite(W).all():
        raise InvalidArgumentError("the first-layer matrix has non-finite entries")
    return W, None


def _best_pair(A: np.ndarray, B: np.ndarray, u: np.ndarray) -> tuple[int, int, float]:
    """(i, j, dist2): a_i closest (l_2) to the line b_j + R u, over all pairs."""
    best = (0, 0, math.inf)
    for s in range(0, len(B), 256):
        D = A[None, :, :] - B[s : s + 256, None, :]  # (nb, na, k+1)
        t = D @ u
        d2 = (D * D).sum(axis=2) - t * t
        jj, ii = np.unravel_index(int(np.argmin(d2)), d2.shape)
        if d2[jj, ii] < best[2]:
            best = (int(ii), s + int(jj), float(d2[jj, ii]))
    return best


def _lp_exact(diff: list[Fraction], p: float, sigma: float) -> tuple[float, bool, Literal["exact", "float"]]:
    """(||diff||_p, ||diff||_p <= sigma, how checked)."""
    s = Fraction(sigma)
    if math.isinf(p):
        m = max(abs(v) for v in diff)
        return float(m), m <= s, "exact"
    if p == 1.0:
        m = sum((abs(v) for v in diff), Fraction(0))
        return float(m), m <= s, "exact"
    if p == 2.0:
        m = sum((v * v for v in diff), Fraction(0))
        return math.sqrt(m), m <= s * s, "exact"
    value = float(pnorm(np.array([float(v) for v in diff]), p))
    return value, value <= sigma, "float"


def kernel_attack(net_or_matrix: Any, instance: HardInstance, *, sigma: float | None = None) -> KernelAttackResult:
    """Two differently-labelled sigma-balls of ``instance`` on which the first layer W agrees (Theorem 17).

    Guarantee: when W restricted to the instance's (k+1) coordinates has an exact kernel (always when W
    has <= k rows, e.g. the first layer of a width-<=k network), the returned a in B_p(x_i, sigma) and
    a' = x_j satisfy W a = W a' in exact rational arithmetic; the balls' membership is checked exactly for
    p in {1, 2, inf} (in float64 otherwise).  When the restriction only has NUMERICAL rank <= k
    (smallest singular value <= RANK_TOL times the largest) the kernel vector is a float singular vector
    and ``image_gap`` reports the residual.  HypothesisError when the restriction has rank k + 1, or when
    no pair lies within sigma (only possible for a sampled ``greedy`` cover or a smaller ``sigma``).

    Method: u = unit kernel vector of W in the subspace; over all class-1 points a_i and class-2 points
    b_j take the pair minimising the l_2 distance from a_i to the line b_j + R u (at most sigma' by the
    cover argument of :mod:`~robustmem.lower_bound.instance`); a = the point of that line closest to a_i,
    a = b_j - s v with s = <b_j - a_i, v> / <v, v> exact.

    >>> from robustmem.lower_bound.instance import hard_instance
    >>> inst = hard_instance(1, 2, 1.0, 0.01, 2.0)
    >>> res = kernel_attack(np.array([[1.0, 2.0]]), inst)
    >>> res.image_gap_exact, res.distance <= 0.01, (res.label_i, res.label_j)
    (Fraction(0, 1), True, (1, 2))
    """
    if not isinstance(instance, HardInstance):
        raise InvalidArgumentError(f"instance must be a HardInstance, got {type(instance).__name__}")
    d, S = instance.d, list(instance.subspace)
    sigma = instance.sigma if sigma is None else float(check_p(sigma, name="sigma"))
    p = instance.p
    W, net = _first_layer(net_or_matrix, d)
    v_exact, v, rank = _kernel_direction(W[:, S], instance.k)
    u = v / np.linalg.norm(v)
    X, y = instance.dataset.X, instance.dataset.y
    n1 = instance.n1
    i, jb, _ = _best_pair(X[:n1][:, S], X[n1:][:, S], u)
    j = n1 + jb
    xi, xj = X[i], X[j]
    if v_exact is not None:
        pt = _exact_point(W, xi, xj, S, v_exact, p, sigma)
    else:
        pt = _float_point(xi, xj, S, u, p, sigma)
    if not pt.inside:
        raise HypothesisError(
            f"no pair found within sigma = {sigma!r}: the best class-1 point {i} is at l_{p:g} distance "
            f"{pt.dist!r} from the kernel line through class-2 point {j} (instance covers: "
            f"{instance.inner_cover.verification}, sigma' = {instance.sigma_prime!r})"
        )
    image_gap = float(np.linalg.norm(W @ pt.a - W @ xj))
    outputs, exact_output, wrong = _outputs(net, pt.a, xj, (int(y[i]), int(y[j])), exact=v_exact is not None)
    full_u = np.zeros(d)
    full_u[S] = u
    return KernelAttackResult(
        pt.a,
        xj.copy(),
        pt.a_exact,
        i,
        j,
        int(y[i]),
        int(y[j]),
        full_u,
        v_exact is not None,
        rank,
        sigma,
        p,
        pt.dist,
        pt.dist_l2,
        0.0,
        pt.how,
        image_gap,
        pt.gap_exact,
        outputs,
        exact_output,
        wrong,
    )


def _kernel_direction(WS: np.ndarray, k: int) -> tuple[list[Fraction] | None, np.ndarray, int]:
    """(exact kernel vector or None, the float vector, numerical rank) of W restricted to the subspace: the
    first exact kernel basis vector; else, when the numerical rank is <= k, the last right singular vector;
    HypothesisError at rank k + 1."""
    sv = np.linalg.svd(WS, compute_uv=False)
    rank = int((sv > RANK_TOL * max(sv.max(), 1e-300)).sum())
    basis = exact_kernel(WS)
    if basis:
        return basis[0], np.array([float(t) for t in basis[0]]), rank
    if rank <= k:
        return None, np.linalg.svd(WS)[2][-1], rank
    raise HypothesisError(
        f"the first layer has rank {rank} = k + 1 on the instance's {WS.shape[1]} coordinates; "
        f"the attack needs rank <= k = {k} (a network of width <= k)"
    )


@dataclass(frozen=True, eq=False)
class _AttackPoint:
    """The point a on the kernel line through x_j closest to x_i, its distances and how they were checked."""

    a: np.ndarray
    a_exact: tuple[Fraction, ...] | None
    dist: float
    dist_l2: float
    inside: bool
    how: Literal["exact", "float"]
    gap_exact: Fraction | None


def _exact_point(
    W: np.ndarray, xi: np.ndarray, xj: np.ndarray, S: list[int], v: list[Fraction], p: float, sigma: float
) -> _AttackPoint:
    """a = x_j - s v on the subspace, s = <x_j - x_i, v> / <v, v> in exact rationals; W (a - x_j) exactly."""
    ai = [Fraction(float(t)) for t in xi[S]]
    bj = [Fraction(float(t)) for t in xj[S]]
    s = sum(((b - a) * w for a, b, w in zip(ai, bj, v)), Fraction(0)) / sum((w * w for w in v), Fraction(0))
    a_sub = [b - s * w for b, w in zip(bj, v)]
    a_full = [Fraction(float(t)) for t in xj]
    for c, val in zip(S, a_sub):
        a_full[c] = val
    diff = [val - a for val, a in zip(a_sub, ai)]
    dist, inside, how = _lp_exact(diff, p, sigma)
    dist_l2 = math.sqrt(sum(t * t for t in diff))
    Wf = [[Fraction(float(t)) for t in row] for row in W]
    gap_exact = max(
        abs(sum((w * (t - Fraction(float(x))) for w, t, x in zip(row, a_full, xj)), Fraction(0))) for row in Wf
    )
    return _AttackPoint(np.array([float(t) for t in a_full]), tuple(a_full), dist, dist_l2, inside, how, gap_exact)


def _float_point(xi: np.ndarray, xj: np.ndarray, S: list[int], u: np.ndarray, p: float, sigma: float) -> _AttackPoint:
    """The same point in float64 along the unit singular vector u (no exact kernel)."""
    t = float(np.dot(xj[S] - xi[S], u))
    a = xj.copy()
    a[S] = xj[S] - t * u
    dist = float(pnorm(a - xi, p))
    return _AttackPoint(a, None, dist, float(np.linalg.norm(a - xi)), dist <= sigma, "float", None)


def _outputs(
    net: ReLUNetwork | None, a: np.ndarray, xj: np.ndarray, labels: tuple[int, int], *, exact: bool
) -> tuple[tuple[float, float] | None, Fraction | None, tuple[int, ...]]:
    """(float64 outputs at a and x_j, the exact common output at x_j, the labels missed); all empty without
    a network.  With an exact kernel the exact output at x_j is the network's value at a_exact as well."""
    if net is None:
        return None, None, ()
    f = net(np.stack([a, xj]))
    outputs = (float(f[0]), float(f[1]))
    if exact:
        exact_output = evaluate_exact(net, xj[None, :]).values[0]
        return outputs, exact_output, tuple(lab for lab in labels if exact_output != lab)
    return outputs, None, tuple(lab for lab, o in zip(labels, outputs) if o != lab)
