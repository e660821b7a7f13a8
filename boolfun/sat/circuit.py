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

UNARY_MAX_UNITS = 1 << 12
"""Largest sum of weights :meth:`Circuit.at_least` expands into unit copies (a totalizer);
beyond it the weights are added in binary."""

UNARY_MAX_WEIGHT = 16
"""Largest single weight :meth:`Circuit.at_least` expands into unit copies; a larger one
makes it add the weights in binary."""


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
        rewritten ``w [~l] - w``). Constants fold into ``k``. While the weights sum to at most
        :data:`UNARY_MAX_UNITS` and none exceeds :data:`UNARY_MAX_WEIGHT`, a weight ``w`` is
        expanded into ``w`` copies for the totalizer; otherwise they are added in binary
        (:meth:`_at_least_binary`), so the encoding stays polynomial in
        ``len(args) * log(max |w|)`` for any integer weights.
        """
        if weights is None:
            weights = [1] * len(args)
        if len(weights) != len(args):
            raise ValueError("weights must have one entry per argument")
        terms: list[tuple[int, int]] = []
        k = int(k)
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
                terms.append((int(a), w))
        total = sum(w for _, w in terms)
        if k <= 0:
            return True
        if k > total:
            return False
        if total > UNARY_MAX_UNITS or max(w for _, w in terms) > UNARY_MAX_WEIGHT:
            return self._at_least_binary(terms, k)
        units = [a for a, w in terms for _ in range(w)]
        outs = self._totalizer(units, k)
        return outs[k - 1]

    def _at_least_binary(self, terms: list[tuple[int, int]], k: int) -> Lit:
        """Reified ``sum_i w_i [a_i] >= k`` (``w_i > 0``) by binary addition: the weights'
        bits are summed column by column with full and half adders (a Wallace tree), then the
        sum is compared with ``k``. Every gate is encoded in both directions."""
        columns: list[list[Lit]] = []
        for a, w in terms:
            j = 0
            while w:
                if w & 1:
                    while len(columns) <= j:
                        columns.append([])
                    columns[j].append(a)
                w >>= 1
                j += 1
        bits: list[Lit] = []
        j = 0
        while j < len(columns):
            col = columns[j]
            while len(col) > 1:
                if len(col) == 2:
                    a, b = col.pop(), col.pop()
                    s, carry = self.xor2(a, b), self.and_([a, b])
                else:
                    a, b, c = col.pop(), col.pop(), col.pop()
                    s = self.xor([a, b, c])
                    carry = self.or_([self.and_([a, b]), self.and_([a, c]), self.and_([b, c])])
                col.insert(0, s)
                if carry is not False:
                    if len(columns) <= j + 1:
                        columns.append([])
                    columns[j + 1].append(carry)
            bits.append(col[0] if col else False)
            j += 1
        if k >> len(bits):
            return False
        # sum >= k on bits 0..j: bit j decides unless it equals k's bit j
        ge: Lit = True
        for j, s in enumerate(bits):
            ge = self.and_([s, ge]) if (k >> j) & 1 else self.or_([s, ge])
        return ge

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
