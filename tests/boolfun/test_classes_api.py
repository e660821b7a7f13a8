"""Function classes: named membership cases, structural paths at large n, the registry,
sampling, enumeration limits and input validation."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

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
    parse,
)
from boolfun.classes import (
    CLASSES,
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
    make_class,
)
from boolfun.classes.base import implied_cardinality
from boolfun.sat.circuit import Circuit
from boolfun.sat.miter import solver

HAS_REFERENCE = importlib.util.find_spec("boolfun.reference") is not None


def tt(f):  # noqa: ANN001, ANN201
    return TruthTable.from_function(f)


# -- semantic membership: named cases ---------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "c", "expected"),
    [
        (tt(parse("x1 & x2", 2)), ConjunctionClass(2), True),
        (Parity(2, [1, 2]), ConjunctionClass(2), False),
        (parse("x1 | x2", 2), ConjunctionClass(2), False),
        (parse("x1 | x2", 2), DisjunctionClass(2, monotone=True), True),
        (parse("~x1", 2), ConjunctionClass(2, monotone=True), False),
        (parse("x1 & ~x2", 2), ConjunctionClass(2, k=1), False),
        (DNF(3, []), ConjunctionClass(3), False),  # constant 0
        (DNF(3, []), ConjunctionClass(3, with_constants=True), True),
        (Conjunction(3, [2, -2]), ConjunctionClass(3, with_constants=True), True),
        (CNF(3, []), DisjunctionClass(3), False),  # constant 1
        (CNF(3, []), DisjunctionClass(3, with_constants=True), True),
        (Conjunction(3, []), DisjunctionClass(3), False),  # constant 1 is no disjunction
        (Conjunction(2, [1, 2]), MajorityClass(2), True),  # Majority({1,2}) = x1 & x2
        (parse("x1 | x2", 2), MajorityClass(2), False),
        (Majority(3, [1, 2, 3]), DNFClass(3, terms=3, monotone=True), True),
        (Majority(3, [1, 2, 3]), DNFClass(3, terms=2), False),
        (Majority(3, [1, 2, 3]), CNFClass(3, clauses=3, monotone=True), True),
        (Majority(3, [1, 2, 3]), ThresholdClass(3), True),
        (Majority(3, [1, 2, 3]), HalfspaceClass(3), True),
        (Majority(3, [1, 2]), HalfspaceClass(3), True),  # [x1' + x2' > 0.5]
        (Parity(3, [1, 2]), ThresholdClass(3), False),
        (Parity(2, [1, 2]), DNFClass(2, terms=2), True),
        (Parity(2, [1, 2]), DNFClass(2, terms=1), False),
        (Parity(2, [1, 2]), DNFClass(2, terms=4, monotone=True), False),
        (Parity(3, [1, 2, 3]), DNFClass(3, terms=3), False),  # needs 4 terms
        (Parity(3, [1, 2, 3]), DNFClass(3, terms=4), True),
        (DNF(3, [[1, -1], [2], [3]]), DNFClass(3, terms=2, monotone=True), True),
        (parse("x1 & ~x2", 3), ThresholdClass(3), True),
        (parse("x1 & ~x2", 3), HalfspaceClass(3), True),
        (Conjunction(3, []), HalfspaceClass(3), False),  # f(x) and f(~x) never both 1
        (Threshold(3, [1, 1, 0], 2.5), ThresholdClass(3, biases=(0.5,)), True),  # constant 0
        (Threshold(3, [1, 1, 0], -0.5), ThresholdClass(3, biases=(0.5,)), False),
        (Halfspace(3, [5, 1, 1], 0.5), HalfspaceClass(3), True),  # = x1 = [x1' > 0.5]
        (Halfspace(3, [4, 3, 2], 0.5), HalfspaceClass(3, max_weight=3), True),  # = [2,1,1]
        (parse("x1 ^ x3", 3), ParityClass(3), True),
        (tt(parse("x1 ^ x3", 3)), ParityClass(3, k=2), True),
        (parse("x1 ^ x3", 3), ParityClass(3, k=1), False),
        (parse("~x1", 3), ParityClass(3), False),
        (parse("x1 & x2 | x3", 3), AllFunctionsClass(3), True),
    ],
    ids=lambda v: str(v) if not isinstance(v, FunctionClass) else v.short_name(),
)
def test_named_membership(f, c: FunctionClass, expected: bool) -> None:  # noqa: ANN001
    assert (f in c) is expected
    if expected:
        g = c.coerce(f)
        assert g.equivalent(f)
        assert g in c
    else:
        with pytest.raises(ValueError, match="is not in"):
            c.coerce(f)


def test_coerce_returns_the_class_representation() -> None:
    f = tt(parse("x1 & ~x3", 3))
    assert ConjunctionClass(3).coerce(f) == Conjunction(3, [1, -3])
    assert DisjunctionClass(3).coerce(tt(parse("x2 | ~x3", 3))) == Disjunction(3, [2, -3])
    assert ParityClass(3).coerce(tt(parse("x1 ^ x2", 3))) == Parity(3, [1, 2])
    assert MajorityClass(3).coerce(tt(Majority(3, [1, 2, 3]))) == Majority(3, [1, 2, 3])
    assert ConjunctionClass(3, with_constants=True).coerce(DNF(3, [])) == Conjunction(3, [1, -1])
    assert isinstance(DNFClass(3, terms=2).coerce(f), DNF)
    assert isinstance(CNFClass(3, clauses=2).coerce(f), CNF)
    assert isinstance(ThresholdClass(3).coerce(f), Threshold)
    assert type(HalfspaceClass(3).coerce(f)) is Halfspace
    assert isinstance(AllFunctionsClass(3).coerce(f), TruthTable)


def test_objects_of_the_wrong_kind_are_not_members() -> None:
    c = ConjunctionClass(3)
    assert "x1" not in c
    assert Conjunction(4, [1]) not in c
    with pytest.raises(ValueError, match="n=3"):
        c.coerce(Conjunction(4, [1]))
    with pytest.raises(ValueError, match="BooleanFunction"):
        c.coerce("x1")  # type: ignore[arg-type]


def test_structural_paths_at_large_n() -> None:
    n = 30
    assert Conjunction(n, [1, -5, 30]) in ConjunctionClass(n)
    assert Conjunction(n, [1, -5]) not in ConjunctionClass(n, monotone=True)
    assert Disjunction(n, [3, 4, 7, 9]) in DisjunctionClass(n, monotone=True, k=4)
    assert DNF(n, [[1, 2], [-3], [4, 5, 6]]) in DNFClass(n, terms=3)
    assert CNF(n, [[1, 2], [-3]]) in CNFClass(n, clauses=2)
    assert Parity(n, [2, 9]) in ParityClass(n, k=2)
    assert Parity(n, [2, 9]) not in ParityClass(n, k=3)
    assert Majority(n, [1, 2, 3, 4, 5]) in MajorityClass(n)
    assert Majority(n, [1, 2, 3, 4, 5]) in ThresholdClass(n)  # [sum_S x' > 0.5]
    assert Halfspace(n, [3, -2] + [1] * (n - 2), 0.5) in HalfspaceClass(n)
    assert Threshold(n, [1, -1] + [0] * (n - 2), 1.5) in ThresholdClass(n)


def test_semantic_paths_beyond_truth_tables() -> None:
    """convert() and the counterexample search decide membership at n = 16 (SAT miters)."""
    n = 16
    f = DNF(n, [[1, 2], [-1, 3]])  # = ite(x1, x2, x3): a 2-term DNF, not a conjunction
    assert f not in ConjunctionClass(n)
    assert Disjunction(n, [1, -1]) in DNFClass(n, terms=1)  # constant 1
    assert CNF(n, [[1], [2], [-3]]) in ConjunctionClass(n, k=3)
    assert DNF(n, [[1, 2], [1, -2]]) in MajorityClass(n)  # = x1 = Majority({1})
    assert f in CNFClass(n, clauses=2)  # (x1 | x3) & (~x1 | x2)
    assert CNFClass(n, clauses=2).coerce(f).equivalent(f)
    assert f not in CNFClass(n, clauses=1)
    assert f not in ThresholdClass(n)


def test_search_needs_few_relevant_variables() -> None:
    with pytest.raises(ValueError, match="at most 16 of them; it has 20"):
        Parity(20, range(1, 21)) in ThresholdClass(20)  # noqa: B015
    f = DNF(40, [[1, 2], [-1, 3], [2, 3, -40]])  # 4 relevant variables out of 40
    assert f in DNFClass(40, terms=2)
    assert f not in DNFClass(40, terms=1)
    assert DNFClass(40, terms=2).coerce(f).equivalent(f)
    assert Halfspace(40, [0] * 39 + [4], 0.5) in ThresholdClass(40)  # = x40


def test_counterexample_search_at_moderate_n() -> None:
    n = 10
    f = tt(DNF(n, [[1, 2], [3, -4], [5, 6, -7]]))
    assert DNFClass(n, terms=3).coerce(f).equivalent(f)
    assert f not in DNFClass(n, terms=2)
    g = tt(Halfspace(n, [3, -1, 2, 0, 0, 1, 0, 0, 0, -3], 0.5))
    assert HalfspaceClass(n).coerce(g).equivalent(g)
    assert g not in HalfspaceClass(n, max_weight=1)
    assert tt(Threshold(n, [1, 1, -1] + [0] * 7, -0.5)) in ThresholdClass(n)


# -- the encoding API ---------------------------------------------------------------------------
def test_encoding_input_validation() -> None:
    enc = ConjunctionClass(3).encode()
    with pytest.raises(ValueError, match="inputs"):
        enc.output([True, False])
    with pytest.raises(ValueError, match="inputs"):
        enc.output([True, 0, False])
    with pytest.raises(ValueError, match="y must be"):
        enc.label([1, 0, 1], 2)
    with pytest.raises(ValueError, match="x must"):
        enc.label([1, 0, 2], 1)
    with pytest.raises(ValueError, match="guard"):
        enc.label([1, 0, 1], 1, guard=0)
    with pytest.raises(ValueError, match="g must"):
        enc.differ(Conjunction(4, [1]))
    with pytest.raises(ValueError, match="circuit"):
        ConjunctionClass(3).encode(circuit=[])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("c", "x", "y"),
    [
        (MajorityClass(3), [0, 0, 0], 1),  # never 1 without ones
        (HalfspaceClass(2, max_weight=1, bias=2), [1, 1], 1),  # |w . x'| <= 2 is never > 2
        (HalfspaceClass(2, max_weight=1, bias=-3), [0, 1], 0),  # always > -3
        (ThresholdClass(2, biases=(2.5,)), [1, 0], 1),
        (ThresholdClass(2, biases=(-2.5,)), [1, 0], 0),
        (ConjunctionClass(2, monotone=True), [1, 1], 0),  # monotone conjunctions hold at 1s
    ],
    ids=lambda v: v.short_name() if isinstance(v, FunctionClass) else str(v),
)
def test_impossible_single_labels_are_unsatisfiable(c: FunctionClass, x: list, y: int) -> None:
    enc = c.encode()
    enc.label(x, 1 - y)
    with solver(enc.circuit.clauses) as s:
        assert s.solve()
    guard = enc.circuit.new_var()
    enc.label(x, y, guard=guard)
    with solver(enc.circuit.clauses) as s:
        assert not s.solve(assumptions=[guard])
        assert s.solve(assumptions=[-guard])


def test_implied_cardinality_constants() -> None:
    c = Circuit()
    a, b = c.new_var(), c.new_var()
    assert implied_cardinality(c, [a, b], 0, "atleast") is True
    assert implied_cardinality(c, [a, b], 3, "atleast") is False
    assert implied_cardinality(c, [a, b], 2, "atmost") is True
    assert implied_cardinality(c, [a, b], -1, "atmost") is False
    lit = implied_cardinality(c, [a, a, b], 3, "atleast")  # multiplicity counts
    with solver(c.clauses) as s:
        assert not s.solve(assumptions=[lit, -b])
        assert s.solve(assumptions=[lit, a, b])
    with pytest.raises(ValueError, match="kind"):
        implied_cardinality(c, [a], 1, "exactly")


def test_fixed_point_outputs_are_shared_and_small() -> None:
    enc = ConjunctionClass(4).encode()
    n_before = len(enc.circuit.clauses)
    o = enc.output([True, False, True, True])
    after_one = len(enc.circuit.clauses)
    assert enc.output([True, False, True, True]) == o  # cached: no new clauses
    assert len(enc.circuit.clauses) == after_one
    assert after_one - n_before <= 4 + 1  # one AND over the 4 parameter literals that must be 0
    assert enc.output([1, 2, 3, 4]) != o  # literals, not constants


def test_params_are_documented_variables() -> None:
    c = ConjunctionClass(3, with_constants=True)
    enc = c.encode()
    assert set(enc.params) == {"p", "q", "const"}
    enc.label([1, 1, 0], 1)
    p, q = enc.params["p"], enc.params["q"]
    with solver(enc.circuit.clauses) as s:
        assert s.solve(assumptions=[p[0], -p[1], -p[2], -q[0], -q[1], q[2]])
        assert enc.decode(s.get_model()) == Conjunction(3, [1, -3])
        assert not s.solve(assumptions=[q[0]])  # ~x1 contradicts the label
        assert not s.solve(assumptions=[p[0], q[0]])
        assert s.solve(assumptions=[enc.params["const"]]) is False  # constant 0 has h(x) = 0
    assert set(DNFClass(3, terms=2, monotone=True).encode().params) == {"enable", "p"}
    assert set(ThresholdClass(3).encode().params) == {"pos", "neg", "bias", "bias_at_least"}
    assert set(HalfspaceClass(3).encode().params) == {"pos", "neg"}
    assert set(AllFunctionsClass(3).encode().params) == {"t"}


# -- registry -----------------------------------------------------------------------------------
REGISTRY_CASES = [
    ("conjunction", {}, ConjunctionClass(4)),
    ("monotone_conjunction", {"k": 2}, ConjunctionClass(4, monotone=True, k=2)),
    ("disjunction", {"with_constants": True}, DisjunctionClass(4, with_constants=True)),
    ("monotone_disjunction", {}, DisjunctionClass(4, monotone=True)),
    ("dnf", {"terms": 2}, DNFClass(4, terms=2)),
    ("cnf", {"clauses": 2, "monotone": True}, CNFClass(4, clauses=2, monotone=True)),
    ("cnf", {"terms": 2}, CNFClass(4, clauses=2)),
    ("parity", {}, ParityClass(4)),
    ("sparse_parity", {"k": 2}, ParityClass(4, k=2)),
    ("majority", {}, MajorityClass(4)),
    ("threshold", {"biases": (0.5,)}, ThresholdClass(4, biases=(0.5,))),
    ("halfspace", {"max_weight": 2}, HalfspaceClass(4, max_weight=2)),
    ("all", {}, AllFunctionsClass(4)),
]


@pytest.mark.parametrize(("name", "params", "expected"), REGISTRY_CASES)
def test_registry_builds_and_round_trips(name: str, params: dict, expected: FunctionClass) -> None:
    c = make_class(name, 4, **params)
    assert c == expected
    assert c.name == name
    assert make_class(c.name, c.n, **c.config) == c
    assert repr(c) == c.describe() and repr(c).startswith(type(c).__name__ + "(n=4")
    assert name in CLASSES


def test_registry_lists_every_name() -> None:
    assert set(CLASSES) == {
        "conjunction",
        "monotone_conjunction",
        "disjunction",
        "monotone_disjunction",
        "dnf",
        "cnf",
        "parity",
        "sparse_parity",
        "majority",
        "threshold",
        "halfspace",
        "all",
    }


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: make_class("xor", 3), "name must be one of .*conjunction"),
        (lambda: make_class("parity", 3, k=2), "unknown parameter.*k.*allowed: none"),
        (lambda: make_class("dnf", 3, clauses=2), "unknown parameter.*clauses.*terms"),
        (lambda: make_class("sparse_parity", 3), "requires parameter.*k"),
        (lambda: make_class("cnf", 3, clauses=2, terms=2), "clauses or its alias terms"),
    ],
)
def test_registry_errors(call, match: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=match):
        call()


# -- validation and limits ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ConjunctionClass(0), "n must be"),
        (lambda: MajorityClass(-1), "n must be"),
        (lambda: AllFunctionsClass(1.5), "n must be"),
        (lambda: ConjunctionClass(3, k=4), "k must be"),
        (lambda: DisjunctionClass(3, k=-1), "k must be"),
        (lambda: ConjunctionClass(3, monotone="yes"), "monotone must be"),
        (lambda: ConjunctionClass(3, with_constants=1), "with_constants must be"),
        (lambda: ParityClass(3, k=4), "k must be"),
        (lambda: DNFClass(3, terms=0), "terms must be"),
        (lambda: CNFClass(3, clauses=0), "clauses must be"),
        (lambda: make_class("cnf", 3, terms=0), "clauses must be"),
        (lambda: ThresholdClass(3, biases=(0.3,)), "biases must be half-integers"),
        (lambda: ThresholdClass(3, biases=()), "biases must be a non-empty"),
        (lambda: ThresholdClass(3, biases=(0.5, 0.5)), "biases must be distinct"),
        (lambda: ThresholdClass(3, biases="0.5"), "biases must be"),
        (lambda: HalfspaceClass(3, max_weight=0), "max_weight must be"),
        (lambda: HalfspaceClass(3, bias="high"), "bias must be"),
        (lambda: make_class("sparse_parity", 3, k=5), "k must be"),
    ],
)
def test_bad_parameters(call, match: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    ("c", "match"),
    [
        (DNFClass(9, terms=3), r"enumerate\(\) of dnf\(terms=3\) needs n <= 5, got n=9"),
        (CNFClass(5, clauses=4), r"cnf\(clauses=4\) needs n <= 4, got n=5"),
        (ThresholdClass(7), r"threshold needs n <= 6, got n=7"),
        (HalfspaceClass(7), r"halfspace.* needs n <= 6, got n=7"),
        (AllFunctionsClass(5), r"all needs n <= 4, got n=5"),
        (ConjunctionClass(12), r"at most 65536 functions"),
        (ParityClass(17), r"at most 65536 functions"),
    ],
)
def test_enumeration_limits(c: FunctionClass, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        c.enumerate()
    if not isinstance(c, ConjunctionClass | ParityClass | AllFunctionsClass):
        with pytest.raises(ValueError, match="needs n <="):
            c.size()  # by enumeration, with the same limit


# -- sampling -----------------------------------------------------------------------------------
SAMPLED = [
    ConjunctionClass(6),
    ConjunctionClass(6, monotone=True),
    ConjunctionClass(6, k=2, with_constants=True),
    DisjunctionClass(6),
    DisjunctionClass(6, monotone=True, k=4),
    DisjunctionClass(6, monotone=True),
    DNFClass(6),
    DNFClass(6, terms=2, monotone=True),
    CNFClass(6),
    ParityClass(6),
    ParityClass(6, k=2),
    ParityClass(6, k=0),
    MajorityClass(6),
    ThresholdClass(6),
    ThresholdClass(6, biases=(-0.5, 0.5)),
    HalfspaceClass(6),
    HalfspaceClass(6, max_weight=2, bias=-1),
    AllFunctionsClass(3),
]


@pytest.mark.parametrize("c", SAMPLED, ids=lambda c: f"{c.short_name()}-n{c.n}")
def test_sample_uniform_draws_members(c: FunctionClass) -> None:
    rng = np.random.default_rng(0)
    fs = [c.sample_uniform(rng) for _ in range(10)]
    assert all(f in c for f in fs)
    again = [c.sample_uniform(np.random.default_rng(0)) for _ in range(1)]
    assert again[0] == fs[0]  # seeded


@pytest.mark.skipif(not HAS_REFERENCE, reason="boolfun.reference not available")
@pytest.mark.parametrize("c", SAMPLED, ids=lambda c: f"{c.short_name()}-n{c.n}")
def test_sample_draws_members_from_the_paper_distribution(c: FunctionClass) -> None:
    rng = np.random.default_rng(1)
    fs = [c.sample(rng) for _ in range(10)]
    assert all(f in c for f in fs)
    task = c._task()
    if task is not None:
        from boolfun.reference import draw_function

        assert c.sample(np.random.default_rng(5)) == draw_function(
            task[0], c.n, np.random.default_rng(5), **task[1]
        )


def test_sample_needs_a_generator() -> None:
    with pytest.raises(ValueError, match="rng must be"):
        ParityClass(3).sample(0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("c", "task"),
    [
        (ConjunctionClass(5), ("conjunction", {})),
        (ConjunctionClass(5, monotone=True), ("monotone_conjunction", {})),
        (ConjunctionClass(5, k=2), None),
        (DisjunctionClass(5), ("disjunction", {})),
        (DisjunctionClass(5, monotone=True, k=4), ("sparse_disjunction", {"k": 4})),
        (DNFClass(5), ("dnf", {})),
        (DNFClass(5, terms=2), None),
        (CNFClass(5), ("cnf", {})),
        (ParityClass(5), ("parity", {})),
        (ParityClass(5, k=3), ("sparse_parity", {"k": 3})),
        (MajorityClass(5), ("majority", {})),
        (ThresholdClass(5), ("threshold", {})),
        (HalfspaceClass(5), ("halfspace", {})),
        (HalfspaceClass(5, max_weight=2), None),
        (AllFunctionsClass(3), None),
    ],
    ids=lambda v: v.short_name() if isinstance(v, FunctionClass) else str(v),
)
def test_task_mapping(c: FunctionClass, task) -> None:  # noqa: ANN001
    assert c._task() == task
