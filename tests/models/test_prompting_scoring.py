"""Per-position accuracy over the answered queries only."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from learners.evaluation import position_accuracy
from models.prompting.scoring import masked_position_accuracy, nullable


@given(st.integers(1, 12), st.integers(1, 6), st.integers(0, 2**32 - 1), st.integers(0, 50))
def test_with_every_query_answered_it_is_position_accuracy(B, P, data_seed, seed):
    rng = np.random.default_rng(data_seed)
    preds, ys = rng.integers(0, 2, (B, P)), rng.integers(0, 2, (B, P))
    ours = masked_position_accuracy(preds == ys, np.ones((B, P), bool), resamples=50, seed=seed)
    ref = position_accuracy(preds, ys, resamples=50, seed=seed)
    np.testing.assert_allclose(ours.per_position, ref.per_position)
    np.testing.assert_allclose(ours.ci_low, ref.ci_low)
    np.testing.assert_allclose(ours.ci_high, ref.ci_high)
    assert ours.mean == pytest.approx(ref.mean) and ours.mean_ci == pytest.approx(ref.mean_ci)


def test_unanswered_positions_are_nan_and_left_out_of_the_mean():
    answered = np.array([[1, 0, 1], [1, 0, 0]], bool)
    correct = np.array([[1, 0, 0], [0, 0, 0]], bool)
    acc = masked_position_accuracy(correct, answered, resamples=200)
    assert acc.per_position[0] == 0.5 and np.isnan(acc.per_position[1])
    assert acc.per_position[2] == 0.0 and acc.mean == pytest.approx(0.25)
    assert np.isnan(acc.ci_low[1]) and np.isnan(acc.ci_high[1])
    assert 0 <= acc.ci_low[0] <= 0.5 <= acc.ci_high[0] <= 1
    assert nullable(acc.per_position) == [0.5, None, 0.0]


def test_nothing_answered():
    acc = masked_position_accuracy(np.zeros((2, 2), bool), np.zeros((2, 2), bool))
    assert np.isnan(acc.mean) and np.isnan(acc.per_position).all()


def test_bad_input():
    with pytest.raises(ValueError, match="correct must be False"):
        masked_position_accuracy(np.ones((1, 1), bool), np.zeros((1, 1), bool))
    with pytest.raises(ValueError, match="one shape"):
        masked_position_accuracy(np.ones((1, 2), bool), np.ones((2, 1), bool))
    with pytest.raises(ValueError, match="resamples"):
        masked_position_accuracy(np.ones((1, 1), bool), np.ones((1, 1), bool), resamples=0)
