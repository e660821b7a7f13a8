"""Minimum hitting sets: the combinatorial core of teaching.

A set ``T`` of points teaches ``f`` in ``C`` iff it *hits* every difference set
``D(h) = {z : h(z) != f(z)}``, ``h in C \\ {f}``; so ``TD(f, C)`` is the size of a minimum
hitting set of ``{D(h)}``. Two independent solvers: pysat's :class:`Hitman` (MaxSAT with RC2)
and a brute force over subsets with bit masks (small point sets only), used to cross-check.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

import numpy as np
from pysat.examples.hitman import Hitman

BRUTE_FORCE_MAX_POINTS = 64


def minimum_hitting_set(sets: Iterable[Iterable[int]]) -> list[int]:
    """A minimum-cardinality hitting set (pysat ``Hitman``, RC2 MaxSAT). An empty set in
    ``sets`` cannot be hit: ``ValueError``."""
    sets = [sorted(set(s)) for s in sets]
    if any(not s for s in sets):
        raise ValueError("sets: an empty set cannot be hit")
    if not sets:
        return []
    with Hitman(bootstrap_with=sets, htype="sorted") as h:
        return sorted(h.get())


def masks_of(sets: Iterable[Iterable[int]]) -> np.ndarray:
    """Sets of point indices < 64 as uint64 bit masks."""
    out = []
    for s in sets:
        m = 0
        for i in s:
            if not 0 <= i < BRUTE_FORCE_MAX_POINTS:
                raise ValueError(
                    f"points must be indices in [0, {BRUTE_FORCE_MAX_POINTS}), got {i}"
                )
            m |= 1 << i
        out.append(m)
    return np.array(out, dtype=np.uint64)


def brute_force_hitting_number(masks: np.ndarray, points: int, chunk: int = 1 << 16) -> int:
    """Size of a minimum hitting set of bit-mask sets over ``points <= 64`` points, by trying
    every subset of size 0, 1, 2, ... (vectorised over subsets)."""
    masks = np.asarray(masks, dtype=np.uint64)
    if points > BRUTE_FORCE_MAX_POINTS:
        raise ValueError(f"points must be <= {BRUTE_FORCE_MAX_POINTS}, got {points}")
    if (masks == 0).any():
        raise ValueError("masks: an empty set cannot be hit")
    if masks.size == 0:
        return 0
    bits = np.left_shift(np.uint64(1), np.arange(points, dtype=np.uint64))
    for k in range(1, points + 1):
        combos = combinations(range(points), k)
        while True:
            block = list(_take(combos, chunk))
            if not block:
                break
            subset = np.bitwise_or.reduce(bits[np.array(block)], axis=1)
            hits = (subset[:, None] & masks[None, :]) != 0
            if hits.all(axis=1).any():
                return k
    raise AssertionError("unreachable: the set of all points hits every non-empty set")


def _take(it: Iterable[Sequence[int]], k: int) -> Iterable[Sequence[int]]:
    for _, item in zip(range(k), it, strict=False):
        yield item
