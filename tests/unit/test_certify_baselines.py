"""Constructions the structural certifier does not read are certified (or refuted) by the complete MILP."""

from __future__ import annotations

import math

import numpy as np

from robustmem.certify import certify
from robustmem.construct import construct_yu2024
from robustmem.data import sphere_points


def test_yu2024_certified_by_milp_at_its_claim_and_refuted_far_beyond():
    ds = sphere_points(4, 2, n_classes=2, seed=0)
    net, cert = construct_yu2024(ds, sigma=0.05)
    rep = certify(net, ds, p=math.inf, sigma=cert.sigma, method="milp", progress=False)
    assert rep.status == ("certified",) * ds.N
    delta = ds.separation().delta
    far = certify(net, ds, p=math.inf, sigma=delta, method="milp", progress=False)  # balls reach other labels
    assert "certified" not in far.status and "refuted" in far.status
    for cex in far.counterexamples:  # every refutation is a real point of the ball where the label is missed
        i = cex.index
        assert np.max(np.abs(np.asarray(cex.point) - ds.X[i])) <= delta
        assert float(net(np.asarray(cex.point)[None])[0]) != ds.y[i]
