"""``boolicl train`` / ``boolicl eval`` and ``baselines --runs``: the command line of the models."""

import json

import pytest

from boolicl.cli import main
from models.evaluate import evaluate_run
from models.train import train
from tests.boolicl import run_cli
from tests.models.helpers import tiny


def test_cli_train_eval_round_trip(tmp_path, capsys):
    run = tmp_path / "run"
    args = [
        "train",
        "conjunction",
        "--n",
        5,
        "--points",
        12,
        "--layers",
        1,
        "--width",
        16,
        "--heads",
        2,
        "--batch",
        8,
        "--steps",
        3,
        "--out",
        run,
        "--json",
    ]
    code, out, _ = run_cli(capsys, *args)
    assert code == 0 and json.loads(out)["steps"] == 3
    assert {"config.json", "model.safetensors", "state.pt", "metrics.jsonl"} <= {
        p.name for p in run.iterdir()
    }
    code, out, _ = run_cli(capsys, "eval", run, "--prompts", 16, "--bootstrap", 20, "--json")
    r = json.loads(out)
    assert code == 0 and r["name"] == "transformer" and len(r["per_position"]) == 12
    assert {"ci_low", "ci_high", "mean", "config"} <= r.keys()
    code, out, _ = run_cli(capsys, "eval", run, "--prompts", 16, "--bootstrap", 20)
    assert code == 0 and "position" in out


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["train", "conjunction", "--model", "gpt5", "--out", "x"], "--model"),
        (["train", "nope", "--out", "x", "--steps", 1], "task"),
        (["train", "conjunction", "--teach", "mixed:3", "--out", "x"], "teach"),
        (["train", "conjunction", "--width", 30, "--heads", 4, "--out", "x"], "heads"),
        (["train", "conjunction", "--device", "cuda:7", "--out", "x"], "device"),
        (["eval", "no_such_run"], "not a run folder"),
        (["train", "conjunction", "--curriculum-points", "5:2:1:1", "--out", "x"], "--curr"),
        (["train", "conjunction", "--curriculum-dims", "a:b", "--out", "x"], "--curriculum-dims"),
        (
            [
                "train",
                "conjunction",
                "--points",
                10,
                "--curriculum-points",
                "5:20:5:9",
                "--out",
                "x",
            ],
            "curriculum_points_end",
        ),
        (["train", "conjunction", "--dropout", 1, "--out", "x"], "--dropout"),
        (["train", "conjunction", "--cuda-graph", "--out", "x"], "--cuda-graph needs"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as e:
        main([str(a) for a in argv])
    assert e.value.code == 2
    assert needle in capsys.readouterr().err


def test_cli_curriculum_grows_the_prompts(tmp_path, capsys):
    run = tmp_path / "run"
    args = ["train", "conjunction", "--n", 6, "--points", 12, "--layers", 1, "--width", 16]
    args += ["--heads", 2, "--batch", 8, "--steps", 8, "--log-every", 1, "--eval-every", 0]
    args += ["--curriculum-points", "4:12:4:3", "--curriculum-dims", "3:6:2:4", "--out", run]
    code, _, _ = run_cli(capsys, *args, "--json")
    assert code == 0
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [r["points"] for r in rows] == [4, 4, 4, 8, 8, 8, 12, 12]
    assert [r["dims"] for r in rows] == [3, 3, 3, 3, 5, 5, 5, 5]
    config = json.loads((run / "config.json").read_text())
    assert config["curriculum_points_interval"] == 3 and config["curriculum_dims_end"] == 6


def test_baselines_score_trained_runs_on_the_same_prompts(tmp_path, capsys):
    """``baselines --runs`` puts a trained model beside the learners; its curve is the one
    ``eval`` computes on the same seeded prompts."""
    run = tmp_path / "run"
    train(tiny(steps=3), run)
    argv = ["baselines", "conjunction", "--n", 5, "--points", 20, "--prompts", 40]
    argv += ["--learners", "averaging", "--bootstrap", 20, "--runs", run, "--json"]
    code, out, _ = run_cli(capsys, *argv)
    rows = {r["name"]: r for r in json.loads(out)["learners"]}
    assert code == 0 and set(rows) == {"averaging", "transformer (run)"}
    ev = evaluate_run(run, prompts=40, seed=0, resamples=20)
    assert rows["transformer (run)"]["per_position"] == ev["per_position"]
    assert rows["transformer (run)"]["meta"]["config"]["steps"] == 3
    with pytest.raises(SystemExit) as e:  # more inputs than the model was trained on
        main([str(a) for a in ["baselines", "conjunction", "--n", 6, "--runs", run]])
    assert e.value.code == 2 and "--runs" in capsys.readouterr().err


def test_rerunning_a_finished_run_says_so(tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["train", "conjunction", "--n", 5, "--points", 12, "--layers", 1, "--width", 16]
    argv += ["--heads", 2, "--batch", 8, "--steps", 3, "--no-progress", "--out", run]
    assert run_cli(capsys, *argv)[0] == 0
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "already trained to step 3 of 3" in out
