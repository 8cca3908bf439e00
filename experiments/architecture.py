"""Architecture diagrams in the spirit of the paper's Figures 4-7, read off real networks.

Builds, on one small separated dataset, the logarithmic-width network of Theorem 7
(``construct_log_width``: projection u = P x + B folded into the first map, then one chain block per
data point made of, per projected coordinate j, the map |a_j| = relu(a_j) + relu(-a_j) followed by the
M maps of the squaring net f_M, then the indicator output and a two-map running maximum), and the
large-width network of Theorem 5 (``construct_theorem5``: the same chain in the input space, width
d + 6) and of Theorem 6 for p = inf (exact l_inf indicator of Lemma 39, width d + 4).

Every number drawn comes from the network objects: the segments (names, repeats), every map's
input/output sizes, ``net.layer_widths()``, ``net.width`` and ``net.depth``.  The neuron names of one
chain block are recovered by re-emitting the block with the certificate's constants on a recording
:class:`~robustmem.network.builder.Builder` and checking that every emitted map template equals the
network's own template entry for entry (an error otherwise), so the labels are those of the real maps.
The certificate's claimed width and depth are compared with the measured ones; any disagreement raises.

Writes ``architecture.json`` (block structure, per-layer widths, claimed vs measured width and depth)
and draws ``architecture_width_profile.png`` and ``architecture_blocks.png`` from it alone.

    python -m experiments.architecture [--quick] [--out results] [--figures figures]
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.common import (
    TEXT_WIDTH,
    integer_ticks,
    legend_below,
    meta_block,
    paper_style,
    read_results,
    savefig,
    write_results,
)

RESULTS = "architecture.json"
FIG_PROFILE = "architecture_width_profile.png"
FIG_BLOCKS = "architecture_blocks.png"

# neuron categories of a chain block, by slot name (the names the gadgets give their neurons)
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("carried", r"^u\d+$", "carried coordinates u = P x + B (or x + B)"),
    ("max", r"^m$", "running maximum m (the chain's state)"),
    ("sum", r"^I\.(S|q)$", "running sum Sigma (l_2) / running max q (l_inf)"),
    ("abs", r"^I\.a\d+[+-]$", "|a_j| = relu(a_j) + relu(-a_j), a_j = x_j - c_j"),
    ("square", r"^I\.sq\.", "squaring net f_M (r0, r1, r2, accumulator)"),
    ("indicator", r"^(I\.(c|t|z|e)|m~d)$", "indicator and max temporaries (c_j, t, z, relu(z - m))"),
)
#: the legend text of each category in the figures (mathtext); the results file keeps the plain text above
CATEGORY_TEX = {
    "carried": "carried coordinates $u = Px + B$ (or $x + B$)",
    "max": "running maximum $m$ (the chain's state)",
    "sum": "running sum $\\Sigma$ ($\\ell_2$) / running max $q$ ($\\ell_\\infty$)",
    "abs": "$|a_j| = \\mathrm{relu}(a_j) + \\mathrm{relu}(-a_j)$, $a_j = x_j - c_j$",
    "square": "squaring net $f_M$ ($r_0$, $r_1$, $r_2$, accumulator)",
    "indicator": "indicator and max temporaries ($c_j$, $t$, $z$, $\\mathrm{relu}(z - m)$)",
}
CATEGORY_COLORS = {
    "carried": "#9ecae1",
    "max": "#e6550d",
    "sum": "#756bb1",
    "abs": "#31a354",
    "square": "#fdae6b",
    "indicator": "#de2d26",
    "other": "#bbbbbb",
}


def _category(name: str) -> str:
    for key, pat, _ in CATEGORIES:
        if re.match(pat, name):
            return key
    return "other"


# ------------------------------------------------------------------------------------------ compute
def _recorded_block(cert: Any) -> tuple[list[dict[str, Any]], list[Any]]:
    """Re-emit one chain block with the certificate's constants on a recording builder:
    (per map: input, output and newly computed neuron names; the emitted map templates)."""
    from robustmem.gadgets.basic import running_max
    from robustmem.gadgets.indicators import indicator_l1, indicator_l2, indicator_linf
    from robustmem.network.builder import Builder, Param

    records: list[dict[str, Any]] = []

    class Recording(Builder):
        def layer(self, new, **kw):  # type: ignore[override]
            before = list(self.slots)
            super().layer(new, **kw)
            records.append(
                {"inputs": before, "outputs": list(self.slots), "active": [s for s in self.slots if s in new]}
            )

    k = len(cert.projection) if cert.projection is not None else cert.input_dim
    if cert.indicator.startswith("l2"):
        emitter = functools.partial(indicator_l2, r=cert.r, w=cert.w, shift=cert.shift, M=cert.square_steps)
    elif cert.indicator.startswith("l_inf") or cert.indicator.startswith("linf"):
        emitter = functools.partial(indicator_linf, r=cert.r, w=cert.w, shift=cert.shift)
    elif cert.indicator.startswith("l1") or cert.indicator.startswith("l_1"):
        emitter = functools.partial(indicator_l1, r=cert.r, w=cert.w, shift=cert.shift)
    else:
        raise ValueError(f"no recorder for the indicator {cert.indicator!r}")
    u = [f"u{j}" for j in range(k)]
    b = Recording(u + ["m"], raw_inputs=False, n_params=k + 1)
    z = emitter(b, u, [Param(j) for j in range(k)], Param(k))
    running_max(b, "m", z)
    return records, list(b.maps)


def _same_template(a: Any, b: Any) -> bool:
    fields = (
        "carry_src",
        "carry_dst",
        "active",
        "ent_row",
        "ent_col",
        "ent_base",
        "ent_scale",
        "ent_pidx",
        "bias_base",
        "bias_scale",
        "bias_pidx",
    )
    return (
        a.in_dim == b.in_dim
        and a.out_dim == b.out_dim
        and all(np.array_equal(getattr(a, f), getattr(b, f)) for f in fields)
    )


def _roles(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Role and group of every map of the block, from the names of the neurons it computes."""
    out, coord, step = [], None, 0
    for rec in records:
        act = rec["active"]
        absj = [int(m.group(1)) for s in act if (m := re.match(r"^I\.a(\d+)\+$", s))]
        if absj:
            coord, step = absj[0], 0
            role, group = f"|a_{coord + 1}| = relu(a) + relu(-a)", f"coordinate {coord + 1}"
        elif any(s.startswith("I.sq.") for s in act):
            step += 1
            role, group = f"squaring step {step}", f"coordinate {coord + 1}"
        elif "I.e" in act:
            role, group = f"q = max(q, |a_{coord + 1}|)", f"coordinate {coord + 1}"
        elif "I.t" in act:
            role, group = (
                "t = relu(Sigma - r^2 - w^2/4)" if "I.S" in rec["inputs"] else "t = relu(q - r)",
                "indicator output",
            )
        elif "I.z" in act:
            role, group = "z = relu(y (1 - t / scale))", "indicator output"
        elif "m~d" in act:
            role, group = "relu(z - m)", "running max"
        elif act == ["m"]:
            role, group = "m = m + relu(z - m)", "running max"
        else:
            raise AssertionError(f"unrecognised map with new neurons {act}")
        out.append({"role": role, "group": group})
    return out


