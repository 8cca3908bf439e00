"""Complete check of small networks: min f and max f over each ball by mixed-integer programming.

For every ball B_p(x_i, sigma) the network is encoded exactly (:mod:`robustmem.certify.milp_encoding`, big-M
constants from the rigorous CROWN bounds of :mod:`robustmem.certify.propagation`; stable neurons get no binary)
and the solver minimizes and maximizes f: HiGHS (``scipy.optimize.milp``) for p in {1, inf}, SCIP
(``pyscipopt``, a mixed-integer program with the convex quadratic constraint sum_j (x_j - c_j)^2 <= sigma^2)
for p = 2.

Verdicts (the tolerance policy of this module is :data:`MILP_TOLERANCE`, and it only weakens claims):

* 'certified': the solver's proven dual bounds give min f >= y_i - MILP_TOLERANCE and max f <= y_i +
  MILP_TOLERANCE.  This is a complete search, but only as exact as the solver's floating-point feasibility
  and optimality tolerances (about 1e-6 to 1e-9): it is evidence of a different kind than the rigorous
  bounds, which are used instead when they already certify the ball (``trust_bounds=True``).
* 'refuted': the solver's optimal input is re-checked (:func:`~robustmem.certify.witness.confirm_counterexample`):
  moved into the closed ball if needed, then the exact network must differ from y_i there.
* 'unknown': time limit without a decision, or a solver witness that the exact network does not confirm.

Networks too large for the method are refused with a VerificationError: more than ``max_unstable``
unstable ReLUs on a ball (default :data:`MAX_UNSTABLE`), or more than :data:`MAX_NEURONS` hidden neurons.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np

from robustmem.certify.certify_report import CertCounterexample, CertifyReport, Status
from robustmem.certify.layers import LayerSource
from robustmem.certify.milp_encoding import MILPModel, encode_ball
from robustmem.certify.propagation import (
    DEFAULT_WINDOW,
    OutputBounds,
    Progress,
    ProgressLike,
    layer_bounds,
    output_bounds,
)
from robustmem.certify.witness import confirm_counterexample
from robustmem.errors import VerificationError
from robustmem.extras import require
from robustmem.norms import p_name

__all__ = ["MAX_NEURONS", "MAX_UNSTABLE", "MILP_TOLERANCE", "SolveResult", "milp_balls", "solve_model"]

MILP_TOLERANCE = 1e-6  # a solver bound off y_i by more than this is not a certificate
MAX_UNSTABLE = 400  # unstable ReLUs (binaries) per ball above which the MILP refuses the network
#: solver feasibility tolerances, 1000x (HiGHS) and 10x (SCIP) below MILP_TOLERANCE: a solver's slack stays
#: below the tolerance of the verdict.  (SCIP tightens its LP tolerance up to 1000x during the search, and
#: SoPlex without GMP accepts no LP tolerance below 1e-10, so SCIP's own tolerance cannot go below 1e-7.)
HIGHS_TOLERANCES = {
    "primal_feasibility_tolerance": 1e-9,
    "dual_feasibility_tolerance": 1e-9,
    "mip_feasibility_tolerance": 1e-9,
}
SCIP_FEASTOL = 1e-7
MAX_NEURONS = 50_000  # hidden neurons above which the MILP refuses the network (it keeps every layer's bounds)
_BOUND_CHUNK = 32  # balls whose per-layer bounds are held at once
GUARANTEE = (
    f"complete MILP search (HiGHS for p in {{1, inf}}, SCIP for p = 2): min f and max f over the ball "
    f"within {MILP_TOLERANCE:g} of y_i, exact up to the solver's floating-point tolerances; "
    "big-M from rigorous bounds; refutations re-checked on the exact network"
)


@dataclass(frozen=True)
class SolveResult:
    """One optimization: ``bound`` is the solver's proven bound on the optimum of f (a lower bound for
    'min', an upper bound for 'max', +-inf if none), ``value`` the objective at ``x`` (None without one)."""

    sense: str
    status: str
    bound: float
    value: float | None
    x: np.ndarray | None
    seconds: float


def _solve_highs(m: MILPModel, sign: float, time_limit: float) -> SolveResult:
    from scipy.optimize import Bounds, LinearConstraint, milp

    t0 = time.perf_counter()
    cons = [LinearConstraint(m.A, m.row_lower, m.row_upper)] if m.A.shape[0] else []
    options = {"time_limit": float(time_limit), "mip_rel_gap": 1e-12, "disp": False, **HIGHS_TOLERANCES}
    with warnings.catch_warnings():  # scipy passes options it does not know to HiGHS verbatim, with a warning
        warnings.filterwarnings("ignore", message="Unrecognized options detected", category=RuntimeWarning)
        res = milp(
            sign * m.objective,
            integrality=m.integrality,
            bounds=Bounds(m.var_lower, m.var_upper),
            constraints=cons,
            options=options,
        )
    status = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded"}.get(res.status, "error")
    dual = getattr(res, "mip_dual_bound", None)
    if dual is None or not np.isfinite(dual):
        dual = res.fun if (res.status == 0 and res.fun is not None) else -np.inf
    bound = sign * float(dual) + m.objective_constant
    value = None if res.x is None else sign * float(res.fun) + m.objective_constant
    return SolveResult(
        "min" if sign > 0 else "max",
        status,
        bound,
        value,
        None if res.x is None else np.array(res.x),
        time.perf_counter() - t0,
    )


def _solve_scip(m: MILPModel, sign: float, time_limit: float) -> SolveResult:
    require("pyscipopt", feature="the MILP certifier (certify(method='milp'))")
    from pyscipopt import Model, quicksum

    t0 = time.perf_counter()
    model = Model()
    model.hideOutput()
    model.setParam("limits/time", float(time_limit))
    model.setParam("limits/gap", 0.0)
    model.setParam("numerics/feastol", SCIP_FEASTOL)
    v = [
        model.addVar(
            lb=None if not np.isfinite(lo) else float(lo),
            ub=None if not np.isfinite(hi) else float(hi),
            vtype="B" if integ else "C",
        )
        for lo, hi, integ in zip(m.var_lower, m.var_upper, m.integrality)
    ]
    A = m.A.tocsr()
    for r in range(A.shape[0]):
        cols, vals = A.indices[A.indptr[r] : A.indptr[r + 1]], A.data[A.indptr[r] : A.indptr[r + 1]]
        expr = quicksum(float(a) * v[c] for c, a in zip(cols, vals))
        lo, hi = m.row_lower[r], m.row_upper[r]
        if np.isfinite(lo) and np.isfinite(hi) and lo == hi:
            model.addCons(expr == float(lo))
        else:
            if np.isfinite(lo):
                model.addCons(expr >= float(lo))
            if np.isfinite(hi):
                model.addCons(expr <= float(hi))
    if m.p == 2.0:
        model.addCons(
            quicksum((v[j] - float(m.center[j])) * (v[j] - float(m.center[j])) for j in range(m.input_dim))
            <= float(m.sigma) ** 2
        )
    nz = np.nonzero(m.objective)[0]
    model.setObjective(quicksum(float(sign * m.objective[j]) * v[j] for j in nz), "minimize")
    model.optimize()
    st = model.getStatus()
    status = {"optimal": "optimal", "timelimit": "time limit", "infeasible": "infeasible"}.get(st, "error")
    dual = model.getDualbound() if st in ("optimal", "timelimit") else -np.inf
    x, value = None, None
    if model.getNSols() > 0:
        sol = model.getBestSol()
        x = np.array([model.getSolVal(sol, var) for var in v])
        value = sign * float(model.getSolObjVal(sol)) + m.objective_constant
    bound = sign * float(dual) + m.objective_constant if np.isfinite(dual) else -sign * np.inf
    return SolveResult("min" if sign > 0 else "max", status, bound, value, x, time.perf_counter() - t0)


def solve_model(m: MILPModel, sense: str, time_limit: float) -> SolveResult:
    """Minimize ('min') or maximize ('max') f over the model; HiGHS for p in {1, inf}, SCIP for p = 2."""
    sign = 1.0 if sense == "min" else -1.0
    return (_solve_scip if m.p == 2.0 else _solve_highs)(m, sign, time_limit)


@dataclass(frozen=True)
class _BallVerdict:
    """One ball's verdict: status, the bounds on f found, why, and the confirmed counterexample if refuted."""

    status: Status
    lower: float
    upper: float
    reason: str
    counterexample: CertCounterexample | None = None


