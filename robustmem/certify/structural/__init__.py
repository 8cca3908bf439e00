"""The structural certifier: proves a chain network's robust memorization from its weights, block by block.

:func:`certify_structural` is the entry point (:mod:`.certifier`); the pieces it glues together are the input
map and data geometry (:mod:`.geometry`), the chain template read symbolically (:mod:`.template`,
:mod:`.symbols`), exact piecewise-linear analysis (:mod:`.pl`), ON/OFF regions (:mod:`.regions`) and the
report (:mod:`.report`).
"""

from robustmem.certify.structural.certifier import SUPPORTED, UNSUPPORTED, certify_structural
from robustmem.certify.structural.report import StructuralCheck, StructuralReport

__all__ = ["SUPPORTED", "UNSUPPORTED", "StructuralCheck", "StructuralReport", "certify_structural"]
