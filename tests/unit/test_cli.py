"""The command line: build writes a network file, verify reads it back and checks it, errors are
reported with exit code 2 and a message naming the problem."""

from __future__ import annotations

import json

from robustmem.cli import main
from robustmem.network import load_network

SPHERE = ["--dataset", "sphere", "--param", "n=30", "--param", "d=4", "--param", "n_classes=3", "--param", "seed=1"]


def test_build_then_verify_round_trip(tmp_path, capsys):
    net_path = tmp_path / "s.rmnet"
    assert (
        main(
            [
                "build",
                *SPHERE,
                "--construction",
                "theorem6",
                "--p",
                "inf",
                "--fraction-of-limit",
                "0.9",
                "--out",
                str(net_path),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "wrote the network to" in out and "Theorem 6" in out
    net = load_network(net_path)
    assert net.meta["dataset"]["name"] == "sphere"
    report = tmp_path / "r.json"
    assert (
        main(["verify", str(net_path), "--samples", "4", "--pgd-balls", "3", "--pgd-steps", "2", "--json", str(report)])
        == 0
    )
    data = json.loads(report.read_text())
    assert data["passed"] is True and data["fit_exact"]["passed"] is True
    assert "verification PASSED" in capsys.readouterr().out


def test_build_log_width_with_width(tmp_path, capsys):
    path = tmp_path / "lw.rmnet"
    args = [
        "build",
        "--dataset",
        "sphere",
        "--param",
        "n=40",
        "--param",
        "d=12",
        "--param",
        "n_classes=2",
        "--param",
        "seed=0",
        "--construction",
        "log-width",
        "--width",
        "9",
        "--p",
        "2",
        "--out",
        str(path),
    ]
    assert main(args) == 0
    assert load_network(path).width <= 9
    assert "certified radius" in capsys.readouterr().out


def test_radius_beyond_the_limit_is_an_error(tmp_path, capsys):
    code = main(
        [
            "build",
            *SPHERE,
            "--construction",
            "theorem6",
            "--p",
            "inf",
            "--fraction-of-limit",
            "1.2",
            "--out",
            str(tmp_path / "x.rmnet"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "Theorem 6 needs sigma/delta < 1/(2 c+_p(d))" in err


def test_verify_rejects_a_corrupt_file(tmp_path, capsys):
    bad = tmp_path / "bad.rmnet"
    bad.write_bytes(b"not a network")
    assert main(["verify", str(bad)]) == 2
    assert "not a valid robustmem network file" in capsys.readouterr().err


def test_bounds_and_datasets_commands(capsys):
    assert main(["bounds", "--N", "1000", "--d", "100", "--p", "2", "--k", "20"]) == 0
    assert main(["bounds", "--N", "1000", "--d", "100", "--p", "inf", "--sigma-over-delta", "0.001"]) == 0
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert "digits" in out and "sphere" in out


def test_missing_network_file_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.rmnet"
    assert main(["verify", str(missing)]) == 2
    assert f"no such file: {missing}" in capsys.readouterr().err


def test_build_yu2024_lp_and_kim2025_memorizer_choice(tmp_path, capsys):
    path = tmp_path / "y.rmnet"
    assert (
        main(
            [
                "build",
                *SPHERE,
                "--construction",
                "yu2024-lp",
                "--p",
                "3",
                "--sigma-over-delta",
                "0.3",
                "--out",
                str(path),
            ]
        )
        == 0
    )
    net = load_network(path)
    assert net.meta["construction"] == "yu2024-lp" and net.width <= 6 * 4 + 2
    assert (
        main(
            [
                "build",
                *SPHERE,
                "--construction",
                "kim2025",
                "--memorizer",
                "theorem16",
                "--sigma-over-delta",
                "0.2",
                "--out",
                str(tmp_path / "k.rmnet"),
            ]
        )
        == 0
    )
    assert load_network(tmp_path / "k.rmnet").width == 4 + 6  # Theorem 16 chain in R^4 (case II: no projection)
    assert (
        main(
            [
                "build",
                *SPHERE,
                "--construction",
                "theorem5",
                "--memorizer",
                "theorem16",
                "--sigma-over-delta",
                "0.1",
                "--out",
                str(tmp_path / "t.rmnet"),
            ]
        )
        == 2
    )
    assert "--memorizer applies to kim2025 only, not theorem5" in capsys.readouterr().err


def test_build_appendix_e_constructions_take_the_separation_norm(tmp_path, capsys):
    """theorem32/33/35 with --q build networks the structural certifier proves; --q is refused elsewhere and
    required there; theorem31's certificate summary (a power net without a squaring budget) prints."""
    cases = [
        ("theorem33", ["--q", "1", "--p", "2"]),
        ("theorem32", ["--q", "3", "--p", "inf"]),
        ("theorem35", ["--q", "inf", "--p", "2", "--width", "8"]),
    ]
    for name, extra in cases:
        path = tmp_path / f"{name}.rmnet"
        assert (
            main(["build", *SPHERE, "--construction", name, *extra, "--sigma-over-delta", "0.02", "--out", str(path)])
            == 0
        )
        assert load_network(path).certificate.separation_norm == float(extra[1])
        assert main(["certify", str(path), "--method", "structural"]) == 0, name
        assert "certify PASSED" in capsys.readouterr().out
    base = ["build", *SPHERE, "--sigma-over-delta", "0.02", "--out", str(tmp_path / "x.rmnet")]
    assert main([*base, "--construction", "theorem33", "--p", "2"]) == 2
    assert "--q (the separation norm) is required" in capsys.readouterr().err
    assert main([*base, "--construction", "theorem6", "--p", "inf", "--q", "2"]) == 2
    assert "given for theorem6" in capsys.readouterr().err
    assert main([*base, "--construction", "theorem33", "--q", "1", "--radius", "theorem7"]) == 2
    assert "--radius theorem7 does not apply to theorem33" in capsys.readouterr().err
    assert main([*base, "--construction", "theorem31", "--q", "1.5", "--p", "2"]) == 0
    assert "squaring net M = " in capsys.readouterr().out


def test_build_projection_choices_are_the_library_s(tmp_path, capsys):
    """--projection offers every ProjectionChoice (auto, the library's default, and anneal included)."""
    path = tmp_path / "a.rmnet"
    args = [
        "build",
        *SPHERE,
        "--construction",
        "log-width",
        "--width",
        "7",
        "--projection",
        "anneal",
        "--out",
        str(path),
    ]
    assert main(args) == 0
    assert load_network(path).meta["construction"] == "log-width"
