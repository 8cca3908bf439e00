"""Soundness campaign of the structural certifier (issue 12, item 8): mutate certified networks, never certify a
broken one.

Base networks: every construction the structural certifier supports (:data:`robustmem.certify.structural.SUPPORTED`),
built on small datasets (N = 3 or 4, d = 1..3, labels up to 17).  Each mutant changes ONE thing:

* ``weight``: a template weight (ent_base) of a random map, scaled by 1 +- U(0.01, 1) or set to 0;
* ``bias``: a template bias (bias_base), the same way;
* ``param``: a per-block number (the label y_b, a centre coordinate, gamma_b: ``Segment.params``);
* ``label``: a data label (the dataset changes, the network does not);
* ``shift``: the certificate's carry shift B (header);
* ``projection``: one entry of the certificate's projection (header; identity-map constructions: the radius);
* ``radius``: the certificate's sigma, r or w (header), scaled up by U(1.001, 3) (sigma, r) or down (w).

For every mutant: ``certify_structural`` (float64 arithmetic: the exact network and its float64 evaluation), the
exact fit on the data points (:func:`robustmem.verify.verify_fit`, exact rational arithmetic) and an attack
(:func:`robustmem.verify.falsify`: random, boundary and vertex points of every ball, PGD when certified; its
counterexamples re-checked exactly).  A mutant is *broken* when the exact fit fails or the attack finds an exactly
confirmed counterexample.  The campaign fails (exit status 1) when a certified mutant is broken.

Writes ``<out>/soundness_campaign.json`` with the counts (mutants, refused, certified, broken, certified and
broken) overall, per construction and per kind.  ``--quick``: 112 mutants (one per construction and kind; about a minute).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["KINDS", "base_networks", "main", "mutate", "run"]

KINDS = ("weight", "bias", "param", "label", "shift", "projection", "radius")


def base_networks(seed: int = 0) -> list[tuple[str, Any, Any, Any]]:
    """(name, network, certificate, dataset) for every construction the structural certifier supports."""
    from robustmem.bounds import appendix_e_radius_limit
    from robustmem.construct import (
        construct_kim2025,
        construct_log_width,
        construct_remark11,
        construct_remark40,
        construct_theorem5,
        construct_theorem6,
        construct_theorem16,
        construct_theorem32,
        construct_theorem33,
        construct_theorem35,
        construct_yu2024,
        construct_yu2024_lp,
    )
    from robustmem.construct.appendix_e_lp import construct_theorem31, construct_yu2024_lp_real
    from robustmem.data import Dataset
    from robustmem.norms import c_plus

    rng = np.random.default_rng(seed)
    d2 = Dataset.from_arrays([[0.0, 0.0], [2.0, 0.5], [0.5, 2.0], [2.5, 2.5]], [1, 2, 17, 2])
    d3 = Dataset.from_arrays(rng.integers(0, 8, size=(4, 3)).astype(float), [3, 1, 2, 3])
    d1 = Dataset.from_arrays([[0.0], [1.0], [3.0]], [2, 1, 2])

    def lim(ds: Any, p: float) -> float:
        return ds.separation(2.0).delta / (2.0 * c_plus(p, ds.d))

    M = np.array([[0.6, 0.8]])
    t31_limit = appendix_e_radius_limit(2, 1.5, d2.d) * d2.separation(1.5).delta  # small: M = 2, D = 7 (cheap)
    builders: list[tuple[str, Callable[[], Any], Any]] = [
        ("theorem5 l2", lambda: construct_theorem5(d2, p=2.0, sigma=0.5 * lim(d2, 2.0)), d2),
        ("theorem6 l1", lambda: construct_theorem6(d3, p=1, sigma=0.6 * lim(d3, 1.0)), d3),
        ("theorem6 linf", lambda: construct_theorem6(d2, p="inf", sigma=0.8 * lim(d2, math.inf)), d2),
        ("remark40 linf", lambda: construct_remark40(d3, p="inf", sigma=0.7 * lim(d3, math.inf)), d3),
        ("remark40 l1 d1", lambda: construct_remark40(d1, p=1, sigma=0.4 * lim(d1, 1.0)), d1),
        ("log_width k7", lambda: construct_log_width(d3, p=2.0, width=7, fraction=0.8), d3),
        ("theorem16", lambda: construct_theorem16(d2, M, p=2.0, sigma=0.1), d2),
        ("remark11", lambda: construct_remark11(d2), d2),
        ("kim2025", lambda: construct_kim2025(d2, sigma=0.3, memorizer="theorem16"), d2),
        ("yu2024", lambda: construct_yu2024(d2, sigma=0.4 * d2.separation(math.inf).delta), d2),
        ("yu2024-lp p3", lambda: construct_yu2024_lp(d1, p=3, sigma=0.3), d1),
        ("theorem32 q2", lambda: construct_theorem32(d2, p="inf", q=2, sigma=0.3), d2),
        ("theorem33 q1", lambda: construct_theorem33(d3, p=2, q=1, sigma=0.3), d3),
        ("theorem35 qinf", lambda: construct_theorem35(d3, p=2, q="inf", width=7, fraction=0.8), d3),
        ("theorem31 q1.5", lambda: construct_theorem31(d2, p=2, q=1.5, sigma=0.2 * t31_limit), d2),
        ("yu2024-lp p1.5", lambda: construct_yu2024_lp_real(d1, p=1.5, sigma=0.3), d1),
    ]
    out = []
    for name, make, ds in builders:
        net, cert = make()
        out.append((name, net, cert, ds))
    return out


def _scaled(rng: np.random.Generator, old: float) -> float:
    if rng.random() < 0.15 or old == 0.0:
        return 0.0 if old != 0.0 else float(rng.choice([-1.0, 1.0]) * rng.uniform(0.01, 1.0))
    return float(old * (1.0 + rng.choice([-1.0, 1.0]) * rng.uniform(0.01, 1.0)))


def _replace_map(net: Any, seg: int, mi: int, field: str, idx: int, value: float) -> Any:
    from robustmem.network.network import ReLUNetwork, Segment

    segs = list(net.segments)
    maps = list(segs[seg].maps)
    arr = getattr(maps[mi], field).copy()
    arr[idx] = value
    maps[mi] = dataclasses.replace(maps[mi], **{field: arr}, _cache={})
    segs[seg] = Segment(tuple(maps), segs[seg].params, name=segs[seg].name)
    return ReLUNetwork(segs, meta=net.meta)


def mutate(kind: str, net: Any, cert: Any, ds: Any, rng: np.random.Generator) -> tuple[str, Any, Any, Any]:
    """One mutant of kind ``kind``: (description, network, certificate, dataset)."""
    from robustmem.data import Dataset
    from robustmem.network.network import ReLUNetwork, Segment

    if kind in ("weight", "bias"):
        field = "ent_base" if kind == "weight" else "bias_base"
        cands = [(s, m) for s, seg in enumerate(net.segments) for m, t in enumerate(seg.maps) if getattr(t, field).size]
        s, m = cands[int(rng.integers(len(cands)))]
        arr = getattr(net.segments[s].maps[m], field)
        i = int(rng.integers(arr.size))
        new = _scaled(rng, float(arr[i]))
        return (
            f"segment {s} map {m} {field}[{i}]: {float(arr[i])!r} -> {new!r}",
            _replace_map(net, s, m, field, i, new),
            cert,
            ds,
        )
    if kind == "param":
        cands = [s for s, seg in enumerate(net.segments) if seg.params.size]
        s = cands[int(rng.integers(len(cands)))]
        P = net.segments[s].params.copy()
        i, j = int(rng.integers(P.shape[0])), int(rng.integers(P.shape[1]))
        old = float(P[i, j])
        P[i, j] = _scaled(rng, old)
        segs = list(net.segments)
        segs[s] = Segment(segs[s].maps, P, name=segs[s].name)
        return f"segment {s} params[{i}, {j}]: {old!r} -> {P[i, j]!r}", ReLUNetwork(segs, meta=net.meta), cert, ds
    if kind == "label":
        y = np.asarray(ds.y).copy()
        i = int(rng.integers(y.size))
        choices = [v for v in sorted({1, 2, 3, 17, *y.tolist()}) if v != y[i]]
        old, y[i] = int(y[i]), int(rng.choice(choices))
        return f"label of point {i}: {old} -> {int(y[i])}", net, cert, Dataset.from_arrays(ds.X, y)
    if kind == "shift":
        new = float(cert.shift * rng.choice([0.5, 2.0, 1.0 + 2.0**-20]))
        return f"header shift {cert.shift!r} -> {new!r}", net, dataclasses.replace(cert, shift=new), ds
    if kind == "projection" and cert.projection is not None:
        P = [list(row) for row in cert.projection]
        i, j = int(rng.integers(len(P))), int(rng.integers(len(P[0])))
        old = P[i][j]
        P[i][j] = _scaled(rng, old)
        proj = tuple(tuple(row) for row in P)
        return (
            f"header projection[{i}][{j}]: {old!r} -> {P[i][j]!r}",
            net,
            dataclasses.replace(cert, projection=proj),
            ds,
        )
    # radius (and projection for identity-map constructions): claim more than was built
    which = str(rng.choice(["sigma", "r", "w"]))
    old = float(getattr(cert, which))
    f = float(rng.uniform(1.001, 3.0))
    new = old * f if which != "w" else old / f
    if which == "sigma" and old == 0.0:
        new = float(rng.uniform(0.01, 1.0))
    return f"header {which}: {old!r} -> {new!r}", net, dataclasses.replace(cert, **{which: new}), ds


def _broken(net: Any, ds: Any, cert: Any, strong: bool, seed: int) -> bool:
    """Exact fit fails, or the attack finds an exactly confirmed counterexample at the certificate's radius."""
    from robustmem.verify import falsify, verify_fit

    try:
        if not verify_fit(net, ds, mode="exact").passed:
            return True
    except Exception:  # a mutant the evaluator refuses (e.g. overflow) counts as broken
        return True
    if cert.sigma <= 0 or not math.isfinite(cert.sigma):
        return False
    n = 24 if strong else 6
    fr = falsify(
        net, ds, p=cert.p, sigma=cert.sigma, n_random=n, n_boundary=n, vertices=True, pgd=strong, pgd_steps=10,
        pgd_restarts=2, seed=seed,
    )  # fmt: skip
    return any(c.exact_confirmed for c in fr.counterexamples)


