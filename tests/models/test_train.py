"""Training, checkpoint/resume, evaluation and the ``train`` / ``eval`` CLI at tiny sizes."""

import json

import numpy as np
import pytest
import torch

from boolicl.cli import main
from models.checkpoints import load_model
from models.config import TrainConfig, parse_teach
from models.evaluate import evaluate_run
from models.train import TrainingDiverged, train

TINY = dict(task="conjunction", n=5, points=20, layers=1, width=16, heads=2, batch=16, lr=3e-3)


def tiny(**kw) -> TrainConfig:
    return TrainConfig(**{**TINY, "steps": 6, "eval_every": 0, "log_every": 1, **kw})


def weights(run) -> dict:
    model, _ = load_model(run)
    return {k: v.clone() for k, v in model.state_dict().items()}


def test_config_round_trip(tmp_path):
    c = tiny(teach="mixed:0.25", label_noise=0.1)
    c.save(tmp_path / "c.json")
    assert TrainConfig.load(tmp_path / "c.json") == c
    assert c.teach_probability == 0.25 and parse_teach("all") == 1.0
    assert TrainConfig(task="conjunction").n == 28  # task defaults


@pytest.mark.parametrize(
    "field, value",
    [
        ("task", "nope"),
        ("model", "gpt5"),
        ("heads", 3),
        ("lr", -1.0),
        ("lr", float("nan")),
        ("steps", 0),
        ("teach", "mixed:2"),
        ("teach", "some"),
        ("label_noise", 0.9),
        ("precision", "bf16"),
        ("compile", True),
        ("schedule", "linear"),
        ("curriculum_points_interval", 5),
        ("batch", True),
    ],
)
def test_bad_config_names_field(field, value):
    with pytest.raises(ValueError, match=field if field != "heads" else "divisible by heads"):
        tiny(**{field: value})


def test_bad_config_file(tmp_path):
    (tmp_path / "c.json").write_text('{"task": "conjunction", "bogus": 1}')
    with pytest.raises(ValueError, match="bogus"):
        TrainConfig.load(tmp_path / "c.json")


def test_same_seed_same_curve():
    a, b = train(tiny()), train(tiny())
    assert a["losses"] == b["losses"] and len(a["losses"]) == 6
    assert train(tiny(seed=1))["losses"] != a["losses"]


def test_resume_equals_uninterrupted(tmp_path):
    c = tiny(steps=8, checkpoint_every=2, dropout=0.1)
    full = train(c, tmp_path / "full")
    part = train(c, tmp_path / "part", stop_after=5)  # "killed" after step 5 (checkpoint at 5)
    assert part["stopped"] == "stop_after" and part["steps"] == 5
    rest = train(c, tmp_path / "part")  # a new call resumes from step 5
    assert rest["resumed_from"] == 5 and rest["steps"] == 8
    wf, wp = weights(tmp_path / "full"), weights(tmp_path / "part")
    assert wf.keys() == wp.keys()
    assert all(torch.equal(wf[k], wp[k]) for k in wf)
    assert rest["losses"] == full["losses"][5:]
    lines = (tmp_path / "part" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(x)["step"] for x in lines] == list(range(1, 9))


def test_corrupt_checkpoint_is_reported_and_kept(tmp_path):
    run = tmp_path / "run"
    train(tiny(steps=8), run, stop_after=3)
    (run / "model.safetensors").write_bytes(b"not a safetensors file")
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    with pytest.raises(ValueError, match="corrupt"):
        train(tiny(steps=8), run)
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_mismatched_checkpoint(tmp_path):
    run = tmp_path / "run"
    train(tiny(steps=8), run, stop_after=2)
    with pytest.raises(ValueError, match="width"):
        train(tiny(steps=8, width=32), run)
    with pytest.raises(ValueError, match="already holds a checkpoint"):
        train(tiny(steps=8), run, resume=False)


def test_nan_loss_names_step_and_checkpoint(tmp_path, monkeypatch):
    import models.train as T

    build = T.InContextModel.from_config

    def poisoned(config):
        model = build(config)
        calls = {"n": 0}
        forward = model.forward

        def nan_after_four(xs, ys):
            calls["n"] += 1
            out = forward(xs, ys)
            return out * float("nan") if calls["n"] >= 5 else out

        model.forward = nan_after_four
        return model

    monkeypatch.setattr(T.InContextModel, "from_config", staticmethod(poisoned))
    with pytest.raises(TrainingDiverged, match=r"step 5.*step 4"):
        train(tiny(steps=8, checkpoint_every=2, log_every=1), tmp_path / "run")
    assert json.loads((tmp_path / "run" / "config.json").read_text())["width"] == 16


