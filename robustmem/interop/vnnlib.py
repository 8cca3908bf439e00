"""VNN-LIB 1.0 property files and a VNN-COMP ``instances.csv`` for the robust-memorization claim.

One property per (training point i, radius sigma): the input set is the ball B_p(x_i, sigma) and the
*unsafe* output set is ``Y_0 <= y_i - eps  or  Y_0 >= y_i + eps``.  A verifier that proves the
property unsatisfiable has proved |f(x) - y_i| < eps on the input set.  Robust memorization
(Definition 3) asks for f(x) = y_i exactly, which VNN-LIB cannot state (it has no strict or
disequality constraint), so eps is a slack: the default :data:`OUTPUT_TOLERANCE` = 1e-3 keeps clear of
the verifiers' own floating-point tolerances; eps = 0.5 states "f rounds to y_i", a classification property.

VNN-LIB 1.0 input sets are boxes.  An l_inf ball is a box and is written as it is (corners rounded
*outward* to float64 where x_i +- sigma is not a float64: the file's box contains the ball, so a
proof covers the ball).  An l_p ball with p < inf is not a box and is refused, unless
``inscribed_box=True`` asks for the largest box inside it (half-width sigma / d^(1/p), corners
rounded *inward*): a weaker property, which says so in the file's header.  Output thresholds are
rounded so that the unsafe set only grows.  Numbers are written in positional notation (no
exponent) with the shortest digits that read back as the same float64.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.geometry import exact_in_ball
from robustmem.norms import check_p, p_name

if TYPE_CHECKING:
    from robustmem.data.labelled import LabelledPoints

__all__ = ["OUTPUT_TOLERANCE", "VnnlibExport", "positional", "relative_onnx_name", "write_vnnlib"]

#: default eps of the unsafe set |Y_0 - y_i| >= eps: proving it unsatisfiable shows |f - y_i| < eps.
#: Verifiers decide in floating point with feasibility tolerances of about 1e-6 (Marabou 2.0 answers 'sat'
#: for f <= -1e-6 where f = 0 exactly, measured); eps must stay well above them, and below 1/2 it already
#: pins the integer label.
OUTPUT_TOLERANCE = 1e-3


def positional(v: float) -> str:
    """``v`` in positional notation (no exponent) that reads back as the same float64.

    >>> positional(1e-7), positional(2.0), positional(-123456789012.5)
    ('0.0000001', '2.0', '-123456789012.5')
    """
    v = float(v)
    if not math.isfinite(v):
        raise InvalidArgumentError(f"VNN-LIB numbers must be finite, got {v!r}")
    return np.format_float_positional(v, unique=True, trim="0")


def _down(q: Fraction) -> float:
    """The largest float64 <= q."""
    f = float(q)
    return math.nextafter(f, -math.inf) if Fraction(f) > q else f


def _up(q: Fraction) -> float:
    """The smallest float64 >= q."""
    f = float(q)
    return math.nextafter(f, math.inf) if Fraction(f) < q else f


@dataclass(frozen=True)
class VnnlibExport:
    """What :func:`write_vnnlib` wrote: ``properties[r][i]`` is the file of point i at radius ``radii[r]``;
    ``half_widths[r]`` the box half-width (sigma itself for l_inf, smaller for an inscribed box)."""

    out_dir: Path
    csv: Path
    properties: tuple[tuple[Path, ...], ...]
    p: float
    radii: tuple[float, ...]
    half_widths: tuple[float, ...]
    eps: float
    inscribed_box: bool

    @property
    def n_properties(self) -> int:
        return sum(len(row) for row in self.properties)

    def summary(self) -> str:
        kind = f"boxes inscribed in l_{p_name(self.p)} balls (weaker)" if self.inscribed_box else "l_inf balls"
        return (
            f"wrote {self.n_properties} VNN-LIB properties ({kind}, radii {', '.join(f'{s:.6g}' for s in self.radii)},"
            f" eps = {self.eps:g}) under {self.out_dir / 'vnnlib'} and {self.csv}"
        )


def _inscribed_half_width(sigma: float, d: int, p: float) -> float:
    """A float64 h with the box [-h, h]^d inside the closed l_p ball of radius sigma (checked exactly)."""
    h = sigma / d ** (1.0 / p)
    while h > 0 and not exact_in_ball(np.full(d, h), np.zeros(d), p, sigma):
        h = math.nextafter(h, 0.0)
    return h


def _radii(sigma: float | Sequence[float]) -> tuple[float, ...]:
    values = (sigma,) if isinstance(sigma, (int, float, np.integer, np.floating)) else tuple(sigma)
    if not values:
        raise InvalidArgumentError("sigma must be a radius or a non-empty sequence of radii, got an empty sequence")
    for r, s in enumerate(values):
        if isinstance(s, bool) or not isinstance(s, (int, float, np.integer, np.floating)) or not (0 < s < math.inf):
            raise InvalidArgumentError(f"radius {r} must be a positive finite number, got {s!r}")
    return tuple(float(s) for s in values)


def _property_text(
    i: int, r: int, x: np.ndarray, y: int, lo: np.ndarray, hi: np.ndarray, eps: float, input_note: str, onnx_name: str
) -> str:
    t_lo, t_hi = _up(Fraction(y) - Fraction(eps)), _down(Fraction(y) + Fraction(eps))  # the unsafe set only grows
    d = len(x)
    lines = [
        "; robustmem: robust memorization (Definition 3 of Egosi-Yehudai-Shamir 2025), VNN-LIB 1.0",
        f"; network {onnx_name}: inputs X_0..X_{d - 1}, output Y_0; training point {i}, label {y}, radius index {r}",
        f"; input set: {input_note}",
        f"; unsafe set: Y_0 <= {positional(t_lo)} or Y_0 >= {positional(t_hi)}, i.e. |Y_0 - {y}| >= eps ="
        f" {positional(eps)} (thresholds rounded to enlarge it)",
        f"; unsat proves |f(x) - {y}| < eps on the input set; eps > 0 is a slack on Definition 3 (f(x) = {y})",
        "",
    ]
    lines += [f"(declare-const X_{j} Real)" for j in range(d)] + ["(declare-const Y_0 Real)", ""]
    for j in range(d):
        lines += [f"(assert (<= X_{j} {positional(hi[j])}))", f"(assert (>= X_{j} {positional(lo[j])}))"]
    lines += ["", f"(assert (or (and (<= Y_0 {positional(t_lo)})) (and (>= Y_0 {positional(t_hi)}))))", ""]
    return "\n".join(lines)


def _checked_options(p: float, eps: float, timeout: float, onnx_name: str, inscribed_box: bool) -> float:
    """eps as a float, after checking write_vnnlib's options: eps in (0, 1/2], timeout > 0, onnx_name, the box."""
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or not (0 < eps <= 0.5):
        raise InvalidArgumentError(f"eps must lie in (0, 0.5], got {eps!r}")
    if not (0 < timeout < math.inf):
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if "," in onnx_name or "\n" in onnx_name:
        raise InvalidArgumentError(f"onnx_name {onnx_name!r} would break instances.csv (comma or newline)")
    if p == math.inf and inscribed_box:
        raise InvalidArgumentError("inscribed_box applies to p < inf; an l_inf ball is a box already")
    if p < math.inf and not inscribed_box:
        raise InvalidArgumentError(
            f"VNN-LIB 1.0 expresses boxes only, and the l_{p_name(p)} ball is not a box: pass inscribed_box=True to"
            " write the box inscribed in the ball (a weaker property), or use p = inf"
        )
    return float(eps)


