"""K models trained together (:mod:`models.stack`) are the K runs trained alone, bit for bit on
the CPU: weights, Adam state, RNG states, metrics; resumed from their own checkpoints; a model
that stops early leaves the stack without changing the others."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from models.backbones import BACKBONES
from models.stack import MAX_MODELS, check_stack, train_stack
from models.threads import available_cores
from models.train import TrainingInterrupted, train
from tests.models.helpers import tiny


def run_state(run: Path) -> dict:
    """Everything of a run folder that a resume reads, tensors as tensors."""
    state = torch.load(run / "state.pt", weights_only=True)
    return {
        "weights": load_file(run / "model.safetensors"),
        "optimizer": state["optimizer"]["state"],
        "generator": state["generator"],
        "torch_rng": state["torch_rng"],
        "step": state["step"],
        "metrics": (run / "metrics.jsonl").read_text(),
        "config": json.loads((run / "config.json").read_text()),
    }


def assert_same_run(a: Path, b: Path) -> None:
    sa, sb = run_state(a), run_state(b)
    assert sa["step"] == sb["step"]
    assert sa["config"] == sb["config"]
    assert sa["metrics"] == sb["metrics"]
    assert sa["weights"].keys() == sb["weights"].keys()
    for k in sa["weights"]:
        assert torch.equal(sa["weights"][k], sb["weights"][k]), k
    assert sa["optimizer"].keys() == sb["optimizer"].keys()
    for i in sa["optimizer"]:
        for k in sa["optimizer"][i]:
            assert torch.equal(sa["optimizer"][i][k], sb["optimizer"][i][k]), (i, k)
    assert torch.equal(sa["generator"], sb["generator"])
    assert torch.equal(sa["torch_rng"], sb["torch_rng"])


def small(**kw):
    return tiny(**{"layers": 2, "steps": 8, "eval_every": 4, "checkpoint_every": 4, **kw})


@pytest.mark.parametrize("model", sorted(BACKBONES))
def test_stack_equals_separate_runs_bitwise(tmp_path, model):
    configs = [small(model=model, seed=s) for s in (0, 1, 5)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    summaries = train_stack(configs, [tmp_path / f"stack-{c.seed}" for c in configs])
    for c, s in zip(configs, summaries, strict=True):
        assert s["stack"] == 3 and s["steps"] == 8 and s["stopped"] == "steps"
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")
    # the models really differ (else equality would be cheap)
    w = [load_file(tmp_path / f"stack-{c.seed}" / "model.safetensors") for c in configs]
    assert not torch.equal(w[0]["read_in.weight"], w[1]["read_in.weight"])


@pytest.mark.parametrize(
    "kw",
    [
        {"dropout": 0.2},  # per-model torch RNG streams, models run one by one
        {"label_noise": 0.1, "warmup": 3, "schedule": "cosine"},
        {"teach": "mixed:0.5"},
        dict(curriculum_points_start=5, curriculum_points_end=20, curriculum_points_interval=3),
    ],
    ids=["dropout", "noise-schedule", "teach", "curriculum"],
)
def test_stack_equals_separate_runs_with_options(tmp_path, kw):
    configs = [small(seed=s, **kw) for s in (2, 3)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    train_stack(configs, [tmp_path / f"stack-{c.seed}" for c in configs])
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")


def test_one_model_stack_is_the_run_alone(tmp_path):
    c = small(seed=4)
    train(c, tmp_path / "alone")
    train_stack([c], [tmp_path / "stack"])
    assert_same_run(tmp_path / "alone", tmp_path / "stack")


def test_each_model_resumes_from_its_own_checkpoint(tmp_path):
    configs = [small(seed=s, steps=12) for s in (0, 1, 2)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    outs = [tmp_path / f"stack-{c.seed}" for c in configs]
    first = train_stack(configs, outs, stop_after=4)
    assert [s["stopped"] for s in first] == ["stop_after"] * 3
    second = train_stack(configs, outs)
    assert [s["resumed_from"] for s in second] == [4, 4, 4]
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")


def test_models_left_behind_by_a_kill_catch_up(tmp_path):
    """Run folders at different steps (a kill between two models' checkpoints): the ones
    behind train alone up to the others, then all go on together, as if never stopped."""
    configs = [small(seed=s, steps=12) for s in (0, 1, 2)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    outs = [tmp_path / f"stack-{c.seed}" for c in configs]
    train_stack(configs[:2], outs[:2], stop_after=8)  # seeds 0, 1 at step 8
    train(configs[2], outs[2], stop_after=4)  # seed 2 at step 4
    summaries = train_stack(configs, outs)
    assert [s["resumed_from"] for s in summaries] == [8, 8, 8]
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")


def test_a_model_that_reaches_its_target_leaves_the_stack(tmp_path):
    # evaluate every 2 steps; a target that some seeds reach before others
    kw = dict(steps=16, eval_every=2, checkpoint_every=0, target_accuracy=0.6, target_from=5)
    configs = [small(seed=s, **kw) for s in range(4)]
    alone = [train(c, tmp_path / f"alone-{c.seed}") for c in configs]
    stacked = train_stack(configs, [tmp_path / f"stack-{c.seed}" for c in configs])
    assert [s["steps"] for s in stacked] == [s["steps"] for s in alone]
    assert [s["stopped"] for s in stacked] == [s["stopped"] for s in alone]
    assert len({s["steps"] for s in alone}) > 1, "the test needs models that stop apart"
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")
    # the same calls again: each run resumes and goes on until its target is met again
    again_alone = [train(c, tmp_path / f"alone-{c.seed}") for c in configs]
    again = train_stack(configs, [tmp_path / f"stack-{c.seed}" for c in configs])
    assert [s["steps"] for s in again] == [s["steps"] for s in again_alone]
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")


def test_a_diverging_model_stops_alone(tmp_path):
    configs = [small(seed=s, lr=10.0, steps=40, layers=1) for s in (0, 1)]
    try:
        train(configs[0])
    except Exception as e:  # the alone run diverges: the stacked one must say so too
        alone_error = str(e)
    else:
        pytest.skip("lr 10 did not diverge in 40 steps")
    summaries = train_stack(configs)
    assert summaries[0]["stopped"] == "diverged"
    assert summaries[0]["error"] == alone_error


def test_estimate_is_reported_once(tmp_path):
    seen = []
    train_stack([small(seed=s, steps=10) for s in (0, 1)], estimate=seen.append)
    assert len(seen) == 1
    e = seen[0]
    assert e["models"] == 2 and e["remaining_steps"] == 7 and e["steps_per_second"] > 0
    assert e["seconds_left"] == pytest.approx(7 / e["steps_per_second"])


@pytest.mark.parametrize(
    "configs, message",
    [
        ([], "at least one"),
        ([small(seed=1), small(seed=1)], "distinct, got 1 more than once"),
        ([small(seed=0), small(seed=1, lr=1e-3)], "lr differs"),
        ([small(seed=0), small(seed=1, model="lstm")], "model differs"),
        (["not a config"], "TrainConfig"),
    ],
)
def test_bad_stacks_are_refused(configs, message):
    with pytest.raises(ValueError, match=message):
        check_stack(configs)


def test_bad_stack_arguments_are_refused(tmp_path):
    configs = [small(seed=s) for s in (0, 1)]
    with pytest.raises(ValueError, match="one run folder per model"):
        train_stack(configs, [tmp_path / "a"])
    with pytest.raises(ValueError, match="distinct run folders"):
        train_stack(configs, [tmp_path / "a", tmp_path / "a"])
    with pytest.raises(ValueError, match="stop_after"):
        train_stack(configs, stop_after=0)
    with pytest.raises(ValueError, match=f"at most {MAX_MODELS}"):
        check_stack([small(seed=s) for s in range(MAX_MODELS + 1)])


def test_too_many_models_for_memory_are_refused_naming_seeds():
    big = dict(width=4096, layers=64, heads=8, batch=512, points=70, n=28)
    configs = [tiny(seed=s, **big) for s in range(64)]
    with pytest.raises(ValueError, match=r"^seeds: 64 models of width 4096 .* needs about"):
        train_stack(configs)


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_stack_on_two_threads_equals_separate_runs_to_rounding(tmp_path):
    """On several threads torch splits an operation between them by the size of the whole
    tensor, so a stack and a run alone may sum in another order: equal up to rounding (on one
    thread, the other tests: bit for bit)."""
    configs = [small(seed=s, threads=2, width=32, batch=32) for s in (0, 1)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    summaries = train_stack(configs, [tmp_path / f"stack-{c.seed}" for c in configs])
    assert summaries[0]["threads"] == 2
    for c in configs:
        a = load_file(tmp_path / f"alone-{c.seed}" / "model.safetensors")
        b = load_file(tmp_path / f"stack-{c.seed}" / "model.safetensors")
        for k in a:
            torch.testing.assert_close(a[k], b[k], rtol=1e-3, atol=1e-4)


def test_ctrl_c_checkpoints_every_model_and_the_same_call_resumes(tmp_path):
    configs = [small(seed=s, steps=12, checkpoint_every=0) for s in (0, 1)]
    for c in configs:
        train(c, tmp_path / f"alone-{c.seed}")
    outs = [tmp_path / f"stack-{c.seed}" for c in configs]

    def ctrl_c(_estimate):  # called after step 3, on the main thread: the handler sets the flag
        signal.raise_signal(signal.SIGINT)

    with pytest.raises(TrainingInterrupted, match="interrupted at step 3"):
        train_stack(configs, outs, estimate=ctrl_c)
    assert all(torch.load(o / "state.pt", weights_only=True)["step"] == 3 for o in outs)
    train_stack(configs, outs)
    for c in configs:
        assert_same_run(tmp_path / f"alone-{c.seed}", tmp_path / f"stack-{c.seed}")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_a_device_that_is_not_there_is_refused():
    with pytest.raises(ValueError, match="device 'cuda': CUDA is not available"):
        train_stack([small(seed=s, device="cuda") for s in (0, 1)])
