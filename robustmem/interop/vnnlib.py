"""VNN-LIB 1.0 property files and a VNN-COMP style ``instances.csv`` for the robust-memorization claim.

One property per (training point, radius): the input box B_inf(x_i, sigma) and the *unsafe* output
region ``Y_0 <= y_i - eps or Y_0 >= y_i + eps``; a verifier that proves the property unsatisfiable
proves |f - y_i| < eps on the box.  VNN-LIB 1.0 states boxes only, so l_inf balls are written as
they are; for l_1 / l_2 balls ``inscribed_box=True`` writes the largest box inside the ball
(half-width sigma / d for l_1, sigma / sqrt(d) for l_2, rounded down) -- a weaker property, stated
in the file's header -- and without it they are refused.  Numbers are written in plain positional
notation with enough digits that ``float(text)`` gives back the exact float64.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.norms import check_p, p_name

__all__ = ["write_vnnlib", "positional"]


def positional(v: float) -> str:
    """``v`` in positional notation (no exponent) that reads back as the same float64."""
    if not math.isfinite(v):
        raise InvalidArgumentError(f"VNN-LIB numbers must be finite, got {v!r}")
    text = np.format_float_positional(float(v), unique=True, trim="0")
    return text + "0" if text.endswith(".") else text


def write_vnnlib(dataset: Any, p: float, sigma: float, out_dir: str | Path, *, onnx_name: str = "onnx/model.onnx",
                 timeout: float = 60.0, eps: float = 0.5, inscribed_box: bool = False) -> Path:  # fmt: skip
    """Write ``vnnlib/prop_{i}.vnnlib`` for every point and ``instances.csv``; return the csv path.

    eps: the output tolerance of the unsafe region (0.5: "round(f) = y_i"; smaller is stronger).
    """
    p = check_p(p)
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise InvalidArgumentError(f"sigma must be finite and >= 0, got {sigma!r}")
    if not (0 < eps <= 0.5):
        raise InvalidArgumentError(f"eps must lie in (0, 0.5], got {eps!r}")
    X, y = np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y)
    d = X.shape[1]
    if p == math.inf:
        half, note = sigma, f"the l_inf ball of radius {positional(sigma)}"
    elif not inscribed_box:
        raise InvalidArgumentError(
            f"VNN-LIB 1.0 expresses boxes only; an l_{p_name(p)} ball is not a box. Pass inscribed_box=True to"
            " write the largest box inside the ball (a weaker property)"
        )
    else:
        half = sigma / d ** (1.0 / p)  # the box [-h, h]^d lies in B_p(0, sigma) iff h d^(1/p) <= sigma
        while half * d ** (1.0 / p) > sigma:
            half = math.nextafter(half, 0.0)
        note = f"the box of half-width {positional(half)} inscribed in the l_{p_name(p)} ball of radius {positional(sigma)} (weaker)"
    out = Path(out_dir)
    (out / "vnnlib").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(X.shape[0]):
        # one ulp outward: rounding may only enlarge the box (a proof on a larger box covers the ball)
        lo, hi = np.nextafter(X[i] - half, -np.inf), np.nextafter(X[i] + half, np.inf)
        yi = int(y[i])
        body = [f"; robustmem: point {i}, label {yi}; input set: {note}",
                f"; unsafe: |Y_0 - {yi}| >= {positional(eps)}; unsat proves the label is kept on the set", ""]
        body += [f"(declare-const X_{j} Real)" for j in range(d)] + ["(declare-const Y_0 Real)", ""]
        for j in range(d):
            body += [f"(assert (>= X_{j} {positional(lo[j])}))", f"(assert (<= X_{j} {positional(hi[j])}))"]
        body += ["", f"(assert (or (and (<= Y_0 {positional(yi - eps)})) (and (>= Y_0 {positional(yi + eps)}))))"]
        name = f"vnnlib/prop_{i}.vnnlib"
        (out / name).write_text("\n".join(body) + "\n")
        lines.append(f"{onnx_name},{name},{positional(timeout)}")
    csv = out / "instances.csv"
    csv.write_text("\n".join(lines) + "\n")
    return csv
