"""One vectorised sampler per task family (see :class:`boolfun.tasks.Distribution`).

Each sampler draws the parameters of ``batch`` functions, the ``(batch, points)`` inputs as
packed words (:mod:`boolfun.samplers.words`; every bit 1 w.p. ``dist.p_one``), applies the
task's forcing rule and computes the labels from the parameters with tensor operations: no
Python loop over prompts or examples.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from math import lcm
from typing import NamedTuple

import torch

from boolfun.samplers import draws
from boolfun.samplers.words import count, pack, random_words, unpack
from boolfun.tasks import Task


class Sample(NamedTuple):
    """A family sampler's output (all on the sampling device)."""

    words: torch.Tensor  # (batch, points, W) int64 packed inputs
    ys: torch.Tensor  # (batch, points) bool labels
    params: dict[str, torch.Tensor]  # the functions' parameters, for building boolfun objects
    bits: torch.Tensor | None = None  # (batch, points, n) uint8, when the sampler unpacked them


class Context(NamedTuple):
    """What every family sampler receives."""

    task: Task
    batch: int
    points: int
    n: int
    params: dict[str, int]
    generator: torch.Generator
    device: torch.device

    def inputs(self) -> torch.Tensor:
        """Random inputs, ``(batch, points, W)`` words: every bit 1 w.p. ``dist.p_one``
        (uniform words, 64 random bits per draw, at the default 0.5)."""
        shape = (self.batch, self.points)
        p = self.task.dist.p_one
        if p == 0.5:
            return random_words(shape, self.n, self.generator, self.device)
        return pack(draws.bernoulli(p, (*shape, self.n), self.generator, self.device))

    def forced(self) -> torch.Tensor:
        """``(batch, points, 1)`` bool: which examples the forcing rule overwrites."""
        q = self.task.dist.force
        return draws.bernoulli(q, (self.batch, self.points, 1), self.generator, self.device)


