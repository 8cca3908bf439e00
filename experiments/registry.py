"""The one list of experiments: the runner and the tests both read it.

Each entry: module name under experiments/, the results files it writes under ``--out``, the figures it
draws under ``--figures``, and the arguments of its quick mode (what the test suite runs) and of its
full mode.  Every module has ``main(argv) -> int`` accepting ``--out DIR``; modules with figures also
accept ``--figures DIR`` and ``--plot-only`` (redraw from the results files without recomputing), and
modules with sweeps accept ``--scheduler ADDRESS`` (a Dask scheduler; local when absent).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Experiment", "EXPERIMENTS"]


@dataclass(frozen=True)
class Experiment:
    name: str
    module: str
    produces: tuple[str, ...]
    quick_args: tuple[str, ...]
    full_args: tuple[str, ...] = ()
    description: str = ""
    figures: tuple[str, ...] = ()  # PNG files written under --figures (drawn from the results files only)
    sweeps: bool = False  # accepts --scheduler ADDRESS (runs its sweep on a Dask cluster)


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        name="digits_log_width",
        module="experiments.digits_log_width",
        produces=("digits_log_width.json", "digits_log_width.md"),
        quick_args=("--quick",),
        description="certified radius of Theorem 7 on digits at k = 12..32 and at full width (README table)",
    ),
    Experiment(
        name="scale",
        module="experiments.scale",
        produces=("scale.json",),
        quick_args=("--n", "300", "--d", "64", "--k", "12", "--eval-n", "300"),
        description="build/certify/evaluate time and memory at N = 10^4 and 10^5, d = 784, k = 32",
    ),
)
