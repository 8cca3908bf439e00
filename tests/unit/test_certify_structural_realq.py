"""The structural certifier on non-integer l_q indicators (Lemma 44's binomial power nets): theorem31, yu2024-lp-real.

* the exact calculus for psi(x) = c |x|^q, q = a/b: rational brackets of x^e checked against 60-digit values;
  the bounds of max (f - psi), max (psi - f) and max (min(psi, T) - f) lie above the true maxima (60-digit
  evaluation, the concave peak located by bisection) and within 1e-12 of them;
* the conservative real-q norms of the geometry: up / down brackets of 60-digit norms, exact in-radius,
  out-distances below the exact distances, operator bounds for a projected map;
* theorem31 and yu2024-lp-real networks are certified, and the exact network agrees with every label on
  sampled points of every ball (exact evaluation);
* soundness: beyond half the separation nothing is certified (an exact counterexample exists); a lowered
  threshold, a doubled 1/Delta weight, a moved centre and a certificate that overstates r are refused, and
  random mutants of the binomial power net are never certified where the falsifier breaks them.
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from robustmem.bounds import appendix_e_radius_limit
from robustmem.certify import certify_structural
from robustmem.certify.structural.geometry import (
    Images,
    InputMap,
    _norm,
    cplus_upper,
    in_radius,
    in_radius_exact,
    operator_bound,
    raw_input_map,
)
from robustmem.certify.structural.near import out_distance_gram, out_distance_near
from robustmem.certify.structural.pl import PL, Power, pow_bounds
from robustmem.certify.structural.regions import Regions
from robustmem.construct.appendix_e_lp import construct_theorem31, construct_yu2024_lp_real
from robustmem.data import Dataset
from robustmem.geometry import exact_in_ball, on_sphere, uniform_in_ball
from robustmem.network.exact import evaluate_exact
from robustmem.network.network import ReLUNetwork, Segment
from robustmem.norms import pnorm
from robustmem.verify import falsify

INF = math.inf
mpmath.mp.dps = 60


def _mp(x) -> mpmath.mpf:
    x = Fraction(x)
    return mpmath.mpf(x.numerator) / x.denominator


# ----- rational brackets of powers -----
def _rationals(rng, n: int) -> list[Fraction]:
    out = [Fraction(int(a), int(b)) for a, b in zip(rng.integers(1, 10**6, size=n), rng.integers(1, 10**6, size=n))]
    out += [Fraction(float(v)) for v in rng.uniform(0, 3, size=n)]
    out += [Fraction(1, 10**40), Fraction(10**30 + 7, 3), Fraction(1), Fraction(2, 10**300), Fraction(1, 3)]
    return out


@pytest.mark.parametrize("e", [Fraction(3, 2), Fraction(1, 2), Fraction(5, 4), Fraction(13, 4), Fraction(65, 64)])
def test_pow_bounds_bracket_the_power_tightly(e):
    rng = np.random.default_rng(e.numerator)
    for x in _rationals(rng, 25):
        lo, hi = pow_bounds(x, e)
        assert lo**e.denominator <= x**e.numerator <= hi**e.denominator  # the exact proof, checked again
        true = _mp(x) ** (mpmath.mpf(e.numerator) / e.denominator)
        assert _mp(lo) <= true <= _mp(hi)
        # a few ulps: x rounded to the floats around it (e ulps of x^e), each bracket within 2 ulps of the estimate
        assert _mp(hi) - _mp(lo) <= (float(e) + 6) * 2.0**-52 * true + mpmath.mpf(2) ** -1074, (x, e)
    assert pow_bounds(Fraction(0), e) == (0, 0)
    assert pow_bounds(Fraction(4), Fraction(2)) == (16, 16)
    for bad in ((Fraction(-1), e), (Fraction(2), Fraction(0)), (Fraction(2), Fraction(1, 65))):
        with pytest.raises(ValueError, match="pow_bounds"):
            pow_bounds(*bad)


def test_power_rejects_what_it_cannot_bound():
    for q, c in ((Fraction(2), Fraction(1)), (Fraction(1, 2), Fraction(1)), (Fraction(3, 2), Fraction(0))):
        with pytest.raises(ValueError, match="psi = c"):
            Power(q, c)
    with pytest.raises(ValueError, match="denominator <= 64"):
        Power(Fraction(1.37), Fraction(1))


# ----- the calculus with psi = c |x|^q -----
def _random_pl(rng, n: int, lo: int = -2, hi: int = 2, den: int = 97) -> PL:
    inner = {Fraction(int(v), den) for v in rng.integers(lo * den, hi * den, size=n)}
    xs = sorted(inner | {Fraction(lo), Fraction(hi)})
    ys = [Fraction(int(v), 13) for v in rng.integers(-60, 60, size=len(xs))]
    return PL(xs, ys)


def _psi(psi: Power, x) -> mpmath.mpf:
    return _mp(psi.c) * abs(_mp(x)) ** _mp(psi.q)


def _true_max_minus(f: PL, a: Fraction, b: Fraction, psi: Power) -> mpmath.mpf:
    """max (f - psi) on [a, b] to 60 digits: on each piece the concave h peaks where h' changes sign (bisection
    of h' in mpmath), else at an end."""
    xs = [a] + [x for x in f.xs if a < x < b] + [b]
    best = max(_mp(f(x)) - _psi(psi, x) for x in xs)
    for x0, x1 in zip(xs, xs[1:]):
        s = _mp((f(x1) - f(x0)) / (x1 - x0))
        y0 = _mp(f(x0))
        dh = lambda x: s - _mp(psi.c * psi.q) * mpmath.sign(x) * abs(x) ** (_mp(psi.q) - 1)  # noqa: B023
        lo, hi = _mp(x0), _mp(x1)
        if not (dh(lo) > 0 > dh(hi)):
            continue
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if dh(mid) > 0 else (lo, mid)
        best = max(best, y0 + s * (lo - _mp(x0)) - _mp(psi.c) * abs(lo) ** _mp(psi.q))
    return best


