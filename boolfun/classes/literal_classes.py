"""Conjunctions and disjunctions of literals as function classes.

``ConjunctionClass(n, monotone, k, with_constants)`` is the set of functions
``AND_{l in L} l`` for literal sets ``L`` with no contradictory pair ``x_i, ~x_i``; ``monotone``
keeps positive literals only, ``k`` keeps ``|L| = k``, ``with_constants`` adds the constant 0.
The empty conjunction is the constant 1. The true points of such a conjunction form a subcube
that determines ``L``, so distinct ``L`` are distinct functions: the class has ``3^n``
functions (``2^n`` monotone; ``C(n,k) 2^k`` and ``C(n,k)`` with ``k``), plus one with
constants. ``DisjunctionClass`` is the dual (``f^d(x) = ~f(~x)``: same literal sets, ``OR``
for ``AND``; the constant is 1), with the same sizes.

Encoding (parameters ``params``):

* ``p[i]``: ``x_{i+1} in L``; ``q[i]``: ``~x_{i+1} in L`` (no ``q`` when monotone);
  ``const`` (only with constants): ``h`` is the constant (0 for conjunctions, 1 for
  disjunctions).
* clauses: ``~p_i | ~q_i``; ``const -> ~p_i & ~q_i`` (the constant has one model); with ``k``:
  ``const | sum_i (p_i + q_i) = k`` (pysat ``CardEnc``).
* output: conjunction ``h(x) = ~const & AND_i (p_i -> x_i) & (q_i -> ~x_i)``; disjunction
  ``h(x) = ~conj(~x) = const | OR_i (p_i & x_i) | (q_i & ~x_i)``.

Each function of the class has exactly one model (up to auxiliary variables).
"""

from __future__ import annotations

from itertools import combinations, product
from math import comb
from typing import Any

import numpy as np

from boolfun.bits import check_int, check_n
from boolfun.classes.base import (
    ClassEncoding,
    FunctionClass,
    cardinality,
    check_bool,
    lit_value,
    new_vars,
)
from boolfun.convert import convert
from boolfun.function import BooleanFunction
from boolfun.normal_forms import Conjunction, Disjunction
from boolfun.sat.circuit import Circuit, Lit


