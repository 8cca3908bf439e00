"""Exact bounds of a block's aggregates over the indicator's In and Out regions, and the indicator margins.

In the offset coordinates a of one block (a = 0 at the block's centre) the indicator of Lemmas 38/39 must be

* ON (output exactly y_b) on the In region {||a||_q <= R_in}, and
* OFF on the Out region {||a||_q >= R_out} (inside the domain box): output 0 (Lemma 38/39 as stated), or, enough
  for Theorem 37 from a block whose label y_b exceeds the point's label y_i, output <= F, the least label of
  the network (y_i >= F; blocks with y_b <= y_i never exceed y_i).

Bounds used (f_j the exact per-coordinate functions, psi(t) = |t|^q for q = 1, 2 or an integer q >= 3, and
psi(t) = c |t|^q for a non-integer rational q > 1 (:class:`~.pl.Power`, denominator <= 64) with a scale c > 0;
every bound below holds for EVERY c > 0 -- the region is {sum_j c |a_j|^q <= c R^q}, the same set -- so c, read
off the certificate's r and w as Lemma 44's normalization fl(1 / (w + 2 r))^q, only decides how tight they are):

* sum, sup over the In region: const + sum_j max_{|t| <= R} f_j (every coordinate of the ball lies in
  [-R, R]), and for finite q also const + R^q + sum_j max_{|t| <= R} (f_j - psi) (since sum_j psi(a_j) =
  ||a||_q^q <= R^q: sum_j f_j(a_j) = sum_j psi(a_j) + sum_j (f_j - psi)(a_j)); the smaller one.  For q >= 3 the
  maxima of f_j - psi are exact rational upper bounds (tangent bound, :mod:`.pl`), which keeps the
  sum an upper bound.  Non-integer q: R^q is replaced by an exact rational UPPER bound of c R^q and the
  maxima of f_j - psi by exact rational upper bounds (:mod:`.pl`): the sum only grows.
* sum, inf over the Out region: q = inf: some |a_j| >= R, so const + min_j (min_{|t| >= R} f_j + sum_{l != j}
  min f_l); finite q: with T = R^q and e_j = max_t (min(psi(t), T) - f_j(t)), sum_j f_j(a_j) >=
  sum_j min(psi(a_j), T) - sum_j e_j >= T - sum_j e_j (either one term saturates, |a_j| >= R, and the others
  are >= 0, or none does and the sum is ||a||_q^q >= T; this uses only psi >= 0 and ||a||_q^q = sum_j psi(a_j),
  so it holds for every q >= 1).  A coordinate the block does not read contributes e_j = T (no information).
  Non-integer q: the argument needs only T <= c R^q (the unsaturated case gives sum_j psi(a_j) >= c R^q >= T),
  so T is an exact rational LOWER bound of c R^q (``Power.level``), and the e_j are exact rational upper bounds
  of max (min(psi, T) - f_j) for that same T: the result only shrinks.
  In one dimension every norm is |a| and the q = inf formula is used.
* max (Lemma 39): sup <= const + max_j max_{|t| <= R} f_j for every q; inf over ||a||_inf >= R >= const +
  min_j min_{|t| >= R} f_j (q = inf only).

All quantities are exact rationals; floating-point evaluation enters through the error bounds of
:mod:`.template` (``pre_err`` for a neuron that must be exactly 0, ``err`` for a value).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from robustmem.certify.structural.pl import MAX_DEN, Power, Psi, combine, psi_power, psi_value
from robustmem.certify.structural.symbols import PLB, Agg, BlockFacts, Node, Unsupported, gamma_q

__all__ = ["Regions"]

ZERO = Fraction(0)


class Regions:
    """In / Out bounds for one interpreted block (caches per function and radius, for bisection)."""

    def __init__(
        self,
        facts: BlockFacts,
        q: float | Fraction,
        state_bound: Fraction = ZERO,
        floor: Fraction | None = None,
        scale: Fraction = Fraction(1),
    ):
        """``state_bound`` >= the running maximum m (fused label neurons only: their sum also reads -m);
        ``floor``: the least label of the whole network (default: this template's least label), the bound
        the float64 OFF criterion 'drop' must prove for every block with a larger label; ``scale``: c of
        psi = c |t|^q for a non-integer q (any c > 0 is sound, module docstring)."""
        qf = float(q)
        power = None
        if not (qf == math.inf or (qf >= 1 and qf.is_integer())):
            qr = Fraction(q) if math.isfinite(qf) else None
            if qr is None or not (qr > 1 and qr.denominator <= MAX_DEN and scale > 0):
                raise Unsupported(
                    f"indicator norm q must be 1, 2, an integer >= 3, inf or a rational > 1 with denominator <= "
                    f"{MAX_DEN}, got {q!r}"
                )
            power = Power(qr, Fraction(scale))
        self.facts, self.k, self.domain = facts, facts.k, facts.domain
        self.state_bound = state_bound if facts.fused else ZERO
        self.floor = Fraction(float(np.min(facts.labels))) if floor is None else floor
        self.q = math.inf if facts.k == 1 else q
        # psi(t) = |t|^q for finite q ("abs", "square" or the int q >= 3; unused for q = inf)
        named: dict[float, Psi] = {1.0: "abs", 2.0: "square"}
        self.psi: Psi | None = None
        if self.q != math.inf:
            self.psi = power if power is not None else named.get(float(self.q), int(self.q))
        self.cache: dict = {}

    def _c(self, key, fn):
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]

    # ----- aggregates -----
    def sup_in(self, agg: Agg, R: Fraction) -> Fraction:
        box = [self._c(("max", id(p.hi), R), lambda p=p: p.hi.max_on(-R, R)) for p in agg.parts.values()]
        if agg.kind == "max":
            return agg.const + max(box)
        best = agg.const + sum(box, ZERO)
        if self.q != math.inf:
            assert self.psi is not None  # set for every finite q
            Rq = self.psi.upper(R) if isinstance(self.psi, Power) else psi_value(R, psi_power(self.psi))
            gaps = [
                self._c(("gap", id(p.hi), R), lambda p=p: p.hi.max_minus_psi(-R, R, self.psi))
                for p in agg.parts.values()
            ]
            best = min(best, agg.const + Rq + sum(gaps, ZERO))
        return best

    def _far_min(self, p: PLB, R: Fraction) -> Fraction | None:
        lo, hi = self.domain
        vals = [v for v in (p.lo.min_on(lo, -R), p.lo.min_on(R, hi)) if v is not None]
        return min(vals) if vals else None

    def inf_out(self, agg: Agg, R: Fraction) -> Fraction | None:
        """A lower bound of the aggregate on the Out region; None when no bound is available."""
        lo, hi = self.domain
        reach = lo <= -R or hi >= R  # can an unread coordinate alone put a in the Out region?
        if agg.kind == "max":
            if self.q != math.inf or (len(agg.parts) < self.k and reach):
                return None
            fars = [self._c(("far", id(p.lo), R), lambda p=p: self._far_min(p, R)) for p in agg.parts.values()]
            fars = [f for f in fars if f is not None]
            return agg.const + min(fars) if fars else None
        if self.q == math.inf:
            mins = {j: self._c(("min", id(p.lo)), lambda p=p: p.lo.min_on(lo, hi)) for j, p in agg.parts.items()}
            total = sum(mins.values(), ZERO)
            cands = []
            if len(agg.parts) < self.k and reach:
                cands.append(agg.const + total)
            for j, p in agg.parts.items():
                far = self._c(("far", id(p.lo), R), lambda p=p: self._far_min(p, R))
                if far is not None:
                    cands.append(agg.const + total - mins[j] + far)
            return min(cands) if cands else None
        assert self.psi is not None  # q is finite here (q = inf returned above)
        T = self.psi.level(R) if isinstance(self.psi, Power) else psi_value(R, psi_power(self.psi))
        e = sum(
            (
                self._c(("sat", id(p.lo), R), lambda p=p: p.lo.max_saturated_gap(self.psi, R))
                for p in agg.parts.values()
            ),
            ZERO,
        )
        e += (self.k - len(agg.parts)) * T
        return agg.const + T - e

    # ----- the indicator -----
    def zero_margin(self, node: Node, R: Fraction, float_mode: bool) -> Fraction | None:
        """>= 0 proves the neuron's value (computed in float64 when float_mode) is exactly 0 on the In region:
        either sup of its exact pre-activation + its error bound <= 0, or its bias is 0 and every input is 0."""
        cands = []
        if node.pre is not None:
            cands.append(-self.sup_in(node.pre, R) - (node.pre_errI if float_mode else ZERO))
        if node.bias == 0 and node.ins:
            ms = [
                self.zero_margin(n, R, float_mode) if n.kind in ("agg", "reluagg", "posdiff") else None
                for n, _ in node.ins
            ]
            found = [m for m in ms if m is not None]
            if len(found) == len(ms):
                cands.append(min(found))
        return max(cands) if cands else None

    def in_margin(self, R: Fraction, float_mode: bool) -> Fraction | None:
        """>= 0 proves z_b = y_b exactly for ||a||_q <= R (every input of the label neuron is exactly 0)."""
        if float_mode and self.facts.r_box < R:
            raise ValueError(f"the float64 ON bounds hold for R <= {float(self.facts.r_box)}, asked R = {float(R)}")
        ms = [self.zero_margin(v, R, float_mode) for v in self.facts.indicator.vs]
        found = [m for m in ms if m is not None]
        return min(found) if len(found) == len(ms) else None

    def v_agg(self) -> tuple[str, Agg]:
        """The label neuron's input sum V = sum_k v_k as ('relu', agg) or ('plain', agg)."""
        vs = self.facts.indicator.vs
        if len(vs) == 1:
            return ("relu" if vs[0].kind == "reluagg" else "plain"), vs[0].agg
        if any(v.kind != "agg" or v.agg.kind != "sum" for v in vs):
            raise Unsupported("the label neuron sums values that are not one-coordinate functions")
        key = ("V",)
        if key not in self.cache:
            by_j: dict[int, list[PLB]] = {}
            for v in vs:
                for j, p in v.agg.parts.items():
                    by_j.setdefault(j, []).append(p)
            parts = {}
            for j, ps in by_j.items():
                lo = combine([(Fraction(1), p.lo) for p in ps])
                hi = lo if all(p.exact for p in ps) else combine([(Fraction(1), p.hi) for p in ps])
                parts[j] = PLB(lo, hi, sum((p.lip for p in ps), ZERO))
            self.cache[key] = Agg("sum", sum((v.agg.const for v in vs), ZERO), parts)
        return "plain", self.cache[key]

    def v_need(self, float_mode: bool, criterion: str) -> Fraction:
        """The least V that makes the label neuron's output 0 ('zero') or <= F ('drop', blocks with y_b > F), F the
        least label of the network (``floor``): z = relu(fl(y + gamma V)) with |fl - exact| <= g (y + |gamma| V),
        g = gamma_{K+1} (0 when exact); z <= F needs |gamma| V (1 - g) >= y - F + g y.  Theorem 37 needs z_b <= y_i
        from every block with y_b > y_i, and y_i >= F.  (F, not y_b - 1: with three or more classes y_i can lie
        below y_b - 1.)

        Fused (e = relu(fl(y + gamma V - m)), 0 <= m <= state_bound): one more term, g = gamma_{K+2}, and the error
        grows by g m; m + e <= max(m, F) needs fl(...) <= F - m, i.e. |gamma| V (1 - g) >= y - F + g (y + m)
        (exact: y + gamma V <= 0 makes m + e = max(m, 0) = m, as unfused)."""
        f = self.facts
        g = gamma_q(len(f.indicator.vs) + (2 if f.fused else 1)) if float_mode else ZERO
        extra = g * self.state_bound
        pairs = np.unique(np.stack([f.labels, f.gamma], axis=1), axis=0)
        need = ZERO
        for y, gm in pairs:
            y, gm = Fraction(float(y)), Fraction(float(gm))
            if gm >= 0:
                raise Unsupported(
                    f"a block with label {y} has indicator weight gamma = {gm} >= 0: it never switches off"
                )
            if criterion == "drop" and y <= self.floor:
                continue  # a block with the least label never outranks a point's label: no Out needed
            top = (y * (1 + g) if criterion == "zero" else y - self.floor + g * y) + extra
            need = max(need, top / (-gm * (1 - g)))
        return need

    def out_empty(self, R: Fraction) -> bool:
        """True when no offset of the domain box lies in the Out region {||a||_q >= R}: every a_j is in [lo, hi],
        so ||a||_q <= ||a||_1 <= k M with M = max(|lo|, |hi|) (||a||_inf <= M for q = inf); the OFF property then
        holds vacuously on every input the domain covers (the union of the balls)."""
        lo, hi = self.domain
        M = max(-lo, hi, ZERO)
        return (M if self.q == math.inf else self.k * M) < R

    def out_margin(self, R: Fraction, float_mode: bool, criterion: str) -> Fraction | None:
        """>= 0 proves the label neuron's output is 0 ('zero') / <= the least label ('drop') for ||a||_q >= R."""
        kind, agg = self.v_agg()
        low = self.inf_out(agg, R)
        if low is None:
            return None
        if kind == "relu":
            low = max(low, ZERO)
        err = sum((v.err for v in self.facts.indicator.vs), ZERO) if float_mode else ZERO
        return low - err - self.v_need(float_mode, criterion)
