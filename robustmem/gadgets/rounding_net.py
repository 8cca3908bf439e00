"""The rounding net psi of Lemma 46: width 2, depth O(C), psi(t) = m on [m - 1/4, m + 1/4].

Statement (Lemma 46).  For an integer C >= 1 there is a ReLU network psi_C: R -> R of width 2 and
2C - 1 affine maps with psi_C(t) = m for t in [m - 1/4, m + 1/4], m = 1..C.  The net below
computes the clamped staircase

    psi_C(t) = 1 for t <= 5/4,  psi_C(t) = C for t >= C - 1/4,
    psi_C(t) = m for t in [m - 1/4, m + 1/4],  psi_C(t) = 2t - m - 1/2 on [m + 1/4, m + 3/4]

(the ramps join the plateaus continuously).

Recursion.  Let L_m(t) = 2t - m - 1/2, the ramp from (m + 1/4, m) to (m + 3/4, m + 1), and
psi_1 = 1.  For m = 1..C-1,

    psi_{m+1}(t) = min(m + 1, max(psi_m(t), L_m(t))).

Proof of the staircase by induction: psi_m is the clamped staircase up to level m, so
psi_m(t) >= t - 1/4 on [0, m + 1/4] and L_m(t) <= t - 1/4 exactly when t <= m + 1/4: the max
leaves psi_m unchanged left of m + 1/4, follows the ramp on [m + 1/4, m + 3/4] (where
psi_m = m <= L_m) and the min with m + 1 caps it afterwards.

Width 2.  A layer can carry t (t >= 0 is its own ReLU) in one neuron and compute ONE new ReLU
in the other.  max and min each cost one ReLU of an affine function of (t, q) once psi is kept
in the form "affine function of (t, q)" with a single non-negative neuron q:

    psi_m = m - q                       (m >= 2)
    q_A = relu(m - q - L_m(t))          then max(psi_m, L_m) = L_m(t) + q_A
    q_B = relu(m + 1 - L_m(t) - q_A)    then psi_{m+1} = m + 1 - q_B,

using max(a, b) = b + relu(a - b) and min(a, b) = a - relu(a - b).  Step 1 (psi_1 = 1 is a
constant) uses max(1, L_1) = 1 + q_A with q_A = relu(L_1(t) - 1) instead, so its first map reads
the input t only there while it starts carrying relu(t) in the other neuron; then
q_B = relu(1 - q_A).  Every step is two affine maps of width 2 and psi_C = C - q after 2(C - 1)
maps.  For t < 0 the carried relu(t) = 0 enters only the ramps m >= 2, which are inactive at 0,
so psi_C(t) = 1 for all t <= 5/4.

Note on the source: the statement (width 2, depth O(C)) is the paper's.  The recursion and its
proof above were derived and checked here (exactly, in rational arithmetic, by the tests); the
paper's own recursion could not be compared with it, because its text was not available when this
module was written.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TypeVar

from robustmem.errors import InvalidArgumentError
from robustmem.network.builder import Builder, Expr, ExprLike
from robustmem.network.network import ReLUNetwork

__all__ = ["emit_rounding", "rounding_depth", "rounding_network", "rounding_reference"]

Num = TypeVar("Num", float, Fraction)


def _check_C(C: int) -> None:
    if isinstance(C, bool) or not isinstance(C, int) or C < 1:
        raise InvalidArgumentError(f"the rounding net needs an integer number of levels C >= 1, got C={C!r}")


def rounding_depth(C: int) -> int:
    """Number of maps :func:`emit_rounding` emits: 2(C - 1)."""
    _check_C(C)
    return 2 * (C - 1)


def rounding_reference(t: Num, C: int) -> Num:
    """psi_C(t) from the min/max recursion of the module docstring (exact for Fraction input).

    >>> [rounding_reference(Fraction(x, 8), 3) for x in (6, 10, 11, 12, 14, 30)]
    [Fraction(1, 1), Fraction(1, 1), Fraction(5, 4), Fraction(3, 2), Fraction(2, 1), Fraction(3, 1)]
    """
    _check_C(C)
    psi = 1 + 0 * t
    for m in range(1, C):
        psi = min(m + 1 + 0 * t, max(psi, 2 * t - m - (Fraction(1, 2) if isinstance(t, Fraction) else 0.5)))
    return psi


def emit_rounding(b: Builder, t: ExprLike, C: int, tag: str) -> Expr:
    """Emit psi_C on the input ``t`` (Lemma 46); return psi_C(t) as an expression.

    ``t`` must be >= 0 unless it reads only raw network inputs (then relu(t) is carried and
    psi_C(t) = 1 for t < 0).  Emits rounding_depth(C) = 2(C - 1) maps of 2 new neurons each; the
    returned expression C - q reads one temporary neuron.  For C = 1 nothing is emitted and the
    constant 1 is returned.
    """
    _check_C(C)
    t = Expr.of(t)
    if C == 1:
        return Expr(const=1.0)
    ts, q = f"{tag}.t", f"{tag}.q"
    q_now: Expr = Expr()  # psi_1 = 1 - q with q = 0
    for m in range(1, C):
        last = m == C - 1
        if m == 1:  # start carrying relu(t); max(1, L_1(t)) = 1 + relu(L_1(t) - 1) reads t only here
            b.layer({ts: t, q: (2.0 * t - 1.5) - 1.0})
            top = 1.0 + b.v(q)
        else:  # q_A = relu(psi_m - L_m(t)) and max(psi_m, L_m) = L_m(t) + q_A
            b.layer({q: (m - q_now) - (2.0 * b.v(ts) - (m + 0.5))})
            top = (2.0 * b.v(ts) - (m + 0.5)) + b.v(q)
        # q_B = relu(m + 1 - max(psi_m, L_m)) and psi_{m+1} = m + 1 - q_B
        b.layer({q: (m + 1.0) - top}, drop=[ts] if last else [], temp_names=[q] if last else [])
        q_now = b.v(q)
    return Expr(const=float(C)) - q_now


def rounding_network(C: int) -> ReLUNetwork:
    """A standalone network t -> psi_C(t) on one real input: width 2 (0 for C = 1), depth 2C - 1.

    >>> import numpy as np
    >>> net = rounding_network(4)
    >>> [float(v) for v in net(np.array([[0.8], [2.2], [2.5], [3.75], [9.0]]))], net.width, net.depth
    ([1.0, 2.0, 2.5, 4.0, 4.0], 2, 7)
    """
    b = Builder(["t"], raw_inputs=True)
    b.output(emit_rounding(b, b.v("t"), C, "psi"))
    return ReLUNetwork.from_builder(b, meta={"construction": "rounding net", "lemma": "Lemma 46", "C": C})
