"""The PAC elimination learner for conjunctions and its dual for disjunctions (SPEC §3).

**Conjunctions.** Start from all ``2n`` literals ``x_k`` and ``~x_k`` (monotone: the ``n``
positive ones); every positive example deletes the literals it falsifies. The hypothesis at
position ``i`` is the conjunction ``h_L`` of the surviving set

``L_i = {l : l(x_j) = 1 for every positive example j < i}``,

the most specific conjunction true on every positive seen (before any positive, ``L`` holds
contradictory pairs and ``h_L`` is the constant 0). Prediction: ``h_L(x_i)``. It never errs on a
positive it has seen, and every conjunction consistent with the examples has its literals in
``L`` (so ``h_L(x) = 1`` implies ``h(x) = 1`` for all of them).

**Version space.** The class is the task's: conjunctions without contradictory pairs (each
variable positive, negative or absent; 3^n functions, the empty one is the constant 1), or
monotone conjunctions (2^n). With ``N`` the negatives seen and ``L_q`` the literals of ``L`` true
at the query ``x_i``:

* some consistent ``h`` has ``h(x_i) = 1`` iff no negative satisfies every literal of ``L_q``
  (the candidates are the subsets of ``L_q``; ``L_q`` itself is the hardest to refute);
* some consistent ``h`` has ``h(x_i) = 0`` iff ``h_L`` is consistent and ``h_L(x_i) = 0`` —
  when a positive has been seen or the class is monotone (then ``L`` is contradiction-free and
  the most specific candidate). With no positive in the general class, it holds iff some point
  ``a`` lies outside ``N`` and differs from ``x_i`` (the one-point conjunction ``[x = a]``);
* the examples are consistent with the class (``consistent``) iff no negative satisfies ``L``
  when ``L`` is contradiction-free, and iff ``N`` is not all of {0,1}^n otherwise.

The prediction is *determined* when only one of the first two holds; it is then the forced
label (this overrides ``h_L(x_i) = 0`` in the one case it differs: no positive seen and the
negatives cover every point but ``x_i``). On prompts outside the class (no consistent
conjunction) the learner still predicts ``h_L(x_i)``.

**Disjunctions** are the De Morgan duals: ``f = OR(S)`` iff ``~f`` is the conjunction of the
complementary literals, so the learner runs on ``(x, 1 - y)`` and negates the prediction; a
monotone disjunction's complement is a monotone conjunction of ``1 - x``.

>>> import numpy as np
>>> x = [[1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 0, 1], [0, 1, 0]]
>>> out = Elimination().predict_full(np.array([x]), np.array([[1, 1, 1, 0, 0, 0]]))
>>> out.preds.tolist()         # L = {x1, x2, ~x3}, then {x1, ~x3} (target x1 & ~x3)
[[0, 0, 1, 0, 0, 0]]
>>> out.determined.tolist()    # (1 0 1) is 0: the negative (1 1 1) satisfies L_q = {x1}
[[False, False, True, False, True, False]]
"""

from __future__ import annotations

from typing import Any

import torch

from learners.base import Learner, Predictions, exclusive_cumsum

_CHUNK_ELEMENTS = 1 << 24  # batch chunk for the (prompt, query, negative) comparisons
_COVER_MAX_N = 16  # the no-positive special case needs P + 1 >= 2^n, so n stays small


def _satisfies(
    z_BxPxN: torch.Tensor, pos_BxQxN: torch.Tensor, neg_BxQxN: torch.Tensor
) -> torch.Tensor:
    """``(B, Q, P)``: example ``j`` satisfies every literal of the ``q``-th literal set."""
    z = z_BxPxN.to(torch.float32)
    # violations: a positive literal on a 0 bit, or a negative literal on a 1 bit
    with torch.autocast(z.device.type, enabled=False):
        v = torch.bmm(pos_BxQxN.to(torch.float32), (1 - z).transpose(1, 2))
        v += torch.bmm(neg_BxQxN.to(torch.float32), z.transpose(1, 2))
    return v == 0