PSIS = [
    Power(Fraction(3, 2), Fraction(1)),
    Power(Fraction(5, 2), Fraction(7, 3)),
    Power(Fraction(9, 8), Fraction(1, 5)),
]


@pytest.mark.parametrize("psi", PSIS, ids=["q1.5", "q2.5-c7/3", "q1.125-c0.2"])
def test_max_minus_real_power_is_a_tight_upper_bound(psi):
    rng = np.random.default_rng(int(psi.q * 8))
    for trial in range(10):
        f = _random_pl(rng, 10)
        a, b = (Fraction(-3, 2), Fraction(7, 4)) if trial % 2 else (Fraction(-5, 2), Fraction(5, 2))
        B = f.max_minus_psi(a, b, psi)
        a, b = max(a, f.lo), min(b, f.hi)
        true = _true_max_minus(f, a, b, psi)
        assert _mp(B) >= true - mpmath.mpf(10) ** -45, (trial, float(true - _mp(B)))  # sound
        assert _mp(B) - true <= 1e-12, (trial, float(_mp(B) - true))  # tight
    # one piece whose peak is interior and irrational, and a piece where the peak lies outside (exact end value)
    f = PL([Fraction(-1), Fraction(2)], [Fraction(1, 7) - Fraction(7, 3), Fraction(1, 7) + Fraction(14, 3)])
    true = _true_max_minus(f, f.lo, f.hi, psi)
    B = f.max_minus_psi(f.lo, f.hi, psi)
    assert true <= _mp(B) <= true + 1e-13
    f = PL([Fraction(1), Fraction(2)], [Fraction(0), Fraction(1, 1000)])  # h decreasing: max at x = 1
    assert true_close(f.max_minus_psi(Fraction(1), Fraction(2), psi), -_psi(psi, 1))
    assert f.max_minus_psi(Fraction(3), Fraction(4), psi) is None


def true_close(B: Fraction, true: mpmath.mpf) -> bool:
    return true <= _mp(B) <= true + 1e-14 * (1 + abs(true))


