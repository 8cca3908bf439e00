"""Argument checks and exact conversion shared by the bounds modules.

Every public function of :mod:`robustmem.bounds` validates at the boundary with these helpers and
raises :class:`~robustmem.errors.InvalidArgumentError` naming the value and the limit.  The ``*_expr``
functions accept sympy-friendly arguments (Python numbers, sympy numbers or symbols); they validate
numeric arguments and let symbols through.
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral, Real
from typing import TypeAlias

import numpy as np
import sympy as sp

from robustmem.errors import InvalidArgumentError
from robustmem.norms import check_p

__all__ = ["ExprLike", "check_integer", "check_ratio", "exact", "exact_integer", "exact_p", "power", "product"]

ExprLike: TypeAlias = int | float | sp.Basic


def _held_power(expr: sp.Basic) -> bool:
    return any(
        isinstance(a, sp.Pow) and a.base.is_Rational and not a.exp.is_Integer for a in sp.preorder_traversal(expr)
    )


def power(base: ExprLike, exponent: ExprLike) -> sp.Expr:
    """base**exponent, held unevaluated when both are numbers and the exponent is not an integer.

    sympy evaluates Integer**Rational by extracting perfect roots from the factorisation of the base, which for
    bases like N = 426283940 and exponents like -2/829 does not finish; the held power is the same exact number
    (``sp.N`` evaluates it, ``.doit()`` asks sympy to canonicalise it). Perfect powers (4^(1/2) = 2) are
    evaluated, by integer roots of numerator and denominator; symbolic powers evaluate as usual.
    """
    b, e = sp.sympify(base), sp.sympify(exponent)
    if b.is_Rational and b.is_positive and e.is_Rational and not e.is_Integer:
        num_root, num_exact = sp.integer_nthroot(int(b.p), int(e.q))
        den_root, den_exact = sp.integer_nthroot(int(b.q), int(e.q))
        if num_exact and den_exact:  # b is a perfect e.q-th power: the value is rational
            return sp.Rational(num_root, den_root) ** int(e.p)
        return sp.Pow(b, e, evaluate=False)
    return b**e


def product(*factors: ExprLike) -> sp.Expr:
    """The product of the factors, kept unevaluated when a held :func:`power` is among them (multiplying would
    re-evaluate it); an ordinary sympy product otherwise."""
    fs = [sp.sympify(f) for f in factors]
    if any(_held_power(f) for f in fs):
        return sp.Mul(*fs, evaluate=False)
    return sp.Mul(*fs)


def check_integer(value: object, name: str, minimum: int, maximum: int | None = None, why: str = "") -> int:
    """Return ``value`` as an int in [minimum, maximum], or raise naming the value and the limit."""
    if isinstance(value, bool) or not isinstance(value, (Integral, np.integer)):
        if isinstance(value, sp.Integer):
            value = int(value)
        else:
            raise InvalidArgumentError(f"{name} must be an integer, got {value!r}")
    v = int(value)
    reason = f" ({why})" if why else ""
    if v < minimum:
        raise InvalidArgumentError(f"{name} = {v} is below the limit {minimum}{reason}")
    if maximum is not None and v > maximum:
        raise InvalidArgumentError(f"{name} = {v} is above the limit {maximum}{reason}")
    return v


def check_ratio(value: object, name: str = "sigma_over_delta") -> float:
    """Return a radius ratio sigma/delta as a float in (0, inf), or raise naming the value."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.floating, np.integer)):
        raise InvalidArgumentError(f"{name} must be a positive real number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v <= 0.0:
        raise InvalidArgumentError(f"{name} must be a finite number > 0, got {v!r}")
    return v


def exact(value: ExprLike) -> sp.Expr:
    """The exact sympy value of ``value``: ints stay integers, floats become their exact binary rational."""
    if isinstance(value, bool):
        raise InvalidArgumentError(f"expected a number or a sympy expression, got {value!r}")
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (Integral, np.integer)):
        return sp.Integer(int(value))
    if isinstance(value, (Real, np.floating)):
        v = float(value)
        if math.isnan(v):
            raise InvalidArgumentError("expected a number, got nan")
        if math.isinf(v):
            return sp.oo if v > 0 else -sp.oo
        return sp.Rational(v)
    raise InvalidArgumentError(f"expected a number or a sympy expression, got {value!r}")


EXPONENT_DENOMINATOR_LIMIT = 10**4


def exact_p(p: ExprLike, name: str = "p") -> sp.Expr:
    """Exact norm exponent: validates numeric p in (0, inf] (as :func:`robustmem.norms.check_p`).

    A float p is read as the rational with denominator <= 10^4 that rounds to the same float (1.5 -> 3/2,
    1/3 -> 1/3, 0.1 -> 1/10), and rejected if there is none: sympy's exact powers d^{1/p} with a rational of
    50-bit numerator and denominator do not finish, so such a p must be passed as a sympy Rational on purpose.
    """
    if isinstance(p, str):
        p = check_p(p, name=name)
    if isinstance(p, (Real, np.floating)) and not isinstance(p, (bool, Integral, np.integer, sp.Basic)):
        v = check_p(float(p), name=name)
        if math.isinf(v):
            return sp.oo
        f = Fraction(v).limit_denominator(EXPONENT_DENOMINATOR_LIMIT)
        if float(f) != v:
            raise InvalidArgumentError(
                f"{name} = {v!r} is not a rational with denominator <= {EXPONENT_DENOMINATOR_LIMIT} in float64; "
                "pass it as a sympy Rational for an exact expression, or use the float function"
            )
        return sp.Rational(f.numerator, f.denominator)
    value = exact(p)
    if value.is_number:
        check_p(float(value) if value is not sp.oo else math.inf, name=name)
    return value


def exact_integer(value: ExprLike, name: str, minimum: int, maximum: ExprLike | None = None, why: str = "") -> sp.Expr:
    """Exact integer argument: numeric values are checked against [minimum, maximum], symbols pass."""
    v = exact(value)
    if v.is_number:
        if not v.is_integer:
            raise InvalidArgumentError(f"{name} must be an integer, got {value!r}")
        top = None
        if maximum is not None:
            m = exact(maximum)
            top = int(m) if m.is_number else None
        check_integer(int(v), name, minimum, top, why)
    return v