def network_structure(label: str, net: Any, cert: Any) -> dict[str, Any]:
    """Everything the figures draw, read off ``net`` and checked against ``cert``."""
    widths = [int(w) for w in net.layer_widths()]
    measured = {"width": int(net.width), "depth": int(net.depth)}
    claimed = {"width": int(cert.claimed_width), "depth": int(cert.claimed_depth)}
    if measured != claimed:
        raise AssertionError(f"{label}: the certificate claims {claimed} but the network has {measured}")
    if len(widths) != net.depth - 1 or max(widths) != net.width:
        raise AssertionError(
            f"{label}: layer_widths() has {len(widths)} entries, max {max(widths)}; "
            f"depth {net.depth}, width {net.width}"
        )
    names = [s.name for s in net.segments]
    if names != ["input", "chain", "output"]:
        raise AssertionError(f"{label}: expected segments input/chain/output, got {names}")
    chain = net.segments[1]
    records, templates = _recorded_block(cert)
    if len(templates) != len(chain.maps) or not all(_same_template(t, m) for t, m in zip(templates, chain.maps)):
        raise AssertionError(f"{label}: the re-emitted block differs from the network's chain template")
    roles = _roles(records)
    block = []
    for i, (rec, role, m) in enumerate(zip(records, roles, chain.maps)):
        comp: dict[str, int] = {}
        for s in rec["outputs"]:
            comp[_category(s)] = comp.get(_category(s), 0) + 1
        block.append(
            {
                "index": i,
                "in_dim": int(m.in_dim),
                "out_dim": int(m.out_dim),
                "new_neurons": rec["active"],
                "carried_neurons": [s for s in rec["outputs"] if s not in rec["active"]],
                "composition": comp,
                **role,
            }
        )
    groups: list[dict[str, Any]] = []
    for mp in block:
        if groups and groups[-1]["group"] == mp["group"]:
            g = groups[-1]
            g["n_maps"] += 1
            g["max_width"] = max(g["max_width"], mp["out_dim"])
            g["roles"].append(mp["role"])
        else:
            groups.append(
                {
                    "group": mp["group"],
                    "first": mp["index"],
                    "n_maps": 1,
                    "max_width": mp["out_dim"],
                    "roles": [mp["role"]],
                }
            )
    segs = [
        {
            "name": s.name,
            "repeats": s.repeats,
            "maps_per_repeat": len(s.maps),
            "out_dims": [m.out_dim for m in s.maps],
            "in_dim": s.in_dim,
            "out_dim": s.out_dim,
            "max_width": max(m.out_dim for m in s.maps),
        }
        for s in net.segments
    ]
    k = len(cert.projection) if cert.projection is not None else cert.input_dim
    return {
        "network": label,
        "construction": cert.construction,
        "theorem": cert.theorem,
        "indicator": cert.indicator,
        "p": cert.p,
        "N": cert.n_points,
        "d": cert.input_dim,
        "k_carried": k,
        "square_steps": cert.square_steps,
        "sigma": cert.sigma,
        "sigma_over_delta": cert.sigma_over_delta,
        "r": cert.r,
        "w": cert.w,
        "shift": cert.shift,
        "claimed_width": claimed["width"],
        "claimed_depth": claimed["depth"],
        "depth_formula": cert.depth_formula,
        "measured_width": measured["width"],
        "measured_depth": measured["depth"],
        "agree": True,
        "parameters_dense": net.num_parameters(),
        "parameters_nonzero": net.num_nonzero_parameters(),
        "layer_widths": widths,
        "segments": segs,
        "block_maps": block,
        "block_groups": groups,
        "category_labels": {key: text for key, _, text in CATEGORIES},
    }


