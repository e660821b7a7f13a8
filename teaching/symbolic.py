"""The exact teaching dimension without listing the ``2^n`` points: a counterexample-guided
search over *symbolic* point sets.

``TD(f, C)`` is the least ``k`` such that some ``k`` points ``z_1..z_k``, labelled by ``f``,
leave ``f`` the only member of ``C`` consistent with them. With competitors ``h_1..h_r in C``
(each different from ``f``) found so far, the *master* asks a SAT solver for ``k`` points, as
``k * n`` Boolean variables, such that every competitor disagrees with ``f`` on at least one of
them::

    AND_j OR_i [h_j(z_i) != f(z_i)],        z_1 <_lex z_2 <_lex ... <_lex z_k

(``f`` and each ``h_j`` are Tseitin circuits on every symbolic point; the strict
lexicographic order breaks the ``k!`` symmetry of a set's orderings and makes the points
distinct). UNSAT proves ``TD > k``: no ``k`` points separate ``f`` from ``h_1..h_r``, let alone
from all of ``C``. SAT gives concrete points; the *oracle* (:func:`teaching.uniqueness.verify`,
one SAT query over the class's parameters) either proves they teach ``f`` (then ``TD = k``,
as ``k - 1`` was refuted) or returns a new competitor consistent with them, and the master runs
again with it.

Two cheap bounds cut the search. Upper: the paper's construction
(:func:`teaching.construct.paper_construction`), verified by the oracle, teaches, so
``TD <= |T_paper|``; when the master refutes ``|T_paper| - 1`` the construction is minimum (for
monotone DNF and CNF the compact construction,
:func:`teaching.construct.compact_construction`, is tried too and is usually shorter; for DNF
and CNF with literals of both signs its signed form, completed greedily by the oracle's
witnesses when it does not teach, :func:`greedy_teaching_set`).
Lower: competitors whose difference sets ``D(h) = {z : h(z) != f(z)}`` are pairwise disjoint
each need a point of their own, so a family of ``m`` of them proves ``TD >= m``; disjointness
of two is one SAT query (no ``z`` in both), and the largest such family among the competitors
is a maximum clique (networkx). For the class of all parities the GF(2) rank argument gives
``TD = n`` directly (fewer than ``n`` points leave a non-zero null vector, hence a consistent
competitor).

Restriction (:mod:`teaching.restriction`): for majorities, thresholds, halfspaces, DNF and CNF,
``TD(f, C(n)) >= TD(f|V, C(|V|))`` for ``V`` the target's variables and one more, with the
competitors at ``|V|`` renamed as the proof; the restricted teaching set, lifted to ``n``
variables and verified by the oracle, is an upper bound. Where the two meet (majorities, most
thresholds) ``TD`` is proved without a master call at ``n``.

Seeding the search with the target's *neighbours* in the class's representation (a literal or
term dropped or added, :func:`neighbours`) gives the competitors that matter most at once; the
oracle's counterexamples add the rest, for DNF and CNF the ones nearest the target
(:mod:`teaching.near_competitor`: small difference sets, which constrain the master most).
The master breaks the symmetry of the target's unused variables (:func:`symmetry_of`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from pysat.formula import IDPool
from pysat.solvers import Solver

from boolfun.classes import (
    CNFClass,
    ConjunctionClass,
    DisjunctionClass,
    DNFClass,
    FunctionClass,
    HalfspaceClass,
    MajorityClass,
    ParityClass,
    ThresholdClass,
)
from boolfun.function import BooleanFunction
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from teaching.dimension import TeachingResult
from teaching.examples import Examples
from teaching.near_competitor import nearest_competitor
from teaching.solving import (
    LIMITED_SOLVER,
    MASTER_SOLVER,
    check_time_limit,
    solve,
    solve_sliced,
)
from teaching.uniqueness import check_target, verify

MAX_SYMBOLIC_N = 1024
"""Largest ``n`` of the symbolic search (its formulas grow as ``k * n``)."""

NEIGHBOUR_ADDS = 3
"""Unused variables whose literal is added to make neighbours (they are interchangeable: a few
give the disjoint difference sets that matter)."""

MAX_PAIRWISE = 64
"""Competitors checked pairwise for disjoint difference sets (the neighbours and the first
counterexamples; each check is a SAT call, so the checks grow as the square)."""


# -- symmetry of the irrelevant variables ---------------------------------------------------


@dataclass(frozen=True)
class Symmetry:
    """Symmetry breaking for the master (0-based columns): inside each of ``blocks`` the
    columns of the points' matrix are in weakly increasing lexicographic order, and when
    ``flips`` the first point is 0 on every column of ``flipped``. Valid (see
    :func:`symmetry_of`) when permuting the variables of a block, and complementing those of
    ``flipped``, maps both the target and the class onto themselves."""

    blocks: tuple[tuple[int, ...], ...]
    flips: bool = False
    flipped: tuple[int, ...] = ()

    @property
    def trivial(self) -> bool:
        """Whether it constrains nothing (no block of two columns and nothing flipped)."""
        return all(len(b) < 2 for b in self.blocks) and not (self.flips and self.flipped)


PERMUTATION_CLASSES = (ConjunctionClass, DisjunctionClass, DNFClass, CNFClass, MajorityClass,
                       ThresholdClass, HalfspaceClass, ParityClass)
"""Classes mapped onto themselves by every permutation of the variables (exact types only: a
union of orbits or another subclass may not be)."""


def symmetry_of(f: BooleanFunction, cls: FunctionClass) -> Symmetry | None:
    """The symmetry of the variables ``f`` does not mention, for the master.

    Let ``G`` be the group of the permutations of those variables (and, when the class is also
    closed under complementing a variable, of those complements: conjunctions, disjunctions,
    DNF and CNF with literals of both signs, 0-1 thresholds and integer halfspaces, whose weights
    range over a symmetric set). ``G`` fixes ``f`` and maps ``C`` onto itself, so ``g T``
    teaches ``f`` whenever ``T`` does. Write a set of ``k`` points as its ``k x n`` matrix and
    take, among all images ``g T`` with their rows in every order, the one that is least read
    row by row (bit 1 of row 1 most significant). In it the rows increase strictly (swapping
    two rows out of order gives a smaller matrix); the columns of the irrelevant variables
    increase weakly, read top to bottom (if column ``j`` exceeds a later one, their first
    differing row ``r`` has a 1 in column ``j``: swapping the two variables leaves rows
    ``< r`` alone and makes row ``r`` smaller); and, with complements, row 1 is 0 on them
    (complementing a column with a 1 in row 1 makes row 1 smaller). So *if ``k`` points teach
    ``f``, then ``k`` points obeying these orders do*, and the master's UNSAT under them still
    proves ``TD > k``: a ``"symmetric_hitting"`` bound, which holds for the class and ``G``
    rather than for the competitors' difference sets alone (certificates re-prove without it).
    ``None`` when the class is not known to be symmetric or nothing is left to break."""
    target = check_target(f, cls)
    if type(cls) not in PERMUTATION_CLASSES:
        return None
    used = set(target.mentioned_variables())
    free = tuple(j for j in range(cls.n) if j + 1 not in used)
    flips = isinstance(cls, ThresholdClass | HalfspaceClass) or (
        isinstance(cls, ConjunctionClass | DisjunctionClass | DNFClass) and not cls.monotone
    )
    sym = Symmetry((free,), flips, free if flips else ())
    return None if sym.trivial else sym


# -- circuits on symbolic points ------------------------------------------------------------


class SymbolicPoints:
    """``k`` symbolic points of width ``n`` in one CNF, with the target's value on each, the
    strict lexicographic order, and "h differs from f on one of them" constraints.

    ``assigned``: competitors ``h_1..h_m`` (``m <= k``) with pairwise-disjoint difference
    sets; point ``i`` is put in ``D(h_i)`` and only the other ``k - m`` points are ordered.
    This loses no set: a separating set has a point in each ``D(h_i)``, distinct points as
    the sets are disjoint, so some ordering of it has point ``i`` in ``D(h_i)`` and the rest
    increasing (and with ``symmetry``, when the ``h_i`` do not mention the permuted variables,
    the least image argument of :func:`symmetry_of` runs unchanged over these orderings,
    since the group maps each ``D(h_i)`` onto itself). A refutation then needs no
    pigeonhole argument over which point serves which competitor, the part CDCL is worst at."""

    def __init__(
        self, f: BooleanFunction, k: int, pool: IDPool | None = None,
        symmetry: Symmetry | None = None, assigned: Sequence[BooleanFunction] = (),
    ) -> None:
        self.f, self.k, self.n = f, k, f.n
        if len(assigned) > k:
            raise ValueError(f"assigned must hold at most k={k} competitors, got {len(assigned)}")
        self.pool = pool or IDPool()
        self.clauses: list[list[int]] = []
        self.z = [[self.pool.id(("z", i, j)) for j in range(self.n)] for i in range(k)]
        self.fz = [self._circuit(f, i) for i in range(k)]
        for i, h in enumerate(assigned):  # point i lies in D(h_i)
            hz = self._circuit(h, i)
            self.clauses += [[hz, self.fz[i]], [-hz, -self.fz[i]]]
        for i in range(len(assigned), k - 1):
            self._lex_less(self.z[i], self.z[i + 1])
        if symmetry is not None:
            self.clauses += self.column_order(symmetry.blocks)
            if symmetry.flips and k:
                self.clauses += [[-self.z[0][j]] for j in symmetry.flipped]

    def column_order(self, blocks: Sequence[Sequence[int]]) -> list[list[int]]:
        """Clauses: inside each block of (0-based) columns, column ``j`` of the points' matrix
        is lexicographically at most the next column of the block (row 1 most significant)."""
        out: list[list[int]] = []
        for block in blocks:
            for j, j2 in zip(block, block[1:], strict=False):
                a = [self.z[i][j] for i in range(self.k)]
                b = [self.z[i][j2] for i in range(self.k)]
                # eq[r]: the columns agree on rows < r; a <= b iff eq[r] -> (~a_r | b_r) for
                # every r.
                eq = [self.pool.id(("ceq", j, j2, r)) for r in range(self.k + 1)]
                out.append([eq[0]])
                for r in range(self.k):
                    out.append([-eq[r], -a[r], b[r]])
                    out.append([-eq[r], a[r], b[r], eq[r + 1]])  # both 0: still equal
                    out.append([-eq[r], -a[r], -b[r], eq[r + 1]])  # both 1: still equal
        return out

    def _circuit(self, g: BooleanFunction, i: int) -> int:
        out, clauses = g.tseitin(self.pool, self.z[i])
        self.clauses += clauses
        return out

    def _lex_less(self, a: list[int], b: list[int]) -> None:
        """``a <_lex b`` (bit 1 most significant): some ``j`` with ``a_<j = b_<j``,
        ``a_j = 0``, ``b_j = 1``."""
        eq = [self.pool.id(("eq", id(a), j)) for j in range(len(a) + 1)]
        self.clauses.append([eq[0]])
        pick = []
        for j, (x, y) in enumerate(zip(a, b, strict=True)):
            # eq[j+1] -> eq[j] and (x <-> y)
            self.clauses += [[-eq[j + 1], eq[j]], [-eq[j + 1], -x, y], [-eq[j + 1], x, -y]]
            s = self.pool.id(("lt", id(a), j))
            self.clauses += [[-s, eq[j]], [-s, -x], [-s, y]]
            pick.append(s)
        self.clauses.append(pick)

    def separate(self, h: BooleanFunction) -> list[list[int]]:
        """Clauses: ``h`` differs from ``f`` on at least one of the points (added to
        :attr:`clauses` and returned, for an incremental solver)."""
        before = len(self.clauses)
        ds = []
        for i in range(self.k):
            hz = self._circuit(h, i)
            d = self.pool.id(("d", id(h), i))
            fz = self.fz[i]
            self.clauses += [[-d, hz, fz], [-d, -hz, -fz]]  # d -> h(z_i) != f(z_i)
            ds.append(d)
        self.clauses.append(ds)
        return self.clauses[before:]

    def points(self, model: Sequence[int]) -> np.ndarray:
        """The ``(k, n)`` points of a satisfying assignment."""
        true = {v for v in model if v > 0}
        return np.array([[1 if v in true else 0 for v in row] for row in self.z], dtype=np.uint8)


def master_cnf(f: BooleanFunction, competitors: Sequence[BooleanFunction], k: int,
               symmetry: Symmetry | None = None,
               assigned: Sequence[BooleanFunction] = ()) -> list:
    """The master's CNF: ``k`` points in strict lexicographic order on which every competitor
    disagrees with ``f`` somewhere (satisfiable iff such points exist), with the column
    orders of ``symmetry`` and the points assigned to disjoint competitors when given
    (:class:`SymbolicPoints`)."""
    sp = SymbolicPoints(f, k, symmetry=symmetry, assigned=assigned)
    for h in competitors:
        sp.separate(h)
    return sp.clauses


def separable(
    f: BooleanFunction,
    competitors: Sequence[BooleanFunction],
    k: int,
    solver: str = LIMITED_SOLVER,
    time_limit: float | None = None,
    symmetry: Symmetry | None = None,
    assigned: Sequence[BooleanFunction] = (),
) -> bool | None:
    """Whether ``k`` points separate ``f`` from every competitor (``None``: time limit).
    ``False`` proves that no set of ``k`` points teaches ``f`` in a class holding them (with
    ``symmetry``: in a class and for a target it is valid for, :func:`symmetry_of`;
    ``assigned``: competitors with pairwise-disjoint difference sets, the caller's claim,
    :class:`SymbolicPoints`)."""
    if k == 0:
        return not competitors
    cnf = master_cnf(f, competitors, k, symmetry, assigned)
    with Solver(name=solver, bootstrap_with=cnf) as s:
        return solve(s, time_limit=time_limit) if solver == LIMITED_SOLVER else s.solve()


def _common_point(
    f: BooleanFunction, competitors: Sequence[BooleanFunction], solver: str
) -> np.ndarray | None:
    """A point where every one of ``competitors`` differs from ``f`` (``None``: proved that
    there is none)."""
    sp = SymbolicPoints(f, 1)
    for h in competitors:
        sp.separate(h)
    with Solver(name=solver, bootstrap_with=sp.clauses) as s:
        if not s.solve():
            return None
        return sp.points(s.get_model())[0]


def overlap(f: BooleanFunction, g: BooleanFunction, h: BooleanFunction,
            solver: str = LIMITED_SOLVER) -> np.ndarray | None:
    """A point where both ``g`` and ``h`` differ from ``f`` (``None``: their difference sets
    are disjoint, proved by the solver)."""
    return _common_point(f, [g, h], solver)


def differs(
    f: BooleanFunction, h: BooleanFunction, solver: str = LIMITED_SOLVER
) -> np.ndarray | None:
    """A point where ``h`` differs from ``f`` (``None``: equal functions, proved)."""
    return _common_point(f, [h], solver)


def largest_disjoint_family(
    f: BooleanFunction, competitors: Sequence[BooleanFunction],
    disjoint_pairs: set[tuple[int, int]],
) -> list[int]:
    """A largest set of competitors with pairwise-disjoint difference sets (a maximum clique
    of the graph of disjoint pairs)."""
    g = nx.Graph()
    g.add_nodes_from(range(len(competitors)))
    g.add_edges_from(disjoint_pairs)
    clique, _ = nx.max_weight_clique(g, weight=None)
    return sorted(clique)


# -- neighbours of a target -----------------------------------------------------------------


def neighbours(f: BooleanFunction, cls: FunctionClass) -> list[BooleanFunction]:
    """Members of ``cls`` one edit away from ``f`` in its representation (a literal dropped,
    or added with either sign allowed by the class; for DNF and CNF also a whole term or
    clause dropped): the competitors with the smallest
    difference sets, which a teaching set must separate first. Empty for classes without a
    literal representation here."""
    out: list[BooleanFunction] = []
    n = cls.n
    if isinstance(f, Conjunction | Disjunction) and isinstance(
        cls, ConjunctionClass | DisjunctionClass
    ):
        make = type(f)
        lits = list(f.literals)
        used = {abs(v) for v in lits}
        for v in lits:
            out.append(make(n, [u for u in lits if u != v]))
        signs = (1,) if cls.monotone else (1, -1)
        free = [var for var in range(1, n + 1) if var not in used]
        for var in free[:NEIGHBOUR_ADDS]:  # the unused variables are interchangeable
            for s in signs:
                out.append(make(n, [*lits, s * var]))
    elif isinstance(f, DNF | CNF):
        make = type(f)
        groups = [list(g) for g in f.groups]
        for gi, g in enumerate(groups):
            if len(groups) > 1:  # the whole term (clause) dropped
                out.append(make(n, [h for i, h in enumerate(groups) if i != gi]))
            for v in g:
                out.append(make(n, [[u for u in h if u != v] if i == gi else h
                                    for i, h in enumerate(groups)]))
    keep = []
    for h in out:
        try:
            keep.append(cls.coerce(h))
        except ValueError:
            continue
    return [h for h in keep if differs(f, h) is not None]


# -- a greedy upper bound -------------------------------------------------------------------


def greedy_teaching_set(
    f: BooleanFunction, cls: FunctionClass, start: Examples | None = None,
    time_limit: float | None = None,
) -> Examples | None:
    """A teaching set of ``f`` in ``cls`` (not minimum in general) by completion and pruning:
    from ``start`` (or nothing), add the oracle's witness point while a competitor is
    consistent, then drop every point whose removal still teaches (last first). ``None``
    when the time limit is reached first. Each step is one :func:`verify` query."""
    limit = check_time_limit(time_limit)
    t0 = time.perf_counter()

    def left() -> float | None:
        return None if limit is None else limit - (time.perf_counter() - t0)

    rows = [] if start is None else [np.asarray(x, dtype=np.uint8) for x in start.xs]

    def teaches(points: list[np.ndarray]) -> Any:
        budget = left()
        if budget is not None and budget <= 0:
            return None
        xs = np.array(points, dtype=np.uint8).reshape(-1, cls.n)
        return nearest_competitor(f, cls, Examples.labelled_by(f, xs), time_limit=budget)

    while True:
        v = teaches(rows)
        if v is None or v.status == "unknown":
            return None
        if v.unique:
            break
        rows.append(np.asarray(v.witness, dtype=np.uint8).reshape(cls.n))
    for i in range(len(rows) - 1, -1, -1):
        trial = rows[:i] + rows[i + 1:]
        v = teaches(trial)
        if v is None:
            break
        if v.unique:
            rows = trial
    return Examples.labelled_by(f, np.array(rows, dtype=np.uint8).reshape(-1, cls.n))


# -- the search -----------------------------------------------------------------------------


def symbolic_teaching_dimension(
    f: BooleanFunction,
    cls: FunctionClass,
    time_limit: float | None = None,
    on_bound: Callable[[int, int | None], None] | None = None,
    symmetric: bool = True,
) -> TeachingResult:
    """``TD(f, C)`` with a minimum teaching set and the proof of its lower bound, by the
    counterexample-guided symbolic search of the module docstring (no list of the ``2^n``
    points; ``n <= MAX_SYMBOLIC_N``). ``time_limit`` (seconds) bounds the search: when it is
    reached the result is ``"unknown"`` with the bounds proved so far, never a guess.
    ``on_bound(lower, upper)`` is called whenever a bound improves (for progress output).
    ``symmetric=False`` keeps to proofs a certificate holds (no ``"symmetric_hitting"``
    lower bound: neither the master's symmetry breaking on the irrelevant variables,
    :func:`symmetry_of`, nor :mod:`teaching.majority_td` inside the restriction)."""
    target = check_target(f, cls)
    limit = check_time_limit(time_limit)
    if cls.n > MAX_SYMBOLIC_N:
        raise ValueError(f"the symbolic search needs n <= {MAX_SYMBOLIC_N}, got n={cls.n}")
    start = time.perf_counter()

    def left() -> float | None:
        """The time left for one solver call (at least a millisecond; ``None``: no limit)."""
        return None if limit is None else max(1e-3, limit - (time.perf_counter() - start))

    def expired() -> bool:
        return limit is not None and time.perf_counter() - start >= limit

    if isinstance(cls, ParityClass) and cls.k is None:
        return _parity(target, cls, start)

    sym = symmetry_of(target, cls) if symmetric else None
    free = set() if sym is None else {j + 1 for b in sym.blocks for j in b}
    families: list[list[int]] = [[]]  # the largest disjoint family found
    refuted_with: list[int] = []  # the points' assignment at the refutation of lower - 1
    competitors: list[BooleanFunction] = []
    seen: set[str] = set()
    pairs: set[tuple[int, int]] = set()
    disjoint: list[int] = []
    lower, proof, iterations = 0, "trivial", 0
    best: Examples | None = None
    upper: int | None = None
    upper_from = ""

    def report() -> None:
        if on_bound is not None:
            on_bound(lower, upper)

    def add(h: BooleanFunction) -> None:
        nonlocal lower, proof, disjoint
        key = str(h)
        if key in seen:
            return
        seen.add(key)
        j = len(competitors)
        competitors.append(h)
        if j >= MAX_PAIRWISE:  # past this many, only the master's refutations raise the bound
            return
        for i in range(j):
            if overlap(target, competitors[i], h) is None:
                pairs.add((i, j))
        family = largest_disjoint_family(target, competitors, pairs)
        if len(family) > len(families[0]):
            families[0] = family
        if len(family) > lower:
            lower, proof, disjoint = len(family), "disjoint", family
            report()

    def result(status: str) -> TeachingResult:
        assigned = 0
        if proof == "disjoint":
            used = [competitors[i] for i in disjoint]
        else:  # the refutation's assigned family first (a certificate re-uses it)
            if proof in ("hitting", "symmetric_hitting"):
                assigned = len(refuted_with)
            used = [competitors[i] for i in refuted_with] + [
                h for i, h in enumerate(competitors) if i not in set(refuted_with)]
        return TeachingResult(
            target, cls, status, lower, best, used, iterations,  # type: ignore[arg-type]
            time.perf_counter() - start, method="symbolic", upper_bound=upper,
            proof="hitting_set" if proof == "hitting" else proof, upper_from=upper_from,
            assigned=assigned,
        )

    # the upper bound of the paper's construction, when it teaches
    try:
        from teaching.construct import paper_construction

        ex = paper_construction(target, cls)
        v = verify(target, cls, ex, time_limit=left())
        if v.unique:
            best, upper, upper_from = ex, len(ex), "paper construction"
            report()
    except ValueError:
        pass
    compact = None
    if isinstance(cls, DNFClass):  # the compact (or signed) sequence, often shorter
        from teaching.construct import compact_construction

        compact = compact_construction(target, cls)
        if upper is None or len(compact) < upper:
            v = verify(target, cls, compact, time_limit=left())
            if v.unique:
                best, upper, upper_from = compact, len(compact), "compact construction"
                report()
    for h in neighbours(target, cls):
        add(h)
        if expired():
            return result("unknown")
    rb = None
    if upper is None or lower < upper:  # the restriction lemma (teaching.restriction)
        from teaching.restriction import restricted_bounds

        rb = restricted_bounds(target, cls, time_limit=None if limit is None else 0.6 * left(),
                               symmetric=symmetric)
        if rb is not None:
            for h in rb.competitors:
                add(h)
            if rb.lower > lower:
                lower, disjoint = rb.lower, []
                proof = "hitting" if rb.result.proof != "symmetric_hitting" else rb.result.proof
            if rb.examples is not None and (upper is None or len(rb.examples) < upper):
                best, upper = rb.examples, len(rb.examples)
                upper_from = f"restriction to {len(rb.restriction.variables)} variables"
            report()
        if expired():
            return result("unknown")
    if upper is None:  # no construction: a greedy teaching set bounds the search
        seed = rb.examples if rb is not None and rb.examples is not None else compact
        ex = greedy_teaching_set(target, cls, seed, time_limit=None if limit is None
                                 else 0.5 * left())
        if ex is not None:
            best, upper = ex, len(ex)
            upper_from = "greedy completion" + (" of the compact construction"
                                                if seed is compact and seed is not None else "")
            report()
    k = lower
    while upper is None or lower < upper:
        if expired():
            return result("unknown")
        iterations += 1
        if k == 0:
            v = nearest_competitor(target, cls, Examples(np.zeros((0, cls.n), np.uint8),
                                            np.zeros(0, np.uint8)), time_limit=left())
            if v.status == "unknown":
                return result("unknown")
            if v.unique:
                best, upper, upper_from = Examples(np.zeros((0, cls.n), np.uint8),
                                                   np.zeros(0, np.uint8)), 0, "search"
                break
            add(v.competitor)
            if lower < 1:
                lower, proof = 1, "hitting"
            k = max(k, lower)
            continue
        assigned_idx = [i for i in families[0]
                        if not free & set(competitors[i].mentioned_variables())][:k]
        assigned = [competitors[i] for i in assigned_idx]
        sp = SymbolicPoints(target, k, symmetry=sym, assigned=assigned)
        for h in competitors:
            sp.separate(h)
        with Solver(name=MASTER_SOLVER, bootstrap_with=sp.clauses) as s:
            while True:
                if expired():
                    return result("unknown")
                r = solve_sliced(s, None if limit is None else start + limit)
                if r is None:
                    return result("unknown")
                if not r:  # no k points separate: TD > k
                    if k + 1 > lower:
                        lower, disjoint = k + 1, []
                        refuted_with[:] = assigned_idx
                        proof = "hitting" if sym is None else "symmetric_hitting"
                        report()
                    k = lower
                    break
                pts = sp.points(s.get_model())
                ex = Examples(pts, target.evaluate(pts).astype(np.uint8))
                v = nearest_competitor(target, cls, ex, time_limit=left())
                if v.status == "unknown":
                    return result("unknown")
                if v.unique:
                    best, upper, upper_from = ex, k, "search"
                    report()
                    break
                add(v.competitor)
                s.append_formula(sp.separate(v.competitor))
                if lower > k:  # the disjoint family already refutes k
                    k = lower
                    break
        if upper is not None and lower >= upper:
            break
    return result("exact" if upper is not None and lower == upper else "unknown")


def _parity(target: BooleanFunction, cls: FunctionClass, start: float) -> TeachingResult:
    """The class of all parities: ``TD = n`` (rank argument: fewer than ``n`` points leave a
    non-zero null vector ``v``, and the parity ``f + v`` is consistent with them); the unit
    vectors teach."""
    n = cls.n
    pts = np.eye(n, dtype=np.uint8)
    ex = Examples(pts, target.evaluate(pts).astype(np.uint8))
    return TeachingResult(target, cls, "exact", n, ex, [], 0, time.perf_counter() - start,
                          method="symbolic", upper_bound=n, proof="gf2",
                          upper_from="unit vectors")
