"""Every representation: evaluation == truth table == SAT encoding == sympy expression,
string forms parse back, De Morgan duality, semantic comparison, torch == numpy."""

import numpy as np
import pytest
import sympy
import torch
from hypothesis import given
from hypothesis import strategies as st
from pysat.formula import IDPool

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
    all_inputs,
    parse,
)
from boolfun.bits import input_index, unpack_table
from boolfun.function import symbols
from boolfun.sat.miter import solver
from boolfun.strategies import (
    bit_arrays,
    cnfs,
    conjunctions,
    disjunctions,
    dnfs,
    functions,
    halfspaces,
)


def brute_force(f, x):
    """Evaluate ``f`` on one point from its mathematical definition, independently of
    ``_evaluate`` (one point at a time, plain Python)."""
    x = [int(v) for v in x]
    val = lambda lit: x[lit - 1] if lit > 0 else 1 - x[-lit - 1]  # noqa: E731
    if isinstance(f, Conjunction):
        return int(all(val(v) for v in f.literals))
    if isinstance(f, Disjunction):
        return int(any(val(v) for v in f.literals))
    if isinstance(f, DNF):
        return int(any(all(val(v) for v in t) for t in f.terms))
    if isinstance(f, CNF):
        return int(all(any(val(v) for v in c) for c in f.clauses))
    if isinstance(f, Parity):
        return sum(x[i - 1] for i in f.variables) % 2
    if isinstance(f, Majority):
        ones = sum(x[i - 1] for i in f.variables)
        return int(ones > len(f.variables) - ones)
    if isinstance(f, Halfspace):
        return int(sum(w * (2 * b - 1) for w, b in zip(f.weights, x, strict=True)) > f.bias)
    if isinstance(f, TruthTable):
        r = sum(b << i for i, b in enumerate(x))
        return int(f.table_values()[r])
    raise AssertionError(type(f))


@given(functions())
def test_evaluation_matches_definition_and_truth_table(f):
    xs = all_inputs(f.n)
    expected = np.array([brute_force(f, x) for x in xs], dtype=np.uint8)
    assert (f.evaluate(xs) == expected).all()
    assert (unpack_table(f.truth_table(), f.n) == expected.astype(bool)).all()
    assert f.truth_table().dtype == np.uint8 and len(f.truth_table()) == (2**f.n + 7) // 8


@given(functions(max_n=5))
def test_sympy_expression_agrees(f):
    expr = f.to_sympy()
    syms = symbols(f.n)
    for x in all_inputs(f.n):
        val = expr.subs({s: int(b) for s, b in zip(syms, x, strict=True)})
        assert bool(val) == bool(brute_force(f, x))


@given(functions(max_n=5), st.data())
def test_sat_encoding_agrees(f, data):
    pool = IDPool()
    out, clauses = f.tseitin(pool)
    xs = [pool.id(f"x{i}") for i in range(1, f.n + 1)]
    points = data.draw(bit_arrays(f.n, 1, 8))
    with solver(clauses) as s:
        for x in points:
            assum = [v if b else -v for v, b in zip(xs, x, strict=True)]
            # the output is forced: exactly one of out / -out is consistent with the point
            assert s.solve(assumptions=assum + [out]) == bool(brute_force(f, x))
            assert s.solve(assumptions=assum + [-out]) == (not brute_force(f, x))


@given(functions())
def test_string_form_parses_back(f):
    g = parse(str(f), f.n)
    assert g.equivalent(f)
    # a representation with a compact form comes back as itself
    if not isinstance(f, Halfspace | DNF | CNF | TruthTable):
        assert type(g) is type(f) or len(f.mentioned_variables()) <= 1


@given(functions())
def test_parse_with_kind_keeps_structure(f):
    g = parse(str(f), f.n, kind=type(f))
    if isinstance(f, DNF | CNF):
        # sympy's parser treats | and & as sets: term order and repeats are not kept
        assert type(g) is type(f) and g.equivalent(f)
        if all(f.groups) and len(set(f.groups)) == len(f.groups):
            assert set(g.groups) == set(f.groups)
    else:
        assert g == f


