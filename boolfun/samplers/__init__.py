"""Vectorised prompt samplers for every task of :mod:`boolfun.tasks` (SPEC §1), in torch.

A prompt is ``points`` examples ``(x_i, f(x_i))`` with ``x_i in {0,1}^n``; :func:`sample_prompts`
draws ``prompts`` functions from the task's distribution and their inputs (uniform, then the
task's forcing rule; ``force`` and ``p_one`` change this input distribution) on ``device``, with
no Python loop over prompts or examples: inputs are generated and labelled as packed 64-bit
words (:mod:`boolfun.samplers.words`).

>>> p = sample_prompts("conjunction", 4, seed=0, return_functions=True)
>>> p.xs.shape, p.ys.shape, p.xs.dtype
(torch.Size([4, 70, 28]), torch.Size([4, 70]), torch.uint8)
>>> bool((p.functions[0].evaluate(p.xs[0]) == p.ys[0]).all())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from boolfun.bits import check_int
from boolfun.devices import check_memory, resolve_device
from boolfun.function import BooleanFunction
from boolfun.samplers.families import SAMPLERS, Context
from boolfun.samplers.files import PromptsFile, load_prompts, save_prompts
from boolfun.samplers.functions import build_functions
from boolfun.samplers.words import unpack
from boolfun.tasks import get_task, resolve_params, with_inputs

__all__ = ["Prompts", "PromptsFile", "load_prompts", "sample_prompts", "save_prompts"]


@dataclass
class Prompts:
    """A batch of prompts of one task.

    ``xs[b, i]`` is the ``i``-th input of prompt ``b`` and ``ys[b, i]`` its label; both uint8 in
    {0, 1} on the sampling device. ``functions[b]`` is prompt ``b``'s target (``None`` for
    nearest_neighbour, or when not requested). ``force`` and ``p_one`` are the input
    distribution used: the forcing probability and the probability of a 1 bit before forcing.
    """

    task: str
    n: int
    xs: torch.Tensor  # (batch, points, n) uint8
    ys: torch.Tensor  # (batch, points) uint8
    functions: list[BooleanFunction] | None = None
    params: dict[str, int] = field(default_factory=dict)  # the task parameters used (k, start)
    force: float = 0.0  # the forcing probability q used
    p_one: float = 0.5  # the probability of a 1 input bit (before forcing) used

    def numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """``(xs, ys)`` as uint8 numpy arrays."""
        return self.xs.cpu().numpy(), self.ys.cpu().numpy()

    def __len__(self) -> int:
        return self.xs.shape[0]


def _generator(
    seed: int | None, generator: torch.Generator | None, device: torch.device
) -> torch.Generator:
    if (seed is None) == (generator is None):
        raise ValueError("exactly one of seed and generator must be given")
    if generator is None:
        seed = check_int(seed, "seed", 0, 2**64 - 1)
        return torch.Generator(device=device).manual_seed(seed)
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"generator must be a torch.Generator, got {type(generator).__name__}")
    gd = generator.device
    if gd.type != device.type or (device.index is not None and gd.index != device.index):
        raise ValueError(f"generator must live on device {device}, got a generator on {gd}")
    return generator


def sample_prompts(
    task: str,
    prompts: int,
    points: int | None = None,
    n: int | None = None,
    *,
    seed: int | None = None,
    generator: torch.Generator | None = None,
    device: str | torch.device = "cpu",
    return_functions: bool = False,
    force: float | None = None,
    p_one: float = 0.5,
    **params: Any,
) -> Prompts:
    """``prompts`` prompts of ``task`` with ``points`` examples over ``n`` variables.

    ``points`` and ``n`` default to the task's (the paper's) values; ``params`` override the
    task parameters (``k`` of sparse_parity / sparse_disjunction, ``start`` of
    nearest_neighbour). Randomness comes only from ``generator`` or a fresh generator seeded
    with ``seed`` (exactly one is required): the same seed on the same device gives the same
    prompts. With ``return_functions`` the targets are built as :mod:`boolfun` objects (on the
    CPU, one Python object per prompt).

    Out-of-distribution inputs: ``force`` overrides the task's forcing probability ``q`` (in
    [0, 1]; only the conjunction / disjunction / dnf / cnf families have forcing, the others
    accept only 0) and ``p_one`` (in ``(0, 1)``) is the probability of each input bit being 1
    before forcing (:func:`boolfun.tasks.with_inputs`). The defaults are the task's own
    distribution and give the same prompts as before for the same seed.
    """
    t = with_inputs(get_task(task), force=force, p_one=p_one)
    prompts = check_int(prompts, "prompts", 1)
    points = check_int(t.default_points if points is None else points, "points", 1)
    n = check_int(t.default_n if n is None else n, "n", t.min_n)
    resolved = resolve_params(t, n, params)
    dev = resolve_device(device)
    # inputs as bits and as 64-bit words, labels, and the sampler's temporaries
    check_memory(
        3.0 * prompts * points * (n + 8 * (-(-n // 64)) + 2),
        dev,
        f"prompts {prompts} of {points} points over n = {n}",
    )
    gen = _generator(seed, generator, dev)
    ctx = Context(t, prompts, points, n, resolved, gen, dev)
    sample = SAMPLERS[t.family](ctx)
    xs = unpack(sample.words, n) if sample.bits is None else sample.bits
    ys = sample.ys.view(torch.uint8)
    functions = None
    if return_functions and t.has_function:
        functions = build_functions(t, n, sample.params)
    return Prompts(t.name, n, xs, ys, functions, resolved, t.dist.force, t.dist.p_one)
