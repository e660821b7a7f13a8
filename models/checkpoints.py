"""The run folder: what a training run writes, and how it is saved, loaded and resumed.

A run folder holds

- ``config.json``: the :class:`models.config.TrainConfig` (the model is rebuilt from it alone);
- ``model.safetensors``: the weights, with the step in the file's metadata;
- ``state.pt``: the resume state: the step, the optimizer state, the RNG states of torch and of
  the prompt generator, and a copy of the weights;
- ``metrics.jsonl``: one JSON line per log step and per evaluation (:mod:`models.train`).

Each file is written to a temporary name and renamed, ``state.pt`` last, so a killed run
resumes from its last complete checkpoint: :func:`resume` restores all of it, and the run then
continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import save_file

from models.config import TrainConfig
from models.data import PromptSource
from models.wrapper import InContextModel

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

WEIGHTS, CONFIG, STATE, METRICS = "model.safetensors", "config.json", "state.pt", "metrics.jsonl"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def metric_step(line: str) -> float:
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
    out.mkdir(parents=True, exist_ok=True)
    config.save(out / CONFIG)
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    atomic_write(out / WEIGHTS, lambda p: save_file(tensors, str(p), metadata={"step": str(step)}))
    state = {
        "step": step,
        "model": tensors,
        "optimizer": _portable(optimizer.state_dict()),
        "generator": source.generator.get_state(),
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }
    atomic_write(out / STATE, lambda p: torch.save(state, p))


def load_weights(out: Path | str, model: torch.nn.Module) -> int:
    """Load ``model.safetensors`` of run ``out`` into ``model``; returns the stored step.
    A missing, corrupt or mismatched file raises ``ValueError``."""
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


def load_model(
    out: Path | str, device: str | torch.device = "cpu"
) -> tuple[InContextModel, TrainConfig]:
    """The trained model of run folder ``out`` (eval mode, on ``device``) and its config."""
    out = Path(out)
    if not (out / CONFIG).is_file():
        raise ValueError(f"{out} is not a run folder: {CONFIG} is missing")
    config = TrainConfig.load(out / CONFIG)
    model = InContextModel.from_config(config)
    load_weights(out, model)
    return model.to(device).eval(), config


def resume_run(
    out: Path,
    config: TrainConfig,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    source: PromptSource,
) -> int:
    """Restore the checkpoint of run folder ``out`` into ``model``, ``optimizer`` and the
    prompt generator of ``source`` (and torch's RNG); returns its step. ``config`` must equal
    the saved one up to :data:`RESUME_MUTABLE`; a corrupt, inconsistent or mismatched
    checkpoint raises ``ValueError`` and changes nothing on disk."""
    saved = TrainConfig.load(out / CONFIG)
    diff = [
        f.name
        for f in config.__dataclass_fields__.values()
        if f.name not in RESUME_MUTABLE and getattr(saved, f.name) != getattr(config, f.name)
    ]
    if diff:
        raise ValueError(
            f"cannot resume {out}: its config differs in {', '.join(diff)} "
            f"(use another run folder, or the same settings)"
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
