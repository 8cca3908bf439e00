"""The symbolic values of the structural certifier: exact envelopes, aggregates, neurons, and float helpers.

See :mod:`.template` for how a block's neurons receive these values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from robustmem.certify.structural.pl import PL

__all__ = [
    "ETA_Q",
    "ONE",
    "PLB",
    "U_Q",
    "ZERO",
    "Agg",
    "BlockFacts",
    "Node",
    "Unsupported",
    "all_pow2",
    "exact_range",
    "gamma_q",
    "lip_of",
    "rounding_steps",
    "two_sum",
]

U_Q = Fraction(1, 2**53)
ETA_Q = Fraction(1, 2**1074)
ZERO, ONE = Fraction(0), Fraction(1)


def gamma_q(n: int) -> Fraction:
    """gamma_n = n u / (1 - n u), exact."""
    return n * U_Q / (1 - n * U_Q)


class Unsupported(Exception):
    """The template does something the structural rules do not cover (message names the map and neuron)."""


@dataclass(eq=False)
class PLB:
    """Lower and upper piecewise-linear envelopes of a family of functions (lo is hi when exact) and a common
    Lipschitz bound ``lip``."""

    lo: PL
    hi: PL
    lip: Fraction

    @property
    def exact(self) -> bool:
        return self.lo is self.hi

    def max_abs(self) -> Fraction:
        return self.lo.max_abs() if self.exact else max(self.lo.max_abs(), self.hi.max_abs())


def lip_of(f: PL) -> Fraction:
    return max(abs((f.ys[k + 1] - f.ys[k]) / (f.xs[k + 1] - f.xs[k])) for k in range(len(f.xs) - 1))


@dataclass(eq=False)
class Agg:
    kind: str  # "sum" or "max"
    const: Fraction
    parts: dict[int, PLB]


@dataclass(eq=False)
class Node:
    kind: str  # coord, state, agg, posdiff, reluagg, indicator, pending
    agg: Agg | None = None
    coord: int = -1
    mag: Fraction = ZERO
    loc: Fraction = ZERO
    inE: Fraction = ZERO
    pre: Agg | None = None  # the pre-activation as a function (None when not expressible)
    pre_err: Fraction = ZERO
    # the same bounds when every offset coordinate lies in the ON box |a_j| <= r (for the ON proofs)
    magI: Fraction = ZERO
    locI: Fraction = ZERO
    pre_errI: Fraction = ZERO
    ins: tuple = ()  # ((node, weight), ...) of the neuron's affine map
    bias: Fraction = ZERO
    x: PLB | None = None  # posdiff: relu(x(a_xj) - q)
    # posdiff only: the propagated rounding error of x (not of q) and the neuron's own rounding, kept apart so that
    # a folded q + relu(x - q) = max(q, x) counts max(loc q, loc x) + own, not loc q twice (see ``fold_rounding``)
    xloc: Fraction = ZERO
    xlocI: Fraction = ZERO
    own: Fraction = ZERO
    ownI: Fraction = ZERO
    # constant-bias neurons relu(s t + c), t = sum_i v_i h_i a linear form of earlier values (first v_i = 1 in the
    # order of ``form``): neurons on the same form are grouped when read together (``_Interp.propagated``)
    form: tuple | None = None
    form_s: Fraction = ONE
    form_c: Fraction = ZERO
    form_loc: Fraction = ZERO  # >= |t~ - t_E| (t~ the exact form of the float inputs)
    form_locI: Fraction = ZERO
    xj: int = -1
    q: Node | None = None
    vs: tuple = ()  # indicator: the nodes v_k read with weight gamma_b
    ind: Node | None = None  # pending (fused, yu2024): the indicator whose z_b it carries
    zero: bool = False  # state: the constant neuron m = 0 (no weights, bias 0) that opens a fused chain
    where: str = ""

    @property
    def err(self) -> Fraction:
        return self.loc + self.inE

    @property
    def errI(self) -> Fraction:
        return self.locI + self.inE


@dataclass
class BlockFacts:
    """The result of :func:`interpret_block`."""

    k: int
    indicator: Node
    labels: np.ndarray  # (N,) realized label bias y_b
    gamma: np.ndarray  # (N,) realized label weight gamma_b
    alpha: np.ndarray  # (N, k) anchor offsets: a_bj = u_j + alpha_bj - shift_j
    shift: list[Fraction]  # (k,) centring shifts (floats)
    domain: tuple[Fraction, Fraction]  # common interval of every a_j (inputs on the union of balls)
    r_box: Fraction  # the ON box |a_j| <= r_box of the neurons' magI / locI / pre_errI bounds
    kappa_notes: list[str] = field(default_factory=list)
    fused: bool = False  # the label neuron is relu(y_b + gamma_b V - m) (yu2024): its sum also reads m
    n_pieces: int = 0
    n_neurons: int = 0


def all_pow2(w) -> bool:
    """Whether every weight is +-2^e: its products are exact (barring underflow, bounded separately)."""
    m = np.frexp(np.asarray(w, dtype=np.float64))[0]
    return bool(np.all(np.abs(m) == 0.5))


def rounding_steps(weights, bias) -> int:
    """Roundings on any path of relu(bias + sum w h) evaluated in any order (FMA allowed): the additions
    (a zero bias adds nothing) plus one when some product is not exact."""
    n_add = len(weights) + (1 if bias != 0 else 0) - 1
    return max(n_add, 0) + (0 if all_pow2([float(w) for w in weights]) else 1)


def two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Knuth's TwoSum: s = fl(a + b) and e with a + b = s + e exactly (no overflow assumed)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def exact_range(a: np.ndarray, b: np.ndarray) -> tuple[Fraction, Fraction]:
    """The exact minimum and maximum over blocks of the rational a + b (float arrays)."""
    s, e = two_sum(a, b)
    if not e.any():
        return Fraction(float(s.min())), Fraction(float(s.max()))
    order = np.lexsort((e, s))  # (s, e) is a normalized pair: lexicographic order is the order of s + e
    lo, hi = order[0], order[-1]
    return Fraction(float(s[lo])) + Fraction(float(e[lo])), Fraction(float(s[hi])) + Fraction(float(e[hi]))
