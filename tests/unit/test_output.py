"""Output for people: no raw dicts, None or False; 'vacuous' for vacuous bounds; progress during long PGD runs."""

from __future__ import annotations

import itertools

import pytest

from robustmem import cli
from robustmem.bounds import radii_for_width
from robustmem.construct import construct_theorem6
from robustmem.data import sphere_points


def test_theorem8_above_remark4_reads_vacuous() -> None:
    r = radii_for_width(1000, 64, 2, 12)
    assert r.theorem8 is not None and r.theorem8 > r.remark4_limit and r.theorem8_vacuous
    text = r.summary()
    assert f"vacuous ({r.theorem8:.6g} >= Remark 4's limit 0.5)" in text
    assert "False" not in text and "None" not in text
    assert "Theorem 5 (every sigma/delta below Remark 4's limit): does not apply (needs k >= d + 6)" in text
    small = radii_for_width(10**6, 64, 2, 1)  # Theorem 8 at k = 1: a real, non-vacuous bound
    assert not small.theorem8_vacuous and small.theorem8_text() == f"{small.theorem8:.6g}"
    assert radii_for_width(1000, 64, 1, 68).theorem8_text() == "n/a (needs 1 <= k <= d - 1)"
    assert "Theorem 6 (same, p in {1, inf}): applies" in radii_for_width(1000, 64, 1, 68).summary()


def test_build_names_the_data_source_readably(tmp_path, capsys) -> None:
    argv = ["build", "--dataset", "sphere", "--param", "n=12", "--param", "d=3", "--param", "n_classes=2"]
    argv += ["--param", "seed=0", "--construction", "theorem6", "--p", "inf", "--sigma-over-delta", "0.1"]
    assert cli.main([*argv, "--out", str(tmp_path / "n.rmnet")]) == 0
    out = capsys.readouterr().out
    assert "built theorem6 on sphere (n=12, d=3, n_classes=2, seed=0) (N = 12, d = 3)" in out
    assert "{" not in out and "'params'" not in out


def test_pgd_reports_progress_within_a_batch(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import importlib

    falsify_module = importlib.import_module("robustmem.verify.falsify")  # the module, not the function

    ticks = itertools.count(0.0, 3.0)  # a clock that advances 3 s per reading: every throttled line is due

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return next(ticks)

    monkeypatch.setattr(falsify_module, "time", Clock)
    ds = sphere_points(6, 2, n_classes=2, delta=0.5, seed=0)
    net, cert = construct_theorem6(ds, p="inf", sigma_over_delta=0.1)
    falsify_module.falsify(
        net, ds, p=cert.p, sigma=cert.sigma, n_random=0, boundary=False, vertices=False, pgd_steps=3, progress=True
    )
    err = capsys.readouterr().err
    assert "pgd (step 1/3)" in err and "pgd 6/6 balls" in err
