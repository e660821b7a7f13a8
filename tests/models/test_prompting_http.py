"""The OpenAI-compatible backend against a real HTTP server on loopback
(:mod:`models.prompting.testing_server`): answers, retries, backoff, timeouts, garbage, the
request budget, fatal answers, the API key and the plain-HTTP warning."""

from __future__ import annotations

import time
import warnings

import pytest

from models.prompting.backend import BudgetExhausted, FatalBackendError
from models.prompting.format import build_prompt, parse_answer
from models.prompting.openai_http import OpenAIBackend, is_loopback
from models.prompting.run import evaluate_llm
from models.prompting.testing_server import PromptingTestServer, Reply, nearest_neighbour_answer

PROMPT = "Go.\n\nInput: 1 0\nLabel: 1\nInput: 1 1\nLabel:"


def backend(server, **kw):
    kw = {"api_key_env": None, "timeout": 2.0, "retries": 2, "backoff": 0.001,
          "concurrency": 1, **kw}
    return OpenAIBackend(server.base_url, "test-model", **kw)


@pytest.fixture
def server():
    with PromptingTestServer() as s:
        yield s


def first(reply):
    """A script that misbehaves on the first request of each prompt only."""
    return lambda prompt, k: reply if k == 1 else None


def test_an_answer_and_the_request(server):
    a = backend(server, max_tokens=3).answer(PROMPT)
    assert a.text == " 1" and a.attempts == 1 and a.error is None
    body = server.bodies[0]
    assert body["prompt"] == PROMPT and body["model"] == "test-model"
    assert body["temperature"] == 0 and body["stop"] == ["\n"] and body["max_tokens"] == 3


def test_chat_endpoint(server):
    a = backend(server, endpoint="chat").answer(PROMPT)
    assert a.text == " 1"
    assert server.bodies[0]["messages"] == [{"role": "user", "content": PROMPT}]


def test_evaluation_asks_each_query_once_and_scores_the_server_answers(server):
    r = evaluate_llm(backend(server, concurrency=4), "conjunction_small", prompts=6, every=7)
    assert r["status"] == "complete" and r["answered"] == r["queries"] == 6 * 8
    assert server.requests == r["queries"] and set(server.counts.values()) == {1}
    assert r["queried_positions"] == list(range(0, 50, 7))
    for i in range(50):
        assert (r["per_position"][i] is None) == (i % 7 != 0)
    # the server answers as 1-NN: its accuracy, recomputed from the prompts, is what we report
    from boolfun.samplers import sample_prompts

    p = sample_prompts("conjunction_small", 6, seed=0)
    xs, ys = p.xs.numpy(), p.ys.numpy()
    for i in r["queried_positions"]:
        right = [parse_answer(nearest_neighbour_answer(build_prompt(xs[b], ys[b], i)))
                 == ys[b, i] for b in range(6)]
        assert r["per_position"][i] == pytest.approx(sum(right) / 6, abs=1e-4)


def test_a_500_is_retried():
    with PromptingTestServer(script=first(Reply(status=500))) as s:
        b = backend(s)
        a = b.answer(PROMPT)
    assert a.text == " 1" and a.attempts == 2
    assert b.stats["retries"] == 1 and b.stats["http_500"] == 1 and s.counts[PROMPT] == 2


def test_429_waits_for_retry_after_but_at_most_max_backoff():
    with PromptingTestServer(script=first(Reply(status=429, headers={"Retry-After": "0.3"}))) as s:
        t0 = time.perf_counter()
        a = backend(s).answer(PROMPT)
        waited = time.perf_counter() - t0
    assert a.text == " 1" and a.attempts == 2 and waited >= 0.3
    with PromptingTestServer(script=first(Reply(status=429, headers={"Retry-After": "60"}))) as s:
        t0 = time.perf_counter()
        a = backend(s, max_backoff=0.05).answer(PROMPT)
        assert a.attempts == 2 and time.perf_counter() - t0 < 5


def test_a_slow_answer_times_out_and_is_retried():
    with PromptingTestServer(script=first(Reply(delay=1.0))) as s:
        b = backend(s, timeout=0.2)
        a = b.answer(PROMPT)
    assert a.text == " 1" and a.attempts == 2 and b.stats["timeouts"] == 1


@pytest.mark.parametrize("body", [b"not json", b"{}", b'{"choices": []}',
                                  b'{"choices": [{"text": 1}]}', b"\xff\xfe"])
def test_garbage_is_retried_then_the_query_fails(body):
    with PromptingTestServer(script=lambda p, k: Reply(body=body)) as s:
        b = backend(s, retries=2)
        a = b.answer(PROMPT)
    assert a.text is None and a.attempts == 3 and "malformed" in a.error
    assert b.stats["malformed"] == 3 and b.stats["failed"] == 1 and s.counts[PROMPT] == 3


def test_an_invalid_answer_is_an_answer_not_an_error(server):
    with PromptingTestServer(script=lambda p, k: Reply(text="one")) as s:
        r = evaluate_llm(backend(s), "majority_small", prompts=2, every=25)
    assert r["answered"] == 4 and r["invalid"] == 4 and r["status"] == "complete"
    assert r["per_position"][0] == 0.0 and r["invalid_per_position"][0] == 2
    assert s.requests == 4  # not retried


