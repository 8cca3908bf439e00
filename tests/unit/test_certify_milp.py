"""The complete MILP check (robustmem.certify.milp) against the rigorous bounds, sampling, the falsifier and an
outside attack library.

* encoding: on random networks, the solver's min / max of f over l_inf, l_1 (HiGHS) and l_2 (SCIP) balls lie
  inside the rigorous CROWN bounds and below / above every sampled value, and its witnesses are real points;
* agreement: whenever the bounds certify a ball, the MILP certifies it; every MILP refutation is re-checked on
  the exact network, inside the closed ball; a MILP-certified ball has f = y_i on dense samples;
* every construction of the package is certified by the MILP at its claimed radius on N = 3 points in d = 2;
* the Zhang et al. (2017) interpolator is refuted at a radius where it is not robust, by the MILP and by the
  falsifier;
* foolbox 3 (PGD in l_inf, l_2, l_1 on the network with a nearest-label classification head) finds nothing in
  balls the certifier certified, and does break the Zhang interpolator;
* refusals (too many unstable ReLUs, too many neurons) and time-outs ('unknown', never 'certified').
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from certify_testnets import CONSTRUCTIONS, ball_samples, random_layers, saturating_layers, tiny

from robustmem.certify import certify, output_bounds
from robustmem.certify import milp as milp_module
from robustmem.certify.layers import as_layer_source
from robustmem.certify.milp_encoding import encode_ball
from robustmem.certify.propagation import layer_bounds
from robustmem.construct import construct_log_width, construct_zhang2017
from robustmem.data import Dataset, sphere_points
from robustmem.errors import VerificationError
from robustmem.geometry import exact_in_ball
from robustmem.verify import falsify

INF = math.inf
NORMS = [1.0, 2.0, INF]


# ----- the encoding against sampling and the rigorous bounds -----


@pytest.mark.parametrize("p", NORMS)
def test_solver_extremes_bracket_the_sampled_values(p: float) -> None:
    rng = np.random.default_rng(int(p) if math.isfinite(p) else 9)
    for _ in range(3):
        layers = random_layers(rng, 3, [5, 5])
        src = as_layer_source(layers)
        C = rng.normal(size=(2, 3))
        lb = layer_bounds(layers, C, p=p, sigma=0.4)
        for k in range(2):
            model = encode_ball(src, [a[k] for a in lb.lower], [a[k] for a in lb.upper], C[k], p, 0.4)
            lo = milp_module.solve_model(model, "min", 30.0)
            hi = milp_module.solve_model(model, "max", 30.0)
            assert lo.status == hi.status == "optimal"
            f = src.evaluate(ball_samples(C[k], p, 0.4, 300, rng))
            tol = milp_module.MILP_TOLERANCE
            assert lb.output.lower[k] - tol <= lo.bound <= f.min() + tol
            assert f.max() - tol <= hi.bound <= lb.output.upper[k] + tol
            for r in (lo, hi):  # the witness is (up to solver tolerance) in the ball and attains the value
                x = r.x[:3]
                assert np.linalg.norm(x - C[k], ord=p) <= 0.4 + 1e-6
                assert abs(src.evaluate(x[None])[0] - r.value) <= 1e-6


# ----- agreement with the bounds on saturating networks -----


@pytest.mark.parametrize("seed", range(4))
def test_bounds_certificates_imply_milp_certificates_and_refutations_are_real(seed: int) -> None:
    """f = 2 + relu(g(x) - c): exactly 2 where g <= c.  The threshold c is the median of g at the centres (g
    redrawn until it varies by more than 1 there), so some balls are certifiable and others are refutable."""
    rng = np.random.default_rng(seed)
    C = rng.normal(size=(8, 2)) * 2
    g = random_layers(rng, 2, [4, 4], scale=3.0)
    while np.ptp(as_layer_source(g).evaluate(C)) < 1.0:
        g = random_layers(rng, 2, [4, 4], scale=3.0)
    c = float(np.median(as_layer_source(g).evaluate(C)))
    net = saturating_layers(g, 2, c)
    data = Dataset(C, np.full(8, 2))
    p = NORMS[seed % 3]
    crown = certify(net, data, p=p, sigma=0.25, method="crown", progress=False)
    milp = certify(net, data, p=p, sigma=0.25, method="milp", trust_bounds=False, progress=False)
    assert crown.n_certified >= 1 and milp.n_refuted >= 1
    src = as_layer_source(net)
    for i in range(8):
        if crown.status[i] == "certified":
            assert milp.status[i] == "certified"
        if milp.status[i] == "certified":
            assert (src.evaluate(ball_samples(C[i], p, 0.25, 200, rng)) == 2.0).all()
    for cx in milp.counterexamples:
        assert crown.status_of(cx.index) != "certified"
        assert exact_in_ball(np.array(cx.point), C[cx.index], p, 0.25)
        assert src.evaluate_exact(np.array([cx.point]))[0] != 2


@pytest.mark.parametrize("name", sorted(CONSTRUCTIONS))
def test_every_construction_is_certified_by_the_milp(name: str) -> None:
    ds, dl = tiny()
    net, cert = CONSTRUCTIONS[name][0](ds, dl)
    rep = certify(
        net, ds, p=cert.p, sigma=cert.sigma, method="milp", trust_bounds=False, time_limit=60.0, progress=False
    )
    assert rep.all_certified, rep.summary()
    assert all(abs(lo - y) <= 1e-6 and abs(hi - y) <= 1e-6 for lo, hi, y in zip(rep.lower, rep.upper, rep.labels))


def test_trusted_bounds_skip_the_solver() -> None:
    ds, dl = tiny()
    net, cert = CONSTRUCTIONS["remark40-pinf"][0](ds, dl)
    rep = certify(net, ds, p=cert.p, sigma=cert.sigma, method="milp", progress=False)
    assert rep.all_certified and set(rep.reasons) == {"rigorous CROWN bounds"}
    assert dict(rep.settings)["tolerance"] == milp_module.MILP_TOLERANCE


# ----- a network that is not robust -----


@pytest.fixture(scope="module")
def zhang() -> tuple:
    ds = sphere_points(5, 3, n_classes=3, seed=5)
    net, _ = construct_zhang2017(ds, p=2.0)
    return net, ds, 0.3 * ds.separation(2.0).delta


@pytest.mark.parametrize("p", NORMS)
def test_zhang2017_is_refuted_by_milp_and_falsifier(zhang: tuple, p: float) -> None:
    net, ds, sigma = zhang
    rep = certify(net, ds, p=p, sigma=sigma, method="milp", progress=False)
    assert rep.n_refuted == ds.N and rep.n_certified == 0
    for cx in rep.counterexamples:
        assert cx.inside_exact and abs(float(cx.exact_output) - cx.label) > 0.1  # far from the label, not rounding
        assert exact_in_ball(np.array(cx.point), ds.X[cx.index], p, sigma)
        assert net(np.array([cx.point]))[0] == pytest.approx(float(cx.exact_output), abs=1e-12)
    fr = falsify(net, ds, p=p, sigma=sigma, n_random=16, n_boundary=16, pgd_steps=5, pgd_restarts=2)
    assert fr.n_balls_broken == ds.N and fr.n_exact_confirmed > 0
    # the MILP's worst deviation is at least the falsifier's (it optimizes; the falsifier samples)
    milp_dev = max(abs(float(c.exact_output) - c.label) for c in rep.counterexamples)
    assert milp_dev >= fr.max_abs_deviation - 1e-6


# ----- an outside attack library -----


def _foolbox():
    with warnings.catch_warnings():  # foolbox 3.3 imports a deprecated scipy.ndimage namespace
        warnings.simplefilter("ignore", DeprecationWarning)
        import foolbox

    return foolbox


class _NearestLabel(torch.nn.Module):
    """Classification head for a scalar regression network: logit_c = -(f(x) - c)^2 for labels c = 1..C."""

    def __init__(self, body: torch.nn.Module, n_classes: int) -> None:
        super().__init__()
        self.body = body
        self.register_buffer("classes", torch.arange(1, n_classes + 1, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return -((self.body(x).reshape(-1, 1) - self.classes) ** 2)


def _attack(net, ds: Dataset, p: float, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """foolbox PGD (l_p) with 2 restarts; returns (success per ball, the attacked points)."""
    fb = _foolbox()
    head = _NearestLabel(net.to_torch(), int(ds.y.max())).eval()
    lo, hi = float(ds.X.min()) - 2 * sigma - 1, float(ds.X.max()) + 2 * sigma + 1
    model = fb.PyTorchModel(head, bounds=(lo, hi))
    attack = {INF: fb.attacks.LinfPGD, 2.0: fb.attacks.L2PGD, 1.0: fb.attacks.L1PGD}[p](steps=40)
    X, y = torch.tensor(ds.X), torch.tensor(ds.y - 1)
    success = np.zeros(ds.N, dtype=bool)
    points = []
    for _ in range(2):
        _, clipped, ok = attack(model, X, y, epsilons=[sigma])
        success |= ok[0].numpy()
        points.append(clipped[0].detach().numpy())
    return success, np.concatenate(points)


@pytest.mark.parametrize("name, method", [("remark40-pinf", "crown"), ("theorem6-p1", "milp"), ("theorem5-p2", "milp")])
def test_foolbox_finds_nothing_in_certified_balls(name: str, method: str) -> None:
    from robustmem.geometry import shrink_into_ball

    ds, dl = tiny()
    net, cert = CONSTRUCTIONS[name][0](ds, dl)
    rep = certify(net, ds, p=cert.p, sigma=cert.sigma, method=method, progress=False)
    assert rep.all_certified
    success, pts = _attack(net, ds, cert.p, cert.sigma)
    assert not success.any()
    inside = shrink_into_ball(pts, np.concatenate([ds.X, ds.X]), cert.p, cert.sigma)  # foolbox rounds outward
    assert (net(inside) == np.concatenate([ds.y, ds.y])).all()  # exactly the label, not only the nearest one


def test_foolbox_breaks_the_zhang_interpolator(zhang: tuple) -> None:
    net, ds, sigma = zhang
    success, _ = _attack(net, ds, INF, 3 * sigma)  # labels 1 apart: the attack needs f to move by 1/2
    rep = certify(net, ds, p=INF, sigma=3 * sigma, method="milp", progress=False)
    assert success.any() and all(rep.status_of(i) == "refuted" for i in np.nonzero(success)[0])


# ----- refusals and time-outs -----


def test_milp_refuses_too_many_unstable_relus() -> None:
    ds, dl = tiny()
    net, cert = CONSTRUCTIONS["theorem6-pinf"][0](ds, dl)
    ob = output_bounds(net, ds.X, p=cert.p, sigma=cert.sigma)
    with pytest.raises(
        VerificationError,
        match=rf"has {int(ob.n_unstable.max())} unstable ReLUs, more than "
        r"max_unstable = 3",
    ):
        certify(net, ds, p=cert.p, sigma=cert.sigma, method="milp", max_unstable=3, progress=False)


def test_milp_refuses_too_many_neurons(monkeypatch: pytest.MonkeyPatch) -> None:
    ds, dl = tiny()
    net, cert = CONSTRUCTIONS["theorem6-pinf"][0](ds, dl)
    monkeypatch.setattr(milp_module, "MAX_NEURONS", 50)
    with pytest.raises(VerificationError, match=r"hidden neurons, more than the MILP limit MAX_NEURONS = 50"):
        certify(net, ds, p=cert.p, sigma=cert.sigma, method="milp", progress=False)


@pytest.mark.parametrize("p", [INF, 2.0])
def test_time_limit_gives_unknown(p: float) -> None:
    ds = sphere_points(4, 3, n_classes=2, seed=5)
    net, cert = construct_log_width(ds, p=p, width=8)
    rep = certify(net, ds, p=p, sigma=cert.sigma, method="milp", points=[0], time_limit=0.01, progress=False)
    assert rep.status == ("unknown",) and "time limit" in rep.reasons[0]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["theorem5-p1", "theorem6-p1", "theorem6-pinf", "remark40-p1"])
def test_milp_on_six_points_in_three_dimensions(name: str) -> None:
    """N = 6, d = 3 (depth 44..116): still certified.  (Theorem 5 with p = 2 also is, in about 3 minutes with
    SCIP; log-width with p = inf has 440 unstable ReLUs on a ball there, and the MILP refuses it.)"""
    ds = sphere_points(6, 3, n_classes=3, seed=3)
    net, cert = CONSTRUCTIONS[name][0](ds, ds.separation(2.0).delta)
    rep = certify(net, ds, p=cert.p, sigma=cert.sigma, method="milp", time_limit=120.0, progress=False)
    assert rep.all_certified, rep.summary()
