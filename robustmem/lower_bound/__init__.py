"""The lower bound side: the hard instances of Theorem 19 and of Kim, Moon, Yun (2025), and their kernel attacks;
for any dataset, the Fantope certificates of Theorem 17 (exact verifier), its witness, and the width sandwich."""

from robustmem.lower_bound.attack import KernelAttackResult, exact_kernel, kernel_attack
from robustmem.lower_bound.covers import (
    COVER_SAFETY,
    SphereCover,
    circle_cover,
    greedy_cover,
    latitude_cover,
    sampled_covering_radius,
    sphere_cover,
    uniform_sphere,
)
from robustmem.lower_bound.fantope import FantopeSolution, fantope_relaxation
from robustmem.lower_bound.instance import SEPARATION_SAFETY, HardInstance, hard_instance
from robustmem.lower_bound.kim2025_instance import (
    Kim2025Attack,
    Kim2025Instance,
    kim2025_attack,
    kim2025_hard_instance,
)
from robustmem.lower_bound.sandwich import WidthSandwich, WidthSearch, width_sandwich
from robustmem.lower_bound.width_certificate import WidthLowerBound, width_lower_certificate
from robustmem.lower_bound.width_verify import WidthCertificateError, verify_width_certificate
from robustmem.lower_bound.width_witness import Theorem17Witness, theorem17_witness

__all__ = [
    "COVER_SAFETY",
    "SEPARATION_SAFETY",
    "FantopeSolution",
    "HardInstance",
    "KernelAttackResult",
    "Kim2025Attack",
    "Kim2025Instance",
    "SphereCover",
    "Theorem17Witness",
    "WidthCertificateError",
    "WidthLowerBound",
    "WidthSandwich",
    "WidthSearch",
    "circle_cover",
    "exact_kernel",
    "fantope_relaxation",
    "greedy_cover",
    "hard_instance",
    "kernel_attack",
    "kim2025_attack",
    "kim2025_hard_instance",
    "latitude_cover",
    "sampled_covering_radius",
    "sphere_cover",
    "theorem17_witness",
    "uniform_sphere",
    "verify_width_certificate",
    "width_lower_certificate",
    "width_sandwich",
]
