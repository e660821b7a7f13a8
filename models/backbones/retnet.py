"""RetNet: multi-scale retention, with equal parallel and recurrent forms.

Per head (``d_k = D / heads``) with decay ``gamma_h = 1 - 2^(-5 - h)`` and queries/keys rotated
by their position (``q_n e^{i n theta}``, ``theta_j = 10000^(-2j/d_k)``, as in xPos without
its scaling), retention is

    parallel:   O = (Q K^T / sqrt(d_k)  ⊙  Γ) V,   Γ[n, m] = gamma^(n - m) if n >= m else 0,
    recurrent:  S_n = gamma S_{n-1} + K_n^T V_n,   o_n = Q_n S_n / sqrt(d_k)    (S_{-1} = 0),

two evaluations of the same sum ``o_n = sum_{m <= n} gamma^(n-m) (q_n . k_m) v_m / sqrt(d_k)``.
The heads' outputs are normalised per head (GroupNorm, which also makes the paper's
scale normalisations of ``Γ`` and of the scores unnecessary: they rescale each head's output at
each position, which the per-position GroupNorm removes) and gated:
``MSR(X) = W_O (swish(X W_G) ⊙ GroupNorm(O))``. A block is ``x <- x + MSR(LN(x))`` then
``x <- x + MLP(LN(x))`` (GELU); a final LayerNorm closes the stack. There is no positional table:
``max_len`` is only checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from models.backbones._common import MLP, GroupNorm, LayerNorm, check_length, residual


@dataclass
class RetNetConfig:
    d_model: int = 256
    layers: int = 4
    heads: int = 8
    max_len: int = 280  # longest sequence accepted
    dropout: float = 0.0


def rotate(x_BxHxLxK: torch.Tensor, offset: int = 0) -> torch.Tensor:
    """Rotate consecutive pairs of features of position ``n`` by angles ``(n + offset) theta_j``."""
    L, K = x_BxHxLxK.shape[-2:]
    theta_J = 10000.0 ** (-torch.arange(0, K, 2, device=x_BxHxLxK.device).float() / K)
    n_L = torch.arange(offset, offset + L, device=x_BxHxLxK.device).float()
    ang_LxJ = n_L[:, None] * theta_J
    cos, sin = ang_LxJ.cos(), ang_LxJ.sin()
    x1, x2 = x_BxHxLxK[..., 0::2], x_BxHxLxK[..., 1::2]
    out = torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1)
    return out.flatten(-2).to(x_BxHxLxK.dtype)


class MultiScaleRetention(nn.Module):
    def __init__(self, cfg: RetNetConfig) -> None:
        super().__init__()
        if cfg.d_model % cfg.heads or (cfg.d_model // cfg.heads) % 2:
            raise ValueError(
                f"d_model={cfg.d_model} must be divisible by heads={cfg.heads} into an even "
                "head width (rotations act on pairs)"
            )
        self.heads = cfg.heads
        D = cfg.d_model
        self.qkv = nn.Linear(D, 3 * D, bias=False)
        self.gate = nn.Linear(D, D, bias=False)
        self.o_proj = residual(nn.Linear(D, D, bias=False))
        self.norm = GroupNorm(cfg.heads, D)
        gammas = 1 - 2.0 ** (-5 - torch.arange(cfg.heads, dtype=torch.float32))
        self.register_buffer("log_gamma_H", gammas.log(), persistent=False)

    def _qkv(self, x_BxLxD: torch.Tensor, offset: int = 0) -> tuple[torch.Tensor, ...]:
        B, L, D = x_BxLxD.shape
        q, k, v = (
            t.view(B, L, self.heads, D // self.heads).transpose(1, 2)
            for t in self.qkv(x_BxLxD).split(D, dim=-1)
        )
        scale = 1 / math.sqrt(D // self.heads)
        return rotate(q, offset) * scale, rotate(k, offset), v

    def _output(self, x_BxLxD: torch.Tensor, o_BxHxLxK: torch.Tensor) -> torch.Tensor:
        B, L, D = x_BxLxD.shape
        o_BxLxD = o_BxHxLxK.transpose(1, 2).reshape(B * L, D)
        y_BxLxD = self.norm(o_BxLxD).view(B, L, D)
        return self.o_proj(F.silu(self.gate(x_BxLxD)) * y_BxLxD)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        """Parallel form: ``O = (Q K^T ⊙ Γ) V``."""
        L = x_BxLxD.shape[1]
        q, k, v = self._qkv(x_BxLxD)
        n_L = torch.arange(L, device=x_BxLxD.device)
        diff_LxL = (n_L[:, None] - n_L[None, :]).float()
        decay_HxLxL = torch.exp(self.log_gamma_H[:, None, None] * diff_LxL.clamp(min=0))
        decay_HxLxL = decay_HxLxL * (diff_LxL >= 0)
        o_BxHxLxK = ((q @ k.transpose(-1, -2)) * decay_HxLxL.to(q.dtype)) @ v
        return self._output(x_BxLxD, o_BxHxLxK)

    def retention_weights(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        """The retention matrix ``W = (Q K^T / sqrt(d_k)) ⊙ Γ`` (``BxHxLxL``, zero above the
        diagonal; decayed, signed and not normalised) that :meth:`forward` multiplies ``V`` by,
        recomputed from the same projections (for :mod:`models.attention`)."""
        L = x_BxLxD.shape[1]
        q, k, _ = self._qkv(x_BxLxD)
        n_L = torch.arange(L, device=x_BxLxD.device)
        diff_LxL = (n_L[:, None] - n_L[None, :]).float()
        decay_HxLxL = torch.exp(self.log_gamma_H[:, None, None] * diff_LxL.clamp(min=0))
        decay_HxLxL = decay_HxLxL * (diff_LxL >= 0)
        return (q @ k.transpose(-1, -2)) * decay_HxLxL.to(q.dtype)

    def forward_recurrent(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        """Recurrent form: ``S_n = gamma S_{n-1} + k_n^T v_n``, ``o_n = q_n S_n``, one step per
        position (the projections are position-wise, so they are computed for all at once)."""
        B, L, D = x_BxLxD.shape
        q, k, v = self._qkv(x_BxLxD)
        gamma_Hx1x1 = self.log_gamma_H.exp()[:, None, None].to(q.dtype)
        K = D // self.heads
        S_BxHxKxK = q.new_zeros(B, self.heads, K, K)
        outs = []
        for n in range(L):
            S_BxHxKxK = gamma_Hx1x1 * S_BxHxKxK + k[:, :, n, :, None] * v[:, :, n, None, :]
            outs.append((q[:, :, n, None, :] @ S_BxHxKxK).squeeze(-2))
        return self._output(x_BxLxD, torch.stack(outs, dim=2))


class RetNetBlock(nn.Module):
    def __init__(self, cfg: RetNetConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(cfg.d_model)
        self.msr = MultiScaleRetention(cfg)
        self.drop = nn.Dropout(cfg.dropout)
        self.ln_2 = LayerNorm(cfg.d_model)
        self.ffn = MLP(cfg.d_model, cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor, recurrent: bool = False) -> torch.Tensor:
        h = self.ln_1(x_BxLxD)
        y = self.msr.forward_recurrent(h) if recurrent else self.msr(h)
        x_BxLxD = x_BxLxD + self.drop(y)
        return x_BxLxD + self.ffn(self.ln_2(x_BxLxD))


class RetNet(nn.Module):
    """Causal RetNet ``(B, L, D) -> (B, L, D)``; :meth:`forward_recurrent` gives the same
    output step by step."""

    def __init__(
        self, d_model: int, layers: int, heads: int, max_len: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.cfg = cfg = RetNetConfig(d_model, layers, heads, max_len, dropout)
        self.blocks = nn.ModuleList(RetNetBlock(cfg) for _ in range(cfg.layers))
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        return self._run(h_BxLxD, recurrent=False)

    def forward_recurrent(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        """The same map by the recurrent form of retention (for step-by-step inference)."""
        return self._run(h_BxLxD, recurrent=True)

    def _run(self, h_BxLxD: torch.Tensor, recurrent: bool) -> torch.Tensor:
        check_length(h_BxLxD.shape[1], self.cfg.max_len)
        x_BxLxD = h_BxLxD
        for block in self.blocks:
            x_BxLxD = block(x_BxLxD, recurrent=recurrent)
        return self.ln_f(x_BxLxD)
