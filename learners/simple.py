"""The two learners that know nothing of the class: null and averaging (SPEC §3).

>>> import numpy as np
>>> xs = np.array([[[1, 1], [1, 1], [0, 0]]]); ys = np.array([[1, 1, 0]])
>>> NullLearner().predict(xs, ys).tolist()
[[0, 0, 0]]
>>> AveragingLearner().predict(xs, ys).tolist()
[[0, 1, 0]]
"""

from __future__ import annotations

import torch

from learners.base import Learner, Predictions, exclusive_cumsum, signed


class NullLearner(Learner):
    """Always predicts 0 (the accuracy of the null learner is the rate of negative labels)."""

    name = "null"

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        return Predictions(torch.zeros_like(ys_BxP))


class AveragingLearner(Learner):
    """The averaging estimator: in the ±1 coding ``x' = 2x - 1``, ``y' = 2y - 1``, predict

    ``1  iff  <x'_i, w_i> > 0``,  ``w_i = (1/i) sum_{j<i} y'_j x'_j``

    (the sign of the query's correlation with the label-weighted mean of the examples). Ties,
    including position 0 where ``w_0 = 0``, give 0. The sums are integers, computed exactly.
    """

    name = "averaging"

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        dtype = torch.float32 if xs_BxPxN.shape[1] * xs_BxPxN.shape[2] < 2**24 else torch.float64
        x = signed(xs_BxPxN, dtype)
        w = exclusive_cumsum(signed(ys_BxP, dtype)[..., None] * x, dim=1)  # (B, P, n)
        score = (w * x).sum(-1)
        return Predictions((score > 0).to(torch.uint8))
