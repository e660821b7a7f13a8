"""Many small models per step: ``K`` runs that differ only in their seed, trained together.

A small in-context model is overhead-bound on a CPU and launch-bound on a GPU: a step is
hundreds of small operations. :func:`train_stack` trains ``K`` models at once. Their
parameters are stacked along a new leading dimension (``K x shape``) and the forward and
backward passes of all of them run as one batched computation, ``torch.func.vmap`` of the
functional model over that dimension; one Adam step updates every stacked parameter. Each
model keeps everything else of its own: its seed (initial weights, prompt generator,
evaluation prompts), its run folder with its checkpoints and ``metrics.jsonl``, its stopping
rule (a model that reaches its target accuracy, or diverges, leaves the stack and the others
go on).

The result is *the same run* as training each model alone with :func:`models.train.train`:
on a CPU with one thread (what :func:`models.threads.auto_threads` picks for small models)
the weights, the optimizer state, the metrics and the checkpoints are bitwise equal (the
tests check it). On several threads torch divides an operation between them by the size of
the whole tensor, so a stack may sum in another order than a model alone: equal up to
rounding. This holds because every operation of the models rounds the same way
on one model and on a stack of them: the backbones' normalisations, depthwise convolutions,
the read-in and the read-out are written as plain products and sums
(:mod:`models.backbones._common`), the
loss is :func:`models.steps.bce_with_logits`, the activations that enter a matrix product
are contiguous, and Adam is elementwise. The sum of the ``K`` losses is back-propagated once:
the gradient of model ``k``'s parameters is that of its own loss. The LSTM (whose fused
kernel has no batching rule) and models with dropout (whose masks must come from each model's
own random stream) run the ``K`` forward passes one after another inside the same step, on
slices of the stacked parameters (each with its own torch RNG state): the optimizer is still
shared and the result is still bitwise that of the separate runs, with less speed-up.

A stack resumes from its run folders. If a kill left them at different steps (between two
models' checkpoints of the same step), the models behind first train alone up to the step of
the others, which gives the same weights as if they had never stopped.
"""

from __future__ import annotations

import copy
import json
import math
import threading
import time
import warnings
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from torch.func import functional_call, vmap
from tqdm.auto import tqdm

from boolfun.devices import check_memory, resolve_device
from models.checkpoints import (
    STATE,
    WEIGHTS,
    check_incomplete_first_checkpoint,
    lock_run_folder,
    resume_run,
    save_checkpoint,
)
from models.config import TrainConfig
from models.data import PromptSource, curriculum, eval_prompts
from models.steps import bce_with_logits, make_optimizer, set_lr
from models.threads import training_threads, using_threads
from models.train import (
    ESTIMATE_AFTER,
    Estimate,
    TrainingDiverged,
    TrainingInterrupted,
    _train,
    accuracy_curve,
    lr_at,
    prepare_metrics,
    speed_estimate,
    stop_on_interrupt,
)
from models.wrapper import InContextModel

MAX_MODELS = 1024
"""The most models in one stack."""

LOOPED_BACKBONES = frozenset({"lstm"})
"""Backbones whose forward pass cannot be vmapped: their models run one after another."""


def check_stack(configs: list[TrainConfig]) -> None:
    """``ValueError`` unless ``configs`` can train as one stack: 1 to :data:`MAX_MODELS`
    configs, equal in every field except ``seed``, with distinct seeds, eager (no
    ``compile`` or ``cuda_graph``)."""
    if not isinstance(configs, (list, tuple)) or not configs:
        raise ValueError("seeds must name at least one model")
    for c in configs:
        if not isinstance(c, TrainConfig):
            raise ValueError(f"configs must be TrainConfigs, got {type(c).__name__}")
    if len(configs) > MAX_MODELS:
        raise ValueError(f"seeds must name at most {MAX_MODELS} models, got {len(configs)}")
    seeds = [c.seed for c in configs]
    dup = sorted({s for s in seeds if seeds.count(s) > 1})
    if dup:
        raise ValueError(
            f"seeds must be distinct, got {', '.join(map(str, dup))} more than once"
        )
    first = replace(configs[0], seed=0).to_dict()
    for c in configs[1:]:
        other = replace(c, seed=0).to_dict()
        diff = sorted(k for k in first if first[k] != other[k])
        if diff:
            raise ValueError(
                f"models trained together may differ only in seed; {diff[0]} differs "
                f"({first[diff[0]]!r} and {other[diff[0]]!r})"
            )
    c = configs[0]
    if c.compile or c.cuda_graph:
        raise ValueError(
            "compile and cuda_graph are not available for several models at once; "
            "train them one by one"
        )