@pytest.mark.parametrize("psi", PSIS, ids=["q1.5", "q2.5-c7/3", "q1.125-c0.2"])
def test_convex_real_power_bounds_are_tight_upper_bounds(psi):
    rng = np.random.default_rng(int(psi.q * 16))
    for _ in range(6):
        f = _random_pl(rng, 8)
        a, b = Fraction(-7, 5), Fraction(3, 2)
        pts = [a] + [x for x in f.xs if a < x < b] + [b]
        true = max(_psi(psi, x) - _mp(f(x)) for x in pts)  # convex on each piece: the max is at these points
        assert true_close(f.max_psi_minus(a, b, psi), true)
        grid = [a + (b - a) * Fraction(i, 200) for i in range(201)]
        assert max(_psi(psi, x) - _mp(f(x)) for x in grid) <= _mp(f.max_psi_minus(a, b, psi))
        R = Fraction(6, 5)
        T = psi.level(R)
        assert _mp(T) <= _psi(psi, R) <= _mp(T) * (1 + 1e-14) and psi.level(R) == T
        sat = f.max_saturated_gap(psi, R)
        inside = [-R] + [x for x in f.xs if -R < x < R] + [R]
        outside = [x for x in f.xs if abs(x) >= R]
        true = max([min(_psi(psi, x), _mp(T)) - _mp(f(x)) for x in inside] + [_mp(T - f(x)) for x in outside])
        assert true_close(sat, true)
        dense = [f.lo + (f.hi - f.lo) * Fraction(i, 400) for i in range(401)]
        assert max(min(_psi(psi, x), _mp(T)) - _mp(f(x)) for x in dense) <= _mp(sat)


def test_regions_accept_rational_norms_only():
    for q in (0.5, math.nan, 1.37, 1 + 2.0**-20):
        with pytest.raises(Exception, match="indicator norm q"):
            Regions(None, q)  # type: ignore[arg-type]


# ----- conservative real-q norms of the geometry -----
def _mp_norm(row, q: float) -> mpmath.mpf:
    qq = _mp(Fraction(q))
    return sum((_mp(float(v)) ** qq for v in row), mpmath.mpf(0)) ** (1 / qq)


@pytest.mark.parametrize("q", [1.5, 2.5, 1.25, 3.75, 65 / 64, 7.5])
def test_real_norm_rounds_up_and_down(q):
    rng = np.random.default_rng(int(q * 64))
    rows = [rng.uniform(0, 1, size=7) * scale for scale in (1e-300, 1e-160, 1e-5, 1.0, 3.0, 1e60)]
    rows += [np.zeros(7), np.eye(7)[2] * 0.3, np.array([1e-200, 1.0, 0, 0, 0, 0, 1e-320]), np.full(7, 2.0**-20)]
    rows += [rng.exponential(size=7) ** 3 for _ in range(20)]
    T = np.stack(rows)
    hi, lo = _norm(T, q, True), _norm(T, q, False)
    for row, u, l in zip(T, hi, lo):
        if not row.any():
            assert u == l == 0.0
            continue
        true = _mp_norm(row, q)
        assert _mp(float(l)) <= true <= _mp(float(u)), (q, row)
        assert u <= l * (1 + 1e-12)
    with pytest.raises(Exception, match="norms of the geometry"):
        _norm(T, 1.37, True)


@given(
    st.lists(st.floats(0.0, 1e6, allow_subnormal=True), min_size=1, max_size=9),
    st.sampled_from([1.5, 2.5, 1.25, 4.75, 17 / 16, 33 / 32]),
)
def test_real_norm_brackets_the_true_norm_property(row, q):
    T = np.array([row])
    hi, lo = float(_norm(T, q, True)[0]), float(_norm(T, q, False)[0])
    true = _mp_norm(row, q)
    assert _mp(lo) <= true <= _mp(hi)
    assert hi <= lo * (1 + 1e-12) or hi == lo == 0.0


def test_in_radius_exact_real_q_is_within_ulps_above():
    rng = np.random.default_rng(4)
    d = 3
    im = raw_input_map(d)
    shift = [Fraction(3)] * d
    for q in (1.5, 2.5, 1.75):
        for _ in range(5):
            x, alpha = rng.normal(size=d), rng.normal(size=d) - 3.0
            r = in_radius_exact(x, im, alpha, shift, q)
            c = [-(Fraction(float(alpha[j]))) + shift[j] for j in range(d)]
            true = _mp_norm([abs(Fraction(float(x[j])) - c[j]) for j in range(d)], q)
            assert true <= _mp(r)
            below = r
            for _ in range(3):
                below = float(np.nextafter(below, 0))
            assert _mp(below) < true  # within 3 ulps (the power brackets are a few ulps wide)


