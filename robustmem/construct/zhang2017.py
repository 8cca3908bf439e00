"""The non-robust baseline: one hidden layer of N ReLUs (Zhang et al., ICLR 2017, Theorem 1).

Zhang, Bengio, Hardt, Recht, Vinyals, "Understanding deep learning requires rethinking
generalization", Theorem 1: a depth-2 ReLU network with N hidden units interpolates any N
distinct points.  Proof recipe: pick a direction a whose projections t_i = <a, x_i> are distinct,
sort them, put one bias b_i in each gap (b_1 < t_1 <= b_2 < t_2 <= ... ), take the hidden units
h_i(x) = relu(<a, x> - b_i) and solve the lower-triangular system
sum_{k <= i} w_k (t_i - b_k) = y_i for the output weights w.

Choices made here (the theorem leaves them free):

* Same-label duplicates are merged (the theorem needs distinct points), so the width is the number
  n of distinct points.
* Direction: a coordinate axis whose values are distinct (the one with the widest relative gap),
  else a random small-integer direction whose projections are exact floats, else a Gaussian one.
* b_i = t_{i-1} + gap_i / 8 (rounded, checked exactly): the slope S_i of g on (b_i, b_{i+1}) is
  (8 (y_i - y_{i-1}) / gap_i - S_{i-1}) / 7, a contraction, so the weights stay of the size of the
  data's slopes (the midpoint would let them grow linearly with N).
* The system is solved in exact rational arithmetic, equation by equation on the ROUNDED earlier
  weights, so only the rounding of w_i itself can break equation i.  The float64 weights fit
  exactly when every w_i is a float (``exact_fit_by_construction``); on generic real data they are
  not, and f(x_i) - y_i is a rounding residual of a few ulps (the theorem holds in the reals).

Robustness: f(x) = g(<a, x>) with g piecewise linear.  f equals y_i on B_p(x_i, s) iff g equals
y_i on [t_i - s ||a||_q, t_i + s ||a||_q] (q the dual exponent), i.e. iff every piece of g met
there is flat.  :func:`zhang2017_radius` computes the largest such s exactly; it is 0 unless the
slope of the piece through t_i vanishes, which the construction never arranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from robustmem.certificate import Certificate, Construction
from robustmem.construct.common import lowered
from robustmem.data import Dataset
from robustmem.errors import HypothesisError
from robustmem.network.builder import Builder, Coef, Expr
from robustmem.network.network import ReLUNetwork
from robustmem.norms import check_p

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["ZhangRadius", "construct_zhang2017", "zhang2017_radius"]

INTEGER_TRIES = 16  # random small-integer directions tried before the Gaussian fallback


def _unique(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct points, their labels, index of each original point's distinct point)."""
    U, first, inverse = np.unique(X, axis=0, return_index=True, return_inverse=True)
    return U, y[first], np.ravel(inverse)


def _exact_projection(U: np.ndarray, a: np.ndarray) -> list[Fraction]:
    fa = [Fraction(float(v)) for v in a]
    nz = [j for j, v in enumerate(fa) if v != 0]
    return [sum((Fraction(float(row[j])) * fa[j] for j in nz), Fraction(0)) for row in U]


def _choose_direction(U: np.ndarray, seed: int) -> tuple[np.ndarray, list[Fraction], str]:
    n, d = int(U.shape[0]), int(U.shape[1])
    best, best_score = -1, -math.inf
    for j in range(d):
        col = np.sort(U[:, j])
        if n > 1 and not (np.diff(col) > 0).all():
            continue
        spread = col[-1] - col[0]
        score = float(np.diff(col).min() / spread) if n > 1 else 1.0
        if score > best_score:
            best, best_score = j, score
    if best >= 0:
        a = np.zeros(d)
        a[best] = 1.0
        return a, [Fraction(float(v)) for v in U[:, best]], f"coordinate axis e_{best}"
    rng = np.random.default_rng(seed)
    for _ in range(INTEGER_TRIES):
        a = rng.integers(-256, 257, size=d).astype(np.float64)
        t = _exact_projection(U, a)
        if len(set(t)) == n and all(Fraction(float(v)) == v for v in t):
            return a, t, "random integer direction (projections exact floats)"
    for _ in range(INTEGER_TRIES):
        a = rng.standard_normal(d)
        t = _exact_projection(U, a)
        if len(set(t)) == n:
            return a, t, "random Gaussian direction"
    raise HypothesisError("no direction with distinct projections found: the points are not distinct")


