"""``--force`` / ``--p-one`` of ``boolicl sample``, ``baselines`` and ``eval``: out-of-distribution
inputs are sampled, recorded in the outputs, and rejected with ``--prompts-file`` or bad values
(exit status 2 naming the option)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from boolicl.cli import main
from models.config import TrainConfig
from models.evaluate import evaluate_run
from models.train import train

SMALL = ["--n", "5", "--points", "12", "--prompts", "40", "--bootstrap", "20"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def exits_2(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in argv])
    assert e.value.code == 2
    return capsys.readouterr().err


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A conjunction run trained for 2 steps (n = 5, 12 points)."""
    path = tmp_path_factory.mktemp("ood") / "run"
    size = dict(task="conjunction", n=5, points=12, layers=1, width=16, heads=2, batch=8)
    config = TrainConfig(**size, steps=2, eval_every=0, checkpoint_every=0)
    train(config, path)
    return path


def test_sample_records_force_and_p_one(capsys, tmp_path):
    path = tmp_path / "p.npz"
    code, out, _ = run(
        capsys, "sample", "conjunction", *SMALL[:6], "--force", "1", "--p-one", "0.25",
        "--out", path,
    )  # fmt: skip
    assert code == 0 and "force 1.0" in out
    data = np.load(path)
    assert float(data["force"]) == 1.0 and float(data["p_one"]) == 0.25
    assert (data["ys"] == 1).all()  # every example forced positive
    run(capsys, "sample", "conjunction", *SMALL[:6], "--out", path)
    data = np.load(path)
    assert float(data["force"]) == 0.30 and float(data["p_one"]) == 0.5  # the task's own


def test_baselines_with_force(capsys):
    code, out, _ = run(
        capsys, "baselines", "disjunction", *SMALL, "--force", "0", "--p-one", "0.7",
        "--learners", "null", "elimination", "--json",
    )  # fmt: skip
    r = json.loads(out)
    assert code == 0 and (r["force"], r["p_one"]) == (0.0, 0.7)
    assert [x["name"] for x in r["learners"]] == ["null", "elimination"]
    _, out, _ = run(capsys, "baselines", "disjunction", *SMALL, "--learners", "null", "--json")
    assert (json.loads(out)["force"], json.loads(out)["p_one"]) == (0.30, 0.5)


def test_eval_with_force(capsys, tiny_run):
    args = ["eval", tiny_run, "--prompts", "16", "--bootstrap", "20", "--json"]
    code, out, _ = run(capsys, *args, "--force", "0", "--p-one", "0.3")
    r = json.loads(out)
    assert code == 0 and (r["force"], r["p_one"]) == (0.0, 0.3) and len(r["per_position"]) == 12
    _, out, _ = run(capsys, *args)
    assert (json.loads(out)["force"], json.loads(out)["p_one"]) == (0.30, 0.5)
    r = evaluate_run(tiny_run, task="disjunction", prompts=16, resamples=20, force=1.0)
    assert r["task"] == "disjunction" and r["force"] == 1.0


def test_eval_on_a_prompts_file_reports_its_force(capsys, tmp_path, tiny_run):
    path = tmp_path / "p.npz"
    run(capsys, "sample", "conjunction", *SMALL[:6], "--force", "0.9", "--out", path)
    code, out, _ = run(
        capsys, "eval", tiny_run, "--prompts-file", path, "--bootstrap", 20, "--json"
    )
    r = json.loads(out)
    assert code == 0 and r["force"] == 0.9 and r["p_one"] == 0.5


@pytest.mark.parametrize("option, value", [("--force", "0"), ("--p-one", "0.5")])
def test_inputs_options_with_prompts_file_exit_2(capsys, tmp_path, tiny_run, option, value):
    path = tmp_path / "p.npz"
    run(capsys, "sample", "conjunction", *SMALL[:6], "--out", path)
    err = exits_2(capsys, "eval", tiny_run, "--prompts-file", path, option, value)
    assert f"{option} cannot be used with --prompts-file" in err
    err = exits_2(capsys, "baselines", "conjunction", "--prompts-file", path, option, value)
    assert f"{option} cannot be used with --prompts-file" in err


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["sample", "conjunction", "--force", "1.5", "--out", "x.npz"], "--force"),
        (["sample", "conjunction", "--force", "nan", "--out", "x.npz"], "--force"),
        (["sample", "conjunction", "--force", "often", "--out", "x.npz"], "--force"),
        (["sample", "conjunction", "--p-one", "1", "--out", "x.npz"], "--p-one"),
        (["sample", "majority", "--force", "0.5", "--out", "x.npz"], "--force must be 0"),
        (["baselines", "parity", "--force", "0.1"], "--force must be 0"),
        (["baselines", "parity", "--force", "-0.1"], "--force"),
        (["baselines", "parity", "--p-one", "0"], "--p-one"),
    ],
)
def test_bad_values_exit_2(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    assert needle in exits_2(capsys, *argv)
    assert not (tmp_path / "x.npz").exists()


def test_eval_bad_force_exits_2(capsys, tiny_run):
    assert "--force" in exits_2(capsys, "eval", tiny_run, "--force", "2")
    err = exits_2(capsys, "eval", tiny_run, "--task", "majority", "--force", "0.5")
    assert "--force must be 0 for task 'majority'" in err
