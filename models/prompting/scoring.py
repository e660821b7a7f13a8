"""Per-position accuracy of direct prompting, where only some queries have answers.

``correct`` and ``answered`` are ``(B, P)``: ``answered[b, i]`` says query ``i`` of prompt ``b``
has an answer (valid or not), ``correct[b, i]`` that it is the label (an invalid answer is
wrong). The accuracy at position ``i`` is ``sum_b correct[b, i] / sum_b answered[b, i]``,
undefined (NaN) where no prompt has an answer — positions that were not queried, or whose
queries all failed. The interval is the percentile bootstrap of
:func:`learners.evaluation.position_accuracy` over prompts, with the same resample counts
(same seed, same draws): ``c @ correct / c @ answered`` per resample ``c``. With every query
answered it is exactly that function's result. The mean is over the positions with answers.
"""

from __future__ import annotations

import warnings

import numpy as np

from boolfun.bits import check_int
from learners.evaluation import MAX_RESAMPLES, PositionAccuracy


def masked_position_accuracy(
    correct: np.ndarray,
    answered: np.ndarray,
    *,
    resamples: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> PositionAccuracy:
    """Accuracy per position over the answered queries only (module docstring)."""
    c = np.asarray(correct, dtype=bool)
    a = np.asarray(answered, dtype=bool)
    if c.ndim != 2 or c.shape != a.shape:
        raise ValueError(f"correct and answered must be (prompts, points) arrays of one shape, "
                         f"got {c.shape} and {a.shape}")
    if (c & ~a).any():
        raise ValueError("correct must be False where answered is False")
    B, P = c.shape
    if B < 1 or P < 1:
        raise ValueError(f"correct must hold at least one prompt and one point, got {c.shape}")
    resamples = check_int(resamples, "resamples", 1, MAX_RESAMPLES)
    if not isinstance(level, float | int) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), got {level!r}")
    rng = np.random.default_rng(check_int(seed, "seed", 0))
    cf, af = c.astype(np.float64), a.astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = cf.sum(0) / af.sum(0)
        boot = np.empty((resamples, P))
        step = max(1, (1 << 22) // max(B, 1))
        for s in range(0, resamples, step):
            m = min(step, resamples - s)
            counts = rng.multinomial(B, np.full(B, 1.0 / B), size=m)
            boot[s : s + m] = (counts @ cf) / (counts @ af)
    lo, hi = (1 - level) / 2 * 100, (1 + level) / 2 * 100
    has = ~np.isnan(acc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        ci_low = np.nanpercentile(boot, lo, axis=0)
        ci_high = np.nanpercentile(boot, hi, axis=0)
        means = np.nanmean(boot[:, has], axis=1) if has.any() else np.full(resamples, np.nan)
        mean = float(acc[has].mean()) if has.any() else float("nan")
        mean_ci = (float(np.nanpercentile(means, lo)), float(np.nanpercentile(means, hi)))
    ci_low[~has] = np.nan
    ci_high[~has] = np.nan
    return PositionAccuracy(acc, ci_low, ci_high, mean, mean_ci, B, float(level), resamples)


def nullable(values: np.ndarray, digits: int = 4) -> list[float | None]:
    """A JSON-ready list: each value rounded, NaN as ``None``."""
    return [None if np.isnan(v) else round(float(v), digits) for v in values]
