"""models.attention and models.attention_scores: recorded attention is what the forward pass
applies (rows sum to 1, causal, outputs unchanged by recording); the scores are 1 on models
built to attend to the target by design, near chance on random ones; a tiny Hugging Face GPT-2
(built from a config, saved and loaded back, never downloaded) gives layers x heads scores."""

from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun.samplers import sample_prompts
from models.attention import (
    attention_modules,
    chance_level,
    heads_above,
    induction_score,
    nearest_indices,
    nearest_neighbour_score,
    normalise_rows,
    record_attention,
)
from models.attention_scores import hf_attention_scores, model_attention_scores
from models.wrapper import InContextModel

BACKBONES = ("transformer", "retnet")


def small(model: str, seed: int = 0, **kw) -> InContextModel:
    torch.manual_seed(seed)
    settings = {**dict(n=5, model=model, width=16, layers=2, heads=2, points=12), **kw}
    return InContextModel(**settings).eval()


def prompts(n: int, points: int, count: int = 3, seed: int = 0):
    p = sample_prompts("nearest_neighbour", count, points, n, seed=seed, start=points // 2)
    return p.xs, p.ys


# --- recording -----------------------------------------------------------------------------


@pytest.mark.parametrize("model", BACKBONES)
def test_recording_leaves_the_forward_pass_bit_identical(model):
    m = small(model)
    xs, ys = prompts(5, 12)
    with torch.no_grad():
        plain = m(xs, ys)
        with record_attention(m.backbone) as rec:
            recorded = m(xs, ys)
        after = m(xs, ys)
    assert torch.equal(plain, recorded) and torch.equal(plain, after)
    assert len(rec) == 2 and rec[0].shape == (3, 2, 24, 24)
    assert all(not mod._forward_hooks for mod in attention_modules(m.backbone))


@settings(max_examples=12)
@given(
    model=st.sampled_from(BACKBONES),
    seed=st.integers(0, 2**16),
    heads=st.sampled_from([1, 2, 4]),
    points=st.integers(2, 10),
)
def test_recorded_rows_sum_to_one_and_are_causal(model, seed, heads, points):
    m = small(model, seed, heads=heads, points=points)
    xs, ys = prompts(5, points, 2, seed)
    with torch.no_grad(), record_attention(m.backbone) as rec:
        m(xs, ys)
    L = 2 * points
    future = torch.ones(L, L, dtype=torch.bool).triu(1)
    for a in rec:
        assert a.shape == (2, heads, L, L)
        assert bool((a >= 0).all())
        assert bool((a[..., future] == 0).all())
        torch.testing.assert_close(a.sum(-1), torch.ones(2, heads, L), atol=1e-5, rtol=0)


def test_transformer_weights_are_those_the_forward_applies():
    """``A V`` with the recorded probabilities equals scaled_dot_product_attention's output."""
    torch.manual_seed(1)
    attn = small("transformer").backbone.blocks[0].attn
    x = torch.randn(3, 7, 16)
    q, k, v = (t.view(3, 7, 2, 8).transpose(1, 2) for t in attn.c_attn(x).split(16, dim=2))
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(attn.attention_weights(x) @ v, expected, atol=1e-6, rtol=1e-5)


def test_retnet_weights_are_those_the_forward_applies():
    """The retention matrix times ``V`` is the recurrent form's output before the GroupNorm."""
    torch.manual_seed(2)
    msr = small("retnet").backbone.blocks[0].msr
    x = torch.randn(2, 9, 16)
    q, k, v = msr._qkv(x)
    gamma = msr.log_gamma_H.exp()[:, None, None]
    state = torch.zeros(2, 2, 8, 8)
    outs = []
    for t in range(9):
        state = gamma * state + k[:, :, t, :, None] * v[:, :, t, None, :]
        outs.append((q[:, :, t, None, :] @ state).squeeze(-2))
    torch.testing.assert_close(
        msr.retention_weights(x) @ v, torch.stack(outs, 2), atol=1e-5, rtol=1e-4
    )


def test_normalise_rows_makes_a_zero_row_uniform():
    w = torch.zeros(1, 1, 3, 3)
    w[0, 0, 2, 0] = -0.0  # still zero
    w[0, 0, 1] = torch.tensor([2.0, 6.0, 5.0])  # the 5 is above the diagonal: dropped
    a = normalise_rows(w)
    assert a[0, 0, 0].tolist() == [1.0, 0.0, 0.0]
    assert a[0, 0, 1].tolist() == [0.25, 0.75, 0.0]
    torch.testing.assert_close(a[0, 0, 2], torch.full((3,), 1 / 3))


def test_a_backbone_without_attention_is_refused():
    with pytest.raises(ValueError, match="retnet, transformer"):
        model_attention_scores(small("lstm"))
    with pytest.raises(ValueError, match="no attention layers"):
        attention_modules(small("lstm").backbone)


# --- the scores on given attention -----------------------------------------------------------


def causal_uniform(B: int, H: int, L: int) -> torch.Tensor:
    return normalise_rows(torch.ones(B, H, L, L))


@given(period=st.integers(1, 12), extra=st.integers(0, 12))
def test_induction_score_is_one_on_its_targets_and_chance_when_uniform(period, extra):
    L = period + 1 + min(extra, period - 1)
    a = torch.zeros(2, 1, L, L)
    a[:, :, torch.arange(L), torch.arange(L)] = 1.0
    t = torch.arange(period, L)
    a[:, :, t] = 0.0
    a[:, :, t, t - period + 1] = 1.0
    assert induction_score(a, period).tolist() == [1.0]
    chance = chance_level(t)
    assert chance == pytest.approx(sum(1 / (s + 1) for s in range(period, L)) / len(t))
    assert induction_score(causal_uniform(2, 3, L), period).tolist() == pytest.approx([chance] * 3)


@given(seed=st.integers(0, 2**16), n=st.integers(1, 8), points=st.integers(2, 16))
def test_nearest_indices_follow_the_tasks_label_rule(seed, n, points):
    """On nearest_neighbour prompts every label from ``start`` on is its nearest's label, and
    ``j(i)`` is the earliest of the earlier points at the least Hamming distance."""
    start = max(1, points // 2)
    p = sample_prompts("nearest_neighbour", 4, points, n, seed=seed, start=start)
    j = nearest_indices(p.xs)
    i = torch.arange(start, points)
    assert torch.equal(p.ys[:, i], p.ys.gather(1, j[:, i]))
    for b in range(4):
        for q in range(1, points):
            dist = (p.xs[b, :q] != p.xs[b, q]).sum(-1)
            assert int(j[b, q]) == int(torch.nonzero(dist == dist.min())[0])


@given(seed=st.integers(0, 2**16), start=st.integers(1, 9))
def test_nearest_neighbour_score_is_one_on_its_targets_and_chance_when_uniform(seed, start):
    xs, _ = prompts(4, 10, 3, seed)
    query, label = 2 * torch.arange(10), 2 * torch.arange(10) + 1
    j = nearest_indices(xs)
    a = causal_uniform(3, 2, 20).clone()
    for b in range(3):
        for i in range(start, 10):
            a[b, :, query[i]] = 0.0
            a[b, :, query[i], label[j[b, i]]] = 1.0
    assert nearest_neighbour_score(a, xs, start, query, label).tolist() == [1.0, 1.0]
    chance = chance_level(query[start:])
    assert chance == pytest.approx(sum(1 / (2 * i + 1) for i in range(start, 10)) / (10 - start))
    uniform = nearest_neighbour_score(causal_uniform(3, 2, 20), xs, start, query, label)
    assert uniform.tolist() == pytest.approx([chance, chance])


def test_heads_above_lists_the_heads_at_or_over_the_threshold_best_first():
    found = heads_above([[0.1, 0.5], [0.9, 0.5]], 0.5)
    assert found == [
        {"layer": 1, "head": 0, "score": 0.9},
        {"layer": 0, "head": 1, "score": 0.5},
        {"layer": 1, "head": 1, "score": 0.5},
    ]
    assert heads_above([[0.1]], 0.2) == []


# --- models built to attend to the target --------------------------------------------------


def hadamard(size: int) -> torch.Tensor:
    """Sylvester's Hadamard matrix: rows 1.. are ±1, mean 0, variance 1, orthogonal (so
    LayerNorm leaves them as they are, up to its eps)."""
    h = torch.ones(1, 1)
    while h.shape[0] < size:
        h = torch.cat([torch.cat([h, h], 1), torch.cat([h, -h], 1)], 0)
    return h


def zeroed(n: int, width: int, layers: int, points: int) -> InContextModel:
    m = InContextModel(n=n, model="transformer", width=width, layers=layers, heads=1,
                       points=points)
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
        for block in m.backbone.blocks:
            block.ln_1.weight.fill_(1)
            block.ln_2.weight.fill_(1)
        m.backbone.ln_f.weight.fill_(1)
    return m.eval()


def induction_by_design(points: int = 15) -> InContextModel:
    """One layer, one head, width 64: position ``t`` is Hadamard row ``t + 1`` (the tokens are
    read in with zero weights), keys are the positions and the query at ``t >= T`` is ``c``
    times the position ``t - T + 1``, ``T = 4 (points // 2) / 2`` the token period of the
    repeated block: the logit of the target is ``c * 64 / 8 = 40`` above every other."""
    m = zeroed(4, 64, 1, points)
    period = 2 * (points // 2)
    rows = hadamard(64)[1 : 2 * points + 1]
    with torch.no_grad():
        m.backbone.wpe.weight[:] = rows
        qk = m.backbone.blocks[0].attn.c_attn.weight
        qk[:64] = 5.0 * sum(
            torch.outer(rows[t - period + 1], rows[t]) for t in range(period, 2 * period)
        ) / 64
        qk[64:128] = torch.eye(64)
    return m


def nearest_by_design(n: int = 6, points: int = 20, earliest: bool = True) -> InContextModel:
    """Two layers, one head each. The residual stream holds ``[x', -x']`` (the token: ``x'``
    or the label token, so that every LayerNorm sees mean 0), a copy slot, Hadamard positions,
    ``±parity`` of the position and ``±0.01 t / L``. Layer 1 is a previous-token head (query
    ``8 x`` the previous position's Hadamard row) that copies each token into the copy slot,
    so the label token ``y_j`` carries ``x'_j``. Layer 2 queries with ``x'_i`` against the
    copies (logit gap ~ 290 per unit of dot product), a bias of ~ 4000 for odd (label)
    positions, and a penalty of 10 per example on later positions (ties: the earliest, as the
    task; ``earliest=False`` reverses it: ties go to the latest)."""
    L, D = 2 * points, 4 * n + 68
    m = zeroed(n, D, 2, points)
    A, P, E = slice(0, 2 * n), slice(4 * n, 4 * n + 64), 4 * n + 64
    rows = hadamard(64)[1 : L + 1]
    t = torch.arange(L)
    with torch.no_grad():
        m.read_in.weight[:n] = torch.eye(n)
        m.read_in.weight[n : 2 * n] = -torch.eye(n)
        wpe = m.backbone.wpe.weight
        wpe[:L, P] = rows
        parity = (t % 2).float() * 2 - 1
        wpe[:L, E], wpe[:L, E + 1] = parity, -parity
        ramp = 0.01 * t.float() / L
        wpe[:L, E + 2], wpe[:L, E + 3] = ramp, -ramp
        w1 = m.backbone.blocks[0].attn.c_attn.weight
        w1[4 * n : 4 * n + 64, P] = 8.0 * sum(
            torch.outer(rows[s - 1], rows[s]) for s in range(1, L)
        ) / 64
        w1[D + 4 * n : D + 4 * n + 64, P] = torch.eye(64)
        w1[2 * D + 2 * n : 2 * D + 4 * n, A] = torch.eye(2 * n)
        m.backbone.blocks[0].attn.c_proj.weight[:] = torch.eye(D)
        w2 = m.backbone.blocks[1].attn.c_attn.weight
        b2 = m.backbone.blocks[1].attn.c_attn.bias
        w2[0:n, 0:n] = 1400.0 * torch.eye(n)
        b2[n], b2[n + 1] = 1.0, 1.0
        w2[D : D + n, 2 * n : 3 * n] = torch.eye(n)
        w2[D + n, E] = 40000.0
        w2[D + n + 1, E + 2] = (-1 if earliest else 1) * 5.0 * math.sqrt(D) * L / 0.01
    return m


def test_induction_score_is_one_on_a_model_built_to_copy():
    r = model_attention_scores(induction_by_design(), task="conjunction", prompts=8)
    assert r["layers"] == 1 and r["heads"] == 1 and r["period"] == 14
    assert r["induction"][0][0] >= 0.99
    assert r["nearest_neighbour"][0][0] < 0.5  # a positional head is no nearest-neighbour head
    assert r["heads_above_threshold"]["induction"] == [
        {"layer": 0, "head": 0, "score": r["induction"][0][0]}
    ]


def test_nearest_neighbour_score_is_one_on_a_model_built_to_attend_to_the_nearest():
    r = model_attention_scores(nearest_by_design(), prompts=16)
    assert r["nearest_neighbour"][1][0] >= 0.99
    assert r["nearest_neighbour"][0][0] < 0.2  # layer 1 looks at the previous token
    assert [(h["layer"], h["head"]) for h in r["heads_above_threshold"]["nearest_neighbour"]] == [
        (1, 0)
    ]
    # the same head with ties broken towards the latest point misses the task's rule
    assert model_attention_scores(
        nearest_by_design(earliest=False), prompts=16
    )["nearest_neighbour"][1][0] < 0.95


def test_a_random_transformer_is_near_chance():
    """At GPT-2 initialisation (std 0.02, width 32, d_head 8) every logit is about
    ``N(0, 0.013^2)`` after the LayerNorm, so each weight is within ``e^{±0.1}`` of uniform:
    the scores are within 10% of chance."""
    torch.manual_seed(0)
    m = InContextModel(n=8, model="transformer", width=32, layers=2, heads=4, points=30)
    r = model_attention_scores(m, prompts=16)
    for key in ("induction", "nearest_neighbour"):
        chance = r["chance"][key]
        assert chance == pytest.approx(
            chance_level(torch.arange(30, 60)) if key == "induction"
            else chance_level(2 * torch.arange(15, 30)),
            abs=1e-6,  # the result rounds to 6 decimals
        )
        for row in r[key]:
            for v in row:
                assert abs(v / chance - 1) < 0.1
        assert r["heads_above_threshold"][key] == []


def test_a_random_retnet_is_far_from_copying():
    """Normalised retention decays by at least ``gamma = 1 - 2^-5`` per position, so at most
    a factor ``1 / sum_d gamma^d <= 2`` over uniform at these lengths beyond the random
    ``|q . k|``: no head gets near a copying head's 1."""
    torch.manual_seed(0)
    m = InContextModel(n=8, model="retnet", width=32, layers=2, heads=4, points=30)
    r = model_attention_scores(m, prompts=16)
    for key in ("induction", "nearest_neighbour"):
        assert all(0 <= v < 5 * r["chance"][key] for row in r[key] for v in row)


def test_scores_are_reproducible_and_json_ready():
    a = model_attention_scores(small("retnet"), prompts=4, seed=3)
    b = model_attention_scores(small("retnet"), prompts=4, seed=3)
    assert a == b
    assert json.loads(json.dumps(a)) == a
    assert a["start"] == 6 and a["block"] == 6 and a["weights"].startswith("retention")


@pytest.mark.parametrize(
    "kw, needle",
    [
        (dict(task="gru"), "task must be one of"),
        (dict(threshold=1.5), "threshold must be a number in"),
        (dict(block=7), "block must be an integer in"),
        (dict(start=12), "start must be an integer in"),
        (dict(prompts=0), "prompts must be"),
        (dict(device="gpu"), "device"),
    ],
)
def test_bad_arguments_name_the_parameter(kw, needle):
    with pytest.raises(ValueError, match=needle):
        model_attention_scores(small("transformer"), **kw)


# --- Hugging Face ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory):
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        n_layer=2, n_head=2, n_embd=16, n_positions=96, vocab_size=40,
        bos_token_id=0, eos_token_id=0,
    )
    folder = tmp_path_factory.mktemp("gpt2")
    transformers.GPT2LMHeadModel(config).save_pretrained(folder)
    return folder


def test_a_tiny_gpt2_gives_layers_by_heads_scores_in_0_1(tiny_gpt2):
    r = hf_attention_scores(tiny_gpt2, prompts=3)
    assert (r["layers"], r["heads"]) == (2, 2)
    assert r["points"] == 96 // 12 and r["block"] == 48
    assert r["token_ids"] == {"0": 0, "1": 1, ":": 2}  # no tokenizer files: ids 0, 1, 2
    for key in ("induction", "nearest_neighbour"):
        assert len(r[key]) == 2 and all(len(row) == 2 for row in r[key])
        assert all(0.0 <= v <= 1.0 for row in r[key] for v in row)
        # GPT-2's initialisation (std 0.02) leaves its attention near uniform
        assert all(abs(v / r["chance"][key] - 1) < 0.2 for row in r[key] for v in row)


def test_hf_scores_use_the_models_own_attention(tiny_gpt2):
    """The attention the scores read is the model's ``output_attentions``: rows sum to 1."""
    from models.attention_scores import load_hf_model

    model, _ = load_hf_model(tiny_gpt2, torch.device("cpu"))
    out = model(input_ids=torch.randint(40, (1, 10)), output_attentions=True)
    for a in out.attentions:
        torch.testing.assert_close(a.sum(-1), torch.ones(1, 2, 10))


def test_hf_bad_folders_are_refused(tmp_path, tiny_gpt2):
    with pytest.raises(ValueError, match="is not a folder"):
        hf_attention_scores(tmp_path / "missing")
    with pytest.raises(ValueError, match="no config.json"):
        hf_attention_scores(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "no-such-model"}))
    with pytest.raises(ValueError, match="no loadable causal LM"):
        hf_attention_scores(tmp_path)
    with pytest.raises(ValueError, match="points must be an integer in"):
        hf_attention_scores(tiny_gpt2, points=9)
    with pytest.raises(ValueError, match="block must be an integer in"):
        hf_attention_scores(tiny_gpt2, block=49)


