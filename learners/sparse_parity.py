"""The exactly-``k`` sparse-parity learner: the halving vote over the ``C(n, k)`` parities.

The class is ``{x -> XOR_{l in S} x_l : |S| = k}``. At position ``i`` the learner keeps the
version space ``V_i`` of the ``k``-subsets whose parity agrees with examples ``0..i-1`` and
predicts the majority label of ``V_i`` at ``x_i`` (ties: 0) — the halving algorithm, which is
also the Bayes-optimal rule under the uniform prior on ``k``-subsets (the sparse_parity task's).
``determined``: every ``S`` in ``V_i`` agrees at ``x_i``; ``consistent``: ``V_i`` is not empty.
Outside the class (``V_i`` empty) the vote uses the subsets with the fewest mistakes. The
subsets are bit-packed words; labels are popcounts of ``x AND S``.

>>> import numpy as np
>>> xs = np.array([[[1, 1, 0], [1, 0, 0], [0, 1, 1]]]); ys = np.array([[0, 1, 1]])
>>> out = SparseParity(2).predict_full(xs, ys)   # after (110, 0) only S = {x1, x2} is left
>>> out.preds.tolist(), out.determined.tolist()
([[1, 1, 1]], [[False, True, True]])
"""

from __future__ import annotations

from itertools import combinations
from math import comb
from typing import Any

import torch

from boolfun.bits import check_int
from boolfun.samplers.words import count, pack
from learners.base import Learner, Predictions
from learners.posterior import posterior_vote

MAX_SUBSETS = 1 << 20
_CHUNK_ELEMENTS = 1 << 22


def k_subsets(n: int, k: int, device: torch.device) -> torch.Tensor:
    """All ``k``-subsets of ``n`` variables as boolean masks ``(C(n, k), n)``, in
    lexicographic order."""
    idx = torch.tensor(list(combinations(range(n), k)), dtype=torch.int64).reshape(-1, k)
    masks = torch.zeros((idx.shape[0], n), dtype=torch.bool)
    masks.scatter_(1, idx, True)
    return masks.to(device)


class SparseParity(Learner):
    """Halving vote over the parities of exactly ``k`` variables (module docstring)."""

    exact = True
    name = "sparse_parity"

    def __init__(self, k: int = 2) -> None:
        self.k = check_int(k, "k", 1)

    def describe(self) -> dict[str, Any]:
        return {"k": self.k}

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        B, P, n = xs_BxPxN.shape
        if self.k > n:
            raise ValueError(f"k must be an integer in [1, n={n}], got {self.k}")
        if comb(n, self.k) > MAX_SUBSETS:
            raise ValueError(
                f"k must leave at most {MAX_SUBSETS} subsets: C({n}, {self.k}) = {comb(n, self.k)}"
            )
        dev = xs_BxPxN.device
        sw = pack(k_subsets(n, self.k, dev))  # (C, W)
        C = sw.shape[0]
        words = pack(xs_BxPxN.bool())  # (B, P, W)
        preds = torch.empty((B, P), dtype=torch.bool, device=dev)
        determined, consistent = torch.empty_like(preds), torch.empty_like(preds)
        chunk = max(1, _CHUNK_ELEMENTS // (C * P))
        for s in range(0, B, chunk):
            w = words[s : s + chunk]
            labels = (count(w[:, None] & sw[None, :, None, :]) & 1).bool()  # (b, C, P)
            _, p, d, c = posterior_vote(labels, ys_BxP[s : s + chunk], dtype=torch.float32)
            preds[s : s + chunk], determined[s : s + chunk], consistent[s : s + chunk] = p, d, c
        return Predictions(preds.to(torch.uint8), determined, consistent, meta={"subsets": C})
