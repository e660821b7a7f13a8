"""Training an in-context model (:class:`models.wrapper.InContextModel`) from a
:class:`models.config.TrainConfig`.

Every step draws fresh prompts with the on-device sampler (:func:`boolfun.samplers.sample_prompts`)
from one ``torch.Generator`` seeded with ``config.seed``; the loss is binary cross-entropy with
logits over all positions; the optimiser is Adam (fused on CUDA) with linear warm-up and an
optional cosine decay. On CUDA the forward pass runs under bf16 autocast (``precision``), the
model may be compiled (``compile``) and the whole step (forward, backward, Adam) may be recorded
once in a CUDA graph and replayed (``cuda_graph``, :mod:`models.steps`); on the CPU everything
is fp32, and a fixed seed gives the same loss curve.

A run folder holds ``config.json``, ``model.safetensors`` (weights; the step in its metadata),
``state.pt`` (optimizer, step, the RNG states of torch and of the prompt generator, and a copy
of the weights) and ``metrics.jsonl`` (one JSON line per log step and per evaluation). Each file
is written to a temporary name and renamed, ``state.pt`` last, so a killed run resumes from its
last complete checkpoint and continues exactly as an uninterrupted run would.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from models.config import TEACH_CLASSES, TrainConfig
from models.steps import EagerStep, GraphStep, make_optimizer

RESUME_MUTABLE = (
    "steps",
    "device",
    "compile",
    "cuda_graph",
    "eval_every",
    "checkpoint_every",
    "log_every",
    "target_accuracy",
    "target_from",
    "max_seconds",
)
"""Config fields that may differ between a checkpoint and the run that resumes it."""

WEIGHTS, CONFIG, STATE, METRICS = "model.safetensors", "config.json", "state.pt", "metrics.jsonl"


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message names the step and the last checkpoint."""


def build_model(config: TrainConfig) -> torch.nn.Module:
    """The untrained :class:`models.wrapper.InContextModel` that ``config`` describes (on the
    CPU; initialised from the global torch RNG)."""
    from models.wrapper import InContextModel

    return InContextModel(
        config.n,
        backbone=config.model,
        d_model=config.width,
        layers=config.layers,
        heads=config.heads,
        max_points=config.points,
        dropout=config.dropout,
    )


def lr_at(config: TrainConfig, step: int) -> float:
    """Learning rate of step ``step`` (0-based): linear warm-up over ``warmup`` steps, then
    constant or cosine decay to 10% of ``lr`` at ``steps``."""
    if config.warmup and step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    if config.schedule == "cosine":
        span = max(1, config.steps - config.warmup)
        t = min(1.0, (step - config.warmup) / span)
        return config.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))
    return config.lr


