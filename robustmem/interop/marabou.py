"""An outside check: ask the Marabou verifier (maraboupy 2.0) about one ball, reading the ONNX export.

For a training point x with label y, a norm p in {1, inf} and a radius sigma, Marabou is asked two
queries on the network of the ONNX file: is there an x' in B_p(x, sigma) with f(x') <= y - eps, and one
with f(x') >= y + eps?  The l_inf ball is a box (input bounds); the l_1 ball is encoded exactly with
auxiliary variables u_j = x'_j - x_j, t_j = |u_j| (Marabou's abs constraint) and sum_j t_j <= sigma.

Verdicts:

* 'certified': both queries unsat, i.e. |f - y| < eps on the whole ball, as decided by Marabou's
  complete search -- exact up to Marabou's floating-point tolerances, not a proof in exact arithmetic.
* 'refuted': a query was sat and its input, moved into the closed ball if Marabou's tolerance left it
  outside, is a point where the exact network (float64 weights read as rationals) differs from y:
  a counterexample to robust memorization (Definition 3), found by Marabou and confirmed here.
* 'unknown': a timeout or error, or a witness that the exact re-check does not confirm.

Each query runs in a child process, killed ``_GRACE_S`` seconds after its timeout: Marabou 2.0 does not
always stop at its own timeout.  Small eps can be hard for Marabou on deep networks (measured: on a
depth-56 Theorem 6 chain it certifies eps = 1/2 in 0.3 s a ball and stalls at eps = 1e-3).
"""

from __future__ import annotations

import math
import multiprocessing as mp
import time
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import numpy as np

from robustmem.errors import InvalidArgumentError, VerificationError
from robustmem.extras import require
from robustmem.geometry import certainly_in_ball, exact_in_ball, shrink_into_ball
from robustmem.interop.vnnlib import OUTPUT_TOLERANCE, _down, _up
from robustmem.network.network import ReLUNetwork
from robustmem.norms import check_p, p_name

__all__ = ["MarabouResult", "MarabouStatus", "marabou_check"]

MarabouStatus = Literal["certified", "refuted", "unknown"]
_GRACE_S = 5.0  # seconds past the timeout before a query's process is killed (reading the ONNX file, preprocessing)


@dataclass(frozen=True)
class MarabouResult:
    """Marabou's verdict on one ball (see the module docstring for what each status proves).

    ``answers`` are Marabou's exit codes for the queries f <= y - eps and f >= y + eps (a query that
    was not needed reads 'skipped'); ``exact_output`` is the exact network's value at the counterexample.
    """

    status: MarabouStatus
    p: float
    sigma: float
    eps: float
    label: int
    answers: tuple[str, str]
    seconds: float
    reason: str
    counterexample: np.ndarray | None = None
    exact_output: Fraction | None = None

    def summary(self) -> str:
        s = (
            f"Marabou, l_{p_name(self.p)} ball of radius {self.sigma:.6g}, label {self.label}, eps {self.eps:g}:"
            f" {self.status} ({self.reason}; {self.seconds:.2f} s)"
        )
        if self.counterexample is not None:
            assert self.exact_output is not None  # a counterexample is reported with its exact output
            s += f"; f = {float(self.exact_output):.9g} at {np.array2string(self.counterexample, precision=6)}"
        return s


def _marabou() -> Any:
    with warnings.catch_warnings():  # maraboupy warns at import that TensorFlow (its other parser) is absent
        warnings.filterwarnings("ignore", message=".*[Tt]ensorflow", category=UserWarning)
        return require("maraboupy.Marabou", feature="the Marabou cross-check (marabou_check)")


