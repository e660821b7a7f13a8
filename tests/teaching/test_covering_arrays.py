"""An independent value: the constant 1 among DNFs with at most 3 terms (literals of both
signs) has TD = CAN(3, n, 2), the covering-array number.

A set P of positives teaches 1 iff no 3-term DNF h != 1 covers P. Each such h has a false
point z; each of h's (at most 3) terms has a literal false at z, and the subcube fixing those
<= 3 literals to their values at z contains only false points of h. So P must meet every
subcube of codimension 3 (fixing 3 variables to any of the 8 patterns), and that suffices:
the subcube {x_a = u, x_b = v, x_c = w} is exactly the false set of the 3-term DNF
(x_a != u) | (x_b != v) | (x_c != w). Sets meeting every such subcube are the binary covering
arrays of strength 3, whose smallest sizes are classical: CAN(3, 3, 2) = 8, CAN(3, 4, 2) = 8,
CAN(3, 5, 2) = 10, CAN(3, k, 2) = 12 for 6 <= k <= 11 (Colbourn's tables; Kleitman & Spencer
1973 settle strength 2)."""

from __future__ import annotations

import pytest

from boolfun.classes import make_class
from boolfun.normal_forms import DNF
from teaching.dimension import teaching_dimension
from teaching.symbolic import symbolic_teaching_dimension

CAN3 = {3: 8, 4: 8, 5: 10, 6: 12, 7: 12}


@pytest.mark.parametrize("n", [3, 4, 5, 6])
def test_the_constant_one_needs_a_covering_array(n):
    cls = make_class("dnf", n, terms=3)
    r = teaching_dimension(DNF(n, [()]), cls)
    assert r.status == "exact" and r.td == CAN3[n]
    xs = r.examples.xs
    for a in range(n):  # the teaching set is a covering array of strength 3
        for b in range(a + 1, n):
            for c in range(b + 1, n):
                assert len({tuple(row) for row in xs[:, [a, b, c]].tolist()}) == 8


@pytest.mark.parametrize("n", [4, 5])
def test_the_symbolic_search_finds_the_covering_array_number(n):
    r = symbolic_teaching_dimension(DNF(n, [()]), make_class("dnf", n, terms=3), time_limit=60)
    assert r.status == "exact" and r.td == CAN3[n]