def test_a_frozen_lm_run_is_scored_on_its_own_read_in_and_exactly_at_chance_when_uniform(
    tiny_gpt2,
):
    """A run of the frozen pretrained backbone is scored through its read-in and the LM's own
    heads: with the query/key maps of every layer zeroed, each head attends uniformly, so both
    scores equal their chance levels exactly; the model's normal (sdpa) forward is unchanged
    by scoring."""
    model = InContextModel(
        n=4, model=f"hf:{tiny_gpt2}", points=12, freeze="all",
        width=16, layers=2, heads=2,
    )
    lm = model.backbone.lm
    d = lm.config.n_embd
    with torch.no_grad():
        for block in lm.h:  # c_attn maps to (q, k, v): zero q and k
            block.attn.c_attn.weight[:, : 2 * d] = 0
            block.attn.c_attn.bias[: 2 * d] = 0
    xs = torch.randint(0, 2, (3, 12, 4))
    ys = torch.randint(0, 2, (3, 12))
    before = model(xs, ys)
    r = model_attention_scores(model, prompts=4, start=4, block=6)
    assert (r["layers"], r["heads"]) == (2, 2)
    for key in ("induction", "nearest_neighbour"):
        assert all(v == pytest.approx(r["chance"][key], abs=1e-5) for row in r[key] for v in row)
    assert torch.equal(model(xs, ys), before)
