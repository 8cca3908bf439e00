"""Checks of the Vardi-Yehudai-Shamir network (:mod:`robustmem.construct.vardi2022`): the radius its
labels provably survive, a radius at which it provably fails, an exact-output attack, and the fit of
its float64 view.

The network claims no robustness (Theorem 3.1 of Vardi, Yehudai, Shamir, ICLR 2022, is about
memorization only); these functions measure what it actually does, in exact arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

import numpy as np

from robustmem.certificate import Construction
from robustmem.construct.vardi2022 import VardiPlan, _label_gap
from robustmem.norms import check_p

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = [
    "Float64Fit",
    "VardiAttack",
    "float64_fit",
    "vardi2022_attack",
    "vardi2022_breaking_radius",
    "vardi2022_radius",
]


def vardi2022_radius(construction: Construction, dataset: Dataset, *, p: float = 2.0) -> float:
    """A proved lower bound on the radius at which the network keeps every label (it claims none).

    f(x) = h(s(x)) and h = y_i on the whole cell [m_i, m_i + 1 - eta] of x_i's key (module docstring:
    the selection steps, the bit extraction and the gates only see which cell s lies in).  Moving x
    by v changes s by kappa <a, v>, at most kappa ||a||_q ||v||_p (1/p + 1/q = 1), so the network
    outputs y_i on B_p(x_i, r) for r = min_i min(f_i, 1 - eta - f_i) / (kappa ||a||_q), f_i the
    fractional part of s(x_i).  Rounded down.  Tiny: about g / (4 ||a||_q) with g the least gap
    between differently-labelled projections.
    """
    from robustmem.construct.common import lowered, raised

    p = check_p(p)
    plan: VardiPlan = construction.network.meta["plan"]
    margin = None
    for x in np.asarray(dataset.X, dtype=np.float64):
        s = plan.s_exact(x)
        f = s - math.floor(s)
        m = min(f, 1 - plan.eta - f)
        margin = m if margin is None or m < margin else margin
    assert margin is not None  # a Dataset has N >= 1 points
    a = np.abs(np.array(plan.direction, dtype=np.float64))
    q = 1.0 if math.isinf(p) else (math.inf if p == 1.0 else p / (p - 1.0))
    norm = raised(float(np.linalg.norm(a, ord=q)), 2 * len(a) + 4)
    return lowered(float(margin) / (float(plan.kappa) * norm), 4)


def vardi2022_breaking_radius(construction: Construction, dataset: Dataset, *, p: float = 2.0) -> float:
    """A radius at which the network provably fails: g / ||a||_q (rounded up), g the least gap
    |<a, x_i - x_j>| between differently-labelled points.

    From x_i, the point x_i + r v (v the unit-l_p vector with <a, v> = ||a||_q, sign towards x_j)
    has s = s_j, inside the cell of x_j's key, where the network outputs y_j != y_i; that point is
    one of :func:`vardi2022_attack`'s candidates.  inf for a single label.  (Typically far below the
    delta_p / 2 at which robust memorization stops being possible.)
    """
    from robustmem.construct.common import raised

    p = check_p(p)
    plan: VardiPlan = construction.network.meta["plan"]
    X = np.asarray(dataset.X, dtype=np.float64)
    t = [sum((Fraction(float(v)) * a for v, a in zip(x, plan.direction) if a), Fraction(0)) for x in X]
    g = _label_gap(t, np.asarray(dataset.y))
    if g is None:
        return math.inf
    a = np.abs(np.array(plan.direction, dtype=np.float64))
    q = 1.0 if math.isinf(p) else (math.inf if p == 1.0 else p / (p - 1.0))
    return raised(float(g) / float(np.linalg.norm(a, ord=q)), 2 * len(a) + 4)


@dataclass(frozen=True)
class Float64Fit:
    """The float64 view's fit: ``wrong`` indices where float64(f)(x_i) != y_i; ``max_weight_bits``."""

    n_points: int
    wrong: tuple[int, ...]
    max_abs_error: float
    max_weight_bits: int

    @property
    def passed(self) -> bool:
        return not self.wrong


