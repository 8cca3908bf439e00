"""What a construction claims about the network it returns.

A :class:`Certificate` records the theorem followed, the norm and radius claimed, every constant
the construction chose (r, w, tau, the carry shift, the squaring steps and error budgets, the
projection), and the width and depth the construction claims.  The verifier checks the claim
against the network's own weights; the certificate is saved inside the network file.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.labels import RAISE, Label, check_classes, decode_labels
from robustmem.norms import p_name

__all__ = ["Certificate", "Construction"]


#: construction IDs written by earlier versions -> the one spelling used now (the CLI's --construction names)
LEGACY_CONSTRUCTION_IDS: dict[str, str] = {"log_width": "log-width"}


def _num(x: float) -> float | str:
    return p_name(x) if isinstance(x, float) and math.isinf(x) else x


@dataclass(frozen=True)
class Certificate:
    """The claim of one construction; all radii in the input space's own units.

    Guarantee claimed: for every training point i and every x with ||x - x_i||_p <= sigma,
    the network outputs exactly y_i (the paper's label in 1..C).  ``n_classes`` is C as the
    dataset defines it (:attr:`robustmem.data.Dataset.C`); ``classes`` (None, or the C user labels)
    names the outputs: output m means ``classes[m - 1]`` (:meth:`decode`).
    """

    construction: str  # e.g. "theorem5"
    theorem: str  # e.g. "Theorem 5"
    p: float
    sigma: float  # the claimed robustness radius (l_p)
    delta: float  # separation of the dataset in the l_q norm q = separation_norm (l_2 unless stated)
    tau: float  # separation used by the chain, in the indicator's norm (a certified lower bound)
    tau_norm: float  # the norm of tau / the indicators (2 for the Lemma 38 chain)
    r: float  # indicator radius actually built (>= the radius the claim needs, floating slack included)
    w: float  # indicator margin: z = 0 beyond r + w
    shift: float  # carry shift B: the network carries x + B
    indicator: str
    n_points: int
    input_dim: int
    n_classes: int
    claimed_width: int
    claimed_depth: int
    depth_formula: str
    square_steps: int | None = None
    eps_tilde: float | None = None  # Lemma 38's budget w^p / (4 k Delta^p)
    square_error: float | None = None  # the squaring net's actual bound 2^(-2M-2)
    float_slack: float = 0.0  # added to r for float64 rounding of the carried input
    projection: tuple[tuple[float, ...], ...] | None = None  # k' x d, folded into the first map
    sigma_projected: float | None = None  # sigma' = c+_p(d) sigma in the projected space
    dataset_fingerprint: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    classes: tuple[Label, ...] | None = None  # the user's label for each output 1..C (None: outputs are labels)
    separation_norm: float = 2.0  # the q of delta (Definition 30; 2 except for Appendix E's constructions)

    def __post_init__(self) -> None:
        if self.classes is not None:
            cls = check_classes(self.classes)
            if len(cls) != self.n_classes:
                raise InvalidArgumentError(f"the certificate lists {len(cls)} classes but n_classes = {self.n_classes}")
            object.__setattr__(self, "classes", cls)

    def decode(self, values: object, *, missing: object = RAISE) -> np.ndarray:
        """The user's labels for network outputs ``values`` (exact integers 1..C); see :func:`robustmem.labels.decode_labels`.

        A value that is not exactly an integer in 1..C raises DataError unless ``missing`` is given.
        """
        return decode_labels(values, self.classes, missing=missing)

    @property
    def sigma_over_delta(self) -> float:
        """sigma / delta; nan (undefined, never 0) when delta is unknown or infinite (a single class, e.g. N = 1:
        no pair of differently-labelled points, so every radius is robust and the ratio has no meaning)."""
        if math.isnan(self.delta) or math.isinf(self.delta):
            return math.nan
        return self.sigma / self.delta if self.delta > 0 else math.inf

    def ratio_text(self) -> str:
        """'<sigma/delta> delta (delta = ...)', or why the ratio is undefined."""
        if math.isinf(self.delta):
            return "sigma/delta undefined (a single class: no differently-labelled pair, delta = inf)"
        if math.isnan(self.delta):
            return "sigma/delta unknown (delta not computed)"
        return f"{self.sigma_over_delta:.6g} delta (delta = {self.delta:.6g})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (inf as the string 'inf')."""
        d = asdict(self)
        for k, v in list(d.items()):
            if isinstance(v, float) and math.isinf(v):
                d[k] = p_name(v)
            elif isinstance(v, float) and math.isnan(v):
                d[k] = "nan"  # delta not computed (construct_log_width(..., compute_delta=False))
        return d

    @staticmethod
    def from_dict(d: dict[str, Any]) -> Certificate:
        """The inverse of :meth:`to_dict`; files written before construction IDs were unified say "log_width"."""
        kw = dict(d)
        kw["construction"] = LEGACY_CONSTRUCTION_IDS.get(kw.get("construction", ""), kw.get("construction", ""))
        for k in ("p", "sigma", "delta", "tau", "tau_norm", "separation_norm"):
            if isinstance(kw.get(k), str):
                kw[k] = math.nan if kw[k] == "nan" else math.inf
        if kw.get("projection") is not None:
            kw["projection"] = tuple(tuple(float(v) for v in row) for row in kw["projection"])
        kw["notes"] = tuple(kw.get("notes", ()))
        if kw.get("classes") is not None:
            kw["classes"] = tuple(kw["classes"])
        return Certificate(**kw)

    def projection_matrix(self) -> np.ndarray | None:
        return None if self.projection is None else np.array(self.projection, dtype=np.float64)

    def summary(self) -> str:
        lines = [
            f"{self.theorem} ({self.construction}), l_{p_name(self.p)} balls of radius sigma = {self.sigma:.6g}"
            f" = {self.ratio_text()}",
            f"  indicator {self.indicator}: r = {self.r:.6g}, w = {self.w:.6g}, tau = {self.tau:.6g} (l_{p_name(self.tau_norm)})",
            f"  claimed width {self.claimed_width}, depth {self.claimed_depth} = {self.depth_formula}",
        ]
        if self.square_steps is not None:
            err = "" if self.square_error is None else f": error {self.square_error:.3g}"
            budget = "" if self.eps_tilde is None else f" <= budget {self.eps_tilde:.3g}"
            lines.append(f"  squaring net M = {self.square_steps}{err}{budget}")
        if self.classes is not None:
            shown = ", ".join(f"{m} -> {c!r}" for m, c in enumerate(self.classes[:8], start=1))
            lines.append(
                f"  labels: C = {self.n_classes} classes, outputs {shown}{', ...' if self.n_classes > 8 else ''}"
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class Construction:
    """A network together with its certificate."""

    network: Any  # ReLUNetwork
    certificate: Certificate

    def __iter__(self):  # allows ``net, cert = construct_...(...)``
        yield self.network
        yield self.certificate
