"""The l_inf robust memorizer of Yu, Gao, Zhang (ICLR 2024): width 3d + 1, depth 2N + 1.

Yu, Gao, Zhang, "Optimal robust memorization with ReLU neural networks", ICLR 2024, Theorem 4.8
(as quoted in Section 2 and Appendix E.1 of Egosi, Yehudai, Shamir, who recover it with Remark 40):
for every dataset and every sigma < tau_inf / 2, where tau_inf = min{||x_i - x_j||_inf : y_i != y_j}
is the separation measured in the l_inf norm (the norm of the balls), some network of width 3d + 1
and depth 2N + 1 outputs y_i on every closed l_inf ball B_inf(x_i, sigma).

Their text was not available to us; this module builds the stated architecture (width 3d + 1,
depth 2N + 1 counted as affine maps, l_inf balls, every sigma < tau_inf / 2) from the parallel
l_inf indicator of Remark 40, fusing the indicator's output neuron with the running maximum so that
each data point costs two affine maps instead of Remark 40's four:

* map A_i (width 3d + 1): carry u = x + B, set m <- m + e (the pending maximum), and
  p_j = relu(a_j - r), n_j = relu(-a_j - r) with a = u - B - x_i;
* map B_i (width d + 2): carry u and m, e = relu(y_i - (y_i / w) sum_j (p_j + n_j) - m).

Since m >= 0, m + relu(L - m) = max(m, L) = max(m, relu(L)), so after block i the value m + e is
max_{k <= i} z_k with z_k = relu(y_k (1 - sum_j relu(|a_j| - r) / w)) the Remark 40 indicator
(y_k on B_inf(x_k, r), 0 beyond r + w).  The first block reads x itself (its map A is the input
map), and the output map returns m + e: 2N + 1 maps in all.  Theorem 37's argument then gives
f = y_i on B_inf(x_i, sigma) whenever r >= sigma and r + w <= tau_inf - sigma.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from robustmem.certificate import Certificate, Construction
from robustmem.construct.common import (
    carry_shift,
    check_two_classes,
    input_rounding,
    lowered,
    margin_or_raise,
    raised,
    resolve_sigma,
    shortened_up,
)
from robustmem.data import Dataset
from robustmem.errors import HypothesisError
from robustmem.gadgets.basic import neg_coef
from robustmem.network.builder import Builder, Coef, Expr, ExprLike, Param
from robustmem.network.network import ReLUNetwork, Segment

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["construct_yu2024", "yu2024_depth", "yu2024_width"]


def yu2024_width(d: int, N: int) -> int:
    """3d + 1 (N >= 2); a single point needs only max(3d, d + 2)."""
    return 3 * d + 1 if N >= 2 else max(3 * d, d + 2)


def yu2024_depth(N: int) -> int:
    """2N + 1 affine maps."""
    return 2 * N + 1


def _block_b(b: Builder, d: int, r_w: tuple[float, float], label: Coef, m: Expr | float) -> None:
    """Map B: e = relu(L - m), L = y (1 - sum(p + n) / w); carries u and m."""
    _, w = r_w
    total = Expr()
    for j in range(d):
        total = total + b.v(f"p{j}") + b.v(f"n{j}")
    L = total * label.times(-1.0 / w) + label
    new: dict[str, ExprLike] = {"e": L - m}
    if isinstance(m, float):
        new = {"m": 0.0, "e": L}
    b.layer(new, order=[f"u{j}" for j in range(d)] + ["m", "e"])


def construct_yu2024(
    dataset: Dataset, *, sigma: float | None = None, sigma_over_delta: float | None = None
) -> Construction:
    """Yu, Gao, Zhang 2024, Theorem 4.8 (architecture): width 3d + 1, depth 2N + 1, l_inf balls.

    Guarantee: for sigma < tau_inf / 2 (tau_inf the l_inf separation of differently-labelled
    points) the network outputs exactly y_i on every closed ball B_inf(x_i, sigma).
    HypothesisError otherwise (after the floating-point slack of robustmem.construct.common).
    ``sigma`` (the radius in the input's units) or ``sigma_over_delta`` (a fraction of the l_2
    separation delta of Definition 2): exactly one.

    >>> from robustmem.data import Dataset
    >>> net, cert = construct_yu2024(Dataset.from_arrays([[0.0, 0.0], [1.0, 0.0]], [1, 2]), sigma=0.25)
    >>> net([[0.2, -0.25], [0.75, 0.1]]).tolist(), net.width, net.depth
    ([1.0, 2.0], 7, 5)
    """
    sigma = resolve_sigma(dataset, sigma, sigma_over_delta)
    X = np.asarray(dataset.X, dtype=np.float64)
    y = np.asarray(dataset.y)
    check_two_classes(dataset, "Yu-Gao-Zhang Theorem 4.8")
    radii = _radii(dataset, X, sigma)
    d = X.shape[1]
    params = np.concatenate([X, y[:, None].astype(np.float64)], axis=1)
    segments = [Segment(tuple(_first_block(d, radii).maps), params[:1], name="input+block1")]
    if len(X) > 1:
        segments.append(Segment(tuple(_later_block(d, radii).maps), params[1:], name="blocks"))
    segments.append(Segment(tuple(_output_map(d).maps), np.zeros((1, 0)), name="output"))
    cert = _certificate(dataset, radii, *X.shape)
    net = ReLUNetwork(segments, meta={"construction": "yu2024", "certificate": cert.to_dict()})
    return Construction(net, cert)


@dataclass(frozen=True)
class _YuRadii:
    """The constants of one network: the claim, the carry shift and the indicators' radius and width.

    ``tau`` is the lowered l_inf separation, ``delta`` the l_2 one, ``rho`` the input rounding of the shift.
    """

    sigma: float
    tau: float
    delta: float
    shift: float
    rho: float
    r: float
    w: float


def _radii(dataset: Dataset, X: np.ndarray, sigma: float) -> _YuRadii:
    """Check sigma < tau_inf / 2 (HypothesisError) and size the indicators: r >= sigma + slack, r + w <= tau - sigma."""
    d = X.shape[1]
    tau_raw = dataset.separation(math.inf).delta
    tau = lowered(tau_raw, 2)
    if not sigma < tau_raw / 2:
        raise HypothesisError(
            f"Yu-Gao-Zhang Theorem 4.8 needs sigma < tau_inf / 2 = {tau_raw / 2:.17g} (tau_inf = l_inf separation "
            f"{tau_raw!r}); got sigma = {sigma!r}"
        )
    shift = carry_shift(float(np.abs(X).max(initial=0.0)), sigma)
    rho = input_rounding(shift)
    r = shortened_up(raised(sigma + rho, 8 * (d + 4)))
    delta = dataset.separation(2.0).delta
    w = margin_or_raise(tau, r, theorem="Yu-Gao-Zhang Theorem 4.8", sigma=sigma, delta=delta, reserve=rho)
    return _YuRadii(sigma, tau, delta, shift, rho, r, w)


def _first_block(d: int, radii: _YuRadii) -> Builder:
    """Block 1: map A_1 is the input map (u = x + shift, p and n), map B_1 starts the maximum (m = 0, e = z_1)."""
    xs = [f"x{j}" for j in range(d)]
    b1 = Builder(xs, raw_inputs=True, n_params=d + 1)
    new: dict[str, Expr | float] = {}
    for j in range(d):
        a = b1.v(xs[j]) + neg_coef(Param(j))
        new[f"u{j}"], new[f"p{j}"], new[f"n{j}"] = b1.v(xs[j]) + radii.shift, a - radii.r, -a - radii.r
    b1.layer(new, temp_names=[f"p{j}" for j in range(d)] + [f"n{j}" for j in range(d)])
    _block_b(b1, d, (radii.r, radii.w), Param(d), 0.0)
    return b1


def _later_block(d: int, radii: _YuRadii) -> Builder:
    """Blocks 2..N (one block, its parameters per point): map A_i sets m <- m + e and p, n; map B_i the new e."""
    u = [f"u{j}" for j in range(d)]
    blk = Builder(u + ["m", "e"], raw_inputs=False, n_params=d + 1)
    new: dict[str, Expr | float] = {"m": blk.v("m") + blk.v("e")}
    for j in range(d):
        a = blk.v(u[j]) + (Coef(-radii.shift) + neg_coef(Param(j)))
        new[f"p{j}"], new[f"n{j}"] = a - radii.r, -a - radii.r
    blk.layer(new, drop=["e"], temp_names=[f"p{j}" for j in range(d)] + [f"n{j}" for j in range(d)])
    _block_b(blk, d, (radii.r, radii.w), Param(d), blk.v("m"))
    return blk


def _output_map(d: int) -> Builder:
    """The output map m + e = max_k z_k."""
    out = Builder([f"u{j}" for j in range(d)] + ["m", "e"], raw_inputs=False)
    out.output(out.v("m") + out.v("e"))
    return out


def _certificate(dataset: Dataset, radii: _YuRadii, N: int, d: int) -> Certificate:
    """The certificate of Theorem 4.8's claim on l_inf balls of radius sigma."""
    return Certificate(
        construction="yu2024",
        theorem="Yu, Gao, Zhang 2024, Theorem 4.8",
        p=math.inf,
        sigma=radii.sigma,
        delta=radii.delta,
        tau=radii.tau,
        tau_norm=math.inf,
        r=radii.r,
        w=radii.w,
        shift=radii.shift,
        indicator="l_inf parallel (Remark 40) fused with the running maximum",
        n_points=N,
        input_dim=d,
        n_classes=dataset.C,
        classes=getattr(dataset, "classes", None),
        claimed_width=yu2024_width(d, N),
        claimed_depth=yu2024_depth(N),
        depth_formula="2N + 1",
        float_slack=radii.rho,
        dataset_fingerprint=dataset.fingerprint(),
        notes=(
            "hypothesis sigma < tau_inf / 2 with tau_inf the l_inf separation of differently-labelled points",
            "architecture as stated by Yu-Gao-Zhang (their proof text was not available); built from Remark 40's "
            "parallel l_inf indicator with the indicator output merged into the running maximum",
        ),
    )
