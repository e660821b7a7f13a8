"""DNF and CNF with a bounded number of terms (clauses) as function classes.

``DNFClass(n, terms=m, monotone)`` is the set of functions that have a DNF with *at most* ``m``
terms (no terms: the constant 0; an empty term: the constant 1); ``monotone`` allows positive
literals only. ``CNFClass(n, clauses=m, monotone)`` is the dual: ``f`` is in it iff
``f^d(x) = ~f(~x)`` is in the DNF class (``DNF(T)^d = CNF(T)``: same literal groups).

Encoding (parameters ``params``), terms ``j = 0..m-1``:

* ``enable[j]``: term ``j`` is used; ``p[j][i]``: ``x_{i+1}`` in term ``j``; ``q[j][i]``:
  ``~x_{i+1}`` in term ``j`` (no ``q`` when monotone).
* clauses: ``~p_ji | ~q_ji`` (contradictory terms are never needed: the term is then
  disabled); ``~enable_j -> ~p_ji & ~q_ji`` (a disabled term has one model);
  ``enable_{j+1} -> enable_j`` (used terms come first).
* output: DNF ``h(x) = OR_j (enable_j & AND_i (p_ji -> x_i) & (q_ji -> ~x_i))``; CNF
  ``h(x) = ~dnf(~x) = AND_j (~enable_j | OR_i (p_ji & x_i) | (q_ji & ~x_i))``.

A function has many models (term order, redundant terms); membership is semantic. Distinct
functions are enumerated by truth tables: with ``T`` the tables of all non-contradictory terms
(as integers, bit ``r`` = value at input ``r``) and ``S_0 = {0}``,
``S_{j+1} = S_j | {s OR t : s in S_j, t in T}``; ``S_m`` is the class. Each function keeps
the representative with the fewest terms (the first found).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations, product
from typing import Any

import numpy as np

from boolfun.bits import all_inputs, check_int, check_n
from boolfun.classes.base import (
    TABLE_ENUM_MAX_N,
    ClassEncoding,
    FunctionClass,
    check_bool,
    lit_value,
    new_vars,
    table_ints,
)
from boolfun.function import BooleanFunction
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.sat.circuit import Circuit, Lit


def _max_enum_n(m: int, monotone: bool) -> int:
    """Largest n for which the closure over term tables is cheap (seconds at most)."""
    if monotone:
        return TABLE_ENUM_MAX_N if m <= 4 else 5
    return TABLE_ENUM_MAX_N if m <= 2 else (5 if m == 3 else 4)


def _all_terms(n: int, monotone: bool) -> list[tuple[int, ...]]:
    """Every non-contradictory term, by length then variables, positive literals first."""
    signs = (1,) if monotone else (1, -1)
    out = []
    for size in range(n + 1):
        for vs in combinations(range(1, n + 1), size):
            for ss in product(signs, repeat=size):
                out.append(tuple(v * s for v, s in zip(vs, ss, strict=True)))
    return out


@lru_cache(maxsize=32)
def dnf_closure(n: int, m: int, monotone: bool) -> tuple[np.ndarray, np.ndarray, list]:
    """The distinct functions with at most ``m``-term DNFs (``n <= 6``).

    Returns ``(tables, term_index, terms)``: uint64 truth tables sorted by (number of terms
    needed, table); for each function a row of indices into ``terms`` (``-1`` = unused),
    which is its representative DNF with the fewest terms; and the list of terms.
    """
    terms = _all_terms(n, monotone)
    x = all_inputs(n).astype(bool)
    vals = np.ones((len(terms), 2**n), dtype=bool)
    for j, term in enumerate(terms):
        for lit in term:
            vals[j] &= x[:, lit - 1] if lit > 0 else ~x[:, -lit - 1]
    t = table_ints(vals)
    s = np.zeros(1, dtype=np.uint64)
    levels = []
    for _ in range(m):
        allv = np.concatenate([s, (s[:, None] | t[None, :]).ravel()])
        u, first = np.unique(allv, return_index=True)
        inherited = first < len(s)
        parent = np.where(inherited, first, (first - len(s)) // len(t))
        term = np.where(inherited, -1, (first - len(s)) % len(t))
        levels.append((parent, term))
        saturated = len(u) == len(s)
        s = u
        if saturated:
            break
    idx = np.arange(len(s))
    cols = []
    for parent, term in reversed(levels):
        cols.append(term[idx])
        idx = parent[idx]
    index = np.stack(cols[::-1], axis=1)
    order = np.lexsort((s, (index >= 0).sum(1)))
    return s[order], index[order], terms


class DNFClass(FunctionClass):
    """Functions with a DNF of at most ``terms`` terms (see the module docstring). The
    paper's ``dnf`` task (3 terms) samples it."""

    _base_name = "dnf"
    _count_name = "terms"
    _rep: type[DNF] | type[CNF] = DNF
    _inner: type[Conjunction] | type[Disjunction] = Conjunction
    _cross: type[Conjunction] | type[Disjunction] = Disjunction
    _dual = False

    def __init__(self, n: int, terms: int = 3, monotone: bool = False) -> None:
        self.n = check_n(n)
        self.m = check_int(terms, self._count_name, 1, None)
        self.monotone = check_bool(monotone, "monotone")

    @property
    def terms(self) -> int:
        """The largest number of terms (clauses)."""
        return self.m

    @property
    def name(self) -> str:
        return self._base_name

    @property
    def config(self) -> dict[str, Any]:
        return {self._count_name: self.m, "monotone": self.monotone}

    def short_name(self) -> str:
        extra = ", monotone=True" if self.monotone else ""
        return f"{self.name}({self._count_name}={self.m}{extra})"

    def _init_args(self) -> dict[str, Any]:
        return {self._count_name: self.m, "monotone": self.monotone}

    # -- the set -----------------------------------------------------------------------------
    def _closure(self) -> tuple[np.ndarray, np.ndarray, list]:
        max_n = _max_enum_n(self.m, self.monotone)
        if self.n > max_n:
            raise self._limit_error(max_n)
        return dnf_closure(self.n, self.m, self.monotone)

    def size(self) -> int:
        """By enumeration of truth tables (the limits of :meth:`enumerate` apply)."""
        return len(self._closure()[0])

    def enumerate(self) -> list[BooleanFunction]:
        """By number of terms needed, then truth table (as an integer)."""
        _, index, terms = self._closure()
        return [self._rep(self.n, [terms[t] for t in row if t >= 0]) for row in index.tolist()]

    def _structural(self, f: BooleanFunction) -> BooleanFunction | None:
        if isinstance(f, self._rep):
            groups = list(f.groups)
        elif isinstance(f, self._inner):
            groups = [f.literals]
        elif isinstance(f, self._cross):
            groups = [(lit,) for lit in f.literals]
        else:
            return None
        kept: list[tuple[int, ...]] = []
        for g in groups:
            if {-lit for lit in g} & set(g):
                continue  # a false term (true clause): neutral
            if not g:
                return self._rep(self.n, [()])  # the absorbing constant
            if g not in kept:
                kept.append(g)
        if len(kept) > self.m or (self.monotone and any(lit < 0 for g in kept for lit in g)):
            return None
        return self._rep(self.n, kept)

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        g = self._structural(f)
        return g if g is not None else self._search(f)

    def _lift(self, h: BooleanFunction, variables: Sequence[int]) -> BooleanFunction:
        # Dropping an irrelevant x_i (substituting either constant) keeps <= m groups, so
        # the class is closed under restriction to the relevant variables.
        groups = [
            [variables[abs(v) - 1] * (1 if v > 0 else -1) for v in g]
            for g in h.groups  # type: ignore[attr-defined]
        ]
        return self._rep(self.n, groups)

    # -- sampling ----------------------------------------------------------------------------
    def _task(self) -> tuple[str, dict[str, Any]] | None:
        if self.m == 3 and not self.monotone:
            return self._base_name, {}
        return None

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """Exactly ``terms`` groups; in each, every variable independently absent, positive or
        negative with probability 1/3 (monotone: absent or positive, 1/2)."""
        choice = rng.integers(0, 2 if self.monotone else 3, size=(self.m, self.n))
        groups = [
            [i + 1 for i in np.flatnonzero(row == 1)] + [-(i + 1) for i in np.flatnonzero(row == 2)]
            for row in choice
        ]
        return self._rep(self.n, [[int(v) for v in g] for g in groups])

    # -- SAT ---------------------------------------------------------------------------------
    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        enable = new_vars(circuit, self.m)
        p = [new_vars(circuit, self.n) for _ in range(self.m)]
        q = [] if self.monotone else [new_vars(circuit, self.n) for _ in range(self.m)]
        for j in range(self.m):
            for v in p[j] + (q[j] if q else []):
                circuit.clauses.append([enable[j], -v])
            for pv, qv in zip(p[j], q[j] if q else [], strict=False):
                circuit.clauses.append([-pv, -qv])
            if j + 1 < self.m:
                circuit.clauses.append([-enable[j + 1], enable[j]])
        params: dict[str, Any] = {"enable": enable, "p": p}
        if q:
            params["q"] = q
        return params

    def _dnf(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c, p, q = enc.circuit, enc.params["p"], enc.params.get("q")
        outs: list[Lit] = []
        for j, e in enumerate(enc.params["enable"]):
            args: list[Lit] = [e]
            for i, xi in enumerate(x):
                args.append(c.or_([-p[j][i], xi]))
                if q is not None:
                    args.append(c.or_([-q[j][i], c.neg(xi)]))
            outs.append(c.and_(args))
        return c.or_(outs)

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        if not self._dual:
            return self._dnf(enc, x)
        c = enc.circuit
        return c.neg(self._dnf(enc, [c.neg(a) for a in x]))

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        q = enc.params.get("q")
        groups = []
        for j, e in enumerate(enc.params["enable"]):
            if not lit_value(e, true):
                continue
            g = [i + 1 for i, v in enumerate(enc.params["p"][j]) if lit_value(v, true)]
            if q is not None:
                g += [-(i + 1) for i, v in enumerate(q[j]) if lit_value(v, true)]
            groups.append(g)
        return self._rep(self.n, groups)


class CNFClass(DNFClass):
    """Functions with a CNF of at most ``clauses`` clauses, the dual of :class:`DNFClass`
    (parameters as there, ``enable[j]`` meaning clause ``j`` is used). :meth:`enumerate` lists
    ``CNF(T)`` for the ``DNF(T)`` of :class:`DNFClass` in the same order. The paper's ``cnf``
    task (3 clauses) samples it."""

    _base_name = "cnf"
    _count_name = "clauses"
    _rep = CNF
    _inner = Disjunction
    _cross = Conjunction
    _dual = True

    def __init__(self, n: int, clauses: int = 3, monotone: bool = False) -> None:
        super().__init__(n, clauses, monotone)

    @property
    def clauses(self) -> int:
        """The largest number of clauses."""
        return self.m