def _one_ball(
    src: LayerSource,
    idx: int,
    c: np.ndarray,
    y: int,
    lower: list[np.ndarray],
    upper: list[np.ndarray],
    p: float,
    sigma: float,
    time_limit: float,
) -> _BallVerdict:
    """The MILP verdict on one ball; ``lower``/``upper`` its layer bounds."""
    lo_r, hi_r = float(lower[-1][0]), float(upper[-1][0])
    model = encode_ball(src, lower, upper, c, p, sigma)
    bounds, notes = [lo_r, hi_r], []
    for side, sense in ((0, "min"), (1, "max")):
        r = solve_model(model, sense, time_limit)
        if r.status == "infeasible":  # cannot happen for a correct encoding: the centre is feasible
            return _BallVerdict(
                "unknown", lo_r, hi_r, f"solver reports the {sense} problem infeasible (numerical trouble)"
            )
        bounds[side] = min(max(r.bound, lo_r), hi_r)
        wrong = r.value is not None and abs(r.value - y) > MILP_TOLERANCE
        if wrong:
            assert r.x is not None  # both solvers set value and x together
            cx = confirm_counterexample(src, idx, c, y, r.x[: src.input_dim], p=p, sigma=sigma, found_by="milp")
            if cx is not None:
                why = f"{sense} f = {float(cx.exact_output):.6g} at a solver witness (exact re-check)"
                return _BallVerdict("refuted", min(bounds), max(bounds), why, cx)
            notes.append(f"{sense} witness f = {r.value:.6g} not confirmed by the exact network")
        if r.status != "optimal":
            notes.append(f"{sense}: {r.status} after {r.seconds:.1f} s")
    lo, hi = min(bounds), max(bounds)  # a solver may return bounds crossed by its tolerance
    if lo >= y - MILP_TOLERANCE and hi <= y + MILP_TOLERANCE and not notes:
        return _BallVerdict("certified", lo, hi, f"solver: f in [{lo:.9g}, {hi:.9g}] ({model.n_unstable} binaries)")
    return _BallVerdict(
        "unknown", lo, hi, "; ".join(notes) or f"solver bounds [{lo:.6g}, {hi:.6g}] do not pin f to {y}"
    )