def _biases(t: list[Fraction]) -> list[float]:
    """b_i with t_{i-1} < b_i < t_i exactly (t sorted increasingly): b_i = fl(t_{i-1} + gap_i / 8)."""
    b: list[float] = []
    for i, ti in enumerate(t):
        gap = (ti - t[i - 1]) if i else (t[1] - t[0] if len(t) > 1 else Fraction(1))
        cand = Fraction(float(ti - 7 * gap / 8))
        if not (cand < ti and (i == 0 or cand > t[i - 1])):
            raise HypothesisError(f"projections {float(t[i - 1])!r} and {float(ti)!r} are too close for a float64 bias")
        b.append(float(cand))
    return b


def _solve(t: list[Fraction], y: np.ndarray, b: list[float]) -> tuple[list[float], bool]:
    """Output weights solving sum_{k<=i} w_k (t_i - b_k) = y_i, each equation exactly on the rounded
    earlier weights; (weights, every weight exact)."""
    S, C, w, exact = Fraction(0), Fraction(0), [], True
    for ti, yi, bi in zip(t, y, b):
        fb = Fraction(bi)
        wi = (Fraction(int(yi)) - (S * ti - C)) / (ti - fb)
        wf = float(wi)
        exact &= Fraction(wf) == wi
        w.append(wf)
        S += Fraction(wf)
        C += Fraction(wf) * fb
    return w, exact


@dataclass(frozen=True)
class ZhangRadius:
    """Exact robust radius of a Zhang network along its direction (see :func:`zhang2017_radius`).

    ``per_point[i]``: the largest s with f = y_i on the closed ball B_p(x_i, s) (0 when the piece of g
    through t_i has a non-zero slope); ``radius``: their minimum, the (sigma, p)-robust memorization
    radius of the network (Definition 3).  ``flat_points``: how many points sit on a flat piece.
    """

    p: float
    radius: float
    per_point: tuple[float, ...]
    flat_points: int
    slopes_at_points: tuple[float, ...]


def zhang2017_radius(construction: Construction) -> ZhangRadius:
    """The exact largest sigma for which a :func:`construct_zhang2017` network robustly memorizes.

    f(x) = g(<a, x>), g continuous piecewise linear with kinks b_k and slope S_k = w_1 + ... + w_k
    right of b_k (0 left of b_1).  For the point with projection t_i, g is constant on the maximal
    interval [L, R] around t_i made of flat pieces; the radius is min(t_i - L, R - t_i) / ||a||_q
    with 1/p + 1/q = 1 (computed in exact arithmetic, then rounded down).  0 when g(t_i) != y_i.
    """
    line = _read_line(construction)
    scale = _dual_norm(line.direction, line.p)  # sup of <a, v> over ||v||_p <= 1
    per, flat, at = [], 0, []
    for ti, yi in zip(line.projections, line.labels):
        k = sum(1 for bk in line.kinks if bk <= ti)  # piece k contains t_i on its right side
        at.append(float(line.slopes[k]))
        ext = _flat_extent(line, ti, yi, k)
        if ext is None or ext == 0:
            per.append(0.0)
        else:
            flat += 1
            per.append(lowered(float(ext) / scale, 4) if ext != math.inf else math.inf)
    per_point = tuple(per[i] for i in line.point_to_distinct)
    return ZhangRadius(
        p=line.p,
        radius=min(per_point),
        per_point=per_point,
        flat_points=flat,
        slopes_at_points=tuple(at[i] for i in line.point_to_distinct),
    )


