"""Linear threshold functions in the ±1 coding ``x' = 2x - 1`` used by the paper.

* ``Halfspace(n, w, b)(x) = [w . x' > b]`` with integer weights ``w`` and a rational bias
  ``b`` (the paper's halfspace task: ``w in {-3..3}^n``, ``b = 0.5``).
* ``Threshold(n, w, b)``: a halfspace with ``w in {-1, 0, 1}^n`` and a half-integer ``b``
  (the paper's 0-1 threshold task: ``b in {-2.5, ..., 2.5}``).
* ``Majority(n, S)(x) = [#{i in S: x_i = 1} > #{i in S: x_i = 0}]``; ties and ``S`` empty give 0.

In the string forms, inside ``Threshold(...)`` and ``Halfspace(...)`` a symbol ``x_i`` stands
for its ±1 value ``2 x_i - 1``: ``Threshold(x1 - x3 > -0.5)``, ``Halfspace(3*x1 - 2*x2 > 0.5)``.

Magnitudes: ``sum_i |w_i| <= 2**62`` (:data:`MAX_WEIGHT_SUM`), so that every partial sum of
weights is exact in int64, and the bias's numerator and denominator are at most ``2**64`` in
magnitude (:data:`MAX_BIAS_MAGNITUDE`); larger values are refused, never rounded. Evaluation
compares ``w . x`` (0/1 inputs, exact integers on numpy and on torch devices) with the exact
integer :meth:`Halfspace.min_count`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import floor
from typing import Any

import numpy as np
import sympy

from boolfun.bits import check_n
from boolfun.function import BooleanFunction, check_variables, columns, dot, symbols
from boolfun.sat.circuit import Circuit, Lit

MAX_WEIGHT_SUM = 2**62
"""Largest ``sum_i |w_i|`` of a :class:`Halfspace`: every ``w . x`` then fits int64."""

MAX_BIAS_MAGNITUDE = 2**64
"""Largest magnitude of the numerator and of the denominator of a :class:`Halfspace` bias
(every bias that matters for weights within :data:`MAX_WEIGHT_SUM` has an equivalent one)."""


def _magnitude(v: int) -> str:
    return str(v) if abs(v) < 10**30 else f"about 2**{abs(v).bit_length() - 1}"


def _fraction(b: Any, name: str = "bias") -> Fraction:
    if isinstance(b, bool):
        raise ValueError(f"{name} must be a finite real number, got {b!r}")
    try:
        f = Fraction(b) if not isinstance(b, float) else Fraction(str(b))
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be a finite real number, got {b!r}") from None
    if abs(f.numerator) > MAX_BIAS_MAGNITUDE or f.denominator > MAX_BIAS_MAGNITUDE:
        raise ValueError(
            f"{name} must have numerator and denominator at most 2**64 in magnitude, got "
            f"{_magnitude(f.numerator)}/{_magnitude(f.denominator)}"
        )
    return f


def format_number(b: Fraction) -> str:
    """``0.5``, ``-2``, or ``1/3`` when no short decimal (without an exponent) is exact."""
    if b.denominator == 1:
        return str(b.numerator)
    as_float = str(float(b))
    if "e" not in as_float and Fraction(as_float) == b:
        return as_float
    return f"{b.numerator}/{b.denominator}"


def linear_str(weights: Sequence[int]) -> str:
    """``3*x1 - x2 + x5`` (``0`` when every weight is zero)."""
    parts: list[str] = []
    for i, w in enumerate(weights, start=1):
        if w == 0:
            continue
        mag = abs(w)
        term = f"x{i}" if mag == 1 else f"{mag}*x{i}"
        if not parts:
            parts.append(term if w > 0 else f"-{term}")
        else:
            parts.append(f"+ {term}" if w > 0 else f"- {term}")
    return " ".join(parts) if parts else "0"


class Halfspace(BooleanFunction):
    """``[sum_i w_i (2 x_i - 1) > b]`` with integer weights and a rational bias."""

    _name = "Halfspace"

    def __init__(self, n: int, weights: Sequence[int], bias: Any = Fraction(1, 2)) -> None:
        self.n = check_n(n)
        w = list(weights)
        if len(w) != self.n:
            raise ValueError(f"weights must have length n={self.n}, got {len(w)}")
        for v in w:
            if isinstance(v, bool) or not isinstance(v, int | np.integer):
                raise ValueError(f"weights must be integers, got {v!r}")
        self.weights: tuple[int, ...] = tuple(int(v) for v in w)
        total = sum(abs(v) for v in self.weights)
        if total > MAX_WEIGHT_SUM:
            raise ValueError(
                f"weights must have sum |w_i| <= 2**62 (so that w . x is exact in int64), got "
                f"a sum of {_magnitude(total)}"
            )
        self.bias: Fraction = _fraction(bias)

    def _key(self) -> tuple:
        return (self.n, self.weights, self.bias)

    def _evaluate(self, x: Any) -> Any:
        # w . (2x - 1) > b  <=>  w . x >= min_count(); w . x lies in [low, high], so clipping
        # the threshold to [low, high + 1] keeps the answer and keeps it inside int64
        low = sum(w for w in self.weights if w < 0)
        high = sum(w for w in self.weights if w > 0)
        k = min(max(self.min_count(), low), high + 1)
        return dot(x, self.weights) >= k

    def min_count(self) -> int:
        """The least integer ``k`` with ``w . x >= k  <=>  f(x) = 1`` (x in 0/1)."""
        return floor((self.bias + sum(self.weights)) / 2) + 1

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.at_least(list(inputs), self.min_count(), weights=self.weights)

    def to_sympy(self) -> sympy.Basic:
        syms = symbols(self.n)
        lhs = sympy.Add(*[w * (2 * s - 1) for w, s in zip(self.weights, syms, strict=True) if w])
        return sympy.StrictGreaterThan(
            lhs, sympy.Rational(self.bias.numerator, self.bias.denominator)
        )

    def __str__(self) -> str:
        return f"{self._name}({linear_str(self.weights)} > {format_number(self.bias)})"

    def mentioned_variables(self) -> tuple[int, ...]:
        return tuple(i for i, w in enumerate(self.weights, start=1) if w)


class Threshold(Halfspace):
    """A 0-1 threshold function: ``w in {-1, 0, 1}^n``, half-integer ``b``."""

    _name = "Threshold"

    def __init__(self, n: int, weights: Sequence[int], bias: Any) -> None:
        super().__init__(n, weights, bias)
        if any(w not in (-1, 0, 1) for w in self.weights):
            raise ValueError(f"weights must be in {{-1, 0, 1}}, got {list(self.weights)}")
        if self.bias.denominator != 2:
            raise ValueError(
                f"bias must be a half-integer (k + 0.5), got {format_number(self.bias)}"
            )


class Majority(BooleanFunction):
    """Majority of the variables in ``S``: more ones than zeros among ``x_S`` (ties: 0)."""

    def __init__(self, n: int, variables: Iterable[int] = ()) -> None:
        self.n = check_n(n)
        self.variables: tuple[int, ...] = check_variables(variables, self.n)

    def _key(self) -> tuple:
        return (self.n, self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def _evaluate(self, x: Any) -> Any:
        ones = columns(x, [v - 1 for v in self.variables]).sum(-1)
        return 2 * ones > len(self.variables)

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.at_least(
            [inputs[v - 1] for v in self.variables], len(self.variables) // 2 + 1
        )

    def to_sympy(self) -> sympy.Basic:
        if not self.variables:
            return sympy.false
        syms = symbols(self.n)
        return sympy.StrictGreaterThan(
            sympy.Add(*[syms[v - 1] for v in self.variables]),
            sympy.Rational(len(self.variables), 2),
            evaluate=False,
        )

    def __str__(self) -> str:
        return f"Majority({', '.join(f'x{v}' for v in self.variables)})"

    def mentioned_variables(self) -> tuple[int, ...]:
        return self.variables

    def relevant_variables(self) -> tuple[int, ...]:
        return self.variables

    def as_halfspace(self) -> Halfspace:
        """The same function as ``[sum_{i in S} x'_i > 0]``."""
        return Halfspace(self.n, [1 if i in self.variables else 0 for i in range(1, self.n + 1)], 0)
