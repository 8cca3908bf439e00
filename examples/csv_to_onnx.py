"""From your own CSV file to a certified network, an ONNX file, and an onnxruntime check.

    python examples/csv_to_onnx.py --csv my_data.csv --out out/      # your file: one point per line, label last
    python examples/csv_to_onnx.py --out out/                         # writes a small demo CSV first

Steps, each printed as it runs:

1. read the CSV with :func:`robustmem.data.load_dataset` (comma-separated, the last column the label, an
   optional header line; labels may be any integers or strings: they are encoded as the paper's 1..C and the
   network decodes its outputs back with ``net.predict_labels``);
2. build the logarithmic-width network of Theorem 7 with :func:`robustmem.construct.construct_log_width` at the
   width you ask for (it certifies 0.99 of the largest l_2 radius its projection allows);
3. prove the certificate from the weights with :func:`robustmem.certify.certify_structural` (exact network and
   float64 evaluation, every ball B_2(x_i, sigma));
4. export it with :func:`robustmem.interop.export_onnx` (float64: no weight rounded);
5. run the ONNX file with onnxruntime on the training points and on points drawn inside the balls, and compare
   its outputs with ``net(X)`` for exact equality, and decode the outputs into your labels.

Needs onnx and onnxruntime (``pip install -e '.[test]'``). Exits 1 if the certificate or the comparison fails.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def write_demo_csv(path: Path, *, n: int, d: int, seed: int) -> Path:
    """A CSV of ``n`` points in R^d in three labelled clusters, coordinates with 3 decimals, label last."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=4.0, size=(3, d))
    labels = rng.integers(1, 4, size=n)
    X = np.round(centres[labels - 1] + rng.normal(size=(n, d)), 3)
    header = ",".join([f"x{j}" for j in range(d)] + ["label"])
    rows = [",".join([*(f"{v:.3f}" for v in x), str(int(c))]) for x, c in zip(X, labels)]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, help="your dataset (label in the last column); default: a demo CSV")
    ap.add_argument("--out", type=Path, help="folder for the CSV, the ONNX file (default: a temporary folder)")
    ap.add_argument("--width", type=int, default=8, help="network width k, 7 <= k <= d + 5 (default 8)")
    ap.add_argument("--n", type=int, default=60, help="points in the demo CSV (default 60)")
    ap.add_argument("--d", type=int, default=10, help="dimension of the demo CSV (default 10)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import onnxruntime as ort

    from robustmem.certify import certify_structural
    from robustmem.construct import construct_log_width
    from robustmem.data import load_dataset
    from robustmem.geometry import uniform_in_ball
    from robustmem.interop import export_onnx

    with tempfile.TemporaryDirectory(prefix="robustmem-example-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        csv = args.csv or write_demo_csv(out / "data.csv", n=args.n, d=args.d, seed=args.seed)
        print(f"1. dataset: {csv}" + ("" if args.csv else " (demo CSV written by this script)"))
        ds = load_dataset(csv)
        delta = ds.separation(2).delta
        names = "" if ds.classes is None else f" (your labels {list(ds.classes)})"
        print(f"   N = {ds.N}, d = {ds.d}, labels {ds.labels.tolist()}{names}, l_2 separation delta = {delta:.4g}")

        net, cert = construct_log_width(ds, p=2.0, width=args.width, seed=args.seed)
        print(
            f"2. built Theorem 7 at width {net.width}, depth {net.depth}: "
            f"sigma = {cert.sigma:.4g} = {cert.sigma / delta:.4f} delta (l_2 balls)"
        )

        report = certify_structural(net, ds, progress=False)
        print(
            f"3. certify_structural: {report.n_certified}/{report.n_points} balls proven "
            f"(exact network: {report.exact_network}, float64 evaluation: {report.float64_evaluation})"
        )

        onnx_path = out / "network.onnx"
        export = export_onnx(net, onnx_path)
        print(f"4. exported {export.path} ({export.n_bytes:,} bytes, float64)")

        rng = np.random.default_rng(args.seed)
        inside = uniform_in_ball(ds.X, 2.0, cert.sigma, 4, rng=rng).reshape(-1, ds.d)
        X = np.concatenate([ds.X, inside])
        session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
        (onnx_out,) = session.run(None, {session.get_inputs()[0].name: X})
        ours = net(X)
        same = bool(np.array_equal(np.asarray(onnx_out).reshape(len(X)), ours))
        labels_ok = bool(np.array_equal(ours, np.concatenate([ds.y, np.repeat(ds.y, 4)]).astype(float)))
        print(
            f"5. onnxruntime on {len(X)} points ({ds.N} training points, {len(inside)} inside the balls): "
            f"equal to net(X) exactly: {same}; every output equals its label: {labels_ok}"
        )

        decoded = net.predict_labels(ds.X)
        decoded_ok = bool(np.array_equal(decoded, ds.user_labels))
        print(f"6. net.predict_labels on the training points gives the labels of the file: {decoded_ok}")

        ok = report.certified and same and labels_ok and decoded_ok
        where = f"files in {out}" if args.out else "files were in a temporary folder, now removed (use --out DIR)"
        print(("PASSED" if ok else "FAILED") + f": {where}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
