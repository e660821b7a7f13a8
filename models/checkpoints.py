"""The run folder: what a training run writes, and how it is saved, loaded and resumed.

A run folder holds

- ``config.json``: the :class:`models.config.TrainConfig` (the model is rebuilt from it alone);
- ``model.safetensors``: the weights, with the step in the file's metadata; for a pretrained
  backbone (``hf:PATH``, :mod:`models.pretrained`) only the trained weights, and the base
  model's name and weight digest in the metadata (``base_model``, ``base_sha256``), checked
  when the run is loaded;
- ``state.pt``: the resume state: the step, the optimizer state, the RNG states of torch and of
  the prompt generator, and a copy of the weights;
- ``metrics.jsonl``: one JSON line per log step and per evaluation (:mod:`models.train`).

Each file is written to a temporary name and renamed, ``state.pt`` last, so a killed run
resumes from its last complete checkpoint: :func:`resume` restores all of it, and the run then
continues exactly as an uninterrupted one would.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

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
    "threads",
)
"""Config fields that may differ between a checkpoint and the run that resumes it."""

WEIGHTS, CONFIG, STATE, METRICS = "model.safetensors", "config.json", "state.pt", "metrics.jsonl"

LATER_FIELDS = {"freeze": "none", "init": "pretrained"}
"""Config fields added after runs were first saved, and the value every earlier run has:
left out of :func:`config_digest` at that value, so earlier run folders still load."""


def config_digest(config: TrainConfig) -> str:
    """SHA-256 of the config's fields that a run may not change (all but
    :data:`RESUME_MUTABLE`, and :data:`LATER_FIELDS` at their old value), as canonical JSON:
    it ties the weights to their config."""
    fixed = {
        k: v
        for k, v in config.to_dict().items()
        if k not in RESUME_MUTABLE and LATER_FIELDS.get(k, object()) != v
    }
    return hashlib.sha256(json.dumps(fixed, sort_keys=True).encode()).hexdigest()


def weights_digest(tensors: dict[str, torch.Tensor]) -> str:
    """SHA-256 of named tensors: every name, dtype, shape and the bytes of the data, in name
    order (any change of a bit, a shape or a dtype changes it)."""
    h = hashlib.sha256()
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


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
    digest = weights_digest(tensors)
    meta = {"step": str(step), "config_sha256": config_digest(config), "weights_sha256": digest}
    meta.update(base_record(model))
    atomic_write(out / WEIGHTS, lambda p: save_file(tensors, str(p), metadata=meta))
    state = {
        "step": step,
        "model": tensors,
        "weights_sha256": digest,
        "optimizer": _portable(optimizer.state_dict()),
        "generator": source.generator.get_state(),
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }
    atomic_write(out / STATE, lambda p: torch.save(state, p))


def load_weights(out: Path | str, model: torch.nn.Module, config: TrainConfig) -> tuple[int, str]:
    """Load ``model.safetensors`` of run ``out`` (whose config is ``config``) into ``model``;
    returns the stored step and the weights' digest.

    The file must be a safetensors file whose metadata ties it to ``config``
    (:func:`config_digest`) and to its own contents (:func:`weights_digest`), with exactly the
    model's tensors, names, shapes and dtypes, all finite. Anything else raises ``ValueError``
    and ``model`` is left as it was.
    """
    path = Path(out) / WEIGHTS
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors raises its own error types
        raise ValueError(f"checkpoint {path} is missing or corrupt: {e}") from None
    missing = [k for k in ("step", "config_sha256", "weights_sha256") if k not in meta]
    if missing:
        raise ValueError(
            f"checkpoint {path} lacks its {', '.join(missing)} record: not written by this "
            "version of boolicl, or damaged"
        )
    if meta["config_sha256"] != config_digest(config):
        raise ValueError(
            f"checkpoint {path} was not trained with the {CONFIG} beside it (the config was "
            "edited, or the files come from different runs)"
        )
    digest = weights_digest(tensors)
    if meta["weights_sha256"] != digest:
        raise ValueError(f"checkpoint {path} is damaged: its tensors do not match their digest")
    _check_base(meta, model, str(path))
    _check_tensors(tensors, model, str(path))
    model.load_state_dict(tensors, strict=True)
    try:
        return int(meta["step"]), digest
    except ValueError:
        raise ValueError(f"checkpoint {path} records a step that is not an integer") from None


def base_record(model: torch.nn.Module) -> dict[str, str]:
    """The base model's name and weight digest of a pretrained backbone
    (:meth:`models.wrapper.InContextModel.checkpoint_metadata`); empty for other models."""
    record = getattr(model, "checkpoint_metadata", None)
    return dict(record()) if callable(record) else {}


def _check_base(meta: dict[str, str], model: torch.nn.Module, where: str) -> None:
    """The checkpoint's base model is the model's: same name and same weight digest, else
    ``ValueError`` (trained read-in / read-out belong to the frozen weights they saw)."""
    own = base_record(model)
    if not own:
        return
    if "base_sha256" not in meta:
        raise ValueError(
            f"checkpoint {where} lacks its base model record (base_model, base_sha256): not "
            "written for a pretrained backbone"
        )
    if meta["base_sha256"] != own["base_sha256"]:
        raise ValueError(
            f"checkpoint {where} was trained on base model {meta.get('base_model')!r} with "
            f"weights sha256 {meta['base_sha256'][:16]}..., but {own['base_model']!r} now has "
            f"weights sha256 {own['base_sha256'][:16]}...: its weights changed (or the folder "
            "holds another model); the trained read-in and read-out do not belong to them"
        )


def _check_tensors(tensors: dict[str, torch.Tensor], model: torch.nn.Module, where: str) -> None:
    """The model's own names, shapes and dtypes, and finite values; else ``ValueError``."""
    own = model.state_dict()
    if set(tensors) != set(own):
        extra, lack = sorted(set(tensors) - set(own)), sorted(set(own) - set(tensors))
        raise ValueError(
            f"checkpoint {where} does not match the model of its config: "
            f"unexpected {extra[:3]}, missing {lack[:3]}"
        )
    for name, t in tensors.items():
        if t.shape != own[name].shape or t.dtype != own[name].dtype:
            raise ValueError(
                f"checkpoint {where} does not match the model of its config: {name} is "
                f"{t.dtype} {tuple(t.shape)}, the model's is {own[name].dtype} "
                f"{tuple(own[name].shape)}"
            )
        if t.is_floating_point() and not bool(torch.isfinite(t).all()):
            raise ValueError(f"checkpoint {where} holds non-finite values in {name}")


