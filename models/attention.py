"""Attention-head analysis: record every head's attention and score it.

Recording. :func:`record_attention` adds a forward hook to each attention module of a
backbone (:data:`ATTENTION_MODULES`, in layer order); each hook recomputes, from the module's
own input and projections, the row-stochastic matrix ``A_BxHxLxL`` (``A[b, h, t, s]``: the
weight of position ``s`` in the output of head ``h`` at position ``t``, zero for ``s > t``):

* Transformer: the softmax probabilities ``softmax(Q K^T / sqrt(d_head) + M)``
  (:meth:`~models.backbones.transformer.CausalSelfAttention.attention_weights`);
* RetNet: the retention matrix ``W = (Q K^T / sqrt(d_k)) ⊙ Γ`` is decayed, signed and not
  normalised, so the "attention" of a head is ``A[t, s] = |W[t, s]| / sum_{s' <= t}
  |W[t, s']|`` (a row of zeros becomes uniform over ``s <= t``)
  (:meth:`~models.backbones.retnet.MultiScaleRetention.retention_weights`).

The hooks return nothing, so the forward pass computes exactly what it computes without them
(bit for bit; the tests check it); outside the ``with`` block no hook is left.

Scores, per layer and head, from the recorded matrices (:func:`induction_score`,
:func:`nearest_neighbour_score`); each comes with its chance level, the mean over the same
queries of ``1 / (t + 1)``, the weight of any one position under uniform attention over the
``t + 1`` positions ``0..t`` a query at ``t`` attends:

* induction (prefix matching, Olsson et al. 2022): on a sequence whose second half repeats its
  first (period ``T`` tokens), the mean over queries ``t in [T, 2T)`` of ``A[t, t - T + 1]``,
  the weight on the position right after the earlier occurrence of the current position. The
  occurrence is positional (the copy ``T`` tokens back), which for a block of distinct tokens
  is the one earlier occurrence; label tokens take two values only, so in this project's
  token layout it is the period, not the token value, that defines it.
* nearest neighbour: with examples ``x_0, x_1, ...`` in ``{0,1}^n``, from the query position
  of ``x_i`` (every ``i >= start``) the weight on the label token of ``x_{j(i)}``,
  ``j(i) = argmin_{j < i} Hamming(x_i, x_j)``, ties to the earliest ``j``: the label rule of
  :mod:`boolfun`'s ``nearest_neighbour`` task (most cosine-similar earlier point in ±1 coding;
  ties: earliest), so on that task's prompts ``y_i = y_{j(i)}``.

:mod:`models.attention_scores` builds the prompts and runs the models (ours and Hugging
Face's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch import nn

from boolfun.bits import check_int
from models.backbones.retnet import MultiScaleRetention
from models.backbones.transformer import CausalSelfAttention

ATTENTION_MODULES: dict[type[nn.Module], str] = {
    CausalSelfAttention: "softmax attention probabilities",
    MultiScaleRetention: "retention |W| normalised to sum 1 per row",
}
"""The attention modules :func:`record_attention` hooks, and what their weights are."""


def attention_modules(backbone: nn.Module) -> list[nn.Module]:
    """The attention modules of ``backbone`` in layer order; ``ValueError`` when it has none."""
    found = [m for m in backbone.modules() if type(m) in ATTENTION_MODULES]
    if not found:
        raise ValueError(
            f"backbone {type(backbone).__name__} has no attention layers: attention scores "
            "need a transformer or retnet backbone"
        )
    return found


def weights_of(module: nn.Module, x_BxLxD: torch.Tensor) -> torch.Tensor:
    """The row-stochastic ``A_BxHxLxL`` of ``module`` on its input ``x`` (module docstring)."""
    if isinstance(module, CausalSelfAttention):
        return module.attention_weights(x_BxLxD).float()
    if isinstance(module, MultiScaleRetention):
        return normalise_rows(module.retention_weights(x_BxLxD).float().abs())
    raise ValueError(f"module must be one of {[t.__name__ for t in ATTENTION_MODULES]}")


def normalise_rows(w_BxHxLxL: torch.Tensor) -> torch.Tensor:
    """Non-negative causal ``w`` divided by its row sums; a zero row becomes uniform over
    ``s <= t``."""
    L = w_BxHxLxL.shape[-1]
    causal_LxL = torch.ones(L, L, dtype=torch.bool, device=w_BxHxLxL.device).tril()
    w = w_BxHxLxL * causal_LxL
    total = w.sum(-1, keepdim=True)
    uniform = causal_LxL / causal_LxL.sum(-1, keepdim=True)
    return torch.where(total > 0, w / total.clamp_min(torch.finfo(w.dtype).tiny), uniform)


@contextmanager
def record_attention(backbone: nn.Module) -> Iterator[list[torch.Tensor]]:
    """``with record_attention(model.backbone) as rec: model(xs, ys)``: afterwards ``rec``
    holds one ``A_BxHxLxL`` per attention layer and forward pass, in call order (float32,
    detached). The forward outputs are unchanged; the hooks are removed on exit."""
    records: list[torch.Tensor] = []

    def hook(module: nn.Module, args: tuple[Any, ...], output: Any) -> None:
        with torch.no_grad():
            records.append(weights_of(module, args[0].detach()))

    handles = [m.register_forward_hook(hook) for m in attention_modules(backbone)]
    try:
        yield records
    finally:
        for h in handles:
            h.remove()


def chance_level(queries_Q: torch.Tensor) -> float:
    """Mean of ``1 / (t + 1)`` over query positions ``t``: the weight of one position under
    uniform causal attention."""
    return float((1.0 / (queries_Q.double() + 1)).mean())


def induction_score(a_BxHxLxL: torch.Tensor, period: int) -> torch.Tensor:
    """``H`` induction scores: mean over prompts ``b`` and queries ``t in [period, L)`` of
    ``a[b, h, t, t - period + 1]`` (the sequence repeats with ``period``: ``L <= 2 period``
    for the copy ``period`` back to be its earlier occurrence)."""
    L = a_BxHxLxL.shape[-1]
    period = check_int(period, "period", 1, L - 1)
    t_Q = torch.arange(period, L, device=a_BxHxLxL.device)
    return a_BxHxLxL[:, :, t_Q, t_Q - period + 1].mean(dim=(0, 2))


def induction_queries(length: int, period: int) -> torch.Tensor:
    """The query positions ``t in [period, length)`` of :func:`induction_score`."""
    return torch.arange(period, length)


def nearest_indices(xs_BxPxN: torch.Tensor) -> torch.Tensor:
    """``j(i) = argmin_{j < i} Hamming(x_i, x_j)``, the earliest on ties, as int64 ``BxP``
    (``-1`` at ``i = 0``): the nearest_neighbour task's rule (largest ``x'_i . x'_j`` in ±1
    coding, computed exactly in float64)."""
    s = xs_BxPxN.to(torch.float64) * 2 - 1
    P = s.shape[1]
    dots_BxPxP = s @ s.transpose(1, 2)
    later_PxP = torch.ones(P, P, dtype=torch.bool, device=s.device).triu()  # j >= i
    j = dots_BxPxP.masked_fill(later_PxP, float("-inf")).argmax(-1)  # first maximum
    j[:, 0] = -1
    return j


def nearest_neighbour_score(
    a_BxHxLxL: torch.Tensor,
    xs_BxPxN: torch.Tensor,
    start: int,
    query_P: torch.Tensor,
    label_P: torch.Tensor,
) -> torch.Tensor:
    """``H`` nearest-neighbour scores: mean over prompts ``b`` and examples ``i >= start`` of
    ``a[b, h, query_P[i], label_P[j(i)]]``, ``j`` of :func:`nearest_indices`; ``query_P`` and
    ``label_P`` are the token positions of example ``i``'s query and of its label."""
    P = xs_BxPxN.shape[1]
    start = check_int(start, "start", 1, P - 1)
    dev = a_BxHxLxL.device
    j_BxQ = nearest_indices(xs_BxPxN)[:, start:].to(dev)
    t_Q = query_P[start:].to(dev)
    s_BxQ = label_P.to(dev)[j_BxQ]
    B, H = a_BxHxLxL.shape[:2]
    b_Bx1x1 = torch.arange(B, device=dev)[:, None, None]
    h_1xHx1 = torch.arange(H, device=dev)[None, :, None]
    picked_BxHxQ = a_BxHxLxL[b_Bx1x1, h_1xHx1, t_Q[None, None, :], s_BxQ[:, None, :]]
    return picked_BxHxQ.mean(dim=(0, 2))


def heads_above(scores_LxH: list[list[float]], threshold: float) -> list[dict[str, Any]]:
    """``{"layer", "head", "score"}`` of every head whose score is at least ``threshold``,
    highest first (layers and heads counted from 0)."""
    found = [
        {"layer": layer, "head": head, "score": score}
        for layer, row in enumerate(scores_LxH)
        for head, score in enumerate(row)
        if score >= threshold
    ]
    return sorted(found, key=lambda d: (-d["score"], d["layer"], d["head"]))
