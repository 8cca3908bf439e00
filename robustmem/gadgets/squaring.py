"""The squaring net (Lemma 41; Yarotsky 2017, Elbraechter et al. 2019) and integer powers.

Hat function h(t) = 2 relu(t) - 4 relu(t - 1/2) + 2 relu(t - 1) maps [0, 1] onto [0, 1] and is 0
for t >= 1.  With h^(s) its s-fold composition,

    f_M(t) = t - sum_{s=1..M} h^(s)(t) / 4^s

is the piecewise-linear interpolant of t^2 at the 2^M + 1 points j / 2^M, so on [0, 1]

    0 <= f_M(t) - t^2 <= 2^(-2M-2)        (proved exactly in proofs/lemma41.py)

and f_M(t) = t for t >= 1.  As a network on one input it has width 3 (relu(g), relu(g - 1/2),
relu(g - 1) of the current sawtooth g, with the accumulator folded into the first of them at the
first step) plus one accumulator neuron afterwards, and M maps.
"""

from __future__ import annotations

import math

from robustmem.errors import InvalidArgumentError
from robustmem.network.builder import Builder, Expr, ExprLike
from robustmem.network.network import ReLUNetwork

__all__ = ["emit_square", "square_error_bound", "square_network", "square_reference", "square_steps_for"]


def square_error_bound(M: int) -> float:
    """2^(-2M-2): the largest value of f_M(t) - t^2 on [0, 1] (attained at midpoints)."""
    return 2.0 ** (-2 * M - 2)


def square_steps_for(eps: float) -> int:
    """The smallest M >= 1 with 2^(-2M-2) <= eps."""
    if not (eps > 0 and math.isfinite(eps)):
        raise InvalidArgumentError(f"the squaring error budget must be a positive number, got {eps!r}")
    M = max(1, math.ceil((-math.log2(eps) - 2) / 2))
    while square_error_bound(M) > eps:  # guard the logarithm's rounding
        M += 1
    while M > 1 and square_error_bound(M - 1) <= eps:
        M -= 1
    return M


def square_reference(t: float, M: int) -> float:
    """f_M(t) evaluated directly from the formula (for tests; float64)."""
    g, acc = t, t
    for s in range(1, M + 1):
        g = 2 * max(g, 0) - 4 * max(g - 0.5, 0) + 2 * max(g - 1, 0)
        acc -= g / 4.0**s
    return acc


def emit_square(
    b: Builder,
    t: ExprLike,
    M: int,
    tag: str,
    *,
    first_extra: dict[str, ExprLike] | None = None,
    first_temp: bool = False,
    second_extra: dict[str, ExprLike] | None = None,
) -> Expr:
    """Emit the maps of f_M on the non-negative input ``t``; return f_M(t) as an expression.

    Uses M maps.  The neurons are temporary (dropped by the map reading the result).
    ``first_extra``/``second_extra`` add outputs to the first/second emitted map (used by the
    l_p indicator to materialize its running sum without spending a layer); with
    ``first_temp`` the first map's extra outputs are temporary too.
    """
    if M < 1:
        raise InvalidArgumentError(f"the squaring net needs M >= 1 steps, got {M}")
    t = Expr.of(t)
    r0, r1, r2, acc = f"{tag}.r0", f"{tag}.r1", f"{tag}.r2", f"{tag}.A"
    extra_names = list(first_extra or {}) if first_temp else []
    b.layer({r0: t, r1: t - 0.5, r2: t - 1.0, **(first_extra or {})}, temp_names=[r0, r1, r2, *extra_names])
    # after the first map, the accumulator A_0 = t equals relu(t) = slot r0 (t >= 0)
    A: Expr = b.v(r0)
    for s in range(1, M + 1):
        g = 2.0 * b.v(r0) - 4.0 * b.v(r1) + 2.0 * b.v(r2)  # h^(s)(t)
        A = A - g / 4.0**s
        if s == M:
            return A
        extra = second_extra if s == 1 else None
        b.layer({acc: A, r0: g, r1: g - 0.5, r2: g - 1.0, **(extra or {})}, temp_names=[acc, r0, r1, r2])
        A = b.v(acc)
    raise AssertionError("unreachable")


def square_network(M: int) -> ReLUNetwork:
    """A standalone network t -> f_M(relu(t)) (input: one real number), width <= 4, depth M + 1."""
    b = Builder(["t"], raw_inputs=True)
    out = emit_square(b, b.v("t"), M, "sq")
    b.output(out)
    return ReLUNetwork.from_builder(b, meta={"construction": "squaring net", "lemma": "Lemma 41", "M": M})
