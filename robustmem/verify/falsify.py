"""Falsification: search the balls B_p(x_i, sigma) for points where the network misses the label.

:func:`falsify` evaluates, for every attacked ball, uniform samples, boundary samples, extreme
points and projected-gradient iterates (:mod:`robustmem.geometry`,
:mod:`robustmem.verify.attacks`) and counts the points a with f(a) != y_i.  It is a search, not a
proof: a passed :class:`~robustmem.verify.reports.FalsificationReport` says that none of the
evaluated points was a counterexample, and how many there were, by which method.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from robustmem.errors import InvalidArgumentError, VerificationError
from robustmem.geometry import (
    VERTEX_ENUMERATION_MAX_DIM,
    ball_distance,
    ball_vertices,
    certainly_in_ball,
    check_ball_p,
    check_sigma,
    exact_in_ball,
    on_sphere,
    uniform_in_ball,
)
from robustmem.network.exact import evaluate_exact
from robustmem.norms import p_name
from robustmem.validate import index_list
from robustmem.verify.attacks import nearest_other_label, pgd_attack
from robustmem.verify.fit import dataset_arrays
from robustmem.verify.reports import BallSelection, Counterexample, FalsificationReport, FalsifyMethod, MethodStats

if TYPE_CHECKING:
    from robustmem.data.labelled import LabelledPoints
    from robustmem.network.network import ReLUNetwork

__all__ = ["POINTS_PER_CALL", "falsify"]

POINTS_PER_CALL = 65536  # at most this many points per net(X) call: memory stays bounded
ProgressLike = Callable[[str], None] | bool | None


class _Progress:
    """Periodic progress lines: every chunk to a callable, or every 2 s to stderr for True."""

    def __init__(self, progress: ProgressLike, header: str) -> None:
        if progress is not None and not isinstance(progress, bool) and not callable(progress):
            raise InvalidArgumentError(f"progress must be None, a bool or a callable, got {progress!r}")
        self.sink: Callable[[str], None] | None
        if progress is True:
            self.sink = lambda line: print(line, file=sys.stderr, flush=True)
        else:
            self.sink = progress if callable(progress) else None
        self.throttle = progress is True
        self.header, self.start, self.last = header, time.perf_counter(), -math.inf

    def __call__(self, method: str, done: int, total: int, tally: _Tally) -> None:
        now = time.perf_counter()
        if self.sink is None or (self.throttle and done < total and now - self.last < 2.0):
            return
        self.last = now
        self.sink(
            f"{self.header}: {method} {done}/{total} balls, {tally.total_points()} points,"
            f" {tally.total_counterexamples()} counterexamples, {now - self.start:.1f} s"
        )


class _Tally:
    """Per-method counts and the worst counterexamples seen (one per ball and method, capped)."""

    def __init__(self, X: np.ndarray, y: np.ndarray, idx: np.ndarray, p: float, sigma: float, cap: int) -> None:
        self.C, self.Y, self.idx, self.p, self.sigma, self.cap = X[idx], y[idx], idx, p, sigma, cap
        self.broken = np.zeros(len(idx), dtype=bool)
        self.stats: dict[FalsifyMethod, list[float]] = {}  # method -> [points, counterexamples, max dev, max dist]
        self.worst: dict[FalsifyMethod, dict[int, tuple[float, np.ndarray, float]]] = {}

    def start(self, method: FalsifyMethod) -> None:
        self.stats[method] = [0, 0, 0.0, 0.0]
        self.worst[method] = {}

    def record(self, method: FalsifyMethod, pos: np.ndarray, points: np.ndarray, values: np.ndarray) -> None:
        """Count the evaluated ``points`` (row r in the ball at position pos[r]) and their values."""
        dist = ball_distance(points, self.C[pos], self.p)
        inside = certainly_in_ball(points, self.C[pos], self.p, self.sigma)
        if not inside.all():
            r = int(np.argmin(inside))
            raise VerificationError(
                f"{method}: a point at float64 distance {dist[r]!r} from ball {int(self.idx[pos[r]])}"
                f" is not certainly inside radius sigma = {self.sigma!r}"
            )
        labels = self.Y[pos]
        dev = np.abs(values - labels)
        wrong = np.nonzero(values != labels)[0]
        st = self.stats[method]
        st[0] += len(values)
        st[1] += len(wrong)
        st[2] = max(st[2], float(dev.max(initial=0.0)))
        st[3] = max(st[3], float(dist.max(initial=0.0)))
        if not len(wrong):
            return
        self.broken[pos[wrong]] = True
        order = wrong[np.argsort(-dev[wrong], kind="stable")]
        _, first = np.unique(pos[order], return_index=True)
        worst = self.worst[method]
        for r in order[first]:
            ball, d = int(pos[r]), float(dev[r])
            if ball in worst:
                if d > worst[ball][0]:
                    worst[ball] = (d, points[r].copy(), float(values[r]))
            elif len(worst) < self.cap:
                worst[ball] = (d, points[r].copy(), float(values[r]))
            else:
                low = min(worst, key=lambda b: worst[b][0])
                if d > worst[low][0]:
                    del worst[low]
                    worst[ball] = (d, points[r].copy(), float(values[r]))

    def total_points(self) -> int:
        return int(sum(s[0] for s in self.stats.values()))

    def total_counterexamples(self) -> int:
        return int(sum(s[1] for s in self.stats.values()))

    def method_stats(self) -> tuple[MethodStats, ...]:
        return tuple(MethodStats(m, int(s[0]), int(s[1]), s[2], s[3]) for m, s in self.stats.items())

    def listed(self, net: ReLUNetwork) -> tuple[Counterexample, ...]:
        """The worst counterexamples, methods interleaved, at most ``cap``; each checked exactly."""
        queues = {m: sorted(w.items(), key=lambda kv: -kv[1][0]) for m, w in self.worst.items()}
        picked: list[tuple[FalsifyMethod, int, np.ndarray, float]] = []
        while len(picked) < self.cap and any(queues.values()):
            for m, q in queues.items():
                if q and len(picked) < self.cap:
                    ball, (_, point, value) = q.pop(0)
                    picked.append((m, ball, point, value))
        if not picked:
            return ()
        exact_values = evaluate_exact(net, np.stack([pt for _, _, pt, _ in picked])).values  # one batched pass
        out = []
        for (m, ball, point, value), exact in zip(picked, exact_values):
            out.append(
                Counterexample(
                    ball=int(self.idx[ball]),
                    method=m,
                    point=tuple(float(v) for v in point),
                    output=value,
                    label=int(self.Y[ball]),
                    distance=float(ball_distance(point, self.C[ball], self.p)),
                    inside_exact=exact_in_ball(point, self.C[ball], self.p, self.sigma),
                    exact_output=exact,
                )
            )
        return tuple(out)


def _select_balls(
    N: int, balls: int | Sequence[int] | None, rng: np.random.Generator
) -> tuple[np.ndarray, BallSelection]:
    if balls is None:
        return np.arange(N), "all"
    if isinstance(balls, (int, np.integer)) and not isinstance(balls, bool):
        if not 1 <= balls <= N:
            raise InvalidArgumentError(f"balls = {balls} must lie in [1, N = {N}] (a random subset size)")
        return np.sort(rng.choice(N, size=int(balls), replace=False)), "random"
    idx = index_list(balls, N, "balls")
    return idx.astype(np.intp), "given"


def _count(value: int, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_methods(n_random: int, *, boundary: bool, vertices: bool, pgd: bool) -> None:
    """InvalidArgumentError unless the switches are booleans and at least one method is on."""
    for name, flag in (("boundary", boundary), ("vertices", vertices), ("pgd", pgd)):
        if not isinstance(flag, bool):
            raise InvalidArgumentError(f"{name} must be True or False, got {flag!r}")
    if not (n_random or boundary or vertices or pgd):
        raise InvalidArgumentError("every method is turned off: nothing would be checked")


def _sampled(
    net: ReLUNetwork,
    tally: _Tally,
    show: _Progress,
    method: FalsifyMethod,
    per_ball: int,
    sample: Callable[[np.ndarray], np.ndarray],
) -> None:
    """Evaluate ``per_ball`` sampled points of every attacked ball (``sample(centres)``: (balls, per_ball, d)),
    at most POINTS_PER_CALL per ``net`` call, and record them."""
    tally.start(method)
    idx, C, d = tally.idx, tally.C, tally.C.shape[1]
    step = max(1, POINTS_PER_CALL // per_ball)
    for s in range(0, len(idx), step):
        A = sample(C[s : s + step])
        pos = np.repeat(np.arange(s, s + len(A)), A.shape[1])
        flat = A.reshape(-1, d)
        tally.record(method, pos, flat, net(flat))
        show(method, min(s + step, len(idx)), len(idx), tally)


def _pgd(
    net: ReLUNetwork,
    X: np.ndarray,
    y: np.ndarray,
    tally: _Tally,
    show: _Progress,
    *,
    steps: int,
    restarts: int,
    rng: np.random.Generator,
) -> None:
    """PGD from ``restarts`` starts per attacked ball (the first half aimed at the nearest differently-labelled
    training points), every iterate evaluated and recorded."""
    tally.start("pgd")
    idx = tally.idx
    near = nearest_other_label(X, y, idx, tally.p, (restarts + 1) // 2)
    targets = np.where((near >= 0)[:, :, None], X[np.maximum(near, 0)], np.nan)
    module = net.to_torch()
    for batch in pgd_attack(
        net,
        tally.C,
        tally.Y,
        p=tally.p,
        sigma=tally.sigma,
        steps=steps,
        restarts=restarts,
        rng=rng,
        targets=targets,
        module=module,
    ):
        tally.record("pgd", batch.balls, batch.points, batch.values)
        if batch.step == steps:
            show("pgd", int(batch.balls.max()) + 1, len(idx), tally)
        elif show.throttle:  # stderr lines every 2 s during a long batch too, not only at its end
            show(f"pgd (step {batch.step}/{steps})", int(batch.balls.min()), len(idx), tally)


def falsify(
    net: ReLUNetwork,
    dataset: LabelledPoints,
    *,
    p: float,
    sigma: float,
    n_random: int = 64,
    boundary: bool = True,
    n_boundary: int = 64,
    vertices: bool = True,
    pgd: bool = True,
    pgd_steps: int = 20,
    pgd_restarts: int = 4,
    balls: int | Sequence[int] | None = None,
    seed: int = 0,
    progress: ProgressLike = None,
    max_listed: int = 20,
) -> FalsificationReport:
    """Search every attacked ball B_p(x_i, sigma) for a point a with net(a) != y_i.

    Guarantee: every evaluated point a satisfies ||a - x_i||_p <= sigma for the exact reals (proved
    in float64 by :func:`~robustmem.geometry.certainly_in_ball`, checked again before the
    point is counted); a counterexample is such a point with net(a) != y_i exactly, no tolerance.
    The listed counterexamples (the worst per ball and method, at most ``max_listed``) are re-checked
    with exact arithmetic: exact membership (:func:`~robustmem.geometry.exact_in_ball`) and
    the exact output (:func:`~robustmem.network.exact.evaluate_exact`); both are recorded.

    Methods, per attacked ball (each from its own random stream derived from ``seed``, so turning
    one method off does not change the others' points):

    * 'random': ``n_random`` uniform points of the ball (0 turns it off);
    * 'boundary' (``boundary=True``): ``n_boundary`` points on the sphere ||a - x_i||_p = sigma;
    * 'vertices' (``vertices=True``): l_inf: all 2^d vertices if d <= 12, else ``n_boundary``
      random ones; other p: the 2d axis points x_i +- sigma e_j;
    * 'pgd' (``pgd=True``): ``pgd_restarts`` starts, ``pgd_steps`` steps each, every iterate
      evaluated (:func:`~robustmem.verify.attacks.pgd_attack`); the first ceil(restarts / 2) starts
      are the projections of the nearest differently-labelled training points onto the ball.

    ``balls``: None (all), an int (a uniform random subset of that size, drawn from ``seed``), or a
    sequence of indices.  At most POINTS_PER_CALL points go through one ``net(X)`` call.
    ``progress``: None, True (a line to stderr every 2 s) or a callable receiving a line per chunk.
    """
    X, y = dataset_arrays(net, dataset)
    p, sigma = check_ball_p(p), check_sigma(sigma)
    n_random, n_boundary = _count(n_random, "n_random", 0), _count(n_boundary, "n_boundary", 1)
    pgd_steps, pgd_restarts = _count(pgd_steps, "pgd_steps", 0), _count(pgd_restarts, "pgd_restarts", 1)
    seed, max_listed = _count(seed, "seed", 0), _count(max_listed, "max_listed", 1)
    _check_methods(n_random, boundary=boundary, vertices=vertices, pgd=pgd)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    idx, selection = _select_balls(len(X), balls, streams[0])
    started = time.perf_counter()
    tally = _Tally(X, y, idx, p, sigma, max_listed)
    show = _Progress(progress, f"falsify l_{p_name(p)} sigma={sigma:.4g}")
    d = X.shape[1]
    if n_random:
        _sampled(net, tally, show, "random", n_random, lambda c: uniform_in_ball(c, p, sigma, n_random, rng=streams[1]))
    if boundary:
        _sampled(net, tally, show, "boundary", n_boundary, lambda c: on_sphere(c, p, sigma, n_boundary, rng=streams[2]))
    if vertices:
        k = (2**d if d <= VERTEX_ENUMERATION_MAX_DIM else n_boundary) if math.isinf(p) else 2 * d
        _sampled(
            net, tally, show, "vertices", k, lambda c: ball_vertices(c, p, sigma, n_random=n_boundary, rng=streams[3])
        )
    if pgd:
        _pgd(net, X, y, tally, show, steps=pgd_steps, restarts=pgd_restarts, rng=streams[4])
    listed = tally.listed(net)
    return FalsificationReport(
        p=p,
        sigma=sigma,
        n_balls_total=len(X),
        n_balls_attacked=len(idx),
        ball_selection=selection,
        ball_seed=seed if selection == "random" else None,
        ball_indices=None if selection == "all" else tuple(int(i) for i in idx),
        seed=seed,
        methods=tally.method_stats(),
        n_counterexamples=tally.total_counterexamples(),
        n_balls_broken=int(tally.broken.sum()),
        counterexamples=listed,
        seconds=time.perf_counter() - started,
    )