@pytest.mark.parametrize(
    "extra",
    [
        dict(teach="all"),
        dict(teach="mixed:0.5", label_noise=0.2),
        dict(pool=3, warmup=2, schedule="cosine"),
        dict(
            curriculum_points_start=4,
            curriculum_points_end=20,
            curriculum_points_interval=2,
            curriculum_dims_start=2,
            curriculum_dims_end=5,
            curriculum_dims_interval=2,
        ),
    ],
)
def test_training_variants_run(extra):
    s = train(tiny(steps=4, **extra))
    assert s["steps"] == 4 and all(np.isfinite(v) for _, v in s["losses"])


def test_target_accuracy_stops_early():
    s = train(tiny(steps=50, eval_every=2, eval_prompts=16, target_accuracy=0.01, target_from=0))
    assert s["stopped"] == "target" and s["steps"] == 2


def test_evaluate_ood_and_noise(tmp_path):
    run = tmp_path / "run"
    train(tiny(steps=2), run)
    r = evaluate_run(run, prompts=20, resamples=20)
    assert len(r["per_position"]) == 20 and r["config"]["n"] == 5
    assert evaluate_run(run, n=3, prompts=20, resamples=20)["n"] == 3  # zero-padded
    assert evaluate_run(run, task="disjunction", prompts=10, resamples=10)["task"] == "disjunction"
    noisy = evaluate_run(run, prompts=20, label_noise=0.3, resamples=20)
    assert noisy["label_noise"] == 0.3
    with pytest.raises(ValueError, match="exceeds the trained n"):
        evaluate_run(run, n=6, prompts=5)
    with pytest.raises(ValueError, match="points"):
        evaluate_run(run, points=21, prompts=5)


def test_learns_small_conjunction(tmp_path):
    """A short CPU training run beats the null and averaging learners on the same prompts."""
    from boolfun.samplers import sample_prompts
    from learners import make_learner, position_accuracy

    c = TrainConfig(
        task="conjunction",
        n=5,
        points=20,
        layers=3,
        width=64,
        heads=2,
        batch=64,
        lr=3e-4,
        warmup=20,
        steps=1500,
        eval_every=0,
        checkpoint_every=0,
    )  # about a minute on a CPU core; measured mean 0.865 vs averaging 0.751, null 0.396
    train(c, tmp_path / "run")
    model = evaluate_run(tmp_path / "run", prompts=500, seed=3, resamples=50)
    xs, ys = sample_prompts("conjunction", 500, 20, 5, seed=3).numpy()
    for name in ("null", "averaging"):
        base = position_accuracy(make_learner(name, "conjunction").predict(xs, ys), ys)
        assert model["mean"] > base.mean + 0.02, name


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


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


def test_time_limit_stops_with_a_checkpoint_that_resumes(tmp_path):
    c = tiny(steps=12, max_seconds=1e-6)  # the limit is met after the first step
    first = train(c, tmp_path / "run")
    assert first["stopped"] == "time" and first["steps"] == 1
    rest = train(tiny(steps=12), tmp_path / "run")  # max_seconds may change on resume
    assert rest["resumed_from"] == 1 and rest["steps"] == 12
    full = train(tiny(steps=12))
    assert rest["losses"] == full["losses"][1:]
    with pytest.raises(ValueError, match="max_seconds"):
        tiny(max_seconds=-1.0)


def test_kill_between_the_renames_of_a_checkpoint_resumes(tmp_path):
    """Weights renamed, state not yet: the state (with its own weights) is the resume point."""
    import shutil

    run, c = tmp_path / "run", tiny(steps=9, checkpoint_every=3)
    train(c, run, stop_after=3)
    shutil.copy(run / "state.pt", tmp_path / "state3.pt")
    shutil.copy(run / "model.safetensors", tmp_path / "weights3.safetensors")
    train(c, run, stop_after=6)
    shutil.copy(tmp_path / "state3.pt", run / "state.pt")  # weights of step 6, state of step 3
    rest = train(c, run)
    assert rest["resumed_from"] == 3 and rest["steps"] == 9
    full = train(c, tmp_path / "full")
    wf, wr = weights(tmp_path / "full"), weights(run)
    assert all(torch.equal(wf[k], wr[k]) for k in wf)
    # the other way round (state newer than the weights) cannot come from a kill: refused
    shutil.copy(tmp_path / "weights3.safetensors", run / "model.safetensors")
    with pytest.raises(ValueError, match="inconsistent"):
        train(tiny(steps=12, checkpoint_every=3), run)
    assert full["losses"][3:] == rest["losses"]


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
