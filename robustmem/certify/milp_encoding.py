"""The big-M mixed-integer encoding of a ReLU network on one l_p ball (solver-neutral arrays).

For the ball B_p(c, sigma) and rigorous pre-activation bounds l <= z <= u of every hidden neuron
(:func:`~robustmem.certify.propagation.layer_bounds`), the feasible set of the model below contains the graph
{(x, f(x)) : x in the ball} of the exact network (Tjeng, Xiao, Tedrake, "Evaluating Robustness of Neural
Networks with Mixed Integer Programming", ICLR 2019):

* variables: the input x (d), one h per hidden neuron that is not stably inactive, one binary a per
  unstable neuron, and for p = 1 one t_j >= |x_j - c_j| per coordinate;
* stably inactive (u <= 0): h = 0, no variable; stably active (l >= 0): h = W h_prev + b;
* unstable (l < 0 < u): h >= W h_prev + b, h <= W h_prev + b - l (1 - a), h <= u a, 0 <= h <= u;
* ball: p = inf by the bounds c -/+ sigma (rounded outward), p = 1 by sum_j t_j <= sigma, p = 2 by the
  quadratic constraint sum_j (x_j - c_j)^2 <= sigma^2 that the SCIP back end adds (:attr:`MILPModel.p`);
* objective: f = W_L h_{L-1} + b_L (``objective`` on the variables plus ``objective_constant``).

The model is exact in the reals; solvers work in floating point with feasibility tolerances, which is why
:mod:`robustmem.certify.milp` re-checks every counterexample on the real network.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from robustmem.certify.layers import Layer, LayerSource
from robustmem.certify.rounding import add_down, add_up

__all__ = ["MILPModel", "encode_ball"]


@dataclass(frozen=True, eq=False)
class MILPModel:
    """min/max ``objective @ v + objective_constant`` s.t. ``row_lower <= A v <= row_upper``, bounds, integrality.

    ``v[:input_dim]`` is the input x.  For p = 2 the ball constraint is not in ``A``: the back end adds
    sum_j (x_j - center_j)^2 <= sigma^2.
    """

    input_dim: int
    p: float
    sigma: float
    center: np.ndarray
    objective: np.ndarray
    objective_constant: float
    integrality: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray
    A: sparse.csr_matrix
    row_lower: np.ndarray
    row_upper: np.ndarray
    n_unstable: int

    @property
    def n_vars(self) -> int:
        return len(self.objective)


class _Rows:
    def __init__(self) -> None:
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols: list[int], vals: list[float], lo: float, hi: float) -> None:
        k = len(self.lo)
        self.r.extend([k] * len(cols))
        self.c.extend(cols)
        self.v.extend(vals)
        self.lo.append(lo)
        self.hi.append(hi)


def encode_ball(
    src: LayerSource, lower: list[np.ndarray], upper: list[np.ndarray], center: np.ndarray, p: float, sigma: float
) -> MILPModel:
    """The model of the module docstring for one ball; ``lower[k]``/``upper[k]`` bound layer k+1's z (m_{k+1},)."""
    d = src.input_dim
    c = np.asarray(center, dtype=np.float64)
    xs = _input_vars(c, p, sigma)
    rows = _Rows()
    prev: list[int] = list(range(d))  # variable index of each output of the previous layer, -1 for a constant 0
    objective = _Objective([], [], 0.0)
    for k, lay in enumerate(src.layers()):
        if lay.last:
            objective = _objective(lay, prev)
            break
        lo, hi = lower[k], upper[k]
        prev = [_neuron(xs, rows, lay, j, prev, float(lo[j]), float(hi[j])) for j in range(lay.W.shape[0])]
    if p == 1.0:
        _add_l1_ball(xs, rows, c, sigma)
    return _assemble(d, p, sigma, c, xs, rows, objective)


