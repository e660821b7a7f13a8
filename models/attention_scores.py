"""Induction and nearest-neighbour scores of every attention head of a model, ours (an
:class:`~models.wrapper.InContextModel` with a transformer or retnet backbone) or a Hugging
Face causal LM (the definitions: :mod:`models.attention`).

Prompts. Our models read the interleaved tokens ``x_0, y_0, x_1, y_1, ...`` of
:meth:`~models.wrapper.InContextModel.tokens`:

* induction: ``block`` examples of ``task`` (default ``points // 2``), repeated once, so the
  token sequence (``4 block`` tokens) has period ``T = 2 block``;
* nearest neighbour: prompts of ``task`` with the model's ``n`` and ``points``; the query of
  example ``i`` is its ``x`` token (position ``2i``), the label of ``j`` its ``y`` token
  (``2j + 1``); queries from ``start`` on (default ``min(task start or 30, points // 2)``;
  on the nearest_neighbour task the prompts' own ``start`` is set to it, so that from there
  every label copies that of the nearest earlier point).

A Hugging Face LM reads token ids:

* induction: ``block`` uniform random ids of its vocabulary (default ``min(64, positions //
  2)``), repeated once (period ``T = block``);
* nearest neighbour: example ``i`` is the ``n + 2`` ids ``b_1 ... b_n : y`` (the ids of
  ``"0"``, ``"1"`` and ``":"`` when the folder's tokenizer makes each one token, else ids 0,
  1 and 2): its query is the ``:`` (the position that predicts ``y_i``), its label the last
  id; ``points`` defaults to the task's, cut to fit the model's positions.

Randomness: one ``torch.Generator`` seeded with ``seed`` draws the nearest-neighbour prompts
and then the induction blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn

from boolfun.bits import check_int
from boolfun.devices import resolve_device
from boolfun.samplers import sample_prompts
from boolfun.tasks import get_task
from models.attention import (
    ATTENTION_MODULES,
    attention_modules,
    chance_level,
    heads_above,
    induction_score,
    nearest_neighbour_score,
    record_attention,
)
from models.backbones import ATTENTION_BACKBONES
from models.pretrained import is_pretrained
from models.wrapper import InContextModel

DEFAULT_THRESHOLD = 0.3
"""Heads scoring at least this are listed (chance is ``1 / (t + 1)``, a few per cent)."""
DEFAULT_START = 30  # the nearest_neighbour task's default start
HF_WEIGHTS = "softmax attention probabilities (eager attention, output_attentions)"
CHUNK_BYTES = 2**28  # recorded attention per forward pass, at most (about)

Forward = Callable[[slice], list[torch.Tensor]]


def _check_threshold(threshold: float) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold!r}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold!r}")
    return float(threshold)


def _start(task: str, start: int | None, points: int) -> int:
    if points < 2:
        raise ValueError(f"points must be at least 2 for nearest-neighbour queries, got {points}")
    if start is None:
        start = min(get_task(task).params.get("start", DEFAULT_START), points // 2)
    return check_int(start, "start", 1, points - 1)


def _chunk(layers: int, heads: int, length: int, prompts: int) -> int:
    """Prompts per forward pass so that the recorded float32 weights stay under
    :data:`CHUNK_BYTES`."""
    per_prompt = 4 * layers * heads * length * length
    return max(1, min(prompts, CHUNK_BYTES // max(per_prompt, 1)))


def _mean_scores(
    forward: Forward, prompts: int, chunk: int, score: Callable[[torch.Tensor, slice], Any]
) -> list[list[float]]:
    """``LxH`` mean over all prompts of ``score(a_BxHxLxL, rows)`` for each recorded layer."""
    total: torch.Tensor | None = None
    for lo in range(0, prompts, chunk):
        rows = slice(lo, min(prompts, lo + chunk))
        layers = forward(rows)
        part = torch.stack([score(a, rows) for a in layers]) * (rows.stop - rows.start)
        total = part if total is None else total + part
    assert total is not None
    return [[round(float(v), 6) for v in row] for row in (total / prompts).cpu()]


def _result(
    induction: list[list[float]],
    nearest: list[list[float]],
    chance: dict[str, float],
    threshold: float,
    **settings: Any,
) -> dict[str, Any]:
    return {
        **settings,
        "layers": len(induction),
        "heads": len(induction[0]) if induction else 0,
        "threshold": threshold,
        "induction": induction,
        "nearest_neighbour": nearest,
        "chance": {k: round(v, 6) for k, v in chance.items()},
        "heads_above_threshold": {
            "induction": heads_above(induction, threshold),
            "nearest_neighbour": heads_above(nearest, threshold),
        },
    }


def _scores(
    induction_run: Forward, nearest_run: Forward, nn_xs: torch.Tensor, query_P: torch.Tensor,
    *, layers: int, heads: int, nn_length: int, threshold: float, **settings: Any,
) -> dict[str, Any]:
    """Both scores of every head and their chance levels, as :func:`_result`: induction on
    the repeated block (``period`` tokens, repeated once: ``2 * period`` long) and nearest
    neighbour at the query positions ``query_P`` (label token ``query_P + 1``) of prompts
    ``nn_length`` tokens long; the recorded forwards run in chunks that fit in memory.
    ``settings`` (recorded in the result) give ``prompts``, ``period`` and ``start``."""
    prompts, period, start = settings["prompts"], settings["period"], settings["start"]
    induction = _mean_scores(
        induction_run, prompts, _chunk(layers, heads, 2 * period, prompts),
        lambda a, rows: induction_score(a, period),
    )
    nearest = _mean_scores(
        nearest_run, prompts, _chunk(layers, heads, nn_length, prompts),
        lambda a, rows: nearest_neighbour_score(a, nn_xs[rows], start, query_P, query_P + 1),
    )
    chance = {
        "induction": chance_level(torch.arange(period, 2 * period)),
        "nearest_neighbour": chance_level(query_P[start:]),
    }
    return _result(induction, nearest, chance, threshold, **settings)


def model_attention_scores(
    model: InContextModel,
    *,
    task: str = "nearest_neighbour",
    prompts: int = 64,
    seed: int = 0,
    start: int | None = None,
    block: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    """Induction and nearest-neighbour scores (``layers x heads`` lists) of ``model``, with
    their chance levels and the heads at or above ``threshold`` (module docstring), from
    ``prompts`` prompts of each kind. ``model`` is moved to ``device`` and left in eval mode.

    The result also records the settings (``task``, ``n``, ``points``, ``start``, ``block``,
    ``period``, ``prompts``, ``seed``, ``backbone``, ``weights``: what a head's weights are)."""
    backbone = model.config["model"]
    pretrained = is_pretrained(backbone)
    if not pretrained and backbone not in ATTENTION_BACKBONES:
        raise ValueError(
            f"backbone {backbone!r} has no attention heads: attention scores need one of "
            f"{', '.join(sorted(ATTENTION_BACKBONES))}"
        )
    get_task(task)
    prompts = check_int(prompts, "prompts", 1)
    seed = check_int(seed, "seed", 0, 2**64 - 1)
    threshold = _check_threshold(threshold)
    points, n = model.points, model.n
    start = _start(task, start, points)
    block = check_int(points // 2 if block is None else block, "block", 1, points // 2)
    dev = resolve_device(device)
    model = model.to(dev).eval()
    gen = torch.Generator(device=dev).manual_seed(seed)
    params = {"start": start} if "start" in get_task(task).params else {}
    nn_p = sample_prompts(task, prompts, points, n, generator=gen, device=dev, **params)
    ind_p = sample_prompts(task, prompts, block, n, generator=gen, device=dev, **params)
    ind_xs, ind_ys = torch.cat([ind_p.xs, ind_p.xs], 1), torch.cat([ind_p.ys, ind_p.ys], 1)
    heads = model.config["heads"]
    if pretrained:
        layers, weights = model.config["layers"], HF_WEIGHTS
        forward = _pretrained_forward(model)
    else:
        mods = attention_modules(model.backbone)
        layers, weights = len(mods), ATTENTION_MODULES[type(mods[0])]

        def forward(xs: torch.Tensor, ys: torch.Tensor) -> Forward:
            def run(rows: slice) -> list[torch.Tensor]:
                with torch.no_grad(), record_attention(model.backbone) as rec:
                    model(xs[rows], ys[rows])
                return rec

            return run

    period = 2 * block
    return _scores(
        forward(ind_xs, ind_ys),
        forward(nn_p.xs, nn_p.ys),
        nn_p.xs,
        2 * torch.arange(points),
        layers=layers,
        heads=heads,
        nn_length=2 * points,
        threshold=threshold,
        source="run",
        backbone=backbone,
        weights=weights,
        task=task,
        n=n,
        points=points,
        start=start,
        block=block,
        period=period,
        prompts=prompts,
        seed=seed,
    )


def _pretrained_forward(model: InContextModel) -> Callable[..., Forward]:
    """For a run of the frozen pretrained backbone (:mod:`models.pretrained`): the attention
    probabilities of its language model on the run's own read-in of the interleaved tokens
    (the eager attention implementation, switched to for the call and back)."""
    lm = model.backbone.lm

    def forward(xs: torch.Tensor, ys: torch.Tensor) -> Forward:
        def run(rows: slice) -> list[torch.Tensor]:
            h = model.read_in(model.tokens(xs[rows], ys[rows]))
            with torch.no_grad(), _eager(lm):
                out = lm(inputs_embeds=h, output_attentions=True, use_cache=False)
            att = getattr(out, "attentions", None)
            if not att:
                raise ValueError(f"model {model.config['model']!r} returns no attention weights")
            return [a.float() for a in att]

        return run

    return forward


@contextmanager
def _eager(lm: nn.Module) -> Iterator[None]:
    """``lm`` with the eager attention implementation (the one that returns its weights)."""
    config = lm.config
    before = getattr(config, "_attn_implementation", None)
    setter = getattr(lm, "set_attn_implementation", None)
    try:
        if setter is not None:
            setter("eager")
        else:  # pragma: no cover - older transformers
            config._attn_implementation = "eager"
        yield
    finally:
        if before is not None and before != "eager":
            if setter is not None:
                setter(before)
            else:  # pragma: no cover
                config._attn_implementation = before


def load_hf_model(path: str | Path, device: torch.device) -> tuple[nn.Module, Any]:
    """The causal LM in the local folder ``path`` (``local_files_only``: nothing is ever
    downloaded) with eager attention, in eval mode on ``device``, and its tokenizer (``None``
    when the folder has none). ``ValueError`` when transformers is missing, the folder does
    not exist or holds no causal LM."""
    try:
        import transformers
    except ImportError:
        raise ValueError(
            "a Hugging Face model needs the optional package transformers "
            "(pip install 'boolicl[llm]', or pip install transformers)"
        ) from None
    folder = Path(path)
    if not folder.is_dir():
        raise ValueError(f"path {str(path)!r} is not a folder: give a local model folder")
    if not (folder / "config.json").is_file():
        raise ValueError(f"path {str(path)!r} is not a Hugging Face model folder (no config.json)")
    try:
        model = transformers.AutoModelForCausalLM.from_pretrained(
            folder, local_files_only=True, attn_implementation="eager"
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"path {str(path)!r} holds no loadable causal LM: {first}") from None
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    except Exception:  # no tokenizer files, or ones transformers cannot read: use fixed ids
        tokenizer = None
    return model.to(device).eval(), tokenizer


def _bit_ids(tokenizer: Any) -> tuple[int, int, int]:
    """Token ids of ``"0"``, ``"1"`` and ``":"`` when the tokenizer makes each a single token,
    else ``(0, 1, 2)``."""
    if tokenizer is not None:
        try:
            ids = [tokenizer.encode(s, add_special_tokens=False) for s in ("0", "1", ":")]
        except Exception:  # a tokenizer that cannot encode plain text
            ids = []
        if len(ids) == 3 and all(len(i) == 1 for i in ids) and len({i[0] for i in ids}) == 3:
            return ids[0][0], ids[1][0], ids[2][0]
    return 0, 1, 2


def _positions(config: Any) -> int | None:
    for name in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    return None


def hf_attention_scores(
    path: str | Path,
    *,
    task: str = "nearest_neighbour",
    n: int | None = None,
    points: int | None = None,
    prompts: int = 16,
    seed: int = 0,
    start: int | None = None,
    block: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    device: str | torch.device = "cpu",
) -> dict[str, Any]:
    """Induction and nearest-neighbour scores of every head of the Hugging Face causal LM in
    the local folder ``path`` (:func:`load_hf_model`; ``output_attentions`` of its eager
    attention: softmax probabilities), in the format of :func:`model_attention_scores`."""
    t = get_task(task)
    prompts = check_int(prompts, "prompts", 1)
    seed = check_int(seed, "seed", 0, 2**64 - 1)
    threshold = _check_threshold(threshold)
    n = check_int(t.default_n if n is None else n, "n", t.min_n)
    dev = resolve_device(device)
    model, tokenizer = load_hf_model(path, dev)
    limit = _positions(model.config)
    width = n + 2
    if points is None:
        points = t.default_points if limit is None else min(t.default_points, limit // width)
    points = check_int(points, "points", 2, None if limit is None else max(2, limit // width))
    if limit is not None and points * width > limit:
        raise ValueError(
            f"n={n} leaves room for no prompt: the model takes {limit} positions and an example "
            f"is n + 2 = {width} tokens"
        )
    start = _start(task, start, points)
    max_block = 64 if limit is None else limit // 2
    block = check_int(min(64, max_block) if block is None else block, "block", 1, max_block)
    vocab = getattr(model.config, "vocab_size", None)
    if not isinstance(vocab, int) or vocab < 3:
        raise ValueError(f"path {str(path)!r}: the model's config has no usable vocab_size")
    zero, one, colon = _bit_ids(tokenizer)

    gen = torch.Generator(device=dev).manual_seed(seed)
    params = {"start": start} if "start" in t.params else {}
    nn_p = sample_prompts(task, prompts, points, n, generator=gen, device=dev, **params)
    bits = torch.where(nn_p.xs.bool(), one, zero)
    labels = torch.where(nn_p.ys.bool(), one, zero)[..., None]
    sep = torch.full_like(labels, colon)
    nn_ids = torch.cat([bits, sep, labels], dim=-1).reshape(prompts, points * width)
    rand = torch.randint(vocab, (prompts, block), generator=gen, device=dev)
    ind_ids = torch.cat([rand, rand], dim=1)

    def forward(ids: torch.Tensor) -> Forward:
        def run(rows: slice) -> list[torch.Tensor]:
            with torch.no_grad():
                out = model(input_ids=ids[rows], output_attentions=True)
            att = getattr(out, "attentions", None)
            if not att:
                raise ValueError(f"path {str(path)!r}: the model returns no attention weights")
            return [a.float() for a in att]

        return run

    layers = getattr(model.config, "num_hidden_layers", None) or 1
    heads = getattr(model.config, "num_attention_heads", None) or 1
    return _scores(
        forward(ind_ids),
        forward(nn_ids),
        nn_p.xs,
        width * torch.arange(points) + n,
        layers=layers,
        heads=heads,
        nn_length=points * width,
        threshold=threshold,
        source="hf",
        backbone=type(model).__name__,
        weights=HF_WEIGHTS,
        task=task,
        n=n,
        points=points,
        start=start,
        block=block,
        period=block,
        prompts=prompts,
        seed=seed,
        token_ids={"0": zero, "1": one, ":": colon},
    )


__all__ = [
    "DEFAULT_THRESHOLD",
    "hf_attention_scores",
    "load_hf_model",
    "model_attention_scores",
]
