"""Baselines and competitors: Zhang et al. 2017, Yu-Gao-Zhang 2024, the Kim-Moon-Yun 2025 instance, compare()."""

from __future__ import annotations

import math

import numpy as np
import pytest

from robustmem.compare import COMPARED, compare, to_csv, to_markdown
from robustmem.construct.yu2024 import construct_yu2024
from robustmem.construct.zhang2017 import construct_zhang2017, zhang2017_radius
from robustmem.data import Dataset, sphere_points
from robustmem.errors import HypothesisError
from robustmem.lower_bound.kim2025_instance import kim2025_attack, kim2025_hard_instance
from robustmem.network.builder import Builder, Coef, Expr
from robustmem.network.network import ReLUNetwork
from robustmem.verify import falsify, verify_fit

FAST = dict(n_random=8, n_boundary=8, pgd_steps=4, pgd_restarts=2)


# ---------------------------------------------------------------- Zhang et al. 2017
@pytest.mark.parametrize("X,y", [([[0.0], [1.0], [3.0], [4.0]], [1, 2, 1, 1]), ([[0.0], [7.0]], [7, 7])])
def test_zhang_shape_and_its_exactness_flag_agree_with_the_exact_fit(X, y):
    ds = Dataset.from_arrays(X, y)
    c = construct_zhang2017(ds)
    fit = verify_fit(c.network, ds, mode="exact")
    assert fit.passed == c.network.meta["zhang2017"]["exact_fit_by_construction"]
    assert fit.max_abs_error < 1e-12
    assert (c.network.width, c.network.depth, c.certificate.sigma) == (len(X), 2, 0.0)


@pytest.mark.parametrize("p", [2.0, math.inf])
def test_zhang_interpolates_but_is_not_robust(p):
    ds = sphere_points(20, 4, n_classes=3, delta=0.3, seed=3)
    c = construct_zhang2017(ds, p=p)
    fit = verify_fit(c.network, ds, mode="exact")
    # generic real data: the output weights are rounded to float64, the residual is a few ulps
    assert fit.max_abs_error < 1e-12
    rad = zhang2017_radius(c)
    assert rad.radius == 0.0 and rad.flat_points == 0
    rep = falsify(c.network, ds, p=p, sigma=1e-6 * ds.separation(2.0).delta, **FAST)
    assert rep.n_balls_broken == ds.N


def test_zhang_radius_sees_a_flat_piece():
    # same-label neighbours on a flat run: labels 1, 1 at t = 0, 1 give g = 1 ... only if slopes vanish;
    # here g rises from 0 to 1 on (b_1, t_1], so every point has radius 0, as the theorem's recipe implies
    c = construct_zhang2017(Dataset.from_arrays([[0.0], [1.0]], [1, 1]))
    assert zhang2017_radius(c).radius == 0.0


# ---------------------------------------------------------------- Yu, Gao, Zhang 2024
@pytest.mark.parametrize("n,d,seed", [(12, 2, 0), (30, 6, 1), (25, 4, 2)])
def test_yu2024_shape_fit_and_falsify(n, d, seed):
    ds = sphere_points(n, d, n_classes=3, delta=0.3, seed=seed)
    tau = ds.separation(math.inf).delta
    sigma = 0.999 * tau / 2
    net, cert = construct_yu2024(ds, sigma=sigma)
    assert net.width == cert.claimed_width == 3 * d + 1
    assert net.depth == cert.claimed_depth == 2 * n + 1
    assert verify_fit(net, ds, mode="exact").passed
    assert falsify(net, ds, p=math.inf, sigma=sigma, **FAST).n_counterexamples == 0


def test_yu2024_rejects_and_is_beaten_at_half_the_separation():
    ds = sphere_points(12, 3, n_classes=2, delta=0.3, seed=4)
    sep = ds.separation(math.inf)
    with pytest.raises(HypothesisError, match="tau_inf / 2"):
        construct_yu2024(ds, sigma=sep.delta / 2)
    net, _ = construct_yu2024(ds, sigma=0.99 * sep.delta / 2)
    # the midpoint of the closest differently-labelled pair is in both closed balls of radius tau/2:
    # one output cannot equal both labels (true for every network)
    mid = (ds.X[sep.i] + ds.X[sep.j]) / 2
    out = net(mid[None, :])[0]
    assert out != ds.y[sep.i] or out != ds.y[sep.j]
    assert ds.y[sep.i] != ds.y[sep.j]


# ---------------------------------------------------------------- Kim, Moon, Yun 2025
def _random_net(d: int, m: int, rng: np.random.Generator, hidden: int = 5) -> ReLUNetwork:
    xs = [f"x{j}" for j in range(d)]
    b = Builder(xs, raw_inputs=True)
    b.layer(
        {
            f"a{i}": Expr({x: Coef(float(rng.standard_normal())) for x in xs}, float(rng.standard_normal()))
            for i in range(m)
        }
    )
    b.layer(
        {f"c{i}": Expr({f"a{k}": Coef(float(rng.standard_normal())) for k in range(m)}, 0.3) for i in range(hidden)}
    )
    b.output(Expr({f"c{i}": Coef(float(rng.standard_normal())) for i in range(hidden)}, 1.0))
    return ReLUNetwork.from_builder(b)


