"""The exact teaching dimension of a majority in a permutation-invariant class of majorities,
by the symbolic search with symmetry breaking on the points.

Let ``C`` be a class of functions on ``{0,1}^n`` mapped onto itself by every permutation of
the variables (the class of all majorities ``Majority(T)``, ``T`` any subset, or a union of
its orbits ``|T| in K``), and let the target be ``f = Majority(S)``, ``S = {x_1..x_k}``
(the orbit representative of :mod:`teaching.orbit_figures`). Its stabiliser
``G = Sym(S) x Sym([n] \\ S)`` (permutations of the relevant variables among themselves and of
the irrelevant ones) fixes ``f`` and maps ``C`` onto itself, so ``g T`` teaches ``f`` in ``C``
whenever ``T`` does (the argument of :mod:`teaching.orbit_figures` with ``g f = f``).

Write a set of ``t`` points as the ``t x n`` matrix ``M`` of its points in strictly increasing
lexicographic order (bit 1 most significant). Among the images ``g T`` of a teaching set take
the one whose matrix, read row by row, is lexicographically least. In it

* the rows increase strictly (the points are distinct; swapping two rows out of order gives a
  smaller matrix), and
* the columns inside each block (``S`` and its complement) increase (weakly) from left to
  right, read top to bottom: if column ``j`` exceeded column ``j + 1`` of the same block, its
  first differing row ``r`` has ``M[r][j] = 1``, ``M[r][j+1] = 0``; swapping the two
  variables (an element of ``G``) leaves rows ``< r`` unchanged and makes row ``r`` smaller.

So *if ``t`` points teach ``f`` in ``C``, then ``t`` points satisfying both orders teach it*.
The master of :mod:`teaching.symbolic` (``t`` symbolic points separating ``f`` from the
competitors found so far) gets the column orders as extra clauses; its UNSAT still proves
``TD(f, C) > t``: every teaching set of ``t`` points has an image obeying both orders, and
that image separates ``f`` from every competitor (all of them are in ``C``). The master's
lower bound is therefore a *symmetric* hitting bound (``proof = "symmetric_hitting"``): it
holds for ``C`` and ``G``, not for the competitors' difference sets alone, so the
competitors listed with it are the search's counterexamples, not a stand-alone certificate.
A SAT answer's points are checked by an exhaustive oracle up to :data:`LIST_MAX_N`: the
``2^n`` sets ``T`` (those of the union's sizes) are listed once as a 0/1 matrix, and
``Majority(T)`` on the ``t`` points is ``[2 |z & T| - |T| >= 1]``, one matrix product; the
consistent members other than ``f`` are the counterexamples, and one of each kind
``(|S - T|, |T - S|)`` (at most :data:`COUNTEREXAMPLES` of them) joins the master at once,
which cuts the rounds. When none is consistent the points teach; this is confirmed by
:func:`teaching.uniqueness.verify` (CP-SAT for the class of all majorities, the SAT encoding
for a union of orbits), which is also the oracle above :data:`LIST_MAX_N`. Both bounds are
exact; a time limit gives ``"unknown"`` with the bounds proved.

Seeds: the competitors one or two variables away (``S`` minus one or two of its variables,
plus one or two others, or one swapped), those of them in ``C``.
"""

from __future__ import annotations

import time
from itertools import combinations

import numpy as np
from pysat.solvers import Solver

from boolfun.classes import FunctionClass, MajorityClass
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Majority
from teaching.dimension import TeachingResult
from teaching.examples import Examples
from teaching.solving import MASTER_SOLVER, check_time_limit, solve_sliced
from teaching.symbolic import SymbolicPoints
from teaching.uniqueness import check_target, verify

LIST_MAX_N = 18
"""Largest n whose ``2^n`` variable sets the exhaustive oracle lists (``2^n x n`` bytes)."""

COUNTEREXAMPLES = 16
"""Most counterexamples added to the master per round (one per kind, smallest kinds first)."""