@dataclass(frozen=True)
class _ZhangLine:
    """g of a Zhang network along its direction, read from its metadata (distinct points, sorted by projection).

    ``kinks`` b_k and ``weights`` w_k of g(t) = sum_k w_k relu(t - b_k); ``slopes[k]`` = w_1 + ... + w_k on
    (b_k, b_{k+1}) (b_0 = -inf, b_{n+1} = +inf); ``projections`` t_i exactly, ``labels`` y_i;
    ``point_to_distinct`` maps each dataset point to its distinct point.
    """

    p: float
    direction: np.ndarray
    kinks: tuple[Fraction, ...]
    weights: tuple[Fraction, ...]
    slopes: tuple[Fraction, ...]
    projections: tuple[Fraction, ...]
    labels: tuple[int, ...]
    point_to_distinct: tuple[int, ...]


def _read_line(construction: Construction) -> _ZhangLine:
    """The line function of a :func:`construct_zhang2017` network, exactly (projections recomputed if needed)."""
    net, cert = construction
    meta = net.meta["zhang2017"]
    a = np.array(meta["direction"], dtype=np.float64)
    w = [Fraction(v) for v in meta["weights"]]
    if meta["projections_exact"]:
        t = [Fraction(v) for v in meta["projections_float"]]
    else:
        t = _exact_projection(np.array(meta["points"], dtype=np.float64), a)
    slopes = [Fraction(0)]
    for wk in w:
        slopes.append(slopes[-1] + wk)
    return _ZhangLine(
        p=cert.p,
        direction=a,
        kinks=tuple(Fraction(v) for v in meta["biases"]),
        weights=tuple(w),
        slopes=tuple(slopes),
        projections=tuple(t),
        labels=tuple(meta["labels"]),
        point_to_distinct=tuple(meta["point_to_distinct"]),
    )


def _dual_norm(a: np.ndarray, p: float) -> float:
    """||a||_q with 1/p + 1/q = 1."""
    q = 1.0 if math.isinf(p) else (math.inf if p == 1.0 else p / (p - 1.0))
    return float(np.linalg.norm(a, ord=q))


def _flat_extent(line: _ZhangLine, ti: Fraction, yi: int, k: int) -> Fraction | float | None:
    """min(t_i - L, R - t_i) for the maximal interval [L, R] of flat pieces of g around t_i (inf if unbounded).

    None when g(t_i) != y_i (``k``: the piece containing t_i on its right side).
    """
    b, w, slopes, n = line.kinks, line.weights, line.slopes, len(line.kinks)
    if sum((wj * (ti - bj) for wj, bj in zip(w[:k], b[:k])), Fraction(0)) != yi:
        return None
    j = k  # pieces k, k+1, ... to the right of t_i; piece j spans (b[j-1], b[j])
    while j <= n and slopes[j] == 0:
        j += 1
    right = math.inf if j > n else (ti if j == k else b[j - 1])
    lp = k if (k == 0 or b[k - 1] < ti) else k - 1  # the piece just left of t_i
    i = lp
    while i >= 0 and slopes[i] == 0:
        i -= 1
    left = -math.inf if i < 0 else (ti if i == lp else b[i])
    return min(ti - left if left != -math.inf else math.inf, right - ti if right != math.inf else math.inf)


def construct_zhang2017(dataset: Dataset, *, p: float = 2.0, seed: int = 0) -> Construction:
    """Zhang et al. (ICLR 2017), Theorem 1: depth 2, width n (distinct points), f(x_i) = y_i.

    Guarantee: f(x_i) = y_i for every i in the reals (and exactly for the float64 weights when the
    certificate's note says so).  NO robustness: the certificate claims sigma = 0; the exact radius
    (usually 0) is :func:`zhang2017_radius`.  ``p`` only names the norm in which that radius is
    measured.

    >>> from robustmem.data import Dataset
    >>> net, cert = construct_zhang2017(Dataset.from_arrays([[0.0], [1.0], [3.0]], [1, 2, 1]))
    >>> net([[0.0], [1.0], [3.0]]).round(12).tolist(), net.width, net.depth, cert.sigma
    ([1.0, 2.0, 1.0], 3, 2, 0.0)
    """
    p = check_p(p)
    X = np.asarray(dataset.X, dtype=np.float64)
    fit = _interpolate(X, np.asarray(dataset.y), seed)
    bld = _builder(fit, X.shape[1])
    cert = _certificate(dataset, fit, p)
    return Construction(ReLUNetwork.from_builder(bld, meta=_meta(fit, cert)), cert)