@given(functions())
def test_sympy_round_trip(f):
    from boolfun import from_sympy

    assert from_sympy(f.to_sympy(), f.n).equivalent(f)


@given(conjunctions(contradictions=True))
def test_de_morgan_conjunction(f):
    xs = all_inputs(f.n)
    assert (f.dual().evaluate(xs) == 1 - f.evaluate(xs)).all()
    assert f.dual().dual() == f


@given(disjunctions(contradictions=True))
def test_de_morgan_disjunction(f):
    xs = all_inputs(f.n)
    assert (f.dual().evaluate(xs) == 1 - f.evaluate(xs)).all()


@given(dnfs())
def test_de_morgan_dnf(f):
    xs = all_inputs(f.n)
    assert (f.dual().evaluate(xs) == 1 - f.evaluate(xs)).all()
    assert f.dual().dual() == f


@given(cnfs())
def test_de_morgan_cnf(f):
    xs = all_inputs(f.n)
    assert (f.dual().evaluate(xs) == 1 - f.evaluate(xs)).all()


@given(functions(), st.data())
def test_torch_matches_numpy(f, data):
    x = data.draw(bit_arrays(f.n, 1, 20))
    got = f.evaluate(torch.from_numpy(x))
    assert isinstance(got, torch.Tensor) and got.dtype == torch.uint8
    assert (got.numpy() == f.evaluate(x)).all()
    # batch dimensions are kept
    assert f.evaluate(x.reshape(1, -1, f.n)).shape == (1, len(x))


@given(functions(max_n=5))
def test_relevant_variables(f):
    t = f.table_values()
    idx = np.arange(2**f.n)
    expected = tuple(i for i in range(1, f.n + 1) if (t != t[idx ^ (1 << (i - 1))]).any())
    assert f.relevant_variables() == expected


@given(functions(max_n=4), functions(max_n=4))
def test_equivalence_by_table_and_by_sat(f, g):
    if f.n != g.n:
        return
    from boolfun.sat.miter import differing_point

    same = (f.table_values() == g.table_values()).all()
    assert f.equivalent(g) == same
    z = differing_point(f, g)
    assert (z is None) == same
    if z is not None:
        assert f.evaluate(z) != g.evaluate(z)


def test_equivalence_large_n_by_miter():
    n = 40
    f = Conjunction(n, [1, -2, 40])
    g = CNF(n, [[1], [-2], [40]])
    assert f.equivalent(g)
    h = Conjunction(n, [1, -2])
    z = f.differing_point(h)
    assert z is not None and f.evaluate(z) != h.evaluate(z)
    assert Parity(n, [1, 2]).equivalent(parse("x1 ^ x2", n))
    assert Majority(n, [3, 5]).equivalent(Conjunction(n, [3, 5]))
    assert Majority(n, [3, 5, 7]).relevant_variables() == (3, 5, 7)
    assert DNF(n, [[1, 2], [1]]).relevant_variables() == (1,)  # x2 is mentioned, not relevant


def test_input_order_is_x1_least_significant():
    xs = all_inputs(3)
    assert xs[1].tolist() == [1, 0, 0] and xs[4].tolist() == [0, 0, 1]
    assert (input_index(xs) == np.arange(8)).all()
    assert str(TruthTable.from_function(parse("x1", 3))) == "TruthTable(0xaa)"


@given(halfspaces(max_weight=1))
def test_threshold_is_halfspace(h):
    b = h.bias
    if b.denominator == 2:
        t = Threshold(h.n, h.weights, b)
        assert (t.table_values() == h.table_values()).all()


def test_paper_forms():
    n = 8
    assert str(parse("x1 & ~x3 | x2", n)) == "x2 | (x1 & ~x3)"
    assert isinstance(parse("x1 & ~x3 | x2", n), DNF)
    assert isinstance(parse("(x1 | x2) & ~x4", n), CNF)
    assert isinstance(parse("x1 ^ x5 ^ x2", n), Parity)
    assert str(Majority(n, [7, 2, 5])) == "Majority(x2, x5, x7)"
    t = parse("Threshold(x1 - x3 + x4 > -0.5)", n)
    assert t.weights[:4] == (1, 0, -1, 1) and float(t.bias) == -0.5
    h = parse("Halfspace(3*x1 - 2*x2 > 0.5)", n)
    assert h.weights[:2] == (3, -2)
    assert parse("True", n).evaluate(np.zeros(n, dtype=np.uint8)) == 1
    assert parse("x1 & x2", n, kind="dnf") == DNF(n, [[1, 2]])
    assert parse("x1 & x2", n, kind="cnf") == CNF(n, [[1], [2]])


