"""Mutation testing of the generic certifier: break a certified network one weight at a time.

A small certified network (Remark 40, l_inf, N = 3, d = 2: certified by IBP, CROWN and the MILP) has one
weight or bias changed at a time, by a seeded random amount past the construction's margin w, many times.
For every mutant and every ball:

* soundness: IBP and CROWN never say 'certified' where the MILP or the falsifier (its counterexamples
  re-checked exactly) refutes the ball; the MILP never says 'certified' where the falsifier finds an exact
  counterexample farther than the MILP tolerance from the label;
* agreement: a ball CROWN certifies is also MILP-certified;
* the test has teeth: a good share of the mutants is refuted (the counts are asserted, and printed with -s).

The same is done, with fewer mutants, for a network only the MILP certifies (Theorem 6, l_1).
"""

from __future__ import annotations

import numpy as np
import pytest
from certify_testnets import CONSTRUCTIONS, dense_network, tiny

from robustmem.certify import MILP_TOLERANCE, certify
from robustmem.certify.layers import as_layer_source
from robustmem.verify import falsify

FAST = dict(n_random=24, n_boundary=24, pgd_steps=8, pgd_restarts=2)


def _mutants(layers: list, n: int, w: float, seed: int):
    """``n`` copies of ``layers`` with one entry changed: half by a relative factor, half by +-(1..3) w."""
    rng = np.random.default_rng(seed)
    for t in range(n):
        k = int(rng.integers(len(layers)))
        W, b = (a.copy() for a in layers[k])
        use_bias = rng.random() < 0.3
        if use_bias:
            j = int(rng.integers(len(b)))
            old = b[j]
        else:
            nz = np.argwhere(W != 0)
            j = tuple(nz[rng.integers(len(nz))])
            old = W[j]
        sign = rng.choice([-1.0, 1.0])
        new = old * (1.0 + sign * rng.uniform(0.2, 1.0)) if t % 2 else old + sign * rng.uniform(1.0, 3.0) * w
        if use_bias:
            b[j] = new
        else:
            W[j] = new
        mutated = [(a.copy(), c.copy()) for a, c in layers]
        mutated[k] = (W, b)
        yield f"layer {k + 1} {'b' if use_bias else 'W'}{j}: {old!r} -> {new!r}", mutated


def _run(name: str, n: int, seed: int, methods: tuple[str, ...]) -> dict[str, int]:
    ds, dl = tiny()
    net, cert = CONSTRUCTIONS[name][0](ds, dl)
    p, sigma = cert.p, cert.sigma
    base = [(lay.W.copy(), lay.b.copy()) for lay in as_layer_source(net).layers()]
    counts = {"mutants": 0, "refuted": 0, "milp_certified": 0, **{f"{m}_certified": 0 for m in methods}}
    for what, layers in _mutants(base, n, cert.w, seed):
        counts["mutants"] += 1
        reps = {m: certify(layers, ds, p=p, sigma=sigma, method=m, progress=False) for m in methods}
        milp = certify(layers, ds, p=p, sigma=sigma, method="milp", trust_bounds=False, time_limit=30.0, progress=False)
        fr = falsify(dense_network(layers), ds, p=p, sigma=sigma, seed=seed, **FAST)
        attack = {}
        for c in fr.counterexamples:
            if c.exact_confirmed:
                attack[c.ball] = max(attack.get(c.ball, 0.0), abs(float(c.exact_output) - c.label))
        broken = set(attack) | {i for i, s in enumerate(milp.status) if s == "refuted"}
        counts["refuted"] += bool(broken)
        for m, rep in reps.items():
            certified = set(rep.certified_indices())
            counts[f"{m}_certified"] += bool(certified)  # mutants with at least one certified ball
            assert not certified & broken, f"{m} certified a refuted ball after {what}"
            if m == "crown":
                assert certified <= set(milp.certified_indices()), f"CROWN and MILP disagree after {what}"
        counts["milp_certified"] += bool(milp.certified_indices())
        for i in milp.certified_indices():
            assert attack.get(i, 0.0) <= MILP_TOLERANCE, f"MILP certified ball {i} that the attack breaks ({what})"
    print(f"{name}: {counts}")
    return counts


def test_mutants_of_a_bound_certified_network() -> None:
    counts = _run("remark40-pinf", n=40, seed=1, methods=("ibp", "crown"))
    assert counts["refuted"] >= 10  # teeth: many mutants are really broken (and then never certified)
    assert counts["crown_certified"] >= 5  # and harmless mutants are still certified: not a trivial 'unknown'


def test_mutants_of_a_milp_certified_network() -> None:
    counts = _run("theorem6-p1", n=12, seed=2, methods=("crown",))
    assert counts["refuted"] >= 3


@pytest.mark.slow
@pytest.mark.parametrize("name", ["theorem5-pinf", "log-width-p1", "yu2024", "kim2025"])
def test_mutants_of_more_constructions(name: str) -> None:
    counts = _run(name, n=40, seed=3, methods=("ibp", "crown"))
    assert counts["refuted"] >= 5
