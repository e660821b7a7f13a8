"""Miters: decide whether two Boolean functions differ, and find a point where they do.

A miter encodes ``f(z) XOR g(z)`` over shared symbolic inputs ``z``; it is satisfiable iff
``f != g`` as functions, and a model gives a witness ``z``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pysat.formula import IDPool
from pysat.solvers import Solver

from boolfun.sat.circuit import Circuit

if TYPE_CHECKING:
    from boolfun.function import BooleanFunction

DEFAULT_SOLVER = "cadical195"


def solver(clauses: list[list[int]] | None = None, name: str = DEFAULT_SOLVER) -> Solver:
    """A pysat solver (CaDiCaL 1.9.5 by default) loaded with ``clauses``."""
    s = Solver(name=name, bootstrap_with=clauses or [])
    return s


def input_vars(circuit: Circuit, n: int, prefix: str = "x") -> list[int]:
    """Named input variables ``prefix1 .. prefix<n>`` of a circuit's pool."""
    return [circuit.named(f"{prefix}{i}") for i in range(1, n + 1)]


def differing_point(f: BooleanFunction, g: BooleanFunction) -> np.ndarray | None:
    """A point ``z`` with ``f(z) != g(z)`` (uint8 array of length n), or ``None`` when the two
    functions are equal. Decided by a SAT miter; exact for every n."""
    if f.n != g.n:
        raise ValueError(f"functions must have the same n, got {f.n} and {g.n}")
    c = Circuit(IDPool())
    z = input_vars(c, f.n, "z")
    diff = c.xor2(f.encode(c, z), g.encode(c, z))
    if diff is False:
        return None
    if diff is True:
        return np.zeros(f.n, dtype=np.uint8)
    c.assert_(diff)
    with solver(c.clauses) as s:
        if not s.solve():
            return None
        model = set(s.get_model())
    return np.array([1 if v in model else 0 for v in z], dtype=np.uint8)
