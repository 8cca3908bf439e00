"""What the figure experiments write is true of the package's objects (not just that files exist)."""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from experiments.common import read_results, write_results

RESULTS = Path(__file__).resolve().parents[2] / "results"  # the committed results files


def _roundtrip(tmp_path, rows):
    """Rows as the figures read them back: through the results JSON."""
    write_results(tmp_path / "r.json", {"command": "test"}, rows)
    return read_results(tmp_path / "r.json")["rows"]


# ---------------------------------------------------------------------------------------- Figure 2
def test_figure2_points_are_the_hard_instance_and_attacks_collide(tmp_path):
    from experiments.figure2_3 import figure2_data
    from robustmem.lower_bound import hard_instance

    (row,) = _roundtrip(tmp_path, [figure2_data(delta=1.0, sigma=0.08, attack_angles=[0.3, 2.0])])
    inst = hard_instance(1, 2, 1.0, 0.08, 2.0)
    n1 = inst.n1
    assert np.array_equal(np.array(row["class1_points"]), inst.dataset.X[:n1])  # JSON floats round-trip exactly
    assert np.array_equal(np.array(row["class2_points"]), inst.dataset.X[n1:])
    assert row["labels"] == inst.dataset.y.tolist() and set(row["labels"]) == {1, 2}
    assert (row["n1"], row["n2"], row["r"], row["sigma_prime"]) == (inst.n1, inst.n2, inst.r, inst.sigma_prime)
    # class 1 on the circle of radius r, class 2 on the circle of radius r + delta
    assert np.allclose(np.linalg.norm(row["class1_points"], axis=1), inst.r, rtol=1e-12)
    assert np.allclose(np.linalg.norm(row["class2_points"], axis=1), inst.outer_radius, rtol=1e-12)
    # the difference set meets every line through 0 (the reason no width-1 network works)
    assert row["every_line_meets_difference_set"] and row["max_line_gap"] <= inst.sigma_prime
    for at in row["attacks"]:
        W = np.array(at["W"])
        assert at["exact_kernel"] and at["image_gap_exact"] == "0"
        assert at["label_i"] != at["label_j"]
        assert at["distance_to_x_i"] <= inst.sigma_prime
        assert np.array_equal(np.array(at["x_i"]), inst.dataset.X[at["i"]])
        assert np.array_equal(np.array(at["a_prime"]), inst.dataset.X[at["j"]])
        assert abs(W @ np.array(at["a"]) - W @ np.array(at["a_prime"])) <= 1e-12


# ---------------------------------------------------------------------------------------- Figure 3
def test_figure3_colliding_pair_has_equal_images_and_different_labels(tmp_path):
    from experiments.figure2_3 import figure3_data

    (row,) = _roundtrip(tmp_path, [figure3_data(sigma=0.25, ks=(1, 2))])
    T = np.array(row["T"])
    x, xp, col = (np.array(row[k]) for k in ("x", "x_prime", "collision"))
    assert row["labels"][0] != row["labels"][1]
    # exact: T has entries 1 and -1/sigma = -4, so these float products are exact
    assert (T @ col).tolist() == (T @ x).tolist() == [0.0]
    assert row["image_of_collision_exact"] == ["0"]
    assert math.isclose(np.linalg.norm(col - xp), 0.25, rel_tol=1e-15) and row["ball_distance"] == "1/4"
    assert row["data_distance"] == row["image_distance"] == "1"  # a JL map for the data pair
    assert row["preservation_gap_float"] < 0 and row["all_symbolic_checks_zero"]
    # the two image intervals overlap
    assert row["image_interval_x"][1] >= row["image_interval_x_prime"][0]


# ---------------------------------------------------------------------------------------- architecture
@pytest.fixture(scope="module")
def small_log_width():
    from robustmem.construct import construct_log_width
    from robustmem.data import sphere_points

    ds = sphere_points(3, 6, n_classes=2, delta=0.6, seed=1)
    return construct_log_width(ds, p=2.0, width=8, seed=1, fraction=0.5)


def test_architecture_json_matches_the_network(small_log_width, tmp_path):
    from experiments.architecture import network_structure

    net, cert = small_log_width
    (row,) = _roundtrip(tmp_path, [network_structure("t7", net, cert)])
    assert (row["measured_width"], row["measured_depth"]) == (net.width, net.depth)
    assert (row["claimed_width"], row["claimed_depth"]) == (cert.claimed_width, cert.claimed_depth)
    assert row["layer_widths"] == list(net.layer_widths()) and max(row["layer_widths"]) == net.width
    chain = net.segments[1]
    assert [s["repeats"] for s in row["segments"]] == [s.repeats for s in net.segments] == [1, 3, 1]
    assert [m["out_dim"] for m in row["block_maps"]] == [m.out_dim for m in chain.maps]
    k, M = row["k_carried"], row["square_steps"]
    assert k == 2 and len(row["block_maps"]) == k * (M + 1) + 4  # the depth formula's block
    assert sum(g["n_maps"] for g in row["block_groups"]) == len(chain.maps)
    assert [g["group"] for g in row["block_groups"]] == [
        "coordinate 1",
        "coordinate 2",
        "indicator output",
        "running max",
    ]
    # every neuron of every block layer is accounted for by a category
    assert all(sum(m["composition"].values()) == m["out_dim"] for m in row["block_maps"])
    assert all(
        m["composition"].get("carried") == k and m["composition"].get("max") == 1 for m in row["block_maps"][:-1]
    )


