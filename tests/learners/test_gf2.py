"""Incremental GF(2) elimination: brute force over all parities, exactness, inconsistency."""

from __future__ import annotations

import itertools

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun.gf2 import rank
from learners import GF2Elimination
from learners.gf2 import xor_reduce
from tests.learners.helpers import prompts, random_prompts, version_space_report


def parity_tables(n: int) -> np.ndarray:
    inputs = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    subsets = np.array(list(itertools.product([0, 1], repeat=n)))
    return (subsets @ inputs.T) % 2 == 1


@settings(max_examples=25)
@given(
    n=st.integers(1, 4), points=st.integers(1, 14), seed=st.integers(0, 2**16), parity=st.booleans()
)
def test_version_space_matches_brute_force(n, points, seed, parity):
    """determined / consistent and the forced label equal the brute-force version space over
    all 2^n parities, on parity prompts and on random labels (inconsistent ones included)."""
    if parity:
        xs, ys = prompts("parity", 8, points, n, seed=seed)
    else:
        xs, ys = random_prompts(8, points, n, seed=seed)
    out = GF2Elimination().predict_full(xs, ys)
    consistent, determined, forced = version_space_report(parity_tables(n), xs, ys)
    np.testing.assert_array_equal(out.consistent, consistent)
    np.testing.assert_array_equal(out.determined, determined)
    assert (out.preds[determined] == forced[determined]).all()
    if parity:
        assert consistent.all()


def test_reproduces_every_seen_label():
    xs, ys = prompts("parity", 32, 20, 10, seed=2)
    xx, yy = np.concatenate([xs, xs], 1), np.concatenate([ys, ys], 1)
    out = GF2Elimination().predict_full(xx, yy)
    assert (out.preds[:, 20:] == ys).all() and out.determined[:, 20:].all()


def test_exact_after_n_independent_examples():
    for n in (10, 64, 70):  # one word, a full word (sign bit), two words
        xs, ys = prompts("parity", 16, 2 * n + 10, n, seed=n)
        out = GF2Elimination().predict_full(xs, ys)
        for b in range(len(xs)):
            ranks = [rank(xs[b, :i]) if i else 0 for i in range(xs.shape[1])]
            full = np.array(ranks) == n
            assert full.any()
            assert (out.preds[b, full] == ys[b, full]).all()
            np.testing.assert_array_equal(out.determined[b, full], True)
            # before full rank, determined exactly where x_i is in the span
            for i in np.flatnonzero(~full)[:12]:
                in_span = rank(xs[b, : i + 1]) == ranks[i]
                assert out.determined[b, i] == in_span


def test_inconsistent_prompt_reports_outside_class():
    xs = np.array([[[1, 0], [1, 0], [0, 1], [1, 1]]], np.uint8)
    ys = np.array([[1, 0, 1, 1]], np.uint8)  # x = (1, 0) labelled 1 then 0: no parity fits
    out = GF2Elimination().predict_full(xs, ys)
    assert out.consistent.tolist() == [[True, True, False, False]]
    assert out.determined.tolist() == [[False, True, False, False]]
    assert out.preds.tolist() == [[0, 1, 0, 0]]  # the contradicting equation is dropped


def test_xor_reduce():
    a = torch.randint(-(2**62), 2**62, (5, 7, 3))
    expected = a[:, 0]
    for j in range(1, 7):
        expected = expected ^ a[:, j]
    assert torch.equal(xor_reduce(a, 1), expected)