class _LiteralClass(FunctionClass):
    """Shared code of :class:`ConjunctionClass` and :class:`DisjunctionClass`."""

    _base_name = "conjunction"
    _rep: type[Conjunction] | type[Disjunction] = Conjunction
    _dual = False

    def __init__(
        self, n: int, monotone: bool = False, k: int | None = None, with_constants: bool = False
    ) -> None:
        self.n = check_n(n)
        self.monotone = check_bool(monotone, "monotone")
        self.k = None if k is None else check_int(k, "k", 0, self.n)
        self.with_constants = check_bool(with_constants, "with_constants")

    @property
    def name(self) -> str:
        return ("monotone_" if self.monotone else "") + self._base_name

    @property
    def config(self) -> dict[str, Any]:
        return {"k": self.k, "with_constants": self.with_constants}

    def short_name(self) -> str:
        args = []
        if self.k is not None:
            args.append(f"k={self.k}")
        if self.with_constants:
            args.append("with_constants=True")
        return f"{self.name}({', '.join(args)})" if args else self.name

    def _init_args(self) -> dict[str, Any]:
        return {"monotone": self.monotone, "k": self.k, "with_constants": self.with_constants}

    def _constant(self) -> Conjunction | Disjunction:
        """The constant member (0 for conjunctions, 1 for disjunctions)."""
        return self._rep(self.n, [1, -1])

    # -- the set -----------------------------------------------------------------------------
    def size(self) -> int:
        if self.k is None:
            base = 2**self.n if self.monotone else 3**self.n
        else:
            base = comb(self.n, self.k) * (1 if self.monotone else 2**self.k)
        return base + int(self.with_constants)

    def enumerate(self) -> list[BooleanFunction]:
        """By number of literals, then variables in lexicographic order, positive literals
        first; the constant (with constants) last."""
        self._check_size_limit()
        counts = range(self.n + 1) if self.k is None else [self.k]
        signs = (1,) if self.monotone else (1, -1)
        out: list[BooleanFunction] = []
        for m in counts:
            for vs in combinations(range(1, self.n + 1), m):
                for ss in product(signs, repeat=m):
                    out.append(self._rep(self.n, [v * s for v, s in zip(vs, ss, strict=True)]))
        if self.with_constants:
            out.append(self._constant())
        return out

    def _normal(self, g: Conjunction | Disjunction) -> BooleanFunction | None:
        if g.contradictory:
            return self._constant() if self.with_constants else None
        if self.monotone and g.negative:
            return None
        if self.k is not None and len(g) != self.k:
            return None
        return g

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        # convert() finds the only possible literal set (or proves there is none) at any n.
        try:
            g = f if type(f) is self._rep else convert(f, self._rep)
        except ValueError:
            return None
        return self._normal(g)  # type: ignore[arg-type]

    # -- sampling ----------------------------------------------------------------------------
    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """Uniform over the class's distinct functions: the constant with probability
        ``1/size()`` (with constants); else with ``k`` a uniform ``k``-subset of variables,
        otherwise each variable in ``L`` independently (w.p. 2/3, or 1/2 when monotone);
        each chosen variable's sign uniform (positive when monotone)."""
        if self.with_constants and rng.random() < 1 / self.size():
            return self._constant()
        if self.k is None:
            choice = rng.integers(0, 2 if self.monotone else 3, size=self.n)
            lits = [i + 1 for i in np.flatnonzero(choice == 1)]
            lits += [-(i + 1) for i in np.flatnonzero(choice == 2)]
        else:
            vs = rng.choice(self.n, size=self.k, replace=False) + 1
            if self.monotone:
                lits = [int(v) for v in vs]
            else:
                neg = rng.integers(0, 2, size=self.k)
                lits = [int(-v if s else v) for v, s in zip(vs, neg, strict=True)]
        return self._rep(self.n, [int(v) for v in lits])

    # -- SAT ---------------------------------------------------------------------------------
    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        p = new_vars(circuit, self.n)
        q = [] if self.monotone else new_vars(circuit, self.n)
        const = circuit.new_var() if self.with_constants else None
        for pi, qi in zip(p, q, strict=False):
            circuit.clauses.append([-pi, -qi])
        if const is not None:
            circuit.clauses.extend([-const, -v] for v in p + q)
        if self.k is not None:
            cardinality(circuit, p + q, self.k, "equals", unless=const)
        params: dict[str, Any] = {"p": p}
        if q:
            params["q"] = q
        if const is not None:
            params["const"] = const
        return params

    def _conjunction(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        c, p, q = enc.circuit, enc.params["p"], enc.params.get("q")
        args: list[Lit] = []
        if "const" in enc.params:
            args.append(-enc.params["const"])
        for i, xi in enumerate(x):
            args.append(c.or_([-p[i], xi]))
            if q is not None:
                args.append(c.or_([-q[i], c.neg(xi)]))
        return c.and_(args)

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        if not self._dual:
            return self._conjunction(enc, x)
        c = enc.circuit
        return c.neg(self._conjunction(enc, [c.neg(a) for a in x]))

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        if "const" in enc.params and lit_value(enc.params["const"], true):
            return self._constant()
        lits = [i + 1 for i, v in enumerate(enc.params["p"]) if lit_value(v, true)]
        lits += [-(i + 1) for i, v in enumerate(enc.params.get("q", [])) if lit_value(v, true)]
        return self._rep(self.n, lits)


class ConjunctionClass(_LiteralClass):
    """Conjunctions of literals (see the module docstring). Registry names ``conjunction``
    and ``monotone_conjunction``; the paper's tasks of the same names sample it."""

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        if self.k is None:
            return ("monotone_conjunction" if self.monotone else "conjunction"), {}
        return None


class DisjunctionClass(_LiteralClass):
    """Disjunctions of literals, the dual of :class:`ConjunctionClass`. Registry names
    ``disjunction`` and ``monotone_disjunction``; the paper's ``disjunction`` task samples
    the full class, ``sparse_disjunction`` the monotone class with ``k >= 1`` (the paper:
    ``k = 4``)."""

    _base_name = "disjunction"
    _rep = Disjunction
    _dual = True

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        if self.k is None and not self.monotone:
            return "disjunction", {}
        if self.monotone and self.k is not None and self.k >= 1:
            return "sparse_disjunction", {"k": self.k}
        return None
