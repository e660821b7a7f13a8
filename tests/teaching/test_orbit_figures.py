"""Class figures per orbit (``teaching.orbit_figures``).

Independent reasons for the numbers asserted here:

* the full enumeration (:func:`teaching.class_figures.class_figures`: every concept's TD by a
  hitting set over all ``2^n`` points, RTD by peeling the listed class) must give the same
  histogram, per-concept TDs, RTD and plan as one TD per orbit; and its truth-table orbits
  (found by applying every permutation and flip to the tables) must be the orbits counted
  here by combinatorics;
* orbit sizes: ``C(n, k) 2^k`` conjunctions of ``k`` literals, ``C(n, k)`` variable sets of
  size ``k``; they must sum to the class's own ``size()``;
* Goldman & Kearns at larger n: ``k + 2`` (``k < n``) and ``n + 1`` for conjunctions,
  ``k + 1`` and ``n`` for monotone ones, ``n`` for parities, ``min(k, n - k)`` for exactly-k
  parities (SPEC section 2);
* a carried teaching set is checked by brute force: only its concept among the listed class
  agrees with it.
"""

import json
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun.bits import all_inputs
from boolfun.classes import make_class
from teaching.class_figures import class_figures, figures
from teaching.orbit_figures import (
    CONSTANT,
    ConjunctionUnion,
    OrbitUnion,
    orbit_figures,
    orbit_union,
    supports,
    symmetry,
)

# (name, n, params): the enumeration must finish in about a second or two for each
CASES = [
    ("conjunction", 3, {}),
    ("conjunction", 4, {}),
    ("conjunction", 3, {"with_constants": True}),
    ("conjunction", 4, {"k": 2}),
    ("monotone_conjunction", 3, {}),
    ("monotone_conjunction", 5, {}),
    ("disjunction", 4, {}),
    ("monotone_disjunction", 4, {}),
    ("parity", 3, {}),
    ("parity", 4, {}),
    ("sparse_parity", 5, {"k": 2}),
    ("sparse_parity", 6, {"k": 3}),
    ("majority", 3, {}),
    ("majority", 5, {}),
    ("majority", 6, {}),
]


def case_id(case):
    name, n, params = case
    extra = ",".join(f"{k}={v}" for k, v in params.items())
    return f"{name}-n{n}" + (f"-{extra}" if extra else "")


_CACHE = {}


def both(name, n, **params):
    key = (name, n, tuple(sorted(params.items())))
    if key not in _CACHE:
        cls = make_class(name, n, **params)
        _CACHE[key] = (cls, orbit_figures(cls), class_figures(cls))
    return _CACHE[key]


# -- agreement with the full enumeration ------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_orbits_agree_with_the_enumeration(case):
    name, n, params = case
    cls, of, cf = both(name, n, **params)
    assert of.td_status == "exact" and of.rtd_status == "exact"
    assert of.size == len(cf.concepts) == cls.size()
    assert of.histogram == cf.histogram
    assert of.td_max == cf.td_max and of.td_min == min(cf.td)
    assert of.td_mean == pytest.approx(cf.td_mean)
    expanded = of.concepts()
    assert [str(f) for f, _ in expanded] == [str(f) for f in cf.concepts]
    assert [t for _, t in expanded] == cf.td
    assert of.rtd == cf.rtd
    # the same group, and the same orbits, as the truth-table orbits of the enumeration
    assert of.group == cf.group and of.orbit_count == cf.orbit_count


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_plan_layers_are_the_enumerations_layers(case):
    name, n, params = case
    _, of, cf = both(name, n, **params)
    layer_of = {v: d["layer"] for v, d in cf.plan.nodes(data=True)}
    td_of = {v: d["td"] for v, d in cf.plan.nodes(data=True)}
    for t, layer in enumerate(of.layers):
        members = [f for f in cf.concepts if of.symmetry.key(f) in layer.keys]
        assert members and all(layer_of[str(f)] == t for f in members)
        assert all(td_of[str(f)] == layer.td for f in members)
    assert len(of.layers) == 1 + max(layer_of.values())
    assert of.rtd == max(layer.td for layer in of.layers)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_carried_teaching_sets_teach_by_brute_force(case):
    name, n, params = case
    cls, of, cf = both(name, n, **params)
    pts = all_inputs(n)
    index = {tuple(p): r for r, p in enumerate(pts.tolist())}
    tables = np.array([f.evaluate(pts) for f in cf.concepts], dtype=np.uint8)
    for i, f in enumerate(cf.concepts):
        ex = of.teaching_set(f)
        assert len(ex) == cf.td[i] and ex.consistent_with(f)
        rows = [index[tuple(x)] for x in ex.xs.tolist()]
        assert len(set(rows)) == len(rows)
        fits = np.flatnonzero((tables[:, rows] == tables[i, rows]).all(axis=1))
        assert fits.tolist() == [i]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_orbit_keys_are_the_truth_table_orbits(case):
    # the enumeration's orbits apply every permutation (and flip) to the truth tables; two
    # concepts share one iff they share the combinatorial key used here
    name, n, params = case
    cls, of, _ = both(name, n, **params)
    from teaching.class_figures import orbits

    concepts = cls.enumerate()
    tables = np.array([f.evaluate(all_inputs(n)) for f in concepts], dtype=np.uint8)
    labels, group = orbits(tables, n)
    keys = [of.symmetry.key(f) for f in concepts]
    assert group == of.group
    for a in range(len(concepts)):
        for b in range(len(concepts)):
            assert (labels[a] == labels[b]) == (keys[a] == keys[b])
    for o in of.orbits:
        assert keys.count(o.key) == o.size
        assert of.symmetry.key(o.representative) == o.key


