"""Sound certification of robust memorization on the network's actual weights (Definition 3; docs/certification.md).

* :func:`certify_structural` -- the structural certifier: proves each block of a chain construction from its
  weights (exact rational arithmetic) and glues the blocks by Theorem 37; scales to N = 10^5 log-width networks.
* :func:`evaluate_sparse` / :class:`SparseEvaluator` -- evaluation (float64 bit-identical to ``net(X)``, or exact)
  of only the chain blocks that the certifier's proof does not show silent: about one block per point;
  :func:`verify_fit_exact` -- the exact fit (``verify_fit(mode="exact")``) computed that way.
* :func:`certify` -- the generic certifier for any ReLU network: rigorous IBP / CROWN bounds
  (:func:`output_bounds`) or a complete MILP check for small networks; returns a :class:`CertifyReport`.
"""

from robustmem.certify.certify_report import CertCounterexample, CertifyReport
from robustmem.certify.generic import certify
from robustmem.certify.milp import MAX_UNSTABLE, MILP_TOLERANCE
from robustmem.certify.propagation import OutputBounds, output_bounds
from robustmem.certify.sparse import (
    SparseEvaluator,
    SparseReport,
    evaluate_exact_sparse,
    evaluate_sparse,
    evaluate_verified_sparse,
    verify_fit_exact,
)
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
    "SparseEvaluator",
    "SparseReport",
    "StructuralCheck",
    "StructuralReport",
    "certify",
    "certify_structural",
    "evaluate_exact_sparse",
    "evaluate_sparse",
    "evaluate_verified_sparse",
    "output_bounds",
    "verify_fit_exact",
]
