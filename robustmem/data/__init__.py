"""Datasets (Definition 2): the validated :class:`Dataset`, exact separation, generators with a
guaranteed separation, scikit-learn's bundled real datasets, and file I/O."""

from robustmem.data.dataset import MAX_LABEL, Dataset, coincident_groups
from robustmem.data.generators import cube_points, gaussian_clusters, rescale_to_separation, sphere_points
from robustmem.data.io import load_dataset, save_dataset
from robustmem.data.real import GENERATORS, REAL_DATASETS, dataset_names, load_real, named_dataset
from robustmem.data.separation import Separation, min_separation, pair_distances, pairs_below

__all__ = [
    "GENERATORS",
    "MAX_LABEL",
    "REAL_DATASETS",
    "Dataset",
    "Separation",
    "coincident_groups",
    "cube_points",
    "dataset_names",
    "gaussian_clusters",
    "load_dataset",
    "load_real",
    "min_separation",
    "named_dataset",
    "pair_distances",
    "pairs_below",
    "rescale_to_separation",
    "save_dataset",
    "sphere_points",
]