def test_cplus_exact_exponent_and_operator_bounds_for_real_q():
    for p, q, d in ((2.0, 1.75, 7), (INF, 3.25, 10), (3.5, 1.5, 5), (1.5, 2.5, 9)):
        c = cplus_upper(p, q, d)
        e = max(Fraction(0), 1 / Fraction(q) - (0 if p == INF else 1 / Fraction(p)))
        assert Fraction(c) ** e.denominator >= Fraction(d) ** e.numerator
        assert c <= d ** float(e) * (1 + 1e-12)  # the exact exponent, not one rounded up to a multiple of 1/64
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 4))
    im = InputMap(W, np.zeros(3), (0, 1, 2), 3, False, np.count_nonzero(W, axis=1))
    for q in (1.5, 2.5):
        for p in (1.0, 2.0, INF):
            L, _how = operator_bound(im, p, q, 4)
            xs = rng.normal(size=(3000, 4))
            assert (pnorm(xs @ W.T, q) <= L * pnorm(xs, p) * (1 + 1e-12)).all()
    # 1 <= q < 2 needs the factor k^(1/q - 1/2): the worst direction of W attains it up to the sampled slack
    L, how = operator_bound(im, 2.0, 1.5, 4)
    assert "c+_{2,q}(k)" in how


@pytest.mark.parametrize("q", [1.5, 2.5])
def test_out_distances_bound_the_exact_distances_for_real_q(q):
    rng = np.random.default_rng(int(4 * q))
    N, M, k = 9, 7, 3
    V = rng.normal(size=(N, k)) + 4.0
    C = rng.normal(size=(M, k)) + 4.0
    eps = np.abs(rng.normal(size=(N, k))) * 1e-12
    Clo = np.abs(rng.normal(size=(M, k))) * 1e-12
    G = Images(V, eps, [], [], [])
    y_pts, y_blk = rng.integers(1, 3, size=N).astype(float), rng.integers(1, 3, size=M).astype(float)

    def exact(i, b):  # the smallest ||v - c||_q over |v_j - V_ij| <= eps_ij, |c_j - C_bj| <= Clo_bj
        row = [max(abs(_mp(V[i, j]) - _mp(C[b, j])) - _mp(eps[i, j]) - _mp(Clo[b, j]), mpmath.mpf(0)) for j in range(k)]
        return sum((t ** _mp(Fraction(q)) for t in row), mpmath.mpf(0)) ** (1 / _mp(Fraction(q)))

    true = {i: min(exact(i, b) for b in range(M) if y_blk[b] > y_pts[i]) for i in range(N) if (y_blk > y_pts[i]).any()}
    closest = float(min(true.values()))
    reach = closest * 1.5
    for search in (out_distance_near, out_distance_gram):
        out = search(G, C, Clo, y_pts, y_blk, q, reach)
        for i in true:
            assert _mp(float(out[i])) <= true[i]
            assert out[i] >= min(float(true[i]), reach) * (1 - 1e-12)  # the cap, or the distance itself
    rho = in_radius(G, C[:1].repeat(N, axis=0), Clo[:1].repeat(N, axis=0), q)
    for i in range(N):
        far = _mp_norm([abs(float(V[i, j]) - float(C[0, j])) for j in range(k)], q)
        assert _mp(float(rho[i])) >= far and float(rho[i]) <= float(far) * (1 + 1e-12) + 1e-11


# ----- networks: certified, and the exact network agrees on sampled points of every ball -----
def _data() -> Dataset:
    rng = np.random.default_rng(0)
    return Dataset.from_arrays(rng.integers(0, 6, size=(6, 2)).astype(float), [1, 2, 1, 2, 1, 2])


