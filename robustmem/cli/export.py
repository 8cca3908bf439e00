"""``robustmem export``: ONNX files and VNN-LIB properties."""

from __future__ import annotations

import argparse

import numpy as np

from robustmem.cli.common import (
    add_data_args,
    network_and_data,
    say,
)
from robustmem.errors import RobustMemError


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
    _, cert, ds = network_and_data(args, net) if (args.vnnlib or has_data) else (net, None, None)
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
        say(msg)
    if args.vnnlib:
        p = parse_p(args.p) if args.p is not None else (cert.p if cert is not None else None)
        radii = [r for group in args.sigma for r in group] if args.sigma else ([cert.sigma] if cert is not None else [])
        if p is None or not radii:
            raise RobustMemError("--vnnlib needs --p and --sigma (the network has no certificate)")
        assert ds is not None  # --vnnlib reads the dataset through network_and_data above
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
        say(vrep.summary())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``robustmem export`` to the command parser."""
    ex = sub.add_parser("export", help="export a network file to ONNX and its claim to VNN-LIB properties")
    ex.add_argument("network")
    add_data_args(ex, required=False)
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
