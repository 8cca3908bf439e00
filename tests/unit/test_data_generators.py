"""Generators with a guaranteed separation, and rescaling (robustmem.data.generators)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.data import Dataset, cube_points, gaussian_clusters, rescale_to_separation, sphere_points
from robustmem.errors import DataError, InvalidArgumentError

EPS = 2.0**-52


def _inv(q: float) -> float:
    return 0.0 if math.isinf(q) else 1.0 / q


@pytest.mark.parametrize("q", [1.0, 2.0, math.inf])
@pytest.mark.parametrize(
    ("n", "d", "C", "delta"), [(200, 3, 2, 0.3), (100, 10, 5, 1.0), (60, 2, 3, 0.2), (300, 20, 10, 1.1)]
)
def test_sphere_points_are_delta_separated_on_the_sphere(n: int, d: int, C: int, delta: float, q: float) -> None:
    delta *= d ** (_inv(q) - 0.5)  # the typical l_q / l_2 ratio, so that every norm gets a comparable target
    ds = sphere_points(n, d, n_classes=C, delta=delta, radius=2.0, seed=7, q=q)
    assert (ds.N, ds.d, ds.C) == (n, d, C) and ds.labels.tolist() == list(range(1, C + 1))
    assert ds.separation(q).delta >= delta
    np.testing.assert_allclose(np.linalg.norm(ds.X, axis=1), 2.0, rtol=4 * EPS)


def test_sphere_points_without_delta_and_reproducibility() -> None:
    a = sphere_points(50, 4, n_classes=3, seed=1)
    assert a == sphere_points(50, 4, n_classes=3, seed=1)
    assert not np.array_equal(a.X, sphere_points(50, 4, n_classes=3, seed=2).X)
    assert 0 < a.separation().delta < math.inf and a.meta["seed"] == 1


@pytest.mark.parametrize("q", [1.0, 2.0, math.inf])
@pytest.mark.parametrize(("n", "d", "C", "delta"), [(300, 2, 2, 0.03), (200, 5, 4, 0.3), (100, 50, 3, 2.0)])
def test_cube_points_are_delta_separated_in_the_cube(n: int, d: int, C: int, delta: float, q: float) -> None:
    delta *= d ** (_inv(q) - 0.5)
    ds = cube_points(n, d, n_classes=C, delta=delta, seed=3, q=q)
    assert (ds.N, ds.d, ds.C) == (n, d, C)
    assert ds.separation(q).delta >= delta
    assert ds.X.min() >= 0.0 and ds.X.max() < 1.0
    assert ds == cube_points(n, d, n_classes=C, delta=delta, seed=3, q=q)


@pytest.mark.parametrize("q", [1.0, 2.0, math.inf])
@pytest.mark.parametrize(
    ("n", "d", "C", "m", "delta", "spread"),
    [(200, 2, 3, 1, 0.5, 1.0), (150, 8, 2, 3, 1.0, 0.1), (120, 1, 4, 2, 0.2, 5.0)],
)
def test_gaussian_clusters_are_delta_separated(
    n: int, d: int, C: int, m: int, delta: float, spread: float, q: float
) -> None:
    ds = gaussian_clusters(n, d, n_classes=C, delta=delta, spread=spread, seed=11, clusters_per_class=m, q=q)
    assert (ds.N, ds.d, ds.C) == (n, d, C) and ds.labels.tolist() == list(range(1, C + 1))
    assert ds.separation(q).delta >= delta


def test_rejection_actually_moves_points() -> None:
    """A tight delta in a small cube forces rejection; the guarantee must still hold exactly."""
    ds = cube_points(400, 2, n_classes=2, delta=0.02, seed=0)
    assert ds.separation().delta >= 0.02
    raw = Dataset(np.random.default_rng(5).random((400, 2)), ds.y)
    assert raw.separation().delta < 0.02  # without rejection the same sizes are not separated


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: sphere_points(0, 3, n_classes=1, seed=0), InvalidArgumentError, r"n must be an integer >= 1, got 0"),
        (lambda: sphere_points(5, 3, n_classes=6, seed=0), InvalidArgumentError, r"n_classes = 6 exceeds n = 5"),
        (lambda: sphere_points(5, 1, n_classes=2, seed=0), InvalidArgumentError, r"d >= 2 .* got d = 1"),
        (
            lambda: sphere_points(5, 3, n_classes=2, seed=-1),
            InvalidArgumentError,
            r"seed must be an integer >= 0, got -1",
        ),
        (lambda: sphere_points(5, 3, n_classes=2, seed=1.5), InvalidArgumentError, r"seed .* got 1.5"),
        (lambda: sphere_points(5, 3, n_classes=True, seed=0), InvalidArgumentError, r"n_classes .* got True"),
        (lambda: sphere_points(5, 3, n_classes=2, radius=0, seed=0), InvalidArgumentError, r"radius .* got 0"),
        (lambda: sphere_points(5, 3, n_classes=2, delta=math.nan, seed=0), InvalidArgumentError, r"delta .* got nan"),
        (
            lambda: sphere_points(5, 3, n_classes=2, delta=2.5, seed=0),
            InvalidArgumentError,
            r"delta = 2.5 exceeds the l_2 diameter 2.0 of the sphere of radius 1.0 in R\^3",
        ),
        (
            lambda: cube_points(5, 4, n_classes=2, delta=2.01, seed=0),
            InvalidArgumentError,
            r"delta = 2.01 exceeds the l_2 diameter 2.0 of \[0, 1\]\^4",
        ),
        (
            lambda: cube_points(5, 4, n_classes=2, delta=1.01, seed=0, q=math.inf),
            InvalidArgumentError,
            r"l_inf diameter 1.0",
        ),
        (lambda: cube_points(5, 4, n_classes=2, delta=-1.0, seed=0), InvalidArgumentError, r"delta .* got -1.0"),
        (lambda: gaussian_clusters(5, 2, n_classes=2, delta=1.0, spread=0.0, seed=0), InvalidArgumentError, r"spread"),
        (
            lambda: gaussian_clusters(5, 2, n_classes=2, delta=1.0, spread=1.0, seed=0, clusters_per_class=0),
            InvalidArgumentError,
            r"clusters_per_class must be an integer >= 1, got 0",
        ),
        (
            lambda: cube_points(200, 2, n_classes=2, delta=0.5, seed=0),
            DataError,
            r"could not reach separation delta = 0.5 \(l_2\) for 200 points in \[0, 1\]\^2 after 200 rounds",
        ),
        (lambda: sphere_points(5, 3, n_classes=2, seed=0, q=0), InvalidArgumentError, r"q must"),
    ],
)
def test_generator_arguments_are_validated(call, error: type, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=message):
        call()


def test_single_class_may_exceed_the_diameter() -> None:
    ds = sphere_points(10, 3, n_classes=1, delta=5.0, seed=0)
    assert ds.separation().delta == math.inf


@pytest.mark.parametrize("q", [1.0, 2.0, math.inf])
@pytest.mark.parametrize("delta", [1.0, 0.37, 1e-6, 123.456])
def test_rescale_to_separation_meets_its_bound(q: float, delta: float) -> None:
    for ds in [
        cube_points(80, 5, n_classes=3, delta=0.1, seed=4),
        gaussian_clusters(60, 3, n_classes=2, delta=1, spread=1, seed=1),
    ]:
        out = rescale_to_separation(ds, delta, q=q)
        R = float(np.max(np.linalg.norm(out.X, ord=q, axis=1)))
        assert abs(out.separation(q).delta - delta) <= 4 * (ds.d + 8) * EPS * (delta + R)
        assert out.y is ds.y or np.array_equal(out.y, ds.y)
        np.testing.assert_allclose(out.X, ds.X * out.meta["scale"], rtol=0, atol=0)


def test_rescale_is_usually_exact_for_centred_data() -> None:
    ds = gaussian_clusters(50, 4, n_classes=3, delta=1.0, spread=1.0, seed=8)
    exact = sum(rescale_to_separation(ds, t).separation().delta == t for t in (0.1, 0.5, 1.0, 2.0, 3.7))
    assert exact >= 4


def test_rescale_rejects_single_label_and_bad_arguments() -> None:
    one = Dataset([[0.0], [1.0]], [3, 3])
    with pytest.raises(InvalidArgumentError, match="single label 3: its separation is infinite"):
        rescale_to_separation(one, 1.0)
    two = Dataset([[0.0], [1.0]], [1, 2])
    with pytest.raises(InvalidArgumentError, match="delta"):
        rescale_to_separation(two, 0.0)
    with pytest.raises(InvalidArgumentError, match="q must lie in"):
        rescale_to_separation(two, 1.0, q=0.5)
