"""Torch devices by name: the one place where a device argument is parsed and checked.

Sampling (:func:`boolfun.samplers.sample_prompts`), training and evaluation (:mod:`models`) and
the learners' comparison all call :func:`resolve_device`, so a bad name or a device this
machine lacks gives the same error everywhere.

>>> resolve_device("cpu")
device(type='cpu')
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import torch

DEVICE_TYPES = ("cpu", "cuda", "mps")
"""The device types the samplers, learners and models run on."""


def resolve_device(
    device: str | torch.device, *, name: str = "device", check_available: bool = True
) -> torch.device:
    """``device`` as a :class:`torch.device`.

    A string that torch cannot parse (or another type) raises ``ValueError`` naming ``name``;
    with ``check_available`` so does a CUDA or MPS device this machine does not have (a saved
    configuration that names ``cuda`` is read with ``check_available=False``).
    """
    if isinstance(device, torch.device):
        dev = device
    else:
        try:
            dev = torch.device(device)
        except (RuntimeError, TypeError, ValueError):
            raise ValueError(
                f"{name} must be a torch device such as 'cpu' or 'cuda', got {device!r}"
            ) from None
    if dev.type not in DEVICE_TYPES:
        raise ValueError(
            f"{name} {str(device)!r}: the device type must be one of {', '.join(DEVICE_TYPES)}"
        )
    if check_available:
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"{name} {str(device)!r}: CUDA is not available on this machine")
        if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
            raise ValueError(
                f"{name} {str(device)!r}: this machine has {torch.cuda.device_count()} CUDA "
                "device(s)"
            )
        if dev.type == "mps" and not torch.backends.mps.is_available():
            raise ValueError(f"{name} {str(device)!r}: MPS is not available on this machine")
    return dev


def device_memory(device: torch.device) -> int:
    """Bytes of memory of ``device``: the machine's physical memory for the CPU (and MPS,
    which shares it), the card's total memory for CUDA."""
    if device.type == "cuda":
        return int(torch.cuda.get_device_properties(device).total_memory)
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - no sysconf
        return 1 << 40


def check_memory(needed: float, device: torch.device, what: str) -> None:
    """``ValueError`` when ``needed`` bytes exceed the memory of ``device``; ``what`` starts
    with the parameter that sizes the request (``"prompts 10^9 of 70 points ..."``) and the
    message says what it would take and what there is."""
    have = device_memory(device)
    if needed > have:
        raise ValueError(
            f"{what} needs about {_gib(needed)} of memory, more than the {_gib(have)} of "
            f"{device}; ask for less"
        )


def _gib(b: float) -> str:
    return f"{b / 2**30:,.1f} GiB" if b >= 2**28 else f"{b / 2**20:,.0f} MiB"


@contextmanager
def using_threads(n: int) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)`` (torch's intra-op CPU threads); the
    previous count is restored afterwards."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
