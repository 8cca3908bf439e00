"""Build hook: ship the repository's proofs/ and experiments/ inside the wheel, as robustmem/_bundled/.

Everything else is configured in pyproject.toml.  The two folders stay at the top of the
repository (``python -m experiments.NAME`` and ``proofs/NAME.py`` work in a checkout);
:func:`robustmem.resources.bundled_folder` finds them there, or under robustmem/_bundled/ once
installed from a wheel, so that ``robustmem proofs --run`` and ``robustmem reproduce`` work in both.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("proofs", "experiments")


class BuildPyWithShipped(build_py):
    """build_py, then a copy of proofs/ and experiments/ (Python files only) under robustmem/_bundled/."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "robustmem" / "_bundled" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(root / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": BuildPyWithShipped})