def stack_memory(configs: list[TrainConfig]) -> tuple[float, str]:
    """The memory estimate of :meth:`TrainConfig.memory` for all models together, and its
    description, which starts with the parameter that sizes it."""
    one, what = configs[0].memory()
    return len(configs) * one, f"seeds: {len(configs)} models of {what}"


class _Member:
    """One model of a stack: its config, run folder, model (the home of its checkpoints),
    optimizer (for its checkpoints), prompt source, evaluation prompts and torch RNG state."""

    def __init__(
        self, config: TrainConfig, out: Path | None, dev: torch.device, resume: bool
    ) -> None:
        self.config, self.out = config, out
        self.has_ckpt = out is not None and (out / STATE).exists()
        if self.has_ckpt and not resume:
            raise ValueError(f"{out} already holds a checkpoint; resume it or choose another out")
        if out is not None and not self.has_ckpt and (out / WEIGHTS).exists():
            check_incomplete_first_checkpoint(out, config)
        torch.manual_seed(config.seed)
        self.model = InContextModel.from_config(config).to(dev)
        self.optimizer = make_optimizer(self.model.parameters(), config.lr, dev)
        self.source = PromptSource(config, dev)
        self.start = (
            resume_run(out, config, self.model, self.optimizer, self.source)
            if self.has_ckpt and out is not None
            else 0
        )
        self.rng = torch.get_rng_state()
        self.eval: tuple[torch.Tensor, torch.Tensor] | None = (
            eval_prompts(config, dev) if config.eval_every or config.target_accuracy else None
        )
        self.metrics = prepare_metrics(out, self.has_ckpt, self.start)
        self.losses: list[list[float]] = []
        self.pending: list[tuple[int, torch.Tensor]] = []
        self.last_ckpt: int | None = self.start if self.has_ckpt else None
        self.stopped = "steps"
        self.eval_accuracy: float | None = None
        self.error: str | None = None
        self.step = self.start

    def log(self, row: dict[str, Any]) -> None:
        if self.metrics is not None:
            with self.metrics.open("a") as fh:
                fh.write(json.dumps(row) + "\n")


