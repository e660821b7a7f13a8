"""Gaussian elimination over GF(2) for parities, incremental over the positions of a prompt.

A parity is a linear form ``f(x) = <s, x> mod 2``; each example ``(x_j, y_j)`` is the equation
``<s, x_j> = y_j``. The learner keeps, per prompt, the system of the examples seen so far in
*reduced row echelon form* over bit-packed augmented rows (``n + 1`` bits, the right-hand side
``c_p`` in bit ``n``; ``W = ceil((n + 1) / 64)`` int64 words per row): row ``p`` exists for
each pivot column ``p``, contains bit ``p`` and no other pivot column. Then for any query
``x``:

* the reduction ``r = x XOR (XOR of the rows whose pivot bit is set in x)`` has no pivot bit, and
  ``x`` lies in the span of the examples iff ``r = 0``; the label is then *forced*:
  ``<s, x> = XOR_{p : x_p = 1} c_p`` for every consistent ``s`` (determined);
* otherwise the consistent ``s`` split evenly between the labels. The documented choice is the
  canonical solution ``s_0`` with every free (non-pivot) coordinate 0, whose pivot coordinates
  are ``s_0[p] = c_p``; its label ``<s_0, x> = XOR_{p : x_p = 1} c_p`` is the same expression,
  so one formula predicts in both cases.

Adding the example ``(x_i, y_i)`` after predicting it is one elimination step: if ``r != 0`` its
lowest set bit ``q`` becomes a new pivot with row ``r`` and right-hand side ``y_i XOR pred``,
and ``r`` is XORed into the rows that contain bit ``q`` (one XOR of augmented rows updates
coefficients and right-hand sides together); if ``r = 0`` the equation is redundant
or, when ``y_i`` differs from the forced label, contradictory: the prompt is then *outside the
class* (no parity fits it), the equation is dropped, ``consistent`` is ``False`` from position
``i + 1`` on and nothing is ``determined`` there. Cost per position: ``O(n W)`` word operations
per prompt (a log-depth XOR tree), batched over prompts, on the input's device (on the CPU
with ``threads`` intra-op threads, default 1: see :func:`learners.base.cpu_threads`).

>>> import numpy as np
>>> xs = np.array([[[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1], [1, 0, 1]]])
>>> ys = np.array([[1, 0, 1, 1, 0]])   # s = x1 + x3
>>> out = GF2Elimination().predict_full(xs, ys)
>>> out.preds.tolist(), out.determined.tolist()
([[0, 0, 1, 0, 0]], [[False, False, True, False, True]])
"""

from __future__ import annotations

import torch

from boolfun.bits import check_int
from boolfun.samplers.words import n_words
from learners.base import Learner, Predictions, cpu_threads


def xor_reduce(a: torch.Tensor, dim: int) -> torch.Tensor:
    """XOR of the integer tensor ``a`` along ``dim`` (a tree of pairwise XORs)."""
    a = a.movedim(dim, 0)
    while a.shape[0] > 1:
        if a.shape[0] % 2:
            a = torch.cat([a, torch.zeros_like(a[:1])])
        a = a[0::2] ^ a[1::2]
    return a[0]


def pack_bits(bits: torch.Tensor) -> torch.Tensor:
    """0/1 tensor ``(..., n)`` to int64 words ``(..., ceil(n / 64))``, bit ``i % 64`` of word
    ``i // 64`` = entry ``i`` (the layout of :mod:`boolfun.samplers.words`, without padding
    the last word to 64 columns first)."""
    n = bits.shape[-1]
    words = []
    for w in range(n_words(n)):
        chunk = bits[..., 64 * w : 64 * (w + 1)].to(torch.int64)
        shifts = torch.arange(chunk.shape[-1], device=bits.device)
        words.append((chunk << shifts).sum(-1))  # distinct powers of two: the sum is the OR
    return torch.stack(words, -1)


def _mask(flags: torch.Tensor) -> torch.Tensor:
    """Booleans as int64 word masks: -1 (all bits set) where true, 0 where false."""
    return -flags.to(torch.int64)


