"""The in-context model: prompts ``(xs, ys)`` -> one logit per ``x`` position.

A prompt of ``P`` labelled points in ``{0,1}^n`` becomes the sequence of ``2P`` tokens of width
``n``

    e_{2i}   = 2 x_i - 1                  (the point in ±1 coding)
    e_{2i+1} = (2 y_i - 1, 0, ..., 0)     (its label token)

which a linear read-in maps to ``d_model``, a causal backbone transforms, and a linear read-out
maps to one logit at each even (``x``) position: ``logits[:, i] = w . h_{2i} + b`` depends on
examples ``0..i-1`` and on ``x_i`` only, so it predicts ``y_i`` exactly like the learners of
:mod:`learners` (position 0 sees no example). Training uses binary cross-entropy on every
position.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch
from torch import nn

from learners.base import Predictions, check_prompts
from models.backbones import BACKBONES, init_weights, make_backbone

Array = np.ndarray | torch.Tensor


class InContextModel(nn.Module):
    """Read-in, causal backbone, read-out; ``forward(xs, ys) -> logits_BxP``.

    ``config`` holds the constructor arguments, so ``InContextModel(**model.config)`` rebuilds
    the architecture (a checkpoint stores it next to the weights). ``max_points`` is the longest
    prompt; the backbone accepts sequences up to ``2 * max_points``.
    """

    name = "model"

    def __init__(
        self,
        n: int,
        backbone: str = "transformer",
        d_model: int = 256,
        layers: int = 12,
        heads: int = 8,
        max_points: int = 140,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if backbone not in BACKBONES:
            raise ValueError(f"backbone must be one of {sorted(BACKBONES)}, got {backbone!r}")
        for pname, value in (("n", n), ("max_points", max_points)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{pname} must be a positive integer, got {value!r}")
        self.config: dict[str, Any] = dict(
            n=n,
            backbone=backbone,
            d_model=d_model,
            layers=layers,
            heads=heads,
            max_points=max_points,
            dropout=dropout,
        )
        self.name = backbone  # how tables and reports name this learner
        self.n = int(n)
        self.max_points = int(max_points)
        self.read_in = nn.Linear(self.n, d_model)
        self.backbone = make_backbone(
            backbone, d_model, layers, heads, 2 * self.max_points, dropout
        )
        self.read_out = nn.Linear(d_model, 1)
        init_weights(self.read_in, layers)
        init_weights(self.read_out, layers)

    def tokens(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        """The interleaved token sequence ``e_Bx2PxN`` (see the module docstring)."""
        if xs.ndim != 3 or xs.shape[-1] != self.n:
            raise ValueError(
                f"xs must have shape (batch, points, n={self.n}), got {tuple(xs.shape)}"
            )
        if ys.shape != xs.shape[:2]:
            raise ValueError(f"ys must have shape {tuple(xs.shape[:2])}, got {tuple(ys.shape)}")
        B, P, n = xs.shape
        if P > self.max_points:
            raise ValueError(
                f"prompts have {P} points, more than the model's max_points={self.max_points}"
            )
        dtype = self.read_in.weight.dtype
        x_BxPxN = xs.to(dtype) * 2 - 1
        y_BxPxN = torch.zeros_like(x_BxPxN)
        y_BxPxN[..., 0] = ys.to(dtype) * 2 - 1
        return torch.stack((x_BxPxN, y_BxPxN), dim=2).reshape(B, 2 * P, n)

    def forward(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        """``logits_BxP``: ``logits[:, i]`` predicts ``y_i`` from examples ``0..i-1``, ``x_i``."""
        h_BxLxD = self.backbone(self.read_in(self.tokens(xs, ys)))
        return self.read_out(h_BxLxD[:, 0::2]).squeeze(-1)

    @torch.no_grad()
    def predict_full(self, xs: Any, ys: Any) -> Predictions:
        """Predictions and probabilities ``sigmoid(logit)`` in the learners' format (eval mode,
        no gradients; the previous train/eval mode is restored)."""
        is_torch = isinstance(xs, torch.Tensor)
        x, y = check_prompts(xs, ys)
        device = self.read_in.weight.device
        was_training = self.training
        self.eval()
        try:
            logits_BxP = self(x.to(device), y.to(device)).float()
        finally:
            self.train(was_training)
        if is_torch:
            logits_BxP = logits_BxP.to(xs.device)
        out = Predictions(
            preds=(logits_BxP > 0).to(torch.uint8),
            proba=torch.sigmoid(logits_BxP),
            meta={"learner": self.name, **self.describe()},
        )
        return out if is_torch else out.numpy()

    def describe(self) -> dict[str, Any]:
        """Settings that identify this model (reported with its results, like a learner's)."""
        return dict(self.config)

    def predict(self, xs: Any, ys: Any) -> Array:
        """``(B, P)`` uint8 predictions ``logit > 0``; numpy in, numpy out; torch in, torch out
        on the input's device (the model runs on its own device)."""
        return self.predict_full(xs, ys).preds
