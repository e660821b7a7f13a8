"""Labelled example sets: the currency of teaching."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from boolfun.bits import check_bits
from boolfun.function import BooleanFunction


@dataclass(frozen=True)
class Examples:
    """An ordered set of labelled examples ``(x_j, y_j)``.

    ``xs`` is a uint8 array of shape (m, n) with entries in {0, 1}, ``ys`` a uint8 array of
    shape (m,). The order is the order in which a prompt would show them.
    """

    xs: np.ndarray
    ys: np.ndarray

    def __post_init__(self) -> None:
        xs = np.asarray(self.xs)
        if xs.ndim != 2:
            raise ValueError(f"xs must have shape (m, n), got {xs.shape}")
        xs = check_bits(xs, xs.shape[1], "xs").astype(np.uint8)
        ys = np.asarray(self.ys)
        if ys.shape != (xs.shape[0],):
            raise ValueError(f"ys must have shape ({xs.shape[0]},), got {ys.shape}")
        if ys.size and not ((ys == 0) | (ys == 1)).all():
            raise ValueError("ys must contain only 0 and 1")
        object.__setattr__(self, "xs", xs)
        object.__setattr__(self, "ys", ys.astype(np.uint8))

    @classmethod
    def labelled_by(cls, f: BooleanFunction, xs: Any) -> Examples:
        """The points ``xs`` labelled by ``f``."""
        xs = np.asarray(xs, dtype=np.uint8).reshape(-1, f.n)
        return cls(xs, f.evaluate(xs))

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
