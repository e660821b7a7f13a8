"""The restriction lemma (:mod:`teaching.restriction`) and the compact monotone DNF/CNF
sequence: checked against the truth-table solver where both run, and at the paper's n = 28,
where the restriction and the compact sequence are what make the answers exact."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolfun.bits import all_inputs
from boolfun.classes import make_class
from boolfun.linear_threshold import Majority
from boolfun.normal_forms import CNF, DNF
from boolfun.samplers import sample_prompts
from teaching.certificate import check_certificate, make_certificate
from teaching.construct import compact_construction, paper_construction
from teaching.dimension import teaching_dimension
from teaching.dnf_construction import compact_dnf_sequence, negative_groups
from teaching.majority_td import majority_teaching_dimension
from teaching.restriction import FILLS, rename, restricted_bounds, restriction
from teaching.symbolic import greedy_teaching_set, symbolic_teaching_dimension
from teaching.uniqueness import verify

SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- renaming and lifting -------------------------------------------------------------------


@SLOW
@given(st.sampled_from(["majority", "threshold", "monotone_dnf", "dnf"]),
       st.integers(0, 2**31 - 1))
def test_restricting_and_renaming_back_gives_the_same_function(task, seed):
    n = 7
    cls = make_class(*{"majority": ("majority", n), "threshold": ("threshold", n),
                       "monotone_dnf": ("dnf", n), "dnf": ("dnf", n)}[task],
                     **({"terms": 3} if "dnf" in task else {}))
    f = cls.coerce(sample_prompts(task, 1, 2, n, seed=seed, return_functions=True).functions[0])
    r = restriction(f, cls, extra=1)
    if r is None:  # f mentions n - 1 or more variables
        assert len(f.mentioned_variables()) >= n - 1
        return
    back = r.lift(r.target, n)
    assert np.array_equal(back.table_values(), f.table_values())
    # a point and its projection onto V get the same label from f and f|V
    pts = all_inputs(n)
    proj = pts[:, [v - 1 for v in r.variables]]
    assert np.array_equal(f.evaluate(pts), r.target.evaluate(proj))


def test_fill_rules():
    cls = make_class("majority", 8)
    r = restriction(Majority(8, [2, 5]), cls, extra=1)
    assert r.variables == (2, 5, 1) and r.mentioned == (2, 5)
    xs = np.array([[1, 0, 1], [0, 1, 0]], dtype=np.uint8)
    for fill in FILLS:
        out = r.lift_points(xs, 8, fill)
        assert np.array_equal(out[:, [1, 4, 0]], xs)
        rest = out[:, [2, 3, 5, 6, 7]]
        want = {"zeros": 0, "ones": 1}.get(fill)
        if want is None:  # the spare variable x1's column, copied
            assert (rest == xs[:, [2]]).all()
        else:
            assert (rest == want).all()
    with pytest.raises(ValueError, match="fill"):
        r.lift_points(xs, 8, "random")


def test_rename_refuses_other_representations():
    from boolfun.parity import Parity

    with pytest.raises(ValueError, match="h: no renaming"):
        rename(Parity(3, [1]), 5, lambda j: j)


# -- the lemma, against the truth-table solver ----------------------------------------------


@pytest.mark.parametrize("task, name, n, params", [
    ("majority", "majority", 7, {}),
    ("threshold", "threshold", 5, {}),  # TD grows as 2^(n-1) for the near-constant ones
    ("monotone_dnf", "dnf", 7, {"terms": 3, "monotone": True}),
])
def test_restricted_bounds_bracket_the_exact_teaching_dimension(task, name, n, params):
    """The truth-table solver gives TD(f, C(n)); the restriction's lower bound must not
    exceed it, and a lifted set (verified) must teach with at least that many points."""
    cls = make_class(name, n, **params)
    fs = sample_prompts(task, 6, 2, n, seed=3, return_functions=True).functions
    seen = 0
    for f in fs:
        f = cls.coerce(f)
        rb = restricted_bounds(f, cls)
        if rb is None:
            continue
        seen += 1
        exact = teaching_dimension(f, cls)
        assert exact.status == "exact"
        assert rb.lower <= exact.td
        if rb.examples is not None:
            assert verify(f, cls, rb.examples).unique
            assert len(rb.examples) >= exact.td
        # the renamed competitors are members of C(n), all different from f
        for h in rb.competitors:
            assert h in cls and not np.array_equal(h.table_values(), f.table_values())
    assert seen >= 3


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6, 7])
def test_majorities_at_n28_equal_their_restriction(k):
    """TD of Majority(S) at n = 28 is TD at |S| variables (the symmetric solver run
    separately there): the lifted set is verified at n = 28 by the oracle."""
    n = 28
    vs = sorted(np.random.default_rng(k).choice(np.arange(1, n + 1), k, replace=False).tolist())
    f = Majority(n, vs)
    cls = make_class("majority", n)
    r = symbolic_teaching_dimension(f, cls, time_limit=120)
    small = majority_teaching_dimension(Majority(k, range(1, k + 1)), make_class("majority", k))
    assert r.status == "exact" and small.status == "exact"
    assert r.td == small.td
    assert r.upper_from.startswith("restriction")
    assert len(r.examples) == r.td and verify(f, cls, r.examples).unique


def test_threshold_at_n28_is_bounded_never_guessed():
    """No construction teaches a 0-1 threshold at n = 28; the restriction gives a proved lower
    bound, the greedy completion a verified teaching set; whatever the status, the bounds
    bracket and a reported set teaches."""
    n = 28
    cls = make_class("threshold", n)
    f = cls.coerce(sample_prompts("threshold", 1, 2, n, seed=5,
                                  return_functions=True).functions[0])
    r = symbolic_teaching_dimension(f, cls, time_limit=10)
    assert r.lower_bound >= 1
    if r.upper_bound is not None:
        assert r.lower_bound <= r.upper_bound
        assert verify(f, cls, r.examples).unique and len(r.examples) == r.upper_bound
    if r.status == "exact":
        assert r.td == r.upper_bound


# -- the greedy teaching set ----------------------------------------------------------------


@SLOW
@given(st.sampled_from(["majority", "threshold", "conjunction"]), st.integers(0, 2**31 - 1))
def test_greedy_teaching_set_teaches_and_is_irredundant(task, seed):
    n = 5  # the truth-table TD of thresholds takes seconds from n = 6 on
    cls = make_class(task, n)
    f = cls.coerce(sample_prompts(task, 1, 2, n, seed=seed, return_functions=True).functions[0])
    ex = greedy_teaching_set(f, cls)
    assert ex is not None and ex.consistent_with(f)
    assert verify(f, cls, ex).unique
    for i in range(len(ex)):
        assert not verify(f, cls, ex.drop(i)).unique
    assert len(ex) >= teaching_dimension(f, cls).td


# -- the compact monotone DNF / CNF sequence ------------------------------------------------


def _irredundant_dnfs(n: int, terms: int):
    """Monotone DNFs of exactly ``terms`` distinct terms, none inside another."""
    term = st.frozensets(st.integers(1, n), min_size=1, max_size=3)
    return st.lists(term, min_size=terms, max_size=terms, unique=True).filter(
        lambda gs: not any(a < b for a in gs for b in gs)
    ).map(lambda gs: DNF(n, [sorted(g) for g in gs]))


@SLOW
@given(_irredundant_dnfs(5, 3))
def test_compact_sequence_teaches_and_bounds_the_exact_value(f):
    """Against the truth-table solver at n = 5: for an irredundant 3-term DNF the compact
    sequence teaches, is never longer than the paper's, and TD >= k + max |T_i| (the
    disjoint family of the docstring) with equality when the cover reaches max |T_i|."""
    cls = make_class("dnf", 5, terms=3, monotone=True)
    ex = compact_dnf_sequence(f)
    assert ex.consistent_with(f)
    assert len(ex) <= len(paper_construction(f, cls))
    assert verify(f, cls, ex).unique
    td = teaching_dimension(f, cls).td
    k, widest = len(f.groups), max(len(g) for g in f.groups)
    assert td >= k + widest
    assert len(ex) >= td
    if len(ex) == k + widest:
        assert td == len(ex)


def test_compact_sequence_of_a_redundant_dnf_is_the_papers():
    f = DNF(6, [[1, 2], [1, 2, 3], [4]])  # the second term is absorbed by the first
    paper = paper_construction(f, make_class("dnf", 6, terms=3, monotone=True))
    assert np.array_equal(compact_dnf_sequence(f).xs, paper.xs)


def test_negative_groups_hold_one_pair_per_term_and_stay_negative():
    f = DNF(9, [[1, 2, 3], [3, 4, 5], [6, 7]])
    groups = negative_groups(tuple(tuple(g) for g in f.groups))
    assert groups
    for g in groups:
        assert len({i for i, _ in g}) == len(g)
        a = set().union(*(set(f.groups[i]) - {v} for i, v in g))
        point = np.array([[1 if j + 1 in a else 0 for j in range(9)]], dtype=np.uint8)
        assert not f.evaluate(point)[0]


def test_compact_cnf_is_the_dual():
    n = 8
    cls = make_class("cnf", n, clauses=3, monotone=True)
    f = CNF(n, [[1, 2], [3, 4, 5], [6, 7, 8]])
    ex = compact_construction(f, cls)
    assert ex.consistent_with(f) and verify(f, cls, ex).unique
    assert len(ex) == 3 + 3  # three clauses, the widest of 3: the pairwise-disjoint bound
    with pytest.raises(ValueError, match="for DNF and CNF classes"):
        compact_construction(Majority(n, [1, 2]), make_class("majority", n))


@pytest.mark.parametrize("name, task, params", [
    ("dnf", "monotone_dnf", {"terms": 3, "monotone": True}),
    ("cnf", "monotone_cnf", {"clauses": 3, "monotone": True}),
])
def test_paper_prior_dnf_and_cnf_at_n28_are_exact_with_checked_certificates(name, task, params):
    n = 28
    cls = make_class(name, n, **params)
    fs = sample_prompts(task, 4, 2, n, seed=3, return_functions=True).functions
    for f in fs:
        r = symbolic_teaching_dimension(f, cls, time_limit=60)
        assert r.status == "exact", (str(f), r.lower_bound, r.upper_bound)
        assert verify(f, cls, r.examples).unique and len(r.examples) == r.td
    cert = make_certificate(r)
    assert check_certificate(cert).valid
    bad = dict(cert, td=cert["td"] - 1, examples=cert["examples"][:-1])
    assert not check_certificate(bad).valid


# -- constructions at the paper's sizes -----------------------------------------------------


def test_majority_paper_construction_at_n28_is_lifted_and_teaches():
    from teaching.construct import teaching_sequence

    cls = make_class("majority", 28)
    for f in sample_prompts("majority", 4, 2, 28, seed=2, return_functions=True).functions:
        f = cls.coerce(f)
        if len(f.variables) + 1 > 10:  # essential points need n <= 10
            with pytest.raises(ValueError, match="n <= 10"):
                paper_construction(f, cls)
            continue
        ex = teaching_sequence(f, cls, "paper")
        assert ex.consistent_with(f) and verify(f, cls, ex).unique


def test_greedy_construction_teaches_a_threshold_at_n20():
    from teaching.construct import teaching_sequence

    cls = make_class("threshold", 20)
    f = cls.coerce(sample_prompts("threshold", 1, 2, 20, seed=4,
                                  return_functions=True).functions[0])
    ex = teaching_sequence(f, cls, "greedy", time_limit=120)
    assert ex.consistent_with(f) and verify(f, cls, ex).unique
    with pytest.raises(ValueError, match="construction must be one of paper, greedy, minimum"):
        teaching_sequence(f, cls, "best")


def test_majority_orbit_tds_through_the_restriction_equal_the_search_at_n():
    """Per orbit of the majorities at n = 8: the restriction (TD at k variables, lifted and
    verified) gives the same TD as the symmetric search run at n itself."""
    from teaching.orbit_figures import majority_orbit_td

    n = 8
    cls = make_class("majority", n)
    for k in range(n + 1):
        f = Majority(n, range(1, k + 1))
        r = majority_orbit_td(f, cls)
        direct = majority_teaching_dimension(f, cls)
        assert r.status == "exact" and direct.status == "exact"
        assert r.td == direct.td, k
        assert verify(f, cls, r.examples).unique and len(r.examples) == r.td
