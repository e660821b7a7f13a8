"""A stacked LSTM projected back to ``d_model``.

Each layer runs the LSTM recurrence (gates ``i, f, o`` sigmoid, candidate ``g`` tanh)

    c_t = f_t * c_{t-1} + i_t * g_t,    h_t = o_t * tanh(c_t),

which is causal by construction; a linear map ``d_model -> d_model`` and a LayerNorm follow the
stack. ``heads`` is accepted for a uniform signature and ignored; ``max_len`` is only checked
(the recurrence has no positional table). Gate weights keep torch's ``U(-1/sqrt(D), 1/sqrt(D))``
initialisation.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.backbones._common import LayerNorm, check_length


@dataclass
class LSTMConfig:
    d_model: int = 256
    layers: int = 2
    max_len: int = 280  # longest sequence accepted
    dropout: float = 0.0  # between LSTM layers


class LSTM(nn.Module):
    """Causal LSTM stack ``(B, L, D) -> (B, L, D)``."""

    def __init__(
        self, d_model: int, layers: int, heads: int = 1, max_len: int = 280, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.cfg = cfg = LSTMConfig(d_model, layers, max_len, dropout)
        self.lstm = nn.LSTM(
            cfg.d_model,
            cfg.d_model,
            num_layers=cfg.layers,
            batch_first=True,
            dropout=cfg.dropout if cfg.layers > 1 else 0.0,
        )
        self.proj = nn.Linear(cfg.d_model, cfg.d_model)
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        check_length(h_BxLxD.shape[1], self.cfg.max_len)
        out_BxLxD, _ = self.lstm(h_BxLxD)
        return self.ln_f(self.proj(out_BxLxD))