def _solve(
    onnx_path: Path, x: np.ndarray, p: float, sigma: float, side: str, threshold: float, timeout: float
) -> tuple[str, np.ndarray | None]:
    """One query, in this process: (exit code, input values if sat)."""
    Marabou = _marabou()
    mnet = Marabou.read_onnx(str(onnx_path))
    xin = np.asarray(mnet.inputVars[0]).reshape(-1)
    out = np.asarray(mnet.outputVars[0]).reshape(-1)
    if len(xin) != len(x) or len(out) != 1:
        raise VerificationError(
            f"{onnx_path}: Marabou reads {len(xin)} inputs and {len(out)} outputs; need {len(x)} and 1"
        )
    s = Fraction(sigma)
    for j, v in enumerate(xin):  # corners rounded outward: the box contains the ball (float64 x +- sigma may not)
        mnet.setLowerBound(int(v), _down(Fraction(float(x[j])) - s))
        mnet.setUpperBound(int(v), _up(Fraction(float(x[j])) + s))
    if p == 1.0:  # u_j = x'_j - x_j, t_j = |u_j|, sum t_j <= sigma: the l_1 ball, exactly
        ts = []
        for j, v in enumerate(xin):
            u, t = mnet.getNewVariable(), mnet.getNewVariable()
            mnet.setLowerBound(u, -sigma)
            mnet.setUpperBound(u, sigma)
            mnet.setLowerBound(t, 0.0)
            mnet.setUpperBound(t, sigma)
            mnet.addEquality([int(v), u], [1.0, -1.0], float(x[j]))
            mnet.addAbsConstraint(u, t)
            ts.append(t)
        mnet.addInequality(ts, [1.0] * len(ts), float(sigma))
    if side == "below":
        mnet.setUpperBound(int(out[0]), threshold)
    else:
        mnet.setLowerBound(int(out[0]), threshold)
    opts = Marabou.createOptions(verbosity=0, timeoutInSeconds=max(1, math.ceil(timeout)))
    code, vals, _ = mnet.solve(options=opts, verbose=False)
    if code == "sat":
        return code, np.array([vals[int(v)] for v in xin], dtype=np.float64)
    return str(code), None


def _child(conn: Any, args: tuple[Any, ...]) -> None:
    try:
        conn.send(("ok", _solve(*args)))
    except BaseException as exc:  # sent to the parent, which raises it there
        conn.send(("raise", exc))
    finally:
        conn.close()


def _query(
    onnx_path: Path, x: np.ndarray, p: float, sigma: float, side: str, threshold: float, timeout: float
) -> tuple[str, np.ndarray | None]:
    """One query in a child process, killed after the timeout plus a grace period.

    Marabou 2.0 does not always honour its own timeout (measured: its SoI local search on a depth-56
    Theorem 6 network ran for minutes with timeoutInSeconds = 10), so the timeout is enforced here.
    """
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, (onnx_path, x, p, sigma, side, threshold, timeout)), daemon=True)
    proc.start()
    child.close()
    limit = timeout + max(_GRACE_S, 0.25 * timeout)
    try:
        if not parent.poll(limit):
            proc.kill()
            return f"TIMEOUT (killed after {limit:.0f} s)", None
        try:
            kind, value = parent.recv()
        except EOFError:
            proc.join(5.0)
            return f"ERROR (the Marabou process exited with code {proc.exitcode})", None
    finally:
        parent.close()
        proc.join(5.0)
    if kind == "raise":
        raise value
    return value


@dataclass(frozen=True)
class _Ball:
    """The question asked of Marabou, validated: B_p(x, sigma), label y, output tolerance eps."""

    x: np.ndarray
    y: int
    p: float
    sigma: float
    eps: float


@dataclass(frozen=True)
class _Verdict:
    """What one ball's queries decided: a status, why, and the confirmed counterexample if refuted."""

    status: MarabouStatus
    reason: str
    counterexample: np.ndarray | None = None
    exact_output: Fraction | None = None


