"""One exception family for robustmem.

Every error the package raises on bad input derives from :class:`RobustMemError`; the ones about
argument values also derive from :class:`ValueError` so that generic callers can catch them the
usual way.  Messages name the offending value, its index where there is one, and the limit.
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "HypothesisError",
    "InvalidArgumentError",
    "MissingExtraError",
    "NetworkFormatError",
    "NotSeparatedError",
    "RobustMemError",
    "VerificationError",
]


class RobustMemError(Exception):
    """Base class of every error raised by robustmem."""


class InvalidArgumentError(RobustMemError, ValueError):
    """An argument has a value outside its documented domain (e.g. p <= 0, a width below 7)."""


class DataError(RobustMemError, ValueError):
    """A dataset is malformed: wrong shape, NaN/inf, labels that are not positive integers."""


class NotSeparatedError(DataError):
    """Two differently-labelled points coincide (or are closer than a required separation)."""


class HypothesisError(RobustMemError, ValueError):
    """A construction was asked for something outside its theorem's hypotheses.

    The message states the hypothesis and the limit, e.g. a radius sigma/delta beyond 1/(2 c+_p(d)).
    """


class NetworkFormatError(RobustMemError, ValueError):
    """A saved network file is truncated, altered, of an unknown version, or inconsistent."""


class VerificationError(RobustMemError):
    """A verification could not be carried out as requested (not raised for a failed check:
    failed checks are reported in a report object)."""


class MissingExtraError(RobustMemError, ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra that installs it
    (e.g. ``pip install 'robustmem[onnx]'``).  A ModuleNotFoundError too, so ``except ImportError`` still works."""