def curriculum(config: TrainConfig, step: int) -> tuple[int, int]:
    """``(points, dims)`` of the prompts of step ``step``."""

    def grow(kind: str, full: int) -> int:
        p = f"curriculum_{kind}_"
        interval = getattr(config, p + "interval")
        if not interval:
            return full
        start, end = getattr(config, p + "start"), getattr(config, p + "end")
        return min(end, start + getattr(config, p + "increment") * (step // interval))

    return grow("points", config.points), grow("dims", config.n)


class PromptSource:
    """The training prompts of a config, step by step, from one seeded generator.

    Fresh functions every step (``pool = 0``); or a finite pool of ``pool`` functions, each with
    a stash of ``pool_stash * points`` examples drawn once (from a generator seeded with
    ``seed + 2``) of which every step shows a random ``points``; prompts that start with the
    paper teaching sequence of their function with probability ``teach``; labels flipped with
    probability ``label_noise``. Fewer dims than ``n`` (curriculum) are zero-padded.
    """

    def __init__(self, config: TrainConfig, device: torch.device) -> None:
        self.config = config
        self.device = device
        self.generator = torch.Generator(device=device).manual_seed(config.seed)
        self.p_teach = config.teach_probability
        self._teaching: dict[str, Any] = {}
        self.stash: tuple[torch.Tensor, torch.Tensor] | None = None
        if config.pool:
            from boolfun.samplers import sample_prompts

            s = sample_prompts(
                config.task,
                config.pool,
                config.points * config.pool_stash,
                config.n,
                seed=config.seed + 2,
                device=device,
            )
            self.stash = (s.xs, s.ys)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(xs (B, P, n), ys (B, P))`` uint8 of step ``step``."""
        from boolfun.samplers import sample_prompts

        c, g, dev = self.config, self.generator, self.device
        points, dims = curriculum(c, step)
        if self.stash is not None:
            sx, sy = self.stash
            idx = torch.randint(0, c.pool, (c.batch,), generator=g, device=dev)
            order = torch.rand(c.batch, sx.shape[1], generator=g, device=dev).argsort(dim=1)
            pos = order[:, :points]
            xs = sx[idx].gather(1, pos[..., None].expand(-1, -1, c.n))[..., :dims]
            ys = sy[idx].gather(1, pos)
        else:
            s = sample_prompts(
                c.task,
                c.batch,
                points,
                dims,
                generator=g,
                device=dev,
                return_functions=self.p_teach > 0,
            )
            xs, ys = s.xs, s.ys
            if self.p_teach > 0:
                xs, ys = self._teach(xs, ys, s.functions)
        if dims < c.n:
            xs = F.pad(xs, (0, c.n - dims))
        if c.label_noise:
            flip = torch.rand(ys.shape, generator=g, device=dev) < c.label_noise
            ys = ys ^ flip.to(torch.uint8)
        return xs, ys

    def _teach(
        self, xs: torch.Tensor, ys: torch.Tensor, functions: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        import numpy as np

        from boolfun.classes import make_class
        from teaching.construct import teaching_sequence

        c = self.config
        coins = torch.rand(c.batch, generator=self.generator, device=self.device).cpu()
        xs, ys = xs.clone(), ys.clone()
        cls = None
        for b, f in enumerate(functions):
            if coins[b] >= self.p_teach:
                continue
            key = str(f)
            if key not in self._teaching:
                if cls is None:
                    cls = make_class(TEACH_CLASSES[c.task], c.n)
                ex = teaching_sequence(f, cls, "paper")
                self._teaching[key] = (np.asarray(ex.xs), np.asarray(ex.ys))
            tx, ty = self._teaching[key]
            m = min(len(ty), xs.shape[1])
            xs[b, :m] = torch.as_tensor(tx[:m], device=self.device)
            ys[b, :m] = torch.as_tensor(ty[:m], device=self.device)
        return xs, ys


def eval_prompts(config: TrainConfig, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed evaluation prompts of a run (seed ``config.seed + 1``, full size)."""
    from boolfun.samplers import sample_prompts

    s = sample_prompts(
        config.task,
        config.eval_prompts,
        config.points,
        config.n,
        seed=config.seed + 1,
        device=device,
    )
    return s.xs, s.ys


@torch.no_grad()
def accuracy_curve(
    model: torch.nn.Module, xs: torch.Tensor, ys: torch.Tensor, bf16: bool = False
) -> torch.Tensor:
    """Accuracy at every position ``(P,)`` of ``model`` on ``xs`` / ``ys``."""
    was = model.training
    model.eval()
    with torch.autocast(xs.device.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(xs, ys)
    model.train(was)
    return ((logits.float() > 0) == ys.bool()).float().mean(dim=0)


def _atomic(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def _metric_step(line: str) -> float:
    """The step of a ``metrics.jsonl`` line; ``inf`` for a line cut short by a kill."""
    try:
        return float(json.loads(line).get("step", math.inf))
    except (json.JSONDecodeError, AttributeError):
        return math.inf


def _portable(opt_state: dict[str, Any]) -> dict[str, Any]:
    """An optimizer state dict with tensor learning rates (CUDA-graph runs) as floats."""
    groups = [
        {**g, "lr": float(g["lr"]) if isinstance(g["lr"], torch.Tensor) else g["lr"]}
        for g in opt_state["param_groups"]
    ]
    return {**opt_state, "param_groups": groups}


def save_checkpoint(
    out: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    source: PromptSource,
    config: TrainConfig,
    step: int,
) -> None:
    """Write ``config.json``, ``model.safetensors`` and ``state.pt`` of step ``step``
    (each atomically; ``state.pt`` last). ``state.pt`` holds the weights too, so a process
    killed between the two renames still leaves a consistent resume state."""
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    config.save(out / CONFIG)
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    _atomic(out / WEIGHTS, lambda p: save_file(tensors, str(p), metadata={"step": str(step)}))
    state = {
        "step": step,
        "model": tensors,
        "optimizer": _portable(optimizer.state_dict()),
        "generator": source.generator.get_state(),
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }
    _atomic(out / STATE, lambda p: torch.save(state, p))


def load_weights(out: Path | str, model: torch.nn.Module) -> int:
    """Load ``model.safetensors`` of run ``out`` into ``model``; returns the stored step.
    A missing, corrupt or mismatched file raises ``ValueError``."""
    from safetensors import safe_open

    path = Path(out) / WEIGHTS
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors raises its own error types
        raise ValueError(f"checkpoint {path} is missing or corrupt: {e}") from None
    try:
        model.load_state_dict(tensors, strict=True)
    except RuntimeError as e:
        first = str(e).strip().splitlines()[0]
        raise ValueError(
            f"checkpoint {path} does not match the model of its config: {first}"
        ) from None
    return int(meta.get("step", -1))


def load_model(out: Path | str, device: str = "cpu") -> tuple[torch.nn.Module, TrainConfig]:
    """The trained model of run folder ``out`` (eval mode, on ``device``) and its config."""
    out = Path(out)
    if not (out / CONFIG).is_file():
        raise ValueError(f"{out} is not a run folder: {CONFIG} is missing")
    config = TrainConfig.load(out / CONFIG)
    model = build_model(config)
    load_weights(out, model)
    return model.to(device).eval(), config


def _resume(
    out: Path,
    config: TrainConfig,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    source: PromptSource,
) -> int:
    saved = TrainConfig.load(out / CONFIG)
    diff = [
        f.name
        for f in config.__dataclass_fields__.values()
        if f.name not in RESUME_MUTABLE and getattr(saved, f.name) != getattr(config, f.name)
    ]
    if diff:
        raise ValueError(
            f"cannot resume {out}: its config differs in {', '.join(diff)} "
            f"(use another --out, or the same settings)"
        )
    try:
        state = torch.load(out / STATE, map_location="cpu", weights_only=False)
        step = int(state["step"])
        opt_state = state["optimizer"]
        gen_state, rng_state = state["generator"], state["torch_rng"]
    except Exception as e:
        raise ValueError(f"checkpoint {out / STATE} is corrupt: {e}") from None
    weights_step = load_weights(out, model)  # readable, and of this architecture
    # weights newer than the state: the run was killed between the two renames of one
    # checkpoint; the state holds the weights of its own step
    if weights_step != step and not (weights_step > step and "model" in state):
        raise ValueError(
            f"checkpoint {out} is inconsistent: weights of step {weights_step}, "
            f"state of step {step}"
        )
    try:
        if "model" in state:
            model.load_state_dict(state["model"], strict=True)
        # this run's implementation flags (fused / capturable) and learning-rate object win
        # over the saved ones: a run may resume on another device or with(out) a CUDA graph
        for saved, group in zip(opt_state["param_groups"], optimizer.param_groups, strict=True):
            saved.update({k: group[k] for k in ("lr", "fused", "capturable", "foreach")})
        optimizer.load_state_dict(opt_state)
        source.generator.set_state(gen_state)
        torch.set_rng_state(rng_state)
    except (ValueError, RuntimeError, TypeError) as e:
        raise ValueError(f"checkpoint {out / STATE} does not match this run: {e}") from None
    if state.get("cuda_rng") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return step


def train(
    config: TrainConfig,
    out: Path | str | None = None,
    *,
    resume: bool = True,
    progress: bool = False,
    stop_after: int | None = None,
) -> dict[str, Any]:
    """Train the model of ``config``; return a summary.

    ``out``: the run folder (``None``: nothing is written). An existing checkpoint there is
    resumed when ``resume`` (its config must equal ``config`` up to :data:`RESUME_MUTABLE`),
    else ``ValueError``; a corrupt or mismatched checkpoint raises ``ValueError`` and nothing
    is overwritten. ``stop_after``: stop (with a checkpoint) after that step, as if killed.
    A non-finite loss raises :class:`TrainingDiverged` naming the step and the last
    checkpoint. The summary: ``steps`` done, ``stopped`` (``"steps"``, ``"target"``,
    ``"stop_after"``, ``"time"`` after ``max_seconds``), ``losses`` (``[step, loss]`` per
    log step), the last evaluation (``eval_accuracy``: accuracy at positions >=
    ``target_from``), ``seconds`` and ``steps_per_second`` of this call.
    """
    from tqdm.auto import tqdm

    from models.baselines import check_device

    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    check_device(config.device)
    if stop_after is not None and (not isinstance(stop_after, int) or stop_after < 1):
        raise ValueError(f"stop_after must be an integer >= 1, got {stop_after!r}")
    dev = torch.device(config.device)
    outp = Path(out) if out is not None else None
    has_ckpt = outp is not None and (outp / STATE).exists()
    if has_ckpt and not resume:
        raise ValueError(f"{outp} already holds a checkpoint; resume it or choose another out")
    if outp is not None and not has_ckpt and (outp / WEIGHTS).exists():
        raise ValueError(f"{outp} holds {WEIGHTS} but no {STATE}: not a resumable run")

    torch.manual_seed(config.seed)
    raw = build_model(config).to(dev)
    optimizer = make_optimizer(raw.parameters(), config.lr, dev, graph=config.cuda_graph)
    source = PromptSource(config, dev)
    start = _resume(outp, config, raw, optimizer, source) if has_ckpt else 0
    model = torch.compile(raw) if config.compile else raw
    bf16 = config.autocast_bf16
    step_kind = GraphStep if config.cuda_graph else EagerStep
    run_step = step_kind(model, optimizer, bf16)
    exs, eys = (
        eval_prompts(config, dev) if config.eval_every or config.target_accuracy else (None, None)
    )
    frm = min(config.target_from, config.points - 1)

    losses: list[list[float]] = []
    metrics_path = outp / METRICS if outp is not None else None
    if metrics_path is not None:
        outp.mkdir(parents=True, exist_ok=True)
        kept = []
        if has_ckpt and metrics_path.exists():
            kept = [
                line
                for line in metrics_path.read_text().splitlines()
                if _metric_step(line) <= start
            ]
        metrics_path.write_text("".join(line + "\n" for line in kept))
    last_ckpt: int | None = start if has_ckpt else None

    def log(row: dict[str, Any]) -> None:
        if metrics_path is not None:
            with metrics_path.open("a") as fh:
                fh.write(json.dumps(row) + "\n")

    pending: list[tuple[int, torch.Tensor]] = []

    def check_losses() -> None:
        for s, v in pending:
            value = float(v)
            if not math.isfinite(value):
                where = (
                    f"last good checkpoint: {outp} at step {last_ckpt}"
                    if last_ckpt is not None
                    else "no checkpoint was written"
                )
                raise TrainingDiverged(f"loss is {value} at step {s}; {where}")
        pending.clear()

    stopped, eval_acc = "steps", None
    end = config.steps if stop_after is None else min(config.steps, stop_after)
    t0 = time.perf_counter()
    bar = tqdm(total=config.steps, initial=start, disable=not progress, desc="train")
    model.train()
    step = start
    while step < end:
        xs, ys = source.batch(step)
        loss = run_step(xs, ys, lr_at(config, step))
        step += 1
        bar.update(1)
        pending.append((step, loss))
        if step % config.log_every == 0 or step == end:
            value = loss.item()
            check_losses()
            losses.append([step, value])
            points, dims = curriculum(config, step - 1)
            lr = lr_at(config, step - 1)
            log({"step": step, "loss": value, "lr": lr, "points": points, "dims": dims})
            bar.set_postfix(loss=f"{value:.4f}")
        if exs is not None and config.eval_every and step % config.eval_every == 0:
            check_losses()
            curve = accuracy_curve(model, exs, eys, bf16)
            eval_acc = float(curve[frm:].mean())
            log(
                {
                    "step": step,
                    "eval_accuracy": eval_acc,
                    "from": frm,
                    "mean_accuracy": float(curve.mean()),
                }
            )
            if config.target_accuracy and eval_acc >= config.target_accuracy:
                stopped = "target"
        done = stopped == "target" or step == end
        if outp is not None and (
            done or (config.checkpoint_every and step % config.checkpoint_every == 0)
        ):
            check_losses()
            save_checkpoint(outp, raw, optimizer, source, config, step)
            last_ckpt = step
        if stopped == "target":
            break
        if config.max_seconds and time.perf_counter() - t0 >= config.max_seconds and step < end:
            stopped = "time"
            check_losses()
            if outp is not None and last_ckpt != step:
                save_checkpoint(outp, raw, optimizer, source, config, step)
                last_ckpt = step
            break
    bar.close()
    check_losses()
    if stopped == "steps" and step < config.steps:
        stopped = "stop_after"
    seconds = time.perf_counter() - t0
    return {
        "out": str(outp) if outp is not None else None,
        "steps": step,
        "resumed_from": start if has_ckpt else None,
        "stopped": stopped,
        "losses": losses,
        "final_loss": losses[-1][1] if losses else None,
        "eval_accuracy": eval_acc,
        "eval_from": frm,
        "seconds": round(seconds, 3),
        "steps_per_second": round((step - start) / seconds, 3) if seconds > 0 else None,
        "config": config.to_dict(),
    }
