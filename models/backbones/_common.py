"""Helpers shared by the backbone files."""

from __future__ import annotations

from torch import nn


def check_length(length: int, max_len: int) -> None:
    """Raise ``ValueError`` when a sequence is longer than the backbone was built for."""
    if length > max_len:
        raise ValueError(
            f"sequence length {length} exceeds the backbone's max_len={max_len}; "
            "build the model with a larger max_len (max_points)"
        )


def residual(linear: nn.Linear) -> nn.Linear:
    """Flag ``linear`` as a residual output projection (scaled init in :func:`init_weights`)."""
    linear.residual_proj = True  # type: ignore[attr-defined]
    return linear