@dataclass(frozen=True)
class _ZhangFit:
    """Theorem 1's interpolation of the distinct points along a direction.

    ``distinct`` U, ``inverse`` (dataset point -> row of U), ``direction`` a (chosen ``how``), ``order`` sorting
    U by projection, ``projections`` t and ``labels`` y in that order, ``biases`` b and output ``weights`` w
    (float64), ``exact``: every float64 weight solves its equation exactly.
    """

    distinct: np.ndarray
    inverse: np.ndarray
    direction: np.ndarray
    how: str
    order: list[int]
    projections: list[Fraction]
    labels: np.ndarray
    biases: list[float]
    weights: list[float]
    exact: bool


def _interpolate(X: np.ndarray, y: np.ndarray, seed: int) -> _ZhangFit:
    """Merge duplicates, choose the direction, sort the projections, place the biases, solve for the weights."""
    U, yu, inverse = _unique(X, y)
    a, t, how = _choose_direction(U, seed)
    order = sorted(range(len(t)), key=lambda i: t[i])
    ts, ys = [t[i] for i in order], yu[order]
    b = _biases(ts)
    w, exact = _solve(ts, ys, b)
    return _ZhangFit(U, inverse, a, how, order, ts, ys, b, w, exact)


def _builder(fit: _ZhangFit, d: int) -> Builder:
    """The depth-2 network: h_k = relu(<a, x> - b_k), output sum_k w_k h_k."""
    n = len(fit.projections)
    xs = [f"x{j}" for j in range(d)]
    bld = Builder(xs, raw_inputs=True)
    proj = Expr({xs[j]: Coef(float(fit.direction[j])) for j in range(d) if fit.direction[j] != 0.0})
    bld.layer({f"h{k}": proj - fit.biases[k] for k in range(n)})
    out = Expr()
    for k in range(n):
        out = out + Expr({f"h{k}": Coef(fit.weights[k])})
    bld.output(out)
    return bld


def _certificate(dataset: Dataset, fit: _ZhangFit, p: float) -> Certificate:
    """The certificate: sigma = 0 (no robustness), width n, depth 2, and whether the float64 fit is exact."""
    notes = (
        "not robust: Theorem 1 interpolates the points only; the exact radius (zhang2017_radius) is 0 "
        "unless a point sits on a flat piece",
        f"direction: {fit.how}; "
        + (
            "the float64 weights fit every label exactly"
            if fit.exact
            else "some output weights were rounded: the float64 fit may be off by rounding"
        ),
    )
    return Certificate(
        construction="zhang2017",
        theorem="Zhang et al. 2017, Theorem 1",
        p=p,
        sigma=0.0,
        delta=dataset.separation(2.0).delta,
        tau=0.0,
        tau_norm=2.0,
        r=0.0,
        w=0.0,
        shift=0.0,
        indicator="none (one hidden layer on a line)",
        n_points=dataset.N,
        input_dim=dataset.X.shape[1],
        n_classes=dataset.C,
        classes=getattr(dataset, "classes", None),
        claimed_width=len(fit.projections),
        claimed_depth=2,
        depth_formula="2",
        dataset_fingerprint=dataset.fingerprint(),
        notes=notes,
    )


def _meta(fit: _ZhangFit, cert: Certificate) -> dict[str, Any]:
    """The network's metadata: the certificate and what :func:`zhang2017_radius` reads back."""
    n = len(fit.projections)
    rank = np.empty(n, dtype=np.int64)
    rank[fit.order] = np.arange(n)
    t_exact_floats = all(Fraction(float(v)) == v for v in fit.projections)
    return {
        "construction": "zhang2017",
        "certificate": cert.to_dict(),
        "zhang2017": {
            "direction": [float(v) for v in fit.direction],
            "biases": fit.biases,
            "weights": fit.weights,
            "exact_fit_by_construction": fit.exact,
            "projections_exact": t_exact_floats,
            "projections_float": [float(v) for v in fit.projections],
            "points": fit.distinct[fit.order].tolist() if not t_exact_floats else None,
            "labels": [int(v) for v in fit.labels],
            "point_to_distinct": [int(rank[i]) for i in fit.inverse],
        },
    }
