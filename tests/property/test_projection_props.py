"""Property tests of robustmem.projection on small separated datasets (tests/property/strategies.py).

The datasets include same-label duplicates, offsets up to 10^4 * scale and zooms up to 1000, which
stress the rounding slacks of the exact searches."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from property.strategies import norms, separated_datasets  # tests/ is on sys.path (rootdir conftest)

from robustmem.data import Dataset
from robustmem.norms import c_plus
from robustmem.projection import CrossLabelSearch, haar_projection, pair_preservation, preservation_report
from robustmem.projection.cap import preservation_from_components
from robustmem.projection.epsilon import min_pair_preservation

seeds = st.integers(0, 2**32 - 1)
strategies = st.sampled_from(["kdtree", "blocked"])


def _projection(d: int, frac: float, seed: int) -> np.ndarray:
    k = max(1, min(d, 1 + int(frac * d)))
    return haar_projection(d, k, seed=seed)


def _cross(ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    I, J = np.triu_indices(ds.N, 1)
    keep = ds.y[I] != ds.y[J]
    return I[keep], J[keep]


def _brute_tau(ds: Dataset, P: np.ndarray) -> float:
    I, J = _cross(ds)
    return float(np.linalg.norm((ds.X[I] - ds.X[J]) @ P.T, axis=1).min())


def _brute_eps(ds: Dataset, P: np.ndarray, r: float) -> float:
    I, J = _cross(ds)
    z = ds.X[I] - ds.X[J]
    pz = z @ P.T
    a, b, n = np.linalg.norm(pz, axis=1), np.linalg.norm(z - pz @ P, axis=1), np.linalg.norm(z, axis=1)
    return float(preservation_from_components(a, b, n, r, kernel_trivial=P.shape[0] == P.shape[1]).min())


@given(st.integers(1, 40), st.floats(0, 1), seeds)
def test_haar_has_orthonormal_rows(d: int, frac: float, seed: int) -> None:
    P = _projection(d, frac, seed)
    assert np.abs(P @ P.T - np.eye(P.shape[0])).max() < 1e-13


@given(separated_datasets(max_n=40), st.floats(0, 1), seeds, strategies)
def test_tau_is_the_brute_force_minimum(ds: Dataset, frac: float, seed: int, strategy: str) -> None:
    P = _projection(ds.d, frac, seed)
    found = CrossLabelSearch(ds.X, ds.y, P, method=strategy).minimum()
    brute = _brute_tau(ds, P)
    # Both are float64 values of ||P z||, z = x_i - x_j, with the dot products summed in different orders (BLAS
    # blocking differs between one pair and a batch): each coordinate of fl(P z) is within gamma_d ||z|| of the
    # exact one, so the two minima can differ by 2 sqrt(k) gamma_d max ||z|| in absolute terms -- which is large
    # relative to a tau that cancels down to 1e-6 of ||z|| (a relative tolerance alone is not justified there).
    I, J = _cross(ds)
    zmax = float(np.linalg.norm(ds.X[I] - ds.X[J], axis=1).max())
    gamma = (ds.d + 2) * 2.0**-53 / (1 - (ds.d + 2) * 2.0**-53)
    assert math.isclose(found.value, brute, rel_tol=1e-12, abs_tol=2 * 2 * math.sqrt(P.shape[0]) * gamma * zmax)
    assert ds.y[found.i] != ds.y[found.j]


@given(separated_datasets(max_n=30), st.floats(0, 1), seeds, st.floats(0, 1.5), strategies, st.sampled_from([1, 10**6]))
def test_eps_is_the_brute_force_minimum(
    ds: Dataset, frac: float, seed: int, rfrac: float, strategy: str, budget: int
) -> None:
    P = _projection(ds.d, frac, seed)
    search = CrossLabelSearch(ds.X, ds.y, P, method=strategy)
    tau = search.minimum()
    r = rfrac * tau.value
    got = min_pair_preservation(search, r, tau, max_pairs=budget)
    assert abs(got.value - _brute_eps(ds, P, r)) <= 1e-12


@given(separated_datasets(max_n=25), st.floats(0, 0.99), seeds, norms())
def test_eps_is_monotone_and_positive_exactly_below_sigma_max(ds: Dataset, frac: float, seed: int, p: float) -> None:
    P = _projection(ds.d, frac, seed)
    rep = preservation_report(P, ds, p=p)
    assert rep.sigma_max_over_delta <= 1 / (2 * c_plus(p, ds.d)) * (1 + 1e-12)  # Remark 4
    grid = [0.0, 0.25, 0.5, 0.9, 0.999999, 1.000001, 1.5]
    eps = [preservation_report(P, ds, p=p, sigma=g * rep.sigma_max).eps for g in grid]
    assert all(a >= b for a, b in zip(eps, eps[1:]))
    if rep.k < rep.d:
        assert [e > 0 for e in eps] == [g < 1 for g in grid]
    else:
        assert all(e == 1.0 for e in eps)


@given(separated_datasets(max_n=25), st.floats(0, 1), seeds, st.integers(-12, 12), st.floats(0, 1.2))
def test_power_of_two_scaling_is_exact(ds: Dataset, frac: float, seed: int, j: int, sfrac: float) -> None:
    """Scaling X by 2^j scales every computed distance exactly: tau and sigma_max scale by 2^j and eps at
    2^j sigma is unchanged, bit for bit."""
    P = _projection(ds.d, frac, seed)
    scaled = Dataset(ds.X * 2.0**j, ds.y)
    a = preservation_report(P, ds, p=2.0, sigma=sfrac * preservation_report(P, ds, p=2.0).sigma_max)
    b = preservation_report(P, scaled, p=2.0, sigma=a.sigma * 2.0**j)
    assert b.tau == a.tau * 2.0**j and b.sigma_max == a.sigma_max * 2.0**j
    assert b.eps == a.eps


@given(separated_datasets(max_n=25), st.floats(0, 1), seeds)
def test_tau_depends_only_on_the_row_space(ds: Dataset, frac: float, seed: int) -> None:
    P = _projection(ds.d, frac, seed)
    O = haar_projection(P.shape[0], P.shape[0], seed=seed + 1)  # a k x k orthogonal matrix
    a = CrossLabelSearch(ds.X, ds.y, P).minimum().value
    b = CrossLabelSearch(ds.X, ds.y, O @ P).minimum().value
    assert math.isclose(a, b, rel_tol=1e-9)


@given(st.integers(2, 9), st.floats(0, 1), seeds, st.floats(0.01, 0.99))
def test_pair_constant_bounds_every_point_of_the_ball(d: int, frac: float, seed: int, rfrac: float) -> None:
    """Def. 12 with the Thm 18 scaling: ||P w|| >= eps_pair ||w|| for every w = a - a' in B(z, r)."""
    rng = np.random.default_rng(seed)
    P = _projection(d, frac, seed)
    z = rng.standard_normal(d)
    r = rfrac * float(np.linalg.norm(z))
    eps = pair_preservation(P, z, r)
    w = rng.standard_normal((2000, d))
    w *= (r * rng.random(2000) ** (1 / d) / np.linalg.norm(w, axis=1))[:, None]
    w += z
    assert np.all(np.linalg.norm(w @ P.T, axis=1) >= eps * np.linalg.norm(w, axis=1) - 1e-12)
    assert (eps > 0) == (float(np.linalg.norm(P @ z)) > r) or P.shape[0] == d
