"""Can TRAINED ReLU networks robustly memorize at logarithmic width?  (The paper's open question.)

For each dataset (random points on the unit sphere of R^d with two random labels, and random subsets
of scikit-learn's digits scaled to [0, 1]) and each N, with delta the dataset's l_2 separation and
sigma = ratio * delta, ReLU MLPs with ``--depth`` hidden layers of width k are adversarially trained
(Madry et al.: cross-entropy on l_p PGD examples, random start, ``--train-pgd-steps`` steps) for a fixed
budget of ``--steps`` Adam steps (batches of ``--batch`` points, cosine learning rate; training stops
earlier once a PGD-20 x 2 check every ``--check-every`` steps finds every point with a logit margin of at
least ``--stop-margin``), for every k of a grid and several seeds.  Afterwards every training
point is attacked with a strong PGD (``--eval-steps`` steps, ``--eval-restarts`` restarts, half on the
cross-entropy and half on the logit margin, the first restart from the centre, every iterate checked).

Notion of success: the network is a CLASSIFIER with C logits; a point counts as robust when no attack
iterate a in B_p(x_i, sigma) has argmax logit != y_i (ties count as failures).  "Robust memorization" =
all N points robust.  This is an attack-based, upper-bound estimate of robust accuracy; a lower bound
comes from certification: CROWN bounds on every logit margin over every ball (:func:`certify_classifier`),
and a certified point that the attack breaks would stop the run (it never has).  Both are a weaker notion than the paper's Definition 3, which demands the scalar output f(a) = y_i EXACTLY
(the constructions of the package meet that, and are certified).

The comparison: the smallest width k at which training reached 100 % robust training accuracy, per
(dataset, N), next to the width of the package's Theorem 7 network for the same data and sigma
(``construct_log_width(ds, p=2, sigma=sigma)``: the smallest width in [7, d + 5] whose best-of-8 random
projection certifies sigma; Theorem 5's d + 6 when none does) and its depth and parameter count.

Writes ``adversarial_training.json`` (rows of kind "train", "construction" and "summary") and draws
``adversarial_training.png`` from it alone.  Tasks (dataset, N, k, seed) run through
:func:`experiments.common.sweep` (``--scheduler tcp://...`` runs them on a Dask cluster).

    python -m experiments.adversarial_training [--quick] [--out results] [--figures figures] [--scheduler ADDR]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from experiments.common import (
    TEXT_WIDTH,
    label_points,
    meta_block,
    paper_style,
    read_results,
    savefig,
    sweep,
    write_results,
)

RESULTS = "adversarial_training.json"
FIGURE = "adversarial_training.png"
SPHERE_DELTA = 0.5  # sphere_points is asked for this l_2 separation; the measured delta is used for sigma


# ------------------------------------------------------------------------------------------ data
def make_dataset(name: str, n: int, *, d: int, seed: int) -> Any:
    """The dataset of one task, rebuilt deterministically in whichever process runs it."""
    from robustmem.data import Dataset, load_real, sphere_points

    if name == "sphere":
        return sphere_points(n, d, n_classes=2, delta=SPHERE_DELTA, seed=seed)
    if name == "digits":
        full = load_real("digits")
        if n > full.N:
            raise ValueError(f"digits has {full.N} points, asked for N = {n}")
        idx = np.sort(np.random.default_rng(seed).permutation(full.N)[:n])
        return Dataset(
            full.X[idx] / 16.0,
            full.y[idx],
            name=f"digits/16 (N={n}, seed={seed})",
            meta={"source": "sklearn digits, pixels / 16", "indices_seed": seed},
        )
    raise ValueError(f"unknown dataset {name!r}: choose sphere or digits")


# ------------------------------------------------------------------------------------------ attacks
def _project(delta: Any, eps: float, p: float) -> Any:
    import torch

    if math.isinf(p):
        return delta.clamp(-eps, eps)
    norms = delta.flatten(1).norm(dim=1).clamp_min(1e-30)
    return delta * torch.clamp(eps / norms, max=1.0)[:, None]


def _random_start(shape: tuple[int, int], eps: float, p: float, gen: Any) -> Any:
    import torch

    if math.isinf(p):
        return (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * eps
    g = torch.randn(shape, generator=gen, dtype=torch.float64)
    g = g / g.norm(dim=1, keepdim=True)
    u = torch.rand((shape[0], 1), generator=gen, dtype=torch.float64) ** (1.0 / shape[1])
    return g * u * eps


def _margin(logits: Any, y: Any) -> Any:
    """z_y - max_{j != y} z_j (negative or zero: misclassified or tied)."""
    import torch

    zy = logits.gather(1, y[:, None])[:, 0]
    other = logits.clone()
    other.scatter_(1, y[:, None], -torch.inf)
    return zy - other.max(dim=1).values


def pgd(
    model: Any,
    X: Any,
    y: Any,
    *,
    eps: float,
    p: float,
    steps: int,
    restarts: int,
    gen: Any,
    loss: str = "ce",
    centre_start: bool = False,
    alpha: float | None = None,
) -> tuple[Any, Any, Any]:
    """l_p PGD on all points and restarts at once.

    Returns (adversarial points of the last iterate of restart 0 (for training), per-point
    minimum margin over every iterate of every restart, per-point "some iterate misclassified").
    ``loss``: "ce", "margin" or "mixed" (half the restarts each).  Step size ``alpha`` (default
    2.5 eps / steps, as in Madry et al.) for training; for evaluation (alpha=None and steps >= 50)
    a decaying schedule from eps / 4 to eps / 100.
    """
    import torch
    import torch.nn.functional as F

    n = X.shape[0]
    Xr, yr = X.repeat(restarts, 1), y.repeat(restarts)
    delta = _random_start(tuple(Xr.shape), eps, p, gen)
    if centre_start:
        delta[:n] = 0.0
    use_margin = torch.zeros(n * restarts, dtype=torch.bool)
    if loss == "margin":
        use_margin[:] = True
    elif loss == "mixed":
        use_margin[n * (restarts // 2) :] = True
    worst = torch.full((n,), torch.inf, dtype=torch.float64)
    for t in range(steps + 1):
        delta.requires_grad_(True)
        logits = model(Xr + delta)
        m = _margin(logits, yr)
        worst = torch.minimum(worst, m.detach().view(restarts, n).min(dim=0).values)
        if t == steps:
            break
        ce = F.cross_entropy(logits, yr, reduction="none")
        obj = torch.where(use_margin, -m, ce).sum()
        (g,) = torch.autograd.grad(obj, delta)
        if alpha is not None:
            a = alpha
        else:
            a = eps * (0.25 * (1.0 - t / steps) + 0.01)
        with torch.no_grad():
            if math.isinf(p):
                step = g.sign()
            else:
                step = g / g.norm(dim=1, keepdim=True).clamp_min(1e-30)
            delta = _project(delta.detach() + a * step, eps, p)
    return (X + delta.detach()[:n]), worst, worst <= 0


def pgd_train(model: Any, X: Any, y: Any, *, eps: float, p: float, steps: int, gen: Any) -> Any:
    """The training attack (Madry et al.): random start, ``steps`` steps of size 2.5 eps / steps on the
    cross-entropy, projected onto B_p(x, eps); returns the last iterate."""
    import torch
    import torch.nn.functional as F

    delta = _random_start(tuple(X.shape), eps, p, gen).to(X.dtype)
    a = 2.5 * eps / steps
    for _ in range(steps):
        delta.requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(X + delta), y, reduction="sum"), delta)
        with torch.no_grad():
            step = g.sign() if math.isinf(p) else g / g.norm(dim=1, keepdim=True).clamp_min(1e-30)
            delta = _project(delta + a * step, eps, p)
    return X + delta


# ------------------------------------------------------------------------------------------ tasks
def train_task(task: dict[str, Any]) -> dict[str, Any]:
    """Adversarially train one width-k MLP and attack it; or build the construction (kind "construction")."""
    if task["kind"] == "construction":
        return construction_task(task)
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    ds = make_dataset(task["dataset"], task["N"], d=task["d"], seed=task["data_seed"])
    delta = float(ds.separation(2.0).delta)
    sigma = task["ratio"] * delta
    p = math.inf if task["p"] == "inf" else float(task["p"])
    X = torch.tensor(ds.X, dtype=torch.float64)
    y = torch.tensor(ds.y - 1, dtype=torch.long)  # classes 0..C-1
    C, d, k = int(ds.C), int(ds.d), int(task["k"])
    torch.manual_seed(task["seed"])
    gen = torch.Generator().manual_seed(10_000 + task["seed"])
    layers: list[Any] = []
    fan = d
    for _ in range(task["depth"]):
        layers += [nn.Linear(fan, k), nn.ReLU()]
        fan = k
    layers.append(nn.Linear(fan, C))
    model = nn.Sequential(*layers).double()
    n_params = sum(q.numel() for q in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=task["lr"])
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=task["steps"], eta_min=task["lr"] / 100)
    bs = min(task["N"], task["batch"])
    n = task["N"]
    perm, pos = torch.randperm(n, generator=gen), 0
    steps_done, check_margin = 0, None
    for step in range(task["steps"]):
        if task["check_every"] and step and step % task["check_every"] == 0:
            _, w, _ = pgd(model, X, y, eps=sigma, p=p, steps=20, restarts=2, gen=gen, loss="mixed", centre_start=True)
            check_margin = float(w.min())
            if check_margin >= task["stop_margin"]:
                break  # every point keeps a logit margin >= stop_margin under the check attack
        steps_done = step + 1
        if pos + bs > n:
            perm, pos = torch.randperm(n, generator=gen), 0
        idx = perm[pos : pos + bs]
        pos += bs
        xa = pgd_train(model, X[idx], y[idx], eps=sigma, p=p, steps=task["train_pgd_steps"], gen=gen)
        loss = F.cross_entropy(model(xa), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    train_s = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        clean_margin = _margin(model(X), y)
    _, worst, fooled = pgd(
        model,
        X,
        y,
        eps=sigma,
        p=p,
        steps=task["eval_steps"],
        restarts=task["eval_restarts"],
        gen=gen,
        loss="mixed",
        centre_start=True,
    )
    n_robust = int((~fooled).sum())
    t_cert = time.perf_counter()
    weights = [
        (m.weight.detach().numpy().astype(np.float64), m.bias.detach().numpy().astype(np.float64))
        for m in model
        if isinstance(m, nn.Linear)
    ]
    certified = certify_classifier(weights, ds.X, ds.y - 1, p=p, sigma=sigma)
    fooled_np = fooled.numpy()
    if (certified & fooled_np).any():  # a sound certificate can never be broken by an attack
        raise AssertionError(
            f"CROWN certified a ball the attack broke: points {np.nonzero(certified & fooled_np)[0][:5]}"
        )
    n_cert = int(certified.sum())
    return {
        "kind": "train",
        "dataset": task["dataset"],
        "N": n,
        "d": d,
        "C": C,
        "delta": delta,
        "sigma": sigma,
        "ratio": task["ratio"],
        "p": task["p"],
        "k": k,
        "depth_hidden": task["depth"],
        "seed": task["seed"],
        "parameters": n_params,
        "steps": task["steps"],
        "steps_done": steps_done,
        "stopped_early": steps_done < task["steps"],
        "last_check_margin": check_margin,
        "final_train_loss": float(loss.detach()),
        "clean_accuracy": float((clean_margin > 0).double().mean()),
        "robust_points": n_robust,
        "robust_accuracy": n_robust / n,
        "robust_memorization": n_robust == n,
        "certified_points": n_cert,
        "certified_accuracy": n_cert / n,
        "certified_memorization": n_cert == n,
        "certify": "CROWN lower bounds of every logit margin on every ball (sound; may leave robust points unproved)",
        "certify_seconds": time.perf_counter() - t_cert,
        "min_adversarial_margin": float(worst.min()),
        "median_adversarial_margin": float(worst.median()),
        "eval_attack": f"PGD l_{task['p']} {task['eval_steps']} steps x {task['eval_restarts']} restarts (CE + margin)",
        "train_seconds": train_s,
        "seconds": time.perf_counter() - t0,
    }


def certify_classifier(
    layers: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray, y: np.ndarray, *, p: float, sigma: float
) -> np.ndarray:
    """Which points the classifier provably keeps: logit_y(a) > logit_j(a) for all j != y and all a in
    B_p(x_i, sigma), by CROWN bounds (:func:`robustmem.certify.output_bounds`, sound for the float64 weights
    read exactly).  ``layers``: (W, b) of the MLP, ReLU between them, C logits; ``y`` in 0..C-1.

    The margin logit_y - logit_j is formed without rounding: the logits z pass through the exact identity
    z = relu(z) - relu(-z) (the last map doubled as [W; -W]) into a final map with weights +-1, so the
    certified network computes exactly the margin of the trained one.
    """
    from robustmem.certify import output_bounds

    W, b = layers[-1]
    C = W.shape[0]
    split = layers[:-1] + [(np.vstack([W, -W]), np.concatenate([b, -b]))]
    ok = np.ones(len(X), dtype=bool)
    for c in np.unique(y):
        mask = y == c
        for j in range(C):
            if j == c:
                continue
            row = np.zeros((1, 2 * C))
            row[0, [c, C + j]], row[0, [C + c, j]] = 1.0, -1.0
            ob = output_bounds(split + [(row, np.zeros(1))], X[mask], p=p, sigma=sigma, method="crown")
            ok[mask] &= ob.lower > 0
    return ok


def construction_task(task: dict[str, Any]) -> dict[str, Any]:
    """The package's certified network for the same data and sigma: the smallest Theorem 7 width."""
    from robustmem.construct import construct_log_width, construct_theorem5
    from robustmem.errors import HypothesisError

    t0 = time.perf_counter()
    ds = make_dataset(task["dataset"], task["N"], d=task["d"], seed=task["data_seed"])
    delta = float(ds.separation(2.0).delta)
    sigma = task["ratio"] * delta
    p = math.inf if task["p"] == "inf" else float(task["p"])
    note = "Theorem 7: smallest width in [7, d + 5] certifying sigma (best of 8 random projections)"
    try:
        net, cert = construct_log_width(ds, p=p, sigma=sigma, seed=task["data_seed"])
    except HypothesisError as exc:
        net, cert = construct_theorem5(ds, p=p, sigma=sigma)
        note = f"Theorem 7 found no width <= d + 5 ({exc}); Theorem 5 at width d + 6"
    if (net.width, net.depth) != (cert.claimed_width, cert.claimed_depth):
        raise AssertionError(
            f"construction claims {(cert.claimed_width, cert.claimed_depth)}, has {(net.width, net.depth)}"
        )
    return {
        "kind": "construction",
        "dataset": task["dataset"],
        "N": task["N"],
        "d": ds.d,
        "C": ds.C,
        "delta": delta,
        "sigma": sigma,
        "ratio": task["ratio"],
        "p": task["p"],
        "theorem": cert.theorem,
        "width": net.width,
        "depth": net.depth,
        "k_projected": None if cert.projection is None else len(cert.projection),
        "parameters_dense": net.num_parameters(),
        "parameters_nonzero": net.num_nonzero_parameters(),
        "certified_sigma": cert.sigma,
        "note": note,
        "seconds": time.perf_counter() - t0,
    }