@pytest.mark.parametrize(
    "text,n,needle",
    [
        ("x1 & ", 3, "expression"),
        ("x1 & x9", 3, "x9 out of range"),
        ("x0", 3, "x0 out of range"),
        ("y1 & x2", 3, "unexpected"),
        ("__import__('os')", 3, "unexpected"),
        ("Majority(x1, 3)", 3, "Majority"),
        ("Threshold(x1*x2 > 0.5)", 3, "linear"),
        ("Threshold(2*x1 > 0.5)", 3, "weights"),
        ("Threshold(x1 > 1)", 3, "half-integer"),
        ("Halfspace(x1 + x2)", 3, "inequality"),
        ("TruthTable(0x1ff)", 3, "TruthTable"),
        ("", 3, "non-empty"),
        ("x1", 0, "n must be"),
    ],
)
def test_parse_errors(text, n, needle):
    with pytest.raises(ValueError, match=needle):
        parse(text, n)


def test_parse_kind_mismatch():
    with pytest.raises(ValueError, match="not a Parity"):
        parse("x1 & x2", 3, kind="parity")
    with pytest.raises(ValueError, match="kind must be"):
        parse("x1", 3, kind="banana")


@pytest.mark.parametrize(
    "make,needle",
    [
        (lambda: Conjunction(0, []), "n must be"),
        (lambda: Conjunction(3, [4]), "literals"),
        (lambda: Conjunction(3, [0]), "literals"),
        (lambda: Parity(3, [1, 1]), "distinct"),
        (lambda: Majority(3, [5]), "variables"),
        (lambda: Threshold(3, [2, 0, 0], 0.5), "weights"),
        (lambda: Threshold(3, [1, 0, 0], 1), "half-integer"),
        (lambda: Halfspace(3, [1, 0], 0.5), "length"),
        (lambda: Halfspace(3, [1, 0, 0], "abc"), "bias"),
        (lambda: TruthTable(2, [0, 1, 1]), "table"),
        (lambda: TruthTable(2, [0, 1, 2, 0]), "table"),
    ],
)
def test_constructor_errors(make, needle):
    with pytest.raises(ValueError, match=needle):
        make()


@pytest.mark.parametrize(
    "x,needle",
    [
        (np.zeros((2, 4), dtype=np.uint8), "shape"),
        (np.full((2, 3), 2, dtype=np.uint8), "0 and 1"),
        (np.full((2, 3), 0.5), "0 and 1"),
        (torch.full((2, 3), 3), "0 and 1"),
        (np.array(["a", "b", "c"]), "dtype"),
    ],
)
def test_evaluate_rejects_bad_input(x, needle):
    with pytest.raises(ValueError, match=needle):
        Conjunction(3, [1]).evaluate(x)


def test_large_n_truth_table_is_chunked():
    f = Parity(18, [1, 18])
    t = f.table_values()
    assert t.shape == (2**18,) and t.sum() == 2**17


def test_repr_and_hash():
    f = Conjunction(5, [-3, 1, 1])
    assert repr(f) == "Conjunction('x1 & ~x3', n=5)"
    assert f == Conjunction(5, [1, -3]) and hash(f) == hash(Conjunction(5, [1, -3]))
    assert f != Disjunction(5, [1, -3])
    assert sympy.simplify_logic(f.to_sympy()) == sympy.And(sympy.Symbol("x1"), ~sympy.Symbol("x3"))


@given(data=st.data())
def test_class_members_strategy(data):
    from boolfun.classes import make_class
    from boolfun.strategies import class_members

    cls = make_class("dnf", 5, terms=2)
    f = data.draw(class_members(cls))
    assert f in cls
    g = data.draw(class_members(make_class("conjunction", 6), paper=True))
    assert isinstance(g, Conjunction)