def milp_balls(
    src: LayerSource,
    idx: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    n_total: int,
    *,
    p: float,
    sigma: float,
    time_limit: float,
    max_unstable: int,
    trust_bounds: bool,
    window: int = DEFAULT_WINDOW,
    progress: ProgressLike = None,
) -> CertifyReport:
    """The MILP verdict for the balls B_p(X[k], sigma), k < len(idx) (dataset indices ``idx``, labels ``y``).

    Raises VerificationError when the network has more than MAX_NEURONS hidden neurons or a ball that the
    bounds do not settle has more than ``max_unstable`` unstable ReLUs (names the ball, count and limit).
    """
    t0 = time.perf_counter()
    _check_network_size(src)
    out = output_bounds(src, X, p=p, sigma=sigma, method="crown", window=window, progress=progress)
    settings = _MilpSettings(p, sigma, time_limit, max_unstable, trust_bounds, window)
    todo = _balls_to_solve(out, idx, y, settings)
    verdicts = _solve_balls(src, idx, X, y, todo, settings, progress)
    default = [
        _BallVerdict("certified", float(lo), float(hi), "rigorous CROWN bounds") for lo, hi in zip(out.lower, out.upper)
    ]
    return _report(idx, y, n_total, [verdicts.get(k, v) for k, v in enumerate(default)], settings, t0)


@dataclass(frozen=True)
class _MilpSettings:
    """The options of one :func:`milp_balls` call, shared by its steps and written into the report."""

    p: float
    sigma: float
    time_limit: float
    max_unstable: int
    trust_bounds: bool
    window: int


