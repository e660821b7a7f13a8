"""Hypothesis strategies for Boolean functions and bit arrays.

Usable in your own property tests::

    from hypothesis import given
    from boolfun.strategies import functions, bit_arrays

    @given(functions(n=4))
    def test_double_negation(f): ...

Every strategy takes ``n`` as an int, a strategy of ints, or ``None`` (then ``1..max_n``).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.truth_table import TruthTable

IntOrStrategy = int | st.SearchStrategy[int] | None


def _n(draw: Any, n: IntOrStrategy, max_n: int) -> int:
    if n is None:
        return draw(st.integers(1, max_n))
    if isinstance(n, int):
        return n
    return draw(n)


def bit_arrays(n: int, min_rows: int = 1, max_rows: int = 16) -> st.SearchStrategy[np.ndarray]:
    """uint8 arrays of shape (rows, n) with entries in {0, 1}."""
    return hnp.arrays(
        np.uint8, st.tuples(st.integers(min_rows, max_rows), st.just(n)), elements=st.integers(0, 1)
    )


@st.composite
def literal_sets(
    draw: Any,
    n: IntOrStrategy = None,
    max_n: int = 8,
    monotone: bool = False,
    contradictions: bool = False,
    max_size: int | None = None,
) -> tuple[int, list[int]]:
    """``(n, literals)``: signed 1-based literals over ``n`` variables."""
    n = _n(draw, n, max_n)
    signs = st.sampled_from([0, 1]) if monotone else st.sampled_from([0, 1, -1])
    lits = [
        s * i for i, s in enumerate(draw(st.lists(signs, min_size=n, max_size=n)), start=1) if s
    ]
    if contradictions and not monotone and n >= 1 and draw(st.booleans()):
        i = draw(st.integers(1, n))
        lits += [i, -i]
    if max_size is not None:
        lits = lits[:max_size]
    return n, lits


@st.composite
def conjunctions(
    draw: Any,
    n: IntOrStrategy = None,
    max_n: int = 8,
    monotone: bool = False,
    contradictions: bool = False,
) -> Conjunction:
    """Conjunctions of literals (no contradictory pair unless ``contradictions``)."""
    n, lits = draw(literal_sets(n, max_n, monotone, contradictions))
    return Conjunction(n, lits)


@st.composite
def disjunctions(
    draw: Any,
    n: IntOrStrategy = None,
    max_n: int = 8,
    monotone: bool = False,
    contradictions: bool = False,
) -> Disjunction:
    """Disjunctions of literals (no contradictory pair unless ``contradictions``)."""
    n, lits = draw(literal_sets(n, max_n, monotone, contradictions))
    return Disjunction(n, lits)


@st.composite
def _two_level(
    draw: Any, cls: type, n: IntOrStrategy, max_n: int, max_groups: int, monotone: bool
) -> DNF | CNF:
    n = _n(draw, n, max_n)
    k = draw(st.integers(0, max_groups))
    groups = [draw(literal_sets(n, monotone=monotone, contradictions=True))[1] for _ in range(k)]
    return cls(n, groups)


def dnfs(
    n: IntOrStrategy = None, max_n: int = 8, max_terms: int = 3, monotone: bool = False
) -> st.SearchStrategy[DNF]:
    """DNFs with at most ``max_terms`` terms."""
    return _two_level(DNF, n, max_n, max_terms, monotone)


def cnfs(
    n: IntOrStrategy = None, max_n: int = 8, max_clauses: int = 3, monotone: bool = False
) -> st.SearchStrategy[CNF]:
    """CNFs with at most ``max_clauses`` clauses."""
    return _two_level(CNF, n, max_n, max_clauses, monotone)


@st.composite
def _subset(draw: Any, n: IntOrStrategy, max_n: int, k: int | None) -> tuple[int, list[int]]:
    n = _n(draw, n, max_n)
    if k is None:
        return n, [i for i in range(1, n + 1) if draw(st.booleans())]
    return n, sorted(draw(st.permutations(range(1, n + 1)))[:k])


@st.composite
def parities(draw: Any, n: IntOrStrategy = None, max_n: int = 8, k: int | None = None) -> Parity:
    """Parities of a random subset (exactly ``k`` variables if given)."""
    return Parity(*draw(_subset(n, max_n, k)))


@st.composite
def majorities(draw: Any, n: IntOrStrategy = None, max_n: int = 8) -> Majority:
    """Majorities of a random subset."""
    return Majority(*draw(_subset(n, max_n, None)))


@st.composite
def thresholds(draw: Any, n: IntOrStrategy = None, max_n: int = 8) -> Threshold:
    """0-1 threshold functions: ``w in {-1,0,1}^n``, ``b in {-2.5, ..., 2.5}``."""
    n = _n(draw, n, max_n)
    w = draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=n, max_size=n))
    b = Fraction(2 * draw(st.integers(-3, 2)) + 1, 2)
    return Threshold(n, w, b)


@st.composite
def halfspaces(
    draw: Any, n: IntOrStrategy = None, max_n: int = 8, max_weight: int = 3, any_bias: bool = False
) -> Halfspace:
    """Integer halfspaces ``w in {-max_weight..max_weight}^n`` with bias 0.5 (or, with
    ``any_bias``, a random multiple of 1/4 in [-4, 4])."""
    n = _n(draw, n, max_n)
    w = draw(st.lists(st.integers(-max_weight, max_weight), min_size=n, max_size=n))
    b = Fraction(draw(st.integers(-16, 16)), 4) if any_bias else Fraction(1, 2)
    return Halfspace(n, w, b)


@st.composite
def truth_tables(draw: Any, n: IntOrStrategy = None, max_n: int = 6) -> TruthTable:
    """Arbitrary functions given by their truth tables."""
    n = _n(draw, n, max_n)
    values = draw(st.lists(st.booleans(), min_size=2**n, max_size=2**n))
    return TruthTable(n, np.array(values, dtype=bool))


def functions(n: IntOrStrategy = None, max_n: int = 6) -> st.SearchStrategy[BooleanFunction]:
    """A function of any representation boolfun has."""
    return st.one_of(
        conjunctions(n, max_n, contradictions=True),
        disjunctions(n, max_n, contradictions=True),
        dnfs(n, max_n),
        cnfs(n, max_n),
        parities(n, max_n),
        majorities(n, max_n),
        thresholds(n, max_n),
        halfspaces(n, max_n, any_bias=True),
        truth_tables(n, max_n),
    )


@st.composite
def class_members(draw: Any, cls: Any, paper: bool = False) -> BooleanFunction:
    """Members of a :class:`boolfun.classes.FunctionClass`: uniform over its parameter space
    (``cls.sample_uniform``), or from the paper's distribution with ``paper=True``."""
    rng = np.random.default_rng(draw(st.integers(0, 2**63 - 1)))
    return cls.sample(rng) if paper else cls.sample_uniform(rng)