class GF2State:
    """The reduced row echelon systems of a batch of prompts, one elimination step per call of
    :meth:`step` (module docstring).

    Rows are *augmented*: ``n + 1`` bits, the equation's coefficients in bits ``0..n-1`` and its
    right-hand side in bit ``n``, packed into ``W = ceil((n + 1) / 64)`` int64 words, so one XOR
    updates both. ``rows[b, :, p]`` (word-major, ``(batch, W, S)``) is the row whose pivot is
    column ``p`` (all zero when ``p`` is not a pivot); the row axis is padded with zero rows to
    ``S``, a power of two, for the XOR tree. Selections are int64 masks (bitwise AND), several
    times cheaper on the CPU than ``torch.where`` on int64.
    """

    def __init__(self, batch: int, n: int, device: torch.device) -> None:
        self.n, self.W = n, n_words(n + 1)
        self.S = 1 << max(n - 1, 0).bit_length()
        self.rows = torch.zeros((batch, self.W, self.S), dtype=torch.int64, device=device)
        self.has = torch.zeros((batch, self.S), dtype=torch.bool, device=device)
        self.consistent = torch.ones(batch, dtype=torch.bool, device=device)
        eye = torch.eye(self.S, n + 1, dtype=torch.bool, device=device)
        self._unit = pack_bits(eye).T.contiguous()  # (W, S): the word form of column p
        self._label = pack_bits(torch.arange(n + 1, device=device) == n)  # (W,): bit n
        self._columns = ~self._label  # the coefficient bits

    @property
    def rank(self) -> torch.Tensor:
        """``(batch,)`` rank of each system."""
        return self.has.sum(-1)

    def reduce(self, x_BxW: torch.Tensor, bits_BxS: torch.Tensor) -> torch.Tensor:
        """The augmented residual of ``x`` (words with bit ``n`` = 0; ``bits_BxS`` its bits
        padded to ``S``): coefficients zero iff ``x`` is in the span, bit ``n`` the label
        ``XOR_{pivots p : x_p = 1} c_p``."""
        picked = self.rows & _mask(self.has & bits_BxS)[:, None, :]
        return x_BxW ^ xor_reduce(picked, dim=2)

    def step(
        self, x_BxW: torch.Tensor, bits_BxS: torch.Tensor, y_BxW: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Predict ``x`` and then add the equation ``<s, x> = y`` (``y_BxW``: the label in bit
        ``n`` of a word vector); returns ``(pred, in_span)`` as they were *before* the equation
        was added."""
        r = self.reduce(x_BxW, bits_BxS)
        label_bits = r & self._label
        label = (label_bits != 0).any(-1)
        res = r & self._columns
        in_span = (res == 0).all(-1)
        self.consistent &= ~(in_span & (label_bits != y_BxW).any(-1))
        new_row = (r ^ y_BxW)[:, :, None]  # coefficients r, right-hand side label XOR y
        low = res & -res  # the lowest set bit q of the residual: of every word ...
        if self.W > 1:  # ... kept in the first non-zero word only
            nonzero = (res != 0).to(torch.int8)
            low = low & _mask(nonzero.cumsum(-1) - nonzero == 0)
        low = low[:, :, None]  # all zero when x is in the span: nothing changes below
        hit = ((self.rows & low) != 0).any(1)  # (B, S): rows holding column q
        self.rows ^= new_row & _mask(hit)[:, None, :]
        slot = ((self._unit[None] & low) != 0).any(1)  # (B, S): the new pivot's empty slot
        self.rows |= new_row & _mask(slot)[:, None, :]
        self.has |= slot
        return label, in_span


class GF2Elimination(Learner):
    """Parity learner by incremental GF(2) elimination (module docstring). Exact: ``determined``
    is "``x_i`` is in the span of the examples so far" (on consistent prompts) and
    ``consistent`` says whether some parity fits examples ``0..i-1``."""

    exact = True
    name = "gf2"

    def __init__(self, threads: int | None = 1) -> None:
        self.threads = None if threads is None else check_int(threads, "threads", 1)

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        with cpu_threads(xs_BxPxN.device, self.threads):
            return self._eliminate(xs_BxPxN, ys_BxP)

    def _eliminate(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        B, P, n = xs_BxPxN.shape
        state = GF2State(B, n, xs_BxPxN.device)
        size = state.S
        words = pack_bits(xs_BxPxN)  # (B, P, W') coefficients
        if words.shape[-1] < state.W:
            words = torch.nn.functional.pad(words, (0, state.W - words.shape[-1]))
        y_words = torch.where(ys_BxP.bool()[..., None], state._label, 0)  # label in bit n
        bits = xs_BxPxN.bool()
        if size > n:
            bits = torch.nn.functional.pad(bits, (0, size - n))
        preds = torch.empty((B, P), dtype=torch.bool, device=xs_BxPxN.device)
        determined = torch.empty_like(preds)
        consistent = torch.empty_like(preds)
        for i in range(P):
            consistent[:, i] = state.consistent
            pred, in_span = state.step(words[:, i], bits[:, i], y_words[:, i])
            preds[:, i] = pred
            determined[:, i] = in_span & consistent[:, i]
        return Predictions(preds.to(torch.uint8), determined, consistent)