@pytest.mark.parametrize("d,rho,m", [(8, 0.9, 1), (8, 0.9, 6), (10, 0.5, 2), (5, 0.7, 2)])
def test_kim2025_attack_defeats_narrow_first_layers(d, rho, m):
    inst = kim2025_hard_instance(d, rho)
    assert m < inst.necessary_width
    rng = np.random.default_rng(d * 100 + m)
    net = _random_net(d, m, rng)
    res = kim2025_attack(net, inst)
    assert res.image_gap_exact == 0
    assert res.distance_sq <= inst.sigma**2
    assert res.outputs_exact is not None and res.outputs_exact[0] == res.outputs_exact[1]
    assert len(res.wrong_labels) >= 1
    fa, fb = net(np.array([[float(v) for v in res.a], [float(v) for v in res.a_prime]]))
    assert fa == pytest.approx(fb, abs=1e-9)


def test_kim2025_instance_values():
    inst = kim2025_hard_instance(6, 0.5)
    assert (inst.dataset.N, inst.delta, inst.sigma) == (7, 1.0, 0.25)
    assert inst.dataset.separation(2.0).delta == 1.0
    with pytest.raises(HypothesisError):
        kim2025_attack(np.eye(6), inst)  # full rank: no kernel


# ---------------------------------------------------------------- compare
def test_compare_one_row_per_construction(tmp_path):
    ds = sphere_points(8, 3, n_classes=2, delta=0.5, seed=5)
    rows = compare(ds, p=math.inf, samples=4, pgd_steps=2)
    assert [r.construction for r in rows] == list(COMPARED)
    by = {r.construction: r for r in rows}
    assert by["yu2024"].width == 3 * 3 + 1 and by["yu2024"].depth == 2 * 8 + 1
    for name in ("theorem5", "theorem6", "remark40", "log-width", "yu2024", "kim2025", "kim2025-smallest"):
        assert not by[name].skipped and by[name].exact_fit and by[name].counterexamples == 0
    assert by["zhang2017"].sigma == 0.0 and by["zhang2017"].counterexamples > 0
    vys = by["vardi2022"]  # exact weights: exact fit, certified 0, broken at the comparison radius
    assert vys.exact_fit and vys.sigma == 0.0 and vys.width == 10 and vys.counterexamples > 0
    assert vys.falsify_sigma == by["zhang2017"].falsify_sigma > 0
    md = to_markdown(rows).strip().splitlines()
    assert md[0].startswith("| construction") and len(md) == 2 + len(rows)
    path = to_csv(rows, tmp_path / "rows.csv")
    assert len(path.read_text().strip().splitlines()) == 1 + len(rows)


def test_compare_skips_unsupported_norms():
    ds = sphere_points(6, 2, n_classes=2, delta=0.5, seed=6)
    rows = compare(ds, p=2.0, constructions=("theorem6", "yu2024", "zhang2017", "yu2024-lp"), samples=4, pgd_steps=2)
    assert [r.skipped for r in rows] == [True, True, False, False]
    assert "p in {1, inf}" in rows[0].note and "l_inf" in rows[1].note
    assert rows[3].exact_fit and rows[3].counterexamples == 0 and rows[3].width == 4 * 2 + 2
    (inf_row,) = compare(ds, p=math.inf, constructions=("yu2024-lp",), samples=2, pgd_steps=1)
    assert inf_row.skipped and "integer p >= 2" in inf_row.note


def test_compare_beyond_theorem5_keeps_only_the_optimal_lp_memorizer():
    """At a radius past delta / (2 c+_p(d)) (but below tau_p / 2) Theorem 5 refuses and yu2024-lp certifies."""
    from robustmem.norms import c_plus

    ds = sphere_points(10, 6, n_classes=2, delta=0.5, seed=3)
    delta, tau3 = ds.separation(2.0).delta, ds.separation(3.0).delta
    limit = delta / (2 * c_plus(3.0, ds.d))
    assert limit < tau3 / 2  # the gap this test needs
    sigma = (limit + tau3 / 2) / 2
    t5, ygz = compare(ds, p=3.0, sigma=sigma, constructions=("theorem5", "yu2024-lp"), samples=4, pgd_steps=2)
    assert t5.skipped and "Theorem 5 needs" in t5.note
    assert not ygz.skipped and ygz.exact_fit and ygz.counterexamples == 0 and ygz.sigma == sigma


def test_compare_command_writes_one_row_per_construction(tmp_path, capsys):
    from robustmem.cli import main

    out = tmp_path / "tables" / "cmp.md"
    names = "theorem5,kim2025-smallest,zhang2017,vardi2022"
    code = main(
        [
            "compare",
            "--dataset",
            "kim2025-hard",
            "--param",
            "d=6",
            "--param",
            "rho=0.5",
            "--p",
            "2",
            "--samples",
            "2",
            "--constructions",
            names,
            "--out",
            str(out),
        ]
    )
    assert code == 0
    lines = [ln for ln in out.read_text().splitlines() if ln.startswith("| ")]
    assert [ln.split(" | ")[0][2:] for ln in lines[1:]] == ["theorem5", "kim2025-smallest", "zhang2017", "vardi2022"]
    assert len(out.with_suffix(".csv").read_text().strip().splitlines()) == 5
    assert f"wrote {out}" in capsys.readouterr().out
