"""``boolicl baselines``: JSON shape, defaults, prompt files, table and plot, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boolicl.cli import main
from boolicl.tables import table_positions
from learners import applicable

SMALL = ["--n", "4", "--points", "12", "--prompts", "40", "--bootstrap", "50"]


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_shape(capsys):
    code, out, _ = run(capsys, "baselines", "conjunction", *SMALL, "--seed", "3", "--json")
    assert code == 0
    res = json.loads(out)
    assert (res["task"], res["n"], res["points"], res["prompts"]) == ("conjunction", 4, 12, 40)
    assert [r["name"] for r in res["learners"]] == applicable("conjunction")
    for r in res["learners"]:
        assert {"name", "per_position", "ci_low", "ci_high", "mean"} <= set(r)
        assert len(r["per_position"]) == len(r["ci_low"]) == len(r["ci_high"]) == 12
        assert all(
            lo <= a <= hi
            for lo, a, hi in zip(r["ci_low"], r["per_position"], r["ci_high"], strict=True)
        )
        assert abs(r["mean"] - np.mean(r["per_position"])) < 1e-3
    bayes = res["learners"][-1]
    assert bayes["meta"]["mode"] == "exact"
    assert "plot" not in res  # --json without --out writes no plot


def test_default_learners_follow_the_task(capsys):
    for task, expected in [
        ("parity", "gf2"),
        ("sparse_parity", "sparse_parity"),
        ("threshold", "halfspace"),
        ("disjunction", "elimination"),
    ]:
        _, out, _ = run(capsys, "baselines", task, *SMALL, "--json")
        names = [r["name"] for r in json.loads(out)["learners"]]
        assert expected in names and names == applicable(task)


def test_selected_learners_and_reproducible(capsys):
    args = ["baselines", "majority", *SMALL, "--learners", "nn1", "averaging", "--json"]
    _, a, _ = run(capsys, *args)
    _, b, _ = run(capsys, *args)
    ra, rb = json.loads(a), json.loads(b)
    for r in ra["learners"] + rb["learners"]:
        del r["seconds"]  # wall-clock time, the one field that may differ
    assert ra == rb
    assert [r["name"] for r in ra["learners"]] == ["nn1", "averaging"]


def test_monte_carlo_bayes_states_its_sample_size(capsys, tmp_path):
    _, out, _ = run(
        capsys,
        "baselines",
        "majority",
        "--n",
        "20",
        "--points",
        "8",
        "--prompts",
        "4",
        "--learners",
        "bayes",
        "--bayes-samples",
        "256",
        "--bootstrap",
        "20",
        "--json",
    )
    meta = json.loads(out)["learners"][0]["meta"]
    assert meta["mode"] == "sampled" and meta["samples_per_prompt"] == 256
    argv = ["baselines", "conjunction", "--n", "20", "--points", "8", "--prompts", "4"]
    _, out, _ = run(
        capsys, *argv, "--learners", "bayes", "--bootstrap", "20", "--out", str(tmp_path)
    )
    assert "bayes (conditioned, 512 draws/position; no draw fits 0%)" in out
    more = ["--bayes-position-samples", "32", "--json"]
    _, out, _ = run(capsys, *argv, "--learners", "bayes", "--bootstrap", "20", *more)
    assert json.loads(out)["learners"][0]["meta"]["samples_per_position"] == 64
    with pytest.raises(SystemExit) as e:
        main([*argv, "--bayes-position-samples", "0"])
    assert e.value.code == 2 and "--bayes-position-samples" in capsys.readouterr().err


def test_table_and_plot(capsys, tmp_path):
    code, out, _ = run(
        capsys,
        "baselines",
        "parity",
        "--n",
        "4",
        "--points",
        "45",
        "--prompts",
        "30",
        "--bootstrap",
        "50",
        "--out",
        str(tmp_path),
    )
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("| learner"))
    assert header.split("|")[2:8] == [" @0 ", " @5 ", " @10 ", " @20 ", " @40 ", " @44 "]
    assert "gf2" in out and "bayes (exact" in out
    png = tmp_path / "parity_n4.png"
    assert png.exists() and png.read_bytes()[:4] == b"\x89PNG"
    assert str(png) in out


def test_plot_to_a_named_file(capsys, tmp_path):
    target = tmp_path / "sub" / "curve.png"
    code, out, _ = run(
        capsys,
        "baselines",
        "majority",
        *SMALL,
        "--learners",
        "null",
        "--json",
        "--out",
        str(target),
    )
    assert code == 0 and target.exists() and json.loads(out)["plot"] == str(target)


def test_table_positions():
    assert table_positions(70) == [0, 5, 10, 20, 40, 69]
    assert table_positions(8) == [0, 5, 7]
    assert table_positions(1) == [0]


def test_prompts_file_from_sample(capsys, tmp_path):
    path = tmp_path / "p.npz"
    run(
        capsys,
        "sample",
        "sparse_parity",
        "--n",
        "6",
        "--points",
        "20",
        "--prompts",
        "16",
        "--seed",
        "1",
        "--out",
        str(path),
    )
    code, out, _ = run(
        capsys,
        "baselines",
        "sparse_parity",
        "--prompts-file",
        str(path),
        "--bootstrap",
        "50",
        "--json",
    )
    assert code == 0
    res = json.loads(out)
    assert (res["n"], res["points"], res["prompts"]) == (6, 20, 16)
    assert res["prompts_file"] == str(path)
    sp = next(r for r in res["learners"] if r["name"] == "sparse_parity")
    assert sp["per_position"][-1] == 1.0


def test_prompts_file_made_by_anyone_outside_the_class(capsys, tmp_path):
    """Random labels judged by GF(2): reported as outside the class, no crash; --points and
    --prompts truncate the file."""
    rng = np.random.default_rng(0)
    path = tmp_path / "random.npz"
    np.savez(path, xs=rng.integers(0, 2, (10, 30, 3)).astype(bool), ys=rng.integers(0, 2, (10, 30)))
    code, out, _ = run(
        capsys,
        "baselines",
        "parity",
        "--prompts-file",
        str(path),
        "--learners",
        "gf2",
        "--points",
        "25",
        "--prompts",
        "8",
        "--bootstrap",
        "20",
        "--json",
    )
    assert code == 0
    res = json.loads(out)
    assert (res["points"], res["prompts"]) == (25, 8)
    assert res["learners"][0]["meta"]["consistent_rate"] < 1.0


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["baselines", "banana"], "task"),
        (["baselines", "parity", "--n", "0"], "--n"),
        (["baselines", "parity", "--points", "x"], "--points"),
        (["baselines", "parity", "--prompts", "-1"], "--prompts"),
        (["baselines", "parity", "--learners", "oracle"], "--learners"),
        (["baselines", "parity", "--prompts-file", "missing.npz"], "--prompts-file"),
        (["baselines", "sparse_parity", "--n", "3", "--k", "5"], "--k"),
        (["baselines", "parity", "--device", "toaster"], "device"),
        (["baselines", "parity", "--bootstrap", "0"], "--bootstrap"),
    ],
)
def test_bad_input_exits_2(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert needle in capsys.readouterr().err


@pytest.mark.parametrize(
    "arrays,extra,needle",
    [
        ({"xs": np.zeros((2, 3, 4))}, [], "--prompts-file"),  # no ys
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 4))}, [], "ys"),  # mismatched shapes
        ({"xs": np.full((2, 3, 4), 2), "ys": np.zeros((2, 3))}, [], "only 0 and 1"),
        ({"xs": np.zeros((2, 0, 4)), "ys": np.zeros((2, 0))}, [], "at least one"),
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 3))}, ["--n", "5"], "--n"),
        ({"xs": np.zeros((2, 3, 4)), "ys": np.zeros((2, 3))}, ["--points", "9"], "--points"),
    ],
)
def test_bad_prompts_file_exits_2(capsys, tmp_path, arrays, extra, needle):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(SystemExit) as e:
        main(["baselines", "parity", "--prompts-file", str(path), "--json", *extra])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert needle in err
    if needle not in ("--n", "--points"):
        assert "--prompts-file" in err


def test_unavailable_cuda_exits_2(capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(SystemExit) as e:
        main(["baselines", "parity", "--device", "cuda"])
    assert e.value.code == 2 and "--device" in capsys.readouterr().err


def test_not_an_npz_exits_2(capsys, tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("hello")
    with pytest.raises(SystemExit) as e:
        main(["baselines", "parity", "--prompts-file", str(path)])
    assert e.value.code == 2 and "--prompts-file" in capsys.readouterr().err
