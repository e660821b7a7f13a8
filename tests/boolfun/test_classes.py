"""Properties every function class must have, checked by one test body per property over every
class (small n): enumeration, sizes, the SAT encoding (labels, outputs, model counting,
``differ``, guards) and semantic membership."""

from __future__ import annotations

from itertools import combinations, combinations_with_replacement, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun import (
    CNF,
    DNF,
    BooleanFunction,
    Conjunction,
    Disjunction,
    Halfspace,
    Majority,
    Parity,
    Threshold,
    TruthTable,
    all_inputs,
)
from boolfun.classes import (
    AllFunctionsClass,
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
from boolfun.sat.miter import solver
from boolfun.strategies import functions

SMALL = [
    ConjunctionClass(2),
    ConjunctionClass(3),
    ConjunctionClass(3, with_constants=True),
    ConjunctionClass(3, monotone=True),
    ConjunctionClass(3, k=2),
    ConjunctionClass(3, monotone=True, k=2, with_constants=True),
    DisjunctionClass(3),
    DisjunctionClass(3, monotone=True, with_constants=True),
    DisjunctionClass(3, k=1),
    DNFClass(2, terms=1),
    DNFClass(3, terms=2),
    DNFClass(3, terms=3),
    DNFClass(3, terms=2, monotone=True),
    CNFClass(2, clauses=1),
    CNFClass(3, clauses=2),
    CNFClass(3, clauses=3, monotone=True),
    ParityClass(3),
    ParityClass(4, k=2),
    ParityClass(3, k=0),
    MajorityClass(3),
    MajorityClass(4),
    ThresholdClass(2),
    ThresholdClass(3),
    ThresholdClass(3, biases=(0.5, -1.5)),
    HalfspaceClass(2),
    HalfspaceClass(3),
    HalfspaceClass(3, max_weight=1, bias=-0.5),
    AllFunctionsClass(2),
    AllFunctionsClass(3),
]
"""Every class, at sizes where brute force over the raw parameter space is instant."""

COUNTED = [c for c in SMALL if c.size() <= 256]

FAST = settings(max_examples=8, deadline=None)


def _id(c: FunctionClass) -> str:
    return f"{c.short_name()}-n{c.n}"


def table(f: BooleanFunction) -> bytes:
    return f.truth_table().tobytes()


def raw_members(c: FunctionClass) -> list[BooleanFunction]:
    """Every parameter vector of the class's definition, built directly with the
    representation types (independent of the class code)."""
    n = c.n
    subsets = [list(s) for m in range(n + 1) for s in combinations(range(1, n + 1), m)]
    if isinstance(c, ConjunctionClass | DisjunctionClass):
        rep = Conjunction if isinstance(c, ConjunctionClass) else Disjunction
        out: list[BooleanFunction] = []
        for signs in product((0, 1) if c.monotone else (0, 1, -1), repeat=n):
            lits = [s * i for i, s in enumerate(signs, start=1) if s]
            if c.k is None or len(lits) == c.k:
                out.append(rep(n, lits))
        if c.with_constants:
            out.append(rep(n, [1, -1]))  # the contradictory set: constant 0 / 1
        return out
    if isinstance(c, DNFClass):  # and CNFClass
        rep = CNF if isinstance(c, CNFClass) else DNF
        groups = [
            [s * i for i, s in enumerate(signs, start=1) if s]
            for signs in product((0, 1) if c.monotone else (0, 1, -1), repeat=n)
        ]
        return [
            rep(n, list(gs))
            for m in range(c.terms + 1)
            for gs in combinations_with_replacement(groups, m)
        ]
    if isinstance(c, ParityClass):
        return [Parity(n, s) for s in subsets if c.k is None or len(s) == c.k]
    if isinstance(c, MajorityClass):
        return [Majority(n, s) for s in subsets]
    if isinstance(c, ThresholdClass):
        return [Threshold(n, list(w), b) for w in product((-1, 0, 1), repeat=n) for b in c.biases]
    if isinstance(c, HalfspaceClass):
        ws = range(-c.max_weight, c.max_weight + 1)
        return [Halfspace(n, list(w), c.bias) for w in product(ws, repeat=n)]
    if isinstance(c, AllFunctionsClass):
        return [TruthTable(n, list(v)) for v in product((0, 1), repeat=2**n)]
    raise AssertionError(f"no brute force for {c!r}")


def model_set(model: list[int]) -> set[int]:
    return {v for v in model if v > 0}


def value(lit: int | bool, true: set[int]) -> bool:
    if isinstance(lit, bool):
        return lit
    return lit in true if lit > 0 else -lit not in true


# -- enumeration and size ---------------------------------------------------------------------
@pytest.mark.parametrize("c", SMALL, ids=_id)
def test_enumerate_lists_distinct_members(c: FunctionClass) -> None:
    fs = c.enumerate()
    tables = [table(f) for f in fs]
    assert len(set(tables)) == len(fs) == c.size()
    assert c.enumerate() == fs  # deterministic
    for f in fs:
        assert f in c
        assert c.coerce(f).equivalent(f)


@pytest.mark.parametrize("c", SMALL, ids=_id)
def test_enumerate_matches_raw_parameter_space(c: FunctionClass) -> None:
    assert {table(f) for f in c.enumerate()} == {table(f) for f in raw_members(c)}


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (ConjunctionClass(2), 9),  # each variable: absent, x_i, ~x_i
        (ConjunctionClass(2, with_constants=True), 10),  # + the constant 0
        (ConjunctionClass(3, monotone=True), 8),  # subsets of 3 variables
        (ConjunctionClass(3, k=2), 12),  # C(3,2) * 2^2
        (ConjunctionClass(3, monotone=True, k=2), 3),
        (DisjunctionClass(2, with_constants=True), 10),
        (ParityClass(3), 8),
        (ParityClass(4, k=2), 6),
        (MajorityClass(3), 8),
        (DNFClass(2, terms=1), 10),  # the 9 conjunctions and the constant 0
        (DNFClass(2, terms=2), 16),  # every function of 2 variables has <= 2 prime terms
        (DNFClass(2, terms=2, monotone=True), 6),  # 0, 1, x1, x2, x1&x2, x1|x2
        (CNFClass(2, clauses=1), 10),
        (ThresholdClass(1), 4),  # 0, 1, x1, ~x1
        (ThresholdClass(2), 14),  # all but x1^x2 and its negation
        (HalfspaceClass(1), 3),  # [w x1' > 0.5]: 0, x1, ~x1
        (HalfspaceClass(2), 9),  # at most one of each pair {x, ~x} true: 3 * 3 choices
        (AllFunctionsClass(2), 16),
        (AllFunctionsClass(5), 2**32),
    ],
    ids=lambda v: _id(v) if isinstance(v, FunctionClass) else str(v),
)
def test_size_hand_checked(c: FunctionClass, expected: int) -> None:
    assert c.size() == expected


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (ConjunctionClass(20), 3**20),
        (ConjunctionClass(20, monotone=True, with_constants=True), 2**20 + 1),
        (DisjunctionClass(10, k=3), 120 * 8),
        (ParityClass(30), 2**30),
        (ParityClass(30, k=2), 435),
        (MajorityClass(28), 2**28),
    ],
    ids=lambda v: _id(v) if isinstance(v, FunctionClass) else str(v),
)
def test_closed_form_sizes_at_large_n(c: FunctionClass, expected: int) -> None:
    assert c.size() == expected


