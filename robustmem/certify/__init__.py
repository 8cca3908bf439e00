"""Sound certification of robust memorization on the network's actual weights (Definition 3; docs/certification.md).

* :func:`certify_structural` -- the structural certifier: proves each block of a chain construction from its
  weights (exact rational arithmetic) and glues the blocks by Theorem 37; scales to N = 10^4 log-width networks.
* :func:`certify` -- the generic certifier for any ReLU network: rigorous IBP / CROWN bounds
  (:func:`output_bounds`) or a complete MILP check for small networks; returns a :class:`CertifyReport`.
"""

from robustmem.certify.certify_report import CertCounterexample, CertifyReport
from robustmem.certify.generic import certify
from robustmem.certify.milp import MAX_UNSTABLE, MILP_TOLERANCE
from robustmem.certify.propagation import OutputBounds, output_bounds
from robustmem.certify.structural import SUPPORTED as STRUCTURAL_SUPPORTED
from robustmem.certify.structural import certify_structural
from robustmem.certify.structural.report import StructuralCheck, StructuralReport

__all__ = [
    "MAX_UNSTABLE",
    "MILP_TOLERANCE",
    "STRUCTURAL_SUPPORTED",
    "CertCounterexample",
    "CertifyReport",
    "OutputBounds",
    "StructuralCheck",
    "StructuralReport",
    "certify",
    "certify_structural",
    "output_bounds",
]
