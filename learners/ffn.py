"""A feed-forward network trained by gradient descent on each prompt's own examples.

Every prompt gets its own one-hidden-layer ReLU network ``g(x) = v . relu(W x' + c) + d`` on the
±1 coding ``x' = 2x - 1`` (width ``hidden``), all prompts batched into one set of tensors
(``(B, n, hidden)`` weights, ``torch.bmm``), on the input's device. The network at position
``i`` predicts ``[g(x_i) > 0]`` and has been trained on examples ``0..i-1`` only:

* position 0: the freshly initialised network (``W ~ N(0, 1/n)``, ``v ~ N(0, 1/hidden)``,
  biases 0; drawn from a ``torch.Generator`` seeded with ``seed``, one row of draws per prompt,
  so a prompt's network depends only on the seed and its index in the batch);
* position ``i >= 1``: the network of position ``i - 1`` after ``steps`` more full-batch Adam
  steps (learning rate ``lr``) on the mean binary cross-entropy of examples ``0..i-1``.

This warm start is the documented choice that keeps the cost at ``P * steps`` steps per batch
instead of retraining ``P`` networks from scratch; the prediction at ``i`` still depends on
examples ``0..i-1`` only. The loss of each prompt depends only on that prompt's parameters, so
one Adam optimiser over the batched tensors is exactly one independent optimiser per prompt.
On the CPU the steps run with ``threads`` intra-op threads (default 1, see
:func:`learners.base.cpu_threads`).
"""

from __future__ import annotations

from typing import Any

import torch

from boolfun.bits import check_int
from learners.base import Learner, Predictions, cpu_threads, signed


class _Adam:
    """Adam (Kingma & Ba) with the usual defaults, elementwise, so batched parameters are
    optimised independently per prompt."""

    def __init__(self, params: list[torch.Tensor], lr: float) -> None:
        self.params, self.lr, self.t = params, lr, 0
        self.beta1, self.beta2, self.eps = 0.9, 0.999, 1e-8
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self, grads: tuple[torch.Tensor, ...]) -> None:
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            p.addcdiv_(m, (v / c2).sqrt_().add_(self.eps), value=-self.lr / c1)


class FeedForward(Learner):
    """One-hidden-layer network per prompt, warm-started across positions (module docstring)."""

    name = "ffn"

    def __init__(
        self,
        hidden: int = 64,
        steps: int = 10,
        lr: float = 0.02,
        seed: int = 0,
        threads: int | None = 1,
    ) -> None:
        self.hidden = check_int(hidden, "hidden", 1)
        self.steps = check_int(steps, "steps", 1)
        if not isinstance(lr, int | float) or isinstance(lr, bool) or not lr > 0:
            raise ValueError(f"lr must be a number > 0, got {lr!r}")
        self.lr = float(lr)
        self.seed = check_int(seed, "seed", 0, 2**63 - 1)
        self.threads = None if threads is None else check_int(threads, "threads", 1)

    def describe(self) -> dict[str, Any]:
        return {"hidden": self.hidden, "steps": self.steps, "lr": self.lr, "seed": self.seed}

    def _run(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        with cpu_threads(xs_BxPxN.device, self.threads):
            return self._train(xs_BxPxN, ys_BxP)

    def _train(self, xs_BxPxN: torch.Tensor, ys_BxP: torch.Tensor) -> Predictions:
        B, P, n = xs_BxPxN.shape
        dev = xs_BxPxN.device
        h = self.hidden
        gen = torch.Generator(device=dev).manual_seed(self.seed)
        x = signed(xs_BxPxN)  # (B, P, n) float32
        y = ys_BxP.to(torch.float32)
        init = torch.randn((B, (n + 1) * h), generator=gen, device=dev)  # one row per prompt
        W = (init[:, : n * h].reshape(B, n, h) / n**0.5).requires_grad_()
        v = (init[:, n * h :].reshape(B, h, 1) / h**0.5).requires_grad_()
        c = torch.zeros((B, 1, h), device=dev, requires_grad=True)
        d = torch.zeros((B, 1, 1), device=dev, requires_grad=True)
        opt = _Adam([W, c, v, d], self.lr)

        def logits(points: torch.Tensor) -> torch.Tensor:  # (B, m, n) -> (B, m)
            return (torch.relu(torch.bmm(points, W) + c).bmm(v) + d).squeeze(-1)

        preds = torch.empty((B, P), dtype=torch.bool, device=dev)
        with torch.enable_grad():
            for i in range(P):
                if i > 0:
                    xi, yi = x[:, :i], y[:, :i]
                    for _ in range(self.steps):
                        loss = (
                            torch.nn.functional.binary_cross_entropy_with_logits(
                                logits(xi), yi, reduction="none"
                            )
                            .mean(1)
                            .sum()
                        )  # sum over prompts of each prompt's mean loss
                        opt.step(torch.autograd.grad(loss, opt.params))
                with torch.no_grad():
                    preds[:, i] = logits(x[:, i : i + 1])[:, 0] > 0
        return Predictions(preds.to(torch.uint8))
