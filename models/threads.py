"""How many CPU threads torch uses while a model trains.

On a CPU a training step is a few hundred operations. For a small model each of them is too
short to gain from splitting it over cores: the split costs more than it saves, and on a
machine whose cores are busy with other work an OpenMP team waits for the slowest of them,
so that more threads can be several times slower than one (measured in
``benchmarks/train_speed.py --threads-compare``). A paper-scale step is large enough to use
every core. :func:`auto_threads` therefore picks one thread for a step of fewer than
:data:`PARALLEL_FLOPS` floating-point operations and all the cores this process may use
otherwise. The choice depends on the config and the machine only, never on its load, so the
same command gives the same threads (and hence the same bits) on the same machine.
"""

from __future__ import annotations

import os
from typing import Any

from boolfun.devices import using_threads

__all__ = ["auto_threads", "available_cores", "step_flops", "training_threads", "using_threads"]

PARALLEL_FLOPS = 5e10
"""Steps of at least this many floating-point operations use every core (see the module
docstring; the threshold comes from ``benchmarks/results/train_speed.md``)."""

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
