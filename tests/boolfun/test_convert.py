"""Semantic conversion: a returned function is equivalent; a refusal means no function of the
target representation is equivalent (checked by brute force over the representation)."""

import itertools

import pytest
from hypothesis import given

from boolfun import (
    CNF,
    DNF,
    Conjunction,
    Disjunction,
    Halfspace,
    Majority,
    Parity,
    Threshold,
    TruthTable,
    convert,
)
from boolfun.strategies import functions


def brute_force_members(cls, n):
    """Every function of a representation over n variables (as truth-table bytes)."""
    subsets = [[i for i in range(1, n + 1) if mask >> (i - 1) & 1] for mask in range(2**n)]
    if cls in (Conjunction, Disjunction):
        fs = [
            cls(n, [s * i for i, s in enumerate(signs, start=1) if s])
            for signs in itertools.product([0, 1, -1], repeat=n)
        ] + [cls(n, [1, -1])]
    elif cls is Parity:
        fs = [Parity(n, s) for s in subsets]
    elif cls is Majority:
        fs = [Majority(n, s) for s in subsets]
    else:
        raise AssertionError(cls)
    return {f.truth_table().tobytes() for f in fs}


@pytest.mark.parametrize("target", [Conjunction, Disjunction, Parity, Majority])
@given(f=functions(max_n=4))
def test_convert_is_exact(target, f):
    members = brute_force_members(target, f.n)
    exists = f.truth_table().tobytes() in members
    if exists:
        g = convert(f, target)
        assert type(g) is target and g.equivalent(f)
    else:
        with pytest.raises(ValueError, match=target.__name__):
            convert(f, target)


@pytest.mark.parametrize("target", [DNF, CNF, TruthTable])
@given(f=functions(max_n=4))
def test_every_function_has_normal_forms(target, f):
    g = convert(f, target)
    assert type(g) is target and g.equivalent(f)


@given(f=functions(max_n=4))
def test_threshold_conversions_are_equivalent_when_they_succeed(f):
    for target in (Halfspace, Threshold):
        try:
            g = convert(f, target)
        except ValueError:
            continue
        assert type(g) is target and g.equivalent(f)


def test_conjunction_is_threshold():
    f = Conjunction(4, [1, -3])
    g = convert(f, Threshold)
    assert g.equivalent(f) and g.weights == (1, 0, -1, 0)


def test_large_n_conversion_by_sat():
    n = 30
    f = CNF(n, [[1], [-5], [30]])
    g = convert(f, Conjunction)
    assert g == Conjunction(n, [1, -5, 30])
    with pytest.raises(ValueError, match="Conjunction"):
        convert(DNF(n, [[1], [2]]), Conjunction)
    assert convert(DNF(n, [[1], [2]]), Disjunction) == Disjunction(n, [1, 2])
