"""The last step every chain construction shares: the certificate's dataset fields, then Theorem 37's chain
with the certificate saved in the network.

The constructors of Theorems 5, 6, 7, 16, 31-33, 35 and Remark 40 (and the Yu-Gao-Zhang shape) choose their own
radii, indicator and claimed shape; what they write alike is the description of the dataset in the
:class:`~robustmem.certificate.Certificate` (:func:`dataset_fields`) and the network built by
:func:`~robustmem.gadgets.chain.chain_network` with ``meta = {"construction", "certificate"}``
(:func:`chain_construction`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from robustmem.certificate import Certificate, Construction
from robustmem.construct.common import dataset_fingerprint
from robustmem.gadgets.chain import BlockEmitter, chain_network

if TYPE_CHECKING:
    from robustmem.data import Dataset

__all__ = ["chain_construction", "dataset_fields"]


def dataset_fields(dataset: Dataset) -> dict[str, Any]:
    """The certificate fields that describe ``dataset``: n_points (N), input_dim (d), n_classes (C),
    dataset_fingerprint and the user's class names ``classes`` (None for labels given as 1..C), so that every
    chain construction's network maps its outputs back to the user's labels."""
    return {
        "n_points": dataset.N,
        "input_dim": dataset.d,
        "n_classes": dataset.C,
        "dataset_fingerprint": dataset_fingerprint(dataset),
        "classes": getattr(dataset, "classes", None),
    }


def chain_construction(
    cert: Certificate,
    centers: np.ndarray,
    labels: np.ndarray,
    emitter: BlockEmitter,
    *,
    input_dim: int,
    matrix: np.ndarray | None = None,
) -> Construction:
    """Theorem 37's chain over ``centers`` (labels ``labels``, blocks from ``emitter``, carry shift
    ``cert.shift``, ``matrix`` folded into the first map), with ``cert`` in the network's meta.

    Guarantee: none beyond :func:`~robustmem.gadgets.chain.chain_network`'s; the claim is the certificate's,
    which the caller proved when it chose r, w and the shift.  Returns the :class:`Construction` (net, cert).
    """
    net = chain_network(
        centers,
        np.asarray(labels),
        emitter,
        shift=cert.shift,
        input_dim=input_dim,
        matrix=matrix,
        meta={"construction": cert.construction, "certificate": cert.to_dict()},
    )
    return Construction(net, cert)
