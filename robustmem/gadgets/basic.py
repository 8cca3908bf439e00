"""Elementary ReLU gadgets: |t|, the running maximum, and the shifted input map.

All gadgets are written on a :class:`~robustmem.network.builder.Builder`.  They emit affine maps
and return an :class:`~robustmem.network.builder.Expr` for their result where the result is an
affine function of the new neurons, so that the caller folds it into its next map (no wasted
layer).  Facts used, all exact identities of real numbers:

* |t| = relu(t) + relu(-t);
* max(m, z) = m + relu(z - m) (the form used by the chain of Theorem 37);
* relu(t + B) = t + B whenever t >= -B: the input is carried through ReLU layers as x + B with B
  at least the largest |coordinate| on the union of the balls (Theorem 37 carries x but does not say how;
  docs/constructions.md, "How the networks are built").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from robustmem.network.builder import Builder, Coef, Expr, ExprLike

__all__ = ["abs_parts", "neg_coef", "running_max", "shifted_input_layer"]


def neg_coef(c: Coef | float) -> Coef:
    """-c as a coefficient (parameter-dependent coefficients stay parameter-dependent)."""
    c = c if isinstance(c, Coef) else Coef(float(c))
    return c.times(-1.0)


def abs_parts(b: Builder, e: ExprLike, tag: str, *, extra: dict[str, ExprLike] | None = None) -> Expr:
    """Emit one map computing relu(e) and relu(-e); return the expression |e| = sum of the two.

    The two neurons are temporary: the map that reads the returned expression drops them.
    ``extra`` adds further (non-temporary) outputs to the same map, e.g. materializing a pending
    sum, so that no layer is spent on it.
    """
    e = Expr.of(e)
    pos, neg = f"{tag}+", f"{tag}-"
    new: dict[str, ExprLike] = {pos: e, neg: -e}
    b.layer({**new, **(extra or {})}, temp_names=[pos, neg])
    return b.v(pos) + b.v(neg)


def running_max(b: Builder, m: str, z: str) -> None:
    """Replace slot ``m`` by max(m, z) = m + relu(z - m) (two maps; ``z`` is dropped).

    Theorem 37: for non-negative m and z this is exact; the chain keeps m_i = max(m_{i-1}, z_i).
    """
    b.layer({f"{m}~d": b.v(z) - b.v(m)}, drop=[z], temp=True)
    b.layer({m: b.v(m) + b.v(f"{m}~d")})


def shifted_input_layer(
    b: Builder,
    inputs: Sequence[str],
    outputs: Sequence[str],
    shift: float,
    matrix: Sequence[Sequence[float]] | np.ndarray | None = None,
    *,
    extra: dict[str, ExprLike] | None = None,
) -> None:
    """Emit the first map u = M x + shift (M = identity when ``matrix`` is None).

    ``u`` is non-negative on every input whose image has coordinates >= -shift, so later maps
    carry it unchanged through their ReLUs.
    """
    new: dict[str, ExprLike] = {}
    for i, name in enumerate(outputs):
        if matrix is None:
            e = b.v(inputs[i]) + shift
        else:
            e = Expr({inputs[j]: Coef(float(m)) for j, m in enumerate(matrix[i]) if m != 0.0}, shift)
        new[name] = e
    new.update(extra or {})
    b.layer(new)