@dataclass(frozen=True)
class _InputBox:
    """The box written for one radius: its half-width, the header note, and how its corners are rounded.

    ``lower`` and ``upper`` map an exact corner coordinate to a float64 (outward for a ball, inward for a box).
    """

    half_width: float
    note: str
    lower: Callable[[Fraction], float]
    upper: Callable[[Fraction], float]


def _input_box(s: float, d: int, p: float) -> _InputBox:
    """For p = inf the ball of radius s with corners rounded outward; else the inscribed box, rounded inward."""
    if p == math.inf:
        note = f"the l_inf ball of radius {positional(s)}, corners rounded outward (the box contains the ball)"
        return _InputBox(s, note, _down, _up)
    h = _inscribed_half_width(s, d, p)
    note = (
        f"the box of half-width {positional(h)} inscribed in the l_{p_name(p)} ball of radius {positional(s)},"
        " corners rounded inward: a WEAKER property than robustness on the ball"
    )
    return _InputBox(h, note, _up, _down)


@dataclass(frozen=True)
class _WrittenRadius:
    """The property files written for one radius (one per training point) and their ``instances.csv`` rows."""

    files: tuple[Path, ...]
    rows: tuple[str, ...]


def _write_radius(
    out: Path, X: np.ndarray, y: np.ndarray, r: int, box: _InputBox, eps: float, onnx_name: str, timeout: float
) -> _WrittenRadius:
    """Write ``vnnlib/prop_{i}_{r}.vnnlib`` for every training point i with the input set ``box``."""
    hq = Fraction(box.half_width)
    cell = str(int(timeout)) if float(timeout).is_integer() else positional(timeout)
    files, rows = [], []
    for i in range(X.shape[0]):
        xq = [Fraction(float(v)) for v in X[i]]
        lo = np.array([box.lower(c - hq) for c in xq])
        hi = np.array([box.upper(c + hq) for c in xq])
        name = f"vnnlib/prop_{i}_{r}.vnnlib"
        (out / name).write_text(_property_text(i, r, X[i], int(y[i]), lo, hi, eps, box.note, onnx_name))
        files.append(out / name)
        rows.append(f"{onnx_name},{name},{cell}")
    return _WrittenRadius(tuple(files), tuple(rows))


