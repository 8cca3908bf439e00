"""What every experiment shares: the results-file layout, the provenance block, progress lines and
the sweep executor (local by default, a Dask cluster when given a scheduler address).

Results files are JSON: ``{"meta": {...}, "rows": [...]}``; ``meta`` records the command that made
the file, the seed, and the versions of Python, numpy and robustmem.  Figures are drawn only from
these files (``--plot-only`` redraws them without recomputing).
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "COLUMN_WIDTH",
    "TEXT_WIDTH",
    "Progress",
    "integer_ticks",
    "label_points",
    "legend_below",
    "meta_block",
    "paper_style",
    "read_results",
    "savefig",
    "sweep",
    "write_results",
]


def meta_block(module: str, argv: Sequence[str] | None, *, seed: int | None = None, **extra: Any) -> dict[str, Any]:
    """The provenance block of a results file: the command line that reproduces it, seed and versions."""
    import numpy as np

    import robustmem

    args = list(argv) if argv is not None else sys.argv[1:]
    return {
        "command": "python -m " + module + (" " + " ".join(args) if args else ""),
        "seed": seed,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "robustmem": getattr(robustmem, "__version__", "0.1.0"),
        "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **extra,
    }


def write_results(path: Path | str, meta: dict[str, Any], rows: list[dict[str, Any]]) -> Path:
    """Write ``{"meta", "rows"}`` as JSON (non-finite floats as strings) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"meta": meta, "rows": _jsonable(rows)}, indent=1) + "\n")
    return path


def read_results(path: Path | str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def _jsonable(x: Any) -> Any:
    import math

    import numpy as np

    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    return x


class Progress:
    """Periodic progress lines on stderr: ``[name] 3/12 (25%) 4.1 s elapsed, ~12 s left``."""

    def __init__(self, name: str, total: int, *, stream: Any = None):
        self.name, self.total, self.done = name, total, 0
        self.stream = stream if stream is not None else sys.stderr
        self.t0 = time.perf_counter()

    def step(self, note: str = "") -> None:
        self.done += 1
        el = time.perf_counter() - self.t0
        left = el / self.done * (self.total - self.done)
        msg = f"[{self.name}] {self.done}/{self.total} ({100 * self.done / max(self.total, 1):.0f}%) {el:.1f} s elapsed, ~{left:.0f} s left"
        print(msg + (f"  {note}" if note else ""), file=self.stream, flush=True)


def sweep(
    fn: Callable[[Any], Any],
    tasks: Iterable[Any],
    *,
    scheduler: str | None = None,
    name: str = "sweep",
    describe: Callable[[Any], str] | None = None,
) -> list[Any]:
    """``[fn(t) for t in tasks]`` with progress, in task order.

    Locally (``scheduler=None``) the tasks run one after another in this process.  Given a Dask
    scheduler address (``tcp://host:port``) they are submitted to that cluster with
    ``distributed.Client.map`` and gathered as they finish; ``fn`` must then be a module-level
    function and the tasks picklable.  Either way the results come back in the order of ``tasks``.
    """
    tasks = list(tasks)
    prog = Progress(name, len(tasks))
    if scheduler is None:
        out = []
        for t in tasks:
            out.append(fn(t))
            prog.step(describe(t) if describe else "")
        return out
    from robustmem.extras import require

    require("distributed", feature="--scheduler (a Dask cluster)")
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        print(f"[{name}] {len(tasks)} tasks on the Dask cluster at {scheduler}", file=sys.stderr, flush=True)
        futures = client.map(fn, tasks, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(tasks)
        for fut in as_completed(futures):
            i = index[fut.key]
            out[i] = fut.result()
            prog.step(describe(tasks[i]) if describe else "")
        return out


#: a two-column paper's text width and column width, in inches: figures are drawn at these sizes, so
#: their 7-9 pt text is 7-9 pt on the page
TEXT_WIDTH = 7.0
COLUMN_WIDTH = 3.4


def paper_style() -> None:
    """Matplotlib settings for figures printed at their drawn size (Agg backend, 7-9 pt text, mathtext).

    Called by every plot function before it draws; labels use mathtext ($\\ell_2$, $\\sigma/\\delta$).
    """
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "font.size": 8,
            "axes.titlesize": 8.5,
            "axes.labelsize": 8,
            "xtick.labelsize": 7.5,
            "ytick.labelsize": 7.5,
            "legend.fontsize": 7,
            "legend.handlelength": 1.8,
            "legend.borderaxespad": 0.3,
            "legend.labelspacing": 0.3,
            "figure.titlesize": 9,
            "lines.linewidth": 1.3,
            "lines.markersize": 4,
            "axes.linewidth": 0.6,
            "grid.linewidth": 0.4,
            "mathtext.fontset": "dejavusans",
        }
    )


def integer_ticks(axis: Any) -> None:
    """Ticks only at integers on a linear axis that counts something (widths, neurons)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def legend_below(fig: Any, axes: Any, *, ncol: int = 2, handles: Any = None, labels: Any = None) -> Any:
    """One compact legend for the whole figure, below the axes (off the data); duplicates dropped."""
    if handles is None:
        seen: dict[str, Any] = {}
        for ax in axes if isinstance(axes, (list, tuple)) else [axes]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if not lab.startswith("_"):
                    seen.setdefault(lab, h)
        labels, handles = list(seen), list(seen.values())
    return fig.legend(
        handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=ncol, frameon=False, columnspacing=1.2
    )


def savefig(fig: Any, path: Path | str) -> Path:
    """Save a matplotlib figure as PNG (200 dpi, tight box: a legend below the axes is kept), close it."""
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=200, bbox_inches="tight", pad_inches=0.03)
    plt.close(fig)
    return path


def label_points(
    ax: Any, points: Sequence[tuple[float, float]], texts: Sequence[str], *, offset: float = 4.0, **kw: Any
) -> list[Any]:
    """Write ``texts[i]`` next to ``points[i]`` (data coordinates) off the lines of ``ax``.

    Each label goes to the first of: above, below, the four diagonals, right, left (``offset`` points
    away, then twice that) whose box, widened by a marker's radius, crosses no line and holds no marker
    of the axes; above when none is free.  Call after the figure is laid out (it is drawn once here, so
    the boxes are measured where they will be).
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placements = []
    for r in (offset, 2 * offset):
        d = r / 2**0.5
        placements += [
            ((0.0, r), "center", "bottom"),
            ((0.0, -r), "center", "top"),
            ((-d, d), "right", "bottom"),
            ((d, d), "left", "bottom"),
            ((d, -d), "left", "top"),
            ((-d, -d), "right", "top"),
            ((r, 0.0), "left", "center"),
            ((-r, 0.0), "right", "center"),
        ]
    pad = 2.5 * fig.dpi / 72  # a marker's radius, in pixels
    paths = [ln.get_transform().transform_path(ln.get_path()) for ln in ax.get_lines() if ln.get_visible()]
    out = []
    for (x, y), text in zip(points, texts):
        chosen = None
        for xytext, ha, va in placements:
            ann = ax.annotate(text, (x, y), textcoords="offset points", xytext=xytext, ha=ha, va=va, **kw)
            box = ann.get_window_extent(renderer).padded(pad)
            if not any(p.intersects_bbox(box, filled=False) or box.count_contains(p.vertices) for p in paths):
                chosen = ann
                break
            ann.remove()
        if chosen is None:
            xytext, ha, va = placements[0]
            chosen = ax.annotate(text, (x, y), textcoords="offset points", xytext=xytext, ha=ha, va=va, **kw)
        out.append(chosen)
    return out
