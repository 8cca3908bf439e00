"""The lower bound side: the hard instances of Theorem 19 and of Kim, Moon, Yun (2025), and their kernel attacks."""

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
from robustmem.lower_bound.instance import SEPARATION_SAFETY, HardInstance, hard_instance
from robustmem.lower_bound.kim2025_instance import (
    Kim2025Attack,
    Kim2025Instance,
    kim2025_attack,
    kim2025_hard_instance,
)

__all__ = [
    "COVER_SAFETY",
    "SEPARATION_SAFETY",
    "HardInstance",
    "KernelAttackResult",
    "Kim2025Attack",
    "Kim2025Instance",
    "SphereCover",
    "circle_cover",
    "exact_kernel",
    "greedy_cover",
    "hard_instance",
    "kernel_attack",
    "kim2025_attack",
    "kim2025_hard_instance",
    "latitude_cover",
    "sampled_covering_radius",
    "sphere_cover",
    "uniform_sphere",
]
