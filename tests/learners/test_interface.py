"""The shared interface, run over every learner: shapes, numpy/torch agreement, causality,
seeding and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from learners import LEARNERS, Learner, make_learner
from tests.learners.helpers import prompts, random_prompts, to_torch

TASK_OF = {  # a task each learner applies to, at a small size
    "null": "conjunction",
    "averaging": "majority",
    "nn1": "nearest_neighbour",
    "nn3": "dnf",
    "elimination": "conjunction",
    "gf2": "parity",
    "sparse_parity": "sparse_parity",
    "halfspace": "halfspace",
    "ffn": "majority",
    "bayes": "conjunction",
}
N, POINTS, BATCH = 5, 14, 6


def learner(name: str) -> Learner:
    params = {"start": 4} if TASK_OF[name] == "nearest_neighbour" else {}
    return make_learner(name, TASK_OF[name], **params)


def batch(name: str, seed: int = 0):
    params = {"start": 4} if TASK_OF[name] == "nearest_neighbour" else {}
    return prompts(TASK_OF[name], BATCH, POINTS, N, seed=seed, **params)


@pytest.mark.parametrize("name", LEARNERS)
def test_shapes_and_types(name):
    xs, ys = batch(name)
    out = learner(name).predict_full(xs, ys)
    assert isinstance(out.preds, np.ndarray) and out.preds.dtype == np.uint8
    assert out.preds.shape == ys.shape
    assert set(np.unique(out.preds)) <= {0, 1}
    for extra in (out.determined, out.consistent):
        assert extra is None or (extra.shape == ys.shape and extra.dtype == bool)
    assert out.meta["learner"] == name


@pytest.mark.parametrize("name", LEARNERS)
def test_numpy_and_torch_agree(name):
    xs, ys = batch(name, seed=1)
    a = learner(name).predict_full(xs, ys)
    tx, ty = to_torch(xs, ys)
    b = learner(name).predict_full(tx, ty)
    assert isinstance(b.preds, torch.Tensor) and b.preds.device == tx.device
    assert b.preds.dtype == torch.uint8
    np.testing.assert_array_equal(a.preds, b.preds.numpy())
    for u, v in ((a.determined, b.determined), (a.consistent, b.consistent)):
        assert (u is None) == (v is None)
        if u is not None:
            np.testing.assert_array_equal(u, v.numpy())


@pytest.mark.parametrize("name", LEARNERS)
def test_accepts_bool_int_and_float_inputs(name):
    xs, ys = batch(name, seed=2)
    ref = learner(name).predict(xs, ys)
    for cast in (bool, np.int64, np.float32):
        np.testing.assert_array_equal(learner(name).predict(xs.astype(cast), ys.astype(cast)), ref)


@pytest.mark.parametrize("name", LEARNERS)
@settings(max_examples=8)
@given(j=st.integers(0, POINTS - 1), seed=st.integers(0, 2**16))
def test_causal(name, j, seed):
    """Changing example j (input and label) and everything after it never changes the
    predictions before j; changing only the label y_j never changes position j either."""
    xs, ys = batch(name, seed=3)
    rx, ry = random_prompts(BATCH, POINTS, N, seed=seed)
    base = learner(name).predict(xs, ys)
    xs2, ys2 = xs.copy(), ys.copy()
    xs2[:, j:], ys2[:, j:] = rx[:, j:], ry[:, j:]
    np.testing.assert_array_equal(learner(name).predict(xs2, ys2)[:, :j], base[:, :j])
    ys3 = ys.copy()
    ys3[:, j] ^= 1
    np.testing.assert_array_equal(learner(name).predict(xs, ys3)[:, : j + 1], base[:, : j + 1])


@pytest.mark.parametrize("name", LEARNERS)
def test_prompts_are_independent(name):
    """A prompt's predictions do not depend on the other prompts of the batch."""
    xs, ys = batch(name, seed=4)
    full = learner(name).predict(xs, ys)
    if name in ("ffn", "bayes"):  # seeded per batch: compare a prefix of the batch
        np.testing.assert_array_equal(learner(name).predict(xs[:3], ys[:3]), full[:3])
    else:
        for b in (0, BATCH - 1):
            one = learner(name).predict(xs[b : b + 1], ys[b : b + 1])
            np.testing.assert_array_equal(one, full[b : b + 1])


@pytest.mark.parametrize("name", LEARNERS)
def test_single_point_prompt(name):
    xs, ys = batch(name)
    out = learner(name).predict(xs[:, :1], ys[:, :1])
    assert out.shape == (BATCH, 1)


@pytest.mark.parametrize(
    "xs_shape,ys_shape,needle",
    [
        ((2, 5), (2, 5), "xs"),  # xs not 3-d
        ((2, 5, 3), (2, 5, 1), "ys"),  # ys not 2-d
        ((2, 5, 3), (2, 4), "ys"),  # mismatched points
        ((3, 5, 3), (2, 5), "ys"),  # mismatched batch
        ((0, 5, 3), (0, 5), "xs"),  # no prompt
        ((2, 0, 3), (2, 0), "xs"),  # empty prompt
        ((2, 5, 0), (2, 5), "xs"),  # no variable
    ],
)
@pytest.mark.parametrize("name", LEARNERS)
def test_bad_shapes_raise(name, xs_shape, ys_shape, needle):
    with pytest.raises(ValueError, match=needle):
        learner(name).predict(np.zeros(xs_shape, np.uint8), np.zeros(ys_shape, np.uint8))


@pytest.mark.parametrize("name", LEARNERS)
def test_non_binary_raises(name):
    xs, ys = batch(name)
    bad = xs.astype(np.int64)
    bad[0, 0, 0] = 2
    with pytest.raises(ValueError, match="xs must contain only 0 and 1"):
        learner(name).predict(bad, ys)
    bady = ys.astype(np.float64)
    bady[0, 0] = 0.5
    with pytest.raises(ValueError, match="ys must contain only 0 and 1"):
        learner(name).predict(xs, bady)
    with pytest.raises(ValueError, match="ys"):
        learner(name).predict(xs, np.full(ys.shape, "a"))


def test_mixed_numpy_and_torch_raises():
    xs, ys = batch("null")
    with pytest.raises(ValueError, match="xs and ys"):
        learner("null").predict(torch.from_numpy(xs), ys)


@pytest.mark.parametrize("name", ["ffn", "bayes"])
def test_seeded(name):
    xs, ys = prompts("conjunction", BATCH, POINTS, 12, seed=5)  # n=12: bayes samples
    a = make_learner(name, "conjunction", seed=3).predict(xs, ys)
    b = make_learner(name, "conjunction", seed=3).predict(xs, ys)
    np.testing.assert_array_equal(a, b)


def test_make_learner_rejects_unknown():
    with pytest.raises(ValueError, match="learner"):
        make_learner("banana", "parity")
    with pytest.raises(ValueError, match="task"):
        make_learner("null", "banana")
    with pytest.raises(ValueError, match="parameter"):
        make_learner("bayes", "parity", k=3)