def supports(f: BooleanFunction, cls: FunctionClass) -> bool:
    """Whether :func:`majority_teaching_dimension` applies: ``cls`` is the class of all
    majorities or a union of its orbits, and ``f`` is a majority on the first variables."""
    base = getattr(cls, "base", cls)
    if not isinstance(base, MajorityClass) or not isinstance(f, Majority):
        return False
    k = len(f.variables)
    return list(f.variables) == list(range(1, k + 1))


def column_order_clauses(sp: SymbolicPoints, blocks: list[list[int]]) -> list[list[int]]:
    """Clauses: inside each block of variables, column ``j`` of the points' matrix is
    lexicographically at most column ``j + 1`` (row 1 most significant):
    :meth:`teaching.symbolic.SymbolicPoints.column_order`."""
    return sp.column_order(blocks)


def seeds(f: Majority, cls: FunctionClass) -> list[BooleanFunction]:
    """Members of ``cls`` one or two variables away from ``f`` (see the module docstring);
    the interchangeable variables of each block are taken from its ends."""
    n = cls.n
    s = list(f.variables)
    rest = [v for v in range(1, n + 1) if v not in set(s)]
    sets: list[list[int]] = []
    for r in range(0, 3):
        for a in range(0, 3 - r):
            if r == a == 0 or r > len(s) or a > len(rest):
                continue
            for removed in combinations(s[-2:] if r else [], r):
                for added in combinations(rest[:2] if a else [], a):
                    sets.append(sorted(set(s) - set(removed) | set(added)))
    out: list[BooleanFunction] = []
    seen: set[str] = set()
    for t in sets:
        try:
            h = cls.coerce(Majority(n, t))
        except ValueError:
            continue
        if str(h) not in seen and t != s:  # distinct sets are distinct functions
            seen.add(str(h))
            out.append(h)
    return out


def member_sets(cls: FunctionClass) -> np.ndarray:
    """The members of ``cls`` (all majorities, or those of a union's sizes) as the rows of a
    ``(m, n)`` 0/1 matrix of their variable sets (``n <= LIST_MAX_N``)."""
    n = cls.n
    r = np.arange(2**n, dtype=np.int64)
    sets = ((r[:, None] >> np.arange(n, dtype=np.int64)) & 1).astype(np.uint8)
    keys = getattr(cls, "keys", None)
    if keys is not None:
        sets = sets[np.isin(sets.sum(axis=1), [int(q) for q in keys if q != "constant"])]
    return sets


def consistent_members(sets: np.ndarray, f: Majority, pts: np.ndarray) -> np.ndarray:
    """Indices of the rows ``T`` of ``sets`` with ``Majority(T) = f`` on every point of
    ``pts`` and ``T != S`` (``S`` the variable set of ``f``)."""
    size = sets.sum(axis=1, dtype=np.int64)
    if len(pts) == 0:
        ok = np.ones(len(sets), dtype=bool)
    else:
        counts = sets.astype(np.int64) @ pts.T.astype(np.int64)  # |z & T|, (m, t)
        labels = 2 * counts - size[:, None] >= 1
        ok = (labels == f.evaluate(pts).astype(bool)[None, :]).all(axis=1)
    s = np.zeros(sets.shape[1], dtype=np.uint8)
    s[[v - 1 for v in f.variables]] = 1
    ok &= (sets != s[None, :]).any(axis=1)
    return np.flatnonzero(ok)


def pick(sets: np.ndarray, rows: np.ndarray, k: int, most: int) -> list[int]:
    """One row of each kind ``(|S - T|, |T - S|)`` (``S`` the first ``k`` variables),
    the kinds with the fewest changes first, at most ``most`` rows."""
    removed = k - sets[rows, :k].sum(axis=1, dtype=np.int64)
    added = sets[rows, k:].sum(axis=1, dtype=np.int64)
    first: dict[tuple[int, int], int] = {}
    for r, a, b in zip(rows.tolist(), removed.tolist(), added.tolist(), strict=True):
        first.setdefault((a, b), r)
    order = sorted(first, key=lambda ab: (ab[0] + ab[1], ab))
    return [first[ab] for ab in order[:most]]


