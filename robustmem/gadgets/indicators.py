"""Ball indicators on a carried input (Lemmas 38 and 39, Remark 40).

Each emitter works inside a block whose slots include the carried, shifted coordinates
``u_j = x_j + shift`` (non-negative on the balls).  It computes ``a_j = u_j - shift - c_j`` =
x_j - c_j for the centre ``c`` and leaves in a new slot the value ``z`` with

* z = y0 on ||x - c||_p <= r,
* z = 0 on ||x - c||_p >= r + w,
* 0 <= z <= y0 everywhere (label y0 > 0),

which is what the chain of Theorem 37 needs.  Centre coordinates and the label may be block
parameters (:func:`~robustmem.network.builder.Param`), so one template serves every data point.

Variants (k = number of coordinates):

==================  =======================  ===========  ========================
emitter             norm, exactness          width        maps
==================  =======================  ===========  ========================
indicator_linf      l_inf, exact (Lemma 39)  k + 4        2k + 1
indicator_l1        l_1, exact               k + 4        k + 2
indicator_l2        l_2 via f_M (Lemma 38)   k + 6        k (M + 1) + 2
indicator_linf_par  l_inf, exact (Rem. 40)   3k + 1       2
indicator_l1_par    l_1, exact (Rem. 40)     3k + 1       3
indicator_lp        l_p, p >= 2 integer      k + 5 (p=2)  k (2 + M + (p-2)(3M+1))
(indicators_lp.py)  via g_{p,M} (Lemma 38)   k + 7 (p>2)  + 2
indicator_lp_par    l_p, as indicator_lp,    4k + 2 (p=2) 1 + M + (p-2)(3M+1) + 3
(indicators_lp.py)  coordinates in parallel  6k + 2 (p>2)
==================  =======================  ===========  ========================

(the widths count the carried k coordinates and the chain's running maximum).
"""

from __future__ import annotations

from collections.abc import Sequence

from robustmem.errors import InvalidArgumentError
from robustmem.gadgets.basic import abs_parts, neg_coef
from robustmem.gadgets.squaring import emit_square
from robustmem.network.builder import Builder, Coef, Expr, ExprLike

__all__ = [
    "indicator_l1",
    "indicator_l1_par",
    "indicator_l2",
    "indicator_linf",
    "indicator_linf_par",
    "l2_penalty",
]


def _offset(b: Builder, u: str, c: Coef, shift: float) -> Expr:
    """a = u - shift - c  (the bias -(shift + c) is one float64 number per coordinate)."""
    return b.v(u) + (Coef(-float(shift)) + neg_coef(c))


def _check(u: Sequence[str], center: Sequence[Coef], r: float, w: float) -> None:
    if len(u) != len(center) or not u:
        raise InvalidArgumentError(f"need one centre coordinate per input slot, got {len(center)} for {len(u)}")
    if not (r >= 0 and w > 0):
        raise InvalidArgumentError(f"an indicator needs r >= 0 and w > 0, got r={r!r}, w={w!r}")


def _label_output(b: Builder, t: str | Expr, label: Coef, scale: float, tag: str) -> str:
    """z = relu(y0 - y0 * scale * t) in one map (t: a slot or an expression of plain
    coefficients); returns the slot name of z."""
    t_expr = b.v(t) if isinstance(t, str) else t
    b.layer({f"{tag}.z": t_expr * label.times(-scale) + label})
    return f"{tag}.z"


def _threshold_output(
    b: Builder, total: Expr, thr: float, label: Coef, scale: float, tag: str, *, drop: Sequence[str] = ()
) -> str:
    """The indicators' last two maps: t = relu(total - thr) (the slots ``drop`` not carried further), then
    z = relu(y0 - y0 * scale * t); returns the slot name of z."""
    b.layer({f"{tag}.t": total - thr}, drop=drop, temp=True)
    return _label_output(b, f"{tag}.t", label, scale, tag)


def _abs_layer(b: Builder, u: Sequence[str], center: Sequence[Coef], shift: float, tag: str) -> list[Expr]:
    """One map with relu(a_j) and relu(-a_j) for every coordinate (a_j = u_j - shift - c_j), temporary;
    returns the expressions |a_j| (the parallel indicators' first map)."""
    parts: dict[str, ExprLike] = {}
    for j, (name, c) in enumerate(zip(u, center)):
        a = _offset(b, name, c, shift)
        parts[f"{tag}.a{j}+"], parts[f"{tag}.a{j}-"] = a, -a
    b.layer(parts, temp=True)
    return [b.v(f"{tag}.a{j}+") + b.v(f"{tag}.a{j}-") for j in range(len(u))]


def _penalty_inputs(bs: Sequence[Expr], K: float, tag: str) -> tuple[dict[str, ExprLike], Expr]:
    """Lemma 38's c_j = relu(2 b_j - 1) for every coordinate (slots ``{tag}.c{j}``) and the penalty sum
    sum_j K c_j that reads them."""
    cs: dict[str, ExprLike] = {f"{tag}.c{j}": 2.0 * bj - 1.0 for j, bj in enumerate(bs)}
    penalty = Expr()
    for name in cs:
        penalty = penalty + Expr({name: Coef(K)})
    return cs, penalty


