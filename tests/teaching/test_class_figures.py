"""Class-level teaching figures (``teaching.class_figures``).

Every number asserted here has a reason independent of the module:

* Goldman & Kearns: in the conjunctions (no contradictory literals) over ``n >= 2`` variables
  a ``k``-literal conjunction has TD ``k + 2`` for ``k < n`` and ``n + 1`` for ``k = n``; in
  the monotone ones ``k + 1`` and ``n``. Disjunctions are the duals (``h -> ~h(~x)`` maps one
  class onto the other and teaching sets onto teaching sets), so they share those values.
* Parities form a GF(2) vector space: a set teaches iff its points span ``GF(2)^n``, so every
  parity has TD ``n``; with all ``2^(2^n)`` functions every point is needed, TD ``2^n``.
* The recursive teaching dimension follows from its definition (Zilles et al. 2011), argued
  per class below, and is cross-checked against a brute force written here (subsets of the
  ``2^n <= 8`` points, truth tables built with ``itertools.product``).
"""

import json
from collections import Counter
from itertools import product
from math import comb

import networkx as nx
import numpy as np
import pytest

from boolfun.bits import all_inputs
from boolfun.classes import make_class
from teaching import class_figures as cf_module
from teaching.class_figures import class_figures, orbits
from teaching.dimension import teaching_dimension_by_enumeration

# -- independent brute force ------------------------------------------------------------------


def points(n):
    return np.array(list(product((0, 1), repeat=n)), dtype=np.uint8)


def tables_of(concepts, n):
    pts = points(n)
    return np.array([np.asarray(f.evaluate(pts), dtype=np.uint8) for f in concepts])


def brute_td(tables, i, alive):
    """Smallest number of points on which ``tables[i]`` differs from every other alive row."""
    npts = tables.shape[1]
    weights = 1 << np.arange(npts, dtype=np.int64)
    masks = [int(((tables[j] != tables[i]) * weights).sum()) for j in alive if j != i]
    if not masks:
        return 0
    assert all(masks), "duplicate concepts"
    subsets = np.arange(1 << npts, dtype=np.int64)
    size = np.array([bin(s).count("1") for s in range(1 << npts)])
    hits = ((subsets[:, None] & np.array(masks, dtype=np.int64)[None, :]) != 0).all(axis=1)
    return int(size[hits].min())


def brute_rtd(tables):
    """(RTD, [(sorted indices removed, their TD in that round), ...]) by the definition."""
    alive = list(range(len(tables)))
    layers = []
    while alive:
        local = {i: brute_td(tables, i, alive) for i in alive}
        low = min(local.values())
        removed = sorted(i for i in alive if local[i] == low)
        layers.append((removed, low))
        alive = [i for i in alive if local[i] != low]
    return max(low for _, low in layers), layers


def literal_count(table, n, dual=False):
    """Literals of a conjunction from its truth table: its true points form a subcube of
    dimension ``n - k`` (for a disjunction, its false points)."""
    ones = int(np.sum(table == (0 if dual else 1)))
    k = n - (ones.bit_length() - 1)
    assert ones == 2 ** (n - k)
    return k


def gk_td(k, n, monotone):
    """Goldman & Kearns, for ``n >= 2``."""
    if monotone:
        return k + 1 if k < n else n
    return k + 2 if k < n else n + 1


# -- classes ----------------------------------------------------------------------------------

SMALL = [  # (name, n, params): all with 2^n <= 8 points, for the brute force
    ("conjunction", 2, {}),
    ("conjunction", 3, {}),
    ("conjunction", 3, {"with_constants": True}),
    ("monotone_conjunction", 3, {}),
    ("disjunction", 3, {}),
    ("monotone_disjunction", 3, {"k": 2}),
    ("parity", 3, {}),
    ("sparse_parity", 3, {"k": 2}),
    ("majority", 3, {}),
    ("threshold", 3, {}),
    ("halfspace", 3, {"max_weight": 1}),
    ("dnf", 3, {"terms": 2, "monotone": True}),
    ("dnf", 3, {"terms": 2}),
    ("all", 2, {}),
]


def small_id(case):
    name, n, params = case
    extra = ",".join(f"{k}={v}" for k, v in params.items())
    return f"{name}-n{n}" + (f"-{extra}" if extra else "")


_CACHE = {}


def figures(name, n, **params):
    key = (name, n, tuple(sorted(params.items())))
    if key not in _CACHE:
        _CACHE[key] = class_figures(make_class(name, n, **params))
    return _CACHE[key]


