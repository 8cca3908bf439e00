"""The structural certifier on Kim-Moon-Yun networks: their map is folded into the input map like Theorem 16's."""

from __future__ import annotations

import dataclasses

import pytest

from robustmem.catalog import named_dataset
from robustmem.certify import certify_structural
from robustmem.construct import construct_kim2025


@pytest.mark.parametrize("memorizer", ["yu2024", "theorem16"])
@pytest.mark.parametrize("dimension", ["theorem", "smallest"])
@pytest.mark.parametrize("p", [1.0, 2.0, float("inf")])
def test_kim2025_certified_at_its_claim_and_refused_beyond(dimension, p, memorizer):
    ds = named_dataset("sphere-small")
    delta = ds.separation().delta
    from robustmem.norms import c_plus

    net, cert = construct_kim2025(
        ds, p=p, sigma=0.2 * delta / (2 * c_plus(p, ds.d)), dimension=dimension, memorizer=memorizer
    )
    rep = certify_structural(net, ds, progress=False)
    assert rep.certified, rep.reason
    assert rep.n_certified == ds.N
    big = certify_structural(net, ds, dataclasses.replace(cert, sigma=4 * cert.sigma), progress=False)
    assert not big.certified and big.reason
