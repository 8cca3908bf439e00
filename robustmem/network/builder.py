"""A small language for writing ReLU networks layer by layer on named neurons ("slots").

Every construction of the package is written with :class:`Builder`: the state after each ReLU
is a list of named, non-negative slots; ``layer(...)`` emits ONE affine map whose outputs are
either carried slots (weight 1, bias 0) or new/updated slots given by affine expressions of the
current slots.  The ReLU that follows the map is the identity on carried slots because they are
already non-negative (they are outputs of earlier ReLUs), which is how the paper's constructions
carry the input through a narrow network (Theorem 37; docs/constructions.md, "How the
networks are built").

Raw input slots (the network input, which may be negative) may be read but never carried.

Coefficients may depend on a block parameter vector (a data point's coordinates, its label):
``Param(i, scale)`` stands for ``scale * params[i]``.  The builder records each map as a
:class:`~robustmem.network.template.MapTemplate`; the network realizes them per block.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np

from robustmem.errors import InvalidArgumentError
from robustmem.network.template import MapTemplate

__all__ = ["Builder", "Coef", "Expr", "ExprLike", "Param"]


@dataclass(frozen=True)
class Coef:
    """A number ``base + scale * params[pidx]`` (``pidx == -1``: the plain number ``base``)."""

    base: float = 0.0
    scale: float = 0.0
    pidx: int = -1

    def __post_init__(self) -> None:
        if not (np.isfinite(self.base) and np.isfinite(self.scale)):
            raise InvalidArgumentError(f"a coefficient must be finite, got base={self.base}, scale={self.scale}")

    @property
    def is_plain(self) -> bool:
        return self.pidx < 0

    @property
    def is_zero(self) -> bool:
        return self.base == 0.0 and (self.pidx < 0 or self.scale == 0.0)

    def __add__(self, other: Coef) -> Coef:
        if self.pidx >= 0 and other.pidx >= 0 and self.pidx != other.pidx:
            raise InvalidArgumentError(
                f"a coefficient may depend on one parameter only (params {self.pidx} and {other.pidx})"
            )
        pidx = self.pidx if self.pidx >= 0 else other.pidx
        return Coef(self.base + other.base, self.scale + other.scale, pidx)

    def times(self, c: float) -> Coef:
        return Coef(self.base * c, self.scale * c, self.pidx)


def Param(index: int, scale: float = 1.0, offset: float = 0.0) -> Coef:
    """The block parameter ``offset + scale * params[index]``."""
    if index < 0:
        raise InvalidArgumentError(f"parameter index must be >= 0, got {index}")
    return Coef(float(offset), float(scale), int(index))


ExprLike = Union["Expr", float, int, Coef]


class Expr:
    """An affine expression ``sum_s coef_s * slot_s + const`` over named slots."""

    __slots__ = ("const", "terms")

    def __init__(self, terms: Mapping[str, Coef] | None = None, const: Coef | float = 0.0):
        self.terms: dict[str, Coef] = dict(terms or {})
        self.const: Coef = const if isinstance(const, Coef) else Coef(float(const))

    @staticmethod
    def of(x: ExprLike) -> Expr:
        if isinstance(x, Expr):
            return x
        if isinstance(x, Coef):
            return Expr(const=x)
        return Expr(const=float(x))

    def __add__(self, other: ExprLike) -> Expr:
        o = Expr.of(other)
        terms = dict(self.terms)
        for k, c in o.terms.items():
            terms[k] = terms[k] + c if k in terms else c
        return Expr(terms, self.const + o.const)

    __radd__ = __add__

    def __neg__(self) -> Expr:
        return self * -1.0

    def __sub__(self, other: ExprLike) -> Expr:
        return self + (-Expr.of(other))

    def __rsub__(self, other: ExprLike) -> Expr:
        return Expr.of(other) + (-self)

    def __mul__(self, c: float | Coef) -> Expr:
        if isinstance(c, Coef):
            if c.is_plain:
                return self * c.base
            bad = [k for k, t in self.terms.items() if not t.is_plain]
            if bad or not self.const.is_plain:
                raise InvalidArgumentError("cannot multiply a parameter-dependent expression by a parameter")
            terms = {k: Coef(t.base * c.base, t.base * c.scale, c.pidx) for k, t in self.terms.items()}
            k0 = self.const.base
            return Expr(terms, Coef(k0 * c.base, k0 * c.scale, c.pidx if k0 != 0 else -1))
        c = float(c)
        return Expr({k: t.times(c) for k, t in self.terms.items()}, self.const.times(c))

    __rmul__ = __mul__

    def __truediv__(self, c: float) -> Expr:
        return self * (1.0 / float(c))

    def slots(self) -> set[str]:
        return set(self.terms)

    def __repr__(self) -> str:
        parts = [f"{c}*{k}" for k, c in self.terms.items()]
        return f"Expr({' + '.join(parts) or '0'} + {self.const})"


class Builder:
    """Emit affine maps on named slots; see the module docstring.

    Parameters
    ----------
    inputs:
        Names of the input coordinates, in order.
    raw_inputs:
        True for the network input (may be negative: read it, never carry it); False for a
        block whose inputs are outputs of a ReLU.
    n_params:
        Length of the block parameter vector that ``Param`` coefficients may index.
    """

    def __init__(self, inputs: Sequence[str], *, raw_inputs: bool, n_params: int = 0):
        if len(set(inputs)) != len(inputs) or not inputs:
            raise InvalidArgumentError(f"input slot names must be non-empty and distinct, got {list(inputs)}")
        self.inputs = list(inputs)
        self.slots: list[str] = list(inputs)
        self.raw: set[str] = set(inputs) if raw_inputs else set()
        self.temp: set[str] = set()
        self.n_params = int(n_params)
        self.maps: list[MapTemplate] = []
        self.finished = False

    def v(self, name: str) -> Expr:
        """The expression reading slot ``name``."""
        if name not in self.slots:
            raise InvalidArgumentError(f"no slot named {name!r}; live slots: {self.slots}")
        return Expr({name: Coef(1.0)})

    @property
    def width(self) -> int:
        return len(self.slots)

    def layer(
        self,
        new: Mapping[str, ExprLike],
        *,
        drop: Iterable[str] = (),
        temp: bool = False,
        temp_names: Iterable[str] = (),
        order: Sequence[str] | None = None,
    ) -> None:
        """Emit one affine map followed (in the network) by a ReLU.

        new:   slot name -> expression; an existing name is updated in place, others are appended.
        drop:  slots not carried further.  Temporary slots (all new slots with ``temp=True``, or
               those named in ``temp_names``) are dropped automatically by the first layer that
               reads them.
        order: optional complete output order (to match a block's input layout).
        """
        if self.finished:
            raise InvalidArgumentError("the network already has its output map")
        exprs = {k: Expr.of(e) for k, e in new.items()}
        read = set().union(*(e.slots() for e in exprs.values())) if exprs else set()
        unknown = read - set(self.slots)
        if unknown:
            raise InvalidArgumentError(f"expressions read unknown slots {sorted(unknown)}")
        drop = set(drop) | ((self.temp & read) - set(exprs)) | (self.raw - set(exprs))
        missing = drop - set(self.slots)
        if missing:
            raise InvalidArgumentError(f"cannot drop slots that do not exist: {sorted(missing)}")
        outputs = [s for s in self.slots if s not in drop] + [k for k in exprs if k not in self.slots]
        if order is not None:
            if sorted(order) != sorted(outputs):
                raise InvalidArgumentError(f"order {list(order)} is not a permutation of outputs {outputs}")
            outputs = list(order)
        self.maps.append(self._template(outputs, exprs))
        self.slots = outputs
        self.raw = set()
        self.temp = (self.temp - read - drop) | (set(exprs) if temp else set(temp_names))
        self.temp &= set(outputs)

    def output(self, expr: ExprLike) -> None:
        """Emit the final affine map (scalar output, no ReLU after it)."""
        self.layer({"__out__": expr}, drop=list(self.slots), order=["__out__"])
        self.finished = True

    def _template(self, outputs: list[str], exprs: Mapping[str, Expr]) -> MapTemplate:
        pos = {s: i for i, s in enumerate(self.slots)}
        carry_src, carry_dst, active = [], [], []
        rows, cols, eb, es, ep = [], [], [], [], []
        bb, bs, bp = [], [], []
        for o, name in enumerate(outputs):
            if name not in exprs:
                carry_src.append(pos[name])
                carry_dst.append(o)
                continue
            active.append(o)
            e = exprs[name]
            for slot, c in sorted(e.terms.items(), key=lambda kv: pos[kv[0]]):
                if c.is_zero:
                    continue
                self._check_param(c)
                rows.append(o)
                cols.append(pos[slot])
                eb.append(c.base)
                es.append(c.scale)
                ep.append(c.pidx)
            self._check_param(e.const)
            bb.append(e.const.base)
            bs.append(e.const.scale)
            bp.append(e.const.pidx)
        return MapTemplate(
            in_dim=len(self.slots),
            out_dim=len(outputs),
            carry_src=np.array(carry_src),
            carry_dst=np.array(carry_dst),
            active=np.array(active),
            ent_row=np.array(rows),
            ent_col=np.array(cols),
            ent_base=np.array(eb),
            ent_scale=np.array(es),
            ent_pidx=np.array(ep),
            bias_base=np.array(bb),
            bias_scale=np.array(bs),
            bias_pidx=np.array(bp),
        )

    def _check_param(self, c: Coef) -> None:
        if c.pidx >= self.n_params:
            raise InvalidArgumentError(f"parameter index {c.pidx} is beyond the block's {self.n_params} parameters")