def _theorem31(p, q: float, frac: float = 0.6):
    ds = _data()
    sigma = frac * appendix_e_radius_limit(p, q, ds.d) * ds.separation(q).delta
    net, cert = construct_theorem31(ds, p=p, q=q, sigma=sigma)
    return ds, net, cert


def _sampled_labels_agree(net, ds, p: float, sigma: float, n: int = 12) -> None:
    A = uniform_in_ball(ds.X, p, sigma, n, rng=np.random.default_rng(3))  # (N, n, d), all inside (certainly)
    vals = evaluate_exact(net, A.reshape(-1, ds.d)).values
    assert [int(v) for v in vals] == [int(y) for y in np.repeat(ds.y, n)]


def _certified(rep, ds, cert) -> None:
    assert rep.certified, rep.summary()
    assert rep.n_certified == ds.N and rep.exact_network and rep.float64_evaluation
    assert rep.radius_bound >= cert.sigma
    names = {c.name for c in rep.checks if c.passed}
    assert {"indicator ON (float64)", "indicator OFF (float64)", "the certificate's r and w"} <= names


@pytest.mark.parametrize(
    ("p", "q"),
    [(2, 1.5), ("inf", 1.75), pytest.param(1, 2.5, marks=pytest.mark.slow)],  # q = 2.5: M = 5, 15 s
)
def test_theorem31_is_certified_and_sampled_balls_agree(p, q):
    ds, net, cert = _theorem31(p, q)
    rep = certify_structural(net, ds, progress=False)
    _certified(rep, ds, cert)
    _sampled_labels_agree(net, ds, cert.p, cert.sigma)


@pytest.mark.parametrize("p", [1.5, pytest.param(2.5, marks=pytest.mark.slow)])
def test_yu2024_lp_real_is_certified_and_sampled_balls_agree(p):
    ds = _data()
    net, cert = construct_yu2024_lp_real(ds, p=p, sigma=0.3 * ds.separation(p).delta)
    rep = certify_structural(net, ds, progress=False)
    _certified(rep, ds, cert)
    _sampled_labels_agree(net, ds, p, cert.sigma)


# ----- soundness -----
@pytest.fixture(scope="module")
def t31():
    """theorem31, p = 2, q = 1.5 at 0.6 of its radius limit (cheap: 48 linear pieces per coordinate)."""
    return _theorem31(2, 1.5)


def _mutated(net, seg: int, map_: int, field: str, index: int, value):
    segs = list(net.segments)
    maps = list(segs[seg].maps)
    arr = getattr(maps[map_], field).copy()
    arr[index] = value(arr[index])
    maps[map_] = dataclasses.replace(maps[map_], **{field: arr}, _cache={})
    segs[seg] = Segment(tuple(maps), segs[seg].params, name=segs[seg].name)
    return ReLUNetwork(segs, meta=net.meta)


def _broken(net, ds, p: float, sigma: float) -> set[int]:
    fr = falsify(net, ds, p=p, sigma=sigma, n_random=16, n_boundary=32, pgd_steps=8, pgd_restarts=1, seed=0)
    return {c.ball for c in fr.counterexamples if c.exact_confirmed}


def _threshold(net) -> tuple[int, int]:
    """(map, row) of t = relu(Sigma' - thr'): the last map before the label neuron, one row, constant bias."""
    maps = net.segments[1].maps
    label = next(ti for ti, t in enumerate(maps) if (t.ent_pidx >= 0).any() and ti > 0)
    t = maps[label - 1]
    assert len(t.active) == 1 and t.bias_pidx[0] < 0
    return label - 1, 0


def _unit(cert) -> float:
    """fl(1 / Delta)^q: Sigma' measures c |a|^q in these units (Lemma 44's normalization)."""
    return (1.0 / (cert.w + 2.0 * cert.r)) ** cert.tau_norm