def _check_network_size(src: LayerSource) -> None:
    """Raise VerificationError when the network has more than MAX_NEURONS hidden neurons."""
    if src.n_neurons() > MAX_NEURONS:
        raise VerificationError(
            f"the network has {src.n_neurons()} hidden neurons, more than the MILP limit "
            f"MAX_NEURONS = {MAX_NEURONS}; use method='crown' or 'ibp'"
        )


def _balls_to_solve(out: OutputBounds, idx: np.ndarray, y: np.ndarray, settings: _MilpSettings) -> np.ndarray:
    """Positions of the balls the MILP must solve (all, or those the bounds leave open with ``trust_bounds``).

    Raises VerificationError, naming the ball, when one of them has more than ``max_unstable`` unstable ReLUs.
    """
    by_bounds = (out.lower >= y) & (out.upper <= y)
    open_ = ~by_bounds if settings.trust_bounds else np.ones(len(idx), dtype=bool)
    too_big = np.nonzero(open_ & (out.n_unstable > settings.max_unstable))[0]
    if len(too_big):
        k = int(too_big[np.argmax(out.n_unstable[too_big])])
        raise VerificationError(
            f"ball {int(idx[k])} has {int(out.n_unstable[k])} unstable ReLUs, more than "
            f"max_unstable = {settings.max_unstable}: the MILP would need that many binaries; "
            "use a smaller network or method='crown'"
        )
    return np.nonzero(open_)[0]


def _solve_balls(
    src: LayerSource,
    idx: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
    todo: np.ndarray,
    settings: _MilpSettings,
    progress: ProgressLike,
) -> dict[int, _BallVerdict]:
    """The MILP verdict of every ball in ``todo`` (by position), a few balls' layer bounds at a time."""
    p, sigma = settings.p, settings.sigma
    show = Progress(progress, f"milp l_{p_name(p)} sigma={sigma:.4g}")
    verdicts: dict[int, _BallVerdict] = {}
    for s0 in range(0, len(todo), _BOUND_CHUNK):  # every layer's bounds of a few balls at a time: memory stays small
        part = todo[s0 : s0 + _BOUND_CHUNK]
        lb = layer_bounds(src, X[part], p=p, sigma=sigma, method="crown", window=settings.window, progress=None)
        for j, k in enumerate(part):
            lower, upper = [a[j] for a in lb.lower], [a[j] for a in lb.upper]
            verdicts[int(k)] = _one_ball(src, int(idx[k]), X[k], int(y[k]), lower, upper, p, sigma, settings.time_limit)
            refuted = sum(v.status == "refuted" for v in verdicts.values())
            show(f"{s0 + j + 1}/{len(todo)} balls solved, {refuted} refuted")
    return verdicts


def _report(
    idx: np.ndarray, y: np.ndarray, n_total: int, balls: list[_BallVerdict], settings: _MilpSettings, t0: float
) -> CertifyReport:
    """The report of every ball's verdict (in ``idx`` order), with the seconds since ``t0``."""
    cxs = sorted((v.counterexample for v in balls if v.counterexample is not None), key=lambda c: c.index)
    return CertifyReport(
        method="milp",
        p=settings.p,
        sigma=settings.sigma,
        n_points_total=n_total,
        indices=tuple(int(i) for i in idx),
        labels=tuple(int(v) for v in y),
        status=tuple(v.status for v in balls),
        lower=tuple(v.lower for v in balls),
        upper=tuple(v.upper for v in balls),
        round_certified=tuple(bool(v.lower > yy - 0.5 and v.upper < yy + 0.5) for v, yy in zip(balls, y)),
        reasons=tuple(v.reason for v in balls),
        counterexamples=tuple(cxs),
        seconds=time.perf_counter() - t0,
        guarantee=GUARANTEE,
        settings=(
            ("time_limit", settings.time_limit),
            ("max_unstable", settings.max_unstable),
            ("trust_bounds", settings.trust_bounds),
            ("window", settings.window),
            ("tolerance", MILP_TOLERANCE),
        ),
    )
