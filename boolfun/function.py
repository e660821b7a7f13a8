"""The interface every exact Boolean function of :mod:`boolfun` implements.

A function ``f: {0,1}^n -> {0,1}`` is an immutable object. Structural equality (``==`` and
``hash``) compares representations; :meth:`BooleanFunction.equivalent` compares functions
(truth tables for small n, a SAT miter otherwise).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from pysat.formula import IDPool

from boolfun.bits import (
    MAX_TABLE_N,
    all_inputs,
    as_bool,
    as_uint8,
    check_bits,
    is_torch,
    pack_table,
)
from boolfun.sat.circuit import Circuit, Lit

TABLE_COMPARE_N = 14
"""Up to this n, semantic comparisons use truth tables; beyond it, SAT."""


def symbols(n: int) -> tuple[sympy.Symbol, ...]:
    """The sympy symbols ``x1 .. xn``."""
    return tuple(sympy.Symbol(f"x{i}") for i in range(1, n + 1))


class BooleanFunction(ABC):
    """An exact Boolean function of ``n`` variables ``x1 .. xn``.

    Subclasses implement :meth:`_evaluate` (on a boolean numpy array or torch tensor of
    shape (..., n)), :meth:`encode` (a Tseitin circuit), :meth:`to_sympy`, :meth:`__str__`
    (a string that :func:`boolfun.parse` reads back) and :meth:`_key` (structural identity).
    """

    n: int

    # -- evaluation ------------------------------------------------------------------------
    def evaluate(self, x: Any, *, check: bool = True) -> Any:
        """``f`` applied to every input in ``x`` of shape (..., n) with entries in {0, 1}.

        numpy input (or lists) gives a uint8 numpy array of shape (...); a torch tensor gives
        a uint8 tensor on the same device, computed there.
        """
        if check:
            x = check_bits(x, self.n)
        return as_uint8(self._evaluate(as_bool(x)))

    __call__ = evaluate

    @abstractmethod
    def _evaluate(self, x: Any) -> Any:
        """Boolean result for a boolean array/tensor of shape (..., n)."""

    # -- structure -------------------------------------------------------------------------
    @abstractmethod
    def _key(self) -> tuple:
        """A hashable key identifying the representation."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    @abstractmethod
    def __str__(self) -> str:
        """The string form, readable by :func:`boolfun.parse`."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r}, n={self.n})"

    @property
    def expression(self) -> str:
        """The string form (same as ``str(f)``)."""
        return str(self)

    @abstractmethod
    def to_sympy(self) -> sympy.Basic:
        """A sympy expression in ``x1 .. xn`` equal to ``f``: a Boolean formula, or for
        threshold-type functions a strict inequality over 0/1-valued symbols. Substituting
        0/1 values (``expr.subs({x1: 1, ...})``) evaluates it."""

    def mentioned_variables(self) -> tuple[int, ...]:
        """Variables (1-based) the representation mentions; a superset of the relevant ones."""
        return tuple(range(1, self.n + 1))

    def relevant_variables(self) -> tuple[int, ...]:
        """The variables ``f`` depends on (1-based): ``i`` such that flipping ``x_i`` changes
        ``f`` at some point. Exact (truth table for small n, SAT otherwise)."""
        cand = self.mentioned_variables()
        if self.n <= TABLE_COMPARE_N:
            t = self.table_values()
            idx = np.arange(2**self.n)
            return tuple(i for i in cand if (t != t[idx ^ (1 << (i - 1))]).any())
        out = []
        for i in cand:
            c = Circuit(IDPool())
            z = [c.named(f"z{j}") for j in range(1, self.n + 1)]
            flipped = list(z)
            flipped[i - 1] = -z[i - 1]
            diff = c.xor2(self.encode(c, z), self.encode(c, flipped))
            if diff is False:
                continue
            if diff is not True:
                c.assert_(diff)
                from boolfun.sat.miter import solver

                with solver(c.clauses) as s:
                    if not s.solve():
                        continue
            out.append(i)
        return tuple(out)

    # -- truth tables ----------------------------------------------------------------------
    def table_values(self) -> np.ndarray:
        """Unpacked truth table: boolean vector ``(f(x^(r)))_r`` of length 2^n (x1 = LSB)."""
        if self.n > MAX_TABLE_N:
            raise ValueError(f"n must be <= {MAX_TABLE_N} for a truth table, got {self.n}")
        size = 2**self.n
        chunk = 1 << 16
        if size <= chunk:
            return self._evaluate(all_inputs(self.n).astype(bool))
        out = np.empty(size, dtype=bool)
        shifts = np.arange(self.n, dtype=np.int64)
        for start in range(0, size, chunk):
            r = np.arange(start, start + chunk, dtype=np.int64)
            x = ((r[:, None] >> shifts) & 1).astype(bool)
            out[start : start + chunk] = self._evaluate(x)
        return out

    def truth_table(self) -> np.ndarray:
        """The bit-packed truth table (uint8, ``ceil(2^n / 8)`` bytes, least significant bit
        first); see :mod:`boolfun.bits`."""
        return pack_table(self.table_values())

    # -- SAT -------------------------------------------------------------------------------
    @abstractmethod
    def encode(self, circuit: Circuit, inputs: Sequence[Lit]) -> Lit:
        """Add Tseitin clauses for ``f`` to ``circuit`` over input literals (or constants)
        ``inputs`` (one per variable) and return the literal (or constant) equal to ``f``."""

    def tseitin(
        self, pool: IDPool | None = None, inputs: Sequence[int] | None = None
    ) -> tuple[int, list[list[int]]]:
        """CNF of ``o <-> f(x)``: returns ``(o, clauses)``.

        Inputs default to the pool's variables named ``"x1" .. "xn"``. Fresh variables come
        from ``pool`` (a new :class:`~pysat.formula.IDPool` when omitted).
        """
        c = Circuit(pool)
        if inputs is None:
            inputs = [c.named(f"x{i}") for i in range(1, self.n + 1)]
        elif len(inputs) != self.n:
            raise ValueError(f"inputs must have {self.n} literals, got {len(inputs)}")
        out = c.literal(self.encode(c, list(inputs)))
        return out, c.clauses

    # -- semantic comparison ---------------------------------------------------------------
    def differing_point(self, other: BooleanFunction) -> np.ndarray | None:
        """A point where ``self`` and ``other`` differ, or ``None`` if they are equal."""
        if not isinstance(other, BooleanFunction):
            raise ValueError(f"other must be a BooleanFunction, got {type(other).__name__}")
        if other.n != self.n:
            raise ValueError(f"other must have n={self.n}, got n={other.n}")
        if self.n <= TABLE_COMPARE_N:
            diff = np.flatnonzero(self.table_values() != other.table_values())
            if diff.size == 0:
                return None
            return all_inputs(self.n)[diff[0]]
        from boolfun.sat.miter import differing_point

        return differing_point(self, other)

    def equivalent(self, other: BooleanFunction) -> bool:
        """Semantic equality: ``f(x) == g(x)`` for every ``x``."""
        return self.differing_point(other) is None


def columns(x: Any, idx: Sequence[int]) -> Any:
    """Columns ``idx`` (0-based) of the last axis of a numpy array or torch tensor."""
    if is_torch(x):
        import torch

        return x[..., torch.as_tensor(list(idx), dtype=torch.long, device=x.device)]
    return x[..., np.asarray(idx, dtype=np.intp)]


def dot(x: Any, w: Sequence[int]) -> Any:
    """Exact integer ``x @ w`` for a boolean array/tensor ``x`` while ``sum |w| < 2^63``
    (larger weights raise ``ValueError``): int64 on numpy; on torch devices the selected
    weights summed in int64 (int32 entries while ``sum |w| < 2^31``), so neither TF32 nor
    autocast can round it."""
    total = sum(abs(int(v)) for v in w)
    if total >= 2**63:
        raise ValueError("weights must have sum |w_i| < 2**63 for an exact int64 dot product")
    if is_torch(x):
        import torch

        dtype = torch.int32 if total < 2**31 else torch.int64
        wt = torch.as_tensor([int(v) for v in w], dtype=dtype, device=x.device)
        zero = torch.zeros((), dtype=dtype, device=x.device)
        return torch.where(x, wt, zero).sum(-1, dtype=torch.int64)
    return x.astype(np.int64) @ np.asarray(w, dtype=np.int64)


def check_literals(literals: Any, n: int, name: str = "literals") -> tuple[int, ...]:
    """Validate signed 1-based literals (``i`` is ``x_i``, ``-i`` is ``~x_i``), ``1 <= |i| <= n``;
    returns them sorted by variable (positive first) without duplicates."""
    out = set()
    for lit in literals:
        if (
            isinstance(lit, bool)
            or not isinstance(lit, int | np.integer)
            or lit == 0
            or abs(lit) > n
        ):
            raise ValueError(
                f"{name} must be non-zero integers i (x_i) or -i (~x_i) with 1 <= |i| <= {n}, "
                f"got {lit!r}"
            )
        out.add(int(lit))
    return tuple(sorted(out, key=lambda v: (abs(v), v < 0)))


def check_variables(variables: Any, n: int, name: str = "variables") -> tuple[int, ...]:
    """Validate distinct 1-based variable indices in ``1..n``; returns them sorted."""
    vs = list(variables)
    for v in vs:
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or not 1 <= v <= n:
            raise ValueError(f"{name} must be integers in 1..{n}, got {v!r}")
    if len(set(vs)) != len(vs):
        raise ValueError(f"{name} must be distinct, got {vs}")
    return tuple(sorted(int(v) for v in vs))


def literal_str(lit: int) -> str:
    """``x3`` or ``~x3``."""
    return f"x{lit}" if lit > 0 else f"~x{-lit}"