def indicator_linf(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    shift: float,
    tag: str = "I",
) -> str:
    """Lemma 39: running maximum q of |a_j|, then z = relu(y0 (1 - relu(q - r) / w)). Exact."""
    _check(u, center, r, w)
    q, pending = f"{tag}.q", None
    for j, (name, c) in enumerate(zip(u, center)):
        absval = abs_parts(
            b, _offset(b, name, c, shift), f"{tag}.a{j}", extra={q: pending} if pending is not None else None
        )
        if j == 0:
            pending = absval
        else:
            b.layer({f"{tag}.e": absval - b.v(q)}, temp=True)  # relu(|a_j| - q)
            pending = b.v(q) + b.v(f"{tag}.e")  # max(q, |a_j|)
    assert pending is not None  # _check requires at least one input slot
    return _threshold_output(b, pending, r, label, 1.0 / w, tag, drop=[q] if q in b.slots else [])


def indicator_l1(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    shift: float,
    tag: str = "I",
) -> str:
    """l_1 ball indicator: running sum S = sum_j |a_j|, z = relu(y0 (1 - relu(S - r) / w)). Exact."""
    _check(u, center, r, w)
    S, pending = f"{tag}.S", None
    for j, (name, c) in enumerate(zip(u, center)):
        absval = abs_parts(
            b, _offset(b, name, c, shift), f"{tag}.a{j}", extra={S: pending} if pending is not None else None
        )
        pending = absval if pending is None else b.v(S) + absval
    assert pending is not None  # _check requires at least one input slot
    return _threshold_output(b, pending, r, label, 1.0 / w, tag, drop=[S] if S in b.slots else [])


def l2_penalty(r: float, w: float) -> float:
    """The coefficient r^2 + 3 w^2 / 4 of c_j = relu(2 b_j - 1) in Lemma 38 (p = 2)."""
    return r * r + 0.75 * w * w


def indicator_l2(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    shift: float,
    M: int,
    tag: str = "I",
) -> str:
    """Lemma 38 with p = 2 and g = f_M (the squaring net):

    Delta = w + 2r, b_j = |a_j| / Delta, c_j = relu(2 b_j - 1), eta_j = Delta^2 f_M(b_j),
    Sigma = sum_j (eta_j + (r^2 + 3 w^2 / 4) c_j),
    z = relu(y0 (1 - relu(Sigma - r^2 - w^2 / 4) / (w^2 / 2))).

    Correct when 2^(-2M-2) < w^2 / (4 k Delta^2) (k = number of coordinates).
    """
    _check(u, center, r, w)
    Delta = w + 2.0 * r
    K = l2_penalty(r, w)
    S, pending = f"{tag}.S", None
    for j, (name, c) in enumerate(zip(u, center)):
        absval = abs_parts(
            b, _offset(b, name, c, shift), f"{tag}.a{j}", extra={S: pending} if pending is not None else None
        )
        bj = absval / Delta
        cj = f"{tag}.c"
        current = b.v(S) if S in b.slots else Expr()
        if M >= 2:
            f = emit_square(
                b,
                bj,
                M,
                f"{tag}.sq",
                first_extra={cj: 2.0 * bj - 1.0},
                first_temp=True,
                second_extra={S: current + Expr({cj: Coef(K)})},
            )
            pending = b.v(S) + (Delta * Delta) * f
        else:
            f = emit_square(b, bj, M, f"{tag}.sq", first_extra={cj: 2.0 * bj - 1.0}, first_temp=True)
            pending = current + K * b.v(cj) + (Delta * Delta) * f
    thr = r * r + 0.25 * w * w
    assert pending is not None  # _check requires at least one input slot
    return _threshold_output(b, pending, thr, label, 2.0 / (w * w), tag, drop=[S] if S in b.slots else [])


def indicator_linf_par(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    shift: float,
    tag: str = "I",
) -> str:
    """Remark 40 (parallel), l_inf: z = relu(y0 (1 - sum_j relu(|a_j| - r) / w)), with
    relu(|a| - r) = relu(a - r) + relu(-a - r) for r >= 0.  Exact; 2 maps, width 3k + 1 in a chain."""
    _check(u, center, r, w)
    new = {}
    for j, (name, c) in enumerate(zip(u, center)):
        a = _offset(b, name, c, shift)
        new[f"{tag}.p{j}"], new[f"{tag}.n{j}"] = a - r, -a - r
    b.layer(new, temp=True)
    total = Expr()
    for name in new:
        total = total + b.v(name)
    return _label_output(b, total, label, 1.0 / w, tag)


def indicator_l1_par(
    b: Builder,
    u: Sequence[str],
    center: Sequence[Coef],
    label: Coef,
    r: float,
    w: float,
    *,
    shift: float,
    tag: str = "I",
) -> str:
    """Remark 40 (parallel), l_1: all |a_j| in one map, then z = relu(y0 (1 - relu(sum|a_j| - r)/w))."""
    _check(u, center, r, w)
    total = Expr()
    for absval in _abs_layer(b, u, center, shift, tag):
        total = total + absval
    return _threshold_output(b, total, r, label, 1.0 / w, tag)
