"""Sparse parity, the perceptron, the feed-forward network, null and averaging."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from learners import (
    AveragingLearner,
    FeedForward,
    NullLearner,
    Perceptron,
    SparseParity,
    position_accuracy,
)
from tests.learners.helpers import prompts, random_prompts, version_space_report


@settings(max_examples=15)
@given(n=st.integers(2, 5), k=st.integers(1, 3), seed=st.integers(0, 2**16), own=st.booleans())
def test_sparse_parity_matches_brute_force(n, k, seed, own):
    k = min(k, n)
    if own:
        xs, ys = prompts("sparse_parity", 6, 10, n, seed=seed, k=k)
    else:
        xs, ys = random_prompts(6, 10, n, seed=seed)
    inputs = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    subsets = [s for s in itertools.product([0, 1], repeat=n) if sum(s) == k]
    tables = (np.array(subsets) @ inputs.T) % 2 == 1
    out = SparseParity(k).predict_full(xs, ys)
    consistent, determined, forced = version_space_report(tables, xs, ys)
    np.testing.assert_array_equal(out.consistent, consistent)
    np.testing.assert_array_equal(out.determined, determined)
    assert (out.preds[determined] == forced[determined]).all()


def test_sparse_parity_bad_k():
    xs, ys = prompts("sparse_parity", 2, 5, 3, seed=0, k=2)
    with pytest.raises(ValueError, match="k"):
        SparseParity(4).predict(xs, ys)
    with pytest.raises(ValueError, match="k"):
        SparseParity(0)


@pytest.mark.parametrize("task", ["halfspace", "threshold", "majority"])
def test_perceptron_is_consistent_on_separable_prompts(task):
    xs, ys = prompts(task, 48, 30, 6, seed=2)
    out = Perceptron(max_updates=2000).predict_full(xs, ys)
    assert out.consistent.all()
    # a consistent state classifies every earlier example correctly: repeat the prompt
    xx, yy = np.concatenate([xs, xs], 1), np.concatenate([ys, ys], 1)
    rep = Perceptron(max_updates=2000).predict_full(xx, yy)
    assert (rep.preds[:, 30:] == ys)[rep.consistent[:, 30:]].all()
    assert position_accuracy(out.preds, ys).per_position[-5:].mean() > 0.8


def test_perceptron_reports_inconsistency():
    xs = np.array([[[0, 0], [1, 1], [0, 1], [1, 0], [0, 0]]], np.uint8)
    ys = np.array([[0, 0, 1, 1, 0]], np.uint8)  # XOR: no halfspace
    out = Perceptron(max_updates=50).predict_full(xs, ys)
    assert not out.consistent[0, -1]


def test_ffn_learns_and_is_seeded():
    xs, ys = prompts("majority_small", 64, 40, 5, seed=3)
    a = FeedForward(seed=1).predict(xs, ys)
    assert (a == FeedForward(seed=1).predict(xs, ys)).all()
    late = position_accuracy(a, ys).per_position[-10:].mean()
    null = position_accuracy(NullLearner().predict(xs, ys), ys).per_position[-10:].mean()
    assert late > max(null, 0.8)


def test_ffn_bad_arguments():
    for kw in ({"hidden": 0}, {"steps": 0}, {"lr": 0.0}, {"lr": "big"}, {"seed": -1}):
        with pytest.raises(ValueError, match=next(iter(kw))):
            FeedForward(**kw)


def test_averaging_formula():
    xs, ys = random_prompts(4, 12, 5, seed=9)
    xp, yp = 2 * xs.astype(int) - 1, 2 * ys.astype(int) - 1
    expected = np.zeros_like(ys)
    for b, i in itertools.product(range(4), range(12)):
        w = (yp[b, :i, None] * xp[b, :i]).sum(0)
        expected[b, i] = (w @ xp[b, i]) > 0
    np.testing.assert_array_equal(AveragingLearner().predict(xs, ys), expected)


def test_null_is_zero_and_keeps_the_device():
    xs, ys = prompts("parity", 3, 4, 3, seed=0)
    out = NullLearner().predict(torch.from_numpy(xs), torch.from_numpy(ys))
    assert isinstance(out, torch.Tensor) and not out.any()