def conjunction_elimination(
    xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor, monotone: bool
) -> Predictions:
    """Elimination for (monotone) conjunctions on uint8 tensors; see the module docstring."""
    B, P, n = xs_BxPxN.shape
    dev = xs_BxPxN.device
    x = xs_BxPxN.bool()
    pos_ex = ys_BxP.bool()
    # literal k positive survives iff every positive so far has x_k = 1 (AND over positives)
    kills_pos = (~x) & pos_ex[..., None]  # positive example with x_k = 0 kills literal x_k
    kills_neg = x & pos_ex[..., None]  # ... with x_k = 1 kills ~x_k
    alive_pos = exclusive_cumsum(kills_pos, dim=1) == 0  # (B, P, n): L at position i
    alive_neg = exclusive_cumsum(kills_neg, dim=1) == 0
    if monotone:
        alive_neg = torch.zeros_like(alive_neg)
    # h_L(x_i): every surviving literal true at x_i
    pred = ~((alive_pos & ~x) | (alive_neg & x)).any(-1)
    seen_pos = exclusive_cumsum(pos_ex, dim=1) > 0  # (B, P)
    # L_q: surviving literals true at the query
    lq_pos, lq_neg = alive_pos & x, alive_neg & ~x
    neg_before = (~pos_ex)[:, None, :] & (
        torch.arange(P, device=dev)[None, :] < torch.arange(P, device=dev)[:, None]
    )  # (B, i, j): j < i is a negative example
    refute_q = torch.zeros((B, P), dtype=torch.bool, device=dev)  # a negative satisfies L_q
    refute_l = torch.zeros((B, P), dtype=torch.bool, device=dev)  # a negative satisfies L
    chunk = max(1, _CHUNK_ELEMENTS // (P * P))
    for s in range(0, B, chunk):
        sl = slice(s, s + chunk)
        nb = neg_before[sl]
        refute_q[sl] = (_satisfies(xs_BxPxN[sl], lq_pos[sl], lq_neg[sl]) & nb).any(-1)
        refute_l[sl] = (_satisfies(xs_BxPxN[sl], alive_pos[sl], alive_neg[sl]) & nb).any(-1)
    can1 = ~refute_q
    l_clean = seen_pos | torch.tensor(monotone, device=dev)  # L free of contradictory pairs
    consistent = torch.where(l_clean, ~refute_l, torch.ones_like(refute_l))
    can0 = torch.where(l_clean, consistent & ~pred, torch.ones_like(pred))
    if not monotone and n <= _COVER_MAX_N and P + 1 >= 2**n:
        # no positive yet: the negatives (and the query) may cover the whole cube
        code = (xs_BxPxN.to(torch.int64) << torch.arange(n, device=dev)).sum(-1)  # (B, P)
        onehot = torch.nn.functional.one_hot(code, 2**n).bool() & (~pos_ex)[..., None]
        covered = exclusive_cumsum(onehot, dim=1) > 0  # (B, P, 2^n): negatives before i
        full = covered.all(-1)
        with_query = (covered | torch.nn.functional.one_hot(code, 2**n).bool()).all(-1)
        consistent = torch.where(l_clean, consistent, ~full)
        can0 = torch.where(l_clean, can0, ~with_query)
    determined = consistent & ~(can0 & can1)
    pred |= determined & can1  # forced 1 although h_L = 0: no positive, negatives cover the rest
    return Predictions(pred.to(torch.uint8), determined, consistent)


class Elimination(Learner):
    """The elimination learner: ``kind`` is ``"conjunction"`` or ``"disjunction"``,
    ``monotone`` restricts the class to positive literals. Exact: reports ``determined`` and
    ``consistent`` for its class (module docstring)."""

    exact = True
    name = "elimination"

    def __init__(self, kind: str = "conjunction", monotone: bool = False) -> None:
        if kind not in ("conjunction", "disjunction"):
            raise ValueError(f"kind must be 'conjunction' or 'disjunction', got {kind!r}")
        if not isinstance(monotone, bool):
            raise ValueError(f"monotone must be True or False, got {monotone!r}")
        self.kind = kind
        self.monotone = monotone

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "monotone": self.monotone}

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        if self.kind == "conjunction":
            return conjunction_elimination(xs_BxPxN, ys_BxP, self.monotone)
        x = 1 - xs_BxPxN if self.monotone else xs_BxPxN
        out = conjunction_elimination(x, 1 - ys_BxP, self.monotone)
        out.preds = 1 - out.preds
        return out
