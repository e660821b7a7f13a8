"""The symmetric search for majorities (``teaching.majority_td``).

Independent reasons for what is asserted:

* every orbit's TD (n <= 8) and the TD against unions of orbits (the RTD rounds) must equal
  the hitting set over listed points (:func:`teaching.dimension.teaching_dimension`), a
  different algorithm without symmetry breaking;
* the teaching sets found are checked by brute force against the listed class, and the
  exhaustive counterexample oracle against evaluating every listed member;
* the plan of :func:`teaching.orbit_figures.orbit_figures` (each round stops an orbit's search
  once it is proved above the round's least TD) must equal every round recomputed in full by
  the points solver;
* the column-order clauses are checked against the definition: the lexicographically least
  image of a point set under the stabiliser (computed by trying every permutation) satisfies
  them, and a matrix with two columns of a block out of order violates them.
"""

from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysat.solvers import Solver

from boolfun.bits import all_inputs
from boolfun.classes import MajorityClass, ParityClass
from boolfun.linear_threshold import Majority
from teaching.dimension import teaching_dimension
from teaching.majority_td import (
    column_order_clauses,
    consistent_members,
    majority_teaching_dimension,
    member_sets,
    supports,
)
from teaching.orbit_figures import orbit_figures, orbit_union, symmetry
from teaching.symbolic import SymbolicPoints


@pytest.mark.parametrize("n", range(1, 9))
def test_every_orbit_agrees_with_the_points_solver(n):
    cls = MajorityClass(n)
    sym = symmetry(cls)
    for k in sym.keys:
        rep = sym.representative(k)
        got = majority_teaching_dimension(rep, cls)
        want = teaching_dimension(rep, cls)
        assert got.status == "exact" and got.td == want.td, (n, k)
        assert got.upper_bound == got.td and len(got.examples) == got.td


@pytest.mark.parametrize("n, keys", [(5, [2, 3, 4, 5]), (5, [3, 5]), (6, [4, 5, 6]),
                                     (6, [0, 6]), (6, [1, 3, 5])])
def test_unions_agree_with_the_points_solver(n, keys):
    union = orbit_union(MajorityClass(n), keys)
    sym = symmetry(MajorityClass(n))
    for k in keys:
        rep = sym.representative(k)
        got = majority_teaching_dimension(rep, union)
        assert got.status == "exact"
        assert got.td == teaching_dimension(rep, union).td, (n, keys, k)


@pytest.mark.parametrize("n", [4, 6])
def test_teaching_sets_teach_by_brute_force(n):
    cls = MajorityClass(n)
    members = cls.enumerate()
    sym = symmetry(cls)
    for k in sym.keys:
        rep = sym.representative(k)
        ex = majority_teaching_dimension(rep, cls).examples
        assert np.array_equal(rep.evaluate(ex.xs), ex.ys)
        consistent = [h for h in members if np.array_equal(h.evaluate(ex.xs), ex.ys)]
        assert [str(h) for h in consistent] == [str(rep)]


def _least_image(pts: np.ndarray, k: int) -> np.ndarray:
    """The lexicographically least row-sorted matrix over every permutation of the first
    ``k`` columns and of the rest (brute force)."""
    n = pts.shape[1]
    best = None
    for p in permutations(range(k)):
        for q in permutations(range(k, n)):
            m = pts[:, list(p) + list(q)]
            m = m[np.lexsort(m.T[::-1])]
            key = m.ravel().tolist()
            if best is None or key < best[0]:
                best = (key, m)
    return best[1]


