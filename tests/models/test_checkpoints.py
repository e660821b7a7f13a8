"""models.checkpoints: the run folder: save, load, resume exactly, refuse what does not match."""

import json

import pytest
import torch

from models.checkpoints import load_model
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


class _Smuggled:
    """An object whose unpickling runs code: it would create the file ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_crafted_state_runs_no_code_and_is_refused(tmp_path):
    run, marker = tmp_path / "run", tmp_path / "smuggled"
    train(tiny(steps=8), run, stop_after=2)
    state = torch.load(run / "state.pt", weights_only=True)
    state["extra"] = _Smuggled(marker)
    torch.save(state, run / "state.pt")
    with pytest.raises(ValueError, match="corrupt or unsafe"):
        train(tiny(steps=8), run)
    assert not marker.exists()


def _rewrite_weights(run, change, *, keep_digest=False):
    """Rewrite ``model.safetensors`` with ``change(tensors)``; with ``keep_digest`` the
    metadata is recomputed so that only the check under test can catch the damage."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    from models.checkpoints import weights_digest

    path = str(run / "model.safetensors")
    with safe_open(path, framework="pt") as f:
        meta, tensors = f.metadata(), {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    tensors = change(tensors)
    if keep_digest:
        meta = {**meta, "weights_sha256": weights_digest(tensors)}
    save_file(tensors, path, metadata=meta)


@pytest.mark.parametrize(
    "change, keep_digest, needle",
    [
        (lambda t: {k: -v for k, v in t.items()}, False, "damaged"),
        (lambda t: {k: torch.full_like(v, float("nan")) for k, v in t.items()}, True, "non-finite"),
        (lambda t: {k: v.double() for k, v in t.items()}, True, "float64"),
        (lambda t: {k: v[:1] for k, v in t.items()}, True, "does not match the model"),
    ],
)
def test_damaged_weights_are_refused_by_eval_and_resume(tmp_path, change, keep_digest, needle):
    run = tmp_path / "run"
    train(tiny(steps=8), run, stop_after=2)
    _rewrite_weights(run, change, keep_digest=keep_digest)
    with pytest.raises(ValueError, match=needle):
        load_model(run)
    with pytest.raises(ValueError, match=needle):
        train(tiny(steps=8), run)


def test_an_edited_config_is_refused(tmp_path):
    """``heads`` 2 -> 4 leaves every weight shape as it was: only the record of the config
    the weights were trained with catches it."""
    run = tmp_path / "run"
    train(tiny(steps=2), run)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "heads": 4}))
    with pytest.raises(ValueError, match="not trained with the config.json"):
        load_model(run)


def test_an_edited_state_step_is_refused(tmp_path):
    run = tmp_path / "run"
    train(tiny(steps=8), run, stop_after=4)
    state = torch.load(run / "state.pt", weights_only=True)
    torch.save({**state, "step": 2}, run / "state.pt")
    with pytest.raises(ValueError, match="inconsistent"):
        train(tiny(steps=8), run)


def test_a_held_run_folder_is_refused(tmp_path):
    from models.checkpoints import lock_run_folder

    run = tmp_path / "run"
    with lock_run_folder(run), pytest.raises(ValueError, match="in use by another"):
        train(tiny(steps=2), run)
    assert not list(run.iterdir())  # the refused call wrote nothing
    train(tiny(steps=2), run)  # released: it runs


def test_an_incomplete_first_checkpoint_is_recovered(tmp_path):
    """Weights without a resume state (a kill or a full disk inside the first checkpoint):
    the same config starts again from step 0; another config is refused."""
    run = tmp_path / "run"
    train(tiny(steps=4), run, stop_after=2)
    (run / "state.pt").unlink()
    with pytest.raises(ValueError, match="incomplete first checkpoint"):
        train(tiny(steps=4, lr=1e-2), run)
    again = train(tiny(steps=4), run)
    assert again["resumed_from"] is None and again["steps"] == 4
    fresh = train(tiny(steps=4), tmp_path / "fresh")
    assert again["losses"] == fresh["losses"]
    wa, wf = weights(run), weights(tmp_path / "fresh")
    assert all(torch.equal(wa[k], wf[k]) for k in wf)