def float64_fit(construction: Construction, dataset: Dataset) -> Float64Fit:
    """Run the float64 view (every weight rounded to the nearest float64) on the training points."""
    net = construction.network
    out = net.evaluate_float(np.asarray(dataset.X, dtype=np.float64))
    y = np.asarray(dataset.y, dtype=np.float64)
    err = np.abs(out - y)
    err = np.where(np.isfinite(err), err, np.inf)
    wrong = tuple(int(i) for i in np.nonzero(~(out == y))[0])
    return Float64Fit(len(y), wrong, float(err.max(initial=0.0)), net.max_weight_bits())


@dataclass(frozen=True)
class VardiAttack:
    """Perturbations x' with ||x' - x_i||_p <= radius (checked exactly) and f(x') != y_i exactly.

    ``tried`` points evaluated, ``n_counterexamples`` of them counterexamples, ``broken_points``
    the training indices with at least one, ``examples`` up to 8 (index, exact output) pairs.
    """

    p: float
    radius: float
    tried: int
    n_counterexamples: int
    broken_points: tuple[int, ...]
    examples: tuple[tuple[int, Fraction], ...]

    @property
    def n_balls_broken(self) -> int:
        return len(self.broken_points)


def vardi2022_attack(
    construction: Construction,
    dataset: Dataset,
    *,
    radius: float,
    p: float = 2.0,
    samples: int = 8,
    seed: int = 0,
    max_points: int | None = None,
) -> VardiAttack:
    """Attack a :func:`construct_vardi2022` network on the balls B_p(x_i, radius).

    Per point: the two points x_i -+ radius v with v the unit-l_p vector maximizing <a, v> (they move
    s(x) by -+ radius kappa ||a||_q, the fastest way off the cell), plus ``samples`` uniform points
    in the ball; every candidate is moved into the closed ball (membership decided exactly) and
    evaluated exactly.  A counterexample is a candidate whose exact output differs from y_i.
    ``max_points`` limits the attacked training points (a seeded random subset).
    """
    from robustmem.geometry import check_ball_p, check_sigma, exact_in_ball, shrink_into_ball, uniform_in_ball

    p, radius = check_ball_p(p), check_sigma(radius)
    net = construction.network
    plan: VardiPlan = net.meta["plan"]
    X = np.asarray(dataset.X, dtype=np.float64)
    y = np.asarray(dataset.y, dtype=np.int64)
    rng = np.random.default_rng(seed)
    idx = np.arange(len(X))
    if max_points is not None and max_points < len(X):
        idx = np.sort(rng.choice(len(X), size=max_points, replace=False))
    a = np.array(plan.direction, dtype=np.float64)
    if math.isinf(p):
        v = np.sign(a)
    elif p == 1.0:
        v = np.zeros_like(a)
        v[int(np.argmax(np.abs(a)))] = np.sign(a[int(np.argmax(np.abs(a)))])
    else:
        qd = p / (p - 1.0)
        w = np.abs(a) ** (qd - 1.0)
        v = np.sign(a) * w / np.linalg.norm(w, ord=p)
    C = X[idx]
    cands = [C[:, None, :] - radius * v, C[:, None, :] + radius * v]
    if samples:
        cands.append(uniform_in_ball(C, p, radius, samples, rng=rng))
    A = shrink_into_ball(np.concatenate(cands, axis=1), C[:, None, :], p, radius)
    flat = A.reshape(-1, X.shape[1])
    outs = net.evaluate_exact(flat)
    per = A.shape[1]
    broken: list[int] = []
    examples: list[tuple[int, Fraction]] = []
    count = 0
    for r, i in enumerate(idx):
        hit = False
        for c in range(per):
            val = outs[r * per + c]
            if val != int(y[i]) and exact_in_ball(A[r, c], X[i], p, radius):
                count += 1
                if not hit and len(examples) < 8:
                    examples.append((int(i), val))
                hit = True
        if hit:
            broken.append(int(i))
    return VardiAttack(p, radius, len(flat), count, tuple(broken), tuple(examples))