# -- orbit sizes ------------------------------------------------------------------------------


@st.composite
def symmetric_classes(draw, max_n=40):
    name = draw(st.sampled_from(["conjunction", "monotone_conjunction", "disjunction",
                                 "monotone_disjunction", "parity", "sparse_parity",
                                 "majority"]))
    n = draw(st.integers(1, max_n))
    params = {}
    if name == "sparse_parity" or ("junction" in name and draw(st.booleans())):
        params["k"] = draw(st.integers(0, n))
    if "junction" in name and draw(st.booleans()):
        params["with_constants"] = True
    return make_class(name, n, **params)


@settings(max_examples=150, deadline=None)
@given(symmetric_classes())
def test_orbit_sizes_sum_to_the_class_size(cls):
    sym = symmetry(cls)
    assert sum(sym.size(k) for k in sym.keys) == cls.size()
    assert len(set(sym.keys)) == len(sym.keys)
    for k in sym.keys:
        assert sym.key(sym.representative(k)) == k


@settings(max_examples=40, deadline=None)
@given(symmetric_classes(max_n=5))
def test_orbit_sizes_count_the_enumerated_members(cls):
    sym = symmetry(cls)
    keys = [sym.key(f) for f in cls.enumerate()]
    assert {k: keys.count(k) for k in sym.keys} == {k: sym.size(k) for k in sym.keys}


@settings(max_examples=40, deadline=None)
@given(symmetric_classes(max_n=7), st.randoms(use_true_random=False))
def test_transport_maps_the_representative_onto_the_concept(cls, rnd):
    # g rep = f means rep(x) = f(g x) at every point: checked on all points (n <= 7)
    sym = symmetry(cls)
    funcs = cls.enumerate() if cls.size() <= 300 else [cls.sample_uniform(
        np.random.default_rng(rnd.randrange(1 << 30))) for _ in range(20)]
    pts = all_inputs(cls.n)
    for f in rnd.sample(funcs, min(len(funcs), 20)):
        rep = sym.representative(sym.key(f))
        p, a = sym.transport(f)
        assert sorted(p.tolist()) == list(range(cls.n))
        if sym.group == "permutations":
            assert not a.any()
        gx = np.zeros_like(pts)
        gx[:, p] = pts
        gx ^= a
        assert np.array_equal(rep.evaluate(pts), f.evaluate(gx))


# -- unions of orbits -------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([("conjunction", {}), ("monotone_disjunction", {}),
                        ("conjunction", {"with_constants": True}), ("parity", {}),
                        ("majority", {})]),
       st.data())
def test_union_encoding_holds_exactly_its_orbits(spec, data):
    # membership by the SAT encoding (label every point with the concept's truth table) must
    # be "the concept's key is kept", for every concept of the whole class
    from pysat.solvers import Solver

    name, params = spec
    base = make_class(name, 3, **params)
    sym = symmetry(base)
    keys = data.draw(st.lists(st.sampled_from(sym.keys), min_size=1, unique=True))
    union = orbit_union(base, keys)
    assert isinstance(union, OrbitUnion)
    assert union.size() == len(union.enumerate())
    assert [str(f) for f in union.enumerate()] == [
        str(f) for f in base.enumerate() if sym.key(f) in keys]
    pts = all_inputs(3)
    for f in base.enumerate():
        enc = union.encode()
        for x, y in zip(pts, f.evaluate(pts).tolist(), strict=True):
            enc.label(x, y)
        with Solver(name="g3", bootstrap_with=enc.circuit.clauses) as s:
            assert s.solve() == (sym.key(f) in keys)
        assert (f in union) == (sym.key(f) in keys)


def test_literal_unions_are_literal_classes_to_the_solvers():
    union = orbit_union(make_class("conjunction", 4), [2, 3])
    assert isinstance(union, ConjunctionUnion) and union.monotone is False
    assert "orbits 2, 3" in union.short_name()
    assert isinstance(orbit_union(make_class("parity", 4), [1]), OrbitUnion)
    with pytest.raises(ValueError, match="keys"):
        orbit_union(make_class("parity", 4), [7])


# -- closed forms at larger n -----------------------------------------------------------------


