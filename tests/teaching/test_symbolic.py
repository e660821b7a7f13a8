"""The exact teaching dimension without listing the points (:mod:`teaching.symbolic`): it
agrees with the truth-table solver and with brute force where those run, gives the known
closed forms at n = 28 and 64, never answers more than it proved under a time limit, and its
certificates are re-checked by another SAT solver and reject every tampering."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolfun.classes import make_class
from boolfun.normal_forms import Conjunction
from boolfun.parse import parse
from boolfun.samplers import sample_prompts
from teaching.certificate import FORMAT_SYMBOLIC, check_certificate, make_certificate
from teaching.dimension import teaching_dimension, teaching_dimension_by_enumeration
from teaching.symbolic import (
    master_cnf,
    neighbours,
    overlap,
    separable,
    symbolic_teaching_dimension,
    symmetry_of,
)
from teaching.uniqueness import verify

SMALL = [
    ("conjunction", "conjunction", 5, {}),
    ("monotone_conjunction", "monotone_conjunction", 5, {}),
    ("disjunction", "disjunction", 5, {}),
    ("dnf", "dnf", 4, {"terms": 2}),
    ("dnf", "monotone_dnf", 5, {"terms": 3, "monotone": True}),
    ("cnf", "monotone_cnf", 5, {"clauses": 3, "monotone": True}),
    ("majority", "majority", 5, {}),
    ("threshold", "threshold", 4, {}),
    ("sparse_parity", "sparse_parity", 5, {"k": 2}),
]


@pytest.mark.parametrize("cls_name, task, n, params", SMALL)
def test_agrees_with_brute_force_on_small_classes(cls_name, task, n, params):
    cls = make_class(cls_name, n, **params)
    s = sample_prompts(task, 4, 2, n, seed=11, return_functions=True)
    for f in s.functions:
        r = symbolic_teaching_dimension(f, cls)
        assert r.status == "exact" and r.method == "symbolic"
        assert r.td == teaching_dimension_by_enumeration(f, cls)
        assert len(r.examples) == r.td and verify(f, cls, r.examples).unique
        if r.td:
            sym = symmetry_of(r.target, cls) if r.proof == "symmetric_hitting" else None
            assert separable(f, r.competitors, r.td - 1, symmetry=sym) is False or (
                r.proof == "disjoint")
        plain = symbolic_teaching_dimension(f, cls, symmetric=False)
        assert plain.td == r.td and plain.proof != "symmetric_hitting"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**31 - 1))
def test_agrees_with_the_truth_table_solver(seed):
    cls = make_class("conjunction", 7)
    f = sample_prompts("conjunction", 1, 2, 7, seed=seed, return_functions=True).functions[0]
    assert symbolic_teaching_dimension(f, cls).td == teaching_dimension(f, cls).td


@pytest.mark.parametrize("n", [28, 64])
def test_conjunctions_at_the_papers_sizes_have_the_known_teaching_dimension(n):
    """Goldman & Kearns (1995): a conjunction of r < n literals has TD r + 2 (two positives
    fix the literals, one negative per literal shows it is needed) and a monotone one r + 1."""
    for cls_name, task, extra in (("conjunction", "conjunction", 2),
                                  ("monotone_conjunction", "monotone_conjunction", 1)):
        cls = make_class(cls_name, n)
        for f in sample_prompts(task, 3, 2, n, seed=n, return_functions=True).functions:
            r = teaching_dimension(f, cls, time_limit=120)  # symbolic above n = 12
            assert r.method == "symbolic" and r.status == "exact"
            assert r.td == len(f.literals) + extra, str(f)
            assert verify(f, cls, r.examples).unique


def test_parity_is_n_by_rank():
    cls = make_class("parity", 20)
    r = teaching_dimension(parse("x3 ^ x7 ^ x20", 20), cls)
    assert (r.td, r.proof) == (20, "gf2") and verify(r.target, cls, r.examples).unique


def test_master_is_the_hitting_condition():
    """Two conjunctions differing from f = x1 only at disjoint places need two points; the
    master refutes one point and finds two."""
    f = Conjunction(3, [1])
    g, h = Conjunction(3, [1, 2]), Conjunction(3, [])
    assert overlap(f, g, h) is None  # D(g): x1=1,x2=0; D(h): x1=0
    assert separable(f, [g, h], 1) is False and separable(f, [g, h], 2) is True
    assert master_cnf(f, [g], 2)  # clauses exist
    assert {str(x) for x in neighbours(f, make_class("conjunction", 3))} >= {"True", "x1 & x2"}


def test_time_limit_gives_unknown_with_proved_bounds_never_a_value():
    cls = make_class("dnf", 28, terms=3, monotone=True)
    f = sample_prompts("monotone_dnf", 1, 2, 28, seed=5, return_functions=True).functions[0]
    r = symbolic_teaching_dimension(f, cls, time_limit=1.0)
    if r.status == "unknown":
        assert r.td is None
        assert r.upper_bound is None or r.lower_bound <= r.upper_bound
        assert r.seconds < 30
    else:  # solved within the second: then it must be proved
        assert verify(f, cls, r.examples).unique


# -- certificates ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cert64():
    cls = make_class("conjunction", 64)
    r = teaching_dimension(parse("x1 & ~x5 & x9", 64), cls)
    return make_certificate(r)


def test_certificate_at_n64_is_symbolic_and_checks(cert64):
    assert cert64["format"] == FORMAT_SYMBOLIC and cert64["td"] == 5
    assert cert64["proof"]["kind"] == "disjoint" and len(cert64["proof"]["competitors"]) == 5
    check = check_certificate(cert64)
    assert check.valid, check.errors


def _tampered(cert, how):
    c = copy.deepcopy(cert)
    if how == "drop a competitor":
        c["proof"]["competitors"].pop()
    elif how == "change a label":
        c["examples"][0]["y"] = 1 - c["examples"][0]["y"]
    elif how == "swap the target":
        c["target"] = "x1 & ~x5"
    elif how == "claim a smaller size":
        c["td"] -= 1
        c["examples"].pop()
    elif how == "competitor equal to the target":
        c["proof"]["competitors"][0] = c["target"]
    elif how == "overlapping competitors":
        c["proof"]["competitors"][0] = "x1 & x9"
        c["proof"]["competitors"][1] = "x1 & ~x5 & x9 & x2"
    elif how == "hitting proof of too few":
        c["proof"]["kind"] = "hitting_set"
        c["proof"]["competitors"] = c["proof"]["competitors"][:2]
    return c


@pytest.mark.parametrize("how", [
    "drop a competitor", "change a label", "swap the target", "claim a smaller size",
    "competitor equal to the target", "overlapping competitors", "hitting proof of too few",
])
def test_certificate_checker_rejects_every_tampering(cert64, how):
    check = check_certificate(_tampered(cert64, how))
    assert not check.valid, how


def test_hitting_set_certificate_checks_and_rejects():
    """Sparse parities (k = 2): no two competitors' difference sets are disjoint enough, so
    the lower bound is the master's refutation, re-solved by the checker's own solver."""
    cls = make_class("sparse_parity", 5, k=2)
    f = parse("x1 ^ x3", 5)
    r = symbolic_teaching_dimension(f, cls, symmetric=False)  # a certificate holds no symmetry
    assert r.status == "exact" and r.proof == "hitting_set"
    assert r.td == teaching_dimension_by_enumeration(f, cls)
    cert = make_certificate(r)
    assert check_certificate(cert).valid
    for how in ("drop the competitors", "claim a smaller size"):
        bad = copy.deepcopy(cert)
        if how == "drop the competitors":
            bad["proof"]["competitors"] = bad["proof"]["competitors"][:1]
        else:
            bad["td"] -= 1
            bad["examples"].pop()
        assert not check_certificate(bad).valid, how
