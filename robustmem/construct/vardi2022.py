"""The non-robust O~(sqrt N)-parameter memorizer of Vardi, Yehudai, Shamir (ICLR 2022), width <= 12.

Vardi, Yehudai, Shamir, "On the Optimal Memorization Power of ReLU Neural Networks", ICLR 2022
(arXiv 2110.03187), Theorem 3.1: N separated points can be memorized by a ReLU network of width 12,
depth O~(sqrt N) and O~(sqrt N) parameters (plus d for the first map), whose weights carry
O~(sqrt N) bits.  Their text was not available to us beyond the abstract; the architecture here
follows the restatement of their Lemmas A.5 and A.7 in Kim, Moon, Yun (NeurIPS 2025, arXiv
2510.24643), Appendix B.2.1, Lemmas B.6-B.10 (Lemma B.10: width 12, depth O~(sqrt N), O~(sqrt N)
parameters and bit complexity; Lemma B.9: two width-5 bit extractors plus two carried neurons).

The network, in the order of its layers:

1. Projection onto a line (VYS's first stage).  An integer direction a whose projections
   t_i = <a, x_i> differ for differently-labelled points (checked in exact arithmetic), then
   s(x) = kappa (<a, x> - min t) + c with kappa the smallest power of two with kappa g >= 1
   (g = the least gap between differently-labelled projections): differently-labelled points land
   in different unit cells [m, m + 1).  The shift c centres the widest circular gap g' >= 1/n of the
   fractional parts of the kappa t_i on the integers (the translation of KMY Lemma B.15), so every
   s_i lies in [m_i + g'/2, m_i + 1 - g'/2]; eta is a power of two <= g'/4.  Points sharing a cell
   share a label; the keys are the n distinct pairs (m_i, y_i).
2. Group selection (KMY Lemma B.7).  The sorted keys are cut into G groups of B consecutive keys;
   group j is encoded by two integers, U_j (its keys, rho bits each, concatenated) and W_j (its
   labels, c bits each) -- KMY Lemma B.10's u_j, w_j.  With n_j = relu((start_j - s) / eta) and
   st_j = relu(1 - n_j) (1 from the first key of group j on, 0 up to eta before it), the telescoping
   sums U = U_0 + sum_j (U_j - U_{j-1}) st_j and W (the same for W_j) equal the encoding of the group
   of s on every cell [m, m + 1 - eta] of a key.  Pipelined: one layer per group.
3. Bit extraction (KMY Lemma B.8, VYS Lemma A.7).  The bits of U are read from the top: with
   H = 2^(remaining bits - 1), n = relu(H - U), bit = relu(1 - n), U <- U - H bit, exact for an
   integer U; rho bits make one key, c bits of W one label, two layers per bit.  (VYS use Telgarsky's
   triangle map; the threshold form used here is the same idea with integer states.  The bit is a
   neuron of its own so that no weight ever multiplies a large value by H.)
4. Gate (KMY Lemmas B.6 and B.9).  For key k with label l, with
   iA = relu((k - s) / eta) and iB = relu((s - k - 1 + eta) / eta) (both 0 on [k, k + 1 - eta], one of
   them >= 2 on every other key's cell), e = relu(l - 2^c (iA + iB)) is l on the key's cell and 0 on
   the others' (l < 2^c); the output is the sum of the e's of the selected group.

Layout: the extraction layers carry s and the running output, (U, key, n or bit, iA or e) for the
key extractor and (W, label, n or bit, iB) for the label extractor: width 10 (LAYOUT_WIDTH), below
the 12 of KMY Lemma B.9's accounting (their extractors keep two triangle encodings each).  Depth
2 B T + G + 3 with T = max(rho, c, 2) bit pairs per key; with B ~ sqrt(n / (2T)) this is
O(sqrt(n log n)) layers of O(1) parameters each.

Exactness: every weight is an exact rational (:class:`~robustmem.network.rational.RationalNetwork`);
U_j has rho B bits, beyond float64 from a few hundred points on.  The float64 view (weights rounded
to float64) computes every intermediate value exactly while those integers stay below 2^53 (the
margins of step 1 absorb the rounding of s) and fails once they do not
(:func:`~robustmem.construct.vardi2022_checks.float64_fit`).

Robustness: none claimed.  f(x) = h(s(x)) and h is constant on the cells [m_i, m_i + 1 - eta] of the
keys, so the labels survive on balls of radius about g' / (4 kappa ||a||_q) (proved:
:func:`~robustmem.construct.vardi2022_checks.vardi2022_radius`, typically 1e-6..1e-2 delta) and
break at the radius :func:`~robustmem.construct.vardi2022_checks.vardi2022_breaking_radius` that
carries s(x_i) to the nearest other label's cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from robustmem.certificate import Certificate, Construction
from robustmem.construct.common import dataset_fingerprint
from robustmem.data import Dataset
from robustmem.errors import HypothesisError, InvalidArgumentError
from robustmem.network.rational import RationalLayer, RationalNetwork
from robustmem.norms import check_p

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["LAYOUT_WIDTH", "VYS_WIDTH", "VardiPlan", "construct_vardi2022", "vardi2022_depth"]

VYS_WIDTH = 12  # Vardi-Yehudai-Shamir Theorem 3.1 (KMY Lemma B.10): width 12
LAYOUT_WIDTH = 10  # the width of the layout built here (the extraction layers), <= VYS_WIDTH
INTEGER_TRIES = 32  # random integer directions tried when no coordinate axis separates the labels
_SLOTS = ("s", "out", "U", "k", "r", "A", "V", "l", "q", "B")  # the 10-neuron layout of the extraction layers


@dataclass(frozen=True)
class VardiPlan:
    """The constants of one construction (all exact).

    ``direction`` a (integers), ``kappa`` and ``shift`` c of s(x) = kappa (<a, x> - t_min) + c,
    ``eta`` the cell margin, ``keys`` and ``labels`` (sorted by key), ``rho`` bits per key,
    ``label_bits`` c, ``group_size`` B, ``groups`` G, ``steps`` T per key, ``fractions`` the
    fractional parts of the s_i (per distinct key).
    """

    direction: tuple[int, ...]
    t_min: Fraction
    kappa: Fraction
    shift: Fraction
    eta: Fraction
    keys: tuple[int, ...]
    labels: tuple[int, ...]
    rho: int
    label_bits: int
    group_size: int
    groups: int
    steps: int

    @property
    def key_bits_per_group(self) -> int:
        """rho B: the bit length of the U_j integers (what float64 must hold)."""
        return self.rho * self.group_size

    def s_exact(self, x: Any) -> Fraction:
        """s(x) = kappa (<a, x> - t_min) + c, exactly (floats read as exact rationals)."""
        t = sum((Fraction(float(v)) * a for v, a in zip(x, self.direction) if a), Fraction(0))
        return self.kappa * (t - self.t_min) + self.shift


# ------------------------------------------------------------------ stage 1: the line
def _exact_rows(X: np.ndarray) -> list[list[Fraction]]:
    return [[Fraction(float(v)) for v in row] for row in X]


def _label_gap(t: list[Fraction], y: np.ndarray) -> Fraction | None:
    """min |t_i - t_j| over differently-labelled pairs (consecutive in sorted order suffices); None
    when there is a single label."""
    order = sorted(range(len(t)), key=lambda i: t[i])
    gaps = [t[b] - t[a] for a, b in zip(order, order[1:]) if y[a] != y[b]]
    return min(gaps) if gaps else None


def _direction(Xf: list[list[Fraction]], y: np.ndarray, seed: int) -> tuple[tuple[int, ...], list[Fraction]]:
    d = len(Xf[0])
    best, best_score = None, -1.0
    for j in range(d):
        t = [row[j] for row in Xf]
        g = _label_gap(t, y)
        spread = max(t) - min(t)
        if g is None:
            return tuple(int(i == j) for i in range(d)), t
        if g > 0 and float(g / spread) > best_score:
            best, best_score = j, float(g / spread)
    if best is not None:
        return tuple(int(i == best) for i in range(d)), [row[best] for row in Xf]
    rng = np.random.default_rng(seed)
    for _ in range(INTEGER_TRIES):
        a = [int(v) for v in rng.integers(-64, 65, size=d)]
        t = [sum((v * ai for v, ai in zip(row, a) if ai), Fraction(0)) for row in Xf]
        g = _label_gap(t, y)
        if g is None or g > 0:
            return tuple(a), t
    raise HypothesisError(
        f"no integer direction among {INTEGER_TRIES} draws separates the labels on a line "
        "(differently-labelled points coincide?)"
    )


def _power_of_two_at_least(x: Fraction) -> Fraction:
    """The smallest 2^e >= x (x > 0)."""
    e = x.numerator.bit_length() - x.denominator.bit_length()
    v = Fraction(2) ** e
    while v < x:
        v *= 2
    while v / 2 >= x:
        v /= 2
    return v


def _power_of_two_at_most(x: Fraction) -> Fraction:
    v = _power_of_two_at_least(x)
    return v if v == x else v / 2


def _shift(frac: list[Fraction]) -> tuple[Fraction, Fraction]:
    """(c, g): c in [0, 1) such that the fractional parts of f + c all lie in [g / 2, 1 - g / 2], g the
    widest circular gap between the sorted distinct fractional parts (g >= 1 / n)."""
    fs = sorted(set(frac))
    if len(fs) == 1:
        return (Fraction(1, 2) - fs[0]) % 1, Fraction(1)
    gaps = [(fs[i + 1] - fs[i], i + 1) for i in range(len(fs) - 1)] + [(1 - fs[-1] + fs[0], 0)]
    g, after = max(gaps)
    return (g / 2 - fs[after]) % 1, g


# ------------------------------------------------------------------ exact layers from named expressions
Expr = dict[str, Fraction]  # name -> coefficient; "1" is the constant term


def _e(const: Any = 0, **coefs: Any) -> Expr:
    out = {k: Fraction(v) for k, v in coefs.items() if v}
    if const:
        out["1"] = Fraction(const)
    return out


def _add(*terms: tuple[Any, Expr]) -> Expr:
    out: Expr = {}
    for c, ex in terms:
        for k, v in ex.items():
            out[k] = out.get(k, Fraction(0)) + Fraction(c) * v
    return {k: v for k, v in out.items() if v}


class _Stack:
    """Layers built from named affine expressions over the previous layer's outputs."""

    def __init__(self, names: list[str]):
        self.names = list(names)
        self.layers: list[RationalLayer] = []

    def layer(self, outputs: list[tuple[str, Expr]]) -> None:
        col = {n: i for i, n in enumerate(self.names)}
        rows, bias = [], []
        for _, ex in outputs:
            unknown = [k for k in ex if k != "1" and k not in col]
            assert not unknown, f"expression reads {unknown}, not among {self.names}"  # can't happen
            rows.append(tuple(sorted((col[k], v) for k, v in ex.items() if k != "1")))
            bias.append(ex.get("1", Fraction(0)))
        self.layers.append(RationalLayer(len(self.names), tuple(rows), tuple(bias)))
        self.names = [n for n, _ in outputs]