def summarize(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (dataset, N): smallest width at which every / some seed reached 100 % robust accuracy."""
    out = []
    keys = sorted({(r["dataset"], r["N"]) for r in rows if r["kind"] == "train"})
    for ds, n in keys:
        tr = [r for r in rows if r["kind"] == "train" and r["dataset"] == ds and r["N"] == n]
        cons = next((r for r in rows if r["kind"] == "construction" and r["dataset"] == ds and r["N"] == n), None)
        ks = sorted({r["k"] for r in tr})
        per_k = {k: [r for r in tr if r["k"] == k] for k in ks}
        all_ok = [k for k in ks if all(r["robust_memorization"] for r in per_k[k])]
        any_ok = [k for k in ks if any(r["robust_memorization"] for r in per_k[k])]
        k_all = min(all_ok) if all_ok else None
        k_any = min(any_ok) if any_ok else None
        cert_all = [k for k in ks if all(r.get("certified_memorization", False) for r in per_k[k])]
        cert_any = [k for k in ks if any(r.get("certified_memorization", False) for r in per_k[k])]
        out.append(
            {
                "kind": "summary",
                "dataset": ds,
                "N": n,
                "widths_tried": ks,
                "seeds": sorted({r["seed"] for r in tr}),
                "smallest_width_all_seeds_robust": k_all,
                "smallest_width_some_seed_robust": k_any,
                "params_at_smallest_width": None if k_all is None else per_k[k_all][0]["parameters"],
                "smallest_width_all_seeds_certified": min(cert_all) if cert_all else None,
                "smallest_width_some_seed_certified": min(cert_any) if cert_any else None,
                "mean_certified_accuracy_by_width": {
                    str(k): float(np.mean([r.get("certified_accuracy", 0.0) for r in per_k[k]])) for k in ks
                },
                "mean_robust_accuracy_by_width": {
                    str(k): float(np.mean([r["robust_accuracy"] for r in per_k[k]])) for k in ks
                },
                "construction_width": None if cons is None else cons["width"],
                "construction_depth": None if cons is None else cons["depth"],
                "construction_parameters_nonzero": None if cons is None else cons["parameters_nonzero"],
                "sigma_over_delta": tr[0]["ratio"],
                "p": tr[0]["p"],
                "statement": (
                    f"{ds}, N = {n}: training reached 100 % robust training accuracy (attack-based) at width "
                    f"k = {k_all} in every seed" + ("" if k_any == k_all else f" (k = {k_any} in some seed)")
                    if k_all is not None or k_any is not None
                    else f"{ds}, N = {n}: no width up to {max(ks)} reached 100 % robust training accuracy"
                )
                + (
                    f"; every ball certified (CROWN) from width {min(cert_all)}"
                    if cert_all
                    else "; no width had every ball certified (CROWN)"
                )
                + (f"; the certified Theorem 7 construction needs width {cons['width']}" if cons else ""),
            }
        )
    return out


# ------------------------------------------------------------------------------------------ plot
def _norm_tex(p: Any) -> str:
    return "\\ell_\\infty" if str(p) in ("inf", "Infinity") else f"\\ell_{{{p}}}"


def plot(out: Path, figures: Path) -> Path:
    """adversarial_training.png from the results JSON (text width): robust accuracy against the width k per
    dataset (top), and the smallest robust width against N next to the Theorem 7 width (bottom)."""
    paper_style()
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullLocator

    data = read_results(out / RESULTS)
    rows, meta = data["rows"], data["meta"]
    names = sorted({r["dataset"] for r in rows if r["kind"] == "train"})
    fig = plt.figure(figsize=(TEXT_WIDTH, 6.9), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.08], hspace=0.04)
    axes_top = top.subplots(1, len(names), squeeze=False)[0]
    axes_bottom = bottom.subplots(1, len(names), squeeze=False)[0]
    cmap = plt.get_cmap("viridis")
    all_N = sorted({r["N"] for r in rows if r["kind"] == "train"})
    color = {n: cmap(0.85 * i / max(len(all_N) - 1, 1)) for i, n in enumerate(all_N)}  # no pale yellow
    widths = sorted({r["k"] for r in rows if r["kind"] == "train"})
    d0s = {}
    labelled: list[tuple[Any, list[tuple[int, int]]]] = []  # the construction widths, written once laid out
    for name, ax, bx in zip(names, axes_top, axes_bottom):
        tr = [r for r in rows if r["kind"] == "train" and r["dataset"] == name]
        d0 = d0s[name] = tr[0]
        for n in sorted({r["N"] for r in tr}):
            c = color[n]
            ks = sorted({r["k"] for r in tr if r["N"] == n})
            acc = [[r["robust_accuracy"] for r in tr if r["N"] == n and r["k"] == k] for k in ks]
            ax.plot(ks, [np.mean(a) for a in acc], "o-", color=c, ms=3, lw=1.1)
            cacc = [[r.get("certified_accuracy", np.nan) for r in tr if r["N"] == n and r["k"] == k] for k in ks]
            ax.plot(ks, [np.mean(a) for a in cacc], "--", color=c, lw=0.8)
            for k, a in zip(ks, acc):
                ax.plot([k] * len(a), a, ".", color=c, alpha=0.45, ms=2.5)
            cons = next((r for r in rows if r["kind"] == "construction" and r["dataset"] == name and r["N"] == n), None)
            if cons:
                ax.axvline(cons["width"], color=c, ls=":", lw=0.9)
        ax.set_xscale("log", base=2)
        ax.set_xticks(widths, [str(k) for k in widths])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("hidden width $k$ (every hidden layer)")
        ax.set_ylabel("robust training accuracy")
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
        ax.set_title(f"{name} ($d = {d0['d']}$, $C = {d0['C']}$ classes)")

        summ = sorted((r for r in rows if r["kind"] == "summary" and r["dataset"] == name), key=lambda r: r["N"])
        n_s = [r["N"] for r in summ]
        k_all = [r["smallest_width_all_seeds_robust"] for r in summ]
        k_any = [r["smallest_width_some_seed_robust"] for r in summ]
        ok = [(n, k) for n, k in zip(n_s, k_all) if k is not None]
        if ok:
            bx.plot(*zip(*ok), "o-", color="tab:blue", ms=3.5, label="trained: robust (PGD) in every seed")
        ok2 = [(n, k) for n, k in zip(n_s, k_any) if k is not None]
        if ok2:
            bx.plot(*zip(*ok2), "v--", color="tab:cyan", ms=3.5, label="trained: robust (PGD) in some seed")
        kc = [(n, r.get("smallest_width_all_seeds_certified")) for n, r in zip(n_s, summ)]
        kc = [(n, k) for n, k in kc if k is not None]
        if kc:
            bx.plot(
                *zip(*kc), "D-.", color="tab:green", ms=3, label="trained: every ball certified (CROWN), every seed"
            )
        fail = [(n, max(r["widths_tried"])) for n, k, r in zip(n_s, k_all, summ) if k is None]
        if fail:
            bx.plot(*zip(*fail), "x", color="tab:red", ms=6, mew=1.5, label="no width tried was robust (largest tried)")
        cwp = [(n, r["construction_width"]) for n, r in zip(n_s, summ) if r["construction_width"] is not None]
        if cwp:
            bx.plot(
                *zip(*cwp), "s-", color="tab:orange", ms=3.5, label="Theorem 7 construction (certified, exact output)"
            )
        bx.set_xscale("log")
        bx.set_yscale("log", base=2)
        yt = sorted({k for r in summ for k in r["widths_tried"]})  # construction widths are annotated
        bx.set_yticks(yt, [str(v) for v in yt])
        bx.yaxis.set_minor_locator(NullLocator())
        bx.set_xticks(n_s, [str(v) for v in n_s])
        bx.xaxis.set_minor_locator(NullLocator())
        bx.set_xlabel("$N$ (training points)")
        bx.set_ylabel("width $k$")
        bx.set_title(name)
        bx.grid(alpha=0.3)
        labelled.append((bx, cwp))
    d0 = d0s[names[0]]
    ratio, pn = d0["ratio"], _norm_tex(d0["p"])
    top.suptitle(
        f"Adversarially trained MLPs, {d0['depth_hidden']} hidden layers, $\\sigma = {ratio:g}\\,\\delta$ in ${pn}$"
        f"\n{meta.get('steps')} Adam steps, PGD-{meta.get('train_pgd_steps')} training;"
        f" evaluation: PGD-{meta.get('eval_steps')}, {meta.get('eval_restarts')} restarts"
    )
    black = {"color": "k"}
    keys = [
        (Line2D([], [], ls="-", marker="o", ms=3, **black), "mean over seeds, by attack"),
        (Line2D([], [], ls="--", lw=0.8, **black), "mean certified (CROWN)"),
        (Line2D([], [], ls="", marker=".", ms=2.5, alpha=0.6, **black), "one seed, by attack"),
        (Line2D([], [], ls=":", lw=0.9, **black), "Theorem 7 width"),
    ]
    colours = [(Line2D([], [], ls="-", marker="o", ms=3, color=color[n]), f"$N = {n}$") for n in all_N]
    ncol = max(len(colours), len(keys))
    blank = (Line2D([], [], ls=""), "")
    first = colours + [blank] * (ncol - len(colours))
    second = keys + [blank] * (ncol - len(keys))
    entries = [e for pair in zip(first, second) for e in pair]  # filled by columns: the N above the line styles
    top.legend(
        [h for h, _ in entries],
        [lab for _, lab in entries],
        loc="outside lower center",
        ncol=ncol,
        frameon=False,
        columnspacing=1.2,
    )
    bottom.suptitle(
        "smallest width $k$ reaching 100% robust training accuracy\n(trained: a classifier, by attack, an upper bound"
        " for this budget; Theorem 7: exact output, certified)"
    )
    seen: dict[str, Any] = {}
    for bx in axes_bottom:
        for h, lab in zip(*bx.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    bottom.legend(list(seen.values()), list(seen), loc="outside lower center", ncol=2, frameon=False)
    for bx, cwp in labelled:  # after the legends: the layout is final
        label_points(bx, cwp, [str(w) for _, w in cwp], color="tab:orange", fontsize=6.5)
    return savefig(fig, figures / FIGURE)


# ------------------------------------------------------------------------------------------ main
def _ints(s: str) -> list[int]:
    return [int(v) for v in s.split(",") if v]


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="results", help="folder of the results JSON")
    ap.add_argument("--figures", default="figures", help="folder of the PNG")
    ap.add_argument("--plot-only", action="store_true", help="redraw the PNG from the results JSON")
    ap.add_argument("--quick", action="store_true", help="sphere only, N in {10, 30}, k in {2, 4, 8, 16}, short budget")
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (local when absent)")
    ap.add_argument("--datasets", default=None, help="comma list of sphere, digits")
    ap.add_argument("--n", default=None, help="comma list of N")
    ap.add_argument("--widths", default=None, help="comma list of hidden widths k")
    ap.add_argument("--seeds", default=None, help="comma list of training seeds")
    ap.add_argument("--d", type=int, default=20, help="dimension of the sphere data")
    ap.add_argument("--ratio", type=float, default=0.1, help="sigma / delta")
    ap.add_argument("--p", default="2", choices=["2", "inf"], help="norm of the balls")
    ap.add_argument("--depth", type=int, default=3, help="hidden layers")
    ap.add_argument("--steps", type=int, default=None, help="Adam steps (training budget)")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--train-pgd-steps", type=int, default=None)
    ap.add_argument("--eval-steps", type=int, default=None)
    ap.add_argument("--eval-restarts", type=int, default=None)
    ap.add_argument("--data-seed", type=int, default=0)
    ap.add_argument(
        "--check-every",
        type=int,
        default=250,
        help="every this many steps a PGD-20 x 2 check; training stops once every point keeps a logit margin >= --stop-margin (0: never)",
    )
    ap.add_argument("--stop-margin", type=float, default=1.0)
    ap.add_argument("--workers", type=int, default=1, help="local Dask workers (one thread each) when no --scheduler")
    args = ap.parse_args(argv)
    out, figs = Path(args.out), Path(args.figures)
    if not args.plot_only:
        q = args.quick
        datasets = (args.datasets or ("sphere" if q else "sphere,digits")).split(",")
        Ns = _ints(args.n or ("10,30" if q else "10,30,100,300,1000"))
        widths = _ints(args.widths or ("2,4,8,16" if q else "2,3,4,6,8,12,16,24,32,64"))
        seeds = _ints(args.seeds or ("0" if q else "0,1"))
        steps = args.steps or (300 if q else 2000)
        tps = args.train_pgd_steps or (5 if q else 7)
        es = args.eval_steps or (30 if q else 100)
        er = args.eval_restarts or (2 if q else 10)
        common = {"d": args.d, "ratio": args.ratio, "p": args.p, "data_seed": args.data_seed}
        tasks = [{"kind": "construction", "dataset": ds, "N": n, **common} for ds in datasets for n in Ns]
        tasks += [
            {
                "kind": "train",
                "dataset": ds,
                "N": n,
                "k": k,
                "seed": s,
                "depth": args.depth,
                "steps": steps,
                "batch": args.batch,
                "lr": args.lr,
                "train_pgd_steps": tps,
                "check_every": args.check_every,
                "stop_margin": args.stop_margin,
                "eval_steps": es,
                "eval_restarts": er,
                **common,
            }
            for ds in datasets
            for n in sorted(Ns, reverse=True)
            for k in sorted(widths, reverse=True)
            for s in seeds
        ]  # (largest first: the slow tasks start early on a cluster)
        print(
            f"adversarial training ({'quick' if q else 'full'}): {len(tasks)} tasks, datasets {datasets}, N {Ns}, "
            f"widths {widths}, seeds {seeds}, {steps} steps",
            flush=True,
        )
        t0 = time.perf_counter()
        cluster, scheduler = None, args.scheduler
        if scheduler is None and args.workers > 1:
            from distributed import LocalCluster

            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None)
            scheduler = cluster.scheduler_address
        try:
            rows = sweep(
                train_task,
                tasks,
                scheduler=scheduler,
                name="adversarial_training",
                describe=lambda t: (
                    f"{t['kind']} {t['dataset']} N={t['N']}"
                    + (f" k={t['k']} seed={t['seed']}" if t["kind"] == "train" else "")
                ),
            )
        finally:
            if cluster is not None:
                cluster.close()
        wall = time.perf_counter() - t0
        rows = rows + summarize(rows)
        meta = meta_block(
            "experiments.adversarial_training",
            argv,
            seed=args.data_seed,
            mode="quick" if q else "full",
            datasets=datasets,
            N=Ns,
            widths=widths,
            seeds=seeds,
            steps=steps,
            batch=args.batch,
            lr=args.lr,
            depth=args.depth,
            train_pgd_steps=tps,
            eval_steps=es,
            eval_restarts=er,
            ratio=args.ratio,
            p=args.p,
            d=args.d,
            wall_seconds=wall,
            scheduler=args.scheduler,
            workers=args.workers,
            check_every=args.check_every,
            stop_margin=args.stop_margin,
            notion="classifier (C logits, argmax) robust accuracy by attack; Definition 3 demands exact output = label",
        )
        path = write_results(out / RESULTS, meta, rows)
        for r in rows:
            if r["kind"] == "summary":
                print(r["statement"])
        print(f"wrote {path} ({wall:.0f} s)")
    print(f"wrote {plot(out, figs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
