"""The nearest_neighbour labelling rule, in the vectorised sampler and the reference.

Before ``start`` every input has a fair-coin label except an exact repeat of an earlier input,
which takes the label of its first copy (the rule of the original authors' generator); from
``start`` on each label copies that of the nearest earlier point (ties: earliest). Small ``n``
makes repeats common.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from boolfun.reference import nearest_neighbour_labels, reference_prompts
from boolfun.samplers import sample_prompts
from boolfun.samplers.families import nearest_labels

Z = 5.0  # tolerance in standard errors


def first_copies(x: np.ndarray) -> np.ndarray:
    """``r[j]``: the earliest ``i <= j`` with ``x[i] == x[j]`` (``x`` of shape (points, n))."""
    eq = (x[:, None, :] == x[None, :, :]).all(-1)
    return eq.argmax(1)  # row j: the first True, at the latest j itself


def check_rule(x: np.ndarray, y: np.ndarray, start: int) -> None:
    """Assert that the labels ``y`` of one prompt follow the rule (written independently of
    both samplers: Hamming distances, first minimum)."""
    roots = first_copies(x)
    for j in range(min(start, len(x))):
        assert y[j] == y[roots[j]], f"repeat at {j} of {roots[j]} (start {start})"
    for j in range(start, len(x)):
        dist = (x[:j] != x[j]).sum(1)
        assert y[j] == y[int(np.argmin(dist))], f"position {j} (start {start})"


def repeats_before_start(xs: np.ndarray, start: int) -> int:
    """How many positions ``j < start`` repeat an earlier input, over all prompts."""
    return sum(
        int((first_copies(x)[: min(start, len(x))] < np.arange(min(start, len(x)))).sum())
        for x in xs
    )


@pytest.mark.parametrize(
    "n,points,start", [(3, 40, 40), (3, 60, 20), (4, 50, 30), (2, 12, 5), (3, 20, 50), (1, 6, 3)]
)
def test_sampled_prompts_follow_the_rule(n, points, start):
    xs, ys = sample_prompts("nearest_neighbour", 300, points, n, seed=11, start=start).numpy()
    assert repeats_before_start(xs, start) > 100  # the case under test is common here
    for b in range(len(xs)):
        check_rule(xs[b], ys[b], start)


@pytest.mark.parametrize("n,points,start", [(3, 40, 40), (3, 60, 20), (2, 12, 5), (3, 20, 50)])
def test_reference_prompts_follow_the_rule(n, points, start):
    rng = np.random.default_rng(12)
    xs, ys, _ = reference_prompts("nearest_neighbour", 150, points, n, rng, start=start)
    assert repeats_before_start(xs, start) > 50
    for b in range(len(xs)):
        check_rule(xs[b], ys[b], start)


def test_equal_inputs_anywhere_before_start_agree():
    """Every pair of equal inputs, the later one before ``start``, has equal labels: the
    whole class of an input among the first ``start`` positions shares one label."""
    n, points, start = 3, 30, 30
    xs, ys = sample_prompts("nearest_neighbour", 500, points, n, seed=13, start=start).numpy()
    eq = (xs[:, :, None, :] == xs[:, None, :, :]).all(-1)  # (B, P, P)
    same = ys[:, :, None] == ys[:, None, :]
    assert (same | ~eq).all()
    # the fresh inputs keep independent fair coins: their mean label is about 1/2
    fresh = np.stack([first_copies(x) == np.arange(points) for x in xs])
    share = ys[fresh].mean()
    assert abs(share - 0.5) < Z * 0.5 / np.sqrt(fresh.sum())


@pytest.mark.parametrize(
    "n,points,start", [(3, 30, 10), (2, 16, 16), (4, 20, 40), (5, 64, 1), (1, 5, 2), (12, 80, 33)]
)
def test_vectorised_labelling_equals_reference_exactly(n, points, start):
    """The same inputs and coins give the same labels in both implementations."""
    rng = np.random.default_rng(points * 100 + n)
    batch = 40
    xs = rng.integers(0, 2, size=(batch, points, n)).astype(np.uint8)
    first = rng.integers(0, 2, size=(batch, min(start, points))).astype(np.uint8)
    got = nearest_labels(torch.from_numpy(xs), torch.from_numpy(first).bool(), start)
    for b in range(batch):
        want = nearest_neighbour_labels(xs[b], first[b], start)
        assert np.array_equal(got[b].numpy().astype(np.uint8), want), b
        check_rule(xs[b], want, start)


def test_distinct_inputs_keep_their_coins():
    """Without repeats before ``start`` the first ``start`` labels are the coins unchanged,
    so prompts without a repeat are labelled exactly as before the first-copy rule."""
    n, points, start = 4, 24, 16
    base = torch.arange(16, dtype=torch.int64)
    bits = ((base[:, None] >> torch.arange(n)) & 1).to(torch.uint8)  # 16 distinct inputs
    g = torch.Generator().manual_seed(0)
    perm = torch.stack([torch.randperm(16, generator=g) for _ in range(8)])
    head = bits[perm]  # (8, 16, n), all distinct
    tail = torch.randint(0, 2, (8, points - start, n), generator=g, dtype=torch.uint8)
    x = torch.cat([head, tail], 1)
    first = torch.rand((8, start), generator=g) < 0.5
    ys = nearest_labels(x, first, start)
    assert torch.equal(ys[:, :start], first)


def test_vectorised_matches_reference_in_distribution():
    """Two-sample tests on per-prompt statistics the first-copy rule moves: the label rate,
    the share of labels equal to the first one, and the share of labels equal to that of the
    previous occurrence of the same input (1 under the rule, not under independent coins)."""
    n, points, start = 3, 30, 20
    vx, vy = sample_prompts("nearest_neighbour", 3000, points, n, seed=14, start=start).numpy()
    rx, ry, _ = reference_prompts(
        "nearest_neighbour", 400, points, n, np.random.default_rng(14), start=start
    )

    def stats(xs, ys):
        label = ys.mean(1)
        like_first = (ys == ys[:, :1]).mean(1)
        distinct = np.array([len(np.unique(x[:start], axis=0)) for x in xs], dtype=float)
        return {"label": label, "like_first": like_first, "distinct": distinct}

    a, b = stats(vx, vy), stats(rx, ry)
    for key in a:
        se = np.sqrt(a[key].var(ddof=1) / len(a[key]) + b[key].var(ddof=1) / len(b[key]))
        diff = abs(a[key].mean() - b[key].mean())
        assert diff <= Z * se + 1e-12, f"{key}: {a[key].mean():.4f} vs {b[key].mean():.4f}"
    for xs, ys in ((vx, vy), (rx, ry)):  # no repeat disagrees with its first copy
        for x, y in zip(xs, ys, strict=True):
            roots = first_copies(x)[:start]
            assert np.array_equal(y[:start], y[roots])


def test_rule_under_autocast():
    """Training code samples inside bf16 autocast: both pointer keys stay exact."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        xs, ys = sample_prompts("nearest_neighbour", 50, 120, 4, seed=15, start=60).numpy()
    for b in range(len(xs)):
        check_rule(xs[b], ys[b], 60)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 6),
    points=st.integers(1, 40),
    start=st.integers(1, 50),
)
def test_property_rule_and_determinism(seed, n, points, start):
    p = sample_prompts("nearest_neighbour", 6, points, n, seed=seed, start=start)
    q = sample_prompts("nearest_neighbour", 6, points, n, seed=seed, start=start)
    assert torch.equal(p.xs, q.xs) and torch.equal(p.ys, q.ys)
    xs, ys = p.numpy()
    for b in range(len(xs)):
        check_rule(xs[b], ys[b], start)
        # a fixed point: the labels are the rule applied to their own free coins
        coins = ys[b][: min(start, points)]
        assert np.array_equal(nearest_neighbour_labels(xs[b], coins, start), ys[b])
    rx, ry, _ = reference_prompts(
        "nearest_neighbour", 2, points, n, np.random.default_rng(seed), start=start
    )
    for b in range(len(rx)):
        check_rule(rx[b], ry[b], start)
