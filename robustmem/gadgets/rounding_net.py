"""The rounding net psi of Lemma 46, built with the paper's own recursion: width 2, 3C ReLU layers.

Statement (Lemma 46).  For an integer C >= 1 (the paper states C >= 2; C = 1 works the same way) there is a
ReLU network psi: R -> R of width 2 and depth O(C) with psi(t) = m for every t in [m - 1/4, m + 1/4],
m = 1..C.

Recursion (Lemma 46's proof, as printed).  For l = 0..C-1, with psi_{-1} = 0,

    psi_{3l}(x)   = relu(2x - (2(C - l) - 1)/2 - psi_{3l-1}(x)),
    psi_{3l+1}(x) = relu(l + 1 - psi_{3l}(x)),
    psi_{3l+2}(x) = relu(l + 1 - psi_{3l+1}(x)),

and psi = psi_{3C-1}.  Each psi_j is one ReLU neuron; the other neuron of every layer carries the input
(Figure 11), so the width is 2 and there are 3C ReLU layers.

What it computes (proved in proofs/lemma46.py for every C, symbolically in the plateau index):
psi = S_C, the clamped staircase

    S_C(t) = 0 for t <= 1/4,   S_C(t) = m on [m - 1/4, m + 1/4] (1 <= m <= C - 1),   S_C(t) = C for t >= C - 1/4,
    S_C(t) = 2t - m - 1/2 on the ramps [m + 1/4, m + 3/4] (0 <= m <= C - 1),

on all of R.  The proof shows psi_{3l+2}(x) = S_{l+1}(x - (C - 1 - l)/2), i.e. the net builds the staircase
from the top level down, each round subtracting the previous (half-shifted) staircase from 2x.

Carrying the input.  The first layer reads the raw input t and carries relu(t); every later psi_{3l} reads
relu(t).  This changes nothing: for t <= 0 both 2t and 2 relu(t) = 0 give a relu argument <= -1/2 - psi <= 0,
so psi_{3l} = 0 either way.  Hence the emitted network equals the recursion on all of R.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TypeVar

from robustmem.errors import InvalidArgumentError
from robustmem.network.builder import Builder, Expr, ExprLike
from robustmem.network.network import ReLUNetwork

__all__ = ["emit_rounding", "rounding_depth", "rounding_network", "rounding_offset", "rounding_reference"]

Num = TypeVar("Num", float, Fraction)


def _check_C(C: int) -> None:
    if isinstance(C, bool) or not isinstance(C, int) or C < 1:
        raise InvalidArgumentError(f"the rounding net needs an integer number of levels C >= 1, got C={C!r}")


def rounding_depth(C: int) -> int:
    """Number of maps :func:`emit_rounding` emits (ReLU layers psi_0 .. psi_{3C-1}): 3C."""
    _check_C(C)
    return 3 * C


def rounding_offset(C: int, level: int) -> Fraction:
    """The bias (2(C - l) - 1)/2 subtracted in psi_{3l} = relu(2x - bias - psi_{3l-1}), l = ``level``."""
    _check_C(C)
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < C:
        raise InvalidArgumentError(f"the rounding net's level must be an integer in [0, {C - 1}], got {level!r}")
    return Fraction(2 * (C - level) - 1, 2)


def rounding_reference(t: Num, C: int) -> Num:
    """psi(t) from Lemma 46's recursion (exact for Fraction input).

    >>> [str(rounding_reference(Fraction(x, 8), 3)) for x in (0, 4, 6, 10, 11, 12, 14, 30)]
    ['0', '1/2', '1', '1', '5/4', '3/2', '2', '3']
    """
    _check_C(C)
    if isinstance(t, Fraction):  # every value is an integer multiple of 1/s with s = 2 * denominator(t)
        s = 2 * t.denominator
        scaled = 0
        for level in range(C):
            bias = rounding_offset(C, level) * s
            p0 = max(0, 4 * t.numerator - int(bias) - scaled)
            p1 = max(0, (level + 1) * s - p0)
            scaled = max(0, (level + 1) * s - p1)
        return Fraction(scaled, s)
    prev = 0.0 * t
    for level in range(C):
        p0 = max(0.0, 2.0 * t - float(rounding_offset(C, level)) - prev)
        p1 = max(0.0, level + 1.0 - p0)
        prev = max(0.0, level + 1.0 - p1)
    return prev


def emit_rounding(b: Builder, t: ExprLike, C: int, tag: str) -> Expr:
    """Emit psi (Lemma 46, the paper's recursion) on the input ``t``; return psi(t) as an expression.

    Emits rounding_depth(C) = 3C maps with at most 2 new neurons each (``t`` may be any affine expression of the
    live slots, of any sign: the first map carries relu(t)).  The returned expression reads one temporary neuron
    holding psi(t) = S_C(t) (the clamped staircase of the module docstring; = m on [m - 1/4, m + 1/4]).
    """
    _check_C(C)
    t = Expr.of(t)
    ts, p = f"{tag}.t", f"{tag}.psi"
    for level in range(C):
        offset = float(rounding_offset(C, level))  # a multiple of 1/2: exact in float64
        last_read = level == C - 1
        if level == 0:  # psi_0 = relu(2t - offset): reads the raw t; start carrying relu(t)
            b.layer({ts: t, p: 2.0 * t - offset} if not last_read else {p: 2.0 * t - offset})
        else:  # psi_{3l} = relu(2 relu(t) - offset - psi_{3l-1})
            b.layer({p: 2.0 * b.v(ts) - offset - b.v(p)}, drop=[ts] if last_read else [])
        b.layer({p: (level + 1.0) - b.v(p)})  # psi_{3l+1}
        b.layer({p: (level + 1.0) - b.v(p)}, temp_names=[p] if last_read else [])  # psi_{3l+2}
    return b.v(p)


def rounding_network(C: int) -> ReLUNetwork:
    """A standalone network t -> psi(t) on one real input: width 2 (1 for C = 1), depth 3C + 1 affine maps.

    >>> import numpy as np
    >>> net = rounding_network(4)
    >>> [float(v) for v in net(np.array([[-3.0], [0.8], [2.2], [2.5], [3.75], [9.0]]))], net.width, net.depth
    ([0.0, 1.0, 2.0, 2.5, 4.0, 4.0], 2, 13)
    """
    b = Builder(["t"], raw_inputs=True)
    b.output(emit_rounding(b, b.v("t"), C, "psi"))
    return ReLUNetwork.from_builder(b, meta={"construction": "rounding net", "lemma": "Lemma 46", "C": C})