def run(n_mutants: int, seed: int = 0, progress: bool = True) -> dict[str, Any]:
    """Run ``n_mutants`` mutants spread evenly over the base networks and kinds; return the counts."""
    from robustmem.certify import certify_structural
    from robustmem.errors import RobustMemError

    bases = base_networks(seed)
    rng = np.random.default_rng(seed)
    zero = {"mutants": 0, "refused": 0, "certified": 0, "broken": 0, "certified_and_broken": 0, "errors": 0}
    total = dict(zero)
    by_con: dict[str, dict[str, int]] = {}
    by_kind: dict[str, dict[str, int]] = {}
    violations: list[str] = []
    t0 = time.perf_counter()
    for t in range(n_mutants):
        name, net, cert, ds = bases[t % len(bases)]
        kind = KINDS[(t // len(bases)) % len(KINDS)]
        what, mnet, mcert, mds = mutate(kind, net, cert, ds, rng)
        rows = [total, by_con.setdefault(name, dict(zero)), by_kind.setdefault(kind, dict(zero))]
        try:
            rep = certify_structural(mnet, mds, mcert, progress=False)
            certified = rep.certified
        except RobustMemError:
            certified = False  # refused with an error (unsupported structure, bad header): not a claim
        except Exception as exc:  # pragma: no cover - any other exception is a defect, recorded
            certified = False
            for r in rows:
                r["errors"] += 1
            violations.append(f"{name} / {what}: certify_structural raised {type(exc).__name__}: {exc}")
        broken = _broken(mnet, mds, mcert, strong=certified, seed=seed + t)
        for r in rows:
            r["mutants"] += 1
            r["certified" if certified else "refused"] += 1
            r["broken"] += broken
            r["certified_and_broken"] += certified and broken
        if certified and broken:
            violations.append(f"{name} / {what}: certified but broken")
        if progress and (t + 1) % 100 == 0:
            el = time.perf_counter() - t0
            print(f"soundness campaign: {t + 1}/{n_mutants} mutants, {el:.0f} s, {total}", flush=True)
    return {"total": total, "by_construction": by_con, "by_kind": by_kind, "violations": violations[:50],
            "seconds": time.perf_counter() - t0}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    from experiments.common import meta_block, write_results

    ap = argparse.ArgumentParser(prog="python -m experiments.soundness_campaign", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="results", help="folder for soundness_campaign.json")
    ap.add_argument("--mutants", type=int, default=10_000)
    ap.add_argument(
        "--quick",
        action="store_true",
        help="112 mutants, one per construction and kind (the normal test suite runs this)",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = min(args.mutants, 112) if args.quick else args.mutants
    res = run(n, seed=args.seed)
    tot = res["total"]
    print(
        f"soundness campaign: {tot['mutants']} mutants, {tot['refused']} refused, {tot['certified']} certified, "
        f"{tot['broken']} broken, {tot['certified_and_broken']} certified and broken, {tot['errors']} errors "
        f"({res['seconds']:.0f} s)"
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [{"group": "total", **tot}]
    rows += [{"group": f"construction {k}", **v} for k, v in res["by_construction"].items()]
    rows += [{"group": f"kind {k}", **v} for k, v in res["by_kind"].items()]
    path = write_results(
        out / "soundness_campaign.json",
        meta_block("experiments.soundness_campaign", argv, seed=args.seed, violations=res["violations"]),
        rows,
    )
    print(f"wrote {path}")
    return 0 if tot["certified_and_broken"] == 0 and tot["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