# -- theory -----------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize(
    "name,monotone,dual",
    [
        ("conjunction", False, False),
        ("monotone_conjunction", True, False),
        ("disjunction", False, True),
        ("monotone_disjunction", True, True),
    ],
)
def test_literal_classes_match_goldman_kearns(name, monotone, dual, n):
    fig = figures(name, n)
    tables = tables_of(fig.concepts, n)
    ks = [literal_count(t, n, dual) for t in tables]
    assert fig.td == [gk_td(k, n, monotone) for k in ks]
    # C(n, k) literal sets of size k, each with 2^k sign patterns (1 when monotone)
    per_k = {k: comb(n, k) * (1 if monotone else 2**k) for k in range(n + 1)}
    assert sorted(Counter(ks).items()) == sorted(per_k.items())
    expected_hist = Counter()
    for k, count in per_k.items():
        expected_hist[gk_td(k, n, monotone)] += count
    assert fig.histogram == dict(sorted(expected_hist.items()))
    assert fig.td_max == (n + 1 if not monotone else n)
    total = sum(count * gk_td(k, n, monotone) for k, count in per_k.items())
    assert fig.td_mean == pytest.approx(total / sum(per_k.values()))


def test_conjunction_literals_at_n1_are_taught_by_one_point():
    # {True, x1, ~x1}: the point where a literal is 0 is 1 for both others (k = n = 1 is the
    # edge case the n + 1 formula does not cover); True needs both points. RTD: the literals
    # go first with TD 1, then True alone with TD 0
    fig = figures("conjunction", 1)
    tables = tables_of(fig.concepts, 1)
    expected = [2 if t.all() else 1 for t in tables]
    assert fig.td == expected and fig.rtd == 1


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("name,dual", [("conjunction", False), ("disjunction", True)])
def test_rtd_of_conjunctions_is_two(name, dual, n):
    # round 1: the minimum TD is 2 (the empty conjunction). In any later round let g have the
    # fewest literals k among what is left: for k < n two positives, complementary on the free
    # variables, leave only subsets of g's literals, hence g; for k = n only minterms are
    # left and one positive teaches. So every round's minimum is <= 2 and RTD = 2.
    # (by Goldman & Kearns the empty one alone has TD 2: it is the whole first layer)
    fig = figures(name, n)
    tables = tables_of(fig.concepts, n)
    empty = [
        str(f) for f, t in zip(fig.concepts, tables, strict=True) if (t == int(not dual)).all()
    ]
    assert fig.rtd == 2
    assert [v for v, d in fig.plan.nodes(data=True) if d["layer"] == 0] == empty
    assert fig.plan.nodes[empty[0]] == {"layer": 0, "td": 2}


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize(
    "name,dual", [("monotone_conjunction", False), ("monotone_disjunction", True)]
)
def test_monotone_teaching_plan_peels_by_literal_count(name, dual, n):
    # round t leaves the monotone conjunctions with >= t literals: each t-literal one is
    # taught by the single positive 1_S (any h true there has literals in S and >= t of
    # them), while a larger S is not taught by one example (a positive also fits a t-subset
    # of S; a negative fits a superset of S, or for S = [n] the set minus a variable where
    # the negative is 1). The last round holds one concept: TD 0. RTD = 1.
    fig = figures(name, n)
    tables = tables_of(fig.concepts, n)
    for f, t in zip(fig.concepts, tables, strict=True):
        k = literal_count(t, n, dual)
        assert fig.plan.nodes[str(f)] == {"layer": k, "td": 1 if k < n else 0}
    assert fig.rtd == 1


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_parity_every_td_is_n_and_rtd_is_n(n):
    # a teaching set must span GF(2)^n (else a nonzero s vanishes on it and f ^ s agrees);
    # all concepts tie in round 1, so the plan is one layer and RTD = n
    fig = figures("parity", n)
    assert fig.td == [n] * 2**n
    assert fig.histogram == {n: 2**n} and fig.td_max == n and fig.td_mean == n
    assert fig.rtd == n
    assert {d["layer"] for _, d in fig.plan.nodes(data=True)} == {0}
    assert fig.plan.number_of_edges() == 0


@pytest.mark.parametrize("n", [1, 2, 3])
def test_all_functions_need_every_point(n):
    # omit a point and flipping f there gives a consistent competitor; all tie, so RTD = 2^n
    fig = figures("all", n)
    assert fig.histogram == {2**n: 2 ** (2**n)} and fig.rtd == 2**n


