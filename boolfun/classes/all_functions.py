"""The class of all ``2^(2^n)`` Boolean functions of ``n`` variables (as truth tables).

Encoding (parameters ``params``): ``t[r]``: ``h(x^(r)) = 1``, one variable per input point
(``r = sum_i x_i 2^(i-1)``); no membership clauses. Output: the multiplexer
``h(x) = ite(x_n, h_hi(x_1..x_{n-1}), h_lo(x_1..x_{n-1}))`` down to the ``t[r]``; at a fixed
point the constants fold and the output is the literal ``t[r(x)]`` itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from boolfun.bits import MAX_TABLE_N, check_n
from boolfun.classes.base import ClassEncoding, FunctionClass, lit_value, new_vars
from boolfun.function import BooleanFunction
from boolfun.sat.circuit import Circuit, Lit
from boolfun.truth_table import TruthTable

ENUM_MAX_N = 4
"""``enumerate()`` lists the 65536 functions of 4 variables; 5 would be 2^32."""

ENCODE_MAX_N = 16
"""Largest n for which the encoding (one variable per point) is built."""


class AllFunctionsClass(FunctionClass):
    """Every function of ``n`` variables, represented as a :class:`TruthTable`. Registry name
    ``all``; :meth:`sample` draws a uniform truth table."""

    name = "all"

    def __init__(self, n: int) -> None:
        self.n = check_n(n)

    @property
    def config(self) -> dict[str, Any]:
        return {}

    def _init_args(self) -> dict[str, Any]:
        return {}

    def size(self) -> int:
        return 2 ** (2**self.n)

    def enumerate(self) -> list[BooleanFunction]:
        """By the truth table read as an integer (bit ``r`` is ``f(x^(r))``)."""
        if self.n > ENUM_MAX_N:
            raise self._limit_error(ENUM_MAX_N)
        size = 2**self.n
        shifts = np.arange(size, dtype=np.int64)
        return [TruthTable(self.n, ((v >> shifts) & 1).astype(bool)) for v in range(2**size)]

    def __contains__(self, f: object) -> bool:
        return isinstance(f, BooleanFunction) and f.n == self.n

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        if self.n > MAX_TABLE_N:
            raise ValueError(f"coerce() of {self.name} needs n <= {MAX_TABLE_N}, got n={self.n}")
        return f if type(f) is TruthTable else TruthTable.from_function(f)

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """Every ``f(x)`` an independent fair bit."""
        if self.n > MAX_TABLE_N:
            raise ValueError(f"sample() of {self.name} needs n <= {MAX_TABLE_N}, got n={self.n}")
        return TruthTable(self.n, rng.integers(0, 2, size=2**self.n).astype(bool))

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        if self.n > ENCODE_MAX_N:
            raise ValueError(f"encode() of {self.name} needs n <= {ENCODE_MAX_N}, got n={self.n}")
        return {"t": new_vars(circuit, 2**self.n)}

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c, t = enc.circuit, enc.params["t"]

        def mux(var: int, start: int) -> Lit:
            # the sub-table of the 2^var points r = start .. start + 2^var - 1
            if var == 0:
                return t[start]
            half = 2 ** (var - 1)
            if isinstance(x[var - 1], bool):  # a constant selects one half
                return mux(var - 1, start + half if x[var - 1] else start)
            return c.ite(x[var - 1], mux(var - 1, start + half), mux(var - 1, start))

        return mux(self.n, 0)

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        return TruthTable(self.n, np.array([lit_value(v, true) for v in enc.params["t"]]))
