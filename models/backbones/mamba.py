"""Mamba: a selective state space model (S6) in pure torch.

Each block expands ``x`` to ``E = expand * D`` channels in two branches ``u, z``; ``u`` goes
through a short causal depthwise convolution (width ``conv``) and SiLU. Then, per channel ``e``
and state ``s`` (``N`` of them), with input-dependent step, input and output maps

    dt_t = softplus(W_dt (W_r u_t) + b_dt)  (E),   B_t = W_B u_t (N),   C_t = W_C u_t (N),
    h_t[e, s] = exp(dt_t[e] A[e, s]) h_{t-1}[e, s] + dt_t[e] B_t[s] u_t[e],    h_{-1} = 0,
    y_t[e]    = sum_s C_t[s] h_t[e, s] + D[e] u_t[e],

with ``A = -exp(A_log)`` diagonal and negative (init ``A[e, s] = -(s + 1)``, S4D-Real), ``D = 1``
and ``dt`` initialised log-uniform in ``[1e-3, 1e-1]`` through ``b_dt = softplus^{-1}(dt)``. The
block output is ``W_o (y * silu(z))``, added to the residual stream after a LayerNorm:
``x <- x + Mamba(LN(x))``; a final LayerNorm closes the stack.

:meth:`Mamba.forward` computes the projections for all positions at once and runs the scan as
a loop over time vectorised over batch, channels and states, in segments with a hand-written
backward pass so that training memory does not grow with ``L * E * N``
(:mod:`models.backbones.selective_scan`);
:meth:`Mamba.forward_recurrent` feeds one token at a time through every layer with a
convolution buffer and the state ``h`` — the inference form; the tests check both agree.
``heads`` is ignored; ``max_len`` is only checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from models.backbones._common import (
    LayerNorm,
    Linear,
    causal_depthwise_conv,
    check_length,
    residual,
    run_blocks,
)
from models.backbones.selective_scan import selective_scan


@dataclass
class MambaConfig:
    d_model: int = 256
    layers: int = 4
    max_len: int = 280  # longest sequence accepted
    dropout: float = 0.0
    state: int = 16  # N: SSM state size per channel
    expand: int = 2  # E = expand * d_model inner channels
    conv: int = 4  # width of the causal depthwise convolution
    dt_min: float = 1e-3
    dt_max: float = 1e-1


class MambaMixer(nn.Module):
    def __init__(self, cfg: MambaConfig) -> None:
        super().__init__()
        D, E, N = cfg.d_model, cfg.expand * cfg.d_model, cfg.state
        self.E, self.N, self.K = E, N, cfg.conv
        self.rank = math.ceil(D / 16)
        self.in_proj = nn.Linear(D, 2 * E)
        self.conv1d = nn.Conv1d(E, E, cfg.conv, groups=E, padding=cfg.conv - 1)
        self.x_proj = nn.Linear(E, self.rank + 2 * N, bias=False)
        self.dt_proj = Linear(self.rank, E, bias=False)  # rank 1 at width <= 16
        dt = torch.exp(
            torch.rand(E) * (math.log(cfg.dt_max) - math.log(cfg.dt_min)) + math.log(cfg.dt_min)
        )
        self.dt_bias_E = nn.Parameter(dt + torch.log(-torch.expm1(-dt)))  # softplus^{-1}(dt)
        self.A_log_ExN = nn.Parameter(torch.log(torch.arange(1, N + 1).float()).repeat(E, 1))
        self.D_E = nn.Parameter(torch.ones(E))
        self.out_proj = residual(nn.Linear(E, D))
        self.drop = nn.Dropout(cfg.dropout)

    def _ssm_inputs(self, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        dt_low, B, C = self.x_proj(u).split((self.rank, self.N, self.N), dim=-1)
        return F.softplus(self.dt_proj(dt_low) + self.dt_bias_E), B, C

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        u_BxLxE, z_BxLxE = self.in_proj(x_BxLxD).chunk(2, dim=-1)
        w, b = self.conv1d.weight, self.conv1d.bias
        conv_BxExL = causal_depthwise_conv(u_BxLxE.transpose(1, 2), w, b)
        # contiguous: the same rounding alone and stacked (see _common's docstring)
        u_BxLxE = F.silu(conv_BxExL.transpose(1, 2).contiguous())
        dt_BxLxE, B_BxLxN, C_BxLxN = self._ssm_inputs(u_BxLxE)
        y_BxLxE = selective_scan(
            u_BxLxE, dt_BxLxE, -self.A_log_ExN.exp(), B_BxLxN, C_BxLxN, self.D_E
        )
        return self.drop(self.out_proj(y_BxLxE * F.silu(z_BxLxE)))

    def init_state(self, batch: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Zero state: the last ``conv - 1`` inputs of the convolution and ``h``."""
        return (like.new_zeros(batch, self.E, self.K - 1), like.new_zeros(batch, self.E, self.N))

    def step(
        self, x_BxD: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """One position: ``(output_BxD, new_state)``."""
        buf_BxExK1, h_BxExN = state
        u_BxE, z_BxE = self.in_proj(x_BxD).chunk(2, dim=-1)
        window_BxExK = torch.cat((buf_BxExK1, u_BxE[..., None]), dim=-1)
        conv_BxE = (window_BxExK * self.conv1d.weight[:, 0, :]).sum(-1) + self.conv1d.bias
        u_BxE = F.silu(conv_BxE)
        dt_BxE, B_BxN, C_BxN = self._ssm_inputs(u_BxE)
        dA_BxExN = torch.exp(dt_BxE[..., None] * -self.A_log_ExN.exp())
        h_BxExN = dA_BxExN * h_BxExN + (dt_BxE * u_BxE)[..., None] * B_BxN[:, None, :]
        y_BxE = (h_BxExN @ C_BxN[..., None]).squeeze(-1) + self.D_E * u_BxE
        out_BxD = self.drop(self.out_proj(y_BxE * F.silu(z_BxE)))
        return out_BxD, (window_BxExK[..., 1:], h_BxExN)


class MambaBlock(nn.Module):
    def __init__(self, cfg: MambaConfig) -> None:
        super().__init__()
        self.ln = LayerNorm(cfg.d_model)
        self.mixer = MambaMixer(cfg)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        return x_BxLxD + self.mixer(self.ln(x_BxLxD))


class Mamba(nn.Module):
    """Causal Mamba stack ``(B, L, D) -> (B, L, D)``; :meth:`forward_recurrent` gives the same
    output one token at a time."""

    def __init__(
        self,
        d_model: int,
        layers: int,
        heads: int = 1,
        max_len: int = 280,
        dropout: float = 0.0,
        state: int = 16,
        expand: int = 2,
    ) -> None:
        super().__init__()
        self.cfg = cfg = MambaConfig(d_model, layers, max_len, dropout, state, expand)
        self.blocks = nn.ModuleList(MambaBlock(cfg) for _ in range(cfg.layers))
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        return run_blocks(self.blocks, self.ln_f, h_BxLxD, self.cfg.max_len)

    def forward_recurrent(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        """The same map, one position at a time through all layers (inference form)."""
        B, L, _ = h_BxLxD.shape
        check_length(L, self.cfg.max_len)
        states = [blk.mixer.init_state(B, h_BxLxD) for blk in self.blocks]
        outs = []
        for t in range(L):
            x_BxD = h_BxLxD[:, t]
            for i, blk in enumerate(self.blocks):
                y_BxD, states[i] = blk.mixer.step(blk.ln(x_BxD), states[i])
                x_BxD = x_BxD + y_BxD
            outs.append(self.ln_f(x_BxD))
        return torch.stack(outs, dim=1)
