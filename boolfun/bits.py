"""Bit arrays: validation, the ordering of the 2^n inputs, and bit-packed truth tables.

Conventions used throughout :mod:`boolfun`:

* an input is a vector ``x in {0,1}^n``; variable ``x_i`` (1-based, as printed) is column
  ``i - 1`` of an array of shape ``(..., n)``;
* the 2^n inputs are ordered by the integer ``r = sum_i x_i 2^(i-1)`` (``x1`` is the least
  significant bit), so row ``r`` of :func:`all_inputs` is the binary expansion of ``r``;
* a truth table is the vector ``(f(x^(0)), ..., f(x^(2^n - 1)))`` packed eight entries per byte,
  least significant bit first (``numpy.packbits(..., bitorder="little")``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:  # torch is a hard dependency of the package, but keep boolfun importable without it
    import torch
except ImportError:  # pragma: no cover
    torch = None  # type: ignore[assignment]

MAX_TABLE_N = 24
"""Largest n for which truth tables are built (2^24 entries, 2 MiB packed)."""


def is_torch(x: Any) -> bool:
    """Whether ``x`` is a torch tensor."""
    return torch is not None and isinstance(x, torch.Tensor)


MAX_N = 65536
"""The most variables a function or class may have (the paper's largest n is 28)."""


def check_n(n: Any, name: str = "n") -> int:
    """Validate a number of variables: an integer in ``[1, MAX_N]``."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise ValueError(f"{name} must be an integer in [1, {MAX_N}], got {n!r}")
    if not 1 <= n <= MAX_N:
        raise ValueError(f"{name} must be an integer in [1, {MAX_N}], got {n}")
    return int(n)


def check_int(value: Any, name: str, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer parameter in ``[low, high]`` (either bound optional)."""
    rng = f"in [{'-inf' if low is None else low}, {'inf' if high is None else high}]"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer {rng}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {rng}, got {value}")
    return int(value)


def check_bits(x: Any, n: int, name: str = "x") -> Any:
    """Validate an array of shape ``(..., n)`` with entries in {0, 1}.

    numpy arrays (and nested lists) come back as numpy arrays, torch tensors as the same
    tensor (on its device). Booleans and any integer dtype are accepted; floats are accepted
    only if every entry is exactly 0 or 1. Nothing is coerced silently: other values raise.
    """
    if is_torch(x):
        if x.ndim < 1 or x.shape[-1] != n:
            raise ValueError(f"{name} must have shape (..., {n}), got {tuple(x.shape)}")
        if x.dtype != torch.bool and x.numel() and not bool(((x == 0) | (x == 1)).all()):
            raise ValueError(f"{name} must contain only 0 and 1")
        return x
    arr = np.asarray(x)
    if arr.dtype == object or not (
        arr.dtype == np.bool_
        or np.issubdtype(arr.dtype, np.integer)
        or np.issubdtype(arr.dtype, np.floating)
    ):
        raise ValueError(f"{name} must be a numeric or boolean array of 0/1, got dtype {arr.dtype}")
    if arr.ndim < 1 or arr.shape[-1] != n:
        raise ValueError(f"{name} must have shape (..., {n}), got {arr.shape}")
    if arr.dtype != np.bool_ and arr.size and not ((arr == 0) | (arr == 1)).all():
        raise ValueError(f"{name} must contain only 0 and 1")
    return arr


def as_bool(x: Any) -> Any:
    """A 0/1 array or tensor as a boolean one (no copy when already boolean)."""
    if is_torch(x):
        return x if x.dtype == torch.bool else x != 0
    return x if x.dtype == np.bool_ else x != 0


def as_uint8(x: Any) -> Any:
    """A boolean array or tensor as uint8 in {0, 1}."""
    if is_torch(x):
        return x.to(torch.uint8)
    return np.asarray(x, dtype=np.uint8)


def all_inputs(n: int) -> np.ndarray:
    """All 2^n inputs as a ``(2^n, n)`` uint8 array; row ``r`` is the binary expansion of ``r``
    with ``x1`` the least significant bit."""
    n = check_n(n)
    if n > MAX_TABLE_N:
        raise ValueError(f"n must be <= {MAX_TABLE_N} to list all inputs, got {n}")
    r = np.arange(2**n, dtype=np.int64)
    return ((r[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.uint8)


def input_index(x: np.ndarray) -> np.ndarray:
    """The row index ``r = sum_i x_i 2^(i-1)`` of each input in an array of shape (..., n)."""
    x = np.asarray(x)
    return (x.astype(np.int64) << np.arange(x.shape[-1], dtype=np.int64)).sum(-1)


def pack_table(values: np.ndarray) -> np.ndarray:
    """Pack a boolean vector of length 2^n into bytes, least significant bit first."""
    return np.packbits(np.asarray(values, dtype=bool), bitorder="little")


def unpack_table(packed: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`pack_table`: the boolean vector of length 2^n."""
    return np.unpackbits(np.asarray(packed, dtype=np.uint8), count=2**n, bitorder="little").astype(
        bool
    )
