"""models.pretrained: a frozen Hugging Face causal LM as the backbone, on a tiny GPT-2 built
from a config and saved with ``save_pretrained`` to a temporary folder (no network: every load
is ``local_files_only``).

Frozen really freezes (no gradient, bit-identical weights after the normal training loop);
``all-but-ln`` trains exactly the LayerNorms; the random control differs from the pretrained
model only in its weights; a checkpoint holds only the trained weights and refuses another base
model; a run resumes after a simulated kill; the command line trains and evaluates such a run;
bad input names its parameter."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from safetensors import safe_open

transformers = pytest.importorskip("transformers")

from boolicl.cli import main  # noqa: E402
from boolicl.compare import Arm, plan_compare  # noqa: E402
from models import train as train_module  # noqa: E402
from models.checkpoints import STATE, WEIGHTS, load_model  # noqa: E402
from models.config import TrainConfig  # noqa: E402
from models.pretrained import (  # noqa: E402
    PretrainedBackbone,
    import_transformers,
    parse_init,
)
from models.stack import train_stack  # noqa: E402
from models.train import train  # noqa: E402
from models.wrapper import InContextModel  # noqa: E402

N, POINTS = 5, 12


def save_tiny_gpt2(folder, seed: int = 0) -> None:
    """A GPT-2 with n_embd 16, 2 layers, 2 heads and 64 positions (>= 2 * POINTS), random
    weights from ``seed``, written by ``save_pretrained``."""
    config = transformers.GPT2Config(
        n_embd=16, n_layer=2, n_head=2, n_positions=64, vocab_size=32,
        bos_token_id=None, eos_token_id=None,
    )
    torch.manual_seed(seed)
    lm = transformers.GPT2LMHeadModel(config)
    with torch.no_grad():  # as if trained: no tensor left at its initial ones or zeros
        for p in lm.parameters():
            p.add_(0.05 * torch.randn_like(p))
    lm.save_pretrained(folder)


@pytest.fixture(scope="module")
def gpt2(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-gpt2")
    save_tiny_gpt2(folder)
    return folder


def cfg(folder, **kw) -> TrainConfig:
    base = dict(task="conjunction", n=N, points=POINTS, model=f"hf:{folder}", batch=8, lr=3e-3,
                steps=4, eval_every=0, log_every=1, checkpoint_every=0)
    return TrainConfig(**{**base, **kw})


def base_weights(folder) -> dict[str, torch.Tensor]:
    """The decoder weights as saved in ``folder``, loaded independently of models.pretrained."""
    lm = transformers.AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    return {k: v.clone() for k, v in lm.base_model.state_dict().items()}


def trained_model(monkeypatch, config, out=None, **kw) -> tuple[InContextModel, dict]:
    """Train ``config`` with the normal loop :func:`models.train.train` and return the very
    model object it trained (caught where the loop builds it) and the summary."""
    built = []
    original = InContextModel.from_config.__func__

    def spy(cls, c):
        built.append(original(cls, c))
        return built[-1]

    monkeypatch.setattr(train_module.InContextModel, "from_config", classmethod(spy))
    summary = train(config, out, **kw)
    return built[-1], summary


def lm_params(model: InContextModel) -> dict[str, torch.nn.Parameter]:
    return dict(model.backbone.lm.named_parameters())


def test_config_takes_the_models_own_sizes(gpt2):
    c = cfg(gpt2)
    assert (c.width, c.layers, c.heads) == (16, 2, 2)
    assert (c.freeze, c.init) == ("all", "pretrained")
    assert c.model == f"hf:{gpt2.resolve()}"
    assert TrainConfig.from_dict(c.to_dict()) == c
    assert cfg(gpt2, width=16, layers=2, heads=2) == c  # the same sizes, given: accepted


def test_frozen_backbone_gets_no_gradient(gpt2):
    torch.manual_seed(0)
    model = InContextModel.from_config(cfg(gpt2))
    xs = torch.randint(0, 2, (4, POINTS, N))
    ys = torch.randint(0, 2, (4, POINTS))
    torch.nn.functional.binary_cross_entropy_with_logits(model(xs, ys), ys.float()).backward()
    for name, p in lm_params(model).items():
        assert not p.requires_grad and p.grad is None, name
    for part in (model.read_in, model.read_out):
        assert all(p.requires_grad and p.grad is not None for p in part.parameters())
        assert any(bool(p.grad.abs().sum() > 0) for p in part.parameters())


def test_training_leaves_the_frozen_backbone_bit_identical(gpt2, tmp_path, monkeypatch):
    config = cfg(gpt2, steps=5)
    torch.manual_seed(config.seed)
    before = InContextModel.from_config(config)
    model, summary = trained_model(monkeypatch, config, tmp_path / "run")
    assert summary["steps"] == 5
    saved = base_weights(gpt2)
    after = model.backbone.lm.state_dict()
    assert set(after) == set(saved)
    assert all(torch.equal(after[k], saved[k]) for k in saved)
    # ... while the read-in and read-out did train
    for part in ("read_in", "read_out"):
        old, new = getattr(before, part).state_dict(), getattr(model, part).state_dict()
        assert any(not torch.equal(old[k], new[k]) for k in old), part
    # the optimizer was handed the trainable tensors only
    state = torch.load(tmp_path / "run" / STATE, weights_only=True)
    assert len(state["optimizer"]["param_groups"][0]["params"]) == 8  # 2 MLPs x 2 Linears x 2


def test_all_but_ln_trains_exactly_the_layer_norms(gpt2, tmp_path, monkeypatch):
    config = cfg(gpt2, freeze="all-but-ln", steps=5)
    model, _ = trained_model(monkeypatch, config, tmp_path / "run")
    norms = {n for n, m in model.backbone.lm.named_modules()
             if isinstance(m, torch.nn.LayerNorm)}
    assert norms == {"h.0.ln_1", "h.0.ln_2", "h.1.ln_1", "h.1.ln_2", "ln_f"}
    saved = base_weights(gpt2)
    for name, p in lm_params(model).items():
        is_norm = name.rsplit(".", 1)[0] in norms
        assert p.requires_grad == is_norm, name
        assert torch.equal(p.detach(), saved[name]) != is_norm, name  # exactly norms moved
    with safe_open(str(tmp_path / "run" / WEIGHTS), "pt") as f:
        keys = set(f.keys())
    lm_keys = {k for k in keys if k.startswith("backbone.")}
    assert lm_keys == {f"backbone.lm.{n}.{w}" for n in norms for w in ("weight", "bias")}


def test_random_control_differs_only_in_its_weights(gpt2):
    torch.manual_seed(0)
    pre = InContextModel.from_config(cfg(gpt2))
    torch.manual_seed(0)
    rnd = InContextModel.from_config(cfg(gpt2, init="random"))
    torch.manual_seed(0)
    rnd_again = InContextModel.from_config(cfg(gpt2, init="random:0"))
    torch.manual_seed(0)
    rnd_other = InContextModel.from_config(cfg(gpt2, init="random:1"))
    a, b = pre.backbone.lm, rnd.backbone.lm
    assert a.config.to_dict() == b.config.to_dict()
    assert [type(m) for m in a.modules()] == [type(m) for m in b.modules()]
    pa, pb = dict(a.named_parameters()), dict(b.named_parameters())
    assert {k: v.shape for k, v in pa.items()} == {k: v.shape for k, v in pb.items()}
    assert all(not torch.equal(pa[k], pb[k]) for k in pa)  # every tensor drawn anew
    assert all(not p.requires_grad for p in pb.values())  # and frozen too
    assert pre.backbone.base_sha256 != rnd.backbone.base_sha256
    # the control is one fixed network per seed S, drawn without touching the caller's RNG
    assert rnd.backbone.base_sha256 == rnd_again.backbone.base_sha256
    assert rnd.backbone.base_sha256 != rnd_other.backbone.base_sha256
    ra, rb = pre.read_in.state_dict(), rnd.read_in.state_dict()
    assert all(torch.equal(ra[k], rb[k]) for k in ra)
    assert rnd.name.endswith("(random)")


def test_checkpoint_holds_only_trained_weights_and_the_base_record(gpt2, tmp_path):
    train(cfg(gpt2), tmp_path / "run")
    with safe_open(str(tmp_path / "run" / WEIGHTS), "pt") as f:
        keys, meta = set(f.keys()), f.metadata()
    assert keys == {f"{part}.{i}.{w}" for part in ("read_in", "read_out") for i in (0, 2)
                    for w in ("weight", "bias")}
    assert meta["base_model"] == str(gpt2.resolve())
    torch.manual_seed(0)
    model = InContextModel.from_config(cfg(gpt2))
    assert meta["base_sha256"] == model.backbone.base_sha256
    assert len(meta["base_sha256"]) == 64
    loaded, _ = load_model(tmp_path / "run")  # rebuilt from the base folder + the file
    assert set(loaded.state_dict()) == keys


def test_a_changed_base_model_is_refused(tmp_path):
    base = tmp_path / "base"
    save_tiny_gpt2(base, seed=0)
    train(cfg(base), tmp_path / "run")
    load_model(tmp_path / "run")  # fine as it is
    lm = transformers.AutoModelForCausalLM.from_pretrained(base, local_files_only=True)
    with torch.no_grad():
        lm.transformer.h[1].mlp.c_fc.weight[0, 0] += 1e-3  # one weight of the base changes
    lm.save_pretrained(base)
    with pytest.raises(ValueError, match="base model .* weights changed"):
        load_model(tmp_path / "run")
    with pytest.raises(ValueError, match="base model"):  # nor does the run resume on it
        train(cfg(base, steps=6), tmp_path / "run")


def test_resume_after_a_kill_continues_the_same_run(gpt2, tmp_path):
    config = cfg(gpt2, freeze="all-but-ln", steps=6, checkpoint_every=2)
    full = train(config, tmp_path / "full")
    first = train(config, tmp_path / "killed", stop_after=3)  # as if killed after step 3
    assert first["stopped"] == "stop_after"
    rest = train(config, tmp_path / "killed")
    assert rest["resumed_from"] == 3 and rest["steps"] == 6
    (a, _), (b, _) = load_model(tmp_path / "full"), load_model(tmp_path / "killed")
    wa, wb = a.state_dict(), b.state_dict()
    assert set(wa) == set(wb) and all(torch.equal(wa[k], wb[k]) for k in wa)
    assert full["losses"][3:] == rest["losses"]
    assert ((tmp_path / "full" / "metrics.jsonl").read_text()
            == (tmp_path / "killed" / "metrics.jsonl").read_text())


@settings(max_examples=15, deadline=None)
@given(st.integers(0, POINTS - 2), st.integers(0, 2**31 - 1))
def test_a_prediction_does_not_see_later_examples(gpt2, i, seed):
    """Causality through the language model: logits 0..i do not change when the examples
    after x_i (and y_i) change."""
    torch.manual_seed(0)
    model = _causal_model(gpt2).eval()
    g = torch.Generator().manual_seed(seed)
    xs = torch.randint(0, 2, (2, POINTS, N), generator=g)
    ys = torch.randint(0, 2, (2, POINTS), generator=g)
    xs2, ys2 = xs.clone(), ys.clone()
    xs2[:, i + 1 :] = torch.randint(0, 2, xs2[:, i + 1 :].shape, generator=g)
    ys2[:, i:] = 1 - ys2[:, i:]
    with torch.no_grad():
        a, b = model(xs, ys), model(xs2, ys2)
    assert torch.equal(a[:, : i + 1], b[:, : i + 1])
    assert not torch.allclose(a[:, i + 1 :], b[:, i + 1 :])


_CAUSAL: dict[str, InContextModel] = {}


def _causal_model(folder) -> InContextModel:
    if str(folder) not in _CAUSAL:
        _CAUSAL[str(folder)] = InContextModel.from_config(cfg(folder))
    return _CAUSAL[str(folder)]


def test_cli_trains_and_evaluates_a_frozen_gpt2(gpt2, tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["train", "conjunction", "--n", str(N), "--points", str(POINTS), "--model",
            f"hf:{gpt2}", "--freeze", "all", "--steps", "4", "--batch", "8", "--eval-every",
            "0", "--out", str(run), "--no-progress", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["steps"] == 4 and summary["config"]["width"] == 16
    assert summary["config"]["freeze"] == "all"
    assert main(["eval", str(run), "--prompts", "40", "--bootstrap", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["per_position"]) == POINTS
    assert 0.0 <= result["mean"] <= 1.0
    assert main(argv) == 0  # a finished run: resumed at its last step, nothing to do
    assert json.loads(capsys.readouterr().out)["final_loss"] is None


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--model", "hf:{missing}"], "--model"),
        (["--model", "hf:{empty}"], "--model"),
        (["--model", "hf:{gpt2}", "--width", "32"], "--width must be 16"),
        (["--model", "hf:{gpt2}", "--layers", "3"], "--layers must be 2"),
        (["--model", "hf:{gpt2}", "--freeze", "none"], "--freeze must be 'all' or"),
        (["--model", "hf:{gpt2}", "--freeze", "some"], "--freeze must be one of"),
        (["--model", "hf:{gpt2}", "--init", "random:x"], "--init must be"),
        (["--model", "hf:{gpt2}", "--points", "40"], "--points must be at most 32"),
        (["--model", "hf:{gpt2}", "--dropout", "0.1"], "--dropout must be 0"),
        (["--freeze", "all"], "--freeze must be 'none' for the transformer"),
        (["--init", "random"], "--init must be 'pretrained' for the transformer"),
    ],
)
def test_cli_bad_input_names_the_option(gpt2, tmp_path, capsys, extra, needle):
    (tmp_path / "empty").mkdir()
    paths = {"missing": tmp_path / "nowhere", "empty": tmp_path / "empty", "gpt2": gpt2}
    extra = [e.format(**paths) for e in extra]
    argv = ["train", "conjunction", "--n", str(N), "--steps", "1", "--out",
            str(tmp_path / "run"), "--no-progress", *extra]
    if "--points" not in extra:
        argv += ["--points", str(POINTS)]
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert needle in err, err
    assert not (tmp_path / "run" / WEIGHTS).exists()


def test_not_a_causal_lm_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # belt and braces: loads are local_files_only
    (tmp_path / "t5").mkdir()
    transformers.T5Config(d_model=16, num_layers=1, num_heads=2).save_pretrained(tmp_path / "t5")
    with pytest.raises(ValueError, match=r"^model .*not a causal language model"):
        cfg(tmp_path / "t5")
    with pytest.raises(ValueError, match=r"^model .*: no folder "):
        cfg(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"^model .*no Hugging Face causal language model in "
                       "the folder"):
        cfg(tmp_path / "empty")
    with pytest.raises(ValueError, match=r"^model .*no Hugging Face causal language model in "
                       "the folder or cached model"):
        cfg("no-such-model-in-any-cache-xyz")
    with pytest.raises(ValueError, match=r"^model must be hf:PATH"):
        cfg("")


def test_without_transformers_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)  # import transformers fails
    with pytest.raises(ValueError, match=r"pip install -e '\.\[llm\]'"):
        import_transformers()


def test_parse_init():
    assert parse_init("pretrained") is None
    assert parse_init("random") == 0 and parse_init("random:7") == 7
    for bad in ("", "random:", "random:-1", "Random", 3, None):
        with pytest.raises(ValueError, match="^init must be"):
            parse_init(bad)


def test_backbone_refuses_an_unfrozen_pretrained_model(gpt2):
    with pytest.raises(ValueError, match="^freeze must be 'all' or 'all-but-ln'"):
        PretrainedBackbone(f"hf:{gpt2}", "none", "pretrained", 24)
    with pytest.raises(ValueError, match="^points must be at most 32"):
        PretrainedBackbone(f"hf:{gpt2}", "all", "pretrained", 66)


def test_compare_plans_and_reuses_pretrained_runs(gpt2, tmp_path):
    models = [f"hf:{gpt2}", Arm(f"hf:{gpt2}", (("init", "random"),), "random control")]
    kw = dict(learners=["null"], seeds=2, runs=tmp_path / "runs", steps=3,
              sizes={"conjunction": (N, POINTS)})
    plan = plan_compare(["conjunction"], models, **kw)
    configs = plan.configs[("conjunction", "random control")]
    assert [(c.width, c.layers, c.init, c.seed) for c in configs] == [(16, 2, "random", 0),
                                                                     (16, 2, "random", 1)]
    outs = plan.outs[("conjunction", "random control")]
    summaries = train_stack(configs, outs)  # what compare's executor runs: one by one here
    assert [s["steps"] for s in summaries] == [3, 3] and all(s["stack"] == 1 for s in summaries)
    (m0, _), (m1, _) = load_model(outs[0]), load_model(outs[1])
    assert m0.backbone.base_sha256 == m1.backbone.base_sha256  # one frozen control network
    assert not torch.equal(m0.read_in[0].weight, m1.read_in[0].weight)  # seeds differ
    again = plan_compare(["conjunction"], models, **kw)  # the trained runs match the plan
    assert again.outs == plan.outs
    with pytest.raises(ValueError, match="^runs: cannot resume .* lr"):  # another run does not
        plan_compare(["conjunction"], models, **kw, overrides={"lr": 0.01})
    assert np.isfinite(summaries[0]["final_loss"])
