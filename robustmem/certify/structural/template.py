"""What one chain block computes, read symbolically off its template (all N blocks at once).

A chain block (Theorem 37) is a template of affine maps repeated once per data point; blocks differ only in
parameter-dependent numbers.  :func:`interpret_block` walks the template's maps neuron by neuron and gives
every neuron a symbolic value, justified by the weights alone (never by the code that built them):

* ``coord``: a carried coordinate u_j (weight 1, bias 0: the ReLU is the identity on u_j >= 0);
* ``agg`` ``sum``: const + sum_j f_j(a_j), each f_j an exact piecewise-linear function (:mod:`.pl`)
  of the block's offset coordinate a_j = u_j + alpha_j - c_j.  A first-layer neuron relu(s u_j + beta) with
  s = +-1 and a per-block bias beta *anchors* coordinate j (alpha = s beta); every first-layer neuron on u_j is
  relu(s a_j + kappa) with kappa = beta - s alpha + s c_j, exact when kappa is the same rational for every block,
  else bounded by [min kappa, max kappa] (lower and upper envelopes, :class:`PLB`); the constant c_j centres
  the kinks on a_j = 0.  Later neurons with template-
  constant weights combine these exactly; a ReLU of a sum of several coordinates is the identity when the sum
  is provably >= 0, else the neuron is ``reluagg`` (an opaque relu of an aggregate);
* ``agg`` ``max`` (Lemma 39's running maximum): q + relu(x - q) = max(q, x) when x depends on a coordinate q
  does not (``posdiff`` is the pending relu(x - q));
* ``indicator``: relu(y_b + gamma_b * sum_k v_k) with the per-block label y_b as bias and one per-block weight
  gamma_b on every v_k;
* the state update d = relu(z - m), m' = m + d (weights exactly 1 and -1, biases 0): m' = max(m, z).

Fused chains (``fused=(m_pos, e_pos)``, Yu-Gao-Zhang's layout, :func:`robustmem.construct.construct_yu2024`):
the state is a pair (m, e) with m + e the running maximum.  The label neuron reads m with the constant weight
exactly -1 besides its gamma_b-weighted inputs, e = relu(y_b + gamma_b V - m), and is the ``pending`` value
itself: since m >= 0, m + relu(L - m) = max(m, L) = max(m, relu(L)) = max(m, z_b).  A block starts with the
previous block's pair, completes its update m <- m + e (weights 1 and 1, bias 0: the same rule) and ends with
(m, e_b), e_b pending against that very m.  The opening block (``opening=True``) reads the raw input x: its
rows relu(x_j + b_j) (weight 1, template-constant bias) are the input map's carried u_j (``ucoord``), checked
by the caller against the certificate; its state neuron has no weights and bias 0 (m = 0) and its label neuron
reads no state (e = relu(L) = relu(L - 0)).

Every neuron also carries bounds for float64 evaluation: ``mag`` >= sup |exact value| over the input domain,
``loc`` >= the effect of the block's own roundings (standard model: a dot product of K terms plus a bias, in any
order, FMA allowed, errs by at most gamma_{K+1} (|b| + sum |w| |h|), plus K * 2^-1074 for underflow) and
``inE`` >= the effect of the input's rounding (Lipschitz constant of the exact function times the input error).
Anything outside these rules raises :class:`Unsupported`, naming the map and the neuron.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from robustmem.certify.structural.pl import PL, combine
from robustmem.certify.structural.symbols import (
    ETA_Q,
    ONE,
    PLB,
    ZERO,
    Agg,
    BlockFacts,
    Node,
    Unsupported,
    exact_range,
    gamma_q,
    lip_of,
    rounding_steps,
)
from robustmem.network.template import realize_rows

__all__ = ["fold_rounding", "form_rounding", "interpret_block", "relu_sum_lip"]


def relu_sum_lip(terms: list[tuple[Fraction, Fraction, Fraction]]) -> Fraction:
    """The Lipschitz constant of G(t) = sum_l w_l relu(s_l t + c_l) over the reals, exactly (terms (w, s, c))."""
    kinks = sorted({-c / s for _, s, c in terms if s != 0})
    probes = [kinks[0] - 1] + [(a + b) / 2 for a, b in zip(kinks, kinks[1:])] + [kinks[-1] + 1] if kinks else [ZERO]
    return max(abs(sum((w * s for w, s, c in terms if s * t + c > 0), ZERO)) for t in probes)


def form_rounding(members: list, inner: bool) -> Fraction:
    """Error of sum_l w_l n^_l against sum_l w_l n_l,E when every n_l = relu(s_l t + c_l) reads one linear form t.

    Each neuron computes n^_l = relu(fl(s_l t~ + c_l)) with t~ = sum_i v_i h^_i (exact; the form's inputs are
    the same float values for every l) and |fl(s_l t~ + c_l) - (s_l t~ + c_l)| <= own_l; relu is 1-Lipschitz, so
    |sum w_l n^_l - G(t~)| <= sum |w_l| own_l with G(t) = sum_l w_l relu(s_l t + c_l).  And |G(t~) - G(t_E)|
    <= Lip(G) |t~ - t_E| <= Lip(G) form_loc (:func:`relu_sum_lip`, exact).  Hence the bound
    Lip(G) form_loc + sum |w_l| own_l.  (Lemma 41's hat steps 2 relu(g) - 4 relu(g - 1/2) + 2 relu(g - 1) have
    Lip 2, where sum |w| = 8: without grouping their error grows like 8^s instead of 2^s.)
    """
    lipG = relu_sum_lip([(w, n.form_s, n.form_c) for n, w in members])
    n0 = members[0][0]
    if inner:
        return lipG * n0.form_locI + sum((abs(w) * n.ownI for n, w in members), ZERO)
    return lipG * n0.form_loc + sum((abs(w) * n.own for n, w in members), ZERO)


def fold_rounding(d: Node, inner: bool) -> Fraction:
    """Rounding error of q^ + d^, d the posdiff neuron relu(x - q) (x = sum_l w_l h_l), against max(q_E, x_E).

    Here h_E denotes a value computed exactly from the float64 (perturbed) inputs of the block and h^ its float64
    value; ``loc`` bounds |h^ - h_E|.  The neuron d computes d^ = relu(fl(x~ - q^)) with x~ = sum_l w_l h^_l
    (exact) and |fl(x~ - q^) - (x~ - q^)| <= own (its own rounding, :meth:`_Interp.own_rounding`).  relu is
    1-Lipschitz, so |q^ + d^ - (q^ + relu(x~ - q^))| <= own, and q^ + relu(x~ - q^) = max(q^, x~) exactly.
    max is 1-Lipschitz for the sup norm: |max(q^, x~) - max(q_E, x_E)| <= max(|q^ - q_E|, |x~ - x_E|)
    <= max(loc q, xloc) with xloc = sum_l |w_l| loc h_l.  Hence

        |q^ + d^ - max(q_E, x_E)| <= max(loc q, xloc) + own.

    Counting q's error once (through max) instead of twice (directly and inside d) keeps a running maximum of k
    values at an error linear in k; the naive sum loc q + loc d doubles it at every step (2^k).
    The sum q^ + d^ itself is rounded by the neuron that reads both (its own term, counted there).
    """
    q = d.q
    assert q is not None, "a posdiff node carries its q"
    if inner:
        return max(q.locI, d.xlocI) + d.ownI
    return max(q.loc, d.xloc) + d.own


class _Interp:
    def __init__(
        self,
        seg,
        coord_pos: list[int],
        state_pos: int | None,
        U_lo,
        U_hi,
        E_in,
        float_mode: bool,
        r_box: Fraction,
        fused: tuple[int, int] | None = None,
        opening: bool = False,
        end_coord_pos: list[int] | None = None,
    ):
        self.seg, self.maps = seg, seg.maps
        self.r_box = r_box
        self.fused, self.opening = fused, opening
        self.end_coord_pos = list(coord_pos if end_coord_pos is None else end_coord_pos)
        if opening and fused is None:
            raise ValueError("an opening block is a fused one: pass fused=(m_pos, e_pos)")
        if fused is None and state_pos is None:
            raise ValueError("an unfused block keeps its running maximum at state_pos: pass state_pos")
        self.coord_pos, self.state_pos = coord_pos, state_pos
        self.k = len(coord_pos)
        self.U_lo, self.U_hi, self.E = U_lo, U_hi, (E_in if float_mode else [ZERO] * len(coord_pos))
        self.cache: dict = {}
        self.keep: list = []
        self.indicator: Node | None = None
        self.n_updates = 0
        self.n_neurons = 0
        self.max_pieces = 0

    # ----- realized per-block numbers -----
    def realized(self, t, what: str, sel: np.ndarray) -> np.ndarray:
        if what == "ent":
            return realize_rows(t.ent_base[sel], t.ent_scale[sel], t.ent_pidx[sel], self.seg.params)
        return realize_rows(t.bias_base[sel], t.bias_scale[sel], t.bias_pidx[sel], self.seg.params)

    def first_layer_scan(self) -> None:
        """Pass 1: find the neurons relu(s u_j + beta_b); fix each coordinate's anchor, its centring shift and
        the common domain.

        The first such neuron of coordinate j anchors it: a_bj = u_j + alpha_bj - c_j with alpha = s beta.  Every
        first-layer neuron of j is then relu(s a_bj + kappa_b) with kappa_b = beta_b - s alpha_bj + s c_j (exact
        range over blocks).  The constant shift c_j (a float) puts the kinks' midpoint at a = 0, so that the
        indicator's ball is centred at a = 0 (e.g. Remark 40's relu(a - r) and relu(-a - r)).
        """
        slot = {p: j for j, p in enumerate(self.coord_pos)}
        found: list[tuple[int, int, int, int, np.ndarray]] = []
        alpha: dict[int, np.ndarray] = {}
        for ti, t in enumerate(self.maps):
            for a, o in enumerate(t.active):
                sel = np.flatnonzero(t.ent_row == o)
                if len(sel) != 1 or t.bias_pidx[a] < 0 or int(t.ent_col[sel[0]]) not in slot or t.ent_pidx[sel[0]] >= 0:
                    continue
                s = float(t.ent_base[sel[0]])
                j = slot[int(t.ent_col[sel[0]])]
                if s not in (1.0, -1.0):
                    raise Unsupported(f"map {ti}, neuron {o}: reads coordinate {j} with weight {s} (expected +-1)")
                beta = self.realized(t, "bias", np.array([a]))[:, 0]
                found.append((ti, int(o), j, int(s), beta))
                if j not in alpha:
                    alpha[j] = s * beta
            new = {}
            for src, dst in zip(t.carry_src, t.carry_dst):
                if int(src) in slot:
                    new[int(dst)] = slot[int(src)]
            slot = new
        missing = [j for j in range(self.k) if j not in alpha]
        if missing:
            raise Unsupported(f"coordinates {missing[:5]} are never read by the block: no ball indicator sees them")
        self.alpha = np.stack([alpha[j] for j in range(self.k)], axis=1)
        kap = {(ti, o): (j, s, exact_range(beta, -s * self.alpha[:, j])) for ti, o, j, s, beta in found}
        shift = []
        for j in range(self.k):
            kinks = [-s * kr[0] for jj, s, kr in kap.values() if jj == j]  # relu(s a + kappa) bends at a = -s kappa
            shift.append(Fraction(float((min(kinks) + max(kinks)) / 2)))
        self.shift = shift
        self.first = {}
        for ti, o, j, s, beta in found:
            kr = kap[(ti, o)][2]
            self.first[(ti, o)] = (j, s, (kr[0] + s * shift[j], kr[1] + s * shift[j]), beta)
        Emax = max(self.E)
        self.win = (-self.r_box - Emax, self.r_box + Emax)
        lo = min(self.U_lo[j] + Fraction(float(self.alpha[:, j].min())) - shift[j] for j in range(self.k)) - Emax
        hi = max(self.U_hi[j] + Fraction(float(self.alpha[:, j].max())) - shift[j] for j in range(self.k)) + Emax
        self.domain = (lo, hi)

    # ----- piecewise-linear helpers (cached: identical sub-networks share one enumeration) -----
    def plb_exact(self, f: PL) -> PLB:
        key = ("plb", id(f))
        if key not in self.cache:
            self.cache[key] = PLB(f, f, lip_of(f))
            self.keep.append(f)
            self.max_pieces = max(self.max_pieces, f.pieces)
        return self.cache[key]

    def combine_plb(self, terms: list[tuple[Fraction, PLB]], const: Fraction) -> PLB:
        key = ("comb", tuple((c, id(p)) for c, p in terms), const)
        if key in self.cache:
            return self.cache[key]
        if all(p.exact for _, p in terms):
            out = self.plb_exact(combine([(c, p.lo) for c, p in terms], const))
        else:
            lo = combine([(c, p.lo if c >= 0 else p.hi) for c, p in terms], const)
            hi = combine([(c, p.hi if c >= 0 else p.lo) for c, p in terms], const)
            out = PLB(lo, hi, sum((abs(c) * p.lip for c, p in terms), ZERO))
        self.keep.append(terms)
        self.cache[key] = out
        return out

    def relu_plb(self, p: PLB) -> PLB:
        key = ("relu", id(p))
        if key not in self.cache:
            if p.exact:
                self.cache[key] = self.plb_exact(p.lo.relu())
            else:
                self.cache[key] = PLB(p.lo.relu(), p.hi.relu(), p.lip)
            self.keep.append(p)
        return self.cache[key]

    # ----- magnitudes and input-error terms of symbolic values -----
    def _abs(self, p: PLB, inner: bool) -> Fraction:
        if not inner:
            return p.max_abs()
        key = ("absI", id(p))
        if key not in self.cache:
            highs = [f.max_on(*self.win) for f in (p.lo, p.hi)]
            lows = [f.min_on(*self.win) for f in (p.lo, p.hi)]
            vals = [v for v in highs if v is not None] + [-v for v in lows if v is not None]
            # the ON window outside the domain (a tampered bias): fall back to the bound over the whole domain
            self.cache[key] = max(vals) if vals else p.max_abs()
        return self.cache[key]

    def mag_of(self, n: Node, inner: bool = False) -> Fraction:
        """sup |exact value| over the domain (inner: over the ON box |a_j| <= r_box, inputs perturbed by E)."""
        if n.kind == "coord":
            return max(self.U_hi[n.coord], -self.U_lo[n.coord])
        if n.kind in ("agg", "reluagg"):
            assert n.agg is not None  # agg and reluagg nodes carry their aggregate
            vals = [self._abs(p, inner) for p in n.agg.parts.values()]
            return abs(n.agg.const) + (sum(vals, ZERO) if n.agg.kind == "sum" else max(vals))
        if n.kind == "posdiff":
            assert n.x is not None and n.q is not None  # a posdiff node is relu(x - q)
            return self._abs(n.x, inner) + (n.q.magI if inner else n.q.mag)
        raise AssertionError(n.kind)

    def set_bounds(self, node: Node, ins, bias: Fraction, inE: Fraction) -> None:
        """mag, loc, inE, pre_err and their ON-box versions for a neuron relu(bias + sum w h)."""
        node.inE = inE
        node.loc = self.rounding(ins, bias, inner=False)
        node.locI = self.rounding(ins, bias, inner=True)
        node.pre_err, node.pre_errI = node.loc + inE, node.locI + inE
        node.mag, node.magI = self.mag_of(node), self.mag_of(node, inner=True)

    def inE_of(self, agg: Agg) -> Fraction:
        terms = [p.lip * self.E[j] for j, p in agg.parts.items()]
        return sum(terms, ZERO) if agg.kind == "sum" else max(terms)

    def own_rounding(self, ins, bias: Fraction, inner: bool) -> Fraction:
        """This neuron's own rounding: gamma_n (|b| + sum |w| (|h| + err h)), n = rounding_steps, plus 2^-1074
        per product for underflow (the standard model, any summation order, FMA allowed)."""
        if inner:
            size = abs(bias) + sum((abs(w) * (n.magI + n.errI) for n, w in ins), ZERO)
        else:
            size = abs(bias) + sum((abs(w) * (n.mag + n.err) for n, w in ins), ZERO)
        return gamma_q(rounding_steps([w for _, w in ins], bias)) * size + len(ins) * ETA_Q

    @staticmethod
    def propagated(ins, inner: bool) -> Fraction:
        """A bound on |sum w h^ - sum w h_E| over the inputs: sum |w| loc h, except that a folded pair
        w q + w relu(x - q) is counted once (``fold_rounding``) and neurons on one linear form are grouped
        (``form_rounding``)."""
        loc = (lambda n: n.locI) if inner else (lambda n: n.loc)
        paired = {id(n.q) for n, w in ins if n.kind == "posdiff" and any(m is n.q and v == w for m, v in ins)}
        total = ZERO
        groups: dict[tuple, list] = {}
        for n, w in ins:
            if id(n) in paired:
                continue  # the q of a pair: inside its posdiff's term
            if n.kind == "posdiff" and id(n.q) in paired:
                total += abs(w) * fold_rounding(n, inner)
            elif n.form is not None:
                groups.setdefault(n.form, []).append((n, w))
            else:
                total += abs(w) * loc(n)
        for members in groups.values():
            plain = sum((abs(w) * loc(n) for n, w in members), ZERO)
            total += plain if len(members) == 1 else min(plain, form_rounding(members, inner))
        return total

    def rounding(self, ins, bias: Fraction, inner: bool) -> Fraction:
        """Rounding-only error of relu(bias + sum w h): propagated loc plus this neuron's own rounding."""
        return self.propagated(ins, inner) + self.own_rounding(ins, bias, inner)

    # ----- the neuron rules -----
    def neuron(self, ti: int, t, a: int, o: int, nodes: list[Node | None]) -> Node:
        where = f"map {ti}, neuron {o}"
        self.n_neurons += 1
        sel = np.flatnonzero(t.ent_row == o)
        dep_ent = t.ent_pidx[sel] >= 0
        if (ti, o) in self.first:
            j, s, kq, beta = self.first[(ti, o)]
            lo_f = self.affine(s, kq[0])
            p = self.plb_exact(lo_f) if kq[0] == kq[1] else PLB(lo_f, self.affine(s, kq[1]), ONE)
            agg = Agg("sum", ZERO, {j: self.relu_plb(p)})
            pre = Agg("sum", ZERO, {j: p})
            coord = nodes[self.coord_pos[j]]
            node = Node("agg", agg=agg, pre=pre, ins=((coord, Fraction(s)),), bias=Fraction(0), where=where)
            # fl(s u + beta) with s = +-1: one addition, exact by Sterbenz when u and -s beta > 0 are within a
            # factor 2 of each other for every u of the (perturbed) range and every block
            lo_u, hi_u = self.U_lo[j] - self.E[j], self.U_hi[j] + self.E[j]
            b_lo, b_hi = Fraction(float(np.abs(beta).min())), Fraction(float(np.abs(beta).max()))
            sterbenz = bool(np.all(s * beta < 0)) and hi_u <= 2 * b_lo and 2 * lo_u >= b_hi
            loc = ZERO if sterbenz else gamma_q(1) * (b_hi + max(hi_u, -lo_u))  # raw x (opening) may be < 0
            # On the ON box (|a_j| <= r_box, inputs off by <= E) the value s u + beta = s a + kappa has
            # |s u + beta| <= r_box + E + |kappa| =: h; if s beta < 0 and h <= |beta| / 2 then u lies in
            # [|beta| / 2, 2 |beta|] (u = |beta| +- h), and fl(s u + beta) = +-(u - |beta|) is exact (Sterbenz).
            h = self.r_box + max(self.E) + max(abs(kq[0]), abs(kq[1]))
            near = bool(np.all(s * beta < 0)) and 2 * h <= b_lo
            node.loc, node.locI = loc, (ZERO if near else loc)
            node.inE = self.E[j]
            node.pre_err, node.pre_errI = loc + self.E[j], node.locI + self.E[j]
            node.mag, node.magI = self.mag_of(node), self.mag_of(node, inner=True)
            return node
        bias_dep = t.bias_pidx[a] >= 0
        if bias_dep:
            return self.label_neuron(ti, t, a, o, sel, dep_ent, nodes, where)
        if dep_ent.any():
            raise Unsupported(f"{where}: a parameter-dependent weight that is neither a centre offset nor a label")
        ins = tuple((nodes[int(c)], Fraction(float(w))) for c, w in zip(t.ent_col[sel], t.ent_base[sel]) if w != 0.0)
        bias = Fraction(float(t.bias_base[a]))
        if self.opening and not sel.size and bias == 0:
            return Node("state", zero=True, where=where)  # m = 0
        src = ins[0][0] if len(ins) == 1 else None
        if self.opening and src is not None and src.kind == "coord" and ins[0][1] == 1:
            return Node("ucoord", coord=src.coord, bias=bias, where=where)  # the input map's u_j = x_j + b_j
        return self.constant_neuron(ins, bias, where)

    def affine(self, s: int, kap: Fraction) -> PL:
        key = ("aff", s, kap)
        if key not in self.cache:
            self.cache[key] = PL.affine(Fraction(s), kap, *self.domain)
        return self.cache[key]

    def label_neuron(self, ti, t, a, o, sel, dep_ent, nodes, where) -> Node:
        if self.indicator is not None:
            raise Unsupported(f"{where}: a second label-dependent neuron in one block")
        state = None
        const = sel[~dep_ent]
        if const.size and self.fused is not None:  # e = relu(y_b + gamma_b V - m): one constant weight -1 on m
            st, wt = nodes[int(t.ent_col[const[0]])], float(t.ent_base[const[0]])
            if const.size != 1 or st is None or st.kind != "state" or wt != -1.0:
                raise Unsupported(
                    f"{where}: the fused label neuron must read the running maximum m with weight -1 "
                    f"and nothing else with a constant weight, reads {st.kind if st else None} with {wt!r}"
                )
            state, sel = st, sel[dep_ent]
        elif const.size or len(sel) == 0:
            raise Unsupported(f"{where}: the label neuron mixes label-dependent and constant weights")
        elif self.fused is not None and not self.opening:
            raise Unsupported(f"{where}: the fused label neuron does not read the running maximum m")
        if len(sel) == 0:
            raise Unsupported(f"{where}: the label neuron reads no indicator input")
        G = self.realized(t, "ent", sel)
        y = self.realized(t, "bias", np.array([a]))[:, 0]
        if not (G[:, :1] == G).all():
            b = int(np.flatnonzero(~(G[:, :1] == G).all(axis=1))[0])
            raise Unsupported(f"{where}: block {b} weighs its indicator inputs differently ({G[b].tolist()[:4]})")
        vs = tuple(nodes[int(c)] for c in t.ent_col[sel])
        for v in vs:
            if v.kind not in ("agg", "reluagg"):
                raise Unsupported(f"{where}: the label neuron reads a {v.kind} value")
        node = Node("indicator", vs=vs, where=where)
        self.indicator = node
        self.labels, self.gamma = y, G[:, 0]
        if self.fused is not None:  # m + relu(L - m) = max(m, relu(L)) since m >= 0 (opening: m = 0, no entry)
            return Node("pending", q=state, ind=node, where=where)
        return node

    def constant_neuron(self, ins, bias: Fraction, where: str) -> Node:
        kinds = {n.kind for n, _ in ins}
        if kinds & {"state", "indicator", "pending"}:
            return self.state_rule(ins, bias, where)
        if "coord" in kinds:
            raise Unsupported(f"{where}: reads a carried coordinate with a template-constant bias")
        pd = self.posdiff_rule(ins, bias, where)
        if pd is not None:
            return pd
        ins2 = self.fold_max(ins, where)
        agg = self.linear(ins2, bias, where)
        node = Node("agg", ins=ins, bias=bias, pre=agg, where=where)
        lb = self.lower_bound(agg)
        if agg.kind == "sum" and len(agg.parts) == 1:
            ((j, p),) = agg.parts.items()
            node.agg = Agg("sum", ZERO, {j: self.relu_plb(p)})
        elif lb >= 0:
            node.agg = agg
        else:
            node.kind, node.agg = "reluagg", agg
        self.set_bounds(node, ins, bias, self.inE_of(agg))
        if ins:  # relu(s t + c) on the form t = sum (w / s) h (first weight 1 in id order): see form_rounding
            order = sorted(ins, key=lambda nw: id(nw[0]))
            s0 = order[0][1]
            normal = [(n, w / s0) for n, w in order]
            node.form = tuple((id(n), v) for n, v in normal)
            node.form_s, node.form_c = s0, bias
            node.form_loc, node.form_locI = self.propagated(normal, False), self.propagated(normal, True)
            node.own, node.ownI = self.own_rounding(ins, bias, False), self.own_rounding(ins, bias, True)
        return node

    def state_rule(self, ins, bias, where) -> Node:
        ws = {n.kind: (n, w) for n, w in ins}
        pair = len(ins) == 2 and bias == 0
        if pair and set(ws) == {"indicator", "state"} and ws["indicator"][1] == 1 and ws["state"][1] == -1:
            if ws["indicator"][0] is not self.indicator:
                raise Unsupported(f"{where}: the running maximum reads a stale indicator")
            return Node("pending", ins=ins, q=ws["state"][0], ind=self.indicator, where=where)
        if pair and set(ws) == {"pending", "state"} and ws["pending"][1] == 1 and ws["state"][1] == 1:
            pend, st = ws["pending"][0], ws["state"][0]
            if pend.q is not st and not (pend.q is None and st.zero):
                raise Unsupported(f"{where}: the update adds relu(z - m) to a different state than its m")
            self.n_updates += 1
            return Node("state", where=where)
        raise Unsupported(
            f"{where}: the state is combined as {[(n.kind, float(w)) for n, w in ins]} + {float(bias)}, "
            "not as the running maximum m + relu(z - m)"
        )

    def posdiff_rule(self, ins, bias, where) -> Node | None:
        """relu(x - q): x a one-coordinate sum, q a max / one-coordinate value of other coordinates."""
        neg = [(n, w) for n, w in ins if w < 0]
        if bias != 0 or len(neg) != 1 or neg[0][1] != -1 or neg[0][0].kind != "agg":
            return None
        q = neg[0][0]
        if q.agg.const != 0 or (q.agg.kind == "sum" and len(q.agg.parts) != 1):
            return None
        rest = [(n, w) for n, w in ins if n is not q]
        if not rest or any(n.kind != "agg" or n.agg.kind != "sum" or len(n.agg.parts) != 1 for n, _ in rest):
            return None
        js = {next(iter(n.agg.parts)) for n, _ in rest}
        if len(js) != 1 or js & set(q.agg.parts):
            return None
        j = js.pop()
        x = self.combine_plb([(w, n.agg.parts[j]) for n, w in rest], sum((w * n.agg.const for n, w in rest), ZERO))
        node = Node("posdiff", x=x, xj=j, q=q, ins=tuple(ins), bias=bias, where=where)
        self.set_bounds(node, ins, bias, x.lip * self.E[j] + q.inE)
        node.xloc, node.xlocI = self.propagated(rest, False), self.propagated(rest, True)
        node.own, node.ownI = self.own_rounding(ins, bias, False), self.own_rounding(ins, bias, True)
        return node

    def fold_max(self, ins, where):
        """Replace alpha q + alpha relu(x - q) by alpha max(q, x) (an exact identity)."""
        out = list(ins)
        for n, w in ins:
            if n.kind != "posdiff":
                continue
            qs = [(m, v) for m, v in out if m is n.q]
            if len(qs) != 1 or qs[0][1] != w:
                raise Unsupported(f"{where}: relu(x - q) is used without q + relu(x - q)")
            q = n.q
            parts = dict(q.agg.parts)
            parts[n.xj] = n.x
            mx = Node("agg", agg=Agg("max", q.agg.const, parts))
            out = [(m, v) for m, v in out if m is not q and m is not n] + [(mx, w)]
        return out

    def linear(self, ins, bias: Fraction, where: str) -> Agg:
        if any(n.kind != "agg" for n, _ in ins):
            raise Unsupported(f"{where}: combines {sorted({n.kind for n, _ in ins})} values linearly")
        maxes = [(n, w) for n, w in ins if n.agg.kind == "max" and len(n.agg.parts) > 1]
        if maxes:
            if len(ins) != 1 or maxes[0][1] != 1:
                raise Unsupported(f"{where}: a running maximum is combined with other values")
            n = maxes[0][0]
            return Agg("max", n.agg.const + bias, n.agg.parts)
        const = bias + sum((w * n.agg.const for n, w in ins), ZERO)
        by_j: dict[int, list] = {}
        for n, w in ins:
            for j, p in n.agg.parts.items():
                by_j.setdefault(j, []).append((w, p))
        parts = {}
        for j, terms in by_j.items():
            parts[j] = terms[0][1] if (len(terms) == 1 and terms[0][0] == 1) else self.combine_plb(terms, ZERO)
        if len(parts) == 1:
            ((j, p),) = parts.items()
            return Agg("sum", ZERO, {j: self.combine_plb([(ONE, p)], const) if const != 0 else p})
        return Agg("sum", const, parts)

    def lower_bound(self, agg: Agg) -> Fraction:
        found = [p.lo.min_on(*self.domain) for p in agg.parts.values()]
        mins = [v for v in found if v is not None]
        assert len(mins) == len(found), "a lower function misses the block's domain"
        return agg.const + (sum(mins, ZERO) if agg.kind == "sum" else max(mins))

    # ----- the walk -----
    def run(self) -> BlockFacts:
        """Interpret the block map by map (every neuron through :meth:`neuron`), check that it ends as a chain
        block must, and return its facts."""
        self.first_layer_scan()
        state0 = Node("state", where="block input")
        nodes = self._input_nodes(state0)
        for ti, t in enumerate(self.maps):
            out: list[Node | None] = [None] * t.out_dim
            for src, dst in zip(t.carry_src, t.carry_dst):
                out[int(dst)] = nodes[int(src)]
            for a, o in enumerate(t.active):
                out[int(o)] = self.neuron(ti, t, a, int(o), nodes)
            nodes = out
        self._check_end(nodes, state0)
        assert self.indicator is not None  # _check_end refuses a block without an indicator
        return BlockFacts(
            k=self.k,
            indicator=self.indicator,
            labels=self.labels,
            gamma=self.gamma,
            alpha=self.alpha,
            shift=self.shift,
            domain=self.domain,
            r_box=self.r_box,
            n_pieces=self.max_pieces,
            n_neurons=self.n_neurons,
            fused=self.fused is not None,
        )

    def _input_nodes(self, state0: Node) -> list[Node | None]:
        """The block's inputs: the carried coordinates and the state (m, or the pair (m, e) of a fused chain)."""
        nodes: list[Node | None] = [None] * self.maps[0].in_dim
        for j, p in enumerate(self.coord_pos):
            mag = max(self.U_hi[j], -self.U_lo[j])  # u >= 0 in a chain; the raw x of an opening block may be < 0
            nodes[p] = Node("coord", coord=j, mag=mag, magI=mag, inE=self.E[j])
        if self.fused is None:
            assert self.state_pos is not None  # checked in __init__
            nodes[self.state_pos] = state0
        elif not self.opening:  # the previous block's pair (m, e): e = relu(L_prev - m) pending against this m
            nodes[self.fused[0]] = state0
            nodes[self.fused[1]] = Node("pending", q=state0, where="block input (the previous block's e)")
        return nodes

    def _check_end(self, nodes: list[Node | None], state0: Node) -> None:
        """Unsupported unless the coordinates end in their places and the state was updated exactly once
        (m <- max(m, z_b); fused: the pair (m, e) with m + e = max(m, z_b))."""
        last = len(self.maps) - 1
        ckind = "ucoord" if self.opening else "coord"
        for j, p in enumerate(self.end_coord_pos):
            node = nodes[p]
            if node is None or node.kind != ckind or node.coord != j:
                what = "the input map's u_j = x_j + b_j" if self.opening else "unchanged"
                raise Unsupported(f"map {last}: coordinate {j} does not end the block in its place ({what})")
        if self.fused is None:
            assert self.state_pos is not None  # checked in __init__
            end = nodes[self.state_pos]
            if self.indicator is None or self.n_updates != 1 or end is None or end.kind != "state" or end is state0:
                raise Unsupported(
                    f"map {last}: the block does not end with exactly one update m <- max(m, z) of the state"
                )
            return
        m, e = nodes[self.fused[0]], nodes[self.fused[1]]
        ok = (
            self.indicator is not None
            and self.n_updates == (0 if self.opening else 1)
            and m is not None
            and m.kind == "state"
            and (m.zero if self.opening else m is not state0)
            and e is not None
            and e.kind == "pending"
            and e.ind is self.indicator
            and (e.q is m or (self.opening and e.q is None))
        )
        if not ok:
            raise Unsupported(
                f"map {last}: the block does not end with the pair (m, e), m + e = max(m, z_b): "
                f"{'m = 0 and e = relu(L)' if self.opening else 'one update m <- m + e, then e = relu(L - m)'}"
            )


def interpret_block(
    seg,
    coord_pos: list[int],
    state_pos: int | None,
    U_lo: list[Fraction],
    U_hi: list[Fraction],
    E_in: list[Fraction],
    *,
    r_box: Fraction,
    float_mode: bool = True,
    fused: tuple[int, int] | None = None,
    opening: bool = False,
    end_coord_pos: list[int] | None = None,
) -> BlockFacts:
    """Interpret the chain segment ``seg`` (see the module docstring).

    ``coord_pos`` / ``state_pos``: input positions of the carried coordinates and of the running maximum;
    [U_lo_j, U_hi_j]: the range of the exact carried u_j over the union of the balls; E_in_j: a bound on the
    float64 error of the computed u_j (ignored unless ``float_mode``); ``r_box``: the ON box |a_j| <= r_box on
    which the ``...I`` bounds hold; ``fused`` / ``opening`` / ``end_coord_pos``: the fused layout (module
    docstring; ``end_coord_pos``: where the coordinates end the block, by default ``coord_pos``).
    Raises :class:`Unsupported`.
    """
    return _Interp(seg, coord_pos, state_pos, U_lo, U_hi, E_in, float_mode, r_box, fused, opening, end_coord_pos).run()