def load_model(
    out: Path | str, device: str | torch.device = "cpu"
) -> tuple[InContextModel, TrainConfig]:
    """The trained model of run folder ``out`` (eval mode, on ``device``) and its config."""
    out = Path(out)
    if not (out / CONFIG).is_file():
        raise ValueError(f"{out} is not a run folder: {CONFIG} is missing")
    config = TrainConfig.load(out / CONFIG)
    model = InContextModel.from_config(config)
    load_weights(out, model, config)
    return model.to(device).eval(), config


def check_resumable(out: Path, config: TrainConfig) -> TrainConfig | None:
    """The saved config of run folder ``out`` when a run of ``config`` may resume there (equal
    up to :data:`RESUME_MUTABLE`); ``None`` when ``out`` holds no checkpoint yet; else
    ``ValueError`` naming the fields that differ."""
    if not (out / STATE).exists():
        return None
    saved = TrainConfig.load(out / CONFIG)
    diff = [
        f.name
        for f in fields(config)
        if f.name not in RESUME_MUTABLE and getattr(saved, f.name) != getattr(config, f.name)
    ]
    if diff:
        raise ValueError(
            f"cannot resume {out}: its config differs in {', '.join(diff)} "
            f"(use another run folder, or the same settings)"
        )
    return saved


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
    saved = check_resumable(out, config)
    try:  # weights_only: plain containers and tensors, never code from the file
        state = torch.load(out / STATE, map_location="cpu", weights_only=True)
        step = int(state["step"])
        opt_state = state["optimizer"]
        gen_state, rng_state = state["generator"], state["torch_rng"]
        state_weights, state_digest = state["model"], state["weights_sha256"]
    except pickle.UnpicklingError:
        raise ValueError(
            f"checkpoint {out / STATE} is corrupt or unsafe: it holds objects other than tensors "
            "and plain values, and loading those could run code; it was not loaded"
        ) from None
    except Exception as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"checkpoint {out / STATE} is corrupt or unsafe: {first}") from None
    if weights_digest(state_weights) != state_digest:
        raise ValueError(
            f"checkpoint {out / STATE} is damaged: its weights do not match their digest"
        )
    _check_tensors(state_weights, model, str(out / STATE))
    weights_step, digest = load_weights(out, model, saved)  # readable, of this architecture
    # weights newer than the state: the run was killed between the two renames of one
    # checkpoint, and the state holds the weights of its own step. The same weights must
    # carry the same step.
    same = digest == state_digest
    if (weights_step == step) != same or weights_step < step:
        raise ValueError(
            f"checkpoint {out} is inconsistent: weights of step {weights_step}, "
            f"state of step {step}" + (" with the same weights" if same else "")
        )
    try:
        model.load_state_dict(state_weights, strict=True)
        # this run's implementation flags (fused / capturable) and learning-rate object win
        # over the saved ones: a run may resume on another device or with(out) a CUDA graph
        for kept, group in zip(opt_state["param_groups"], optimizer.param_groups, strict=True):
            kept.update({k: group[k] for k in ("lr", "fused", "capturable", "foreach")})
        optimizer.load_state_dict(opt_state)
        source.generator.set_state(gen_state)
        torch.set_rng_state(rng_state)
    except (ValueError, RuntimeError, TypeError) as e:
        raise ValueError(f"checkpoint {out / STATE} does not match this run: {e}") from None
    if state.get("cuda_rng") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return step


@contextmanager
def lock_run_folder(out: Path | None) -> Iterator[None]:
    """Hold run folder ``out`` (created if needed) for this process while the block runs: a
    second process that tries raises ``ValueError`` at once instead of mixing its checkpoints
    and metrics into the first one's. ``None``: no folder, nothing to hold. The lock is the
    operating system's advisory lock on the folder itself (``flock``), released when the
    block ends or the process dies; where ``fcntl`` does not exist nothing is locked."""
    if out is None or fcntl is None:
        yield
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_RDONLY)
    except OSError as e:
        raise ValueError(f"run folder {out} cannot be created or opened: {e.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise ValueError(
                f"run folder {out} is in use by another training process; wait for it to "
                "finish or use another run folder"
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def check_incomplete_first_checkpoint(out: Path, config: TrainConfig) -> None:
    """``out`` holds weights but no resume state: its first checkpoint never completed (the
    state is written last, so any completed checkpoint leaves one). Training may start again
    there from step 0, overwriting those files, if they belong to ``config``; a folder of
    another config raises ``ValueError``."""
    if (out / CONFIG).exists():
        try:
            saved = TrainConfig.load(out / CONFIG)
        except ValueError:
            saved = None
        if saved is None or config_digest(saved) != config_digest(config):
            raise ValueError(
                f"{out} holds {WEIGHTS} but no {STATE} (an incomplete first checkpoint) of "
                "another config: use another run folder, or remove it"
            )
