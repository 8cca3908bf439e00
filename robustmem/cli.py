"""The ``robustmem`` command line: demo, build, verify, certify, export, bounds, proofs, compare, reproduce, datasets.

Every command prints what it did and where it wrote its files.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from robustmem.errors import RobustMemError

__all__ = ["main"]


def _say(msg: str) -> None:
    print(msg, flush=True)


def _parse_kv(items: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise RobustMemError(f"--param expects key=value, got {item!r}")
        k, v = item.split("=", 1)
        try:
            out[k] = int(v)
        except ValueError:
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = v
    return out


def _load_data(name: str | None, path: str | None, params: Sequence[str]) -> tuple[Any, dict[str, Any]]:
    from robustmem.catalog import named_dataset
    from robustmem.data import load_dataset

    if (name is None) == (path is None):
        raise RobustMemError("give exactly one of --dataset NAME or --data FILE")
    if path is not None:
        return load_dataset(path), {"file": str(path)}
    kw = _parse_kv(params)
    return named_dataset(name, **kw), {"name": name, "params": kw}


def _describe_source(source: dict[str, Any]) -> str:
    """'file data.csv' or 'sphere (n=40, d=10)': the data source of _load_data, for people."""
    if "file" in source:
        return f"file {source['file']}"
    params = ", ".join(f"{k}={v}" for k, v in source.get("params", {}).items())
    return f"{source['name']} ({params})" if params else str(source["name"])


def _sigma_from_args(args: argparse.Namespace, ds: Any, p: float) -> float | None:
    from robustmem.norms import c_plus

    given = [x is not None for x in (args.sigma, args.sigma_over_delta, args.fraction_of_limit)]
    if sum(given) > 1:
        raise RobustMemError("give at most one of --sigma, --sigma-over-delta, --fraction-of-limit")
    if args.sigma is not None:
        return float(args.sigma)
    delta = ds.separation(2.0).delta
    if args.sigma_over_delta is not None:
        return float(args.sigma_over_delta) * delta
    if args.fraction_of_limit is not None:
        return float(args.fraction_of_limit) * delta / (2.0 * c_plus(p, ds.d))
    return None


def _build(
    ds: Any,
    construction: str,
    p: float,
    sigma: float | None,
    width: int | None,
    radius: str | None,
    projection: str,
    seed: int,
    memorizer: str | None = None,
) -> Any:
    from robustmem.construct import CONSTRUCTIONS, construct_log_width

    if construction not in CONSTRUCTIONS:
        raise RobustMemError(f"unknown construction {construction!r}; choose from {sorted(CONSTRUCTIONS)}")
    if memorizer is not None and construction != "kim2025":
        raise RobustMemError(f"--memorizer applies to kim2025 only, not {construction}")
    if construction == "log-width":
        return construct_log_width(ds, p=p, width=width, sigma=sigma, radius=radius, projection=projection, seed=seed)
    if sigma is None:
        raise RobustMemError(f"{construction} needs a radius: --sigma, --sigma-over-delta or --fraction-of-limit")
    if width is not None:
        raise RobustMemError(f"--width applies to log-width only; {construction} has a fixed width")
    if construction == "yu2024":
        if p != math.inf:
            raise RobustMemError(f"yu2024 is an l_inf construction; got --p {_pn(p)}")
        return CONSTRUCTIONS[construction][0](ds, sigma=sigma)
    if memorizer is not None:  # kim2025; without it, the constructor's default (the paper's choice)
        return CONSTRUCTIONS[construction][0](ds, p=p, sigma=sigma, memorizer=memorizer)
    return CONSTRUCTIONS[construction][0](ds, p=p, sigma=sigma)


def _shape_lines(net: Any, cert: Any) -> list[str]:
    from robustmem.bounds import radii_for_width

    lines = [
        f"network: width {net.width} (claimed {cert.claimed_width}), depth {net.depth} (claimed {cert.claimed_depth}),"
        f" {net.num_parameters():,} dense / {net.num_nonzero_parameters():,} non-zero parameters",
        f"certified radius: sigma = {cert.sigma:.6g} = {cert.sigma_over_delta:.6g} delta (l_{_pn(cert.p)})",
    ]
    if cert.n_points >= 2 and 7 <= net.width <= cert.input_dim + 5:
        try:
            rr = radii_for_width(cert.n_points, cert.input_dim, cert.p, net.width)
            lines.append(
                f"theory at width {net.width}, sigma/delta: Theorem 7 {rr.theorem7:.3g}, Remark 10 {rr.remark10:.3g},"
                f" Theorem 8 (impossible above) {rr.theorem8_text()},"
                f" Remark 4 limit {rr.remark4_limit:.3g}"
            )
        except RobustMemError:
            pass
    return lines


def _pn(p: float) -> str:
    from robustmem.norms import p_name

    return p_name(p)


def _verify(
    net: Any,
    ds: Any,
    cert: Any,
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
    _say(fit.summary())
    out["fit_float64"] = fit.to_dict()
    if exact:
        fx = verify_fit(net, ds, mode="exact")
        _say(fx.summary())
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
    _say(fal.summary())
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
        _say(pg.summary())
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
    _say(
        f"robustmem demo: scikit-learn digits, N = {ds.N}, d = {ds.d}, {ds.C} classes, l2 separation delta = {delta:.6g}"
    )
    _say(
        f"Theorem 6, l_inf, sigma = {args.fraction} x the limit delta / (2 sqrt d) = {sigma:.6g} ({sigma / delta:.6g} delta)"
    )
    t = time.perf_counter()
    net, cert = construct_theorem6(ds, p=math.inf, sigma=sigma)
    _say(f"built in {time.perf_counter() - t:.2f} s")
    _say(cert.summary())
    for line in _shape_lines(net, cert):
        _say(line)
    net.meta["dataset"] = {"name": "digits", "params": {}, "fingerprint": ds.fingerprint()}
    path = save_network(net, out / "digits_theorem6_linf.rmnet")
    _say(f"wrote the network to {path}")
    report = _verify(
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
    _say(f"wrote the report to {rpath}")
    verdict = "PASSED" if report["passed"] else "FAILED"
    _say(
        f"demo {verdict}: exact fit on all {ds.N} points and no counterexample found"
        if report["passed"]
        else f"demo {verdict}: see {rpath}"
    )
    _say(f"total time {time.perf_counter() - t0:.1f} s")
    return 0 if report["passed"] else 1


def cmd_build(args: argparse.Namespace) -> int:
    from robustmem.network import save_network
    from robustmem.norms import parse_p

    ds, source = _load_data(args.dataset, args.data, args.param)
    p = parse_p(args.p)
    sigma = _sigma_from_args(args, ds, p)
    t = time.perf_counter()
    net, cert = _build(
        ds, args.construction, p, sigma, args.width, args.radius, args.projection, args.seed, args.memorizer
    )
    _say(
        f"built {args.construction} on {_describe_source(source)} (N = {ds.N}, d = {ds.d}) in {time.perf_counter() - t:.2f} s"
    )
    _say(cert.summary())
    for line in _shape_lines(net, cert):
        _say(line)
    net.meta["dataset"] = {**source, "fingerprint": ds.fingerprint()}
    path = save_network(net, args.out)
    _say(f"wrote the network to {path}")
    return 0


def _network_and_data(args: argparse.Namespace, net: Any = None) -> tuple[Any, Any, Any]:
    """The network file (or ``net``, already loaded from it), its certificate (None if it has none) and its
    dataset (named in the file or given)."""
    from robustmem.catalog import named_dataset
    from robustmem.construct import Certificate
    from robustmem.network import load_network

    net = load_network(args.network) if net is None else net
    cert = Certificate.from_dict(net.meta["certificate"]) if "certificate" in net.meta else None
    if args.dataset or args.data:
        ds, _ = _load_data(args.dataset, args.data, args.param)
    else:
        src = net.meta.get("dataset", {})
        if "name" not in src:
            raise RobustMemError("the network does not name its dataset: give --dataset NAME or --data FILE")
        ds = named_dataset(src["name"], **src.get("params", {}))
    fp = net.meta.get("dataset", {}).get("fingerprint")
    if fp and fp != ds.fingerprint():
        raise RobustMemError(f"the dataset's fingerprint {ds.fingerprint()[:12]} differs from the network's {fp[:12]}")
    return net, cert, ds


def cmd_certify(args: argparse.Namespace) -> int:
    from robustmem.certify import certify, certify_structural
    from robustmem.certify.propagation import GENERIC_NORMS
    from robustmem.norms import parse_p

    net, cert, ds = _network_and_data(args)
    methods = ["structural", "crown", "milp"] if args.method == "all" else [args.method]
    p = parse_p(args.p) if args.p is not None else (cert.p if cert is not None else None)
    sigma = args.sigma if args.sigma is not None else (cert.sigma if cert is not None else None)
    if p is None or sigma is None:
        raise RobustMemError(f"{args.network} has no certificate: give --p and --sigma")
    points = list(range(min(ds.N, args.max_points))) if args.max_points is not None else None
    _say(
        f"certifying {args.network} (N = {ds.N}, d = {ds.d}) on l_{_pn(p)} balls of radius {sigma:.6g}"
        f" with {', '.join(methods)}"
    )
    rows, reports, counts = [], {}, []
    for m in methods:
        t = time.perf_counter()
        if args.method == "all" and m != "structural" and p not in GENERIC_NORMS:
            rows.append((m, f"skipped: the generic certifiers handle l_1, l_2, l_inf balls, not l_{_pn(p)}", 0.0))
            continue
        if m == "structural":
            if cert is None:
                raise RobustMemError("the structural certifier needs the certificate saved in the network file")
            if p != cert.p:
                raise RobustMemError(
                    f"the structural certifier proves the certificate's norm l_{_pn(cert.p)}, not l_{_pn(p)}"
                )
            rep = certify_structural(net, ds, sigma=sigma, progress=True)
            n_ok = rep.n_certified
            n_all = rep.n_certified + rep.n_failed
            verdict = f"{n_ok}/{n_all} balls certified" + ("" if rep.certified else f" ({rep.reason})")
        elif m == "marabou":
            from robustmem.interop.marabou_balls import marabou_balls

            rep = marabou_balls(net, ds, p, sigma, points, eps=args.eps, timeout=args.timeout)
            n_ok, n_all = rep.n_certified, len(rep.status)
            verdict = (
                f"{n_ok} certified (|f - y| < {rep.eps:g}), {rep.status.count('refuted')} refuted,"
                f" {rep.status.count('unknown')} unknown"
            )
        else:
            rep = certify(net, ds, p=p, sigma=sigma, method=m, points=points, progress=True)
            n_ok, n_all = rep.n_certified, len(rep.status)
            verdict = f"{n_ok} certified, {rep.status.count('refuted')} refuted, {rep.status.count('unknown')} unknown"
        reports[m] = rep.to_dict()
        counts.append((m, n_ok, n_all))
        rows.append((m, verdict, time.perf_counter() - t))
        _say(rep.summary())
    _say("| method | result | seconds |\n|---|---|---|")
    for m, v, sec in rows:
        _say(f"| {m} | {v} | {sec:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, indent=2, default=str))
        _say(f"wrote the reports to {args.json}")
    by = [
        m + (f" (|f - y| < {args.eps or 1e-3:g} only)" if m == "marabou" else "")
        for m, ok, total in counts
        if ok == total
    ]
    proved = bool(by)
    _say(
        f"certify PASSED: every ball proved by {', '.join(by)}"
        if proved
        else "certify FAILED: no method proved every ball"
    )
    return 0 if proved else 1


def _radii_arg(text: str) -> list[float]:
    """``--sigma 0.1`` or ``--sigma 0.1,0.2``: one or several radii."""
    try:
        return [float(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a radius or comma-separated radii, got {text!r}") from None


def cmd_export(args: argparse.Namespace) -> int:
    from robustmem.interop import OUTPUT_TOLERANCE, export_onnx, relative_onnx_name, run_onnx, write_vnnlib
    from robustmem.network import load_network
    from robustmem.norms import parse_p

    if not args.onnx and not args.vnnlib:
        raise RobustMemError("nothing to export: give --onnx FILE and/or --vnnlib DIR")
    net = load_network(args.network)
    has_data = args.dataset or args.data or "name" in net.meta.get("dataset", {})
    _, cert, ds = _network_and_data(args, net) if (args.vnnlib or has_data) else (net, None, None)
    if args.onnx:
        rep = export_onnx(net, args.onnx, dtype=args.dtype)
        msg = rep.summary()
        if ds is not None:  # the file run by onnxruntime against the package's own evaluation
            got, want = run_onnx(rep.path, ds.X), net(ds.X)
            if np.array_equal(got, want):
                msg += f"; onnxruntime agrees with net(X) on the {ds.N} training points"
            else:
                gap = float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want)))
                msg += f"; onnxruntime DIFFERS from net(X) on the {ds.N} training points (max |difference| {gap:.3g})"
        _say(msg)
    if args.vnnlib:
        p = parse_p(args.p) if args.p is not None else (cert.p if cert is not None else None)
        radii = [r for group in args.sigma for r in group] if args.sigma else ([cert.sigma] if cert is not None else [])
        if p is None or not radii:
            raise RobustMemError("--vnnlib needs --p and --sigma (the network has no certificate)")
        # VNN-COMP layout: instances.csv names the model relative to the benchmark folder
        onnx_name = relative_onnx_name(args.onnx, args.vnnlib) if args.onnx else "onnx/model.onnx"
        vrep = write_vnnlib(
            ds,
            p,
            radii,
            args.vnnlib,
            onnx_name=onnx_name,
            inscribed_box=args.inscribed_box,
            eps=OUTPUT_TOLERANCE if args.eps is None else args.eps,
            timeout=args.timeout,
        )
        _say(vrep.summary())
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    net, cert, ds = _network_and_data(args)
    if cert is None:
        raise RobustMemError(f"{args.network} has no certificate; it was not built by a robustmem construction")
    _say(f"verifying {args.network}: {cert.theorem}, N = {ds.N}, d = {ds.d}")
    _say(cert.summary())
    for line in _shape_lines(net, cert):
        _say(line)
    report = _verify(
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
        _say(f"wrote the report to {args.json}")
    _say("verification PASSED" if report["passed"] else "verification FAILED")
    return 0 if report["passed"] else 1


def cmd_bounds(args: argparse.Namespace) -> int:
    from robustmem.bounds import radii_for_width, width_report
    from robustmem.norms import parse_p

    p = parse_p(args.p)
    if (args.k is None) == (args.sigma_over_delta is None):
        raise RobustMemError("give exactly one of --k or --sigma-over-delta")
    if args.k is not None:
        rep: Any = radii_for_width(args.N, args.d, p, args.k)
    else:
        rep = width_report(args.N, args.d, p, args.sigma_over_delta)
    _say(_format_fields(rep))
    return 0


def _format_fields(rep: Any) -> str:
    """A dataclass report as aligned 'field: value' lines (None reads 'n/a')."""
    import dataclasses

    if hasattr(rep, "summary"):
        return rep.summary()
    lines = [type(rep).__name__]
    for f in dataclasses.fields(rep):
        v = getattr(rep, f.name)
        text = "n/a" if v is None else (f"{v:.6g}" if isinstance(v, float) else str(v))
        lines.append(f"  {f.name:<28} {text}")
    return "\n".join(lines)


def cmd_proofs(args: argparse.Namespace) -> int:
    from robustmem.fidelity import render_text
    from robustmem.proofcheck import list_proofs, run_proofs

    if not args.run:
        for info in list_proofs():
            _say(f"{info.name:<28} {info.summary}")
        _say(f"\nfidelity table (every numbered statement; docs/fidelity.md):\n{render_text()}")
        _say("run the proofs with: robustmem proofs --run")
        return 0
    results = run_proofs(args.only or None)
    for r in results:
        _say(f"{r.name:<28} {r.status:<7} {r.seconds:6.2f} s  {r.message.splitlines()[0] if r.message else ''}")
    failed = [r for r in results if r.status != "proved"]
    _say(f"{len(results) - len(failed)} proved, {len(failed)} failed")
    return 1 if failed else 0


def cmd_compare(args: argparse.Namespace) -> int:
    from robustmem.compare import compare, to_csv, to_markdown
    from robustmem.norms import parse_p

    ds, source = _load_data(args.dataset, args.data, args.param)
    p = parse_p(args.p)
    sigma = _sigma_from_args(args, ds, p)
    _say(f"comparing constructions on {_describe_source(source)} (N = {ds.N}, d = {ds.d}), l_{_pn(p)}")
    names = tuple(args.constructions.split(",")) if args.constructions else None
    rows = compare(
        ds,
        p=p,
        sigma=sigma,
        samples=args.samples,
        max_balls=args.max_balls,
        seed=args.seed,
        **({"constructions": names} if names else {}),
    )
    table = to_markdown(rows)
    _say(table)
    out = Path(args.out)
    if out.suffix == ".md":  # a file: the CSV goes next to it
        md_path = out
    else:
        md_path = out / f"compare_{source.get('name', 'file')}_p{_pn(p)}.md"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(
        f"<!-- robustmem compare on {_describe_source(source)}, N = {ds.N}, d = {ds.d}, l_{_pn(p)} -->\n\n" + table
    )
    csv_path = to_csv(rows, md_path.with_suffix(".csv"))
    _say(f"wrote {md_path} and {csv_path}")
    return 0


def cmd_reproduce(args: argparse.Namespace) -> int:
    from robustmem.reproduce import plan_runs, reproduce

    if args.list:
        for e, _argv in plan_runs(
            quick=args.quick,
            only=args.only,
            out=args.out or "OUT",
            figures=args.figures or "FIG",
            scheduler=args.scheduler,
        ):
            _say(f"{e.name:<22} {e.description}")
        return 0
    results = reproduce(
        quick=args.quick, only=args.only, out=args.out, figures=args.figures, scheduler=args.scheduler, say=_say
    )
    return 0 if all(r.status == "ok" for r in results) else 1


def cmd_datasets(args: argparse.Namespace) -> int:
    from robustmem.catalog import dataset_names

    for name in dataset_names():
        _say(name)
    return 0


def _add_data_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--dataset", help="a named dataset (see `robustmem datasets`)")
    p.add_argument("--data", help="a dataset file (.npz with X, y or .csv with the label last)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="generator parameter (repeatable)")


def _add_verify_args(p: argparse.ArgumentParser, samples: int, pgd_balls: int | None) -> None:
    p.add_argument("--samples", type=int, default=samples, help="random and boundary points per ball (each)")
    p.add_argument(
        "--pgd-balls", type=int, default=pgd_balls, help="random subset of balls for PGD (0: none; default all)"
    )
    p.add_argument("--pgd-steps", type=int, default=10)
    p.add_argument("--pgd-restarts", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)


def make_parser() -> argparse.ArgumentParser:
    from robustmem import __version__
    from robustmem.construct import CONSTRUCTIONS

    ap = argparse.ArgumentParser(prog="robustmem", description=__doc__)
    ap.add_argument("--version", action="version", version=f"robustmem {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="build and verify a robust memorizer of scikit-learn's digits (Theorem 6, l_inf)")
    d.add_argument("--out", default="robustmem-out", help="folder for the network and the report")
    d.add_argument("--fraction", type=float, default=0.9, help="sigma as a fraction of the Theorem 6 limit")
    _add_verify_args(d, samples=2, pgd_balls=32)
    d.set_defaults(func=cmd_demo)

    b = sub.add_parser("build", help="build a robust memorizer and write it to a network file")
    _add_data_args(b)
    b.add_argument(
        "--construction",
        required=True,
        choices=sorted(CONSTRUCTIONS),
    )
    b.add_argument("--p", default="2", help="norm of the balls: 1, 2, inf, or any number > 0 (theorem5)")
    b.add_argument("--sigma", type=float, help="radius, absolute")
    b.add_argument("--sigma-over-delta", type=float, help="radius in units of the l2 separation delta")
    b.add_argument(
        "--fraction-of-limit", type=float, help="radius as a fraction of the Remark 4 limit delta/(2 c+_p(d))"
    )
    b.add_argument("--width", type=int, help="log-width: the width k (7 <= k <= d+5)")
    b.add_argument("--radius", choices=["theorem7", "remark10"], help="log-width: the worst-case radius of the theorem")
    b.add_argument("--projection", default="best-of-random", choices=["random", "best-of-random", "optimize"])
    b.add_argument(
        "--memorizer",
        choices=["yu2024", "theorem16"],
        help="kim2025: the memorizer in the projected space (default: Yu-Gao-Zhang's, as in the paper)",
    )
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--out", required=True, help="network file to write (.rmnet)")
    b.set_defaults(func=cmd_build)

    v = sub.add_parser("verify", help="verify a network file: exact fit, sampling and gradient attacks")
    v.add_argument("network")
    _add_data_args(v, required=False)
    v.add_argument("--no-exact", action="store_true", help="skip the exact-arithmetic fit check")
    v.add_argument("--json", help="write the report as JSON to this file")
    _add_verify_args(v, samples=8, pgd_balls=None)
    v.set_defaults(func=cmd_verify)

    ce = sub.add_parser("certify", help="prove robustness from the weights: structural, bound propagation or MILP")
    ce.add_argument("network")
    _add_data_args(ce, required=False)
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

    ex = sub.add_parser("export", help="export a network file to ONNX and its claim to VNN-LIB properties")
    ex.add_argument("network")
    _add_data_args(ex, required=False)
    ex.add_argument("--onnx", help="ONNX file to write (Gemm/Relu graph, float64 unless --dtype float32)")
    ex.add_argument(
        "--dtype",
        default="float64",
        choices=["float64", "float32"],
        help="ONNX weight type: float64 is the network exactly; float32 rounds (the count is printed)",
    )
    ex.add_argument("--vnnlib", help="folder for vnnlib/prop_{i}_{r}.vnnlib and instances.csv (VNN-COMP layout)")
    ex.add_argument("--p", help="norm (default: the certificate's)")
    ex.add_argument(
        "--sigma",
        type=_radii_arg,
        action="append",
        help="radius, or comma-separated radii; repeatable (default: the certificate's)",
    )
    ex.add_argument("--eps", type=float, help="output slack of the unsafe set |Y_0 - y_i| >= eps (default 1e-3)")
    ex.add_argument("--timeout", type=float, default=60.0, help="seconds per instance written to instances.csv")
    ex.add_argument(
        "--inscribed-box", action="store_true", help="l_1/l_2: write the box inscribed in the ball (weaker)"
    )
    ex.set_defaults(func=cmd_export)

    bd = sub.add_parser("bounds", help="the paper's widths and radii for N, d, p")
    bd.add_argument("--N", type=int, required=True)
    bd.add_argument("--d", type=int, required=True)
    bd.add_argument("--p", default="2")
    bd.add_argument("--k", type=int, help="a width: print the radii of Theorems 7, 8, Remark 10 and Remark 4")
    bd.add_argument("--sigma-over-delta", type=float, help="a radius: print sufficient / impossible widths")
    bd.set_defaults(func=cmd_bounds)

    pr = sub.add_parser("proofs", help="list the executable proofs (or run them with --run)")
    pr.add_argument("--run", action="store_true")
    pr.add_argument("--only", nargs="*", help="names of proofs to run")
    pr.set_defaults(func=cmd_proofs)

    cp = sub.add_parser("compare", help="one row per construction: width, depth, parameters, radius, checks")
    _add_data_args(cp)
    cp.add_argument("--p", default="inf")
    cp.add_argument("--sigma", type=float)
    cp.add_argument("--sigma-over-delta", type=float)
    cp.add_argument("--fraction-of-limit", type=float)
    cp.add_argument("--samples", type=int, default=16, help="random and boundary points per ball")
    cp.add_argument("--max-balls", type=int, default=64, help="balls attacked per construction (random subset)")
    cp.add_argument("--seed", type=int, default=0)
    cp.add_argument("--out", default="results", help="folder for the Markdown and CSV tables, or a .md file path")
    cp.add_argument("--constructions", help="comma-separated subset of the compared constructions (default: all)")
    cp.set_defaults(func=cmd_compare)

    rp = sub.add_parser("reproduce", help="rerun the registered experiments: every results file and figure")
    rp.add_argument(
        "--quick",
        action="store_true",
        help="small sizes (minutes; what the tests run); writes under"
        " results/quick and figures/quick unless --out/--figures say otherwise",
    )
    rp.add_argument("--only", nargs="+", metavar="NAME", help="run only these experiments (see --list)")
    rp.add_argument("--out", help="results folder (default results, or results/quick with --quick)")
    rp.add_argument("--figures", help="figures folder (default figures, or figures/quick with --quick)")
    rp.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler address for the sweeps (default: local)")
    rp.add_argument("--list", action="store_true", help="list the experiments and exit")
    rp.set_defaults(func=cmd_reproduce)

    ls = sub.add_parser("datasets", help="list the named datasets")
    ls.set_defaults(func=cmd_datasets)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except RobustMemError as exc:
        print(f"robustmem {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:  # a missing input file is a user error, not a crash
        print(f"robustmem {args.command}: error: no such file: {exc.filename}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