def build_networks(*, n: int, d: int, seed: int, width: int) -> list[dict[str, Any]]:
    from robustmem.construct import construct_log_width, construct_theorem5, construct_theorem6
    from robustmem.data import sphere_points

    ds = sphere_points(n, d, n_classes=3, delta=0.6, seed=seed)
    net7, cert7 = construct_log_width(ds, p=2.0, width=width, seed=seed, fraction=0.5)
    net5, cert5 = construct_theorem5(ds, p=2.0, sigma=cert7.sigma)
    net6, cert6 = construct_theorem6(ds, p="inf", sigma=cert7.sigma / np.sqrt(d))
    rows = [
        network_structure(f"Theorem 7, width {width} (k' = {width - 6})", net7, cert7),
        network_structure(f"Theorem 5, width d + 6 = {d + 6}", net5, cert5),
        network_structure(f"Theorem 6 (l_inf, Lemma 39), width d + 4 = {d + 4}", net6, cert6),
    ]
    for r in rows:
        r["dataset"] = ds.name
        r["delta"] = float(ds.separation().delta)
    return rows


# ------------------------------------------------------------------------------------------ plot
def plot_profile(rows: list[dict[str, Any]], path: Path) -> Path:
    """architecture_width_profile.png: every hidden layer's width, and what one block's neurons hold (text width)."""
    paper_style()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        len(rows), 2, figsize=(TEXT_WIDTH, 2.5 * len(rows)), gridspec_kw={"width_ratios": [1.4, 1]}
    )
    for row, (ax, bx) in zip(rows, axes):
        w = np.array(row["layer_widths"])
        ax.step(np.arange(1, len(w) + 1), w, where="mid", color="k", lw=0.9)
        ax.axhline(
            row["claimed_width"],
            color="tab:red",
            ls="--",
            lw=0.9,
            label=f"claimed width {row['claimed_width']} (certificate)",
        )
        ax.axhline(
            row["k_carried"], color="tab:blue", ls=":", lw=0.9, label=f"carried coordinates $k = {row['k_carried']}$"
        )
        per = row["segments"][1]["maps_per_repeat"]
        for i in range(row["segments"][1]["repeats"] + 1):
            ax.axvline(1.5 + i * per, color="0.8", lw=0.6)  # d_1 is the input map's output
        ax.set_xlim(0, len(w) + 1), ax.set_ylim(0, row["claimed_width"] + 3)
        ax.set_xlabel("hidden layer $l$ ($1, \\dots, L-1$)"), ax.set_ylabel("width $d_l$")
        integer_ticks(ax.xaxis), integer_ticks(ax.yaxis)
        ax.set_title(
            f"{_math_names(row['network'])}: $N = {row['N']}$, $d = {row['d']}$, depth $L = {row['measured_depth']}$"
            f"\n(grey: block boundaries, {per} maps per block)",
            fontsize=7,
        )
        ax.legend(loc="lower right", fontsize=6.5, framealpha=0.9)
        block = row["block_maps"]
        x = np.arange(1, len(block) + 1)
        bottom = np.zeros(len(block))
        cats = [c for c in CATEGORY_COLORS if any(m["composition"].get(c) for m in block)]
        for c in cats:
            h = np.array([m["composition"].get(c, 0) for m in block])
            bx.bar(x, h, bottom=bottom, color=CATEGORY_COLORS[c], width=0.9, label=_category_label(row, c))
            bottom += h
        for g in row["block_groups"]:
            bx.axvline(g["first"] + 0.5, color="k", lw=0.5)
        bx.axhline(row["claimed_width"], color="tab:red", ls="--", lw=0.9)
        bx.set_xlim(0.4, len(block) + 0.6), bx.set_ylim(0, row["claimed_width"] + 1)
        bx.set_xlabel("map inside one chain block"), bx.set_ylabel("neurons after the map")
        integer_ticks(bx.xaxis), integer_ticks(bx.yaxis)
        bx.set_title(f"one block ({len(block)} maps):\nwhat each neuron holds", fontsize=7)
    legend_below(fig, [bx for _, bx in axes], ncol=2)
    fig.tight_layout()
    return savefig(fig, path)


