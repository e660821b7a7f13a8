"""A consistent-halfspace learner for threshold, halfspace and majority tasks: the perceptron,
warm-started from one position to the next.

Features are the ±1 coding ``x' = 2x - 1`` with a constant 1 appended, so a hypothesis is
``h(x) = [<w, x'> + b > 0]`` (ties give 0). The state at position ``i`` is a weight vector that
classifies examples ``0..i-1`` correctly with a positive margin, when the perceptron found
one: after predicting ``x_i`` the learner adds ``(x_i, y_i)`` and runs perceptron updates
``w += y'_j (x'_j, 1)`` on the *earliest* misclassified example ``j <= i`` (margin ``<= 0``)
until none is left or ``max_updates`` updates were made at this position. By Novikoff's theorem
the updates stop on every linearly separable prompt given enough of them (at most
``(R / gamma)^2`` in all); ``consistent[b, i]`` reports whether the weights used at position
``i`` fit examples ``0..i-1`` (``False`` after the cap, or when no halfspace fits — the
perceptron cannot tell the two apart, so this is a report of the learner's state, not of the
class). Updates run batched over the prompts that still have a mistake, on the CPU with
``threads`` intra-op threads (default 1, see :func:`learners.base.cpu_threads`).
"""

from __future__ import annotations

from typing import Any

import torch

from boolfun.bits import check_int
from learners.base import Learner, Predictions, cpu_threads, signed


class Perceptron(Learner):
    """Warm-started perceptron to a consistent halfspace (module docstring)."""

    name = "halfspace"

    def __init__(self, max_updates: int = 200, threads: int | None = 1) -> None:
        self.max_updates = check_int(max_updates, "max_updates", 1)
        self.threads = None if threads is None else check_int(threads, "threads", 1)

    def describe(self) -> dict[str, Any]:
        return {"max_updates": self.max_updates}

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        with cpu_threads(xs_BxPxN.device, self.threads):
            return self._fit(xs_BxPxN, ys_BxP)

    def _fit(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        B, P, n = xs_BxPxN.shape
        dev = xs_BxPxN.device
        dtype = torch.float64 if dev.type == "cpu" else torch.float32
        ones = torch.ones((B, P, 1), dtype=dtype, device=dev)
        feats = torch.cat([signed(xs_BxPxN, dtype), ones], -1)  # (B, P, n + 1)
        yv = signed(ys_BxP, dtype)  # (B, P)
        w = torch.zeros((B, n + 1), dtype=dtype, device=dev)
        preds = torch.empty((B, P), dtype=torch.bool, device=dev)
        consistent = torch.ones((B, P), dtype=torch.bool, device=dev)
        fits = torch.ones(B, dtype=torch.bool, device=dev)
        updates = 0
        everyone = torch.arange(B, device=dev)
        for i in range(P):
            consistent[:, i] = fits
            preds[:, i] = (feats[:, i] * w).sum(-1) > 0
            if i == P - 1:
                break
            f, y = feats[:, : i + 1], yv[:, : i + 1]
            active = everyone
            fits = torch.ones(B, dtype=torch.bool, device=dev)
            for done in range(self.max_updates + 1):
                margin = (f[active] * w[active, None, :]).sum(-1) * y[active]  # (a, i + 1)
                wrong = margin <= 0
                has = wrong.any(-1)
                active, wrong = active[has], wrong[has]
                if active.numel() == 0:
                    break
                if done == self.max_updates:
                    fits[active] = False
                    break
                j = wrong.to(torch.uint8).argmax(-1)  # the earliest mistake
                w[active] += y[active, j, None] * f[active, j]
                updates += int(active.numel())
        return Predictions(preds.to(torch.uint8), None, consistent, meta={"updates": updates})
