"""Torch devices by name: the one place where a device argument is parsed and checked.

Sampling (:func:`boolfun.samplers.sample_prompts`), training and evaluation (:mod:`models`) and
the learners' comparison all call :func:`resolve_device`, so a bad name or a device this
machine lacks gives the same error everywhere.

>>> resolve_device("cpu")
device(type='cpu')
"""

from __future__ import annotations

import torch


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
