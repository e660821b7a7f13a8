"""Linear algebra over GF(2) with bit-packed rows (Python integers, bit ``i`` = column ``i``).

Parities are linear functions over GF(2): ``f(x) = <s, x>``. A set of labelled points
``(x_j, y_j)`` pins ``s`` down exactly when the ``x_j`` span GF(2)^n (rank ``n``); the
consistent ``s`` form the affine space ``s_0 + null(X)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pack_rows(xs: np.ndarray) -> list[int]:
    """Rows of a 0/1 matrix (m, n) as integers, column ``i`` in bit ``i``."""
    xs = np.asarray(xs, dtype=np.uint8)
    weights = [1 << i for i in range(xs.shape[1])]
    return [sum(w for w, b in zip(weights, row, strict=True) if b) for row in xs.tolist()]


class Basis:
    """An incremental row-echelon basis of a subspace of GF(2)^n, each row augmented with a
    label bit (so it also solves ``<s, x_j> = y_j``).

    ``add(x, y)`` is one elimination step: it reduces ``x`` by the basis and returns the
    residual (0 when ``x`` is already in the span, in which case the label is *forced*:
    ``predict(x)`` is then determined for every consistent ``s``).
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.pivots: dict[int, tuple[int, int]] = {}  # pivot bit -> (row, label)
        self.inconsistent = False

    @property
    def rank(self) -> int:
        """Dimension of the span."""
        return len(self.pivots)

    def reduce(self, x: int) -> tuple[int, int]:
        """``(residual, label parity)`` of ``x`` after elimination by the basis."""
        label = 0
        while x:
            top = x.bit_length() - 1
            if top not in self.pivots:
                break
            row, lab = self.pivots[top]
            x ^= row
            label ^= lab
        return x, label

    def add(self, x: int, y: int) -> int:
        """Insert the equation ``<s, x> = y``; returns the residual (0 if dependent). A
        dependent equation whose forced label differs from ``y`` marks the system
        inconsistent."""
        r, lab = self.reduce(x)
        if r == 0:
            if lab != y:
                self.inconsistent = True
            return 0
        self.pivots[r.bit_length() - 1] = (r, lab ^ y)
        return r

    def predict(self, x: int) -> int | None:
        """The label forced on ``x`` by the equations so far, or ``None`` when free."""
        r, lab = self.reduce(x)
        return lab if r == 0 else None

    def solution(self) -> int:
        """One ``s`` satisfying every equation (free coordinates 0); requires consistency."""
        s = 0
        for top in sorted(self.pivots):  # back-substitute from the lowest pivot up
            row, lab = self.pivots[top]
            rest = row & ~(1 << top)
            if (bin(rest & s).count("1") + lab) % 2:
                s |= 1 << top
        return s

    def null_vector(self) -> int:
        """A non-zero ``v`` with ``<v, x_j> = 0`` for every added ``x_j`` (rank < n)."""
        free = [i for i in range(self.n) if i not in self.pivots]
        if not free:
            raise ValueError("the rows span GF(2)^n: the null space is {0}")
        v = 1 << free[0]
        for top in sorted(self.pivots):
            row, _ = self.pivots[top]
            if bin((row & ~(1 << top)) & v).count("1") % 2:
                v |= 1 << top
        return v


def rank(xs: np.ndarray | Sequence[Sequence[int]]) -> int:
    """Rank over GF(2) of a 0/1 matrix."""
    xs = np.asarray(xs, dtype=np.uint8)
    basis = Basis(xs.shape[1] if xs.ndim == 2 else 0)
    for row in pack_rows(xs) if xs.size else []:
        basis.add(row, 0)
    return basis.rank
