"""``robustmem certify``: prove robustness from the weights (structural, bound propagation, MILP, Marabou)."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustmem.cli.common import (
    add_data_args,
    network_and_data,
    pn,
    say,
)
from robustmem.errors import RobustMemError

if TYPE_CHECKING:
    from robustmem.certificate import Certificate
    from robustmem.certify.certify_report import CertifyMethod
    from robustmem.data import Dataset
    from robustmem.network import ReLUNetwork


@dataclass(frozen=True)
class _Outcome:
    """One method's report on the balls, and how many of them it proved."""

    method: str
    report: Any  # StructuralReport, CertifyReport or MarabouBallsReport: each has summary() and to_dict()
    n_proved: int
    n_balls: int
    verdict: str


@dataclass(frozen=True)
class _Claim:
    """What is certified: the network, its certificate (if saved), the data, the norm, the radius, the balls."""

    net: ReLUNetwork
    cert: Certificate | None
    ds: Dataset
    p: float
    sigma: float
    points: list[int] | None


def _structural(c: _Claim, args: argparse.Namespace) -> _Outcome:
    from robustmem.certify import certify_structural

    if c.cert is None:
        raise RobustMemError("the structural certifier needs the certificate saved in the network file")
    if c.p != c.cert.p:
        raise RobustMemError(
            f"the structural certifier proves the certificate's norm l_{pn(c.cert.p)}, not l_{pn(c.p)}"
        )
    rep = certify_structural(c.net, c.ds, sigma=c.sigma, progress=True)
    n_all = rep.n_certified + rep.n_failed
    verdict = rep.counts_text() + ("" if rep.certified else f"; {rep.reason}")
    return _Outcome("structural", rep, rep.n_certified, n_all, verdict)


def _marabou(c: _Claim, args: argparse.Namespace) -> _Outcome:
    from robustmem.interop.marabou_balls import marabou_balls

    rep = marabou_balls(c.net, c.ds, c.p, c.sigma, c.points, eps=args.eps, timeout=args.timeout)
    verdict = (
        f"{rep.n_certified} certified (|f - y| < {rep.eps:g}), {rep.status.count('refuted')} refuted,"
        f" {rep.status.count('unknown')} unknown"
    )
    return _Outcome("marabou", rep, rep.n_certified, len(rep.status), verdict)


def _generic(method: CertifyMethod) -> Callable[[_Claim, argparse.Namespace], _Outcome]:
    def run(c: _Claim, args: argparse.Namespace) -> _Outcome:
        from robustmem.certify import certify

        rep = certify(c.net, c.ds, p=c.p, sigma=c.sigma, method=method, points=c.points, progress=True)
        verdict = (
            f"{rep.n_certified} certified, {rep.status.count('refuted')} refuted, {rep.status.count('unknown')} unknown"
        )
        return _Outcome(method, rep, rep.n_certified, len(rep.status), verdict)

    return run


#: method name -> its runner; "all" runs structural, crown and milp
_RUNNERS: dict[str, Callable[[_Claim, argparse.Namespace], _Outcome]] = {
    "structural": _structural,
    "ibp": _generic("ibp"),
    "crown": _generic("crown"),
    "milp": _generic("milp"),
    "marabou": _marabou,
}


def _claim(args: argparse.Namespace) -> _Claim:
    from robustmem.norms import parse_p

    net, cert, ds = network_and_data(args)
    p = parse_p(args.p) if args.p is not None else (cert.p if cert is not None else None)
    sigma = args.sigma if args.sigma is not None else (cert.sigma if cert is not None else None)
    if p is None or sigma is None:
        raise RobustMemError(f"{args.network} has no certificate: give --p and --sigma")
    points = list(range(min(ds.N, args.max_points))) if args.max_points is not None else None
    return _Claim(net, cert, ds, p, sigma, points)


def _print_table(rows: list[tuple[str, str, float]]) -> None:
    say("| method | result | seconds |\n|---|---|---|")
    for m, v, sec in rows:
        say(f"| {m} | {v} | {sec:.1f} |")


def cmd_certify(args: argparse.Namespace) -> int:
    from robustmem.certify.propagation import GENERIC_NORMS

    c = _claim(args)
    methods = ["structural", "crown", "milp"] if args.method == "all" else [args.method]
    say(
        f"certifying {args.network} (N = {c.ds.N}, d = {c.ds.d}) on l_{pn(c.p)} balls of radius {c.sigma:.6g}"
        f" with {', '.join(methods)}"
    )
    rows: list[tuple[str, str, float]] = []
    outcomes: list[_Outcome] = []
    for m in methods:
        t = time.perf_counter()
        if args.method == "all" and m != "structural" and c.p not in GENERIC_NORMS:
            rows.append((m, f"skipped: the generic certifiers handle l_1, l_2, l_inf balls, not l_{pn(c.p)}", 0.0))
            continue
        outcome = _RUNNERS[m](c, args)
        outcomes.append(outcome)
        rows.append((m, outcome.verdict, time.perf_counter() - t))
        say(outcome.report.summary())
    _print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps({o.method: o.report.to_dict() for o in outcomes}, indent=2, default=str))
        say(f"wrote the reports to {args.json}")
    by = [
        o.method + (f" (|f - y| < {args.eps or 1e-3:g} only)" if o.method == "marabou" else "")
        for o in outcomes
        if o.n_proved == o.n_balls
    ]
    proved = bool(by)
    partial = ""
    for o in outcomes:  # 'exact proven, float64 not' must not read as a bare 0/N
        n_exact = getattr(o.report, "n_exact", -1)
        if o.method == "structural" and not proved and n_exact == o.n_balls:
            partial = (
                f" (structural: the exact network is proven on all {o.n_balls} balls, its float64 evaluation "
                f"on {o.report.n_float64})"
            )
    say(
        f"certify PASSED: every ball proved by {', '.join(by)}"
        if proved
        else "certify FAILED: no method proved every ball" + partial
    )
    return 0 if proved else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem certify`` to the command parser."""
    ce = sub.add_parser("certify", help="prove robustness from the weights: structural, bound propagation or MILP")
    ce.add_argument("network")
    add_data_args(ce, required=False)
    ce.add_argument(
        "--method",
        default="structural",
        choices=["structural", "ibp", "crown", "milp", "marabou", "all"],
        help="'all' runs structural, crown and milp; marabou (p = 1 or inf) asks the Marabou verifier",
    )
    ce.add_argument("--p", help="norm (default: the certificate's)")
    ce.add_argument("--sigma", type=float, help="radius (default: the certificate's)")
    ce.add_argument("--max-points", type=int, help="ibp/crown/milp/marabou: only the first this many balls")
    ce.add_argument("--eps", type=float, help="marabou: 'certified' means |f - y| < eps (default 1e-3)")
    ce.add_argument("--timeout", type=float, default=60.0, help="marabou: seconds per query (two per ball)")
    ce.add_argument("--json", help="write the reports as JSON to this file")
    ce.set_defaults(func=cmd_certify)
