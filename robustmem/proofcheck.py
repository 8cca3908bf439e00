"""Run the executable proofs in proofs/, and the exact helpers those proofs are written with.

Each file proofs/NAME.py states one lemma of Egosi, Yehudai, Shamir (COLT 2025) in its module docstring
and has ``check() -> str``, which proves the statement with exact sympy algebra and raises AssertionError,
naming the remainder, when a step fails. :func:`list_proofs` reads the files without running them;
:func:`run_proofs` imports each by path and runs its check; :func:`load_proof` imports one without running it.

The helpers are the only primitives the proofs use to conclude anything:

* :func:`assert_zero` / :func:`assert_equal`: ``simplify(lhs - rhs) == 0``, else AssertionError with the remainder.
* :func:`assert_holds`: a sympy relation that evaluates to ``True`` exactly (e.g. between Rationals).
* :func:`assert_nonnegative`: sympy's assumption system proves ``expr >= 0``.
* :func:`affine_range`, :func:`sign_on_box`, :func:`reduce_piecewise`: exact case analysis of ReLU (Max/Min/Abs)
  expressions over a box of intervals; an affine expression attains its extremes at the box's vertices, so a
  sign that holds there holds on the whole box. A relu whose argument changes sign inside the box is reported,
  never guessed.
* :func:`log_enclosure`, :func:`pi_enclosure`: rational intervals around ln x and pi, for inequalities between
  transcendental constants (interval arithmetic on Rationals, no floating point).
"""

from __future__ import annotations

import ast
import importlib.util
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

import sympy as sp

from robustmem.errors import InvalidArgumentError

__all__ = [
    "ProofInfo",
    "ProofResult",
    "affine_range",
    "assert_equal",
    "assert_holds",
    "assert_nonnegative",
    "assert_zero",
    "list_proofs",
    "load_proof",
    "log_enclosure",
    "pi_enclosure",
    "proofs_directory",
    "reduce_piecewise",
    "relu",
    "run_proofs",
    "sign_on_box",
]

Box = dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]


# ----------------------------------------------------------------------------------------------- helpers


def relu(x: sp.Expr) -> sp.Expr:
    """relu(x) = max(0, x), as a sympy Max that :func:`reduce_piecewise` resolves on a box."""
    return sp.Max(0, x, evaluate=False)


def assert_zero(expr: sp.Expr, what: str) -> None:
    """Assert that ``expr`` simplifies to exactly 0; otherwise raise AssertionError naming the remainder."""
    remainder = sp.simplify(sp.sympify(expr))
    if remainder != 0:
        remainder = sp.simplify(sp.expand(sp.powsimp(remainder)))
    if remainder != 0:
        raise AssertionError(f"{what}: the remainder {remainder} does not simplify to 0")


def assert_equal(lhs: sp.Expr, rhs: sp.Expr, what: str) -> None:
    """Assert ``simplify(lhs - rhs) == 0``."""
    assert_zero(sp.sympify(lhs) - sp.sympify(rhs), f"{what} [{lhs} = {rhs}]")


def assert_holds(relation: bool | sp.Basic, what: str) -> None:
    """Assert that an exact relation (e.g. ``Rational(a) < Rational(b)``) is True, not merely undecided."""
    if relation is not True and relation is not sp.true:
        raise AssertionError(f"{what}: the relation evaluates to {relation}, not True")


def assert_nonnegative(expr: sp.Expr, what: str) -> None:
    """Assert that sympy's assumptions prove ``expr >= 0`` (after simplification if needed)."""
    e = sp.sympify(expr)
    if e.is_nonnegative is not True and sp.simplify(e).is_nonnegative is not True:
        raise AssertionError(f"{what}: cannot prove {sp.simplify(e)} >= 0")


