"""Exact fit: does the network output each training label exactly (Definition 3 at radius 0)?"""

from __future__ import annotations

import time
from collections.abc import Callable
from fractions import Fraction
from typing import TYPE_CHECKING, get_args

import numpy as np

from robustmem.errors import InvalidArgumentError, VerificationError
from robustmem.network.exact import ExactEvaluation, evaluate_exact
from robustmem.verify.reports import FitMode, FitReport

if TYPE_CHECKING:
    from robustmem.data.labelled import LabelledPoints
    from robustmem.network.network import ReLUNetwork

__all__ = ["MAX_LISTED", "ExactEvaluator", "verify_fit"]

#: (X, fallback_limit) -> (exact outputs, how they were computed): the exact evaluation verify_fit uses
ExactEvaluator = Callable[[np.ndarray, "int | None"], tuple[ExactEvaluation, str]]

MAX_LISTED = 100  # failures listed in a report (the count is always complete)


def dataset_arrays(net: ReLUNetwork, dataset: LabelledPoints) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of ``dataset`` after checking that they fit ``net``'s input dimension."""
    try:
        X = np.asarray(dataset.X, dtype=np.float64)
        y = np.asarray(dataset.y)
    except AttributeError:
        raise InvalidArgumentError(f"expected a Dataset with X and y, got {type(dataset).__name__}") from None
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise InvalidArgumentError(f"dataset X {X.shape} and y {y.shape} are not (N, d) and (N,)")
    if X.shape[1] != net.input_dim:
        raise InvalidArgumentError(f"the dataset has d = {X.shape[1]} but the network reads {net.input_dim} inputs")
    if X.shape[0] < 1:
        raise InvalidArgumentError("the dataset has no points")
    return X, y


def verify_fit(
    net: ReLUNetwork,
    dataset: LabelledPoints,
    *,
    mode: FitMode = "float64",
    fallback_limit: int | None = None,
    evaluator: ExactEvaluator | None = None,
) -> FitReport:
    """Check f(x_i) == y_i for every training point, with no tolerance; return a :class:`FitReport`.

    mode='float64': the float64 output of ``net(X)`` must equal the label exactly.
    mode='exact': the exact rational output of the network (float64 weights and inputs read as
    rationals) must equal the label, computed by ``evaluator`` (default
    :func:`~robustmem.network.exact.evaluate_exact` on every block;
    :func:`robustmem.certify.verify_fit_exact` passes the sparse evaluator, which evaluates only the chain
    blocks not proven silent: O(N K) for K candidate blocks per point instead of O(N^2)); the report says how
    many points the verified float pass settled, how many needed Fractions, and how the chain was evaluated
    (``evaluation``).
    ``fallback_limit`` (exact mode) caps the points allowed to need Fractions; beyond it a
    VerificationError is raised instead of a long computation.

    >>> from robustmem.network.builder import Builder
    >>> from robustmem.network.network import ReLUNetwork
    >>> from types import SimpleNamespace
    >>> b = Builder(["x"], raw_inputs=True); b.layer({"p": b.v("x") + 1.0}); b.output(b.v("p"))
    >>> data = SimpleNamespace(X=np.array([[0.0], [1.0]]), y=np.array([1, 3]))
    >>> r = verify_fit(ReLUNetwork.from_builder(b), data)
    >>> r.passed, r.wrong_indices, r.max_abs_error
    (False, (1,), 1.0)
    """
    if mode not in get_args(FitMode):
        raise InvalidArgumentError(f"mode must be one of {get_args(FitMode)}, got {mode!r}")
    if fallback_limit is not None and (
        isinstance(fallback_limit, bool) or not isinstance(fallback_limit, int) or fallback_limit < 0
    ):
        raise InvalidArgumentError(f"fallback_limit must be None or an integer >= 0, got {fallback_limit!r}")
    if mode == "float64" and fallback_limit is not None:
        raise InvalidArgumentError("fallback_limit applies to mode='exact' only")
    X, y = dataset_arrays(net, dataset)
    start = time.perf_counter()
    exact_counts: tuple[int | None, int | None] = (None, None)
    evaluation = None
    if mode == "float64":
        out = net(X)
        err = np.abs(out - y)
        wrong = np.nonzero(out != y)[0]
        outputs = [float(out[i]) for i in wrong[:MAX_LISTED]]
        max_err = float(err.max())
    else:
        try:
            if evaluator is None:
                ev = evaluate_exact(net, X, fallback_limit=fallback_limit)
                evaluation = "full: every block (robustmem.certify.verify_fit_exact evaluates only the non-silent ones)"
            else:
                ev, evaluation = evaluator(X, fallback_limit)
        except RuntimeError as exc:
            raise VerificationError(f"exact fit not carried out: {exc}") from exc
        diffs = [abs(v - Fraction(int(label))) for v, label in zip(ev.values, y)]
        wrong = np.array([i for i, e in enumerate(diffs) if e != 0], dtype=np.int64)
        outputs = [float(ev.values[i]) for i in wrong[:MAX_LISTED]]
        max_err = float(max(diffs))
        exact_counts = (ev.n_verified_float, ev.n_fraction)
    return FitReport(
        n_points=len(X),
        mode=mode,
        n_correct=len(X) - len(wrong),
        wrong_indices=tuple(int(i) for i in wrong[:MAX_LISTED]),
        wrong_outputs=tuple(outputs),
        wrong_labels=tuple(int(y[i]) for i in wrong[:MAX_LISTED]),
        max_abs_error=max_err,
        seconds=time.perf_counter() - start,
        n_verified_float=exact_counts[0],
        n_fraction=exact_counts[1],
        evaluation=evaluation,
    )
