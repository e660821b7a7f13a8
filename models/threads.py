"""How many CPU threads torch uses while a model trains.

On a CPU a training step is a few hundred operations. For a small model each of them is too
short to gain from splitting it over cores, and on a machine whose cores are busy with other
work an OpenMP team waits for the slowest of them, so that more threads can be slower than
one (on two busy cores: 2.3x slower for a tiny model, 1.2x for the README's example;
``benchmarks/train_speed.py --threads-compare``). Larger steps gain from every idle core.
:func:`auto_threads` therefore picks one thread for a step of fewer than
:data:`PARALLEL_FLOPS` floating-point operations and all the cores this process may use
otherwise. The choice depends on the config and the machine only, never on its load, so the
same command gives the same threads (and hence the same bits) on the same machine; the
command line says when a run on several threads starts on a busy machine.
"""

from __future__ import annotations

import os
from typing import Any

from boolfun.devices import using_threads

__all__ = ["auto_threads", "available_cores", "step_flops", "training_threads", "using_threads"]

PARALLEL_FLOPS = 1e11
"""Steps of at least this many floating-point operations use every core. Measured on two
idle cores (``benchmarks/results/train_speed_stack_threads.md``): a tiny model (width 32, 2
layers, batch 16, about 10^8 per step) runs as fast on one thread as on two, the README's
example (width 64, 3 layers, batch 64, about 5 x 10^9) 1.8x faster on two, paper scale
(about 5 x 10^11) 1.4x faster on two. But on two cores shared with another torch process
the README's example on two threads ran at 0.56 steps/s against 9.6 on one idle thread (a
``boolicl compare`` beside a test suite): one thread loses at most 1.8x and two can lose
more than 10x, so every step below paper scale gets one thread."""

MAX_THREADS = 4096


def available_cores() -> int:
    """The CPU cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def step_flops(config: Any) -> float:
    """About ``6 x parameters x tokens`` (forward and backward) of one training step of
    ``config`` (a :class:`models.config.TrainConfig`): ``12 layers width^2`` parameters,
    ``batch x 2 points`` tokens."""
    params = 12 * config.layers * config.width**2 + (config.n + 2) * config.width
    return 6.0 * params * config.batch * 2 * config.points


def auto_threads(config: Any) -> int:
    """The thread count of ``config.threads == 0``: 1 below :data:`PARALLEL_FLOPS` per step,
    else :func:`available_cores`."""
    return 1 if step_flops(config) < PARALLEL_FLOPS else available_cores()


def training_threads(config: Any) -> int:
    """The threads a run of ``config`` uses: ``config.threads``, or :func:`auto_threads` for
    0. More than :func:`available_cores` raises ``ValueError`` naming ``threads``."""
    if config.threads == 0:
        return auto_threads(config)
    cores = available_cores()
    if config.threads > cores:
        raise ValueError(
            f"threads {config.threads} is more than the {cores} CPU cores this process may "
            f"use; ask for 1 to {cores} (0 = choose)"
        )
    return int(config.threads)
