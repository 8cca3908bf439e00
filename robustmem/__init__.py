"""robustmem: explicit, verified ReLU networks that robustly memorize datasets.

Constructions of Egosi, Yehudai, Shamir, "Logarithmic Width Suffices for Robust Memorization"
(COLT 2025), checked on their real weights.  The public names below are imported lazily (so that
``import robustmem`` does not import torch); ``robustmem.__all__`` lists them all.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # errors
    "RobustMemError": "robustmem.errors",
    "InvalidArgumentError": "robustmem.errors",
    "DataError": "robustmem.errors",
    "NotSeparatedError": "robustmem.errors",
    "HypothesisError": "robustmem.errors",
    "NetworkFormatError": "robustmem.errors",
    "VerificationError": "robustmem.errors",
    "MissingExtraError": "robustmem.errors",
    # norms
    "c_plus": "robustmem.norms",
    "c_minus": "robustmem.norms",
    "pnorm": "robustmem.norms",
    # data
    "Dataset": "robustmem.data",
    "Separation": "robustmem.data",
    "load_real": "robustmem.data",
    "named_dataset": "robustmem.catalog",
    "sphere_points": "robustmem.data",
    "cube_points": "robustmem.data",
    "gaussian_clusters": "robustmem.data",
    "load_dataset": "robustmem.data",
    "save_dataset": "robustmem.data",
    # network
    "ReLUNetwork": "robustmem.network",
    "Builder": "robustmem.network",
    "load_network": "robustmem.network",
    "save_network": "robustmem.network",
    "evaluate_exact": "robustmem.network",
    "evaluate_verified": "robustmem.network",
    "evaluate_fraction": "robustmem.network",
    # constructions
    "Certificate": "robustmem.certificate",
    "Construction": "robustmem.certificate",
    "construct_theorem5": "robustmem.construct",
    "construct_theorem6": "robustmem.construct",
    "construct_remark40": "robustmem.construct",
    "construct_log_width": "robustmem.construct",
    "construct_theorem16": "robustmem.construct",
    "construct_remark11": "robustmem.construct",
    "construct_yu2024": "robustmem.construct",
    "construct_yu2024_lp": "robustmem.construct",
    "construct_zhang2017": "robustmem.construct",
    "construct_kim2025": "robustmem.construct",
    "kim2025_plan": "robustmem.construct",
    "construct_vardi2022": "robustmem.construct",
    "vardi2022_attack": "robustmem.construct",
    "vardi2022_radius": "robustmem.construct",
    "vardi2022_breaking_radius": "robustmem.construct",
    "float64_fit": "robustmem.construct",
    "RationalNetwork": "robustmem.network.rational",
    "RationalLayer": "robustmem.network.rational",
    "compare": "robustmem.compare",
    # projections
    "haar_projection": "robustmem.projection",
    "preservation_report": "robustmem.projection",
    "best_of_random": "robustmem.projection",
    "optimize_projection": "robustmem.projection",
    # verification
    "verify_fit": "robustmem.verify",
    "falsify": "robustmem.verify",
    # sound certification
    "certify": "robustmem.certify",
    "certify_structural": "robustmem.certify",
    "CertifyReport": "robustmem.certify",
    "StructuralReport": "robustmem.certify",
    "output_bounds": "robustmem.certify",
    # lower bounds and Example 1
    "hard_instance": "robustmem.lower_bound",
    "HardInstance": "robustmem.lower_bound",
    "kernel_attack": "robustmem.lower_bound",
    "KernelAttackResult": "robustmem.lower_bound",
    "width_sandwich": "robustmem.lower_bound",
    "WidthSandwich": "robustmem.lower_bound",
    "width_lower_certificate": "robustmem.lower_bound",
    "verify_width_certificate": "robustmem.lower_bound",
    "theorem17_witness": "robustmem.lower_bound",
    "example1": "robustmem.example1",
    # interoperability
    "export_onnx": "robustmem.interop",
    "import_onnx": "robustmem.interop",
    # bounds
    "width_report": "robustmem.bounds",
    "radii_for_width": "robustmem.bounds",
    "theorem7_radius": "robustmem.bounds",
    "theorem8_radius": "robustmem.bounds",
    "remark10_radius": "robustmem.bounds",
    "remark4_radius_limit": "robustmem.bounds",
}

__all__ = [*sorted(_EXPORTS), "__version__"]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'robustmem' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
