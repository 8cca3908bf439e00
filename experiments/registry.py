"""The one list of experiments: the runner and the tests both read it.

Each entry: module name under experiments/, the results files it writes under ``--out``, the figures it
draws under ``--figures``, and the arguments of its quick mode (what the test suite runs) and of its
full mode.  Every module has ``main(argv) -> int`` accepting ``--out DIR``; modules with figures also
accept ``--figures DIR`` and ``--plot-only`` (redraw from the results files without recomputing), and
modules with sweeps accept ``--scheduler ADDRESS`` (a Dask scheduler; local when absent).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXPERIMENTS", "Experiment"]


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
    own_process: bool = False  # measures time and peak memory: `reproduce` runs it in a fresh interpreter


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
        own_process=True,  # its peak RSS must not include the experiments run before it
    ),
    Experiment(
        name="figure1",
        module="experiments.figure1",
        produces=("figure1.json",),
        quick_args=("--quick",),
        full_args=(),
        figures=("figure1_l2.png", "figure1_linf.png"),
        sweeps=True,
        description="Figure 1 with numbers: sigma/delta vs width k (l_2, l_inf) -- Theorem 7 / Remark 10 / Theorem 8 / "
        "Remark 4 / Theorem 5 curves, certified radii on sphere (N = 1000, d = 100) and digits, and exact kernel "
        "attacks on Theorem 19's hard instances (any width-k network; the package's own width-k networks)",
    ),
    Experiment(
        name="width_scaling",
        module="experiments.width_scaling",
        produces=("width_scaling.json",),
        quick_args=("--quick",),
        # the README's figure: the grid to N = 10^5, 3 seeds (6 min 29 s measured); --max-n shortens it
        full_args=(),
        figures=("width_scaling.png",),
        sweeps=True,
        description="headline: smallest certifying width vs N = 10..10^5 at sigma/delta = 1e-3 (l_2): equation (1), "
        "the construction on sphere (d = 100) and digits, equation (2); least-squares fit of width vs log10 N",
    ),
    Experiment(
        name="radius_width",
        module="experiments.radius_width",
        produces=("radius_width.json",),
        quick_args=("--quick",),
        full_args=(),
        figures=("radius_width.png",),
        sweeps=True,
        description="certified sigma/delta vs width k at N = 1000, d = 100 for l_1, l_2, l_inf (random and best-of-8 "
        "projections) with each p's theory curves; fit of the N^(-2/(k-6)) rate",
    ),
    Experiment(
        name="figure2_3",
        module="experiments.figure2_3",
        produces=("figure2_3.json",),
        quick_args=(),
        full_args=(),
        figures=("figure2_hard_instance.png", "figure3_example1.png"),
        description="Figure 2 (Theorem 19's hard instance for k + 1 = 2, its difference set, exact kernel attacks) "
        "and Figure 3 (Example 1: a JL map that is not preserving), from the package's objects",
    ),
    Experiment(
        name="architecture",
        module="experiments.architecture",
        produces=("architecture.json",),
        quick_args=("--quick",),
        full_args=(),
        figures=("architecture_width_profile.png", "architecture_blocks.png"),
        description="Figures 4-7 in spirit: layer-width profiles and block diagrams read off real Theorem 7, 5 and 6 "
        "networks; claimed vs measured width and depth (raises on disagreement)",
    ),
    Experiment(
        name="adversarial_training",
        module="experiments.adversarial_training",
        produces=("adversarial_training.json",),
        quick_args=("--quick",),
        full_args=("--workers", "2"),
        figures=("adversarial_training.png",),
        sweeps=True,
        description="open question: smallest width at which PGD adversarial training reaches 100% robust training "
        "accuracy (sigma = 0.1 delta, l_2; sphere d = 20 and digits; N = 10..1000) vs the Theorem 7 width",
    ),
    Experiment(
        name="width_sandwich",
        module="experiments.width_sandwich",
        produces=("width_sandwich.json", "width_sandwich.md"),
        quick_args=("--quick",),
        figures=("width_sandwich.png",),
        description="issue 14: the certified width sandwich against sigma/delta (l_2) -- exact Fantope certificates "
        "(Theorem 17) below, the log-width construction with the default projection above -- for digits and "
        "standardized iris, wine, breast cancer, with the worst-case curves of Theorems 7 and 8",
    ),
)