def _decided_sign(c: sp.Expr) -> int:
    if c.is_nonnegative is True or sp.simplify(c).is_nonnegative is True:
        return 1
    if c.is_nonpositive is True or sp.simplify(c).is_nonpositive is True:
        return -1
    raise AssertionError(f"the sign of the coefficient {c} is not decided by the assumptions")


def affine_range(expr: sp.Expr, box: Box) -> tuple[sp.Expr, sp.Expr]:
    """Exact (min, max) of an expression affine in the box variables, over the box (bounds may be +-oo).

    The coefficients may contain other symbols, but their signs must follow from the assumptions.
    """
    e = sp.expand(sp.sympify(expr))
    variables = [v for v in box if e.has(v)]
    if not variables:
        return e, e
    poly = sp.Poly(e, *variables)
    if poly.total_degree() > 1:
        raise AssertionError(f"{e} is not affine in {variables}")
    low = high = e.subs(dict.fromkeys(variables, 0))
    for v in variables:
        c = poly.coeff_monomial(v)
        lo, hi = box[v]
        if c == 0:
            continue
        if _decided_sign(c) > 0:
            low, high = low + c * lo, high + c * hi
        else:
            low, high = low + c * hi, high + c * lo
    return sp.expand(low), sp.expand(high)


def sign_on_box(expr: sp.Expr, box: Box) -> int:
    """+1 if ``expr >= 0`` on the whole box, -1 if ``expr <= 0`` there; AssertionError if it changes sign."""
    low, high = affine_range(expr, box)
    if low.is_nonnegative is True or sp.simplify(low).is_nonnegative is True:
        return 1
    if high.is_nonpositive is True or sp.simplify(high).is_nonpositive is True:
        return -1
    raise AssertionError(f"{expr} ranges over [{low}, {high}] on the box {box}: split the box")


def reduce_piecewise(expr: sp.Expr, box: Box) -> sp.Expr:
    """Resolve every Max, Min and Abs in ``expr`` on the box, innermost first, by :func:`sign_on_box`.

    The result is the expression's exact closed form on the box (affine when the input is a ReLU network).
    """
    e = sp.sympify(expr)
    if not e.args:
        return e
    args = [reduce_piecewise(a, box) for a in e.args]
    if isinstance(e, (sp.Max, sp.Min)):
        best = args[0]
        for other in args[1:]:
            s = sign_on_box(other - best, box)
            if (s > 0) == isinstance(e, sp.Max):
                best = other
        return best
    if isinstance(e, sp.Abs):
        return args[0] if sign_on_box(args[0], box) > 0 else -args[0]
    return e.func(*args)


# ------------------------------------------------------------------------------- rational enclosures


def log_enclosure(x: sp.Rational | int, terms: int = 40) -> tuple[sp.Rational, sp.Rational]:
    """Rationals (low, high) with low <= ln x <= high, for a rational x > 0.

    ln x = 2 artanh(z) = 2 sum_{n >= 0} z^(2n+1)/(2n+1) with z = (x - 1)/(x + 1); for z >= 0 the partial sum is a
    lower bound and the omitted tail is at most 2 z^(2N+1) / ((2N+1)(1 - z^2)) (a geometric series); x < 1 uses
    ln x = -ln(1/x).
    """
    value = sp.Rational(x)
    if value <= 0:
        raise InvalidArgumentError(f"log_enclosure needs x > 0, got {value}")
    if value < 1:
        low, high = log_enclosure(1 / value, terms)
        return -high, -low
    z = (value - 1) / (value + 1)
    partial = sum((z ** (2 * n + 1) / (2 * n + 1) for n in range(terms)), sp.Rational(0))
    tail = z ** (2 * terms + 1) / ((2 * terms + 1) * (1 - z**2))
    return 2 * partial, 2 * (partial + tail)


def _arctan_enclosure(x: sp.Rational, terms: int) -> tuple[sp.Rational, sp.Rational]:
    partial = [sp.Rational(0)]
    for n in range(terms + 1):
        partial.append(partial[-1] + (-1) ** n * x ** (2 * n + 1) / (2 * n + 1))
    return min(partial[-2], partial[-1]), max(partial[-2], partial[-1])


