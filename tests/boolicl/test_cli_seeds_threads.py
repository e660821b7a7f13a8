"""``boolicl train --seeds`` (many models in one step), ``--threads`` and the time estimate of
a long run."""

from __future__ import annotations

import json

import pytest
from safetensors.torch import load_file

from boolicl.cli.models import busy_note, duration, print_estimate
from models.threads import available_cores
from tests.boolicl import run_cli
from tests.models.helpers import tiny

SMALL = ["conjunction", "--n", 5, "--points", 12, "--layers", 1, "--width", 16, "--heads", 2,
         "--batch", 8, "--steps", 6, "--eval-every", 3, "--no-progress"]




def test_seeds_train_one_run_folder_each_equal_to_the_run_alone(tmp_path, capsys):
    code, out, err = run_cli(capsys, "train", *SMALL, "--seeds", "0-2", "--out", tmp_path / "s")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 3 and all("model-steps/s for 3 models" in line for line in lines)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == ["seed-0", "seed-1", "seed-2"]
    code, out, err = run_cli(capsys, "train", *SMALL, "--seed", 1, "--out", tmp_path / "alone")
    assert code == 0, err
    a = load_file(tmp_path / "alone" / "model.safetensors")
    b = load_file(tmp_path / "s" / "seed-1" / "model.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    assert (tmp_path / "alone" / "metrics.jsonl").read_text() == (
        tmp_path / "s" / "seed-1" / "metrics.jsonl"
    ).read_text()


def test_seeds_json_is_one_summary_per_model_and_reruns_resume(tmp_path, capsys):
    args = ["train", *SMALL, "--seeds", "4,7", "--out", tmp_path / "s", "--json"]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    summaries = json.loads(out)
    assert [s["config"]["seed"] for s in summaries] == [4, 7]
    assert all(s["stack"] == 2 and s["threads"] >= 1 for s in summaries)
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    assert [s["resumed_from"] for s in json.loads(out)] == [6, 6]


def test_threads_are_recorded_in_config_metrics_and_summary(tmp_path, capsys):
    run = tmp_path / "r"
    code, out, err = run_cli(capsys, "train", *SMALL, "--threads", 1, "--out", run, "--json")
    assert code == 0, err
    assert json.loads(out)["threads"] == 1
    assert json.loads((run / "config.json").read_text())["threads"] == 1
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert all(r["threads"] == 1 for r in rows if "loss" in r)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--seeds", "1,2,1"], "--seeds: must be distinct seeds, got 1 more than once"),
        (["--seeds", "3-1"], "--seeds: must be a comma-separated list"),
        (["--seeds", "a,b"], "--seeds: must be a comma-separated list"),
        (["--seeds", "0-99999"], "--seeds: must name at most"),
        (["--seeds", "0,1", "--seed", "5"], "--seeds: give either --seed S or --seeds"),
        (["--seeds", "0-1025"], "--seeds must name at most 1024 models"),
        (["--seeds", "0,1", "--width", 4096, "--layers", 64, "--batch", 4096],
         "--seeds: 2 models of width 4096"),
        (["--threads", -1], "--threads: must be an integer >= 0"),
        (["--threads", available_cores() + 1], f"--threads {available_cores() + 1} is more"),
    ],
)
def test_bad_seeds_and_threads_are_refused_naming_the_option(tmp_path, capsys, extra, message):
    code, out, err = run_cli(capsys, "train", *SMALL, *extra, "--out", tmp_path / "x")
    assert code == 2
    assert message in err
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").rglob("state.pt"))


def test_a_long_run_says_how_long_it_will_take(capsys):
    estimate = dict(device="cpu", threads=2, models=1, steps_per_second=0.08,
                    remaining_steps=14997, seconds_left=14997 / 0.08)
    print_estimate(estimate)
    err = capsys.readouterr().err
    assert "about 52.1 h left for 14997 steps at 0.08 steps/s on cpu with 2 threads" in err
    assert "--device cuda" in err
    print_estimate({**estimate, "seconds_left": 60.0})
    assert capsys.readouterr().err == ""


def test_durations_read_well():
    assert [duration(s) for s in (40, 600, 14 * 3600)] == ["40 s", "10 min", "14.0 h"]


@pytest.mark.skipif(available_cores() < 2, reason="needs two cores")
def test_a_busy_machine_is_named_when_a_run_uses_several_threads(monkeypatch, capsys):
    monkeypatch.setattr("os.getloadavg", lambda: (9.0, 9.0, 9.0))
    busy_note(tiny(threads=2))
    assert "the CPU is busy (load average 9.0" in capsys.readouterr().err
    busy_note(tiny(threads=1))
    monkeypatch.setattr("os.getloadavg", lambda: (0.0, 0.0, 0.0))
    busy_note(tiny(threads=2))
    assert capsys.readouterr().err == ""
