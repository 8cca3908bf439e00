"""``robustmem verify`` and ``robustmem demo`` (robustmem.demo): exact fit, sampling and gradient attacks."""

from __future__ import annotations

import argparse
import json
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
    from robustmem.verify import falsify

    t = time.perf_counter()
    out, fit_passed = _fit_checks(net, ds, exact=exact)
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
        out["falsify_pgd"] = _pgd_check(
            net, ds, cert, balls=pgd_balls, steps=pgd_steps, restarts=pgd_restarts, seed=seed
        )
    out["seconds"] = time.perf_counter() - t
    ok = fit_passed and fal.passed and (pgd_balls == 0 or out["falsify_pgd"]["passed"])
    out["passed"] = bool(ok)
    return out


def _fit_checks(net: ReLUNetwork, ds: Dataset, *, exact: bool) -> tuple[dict[str, Any], bool]:
    """The float64 fit and, with ``exact``, the exact one (the chain blocks not proven silent): their reports
    under "fit_float64" / "fit_exact", and whether both passed."""
    from robustmem.verify import verify_fit

    fit = verify_fit(net, ds, mode="float64")
    say(fit.summary())
    out: dict[str, Any] = {"fit_float64": fit.to_dict()}
    if not exact:
        return out, fit.passed
    from robustmem.certify import verify_fit_exact  # only the chain blocks not proven silent

    fx = verify_fit_exact(net, ds)
    say(fx.summary())
    out["fit_exact"] = fx.to_dict()
    return out, fit.passed and out["fit_exact"]["passed"]


def _pgd_check(
    net: ReLUNetwork, ds: Dataset, cert: Certificate, *, balls: int | None, steps: int, restarts: int, seed: int
) -> dict[str, Any]:
    """PGD alone on ``balls`` random balls (None: all), summarized; its report as a dict."""
    from robustmem.verify import falsify

    pg = falsify(
        net,
        ds,
        p=cert.p,
        sigma=cert.sigma,
        n_random=0,
        boundary=False,
        vertices=False,
        pgd=True,
        pgd_steps=steps,
        pgd_restarts=restarts,
        balls=balls,
        seed=seed,
        progress=True,
    )
    say(pg.summary())
    return pg.to_dict()


def cmd_demo(args: argparse.Namespace) -> int:
    """The headline: digits at logarithmic width (Theorem 7, l_2), fit, attack, structural certificate."""
    from robustmem.demo import run_demo

    return run_demo(
        args.out,
        width=args.width,
        projection=args.projection,
        samples=args.samples,
        pgd_balls=args.pgd_balls,
        pgd_steps=args.pgd_steps,
        pgd_restarts=args.pgd_restarts,
        seed=args.seed,
        fit_mode="exact" if args.exact_fit else "float64",
    )


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
    d = sub.add_parser(
        "demo", help="digits at logarithmic width (Theorem 7, l_2): build, fit, attack, structural certificate"
    )
    d.add_argument("--out", default="robustmem-out", help="folder for the network and the report")
    d.add_argument("--width", type=int, default=20, help="network width k (k - 6 projected coordinates)")
    d.add_argument("--exact-fit", action="store_true", help="also check the fit in rational arithmetic (minutes)")
    d.add_argument(
        "--projection", choices=["optimize", "best-of-random", "random"], default="optimize", help="projection choice"
    )
    add_verify_args(d, samples=2, pgd_balls=8)
    d.set_defaults(func=cmd_demo)

    v = sub.add_parser("verify", help="verify a network file: exact fit, sampling and gradient attacks")
    v.add_argument("network")
    add_data_args(v, required=False)
    v.add_argument("--no-exact", action="store_true", help="skip the exact-arithmetic fit check")
    v.add_argument("--json", help="write the report as JSON to this file")
    add_verify_args(v, samples=8, pgd_balls=None)
    v.set_defaults(func=cmd_verify)
