"""Theorem 36: the hard instance for (delta, q)-separated data, Theorem 19's instance with the l_q scaling.

Egosi, Yehudai, Shamir (COLT 2025), Theorem 36 and its proof (Appendix F.2).  Given q in [1, inf], build
Theorem 19's binary instance (:func:`~robustmem.lower_bound.instance.hard_instance`) with l_2 separation
delta' = c+_{q,2}(d) delta and sigma' = c-_{p,2}(d) sigma.  Lemma 69 gives ||v||_q >= ||v||_2 / c+_{q,2}(d),
so its l_q separation delta_q is at least delta (computed here, not assumed), and the kernel attack of
Theorem 17 (:func:`~robustmem.lower_bound.attack.kernel_attack`) finds, for every first layer of rank <= k on
the instance's k + 1 coordinates, two differently-labelled points of the l_p balls with the same image.

Note on the statement [I]: Definition 30 asks for min ||x_i - x_j||_q = delta EXACTLY, while the proof's instance
only has delta_q >= delta.  Both readings are served: ``delta_q`` is the instance's exact l_q separation (the
instance is (delta_q, q)-separated), and scaling the instance by delta / delta_q <= 1 would make it exactly
(delta, q)-separated while keeping the same sigma -- a scaled-down instance is only harder to memorize, because
memorizing t D at radius sigma is memorizing D at radius sigma / t >= sigma.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from robustmem.bounds.appendix_e import check_q, theorem36_radius
from robustmem.lower_bound.covers import CoverMethod
from robustmem.lower_bound.instance import HardInstance, hard_instance
from robustmem.norms import PLike, c_plus_pq, check_p, p_name
from robustmem.validate import positive_number

__all__ = ["LqHardInstance", "theorem36_instance"]


@dataclass(frozen=True, eq=False)
class LqHardInstance:
    """Theorem 36's instance: ``instance`` is Theorem 19's (attack it with ``kernel_attack(net, inst.instance)``).

    ``delta`` is the requested l_q separation, ``delta_q`` >= delta the instance's own (computed), ``threshold``
    = b_{p,q,d} N^{-2/k} and ``meets_theorem36`` whether sigma / delta_q exceeds it (Theorem 36's hypothesis;
    the explicit covers are usually far smaller than the theorem's N, so it is usually False while the attack
    still succeeds).
    """

    instance: HardInstance
    q: float
    delta: float
    delta_q: float
    sigma: float
    threshold: float
    meets_theorem36: bool

    @property
    def dataset(self):
        return self.instance.dataset


def theorem36_instance(
    k: int,
    d: int,
    delta: float,
    sigma: float,
    p: PLike,
    q: PLike,
    *,
    cover: CoverMethod | Literal["auto"] = "auto",
    max_points: int = 200_000,
    seed: int = 0,
) -> LqHardInstance:
    """Theorem 36's binary instance: l_q separation >= delta, and no width-<= k network (sigma, p)-robustly memorizes it.

    Guarantee: ``delta_q`` (the computed l_q separation) >= delta, and for every first layer W of rank <= k on the
    instance's coordinates, :func:`~robustmem.lower_bound.attack.kernel_attack` returns a in B_p(x_i, sigma) and
    a' = x_j with y_i != y_j and W a = W a' (module docstring; the same guarantee as
    :func:`~robustmem.lower_bound.instance.hard_instance`, whose arguments the rest are).

    >>> inst = theorem36_instance(1, 2, 1.0, 0.01, 2, "inf")
    >>> inst.delta_q >= 1.0, inst.instance.delta >= 1.0
    (True, True)
    """
    qv, pv = check_q(q), check_p(p)
    delta, sigma = positive_number(delta, "delta"), positive_number(sigma, "sigma")
    delta_l2 = c_plus_pq(qv, 2.0, d) * delta  # c+_{q,2}(d) (validates d)
    inst = hard_instance(k, d, delta_l2, sigma, pv, cover=cover, max_points=max_points, seed=seed)
    delta_q = inst.dataset.separation(qv).delta
    if not delta_q >= delta:  # Lemma 69 up to the float64 rounding of the covers' points
        raise AssertionError(f"the instance's l_{p_name(qv)} separation {delta_q!r} is below delta = {delta!r}")
    threshold = theorem36_radius(inst.N, inst.d, pv, qv, inst.k)
    return LqHardInstance(inst, qv, delta, delta_q, sigma, threshold, sigma / delta_q > threshold)
