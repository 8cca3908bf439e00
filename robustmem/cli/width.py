"""``robustmem width``: the certified width sandwich of a dataset at a radius, or a table over radii (issue 14).

    robustmem width --dataset digits --p 2 --sigma-over-delta 0.45 [--out DIR]
    robustmem width --dataset wine --standardize --table 0.1,0.25,0.4

Prints "no network of width <= a (certificate file); width b built and certified (network file)" per radius;
the certificate is checked by the standalone exact verifier (robustmem/lower_bound/width_verify.py).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from robustmem.cli.common import say as _say
from robustmem.errors import InvalidArgumentError

__all__ = ["cmd_width", "register"]


def _radii(text: str) -> list[float]:
    try:
        vals = [float(t) for t in text.split(",") if t.strip()]
    except ValueError as exc:
        raise InvalidArgumentError(f"--table expects comma-separated numbers, got {text!r}") from exc
    for i, v in enumerate(vals):
        if not 0 < v < 0.5:
            raise InvalidArgumentError(f"--table value {i} is sigma/delta = {v!r}; it must lie in (0, 1/2)")
    if not vals:
        raise InvalidArgumentError("--table needs at least one radius")
    return vals


def _dataset(args: argparse.Namespace) -> Any:
    from robustmem.catalog import named_dataset
    from robustmem.data import Dataset, load_dataset

    if (args.dataset is None) == (args.data is None):
        raise InvalidArgumentError("give exactly one of --dataset NAME or --data FILE")
    ds = load_dataset(args.data) if args.data is not None else named_dataset(args.dataset)
    if args.standardize:
        std = ds.X.std(axis=0)
        std[std == 0] = 1.0
        ds = Dataset.from_arrays((ds.X - ds.X.mean(axis=0)) / std, ds.y, name=f"{ds.name} (standardized)")
    return ds


def cmd_width(args: argparse.Namespace) -> int:
    """Run the sandwich for one radius (--sigma-over-delta) or a grid (--table); write the files under --out."""
    from robustmem.lower_bound.sandwich import WidthSearch, width_sandwich
    from robustmem.network import save_network
    from robustmem.norms import parse_p

    ds = _dataset(args)
    p = parse_p(args.p)
    if (args.sigma_over_delta is None) == (args.table is None):
        raise InvalidArgumentError("give exactly one of --sigma-over-delta S or --table S1,S2,...")
    radii = [args.sigma_over_delta] if args.table is None else _radii(args.table)
    if args.table is None and not 0 < radii[0] < 0.5:
        raise InvalidArgumentError(f"--sigma-over-delta = {radii[0]!r} must lie in (0, 1/2)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    search = WidthSearch(ds, p=p, time_budget=args.time_budget, progress=_say if args.verbose else None)
    _say(f"width sandwich for {ds.name} (N = {ds.N}, d = {ds.d}, delta = {search.delta:.6g}), l_{args.p}")
    table: list[tuple[float, int, int | None]] = []
    for s in radii:
        t = time.perf_counter()
        res = width_sandwich(ds, p=p, sigma_over_delta=s, search=search)
        tag = f"{s:g}".replace(".", "p")
        if res.certificate is not None:
            cpath = res.certificate.save(out / f"width_lower_k{res.lower}_s{tag}.json", sigma=res.sigma)
            low = f"no network of width <= {res.lower} ({cpath})"
        else:
            low = "no width excluded (even k = 1 admits a separating map by the relaxation)"
        if res.construction is not None:
            net = res.construction.network
            net.meta["dataset"] = {"name": ds.name, "fingerprint": ds.fingerprint()}
            npath = save_network(net, out / f"width_upper_w{res.upper}_s{tag}.rmnet")
            up = f"width {res.upper} built and certified ({npath})"
        else:
            up = f"no width in [7, {ds.d + 5}] built by the log-width construction"
        _say(f"sigma/delta = {s:g}: {low}; {up}  [{time.perf_counter() - t:.1f} s]")
        table.append((s, res.lower, res.upper))
    if args.table is not None:
        _say("| sigma/delta | no network of width <= | built and certified at width | gap |")
        _say("|---|---|---|---|")
        for s, lo, hi in table:
            _say(f"| {s:g} | {lo} | {hi if hi is not None else '-'} | {hi - lo if hi is not None else '-'} |")
    _say(f"wrote the certificates and networks under {out}")
    return 0


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``width`` command to the CLI's subparsers."""
    w = subparsers.add_parser(
        "width",
        help="certified sandwich: no network of width <= a (exact certificate), width b built and certified",
    )
    w.add_argument("--dataset", help="a named dataset (robustmem datasets lists them)")
    w.add_argument("--data", help="a dataset file")
    w.add_argument("--standardize", action="store_true", help="standardize the features first")
    w.add_argument("--p", default="2", help="the norm: 1, 2, inf or a number >= 2 (default 2)")
    w.add_argument("--sigma-over-delta", type=float, help="the radius, relative to the l_2 separation delta")
    w.add_argument("--table", help="comma-separated radii sigma/delta: one line each and a table")
    w.add_argument("--out", default="width-out", help="folder for the certificate and network files")
    w.add_argument("--time-budget", type=float, default=45.0, help="seconds of constraint generation per k")
    w.add_argument("--verbose", action="store_true", help="one line per relaxation and projection")
    w.set_defaults(func=cmd_width)
    return w
