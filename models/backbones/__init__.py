"""Causal sequence-model backbones, all ``(B, L, D) -> (B, L, D)``.

Every backbone maps a sequence of ``d_model``-wide vectors ``h_BxLxD`` to a sequence of the same
shape, causally: the output at position ``t`` depends only on inputs ``0..t`` (the tests check this
by gradients). Each lives in one file with its own typed config; :func:`make_backbone` builds one
by name from the common arguments, and :func:`init_weights` is the single place where weights are
initialised (GPT-2 style).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable

from torch import nn

from models.backbones._common import Linear, check_length, residual
from models.backbones.dss import DSS
from models.backbones.hyena import Hyena
from models.backbones.lstm import LSTM
from models.backbones.mamba import Mamba
from models.backbones.retnet import RetNet
from models.backbones.transformer import Transformer

BACKBONES: dict[str, Callable[..., nn.Module]] = {
    "transformer": Transformer,
    "lstm": LSTM,
    "dss": DSS,
    "hyena": Hyena,
    "retnet": RetNet,
    "mamba": Mamba,
}

ATTENTION_BACKBONES = frozenset({"transformer", "retnet"})  # `heads` must divide `d_model`


def make_backbone(
    name: str, d_model: int, layers: int, heads: int, max_len: int, dropout: float = 0.0
) -> nn.Module:
    """The backbone ``name`` (one of :data:`BACKBONES`) with weights initialised by
    :func:`init_weights`.

    ``heads`` is used by the attention-like backbones (transformer, retnet; it must divide
    ``d_model``) and ignored by the others; ``max_len`` is the longest sequence accepted.
    """
    if name not in BACKBONES:
        raise ValueError(f"backbone must be one of {sorted(BACKBONES)}, got {name!r}")
    for pname, value in (
        ("d_model", d_model),
        ("layers", layers),
        ("heads", heads),
        ("max_len", max_len),
    ):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{pname} must be a positive integer, got {value!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
    if name in ATTENTION_BACKBONES and d_model % heads != 0:
        raise ValueError(
            f"d_model={d_model} must be divisible by heads={heads} for the {name} backbone"
        )
    model = BACKBONES[name](
        d_model=int(d_model),
        layers=int(layers),
        heads=int(heads),
        max_len=int(max_len),
        dropout=float(dropout),
    )
    init_weights(model, layers)
    return model


def init_weights(module: nn.Module, layers: int) -> None:
    """GPT-2 initialisation, the one place weights are set.

    Every ``nn.Linear`` and ``nn.Embedding`` gets ``N(0, 0.02^2)`` weights and zero biases;
    residual output projections (modules flagged ``residual_proj = True``) get
    ``N(0, (0.02 / sqrt(2 layers))^2)`` so the residual stream's variance does not grow with
    depth. Linear maps flagged ``keep_init = True`` (Hyena's implicit filter network, whose
    sine activations need their documented scale) are left alone. LayerNorms are ones/zeros
    (torch's default). Parameters that are not plain linear maps (state-space spectra, decay
    rates, convolutions, LSTM gates) keep the initialisation their module documents, set in
    its constructor.
    """
    std_res = 0.02 / math.sqrt(2 * layers)
    for m in module.modules():
        if getattr(m, "keep_init", False):
            continue
        if isinstance(m, nn.Linear):
            std = std_res if getattr(m, "residual_proj", False) else 0.02
            nn.init.normal_(m.weight, mean=0.0, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)


__all__ = ["BACKBONES", "Linear", "check_length", "init_weights", "make_backbone", "residual"]