def _satisfied(pts: np.ndarray, k: int) -> bool:
    t, n = pts.shape
    sp = SymbolicPoints(Majority(n, list(range(1, k + 1))), t)
    clauses = sp.clauses + column_order_clauses(sp, [list(range(k)), list(range(k, n))])
    fixed = [[sp.z[i][j] if pts[i, j] else -sp.z[i][j]] for i in range(t) for j in range(n)]
    with Solver(name="minisat22", bootstrap_with=clauses + fixed) as s:
        return s.solve()


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 5), st.integers(0, 5), st.integers(1, 4), st.data())
def test_least_image_satisfies_the_orders(n, k, t, data):
    k = min(k, n)
    rows = data.draw(st.sets(st.integers(0, 2 ** n - 1), min_size=t, max_size=t))
    pts = all_inputs(n)[sorted(rows)]
    assert _satisfied(_least_image(pts, k), k)


def test_columns_out_of_order_are_excluded():
    # columns 1 and 2 read top to bottom: (1, 1) > (0, 1)
    pts = np.array([[1, 0, 1], [1, 1, 1]], dtype=np.uint8)
    assert not _satisfied(pts, 2)  # both in S = {x1, x2}: excluded
    assert _satisfied(pts, 1)  # different blocks; columns 2 and 3, (0, 1) <= (1, 1): allowed


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.data())
def test_consistent_members_are_those_agreeing_on_the_points(n, data):
    k = data.draw(st.integers(0, n))
    keys = data.draw(st.none() | st.sets(st.integers(0, n), min_size=1))
    base = MajorityClass(n)
    cls = base if keys is None else orbit_union(base, keys | {k})
    f = Majority(n, list(range(1, k + 1)))
    rows = data.draw(st.sets(st.integers(0, 2 ** n - 1), max_size=4))
    pts = all_inputs(n)[sorted(rows)]
    sets = member_sets(cls)
    got = {str(Majority(n, (np.flatnonzero(sets[r]) + 1).tolist()))
           for r in consistent_members(sets, f, pts)}
    want = {str(h) for h in cls.enumerate()
            if str(h) != str(f) and np.array_equal(h.evaluate(pts), f.evaluate(pts))}
    assert got == want


@pytest.mark.parametrize("n", [5, 6])
def test_at_most_stops_above_the_cap_and_is_exact_below(n):
    cls = MajorityClass(n)
    sym = symmetry(cls)
    for k in sym.keys:
        rep = sym.representative(k)
        td = teaching_dimension(rep, cls).td
        capped = majority_teaching_dimension(rep, cls, at_most=td - 1)
        assert capped.status == "unknown" and capped.lower_bound == td
        assert majority_teaching_dimension(rep, cls, at_most=td).td == td


def test_plan_agrees_with_rounds_by_the_points_solver():
    # the plan of orbit_figures (rounds capped at the round's least TD) against every round
    # recomputed in full by the hitting set over listed points, without caps or symmetry
    n = 7
    cls = MajorityClass(n)
    sym = symmetry(cls)
    got = orbit_figures(cls)
    alive, want = list(sym.keys), []
    while alive:
        among = cls if not want else orbit_union(cls, alive)
        tds = {k: teaching_dimension(sym.representative(k), among).td for k in alive}
        low = min(tds.values())
        want.append((low, tuple(k for k in alive if tds[k] == low)))
        alive = [k for k in alive if tds[k] != low]
    assert [(la.td, la.keys) for la in got.layers] == want
    assert got.rtd_status == "exact" and got.rtd == max(t for t, _ in want)


def test_rejects_what_it_does_not_handle():
    assert not supports(Majority(4, [2, 3]), MajorityClass(4))
    assert not supports(Majority(4, [1, 2]), ParityClass(4))
    with pytest.raises(ValueError, match="f:"):
        majority_teaching_dimension(Majority(4, [2, 3]), MajorityClass(4))
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="at_most"):
            majority_teaching_dimension(Majority(4, [1, 2]), MajorityClass(4), at_most=bad)


def test_time_limit_gives_unknown_with_bounds():
    cls = MajorityClass(12)
    r = majority_teaching_dimension(Majority(12, list(range(1, 13))), cls, time_limit=0.5)
    assert r.status == "unknown" and r.td is None
    assert r.upper_bound is None or r.lower_bound <= r.upper_bound