def write_vnnlib(
    dataset: LabelledPoints,
    p: float | str,
    sigma: float | Sequence[float],
    out_dir: str | Path,
    *,
    onnx_name: str = "onnx/model.onnx",
    timeout: float = 60.0,
    eps: float = OUTPUT_TOLERANCE,
    inscribed_box: bool = False,
) -> VnnlibExport:
    """Write ``vnnlib/prop_{i}_{r}.vnnlib`` for every training point i and radius sigma[r], and ``instances.csv``.

    Guarantee: for p = inf the box of each file contains B_inf(x_i, sigma) (exactly equal where
    x_i +- sigma are float64 numbers), so a proof of unsatisfiability shows |f - y_i| < eps on the whole
    ball; with ``inscribed_box=True`` (p < inf) the box lies inside B_p(x_i, sigma) (checked in exact
    arithmetic), so a proof covers the box only and a counterexample in it is one in the ball.  Every
    number written reads back (``float(text)``) as the float64 stated.

    Parameters: ``dataset`` has X (N, d) and integer labels y; ``sigma`` one radius or several;
    ``onnx_name`` the model path written in ``instances.csv`` (relative to ``out_dir`` in VNN-COMP
    layout); ``timeout`` seconds per instance; ``eps`` the output slack in (0, 0.5].  Raises
    InvalidArgumentError for p < inf without ``inscribed_box``, and for bad radii, eps or timeout.

    >>> import tempfile
    >>> from robustmem.data import Dataset
    >>> rep = write_vnnlib(Dataset(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([1, 2])), "inf", 0.25, tempfile.mkdtemp())
    >>> rep.n_properties, rep.csv.read_text().splitlines()[1]
    (2, 'onnx/model.onnx,vnnlib/prop_1_0.vnnlib,60')
    """
    p = check_p(p, minimum=1.0, allow_equal=True)  # l_p balls with p >= 1 (exact_in_ball decides those)
    radii = _radii(sigma)
    eps = _checked_options(p, eps, timeout, onnx_name, inscribed_box)
    X, y = np.asarray(dataset.X, dtype=np.float64), np.asarray(dataset.y)
    _, d = X.shape
    out = Path(out_dir)
    (out / "vnnlib").mkdir(parents=True, exist_ok=True)
    boxes = [_input_box(s, d, p) for s in radii]
    written = [_write_radius(out, X, y, r, box, eps, onnx_name, timeout) for r, box in enumerate(boxes)]
    csv = out / "instances.csv"
    csv.write_text("\n".join(row for w in written for row in w.rows) + "\n")
    files = tuple(w.files for w in written)
    return VnnlibExport(out, csv, files, p, radii, tuple(b.half_width for b in boxes), float(eps), inscribed_box)


def relative_onnx_name(onnx_path: str | Path, out_dir: str | Path) -> str:
    """The path of ``onnx_path`` as ``instances.csv`` in ``out_dir`` should name it (relative, '/'-separated)."""
    return Path(os.path.relpath(Path(onnx_path).resolve(), Path(out_dir).resolve())).as_posix()