def test_architecture_raises_when_the_certificate_disagrees(small_log_width):
    from experiments.architecture import network_structure

    net, cert = small_log_width
    with pytest.raises(AssertionError, match="claims"):
        network_structure("t7", net, dataclasses.replace(cert, claimed_depth=cert.claimed_depth + 1))


# ---------------------------------------------------------------------------------------- adversarial training
def test_training_attack_stays_in_the_ball():
    import torch

    from experiments.adversarial_training import pgd, pgd_train

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3)).double()
    X = torch.randn(7, 5, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0])
    gen = torch.Generator().manual_seed(0)
    for p in (2.0, math.inf):
        xa = pgd_train(model, X, y, eps=0.3, p=p, steps=5, gen=gen)
        norms = (xa - X).norm(dim=1) if p == 2.0 else (xa - X).abs().amax(dim=1)
        assert float(norms.max()) <= 0.3 * (1 + 1e-12)
    _, _worst, fooled = pgd(model, X, y, eps=0.0, p=2.0, steps=3, restarts=2, gen=gen, centre_start=True)
    with torch.no_grad():
        logits = model(X)
    clean_ok = logits.argmax(dim=1) == y
    assert torch.equal(~fooled, clean_ok)  # eps = 0: robust accuracy is the clean accuracy


def test_summary_picks_the_smallest_width_robust_in_every_seed():
    from experiments.adversarial_training import summarize

    def tr(k, seed, ok):
        return {
            "kind": "train",
            "dataset": "s",
            "N": 5,
            "k": k,
            "seed": seed,
            "robust_memorization": ok,
            "robust_accuracy": 1.0 if ok else 0.5,
            "parameters": 10 * k,
            "ratio": 0.1,
            "p": "2",
        }

    rows = [tr(2, 0, False), tr(2, 1, True), tr(4, 0, True), tr(4, 1, True), tr(8, 0, True), tr(8, 1, False)]
    rows.append({"kind": "construction", "dataset": "s", "N": 5, "width": 9, "depth": 50, "parameters_nonzero": 7})
    (s,) = summarize(rows)
    assert (s["smallest_width_all_seeds_robust"], s["smallest_width_some_seed_robust"], s["construction_width"]) == (
        4,
        2,
        9,
    )
    assert Fraction(str(s["mean_robust_accuracy_by_width"]["2"])) == Fraction(3, 4)


# ---------------------------------------------------------------------------------------- drawing
@pytest.mark.parametrize(
    ("module", "results", "compute", "figures"),
    [
        (
            "experiments.figure2_3",
            "figure2_3.json",
            ("figure2_data", "figure3_data"),
            ("figure2_hard_instance.png", "figure3_example1.png"),
        ),
        ("experiments.adversarial_training", "adversarial_training.json", ("sweep",), ("adversarial_training.png",)),
        (
            "experiments.architecture",
            "architecture.json",
            ("build_networks",),
            ("architecture_width_profile.png", "architecture_blocks.png"),
        ),
    ],
)
def test_plot_only_redraws_the_committed_results_without_computing(
    module, results, compute, figures, tmp_path, monkeypatch
):
    import importlib
    import shutil

    mod = importlib.import_module(module)

    def refuse(*args, **kwargs):
        raise AssertionError("--plot-only recomputed")

    for name in compute:
        monkeypatch.setattr(mod, name, refuse)
    shutil.copy(RESULTS / results, tmp_path / results)
    before = (tmp_path / results).read_bytes()
    assert mod.main(["--plot-only", "--out", str(tmp_path), "--figures", str(tmp_path / "figs")]) == 0
    for name in figures:
        assert (tmp_path / "figs" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    assert (tmp_path / results).read_bytes() == before  # the results file is only read


_PLAIN_FORMULA = re.compile(r"[=_^|+]|relu|Sigma|sigma|delta")  # outside $...$: a formula left in ASCII


def test_every_block_role_of_the_architecture_figure_is_mathtext():
    from matplotlib.mathtext import MathTextParser

    from experiments.architecture import _ROLE_TEX, _category_label, _role_lines, _short

    rows = read_results(RESULTS / "architecture.json")["rows"]
    parser = MathTextParser("path")
    roles = {role for row in rows for g in row["block_groups"] for role in _short(g["roles"])}
    assert roles and all(any(re.match(p, r) for p, _ in _ROLE_TEX) for r in roles), roles
    for role in roles:
        for line in _role_lines(role):
            assert not _PLAIN_FORMULA.search(re.sub(r"\$[^$]*\$", "", line)), line  # formulas only in mathtext
            parser.parse(line, dpi=72)  # raises on a malformed formula
    for row in rows:
        for key in row["category_labels"]:
            label = _category_label(row, key)
            assert label != row["category_labels"][key], label
            assert not _PLAIN_FORMULA.search(re.sub(r"\$[^$]*\$", "", label)), label
            parser.parse(label, dpi=72)


def test_label_points_puts_the_label_off_the_lines():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.common import label_points

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 1, 1], "s-")  # the labelled series, through the point
    ax.plot([0, 2], [1.08, 1.08], "-")  # a line just above the point: 'above' is taken
    ax.set_xlim(0, 2), ax.set_ylim(0.5, 1.5)
    (ann,) = label_points(ax, [(1.0, 1.0)], ["15"], fontsize=7)
    fig.canvas.draw()
    box = ann.get_window_extent(fig.canvas.get_renderer())
    for line in ax.get_lines():
        path = line.get_transform().transform_path(line.get_path())
        assert not path.intersects_bbox(box, filled=False)
    assert ann.xyann[1] < 0  # it went below
    plt.close(fig)
