"""A training process killed with SIGKILL at an arbitrary moment, or stopped with Ctrl-C
(SIGINT), resumes from its last checkpoint and ends with exactly the weights and metrics of an
uninterrupted run."""

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
    path = run / "metrics.jsonl"  # the run folder exists (held) before its metrics do
    lines = path.read_text().splitlines() if path.exists() else []
    return json.loads(lines[-1])["step"] if lines and lines[-1].endswith("}") else 0


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    full = tmp_path_factory.mktemp("uninterrupted") / "full"
    subprocess.run(command(full), env=ENV, check=True, capture_output=True)
    return full


def stop_then_resume(run, sig: int) -> subprocess.CompletedProcess:
    """Start a run, send ``sig`` once it has logged step 200, wait; then resume it."""
    proc = subprocess.Popen(command(run), env=ENV, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and last_step(run) < 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, "", err)


def assert_same_run(a_run, b_run) -> None:
    (a, _), (b, _) = load_model(a_run), load_model(b_run)
    wa, wb = a.state_dict(), b.state_dict()
    assert all(torch.equal(wa[k], wb[k]) for k in wb)
    assert (a_run / "metrics.jsonl").read_text() == (b_run / "metrics.jsonl").read_text()


def test_sigkill_then_resume_equals_uninterrupted(tmp_path, full_run):
    killed = tmp_path / "killed"
    stopped = stop_then_resume(killed, signal.SIGKILL)
    assert stopped.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    subprocess.run(command(killed), env=ENV, check=True, capture_output=True)  # resumes
    assert_same_run(killed, full_run)


def test_ctrl_c_saves_a_checkpoint_and_resumes_exactly(tmp_path, full_run):
    run = tmp_path / "interrupted"
    stopped = stop_then_resume(run, signal.SIGINT)
    assert stopped.returncode == 130, stopped.stderr
    assert "interrupted at step" in stopped.stderr and "the same call resumes it" in stopped.stderr
    step = int(stopped.stderr.split("interrupted at step ")[1].split(";")[0])
    assert 200 <= step < 600 and last_step(run) <= step
    subprocess.run(command(run), env=ENV, check=True, capture_output=True)
    assert_same_run(run, full_run)
