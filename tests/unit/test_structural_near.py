"""The certifier's cross-label search by neighbour search (certify/structural_near.py) equals the full scan of
every pair, on many datasets: random, clustered, with exact ties, duplicated centres, one class, every norm."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robustmem.certify.structural.geometry import Images
from robustmem.certify.structural.near import out_distance_gram, out_distance_near, out_distance_scan


def _case(seed: int, N: int, M: int, k: int, C: int, kind: str, scale: float):
    rng = np.random.default_rng(seed)
    if kind == "grid":  # integer coordinates: many exact ties
        V = rng.integers(0, 4, size=(N, k)).astype(float) * scale
        Cc = rng.integers(0, 4, size=(M, k)).astype(float) * scale
    elif kind == "dup":  # centres at the points themselves, some repeated
        V = rng.normal(size=(N, k)) * scale
        Cc = V[rng.integers(0, N, size=M)]
    else:
        V = rng.normal(size=(N, k)) * scale
        Cc = rng.normal(size=(M, k)) * scale
    eps = np.abs(rng.normal(size=(N, k))) * 1e-14 * scale
    Clo = np.abs(rng.normal(size=(M, k))) * 1e-15 * scale
    y_pts = rng.integers(1, C + 1, size=N).astype(float)
    y_blk = rng.integers(1, C + 1, size=M).astype(float)
    return Images(V, eps, [], [], []), Cc, Clo, y_pts, y_blk


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    N=st.integers(1, 40),
    M=st.integers(1, 40),
    k=st.integers(1, 5),
    C=st.integers(1, 5),
    kind=st.sampled_from(["normal", "grid", "dup"]),
    scale=st.sampled_from([1e-6, 1.0, 1e6]),
    q=st.sampled_from([1.0, 2.0, 3.0, math.inf]),
    frac=st.sampled_from([0.1, 0.5, 1.0, 3.0]),
)
def test_near_equals_scan(seed, N, M, k, C, kind, scale, q, frac):
    G, Cc, Clo, yp, yb = _case(seed, N, M, k, C, kind, scale)
    reach = frac * scale * math.sqrt(k)
    a = out_distance_near(G, Cc, Clo, yp, yb, q, reach)
    b = out_distance_scan(G, Cc, Clo, yp, yb, q, reach)
    assert np.array_equal(a, b), (a, b)
    c = out_distance_gram(G, Cc, Clo, yp, yb, q, reach, block_entries=37)  # several row blocks
    assert np.array_equal(c, b), (c, b)
    assert np.all(a[yp >= yb.max()] == np.inf)


@pytest.mark.parametrize("q", [2.0, math.inf])
def test_near_equals_scan_larger(q):
    G, Cc, Clo, yp, yb = _case(3, 600, 600, 6, 4, "normal", 1.0)
    for reach in (0.3, 1.0, 2.5):
        assert np.array_equal(
            out_distance_gram(G, Cc, Clo, yp, yb, q, reach), out_distance_scan(G, Cc, Clo, yp, yb, q, reach)
        )
        assert np.array_equal(
            out_distance_near(G, Cc, Clo, yp, yb, q, reach), out_distance_scan(G, Cc, Clo, yp, yb, q, reach)
        )


def test_certifier_with_many_offset_coordinates_uses_the_gram_screen():
    """k' = 26 > NEAR_MAX_K: the certifier's search is out_distance_gram; it certifies the construction's claim and
    refuses four times the radius."""
    import dataclasses

    from robustmem.certify import certify_structural
    from robustmem.certify.structural.near import NEAR_MAX_K
    from robustmem.construct import construct_log_width
    from robustmem.data import sphere_points

    ds = sphere_points(150, 64, n_classes=4, seed=1)
    net, cert = construct_log_width(ds, p=2.0, width=32)
    assert cert.projection_matrix().shape[0] > NEAR_MAX_K
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified and rep.n_certified == ds.N and rep.radius_bound >= cert.sigma
    big = certify_structural(net, ds, dataclasses.replace(cert, sigma=4 * cert.sigma), progress=False)
    assert not big.certified
