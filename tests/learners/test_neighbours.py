"""k-NN: a plain reference with the documented tie rules, metric equivalence, and the
nearest_neighbour task."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learners import NearestNeighbours
from tests.learners.helpers import prompts, random_prompts


def reference_knn(xs: np.ndarray, ys: np.ndarray, k: int) -> np.ndarray:
    """Per prompt and position: sort earlier examples by (Hamming distance, index), vote among
    the first min(k, i); a tied vote takes the nearest label; position 0 predicts 0."""
    B, P, _ = xs.shape
    out = np.zeros((B, P), np.uint8)
    for b in range(B):
        for i in range(1, P):
            d = np.abs(xs[b, :i].astype(int) - xs[b, i]).sum(1)
            order = sorted(range(i), key=lambda j: (d[j], j))[:k]
            votes = ys[b, order]
            ones = int(votes.sum())
            out[b, i] = 1 if 2 * ones > len(votes) else (votes[0] if 2 * ones == len(votes) else 0)
    return out


@settings(max_examples=15)
@given(
    k=st.sampled_from([1, 2, 3, 5]),
    n=st.integers(1, 6),
    points=st.integers(1, 15),
    seed=st.integers(0, 2**16),
)
def test_matches_reference(k, n, points, seed):
    xs, ys = random_prompts(5, points, n, seed=seed)
    np.testing.assert_array_equal(NearestNeighbours(k).predict(xs, ys), reference_knn(xs, ys, k))


@pytest.mark.parametrize("k", [1, 3])
def test_hamming_and_euclidean_coincide(k):
    xs, ys = random_prompts(8, 30, 7, seed=1)
    a = NearestNeighbours(k, "hamming").predict(xs, ys)
    b = NearestNeighbours(k, "euclidean").predict(xs, ys)
    np.testing.assert_array_equal(a, b)
    # and the squared Euclidean distance is the Hamming distance on the cube
    x, z = xs[0, 0].astype(float), xs[0, 1].astype(float)
    assert ((x - z) ** 2).sum() == np.abs(x - z).sum()


@pytest.mark.parametrize("start", [1, 10, 30])
def test_1nn_is_perfect_on_nearest_neighbour_after_start(start):
    xs, ys = prompts("nearest_neighbour", 64, 60, 10, seed=start, start=start)
    preds = NearestNeighbours(1).predict(xs, ys)
    assert (preds[:, start:] == ys[:, start:]).all()


def test_bad_arguments():
    with pytest.raises(ValueError, match="k"):
        NearestNeighbours(0)
    with pytest.raises(ValueError, match="metric"):
        NearestNeighbours(1, "cosine-ish")
