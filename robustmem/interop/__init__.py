"""Interoperability with the field's verifiers: ONNX export and import, VNN-LIB property files."""

from robustmem.interop.onnx_io import export_onnx, import_onnx, run_onnx
from robustmem.interop.vnnlib import write_vnnlib

__all__ = ["export_onnx", "import_onnx", "run_onnx", "write_vnnlib"]
