"""Helpers shared by the backbone files."""

from __future__ import annotations

import torch
import torch.nn.functional as F
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


class MLP(nn.Module):
    """The GPT-2 MLP ``W_2 gelu(W_1 x)`` of hidden width ``4 D`` (``W_2`` a residual
    projection), with dropout on its output."""

    def __init__(self, d_model: int, dropout: float) -> None:
        super().__init__()
        self.c_fc = nn.Linear(d_model, 4 * d_model)
        self.c_proj = residual(nn.Linear(4 * d_model, d_model))
        self.drop = nn.Dropout(dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        return self.drop(self.c_proj(F.gelu(self.c_fc(x_BxLxD))))


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