# ------------------------------------------------------------------ the construction
def _plan(dataset: Dataset, seed: int, group_size: int | None) -> tuple[VardiPlan, list[int]]:
    X = np.asarray(dataset.X, dtype=np.float64)
    y = np.asarray(dataset.y, dtype=np.int64)
    Xf = _exact_rows(X)
    a, t = _direction(Xf, y, seed)
    t_min = min(t)
    g = _label_gap(t, y)
    kappa = Fraction(1) if g is None else _power_of_two_at_least(1 / g)
    s0 = [kappa * (ti - t_min) for ti in t]
    c, gap = _shift([v - math.floor(v) for v in s0])
    eta = _power_of_two_at_most(gap / 4)
    s = [v + c for v in s0]
    cell = [math.floor(v) for v in s]
    pairs = sorted(set(zip(cell, (int(v) for v in y))))
    keys = [m for m, _ in pairs]
    if len(set(keys)) != len(keys):  # can't happen: kappa g >= 1 separates labels into cells
        raise AssertionError("two labels share a cell")
    labels = [lab for _, lab in pairs]
    n = len(keys)
    rho = max(1, max(keys).bit_length())
    cbits = max(labels).bit_length()
    T = max(rho, cbits, 2)
    if group_size is None:
        B = max(1, min(n, round(math.sqrt(n / (2 * T)))))
    else:
        if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < 1:
            raise InvalidArgumentError(f"group_size must be an integer >= 1, got {group_size!r}")
        B = min(group_size, n)
    G = -(-n // B)
    plan = VardiPlan(tuple(a), t_min, kappa, c, eta, tuple(keys), tuple(labels), rho, cbits, B, G, T)
    return plan, cell


def _encode(plan: VardiPlan) -> tuple[list[int], list[int], list[int]]:
    """(starts, U_j, W_j) per group; short groups padded with key 0, label 0 (their gate outputs 0)."""
    B, rho, cb = plan.group_size, plan.rho, plan.label_bits
    starts, Us, Ws = [], [], []
    for j in range(plan.groups):
        ks = list(plan.keys[j * B : (j + 1) * B])
        ls = list(plan.labels[j * B : (j + 1) * B])
        starts.append(ks[0])
        ks += [0] * (B - len(ks))
        ls += [0] * (B - len(ls))
        Us.append(sum(k << (rho * (B - 1 - q)) for q, k in enumerate(ks)))
        Ws.append(sum(lab << (cb * (B - 1 - q)) for q, lab in enumerate(ls)))
    return starts, Us, Ws


def _line_expr(plan: VardiPlan, d: int) -> Expr:
    """s(x) = kappa (<a, x> - t_min) + c over the inputs x0..x{d-1}."""
    return _add(
        *((plan.kappa * a, _e(**{f"x{j}": 1})) for j, a in enumerate(plan.direction) if a),
        (1, _e(plan.shift - plan.kappa * plan.t_min)),
    )


def _selection_layers(st: _Stack, plan: VardiPlan, s_expr: Expr) -> tuple[Expr, Expr]:
    """Append the G group-selection layers; return the expressions of U and V (the selected group's U_j, W_j).

    Pipelined: layer 1 reads x; U, V start at group 0; n_j = relu((start_j - s) / eta) is computed in
    layer j, st_j = relu(1 - n_j) (1 on group j and beyond, 0 before it) in layer j + 1, and
    U += (U_j - U_{j-1}) st_j in layer j + 2 (the prep layer, which receives the returned expressions, for j = G - 1).
    """
    starts, Us, Ws = _encode(plan)
    G, inv = plan.groups, 1 / plan.eta

    def n_of(j: int, s: Expr) -> tuple[str, Expr]:
        return ("n", _add((-inv, s), (1, _e(inv * starts[j]))))

    st.layer([("s", s_expr), ("U", _e(Us[0])), ("V", _e(Ws[0]))] + ([n_of(1, s_expr)] if G >= 2 else []))
    for ell in range(2, G + 1):
        outs = [("s", _e(s=1))]
        j = ell - 2  # st_j arrives in this layer's input when j >= 1
        if j >= 1:
            outs += [("U", _e(U=1, st=Us[j] - Us[j - 1])), ("V", _e(V=1, st=Ws[j] - Ws[j - 1]))]
        else:
            outs += [("U", _e(U=1)), ("V", _e(V=1))]
        if ell <= G - 1:
            outs.append(n_of(ell, _e(s=1)))
        outs.append(("st", _e(1, n=-1)))
        st.layer(outs)
    if G >= 2:
        return _e(U=1, st=Us[G - 1] - Us[G - 2]), _e(V=1, st=Ws[G - 1] - Ws[G - 2])
    return _e(U=1), _e(V=1)


@dataclass(frozen=True)
class _Extractor:
    """One bit extractor's neurons and sizes.

    ``X`` holds the integer read from the top, ``k`` the value assembled from its bits, ``r`` n or the bit;
    ``per`` bits per item (key or label) and ``L`` bits in all.
    """

    X: str
    k: str
    r: str
    per: int
    L: int


def _extractors(plan: VardiPlan) -> tuple[_Extractor, _Extractor]:
    """The key extractor (U, rho bits per key) and the label extractor (W in slot V, c bits per label)."""
    B = plan.group_size
    return _Extractor("U", "k", "r", plan.rho, plan.rho * B), _Extractor(
        "V", "l", "q", plan.label_bits, plan.label_bits * B
    )


def _bit_index(plan: VardiPlan, q: int, u: int, per: int) -> int | None:
    """The bit read by the u-th (bit, update) pair of block q, or None where this extractor reads none.

    The extractor with fewer bits per item starts later in the block, so that both end together.
    """
    t = u - (plan.steps - per)
    return q * per + t if 0 <= t < per else None


def _next_bit(plan: VardiPlan, q: int, tau: int) -> tuple[int, int] | None:
    """(block, pair) of the bit read after layer tau of block q; None after the last."""
    T, B = plan.steps, plan.group_size
    return (q, (tau + 1) // 2) if tau + 1 < 2 * T else ((q + 1, 0) if q + 1 < B else None)


def _n_expr(plan: VardiPlan, cur: Expr, pos: tuple[int, int] | None, ex: _Extractor) -> Expr:
    """n = relu(H - X) for the bit at ``pos`` (H = 2^(bits left - 1)); empty where that pair reads no bit."""
    g = None if pos is None else _bit_index(plan, pos[0], pos[1], ex.per)
    return {} if g is None else _add((1, _e(1 << (ex.L - 1 - g))), (-1, cur))


@dataclass(frozen=True)
class _ExtractorStep:
    """One extractor's slots in one extraction layer, and (update layers) its value after the layer."""

    slots: dict[str, Expr]
    value: Expr


def _extractor_step(plan: VardiPlan, ex: _Extractor, q: int, tau: int) -> _ExtractorStep:
    """Layer tau of block q for one extractor.

    Even tau: a bit layer, bit = relu(1 - n).  Odd tau: an update layer, X <- X - H bit, value <- 2 value + bit,
    and n = relu(H' - X) for the next bit.
    """
    g = _bit_index(plan, q, tau // 2, ex.per)
    first_bit = g is not None and g == q * ex.per
    if tau % 2 == 0:
        slots = {ex.X: _e(**{ex.X: 1}), ex.k: {} if (g is None or first_bit) else _e(**{ex.k: 1})}
        if g is not None:
            slots[ex.r] = _e(1, **{ex.r: -1})
        return _ExtractorStep(slots, {})
    if g is not None:
        newX = _add((1, _e(**{ex.X: 1})), (-(1 << (ex.L - 1 - g)), _e(**{ex.r: 1})))
        newk = _add((0 if first_bit else 2, _e(**{ex.k: 1})), (1, _e(**{ex.r: 1})))
    else:
        newX, newk = _e(**{ex.X: 1}), {}
    slots = {} if tau == 2 * plan.steps - 1 else {ex.k: newk}
    nxt = _next_bit(plan, q, tau)
    if nxt is not None:
        slots[ex.X] = newX
        slots[ex.r] = _n_expr(plan, newX, nxt, ex)
    return _ExtractorStep(slots, newk)


def _extraction_layer(plan: VardiPlan, q: int, tau: int) -> list[tuple[str, Expr]]:
    """Layer tau of block q (2T layers per block): both extractors' step, the running output, and the gate.

    The gate of block q - 1 (e = relu(l - 2^c (iA + iB))) runs in layer 0 of block q; in a block's last layer
    the key and label are final and iA, iB and the label go to the next layer's gate.
    """
    inv, cb = 1 / plan.eta, plan.label_bits
    out: dict[str, Expr] = {n: {} for n in _SLOTS}
    out["s"] = _e(s=1)
    out["out"] = _add((1, _e(out=1)), (1, _e(A=1) if (tau == 1 and q >= 1) else {}))
    if tau == 0 and q >= 1:
        out["A"] = _e(l=1, A=-(1 << cb), B=-(1 << cb))
    key, label = (_extractor_step(plan, ex, q, tau) for ex in _extractors(plan))
    out.update(key.slots)
    out.update(label.slots)
    if tau == 2 * plan.steps - 1:
        out["A"] = _add((inv, key.value), (-inv, _e(s=1)))
        out["B"] = _add((inv, _e(s=1)), (-inv, key.value), (1, _e(inv * (plan.eta - 1))))
        out["l"] = label.value
    return [(n, out[n]) for n in _SLOTS]


def _build(plan: VardiPlan, d: int) -> RationalNetwork:
    """The exact network of the module docstring.

    Layers: G selection layers, a prep layer, B blocks of 2T extraction layers, the last gate, the output.
    """
    st = _Stack([f"x{j}" for j in range(d)])
    U0, V0 = _selection_layers(st, plan, _line_expr(plan, d))
    key_ex, label_ex = _extractors(plan)
    prep: dict[str, Expr] = {n: {} for n in _SLOTS}
    prep["s"], prep["U"], prep["V"] = _e(s=1), U0, V0
    prep["r"], prep["q"] = _n_expr(plan, U0, (0, 0), key_ex), _n_expr(plan, V0, (0, 0), label_ex)
    st.layer([(n, prep[n]) for n in _SLOTS])
    for q in range(plan.group_size):
        for tau in range(2 * plan.steps):
            st.layer(_extraction_layer(plan, q, tau))
    cb = plan.label_bits
    st.layer([("out", _e(out=1)), ("e", _e(l=1, A=-(1 << cb), B=-(1 << cb)))])
    st.layer([("f", _e(out=1, e=1))])
    return RationalNetwork(st.layers)


def vardi2022_depth(plan: VardiPlan) -> int:
    """2 B T + G + 3 affine maps."""
    return 2 * plan.group_size * plan.steps + plan.groups + 3


def construct_vardi2022(
    dataset: Dataset, *, p: float = 2.0, seed: int = 0, group_size: int | None = None
) -> Construction:
    """Vardi, Yehudai, Shamir (ICLR 2022), Theorem 3.1 (width 12; this layout 10), O~(sqrt N) parameters.

    Guarantee: the returned :class:`~robustmem.network.rational.RationalNetwork` outputs exactly y_i
    at every x_i (in exact rational arithmetic: ``net.evaluate_exact``).  NO robustness: the
    certificate claims sigma = 0 (see :mod:`robustmem.construct.vardi2022_checks`); ``p`` only names the norm of the
    report.  ``group_size`` B overrides the default round(sqrt(n / T)).

    >>> from robustmem.data import Dataset
    >>> ds = Dataset.from_arrays([[0.0, 1.0], [1.0, 0.5], [3.0, 0.25], [4.0, 2.0]], [1, 2, 1, 3])
    >>> net, cert = construct_vardi2022(ds)
    >>> [int(v) for v in net.evaluate_exact(ds.X)], net.width, cert.sigma
    ([1, 2, 1, 3], 10, 0.0)
    """
    p = check_p(p)
    plan, _ = _plan(dataset, seed, group_size)
    net = _build(plan, dataset.d)
    cert = _certificate(dataset, plan, net, p)
    net.meta.update({"construction": "vardi2022", "certificate": cert.to_dict(), "plan": plan})
    return Construction(net, cert)


def _certificate(dataset: Dataset, plan: VardiPlan, net: RationalNetwork, p: float) -> Certificate:
    """The certificate of a built network: sigma = 0 (no robustness), the plan's constants in the notes."""
    notes = (
        "not robust: f(x) = h(s(x)) with s(x) = kappa (<a, x> - t_min) + c; the point with fractional part 0 has "
        "robust radius 0 (vardi2022_attack)",
        f"{len(plan.keys)} keys, rho = {plan.rho} bits per key, c = {plan.label_bits} bits per label, "
        f"B = {plan.group_size} keys per group, G = {plan.groups} groups, T = {plan.steps} layers per key; "
        f"largest weight {net.max_weight_bits()} bits (float64 holds 53)",
        "architecture after Kim-Moon-Yun 2025, Appendix B.2.1 (Lemmas B.6-B.10), their restatement of VYS "
        "Lemmas A.5/A.7",
    )
    return Certificate(
        construction="vardi2022",
        theorem="Vardi, Yehudai, Shamir 2022, Theorem 3.1",
        p=p,
        sigma=0.0,
        delta=dataset.separation(2.0).delta,
        tau=0.0,
        tau_norm=2.0,
        r=0.0,
        w=0.0,
        shift=float(plan.shift),
        indicator="none (cells of a line, bit extraction)",
        n_points=dataset.N,
        input_dim=dataset.d,
        n_classes=dataset.C,
        classes=getattr(dataset, "classes", None),
        claimed_width=LAYOUT_WIDTH,
        claimed_depth=vardi2022_depth(plan),
        depth_formula="2 B T + G + 3",
        dataset_fingerprint=dataset_fingerprint(dataset),
        notes=notes,
    )
