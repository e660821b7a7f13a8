"""Teaching sets: constructions are unique (SAT) and of the sizes Goldman & Kearns prove;
the implicit hitting set agrees with the enumeration solver; certificates re-check and tampered
ones fail; dropping an example from a minimum set yields a valid competitor."""

import copy
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun import Conjunction, Disjunction, Majority, Parity, parse
from boolfun.classes import make_class
from boolfun.strategies import conjunctions, disjunctions, dnfs, majorities, parities
from teaching.certificate import check_certificate, make_certificate
from teaching.constructions import (
    conjunction_sequence,
    disjunction_sequence,
    parity_sequence,
    sparse_parity_sequence,
)
from teaching.dimension import TeachingOracle, teaching_dimension, teaching_dimension_by_enumeration
from teaching.examples import Examples
from teaching.uniqueness import verify


def expected_conjunction_td(k, n, monotone):
    """SPEC §2 (Goldman & Kearns): k+2 / n+1 / 2 and monotone k+1 / n / 1."""
    if monotone:
        return 1 if k == 0 else (n if k == n else k + 1)
    return 2 if k == 0 else (n + 1 if k == n else k + 2)


@pytest.mark.parametrize("monotone", [False, True])
@given(data=st.data())
def test_conjunction_construction_teaches_with_the_known_size(monotone, data):
    f = data.draw(conjunctions(n=st.integers(1, 12), monotone=monotone))
    cls = make_class("monotone_conjunction" if monotone else "conjunction", f.n)
    ex = conjunction_sequence(f, monotone=monotone)
    assert ex.consistent_with(f)
    assert len(ex) == expected_conjunction_td(len(f.literals), f.n, monotone)
    assert verify(f, cls, ex).unique


@pytest.mark.parametrize("monotone", [False, True])
@given(data=st.data())
def test_disjunction_construction_is_the_dual(monotone, data):
    f = data.draw(disjunctions(n=st.integers(1, 10), monotone=monotone))
    cls = make_class("monotone_disjunction" if monotone else "disjunction", f.n)
    ex = disjunction_sequence(f, monotone=monotone)
    assert len(ex) == expected_conjunction_td(len(f.literals), f.n, monotone)
    assert verify(f, cls, ex).unique


@given(parities(n=st.integers(1, 12)))
def test_parity_basis_teaches(f):
    assert verify(f, make_class("parity", f.n), parity_sequence(f)).unique


@given(data=st.data())
def test_sparse_parity_construction(data):
    n = data.draw(st.integers(1, 10))
    k = data.draw(st.integers(0, n))
    f = data.draw(parities(n=n, k=k))
    ex = sparse_parity_sequence(f)
    assert len(ex) == min(k, n - k)
    assert verify(f, make_class("sparse_parity", n, k=k), ex).unique


def test_conjunction_verify_at_n_64():
    f = Conjunction(64, [1, -5, 9, -33, 64])
    cls = make_class("conjunction", 64)
    ex = conjunction_sequence(f)
    assert verify(f, cls, ex).unique
    v = verify(f, cls, ex.drop(len(ex) - 1))
    assert v.status == "not_unique" and v.competitor in cls
    assert ex.drop(len(ex) - 1).consistent_with(v.competitor)
    assert v.competitor.evaluate(v.witness) != f.evaluate(v.witness)


SMALL_CLASSES = [
    ("conjunction", {}, 3),
    ("monotone_conjunction", {}, 4),
    ("disjunction", {}, 3),
    ("parity", {}, 3),
    ("sparse_parity", {"k": 2}, 4),
    ("majority", {}, 4),
    ("dnf", {"terms": 2}, 3),
    ("cnf", {"clauses": 2}, 3),
    ("threshold", {}, 3),
]


@pytest.mark.parametrize("name,params,n", SMALL_CLASSES)
def test_sat_and_enumeration_agree_on_every_function(name, params, n):
    cls = make_class(name, n, **params)
    for f in cls.enumerate():
        r = teaching_dimension(f, cls)
        assert r.status == "exact"
        assert r.td == teaching_dimension_by_enumeration(f, cls), f
        assert len(r.examples) == r.td and verify(f, cls, r.examples).unique


@pytest.mark.parametrize("name,params,n", SMALL_CLASSES[:6])
def test_minimum_sets_are_irredundant(name, params, n):
    cls = make_class(name, n, **params)
    for f in cls.enumerate()[:12]:
        ex = teaching_dimension(f, cls).examples
        for i in range(len(ex)):
            v = verify(f, cls, ex.drop(i))
            assert v.status == "not_unique"
            h = v.competitor
            assert h in cls and ex.drop(i).consistent_with(h)
            assert h.evaluate(v.witness) != f.evaluate(v.witness)


@settings(max_examples=8)
@given(f=dnfs(n=4, max_terms=2))
def test_dnf_td_matches_enumeration(f):
    cls = make_class("dnf", 4, terms=2)
    assert teaching_dimension(f, cls).td == teaching_dimension_by_enumeration(f, cls)