def _shown_groups(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups drawn for one block: beyond 3 coordinate groups, the first two, '...' and the last."""
    coords = [g for g in groups if g["group"].startswith("coordinate")]
    if len(coords) <= 3:
        return groups
    hidden = coords[2:-1]
    gap = {
        "group": f"coordinates 3..{len(coords) - 1}",
        "n_maps": sum(g["n_maps"] for g in hidden),
        "max_width": max(g["max_width"] for g in hidden),
        "roles": ["the same maps, one", "coordinate each"],
    }
    rest = [g for g in groups if not g["group"].startswith("coordinate")]
    return [*coords[:2], gap, coords[-1], *rest]


def plot_blocks(rows: list[dict[str, Any]], path: Path) -> Path:
    """architecture_blocks.png: per network, the chain of blocks and one block's groups of maps (text width)."""
    paper_style()
    import matplotlib.patches as mpatches
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(rows), 1, figsize=(TEXT_WIDTH, 2.75 * len(rows)))
    group_color = lambda g: (
        "#fdd0a2" if g.startswith("coordinate") else "#fcbba1" if g.startswith("indicator") else "#fc9272"
    )
    for row, ax in zip(rows, axes):
        ax.set_axis_off()
        ax.set_xlim(0, 100), ax.set_ylim(0, 20)
        segs = row["segments"]
        inp, chain, outp = segs
        H = row["claimed_width"]
        # top lane: the whole network
        top = [("input map", f"$u = {'Px' if row['k_carried'] < row['d'] else 'x'} + B$, $m = 0$", 1, inp["max_width"])]
        nb = chain["repeats"]
        shown = list(range(min(nb, 3)))
        for i in shown:
            top.append((f"block {i + 1}", f"point {i + 1}", chain["maps_per_repeat"], chain["max_width"]))
        if nb > 3:
            top.append(("...", f"{nb - 3} more blocks", 0, 0))
        top.append(("output map", "$f = m$", 1, outp["out_dim"]))
        x = 1.0
        bw = 98.0 / len(top) - 1.5
        for name, sub, maps, width in top:
            h = max(5.0 * width / H, 3.6)
            if name == "...":
                ax.text(x + bw / 2, 15.5, f"... {sub}", ha="center", va="center", fontsize=7)
            else:
                ax.add_patch(
                    mpatches.FancyBboxPatch(
                        (x, 15.5 - h / 2),
                        bw,
                        h,
                        boxstyle="round,pad=0.1",
                        fc="#deebf7" if name.startswith("block") else "#e5f5e0",
                        ec="k",
                        lw=0.8,
                    )
                )
                ax.text(
                    x + bw / 2,
                    15.5,
                    f"{name}\n{sub}\n{maps} map{'s' if maps != 1 else ''}, width {width}",
                    ha="center",
                    va="center",
                    fontsize=6,
                )
            if name != "output map":
                ax.annotate("", (x + bw + 1.4, 15.5), (x + bw + 0.1, 15.5), arrowprops={"arrowstyle": "->", "lw": 0.8})
            x += bw + 1.5
        pname = "\\infty" if row["p"] in ("inf", float("inf")) else f"{row['p']:g}"
        msteps = "" if row["square_steps"] is None else f", $M = {row['square_steps']}$"
        ax.text(
            0.5,
            21.5,
            f"{_math_names(row['network'])}: $N = {row['N']}$ points in $\\mathbb{{R}}^{{{row['d']}}}$, "
            f"$\\sigma/\\delta = {row['sigma_over_delta']:.3g}$, $\\ell_{{{pname}}}$ balls\n"
            f"measured width {row['measured_width']} = claimed {row['claimed_width']}; depth "
            f"{row['measured_depth']} = claimed {row['claimed_depth']} = ${row['depth_formula']}${msteps}",
            fontsize=7.5,
            va="top",
        )
        # bottom lane: one block, one box per group of maps
        total = sum(g["n_maps"] for g in row["block_groups"])
        groups = _shown_groups(row["block_groups"])
        x = 1.0
        ax.plot([1, 99], [11.2, 11.2], color="0.7", lw=0.6)
        ax.text(
            1,
            10.8,
            f"one chain block ({total} maps), by groups of maps; box height ~ the group's widest layer",
            fontsize=6.5,
            va="top",
            style="italic",
        )
        L = (98.0 - 0.4 * len(groups)) / len(groups)  # equal boxes: the map counts are written in them
        for g in groups:
            h = max(7.0 * g["max_width"] / H, 5.0)
            ax.add_patch(
                mpatches.FancyBboxPatch(
                    (x, 5.0 - h / 2), L, h, boxstyle="round,pad=0.05", fc=group_color(g["group"]), ec="k", lw=0.7
                )
            )
            detail = "\n".join(line for role in _short(g["roles"]) for line in _role_lines(role))
            ax.text(
                x + L / 2,
                5.0,
                f"{g['group']}\n{g['n_maps']} maps, width {g['max_width']}\n{detail}",
                ha="center",
                va="center",
                fontsize=5.5,
            )
            x += L + 0.4
    fig.tight_layout()
    return savefig(fig, path)


