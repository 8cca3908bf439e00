"""net.to_torch(): a real nn.Module (buffers, .to, .float), as_sequential(), and a logits head foolbox can attack."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from robustmem.construct import construct_theorem5, construct_theorem6
from robustmem.data import Dataset, sphere_points
from robustmem.errors import InvalidArgumentError
from robustmem.network.torch_export import TorchClassifier, TorchReLUNetwork


@pytest.fixture(scope="module")
def built() -> tuple[Dataset, object, object]:
    ds = Dataset.from_labels(*_blobs())
    net, cert = construct_theorem5(ds, p=2.0, sigma_over_delta=0.2)
    return ds, net, cert


def _blobs() -> tuple[np.ndarray, np.ndarray]:
    ds = sphere_points(16, 3, n_classes=3, delta=0.5, seed=4)
    return ds.X, ds.y - 1  # labels 0, 1, 2 as make_blobs gives them


def test_weights_are_buffers_and_follow_dtype(built) -> None:
    ds, net, _ = built
    module = net.to_torch()
    assert isinstance(module, TorchReLUNetwork) and module.dtype == torch.float64
    state = module.state_dict()
    assert state and all(v.dtype == torch.float64 for v in state.values())
    ref = net(ds.X)
    with torch.no_grad():
        assert np.array_equal(module(torch.tensor(ds.X)).numpy(), ref)  # bit-identical at float64
        single = module.float()
        assert single.dtype == torch.float32 and all(v.dtype == torch.float32 for v in single.state_dict().values())
        out32 = single(torch.tensor(ds.X, dtype=torch.float32))
        assert out32.dtype == torch.float32
        back = single.to(torch.float64)
        assert np.array_equal(back(torch.tensor(ds.X)).numpy(), ref)  # the cast back is exact: weights were float64
    fresh = net.to_torch()
    fresh.load_state_dict(state)
    assert set(fresh.state_dict()) == set(state)


def test_as_sequential_is_the_dense_definition(built) -> None:
    ds, net, _ = built
    seq = net.as_sequential()
    assert isinstance(seq, torch.nn.Sequential)
    assert sum(isinstance(m, torch.nn.Linear) for m in seq) == net.depth
    with torch.no_grad():
        out = seq(torch.tensor(ds.X)).numpy()
    assert out.shape == (ds.N, 1)
    assert np.abs(out[:, 0] - net(ds.X)).max() <= 1e-9 * max(1.0, float(np.abs(net(ds.X)).max()))
    with pytest.raises(
        InvalidArgumentError, match=r"dense form of this network has [\d,]+ parameters .* max_parameters = 10"
    ):
        net.as_sequential(max_parameters=10)


def test_logits_head_is_exact_at_the_memorized_points(built) -> None:
    ds, net, cert = built
    clf = net.to_torch(head="logits")
    assert isinstance(clf, TorchClassifier) and clf.n_classes == cert.n_classes == 3
    assert clf.classes == (0, 1, 2)
    with torch.no_grad():
        logits = clf(torch.tensor(ds.X))
    assert logits.shape == (ds.N, 3)
    assert (logits.argmax(1).numpy() + 1).tolist() == ds.y.tolist()
    assert (logits.max(1).values == 0).all()  # f(x_i) = y_i exactly: the winning logit is exactly 0
    assert clf.float()(torch.tensor(ds.X, dtype=torch.float32)).dtype == torch.float32
    with pytest.raises(InvalidArgumentError, match="head must be 'scalar' or 'logits', got 'softmax'"):
        net.to_torch(head="softmax")


def test_foolbox_l2_pgd_runs_on_the_logits_head(built) -> None:
    fb = pytest.importorskip("foolbox")
    ds, net, cert = built
    model = fb.PyTorchModel(net.to_torch(head="logits").eval(), bounds=(-10.0, 10.0))
    X, y = torch.tensor(ds.X), torch.tensor(ds.y - 1)
    attack = fb.attacks.L2PGD(steps=10)
    far = float(ds.separation().delta)  # beyond the certified radius: an adversarial point exists for some ball
    _, _, success = attack(model, X, y, epsilons=[cert.sigma, far])
    assert not success[0].any()  # nothing inside a certified ball
    assert success[1].any()  # the attack works: at delta it crosses to another label


def test_logits_need_a_class_count() -> None:
    from robustmem.network import ReLUNetwork

    plain = ReLUNetwork.from_dense([(np.ones((1, 2)), np.zeros(1))])
    with pytest.raises(InvalidArgumentError, match="head='logits' needs the number of classes"):
        plain.to_torch(head="logits")
    net6, _ = construct_theorem6(Dataset([[0.0], [1.0]], [1, 2]), p="inf", sigma=0.1)
    assert net6.to_torch(head="logits").classes is None
