"""Compiled evaluation plans: the same arithmetic as the maps, neuron by neuron, block-parallel.

A :class:`SegmentPlan` rewrites a segment's maps as single-assignment *values*: every active
output of every map is one value, computed as

    acc = bias;  for each entry (in column order): acc = acc + w * h;  then relu(acc)

(relu omitted on the network's last map).  Carried outputs are not values: they keep pointing
at the value they carry.  This is literally the affine map of Definition 1 evaluated row by row
in a fixed order, so every evaluator built on a plan performs identical float64 operations.

Block parallelism.  In a repeated segment (one block per data point) an input position that
every map carries unchanged and that ends in the same position is *pass-through* (the carried
input x + B of the chain).  A value that depends, through the block, only on pass-through inputs
and the block's parameters is *state-free*: it can be computed for all blocks at once.  The
remaining values (those reading the running maximum) are computed block after block.  Because
each value's operations are the same elementwise float64 operations either way, the block-
parallel evaluation gives bit-for-bit the same outputs as block-after-block evaluation (tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["SegmentPlan", "ValuePlan", "compile_segment"]


@dataclass(frozen=True)
class ValuePlan:
    """One neuron: reads ``srcs`` (value ids) with entry indices ``ents`` and bias index ``bias``."""

    vid: int
    srcs: tuple[int, ...]
    ents: tuple[int, ...]  # indices into the segment's concatenated realized entry values
    bias: int  # index into the segment's concatenated realized bias values
    relu: bool
    state_free: bool


@dataclass(frozen=True)
class SegmentPlan:
    """Values of one repetition of a segment, in evaluation order.

    Value ids 0..in_dim-1 are the segment's inputs (by position).  ``outputs[i]`` is the value
    id at output position i after one repetition.  ``pass_through`` lists the input positions
    that are carried unchanged to the same output position.
    """

    in_dim: int
    values: tuple[ValuePlan, ...]
    outputs: tuple[int, ...]
    pass_through: frozenset[int]
    exported: frozenset[int]  # state-free values read by state-dependent values or outputs
    last_use: dict  # state-free value id -> index (in ``values``) of its last state-free reader


def compile_segment(seg, *, final_relu: bool, parallel: bool) -> SegmentPlan:
    """Compile ``seg`` (a :class:`~robustmem.network.network.Segment`).

    final_relu: whether a ReLU follows the segment's last map (False only for the network's
    output segment).  parallel: whether to look for pass-through inputs (repeated segments).
    """
    maps = seg.maps
    in_dim = maps[0].in_dim
    layout = list(range(in_dim))  # value id at each position
    ent_off = seg._flat["ent_off"]
    bias_off = seg._flat["bias_off"]
    pending: list[tuple[int, tuple[int, ...], tuple[int, ...], int, bool]] = []
    next_vid = in_dim
    for mi, t in enumerate(maps):
        relu = final_relu or mi < len(maps) - 1
        new_layout = [0] * t.out_dim
        for src, dst in zip(t.carry_src, t.carry_dst):
            new_layout[dst] = layout[src]
        table = _row_entries(t)
        for a, out in enumerate(t.active):
            ents = table[a]
            srcs = tuple(layout[int(t.ent_col[e])] for e in ents)
            pending.append((next_vid, srcs, tuple(int(ent_off[mi] + e) for e in ents), int(bias_off[mi] + a), relu))
            new_layout[out] = next_vid
            next_vid += 1
        layout = new_layout
    outputs = tuple(layout)
    if parallel and len(outputs) == in_dim:
        passing = frozenset(i for i in range(in_dim) if outputs[i] == i)
    else:
        passing = frozenset()
    free = {i for i in range(in_dim) if i in passing}
    values = []
    for vid, srcs, ent_ids, bias, relu in pending:
        sf = all(s in free for s in srcs)
        if sf:
            free.add(vid)
        values.append(ValuePlan(vid, srcs, ent_ids, bias, relu, sf and parallel))
    exported = set()
    last_use: dict[int, int] = {}
    for idx, v in enumerate(values):
        for s in v.srcs:
            if s >= in_dim and s in free:
                if v.state_free:
                    last_use[s] = idx
                else:
                    exported.add(s)
    exported |= {o for o in outputs if o >= in_dim and o in free}
    return SegmentPlan(in_dim, tuple(values), outputs, passing, frozenset(exported), last_use)


def _row_entries(t) -> list[list[int]]:
    """For each active output (in order), its entry indices sorted by input column."""
    pos = np.searchsorted(t.active, t.ent_row)
    rows: list[list[int]] = [[] for _ in range(len(t.active))]
    for e in np.lexsort((t.ent_col, pos)):
        rows[int(pos[e])].append(int(e))
    return rows
