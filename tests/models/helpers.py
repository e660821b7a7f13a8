"""Tiny training configurations and run-folder helpers shared by the models tests."""

from __future__ import annotations

from pathlib import Path

import torch

from models.checkpoints import load_model
from models.config import TrainConfig

TINY = dict(task="conjunction", n=5, points=20, layers=1, width=16, heads=2, batch=16, lr=3e-3)


def tiny(**kw) -> TrainConfig:
    """A one-layer, width-16 conjunction run of 6 steps (``kw`` overrides any field)."""
    return TrainConfig(**{**TINY, "steps": 6, "eval_every": 0, "log_every": 1, **kw})


def weights(run: Path) -> dict[str, torch.Tensor]:
    """The weights of run folder ``run``."""
    model, _ = load_model(run)
    return {k: v.clone() for k, v in model.state_dict().items()}
