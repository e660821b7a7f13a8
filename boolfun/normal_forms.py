"""Conjunctions, disjunctions, DNF and CNF over literals.

A literal is a signed 1-based integer: ``i`` stands for ``x_i`` and ``-i`` for ``~x_i``
(the DIMACS convention of pysat).

* ``Conjunction(n, L)(x) = AND_{l in L} l(x)``; the empty conjunction is the constant 1.
  A conjunction holding both ``x_i`` and ``~x_i`` is the constant 0 (kept as written).
* ``Disjunction(n, L)(x) = OR_{l in L} l(x)``; the empty disjunction is the constant 0.
* ``DNF(n, [T_1..T_k]) = OR_j AND_{l in T_j} l``; ``CNF(n, [C_1..C_k]) = AND_j OR_{l in C_j} l``.

De Morgan: ``~Conjunction(L) == Disjunction(-L)`` and ``~DNF(T) == CNF(-T)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import sympy

from boolfun.bits import check_n
from boolfun.function import BooleanFunction, check_literals, columns, literal_str, symbols
from boolfun.sat.circuit import Circuit, Lit


def _sympy_literal(lit: int, syms: Sequence[sympy.Symbol]) -> sympy.Basic:
    s = syms[abs(lit) - 1]
    return s if lit > 0 else sympy.Not(s)


def _split(literals: Sequence[int]) -> tuple[list[int], list[int]]:
    """0-based columns of the positive and of the negative literals."""
    return [lit - 1 for lit in literals if lit > 0], [-lit - 1 for lit in literals if lit < 0]


def _all_true(x: Any, literals: Sequence[int]) -> Any:
    pos, neg = _split(literals)
    return columns(x, pos).all(-1) & ~columns(x, neg).any(-1)


def _any_true(x: Any, literals: Sequence[int]) -> Any:
    pos, neg = _split(literals)
    return columns(x, pos).any(-1) | ~columns(x, neg).all(-1)


class _LiteralSet(BooleanFunction):
    """Shared code of Conjunction and Disjunction."""

    _joiner = " & "
    _empty = "True"

    def __init__(self, n: int, literals: Iterable[int] = ()) -> None:
        self.n = check_n(n)
        self.literals: tuple[int, ...] = check_literals(literals, self.n)

    @classmethod
    def from_masks(cls, positive: Sequence[bool], negative: Sequence[bool]):  # noqa: ANN206
        """From boolean masks of length n: ``positive[i]`` puts ``x_{i+1}`` in, ``negative[i]``
        puts ``~x_{i+1}`` in."""
        pos, neg = np.asarray(positive, dtype=bool), np.asarray(negative, dtype=bool)
        if pos.ndim != 1 or pos.shape != neg.shape:
            raise ValueError("positive and negative must be 1-D masks of the same length n")
        lits = [int(i) + 1 for i in np.flatnonzero(pos)] + [
            -int(i) - 1 for i in np.flatnonzero(neg)
        ]
        return cls(len(pos), lits)

    def _key(self) -> tuple:
        return (self.n, self.literals)

    def __str__(self) -> str:
        if not self.literals:
            return self._empty
        return self._joiner.join(literal_str(lit) for lit in self.literals)

    def mentioned_variables(self) -> tuple[int, ...]:
        return tuple(sorted({abs(lit) for lit in self.literals}))

    @property
    def positive(self) -> tuple[int, ...]:
        """Variables appearing as positive literals."""
        return tuple(lit for lit in self.literals if lit > 0)

    @property
    def negative(self) -> tuple[int, ...]:
        """Variables appearing as negative literals."""
        return tuple(-lit for lit in self.literals if lit < 0)

    @property
    def contradictory(self) -> bool:
        """Whether some variable appears with both signs."""
        return bool(set(self.positive) & set(self.negative))

    def __len__(self) -> int:
        return len(self.literals)


class Conjunction(_LiteralSet):
    """``AND`` of literals; ``Conjunction(5, [1, -3])`` is ``x1 & ~x3``."""

    def _evaluate(self, x: Any) -> Any:
        return _all_true(x, self.literals)

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.and_(_lits(circuit, inputs, self.literals))

    def to_sympy(self) -> sympy.Basic:
        syms = symbols(self.n)
        if not self.literals:
            return sympy.true
        return sympy.And(*[_sympy_literal(lit, syms) for lit in self.literals], evaluate=False)

    def relevant_variables(self) -> tuple[int, ...]:
        return () if self.contradictory else self.mentioned_variables()

    def dual(self) -> Disjunction:
        """The De Morgan dual ``~f(x)`` written as a disjunction of the negated literals."""
        return Disjunction(self.n, [-lit for lit in self.literals])


class Disjunction(_LiteralSet):
    """``OR`` of literals; ``Disjunction(5, [1, -3])`` is ``x1 | ~x3``."""

    _joiner = " | "
    _empty = "False"

    def _evaluate(self, x: Any) -> Any:
        return _any_true(x, self.literals)

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.or_(_lits(circuit, inputs, self.literals))

    def to_sympy(self) -> sympy.Basic:
        syms = symbols(self.n)
        if not self.literals:
            return sympy.false
        return sympy.Or(*[_sympy_literal(lit, syms) for lit in self.literals], evaluate=False)

    def relevant_variables(self) -> tuple[int, ...]:
        return () if self.contradictory else self.mentioned_variables()

    def dual(self) -> Conjunction:
        """The De Morgan dual ``~f(x)`` written as a conjunction of the negated literals."""
        return Conjunction(self.n, [-lit for lit in self.literals])


def _lits(circuit: Circuit, inputs: Sequence[Lit], literals: Sequence[int]) -> list[Lit]:
    return [inputs[lit - 1] if lit > 0 else circuit.neg(inputs[-lit - 1]) for lit in literals]


class _TwoLevel(BooleanFunction):
    """Shared code of DNF and CNF: a sequence of literal sets (order kept)."""

    _inner: type[_LiteralSet]
    _outer_joiner = " | "
    _empty = "False"

    def __init__(self, n: int, groups: Iterable[Iterable[int]] = ()) -> None:
        self.n = check_n(n)
        self.groups: tuple[tuple[int, ...], ...] = tuple(
            check_literals(g, self.n, name=f"{self._group_name}s") for g in groups
        )

    _group_name = "term"

    def _key(self) -> tuple:
        return (self.n, self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def parts(self) -> list[_LiteralSet]:
        """The terms (clauses) as Conjunction (Disjunction) objects."""
        return [self._inner(self.n, g) for g in self.groups]

    def mentioned_variables(self) -> tuple[int, ...]:
        return tuple(sorted({abs(lit) for g in self.groups for lit in g}))

    def __str__(self) -> str:
        if not self.groups:
            return self._empty
        parts = [str(p) for p in self.parts()]
        if len(parts) == 1:
            return parts[0]
        return self._outer_joiner.join(
            f"({p})" if len(g) > 1 else p for p, g in zip(parts, self.groups, strict=True)
        )


class DNF(_TwoLevel):
    """Disjunctive normal form: ``OR`` of terms, each an ``AND`` of literals.

    ``DNF(4, [[1, -2], [3]])`` is ``(x1 & ~x2) | x3``. No terms: the constant 0; an empty
    term: the constant 1.
    """

    _inner = Conjunction
    _group_name = "term"

    @property
    def terms(self) -> tuple[tuple[int, ...], ...]:
        """The terms as tuples of literals."""
        return self.groups

    def _evaluate(self, x: Any) -> Any:
        out = None
        for g in self.groups:
            t = _all_true(x, g)
            out = t if out is None else out | t
        if out is None:
            return _all_true(x, [1]) & ~_all_true(x, [1])  # constant 0 of the right shape
        return out

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.or_(circuit.and_(_lits(circuit, inputs, g)) for g in self.groups)

    def to_sympy(self) -> sympy.Basic:
        if not self.groups:
            return sympy.false
        return sympy.Or(*[p.to_sympy() for p in self.parts()], evaluate=False)

    def dual(self) -> CNF:
        """De Morgan: the CNF of ``~f`` with every literal negated."""
        return CNF(self.n, [[-lit for lit in g] for g in self.groups])


class CNF(_TwoLevel):
    """Conjunctive normal form: ``AND`` of clauses, each an ``OR`` of literals.

    ``CNF(4, [[1, -2], [3]])`` is ``(x1 | ~x2) & x3``. No clauses: the constant 1; an empty
    clause: the constant 0.
    """

    _inner = Disjunction
    _outer_joiner = " & "
    _empty = "True"
    _group_name = "clause"

    @property
    def clauses(self) -> tuple[tuple[int, ...], ...]:
        """The clauses as tuples of literals."""
        return self.groups

    def _evaluate(self, x: Any) -> Any:
        out = None
        for g in self.groups:
            c = _any_true(x, g)
            out = c if out is None else out & c
        if out is None:
            return _all_true(x, [1]) | ~_all_true(x, [1])  # constant 1
        return out

    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        return circuit.and_(circuit.or_(_lits(circuit, inputs, g)) for g in self.groups)

    def to_sympy(self) -> sympy.Basic:
        if not self.groups:
            return sympy.true
        return sympy.And(*[p.to_sympy() for p in self.parts()], evaluate=False)

    def dual(self) -> DNF:
        """De Morgan: the DNF of ``~f`` with every literal negated."""
        return DNF(self.n, [[-lit for lit in g] for g in self.groups])
