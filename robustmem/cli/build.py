"""``robustmem build``: a construction of the registry on a named dataset or a file, written to a network file."""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING, Literal, get_args

from robustmem.cli.common import (
    add_data_args,
    describe_source,
    load_data,
    pn,
    say,
    shape_lines,
    sigma_from_args,
)
from robustmem.errors import RobustMemError

if TYPE_CHECKING:
    from robustmem.certificate import Construction
    from robustmem.construct.log_width import ProjectionChoice
    from robustmem.data import Dataset


def build_construction(
    ds: Dataset,
    construction: str,
    p: float,
    sigma: float | None,
    width: int | None,
    radius: Literal["theorem7", "remark10", "theorem35"] | None,
    projection: ProjectionChoice,
    seed: int,
    memorizer: str | None = None,
    q: float | None = None,
) -> Construction:
    """The construction named ``construction`` (a key of ``robustmem.construct.CONSTRUCTIONS``) with the
    command line's options, refusing options that do not apply to it.  ``q``: the separation norm of the
    Appendix E constructions (``SEPARATION_NORM_CONSTRUCTIONS``), required there and refused elsewhere."""
    from robustmem.construct import CONSTRUCTIONS, SEPARATION_NORM_CONSTRUCTIONS, construct_log_width

    if construction not in CONSTRUCTIONS:
        raise RobustMemError(f"unknown construction {construction!r}; choose from {sorted(CONSTRUCTIONS)}")
    if memorizer is not None and construction != "kim2025":
        raise RobustMemError(f"--memorizer applies to kim2025 only, not {construction}")
    if (q is None) == (construction in SEPARATION_NORM_CONSTRUCTIONS):
        which = ", ".join(sorted(SEPARATION_NORM_CONSTRUCTIONS))
        raise RobustMemError(
            f"--q (the separation norm) is required by {which} and applies to no other; got it "
            f"{'missing' if q is None else 'given'} for {construction}"
        )
    allowed = {"log-width": ("theorem7", "remark10"), "theorem35": ("theorem35",)}.get(construction, ())
    if radius is not None and radius not in allowed:
        raise RobustMemError(f"--radius {radius} does not apply to {construction} (choices there: {list(allowed)})")
    if construction == "log-width":
        r7: Literal["theorem7", "remark10"] | None = (
            "remark10" if radius == "remark10" else "theorem7" if radius == "theorem7" else None
        )
        return construct_log_width(ds, p=p, width=width, sigma=sigma, radius=r7, projection=projection, seed=seed)
    if construction == "theorem35":
        if width is None:
            raise RobustMemError("theorem35 needs --width (7 <= k <= d + 5)")
        fn35 = CONSTRUCTIONS[construction][0]
        return fn35(ds, p=p, q=q, width=width, sigma=sigma, radius=radius, projection=projection, seed=seed)
    if sigma is None:
        raise RobustMemError(f"{construction} needs a radius: --sigma, --sigma-over-delta or --fraction-of-limit")
    if width is not None:
        raise RobustMemError(f"--width applies to log-width and theorem35 only; {construction} has a fixed width")
    if construction == "yu2024":
        if p != math.inf:
            raise RobustMemError(f"yu2024 is an l_inf construction; got --p {pn(p)}")
        return CONSTRUCTIONS[construction][0](ds, sigma=sigma)
    if memorizer is not None:  # kim2025; without it, the constructor's default (the paper's choice)
        return CONSTRUCTIONS[construction][0](ds, p=p, sigma=sigma, memorizer=memorizer)
    if q is not None:
        return CONSTRUCTIONS[construction][0](ds, p=p, q=q, sigma=sigma)
    return CONSTRUCTIONS[construction][0](ds, p=p, sigma=sigma)


def cmd_build(args: argparse.Namespace) -> int:
    from robustmem.network import save_network
    from robustmem.norms import parse_p

    ds, source = load_data(args.dataset, args.data, args.param)
    p = parse_p(args.p)
    q = None if args.q is None else parse_p(args.q)
    sigma = sigma_from_args(args, ds, p)
    t = time.perf_counter()
    net, cert = build_construction(
        ds, args.construction, p, sigma, args.width, args.radius, args.projection, args.seed, args.memorizer, q
    )
    say(
        f"built {args.construction} on {describe_source(source)} (N = {ds.N}, d = {ds.d}) in {time.perf_counter() - t:.2f} s"
    )
    say(cert.summary())
    for line in shape_lines(net, cert):
        say(line)
    net.meta["dataset"] = {**source, "fingerprint": ds.fingerprint()}
    path = save_network(net, args.out)
    say(f"wrote the network to {path}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem build`` to the command parser."""
    from robustmem.construct import CONSTRUCTIONS
    from robustmem.construct.log_width import ProjectionChoice

    b = sub.add_parser("build", help="build a robust memorizer and write it to a network file")
    add_data_args(b)
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
    b.add_argument(
        "--q", help="Appendix E constructions: the norm of the separation and indicators (1, 2, 3, ..., inf, real)"
    )
    b.add_argument("--width", type=int, help="log-width and theorem35: the width k (7 <= k <= d+5)")
    b.add_argument(
        "--radius",
        choices=["theorem7", "remark10", "theorem35"],
        help="log-width (theorem7, remark10) or theorem35: the worst-case radius of the theorem",
    )
    b.add_argument(
        "--projection",
        default="auto",
        choices=list(get_args(ProjectionChoice)),
        help="log-width and theorem35: how the projection is chosen (auto: the library's default)",
    )
    b.add_argument(
        "--memorizer",
        choices=["yu2024", "theorem16"],
        help="kim2025: the memorizer in the projected space (default: Yu-Gao-Zhang's, as in the paper)",
    )
    b.add_argument("--seed", type=int, default=0)
    b.add_argument("--out", required=True, help="network file to write (.rmnet)")
    b.set_defaults(func=cmd_build)
