"""Training an in-context model (:class:`models.wrapper.InContextModel`) from a
:class:`models.config.TrainConfig`.

Every step draws fresh prompts with the on-device sampler (:func:`boolfun.samplers.sample_prompts`)
from one ``torch.Generator`` seeded with ``config.seed``; the loss is binary cross-entropy with
logits over all positions; the optimiser is Adam (fused on CUDA) with linear warm-up and an
optional cosine decay. On CUDA the forward pass runs under bf16 autocast (``precision``), the
model may be compiled (``compile``) and the whole step (forward, backward, Adam) may be recorded
once in a CUDA graph and replayed (``cuda_graph``, :mod:`models.steps`); on the CPU everything
is fp32, and a fixed seed gives the same loss curve.

The run folder and its resume state are :mod:`models.checkpoints`; the prompts of every step
are :mod:`models.data`.
"""

from __future__ import annotations

import json
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from boolfun.devices import check_memory, resolve_device
from models.checkpoints import (
    METRICS,
    STATE,
    WEIGHTS,
    check_incomplete_first_checkpoint,
    lock_run_folder,
    metric_step,
    resume_run,
    save_checkpoint,
)
from models.config import TrainConfig
from models.data import PromptSource, curriculum, eval_prompts
from models.steps import EagerStep, GraphStep, make_optimizer
from models.threads import training_threads, using_threads
from models.wrapper import InContextModel

ESTIMATE_AFTER = 3
"""Steps after which a run reports its measured speed and the time it still needs."""

