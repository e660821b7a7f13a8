"""Per-position accuracy with bootstrap intervals."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from learners import position_accuracy


def test_values_and_intervals():
    rng = np.random.default_rng(0)
    ys = rng.integers(0, 2, (400, 10))
    preds = np.where(rng.random((400, 10)) < 0.8, ys, 1 - ys)
    acc = position_accuracy(preds, ys, resamples=500, seed=1)
    np.testing.assert_allclose(acc.per_position, (preds == ys).mean(0))
    assert (acc.ci_low <= acc.per_position).all() and (acc.per_position <= acc.ci_high).all()
    width = acc.ci_high - acc.ci_low  # about 2 * 1.96 * sqrt(.8 * .2 / 400) = 0.078
    assert ((width > 0.05) & (width < 0.11)).all()
    assert acc.mean_ci[0] <= acc.mean <= acc.mean_ci[1]
    d = acc.to_dict()
    assert set(d) >= {"per_position", "ci_low", "ci_high", "mean"} and len(d["ci_low"]) == 10


def test_seeded_and_torch():
    ys = np.random.default_rng(0).integers(0, 2, (50, 6))
    preds = np.zeros_like(ys)
    a = position_accuracy(preds, ys, seed=3)
    b = position_accuracy(torch.from_numpy(preds), torch.from_numpy(ys), seed=3)
    np.testing.assert_array_equal(a.ci_low, b.ci_low)
    assert not np.array_equal(a.ci_low, position_accuracy(preds, ys, seed=4).ci_low)


@pytest.mark.parametrize(
    "preds,ys,kw,needle",
    [
        (np.zeros((3, 4)), np.zeros((3, 5)), {}, "preds"),
        (np.zeros(4), np.zeros(4), {}, "preds"),
        (np.zeros((3, 4)), np.full((3, 4), 2), {}, "ys"),
        (np.zeros((0, 4)), np.zeros((0, 4)), {}, "ys"),
        (np.zeros((3, 4)), np.zeros((3, 4)), {"resamples": 0}, "resamples"),
        (np.zeros((3, 4)), np.zeros((3, 4)), {"level": 1.5}, "level"),
    ],
)
def test_bad_input(preds, ys, kw, needle):
    with pytest.raises(ValueError, match=needle):
        position_accuracy(preds, ys, **kw)
