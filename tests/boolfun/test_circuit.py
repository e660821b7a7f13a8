"""Tseitin gates and reified cardinality: every gate output is equivalent to its value, checked
by brute force over all assignments of the inputs."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pysat.formula import IDPool

from boolfun.sat.circuit import Circuit
from boolfun.sat.miter import solver


def gate_values(build, arity):
    """For every assignment of ``arity`` inputs: the set of values the output literal can take
    in models of the clauses (must be exactly one)."""
    c = Circuit(IDPool())
    xs = [c.new_var() for _ in range(arity)]
    out = c.literal(build(c, xs))
    res = {}
    with solver(c.clauses) as s:
        for bits in itertools.product([0, 1], repeat=arity):
            assum = [v if b else -v for v, b in zip(xs, bits, strict=True)]
            vals = {val for val in (0, 1) if s.solve(assumptions=assum + [out if val else -out])}
            res[bits] = vals
    return res


@pytest.mark.parametrize(
    "name,build,fn",
    [
        ("and", lambda c, xs: c.and_(xs), all),
        ("or", lambda c, xs: c.or_(xs), any),
        ("xor", lambda c, xs: c.xor(xs), lambda b: sum(b) % 2 == 1),
        ("ite", lambda c, xs: c.ite(xs[0], xs[1], xs[2]), lambda b: b[1] if b[0] else b[2]),
        (
            "and-neg",
            lambda c, xs: c.and_([xs[0], -xs[1], xs[2]]),
            lambda b: b[0] and not b[1] and b[2],
        ),
    ],
)
def test_gates_are_equivalences(name, build, fn):
    for bits, vals in gate_values(build, 3).items():
        assert vals == {int(bool(fn(bits)))}, (name, bits)


@given(
    weights=st.lists(st.integers(-3, 3), min_size=1, max_size=5),
    k=st.integers(-4, 10),
)
def test_at_least_is_exact(weights, k):
    truth = {
        bits: int(sum(w * b for w, b in zip(weights, bits, strict=True)) >= k)
        for bits in itertools.product([0, 1], repeat=len(weights))
    }
    got = gate_values(lambda c, xs: c.at_least(xs, k, weights), len(weights))
    for bits, vals in got.items():
        assert vals == {truth[bits]}, (bits, weights, k)


@given(n=st.integers(1, 6), k=st.integers(0, 7), consts=st.lists(st.booleans(), max_size=3))
def test_cardinality_with_constants(n, k, consts):
    # constants fold into k: sum(xs) + sum(consts) == k
    truth = {
        bits: int(sum(bits) + sum(consts) == k) for bits in itertools.product([0, 1], repeat=n)
    }
    got = gate_values(lambda c, xs: c.exactly(list(xs) + list(consts), k), n)
    for bits, vals in got.items():
        assert vals == {truth[bits]}


def test_constants_fold_without_clauses():
    c = Circuit(IDPool())
    a = c.new_var()
    assert c.and_([a, False]) is False
    assert c.or_([a, True]) is True
    assert c.and_([a, -a]) is False
    assert c.xor([a, a]) is False
    assert c.and_([]) is True and c.or_([]) is False
    assert c.clauses == []


def test_unsatisfiable_clause_from_constants():
    c = Circuit(IDPool())
    c.add([False])
    with solver(c.clauses) as s:
        assert not s.solve()