@pytest.mark.parametrize("n", [9, 13])
@pytest.mark.parametrize("monotone", [False, True])
def test_goldman_kearns_per_orbit_at_larger_n(n, monotone):
    name = "monotone_conjunction" if monotone else "conjunction"
    of = orbit_figures(make_class(name, n), rtd=False)
    for o in of.orbits:
        k = o.key
        expect = (k + 1 if k < n else n) if monotone else (k + 2 if k < n else n + 1)
        assert o.td == expect
        assert o.size == comb(n, k) * (1 if monotone else 2**k)
    assert of.orbit_count == n + 1 and of.size == (2 if monotone else 3) ** n
    assert of.rtd is None and of.rtd_status == "unknown"


@pytest.mark.parametrize("n,k", [(14, 3), (12, 2), (9, 0)])
def test_parities_per_orbit_at_larger_n(n, k):
    sparse = orbit_figures(make_class("sparse_parity", n, k=k))
    assert sparse.orbit_count == 1 and sparse.histogram == {min(k, n - k): comb(n, k)}
    assert sparse.rtd == min(k, n - k)  # one orbit: one layer
    full = orbit_figures(make_class("parity", n))
    assert full.histogram == {n: 2**n} and full.rtd == n and full.orbit_count == n + 1


def test_rtd_of_conjunctions_at_n_7():
    # the argument of tests/teaching/test_class_figures.py: every round's minimum is 2 until
    # only the n-literal conjunctions are left (one positive each): RTD 2; monotone: RTD 1
    of = orbit_figures(make_class("conjunction", 7))
    assert [layer.keys for layer in of.layers] == [(k,) for k in range(8)]
    assert [layer.td for layer in of.layers] == [2] * 7 + [1] and of.rtd == 2
    of = orbit_figures(make_class("monotone_conjunction", 7))
    assert [layer.td for layer in of.layers] == [1] * 7 + [0] and of.rtd == 1


# -- JSON, dispatch, limits, bad input --------------------------------------------------------


def test_to_json_reports_orbits_and_lists_small_classes():
    cls, of, cf = both("conjunction", 3, with_constants=True)
    doc = of.to_json()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["method"] == "orbits" and doc["orbit_count"] == 5 == len(doc["orbits"])
    assert doc["size"] == sum(o["size"] for o in doc["orbits"]) == 28
    assert {o["orbit"] for o in doc["orbits"]} == {0, 1, 2, 3, CONSTANT}
    assert doc["histogram"] == {str(k): v for k, v in cf.histogram.items()}
    assert [c["td"] for c in doc["concepts"]] == cf.td
    for c in doc["concepts"]:
        assert len(c["examples"]) == c["td"]
    assert "concepts" not in of.to_json(list_concepts=False)
    # the constant 0 among conjunctions needs all 2^n points (SPEC section 2)
    assert next(o for o in doc["orbits"] if o["orbit"] == CONSTANT)["td"] == 8
    enum_doc = cf.to_json()
    assert enum_doc["method"] == "enumeration" and enum_doc["orbit_count"] == 5


def test_figures_dispatches():
    assert figures(make_class("parity", 3)).to_json()["method"] == "orbits"
    assert figures(make_class("parity", 3), "enumeration").to_json()["method"] == "enumeration"
    assert figures(make_class("threshold", 2)).to_json()["method"] == "enumeration"
    with pytest.raises(ValueError, match="method must be one of"):
        figures(make_class("parity", 3), "fast")
    with pytest.raises(ValueError, match="cls: the orbit computation needs"):
        figures(make_class("threshold", 2), "orbits")
    with pytest.raises(ValueError, match="time_limit"):
        figures(make_class("threshold", 2), time_limit=5)


def test_supports():
    assert supports(make_class("majority", 3)) and supports(make_class("disjunction", 3))
    assert not supports(make_class("dnf", 3, terms=2)) and not supports("conjunction")


def test_time_limit_gives_unknown_with_bounds():
    of = orbit_figures(make_class("majority", 9), time_limit=0.2)
    assert of.td_status == "unknown" and of.histogram is None and of.td_max is None
    for o in of.orbits:
        lo, hi = o.result.lower_bound, o.result.upper_bound
        assert hi is None or lo <= hi
    assert of.rtd is None and of.rtd_status == "unknown"
    # past the limit before any solver call: every orbit unknown, only the trivial bound
    of = orbit_figures(make_class("parity", 6), time_limit=1e-9)
    assert [(o.td, o.result.lower_bound) for o in of.orbits] == [(None, 0)] * 7
    assert of.td_status == "unknown" and of.rtd_lower == 0 and of.rtd_upper is None
    with pytest.raises(ValueError, match="time_limit"):
        orbit_figures(make_class("majority", 3), time_limit=0)


def test_large_n_needs_a_time_limit():
    with pytest.raises(ValueError, match=r"^n: .*without a time_limit needs n <= 16 .*, got n=17"):
        orbit_figures(make_class("parity", 17))
    of = orbit_figures(make_class("parity", 40), time_limit=30)  # GF(2) rank: TD = n
    assert of.histogram == {40: 2**40} and of.rtd == 40 and of.orbit_count == 41
