"""Tseitin encoding of Boolean circuits into CNF, with constant folding.

A :class:`Circuit` owns a pysat :class:`~pysat.formula.IDPool` and a growing list of clauses.
Each gate method takes *literals* (non-zero DIMACS integers: ``v`` is variable ``v`` true,
``-v`` is it false) or Python booleans (constants) and returns a literal or a constant. The
returned literal ``o`` is *equivalent* to the gate's value in every model of the clauses
(both directions are encoded), so gates compose and can be asserted either way.

Example: ``o = c.and_([a, -b])`` adds ``o -> a``, ``o -> -b``, ``a & -b -> o``.
Constants fold: ``c.and_([a, False])`` is ``False`` and adds nothing.

Cardinality: :meth:`Circuit.at_least` reifies ``sum_i w_i l_i >= k`` with a totalizer
(Bailleux & Boufkhad 2003) whose node outputs ``o_j <-> (count >= j)`` are encoded in both
directions and truncated at ``k`` (Büttner & Rintanen's k-simplification).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pysat.formula import IDPool

Lit = int | bool
"""A literal (non-zero int) or a Boolean constant."""

TRUE_NAME = "__true__"


class Circuit:
    """Accumulates Tseitin clauses for gates over literals of ``pool``.

    Parameters
    ----------
    pool:
        The variable pool; a fresh one when omitted. Named variables (``pool.id("x1")``)
        and anonymous gate outputs (``pool.id()``) share it.
    """

    def __init__(self, pool: IDPool | None = None) -> None:
        self.pool = pool if pool is not None else IDPool()
        self.clauses: list[list[int]] = []
        self._true: int | None = None

    # -- variables and constants -------------------------------------------------------
    def new_var(self) -> int:
        """A fresh anonymous variable."""
        return self.pool.id()

    def named(self, name: object) -> int:
        """The variable the pool assigns to ``name`` (created on first use)."""
        return self.pool.id(name)

    def true_literal(self) -> int:
        """A literal fixed to true by a unit clause (created on first use)."""
        if self._true is None:
            self._true = self.pool.id(TRUE_NAME)
            self.clauses.append([self._true])
        return self._true

    def literal(self, a: Lit) -> int:
        """``a`` as a literal, mapping constants to the fixed-true literal or its negation."""
        if isinstance(a, bool):
            t = self.true_literal()
            return t if a else -t
        return int(a)

    def add(self, clause: Iterable[Lit]) -> None:
        """Add a clause; constant ``True`` members satisfy it, ``False`` members are dropped.
        An all-false clause is added as the empty clause's equivalent (unsatisfiable)."""
        out: list[int] = []
        for a in clause:
            if a is True:
                return
            if a is False:
                continue
            out.append(int(a))
        if not out:
            t = self.true_literal()
            self.clauses.append([-t])
            return
        self.clauses.append(out)

    def assert_(self, a: Lit, value: bool = True) -> None:
        """Add the unit clause ``a == value``."""
        self.add([a if value else self.neg(a)])

    # -- gates ---------------------------------------------------------------------------
    @staticmethod
    def neg(a: Lit) -> Lit:
        """Negation."""
        return (not a) if isinstance(a, bool) else -a

    def and_(self, args: Iterable[Lit]) -> Lit:
        """Conjunction; ``True`` for no arguments."""
        lits: list[int] = []
        seen: set[int] = set()
        for a in args:
            if a is True:
                continue
            if a is False:
                return False
            a = int(a)
            if -a in seen:
                return False
            if a not in seen:
                seen.add(a)
                lits.append(a)
        if not lits:
            return True
        if len(lits) == 1:
            return lits[0]
        o = self.new_var()
        for a in lits:
            self.clauses.append([-o, a])
        self.clauses.append([o] + [-a for a in lits])
        return o

    def or_(self, args: Iterable[Lit]) -> Lit:
        """Disjunction; ``False`` for no arguments."""
        return self.neg(self.and_(self.neg(a) for a in args))

    def xor2(self, a: Lit, b: Lit) -> Lit:
        """Exclusive or of two arguments."""
        if isinstance(a, bool):
            return self.neg(b) if a else b
        if isinstance(b, bool):
            return self.neg(a) if b else a
        if a == b:
            return False
        if a == -b:
            return True
        o = self.new_var()
        self.clauses += [[-o, a, b], [-o, -a, -b], [o, -a, b], [o, a, -b]]
        return o

    def xor(self, args: Iterable[Lit]) -> Lit:
        """Exclusive or (parity) of any number of arguments; ``False`` for none."""
        acc: Lit = False
        for a in args:
            acc = self.xor2(acc, a)
        return acc

    def iff(self, a: Lit, b: Lit) -> Lit:
        """Equivalence ``a <-> b``."""
        return self.neg(self.xor2(a, b))

    def ite(self, c: Lit, a: Lit, b: Lit) -> Lit:
        """If-then-else: ``a`` when ``c`` else ``b``."""
        if isinstance(c, bool):
            return a if c else b
        if isinstance(a, bool) or isinstance(b, bool) or a == b or a == -b:
            return self.or_([self.and_([c, a]), self.and_([-c, b])])
        o = self.new_var()
        self.clauses += [[-c, -a, o], [-c, a, -o], [c, -b, o], [c, b, -o]]
        return o

    # -- cardinality ---------------------------------------------------------------------
    def at_least(self, args: Sequence[Lit], k: int, weights: Sequence[int] | None = None) -> Lit:
        """Reified pseudo-Boolean constraint ``sum_i w_i [args_i] >= k``.

        Integer weights of either sign are allowed (a negative weight ``-w`` on ``l`` is
        rewritten ``w [~l] - w``); a weight ``w`` is expanded into ``w`` copies, so this is
        meant for small weights. Constants fold into ``k``.
        """
        if weights is None:
            weights = [1] * len(args)
        if len(weights) != len(args):
            raise ValueError("weights must have one entry per argument")
        units: list[int] = []
        for a, w in zip(args, weights, strict=True):
            w = int(w)
            if w == 0:
                continue
            if w < 0:
                a, w = self.neg(a), -w
                k += w
            if a is True:
                k -= w
            elif a is False:
                continue
            else:
                units.extend([int(a)] * w)
        if k <= 0:
            return True
        if k > len(units):
            return False
        outs = self._totalizer(units, k)
        return outs[k - 1]

    def at_most(self, args: Sequence[Lit], k: int, weights: Sequence[int] | None = None) -> Lit:
        """Reified ``sum_i w_i [args_i] <= k``."""
        return self.neg(self.at_least(args, k + 1, weights))

    def exactly(self, args: Sequence[Lit], k: int, weights: Sequence[int] | None = None) -> Lit:
        """Reified ``sum_i w_i [args_i] == k``."""
        return self.and_([self.at_least(args, k, weights), self.at_most(args, k, weights)])

    def _totalizer(self, units: list[int], cap: int) -> list[Lit]:
        """Outputs ``o_1..o_m`` (``m = min(len(units), cap)``) with ``o_j <-> count >= j``;
        the last output saturates (``count >= m``) when the node is truncated."""
        if len(units) == 1:
            return [units[0]]
        mid = len(units) // 2
        a = self._totalizer(units[:mid], cap)
        b = self._totalizer(units[mid:], cap)
        a_full = len(a) == mid  # not truncated: count_a <= len(a) for sure
        b_full = len(b) == len(units) - mid
        m = min(len(units), cap)
        c = [self.new_var() for _ in range(m)]

        def at(xs: list[Lit], i: int, full: bool) -> Lit:
            # xs_i means count >= i; count >= 0 always; beyond a full node never.
            if i == 0:
                return True
            if i <= len(xs):
                return xs[i - 1]
            return False if full else True  # truncated beyond len: only reached when unused

        for i in range(len(a) + 1):
            for j in range(len(b) + 1):
                s = i + j
                if s >= 1:  # upward: a_i & b_j -> c_min(s, m)
                    self.add(
                        [self.neg(at(a, i, a_full)), self.neg(at(b, j, b_full)), c[min(s, m) - 1]]
                    )
                if s + 1 <= m:  # downward: ~a_{i+1} & ~b_{j+1} -> ~c_{s+1}
                    self.add([at(a, i + 1, a_full), at(b, j + 1, b_full), -c[s]])
        return c
