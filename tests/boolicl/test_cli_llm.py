"""``boolicl llm-eval``: direct prompting from the command line, against the loopback test
server (and a real kill of the command, resumed)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.prompting.testing_server import PromptingTestServer
from tests.boolicl import run_cli

ROOT = Path(__file__).resolve().parents[2]




@pytest.fixture
def server():
    with PromptingTestServer() as s:
        yield s


def base(server, path, *more):
    return ["llm-eval", "majority_small", "--backend", "openai", "--model", "m",
            "--base-url", server.base_url, "--no-api-key", "--prompts", 4, "--every", 10,
            "--results-file", path, "--bootstrap", 50, "--backoff", 0.001, *more]


def test_json_in_the_shape_of_eval_and_resume(server, tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    code, out, err = run_cli(capsys, *base(server, path), "--json")
    assert code == 0, err
    r = json.loads(out)
    for key in ("name", "per_position", "ci_low", "ci_high", "mean", "mean_ci", "task", "n",
                "points", "prompts", "seed"):
        assert key in r
    assert r["name"] == "openai:m" and r["points"] == 50 and len(r["per_position"]) == 50
    assert [i for i, v in enumerate(r["per_position"]) if v is not None] == [0, 10, 20, 30, 40]
    assert r["status"] == "complete" and r["answered"] == 20 and "not queried" in r["note"]
    assert server.requests == 20
    code, out, _ = run_cli(capsys, *base(server, path), "--json")
    assert code == 0 and json.loads(out)["resumed"] == 20 and server.requests == 20


def test_human_output(server, tmp_path, capsys):
    code, out, _ = run_cli(capsys, *base(server, tmp_path / "r.jsonl"), "--no-progress")
    assert code == 0
    assert "mean accuracy" in out and "position  10:" in out and "20 of 20 queries" in out


def test_budget_stops_with_status_1_and_partial_results(server, tmp_path, capsys):
    code, out, err = run_cli(capsys, *base(server, tmp_path / "r.jsonl"), "--max-requests", 5,
                             "--json")
    assert code == 1 and json.loads(out)["status"] == "budget"
    assert "stopped (budget)" in err and "same command goes on" in err
    assert server.requests == 5


def test_a_missing_key_is_refused_before_any_request(server, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BOOLICL_TEST_KEY", raising=False)
    argv = [a for a in base(server, tmp_path / "r.jsonl") if a != "--no-api-key"]
    code, _, err = run_cli(capsys, *argv, "--api-key-env", "BOOLICL_TEST_KEY")
    assert code == 2 and "--api-key-env" in err and "BOOLICL_TEST_KEY is not set" in err
    assert server.requests == 0 and not (tmp_path / "r.jsonl").exists()


def test_plain_http_to_another_host_is_warned_on_stderr(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("BOOLICL_TEST_KEY", raising=False)
    # the missing key stops it before any request: nothing leaves this machine
    code, _, err = run_cli(capsys, "llm-eval", "majority_small", "--backend", "openai",
                           "--model", "m", "--base-url", "http://example.com/v1",
                           "--api-key-env", "BOOLICL_TEST_KEY")
    assert code == 2
    assert "warning: base_url 'http://example.com/v1' is plain HTTP" in err


@pytest.mark.parametrize("argv,flag", [
    (["--backend", "openai", "--model", "m", "--mode", "loglik"], "--mode"),
    (["--backend", "hf", "--model", "m", "--base-url", "http://127.0.0.1:1/v1"], "--base-url"),
    (["--backend", "hf", "--model", "/no/such/model"], "--model"),
    (["--backend", "openai", "--model", "m", "--base-url", "ftp://x"], "--base-url"),
    (["--backend", "openai", "--model", "m", "--no-api-key", "--every", "0"], "--every"),
    (["--backend", "openai", "--model", "m", "--no-api-key", "--timeout", "-1"], "--timeout"),
    (["--backend", "gemini", "--model", "m"], "--backend"),
])
def test_bad_options_exit_2_naming_the_option(capsys, argv, flag):
    code, _, err = run_cli(capsys, "llm-eval", "majority_small", *argv)
    assert code == 2 and flag in err


def test_a_results_file_of_other_settings_is_refused(server, tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    assert run_cli(capsys, *base(server, path), "--json")[0] == 0
    code, _, err = run_cli(capsys, *base(server, path), "--n", 5)
    assert code == 2 and "--results-file" in err and "field 'n'" in err


def test_a_killed_command_resumes_losing_at_most_the_queries_in_flight(tmp_path):
    path = tmp_path / "r.jsonl"
    with PromptingTestServer(delay=0.05) as server:
        argv = [sys.executable, "-m", "boolicl", *map(str, base(server, path)),
                "--concurrency", "2", "--no-progress", "--json"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if path.exists() and path.read_text().count("\n") >= 1 + 6:
                break
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        answered = path.read_text().count("\n") - 1
        assert 6 <= answered < 20
        before = server.requests
        from models.prompting.openai_http import OpenAIBackend
        from models.prompting.run import evaluate_llm

        r = evaluate_llm(OpenAIBackend(server.base_url, "m", api_key_env=None, backoff=0.001,
                                       concurrency=2),
                         "majority_small", prompts=4, every=10, results_file=path)
        assert r["status"] == "complete" and r["resumed"] >= answered
        asked_twice = [p for p, k in server.counts.items() if k > 1]
        assert len(asked_twice) <= 2 and max(server.counts.values()) <= 2  # the 2 in flight
        assert server.requests - before == 20 - r["resumed"]


def test_the_hf_backend_end_to_end(tmp_path, capsys, monkeypatch):
    pytest.importorskip("transformers")
    from models.prompting.tiny_lm import save_tiny_causal_lm

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = save_tiny_causal_lm(tmp_path / "tiny")  # untrained: loglik answers are still valid
    path = tmp_path / "r.jsonl"
    argv = ["llm-eval", "majority_small", "--backend", "hf", "--model", model, "--mode",
            "loglik", "--prompts", 2, "--every", 25, "--results-file", path, "--json"]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    r = json.loads(out)
    assert r["name"] == f"hf:{model}" and r["answered"] == 4 and r["invalid"] == 0
    assert r["config"]["settings"]["mode"] == "loglik"
    code, _, err = run_cli(capsys, *argv[:-1], "--timeout", 1)
    assert code == 2 and "--timeout applies to --backend openai only" in err
