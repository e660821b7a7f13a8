"""models.checkpoints: the run folder: save, load, resume exactly, refuse what does not match."""

import json

import pytest
import torch

from models.train import train
from tests.models.helpers import tiny, weights


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
