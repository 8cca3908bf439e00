"""Side-by-side comparison of the robust memorizers and the baselines on one dataset.

:func:`compare` builds every requested construction on the dataset, reads width, depth and
parameter counts off the real layers, checks the fit in exact arithmetic, and runs the falsifier on
the balls of the construction's certified radius (for a non-robust network, certified radius 0,
on the comparison radius instead, where it is expected to fail).  The Vardi-Yehudai-Shamir network
has exact rational weights (:class:`~robustmem.network.rational.RationalNetwork`): its fit is
checked with its exact evaluator and it is attacked with
:func:`~robustmem.construct.vardi2022_checks.vardi2022_attack` (exact outputs).  Constructions that do not
support the norm, or whose hypothesis the radius violates, give a row with ``skipped`` set and the
reason in ``note``.  Raw rows first; :func:`to_markdown` and :func:`to_csv` only format them.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError, RobustMemError
from robustmem.norms import c_plus, check_p, p_name

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["COMPARED", "CompareRow", "compare", "default_sigma", "to_csv", "to_markdown"]

COMPARED = (
    "theorem5",
    "theorem6",
    "remark40",
    "log-width",
    "yu2024",
    "yu2024-lp",
    "kim2025",
    "kim2025-smallest",
    "zhang2017",
    "vardi2022",
)
DEFAULT_SIGMA_FRACTION = 0.25  # default radius: 1/4 delta / c+_p(d), half of Remark 4's limit


@dataclass(frozen=True)
class CompareRow:
    """One construction on one dataset.  ``sigma`` is the certified radius (0 for a non-robust network);
    ``falsify_sigma`` the radius the falsifier attacked; ``exact_fit`` None when skipped."""

    construction: str
    p: float
    width: int
    depth: int
    parameters_dense: int
    parameters_nonzero: int
    sigma: float
    sigma_over_delta: float
    exact_fit: bool | None
    falsify_sigma: float
    falsify_points: int
    counterexamples: int
    build_seconds: float
    verify_seconds: float
    skipped: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.skipped and self.exact_fit is not None:
            raise InvalidArgumentError(f"{self.construction}: a skipped row has no fit result")
        if (
            min(
                self.width,
                self.depth,
                self.parameters_dense,
                self.parameters_nonzero,
                self.falsify_points,
                self.counterexamples,
            )
            < 0
        ):
            raise InvalidArgumentError(f"{self.construction}: counts must be >= 0")
        if self.sigma < 0:
            raise InvalidArgumentError(f"{self.construction}: sigma = {self.sigma!r} < 0")


def default_sigma(dataset: Dataset, p: float) -> float:
    """DEFAULT_SIGMA_FRACTION * delta / c+_p(d) (delta the l_2 separation)."""
    return DEFAULT_SIGMA_FRACTION * dataset.separation(2.0).delta / c_plus(p, dataset.d)


def _build(name: str, dataset: Dataset, p: float, sigma: float, log_width: int, seed: int) -> Any:
    from robustmem.construct import construct_log_width, construct_remark40, construct_theorem5, construct_theorem6
    from robustmem.construct.yu2024 import construct_yu2024
    from robustmem.construct.zhang2017 import construct_zhang2017

    exact_p = p in (1.0, math.inf)
    if name == "theorem5":
        return construct_theorem5(dataset, p=p, sigma=sigma)
    if name in ("theorem6", "remark40"):
        if not exact_p:
            return f"{name} is for p in {{1, inf}}, not p = {p_name(p)}"
        fn = construct_theorem6 if name == "theorem6" else construct_remark40
        return fn(dataset, p=p, sigma=sigma)
    if name == "log-width":
        return construct_log_width(dataset, p=p, width=log_width, sigma=sigma, seed=seed)
    if name == "yu2024":
        if not math.isinf(p):
            return f"yu2024 is for l_inf balls, not p = {p_name(p)}"
        return construct_yu2024(dataset, sigma=sigma)
    if name == "yu2024-lp":
        from robustmem.construct.yu2024_lp import construct_yu2024_lp

        if not (math.isfinite(p) and p >= 2 and p == int(p)):
            return f"yu2024-lp is for integer p >= 2, not p = {p_name(p)}"
        return construct_yu2024_lp(dataset, p=int(p), sigma=sigma)
    if name == "zhang2017":
        return construct_zhang2017(dataset, p=p, seed=seed)
    if name in ("kim2025", "kim2025-smallest"):
        from robustmem.construct.kim2025 import construct_kim2025

        dim: Literal["theorem", "smallest"] = "theorem" if name == "kim2025" else "smallest"
        return construct_kim2025(dataset, p=p, sigma=sigma, dimension=dim, seed=seed)
    if name == "vardi2022":
        from robustmem.construct.vardi2022 import construct_vardi2022

        return construct_vardi2022(dataset, p=p, seed=seed)
    raise InvalidArgumentError(f"unknown construction {name!r}; choose from {COMPARED}")


def _skipped(name: str, p: float, note: str, seconds: float = 0.0) -> CompareRow:
    return CompareRow(name, p, 0, 0, 0, 0, 0.0, 0.0, None, 0.0, 0, 0, seconds, 0.0, skipped=True, note=note)


def compare(
    dataset: Dataset,
    *,
    p: float,
    sigma: float | None = None,
    constructions: Sequence[str] = COMPARED,
    samples: int = 16,
    pgd_steps: int = 10,
    max_balls: int = 64,
    log_width: int | None = None,
    seed: int = 0,
) -> list[CompareRow]:
    """One :class:`CompareRow` per name in ``constructions``, in that order.

    ``sigma``: the radius every robust construction is asked for (default :func:`default_sigma`);
    log-width is built at width ``log_width`` (default min(16, d + 5)) and, when ``sigma`` is None,
    at 0.99 of the largest radius its projection certifies.  Zhang's network is certified at its
    exact radius (:func:`~robustmem.construct.zhang2017.zhang2017_radius`) and attacked at ``sigma``.
    Falsification: ``samples`` uniform and boundary points per ball, vertices, PGD with
    ``pgd_steps`` steps, on at most ``max_balls`` balls (a random subset drawn from ``seed``).
    """
    p = check_p(p)
    names = _checked_names(constructions, samples)
    plan = _ComparePlan(
        p=p,
        delta=dataset.separation(2.0).delta,
        asked=default_sigma(dataset, p) if sigma is None else float(sigma),
        sigma_given=sigma is not None,
        log_width=log_width if log_width is not None else min(16, dataset.d + 5),
        samples=samples,
        pgd_steps=pgd_steps,
        max_balls=max_balls,
        seed=seed,
    )
    return [_compare_one(name, dataset, plan) for name in names]


def _checked_names(constructions: Sequence[str], samples: int) -> list[str]:
    """The construction names as a list, after checking them (known, at least one) and samples (>= 1)."""
    names = list(constructions)
    bad = [n for n in names if n not in COMPARED]
    if bad or not names:
        raise InvalidArgumentError(
            f"unknown constructions {bad} (choose from {COMPARED})" if bad else "no constructions"
        )
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise InvalidArgumentError(f"samples must be an integer >= 1, got {samples!r}")
    return names


@dataclass(frozen=True)
class _ComparePlan:
    """What every row of one :func:`compare` call shares: the norm, the radius asked for (``sigma_given`` False
    when it is the default), the l_2 separation, log-width's width and the falsifier's budget."""

    p: float
    asked: float
    sigma_given: bool
    delta: float
    log_width: int
    samples: int
    pgd_steps: int
    max_balls: int
    seed: int


def _compare_one(name: str, dataset: Dataset, plan: _ComparePlan) -> CompareRow:
    """Build one construction and check it; a skipped row when it does not apply or its build refuses."""
    t0 = time.perf_counter()
    try:
        if name == "log-width" and not plan.sigma_given:
            built = _build_log_width_auto(dataset, plan.p, plan.log_width, plan.seed)
        else:
            built = _build(name, dataset, plan.p, plan.asked, plan.log_width, plan.seed)
    except RobustMemError as exc:
        return _skipped(name, plan.p, f"skipped: {exc}", time.perf_counter() - t0)
    build_s = time.perf_counter() - t0
    if isinstance(built, str):
        return _skipped(name, plan.p, f"skipped: {built}", build_s)
    t1 = time.perf_counter()
    if name == "vardi2022":
        return _vardi_row(built, dataset, plan, build_s, t1)
    return _attacked_row(name, built, dataset, plan, build_s, t1)


def _certified_radius(name: str, built: Any, asked: float) -> tuple[float, str]:
    """The radius a construction certifies and the row's note (Zhang's: its exact radius, for the record)."""
    from robustmem.construct.zhang2017 import zhang2017_radius

    if name == "zhang2017":
        certified = zhang2017_radius(built).radius
        return certified, f"not robust: exact radius {certified:.3g}; attacked at sigma = {asked:.3g}"
    _net, cert = built
    return cert.sigma, cert.theorem


def _attacked_row(name: str, built: Any, dataset: Dataset, plan: _ComparePlan, build_s: float, t1: float) -> CompareRow:
    """The row of a float network: exact fit, then the falsifier at the certified radius (``asked`` if 0)."""
    from robustmem.certify import verify_fit_exact
    from robustmem.verify import falsify

    net, _cert = built
    certified, note = _certified_radius(name, built, plan.asked)
    fit = verify_fit_exact(net, dataset).passed  # mode="exact" on the blocks not proven silent
    f_sigma = certified if certified > 0 else plan.asked
    rep = falsify(
        net,
        dataset,
        p=plan.p,
        sigma=f_sigma,
        n_random=plan.samples,
        n_boundary=plan.samples,
        pgd_steps=plan.pgd_steps,
        pgd_restarts=2,
        balls=None if plan.max_balls >= dataset.N else plan.max_balls,
        seed=plan.seed,
    )
    return CompareRow(
        name,
        plan.p,
        net.width,
        net.depth,
        net.num_parameters(),
        net.num_nonzero_parameters(),
        certified,
        certified / plan.delta if plan.delta > 0 else math.inf,
        fit,
        f_sigma,
        sum(m.n_points for m in rep.methods),
        rep.n_counterexamples,
        build_s,
        time.perf_counter() - t1,
        note=note,
    )


def _vardi_row(built: Any, dataset: Dataset, plan: _ComparePlan, build_s: float, t1: float) -> CompareRow:
    """The row of the exact-weight Vardi-Yehudai-Shamir network: exact fit, exact-output attack."""
    from robustmem.construct.vardi2022_checks import vardi2022_attack, vardi2022_radius

    net, _cert = built
    y = [int(v) for v in dataset.y]
    fit = all(v == t for v, t in zip(net.evaluate_exact(dataset.X), y))
    cell = vardi2022_radius(built, dataset, p=plan.p)
    att = vardi2022_attack(
        built,
        dataset,
        radius=plan.asked,
        p=plan.p,
        samples=plan.samples,
        max_points=None if plan.max_balls >= dataset.N else plan.max_balls,
        seed=plan.seed,
    )
    note = (
        f"not robust (claims sigma = 0); labels provably kept up to {cell / plan.delta:.3g} delta; attacked at sigma = "
        f"{plan.asked:.3g}; weights up to {net.max_weight_bits()} bits"
    )
    return CompareRow(
        "vardi2022",
        plan.p,
        net.width,
        net.depth,
        net.num_parameters(),
        net.num_nonzero_parameters(),
        0.0,
        0.0,
        fit,
        plan.asked,
        att.tried,
        att.n_counterexamples,
        build_s,
        time.perf_counter() - t1,
        note=note,
    )


def _build_log_width_auto(dataset: Dataset, p: float, k: int, seed: int) -> Any:
    from robustmem.construct import construct_log_width

    return construct_log_width(dataset, p=p, width=k, seed=seed)


_COLUMNS = (
    "construction",
    "p",
    "width",
    "depth",
    "parameters_dense",
    "parameters_nonzero",
    "sigma",
    "sigma_over_delta",
    "exact_fit",
    "falsify_sigma",
    "falsify_points",
    "counterexamples",
    "build_seconds",
    "verify_seconds",
    "note",
)


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return p_name(v) if math.isinf(v) else f"{v:.4g}"
    if v is None:
        return "-"
    return str(v).replace("|", "/")


def to_markdown(rows: Sequence[CompareRow]) -> str:
    """A markdown table: a header, a separator and one line per row."""
    head = "| " + " | ".join(_COLUMNS) + " |"
    sep = "|" + "|".join("---" for _ in _COLUMNS) + "|"
    lines = [head, sep]
    for r in rows:
        d = asdict(r)
        lines.append("| " + " | ".join(_cell(d[c]) for c in _COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[CompareRow], path: str | Path) -> Path:
    """Write every field of every row to ``path`` (CSV with a header); return the path."""
    path = Path(path)
    names = [f.name for f in fields(CompareRow)]
    with path.open("w", newline="") as fh:
        wr = csv.DictWriter(fh, fieldnames=names)
        wr.writeheader()
        for r in rows:
            d = asdict(r)
            wr.writerow({k: (p_name(v) if isinstance(v, float) and math.isinf(v) else v) for k, v in d.items()})
    return path
