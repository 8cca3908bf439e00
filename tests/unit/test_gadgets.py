"""Elementary gadgets, squaring net, chain and rounding net, each checked in exact arithmetic.

One group per gadget; the docstring of each group names the statement it checks.  Exact values
come from :func:`robustmem.network.exact.evaluate_exact` / ``evaluate_fraction`` (float64 weights
read as rationals), so every equality below is an equality of rationals.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets import (
    abs_network,
    carry_network,
    chain_network,
    emit_rounding,
    indicator_l1,
    indicator_l2,
    indicator_linf,
    indicator_linf_par,
    indicator_lp,
    lp_indicator_steps,
    max_network,
    rounding_depth,
    rounding_network,
    rounding_offset,
    rounding_reference,
    square_error_bound,
    square_network,
)
from robustmem.network.builder import Builder
from robustmem.network.exact import evaluate_exact, evaluate_fraction
from robustmem.network.network import ReLUNetwork
from robustmem.proofcheck import load_proof

RNG_SEED = 20250216


def exact(net: ReLUNetwork, X: np.ndarray) -> list[Fraction]:
    return list(evaluate_exact(net, np.asarray(X, dtype=np.float64)).values)


def awkward_reals(rng: np.random.Generator, n: int) -> np.ndarray:
    """Reals of every sign and scale, with exact zeros and full 53-bit mantissas."""
    x = rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)
    x[: n // 10] = 0.0
    return x


# ----- |t| and max(a, b): exact identities -----------------------------------------------------


class TestAbsAndMax:
    """|t| = relu(t) + relu(-t) and max(a, b) = relu(a - b) + relu(b) - relu(-b), exact on R."""

    def test_abs_is_exact_everywhere(self) -> None:
        net = abs_network()
        t = awkward_reals(np.random.default_rng(RNG_SEED), 200)
        assert exact(net, t[:, None]) == [abs(Fraction(v)) for v in t]
        assert (net.width, net.depth) == (2, 2)

    def test_max_is_exact_everywhere(self) -> None:
        net = max_network()
        rng = np.random.default_rng(RNG_SEED + 1)
        a, b = awkward_reals(rng, 200), awkward_reals(rng, 200)
        b[:20] = a[:20]  # ties
        got = exact(net, np.c_[a, b])
        assert got == [max(Fraction(x), Fraction(y)) for x, y in zip(a, b)]
        assert (net.width, net.depth) == (3, 2)


# ----- carrying x as x + shift (Theorem 37; docs/constructions.md) --------------------------------


class TestCarry:
    """relu(x + B) = x + B for x >= -B: the input survives any number of ReLU layers there."""

    @pytest.mark.parametrize("depth", [1, 2, 7])
    def test_exact_on_the_stated_range(self, depth: int) -> None:
        d, shift = 3, 2.5
        weights = [1.0, -3.0, 0.5]
        net = carry_network(d, depth, shift, readout=weights)
        rng = np.random.default_rng(RNG_SEED + depth)
        X = rng.uniform(-shift, 40.0, size=(100, d))
        X[0] = -shift  # the edge of the range
        want = [sum(Fraction(w) * Fraction(v) for w, v in zip(weights, x)) for x in X]
        assert exact(net, X) == want
        assert (net.width, net.depth) == (d, depth + 1)

    def test_coordinate_readout(self) -> None:
        net = carry_network(4, 3, 1.0, readout=2)
        X = np.random.default_rng(RNG_SEED).uniform(-1.0, 5.0, size=(50, 4))
        assert exact(net, X) == [Fraction(v) for v in X[:, 2]]

    def test_wrong_below_minus_shift(self) -> None:
        """Below -shift the negative part is clipped: the output is -shift, not x."""
        shift = 1.5
        net = carry_network(2, 4, shift, readout=0)
        X = np.array([[-1.5 - 2.0**-40, 0.0], [-2.0, 3.0], [-1e6, 0.0]])
        got = exact(net, X)
        assert got == [Fraction(-shift)] * 3
        assert all(g != Fraction(x) for g, x in zip(got, X[:, 0]))

    def test_rejects_bad_arguments(self) -> None:
        with pytest.raises(InvalidArgumentError, match="readout coordinate 3"):
            carry_network(3, 2, 1.0, readout=3)
        with pytest.raises(InvalidArgumentError, match="depth=0"):
            carry_network(3, 0, 1.0)
        with pytest.raises(InvalidArgumentError, match="shift=-1"):
            carry_network(3, 2, -1.0)


# ----- squaring net f_M (Lemma 41) ------------------------------------------------------------


class TestSquaring:
    """Lemma 41: 0 <= f_M(t) - t^2 <= 2^(-2M-2) on [0, 1], attained at the midpoints; f_M(t) = t for t >= 1."""

    @pytest.mark.parametrize("M", [1, 2, 3, 5, 8])
    def test_interpolates_at_breakpoints_and_attains_the_bound_at_midpoints(self, M: int) -> None:
        net = square_network(M)
        n = 2**M
        knots = [Fraction(j, n) for j in range(n + 1)]
        mids = [Fraction(2 * j + 1, 2 * n) for j in range(n)]
        vals = evaluate_fraction(net, np.array([[float(t)] for t in knots + mids]))
        assert vals[: n + 1] == [t * t for t in knots]
        assert [v - t * t for v, t in zip(vals[n + 1 :], mids)] == [Fraction(square_error_bound(M))] * n

    @pytest.mark.parametrize("M", [1, 4, 6])
    def test_error_bound_on_a_dense_grid(self, M: int) -> None:
        net = square_network(M)
        t = np.arange(2**12 + 1) / 2**12
        errs = [v - Fraction(x) ** 2 for v, x in zip(exact(net, t[:, None]), t)]
        assert min(errs) >= 0
        assert max(errs) == Fraction(square_error_bound(M))  # grid contains the midpoints

    def test_identity_beyond_one(self) -> None:
        net = square_network(5)
        t = [1.0, 1.0 + 2.0**-30, 1.5, 7.25, 1e3]
        assert exact(net, np.array(t)[:, None]) == [Fraction(v) for v in t]

    @pytest.mark.parametrize("M,width", [(1, 3), (2, 4), (9, 4)])
    def test_width_and_depth(self, M: int, width: int) -> None:
        net = square_network(M)
        assert (net.width, net.depth) == (width, M + 1)


# ----- chain of running maxima (Theorem 37) ---------------------------------------------------


def grid_data(rng: np.random.Generator, n: int, d: int, labels: int) -> tuple[np.ndarray, np.ndarray]:
    """n distinct points of the integer grid {0..4}^d: any two differ by >= 1 in every l_q norm."""
    cells = rng.choice(5**d, size=n, replace=False)
    X = np.array([[(c // 5**j) % 5 for j in range(d)] for c in cells], dtype=np.float64)
    return X, rng.integers(1, labels + 1, size=n).astype(np.float64)


class TestChain:
    """Theorem 37: with tau = 1 <= ||x_i - x_j||, r = 1/4 and w = tau - 2r, the chain outputs y_i
    on the r-ball around x_i (here: at x_i and at points of that ball)."""

    @pytest.mark.parametrize("kind", ["linf", "l1", "l2", "lp3", "linf_par"])
    def test_outputs_the_label_at_every_centre(self, kind: str) -> None:
        rng = np.random.default_rng(RNG_SEED + len(kind))
        d, r, w, shift = 2, 0.25, 0.5, 8.0
        X, y = grid_data(rng, 12, d, 3)
        M = lp_indicator_steps(d, r, w, 2)
        emitters = {
            "linf": lambda b, u, c, l: indicator_linf(b, u, c, l, r, w, shift=shift),
            "l1": lambda b, u, c, l: indicator_l1(b, u, c, l, r, w, shift=shift),
            "l2": lambda b, u, c, l: indicator_l2(b, u, c, l, r, w, shift=shift, M=M),
            "lp3": lambda b, u, c, l: indicator_lp(b, u, c, l, r, w, p=3, shift=shift),
            "linf_par": lambda b, u, c, l: indicator_linf_par(b, u, c, l, r, w, shift=shift),
        }
        net = chain_network(X, y, emitters[kind], shift=shift, input_dim=d)
        assert exact(net, X) == [Fraction(v) for v in y]
        # points of the r-ball in the chosen norm (l_inf corners lie in the l_1/l_2 balls only when scaled)
        step = {"linf": r, "linf_par": r, "l1": r / 2, "l2": r / 2, "lp3": r / 2}[kind]
        Z = X + step * rng.choice([-1.0, 1.0], size=X.shape)
        assert exact(net, Z) == [Fraction(v) for v in y]


# ----- rounding net psi (Lemma 46) ------------------------------------------------------------


class TestRounding:
    """Lemma 46 as printed: the emitted network equals proofs/lemma46.py's staircase S_C on all of R (exact).

    psi(t) = m on [m - 1/4, m + 1/4] (m = 1..C), the ramps 2t - m - 1/2 between, 0 below 1/4, C above
    C - 1/4; width 2, 3C ReLU layers (3C + 1 affine maps standalone).
    """

    @pytest.mark.parametrize("C", [1, 2, 3, 6, 17])
    def test_plateaus_exactly(self, C: int) -> None:
        net = rounding_network(C)
        rng = np.random.default_rng(RNG_SEED + C)
        pts, want = [], []
        for m in range(1, C + 1):
            inner = list(rng.uniform(m - 0.25, m + 0.25, size=20))
            edges = [m - 0.25, m + 0.25, float(m), np.nextafter(m - 0.25, m), np.nextafter(m + 0.25, m)]
            pts += edges + inner
            want += [Fraction(m)] * (len(edges) + len(inner))
        assert exact(net, np.array(pts)[:, None]) == want

    @pytest.mark.parametrize("C", [1, 2, 5, 12])
    def test_network_weights_equal_the_proved_statement(self, C: int) -> None:
        """The real float64 weights, evaluated with Fractions, give proofs/lemma46.staircase everywhere tried."""
        staircase = load_proof("lemma46").staircase
        net = rounding_network(C)
        rng = np.random.default_rng(RNG_SEED + 7 * C)
        grid = np.arange(-16, 8 * C + 24) / 8.0  # every plateau and ramp end, and their midpoints
        t = np.concatenate([grid, rng.uniform(-2.0, C + 2.0, 200), awkward_reals(rng, 50), [-1e9, 1e9]])
        got = evaluate_fraction(net, t[:, None])
        assert got == [staircase(Fraction(v), C) for v in t]
        assert got == [rounding_reference(Fraction(v), C) for v in t]
        assert [rounding_reference(float(v), C) for v in grid] == [float(g) for g in got[: len(grid)]]

    def test_a_wrong_staircase_is_told_apart(self) -> None:
        """The comparison above can fail: the old (min/max) rounding net was 1, not 0, below 1/4."""
        staircase = load_proof("lemma46").staircase
        assert staircase(Fraction(0), 3) == 0 and staircase(Fraction(5, 8), 3) == Fraction(3, 4)
        assert rounding_reference(Fraction(5, 8), 3) == Fraction(3, 4) != 1

    def test_inside_a_network_on_a_signed_affine_input(self) -> None:
        """emit_rounding on t = 3x - 2 (negative for x < 2/3) after other slots: psi(3x - 2) exactly."""
        staircase = load_proof("lemma46").staircase
        b = Builder(["x"], raw_inputs=True)
        b.layer({"keep": b.v("x") + 10.0})
        out = emit_rounding(b, 3.0 * b.v("keep") - 32.0, 4, "r")
        b.output(out + b.v("keep"))
        net = ReLUNetwork.from_builder(b)
        x = np.arange(-24, 40) / 8.0
        assert evaluate_fraction(net, x[:, None]) == [staircase(3 * Fraction(v) - 2, 4) + Fraction(v) + 10 for v in x]
        assert net.width == 3

    @pytest.mark.parametrize("C", [1, 2, 9])
    def test_width_and_depth(self, C: int) -> None:
        net = rounding_network(C)
        assert net.depth == rounding_depth(C) + 1 == 3 * C + 1
        assert net.width == (1 if C == 1 else 2)

    def test_rejects_bad_levels(self) -> None:
        with pytest.raises(InvalidArgumentError, match="C=0"):
            rounding_network(0)
        with pytest.raises(InvalidArgumentError, match="level must be an integer in \\[0, 2\\]"):
            rounding_offset(3, 3)
