"""Labelled example sets: the currency of teaching."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from boolfun.bits import check_bits, is_torch
from boolfun.function import BooleanFunction


def _array(values: Any, name: str) -> np.ndarray:
    """``values`` as a numpy array (torch tensors are copied to the host); the values are
    checked by the caller, with :func:`boolfun.bits.check_bits` (0/1 only: booleans, integers
    and floats exactly 0.0 or 1.0 are accepted, anything else raises)."""
    if is_torch(values):
        values = values.detach().cpu().numpy()
    try:
        return np.asarray(values)
    except ValueError as e:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of 0/1: {e}") from None


@dataclass(frozen=True)
class Examples:
    """An ordered set of labelled examples ``(x_j, y_j)``.

    ``xs`` is a uint8 array of shape (m, n) with entries in {0, 1}, ``ys`` a uint8 array of
    shape (m,). The order is the order in which a prompt would show them. The constructor
    accepts booleans, integers and floats that are exactly 0 or 1 (as
    :func:`boolfun.bits.check_bits`); any other value (0.5, 2, -1, nan, a string) raises
    ``ValueError`` naming ``xs`` or ``ys``, nothing is cast.
    """

    xs: np.ndarray
    ys: np.ndarray

    def __post_init__(self) -> None:
        xs = _array(self.xs, "xs")
        if xs.ndim != 2:
            raise ValueError(f"xs must have shape (m, n), got {xs.shape}")
        xs = check_bits(xs, xs.shape[1], "xs").astype(np.uint8)
        ys = _array(self.ys, "ys")
        if ys.shape != (xs.shape[0],):
            raise ValueError(f"ys must have shape ({xs.shape[0]},), got {ys.shape}")
        ys = check_bits(ys.reshape(-1, 1), 1, "ys").reshape(-1)
        object.__setattr__(self, "xs", xs)
        object.__setattr__(self, "ys", ys.astype(np.uint8))

    @classmethod
    def labelled_by(cls, f: BooleanFunction, xs: Any) -> Examples:
        """The points ``xs`` (``(m, n)``, or one point ``(n,)``) labelled by ``f``; entries
        must be 0/1 as for the constructor (nothing is cast: 0.5 raises)."""
        arr = _array(xs, "xs")
        if arr.size == 0 or arr.ndim == 1:
            if arr.size % f.n:
                raise ValueError(f"xs must have shape (m, {f.n}), got {arr.shape}")
            arr = arr.reshape(-1, f.n)
        arr = check_bits(arr, f.n, "xs").astype(np.uint8)
        if arr.ndim != 2:
            raise ValueError(f"xs must have shape (m, {f.n}), got {arr.shape}")
        return cls(arr, f.evaluate(arr))

    @property
    def n(self) -> int:
        """Input dimension."""
        return int(self.xs.shape[1])

    def __len__(self) -> int:
        return int(self.xs.shape[0])

    def __iter__(self) -> Iterator[tuple[np.ndarray, int]]:
        for x, y in zip(self.xs, self.ys, strict=True):
            yield x, int(y)

    def consistent_with(self, f: BooleanFunction) -> bool:
        """Whether ``f`` labels every example as given."""
        return len(self) == 0 or bool((f.evaluate(self.xs) == self.ys).all())

    def drop(self, index: int) -> Examples:
        """The set without example ``index``."""
        keep = np.arange(len(self)) != index
        return Examples(self.xs[keep], self.ys[keep])

    def to_json(self) -> list[dict[str, Any]]:
        """``[{"x": "0110...", "y": 1}, ...]`` with ``x`` written x1 first."""
        return [{"x": "".join(map(str, x.tolist())), "y": y} for x, y in self]