def majority_teaching_dimension(
    f: BooleanFunction, cls: FunctionClass, time_limit: float | None = None,
    at_most: int | None = None,
) -> TeachingResult:
    """``TD(f, C)`` for ``f = Majority(x_1..x_k)`` in the class of all majorities or a union of
    its orbits (:func:`supports`), by the symmetric symbolic search of the module docstring.
    ``time_limit`` (seconds): past it ``"unknown"`` with the bounds proved. ``at_most``: stop
    as soon as ``TD > at_most`` is proved ("unknown" with ``lower_bound = at_most + 1``; the
    rounds of a teaching plan need only the orbits of the round's minimum)."""
    if at_most is not None and (isinstance(at_most, bool) or not isinstance(at_most, int)
                                or at_most < 0):
        raise ValueError(f"at_most: must be a non-negative integer or None, got {at_most!r}")
    if not supports(f, cls):
        raise ValueError(
            "f: the symmetric majority search needs Majority(x1..xk) in the class of all "
            f"majorities or a union of its orbits, got {f} in {cls.short_name()}"
        )
    target = check_target(f, cls)
    limit = check_time_limit(time_limit)
    start = time.perf_counter()
    n, k = cls.n, len(f.variables)  # type: ignore[attr-defined]
    blocks = [list(range(k)), list(range(k, n))]

    def left() -> float | None:
        return None if limit is None else max(1e-3, limit - (time.perf_counter() - start))

    def expired() -> bool:
        return limit is not None and time.perf_counter() - start >= limit

    competitors = seeds(f, cls)  # type: ignore[arg-type]
    sets = member_sets(cls) if n <= LIST_MAX_N else None
    lower, iterations = 0, 0
    best: Examples | None = None
    upper: int | None = None

    def result(status: str) -> TeachingResult:
        return TeachingResult(
            target, cls, status, lower, best, list(competitors), iterations,  # type: ignore
            time.perf_counter() - start, method="symbolic", upper_bound=upper,
            proof="symmetric_hitting" if lower > 0 else "trivial",
            upper_from="search" if upper is not None else "",
        )

    empty = Examples(np.zeros((0, n), np.uint8), np.zeros(0, np.uint8))
    v = verify(target, cls, empty, time_limit=left())
    if v.status == "unknown":
        return result("unknown")
    if v.unique:
        best, upper = empty, 0
        return result("exact")
    if v.competitor is not None:
        competitors.append(v.competitor)
    t = lower = 1
    while upper is None:
        if at_most is not None and lower > at_most:
            return result("unknown")
        if expired():
            return result("unknown")
        sp = SymbolicPoints(target, t)
        for h in competitors:
            sp.separate(h)
        sp.clauses += column_order_clauses(sp, blocks)
        with Solver(name=MASTER_SOLVER, bootstrap_with=sp.clauses) as s:
            while True:
                if expired():
                    return result("unknown")
                iterations += 1
                r = solve_sliced(s, None if limit is None else start + limit)
                if r is None:
                    return result("unknown")
                if not r:  # no t points (in the least image's orders) separate: TD > t
                    lower = t = t + 1
                    break
                pts = sp.points(s.get_model())
                ex = Examples(pts, target.evaluate(pts).astype(np.uint8))
                if sets is not None:
                    rows = consistent_members(sets, f, pts)  # type: ignore[arg-type]
                    if len(rows):
                        for r in pick(sets, rows, k, COUNTEREXAMPLES):
                            h = cls.coerce(Majority(n, (np.flatnonzero(sets[r]) + 1).tolist()))
                            competitors.append(h)
                            s.append_formula(sp.separate(h))
                        continue
                v = verify(target, cls, ex, time_limit=left())
                if v.status == "unknown":
                    return result("unknown")
                if v.unique:
                    best, upper = ex, t
                    break
                competitors.append(v.competitor)  # type: ignore[arg-type]
                s.append_formula(sp.separate(v.competitor))  # type: ignore[arg-type]
    return result("exact")