Estimate = Callable[[dict[str, Any]], None]


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message names the step and the last checkpoint."""


class TrainingInterrupted(KeyboardInterrupt):
    """Training was interrupted (Ctrl-C): it stopped at the end of a step and saved a
    checkpoint of that step first (the message says where); the same call resumes it exactly
    as if it had not stopped."""


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


def train(
    config: TrainConfig,
    out: Path | str | None = None,
    *,
    resume: bool = True,
    progress: bool = False,
    stop_after: int | None = None,
    estimate: Estimate | None = None,
) -> dict[str, Any]:
    """Train the model of ``config``; return a summary.

    ``out``: the run folder (``None``: nothing is written). An existing checkpoint there is
    resumed when ``resume`` (its config must equal ``config`` up to
    :data:`models.checkpoints.RESUME_MUTABLE`), else ``ValueError``; a corrupt or mismatched
    checkpoint raises ``ValueError`` and nothing is overwritten. ``stop_after``: stop (with a
    checkpoint) after that step, as if killed. A non-finite loss raises
    :class:`TrainingDiverged` naming the step and the last checkpoint. The summary: ``steps``
    done, ``stopped`` (``"steps"``, ``"target"``, ``"stop_after"``, ``"time"`` after
    ``max_seconds``), ``losses`` (``[step, loss]`` per log step), the last evaluation
    (``eval_accuracy``: accuracy at positions >= ``target_from``), ``seconds`` and
    ``steps_per_second`` of this call, and ``threads``: the torch CPU threads it used
    (:func:`models.threads.training_threads`; also in every loss line of ``metrics.jsonl``).
    ``estimate``: called once, after :data:`ESTIMATE_AFTER` steps, with the measured speed
    and the time the remaining steps will take (:func:`speed_estimate`).
    """
    if not isinstance(config, TrainConfig):
        raise ValueError(f"config must be a TrainConfig, got {type(config).__name__}")
    if stop_after is not None and (not isinstance(stop_after, int) or stop_after < 1):
        raise ValueError(f"stop_after must be an integer >= 1, got {stop_after!r}")
    dev = resolve_device(config.device)
    needed, what = config.memory()
    check_memory(needed, dev, what)
    threads = training_threads(config)
    outp = Path(out) if out is not None else None
    with lock_run_folder(outp), stop_on_interrupt() as interrupted, using_threads(threads):
        summary = _train(
            config, outp, dev, interrupted, resume, progress, stop_after, estimate
        )
    if summary["stopped"] == "interrupted":
        where = (
            f"; checkpoint of step {summary['steps']} saved in {outp}: the same call resumes it"
            if outp is not None
            else ""
        )
        raise TrainingInterrupted(f"interrupted at step {summary['steps']}{where}")
    return summary


@contextmanager
def stop_on_interrupt() -> Iterator[threading.Event]:
    """While the block runs, a first Ctrl-C (SIGINT) only sets the yielded event, so the loop
    can stop at the end of the step with a checkpoint; a second one interrupts at once. Off
    the main thread (where signals cannot be handled) the event is never set."""
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum: int, frame: Any) -> None:
        if flag.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        flag.set()

    signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def prepare_metrics(outp: Path | None, has_ckpt: bool, start: int) -> Path | None:
    """The ``metrics.jsonl`` of run folder ``outp`` (``None``: none), ready for appending:
    a resumed run keeps the lines up to its checkpoint's step ``start`` (later ones, and a
    line cut short by a kill, are dropped); a new run starts it empty."""
    if outp is None:
        return None
    metrics_path = outp / METRICS
    outp.mkdir(parents=True, exist_ok=True)
    kept = []
    if has_ckpt and metrics_path.exists():
        lines = metrics_path.read_text().splitlines()
        kept = [line for line in lines if metric_step(line) <= start]
    metrics_path.write_text("".join(line + "\n" for line in kept))
    return metrics_path


def _train(
    config: TrainConfig,
    outp: Path | None,
    dev: torch.device,
    interrupted: threading.Event,
    resume: bool,
    progress: bool,
    stop_after: int | None,
    estimate: Estimate | None = None,
) -> dict[str, Any]:
    """:func:`train` in a run folder this process holds (or none), with the threads set."""
    has_ckpt = outp is not None and (outp / STATE).exists()
    if has_ckpt and not resume:
        raise ValueError(f"{outp} already holds a checkpoint; resume it or choose another out")
    if outp is not None and not has_ckpt and (outp / WEIGHTS).exists():
        # no state: the first checkpoint never completed (a kill or a full disk between its
        # files); the run starts again from step 0, if the folder is this config's
        check_incomplete_first_checkpoint(outp, config)

    torch.manual_seed(config.seed)
    raw = InContextModel.from_config(config).to(dev)
    trainable = [p for p in raw.parameters() if p.requires_grad]  # a frozen backbone: not its
    optimizer = make_optimizer(trainable, config.lr, dev, graph=config.cuda_graph)
    source = PromptSource(config, dev)
    start = resume_run(outp, config, raw, optimizer, source) if has_ckpt else 0
    model = torch.compile(raw) if config.compile else raw
    bf16 = config.autocast_bf16
    step_kind = GraphStep if config.cuda_graph else EagerStep
    run_step = step_kind(model, optimizer, bf16)
    exs, eys = (
        eval_prompts(config, dev) if config.eval_every or config.target_accuracy else (None, None)
    )
    frm = min(config.target_from, config.points - 1)

    losses: list[list[float]] = []
    metrics_path = prepare_metrics(outp, has_ckpt, start)
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
        if estimate is not None and step == start + ESTIMATE_AFTER and step < end:
            estimate(speed_estimate(config, step - start, time.perf_counter() - t0, end - step))
        if step % config.log_every == 0 or step == end:
            value = loss.item()
            check_losses()
            losses.append([step, value])
            points, dims = curriculum(config, step - 1)
            lr = lr_at(config, step - 1)
            log(
                {
                    "step": step,
                    "loss": value,
                    "lr": lr,
                    "points": points,
                    "dims": dims,
                    "threads": torch.get_num_threads(),
                }
            )
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
        if interrupted.is_set() and step < end:
            stopped = "interrupted"
        elif config.max_seconds and time.perf_counter() - t0 >= config.max_seconds and step < end:
            stopped = "time"
        if stopped in ("interrupted", "time"):
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
        "threads": torch.get_num_threads(),
        "config": config.to_dict(),
    }


def speed_estimate(
    config: TrainConfig, steps: int, seconds: float, remaining: int, models: int = 1
) -> dict[str, Any]:
    """What a run reports after its first ``steps`` steps took ``seconds``: its device, threads,
    ``steps_per_second`` and ``seconds_left`` for the ``remaining`` steps at that speed (the
    first steps include warm-up, so the figure errs long), and ``models`` trained together."""
    rate = steps / seconds if seconds > 0 else math.inf
    return {
        "device": config.device,
        "threads": torch.get_num_threads(),
        "models": models,
        "steps_per_second": rate,
        "remaining_steps": remaining,
        "seconds_left": remaining / rate if rate > 0 else math.inf,
    }