def test_a_refused_connection_is_retried_then_fails():
    with PromptingTestServer() as s:
        url = s.base_url
    b = OpenAIBackend(url, "m", api_key_env=None, retries=1, backoff=0.001)
    a = b.answer(PROMPT)  # nothing listens there any more
    assert a.text is None and a.attempts == 2 and "connection" in a.error
    assert b.stats["connection_errors"] == 2


def test_other_4xx_fail_at_once():
    with PromptingTestServer(script=lambda p, k: Reply(status=400)) as s:
        a = backend(s).answer(PROMPT)
    assert a.text is None and a.attempts == 1 and "HTTP 400" in a.error


def test_a_rejected_key_stops_the_evaluation(monkeypatch):
    monkeypatch.setenv("TEST_KEY", "wrong")
    with PromptingTestServer(api_key="secret") as s:
        with pytest.raises(FatalBackendError, match="401"):
            backend(s, api_key_env="TEST_KEY").answer(PROMPT)
        r = evaluate_llm(backend(s, api_key_env="TEST_KEY"), "majority_small", prompts=3)
        assert r["status"] == "fatal" and "401" in r["stop_reason"] and r["answered"] == 0
        assert s.requests <= 1 + 2  # one refused request per query in flight, no retries
        monkeypatch.setenv("TEST_KEY", "secret")
        assert backend(s, api_key_env="TEST_KEY").answer(PROMPT).text == " 1"


def test_the_budget_counts_every_request_retries_included():
    with PromptingTestServer(script=lambda p, k: Reply(status=503) if k < 3 else None) as s:
        b = backend(s, retries=5, max_requests=4)
        assert b.answer(PROMPT).attempts == 3
        with pytest.raises(BudgetExhausted):
            b.answer(PROMPT + " ")
        assert s.requests == 4 and b.budget.used == 4


@pytest.mark.parametrize("concurrency", [1, 4])
def test_the_evaluation_stops_at_the_budget(server, concurrency):
    b = backend(server, concurrency=concurrency, max_requests=7)
    r = evaluate_llm(b, "majority_small", prompts=4, every=10)
    assert r["status"] == "budget" and "7 requests" in r["stop_reason"]
    assert server.requests == 7 and r["answered"] == 7 and r["unanswered"] == 20 - 7


def test_failures_are_counted_and_the_limit_stops(server):
    with PromptingTestServer(script=lambda p, k: Reply(status=500)) as s:
        r = evaluate_llm(backend(s, retries=1), "majority_small", prompts=3, every=10,
                         max_failures=3)
    assert r["status"] == "failures" and r["failures"] == 3 and r["answered"] == 0
    assert s.requests == 6 and r["mean"] is None and r["per_position"][0] is None
    assert sum(r["failure_reasons"].values()) == 3
    with PromptingTestServer(script=lambda p, k: Reply(status=500) if k == 1 else None) as s:
        r = evaluate_llm(backend(s, retries=0), "majority_small", prompts=3, every=10)
    assert r["status"] == "incomplete" and r["failures"] == 15 and r["unanswered"] == 15


def test_a_missing_key_is_refused_before_any_request(server):
    with pytest.raises(ValueError, match="MY_SECRET_KEY is not set"):
        OpenAIBackend(server.base_url, "m", api_key_env="MY_SECRET_KEY", environ={})
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        OpenAIBackend(server.base_url, "m", environ={"OPENAI_API_KEY": ""})
    assert server.requests == 0


@pytest.mark.parametrize("url,warns", [
    ("http://example.com/v1", True), ("http://10.0.0.1:8000/v1", True),
    ("http://127.0.0.1:8000/v1", False), ("http://localhost:8000/v1", False),
    ("http://[::1]:8000/v1", False), ("https://example.com/v1", False),
])
def test_plain_http_to_another_host_warns(url, warns):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        OpenAIBackend(url, "m", api_key_env=None)  # builds only: no request
    assert any("plain HTTP" in str(w.message) for w in caught) == warns


@pytest.mark.parametrize("kw,word", [
    (dict(base_url="ftp://x/v1"), "base_url"), (dict(base_url="http:///v1"), "base_url"),
    (dict(model=""), "model"), (dict(endpoint="edit"), "endpoint"),
    (dict(timeout=0), "timeout"), (dict(retries=-1), "retries"),
    (dict(concurrency=0), "concurrency"), (dict(max_requests=0), "max_requests"),
    (dict(max_tokens=0), "max_tokens"), (dict(api_key_env=""), "api_key_env"),
])
def test_bad_settings_are_refused(kw, word):
    args = {"base_url": "http://127.0.0.1:1/v1", "model": "m", "api_key_env": None, **kw}
    with pytest.raises(ValueError, match=word):
        OpenAIBackend(args.pop("base_url"), args.pop("model"), **args)


def test_loopback_names():
    assert is_loopback("127.0.0.2") and is_loopback("::1") and is_loopback("LOCALHOST")
    assert not is_loopback("example.com") and not is_loopback("192.168.1.1")
