"""``robustmem bounds``, ``proofs`` and ``datasets``: the paper's bounds, the executable proofs, the named datasets."""

from __future__ import annotations

import argparse
from typing import Any

from robustmem.cli.common import (
    say,
)
from robustmem.errors import RobustMemError


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
    say(_format_fields(rep))
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
            say(f"{info.name:<28} {info.summary}")
        say(f"\nfidelity table (every numbered statement; docs/fidelity.md):\n{render_text()}")
        say("run the proofs with: robustmem proofs --run")
        return 0
    results = run_proofs(args.only or None)
    for r in results:
        say(f"{r.name:<28} {r.status:<7} {r.seconds:6.2f} s  {r.message.splitlines()[0] if r.message else ''}")
    failed = [r for r in results if r.status != "proved"]
    say(f"{len(results) - len(failed)} proved, {len(failed)} failed")
    return 1 if failed else 0


def cmd_datasets(args: argparse.Namespace) -> int:
    from robustmem.catalog import dataset_names

    for name in dataset_names():
        say(name)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem bounds``, ``robustmem proofs``, ``robustmem datasets`` to the command parser."""
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

    ls = sub.add_parser("datasets", help="list the named datasets")
    ls.set_defaults(func=cmd_datasets)
