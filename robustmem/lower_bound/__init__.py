"""The lower bound side of the paper (Theorems 8, 17, 19): the hard instance and the kernel attack."""

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

__all__ = [
    "COVER_SAFETY",
    "SEPARATION_SAFETY",
    "HardInstance",
    "KernelAttackResult",
    "SphereCover",
    "circle_cover",
    "exact_kernel",
    "greedy_cover",
    "hard_instance",
    "kernel_attack",
    "latitude_cover",
    "sampled_covering_radius",
    "sphere_cover",
    "uniform_sphere",
]
