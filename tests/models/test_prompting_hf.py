"""The Hugging Face backend on a tiny GPT-2 built from a config and saved to a temporary
folder (with a byte-level BPE tokenizer trained offline): never the network."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

pytest.importorskip("transformers")
pytest.importorskip("tokenizers")

from models.prompting.format import build_prompt, parse_answer  # noqa: E402
from models.prompting.hf import HFBackend  # noqa: E402
from models.prompting.run import evaluate_llm  # noqa: E402
from models.prompting.tiny_lm import save_tiny_causal_lm  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def offline():
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    mp.undo()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Trained 30 steps on the format's text, so that it answers ' 0' / ' 1' after 'Label:'."""
    return save_tiny_causal_lm(tmp_path_factory.mktemp("tiny-gpt2"), steps=30)


def prompts(count=4, n=5, points=6):
    rng = np.random.default_rng(1)
    out = []
    for _ in range(count):
        xs, ys = rng.integers(0, 2, (points, n)), rng.integers(0, 2, points)
        out.append(build_prompt(xs, ys, points - 1))
    return out


@pytest.mark.parametrize("mode", ["greedy", "loglik"])
def test_both_modes_answer_validly_and_deterministically(tiny, mode):
    b = HFBackend(tiny, mode=mode)
    first = [b.answer(p).text for p in prompts()]
    assert all(parse_answer(t) is not None for t in first), first
    assert [b.answer(p).text for p in prompts()] == first
    assert [HFBackend(tiny, mode=mode).answer(p).text for p in prompts()] == first


def test_loglik_picks_the_likelier_label(tiny):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny, local_files_only=True)
    lm = AutoModelForCausalLM.from_pretrained(tiny, local_files_only=True).eval()
    b = HFBackend(tiny, mode="loglik")
    for p in prompts():
        a = b.answer(p)
        ll = {}
        for c in "01":  # independently: the log-probability of the whole text, minus the prompt's
            scores = []
            for text in (p, p + " " + c):
                ids = torch.tensor([tok(text)["input_ids"]])
                with torch.no_grad():
                    logp = torch.log_softmax(lm(input_ids=ids).logits[0, :-1], -1)
                scores.append(float(logp[torch.arange(ids.shape[1] - 1), ids[0, 1:]].sum()))
            ll[c] = scores[1] - scores[0]
        assert a.extra["loglik"] == {c: pytest.approx(v, abs=1e-4) for c, v in ll.items()}
        assert a.text == ("1" if ll["1"] > ll["0"] else "0")


def test_evaluation_with_the_hf_backend(tiny, tmp_path):
    path = tmp_path / "r.jsonl"
    r = evaluate_llm(HFBackend(tiny, mode="loglik"), "majority_small", prompts=2, every=25,
                     results_file=path)
    assert r["status"] == "complete" and r["answered"] == 4 and r["invalid"] == 0
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert rows[0]["config"]["settings"]["mode"] == "loglik"
    assert all(set(row["loglik"]) == {"0", "1"} for row in rows[1:])
    with pytest.raises(ValueError, match="field 'settings'"):
        evaluate_llm(HFBackend(tiny, mode="greedy"), "majority_small", prompts=2, every=25,
                     results_file=path)


def test_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="no such folder"):
        HFBackend(tmp_path / "nothing")


def test_a_folder_without_a_model(tmp_path):
    with pytest.raises(ValueError, match="no config.json"):
        HFBackend(tmp_path)


def test_not_a_causal_lm(tmp_path):
    from transformers import ViTConfig

    ViTConfig(hidden_size=8, num_hidden_layers=1, num_attention_heads=1,
              intermediate_size=8).save_pretrained(tmp_path)
    with pytest.raises(ValueError, match="not a causal language model"):
        HFBackend(tmp_path)


def test_a_name_not_in_the_local_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HOME", str(tmp_path))  # an empty cache
    with pytest.raises(ValueError, match="local Hugging Face cache"):
        HFBackend("no-such-org/no-such-model")


def test_bad_settings(tiny):
    with pytest.raises(ValueError, match="mode"):
        HFBackend(tiny, mode="beam")
    with pytest.raises(ValueError, match="max_tokens"):
        HFBackend(tiny, max_tokens=0)


def test_a_prompt_longer_than_the_model_fails_the_query(tiny):
    b = HFBackend(tiny, mode="loglik")
    b.positions = 40  # the tiny model has 1024; pretend it has 40
    a = b.answer(prompts(count=1)[0])
    assert a.text is None and "exceeds the model's 40 positions" in a.error
