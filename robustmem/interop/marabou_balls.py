"""Marabou on many balls: one :class:`~robustmem.interop.marabou.MarabouResult` per training point, as a report.

:func:`marabou_balls` exports the network to a temporary float64 ONNX file (exactly the network: no weight is
rounded) and asks :func:`~robustmem.interop.marabou.marabou_check` about every requested ball.  The CLI's
``certify --method marabou`` prints its :meth:`MarabouBallsReport.summary` and writes its
:meth:`MarabouBallsReport.to_dict`.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robustmem.data.dataset import Dataset
from robustmem.errors import InvalidArgumentError
from robustmem.interop.marabou import MarabouResult, marabou_check
from robustmem.interop.onnx_io import export_onnx
from robustmem.interop.vnnlib import OUTPUT_TOLERANCE
from robustmem.network.network import ReLUNetwork
from robustmem.norms import p_name

__all__ = ["MarabouBallsReport", "marabou_balls"]


@dataclass(frozen=True)
class MarabouBallsReport:
    """Marabou's verdicts on the balls ``indices`` (one :class:`MarabouResult` each, in the same order)."""

    indices: tuple[int, ...]
    results: tuple[MarabouResult, ...]
    p: float
    sigma: float
    eps: float
    seconds: float

    @property
    def status(self) -> tuple[str, ...]:
        return tuple(r.status for r in self.results)

    @property
    def n_certified(self) -> int:
        return self.status.count("certified")

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "certify",
            "method": "marabou",
            "p": p_name(self.p),
            "sigma": self.sigma,
            "eps": self.eps,
            "n_checked": len(self.status),
            "n_certified": self.n_certified,
            "indices": list(self.indices),
            "status": list(self.status),
            "answers": [list(r.answers) for r in self.results],
            "reasons": [r.reason for r in self.results],
            "seconds": self.seconds,
            "counterexamples": {
                str(i): {"point": r.counterexample.tolist(), "exact_output": str(r.exact_output)}
                for i, r in zip(self.indices, self.results)
                if r.counterexample is not None
            },
        }

    def summary(self, *, max_lines: int = 10) -> str:
        status = self.status
        head = (
            f"certify (marabou), l_{p_name(self.p)} balls of radius {self.sigma:.6g}: {self.n_certified}/{len(status)}"
            f" certified with |f - y| < {self.eps:g}, {status.count('refuted')} refuted,"
            f" {status.count('unknown')} unknown ({self.seconds:.2f} s)"
        )
        lines = [
            head,
            "  guarantee: 'certified': Marabou proved |f - y| < eps on the ball (up to its floating-point"
            " tolerances); 'refuted': a point of the closed ball where the exact network differs from y",
        ]
        others = [(i, r) for i, r in zip(self.indices, self.results) if r.status != "certified"]
        lines += [f"  ball {i}: {r.summary()}" for i, r in others[:max_lines]]
        if len(others) > max_lines:
            lines.append(f"  ... and {len(others) - max_lines} more")
        return "\n".join(lines)


def marabou_balls(
    net: ReLUNetwork,
    ds: Dataset,
    p: float,
    sigma: float,
    points: Sequence[int] | None = None,
    *,
    eps: float | None = None,
    timeout: float,
) -> MarabouBallsReport:
    """Marabou on every ball of ``ds`` (or on ``points``), reading a float64 ONNX export of ``net``.

    Marabou's constraints are linear, so p must be 1 or inf (:class:`InvalidArgumentError` otherwise).
    """
    if p not in (1.0, math.inf):
        raise InvalidArgumentError(f"Marabou's constraints are linear: it needs p = 1 or inf, got p = {p_name(p)}")
    eps = OUTPUT_TOLERANCE if eps is None else eps
    t = time.perf_counter()
    indices = tuple(int(i) for i in points) if points is not None else tuple(range(ds.N))
    with tempfile.TemporaryDirectory() as tmp:
        path = export_onnx(net, Path(tmp) / "net.onnx").path
        results = tuple(
            marabou_check(path, ds.X[i], int(ds.y[i]), p, sigma, eps=eps, net=net, timeout=timeout) for i in indices
        )
    return MarabouBallsReport(indices, results, p, sigma, eps, time.perf_counter() - t)
