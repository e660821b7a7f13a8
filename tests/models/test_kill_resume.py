"""A training process killed with SIGKILL at an arbitrary moment resumes from its last
checkpoint and ends with exactly the weights and metrics of an uninterrupted run."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from models.checkpoints import load_model

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="uses SIGKILL")

ARGS = ["train", "conjunction", "--n", "5", "--points", "12", "--layers", "1", "--width", "16"]
ARGS += ["--heads", "2", "--batch", "8", "--steps", "600", "--eval-every", "50"]
ARGS += ["--log-every", "5", "--checkpoint-every", "7", "--no-progress"]
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}  # the same float reductions in every process


def command(out) -> list[str]:
    return [sys.executable, "-m", "boolicl", *ARGS, "--out", str(out)]


def last_step(run) -> int:
    lines = (run / "metrics.jsonl").read_text().splitlines() if run.exists() else []
    return json.loads(lines[-1])["step"] if lines and lines[-1].endswith("}") else 0


def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    killed = tmp_path / "killed"
    proc = subprocess.Popen(command(killed), env=ENV)
    deadline = time.monotonic() + 120
    while proc.poll() is None and last_step(killed) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the run ended before it could be killed"
    subprocess.run(command(killed), env=ENV, check=True, capture_output=True)  # resumes
    subprocess.run(command(tmp_path / "full"), env=ENV, check=True, capture_output=True)

    (a, _), (b, _) = load_model(killed), load_model(tmp_path / "full")
    wa, wb = a.state_dict(), b.state_dict()
    assert all(torch.equal(wa[k], wb[k]) for k in wb)
    assert (killed / "metrics.jsonl").read_text() == (
        tmp_path / "full" / "metrics.jsonl"
    ).read_text()