def _checked_ball(x: np.ndarray, y: int, p: float | str, sigma: float, eps: float) -> _Ball:
    """marabou_check's arguments checked (p in {1, inf}, 0 < sigma < inf, 0 < eps <= 1/2) and converted."""
    p = check_p(p)
    if p not in (1.0, math.inf):
        raise InvalidArgumentError(f"Marabou's constraints are linear: p must be 1 or inf, got p = {p_name(p)}")
    if (
        isinstance(sigma, bool)
        or not isinstance(sigma, (int, float, np.integer, np.floating))
        or not 0 < sigma < math.inf
    ):
        raise InvalidArgumentError(f"the radius sigma must be a positive finite number, got {sigma!r}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or not 0 < eps <= 0.5:
        raise InvalidArgumentError(f"eps must lie in (0, 0.5], got {eps!r}")
    return _Ball(np.asarray(x, dtype=np.float64).reshape(-1), int(y), p, float(sigma), float(eps))


def _thresholds(ball: _Ball) -> tuple[tuple[str, float], tuple[str, float]]:
    """The two queries, f <= y - eps and f >= y + eps, as (side, threshold).

    The thresholds are rounded so that the unsafe sets only grow: 'unsat' still proves |f - y| < eps exactly.
    """
    y, eps = Fraction(ball.y), Fraction(ball.eps)
    return ("below", _up(y - eps)), ("above", _down(y + eps))


def _relation(side: str, threshold: float) -> str:
    return f"f {'<=' if side == 'below' else '>='} {threshold:.9g}"


def _judge_answer(
    code: str,
    a: np.ndarray | None,
    side: str,
    threshold: float,
    ball: _Ball,
    net: ReLUNetwork | None,
    onnx_path: Path,
) -> _Verdict:
    """The verdict on a query Marabou did not find unsat: 'refuted' only if the exact network confirms its witness."""
    if a is None:
        return _Verdict("unknown", f"Marabou answered {code!r} for {_relation(side, threshold)}")
    if net is None:
        from robustmem.interop.onnx_io import import_onnx

        net = import_onnx(onnx_path)
    c = ball.x[None, :]
    if not certainly_in_ball(a[None, :], c, ball.p, ball.sigma)[0]:  # Marabou's tolerance may leave it just outside
        a = shrink_into_ball(a[None, :], c, ball.p, ball.sigma)[0]
    from robustmem.network.exact import evaluate_exact

    exact = evaluate_exact(net, a[None, :]).values[0]
    if exact_in_ball(a, ball.x, ball.p, ball.sigma) and exact != ball.y:
        return _Verdict(
            "refuted",
            f"Marabou found {_relation(side, threshold)}; the exact network confirms f != y there",
            counterexample=a,
            exact_output=exact,
        )
    return _Verdict(
        "unknown",
        f"Marabou's witness for {_relation(side, threshold)} is not"
        f" confirmed: exact f = {float(exact):.9g} at the point moved into the ball",
    )


def _result(ball: _Ball, answers: list[str], t0: float, verdict: _Verdict) -> MarabouResult:
    """The report: the verdict, the two answers and the seconds since ``t0``."""
    return MarabouResult(
        verdict.status,
        ball.p,
        ball.sigma,
        ball.eps,
        ball.y,
        (answers[0], answers[1]),
        time.perf_counter() - t0,
        verdict.reason,
        counterexample=verdict.counterexample,
        exact_output=verdict.exact_output,
    )


def marabou_check(
    onnx_path: str | Path,
    x: np.ndarray,
    y: int,
    p: float | str,
    sigma: float,
    *,
    eps: float = OUTPUT_TOLERANCE,
    net: ReLUNetwork | None = None,
    timeout: float = 60.0,
) -> MarabouResult:
    """Marabou's verdict on B_p(x, sigma) for the network in ``onnx_path`` (p = 1 or inf) and label y.

    Guarantee: 'refuted' comes with a point of the closed ball where the exact ``net`` (by default the
    network read back from the ONNX file) differs from y; 'certified' means Marabou found both
    queries |f - y| >= eps unsatisfiable (module docstring).  ``timeout`` is in seconds per query.
    Raises InvalidArgumentError for p not in {1, inf}, a bad radius or eps; VerificationError when the
    model's input size differs from x.

    >>> import tempfile, pathlib
    >>> from robustmem.interop import export_onnx
    >>> relu = ReLUNetwork.from_dense([(np.eye(1), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])  # f(x) = relu(x)
    >>> path = export_onnx(relu, pathlib.Path(tempfile.mkdtemp()) / "relu.onnx").path
    >>> marabou_check(path, np.array([-1.0]), 0, "inf", 0.5).status, marabou_check(path, np.array([-1.0]), 0, "inf", 2.0).status
    ('certified', 'refuted')
    """
    t0 = time.perf_counter()
    ball = _checked_ball(x, y, p, sigma, eps)
    onnx_path = Path(onnx_path)
    answers = ["skipped", "skipped"]
    for k, (side, threshold) in enumerate(_thresholds(ball)):
        code, a = _query(onnx_path, ball.x, ball.p, ball.sigma, side, threshold, timeout)
        answers[k] = code
        if code != "unsat":
            verdict = _judge_answer(code, a, side, threshold, ball, net, onnx_path)
            return _result(ball, answers, t0, verdict)
    return _result(ball, answers, t0, _Verdict("certified", f"both queries |f - {ball.y}| >= {ball.eps:g} unsat"))