def pi_enclosure(terms: int = 12) -> tuple[sp.Rational, sp.Rational]:
    """Rationals (low, high) enclosing pi, by Machin's formula pi = 16 arctan(1/5) - 4 arctan(1/239).

    arctan's alternating series has decreasing terms for 0 < x < 1, so consecutive partial sums enclose it;
    Machin's formula itself is (5 + i)^4 (239 - i) = 114244 (1 + i) (checked in proofs/lemma75.py).
    """
    lo5, hi5 = _arctan_enclosure(sp.Rational(1, 5), terms)
    lo239, hi239 = _arctan_enclosure(sp.Rational(1, 239), terms)
    return 16 * lo5 - 4 * hi239, 16 * hi5 - 4 * lo239


# ------------------------------------------------------------------------------------------------ runner


@dataclass(frozen=True)
class ProofInfo:
    """One proof file: its name (the file stem), ``summary`` = the first line of its module docstring (the
    lemma's statement), and its path."""

    name: str
    summary: str
    path: Path


@dataclass(frozen=True)
class ProofResult:
    """The outcome of one proof's check(): ``summary`` is the lemma's statement line; ``message`` is what check()
    returned ('proved') or the error it raised ('failed')."""

    name: str
    summary: str
    status: Literal["proved", "failed"]
    message: str
    seconds: float

    def __post_init__(self) -> None:
        if self.status not in ("proved", "failed"):
            raise InvalidArgumentError(f"status must be 'proved' or 'failed', got {self.status!r}")


def proofs_directory() -> Path:
    """The proofs/ folder: the source checkout's, or the copy shipped in the wheel (robustmem/_bundled/proofs)."""
    from robustmem.resources import bundled_folder

    return bundled_folder("proofs")


def list_proofs(directory: Path | None = None) -> list[ProofInfo]:
    """Every proofs/*.py (not starting with '_'), sorted by name, read without being run."""
    folder = Path(directory) if directory is not None else proofs_directory()
    if not folder.is_dir():
        raise InvalidArgumentError(f"no proofs folder at {folder}")
    infos = []
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        statement = doc.strip().splitlines()[0] if doc.strip() else "(no statement)"
        infos.append(ProofInfo(path.stem, statement, path))
    return infos


def load_proof(name: str, *, directory: Path | None = None) -> ModuleType:
    """Import proofs/NAME.py by path (without running its check), e.g. to test code against its statement."""
    infos = {info.name: info for info in list_proofs(directory)}
    if name not in infos:
        raise InvalidArgumentError(f"unknown proof {name!r}; available: {sorted(infos)}")
    return _import(infos[name])


def _import(info: ProofInfo) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"robustmem_proofs_{info.name}", info.path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {info.path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_one(info: ProofInfo) -> ProofResult:
    start = time.perf_counter()
    try:
        module = _import(info)
        check = getattr(module, "check", None)
        if not callable(check):
            raise AssertionError(f"{info.path.name} has no check() function")
        message = str(check())
        status: Literal["proved", "failed"] = "proved"
    except Exception as error:  # a failing proof is a result, not a crash of the runner
        message, status = f"{type(error).__name__}: {error}", "failed"
    return ProofResult(info.name, info.summary, status, message, time.perf_counter() - start)


def run_proofs(names: Sequence[str] | None = None, *, directory: Path | None = None) -> list[ProofResult]:
    """Run the checks of the named proofs (all when ``names`` is None), in name order.

    Unknown names raise InvalidArgumentError listing the available ones.
    """
    infos = list_proofs(directory)
    if names is not None:
        known = {info.name for info in infos}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise InvalidArgumentError(f"unknown proof(s) {unknown}; available: {sorted(known)}")
        infos = [info for info in infos if info.name in set(names)]
    return [_run_one(info) for info in infos]