def test_beyond_half_the_separation_is_refused_and_really_broken(t31):
    """At sigma = 1.01 tau_q / 2 (in the l_q norm of the balls) the closest differently-labelled pair's balls share
    their midpoint: the exact network cannot output both labels there, and the certifier refuses."""
    ds, net, cert = t31
    q = cert.tau_norm
    sigma = 1.01 * ds.separation(q).delta / 2
    rep = certify_structural(net, ds, sigma=sigma, progress=False)  # the certificate's p = 2 balls ...
    assert not rep.certified and rep.radius_bound < sigma
    X, y = ds.X, ds.y
    pairs = [(float(pnorm(X[i] - X[j], 2.0)), i, j) for i in range(ds.N) for j in range(i) if y[i] != y[j]]
    _, i, j = min(pairs)
    mid = (X[i] + X[j]) / 2
    sig2 = 1.01 * pnorm(X[i] - X[j], 2.0) / 2  # ... at 1.01 half the l_2 distance of the closest pair
    assert all(exact_in_ball(mid, X[b], 2.0, sig2) for b in (i, j))
    rep = certify_structural(net, ds, sigma=sig2, progress=False)
    assert not rep.certified and {i, j} & set(rep.failed_points)
    out = evaluate_exact(net, mid[None, :]).values[0]
    assert out != y[i] or out != y[j]


def test_a_lowered_threshold_is_refused_and_really_broken(t31):
    """thr' lowered by w^q / 2 (in Sigma' units; the bias is -(offsets + thr')): r^q + w^q / 4 - w^q / 2 < r^q, the
    ON region no longer covers the balls.  Refused naming the template; the falsifier confirms it in exact
    arithmetic.  (Lowered by w^q / 4 instead, r^q + k E remains, and the certifier rightly still certifies.)"""
    ds, net, cert = t31
    ti, a = _threshold(net)
    drop = 0.5 * cert.w**cert.tau_norm * _unit(cert)
    bad = _mutated(net, 1, ti, "bias_base", a, lambda b: b + drop)
    rep = certify_structural(bad, ds, progress=False)
    assert not rep.certified and rep.reason.startswith("chain template"), rep.reason
    assert rep.n_certified == 0
    assert _broken(bad, ds, cert.p, cert.sigma)


def test_a_raised_threshold_within_the_margin_is_still_certified(t31):
    """thr' raised by w^q / 2 (in Sigma' units): the ON region grows, and the OFF radius stays below r + w
    ((r + w)^q >= r^q + 1.25 w^q + k E here, and beyond |a_j| >= Delta the power net is 1 and the penalty at
    least K', far more than Lemma 38's worst case g >= -E allows for): the certifier reads the weights and still
    certifies; the falsifier finds nothing."""
    ds, net, cert = t31
    ti, a = _threshold(net)
    rise = cert.w**cert.tau_norm * _unit(cert) / 2
    ok = _mutated(net, 1, ti, "bias_base", a, lambda b: b - rise)
    rep = certify_structural(ok, ds, progress=False)
    assert rep.certified, rep.summary()
    assert not _broken(ok, ds, cert.p, cert.sigma)


def test_a_doubled_inverse_delta_is_refused_and_really_broken(t31):
    """b_j = |a_j| fl(1/Delta) read twice too large by coordinate 0's power net: Sigma' counts 2^q |a_0|^q,
    past the threshold inside the balls.  Refused; the falsifier confirms it."""
    ds, net, cert = t31
    t = net.segments[1].maps[1]
    inv = 1.0 / (cert.w + 2.0 * cert.r)
    e = int(np.flatnonzero((t.ent_base == inv) & (t.ent_row == t.active[0]))[0])
    bad = _mutated(net, 1, 1, "ent_base", e, lambda w: 2.0 * w)
    rep = certify_structural(bad, ds, progress=False)
    assert not rep.certified and rep.reason.startswith("chain template"), rep.reason
    assert _broken(bad, ds, cert.p, cert.sigma)


def test_a_moved_centre_and_an_overstated_radius_are_refused(t31):
    """Block 0's centre moved by r + w along coordinate 0: ball 0 leaves its own ON region -- refused for that
    point (the geometry), and exact evaluation at the data point gives a wrong label.  A certificate that
    claims r 1.5 times larger than the weights realize is refused ("the certificate's r and w")."""
    ds, net, cert = t31
    segs = list(net.segments)
    params = np.array(segs[1].params, copy=True)
    params[0, 0] += cert.r + cert.w
    segs[1] = Segment(segs[1].maps, params, name=segs[1].name)
    bad = ReLUNetwork(segs, meta=net.meta)
    rep = certify_structural(bad, ds, progress=False)
    assert not rep.certified and 0 in rep.failed_points and rep.reason.startswith("geometry"), rep.reason
    assert evaluate_exact(bad, ds.X[:1]).values[0] != ds.y[0]
    lie = dataclasses.replace(cert, r=1.5 * cert.r)
    rep = certify_structural(net, ds, lie, progress=False)
    assert not rep.certified and "the certificate's r and w" in rep.reason, rep.reason


