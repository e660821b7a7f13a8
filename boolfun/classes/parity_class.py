"""Parities as a function class.

``ParityClass(n)`` is the set of the ``2^n`` parities ``x -> <s, x> mod 2`` (``s in {0,1}^n``;
``s = 0`` is the constant 0); ``ParityClass(n, k)`` keeps the ``C(n, k)`` parities of exactly
``k`` variables. Distinct ``s`` are distinct functions (``f(e_i) = s_i``).

Encoding (parameters ``params``): ``s[i]``: ``x_{i+1}`` is in the parity. With ``k``:
``sum_i s_i = k`` (pysat ``CardEnc``). Output: ``h(x) = XOR_i (s_i & x_i)``; at a fixed point
``x`` this is the XOR of the ``s_i`` with ``x_i = 1``, a chain of ``|x| - 1`` XOR gates.
(Identification of parities is linear algebra over GF(2); this CNF encoding is for
uniformity with the other classes.)
"""

from __future__ import annotations

from itertools import combinations
from math import comb
from typing import Any

import numpy as np

from boolfun.bits import check_int, check_n
from boolfun.classes.base import ClassEncoding, FunctionClass, cardinality, lit_value, new_vars
from boolfun.convert import convert
from boolfun.function import BooleanFunction
from boolfun.parity import Parity
from boolfun.sat.circuit import Circuit, Lit


class ParityClass(FunctionClass):
    """All parities, or the exactly-``k`` sparse parities (see the module docstring).
    Registry names ``parity`` and ``sparse_parity``; the paper's tasks of the same names
    sample it."""

    def __init__(self, n: int, k: int | None = None) -> None:
        self.n = check_n(n)
        self.k = None if k is None else check_int(k, "k", 0, self.n)

    @property
    def name(self) -> str:
        return "parity" if self.k is None else "sparse_parity"

    @property
    def config(self) -> dict[str, Any]:
        return {} if self.k is None else {"k": self.k}

    def _init_args(self) -> dict[str, Any]:
        return {"k": self.k}

    def size(self) -> int:
        return 2**self.n if self.k is None else comb(self.n, self.k)

    def enumerate(self) -> list[BooleanFunction]:
        """By number of variables, then lexicographically."""
        self._check_size_limit()
        sizes = range(self.n + 1) if self.k is None else [self.k]
        return [Parity(self.n, vs) for m in sizes for vs in combinations(range(1, self.n + 1), m)]

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        try:
            g = f if type(f) is Parity else convert(f, Parity)
        except ValueError:
            return None
        if self.k is not None and len(g) != self.k:  # type: ignore[arg-type]
            return None
        return g

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        if self.k is None:
            return "parity", {}
        return ("sparse_parity", {"k": self.k}) if self.k >= 1 else None

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """Uniform over the class: each variable in w.p. 1/2, or a uniform ``k``-subset."""
        if self.k is None:
            vs = np.flatnonzero(rng.integers(0, 2, size=self.n)) + 1
        else:
            vs = rng.choice(self.n, size=self.k, replace=False) + 1
        return Parity(self.n, [int(v) for v in vs])

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        s = new_vars(circuit, self.n)
        if self.k is not None:
            cardinality(circuit, s, self.k, "equals")
        return {"s": s}

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c = enc.circuit
        return c.xor(c.and_([si, xi]) for si, xi in zip(enc.params["s"], x, strict=True))

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        return Parity(self.n, [i + 1 for i, v in enumerate(enc.params["s"]) if lit_value(v, true)])
