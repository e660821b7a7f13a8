"""Helpers shared by the backbone files.

The normalisations, the depthwise convolution and the degenerate linear maps here compute
their affine parts as plain elementwise products and sums (``norm(x) * weight + bias``;
``sum_j w_j * shift_j(x)``) instead of torch's fused kernels. The arithmetic is the same;
the point is that every operation then rounds the same way whether a model runs alone or as
one of ``K`` models stacked along a new leading dimension under :func:`torch.func.vmap`
(:mod:`models.stack`): the fused affine layer norm, group norm and grouped convolution have
batching rules that reorder their arithmetic, and a matrix-vector product takes another
kernel than a batch of them, which would make the stacked models differ from the same models
trained alone in the last bits.
"""

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


class Linear(nn.Linear):
    """``nn.Linear`` (same parameters and state dict) that computes a map from or to a single
    feature as a broadcast product (and a sum): a matrix product with a dimension of size 1 is
    a matrix-vector product, which torch runs by another kernel alone than stacked.

    ``by_products=True`` computes every map that way, ``y = b + sum_j x_j W[:, j]`` over the
    input features: for the read-in of the ``n`` prompt bits, whose weight gradient (a product
    with the whole batch as the contracted dimension and ``n`` small) takes another matrix
    kernel alone than stacked on some CPUs (measured on an AMD EPYC)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 by_products: bool = False, **kw: object) -> None:
        super().__init__(in_features, out_features, bias, **kw)  # type: ignore[arg-type]
        self.by_products = by_products

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.in_features == 1:
            y = x * self.weight[:, 0]
        elif self.out_features == 1:
            y = (x * self.weight[0]).sum(-1, keepdim=True)
        elif self.by_products:
            y = x[..., 0, None] * self.weight[:, 0]
            for j in range(1, self.in_features):
                y = y + x[..., j, None] * self.weight[:, j]
        else:
            return F.linear(x, self.weight, self.bias)
        return y + self.bias if self.bias is not None else y


class LayerNorm(nn.LayerNorm):
    """``nn.LayerNorm`` (same parameters and state dict) whose affine step
    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` is an explicit product and sum."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.layer_norm(x, self.normalized_shape, None, None, self.eps)
        return y * self.weight + self.bias if self.elementwise_affine else y


class GroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` (same parameters and state dict) on ``(N, C)`` inputs with the affine
    step an explicit product and sum, as :class:`LayerNorm`."""

    def forward(self, x_NxC: torch.Tensor) -> torch.Tensor:
        y = F.group_norm(x_NxC, self.num_groups, None, None, self.eps)
        return y * self.weight + self.bias if self.affine else y


def causal_depthwise_conv(
    x_BxCxL: torch.Tensor, weight_Cx1xW: torch.Tensor, bias_C: torch.Tensor | None
) -> torch.Tensor:
    """The causal depthwise convolution ``y[:, c, t] = b_c + sum_j w[c, 0, j] x[:, c, t - W + 1
    + j]`` (zero before ``t = 0``): ``nn.Conv1d(C, C, W, groups=C, padding=W - 1)`` cut to the
    first ``L`` outputs, as ``W`` shifted products."""
    W, L = weight_Cx1xW.shape[-1], x_BxCxL.shape[-1]
    padded = F.pad(x_BxCxL, (W - 1, 0))
    y = padded[..., 0:L] * weight_Cx1xW[:, 0, 0, None]
    for j in range(1, W):
        y = y + padded[..., j : j + L] * weight_Cx1xW[:, 0, j, None]
    return y + bias_C[:, None] if bias_C is not None else y


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
