"""Where the repository's proofs/ and experiments/ folders are: a source checkout, or inside the wheel.

In a checkout they sit at the top of the repository, next to the ``robustmem`` package.  A wheel
ships copies as ``robustmem/_bundled/proofs`` and ``robustmem/_bundled/experiments`` (setup.py's
build hook), so ``robustmem proofs --run`` and ``robustmem reproduce`` work after ``pip install``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from robustmem.errors import RobustMemError

__all__ = ["bundled_folder"]

Folder = Literal["proofs", "experiments"]
_MARKER = {"proofs": "theorem37.py", "experiments": "registry.py"}
_PACKAGE = Path(__file__).resolve().parent


def bundled_folder(name: Folder) -> Path:
    """The ``proofs`` or ``experiments`` folder: the checkout's if there is one, else the installed copy.

    Raises RobustMemError naming both places looked in when neither holds the folder.
    """
    if name not in _MARKER:
        raise RobustMemError(f"unknown folder {name!r}; robustmem ships 'proofs' and 'experiments'")
    candidates = (_PACKAGE.parent / name, _PACKAGE / "_bundled" / name)
    for folder in candidates:
        if (folder / _MARKER[name]).is_file():
            return folder
    raise RobustMemError(
        f"no {name}/ folder found (looked in {candidates[0]} and {candidates[1]}); "
        "reinstall robustmem from a wheel built by this repository's setup.py, or run from a source checkout"
    )
