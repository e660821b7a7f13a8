"""Bad paths, sizes, devices and pipes: a one-line error and exit status 2 (bad usage) or 1
(a failed operation), never a traceback, and nothing written where it should not be."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from boolicl.cli import main

ROOT = Path(__file__).resolve().parents[2]


def status(capsys, argv) -> tuple[int, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:
        code = e.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["sample", "conjunction", "--out", ""], "--out: must be a path"),
        (["sample", "conjunction", "--device", "meta", "--out", "x.npz"], "device type"),
        (["sample", "conjunction", "--prompts", 10**12, "--out", "x.npz"], "--prompts"),
        (["baselines", "conjunction", "--bootstrap", 10**9], "--bootstrap must be"),
        (["train", "conjunction", "--width", 10**6, "--out", "r"], "--width must be"),
        (["train", "conjunction", "--layers", 100000, "--out", "r"], "--layers must be"),
        (["train", "conjunction", "--batch", 60000, "--out", "r"], "--width 256 with"),
        (
            ["train", "conjunction", "--target-accuracy", 0.9, "--eval-every", 0, "--out", "r"],
            "--target-accuracy needs",
        ),
        (["teach", "conjunction", "--n", 3, "--target", "x1", "--time-limit", "inf"], "finite"),
        (["demo", "--out", ""], "--out: must be a path"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys, argv, needle):
    monkeypatch.chdir(tmp_path)
    code, err = status(capsys, argv)
    assert code == 2 and needle in err, err
    assert not list(tmp_path.iterdir())


def test_a_task_that_contradicts_the_prompts_file(tmp_path, capsys):
    path = tmp_path / "p.npz"
    assert status(capsys, ["sample", "parity", "--n", 4, "--prompts", 5, "--out", path])[0] == 0
    code, err = status(capsys, ["baselines", "conjunction", "--prompts-file", path])
    assert code == 2 and "contradicts --prompts-file" in err


def test_sample_reports_the_file_it_wrote(tmp_path, capsys):
    code = main(["sample", "parity", "--n", "3", "--prompts", "2", "--out", str(tmp_path / "p")])
    assert code == 0 and f"wrote {tmp_path / 'p.npz'}:" in capsys.readouterr().out
    assert np.load(tmp_path / "p.npz")["xs"].shape == (2, 140, 3)


@pytest.mark.parametrize("target", ["/proc/boolicl/x.npz", "FILE/x.npz"])
def test_unwritable_outputs_fail_with_status_1(tmp_path, monkeypatch, capsys, target):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "FILE").write_text("a file where a folder is needed")
    code, err = status(capsys, ["sample", "parity", "--n", 3, "--prompts", 2, "--out", target])
    assert code == 1 and err.startswith("boolicl sample: error: ") and len(err.splitlines()) == 1


def test_a_closed_pipe_ends_quietly():
    """``boolicl tasks --json | head -c 0``: the reader is gone before the first write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "boolicl", "tasks", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() in (0, 1) and "Traceback" not in err and "Exception" not in err


def test_eval_refuses_zero_prompts_and_a_contradicting_task(tmp_path):
    from models.evaluate import evaluate_run
    from models.train import train
    from tests.models.helpers import tiny

    run = tmp_path / "run"
    train(tiny(steps=1), run)
    with pytest.raises(ValueError, match="prompts must be"):
        evaluate_run(run, prompts=0)
    path = tmp_path / "p.npz"
    main(["sample", "parity", "--n", "5", "--points", "20", "--prompts", "4", "--out", str(path)])
    with pytest.raises(ValueError, match="contradicts the prompts file"):
        evaluate_run(run, task="conjunction", prompts_file=path)
    assert json.loads((run / "config.json").read_text())["steps"] == 1
