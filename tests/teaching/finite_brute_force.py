"""Independent brute forces for the teaching parameters of small explicit classes, written
from the definitions with plain Python sets (no code of :mod:`teaching`), for the tests of
``teaching.finite_teaching`` and ``teaching.parameters``.

A class is a list of rows (tuples of 0/1), pairwise distinct; a sample of row ``c`` is a
frozenset of ``(point, label)`` pairs.
"""

from __future__ import annotations

from itertools import combinations, permutations

from hypothesis import strategies as st


def consistent(row, sample) -> bool:
    return all(row[x] == y for x, y in sample)


def sample_of(row, points) -> frozenset:
    return frozenset((x, row[x]) for x in points)


def td(rows, c, among=None) -> int:
    """Least number of points on which row ``c`` differs from every other row of ``among``."""
    others = [rows[d] for d in (range(len(rows)) if among is None else among) if d != c]
    m = len(rows[c])
    for k in range(m + 1):
        for pts in combinations(range(m), k):
            s = sample_of(rows[c], pts)
            if not any(consistent(o, s) for o in others):
                return k
    raise AssertionError("duplicate rows")


def rtd(rows) -> tuple[int, list[tuple[list[int], int]]]:
    """(RTD, layers [(removed concepts, their TD)]) by the definition."""
    alive = list(range(len(rows)))
    layers = []
    while alive:
        tds = {c: td(rows, c, alive) for c in alive}
        low = min(tds.values())
        removed = [c for c in alive if tds[c] == low]
        layers.append((removed, low))
        alive = [c for c in alive if c not in removed]
    return max(d for _, d in layers), layers


def pbtd(rows) -> int:
    """Least over all linear orders (most preferred first) of max_i TD(c_i, {c_1..c_i})."""
    n = len(rows)
    best = None
    for order in permutations(range(n)):
        worst = max(td(rows, c, order[: i + 1]) for i, c in enumerate(order))
        best = worst if best is None else min(best, worst)
    return best


def _no_clash_extend(rows, choices, chosen) -> bool:
    """Extend the samples ``chosen`` (for concepts 0..len-1) without a clash."""
    c = len(chosen)
    if c == len(rows):
        return True
    for s in choices[c]:
        if all(not (consistent(rows[c], chosen[d]) and consistent(rows[d], s))
               for d in range(c)):
            chosen.append(s)
            if _no_clash_extend(rows, choices, chosen):
                return True
            chosen.pop()
    return False



def nctd(rows) -> int:
    """Least k with a no-clash teacher of order k, by backtracking over the concepts."""
    m = len(rows[0])
    for k in range(m + 1):
        subsets = [pts for size in range(k + 1) for pts in combinations(range(m), size)]
        choices = [[sample_of(row, pts) for pts in subsets] for row in rows]
        if _no_clash_extend(rows, choices, []):
            return k
    raise AssertionError("the full domain is a no-clash teacher")


def _cons(fam, s) -> set[int]:
    """cons(S): the concepts with a sample in their family containing ``s``."""
    return {d for d, f in enumerate(fam) if any(s <= t for t in f)}


def std(rows) -> tuple[int, list[int]]:
    """(STD(C), STD(c) per concept), iterating the definition of Zilles et al. until the
    families repeat."""
    n, m = len(rows), len(rows[0])
    fam = []
    for c in range(n):
        k = td(rows, c)
        fam.append(frozenset(
            sample_of(rows[c], pts) for pts in combinations(range(m), k)
            if not any(consistent(rows[d], sample_of(rows[c], pts)) for d in range(n) if d != c)
        ))
    seen = [tuple(fam)]
    while True:
        new = []
        for c in range(n):
            subs = {frozenset(sub) for t in fam[c] for k in range(len(t) + 1)
                    for sub in combinations(sorted(t), k)}
            good = [s for s in subs if _cons(fam, s) == {c}]
            low = min(len(s) for s in good)
            new.append(frozenset(s for s in good if len(s) == low))
        if tuple(new) in seen:
            sizes = [len(next(iter(f))) for f in new]
            return max(sizes), sizes
        seen.append(tuple(new))
        fam = new


def vcd(rows) -> int:
    m = len(rows[0])
    best = 0
    for k in range(1, m + 1):
        if any(len({tuple(r[x] for x in pts) for r in rows}) == 2**k
               for pts in combinations(range(m), k)):
            best = k
    return best


@st.composite
def small_classes(draw, max_concepts: int = 6, max_points: int = 4):
    """A list of distinct 0/1 rows: 1..max_concepts concepts over 1..max_points points."""
    m = draw(st.integers(1, max_points))
    codes = draw(st.sets(st.integers(0, 2**m - 1), min_size=1, max_size=min(max_concepts,
                                                                               2**m)))
    return [tuple((code >> j) & 1 for j in range(m)) for code in sorted(codes)]
