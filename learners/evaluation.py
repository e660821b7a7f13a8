"""Per-position accuracy with bootstrap confidence intervals over prompts.

For predictions ``preds`` and labels ``ys`` of shape ``(B, P)`` the accuracy at position ``i``
is ``a_i = (1/B) sum_b [preds[b, i] = ys[b, i]]``. Prompts are the independent units, so the
interval resamples *prompts* with replacement: ``resamples`` bootstrap batches
``b_1..b_B ~ Uniform{1..B}`` (drawn from a seeded ``numpy.random.Generator``), the accuracy curve
of each, and the ``(1 - level)/2`` and ``(1 + level)/2`` percentiles per position (the
percentile bootstrap). The same resamples give the interval of the mean over positions. Models
and classical learners are scored by the same function.

>>> import numpy as np
>>> acc = position_accuracy(np.array([[1, 0], [1, 1]]), np.array([[1, 1], [1, 1]]))
>>> acc.per_position.tolist(), acc.mean
([1.0, 0.5], 0.75)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from boolfun.bits import check_int

MAX_RESAMPLES = 100_000
"""The most bootstrap resamples :func:`position_accuracy` draws (the interval's percentiles
are stable to three digits long before; more only costs time and memory)."""


@dataclass
class PositionAccuracy:
    """Accuracy per position with its bootstrap interval; ``mean`` averages the positions."""

    per_position: np.ndarray  # (P,)
    ci_low: np.ndarray  # (P,)
    ci_high: np.ndarray  # (P,)
    mean: float
    mean_ci: tuple[float, float]
    prompts: int
    level: float
    resamples: int

    def to_dict(self, digits: int = 4) -> dict[str, Any]:
        """JSON-ready: ``per_position``, ``ci_low``, ``ci_high`` (lists), ``mean``, ...."""

        def r(a: np.ndarray) -> list[float]:
            return [round(float(v), digits) for v in a]

        return {
            "per_position": r(self.per_position),
            "ci_low": r(self.ci_low),
            "ci_high": r(self.ci_high),
            "mean": round(self.mean, digits),
            "mean_ci": [round(v, digits) for v in self.mean_ci],
        }


def _as_numpy(a: Any, name: str) -> np.ndarray:
    if isinstance(a, torch.Tensor):
        a = a.detach().cpu().numpy()
    arr = np.asarray(a)
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (prompts, points), got shape {arr.shape}")
    if arr.dtype == object or not (
        arr.dtype == np.bool_
        or np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{name} must be a numeric or boolean array of 0/1, got {arr.dtype}")
    if arr.size and not ((arr == 0) | (arr == 1)).all():
        raise ValueError(f"{name} must contain only 0 and 1")
    return arr.astype(bool)


def position_accuracy(
    preds: Any,
    ys: Any,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PositionAccuracy:
    """Accuracy of ``preds`` against ``ys`` (both ``(B, P)``, numpy or torch, 0/1) at every
    position, with a percentile-bootstrap interval over prompts (module docstring)."""
    p, y = _as_numpy(preds, "preds"), _as_numpy(ys, "ys")
    if p.shape != y.shape:
        raise ValueError(f"preds must have the shape of ys {y.shape}, got {p.shape}")
    B, P = y.shape
    if B < 1 or P < 1:
        raise ValueError(f"ys must hold at least one prompt and one point, got shape {y.shape}")
    resamples = check_int(resamples, "resamples", 1, MAX_RESAMPLES)
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    correct = (p == y).astype(np.float64)  # (B, P)
    acc = correct.mean(0)
    boot = np.empty((resamples, P))
    step = max(1, (1 << 22) // max(B, 1))
    for s in range(0, resamples, step):
        m = min(step, resamples - s)
        counts = rng.multinomial(B, np.full(B, 1.0 / B), size=m)  # (m, B) resample counts
        boot[s : s + m] = counts @ correct / B
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    means = boot.mean(1)
    return PositionAccuracy(
        per_position=acc,
        ci_low=np.percentile(boot, lo, axis=0),
        ci_high=np.percentile(boot, hi, axis=0),
        mean=float(acc.mean()),
        mean_ci=(float(np.percentile(means, lo)), float(np.percentile(means, hi))),
        prompts=B,
        level=float(level),
        resamples=resamples,
    )


@dataclass
class Score:
    """What :func:`score` measured: the predictor's :class:`~learners.base.Predictions`, their
    :class:`PositionAccuracy` and the seconds ``predict_full`` took."""

    predictions: Any
    accuracy: PositionAccuracy
    seconds: float


def score(
    predictor: Any,
    xs: Any,
    ys: Any,
    *,
    shown_ys: Any = None,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Score:
    """Score any predictor on prompts ``xs`` / ``ys``: ``predictor.predict_full(xs, shown)``
    then :func:`position_accuracy` of its predictions against ``ys``. The one path from a
    predictor (a classical learner of :mod:`learners`, or a trained
    :class:`models.wrapper.InContextModel`) to its scores.

    ``shown_ys`` are the labels the predictor sees in context (default ``ys``; e.g. noisy
    labels, while accuracy is scored against the clean ``ys``).
    """
    t0 = time.perf_counter()
    out = predictor.predict_full(xs, ys if shown_ys is None else shown_ys)
    seconds = time.perf_counter() - t0
    acc = position_accuracy(out.preds, ys, resamples=resamples, seed=seed, level=level)
    return Score(out, acc, seconds)
