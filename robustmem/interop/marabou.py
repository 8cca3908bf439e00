"""An outside check: ask Marabou (maraboupy 2.0) about the package's claim, reading the ONNX export.

For a point x_i with label y_i and an l_inf radius sigma, Marabou is asked twice whether some x in
the box has f(x) <= y_i - eps, or f(x) >= y_i + eps.  Both 'unsat': the label is kept to within eps
on the whole box ('certified').  A 'sat' answer's input is re-evaluated with the package's own
network and reported only if the output really misses (and the point lies in the box).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["marabou_check"]


def _marabou() -> Any:
    with warnings.catch_warnings():  # maraboupy warns at import that TensorFlow is absent
        warnings.simplefilter("ignore")
        from maraboupy import Marabou
    return Marabou


def marabou_check(onnx_path: str | Path, x: np.ndarray, y: int, sigma: float, *, eps: float = 0.5,
                  net: Any = None, timeout: int = 60) -> tuple[str, np.ndarray | None]:  # fmt: skip
    """'certified' | 'refuted' | 'unknown', with the counterexample for 'refuted' (l_inf ball only)."""
    Marabou = _marabou()
    x = np.asarray(x, dtype=np.float64)
    for side in ("below", "above"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mnet = Marabou.read_onnx(str(onnx_path))
        xin = np.asarray(mnet.inputVars[0]).reshape(-1)
        yout = int(np.asarray(mnet.outputVars[0]).reshape(-1)[0])
        for j, v in enumerate(xin):
            mnet.setLowerBound(int(v), float(x[j] - sigma))
            mnet.setUpperBound(int(v), float(x[j] + sigma))
        if side == "below":
            mnet.setUpperBound(yout, float(y - eps))
        else:
            mnet.setLowerBound(yout, float(y + eps))
        opts = Marabou.createOptions(verbosity=0, timeoutInSeconds=timeout)
        exit_code, vals, _ = mnet.solve(options=opts, verbose=False)
        if exit_code == "unsat":
            continue
        if exit_code == "sat":
            a = np.array([vals[int(v)] for v in xin], dtype=np.float64)
            inside = bool(np.all(np.abs(a - x) <= sigma))
            if net is not None and inside:
                fa = float(np.asarray(net(a[None, :])).reshape(-1)[0])
                if abs(fa - y) >= eps:
                    return "refuted", a
            return "unknown", None
        return "unknown", None
    return "certified", None
