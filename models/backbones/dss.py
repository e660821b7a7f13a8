"""Diagonal state space model (DSS / S4D), convolutional form.

Each of the ``D`` channels ``u`` runs its own linear state space with a complex diagonal state
matrix ``A = diag(a_1..a_{N/2})``, ``Re a < 0``:

    x'(t) = A x(t) + B u(t),    y(t) = Re(C x(t)) + D u(t).

Zero-order-hold discretisation with step ``dt`` (``B = 1`` absorbed into ``C``) unrolls to a causal
convolution ``y = K * u + D u`` with the kernel in closed form

    K[l] = 2 Re( sum_n C'_n exp(dt a_n l) ),    C'_n = C_n (exp(dt a_n) - 1) / a_n,

(the factor 2 accounts for the conjugate modes), evaluated for ``l = 0..L-1`` and applied by FFT
with zero padding to ``2L`` so no output sees the future. Initialisation (S4D-Lin):
``a_n = -1/2 + i pi n``, ``log dt ~ U(log 1e-3, log 1e-1)``, ``C ~ CN(0, 1)``, ``D = 1``.

A block is ``x <- x + W_o GLU(GELU(SSM(LN(x))))`` then ``x <- x + MLP(LN(x))`` with a gated
(SwiGLU) MLP; a final LayerNorm closes the stack. ``heads`` is ignored; ``max_len`` is only
checked (the kernel is computed for the input's length).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from models.backbones._common import LayerNorm, residual, run_blocks


@dataclass
class DSSConfig:
    d_model: int = 256
    layers: int = 4
    max_len: int = 280  # longest sequence accepted
    dropout: float = 0.0
    state: int = 64  # N: state size per channel (N/2 complex conjugate pairs)
    dt_min: float = 1e-3
    dt_max: float = 1e-1


def causal_fft_conv(u_BxDxL: torch.Tensor, k_DxL: torch.Tensor) -> torch.Tensor:
    """``y[..., t] = sum_{s <= t} k[..., s] u[..., t - s]`` by FFT of length ``2L``."""
    L = u_BxDxL.shape[-1]
    u_f = torch.fft.rfft(u_BxDxL.float(), n=2 * L)
    k_f = torch.fft.rfft(k_DxL.float(), n=2 * L)
    return torch.fft.irfft(u_f * k_f, n=2 * L)[..., :L].to(u_BxDxL.dtype)


class DiagonalSSM(nn.Module):
    """Per-channel diagonal SSM kernel and its causal convolution."""

    def __init__(self, cfg: DSSConfig) -> None:
        super().__init__()
        D, N2 = cfg.d_model, cfg.state // 2
        lo, hi = math.log(cfg.dt_min), math.log(cfg.dt_max)
        log_dt = torch.rand(D) * (hi - lo) + lo
        self.log_dt_D = nn.Parameter(log_dt)
        self.log_neg_re_DxN = nn.Parameter(torch.full((D, N2), math.log(0.5)))  # Re a = -exp(.)
        self.im_DxN = nn.Parameter(math.pi * torch.arange(N2, dtype=torch.float32).repeat(D, 1))
        self.C_DxNx2 = nn.Parameter(torch.randn(D, N2, 2) * math.sqrt(0.5))  # complex C
        self.skip_D = nn.Parameter(torch.ones(D))

    def kernel(self, L: int) -> torch.Tensor:
        """``K_DxL`` from the closed form in the module docstring."""
        dt_Dx1 = self.log_dt_D.exp()[:, None]
        a_DxN = torch.complex(-self.log_neg_re_DxN.exp(), self.im_DxN)
        dta_DxN = dt_Dx1 * a_DxN
        c_DxN = torch.view_as_complex(self.C_DxNx2) * (dta_DxN.exp() - 1) / a_DxN
        l_L = torch.arange(L, device=a_DxN.device, dtype=torch.float32)
        powers_DxNxL = (dta_DxN[..., None] * l_L).exp()
        return 2 * torch.einsum("dn,dnl->dl", c_DxN, powers_DxNxL).real

    def forward(self, u_BxLxD: torch.Tensor) -> torch.Tensor:
        L = u_BxLxD.shape[1]
        u_BxDxL = u_BxLxD.transpose(1, 2)
        y_BxDxL = causal_fft_conv(u_BxDxL, self.kernel(L)) + self.skip_D[:, None] * u_BxDxL
        return y_BxDxL.transpose(1, 2).contiguous()  # contiguous: see _common's docstring


class GatedMLP(nn.Module):
    """SwiGLU MLP ``W_2 (silu(W_1 x) * W_3 x)`` of hidden width ``4 D``."""

    def __init__(self, d_model: int, dropout: float) -> None:
        super().__init__()
        self.w_13 = nn.Linear(d_model, 8 * d_model)
        self.w_2 = residual(nn.Linear(4 * d_model, d_model))
        self.drop = nn.Dropout(dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        a, b = self.w_13(x_BxLxD).chunk(2, dim=-1)
        return self.drop(self.w_2(F.silu(a) * b))


class DSSBlock(nn.Module):
    def __init__(self, cfg: DSSConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(cfg.d_model)
        self.ssm = DiagonalSSM(cfg)
        self.out = residual(nn.Linear(cfg.d_model, 2 * cfg.d_model))
        self.drop = nn.Dropout(cfg.dropout)
        self.ln_2 = LayerNorm(cfg.d_model)
        self.mlp = GatedMLP(cfg.d_model, cfg.dropout)

    def forward(self, x_BxLxD: torch.Tensor) -> torch.Tensor:
        y_BxLxD = F.glu(self.out(F.gelu(self.ssm(self.ln_1(x_BxLxD)))), dim=-1)
        x_BxLxD = x_BxLxD + self.drop(y_BxLxD)
        return x_BxLxD + self.mlp(self.ln_2(x_BxLxD))


class DSS(nn.Module):
    """Causal stack of diagonal-state-space blocks ``(B, L, D) -> (B, L, D)``."""

    def __init__(
        self,
        d_model: int,
        layers: int,
        heads: int = 1,
        max_len: int = 280,
        dropout: float = 0.0,
        state: int = 64,
    ) -> None:
        super().__init__()
        if state < 2 or state % 2:
            raise ValueError(f"state must be an even integer >= 2, got {state}")
        self.cfg = cfg = DSSConfig(d_model, layers, max_len, dropout, state)
        self.blocks = nn.ModuleList(DSSBlock(cfg) for _ in range(cfg.layers))
        self.ln_f = LayerNorm(cfg.d_model)

    def forward(self, h_BxLxD: torch.Tensor) -> torch.Tensor:
        return run_blocks(self.blocks, self.ln_f, h_BxLxD, self.cfg.max_len)