def test_sparse_parities_of_two_of_three_variables_need_one_point():
    # for x_a ^ x_b the point with x_a = x_b != x_c is 0 there and 1 for the other two
    fig = figures("sparse_parity", 3, k=2)
    assert fig.histogram == {1: 3} and fig.rtd == 1 and fig.td_max == 1


@pytest.mark.parametrize("k", [0, 3])
def test_a_one_concept_class_has_td_zero(k):
    fig = figures("sparse_parity", 3, k=k)
    assert len(fig.concepts) == 1
    assert fig.td == [0] and fig.rtd == 0 and fig.histogram == {0: 1}
    assert len(fig.examples[0]) == 0
    assert dict(fig.plan.nodes(data=True)) == {str(fig.concepts[0]): {"layer": 0, "td": 0}}


# -- brute-force cross-checks -----------------------------------------------------------------


@pytest.mark.parametrize("case", SMALL, ids=small_id)
def test_every_td_matches_brute_force(case):
    name, n, params = case
    fig = figures(name, n, **params)
    cls = make_class(name, n, **params)
    assert len(fig.concepts) == cls.size()
    tables = tables_of(fig.concepts, n)
    assert len({t.tobytes() for t in tables}) == len(tables)
    alive = list(range(len(tables)))
    assert fig.td == [brute_td(tables, i, alive) for i in alive]


@pytest.mark.parametrize(
    "name,n,params", [("conjunction", 3, {}), ("halfspace", 3, {}), ("majority", 3, {})]
)
def test_every_td_matches_the_enumeration_solver(name, n, params):
    cls = make_class(name, n, **params)
    fig = figures(name, n, **params)
    assert fig.td == [teaching_dimension_by_enumeration(f, cls) for f in fig.concepts]


@pytest.mark.parametrize("case", SMALL, ids=small_id)
def test_rtd_and_plan_match_the_definition(case):
    name, n, params = case
    fig = figures(name, n, **params)
    tables = tables_of(fig.concepts, n)
    rtd, layers = brute_rtd(tables)
    assert fig.rtd == rtd
    assert 1 <= fig.rtd <= fig.td_max  # more than one concept in each of these classes
    names = [str(f) for f in fig.concepts]
    assert set(fig.plan.nodes) == set(names) and len(set(names)) == len(names)
    for t, (removed, low) in enumerate(layers):
        got = sorted(names.index(v) for v, d in fig.plan.nodes(data=True) if d["layer"] == t)
        assert got == removed
        assert all(fig.plan.nodes[names[i]]["td"] == low for i in removed)
    # round 1 is on the whole class: its minimum is the smallest TD
    assert layers[0][1] == min(fig.td)
    assert layers[0][0] == [i for i, t in enumerate(fig.td) if t == min(fig.td)]
    # edges: every concept of a layer to every concept of the next, nothing else
    expected_edges = {
        (names[a], names[b])
        for (la, _), (lb, _) in zip(layers, layers[1:], strict=False)
        for a in la
        for b in lb
    }
    assert set(fig.plan.edges) == expected_edges
    assert nx.is_directed_acyclic_graph(fig.plan)


@pytest.mark.parametrize("case", SMALL, ids=small_id)
def test_examples_are_minimum_teaching_sets(case):
    name, n, params = case
    fig = figures(name, n, **params)
    tables = tables_of(fig.concepts, n)
    index = {tuple(p): r for r, p in enumerate(points(n).tolist())}
    for i, (f, ex) in enumerate(zip(fig.concepts, fig.examples, strict=True)):
        assert len(ex) == fig.td[i]
        assert ex.n == n
        assert ex.consistent_with(f)
        rows = [index[tuple(x)] for x in ex.xs.tolist()]
        assert len(set(rows)) == len(rows)
        fits = np.flatnonzero((tables[:, rows] == tables[i, rows]).all(axis=1))
        assert fits.tolist() == [i]


@pytest.mark.parametrize("case", SMALL, ids=small_id)
def test_histogram_mean_and_max_agree_with_the_list(case):
    name, n, params = case
    fig = figures(name, n, **params)
    assert sum(fig.histogram.values()) == len(fig.concepts)
    assert list(fig.histogram) == sorted(fig.histogram)
    assert fig.histogram == {t: fig.td.count(t) for t in set(fig.td)}
    assert fig.td_mean == pytest.approx(sum(fig.td) / len(fig.td))
    assert fig.td_max == max(fig.td)
    assert len(fig.examples) == len(fig.td) == len(fig.concepts)


