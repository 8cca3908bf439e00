"""``robustmem demo``: the package's headline on scikit-learn's digits -- logarithmic width, proven.

Theorem 7 (Egosi, Yehudai, Shamir 2025): a width-k network (k - 6 projected coordinates, folded into the first
map, and the chain of Theorem 37 with Lemma 38 l_2 indicators) robustly memorizes any delta-separated dataset at
radius sigma = a_{p,d} N^{-2/(k-6)} delta in the worst case.  The demo builds it for digits (N = 1797, d = 64) at
l_2 and width 20 (about 2 log2 N = 21.6), with the projection optimized on the Grassmannian
(``projection="optimize"``), and then checks, in order: the exact fit (rational arithmetic), a falsification
attack (random, boundary, vertex and PGD points of the balls), and the structural certificate (a proof from the
weights, for the exact network and its float64 evaluation).  It prints the width next to d and the certified
sigma/delta next to Theorem 7's worst case.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from robustmem.certificate import Certificate
    from robustmem.data import Dataset
    from robustmem.network import ReLUNetwork
    from robustmem.verify.reports import FalsificationReport, FitReport

__all__ = ["DEMO_WIDTH", "run_demo"]

DEMO_WIDTH = 20


def _say(msg: str) -> None:
    print(msg, flush=True)


def run_demo(
    out: str | Path,
    *,
    width: int = DEMO_WIDTH,
    projection: str = "optimize",
    samples: int = 2,
    pgd_balls: int = 8,
    attack_balls: int = 64,
    pgd_steps: int = 10,
    pgd_restarts: int = 2,
    seed: int = 0,
    fit_mode: Literal["float64", "exact"] = "float64",
) -> int:
    """Build, check and certify the digits memorizer of width ``width`` (l_2, Theorem 7); return 0 when it is
    fitted exactly, no counterexample is found and the structural certificate proves every ball (else 1).

    ``attack_balls`` / ``pgd_balls``: how many balls (drawn at random) the sampling and the PGD attacks visit.
    ``fit_mode``: "float64" (default: f(x_i) == y_i for the float64 output, one pass) or "exact" (rational
    arithmetic; minutes at this depth).  The structural certificate proves the exact network's fit in any case
    (every x_i lies in its own ball)."""
    from robustmem.certify import certify_structural
    from robustmem.data import load_real
    from robustmem.network import save_network

    t0 = time.perf_counter()
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    ds = load_real("digits")
    net, cert, theorem7 = _build(ds, width=width, projection=projection, seed=seed)
    net.meta["dataset"] = {"name": "digits", "params": {}, "fingerprint": ds.fingerprint()}
    path = save_network(net, folder / f"digits_log_width_k{width}.rmnet")
    _say(f"wrote the network to {path}")
    report: dict[str, Any] = {"certificate": cert.to_dict(), "theorem7_sigma_over_delta": theorem7}
    fit, fal, pgd = _attack(
        net,
        ds,
        cert.sigma,
        fit_mode=fit_mode,
        samples=samples,
        attack_balls=attack_balls,
        pgd_balls=pgd_balls,
        pgd_steps=pgd_steps,
        pgd_restarts=pgd_restarts,
        seed=seed,
    )
    rep = certify_structural(net, ds, progress=False)
    report.update(fit_exact=fit.to_dict(), falsify_sampling=fal.to_dict(), falsify_pgd=pgd.to_dict())
    report["structural"] = rep.to_dict()
    rpath = folder / f"digits_log_width_k{width}_report.json"
    rpath.write_text(json.dumps(report, indent=2, default=str))
    _say(f"wrote the report to {rpath}")
    ok = fit.passed and fal.passed and pgd.passed and rep.certified
    _say(f"total time {time.perf_counter() - t0:.1f} s")
    _say(
        f"structural certificate: {'CERTIFIED' if rep.certified else 'NOT CERTIFIED'} -- {rep.counts_text()}, "
        f"exact network {'proven' if rep.exact_network else 'not proven'}, float64 evaluation "
        f"{'proven' if rep.float64_evaluation else 'not proven'}: every x with ||x - x_i||_2 <= {cert.sigma:.6g} "
        f"gives exactly y_i (width {net.width}, d = {ds.d})" + ("" if rep.certified else f"; {rep.reason}")
    )
    return 0 if ok else 1


def _build(ds: Dataset, *, width: int, projection: str, seed: int) -> tuple[ReLUNetwork, Certificate, float | None]:
    """Theorem 7's network for ``ds`` at ``width`` (l_2), with the lines that say what was built; returns it,
    its certificate and Theorem 7's worst-case sigma/delta at that width."""
    from robustmem.bounds import radii_for_width
    from robustmem.construct import construct_log_width

    delta = ds.separation(2.0).delta
    _say(
        f"robustmem demo: scikit-learn digits, N = {ds.N}, d = {ds.d}, {ds.C} classes, "
        f"l_2 separation delta = {delta:.6g}"
    )
    _say(
        f"Theorem 7 (logarithmic width), l_2, width k = {width} ({width - 6} projected coordinates), {projection} projection"
    )
    t = time.perf_counter()
    net, cert = construct_log_width(ds, p=2.0, width=width, projection=projection, seed=seed)  # type: ignore[arg-type]
    _say(f"built in {time.perf_counter() - t:.1f} s: width {net.width} for d = {ds.d} (Theorem 5 needs d + 6 = "
         f"{ds.d + 6}), depth {net.depth:,}")  # fmt: skip
    rr = radii_for_width(ds.N, ds.d, 2.0, net.width)
    _say(
        f"certified radius sigma = {cert.sigma:.6g} = {cert.sigma_over_delta:.4g} delta; Theorem 7's worst case at "
        f"width {net.width}: {rr.theorem7:.4g} delta ({cert.sigma_over_delta / rr.theorem7:.3g} x)"
    )
    return net, cert, rr.theorem7


def _attack(
    net: ReLUNetwork,
    ds: Dataset,
    sigma: float,
    *,
    fit_mode: Literal["float64", "exact"],
    samples: int,
    attack_balls: int,
    pgd_balls: int,
    pgd_steps: int,
    pgd_restarts: int,
    seed: int,
) -> tuple[FitReport, FalsificationReport, FalsificationReport]:
    """The fit check, then the sampling and the PGD falsification attacks at ``sigma``, each summarized."""
    from robustmem.verify import falsify, verify_fit

    fit = verify_fit(net, ds, mode=fit_mode)
    _say(fit.summary())
    fal = falsify(
        net, ds, p=2.0, sigma=sigma, n_random=samples, n_boundary=samples, vertices=False, pgd=False,
        balls=attack_balls, seed=seed,
    )  # fmt: skip
    _say(fal.summary())
    pgd = falsify(
        net, ds, p=2.0, sigma=sigma, n_random=0, boundary=False, vertices=False, pgd=True, pgd_steps=pgd_steps,
        pgd_restarts=pgd_restarts, balls=pgd_balls, seed=seed,
    )  # fmt: skip
    _say(pgd.summary())
    return fit, fal, pgd
