"""certify_classifier (the trained networks' certificates in adversarial_training): sound and not vacuous."""

from __future__ import annotations

import numpy as np

from experiments.adversarial_training import certify_classifier


def _mlp(seed: int, d: int = 5, k: int = 8, C: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [
        (rng.standard_normal((k, d)), rng.standard_normal(k)),
        (rng.standard_normal((k, k)), rng.standard_normal(k)),
        (rng.standard_normal((C, k)), rng.standard_normal(C)),
    ]


def _logits(layers: list[tuple[np.ndarray, np.ndarray]], X: np.ndarray) -> np.ndarray:
    h = X
    for W, b in layers[:-1]:
        h = np.maximum(h @ W.T + b, 0.0)
    return h @ layers[-1][0].T + layers[-1][1]


def test_certified_balls_hold_under_dense_sampling_and_some_are_certified() -> None:
    rng = np.random.default_rng(1)
    for seed in range(3):
        layers = _mlp(seed)
        X = rng.standard_normal((40, 5))
        y = _logits(layers, X).argmax(axis=1)
        for p, sigma in ((2.0, 0.05), (np.inf, 0.05), (1.0, 0.2), (2.0, 0.5)):
            ok = certify_classifier(layers, X, y, p=p, sigma=sigma)
            for i in np.nonzero(ok)[0]:
                u = rng.uniform(-1.0, 1.0, (3000, 5))
                norms = np.linalg.norm(u, ord=p, axis=1, keepdims=True)
                a = X[i] + u / norms * sigma * rng.uniform(0.0, 1.0, (3000, 1)) ** 0.2
                assert (_logits(layers, a).argmax(axis=1) == y[i]).all(), (seed, p, sigma, i)
            if sigma == 0.05:
                assert ok.mean() > 0.5  # not vacuous at a small radius


def test_a_wrong_label_or_a_boundary_point_is_never_certified() -> None:
    layers = _mlp(7)
    X = np.random.default_rng(2).standard_normal((30, 5))
    z = _logits(layers, X)
    y = z.argmax(axis=1)
    wrong = (y + 1) % 3
    assert not certify_classifier(layers, X, wrong, p=2.0, sigma=1e-9).any()
    # a point on the boundary between its two best classes: every ball around it holds both labels
    i = 0
    top2 = np.argsort(z[i])[-2:]
    W, b = layers[-1]
    W, b = W.copy(), b.copy()
    b[top2[0]] += z[i, top2[1]] - z[i, top2[0]]  # now logits top2[0] and top2[1] tie at X[0] (up to rounding)
    tied = [layers[0], layers[1], (W, b)]
    assert not certify_classifier(tied, X[:1], np.array([top2[1]]), p=np.inf, sigma=1e-6).any()
    assert not certify_classifier(tied, X[:1], np.array([top2[0]]), p=np.inf, sigma=1e-6).any()
