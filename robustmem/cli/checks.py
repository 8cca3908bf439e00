"""``robustmem verify`` and ``robustmem demo``: exact fit, sampling and gradient attacks on a network."""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustmem.cli.common import (
    add_data_args,
    add_verify_args,
    network_and_data,
    say,
    shape_lines,
)
from robustmem.errors import RobustMemError

if TYPE_CHECKING:
    from robustmem.certificate import Certificate
    from robustmem.data import Dataset
    from robustmem.network import ReLUNetwork


def run_checks(
    net: ReLUNetwork,
    ds: Dataset,
    cert: Certificate,
    *,
    exact: bool,
    n_random: int,
    n_boundary: int,
    pgd_balls: int | None,
    pgd_steps: int,
    pgd_restarts: int,
    seed: int,
) -> dict[str, Any]:
    from robustmem.verify import falsify, verify_fit

    out: dict[str, Any] = {}
    t = time.perf_counter()
    fit = verify_fit(net, ds, mode="float64")
    say(fit.summary())
    out["fit_float64"] = fit.to_dict()
    if exact:
        from robustmem.certify import verify_fit_exact  # only the chain blocks not proven silent

        fx = verify_fit_exact(net, ds)
        say(fx.summary())
        out["fit_exact"] = fx.to_dict()
    fal = falsify(
        net,
        ds,
        p=cert.p,
        sigma=cert.sigma,
        n_random=n_random,
        n_boundary=n_boundary,
        pgd=False,
        seed=seed,
        progress=True,
    )
    say(fal.summary())
    out["falsify_sampling"] = fal.to_dict()
    if pgd_balls != 0:
        pg = falsify(
            net,
            ds,
            p=cert.p,
            sigma=cert.sigma,
            n_random=0,
            boundary=False,
            vertices=False,
            pgd=True,
            pgd_steps=pgd_steps,
            pgd_restarts=pgd_restarts,
            balls=pgd_balls,
            seed=seed,
            progress=True,
        )
        say(pg.summary())
        out["falsify_pgd"] = pg.to_dict()
    out["seconds"] = time.perf_counter() - t
    ok = (
        fit.passed
        and (not exact or out["fit_exact"]["passed"])
        and fal.passed
        and (pgd_balls == 0 or out["falsify_pgd"]["passed"])
    )
    out["passed"] = bool(ok)
    return out


def cmd_demo(args: argparse.Namespace) -> int:
    """Build and verify the Theorem 6 l_inf memorizer of scikit-learn's digits."""
    from robustmem.construct import construct_theorem6
    from robustmem.data import load_real
    from robustmem.network import save_network
    from robustmem.norms import c_plus

    t0 = time.perf_counter()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    ds = load_real("digits")
    delta = ds.separation(2.0).delta
    limit = 1.0 / (2.0 * c_plus(math.inf, ds.d))
    sigma = args.fraction * limit * delta
    say(
        f"robustmem demo: scikit-learn digits, N = {ds.N}, d = {ds.d}, {ds.C} classes, l2 separation delta = {delta:.6g}"
    )
    say(
        f"Theorem 6, l_inf, sigma = {args.fraction} x the limit delta / (2 sqrt d) = {sigma:.6g} ({sigma / delta:.6g} delta)"
    )
    t = time.perf_counter()
    net, cert = construct_theorem6(ds, p=math.inf, sigma=sigma)
    say(f"built in {time.perf_counter() - t:.2f} s")
    say(cert.summary())
    for line in shape_lines(net, cert):
        say(line)
    net.meta["dataset"] = {"name": "digits", "params": {}, "fingerprint": ds.fingerprint()}
    path = save_network(net, out / "digits_theorem6_linf.rmnet")
    say(f"wrote the network to {path}")
    report = run_checks(
        net,
        ds,
        cert,
        exact=True,
        n_random=args.samples,
        n_boundary=args.samples,
        pgd_balls=args.pgd_balls,
        pgd_steps=args.pgd_steps,
        pgd_restarts=args.pgd_restarts,
        seed=args.seed,
    )
    report["certificate"] = cert.to_dict()
    rpath = out / "digits_theorem6_linf_report.json"
    rpath.write_text(json.dumps(report, indent=2, default=str))
    say(f"wrote the report to {rpath}")
    verdict = "PASSED" if report["passed"] else "FAILED"
    say(
        f"demo {verdict}: exact fit on all {ds.N} points and no counterexample found"
        if report["passed"]
        else f"demo {verdict}: see {rpath}"
    )
    say(f"total time {time.perf_counter() - t0:.1f} s")
    return 0 if report["passed"] else 1


def cmd_verify(args: argparse.Namespace) -> int:
    net, cert, ds = network_and_data(args)
    if cert is None:
        raise RobustMemError(f"{args.network} has no certificate; it was not built by a robustmem construction")
    say(f"verifying {args.network}: {cert.theorem}, N = {ds.N}, d = {ds.d}")
    say(cert.summary())
    for line in shape_lines(net, cert):
        say(line)
    report = run_checks(
        net,
        ds,
        cert,
        exact=not args.no_exact,
        n_random=args.samples,
        n_boundary=args.samples,
        pgd_balls=args.pgd_balls,
        pgd_steps=args.pgd_steps,
        pgd_restarts=args.pgd_restarts,
        seed=args.seed,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
        say(f"wrote the report to {args.json}")
    say("verification PASSED" if report["passed"] else "verification FAILED")
    return 0 if report["passed"] else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem demo``, ``robustmem verify`` to the command parser."""
    d = sub.add_parser("demo", help="build and verify a robust memorizer of scikit-learn's digits (Theorem 6, l_inf)")
    d.add_argument("--out", default="robustmem-out", help="folder for the network and the report")
    d.add_argument("--fraction", type=float, default=0.9, help="sigma as a fraction of the Theorem 6 limit")
    add_verify_args(d, samples=2, pgd_balls=32)
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser("verify", help="verify a network file: exact fit, sampling and gradient attacks")
    v.add_argument("network")
    add_data_args(v, required=False)
    v.add_argument("--no-exact", action="store_true", help="skip the exact-arithmetic fit check")
    v.add_argument("--json", help="write the report as JSON to this file")
    add_verify_args(v, samples=8, pgd_balls=None)
    v.set_defaults(func=cmd_verify)
