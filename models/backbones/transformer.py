"""GPT-2 style causal Transformer (pre-LayerNorm, learned absolute positions).

Each block is ``x <- x + Attn(LN(x)); x <- x + MLP(LN(x))`` with causal multi-head attention
``softmax(Q K^T / sqrt(d_head) + M) V`` (``M[t, s] = -inf`` for ``s > t``, computed by
``scaled_dot_product_attention(is_causal=True)``) and a GELU MLP of width ``4 d_model``. The
input is ``h + W_pos[t]``; a final LayerNorm closes the stack.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from models.backbones._common import MLP, LayerNorm, check_length, residual


@dataclass
class TransformerConfig:
    d_model: int = 256
    layers: int = 12
    heads: int = 8
    max_len: int = 280  # learned position table size (2 * points)
    dropout: float = 0.0


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.heads = cfg.heads
        self.dropout = cfg.dropout
        self.c_attn = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.c_proj = residual(nn.Linear(cfg.d_model, cfg.d_model))
        self.resid_drop = nn.Dropout(cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        B, L, D = x_BxLxD.shape
        q, k, v = self.c_attn(x_BxLxD).split(D, dim=2)
        q_BxHxLxK, k_BxHxLxK, v_BxHxLxK = (
            t.view(B, L, self.heads, D // self.heads).transpose(1, 2) for t in (q, k, v)
        )
        y_BxHxLxK = F.scaled_dot_product_attention(
            q_BxHxLxK,
            k_BxHxLxK,
            v_BxHxLxK,
            is_causal=True,
            dropout_p=self.dropout if self.training else 0.0,
        )
        y_BxLxD = y_BxHxLxK.transpose(1, 2).reshape(B, L, D)
        return self.resid_drop(self.c_proj(y_BxLxD))

    def attention_weights(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        """The attention probabilities ``softmax(Q K^T / sqrt(d_head) + M)`` (``BxHxLxL``,
        rows summing to 1, zero above the diagonal) that :meth:`forward` applies to ``x``
        (without dropout), recomputed from the same projections; the forward path itself
        never forms them (for :mod:`models.attention`)."""
        B, L, D = x_BxLxD.shape
        q, k, _ = self.c_attn(x_BxLxD).split(D, dim=2)
        q_BxHxLxK, k_BxHxLxK = (
            t.view(B, L, self.heads, D // self.heads).transpose(1, 2) for t in (q, k)
        )
        s_BxHxLxL = q_BxHxLxK @ k_BxHxLxK.transpose(-1, -2) / math.sqrt(D // self.heads)
        future_LxL = torch.ones(L, L, dtype=torch.bool, device=x_BxLxD.device).triu(1)
        return s_BxHxLxL.masked_fill(future_LxL, float("-inf")).softmax(dim=-1)


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(cfg.d_model)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg.d_model)
        self.mlp = MLP(cfg.d_model, cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        x_BxLxD = x_BxLxD + self.attn(self.ln_1(x_BxLxD))
        return x_BxLxD + self.mlp(self.ln_2(x_BxLxD))


class Transformer(nn.Module):
    """Causal pre-LN Transformer ``(B, L, D) -> (B, L, D)`` for ``L <= max_len``."""

    def __init__(
        self, d_model: int, layers: int, heads: int, max_len: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        if d_model % heads != 0:
            raise ValueError(f"d_model={d_model} must be divisible by heads={heads}")
        self.cfg = cfg = TransformerConfig(d_model, layers, heads, max_len, dropout)
        self.wpe = nn.Embedding(cfg.max_len, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.layers))
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        L = h_BxLxD.shape[1]
        check_length(L, self.cfg.max_len)
        pos_L = torch.arange(L, device=h_BxLxD.device)
        x_BxLxD = self.drop(h_BxLxD + self.wpe(pos_L))
        for block in self.blocks:
            x_BxLxD = block(x_BxLxD)
        return self.ln_f(x_BxLxD)
