"""``robustmem compare`` and ``reproduce``: the comparison table and the registered experiments."""

from __future__ import annotations

import argparse
from pathlib import Path

from robustmem.cli.common import (
    add_data_args,
    describe_source,
    load_data,
    pn,
    say,
    sigma_from_args,
)


def cmd_compare(args: argparse.Namespace) -> int:
    from robustmem.compare import COMPARED, compare, to_csv, to_markdown
    from robustmem.norms import parse_p

    ds, source = load_data(args.dataset, args.data, args.param)
    p = parse_p(args.p)
    sigma = sigma_from_args(args, ds, p)
    say(f"comparing constructions on {describe_source(source)} (N = {ds.N}, d = {ds.d}), l_{pn(p)}")
    names = tuple(args.constructions.split(",")) if args.constructions else COMPARED
    rows = compare(
        ds, p=p, sigma=sigma, constructions=names, samples=args.samples, max_balls=args.max_balls, seed=args.seed
    )
    table = to_markdown(rows)
    say(table)
    out = Path(args.out)
    if out.suffix == ".md":  # a file: the CSV goes next to it
        md_path = out
    else:
        md_path = out / f"compare_{source.get('name', 'file')}_p{pn(p)}.md"
    md_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.write_text(
        f"<!-- robustmem compare on {describe_source(source)}, N = {ds.N}, d = {ds.d}, l_{pn(p)} -->\n\n" + table
    )
    csv_path = to_csv(rows, md_path.with_suffix(".csv"))
    say(f"wrote {md_path} and {csv_path}")
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
            say(f"{e.name:<22} {e.description}")
        return 0
    results = reproduce(
        quick=args.quick, only=args.only, out=args.out, figures=args.figures, scheduler=args.scheduler, say=say
    )
    return 0 if all(r.status == "ok" for r in results) else 1


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem compare``, ``robustmem reproduce`` to the command parser."""
    cp = sub.add_parser("compare", help="one row per construction: width, depth, parameters, radius, checks")
    add_data_args(cp)
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