def _literals(ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    """``(positive, negative)`` masks of shape (batch, groups, n)."""
    d = ctx.task.dist
    shape = (ctx.batch, d.groups, ctx.n)
    if d.exactly_k:
        pos = draws.subset_masks(ctx.params["k"], shape, ctx.generator, ctx.device)
        return pos, torch.zeros_like(pos)
    return draws.literal_masks(d.p_positive, d.p_negative, shape, ctx.generator, ctx.device)


def _all_true(x: torch.Tensor, posw: torch.Tensor, litw: torch.Tensor) -> torch.Tensor:
    """AND of the literals: no literal bit differs from its satisfying value."""
    return ((x ^ posw) & litw).eq(0).all(-1)


def _any_true(x: torch.Tensor, negw: torch.Tensor, litw: torch.Tensor) -> torch.Tensor:
    """OR of the literals: some literal bit differs from its falsifying value."""
    return ((x ^ negw) & litw).ne(0).any(-1)


def sample_literal_family(ctx: Context) -> Sample:
    """Conjunction, disjunction (sparse too), DNF and CNF.

    The forcing rule picks one group per prompt (the only one for a conjunction/disjunction)
    and, in each forced example, writes the bits that make every literal of that term true
    (conjunction, dnf) or every literal of that clause false (disjunction, cnf).
    """
    family = ctx.task.family
    pos, neg = _literals(ctx)
    posw, negw = pack(pos), pack(neg)  # (batch, groups, W)
    litw = posw | negw
    conj_like = family in ("conjunction", "dnf")
    target = posw if conj_like else negw  # bits that satisfy / falsify every literal
    x = ctx.inputs()
    if ctx.task.dist.force > 0:
        rows = torch.arange(ctx.batch, device=ctx.device)
        chosen = torch.randint(
            ctx.task.dist.groups, (ctx.batch,), generator=ctx.generator, device=ctx.device
        )
        lit_c, target_c = litw[rows, chosen][:, None], target[rows, chosen][:, None]
        x = torch.where(ctx.forced(), (x & ~lit_c) | target_c, x)
    groups = [
        _all_true(x, posw[:, g, None], litw[:, g, None])
        if conj_like
        else _any_true(x, negw[:, g, None], litw[:, g, None])
        for g in range(ctx.task.dist.groups)
    ]
    ys = reduce(operator.or_ if conj_like else operator.and_, groups)  # DNF: OR; CNF: AND
    return Sample(x, ys, {"positive": pos, "negative": neg})


def _subset(ctx: Context) -> torch.Tensor:
    d = ctx.task.dist
    shape = (ctx.batch, ctx.n)
    if d.exactly_k:
        return draws.subset_masks(ctx.params["k"], shape, ctx.generator, ctx.device)
    return draws.bernoulli(d.p_positive, shape, ctx.generator, ctx.device)


def sample_majority(ctx: Context) -> Sample:
    """Majority of a random subset: ``2 |x_S| > |S|`` (ties and empty ``S`` give 0)."""
    s = _subset(ctx)
    sw = pack(s)[:, None]
    x = ctx.inputs()
    ys = 2 * count(x & sw) > s.sum(-1, keepdim=True)
    return Sample(x, ys, {"subset": s})


def sample_parity(ctx: Context) -> Sample:
    """Parity of a random subset: ``|x_S| mod 2``."""
    s = _subset(ctx)
    sw = pack(s)[:, None]
    x = ctx.inputs()
    ys = (count(x & sw) & 1).bool()
    return Sample(x, ys, {"subset": s})


def weighted_count(x: torch.Tensor, weights: torch.Tensor, max_abs: int) -> torch.Tensor:
    """``w . x`` for words ``x`` (batch, points, W) and integer weights (batch, n) with
    ``|w| <= max_abs``: the magnitudes are split into bit planes, each plane a pair of words
    (positive weights, negative weights), so ``w . x = sum_j 2^j (|x & P_j| - |x & N_j|)``."""
    mag = weights.abs()
    total = torch.zeros(x.shape[:-1], dtype=torch.int64, device=x.device)
    for j in range(max_abs.bit_length()):
        plane = ((mag >> j) & 1).bool()
        pw, nw = pack(plane & (weights > 0))[:, None], pack(plane & (weights < 0))[:, None]
        total += (count(x & pw) - count(x & nw)) << j
    return total


def sample_threshold(ctx: Context) -> Sample:
    """Threshold and halfspace: ``w . x' > b`` with ``x' = 2x - 1``, i.e.
    ``2 (w . x) - sum(w) > b``, compared exactly as integers (``b`` scaled by the common
    denominator of the allowed biases)."""
    d = ctx.task.dist
    values = torch.tensor(d.weights, dtype=torch.int64, device=ctx.device)
    w = values[draws.categorical(d.weight_probs, (ctx.batch, ctx.n), ctx.generator, ctx.device)]
    bias = torch.randint(len(d.biases), (ctx.batch,), generator=ctx.generator, device=ctx.device)
    den = lcm(*(b.denominator for b in d.biases))
    scaled = torch.tensor([int(b * den) for b in d.biases], dtype=torch.int64, device=ctx.device)
    x = ctx.inputs()
    max_abs = max(abs(v) for v in d.weights)
    lhs = 2 * weighted_count(x, w, max_abs) - w.sum(-1, keepdim=True)
    ys = lhs * den > scaled[bias][:, None]
    return Sample(x, ys, {"weights": w, "bias": bias})


def _earliest_most_similar(
    signed: torch.Tensor, rows: range, strict: bool, points: int
) -> torch.Tensor:
    """For every row ``j`` in ``rows``: the earliest ``i < j`` (``i <= j`` unless ``strict``)
    of largest ``x'_i . x'_j``, as int64 ``(batch, len(rows))``.

    It is the minimum over ``i`` of the key ``-points * (x'_i . x'_j) + i`` (``+inf`` outside
    the allowed ``i``), one batched matmul and one reduction; the key is exact in the dtype
    :func:`nearest_labels` picks."""
    dtype, device = signed.dtype, signed.device
    cols = rows.stop  # no later column is ever allowed
    i = torch.arange(cols, device=device)
    j = torch.arange(rows.start, rows.stop, device=device)[:, None]
    banned = i >= j if strict else i > j
    offset = i.to(dtype).expand(len(rows), cols).masked_fill(banned, float("inf"))
    with torch.autocast(device.type, enabled=False):  # keys must stay exact under AMP
        queries, keys = signed[:, rows.start : rows.stop], signed[:, :cols].transpose(1, 2)
        key = torch.baddbmm(offset, queries, keys, alpha=-points)
    return key.amin(-1).to(torch.int64) % points


def nearest_labels(bits: torch.Tensor, first: torch.Tensor, start: int) -> torch.Tensor:
    """Nearest-neighbour labels from the ``(batch, min(start, points))`` random labels
    ``first`` (the rule of the original authors' generator):

    * ``j < start``: ``ys[:, j] = first[:, r(j)]`` with ``r(j)`` the earliest ``i <= j`` with
      ``x_i = x_j`` -- a fresh input keeps its own random label, an exact repeat of an earlier
      input takes the label of its first copy;
    * ``j >= start``: ``ys[:, j] = ys[:, p(j)]`` with ``p(j)`` the earliest ``i < j`` of
      largest ``x'_i . x'_j`` (``x' = 2x - 1``; equal norms, so cosine order = dot order =
      reverse Hamming order, and ``x'_i . x'_j = n`` exactly when ``x_i = x_j``).

    Both pointers come from :func:`_earliest_most_similar` (its keys are exact in float32
    while ``points * (n + 2) < 2^24``, float64 beyond). The recursion is then resolved by
    pointer jumping: ``ptr = r`` on the first ``start`` positions (each ``r(j)`` points at
    itself) and ``p`` after, composed with itself ``ceil(log2(points - start + 1))`` times,
    after which every position points at the random label it inherits.
    """
    _, points, n = bits.shape
    m = min(start, points)
    dtype = torch.float32 if points * (n + 2) < 2**24 else torch.float64
    signed = bits.to(dtype).mul_(2).sub_(1)
    ptr = _earliest_most_similar(signed, range(m), False, points)  # first copies
    if start < points:
        nearest = _earliest_most_similar(signed, range(start, points), True, points)
        ptr = torch.cat([ptr, nearest], dim=1)
        for _ in range((points - start).bit_length()):
            ptr = ptr.gather(1, ptr)
    return first.gather(1, ptr)


def sample_nearest_neighbour(ctx: Context) -> Sample:
    """Uniform inputs; the first ``start`` labels uniform (an exact repeat among them takes
    its first copy's label), later ones copied from the nearest earlier point (see
    :func:`nearest_labels`)."""
    start = ctx.params["start"]
    x = ctx.inputs()
    bits = unpack(x, ctx.n)
    first = draws.bernoulli(0.5, (ctx.batch, min(start, ctx.points)), ctx.generator, ctx.device)
    return Sample(x, nearest_labels(bits, first, start), {}, bits)


SAMPLERS: dict[str, Callable[[Context], Sample]] = {
    "conjunction": sample_literal_family,
    "disjunction": sample_literal_family,
    "dnf": sample_literal_family,
    "cnf": sample_literal_family,
    "majority": sample_majority,
    "parity": sample_parity,
    "threshold": sample_threshold,
    "halfspace": sample_threshold,
    "nearest_neighbour": sample_nearest_neighbour,
}
"""The sampler of every :data:`boolfun.tasks.Family`."""
