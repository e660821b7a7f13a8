"""One optimisation step of an in-context model, eager or replayed from a CUDA graph.

A step is: forward ``logits = model(xs, ys)`` (under bf16 autocast when asked), the loss
``BCEWithLogits(logits, ys)`` averaged over every prompt position, its backward pass and one
Adam update at learning rate ``lr``.

:class:`EagerStep` launches every kernel from Python each step. On a GPU a paper-scale step of
the 12-layer Transformer is a few thousand small kernels, so the eager step is bound by launch
overhead (SPEC §5: 32 steps/s at batch 64 and at batch 256 alike). :class:`GraphStep` records
forward, backward and the optimizer update once in a CUDA graph (static input buffers, the
gradients and the loss in the graph's private memory pool, the learning rate a device tensor
read by the fused Adam kernel) and then replays it: one launch per step. Sampling stays eager
(about forty kernels; it writes into the static buffers by ``copy_``).

Capture needs a few warm-up steps (lazy optimizer state, cuBLAS workspaces, compilation); they
run on a side stream and their effect on the weights and on the optimizer state is undone
afterwards, so a graph run follows the same update rule from the same state as an eager one.
A change of prompt shape (the points curriculum) captures a new graph.

With ``capture=False`` (any device) :class:`GraphStep` runs the same body without a graph: the
path the CPU tests exercise.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F

WARMUP_STEPS = 2
"""Steps run (and undone) before a capture."""


def make_optimizer(
    params: Iterator[torch.nn.Parameter] | list[torch.nn.Parameter],
    lr: float,
    device: torch.device,
    *,
    graph: bool = False,
) -> torch.optim.Adam:
    """Adam for ``params``: fused on CUDA (``capturable`` for a CUDA graph, which also makes
    its learning rate a device tensor), the single-tensor implementation elsewhere."""
    if device.type == "cuda":
        lr_arg: float | torch.Tensor = torch.tensor(lr, device=device) if graph else lr
        return torch.optim.Adam(params, lr=lr_arg, fused=True, capturable=graph)
    return torch.optim.Adam(params, lr=lr, foreach=False)


def set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    """Set every group's learning rate: in place when it is a tensor (a captured graph reads
    that tensor), else by assignment."""
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def bce_with_logits(logits: torch.Tensor, ys: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy ``mean softplus((1 - 2 y) l)`` of logits ``l`` and labels
    ``y`` in {0, 1}: ``-log sigmoid(l)`` for ``y = 1``, ``-log(1 - sigmoid(l))`` for ``y = 0``,
    exact in floating point (the sign flip is exact, softplus is stable). Written out rather
    than ``F.binary_cross_entropy_with_logits``, whose batching rule under vmap rounds
    differently, so that stacked models (:mod:`models.stack`) equal the same models alone."""
    sign = 1.0 - 2.0 * ys.float()
    # sum / count rather than mean(): the same rounding of softplus's backward alone and
    # stacked (with mean() the two take different vector paths, measured)
    return F.softplus(logits.float() * sign).sum() / logits.numel()


def loss_of(
    model: torch.nn.Module, xs: torch.Tensor, ys: torch.Tensor, bf16: bool, cache: bool = True
) -> torch.Tensor:
    """Mean binary cross-entropy (:func:`bce_with_logits`) of ``model``'s logits at every
    position of ``xs`` / ``ys``."""
    with torch.autocast(xs.device.type, dtype=torch.bfloat16, enabled=bf16, cache_enabled=cache):
        logits = model(xs, ys)
    return bce_with_logits(logits, ys)


