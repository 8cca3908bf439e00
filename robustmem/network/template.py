"""Parametric sparse affine maps: the storage unit of the network IR.

A network (Definition 1 of the paper) is a sequence of affine maps with ReLU between them.
The constructions repeat one block per data point, and the blocks differ only in a few constants
(the point's coordinates and label).  A :class:`MapTemplate` therefore stores one affine map in
sparse form whose numbers are *affine in a parameter vector*:

    value = base + scale * params[pidx]        (pidx == -1: value = base)

Realizing a template on one row of parameters gives the float64 weights of a real affine map.
The realization formula is part of the definition of the network: the weights of the network
ARE the float64 numbers it produces, and every evaluator (flat, structured, exact) reads them.

Outputs of a map are of two kinds:

* carried outputs, ``out[carry_dst] = in[carry_src]`` (weight exactly 1, bias exactly 0);
* active outputs, ``out[r] = sum_c W[r, c] in[c] + b[r]`` with the sparse entries stored.

Storing carried coordinates implicitly is what keeps a narrow deep chain at O(N k) numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["MapTemplate", "dense_template", "realize_rows"]


def _frozen_array(a: np.ndarray, dtype: type) -> np.ndarray:
    out: np.ndarray = np.array(a, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True, eq=False)
class MapTemplate:
    """One affine map R^in_dim -> R^out_dim in parametric sparse form.

    Invariants (checked on construction): indices in range; every output is either carried or
    active, never both; no duplicate (row, col) entry; active rows sorted and unique.
    """

    in_dim: int
    out_dim: int
    carry_src: np.ndarray
    carry_dst: np.ndarray
    active: np.ndarray  # sorted output indices that are computed (not carried)
    ent_row: np.ndarray  # output index of each entry (each in ``active``)
    ent_col: np.ndarray
    ent_base: np.ndarray
    ent_scale: np.ndarray
    ent_pidx: np.ndarray
    bias_base: np.ndarray  # one per active output, aligned with ``active``
    bias_scale: np.ndarray
    bias_pidx: np.ndarray
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        ints = ("carry_src", "carry_dst", "active", "ent_row", "ent_col", "ent_pidx", "bias_pidx")
        for name in ints:
            object.__setattr__(self, name, _frozen_array(getattr(self, name), np.int64))
        for name in ("ent_base", "ent_scale", "bias_base", "bias_scale"):
            object.__setattr__(self, name, _frozen_array(getattr(self, name), np.float64))
        self._check()

    def _check(self) -> None:
        n_in, n_out = int(self.in_dim), int(self.out_dim)
        if n_in < 1 or n_out < 1:
            raise ValueError(f"a map needs positive dimensions, got {n_in} -> {n_out}")
        for name, arr, hi in (
            ("carry_src", self.carry_src, n_in),
            ("carry_dst", self.carry_dst, n_out),
            ("active", self.active, n_out),
            ("ent_row", self.ent_row, n_out),
            ("ent_col", self.ent_col, n_in),
        ):
            if arr.size and (arr.min() < 0 or arr.max() >= hi):
                raise ValueError(f"{name} has an index outside [0, {hi})")
        if len(self.carry_src) != len(self.carry_dst):
            raise ValueError("carry_src and carry_dst differ in length")
        outs = np.concatenate([self.carry_dst, self.active])
        if len(outs) != n_out or len(np.unique(outs)) != n_out:
            raise ValueError("every output must be exactly one of carried or active")
        if np.any(np.diff(self.active) <= 0):
            raise ValueError("active outputs must be sorted and unique")
        if not np.isin(self.ent_row, self.active).all():
            raise ValueError("an entry writes to a carried output")
        keys = self.ent_row * n_in + self.ent_col
        if len(np.unique(keys)) != len(keys):
            raise ValueError("duplicate (row, col) entry in a map")
        n_ent, n_act = len(self.ent_row), len(self.active)
        for name in ("ent_col", "ent_base", "ent_scale", "ent_pidx"):
            if len(getattr(self, name)) != n_ent:
                raise ValueError(f"{name} must have one value per entry")
        for name in ("bias_base", "bias_scale", "bias_pidx"):
            if len(getattr(self, name)) != n_act:
                raise ValueError(f"{name} must have one value per active output")

    @property
    def n_params_used(self) -> int:
        """1 + the largest parameter index referenced (0 if none)."""
        m = max(self.ent_pidx.max(initial=-1), self.bias_pidx.max(initial=-1))
        return int(m) + 1

    def layout(self) -> MapLayout:
        """Index arrays for fast application, computed once and cached."""
        lay = self._cache.get("layout")
        if lay is None:
            lay = MapLayout.of(self)
            self._cache["layout"] = lay
        return lay

    def dense(self, ent_val: np.ndarray, bias_val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The dense (W, b) of this map for realized entry and bias values."""
        W = np.zeros((self.out_dim, self.in_dim))
        W[self.carry_dst, self.carry_src] = 1.0
        W[self.ent_row, self.ent_col] = ent_val
        b = np.zeros(self.out_dim)
        b[self.active] = bias_val
        return W, b


@dataclass(frozen=True)
class MapLayout:
    """Precomputed indices: active outputs read ``used_cols`` through a small dense matrix."""

    used_cols: np.ndarray
    flat_index: np.ndarray  # position of each entry in the (n_active, n_used) small matrix
    shape: tuple[int, int]

    @staticmethod
    def of(t: MapTemplate) -> MapLayout:
        used = np.unique(t.ent_col)
        col_pos = np.searchsorted(used, t.ent_col)
        row_pos = np.searchsorted(t.active, t.ent_row)
        shape = (len(t.active), len(used))
        return MapLayout(used_cols=used, flat_index=row_pos * len(used) + col_pos, shape=shape)


def dense_template(W: np.ndarray, b: np.ndarray, entries: np.ndarray | None = None) -> MapTemplate:
    """The constant map x -> W x + b as a template: every output active, the non-zero entries of W stored
    (``entries``, a boolean mask of W's shape: exactly those entries, explicit zeros included).

    ``dense(...)`` of the result gives back W and b exactly (zero entries of W are not stored and read 0).
    """
    rows, cols = np.nonzero(W if entries is None else entries)
    m, n = W.shape
    none = np.zeros(0, dtype=np.int64)
    return MapTemplate(
        in_dim=n,
        out_dim=m,
        carry_src=none,
        carry_dst=none,
        active=np.arange(m),
        ent_row=rows,
        ent_col=cols,
        ent_base=W[rows, cols],
        ent_scale=np.zeros(len(rows)),
        ent_pidx=np.full(len(rows), -1),
        bias_base=b,
        bias_scale=np.zeros(m),
        bias_pidx=np.full(m, -1),
    )


def realize_rows(base: np.ndarray, scale: np.ndarray, pidx: np.ndarray, P: np.ndarray) -> np.ndarray:
    """base + scale * P[:, pidx] for every row of P, and exactly ``base`` where pidx == -1.

    The one realization formula of the IR: the network's weights are the float64 numbers it
    returns.  Shape (len(P), len(base)).
    """
    P = np.asarray(P, dtype=np.float64)
    if len(base) == 0:
        return np.zeros((len(P), 0))
    ext = np.concatenate([P, np.zeros((len(P), 1))], axis=1)
    idx = np.where(pidx < 0, ext.shape[1] - 1, pidx)
    return np.where(pidx < 0, base, base + scale * ext[:, idx])