def _claims_hold(net, ds, q: float, radii: tuple[float, float], rng) -> int:
    """The template's claims, checked at points by exact (and float64) evaluation of the whole network: inside
    R_in of a label-2 block the output is 2 (z_b = y_b = 2, the largest label); outside R_out of every label-2
    block it is <= 1 (those blocks are off); points: on the q-spheres of radius R_in and R_out (1 + 1e-6) around
    every centre, and uniform in the box spanned by the balls (the domain the proofs cover).  Returns the count."""
    R_in, R_out = radii
    X, y = ds.X, ds.y
    two = X[y == 2]
    inner = on_sphere(X, q, R_in, 6, rng=rng).reshape(-1, ds.d)
    outer = on_sphere(X, q, R_out * (1 + 1e-6), 6, rng=rng).reshape(-1, ds.d)
    lo, hi = X.min(axis=0) - 0.2, X.max(axis=0) + 0.2  # inside the hull of the balls (sigma > 0.2 in l_2)
    box = lo + (hi - lo) * rng.random((40, ds.d))
    pts = np.concatenate([inner, outer, box])
    exact = evaluate_exact(net, pts).values
    flt = net(pts)
    for x, e, f in zip(pts, exact, flt):
        if any(exact_in_ball(x, c, q, R_in) for c in two):
            assert e == 2 and f == 2.0, x
        elif not any(exact_in_ball(x, c, q, R_out) for c in two):
            assert e <= 1 and f <= 1.0, x
    return len(pts)


@pytest.mark.slow
def test_random_template_mutants_keep_their_proven_claims(t31):
    """Twelve template weights or biases, each scaled by 1 +- (0.5 .. 3), a third of them in the threshold map
    t = relu(Sigma' - thr') and the others anywhere before it (|a|, 1/Delta, the binomial power nets, the penalty):
    wherever the certifier proves the ON / OFF radii of a mutant, exact and float64 evaluation of the mutant agree
    with them at sampled points (on both spheres and in the domain box); a mutant the falsifier breaks is never
    certified on that ball; some mutants are refused (the test has teeth).  (Single power-net weights rarely
    matter here: the exact ON margin is 0.057 in Sigma' units and the OFF margin 0.16, against the power nets'
    whole error bound k E = 0.019.)"""
    ds, net, cert = t31
    rng = np.random.default_rng(1)
    maps = net.segments[1].maps
    ti_thr, _ = _threshold(net)
    refused = checked = 0
    for trial in range(12):
        ti = ti_thr if trial % 3 == 0 else int(rng.integers(1, ti_thr))
        t = maps[ti]
        field = "bias_base" if trial % 3 == 2 else "ent_base"
        arr = getattr(t, field)
        cand = np.flatnonzero((arr != 0) & ((t.bias_pidx if field == "bias_base" else t.ent_pidx) < 0))
        if not cand.size:
            continue
        e = int(rng.choice(cand))
        f = 1.0 + rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3.0)
        bad = _mutated(net, 1, ti, field, e, lambda w: f * w)  # noqa: B023 (called at once)
        rep = certify_structural(bad, ds, progress=False)
        refused += not rep.certified
        names = {c.name for c in rep.checks if c.passed}
        if {"indicator ON (float64)", "indicator OFF (float64)"} <= names:
            checked += _claims_hold(bad, ds, cert.tau_norm, rep.template_radii, rng) > 0
        broken = _broken(bad, ds, cert.p, cert.sigma)
        assert not broken & (set(range(ds.N)) - set(rep.failed_points)), (ti, field, e, f)
    print(f"refused {refused} of 12, claims checked on {checked}")
    assert refused >= 2 and checked >= 4
