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

from robustmem.certify.layers import LayerSource
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
    lb = list(add_down(c, -sigma)) if math.isinf(p) else [-np.inf] * d
    ub = list(add_up(c, sigma)) if math.isinf(p) else [np.inf] * d
    integ = [0] * d
    rows = _Rows()
    prev: list[int] = list(range(d))  # variable index of each output of the previous layer, -1 for a constant 0
    n_unstable = 0

    def new_var(lo: float, hi: float, integer: int = 0) -> int:
        lb.append(lo)
        ub.append(hi)
        integ.append(integer)
        return len(lb) - 1

    objective_cols: list[int] = []
    objective_vals: list[float] = []
    objective_constant = 0.0
    for k, lay in enumerate(src.layers()):
        if lay.last:
            row = lay.W[0]
            objective_cols = [prev[t] for t in range(len(prev)) if prev[t] >= 0 and row[t] != 0]
            objective_vals = [float(row[t]) for t in range(len(prev)) if prev[t] >= 0 and row[t] != 0]
            objective_constant = float(lay.b[0])
            break
        lo, hi = lower[k], upper[k]
        out: list[int] = []
        for j in range(lay.W.shape[0]):
            wr = lay.W[j]
            cols = [prev[t] for t in range(len(prev)) if prev[t] >= 0 and wr[t] != 0]
            vals = [-float(wr[t]) for t in range(len(prev)) if prev[t] >= 0 and wr[t] != 0]
            bj, lj, uj = float(lay.b[j]), float(lo[j]), float(hi[j])
            if uj <= 0:
                out.append(-1)
            elif lj >= 0:
                h = new_var(lj, uj)
                rows.add([h] + cols, [1.0] + vals, bj, bj)
                out.append(h)
            else:
                n_unstable += 1
                h = new_var(0.0, uj)
                a = new_var(0.0, 1.0, 1)
                rows.add([h] + cols, [1.0] + vals, bj, np.inf)  # h >= z
                rows.add([h, a] + cols, [1.0, -lj] + vals, -np.inf, bj - lj)  # h <= z - l (1 - a)
                rows.add([h, a], [1.0, -uj], -np.inf, 0.0)  # h <= u a
                out.append(h)
        prev = out
    if p == 1.0:
        ts = [new_var(0.0, np.inf) for _ in range(d)]
        for j in range(d):
            rows.add([ts[j], j], [1.0, -1.0], -c[j], np.inf)  # t_j >= x_j - c_j
            rows.add([ts[j], j], [1.0, 1.0], c[j], np.inf)  # t_j >= c_j - x_j
        rows.add(ts, [1.0] * d, -np.inf, sigma)
    n = len(lb)
    obj = np.zeros(n)
    np.add.at(obj, np.asarray(objective_cols, dtype=np.intp), np.asarray(objective_vals))
    A = sparse.csr_matrix((rows.v, (rows.r, rows.c)), shape=(len(rows.lo), n))
    return MILPModel(
        d,
        p,
        sigma,
        c,
        obj,
        objective_constant,
        np.asarray(integ),
        np.asarray(lb, dtype=float),
        np.asarray(ub, dtype=float),
        A,
        np.asarray(rows.lo),
        np.asarray(rows.hi),
        n_unstable,
    )