class _Vars:
    """The model's variables in creation order (the input x first): bounds and integrality (1 for a binary)."""

    def __init__(self, lb: list[float], ub: list[float]) -> None:
        self.lb, self.ub = lb, ub
        self.integ = [0] * len(lb)

    def new(self, lo: float, hi: float, integer: int = 0) -> int:
        self.lb.append(lo)
        self.ub.append(hi)
        self.integ.append(integer)
        return len(self.lb) - 1


def _input_vars(c: np.ndarray, p: float, sigma: float) -> _Vars:
    """The input x: bounded by c -/+ sigma rounded outward for p = inf (the ball), free otherwise."""
    d = len(c)
    lb = list(add_down(c, -sigma)) if math.isinf(p) else [-np.inf] * d
    ub = list(add_up(c, sigma)) if math.isinf(p) else [np.inf] * d
    return _Vars(lb, ub)


def _neuron(xs: _Vars, rows: _Rows, lay: Layer, j: int, prev: list[int], lj: float, uj: float) -> int:
    """Encode neuron j of a hidden layer with pre-activation bounds [lj, uj]; its h variable, or -1 for h = 0."""
    wr = lay.W[j]
    cols = [prev[t] for t in range(len(prev)) if prev[t] >= 0 and wr[t] != 0]
    vals = [-float(wr[t]) for t in range(len(prev)) if prev[t] >= 0 and wr[t] != 0]
    bj = float(lay.b[j])
    if uj <= 0:  # stably inactive
        return -1
    if lj >= 0:  # stably active: h = z
        h = xs.new(lj, uj)
        rows.add([h] + cols, [1.0] + vals, bj, bj)
        return h
    h = xs.new(0.0, uj)
    a = xs.new(0.0, 1.0, 1)
    rows.add([h] + cols, [1.0] + vals, bj, np.inf)  # h >= z
    rows.add([h, a] + cols, [1.0, -lj] + vals, -np.inf, bj - lj)  # h <= z - l (1 - a)
    rows.add([h, a], [1.0, -uj], -np.inf, 0.0)  # h <= u a
    return h


@dataclass(frozen=True)
class _Objective:
    """f = sum vals[i] v[cols[i]] + constant, the output map on the last hidden layer's variables."""

    cols: list[int]
    vals: list[float]
    constant: float


def _objective(lay: Layer, prev: list[int]) -> _Objective:
    """The output map's row on the variables of the previous layer (constant-0 outputs dropped)."""
    row = lay.W[0]
    keep = [t for t in range(len(prev)) if prev[t] >= 0 and row[t] != 0]
    return _Objective([prev[t] for t in keep], [float(row[t]) for t in keep], float(lay.b[0]))


def _add_l1_ball(xs: _Vars, rows: _Rows, c: np.ndarray, sigma: float) -> None:
    """The l_1 ball: t_j >= |x_j - c_j| and sum_j t_j <= sigma."""
    d = len(c)
    ts = [xs.new(0.0, np.inf) for _ in range(d)]
    for j in range(d):
        rows.add([ts[j], j], [1.0, -1.0], -c[j], np.inf)  # t_j >= x_j - c_j
        rows.add([ts[j], j], [1.0, 1.0], c[j], np.inf)  # t_j >= c_j - x_j
    rows.add(ts, [1.0] * d, -np.inf, sigma)


def _assemble(
    d: int, p: float, sigma: float, c: np.ndarray, xs: _Vars, rows: _Rows, objective: _Objective
) -> MILPModel:
    """The arrays of the model; one binary per unstable neuron, so ``n_unstable`` counts the integer variables."""
    n = len(xs.lb)
    obj = np.zeros(n)
    np.add.at(obj, np.asarray(objective.cols, dtype=np.intp), np.asarray(objective.vals))
    A = sparse.csr_matrix((rows.v, (rows.r, rows.c)), shape=(len(rows.lo), n))
    return MILPModel(
        d,
        p,
        sigma,
        c,
        obj,
        objective.constant,
        np.asarray(xs.integ),
        np.asarray(xs.lb, dtype=float),
        np.asarray(xs.ub, dtype=float),
        A,
        np.asarray(rows.lo),
        np.asarray(rows.hi),
        sum(xs.integ),
    )
