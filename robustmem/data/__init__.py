"""Datasets (Definition 2): the validated :class:`Dataset`, exact separation, generators with a
guaranteed separation, scikit-learn's bundled real datasets, and file I/O.  Datasets by name live in
:mod:`robustmem.catalog`."""

from robustmem.data.dataset import MAX_LABEL, Dataset, coincident_groups
from robustmem.data.files import load_dataset, save_dataset
from robustmem.data.generators import cube_points, gaussian_clusters, rescale_to_separation, sphere_points
from robustmem.data.labelled import LabelledPoints
from robustmem.data.real import REAL_DATASETS, load_real
from robustmem.data.separation import Separation, min_separation, pair_distances, pairs_below

__all__ = [
    "MAX_LABEL",
    "REAL_DATASETS",
    "Dataset",
    "LabelledPoints",
    "Separation",
    "coincident_groups",
    "cube_points",
    "gaussian_clusters",
    "load_dataset",
    "load_real",
    "min_separation",
    "pair_distances",
    "pairs_below",
    "rescale_to_separation",
    "save_dataset",
    "sphere_points",
]
