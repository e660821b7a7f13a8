"""Result files: an interrupted evaluation resumes from its file without asking any answered
query again (the loopback server counts requests per prompt); other settings are refused."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.prompting.openai_http import OpenAIBackend
from models.prompting.results import RESULTS_FORMAT, ResultFile
from models.prompting.run import evaluate_llm
from models.prompting.testing_server import PromptingTestServer

TASK = dict(task="conjunction_small", prompts=5, every=10, n=6, points=30)  # 5 x 3 queries


def backend(server, **kw):
    return OpenAIBackend(server.base_url, "m", api_key_env=None, backoff=0.001,
                         **{"concurrency": 1, **kw})


def run(b, path, **kw):
    args = {**TASK, **kw}
    return evaluate_llm(b, args.pop("task"), results_file=path, **args)


def lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def server():
    with PromptingTestServer() as s:
        yield s


@pytest.mark.parametrize("concurrency", [1, 3])
def test_budget_stop_then_resume_asks_each_query_once(server, tmp_path, concurrency):
    path = tmp_path / "r.jsonl"
    r1 = run(backend(server, max_requests=4, concurrency=concurrency), path)
    assert r1["status"] == "budget" and r1["answered"] == 4
    assert len(lines(path)) == 1 + 4 and lines(path)[0]["format"] == RESULTS_FORMAT
    r2 = run(backend(server, concurrency=concurrency), path)
    assert r2["status"] == "complete" and r2["resumed"] == 4 and r2["answered"] == 15
    assert server.requests == 15 and set(server.counts.values()) == {1}
    # the resumed evaluation scores exactly what one uninterrupted run scores
    with PromptingTestServer() as fresh:
        r3 = run(backend(fresh), tmp_path / "fresh.jsonl")
    for key in ("per_position", "ci_low", "ci_high", "mean", "mean_ci"):
        assert r2[key] == r3[key]
    r4 = run(backend(server), path)  # finished: nothing asked
    assert server.requests == 15 and r4["resumed"] == 15
    assert r4["per_position"] == r2["per_position"]


class Crashing:
    """The backend, raising on its ``after``-th query (before any request)."""

    def __init__(self, inner, after):
        self.inner, self.after, self.calls = inner, after, 0
        self.name, self.model, self.concurrency = inner.name, inner.model, 1

    def settings(self):
        return self.inner.settings()

    def answer(self, prompt):
        self.calls += 1
        if self.calls == self.after:
            raise RuntimeError("boom")
        return self.inner.answer(prompt)


def test_an_exception_midway_keeps_the_answers_and_resumes(server, tmp_path):
    path = tmp_path / "r.jsonl"
    with pytest.raises(RuntimeError, match="boom"):
        run(Crashing(backend(server), after=7), path)
    assert len(lines(path)) == 1 + 6 and server.requests == 6
    r = run(backend(server), path)
    assert r["resumed"] == 6 and r["answered"] == 15 and set(server.counts.values()) == {1}


def test_failed_queries_are_asked_again_on_resume(tmp_path):
    from models.prompting.testing_server import Reply

    path = tmp_path / "r.jsonl"
    with PromptingTestServer(script=lambda p, k: Reply(status=500) if k == 1 else None) as s:
        r1 = run(backend(s, retries=0), path)
        assert r1["status"] == "incomplete" and r1["failures"] == 15
        r2 = run(backend(s, retries=0), path)
        assert r2["status"] == "complete" and set(s.counts.values()) == {2}
    errors = [rec for rec in lines(path)[1:] if "error" in rec]
    assert len(errors) == 15 and all("HTTP 500" in e["error"] for e in errors)


def test_a_torn_last_line_is_dropped(server, tmp_path):
    path = tmp_path / "r.jsonl"
    run(backend(server, max_requests=3), path)
    with path.open("a") as f:
        f.write('{"prompt": 0, "posi')  # a kill in the middle of a write
    r = run(backend(server), path)
    assert r["answered"] == 15 and r["resumed"] == 3
    assert len(lines(path)) == 1 + 15  # every line whole again
    assert server.requests == 15


@pytest.mark.parametrize("change,field", [
    (dict(n=7), "n"), (dict(seed=1), "seed"), (dict(every=5), "every"),
    (dict(prompts=6), "prompts"), (dict(instruction="Other."), "instruction_sha256"),
    (dict(task="disjunction_small"), "task"), (dict(force=0.0), "force"),
])
def test_other_settings_are_refused_naming_the_field(server, tmp_path, change, field):
    path = tmp_path / "r.jsonl"
    run(backend(server, max_requests=2), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=f"results_file .*field '{field}'"):
        run(backend(server), path, **change)
    assert path.read_bytes() == before


def test_another_model_or_endpoint_is_refused(server, tmp_path):
    path = tmp_path / "r.jsonl"
    run(backend(server, max_requests=2), path)
    other = OpenAIBackend(server.base_url, "other", api_key_env=None)
    with pytest.raises(ValueError, match="field 'model'"):
        run(other, path)
    with pytest.raises(ValueError, match="field 'settings'"):
        run(backend(server, endpoint="chat"), path)


@pytest.mark.parametrize("text,word", [
    ("not json\n", "not JSON"), ('{"format": "other"}\n', "no header"),
    ("[]\n", "no header"),
])
def test_files_of_another_kind_are_refused(server, tmp_path, text, word):
    path = tmp_path / "r.jsonl"
    path.write_text(text)
    with pytest.raises(ValueError, match=word):
        run(backend(server), path)


def test_a_damaged_line_inside_is_refused(server, tmp_path):
    path = tmp_path / "r.jsonl"
    run(backend(server, max_requests=3), path)
    rows = path.read_text().splitlines()
    rows[2] = "garbage"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError, match="line 3"):
        run(backend(server), path)


def test_an_answer_that_does_not_fit_the_prompts_is_refused(server, tmp_path):
    path = tmp_path / "r.jsonl"
    run(backend(server, max_requests=3), path)
    rows = lines(path)
    rows[1]["label"] = 1 - rows[1]["label"]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(ValueError, match="does not fit"):
        run(backend(server), path)


def test_result_file_records(server, tmp_path):
    path = tmp_path / "r.jsonl"
    run(backend(server), path)
    header, *rows = lines(path)
    assert header["config"]["model"] == "m" and header["config"]["every"] == 10
    assert {(r["prompt"], r["position"]) for r in rows} == {
        (b, i) for b in range(5) for i in (0, 10, 20)}
    for r in rows:
        assert set(r) == {"prompt", "position", "raw", "answer", "label", "attempts", "latency"}
        assert r["answer"] in (0, 1) and r["attempts"] == 1


def test_a_folder_is_not_a_result_file(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        ResultFile.open(tmp_path, {})


@settings(max_examples=8)
@given(st.lists(st.integers(1, 6), min_size=1, max_size=3), st.sampled_from([1, 2]))
def test_any_chain_of_budget_stops_asks_each_query_once(budgets, concurrency):
    """However the evaluation is cut into budgeted pieces, every query is asked exactly once
    and the final scores are those of one uninterrupted run."""
    with tempfile.TemporaryDirectory() as d, PromptingTestServer() as s:
        path = Path(d) / "r.jsonl"
        for budget in budgets:
            run(backend(s, max_requests=budget, concurrency=concurrency), path)
        final = run(backend(s, concurrency=concurrency), path)
        assert final["status"] == "complete" and set(s.counts.values()) == {1}
        assert s.requests == 15
        assert final["resumed"] == min(15, sum(budgets))
        with PromptingTestServer() as fresh:
            once = run(backend(fresh), Path(d) / "once.jsonl")
        assert final["per_position"] == once["per_position"] and final["mean"] == once["mean"]