# -- the SAT encoding ---------------------------------------------------------------------------
@pytest.mark.parametrize("c", SMALL, ids=_id)
@FAST
@given(data=st.data())
def test_labels_of_a_member_give_it_back(c: FunctionClass, data: st.DataObject) -> None:
    h = data.draw(st.sampled_from(c.enumerate()))
    enc = c.encode()
    xs = all_inputs(c.n)
    ys = h.evaluate(xs)
    for x, y in zip(xs, ys, strict=True):
        enc.label(x, int(y))
    z = [enc.circuit.named(f"w{i}") for i in range(1, c.n + 1)]
    out_z = enc.output(z)
    outs = [enc.output([bool(v) for v in x]) for x in xs]
    point = data.draw(st.integers(0, 2**c.n - 1))
    assumptions = [v if b else -v for v, b in zip(z, xs[point], strict=True)]
    with solver(enc.circuit.clauses) as s:
        assert s.solve(assumptions=assumptions)
        true = model_set(s.get_model())
    decoded = enc.decode(true)
    assert decoded.equivalent(h)
    assert [value(o, true) for o in outs] == [bool(y) for y in ys]
    assert value(out_z, true) == bool(ys[point])  # symbolic point agrees with the fixed one


@pytest.mark.parametrize("c", SMALL, ids=_id)
@FAST
@given(data=st.data())
def test_labels_are_satisfiable_iff_the_function_is_a_member(
    c: FunctionClass, data: st.DataObject
) -> None:
    f = data.draw(functions(n=c.n))
    member = table(f) in {table(g) for g in c.enumerate()}
    enc = c.encode()
    for x, y in zip(all_inputs(c.n), f.table_values(), strict=True):
        enc.label(x, int(y))
    with solver(enc.circuit.clauses) as s:
        assert s.solve() == member
        if member:
            assert enc.decode(s.get_model()).equivalent(f)


