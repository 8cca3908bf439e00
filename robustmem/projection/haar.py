"""Haar-random orthogonal projections R^d -> R^k (the random map of Theorem 18 and of the Thm 7 recipe).

A k x d matrix P with orthonormal rows (P P^T = I_k) maps x to the coordinates of its orthogonal projection
onto the row space of P; ||P v||_2 <= ||v||_2 for every v (P is 1-Lipschitz).  The paper's robust
Johnson-Lindenstrauss argument (Egosi, Yehudai, Shamir 2025, Thm 18 and Appendix D) draws the row space
uniformly from the Grassmannian; drawing P uniformly (Haar) from the Stiefel manifold does that.
"""

from __future__ import annotations

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.projection._numerics import ORTHONORMAL_TOL

__all__ = ["SeedLike", "check_projection", "haar_projection"]

SeedLike = int | np.integer | np.random.Generator


def _rng(seed: SeedLike) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def _check_dims(d: int, k: int) -> tuple[int, int]:
    for name, value in (("d", d), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise InvalidArgumentError(f"{name} must be an integer, got {value!r}")
    if d < 1:
        raise InvalidArgumentError(f"the input dimension d must be >= 1, got d={d}")
    if not 1 <= k <= d:
        raise InvalidArgumentError(f"the projection dimension k must satisfy 1 <= k <= d={d}, got k={k}")
    return int(d), int(k)


def haar_projection(d: int, k: int, *, seed: SeedLike) -> np.ndarray:
    """A Haar-distributed k x d matrix with orthonormal rows (no scaling).

    Guarantee: P P^T = I_k up to rounding (max entry error about 1e-15), and the law of P is the Haar
    (uniform) measure on the Stiefel manifold {P in R^{k x d}: P P^T = I_k}: P is invariant in law under
    P -> P O for every orthogonal d x d matrix O.  Construction: the QR factorization G = Q R of a d x k
    standard Gaussian matrix G, with the columns of Q multiplied by sign(diag R) so that R has a positive
    diagonal; the factorization with positive diagonal is unique and equivariant, so Q is Haar
    (Mezzadri 2007, "How to generate random matrices from the classical compact groups").  P = Q^T.

    Parameters
    ----------
    d, k : the input dimension and the projection dimension, 1 <= k <= d.
    seed : a non-negative integer, or a numpy Generator (which is advanced).

    >>> P = haar_projection(5, 2, seed=0)
    >>> P.shape, bool(np.allclose(P @ P.T, np.eye(2)))
    ((2, 5), True)
    """
    d, k = _check_dims(d, k)
    rng = _rng(seed)
    gauss = rng.standard_normal((d, k))
    q, r = np.linalg.qr(gauss, mode="reduced")
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0  # probability zero; keeps Q orthonormal regardless
    p = np.ascontiguousarray((q * signs).T)
    p.setflags(write=False)
    return p


def check_projection(P: np.ndarray, d: int | None = None, *, name: str = "P") -> np.ndarray:
    """Return ``P`` as a read-only float64 k x d array after checking it has orthonormal rows.

    Raises InvalidArgumentError naming the shape, the dimension ``d`` expected, the first non-finite entry,
    or the worst entry of P P^T - I and the tolerance ORTHONORMAL_TOL.
    """
    arr = np.asarray(P, dtype=np.float64)
    if arr.ndim != 2:
        raise InvalidArgumentError(f"{name} must be a 2-d array (k x d), got shape {arr.shape}")
    k, dd = arr.shape
    if d is not None and dd != d:
        raise InvalidArgumentError(f"{name} has {dd} columns but the data has dimension d={d}")
    if not 1 <= k <= dd:
        raise InvalidArgumentError(f"{name} must have 1 <= k <= d rows, got shape {arr.shape}")
    bad = np.argwhere(~np.isfinite(arr))
    if bad.size:
        r, c = bad[0]
        raise InvalidArgumentError(f"{name}[{r}, {c}] = {float(arr[r, c])!r} is not finite")
    err = np.abs(arr @ arr.T - np.eye(k))
    worst = np.unravel_index(int(np.argmax(err)), err.shape)
    if err[worst] > ORTHONORMAL_TOL:
        raise InvalidArgumentError(
            f"{name} must have orthonormal rows: |(P P^T - I)[{worst[0]}, {worst[1]}]| = {err[worst]:.3g} "
            f"exceeds the tolerance {ORTHONORMAL_TOL:g}"
        )
    if arr.flags.writeable:
        arr = arr.copy()
        arr.setflags(write=False)
    return arr
