"""Save and load networks: a documented, versioned, pickle-free file format.

File layout (``.rmnet``, a NumPy ``.npz`` archive read with ``allow_pickle=False``):

* ``header``: UTF-8 JSON (as a uint8 array) with ``format = "robustmem-network"``,
  ``version = 1``, ``meta`` (JSON: construction name, certificate, ...), one record per
  segment (``name``, ``repeats``, ``n_params``, ``n_maps``), and ``sha256``: the digest of every
  array below, in a fixed order, dtype and shape included.
* per segment ``i``: ``s{i}_params`` (repeats x P float64) and the concatenation of its maps'
  fields: ``s{i}_dims`` (n_maps x 5 int64: in_dim, out_dim, n_carry, n_active, n_entries), then
  ``s{i}_carry_src``, ``s{i}_carry_dst``, ``s{i}_active``, ``s{i}_ent_row``, ``s{i}_ent_col``,
  ``s{i}_ent_base``, ``s{i}_ent_scale``, ``s{i}_ent_pidx``, ``s{i}_bias_base``,
  ``s{i}_bias_scale``, ``s{i}_bias_pidx``.

Loading checks the format name, the version, the digest, and rebuilds every map through the
constructors that check the IR's invariants; any failure raises
:class:`~robustmem.errors.NetworkFormatError` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from robustmem.errors import InvalidArgumentError, NetworkFormatError
from robustmem.network.network import ReLUNetwork, Segment
from robustmem.network.template import MapTemplate

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load_network", "save_network"]

FORMAT_NAME = "robustmem-network"
FORMAT_VERSION = 1
_CARRY = ("carry_src", "carry_dst")
_ENT = ("ent_row", "ent_col", "ent_base", "ent_scale", "ent_pidx")
_BIAS = ("bias_base", "bias_scale", "bias_pidx")
_FIELDS = ("params", "dims") + _CARRY + ("active",) + _ENT + _BIAS


def _digest(arrays: dict[str, np.ndarray]) -> str:
    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(key.encode())
        h.update(str(a.dtype.str).encode())
        h.update(repr(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _segment_arrays(i: int, s: Segment) -> dict[str, np.ndarray]:
    ms = s.maps
    dims = np.array([[m.in_dim, m.out_dim, len(m.carry_src), len(m.active), len(m.ent_row)] for m in ms])
    out = {f"s{i}_params": s.params, f"s{i}_dims": dims.astype(np.int64)}
    for name in _CARRY + ("active",) + _ENT + _BIAS:
        out[f"s{i}_{name}"] = np.concatenate([getattr(m, name) for m in ms])
    return out


def save_network(net: ReLUNetwork, path: str | Path) -> Path:
    """Write ``net`` to ``path`` (conventionally ``*.rmnet``); returns the path written."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    seg_info = []
    for i, s in enumerate(net.segments):
        arrays.update(_segment_arrays(i, s))
        seg_info.append(
            {"name": s.name, "repeats": s.repeats, "n_params": int(s.params.shape[1]), "n_maps": len(s.maps)}
        )
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "meta": net.meta,
        "segments": seg_info,
        "sha256": _digest(arrays),
    }
    text = json.dumps(header, sort_keys=True, allow_nan=False)
    if path.is_dir():
        raise InvalidArgumentError(f"cannot write the network to {str(path)!r}: it is a directory; give a file name")
    with open(path, "wb") as fh:
        header_bytes = np.frombuffer(text.encode(), dtype=np.uint8)
        # mypy matches the **arrays mapping against savez_compressed's allow_pickle: bool keyword
        np.savez_compressed(fh, header=header_bytes, **arrays)  # type: ignore[arg-type]
    return path


def _fail(path: Path, why: str) -> NetworkFormatError:
    return NetworkFormatError(f"{path}: not a valid robustmem network file: {why}")


def load_network(path: str | Path) -> ReLUNetwork:
    """Read a network written by :func:`save_network`, checking format, version and digest."""
    path = Path(path)
    try:  # our own handle: np.load leaves its file open when the archive is unreadable
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError as exc:
        raise NetworkFormatError(f"no such file: {path}") from exc
    except IsADirectoryError as exc:
        raise _fail(path, "it is a directory") from exc
    # NotImplementedError: zipfile meets a compression method it does not know (a flipped header byte)
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError, NotImplementedError) as exc:
        raise _fail(path, f"cannot read the archive ({type(exc).__name__}: {exc})") from exc
    if "header" not in arrays:
        raise _fail(path, "no header")
    try:
        header: dict[str, Any] = json.loads(arrays.pop("header").tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"header is not JSON ({exc})") from exc
    if header.get("format") != FORMAT_NAME:
        raise _fail(path, f"format is {header.get('format')!r}, expected {FORMAT_NAME!r}")
    if header.get("version") != FORMAT_VERSION:
        raise _fail(path, f"version {header.get('version')!r} is not supported (this is version {FORMAT_VERSION})")
    if _digest(arrays) != header.get("sha256"):
        raise _fail(path, "the arrays do not match the recorded SHA-256 digest (altered or corrupt)")
    try:
        segments = [_read_segment(i, info, arrays) for i, info in enumerate(header["segments"])]
        return ReLUNetwork(segments, meta=header.get("meta", {}))
    except NetworkFormatError:
        raise
    except (KeyError, ValueError, IndexError, TypeError) as exc:
        raise _fail(path, f"inconsistent contents ({exc})") from exc


def _read_segment(i: int, info: dict[str, Any], arrays: dict[str, np.ndarray]) -> Segment:
    dims = arrays[f"s{i}_dims"]
    if dims.ndim != 2 or dims.shape != (int(info["n_maps"]), 5):
        raise ValueError(f"segment {i}: dims has shape {dims.shape}")
    offsets = {k: np.concatenate([[0], np.cumsum(dims[:, c])]) for k, c in (("carry", 2), ("active", 3), ("ent", 4))}
    maps = []
    for j, (n_in, n_out, *_rest) in enumerate(dims):
        kw: dict[str, Any] = {"in_dim": int(n_in), "out_dim": int(n_out)}
        for group, names in (("carry", _CARRY), ("active", ("active",) + _BIAS), ("ent", _ENT)):
            lo, hi = offsets[group][j], offsets[group][j + 1]
            for name in names:
                arr = arrays[f"s{i}_{name}"]
                if len(arr) != offsets[group][-1]:
                    raise ValueError(f"segment {i}: {name} has length {len(arr)}, expected {offsets[group][-1]}")
                kw[name] = arr[lo:hi]
        maps.append(MapTemplate(**kw))
    return Segment(tuple(maps), arrays[f"s{i}_params"], name=str(info["name"]))
