"""Helpers every command shares: printing, reading the data and the radius, the network file and its dataset."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from robustmem.errors import RobustMemError

if TYPE_CHECKING:
    from robustmem.certificate import Certificate
    from robustmem.data import Dataset
    from robustmem.network import ReLUNetwork

__all__ = [
    "add_data_args",
    "add_verify_args",
    "describe_source",
    "load_data",
    "network_and_data",
    "parse_kv",
    "pn",
    "say",
    "shape_lines",
    "sigma_from_args",
]


def say(msg: str) -> None:
    print(msg, flush=True)


def parse_kv(items: Sequence[str]) -> dict[str, Any]:
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


def load_data(name: str | None, path: str | None, params: Sequence[str]) -> tuple[Dataset, dict[str, Any]]:
    """The dataset of ``--dataset NAME [--param K=V ...]`` or ``--data FILE``, and a record of where it came from."""
    from robustmem.catalog import named_dataset
    from robustmem.data import load_dataset

    if path is not None and name is None:
        return load_dataset(path), {"file": str(path)}
    if name is None or path is not None:
        raise RobustMemError("give exactly one of --dataset NAME or --data FILE")
    kw = parse_kv(params)
    return named_dataset(name, **kw), {"name": name, "params": kw}


def describe_source(source: dict[str, Any]) -> str:
    """'file data.csv' or 'sphere (n=40, d=10)': the data source of load_data, for people."""
    if "file" in source:
        return f"file {source['file']}"
    params = ", ".join(f"{k}={v}" for k, v in source.get("params", {}).items())
    return f"{source['name']} ({params})" if params else str(source["name"])


def sigma_from_args(args: argparse.Namespace, ds: Dataset, p: float) -> float | None:
    from robustmem.norms import c_plus

    given = [x is not None for x in (args.sigma, args.sigma_over_delta, args.fraction_of_limit)]
    if sum(given) > 1:
        raise RobustMemError("give at most one of --sigma, --sigma-over-delta, --fraction-of-limit")
    if args.sigma is not None:
        return float(args.sigma)
    delta = ds.separation(2.0).delta
    if math.isinf(delta) and (args.sigma_over_delta is not None or args.fraction_of_limit is not None):
        raise RobustMemError(
            f"the dataset has a single class (N = {ds.N}, every label {int(ds.y[0])}): no differently-labelled pair, "
            "so delta = inf and --sigma-over-delta / --fraction-of-limit have no meaning; give --sigma"
        )
    if args.sigma_over_delta is not None:
        return float(args.sigma_over_delta) * delta
    if args.fraction_of_limit is not None:
        return float(args.fraction_of_limit) * delta / (2.0 * c_plus(p, ds.d))
    return None


def shape_lines(net: ReLUNetwork, cert: Certificate) -> list[str]:
    from robustmem.bounds import radii_for_width

    lines = [
        f"network: width {net.width} (claimed {cert.claimed_width}), depth {net.depth} (claimed {cert.claimed_depth}),"
        f" {net.num_parameters():,} dense / {net.num_nonzero_parameters():,} non-zero parameters",
        f"certified radius: sigma = {cert.sigma:.6g} = {cert.ratio_text()} (l_{pn(cert.p)})",
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


def pn(p: float) -> str:
    from robustmem.norms import p_name

    return p_name(p)


def network_and_data(
    args: argparse.Namespace, net: ReLUNetwork | None = None
) -> tuple[ReLUNetwork, Certificate | None, Dataset]:
    """The network file (or ``net``, already loaded from it), its certificate (None if it has none) and its
    dataset (named in the file or given)."""
    from robustmem.catalog import named_dataset
    from robustmem.construct import Certificate
    from robustmem.network import load_network

    net = load_network(args.network) if net is None else net
    cert = Certificate.from_dict(net.meta["certificate"]) if "certificate" in net.meta else None
    if args.dataset or args.data:
        ds, _ = load_data(args.dataset, args.data, args.param)
    else:
        src = net.meta.get("dataset", {})
        if "name" not in src:
            raise RobustMemError("the network does not name its dataset: give --dataset NAME or --data FILE")
        ds = named_dataset(src["name"], **src.get("params", {}))
    fp = net.meta.get("dataset", {}).get("fingerprint")
    if fp and fp != ds.fingerprint():
        raise RobustMemError(f"the dataset's fingerprint {ds.fingerprint()[:12]} differs from the network's {fp[:12]}")
    return net, cert, ds


def add_data_args(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--dataset", help="a named dataset (see `robustmem datasets`)")
    p.add_argument("--data", help="a dataset file (.npz with X, y or .csv with the label last)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="generator parameter (repeatable)")


def add_verify_args(p: argparse.ArgumentParser, samples: int, pgd_balls: int | None) -> None:
    p.add_argument("--samples", type=int, default=samples, help="random and boundary points per ball (each)")
    p.add_argument(
        "--pgd-balls", type=int, default=pgd_balls, help="random subset of balls for PGD (0: none; default all)"
    )
    p.add_argument("--pgd-steps", type=int, default=10)
    p.add_argument("--pgd-restarts", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
