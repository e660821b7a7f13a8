"""The elimination learner against brute force over its class (small n), and on its tasks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learners import Elimination
from tests.learners.helpers import literal_tables, prompts, random_prompts, version_space_report

CLASSES = [
    ("conjunction", False),
    ("conjunction", True),
    ("disjunction", False),
    ("disjunction", True),
]


@pytest.mark.parametrize("kind,monotone", CLASSES)
@settings(max_examples=15)
@given(
    n=st.integers(1, 3),
    points=st.integers(1, 12),
    p_one=st.sampled_from([0.2, 0.5, 0.8]),
    seed=st.integers(0, 2**16),
)
def test_version_space_matches_brute_force(kind, monotone, n, points, p_one, seed):
    """determined / consistent / the forced label agree with the class listed in full, on
    arbitrary labels (mostly outside the class; n <= 3 covers the whole cube)."""
    xs, ys = random_prompts(8, points, n, seed=seed, p_one=p_one)
    out = Elimination(kind, monotone).predict_full(xs, ys)
    consistent, determined, forced = version_space_report(literal_tables(n, kind, monotone), xs, ys)
    np.testing.assert_array_equal(out.consistent, consistent)
    np.testing.assert_array_equal(out.determined, determined)
    assert (out.preds[determined] == forced[determined]).all()


@pytest.mark.parametrize("kind,monotone", CLASSES)
@given(seed=st.integers(0, 2**16))
@settings(max_examples=10)
def test_never_errs_on_a_seen_positive(kind, monotone, seed):
    """The prompt repeated twice: in the second copy every example has been seen, and the
    hypothesis is true on every seen positive (conjunctions) / false on every seen negative
    (disjunctions) — whatever the labels."""
    xs, ys = random_prompts(16, 10, 6, seed=seed)
    xx, yy = np.concatenate([xs, xs], 1), np.concatenate([ys, ys], 1)
    preds = Elimination(kind, monotone).predict(xx, yy)[:, 10:]
    label = 1 if kind == "conjunction" else 0
    seen = ys == label
    assert (preds[seen] == label).all()


@pytest.mark.parametrize(
    "task,kind,monotone",
    [
        ("conjunction", "conjunction", False),
        ("monotone_conjunction", "conjunction", True),
        ("disjunction", "disjunction", False),
        ("sparse_disjunction", "disjunction", True),
        ("conjunction_small", "conjunction", False),
    ],
)
def test_exact_on_its_task(task, kind, monotone):
    """On prompts of its class: always consistent, never wrong where determined, never wrong on
    the seen label side, and 100% once the version space is a single function."""
    n = 4
    xs, ys = prompts(task, 64, 30, n, seed=1)
    out = Elimination(kind, monotone).predict_full(xs, ys)
    assert out.consistent.all()
    assert (out.preds[out.determined] == ys[out.determined]).all()
    positive_side = out.preds == (1 if kind == "conjunction" else 0)
    assert (ys[positive_side] == out.preds[positive_side]).all()  # one-sided errors only
    tables = literal_tables(n, kind, monotone)
    code = (xs.astype(np.int64) << np.arange(n)).sum(-1)
    for b in range(len(xs)):
        alive = np.ones(len(tables), bool)
        for i in range(xs.shape[1]):
            if alive.sum() == 1:
                assert out.preds[b, i] == ys[b, i]
            alive &= tables[:, code[b, i]] == ys[b, i]
    accuracy_last = (out.preds[:, -1] == ys[:, -1]).mean()
    assert accuracy_last >= 0.95


def test_prediction_is_most_specific_conjunction():
    xs = np.array([[[1, 1, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]]], np.uint8)
    ys = np.array([[1, 1, 1, 0]], np.uint8)
    assert Elimination().predict(xs, ys).tolist() == [[0, 0, 1, 0]]


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        Elimination("dnf")
    with pytest.raises(ValueError, match="monotone"):
        Elimination("conjunction", monotone=1)
