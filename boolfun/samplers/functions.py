"""Exact :mod:`boolfun` objects from the parameter tensors of a vectorised sample."""

from __future__ import annotations

import numpy as np
import torch

from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.tasks import Task


def _literals(pos: np.ndarray, neg: np.ndarray) -> list[int]:
    """Signed 1-based literals of boolean masks of length n."""
    return (np.flatnonzero(pos) + 1).tolist() + (-(np.flatnonzero(neg) + 1)).tolist()


def build_functions(task: Task, n: int, params: dict[str, torch.Tensor]) -> list[BooleanFunction]:
    """One function per prompt, built on the CPU from the sampler's parameters."""
    family = task.family
    p = {k: v.cpu().numpy() for k, v in params.items()}
    if family in ("conjunction", "disjunction"):
        cls = Conjunction if family == "conjunction" else Disjunction
        return [
            cls(n, _literals(pos[0], neg[0]))
            for pos, neg in zip(p["positive"], p["negative"], strict=True)
        ]
    if family in ("dnf", "cnf"):
        two = DNF if family == "dnf" else CNF
        return [
            two(n, [_literals(a, b) for a, b in zip(pos, neg, strict=True)])
            for pos, neg in zip(p["positive"], p["negative"], strict=True)
        ]
    if family in ("majority", "parity"):
        sub = Majority if family == "majority" else Parity
        return [sub(n, (np.flatnonzero(s) + 1).tolist()) for s in p["subset"]]
    if family in ("threshold", "halfspace"):
        cls = Threshold if family == "threshold" else Halfspace
        biases = task.dist.biases
        return [
            cls(n, w.tolist(), biases[int(b)]) for w, b in zip(p["weights"], p["bias"], strict=True)
        ]
    raise ValueError(f"task {task.name!r} has no fixed function per prompt")
