"""The training data of an in-context model: the prompts of every step of a run.

:class:`PromptSource` draws each step's prompts from one ``torch.Generator`` seeded with
``config.seed``, on the training device: fresh functions every step from the task's sampler
(:func:`boolfun.samplers.sample_prompts`), or a finite pool of functions; the curriculum
(:func:`curriculum`) sets the number of points and of input dimensions of step ``t``; a prompt
starts with the paper's teaching sequence of its function with probability ``teach``
(the class of :data:`boolfun.tasks.TEACHING_CLASSES`); labels are flipped with probability
``label_noise``. :func:`eval_prompts` are the fixed prompts a run is evaluated on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from boolfun.classes import make_class
from boolfun.samplers import sample_prompts
from boolfun.tasks import teaching_class, teaching_class_params
from models.config import TrainConfig
from teaching.construct import teaching_sequence


def curriculum(config: TrainConfig, step: int) -> tuple[int, int]:
    """``(points, dims)`` of the prompts of step ``step``."""

    def grow(kind: str, full: int) -> int:
        p = f"curriculum_{kind}_"
        interval = getattr(config, p + "interval")
        if not interval:
            return full
        start, end = getattr(config, p + "start"), getattr(config, p + "end")
        return min(end, start + getattr(config, p + "increment") * (step // interval))

    return grow("points", config.points), grow("dims", config.n)


class PromptSource:
    """The training prompts of a config, step by step, from one seeded generator.

    Fresh functions every step (``pool = 0``); or a finite pool of ``pool`` functions, each with
    a stash of ``pool_stash * points`` examples drawn once (from a generator seeded with
    ``seed + 2``) of which every step shows a random ``points``; prompts that start with the
    paper teaching sequence of their function with probability ``teach``; labels flipped with
    probability ``label_noise``. Fewer dims than ``n`` (curriculum) are zero-padded.
    """

    def __init__(self, config: TrainConfig, device: torch.device) -> None:
        self.config = config
        self.device = device
        self.generator = torch.Generator(device=device).manual_seed(config.seed)
        self.p_teach = config.teach_probability
        self._teaching: dict[str, Any] = {}
        self.stash: tuple[torch.Tensor, torch.Tensor] | None = None
        if config.pool:
            s = sample_prompts(
                config.task,
                config.pool,
                config.points * config.pool_stash,
                config.n,
                seed=config.seed + 2,
                device=device,
            )
            self.stash = (s.xs, s.ys)

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(xs (B, P, n), ys (B, P))`` uint8 of step ``step``."""
        c, g, dev = self.config, self.generator, self.device
        points, dims = curriculum(c, step)
        if self.stash is not None:
            sx, sy = self.stash
            idx = torch.randint(0, c.pool, (c.batch,), generator=g, device=dev)
            order = torch.rand(c.batch, sx.shape[1], generator=g, device=dev).argsort(dim=1)
            pos = order[:, :points]
            xs = sx[idx].gather(1, pos[..., None].expand(-1, -1, c.n))[..., :dims]
            ys = sy[idx].gather(1, pos)
        else:
            s = sample_prompts(
                c.task,
                c.batch,
                points,
                dims,
                generator=g,
                device=dev,
                return_functions=self.p_teach > 0,
            )
            xs, ys = s.xs, s.ys
            if self.p_teach > 0:
                xs, ys = self._teach(xs, ys, s.functions)
        if dims < c.n:
            xs = F.pad(xs, (0, c.n - dims))
        if c.label_noise:
            flip = torch.rand(ys.shape, generator=g, device=dev) < c.label_noise
            ys = ys ^ flip.to(torch.uint8)
        return xs, ys

    def _teach(
        self, xs: torch.Tensor, ys: torch.Tensor, functions: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        coins = torch.rand(c.batch, generator=self.generator, device=self.device).cpu()
        xs, ys, _ = with_teaching_prefix(
            c.task, xs, ys, functions, mask=coins < self.p_teach, cache=self._teaching
        )
        return xs, ys


def with_teaching_prefix(
    task: str,
    xs: torch.Tensor,
    ys: torch.Tensor,
    functions: Any,
    *,
    mask: Any = None,
    cache: dict[str, Any] | None = None,
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Prompts ``xs (B, P, n)``, ``ys (B, P)`` of ``functions`` (one per prompt) with their
    first ``L_b`` examples replaced by the paper's teaching sequence of ``functions[b]``
    (:func:`teaching.construct.teaching_sequence` in the class of
    :data:`boolfun.tasks.TEACHING_CLASSES`; ``L_b`` its length, at most ``P``) for every
    prompt ``b`` where ``mask`` (length ``B``, default all) is true. The labels stay those of
    ``f_b``, so the prompt is still one of ``f_b``. Returns new tensors and ``L (B,)`` (0
    where no prefix was put). ``cache`` maps a function's string form to its sequence (reused
    across calls); ``ValueError`` naming ``task`` when the task has no teaching class."""
    cls_name = teaching_class(task)
    if cls_name is None:
        raise ValueError(f"task {task!r} has no teaching sequences")
    B, P = ys.shape
    mask = np.ones(B, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    cache = {} if cache is None else cache
    xs, ys = xs.clone(), ys.clone()
    lengths = np.zeros(B, dtype=np.int64)
    cls = None
    for b, f in enumerate(functions):
        if not mask[b]:
            continue
        key = str(f)
        if key not in cache:
            if cls is None:
                cls = make_class(cls_name, xs.shape[2], **teaching_class_params(task))
            ex = teaching_sequence(f, cls, "paper")
            cache[key] = (np.asarray(ex.xs), np.asarray(ex.ys))
        tx, ty = cache[key]
        m = min(len(ty), P)
        xs[b, :m] = torch.as_tensor(tx[:m], device=xs.device)
        ys[b, :m] = torch.as_tensor(ty[:m], device=ys.device)
        lengths[b] = m
    return xs, ys, lengths


def eval_prompts(config: TrainConfig, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed evaluation prompts of a run (seed ``config.seed + 1``, full size)."""
    s = sample_prompts(
        config.task,
        config.eval_prompts,
        config.points,
        config.n,
        seed=config.seed + 1,
        device=device,
    )
    return s.xs, s.ys
