"""k-nearest-neighbour in-context learners (SPEC §3).

On the cube {0,1}^n the Hamming distance ``d_H(x, z) = |{k : x_k != z_k}|``, the squared
Euclidean distance ``|x - z|^2`` and, in the ±1 coding, ``(n - <x', z'>) / 2`` are *the same
number*, so Hamming, Euclidean and cosine neighbours coincide exactly, ties included; the
``metric`` argument is accepted for readability and changes nothing.

Tie rule: among examples at equal distance the *earliest* comes first (the rule of the
nearest_neighbour task, whose labels 1-NN therefore reproduces after its random start). With
``k = 3`` the prediction is the majority label of the ``min(k, i)`` nearest earlier examples;
a tied vote (possible with 2 neighbours) takes the label of the nearest one. Position 0 has no
example and predicts 0.

>>> import numpy as np
>>> xs = np.array([[[0, 0], [1, 1], [0, 1], [1, 0]]]); ys = np.array([[0, 1, 1, 0]])
>>> NearestNeighbours(1).predict(xs, ys).tolist()
[[0, 0, 0, 0]]
"""

from __future__ import annotations

from typing import Any

import torch

from boolfun.bits import check_int
from learners.base import Learner, Predictions

METRICS = ("hamming", "euclidean")

_CHUNK_ELEMENTS = 1 << 23  # batch chunk: at most this many (prompt, query, example) triples


def neighbour_order(xs_BxPxN: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(idx, valid)``, both ``(B, P, k)``: ``idx[b, i, r]`` is the index of the ``r``-th
    nearest example among ``0..i-1`` (Hamming distance, earliest first on ties) and ``valid``
    says whether it exists (``r < i``).

    The order is the ascending key ``P * d_H(x_i, x_j) + j``, integer-exact in float32 while
    ``P (n + 1) < 2^24`` (float64 beyond); ``j >= i`` gets ``+inf``.
    """
    B, P, n = xs_BxPxN.shape
    dtype = torch.float32 if P * (n + 1) < 2**24 else torch.float64
    kk = min(k, P)
    j = torch.arange(P, device=xs_BxPxN.device)
    future = j[None, :] >= j[:, None]  # (query i, example j): j >= i is not seen
    offset = j.to(dtype).expand(P, P).masked_fill(future, float("inf"))
    idx_out = torch.zeros((B, P, kk), dtype=torch.int64, device=xs_BxPxN.device)
    chunk = max(1, _CHUNK_ELEMENTS // (P * P))
    for s in range(0, B, chunk):
        x = xs_BxPxN[s : s + chunk].to(dtype)
        ones = x.sum(-1)
        with torch.autocast(x.device.type, enabled=False):  # keys must stay exact
            dot = torch.bmm(x, x.transpose(1, 2))
        hamming = ones[:, :, None] + ones[:, None, :] - 2 * dot  # (b, i, j)
        key = hamming * P + offset
        idx_out[s : s + chunk] = key.topk(kk, dim=-1, largest=False).indices
    valid = torch.arange(kk, device=xs_BxPxN.device)[None, :] < j[:, None]  # (P, kk)
    return idx_out, valid.expand(B, P, kk)


class NearestNeighbours(Learner):
    """k-NN with ``k`` in {1, 3} (any ``k >= 1`` works) under the Hamming = Euclidean order;
    see the module docstring for the tie rules."""

    exact = False

    def __init__(self, k: int = 1, metric: str = "hamming") -> None:
        self.k = check_int(k, "k", 1)
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        self.metric = metric
        self.name = f"nn{self.k}"

    def describe(self) -> dict[str, Any]:
        return {"k": self.k, "metric": self.metric}

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        idx, valid = neighbour_order(xs_BxPxN, self.k)
        B, P, kk = idx.shape
        labels = ys_BxP.gather(1, idx.reshape(B, P * kk)).reshape(B, P, kk).to(torch.int32)
        labels = labels * valid
        count = valid.sum(-1)
        ones = labels.sum(-1)
        pred = (2 * ones > count) | ((2 * ones == count) & (labels[..., 0] == 1))
        pred &= count > 0
        return Predictions(pred.to(torch.uint8))
