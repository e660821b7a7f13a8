"""Hyena: data-controlled gating interleaved with implicit long convolutions (order 2).

A projection of the input gives ``order + 1`` streams ``v, x^1, ..., x^order`` (each passed
through a short causal depthwise convolution of width 3). The operator is the recurrence

    z^0 = v,    z^i = x^i * (h^i * z^{i-1} + b^i z^{i-1})    (i = 1..order),

where ``h^i * z`` is a causal convolution over time (per channel) with a long filter ``h^i[t]``
and ``b^i`` a per-channel bias. The filters are implicit: a small MLP with sine activations
maps positional features ``p(t) = (t/T, sin(2 pi f t/T), cos(2 pi f t/T))_{f=1..F}`` of
``T = max_len`` to ``order * D`` values, multiplied by an exponential decay window
``exp(-alpha_c t/T)`` with per-channel rates spread between a fast and a slow decay. The
convolutions run by FFT with zero padding to ``2L`` (causal, no wrap-around).

A block is ``x <- x + W_o Hyena(LN(x))`` then ``x <- x + MLP(LN(x))`` (GELU MLP); a final
LayerNorm closes the stack. ``heads`` is ignored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from models.backbones._common import (
    MLP,
    LayerNorm,
    causal_depthwise_conv,
    residual,
    run_blocks,
)


@dataclass
class HyenaConfig:
    d_model: int = 256
    layers: int = 4
    max_len: int = 280  # positional features are normalised by it; longer inputs are refused
    dropout: float = 0.0
    order: int = 2  # number of gated long convolutions
    filter_width: int = 64  # hidden width of the implicit filter MLP
    filter_bands: int = 8  # F: sine/cosine frequencies in the positional features
    filter_freq: float = 1.0  # frequency of the sine activations
    short_kernel: int = 3  # width of the short causal depthwise convolution


def causal_fft_conv(u_BxDxL: torch.Tensor, k_DxL: torch.Tensor) -> torch.Tensor:
    """``y[..., t] = sum_{s <= t} k[..., s] u[..., t - s]`` by FFT of length ``2L``."""
    L = u_BxDxL.shape[-1]
    u_f = torch.fft.rfft(u_BxDxL.float(), n=2 * L)
    k_f = torch.fft.rfft(k_DxL.float(), n=2 * L)
    return torch.fft.irfft(u_f * k_f, n=2 * L)[..., :L].to(u_BxDxL.dtype)


class Sin(nn.Module):
    def __init__(self, width: int, freq: float) -> None:
        super().__init__()
        self.freq = nn.Parameter(freq * torch.ones(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.freq * x)


class ImplicitFilter(nn.Module):
    """``h_OxDxL``: the long filters at positions ``0..L-1`` (see the module docstring)."""

    def __init__(self, cfg: HyenaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        emb = 1 + 2 * cfg.filter_bands
        W = cfg.filter_width
        self.mlp = nn.Sequential(
            nn.Linear(emb, W),
            Sin(W, cfg.filter_freq),
            nn.Linear(W, W),
            Sin(W, cfg.filter_freq),
            nn.Linear(W, cfg.order * cfg.d_model, bias=False),
        )
        for m in self.mlp:
            m.keep_init = True  # sine networks keep torch's default (uniform) initialisation
        target, fast, slow = 1e-2, 0.3, 1.5  # the window falls to `target` after fast..slow * T
        rates = torch.linspace(math.log(target) / slow, math.log(target) / fast, cfg.d_model).abs()
        self.register_buffer("rates_D", rates, persistent=False)
        self.bias_OxD = nn.Parameter(torch.randn(cfg.order, cfg.d_model))

    def forward(self, L: int) -> torch.Tensor:
        device = self.rates_D.device
        t_L = torch.arange(L, device=device, dtype=torch.float32) / self.cfg.max_len
        f_F = torch.arange(1, self.cfg.filter_bands + 1, device=device, dtype=torch.float32)
        ang_LxF = 2 * math.pi * t_L[:, None] * f_F
        p_LxE = torch.cat((t_L[:, None], ang_LxF.sin(), ang_LxF.cos()), dim=-1)
        h_LxOD = self.mlp(p_LxE)
        window_DxL = torch.exp(-self.rates_D[:, None] * t_L)
        return h_LxOD.T.reshape(self.cfg.order, self.cfg.d_model, L) * window_DxL


class HyenaOperator(nn.Module):
    def __init__(self, cfg: HyenaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        streams = (cfg.order + 1) * cfg.d_model
        self.in_proj = nn.Linear(cfg.d_model, streams)
        self.short = nn.Conv1d(
            streams, streams, cfg.short_kernel, groups=streams, padding=cfg.short_kernel - 1
        )
        self.filter = ImplicitFilter(cfg)
        self.out_proj = residual(nn.Linear(cfg.d_model, cfg.d_model))
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        L = x_BxLxD.shape[1]
        u_BxSxL = causal_depthwise_conv(
            self.in_proj(x_BxLxD).transpose(1, 2), self.short.weight, self.short.bias
        )
        v_BxDxL, *gates = u_BxSxL.chunk(self.cfg.order + 1, dim=1)
        h_OxDxL = self.filter(L)
        z_BxDxL = v_BxDxL
        for i, g_BxDxL in enumerate(gates):
            conv = causal_fft_conv(z_BxDxL, h_OxDxL[i])
            z_BxDxL = g_BxDxL * (conv + self.filter.bias_OxD[i, :, None] * z_BxDxL)
        # contiguous: the same rounding alone and stacked (see _common's docstring)
        return self.drop(self.out_proj(z_BxDxL.transpose(1, 2).contiguous()))


class HyenaBlock(nn.Module):
    def __init__(self, cfg: HyenaConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(cfg.d_model)
        self.mixer = HyenaOperator(cfg)
        self.ln_2 = LayerNorm(cfg.d_model)
        self.mlp = MLP(cfg.d_model, cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        x_BxLxD = x_BxLxD + self.mixer(self.ln_1(x_BxLxD))
        return x_BxLxD + self.mlp(self.ln_2(x_BxLxD))


class Hyena(nn.Module):
    """Causal stack of Hyena blocks ``(B, L, D) -> (B, L, D)`` for ``L <= max_len``."""

    def __init__(
        self,
        d_model: int,
        layers: int,
        heads: int = 1,
        max_len: int = 280,
        dropout: float = 0.0,
        order: int = 2,
    ) -> None:
        super().__init__()
        if order < 1:
            raise ValueError(f"order must be >= 1, got {order}")
        self.cfg = cfg = HyenaConfig(d_model, layers, max_len, dropout, order)
        self.blocks = nn.ModuleList(HyenaBlock(cfg) for _ in range(cfg.layers))
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        return run_blocks(self.blocks, self.ln_f, h_BxLxD, self.cfg.max_len)
