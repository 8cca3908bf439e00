"""The network IR (Definition 1): structured storage, evaluators, export, save/load."""

from robustmem.network.builder import Builder, Coef, Expr, Param
from robustmem.network.exact import ExactEvaluation, evaluate_exact, evaluate_fraction, evaluate_verified
from robustmem.network.network import AffineMap, ReLUNetwork, Segment
from robustmem.network.storage import FORMAT_NAME, FORMAT_VERSION, load_network, save_network
from robustmem.network.template import MapTemplate

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "AffineMap",
    "Builder",
    "Coef",
    "ExactEvaluation",
    "Expr",
    "MapTemplate",
    "Param",
    "ReLUNetwork",
    "Segment",
    "evaluate_exact",
    "evaluate_fraction",
    "evaluate_verified",
    "load_network",
    "save_network",
]
