"""``boolicl reproduce llm``: a tiny GPT-2 (built offline) and the loopback test server give a
REPORT.md with the frozen LM, its random control, the Transformer and the direct-prompting
table; with nothing configured the rest still runs and the report names what was skipped; bad
models are refused before anything trains, naming the option. Never the network: every
connection to a host other than this machine fails the test."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolicl import reproduce_llm
from boolicl.reproduce import PRESETS, run_reproduce
from boolicl.reproduce_llm import (
    CONTROL,
    FROZEN,
    MARGIN,
    TRAINED,
    LLMSources,
    open_sources,
    report_lines,
    run_prompting,
    verdict,
)
from models.prompting.testing_server import PromptingTestServer
from tests.boolicl import run_cli

TINY = dict(prompts=2, points=6, every=5, sizes=(5, 7))  # two queries a prompt: 0 and 5


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """No connection leaves this machine, and the default model is one no cache holds."""
    connect = socket.socket.connect

    def loopback_only(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if host not in ("127.0.0.1", "::1", "localhost"):
                raise AssertionError(f"the test tried to reach {address}")
        return connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    monkeypatch.setattr(reproduce_llm, "DEFAULT_HF_MODEL", "boolicl-test-absent/no-such-model")


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory):
    from models.prompting.tiny_lm import save_tiny_causal_lm

    return save_tiny_causal_lm(tmp_path_factory.mktemp("lm") / "tiny")


@pytest.fixture
def server():
    with PromptingTestServer() as s:
        yield s




def table_rows(report: str, name: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith(f"| {name} |")]


def test_tiny_run_has_the_three_models_and_the_prompting_table(tiny_lm, server, tmp_path):
    src = LLMSources(hf_model=str(tiny_lm), base_url=server.base_url, endpoint_model="test",
                     api_key_env=None, **TINY)
    result = run_reproduce("llm", tmp_path, steps=3, prompts=16, llm=src)
    report = (tmp_path / "REPORT.md").read_text()
    assert PRESETS["llm"].claim in report
    # one row per model in each task's table, with the comparison's own numbers
    for t in result["tasks"]:
        for name in (FROZEN, CONTROL, TRAINED):
            m = next(m for m in t["models"] if m["name"] == name)
            assert m["seeds"] == 1, (t["task"], name, m["failed"])
            assert any(f"| {m['mean']:.3f} |" in row for row in table_rows(report, name))
    # the LM arms are the frozen model and its random control, of the given folder
    configs = {}
    for job in result["training"]:
        run = job["runs"][0]["out"]
        configs[job["model"]] = json.loads((Path(run) / "config.json").read_text())
    assert configs[FROZEN]["freeze"] == "all" and configs[FROZEN]["init"] == "pretrained"
    assert configs[CONTROL]["freeze"] == "all" and configs[CONTROL]["init"] == "random"
    assert configs[FROZEN]["model"] == f"hf:{tiny_lm.resolve()}"
    # the direct-prompting table: both models x 2 tasks x 2 sizes, each asked 2 x 2 queries
    llm = result["llm"]
    assert "### Direct prompting" in report
    assert len(llm["results"]) == 8 and server.requests == 4 * 4
    for row in llm["results"]:
        r = row["result"]
        assert r["queries"] == 4 and r["answered"] == 4 and r["status"] == "complete"
        line = next(x for x in table_rows(report, row["model"])
                    if f"| {row['task']} | {row['n']} |" in x)
        assert f"| {r['invalid']} | 4 / 4 | complete |" in line
        # the label-rate reference is computed on exactly the prompts the model was asked
        labels = [json.loads(x)["label"] for x in open(r["results_file"]).read().splitlines()
                  if '"label"' in x]
        ref = llm["references"][f"{row['task']} n={row['n']}"]
        assert ref["label_rate"] == round(sum(labels) / len(labels), 4)
        assert f"| {ref['label_baseline']:.3f} | {ref['nn1']:.3f} |" in line
    assert "**Skipped**" not in report
    assert json.loads((tmp_path / "results.json").read_text())["llm"]["settings"]["sizes"] == [5, 7]
    # the same run again (overwrite) trains nothing new and asks no query again
    again = run_reproduce("llm", tmp_path, steps=3, prompts=16, llm=src, overwrite=True)
    assert server.requests == 16
    assert all(row["result"]["resumed"] == 4 for row in again["llm"]["results"])


def test_nothing_configured_runs_the_transformer_and_names_what_was_skipped(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "reproduce", "llm", "--out", out, "--steps", 2,
                                "--prompts", 16, "--no-progress")
    assert code == 0, err
    assert "skipped the frozen pretrained LM" in err and "no-such-model" in err
    assert "skipped direct prompting of an endpoint" in err
    report = (out / "REPORT.md").read_text()
    assert "**Skipped**" in report and "no endpoint configured" in report
    assert "nothing of the claim could be tested" in report
    assert "No model was prompted in this run." in report
    assert len(table_rows(report, TRAINED)) == 2  # conjunction and nearest_neighbour
    assert not table_rows(report, FROZEN) and not table_rows(report, CONTROL)
    assert table_rows(report, "nn1")


@pytest.mark.parametrize(
    "argv, env, flag",
    [
        (["--hf-model", "{tmp}/missing"], {}, "--hf-model"),
        (["--hf-model", "{tmp}"], {}, "--hf-model"),  # a folder without a model
        (["--base-url", "http://127.0.0.1:9/v1"], {}, "--endpoint-model"),
        (["--endpoint-model", "m", "--api-key-env", "BOOLICL_TEST_UNSET"], {}, "--api-key-env"),
        (["--endpoint-model", "m"], {"OPENAI_API_KEY": ""}, "--api-key-env"),
        (["--endpoint", "chat"], {}, "--endpoint needs --endpoint-model"),
        (["--endpoint-model", "m", "--no-api-key", "--api-key-env", "K"], {}, "--no-api-key"),
        (["--llm-prompts", "0"], {}, "--llm-prompts"),
    ],
)
def test_bad_models_are_refused_before_training_naming_the_option(
    argv, env, flag, tmp_path, capsys, monkeypatch
):
    monkeypatch.delenv("BOOLICL_TEST_UNSET", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "reproduce", "llm", "--out", out, "--no-progress",
                           *[a.format(tmp=tmp_path) for a in argv])
    assert code == 2 and flag in err, err
    assert "Traceback" not in err and not out.exists()


def test_llm_options_belong_to_the_llm_preset(tmp_path, capsys):
    code, _, err = run_cli(capsys, "reproduce", "sample-efficiency", "--out", tmp_path / "o",
                           "--hf-model", "gpt2")
    assert code == 2 and "--hf-model applies to the llm preset only" in err
    with pytest.raises(ValueError, match="llm applies to the llm preset only"):
        run_reproduce("sample-efficiency", tmp_path / "p", llm=LLMSources())
    with pytest.raises(ValueError, match="endpoint_model must name the model"):
        LLMSources(base_url="http://127.0.0.1:1/v1")
    with pytest.raises(ValueError, match="sizes"):
        LLMSources(sizes=())


def test_an_endpoint_that_refuses_the_key_stops_and_the_rest_is_marked_not_run(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BOOLICL_TEST_KEY", "wrong")
    with PromptingTestServer(api_key="right") as srv:
        opened = open_sources(LLMSources(base_url=srv.base_url, endpoint_model="m",
                                         api_key_env="BOOLICL_TEST_KEY", **TINY))
        assert opened.lm is None and [s["part"] for s in opened.skipped] == [
            "the frozen pretrained LM, its random control and prompting it"]
        llm = run_prompting(opened, tmp_path, "small")
    first, *rest = llm["results"]
    assert first["result"]["status"] == "fatal" and first["result"]["answered"] == 0
    assert rest and all(r["result"] is None and "fatal" in r["not_run"] for r in rest)
    text = "\n".join(report_lines({"llm": llm}))
    assert text.count("not run: the model stopped earlier") == len(rest)


def _fake(frozen: float, control: float, trained: float, prompted: list[float]) -> dict:
    def model(name, acc):
        return {"name": name, "seeds": 1, "per_position": [acc], "mean": acc}

    tasks = [{"task": "conjunction", "test": "standard", "params": {}, "models": [
        model(FROZEN, frozen), model(CONTROL, control), model(TRAINED, trained)]}]
    sizes = [5, 7, 15]
    results = [{"model": "openai:m", "task": "majority_small", "n": n,
                "result": {"mean": a}} for n, a in zip(sizes, prompted, strict=True)]
    refs = {f"majority_small n={n}": {"label_baseline": 0.6} for n in sizes}
    return {"settings": {"models": [FROZEN, CONTROL, TRAINED], "tasks": ["conjunction"]},
            "tasks": tasks,
            "llm": {"settings": {"tasks": ["majority_small"]}, "references": refs,
                    "results": results}}


acc = st.integers(0, 1000).map(lambda v: v / 1000)


@settings(max_examples=60, deadline=None)
@given(acc, acc, acc, st.lists(acc, min_size=3, max_size=3))
def test_each_finding_follows_its_stated_criterion(frozen, control, trained, prompted):
    found = {h: ok for h, ok, _ in verdict(_fake(frozen, control, trained, prompted))}
    assert found["conjunction: above its random control"] == (frozen >= control + MARGIN)
    assert found["conjunction: near the trained Transformer"] == (trained - frozen <= MARGIN)
    head = "openai:m on majority_small"
    assert found[f"{head}: above chance at n = 5"] == (prompted[0] >= 0.6 + MARGIN)
    margin_lo, margin_hi = prompted[0] - 0.6, prompted[2] - 0.6
    assert found[f"{head}: degrades with n"] == (
        found[f"{head}: above chance at n = 5"]
        and margin_hi <= margin_lo - reproduce_llm.DEGRADE)


def test_a_model_without_tokenizer_is_trained_frozen_but_not_prompted(tmp_path):
    from transformers import GPT2Config, GPT2LMHeadModel

    folder = tmp_path / "no-tokenizer"
    GPT2LMHeadModel(GPT2Config(vocab_size=16, n_positions=64, n_embd=8, n_layer=1,
                               n_head=1)).save_pretrained(folder)
    opened = open_sources(LLMSources(hf_model=str(folder)))
    assert opened.lm == f"hf:{folder.resolve()}" and opened.backends == []
    assert [s["part"] for s in opened.skipped] == [
        f"direct prompting of hf:{folder.resolve()}", "direct prompting of an endpoint"]
    arms = reproduce_llm.lm_arms(opened.lm, "small")
    assert [a.label for a in arms] == [FROZEN, CONTROL, TRAINED]
    assert dict(arms[1].overrides)["init"] == "random" and dict(arms[0].overrides)["steps"] == 200
    assert "steps" not in dict(reproduce_llm.lm_arms(opened.lm, "small", steps=7)[0].overrides)