class _Stack:
    """The stacked parameters, buffers and Adam state of the active members."""

    def __init__(self, members: list[_Member], dev: torch.device) -> None:
        self.members = members
        self.dev = dev
        self.base = copy.deepcopy(members[0].model).to("meta")
        self.names = [n for n, _ in members[0].model.named_parameters()]
        self.buffer_names = [n for n, _ in members[0].model.named_buffers()]
        self.params: dict[str, torch.Tensor] = {}
        self.buffers: dict[str, torch.Tensor] = {}
        self.optimizer: torch.optim.Optimizer
        self.restack()

    def restack(self) -> None:
        """(Re)build the stacked tensors and the optimizer from the members' own models and
        optimizers (after a resume, or when a member leaves)."""
        with torch.no_grad():
            self.params = {
                n: torch.stack([dict(m.model.named_parameters())[n] for m in self.members])
                for n in self.names
            }
            self.buffers = {
                n: torch.stack([dict(m.model.named_buffers())[n] for m in self.members])
                for n in self.buffer_names
            }
        for p in self.params.values():
            p.requires_grad_(True)
        c = self.members[0].config
        self.optimizer = make_optimizer(list(self.params.values()), c.lr, self.dev)
        own = [dict(zip(self.names, m.model.parameters(), strict=True)) for m in self.members]
        for n, p in self.params.items():
            states = [m.optimizer.state.get(own[i][n]) for i, m in enumerate(self.members)]
            if all(states):
                self.optimizer.state[p] = {
                    "step": states[0]["step"].clone(),  # type: ignore[index]
                    "exp_avg": torch.stack([s["exp_avg"] for s in states]),  # type: ignore[index]
                    "exp_avg_sq": torch.stack(
                        [s["exp_avg_sq"] for s in states]  # type: ignore[index]
                    ),
                }

    @torch.no_grad()
    def unstack(self) -> None:
        """Copy every member's slice of the stacked weights and Adam state into its own model
        and optimizer (before a checkpoint, an evaluation, or a restack)."""
        for i, m in enumerate(self.members):
            own = dict(m.model.named_parameters())
            for n, p in self.params.items():
                q = own[n]
                q.copy_(p[i])
                st = self.optimizer.state.get(p)
                if st:
                    m.optimizer.state[q] = {
                        "step": st["step"].clone(),
                        "exp_avg": st["exp_avg"][i].clone(),
                        "exp_avg_sq": st["exp_avg_sq"][i].clone(),
                    }

    def losses(self, xs: torch.Tensor, ys: torch.Tensor, bf16: bool) -> torch.Tensor:
        """``(K,)`` losses of the members on their prompts ``xs[k]``, ``ys[k]``."""
        base = self.base

        def loss(p: dict, b: dict, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return bce_with_logits(functional_call(base, (p, b), (x, y)), y)

        c = self.members[0].config
        with torch.autocast(xs.device.type, dtype=torch.bfloat16, enabled=bf16):
            if c.model not in LOOPED_BACKBONES and not c.dropout:
                with warnings.catch_warnings():
                    # ops without a batching rule (attention on a CPU) run once per model:
                    # exactly the arithmetic of the model alone, which is the point here
                    warnings.filterwarnings("ignore", message="There is a performance drop")
                    return vmap(loss, randomness="error")(self.params, self.buffers, xs, ys)
            out = []
            for i, m in enumerate(self.members):
                torch.set_rng_state(m.rng)  # dropout masks from this model's own stream
                p = {n: t[i] for n, t in self.params.items()}
                b = {n: t[i] for n, t in self.buffers.items()}
                out.append(loss(p, b, xs[i], ys[i]))
                m.rng = torch.get_rng_state()
            return torch.stack(out)

    def step(self, xs: torch.Tensor, ys: torch.Tensor, lr: float, bf16: bool) -> torch.Tensor:
        """One Adam step of every member; the ``(K,)`` detached losses."""
        set_lr(self.optimizer, lr)
        losses = self.losses(xs, ys, bf16)
        self.optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()
        self.optimizer.step()
        return losses.detach()


def train_stack(
    configs: list[TrainConfig],
    outs: list[Path | str] | None = None,
    *,
    resume: bool = True,
    progress: bool = False,
    stop_after: int | None = None,
    estimate: Estimate | None = None,
) -> list[dict[str, Any]]:
    """Train the models of ``configs`` (equal but for their seeds, :func:`check_stack`)
    together; return one :func:`models.train.train` summary per model, in order.

    ``outs``: one run folder per model (``None``: nothing is written). Each folder is what
    ``train(configs[k], outs[k])`` would write, and resumes the same way. A model that
    diverges stops with ``stopped = "diverged"`` and the message in ``error`` (alone,
    :func:`models.train.train` would raise); the others go on. Each summary also has
    ``stack`` (how many models trained together) and ``model_steps_per_second``, the steps
    of all models per second of this call. ``estimate`` as for :func:`models.train.train`.
    """
    check_stack(list(configs) if isinstance(configs, tuple) else configs)
    configs = list(configs)
    if outs is not None:
        if not isinstance(outs, (list, tuple)) or len(outs) != len(configs):
            raise ValueError(f"outs must hold one run folder per model ({len(configs)})")
        paths: list[Path | None] = [Path(o) for o in outs]
        if len(set(paths)) != len(paths):
            raise ValueError("outs must be distinct run folders")
    else:
        paths = [None] * len(configs)
    if stop_after is not None and (not isinstance(stop_after, int) or stop_after < 1):
        raise ValueError(f"stop_after must be an integer >= 1, got {stop_after!r}")
    dev = resolve_device(configs[0].device)
    needed, what = stack_memory(configs)
    check_memory(needed, dev, what)
    threads = training_threads(configs[0])
    with ExitStack() as locks:
        for p in paths:
            locks.enter_context(lock_run_folder(p))
        interrupted = locks.enter_context(stop_on_interrupt())
        locks.enter_context(using_threads(threads))
        return _train_stack(
            configs, paths, dev, interrupted, resume, progress, stop_after, estimate
        )


def _catch_up(
    configs: list[TrainConfig],
    paths: list[Path | None],
    dev: torch.device,
    interrupted: threading.Event,
    resume: bool,
) -> None:
    """Bring run folders left behind by a kill up to the furthest one, each alone."""
    steps = []
    for p in paths:
        try:
            st = torch.load(p / STATE, map_location="cpu", weights_only=True)  # type: ignore
            steps.append(int(st["step"]))
        except Exception:  # none, or unreadable: resume_run says what is wrong with it
            steps.append(0)
    ahead = max(steps)
    for c, p, s in zip(configs, paths, steps, strict=True):
        if s < ahead and p is not None:
            _train(c, p, dev, interrupted, resume, False, ahead)


def _one_by_one(
    configs: list[TrainConfig],
    paths: list[Path | None],
    dev: torch.device,
    interrupted: threading.Event,
    resume: bool,
    progress: bool,
    stop_after: int | None,
    estimate: Estimate | None,
) -> list[dict[str, Any]]:
    """The models of a pretrained backbone (:mod:`models.pretrained`), each trained alone in
    turn: stacking would copy the frozen language model once per model and hand its weights
    to the optimizer. The summaries are :func:`_train_stack`'s, with ``stack`` 1."""
    out: list[dict[str, Any]] = []
    for c, p in zip(configs, paths, strict=True):
        try:
            s = _train(c, p, dev, interrupted, resume, progress, stop_after, estimate)
            s["error"] = None
        except TrainingDiverged as e:
            s = {"out": str(p) if p is not None else None, "steps": None, "resumed_from": None,
                 "stopped": "diverged", "error": str(e), "losses": [], "final_loss": None,
                 "eval_accuracy": None, "seconds": None, "steps_per_second": None,
                 "threads": torch.get_num_threads(), "config": c.to_dict()}
        s["stack"] = 1
        s["model_steps_per_second"] = s["steps_per_second"]
        out.append(s)
        if s["stopped"] == "interrupted":
            raise TrainingInterrupted(
                f"interrupted at step {s['steps']}"
                + (f"; checkpoint saved in {p}: the same call resumes it" if p else "")
            )
    return out


def _train_stack(
    configs: list[TrainConfig],
    paths: list[Path | None],
    dev: torch.device,
    interrupted: threading.Event,
    resume: bool,
    progress: bool,
    stop_after: int | None,
    estimate: Estimate | None,
) -> list[dict[str, Any]]:
    if configs[0].pretrained:
        return _one_by_one(configs, paths, dev, interrupted, resume, progress, stop_after, estimate)
    if resume:
        _catch_up(configs, paths, dev, interrupted, resume)
    members = [_Member(c, p, dev, resume) for c, p in zip(configs, paths, strict=True)]
    c = configs[0]
    bf16 = c.autocast_bf16
    start = max(m.start for m in members)
    end = c.steps if stop_after is None else min(c.steps, stop_after)
    frm = min(c.target_from, c.points - 1)
    active = [m for m in members if m.start == start < end]
    for m in members:
        if m.start < start:  # its catch-up stopped early, at its target accuracy
            m.stopped = "target"
        elif m.start >= end:
            m.stopped = "steps" if m.start >= c.steps else "stop_after"
    stack = _Stack(active, dev) if active else None
    t0 = time.perf_counter()
    bar = tqdm(total=c.steps, initial=start, disable=not progress, desc=f"train x{len(members)}")
    step = start

    def checkpoint(m: _Member) -> None:
        if m.out is None or m.last_ckpt == m.step:
            return
        check_losses(m)
        if m.error is not None:
            return
        outer = torch.get_rng_state()
        torch.set_rng_state(m.rng)  # the checkpoint records this model's own torch RNG
        save_checkpoint(m.out, m.model, m.optimizer, m.source, m.config, m.step)
        torch.set_rng_state(outer)
        m.last_ckpt = m.step

    def check_losses(m: _Member) -> None:
        for s, v in m.pending:
            value = float(v)
            if not math.isfinite(value) and m.error is None:
                where = (
                    f"last good checkpoint: {m.out} at step {m.last_ckpt}"
                    if m.last_ckpt is not None
                    else "no checkpoint was written"
                )
                m.error = f"loss is {value} at step {s}; {where}"
                m.stopped = "diverged"
        m.pending.clear()

    while stack is not None and step < end:
        batches = [m.source.batch(step) for m in stack.members]
        xs = torch.stack([b[0] for b in batches])
        ys = torch.stack([b[1] for b in batches])
        losses = stack.step(xs, ys, lr_at(c, step), bf16)
        step += 1
        bar.update(1)
        if estimate is not None and step == start + ESTIMATE_AFTER and step < end:
            seconds = time.perf_counter() - t0
            k = len(stack.members)
            estimate(speed_estimate(c, step - start, seconds, end - step, models=k))
        leaving: list[_Member] = []
        for i, m in enumerate(stack.members):
            m.step = step
            m.pending.append((step, losses[i]))
        log_now = step % c.log_every == 0 or step == end
        evaluate = any(m.eval is not None for m in stack.members) and bool(
            c.eval_every and step % c.eval_every == 0
        )
        save_now = step == end or bool(c.checkpoint_every and step % c.checkpoint_every == 0)
        if evaluate or save_now:
            stack.unstack()
        for i, m in enumerate(stack.members):
            if log_now:
                value = float(losses[i])
                check_losses(m)
                m.losses.append([step, value])
                points, dims = curriculum(c, step - 1)
                m.log(
                    {
                        "step": step,
                        "loss": value,
                        "lr": lr_at(c, step - 1),
                        "points": points,
                        "dims": dims,
                        "threads": torch.get_num_threads(),
                    }
                )
            if evaluate and m.eval is not None:
                check_losses(m)
                curve = accuracy_curve(m.model, *m.eval, bf16)
                m.eval_accuracy = float(curve[frm:].mean())
                m.log({"step": step, "eval_accuracy": m.eval_accuracy, "from": frm,
                       "mean_accuracy": float(curve.mean())})
                if c.target_accuracy and m.eval_accuracy >= c.target_accuracy:
                    m.stopped = "target"
            if m.stopped == "target" or save_now:
                checkpoint(m)
            if m.stopped in ("target", "diverged"):
                leaving.append(m)
        if log_now:
            bar.set_postfix(loss=f"{float(losses.mean()):.4f}")
        if leaving:
            if not evaluate and not save_now:
                stack.unstack()
            rest = [m for m in stack.members if m not in leaving]
            stack = _Stack(rest, dev) if rest and step < end else None
        if stack is not None and step < end:
            stop = "interrupted" if interrupted.is_set() else None
            if stop is None and c.max_seconds and time.perf_counter() - t0 >= c.max_seconds:
                stop = "time"
            if stop is not None:
                stack.unstack()
                for m in stack.members:
                    check_losses(m)
                    if m.error is None:
                        m.stopped = stop
                        checkpoint(m)
                break
    bar.close()
    seconds = time.perf_counter() - t0
    done = sum(m.step - m.start for m in members)
    out = []
    for m in members:
        check_losses(m)
        if m.stopped == "steps" and m.step < c.steps:
            m.stopped = "stop_after"
        out.append(
            {
                "out": str(m.out) if m.out is not None else None,
                "steps": m.step,
                "resumed_from": m.start if m.has_ckpt else None,
                "stopped": m.stopped,
                "error": m.error,
                "losses": m.losses,
                "final_loss": m.losses[-1][1] if m.losses else None,
                "eval_accuracy": m.eval_accuracy,
                "eval_from": frm,
                "seconds": round(seconds, 3),
                "steps_per_second": round((m.step - m.start) / seconds, 3) if seconds > 0 else None,
                "threads": torch.get_num_threads(),
                "stack": len(members),
                "model_steps_per_second": round(done / seconds, 3) if seconds > 0 else None,
                "config": m.config.to_dict(),
            }
        )
    if any(m.stopped == "interrupted" for m in members):
        where = ", ".join(str(m.out) for m in members if m.out is not None)
        raise TrainingInterrupted(
            f"interrupted at step {step}"
            + (f"; checkpoints saved in {where}: the same call resumes them" if where else "")
        )
    return out
