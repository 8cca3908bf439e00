"""Interoperability with the field's tools: ONNX export and import, VNN-LIB 1.0 properties, Marabou.

* :func:`export_onnx` / :func:`import_onnx` / :func:`onnx_layers` / :func:`run_onnx` -- ONNX files of
  Definition 1 networks (float64 Gemm + Relu chains), and ONNX ReLU MLPs written by other tools.
* :func:`write_vnnlib` -- one VNN-LIB 1.0 property per (training point, radius), VNN-COMP layout.
* :func:`marabou_check` -- the Marabou verifier's verdict on one ball, counterexamples re-checked exactly;
  :func:`marabou_balls` on many balls, as a report.
"""

from robustmem.interop.marabou import MarabouResult, marabou_check
from robustmem.interop.marabou_balls import MarabouBallsReport, marabou_balls
from robustmem.interop.onnx_io import MAX_ONNX_BYTES, OnnxExport, export_onnx, import_onnx, onnx_layers, run_onnx
from robustmem.interop.vnnlib import OUTPUT_TOLERANCE, VnnlibExport, positional, relative_onnx_name, write_vnnlib

__all__ = [
    "MAX_ONNX_BYTES",
    "OUTPUT_TOLERANCE",
    "MarabouBallsReport",
    "MarabouResult",
    "OnnxExport",
    "VnnlibExport",
    "export_onnx",
    "import_onnx",
    "marabou_balls",
    "marabou_check",
    "onnx_layers",
    "positional",
    "relative_onnx_name",
    "run_onnx",
    "write_vnnlib",
]