@pytest.mark.parametrize("c", COUNTED, ids=_id)
def test_models_are_exactly_the_class(c: FunctionClass) -> None:
    """Project the models onto the outputs at all 2^n points: the distinct projections are
    exactly the enumerated truth tables, and decode agrees with each."""
    enc = c.encode()
    lits = [enc.circuit.literal(enc.output([bool(v) for v in x])) for x in all_inputs(c.n)]
    found = set()
    with solver(enc.circuit.clauses) as s:
        while s.solve():
            true = model_set(s.get_model())
            t = tuple(value(v, true) for v in lits)
            assert tuple(enc.decode(true).table_values()) == t
            found.add(t)
            s.add_clause([-v if b else v for v, b in zip(lits, t, strict=True)])
    assert found == {tuple(bool(b) for b in f.table_values()) for f in c.enumerate()}


@pytest.mark.parametrize("c", SMALL, ids=_id)
@FAST
@given(data=st.data())
def test_differ_finds_a_competitor_or_proves_uniqueness(
    c: FunctionClass, data: st.DataObject
) -> None:
    members = c.enumerate()
    g = data.draw(st.sampled_from(members))
    idx = data.draw(st.sets(st.integers(0, 2**c.n - 1)))
    xs = all_inputs(c.n)[sorted(idx)]
    ys = g.evaluate(xs)
    enc = c.encode()
    for x, y in zip(xs, ys, strict=True):
        enc.label(x, int(y))
    z = enc.differ(g, prefix="zz")
    competitors = [h for h in members if not h.equivalent(g) and (h.evaluate(xs) == ys).all()]
    with solver(enc.circuit.clauses) as s:
        sat = s.solve()
        assert sat == bool(competitors)
        if sat:
            true = model_set(s.get_model())
            h = enc.decode(true)
            witness = np.array([[v in true for v in z]], dtype=np.uint8)
            assert h.evaluate(witness)[0] != g.evaluate(witness)[0]
            assert (h.evaluate(xs) == ys).all()
            assert h in c


@pytest.mark.parametrize("c", SMALL, ids=_id)
def test_all_labels_leave_no_competitor_and_guards_switch_them(c: FunctionClass) -> None:
    g = c.enumerate()[-1]
    enc = c.encode()
    guards = []
    for x, y in zip(all_inputs(c.n), g.table_values(), strict=True):
        guard = enc.circuit.new_var()
        enc.label(x, int(y), guard=guard)
        guards.append(guard)
    enc.differ(g)
    with solver(enc.circuit.clauses) as s:
        assert not s.solve(assumptions=guards)  # every label on: g is the only one
        assert s.solve() == (c.size() > 1)  # labels off: any other member differs


@pytest.mark.parametrize("c", SMALL, ids=_id)
def test_incremental_clauses_and_shared_circuit(c: FunctionClass) -> None:
    """Two encodings on one circuit are independent; clauses only ever get appended."""
    if c.size() < 2:
        pytest.skip("needs two members")
    enc1 = c.encode()
    before = list(enc1.circuit.clauses)
    enc2 = c.encode(enc1.circuit)
    assert enc1.circuit.clauses[: len(before)] == before
    f, g = c.enumerate()[:2]
    for x in all_inputs(c.n):
        enc1.label(x, int(f.evaluate(x[None])[0]))
        enc2.label(x, int(g.evaluate(x[None])[0]))
    with solver(enc1.circuit.clauses) as s:
        assert s.solve()
        model = s.get_model()
    assert enc1.decode(model).equivalent(f)
    assert enc2.decode(model).equivalent(g)


# -- semantic membership ----------------------------------------------------------------------
@pytest.mark.parametrize("c", SMALL, ids=_id)
@FAST
@given(data=st.data())
def test_membership_agrees_with_enumeration(c: FunctionClass, data: st.DataObject) -> None:
    f = data.draw(functions(n=c.n))
    tables = {table(g) for g in c.enumerate()}
    rep_types = {type(g) for g in c.enumerate()}
    assert (f in c) == (table(f) in tables)
    if table(f) in tables:
        g = c.coerce(f)
        assert g.equivalent(f)
        assert type(g) in rep_types
    else:
        with pytest.raises(ValueError, match="not in"):
            c.coerce(f)