@pytest.mark.parametrize(
    "f,cls",
    [
        (Conjunction(5, [1, -2]), make_class("conjunction", 5)),
        (parse("(x1 & x2) | (x3 & ~x4) | x5", 6), make_class("dnf", 6, terms=3)),
        (Majority(5, [1, 2, 3]), make_class("majority", 5)),
        (Parity(5, [2, 4]), make_class("sparse_parity", 5, k=2)),
    ],
)
def test_certificates_recheck_and_tampering_fails(f, cls):
    cert = make_certificate(teaching_dimension(f, cls))
    assert check_certificate(cert).valid
    for i in range(len(cert["proof"]["competitors"])):
        t = copy.deepcopy(cert)
        del t["proof"]["competitors"][i]
        assert not check_certificate(t).valid
    t = copy.deepcopy(cert)
    t["examples"][0]["y"] ^= 1
    assert not check_certificate(t).valid
    t = copy.deepcopy(cert)
    t["td"] -= 1
    t["examples"] = t["examples"][1:]
    assert not check_certificate(t).valid
    t = copy.deepcopy(cert)
    t["proof"]["competitors"][0] = cert["target"]
    assert not check_certificate(t).valid


def test_known_td_values_from_the_exact_solver():
    n = 5
    conj = make_class("conjunction", n)
    for k in range(n + 1):
        f = Conjunction(n, list(range(1, k + 1)))
        assert teaching_dimension(f, conj).td == expected_conjunction_td(k, n, False)
    par = make_class("parity", 4)
    for s in itertools.chain.from_iterable(
        itertools.combinations(range(1, 5), m) for m in range(5)
    ):
        assert teaching_dimension(Parity(4, s), par).td == 4


@pytest.mark.parametrize(
    "call,needle",
    [
        (
            lambda: verify(
                Parity(3, [1, 2]),
                make_class("conjunction", 3),
                Examples(np.zeros((0, 3)), np.zeros(0)),
            ),
            "not in the class",
        ),
        (
            lambda: verify(
                Conjunction(3, [1]),
                make_class("conjunction", 3),
                Examples(np.zeros((1, 3)), np.ones(1)),
            ),
            "not labelled",
        ),
        (
            lambda: verify(
                Conjunction(3, [1]),
                make_class("conjunction", 3),
                Examples(np.zeros((1, 4)), np.zeros(1)),
            ),
            "width",
        ),
        (
            lambda: verify(
                parse("(x1&x2)|(x3&x4)|x5", 5),
                make_class("dnf", 5, terms=2),
                Examples(np.zeros((0, 5)), np.zeros(0)),
            ),
            "not in the class",
        ),
        (
            lambda: verify(
                Conjunction(3, [1]),
                make_class("conjunction", 3),
                Examples(np.zeros((0, 3)), np.zeros(0)),
                time_limit=-1,
            ),
            "time_limit",
        ),
        (
            # the points method lists 2^n points; teaching_dimension goes symbolic above 12
            lambda: TeachingOracle(Conjunction(13, [1]), make_class("conjunction", 13)),
            "n <= 12",
        ),
        (lambda: Examples(np.full((1, 3), 2), np.zeros(1)), "0 and 1"),
    ],
)
def test_bad_input(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


def test_time_limit_reports_unknown_never_exact():
    cls = make_class("dnf", 10, terms=3)
    f = parse("(x1 & x2 & ~x3) | (x4 & x5 & x6) | (~x7 & x8 & x9 & x10)", 10)
    r = teaching_dimension(f, cls, time_limit=0.05)
    assert r.status in ("unknown", "exact")
    if r.status == "unknown":
        assert r.td is None and r.examples is None


@given(majorities(n=4))
def test_majority_td_agrees(f):
    cls = make_class("majority", 4)
    assert teaching_dimension(f, cls).td == teaching_dimension_by_enumeration(f, cls)


def test_disjunction_class_is_dual():
    n = 4
    for f in make_class("disjunction", n).enumerate()[:20]:
        g = f.dual()
        assert (
            teaching_dimension(f, make_class("disjunction", n)).td
            == teaching_dimension(g, make_class("conjunction", n)).td
        )
    assert isinstance(f, Disjunction)


def test_minimality_and_irredundancy():
    from teaching.minimality import is_irredundant, is_minimal

    cls = make_class("conjunction", 5)
    f = Conjunction(5, [1, -2])
    ex = conjunction_sequence(f)
    m = is_minimal(f, cls, ex)
    assert m.minimal and m.td == 4 and m.teaches
    assert is_irredundant(f, cls, ex)
    # one extra example: still teaches, no longer minimal, and redundant
    extra = Examples(np.vstack([ex.xs, np.ones((1, 5), dtype=np.uint8)]), np.append(ex.ys, 0))
    m = is_minimal(f, cls, extra)
    assert m.teaches and m.minimal is False and m.size == 5
    assert is_irredundant(f, cls, extra) is False
    # a set that does not teach
    assert is_minimal(f, cls, ex.drop(0)).teaches is False
