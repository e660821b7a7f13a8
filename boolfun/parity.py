"""Parities: ``Parity(n, S)(x) = XOR_{i in S} x_i`` (the constant 0 for ``S`` empty)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sympy

from boolfun.bits import check_n
from boolfun.function import BooleanFunction, check_variables, columns, symbols
from boolfun.sat.circuit import Circuit, Lit


class Parity(BooleanFunction):
    """The parity of the variables in ``S`` (1-based); ``Parity(5, [1, 3])`` is ``x1 ^ x3``.

    Over GF(2), ``f(x) = <s, x> mod 2`` with ``s`` the indicator vector of ``S``.
    """

    def __init__(self, n: int, variables: Iterable[int] = ()) -> None:
        self.n = check_n(n)
        self.variables: tuple[int, ...] = check_variables(variables, self.n)

    def _key(self) -> tuple:
        return (self.n, self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def _evaluate(self, x: Any) -> Any:
        return columns(x, [v - 1 for v in self.variables]).sum(-1) % 2 == 1

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.xor(inputs[v - 1] for v in self.variables)

    def to_sympy(self) -> sympy.Basic:
        syms = symbols(self.n)
        if not self.variables:
            return sympy.false
        if len(self.variables) == 1:
            return syms[self.variables[0] - 1]
        return sympy.Xor(*[syms[v - 1] for v in self.variables], evaluate=False)

    def __str__(self) -> str:
        if not self.variables:
            return "False"
        return " ^ ".join(f"x{v}" for v in self.variables)

    def mentioned_variables(self) -> tuple[int, ...]:
        return self.variables

    def relevant_variables(self) -> tuple[int, ...]:
        return self.variables

    @property
    def indicator(self) -> tuple[int, ...]:
        """The vector ``s in {0,1}^n`` with ``f(x) = <s, x> mod 2``."""
        return tuple(1 if i in self.variables else 0 for i in range(1, self.n + 1))
