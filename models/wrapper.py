"""The in-context model: prompts ``(xs, ys)`` -> one logit per ``x`` position.

A prompt of ``P`` labelled points in ``{0,1}^n`` becomes the sequence of ``2P`` tokens of width
``n``

    e_{2i}   = 2 x_i - 1                  (the point in ±1 coding)
    e_{2i+1} = (2 y_i - 1, 0, ..., 0)     (its label token)

which a linear read-in maps to ``width``, a causal backbone transforms, and a linear read-out
maps to one logit at each even (``x``) position: ``logits[:, i] = w . h_{2i} + b`` depends on
examples ``0..i-1`` and on ``x_i`` only, so it predicts ``y_i`` exactly like the learners of
:mod:`learners` (position 0 sees no example). Training uses binary cross-entropy on every
position.

With a pretrained language model as the backbone (``model = "hf:PATH"``,
:mod:`models.pretrained`) the read-in and read-out are small MLPs instead
(``Linear(n, d) -> GELU -> Linear(d, d)`` and ``Linear(d, d) -> GELU -> Linear(d, 1)``, with
``d`` the model's hidden size), and only they (and, with ``freeze = "all-but-ln"``, the
model's normalisation layers) are trained.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from boolfun.bits import check_int
from learners.base import Predictions, check_prompts
from models.backbones import BACKBONES, Linear, init_weights, make_backbone
from models.pretrained import PretrainedBackbone, is_pretrained, mlp, parse_init

Array = np.ndarray | torch.Tensor


class InContextModel(nn.Module):
    """Read-in, causal backbone, read-out; ``forward(xs, ys) -> logits_BxP``.

    The settings have the names of :class:`models.config.TrainConfig` (``n``, ``model``: the
    backbone's name, ``width``: ``d_model``, ``layers``, ``heads``, ``points``: the longest
    prompt, ``dropout``, and for a pretrained model ``hf:PATH`` its ``freeze`` and ``init``);
    ``config`` holds them, so ``InContextModel(**model.config)`` rebuilds the architecture and
    :meth:`from_config` builds it from a training config. The backbone accepts sequences up to
    ``2 * points``. A pretrained model's ``width``, ``layers`` and ``heads`` must be its own.
    """

    name = "model"
    predict_batch = 500  # prompts per forward pass in predict_full

    def __init__(
        self,
        n: int,
        model: str = "transformer",
        width: int = 256,
        layers: int = 12,
        heads: int = 8,
        points: int = 140,
        dropout: float = 0.0,
        freeze: str = "none",
        init: str = "pretrained",
    ) -> None:
        super().__init__()
        pretrained = is_pretrained(model)
        if not pretrained and model not in BACKBONES:
            raise ValueError(
                f"model must be one of {sorted(BACKBONES)} or hf:PATH, got {model!r}"
            )
        if not pretrained and (freeze != "none" or init != "pretrained"):
            raise ValueError(
                f"freeze and init apply only to a pretrained model hf:PATH, got freeze "
                f"{freeze!r} and init {init!r} for the {model} backbone"
            )
        for pname, value in (("n", n), ("points", points)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{pname} must be a positive integer, got {value!r}")
        self.config: dict[str, Any] = dict(
            n=n,
            model=model,
            width=width,
            layers=layers,
            heads=heads,
            points=points,
            dropout=dropout,
            freeze=freeze,
            init=init,
        )
        self.name = model  # how tables and reports name this predictor
        self.n = int(n)
        self.points = int(points)
        if pretrained:
            if dropout:
                raise ValueError(f"dropout must be 0 for the pretrained model {model!r}")
            self.backbone: nn.Module = PretrainedBackbone(model, freeze, init, 2 * self.points)
            shape = self.backbone.shape
            if (width, layers, heads) != (shape.width, shape.layers, shape.heads):
                raise ValueError(
                    f"width, layers and heads must be those of model {model!r} "
                    f"({shape.width}, {shape.layers}, {shape.heads}), got {width}, {layers}, "
                    f"{heads}"
                )
            if parse_init(init) is not None:
                self.name = f"{model} ({init})"
            self.read_in: nn.Module = mlp(self.n, width, width, layers)
            self.read_out: nn.Module = mlp(width, width, 1, layers)
            return
        self.read_in = Linear(self.n, width, by_products=True)  # see models.backbones._common
        self.backbone = make_backbone(model, width, layers, heads, 2 * self.points, dropout)
        self.read_out = Linear(width, 1)
        init_weights(self.read_in, layers)
        init_weights(self.read_out, layers)

    @property
    def pretrained(self) -> bool:
        """Whether the backbone is a pretrained language model (:mod:`models.pretrained`)."""
        return isinstance(self.backbone, PretrainedBackbone)

    def checkpoint_metadata(self) -> dict[str, str]:
        """What a checkpoint records about weights it does not hold: for a pretrained
        backbone the base model's name and the SHA-256 of its weights as built
        (``base_model``, ``base_sha256``); nothing for the project's own backbones."""
        if not self.pretrained:
            return {}
        return {"base_model": self.backbone.base_model, "base_sha256": self.backbone.base_sha256}

    def _first_weight(self) -> torch.Tensor:
        """The read-in's (first) weight: its dtype and device are the model's."""
        return self.read_in[0].weight if self.pretrained else self.read_in.weight

    @classmethod
    def from_config(cls, config: Any) -> InContextModel:
        """The untrained model of a :class:`models.config.TrainConfig` (its
        :meth:`~models.config.TrainConfig.model_settings`), initialised from the global torch
        RNG, on the CPU."""
        return cls(**config.model_settings())

    def tokens(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        """The interleaved token sequence ``e_Bx2PxN`` (see the module docstring)."""
        if xs.ndim != 3 or xs.shape[-1] != self.n:
            raise ValueError(
                f"xs must have shape (batch, points, n={self.n}), got {tuple(xs.shape)}"
            )
        if ys.shape != xs.shape[:2]:
            raise ValueError(f"ys must have shape {tuple(xs.shape[:2])}, got {tuple(ys.shape)}")
        B, P, n = xs.shape
        if P > self.points:
            raise ValueError(f"prompts have {P} points, more than the model's points={self.points}")
        dtype = self._first_weight().dtype
        x_BxPxN = xs.to(dtype) * 2 - 1
        y_BxPxN = torch.zeros_like(x_BxPxN)
        y_BxPxN[..., 0] = ys.to(dtype) * 2 - 1
        return torch.stack((x_BxPxN, y_BxPxN), dim=2).reshape(B, 2 * P, n)

    def forward(self, xs: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
        """``logits_BxP``: ``logits[:, i]`` predicts ``y_i`` from examples ``0..i-1``, ``x_i``."""
        h_BxLxD = self.backbone(self.read_in(self.tokens(xs, ys)))
        return self.read_out(h_BxLxD[:, 0::2]).squeeze(-1)

    @torch.no_grad()
    def predict_full(self, xs: Any, ys: Any, *, batch: int | None = None) -> Predictions:
        """Predictions ``logit > 0`` and probabilities ``sigmoid(logit)`` in the learners'
        format, ``batch`` prompts at a time (default :attr:`predict_batch`) on the model's
        device, in eval mode without gradients (the previous mode is restored); torch in,
        torch out on the input's device; numpy in, numpy out.

        Prompts over fewer variables than ``n`` are zero-padded to ``n`` (coordinates
        ``n_eval..n-1`` are the constant input bit 0, coded -1): the out-of-distribution
        evaluation in ``n``. More variables than ``n``, or more points than ``points``, raise
        ``ValueError``.
        """
        batch = check_int(self.predict_batch if batch is None else batch, "batch", 1)
        is_torch = isinstance(xs, torch.Tensor)
        x, y = check_prompts(xs, ys)
        B, P, n_eval = x.shape
        if n_eval > self.n:
            raise ValueError(
                f"n {n_eval} exceeds the trained n = {self.n}: the read-in has no weights for "
                f"more inputs (n <= {self.n} is zero-padded)"
            )
        if P > self.points:
            raise ValueError(f"points {P} exceeds the model's limit of {self.points} points")
        if n_eval < self.n:
            x = F.pad(x, (0, self.n - n_eval))
        device = self._first_weight().device
        was_training = self.training
        self.eval()
        try:
            chunks = [
                self(x[i : i + batch].to(device), y[i : i + batch].to(device)).float()
                for i in range(0, B, batch)
            ]
        finally:
            self.train(was_training)
        logits_BxP = torch.cat(chunks).to(x.device)
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