# -- symmetry ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,n,group,key",
    [
        # flipping x_i negates its literal, a permutation renames variables: both keep the
        # class, and any two k-literal conjunctions are related
        ("conjunction", 3, "permutations+flips", "literals"),
        # a flip turns x_i into ~x_i (not monotone); the weights of the parities are the orbits
        ("monotone_conjunction", 3, "permutations", "literals"),
        ("parity", 3, "permutations", "weight"),
        ("all", 2, "permutations+flips", None),
    ],
)
def test_orbits_group_and_labels(name, n, group, key):
    fig = figures(name, n)
    tables = tables_of(fig.concepts, n)
    module_tables = np.array([f.evaluate(all_inputs(n)) for f in fig.concepts], dtype=np.uint8)
    labels, got_group = orbits(module_tables, n)
    assert got_group == group
    if key == "literals":
        keys = [literal_count(t, n) for t in tables]
    elif key == "weight":  # weight of s is the number of unit vectors where the parity is 1
        unit = [points(n).tolist().index([int(i == j) for j in range(n)]) for i in range(n)]
        keys = [int(t[unit].sum()) for t in tables]
    else:
        keys = None
    if keys is not None:
        for a in range(len(tables)):
            for b in range(len(tables)):
                assert (labels[a] == labels[b]) == (keys[a] == keys[b])
    # the module's claim: one orbit, one TD
    for a in range(len(tables)):
        for b in range(len(tables)):
            if labels[a] == labels[b]:
                assert fig.td[a] == fig.td[b]


def test_orbits_fall_back_to_identity():
    # {x1} alone at n = 2: swapping the variables gives x2, flipping x1 gives ~x1
    tables = np.array([all_inputs(2)[:, 0]], dtype=np.uint8)
    labels, group = orbits(tables, 2)
    assert group == "identity" and labels.tolist() == [0]
    # {x1, x2}: closed under the swap, not under flips
    tables = all_inputs(2).T.astype(np.uint8)
    labels, group = orbits(tables, 2)
    assert group == "permutations" and labels[0] == labels[1]


# -- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,n,params", [("conjunction", 3, {}), ("dnf", 3, {"terms": 2}), ("parity", 2, {})]
)
def test_to_json_round_trips(name, n, params):
    fig = figures(name, n, **params)
    cls = make_class(name, n, **params)
    doc = fig.to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["class"] == cls.short_name() and doc["n"] == n
    assert doc["size"] == len(fig.concepts) == cls.size()
    assert doc["td_max"] == max(fig.td) and doc["rtd"] == fig.rtd
    assert doc["td_mean"] == round(sum(fig.td) / len(fig.td), 4)
    assert doc["histogram"] == {str(t): fig.td.count(t) for t in sorted(set(fig.td))}
    assert [c["function"] for c in doc["concepts"]] == [str(f) for f in fig.concepts]
    assert [c["td"] for c in doc["concepts"]] == fig.td
    for f, c in zip(fig.concepts, doc["concepts"], strict=True):
        assert len(c["examples"]) == c["td"]
        for e in c["examples"]:
            x = np.array([[int(ch) for ch in e["x"]]], dtype=np.uint8)
            assert x.shape == (1, n) and int(f.evaluate(x)[0]) == e["y"]


# -- validation -------------------------------------------------------------------------------


def test_rejects_n_above_the_limit():
    with pytest.raises(ValueError, match=r"n <= 6, got n=7"):
        class_figures(make_class("parity", 7))


@pytest.mark.parametrize("name,n,params", [("all", 4, {}), ("dnf", 5, {"terms": 3})])
def test_rejects_classes_too_large_to_list(name, n, params):
    cls = make_class(name, n, **params)
    assert cls.size() > cf_module.MAX_CONCEPTS
    with pytest.raises(ValueError, match=r"at most 5000 concepts"):
        class_figures(cls)


def test_concept_limit_is_inclusive(monkeypatch):
    monkeypatch.setattr(cf_module, "MAX_CONCEPTS", 8)
    assert class_figures(make_class("parity", 3)).td == [3] * 8  # exactly 8 concepts
    with pytest.raises(ValueError, match=r"at most 8 concepts, conjunction at n=2 has 9"):
        class_figures(make_class("conjunction", 2))
