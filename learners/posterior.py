"""The posterior-weighted vote of a finite set of hypotheses, at every position of a prompt.

Given ``H`` hypotheses with prior weights ``pi_h`` (log), their labels ``h(x_j)`` at every
point of a prompt, and optionally the log-likelihood ``log P(x_j | h)`` of each *input* under
``h`` (non-constant only when the input distribution depends on ``h``, as with forcing), the
posterior predictive at position ``i`` is

``P(y_i = 1 | D_i, x_i) = sum_h w_h(i) [h(x_i) = 1] / sum_h w_h(i)``,
``w_h(i) = pi_h * prod_{j <= i} P(x_j | h) * prod_{j < i} [h(x_j) = y_j]``

(the query's own input ``x_i`` is evidence too, hence ``j <= i`` in the first product). The
prediction is 1 iff that probability exceeds 1/2 (ties within ``1e-9`` in float64, ``1e-5`` in
float32, give 0).

**Fallback outside the support.** When no hypothesis agrees with every example so far
(``consistent`` is ``False``), the vote is taken over the hypotheses with the *fewest*
disagreements, with the same weights: the limit of the posterior under label noise ``eps -> 0``.
``determined``: some hypothesis agrees with every example so far and all of them give ``x_i``
the same label (all weights are positive: priors are positive on the hypotheses listed and
``P(x | h) > 0`` for ``q < 1``).
"""

from __future__ import annotations

import torch

from learners.base import exclusive_cumsum

TIE = {torch.float64: 1e-9, torch.float32: 1e-5}


def posterior_vote(
    labels_BxHxP: torch.Tensor,
    ys_BxP: torch.Tensor,
    log_prior: torch.Tensor | None = None,
    logx_BxHxP: torch.Tensor | None = None,
    dtype: torch.dtype = torch.float64,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """``(proba, pred, determined, consistent)``, each ``(B, P)``, of the vote above.

    ``labels_BxHxP`` (bool) holds ``h(x_j)``; ``log_prior`` is ``(H,)`` or ``(B, H)`` (``None``:
    uniform, e.g. a sample from the prior); ``logx_BxHxP`` is ``log P(x_j | h)`` up to a term
    that does not depend on ``h`` (``None``: inputs independent of ``h``).
    """
    labels = labels_BxHxP.bool()
    B, H, P = labels.shape
    err = labels != ys_BxP.bool()[:, None, :]
    errors = exclusive_cumsum(err, dim=2)  # (B, H, P): disagreements on examples j < i
    fewest = errors.amin(1)  # (B, P)
    vote = errors == fewest[:, None, :]
    logw = torch.zeros((1, 1, 1), dtype=dtype, device=labels.device)
    if log_prior is not None:
        lp = log_prior.to(dtype)
        logw = logw + (lp[None, :, None] if lp.ndim == 1 else lp[:, :, None])
    if logx_BxHxP is not None:
        logw = logw + logx_BxHxP.to(dtype).cumsum(2)
    logw = torch.where(vote, logw.expand(B, H, P), float("-inf"))
    top = logw.amax(1, keepdim=True)
    w = torch.exp(logw - top)
    total = w.sum(1)
    proba = (w * labels).sum(1) / total
    pred = proba > 0.5 + TIE.get(dtype, 1e-5)
    consistent = fewest == 0
    determined = consistent & ~((vote & labels).any(1) & (vote & ~labels).any(1))
    return proba, pred, determined, consistent