def _math_names(text: str) -> str:
    """Network names of the results file as mathtext (l_inf -> ell_infinity, k' = 3, d + 6)."""
    text = text.replace("l_inf", "$\\ell_\\infty$").replace("l_2", "$\\ell_2$").replace("l_1", "$\\ell_1$")
    text = re.sub(r"k' = (\d+)", r"$k' = \1$", text)
    return re.sub(r"\bd \+ (\d+)", r"$d + \1$", text)


def _category_label(row: dict[str, Any], key: str) -> str:
    """The legend text of a neuron category: mathtext for the known ones, else the results file's text."""
    return CATEGORY_TEX.get(key) or row["category_labels"].get(key, key)


#: the roles of the maps of a block (as ``_roles`` writes them) -> lines of mathtext for the block boxes
#: (#1: the pattern's group)
_ROLE_TEX: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        r"^\|a_(\d+)\| = relu\(a\) \+ relu\(-a\)$",
        ("$|a_{#1}| = \\mathrm{relu}(a_{#1})$", "$+\\ \\mathrm{relu}(-a_{#1})$"),
    ),
    (r"^squaring f_M: (\d+) maps$", ("squaring $f_M$: #1 maps",)),
    (r"^q = max\(q, \|a_(\d+)\|\)$", ("$q = \\max(q, |a_{#1}|)$",)),
    (r"^t = relu\(Sigma - r\^2 - w\^2/4\)$", ("$t = \\mathrm{relu}(\\Sigma - r^2 - w^2/4)$",)),
    (r"^t = relu\(q - r\)$", ("$t = \\mathrm{relu}(q - r)$",)),
    (r"^z = relu\(y \(1 - t / scale\)\)$", ("$z = \\mathrm{relu}(y\\,(1 - t/\\mathrm{scale}))$",)),
    (r"^relu\(z - m\)$", ("$\\mathrm{relu}(z - m)$",)),
    (r"^m = m \+ relu\(z - m\)$", ("$m = m + \\mathrm{relu}(z - m)$",)),
)


