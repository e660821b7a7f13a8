"""Helpers shared by the backbone files."""

from __future__ import annotations

import torch
from torch import nn


def check_length(length: int, max_len: int) -> None:
    """Raise ``ValueError`` when a sequence is longer than the backbone was built for."""
    if length > max_len:
        raise ValueError(
            f"sequence length {length} exceeds the backbone's max_len={max_len}; "
            "build the model with a larger max_len (max_points)"
        )


def residual(linear: nn.Linear) -> nn.Linear:
    """Flag ``linear`` as a residual output projection (scaled init in :func:`init_weights`)."""
    linear.residual_proj = True  # type: ignore[attr-defined]
    return linear


def run_blocks(
    blocks: nn.ModuleList, ln_f: nn.Module, h_BxLxD: torch.Tensor, max_len: int
) -> torch.Tensor:
    """``ln_f(block_k(...block_1(h)))`` after checking the length: the forward pass of every
    residual stack of blocks."""
    check_length(h_BxLxD.shape[1], max_len)
    x_BxLxD = h_BxLxD
    for block in blocks:
        x_BxLxD = block(x_BxLxD)
    return ln_f(x_BxLxD)
