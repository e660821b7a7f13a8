"""What speeds up the symbolic search must not change its answers: the symmetry breaking on
the target's unused variables and the points assigned to disjoint competitors keep every
teaching set's image (the master with *all* members of a small class as competitors is
satisfiable exactly from TD on), the nearest-competitor oracle gives the same verdicts as
``verify``, and the signed sequence for DNF / CNF with literals of both signs is labelled by
the target, is the dual for CNF, and teaches when completed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pysat.solvers import Solver

from boolfun.classes import make_class
from boolfun.normal_forms import CNF, DNF, Conjunction
from boolfun.samplers import sample_prompts
from teaching.construct import compact_construction, teaching_sequence
from teaching.dimension import teaching_dimension_by_enumeration
from teaching.dnf_construction import signed_cnf_sequence, signed_dnf_sequence
from teaching.examples import Examples
from teaching.near_competitor import nearest_competitor
from teaching.symbolic import master_cnf, symbolic_teaching_dimension, symmetry_of
from teaching.uniqueness import verify


def _sat(clauses) -> bool:
    with Solver(name="cd19", bootstrap_with=clauses) as s:
        return s.solve()


def _differences(f, members, n):
    pts = np.array([[(i >> j) & 1 for j in range(n)] for i in range(2**n)], np.uint8)
    fv = f.evaluate(pts)
    return [frozenset(np.flatnonzero(h.evaluate(pts) != fv).tolist()) for h in members]


def test_symmetry_of_names_the_unused_variables_and_the_flips():
    f = Conjunction(6, [1, -3])
    s = symmetry_of(f, make_class("conjunction", 6))
    assert s.blocks == ((1, 3, 4, 5),) and s.flips and s.flipped == (1, 3, 4, 5)
    s = symmetry_of(Conjunction(6, [1, 3]), make_class("monotone_conjunction", 6))
    assert s.blocks == ((1, 3, 4, 5),) and not s.flips
    assert symmetry_of(Conjunction(2, [1, -2]), make_class("conjunction", 2)) is None
    assert symmetry_of(f, make_class("all", 6)) is None  # not known to be symmetric
    with pytest.raises(ValueError, match="target must have n=5"):
        symmetry_of(f, make_class("conjunction", 5))
    with pytest.raises(ValueError, match="f must be a BooleanFunction"):
        symmetry_of("x1", make_class("conjunction", 6))


@pytest.mark.parametrize("name, n, params", [
    ("conjunction", 5, {}),
    ("monotone_conjunction", 5, {}),
    ("dnf", 3, {"terms": 2}),
    ("majority", 5, {}),
    ("threshold", 4, {}),
])
def test_broken_symmetry_keeps_a_teaching_set_of_every_size(name, n, params):
    """With every member of the class as a competitor, the master is satisfiable at k points
    iff some k points teach: the symmetry and the assignment must keep one of them."""
    cls = make_class(name, n, **params)
    members = cls.enumerate()
    rng = np.random.default_rng(5)
    picks = [m for m in members if 0 < len(m.mentioned_variables()) < n]
    for f in [picks[i] for i in rng.choice(len(picks), 3, replace=False)]:
        others = [h for h in members if _differences(f, [h], n)[0]]
        td = teaching_dimension_by_enumeration(f, cls)
        sym = symmetry_of(f, cls)
        free = set() if sym is None else {j + 1 for b in sym.blocks for j in b}
        diffs = _differences(f, others, n)
        family: list[int] = []  # greedy disjoint family, none mentioning a permuted variable
        for i, d in enumerate(diffs):
            if not free & set(others[i].mentioned_variables()) and all(
                    not d & diffs[j] for j in family):
                family.append(i)
        for k in (td - 1, td):
            if k < 0:
                continue
            assigned = [others[i] for i in family[:k]]
            want = k >= td
            assert _sat(master_cnf(f, others, k, sym)) is want, (str(f), k)
            assert _sat(master_cnf(f, others, k, sym, assigned)) is want, (str(f), k)


def test_the_search_agrees_with_and_without_symmetry_on_dnf():
    cls = make_class("dnf", 4, terms=3)
    for f in sample_prompts("dnf", 2, 2, 4, seed=3, return_functions=True).functions:
        a = symbolic_teaching_dimension(f, cls)
        b = symbolic_teaching_dimension(f, cls, symmetric=False)
        assert a.td == b.td == teaching_dimension_by_enumeration(f, cls)
        assert b.proof != "symmetric_hitting"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1), st.integers(0, 6))
def test_nearest_competitor_gives_verifys_verdict(seed, m):
    n = 5
    cls = make_class("dnf", n, terms=3)
    rng = np.random.default_rng(seed)
    f = cls.coerce(sample_prompts("dnf", 1, 2, n, seed=seed, return_functions=True).functions[0])
    xs = rng.integers(0, 2, size=(m, n), dtype=np.uint8)
    ex = Examples.labelled_by(f, xs)
    a, b = verify(f, cls, ex), nearest_competitor(f, cls, ex)
    assert a.status == b.status
    if b.competitor is not None:
        assert ex.consistent_with(b.competitor)
        z = b.witness.reshape(1, n)
        assert b.competitor.evaluate(z)[0] != f.evaluate(z)[0]


def test_nearest_competitor_is_one_edit_away_when_nothing_is_shown():
    n = 6
    cls = make_class("dnf", n, terms=2)
    f = DNF(n, [[1, 2], [3, -4]])
    v = nearest_competitor(f, cls, Examples(np.zeros((0, n), np.uint8), np.zeros(0, np.uint8)))
    h = v.competitor
    assert v.status == "not_unique" and len(h.groups) == 2
    changed = [len(set(a) ^ set(b)) for a, b in zip(h.groups, f.groups, strict=True)]
    assert sorted(changed) == [0, 1]
    with pytest.raises(ValueError, match="max_distance"):
        nearest_competitor(f, cls, Examples(np.zeros((0, n), np.uint8), np.zeros(0, np.uint8)),
                           max_distance=-1)


def test_signed_sequence_of_one_term_is_the_conjunction_sequence():
    """One term in the class of one-term DNFs (conjunctions and the constant 0): two positives
    and one negative per literal, k + 2 points, which teach (Goldman & Kearns)."""
    n = 7
    cls = make_class("dnf", n, terms=1)
    for lits in ([1, -3, 5], [-2], [1, 2, 3, 4, -5, -6]):
        f = DNF(n, [lits])
        ex = signed_dnf_sequence(f)
        assert ex.consistent_with(f) and len(ex) == len(lits) + 2
        assert verify(f, cls, ex).unique


def test_signed_cnf_is_the_dual_and_the_completion_teaches():
    n = 8
    for f in sample_prompts("cnf", 3, 2, n, seed=2, return_functions=True).functions:
        g = DNF(n, [tuple(c) for c in f.groups])
        a, b = signed_cnf_sequence(f), signed_dnf_sequence(g)
        assert a.consistent_with(f) and np.array_equal(a.xs, 1 - b.xs)
        cls, dual = make_class("cnf", n, clauses=3), make_class("dnf", n, terms=3)
        assert verify(f, cls, a).unique == verify(g, dual, b).unique
        ex = teaching_sequence(f, cls, "greedy", time_limit=60)
        assert verify(f, cls, ex).unique
    assert isinstance(compact_construction(f, make_class("cnf", n, clauses=3)), Examples)
    with pytest.raises(ValueError, match="must be a CNF"):
        signed_cnf_sequence(DNF(n, [[1]]))
    with pytest.raises(ValueError, match="must be a DNF"):
        signed_dnf_sequence(CNF(n, [[1]]))


def test_certificate_carries_the_assigned_family_and_rejects_a_false_one():
    """The refutation's assignment (point i in D(h_i)) is re-checked: its competitors must be
    pairwise disjoint, so claiming more of them, or ones that overlap, fails."""
    import copy

    from boolfun.parse import parse
    from teaching.certificate import check_certificate, make_certificate

    cls = make_class("sparse_parity", 12, k=2)
    r = symbolic_teaching_dimension(parse("x1 ^ x3", 12), cls, symmetric=False)
    assert r.status == "exact" and r.proof == "hitting_set" and r.assigned >= 1
    cert = make_certificate(r)
    assert cert["proof"]["assigned"] == r.assigned and check_certificate(cert).valid
    bad = copy.deepcopy(cert)
    bad["proof"]["assigned"] = len(bad["proof"]["competitors"])  # they overlap (sparse parity)
    check = check_certificate(bad)
    assert not check.valid and any("overlap" in e for e in check.errors)
    for value in (-1, "1", 1.0, len(cert["proof"]["competitors"]) + 1):
        bad["proof"]["assigned"] = value
        check = check_certificate(bad)
        assert not check.valid and any("proof.assigned" in e for e in check.errors), value
