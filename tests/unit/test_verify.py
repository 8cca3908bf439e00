"""verify_fit, falsify and their reports, on Theorem 37 chain networks whose behaviour is known.

The chain network with indicator radius r and margin w outputs y_i on the ball of radius r around
x_i and 0 beyond r + w.  The test data put three differently-labelled pairs 0.16 apart along the
first axis (0.16 in every l_p norm) and everything else >= 0.34 apart, so the chains below are
correct at radius r = 0.05 (2 r + w = 0.15 <= 0.16) and wrong at 3 r = 0.15 (the ball reaches
0.01 from the partner's centre, inside the partner's r-ball, and beyond r + w from its own).

The networks are built with r_net = r (1 + 1e-9): the first map rounds x + shift, which moves the
indicator's sphere by a few ulps of the shift; ``test_falsify_catches_rounding_at_the_exact_radius``
shows that a chain built at exactly r = sigma has such counterexamples, and that falsify finds them.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest

from robustmem.data import Dataset
from robustmem.errors import InvalidArgumentError
from robustmem.gadgets import indicators as ind
from robustmem.gadgets.chain import chain_network
from robustmem.gadgets.indicators_lp import indicator_lp
from robustmem.geometry import ball_distance, exact_in_ball
from robustmem.network.network import ReLUNetwork
from robustmem.verify import FalsificationReport, FitReport, falsify, pgd_attack, verify_fit

R, W, SHIFT = 0.05, 0.05, 4.0
EMITTERS = {
    math.inf: ind.indicator_linf,
    2.0: functools.partial(ind.indicator_l2, M=4),  # 2^-10 < w^2 / (4 k (w + 2r)^2) = 0.0093 (k = 3)
    1.0: ind.indicator_l1,
    3.0: functools.partial(indicator_lp, p=3),
}
NORMS = [1.0, 2.0, math.inf]
FAST = dict(n_random=16, n_boundary=16, pgd_steps=6, pgd_restarts=2)


@functools.cache
def chain_data() -> Dataset:
    rng = np.random.default_rng(20)
    grid = np.array([[x, y, 0.0] for x in (-0.6, 0.0, 0.6) for y in (-0.5, 0.5)])
    anchors = grid + rng.uniform(-0.05, 0.05, grid.shape)  # jitter: coordinates that round when shifted
    partners = anchors[:3] + np.array([0.16, 0.0, 0.0])
    labels = np.array([1, 2, 3, 1, 2, 3])
    return Dataset(np.concatenate([anchors, partners]), np.concatenate([labels, labels[:3] % 3 + 1]))


@functools.cache
def chain(p: float, r_net: float = R * (1 + 1e-9), labels: tuple[int, ...] | None = None) -> ReLUNetwork:
    data = chain_data()
    y = data.y if labels is None else np.array(labels)
    emitter = functools.partial(EMITTERS[p], r=r_net, w=W, shift=SHIFT)
    return chain_network(data.X, y, emitter, shift=SHIFT, input_dim=data.d)


def test_the_test_data_is_what_the_docstring_says() -> None:
    data = chain_data()
    for q in (1.0, 2.0, math.inf):
        sep = data.separation(q=q)
        assert abs(sep.delta - 0.16) < 1e-12 and data.y[sep.i] != data.y[sep.j]
    assert 2 * R * (1 + 1e-9) + W <= 0.16


# ----- verify_fit -----


@pytest.mark.parametrize("mode", ["float64", "exact"])
@pytest.mark.parametrize("p", [math.inf, 2.0])
def test_verify_fit_passes_on_a_correct_chain(p: float, mode: str) -> None:
    rep = verify_fit(chain(p), chain_data(), mode=mode)
    assert rep.passed and rep.n_correct == rep.n_points == 9 and rep.n_wrong == 0
    assert rep.wrong_indices == () and rep.max_abs_error == 0.0 and rep.mode == mode
    if mode == "exact":
        assert rep.n_verified_float + rep.n_fraction == 9
    else:
        assert rep.n_verified_float is None and rep.n_fraction is None


@pytest.mark.parametrize("mode", ["float64", "exact"])
def test_verify_fit_reports_the_point_with_a_wrong_label(mode: str) -> None:
    data = chain_data()
    bad = list(data.y)
    bad[5] = bad[5] % 3 + 1  # the network memorizes another label for point 5
    rep = verify_fit(chain(math.inf, labels=tuple(bad)), data, mode=mode)
    assert not rep.passed and rep.n_wrong == 1 and rep.n_correct == 8
    assert rep.wrong_indices == (5,) and rep.wrong_labels == (int(data.y[5]),)
    assert rep.wrong_outputs == (float(bad[5]),)
    assert rep.max_abs_error == abs(bad[5] - data.y[5])
    assert "point 5" in rep.summary() and "FAILED" in rep.summary()


def test_verify_fit_validates_its_arguments() -> None:
    net, data = chain(math.inf), chain_data()
    with pytest.raises(InvalidArgumentError, match="mode must be one of"):
        verify_fit(net, data, mode="exactly")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="mode='exact' only"):
        verify_fit(net, data, fallback_limit=3)
    with pytest.raises(InvalidArgumentError, match="d = 2 but the network reads 3"):
        verify_fit(net, Dataset(np.zeros((1, 2)), np.ones(1, dtype=int)))


# ----- falsify: no counterexample where the network is correct -----


@pytest.mark.parametrize("p", NORMS + [3.0])
def test_falsify_finds_nothing_on_a_correct_chain(p: float) -> None:
    rep = falsify(chain(p), chain_data(), p=p, sigma=R, **FAST)
    assert rep.passed and rep.n_counterexamples == 0 and rep.counterexamples == ()
    assert rep.max_abs_deviation == 0.0 and rep.n_balls_broken == 0
    n_vertices = 8 if math.isinf(p) else 6
    assert rep.points_evaluated == {
        "random": 9 * 16,
        "boundary": 9 * 16,
        "vertices": 9 * n_vertices,
        "pgd": 9 * 2 * (6 + 1),
    }
    # the boundary samples reach the sphere (within the sampler's documented rounding bound)
    assert rep.method("boundary").max_distance >= R * (1 - 1e-13)
    assert rep.method("boundary").max_distance <= R


# ----- falsify: counterexamples where it is not, for each method separately -----


@pytest.mark.parametrize("method", ["random", "boundary", "vertices", "pgd"])
@pytest.mark.parametrize("p", NORMS)
def test_each_method_alone_breaks_every_ball_beyond_the_radius(p: float, method: str) -> None:
    only = dict(
        n_random=16 if method == "random" else 0,
        boundary=method == "boundary",
        vertices=method == "vertices",
        pgd=method == "pgd",
    )
    rep = falsify(chain(p), chain_data(), p=p, sigma=3 * R, n_boundary=16, pgd_steps=6, pgd_restarts=2, **only)
    assert [m.method for m in rep.methods] == [method]
    assert not rep.passed and rep.n_counterexamples > 0 and rep.n_balls_broken == 9
    assert rep.max_abs_deviation >= 1.0  # a different label or 0, not a rounding error
    for c in rep.counterexamples:
        assert c.method == method and c.distance <= 3 * R and c.output != c.label
        assert c.inside_exact and c.exact_confirmed
        assert exact_in_ball(np.array(c.point), chain_data().X[c.ball], p, 3 * R)


def test_pgd_iterations_climb_out_of_the_flat_core() -> None:
    """From random starts (some inside the flat region around x, where the gradient is zero), the
    random fallback and the gradient steps reach points with f != y from every one of 32 starts
    (sigma = 1.5 r; f = y on ||a - x||_2 <= (r^2 + w^2/4)^(1/2) = 1.118 r, 0 beyond 1.32 r)."""
    net, data = chain(2.0), chain_data()
    batches = list(
        pgd_attack(
            net, data.X[:1], data.y[:1], p=2.0, sigma=1.5 * R, steps=10, restarts=32, rng=np.random.default_rng(3)
        )
    )
    assert [b.step for b in batches] == list(range(11))
    assert (batches[0].values == data.y[0]).sum() >= 5  # several starts in the flat region
    found = np.any([b.values != data.y[0] for b in batches], axis=0)
    assert found.all()
    for b in batches:
        assert (ball_distance(b.points, data.X[0], 2.0) <= 1.5 * R).all()


@pytest.mark.parametrize("p", [math.inf, 1.0])
def test_falsify_catches_rounding_at_the_exact_radius(p: float) -> None:
    """A chain built at exactly r = sigma misses its label by ~1e-14 on part of the sphere: the
    first map rounds x + shift and the bias -(shift + c) is rounded, which moves the centre.
    Exact arithmetic confirms counterexamples among them: they are real, not only float64 artefacts
    (some float64 failures are artefacts: the report records the exact output of each listed one)."""
    rep = falsify(chain(p, r_net=R), chain_data(), p=p, sigma=R, n_random=0, boundary=False, pgd=False)
    assert not rep.passed and 0 < rep.max_abs_deviation < 1e-12
    assert rep.n_exact_confirmed > 0 and all(c.inside_exact for c in rep.counterexamples)


# ----- ball selection, seeds, progress, validation -----


def test_random_and_given_ball_subsets() -> None:
    net, data = chain(math.inf), chain_data()
    kw = dict(p=math.inf, sigma=R, n_random=4, boundary=False, vertices=False, pgd=False)
    a = falsify(net, data, balls=4, seed=7, **kw)
    b = falsify(net, data, balls=4, seed=7, **kw)
    assert a.ball_selection == "random" and a.ball_seed == 7 and a.n_balls_attacked == 4
    assert a.ball_indices == b.ball_indices and len(set(a.ball_indices)) == 4
    assert a.points_evaluated == {"random": 16}
    g = falsify(net, data, balls=[8, 2], **kw)
    assert g.ball_selection == "given" and g.ball_indices == (8, 2) and g.ball_seed is None
    whole = falsify(net, data, **kw)
    assert whole.ball_selection == "all" and whole.ball_indices is None and whole.n_balls_attacked == 9


def test_falsify_is_reproducible_and_methods_use_separate_streams() -> None:
    net, data = chain(2.0), chain_data()
    kw = dict(p=2.0, sigma=3 * R, n_boundary=8, pgd_steps=3, pgd_restarts=2, seed=11)
    one, two = falsify(net, data, n_random=8, **kw), falsify(net, data, n_random=8, **kw)
    strip = lambda r: {k: v for k, v in r.to_dict().items() if k != "seconds"}
    assert strip(one) == strip(two)
    alone = falsify(net, data, n_random=0, **kw)  # turning 'random' off leaves 'boundary' unchanged
    assert alone.method("boundary") == one.method("boundary")


def test_progress_lines() -> None:
    lines: list[str] = []
    falsify(
        chain(1.0),
        chain_data(),
        p=1.0,
        sigma=R,
        n_random=4,
        boundary=False,
        vertices=False,
        pgd=False,
        progress=lines.append,
    )
    assert lines and "random 9/9 balls" in lines[-1] and "0 counterexamples" in lines[-1]


def test_falsify_validates_its_arguments() -> None:
    net, data = chain(math.inf), chain_data()
    cases = [
        (dict(p=math.inf, sigma=0.0), "sigma"),
        (dict(p=0.5, sigma=R), r"\[1, inf\]"),
        (dict(p=2.0, sigma=R, balls=10), r"balls = 10 must lie in \[1, N = 9\]"),
        (dict(p=2.0, sigma=R, balls=[0, 9]), r"balls\[1\] = 9 is outside 0..8"),
        (dict(p=2.0, sigma=R, balls=[1, 1]), "twice"),
        (dict(p=2.0, sigma=R, n_random=0, boundary=False, vertices=False, pgd=False), "nothing would be checked"),
        (dict(p=2.0, sigma=R, pgd_restarts=0), "pgd_restarts must be an integer >= 1"),
        (dict(p=2.0, sigma=R, boundary=1), "boundary must be True or False"),
        (dict(p=2.0, sigma=R, progress="yes"), "progress must be"),
    ]
    for kwargs, message in cases:
        with pytest.raises(InvalidArgumentError, match=message):
            falsify(net, data, **kwargs)  # type: ignore[arg-type]


# ----- reports -----


def test_reports_are_json_serialisable_and_consistent() -> None:
    data = chain_data()
    fit = verify_fit(chain(math.inf), data, mode="exact")
    broken = falsify(chain(math.inf), data, p=math.inf, sigma=3 * R, **FAST)
    for rep in (fit, broken):
        d = json.loads(json.dumps(rep.to_dict(), allow_nan=False))
        assert d["passed"] == rep.passed
        assert rep.summary().count("\n") >= 1
    d = json.loads(json.dumps(broken.to_dict(), allow_nan=False))
    assert d["p"] == "inf" and d["n_counterexamples"] == broken.n_counterexamples
    assert len(d["counterexamples"]) == len(broken.counterexamples) <= 20
    assert sum(m["n_points"] for m in d["methods"]) == broken.n_points
    c = d["counterexamples"][0]
    assert set(c) >= {"ball", "method", "point", "output", "label", "distance", "exact_output", "exact_confirmed"}
    assert "COUNTEREXAMPLES" in broken.summary()


def test_reports_reject_inconsistent_fields() -> None:
    with pytest.raises(InvalidArgumentError, match="n_correct"):
        FitReport(3, "float64", 4, (), (), (), 0.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="exact mode"):
        FitReport(3, "exact", 3, (), (), (), 0.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="none is listed"):
        FitReport(3, "float64", 2, (), (), (), 1.0, 0.0)
    with pytest.raises(InvalidArgumentError, match="counterexample counts disagree"):
        FalsificationReport(2.0, 0.1, 5, 5, "all", None, None, 0, (), 3, 1, (), 0.0)


def test_package_all_is_honest() -> None:
    import robustmem.verify as verify

    assert len(verify.__all__) == len(set(verify.__all__))
    for name in verify.__all__:
        assert getattr(verify, name) is not None