class EagerStep:
    """``step(xs, ys, lr) -> loss`` (a detached scalar tensor) launched op by op."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, bf16: bool):
        self.model, self.optimizer, self.bf16 = model, optimizer, bf16

    def __call__(self, xs: torch.Tensor, ys: torch.Tensor, lr: float) -> torch.Tensor:
        set_lr(self.optimizer, lr)
        loss = loss_of(self.model, xs, ys, self.bf16)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach()


class GraphStep:
    """``step(xs, ys, lr) -> loss``: the same step recorded in a CUDA graph and replayed.

    ``model`` runs the forward pass (it may be a compiled wrapper of the trained module);
    ``optimizer`` must come from :func:`make_optimizer` with ``graph=True`` on CUDA. With
    ``capture=False`` no graph is recorded and the body runs directly.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        optimizer: torch.optim.Optimizer,
        bf16: bool,
        *,
        capture: bool = True,
    ) -> None:
        self.model, self.optimizer, self.bf16, self.capture = model, optimizer, bf16, capture
        self.params = [p for g in optimizer.param_groups for p in g["params"]]
        self.graph: torch.cuda.CUDAGraph | None = None
        self.xs: torch.Tensor | None = None
        self.ys: torch.Tensor | None = None
        self.loss: torch.Tensor | None = None
        self.captures = 0  # graphs recorded so far (one per prompt shape met)

    def _body(self) -> torch.Tensor:
        assert self.xs is not None and self.ys is not None
        # autocast's weight-cast cache must be off inside a graph capture (torch docs)
        loss = loss_of(self.model, self.xs, self.ys, self.bf16, cache=False)
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def _snapshot(self) -> tuple[list[torch.Tensor], dict[int, dict[str, object]]]:
        weights = [p.detach().clone() for p in self.params]
        state = {
            i: {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in st.items()}
            for i, p in enumerate(self.params)
            if (st := self.optimizer.state.get(p))
        }
        return weights, state

    @torch.no_grad()
    def _restore(self, snap: tuple[list[torch.Tensor], dict[int, dict[str, object]]]) -> None:
        """Undo the warm-up in place (a captured graph holds these very tensors): weights and
        optimizer state as they were; state created by the warm-up back to Adam's initial
        zeros."""
        weights, state = snap
        for i, (p, w) in enumerate(zip(self.params, weights, strict=True)):
            p.copy_(w)
            st = self.optimizer.state.get(p, {})
            for k, v in st.items():
                if not isinstance(v, torch.Tensor):
                    continue
                if i in state:
                    v.copy_(state[i][k])  # type: ignore[arg-type]
                else:
                    v.zero_()

    def _prepare(self, x_shape: torch.Size, y_shape: torch.Size, device: torch.device) -> None:
        self.graph = None  # a new shape: drop the old graph and its memory pool first
        self.xs = torch.zeros(x_shape, dtype=torch.uint8, device=device)
        self.ys = torch.zeros(y_shape, dtype=torch.uint8, device=device)
        snap = self._snapshot()
        if self.capture:
            # warm-up and capture on one side stream: lazily created per-stream library state
            # (cuBLAS(Lt) handles and workspaces) then exists before the capture starts
            side = torch.cuda.Stream(device)
            side.wait_stream(torch.cuda.current_stream(device))
            with torch.cuda.stream(side):
                for _ in range(WARMUP_STEPS):
                    self.optimizer.zero_grad(set_to_none=True)
                    self._body()
            torch.cuda.current_stream(device).wait_stream(side)
        else:
            self.optimizer.zero_grad(set_to_none=True)
            self._body()
        self._restore(snap)
        # gradients as None: backward() in the capture allocates them in the graph's pool and
        # every replay overwrites (does not accumulate into) them
        self.optimizer.zero_grad(set_to_none=True)
        if self.capture:
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph, stream=side):
                self.loss = self._body()
        self.captures += 1

    def __call__(self, xs: torch.Tensor, ys: torch.Tensor, lr: float) -> torch.Tensor:
        if self.xs is None or self.xs.shape != xs.shape or self.xs.device != xs.device:
            self._prepare(xs.shape, ys.shape, xs.device)
        assert self.xs is not None and self.ys is not None
        self.xs.copy_(xs)
        self.ys.copy_(ys)
        set_lr(self.optimizer, lr)
        if self.graph is not None:
            self.graph.replay()
            assert self.loss is not None
            return self.loss.clone()
        self.optimizer.zero_grad(set_to_none=True)
        return self._body()