def _role_lines(role: str) -> list[str]:
    """One role of a block box as lines of mathtext; a role not listed in ``_ROLE_TEX`` is wrapped as text."""
    for pattern, lines in _ROLE_TEX:
        m = re.match(pattern, role)
        if m:
            return [line.replace("#1", m.group(1)) if m.groups() else line for line in lines]
    return textwrap.wrap(role, 20)


def _short(roles: list[str]) -> list[str]:
    """A compact description of the roles of a group of maps."""
    sq = [r for r in roles if r.startswith("squaring step")]
    out = [r for r in roles if not r.startswith("squaring step")]
    if sq:
        out.append(f"squaring f_M: {len(sq)} maps")
    return out


def plot(out: Path, figures: Path) -> list[Path]:
    rows = read_results(out / RESULTS)["rows"]
    return [plot_profile(rows, figures / FIG_PROFILE), plot_blocks(rows, figures / FIG_BLOCKS)]


# ------------------------------------------------------------------------------------------ main
def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNGs")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNGs from the results JSON")
    ap.add_argument("--quick", action="store_true", help="N = 4 points instead of 6")
    ap.add_argument("--n", type=int, default=None, help="number of points (default 6, quick 4)")
    ap.add_argument("--d", type=int, default=8, help="input dimension")
    ap.add_argument("--width", type=int, default=9, help="width of the Theorem 7 network (k' = width - 6)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        n = args.n if args.n is not None else (4 if args.quick else 6)
        rows = build_networks(n=n, d=args.d, seed=args.seed, width=args.width)
        meta = meta_block("experiments.architecture", argv, seed=args.seed, n=n, d=args.d, width=args.width)
        path = write_results(out / RESULTS, meta, rows)
        for r in rows:
            print(
                f"{r['network']}: width {r['measured_width']} (claimed {r['claimed_width']}), depth {r['measured_depth']}"
                f" (claimed {r['claimed_depth']}), {len(r['block_maps'])} maps per block"
            )
        print(f"wrote {path}")
    for p in plot(out, figs):
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
