"""Batched draws of function parameters (literal masks, subsets, weights) with torch.

Every draw takes an explicit ``torch.Generator`` and creates its tensors on ``device``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate

import torch


def categorical(
    probs: Sequence[float],
    shape: tuple[int, ...],
    generator: torch.Generator,
    device: torch.device,
) -> torch.Tensor:
    """Independent indices ``i`` with ``P(i) = probs[i]``: int64 of ``shape``."""
    u = torch.rand(shape, generator=generator, device=device, dtype=torch.float64)
    edges = torch.tensor(list(accumulate(probs))[:-1], dtype=torch.float64, device=device)
    return torch.bucketize(u, edges, right=True)


def literal_masks(
    p_positive: float,
    p_negative: float,
    shape: tuple[int, ...],
    generator: torch.Generator,
    device: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Boolean masks ``(positive, negative)`` of ``shape``: every entry independently a
    positive literal w.p. ``p_positive``, a negative one w.p. ``p_negative``, absent otherwise
    (never both)."""
    idx = categorical(
        (p_positive, p_negative, 1.0 - p_positive - p_negative), shape, generator, device
    )
    return idx == 0, idx == 1


def subset_masks(
    k: int, shape: tuple[int, ...], generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """Boolean masks of ``shape = (..., n)`` with exactly ``k`` entries set along the last axis,
    each ``k``-subset equally likely (the ``k`` largest of ``n`` uniform keys)."""
    keys = torch.rand(shape, generator=generator, device=device)
    idx = keys.topk(k, dim=-1).indices
    return torch.zeros(shape, dtype=torch.bool, device=device).scatter_(-1, idx, True)


def bernoulli(
    p: float, shape: tuple[int, ...], generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """Independent booleans, ``True`` w.p. ``p``."""
    return torch.rand(shape, generator=generator, device=device) < p
