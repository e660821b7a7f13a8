"""Semantic conversion between representations: ``convert(f, Conjunction)`` returns a
conjunction equal to ``f`` as a function, or raises ``ValueError`` when there is none (or none
this module can find for a threshold-type target).

Each conversion proposes a candidate from ``f``'s semantics and then checks it with
:meth:`BooleanFunction.equivalent`, so a returned function is always equal to ``f``.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from pysat.formula import IDPool

from boolfun.function import TABLE_COMPARE_N, BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.sat.circuit import Circuit
from boolfun.sat.miter import solver
from boolfun.truth_table import TruthTable

SOP_MAX_N = 10
"""Largest n for which an arbitrary function is rewritten as a DNF/CNF from its truth table."""


def subcube_literals(f: BooleanFunction, value: int) -> list[int] | None:
    """The literals constant on ``{x : f(x) = value}`` (``None`` if that set is empty).

    ``x_i`` is in the list when every such ``x`` has ``x_i = 1``, ``-i`` when all have
    ``x_i = 0``. Truth table for small n; incremental SAT with assumptions otherwise.
    """
    if f.n <= TABLE_COMPARE_N:
        from boolfun.bits import all_inputs

        pts = all_inputs(f.n)[f.table_values() == bool(value)]
        if len(pts) == 0:
            return None
        lits = []
        for i in range(f.n):
            col = pts[:, i]
            if col.all():
                lits.append(i + 1)
            elif not col.any():
                lits.append(-(i + 1))
        return lits
    c = Circuit(IDPool())
    x = [c.named(f"x{i}") for i in range(1, f.n + 1)]
    out = f.encode(c, x)
    c.assert_(out, bool(value))
    with solver(c.clauses) as s:
        if not s.solve():
            return None
        lits = []
        for i, v in enumerate(x, start=1):
            can1, can0 = s.solve(assumptions=[v]), s.solve(assumptions=[-v])
            if can1 and not can0:
                lits.append(i)
            elif can0 and not can1:
                lits.append(-i)
        return lits


def _checked(f: BooleanFunction, g: BooleanFunction | None, target: type) -> BooleanFunction:
    if g is None or not f.equivalent(g):
        raise ValueError(f"function {f} is not a {target.__name__} (no equivalent one exists)")
    return g


def convert(f: BooleanFunction, target: type[BooleanFunction]) -> BooleanFunction:
    """``f`` rewritten in the representation ``target`` (see the module docstring)."""
    if not isinstance(f, BooleanFunction):
        raise ValueError(f"f must be a BooleanFunction, got {type(f).__name__}")
    if type(f) is target:
        return f
    n = f.n
    if target is TruthTable:
        return TruthTable.from_function(f)
    if target is Conjunction:
        lits = subcube_literals(f, 1)
        return _checked(f, Conjunction(n, [1, -1] if lits is None else lits), target)
    if target is Disjunction:
        lits = subcube_literals(f, 0)
        return _checked(f, Disjunction(n, [1, -1] if lits is None else [-v for v in lits]), target)
    if target in (DNF, CNF):
        return _two_level(f, target)
    if target is Parity:
        zero = np.zeros((1, n), dtype=np.uint8)
        if f.evaluate(zero)[0]:
            raise ValueError(f"function {f} is not a Parity (f(0) = 1)")
        units = np.eye(n, dtype=np.uint8)
        return _checked(f, Parity(n, (np.flatnonzero(f.evaluate(units)) + 1).tolist()), target)
    if target is Majority:
        return _checked(f, Majority(n, f.relevant_variables()), target)
    if target in (Halfspace, Threshold):
        return _linear_threshold(f, target)
    raise ValueError(f"target must be a boolfun representation class, got {target!r}")


def _two_level(f: BooleanFunction, target: type[BooleanFunction]) -> BooleanFunction:
    n = f.n
    if isinstance(f, Conjunction | Disjunction):
        lits = list(f.literals)
        if isinstance(f, Conjunction):
            return DNF(n, [lits]) if target is DNF else CNF(n, [[v] for v in lits])
        return CNF(n, [lits]) if target is CNF else DNF(n, [[v] for v in lits])
    if isinstance(f, DNF | CNF) and len(f.groups) <= 1:
        # zero groups: the other form's single empty group; one group: unit groups
        groups = [[v] for v in f.groups[0]] if f.groups else [[]]
        return _checked(f, target(n, groups), target)
    if n > SOP_MAX_N:
        raise ValueError(
            f"rewriting {type(f).__name__} as {target.__name__} needs n <= {SOP_MAX_N}, got {n}"
        )
    from sympy.logic import POSform, SOPform

    from boolfun.function import symbols
    from boolfun.parse import from_sympy

    vals = f.table_values()
    syms = list(symbols(n))
    rows = np.flatnonzero(vals if target is DNF else ~vals).tolist()
    minterms = [[(r >> i) & 1 for i in range(n)] for r in rows]
    if target is DNF:
        expr = SOPform(syms, minterms)
    else:
        expr = POSform(
            syms, [[(r >> i) & 1 for i in range(n)] for r in np.flatnonzero(vals).tolist()]
        )
    g = from_sympy(expr, n, kind=None)
    g = (
        target(n, g.groups)
        if isinstance(g, DNF | CNF) and type(g) is target
        else _two_level(g, target)
    )
    return _checked(f, g, target)


def _linear_threshold(f: BooleanFunction, target: type[BooleanFunction]) -> BooleanFunction:
    n = f.n
    if isinstance(f, Majority):
        h: Halfspace = f.as_halfspace()
    elif isinstance(f, Halfspace):
        h = f
    elif isinstance(f, Conjunction) and not f.contradictory:
        w = [0] * n
        for v in f.literals:
            w[abs(v) - 1] = 1 if v > 0 else -1
        h = Halfspace(n, w, len(f.literals) - Fraction(3, 2))
    elif isinstance(f, Disjunction) and not f.contradictory:
        w = [0] * n
        for v in f.literals:
            w[abs(v) - 1] = 1 if v > 0 else -1
        h = Halfspace(n, w, -len(f.literals) + Fraction(1, 2))
    else:
        raise ValueError(f"function {f} has no {target.__name__} form boolfun can find")
    if target is Halfspace:
        return Halfspace(n, h.weights, h.bias)
    if any(w not in (-1, 0, 1) for w in h.weights):
        raise ValueError(f"function {f} is not a Threshold with weights in {{-1, 0, 1}}")
    total = sum(abs(w) for w in h.weights)
    # achievable sums: -W, -W + 2, ..., W; pick the half-integer just above the largest <= b
    below = [v for v in range(-total, total + 1, 2) if v <= h.bias]
    v = below[-1] if below else -total - 2
    return Threshold(n, h.weights, Fraction(2 * v + 1, 2))
