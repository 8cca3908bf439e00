"""Robust Johnson-Lindenstrauss (Egosi, Yehudai, Shamir 2025, Section 5): random and optimized orthogonal
projections, the exact preservation test, and the certified radius of the log-width construction.

Modules: haar (Haar projections), cap (the exact pair constant, a spherical-cap minimum), pairs (exact
searches over differently-labelled pairs), epsilon (the all-pairs eps), report (PreservationReport),
search (best_of_random, optimize_projection), _numerics (the rounding policy).
"""

from robustmem.projection.cap import cap_min_norm, cap_minimizer, pair_preservation
from robustmem.projection.haar import check_projection, haar_projection
from robustmem.projection.pairs import CrossLabelSearch, CrossMinimum, SearchStrategy
from robustmem.projection.preservation import PreservationReport, preservation_report, tau_of
from robustmem.projection.search import (
    SearchMethod,
    SearchResult,
    best_of_random,
    optimize_projection,
    pca_projection,
)

__all__ = [
    "CrossLabelSearch",
    "CrossMinimum",
    "PreservationReport",
    "SearchMethod",
    "SearchResult",
    "SearchStrategy",
    "best_of_random",
    "cap_min_norm",
    "cap_minimizer",
    "check_projection",
    "haar_projection",
    "optimize_projection",
    "pair_preservation",
    "pca_projection",
    "preservation_report",
    "tau_of",
]
