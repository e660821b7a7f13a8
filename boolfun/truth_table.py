"""Arbitrary Boolean functions given by their truth tables (small n)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.logic import SOPform

from boolfun.bits import MAX_TABLE_N, check_n, is_torch, pack_table, unpack_table
from boolfun.function import BooleanFunction, symbols
from boolfun.sat.circuit import Circuit, Lit

SYMPY_MAX_N = 10
"""Largest n for which :meth:`TruthTable.to_sympy` builds a (minimised) sum of products."""


class TruthTable(BooleanFunction):
    """``f(x) = T[r(x)]`` with ``r(x) = sum_i x_i 2^(i-1)``.

    ``table`` is either the bit-packed table (uint8, ``ceil(2^n/8)`` bytes, least significant
    bit first) or a boolean/0-1 vector of length 2^n. The string form is
    ``TruthTable(0x...)``: the hexadecimal integer whose bit ``r`` is ``f(x^(r))``.
    """

    def __init__(self, n: int, table: Any) -> None:
        self.n = check_n(n)
        if self.n > MAX_TABLE_N:
            raise ValueError(f"n must be <= {MAX_TABLE_N} for a TruthTable, got {self.n}")
        arr = np.asarray(table)
        size = 2**self.n
        if arr.ndim != 1:
            raise ValueError("table must be a 1-D array")
        if arr.shape[0] == size:
            if arr.dtype != np.bool_ and not ((arr == 0) | (arr == 1)).all():
                raise ValueError("table must be packed bytes or a vector of 0/1 of length 2^n")
            values = arr.astype(bool)
        elif arr.dtype == np.uint8 and arr.shape[0] == (size + 7) // 8:
            values = unpack_table(arr, self.n)
            if size < 8 and int(arr[0]) >> size:
                raise ValueError(f"table has bits set beyond the 2^n={size} entries")
        else:
            raise ValueError(
                f"table must be {(size + 7) // 8} packed bytes (uint8) or {size} values "
                "in {0,1}, "
                f"got shape {arr.shape} and dtype {arr.dtype}"
            )
        self._values = values
        self._values.setflags(write=False)
        self._packed = pack_table(values)
        self._packed.setflags(write=False)

    @classmethod
    def from_function(cls, f: BooleanFunction) -> TruthTable:
        """The truth table of any function."""
        return cls(f.n, f.table_values())

    def _key(self) -> tuple:
        return (self.n, self._packed.tobytes())

    def table_values(self) -> np.ndarray:
        return self._values

    def truth_table(self) -> np.ndarray:
        return self._packed

    def _evaluate(self, x: Any) -> Any:
        if is_torch(x):
            import torch

            powers = 1 << torch.arange(self.n, device=x.device, dtype=torch.long)
            idx = (x.long() * powers).sum(-1)
            table = torch.from_numpy(self._values.copy()).to(x.device)
            return table[idx]
        idx = (x.astype(np.int64) << np.arange(self.n, dtype=np.int64)).sum(-1)
        return self._values[idx]

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        # Shannon expansion on x_n, x_{n-1}, ... with sub-tables shared (a reduced BDD).
        memo: dict[bytes, Lit] = {}

        def build(values: np.ndarray, var: int) -> Lit:
            if not values.any():
                return False
            if values.all():
                return True
            key = bytes([var]) + pack_table(values).tobytes()
            if key in memo:
                return memo[key]
            half = len(values) // 2  # split on the most significant variable x_var
            lo, hi = build(values[:half], var - 1), build(values[half:], var - 1)
            # same literal or same constant (never 1 == True: literal 1 is no constant)
            same = lo is hi if isinstance(lo, bool) or isinstance(hi, bool) else lo == hi
            out = lo if same else circuit.ite(inputs[var - 1], hi, lo)
            memo[key] = out
            return out

        return build(self._values, self.n)

    def to_sympy(self) -> sympy.Basic:
        if self.n > SYMPY_MAX_N:
            raise ValueError(f"to_sympy of a TruthTable needs n <= {SYMPY_MAX_N}, got {self.n}")
        syms = symbols(self.n)
        minterms = [
            [(r >> i) & 1 for i in range(self.n)] for r in np.flatnonzero(self._values).tolist()
        ]
        return SOPform(list(syms), minterms)

    def __str__(self) -> str:
        value = int.from_bytes(self._packed.tobytes(), "little")
        return f"TruthTable({hex(value)})"

    def mentioned_variables(self) -> tuple[int, ...]:
        return tuple(range(1, self.n + 1))
