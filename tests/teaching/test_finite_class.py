"""Explicit finite classes (``teaching.finite_class``), their TD / RTD / teaching plans
(``teaching.finite_teaching``) and certificates (``teaching.finite_certificate``).

Every value asserted has a reason independent of the modules: the literature (Warmuth's
class C_W of Doliwa, Fan, Simon & Zilles, JMLR 2014: VC dimension 2, RTD 3), a hand argument
given next to the test, or the brute forces of ``tests/teaching/finite_brute_force.py``
(plain Python sets, written from the definitions).
"""

import copy
import json
from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings

from boolfun.classes import make_class
from teaching.class_figures import class_figures
from teaching.finite_certificate import (
    FORMAT,
    check_finite_certificate,
    is_finite_certificate,
    make_finite_certificate,
)
from teaching.finite_class import FiniteClass, fixture_names, fixture_path, load_class_file
from teaching.finite_teaching import concept_teaching, finite_teaching
from teaching.parameters import class_parameters
from tests.teaching import finite_brute_force as brute


def rows_of(fc):
    return [tuple(int(v) for v in r) for r in fc.matrix]


def fixture(name):
    return load_class_file(fixture_path(name))


# -- the fixtures: values from the literature and hand arguments -------------------------------


def test_fixtures_are_shipped():
    assert {"warmuth_c5", "singletons_5", "singletons_empty_5", "thresholds_6", "cube_4"} <= set(
        fixture_names()
    )


def test_warmuth_class():
    """C_W (Doliwa et al. 2014, the class due to Warmuth): 10 concepts over 5 points, VC
    dimension 2 and RTD 3 (every concept needs 3 points, so RTD = TD = 3 > VCD)."""
    fc = fixture("warmuth_c5")
    assert (fc.size, fc.n_points) == (10, 5)
    rows = rows_of(fc)
    # VC dimension 2 by brute force: some pair is shattered, no triple is
    shattered = {
        k: [s for s in combinations(range(5), k)
            if len({tuple(r[x] for x in s) for r in rows}) == 2**k]
        for k in (2, 3)
    }
    assert shattered[2] and not shattered[3]
    ft = finite_teaching(fc)
    assert [c.td for c in ft.concepts] == [brute.td(rows, i) for i in range(10)] == [3] * 10
    assert ft.rtd == 3 == brute.rtd(rows)[0]
    assert ft.td_max == ft.td_min == 3 and ft.histogram == {3: 10}
    assert len(ft.layers) == 1 and ft.layers[0].td == 3


def test_singletons():
    """Singletons: the one positive point teaches each (and 0 points cannot, |C| >= 2)."""
    fc = fixture("singletons_5")
    ft = finite_teaching(fc)
    assert [c.td for c in ft.concepts] == [1] * 5 and ft.rtd == 1
    for c in ft.concepts:  # the teaching set is the positive point
        assert fc.matrix[c.concept, list(c.teaching_set)].tolist() == [1]


def test_singletons_and_empty():
    """With the empty concept: every point must be shown negative to exclude each singleton,
    TD(empty) = |X| = 5; the singletons keep TD 1, so RTD = 1 (singletons, then the empty
    concept alone with TD 0)."""
    fc = fixture("singletons_empty_5")
    ft = finite_teaching(fc)
    empty = fc.concepts.index("{}")
    assert ft.concepts[empty].td == fc.n_points == 5
    assert all(c.td == 1 for c in ft.concepts if c.concept != empty)
    assert ft.rtd == 1 and [layer.td for layer in ft.layers] == [1, 0]
    assert [c.concept for c in ft.layers[1].concepts] == [empty]
    assert ft.td_min == 1 and ft.td_max == 5 and ft.histogram == {1: 5, 5: 1}


def test_thresholds_on_a_line():
    """[x >= t], t = 1..7 on 6 points: the two ends are taught by one point (1 labelled 1;
    6 labelled 0), an interior threshold needs t-1 labelled 0 and t labelled 1. RTD = 1:
    each layer peels the two ends."""
    fc = fixture("thresholds_6")
    ft = finite_teaching(fc)
    assert [c.td for c in ft.concepts] == [1, 2, 2, 2, 2, 2, 1]
    inner = ft.concepts[3]  # x >= 4: the points 3 and 4
    assert {fc.points[j] for j in inner.teaching_set} == {"3", "4"}
    assert ft.rtd == 1 and [layer.td for layer in ft.layers] == [1, 1, 1, 0]


def test_full_cube():
    """2^X: flipping any one label gives another concept, so every point is needed."""
    fc = fixture("cube_4")
    ft = finite_teaching(fc)
    assert [c.td for c in ft.concepts] == [4] * 16 and ft.rtd == 4


# -- against the brute force -------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(rows=brute.small_classes(max_concepts=7, max_points=5))
def test_td_and_rtd_agree_with_brute_force(rows):
    fc = FiniteClass.from_matrix(rows)
    ft = finite_teaching(fc)
    assert [c.td for c in ft.concepts] == [brute.td(rows, i) for i in range(len(rows))]
    want, layers = brute.rtd(rows)
    assert ft.rtd == want
    assert [(sorted(c.concept for c in layer.concepts), layer.td) for layer in ft.layers] == [
        (sorted(r), d) for r, d in layers
    ]
    for c in ft.concepts:  # the teaching set teaches, the competitors need td points
        s = brute.sample_of(rows[c.concept], c.teaching_set)
        assert not any(brute.consistent(rows[d], s) for d in range(len(rows)) if d != c.concept)
        sub = [rows[c.concept]] + [rows[d] for d in c.competitors]
        assert brute.td(sub, 0) == c.td


@pytest.mark.parametrize(
    "name, n, params",
    [("conjunction", 3, {}), ("monotone_conjunction", 4, {}), ("parity", 3, {}),
     ("dnf", 3, {"terms": 2}), ("majority", 4, {})],
)
def test_boolean_classes_agree_with_class_figures(name, n, params):
    """Two independent paths: the orbit-reduced class figures and the finite class."""
    cls = make_class(name, n, **params)
    cf = class_figures(cls)
    ft = finite_teaching(FiniteClass.from_function_class(cls))
    assert [c.td for c in ft.concepts] == cf.td
    assert ft.rtd == cf.rtd and ft.histogram == cf.histogram


# -- loading and bad input ---------------------------------------------------------------------


def test_json_csv_npy_and_names(tmp_path):
    matrix = [[1, 0, 1], [0, 0, 1]]
    (tmp_path / "a.json").write_text(json.dumps(
        {"matrix": matrix, "points": ["p", "q", "r"], "concepts": ["A", "B"]}))
    (tmp_path / "b.json").write_text(json.dumps(["101", "001"]))
    (tmp_path / "c.csv").write_text("name,p,q,r\nA,1,0,1\nB,0,0,1\n")
    (tmp_path / "d.csv").write_text("1,0,1\n0,0,1\n")
    np.save(tmp_path / "e.npy", np.array(matrix, dtype=bool))
    for f in ("a.json", "b.json", "c.csv", "d.csv", "e.npy"):
        fc = load_class_file(tmp_path / f)
        assert fc.matrix.tolist() == matrix, f
    a = load_class_file(tmp_path / "a.json")
    assert a.points == ("p", "q", "r") and a.concepts == ("A", "B")
    c = load_class_file(tmp_path / "c.csv")
    assert c.points == ("p", "q", "r") and c.concepts == ("A", "B")
    d = load_class_file(tmp_path / "d.csv")
    assert d.points == ("x1", "x2", "x3") and d.concepts == ("c1", "c2")
    (tmp_path / "round.json").write_text(json.dumps(a.to_json()))
    assert load_class_file(tmp_path / "round.json") == a


def test_duplicates_are_merged_and_recorded():
    fc = FiniteClass.from_matrix(["10", "01", "10", "10"], concepts=["a", "b", "c", "d"])
    assert fc.size == 2 and fc.concepts == ("a", "b")
    assert fc.merged == (("a", ("c", "d")),)
    assert finite_teaching(fc).to_json()["merged_duplicates"] == [
        {"kept": "a", "merged": ["c", "d"]}
    ]


@pytest.mark.parametrize(
    "matrix, needle",
    [
        ([[0, 1], [1]], "ragged rows: row 1 has 2 entries, row 2 has 1"),
        ([[0, 2]], "(row 1, column 2) must be 0 or 1, got 2"),
        ([[0, 0.5]], "must be 0 or 1, got 0.5"),
        ([[0, "1"]], "must be 0 or 1"),
        (["01", "0a"], "row 2 must be a string of 0/1"),
        ([], "at least one row"),
        ([[]], "at least one column"),
        (np.zeros(3), "must be 2-D"),
        (np.array([["a"]]), "must hold 0/1 numbers"),
        (np.array([[0, -1]]), "must be 0 or 1, got"),
        ([1, 0], "row 1 must be a list"),
    ],
)
def test_bad_matrices_say_what_is_wrong(matrix, needle):
    with pytest.raises(ValueError, match="matrix") as e:
        FiniteClass.from_matrix(matrix)
    assert needle in str(e.value)


@pytest.mark.parametrize(
    "kwargs, needle",
    [
        ({"points": ["a"]}, "points: 1 names for 2 matrix columns"),
        ({"points": ["a", "a"]}, "points: the name 'a' appears twice"),
        ({"concepts": ["c", ""]}, "concepts: names must be non-empty"),
        ({"concepts": "ab"}, "concepts: must be a list of names"),
    ],
)
def test_bad_names(kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        FiniteClass.from_matrix([[0, 1], [1, 1]], **kwargs)


@pytest.mark.parametrize(
    "name, text, needle",
    [
        ("a.txt", "01", "must end in .json, .csv, .npy"),
        ("a.json", "{", "not JSON"),
        ("a.json", '{"matrix": [[0]], "matirx": 1}', "unknown key 'matirx'"),
        ("a.json", '{"points": ["a"]}', "matrix: missing"),
        ("a.json", '"01"', "must be a JSON object"),
        ("a.csv", "0,1\n1,x\n", "(row 2, column 2) must be 0 or 1, got 'x'"),
        ("a.csv", "0,1\n1\n", "ragged"),
        ("a.npy", "not an array", "not a .npy array"),
    ],
)
def test_bad_class_files(tmp_path, name, text, needle):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ValueError, match="class_file") as e:
        load_class_file(path)
    assert needle in str(e.value)


def test_missing_file_and_fixture():
    with pytest.raises(ValueError, match="class_file: no such file"):
        load_class_file("/nonexistent/c.json")
    with pytest.raises(ValueError, match="name: no fixture 'nope'"):
        fixture_path("nope")


def test_too_large_class_names_the_limit(monkeypatch):
    from teaching import finite_teaching as ft_module

    monkeypatch.setattr(ft_module, "MAX_CONCEPTS", 3)
    with pytest.raises(ValueError, match="td: needs at most 3 concepts"):
        finite_teaching(fixture("singletons_5"))
    cls = make_class("dnf", 5, terms=3)
    with pytest.raises(ValueError, match="at most 5000 concepts"):
        FiniteClass.from_function_class(cls)


# -- time limits ------------------------------------------------------------------------------


def test_time_limit_answers_unknown_with_true_bounds():
    fc = FiniteClass.from_function_class(make_class("majority", 5))
    ft = finite_teaching(fc, time_limit=1e-9)
    exact = finite_teaching(fc)
    assert ft.td_status == "unknown" and ft.td_max is None and ft.histogram is None
    assert ft.rtd_status == "unknown" and ft.rtd is None
    for c, e in zip(ft.concepts, exact.concepts, strict=True):
        assert c.lower <= e.td <= c.upper
        if c.status == "unknown":
            assert c.td is None
        s = brute.sample_of(rows_of(fc)[c.concept], c.teaching_set)  # the upper set teaches
        assert sum(brute.consistent(r, s) for r in rows_of(fc)) == 1
    assert ft.rtd_lower <= exact.rtd <= ft.rtd_upper
    lo, hi = ft.td_bounds["max"]
    assert lo <= exact.td_max <= hi
    with pytest.raises(ValueError, match="time limit"):
        make_finite_certificate(ft)
    with pytest.raises(ValueError, match="time_limit"):
        finite_teaching(fc, time_limit=0)


def test_concept_teaching_subclass_and_index():
    fc = fixture("singletons_empty_5")
    empty = fc.concepts.index("{}")
    among = np.zeros(fc.size, dtype=bool)
    among[[0, empty]] = True
    r = concept_teaching(fc, empty, among)  # against {x1} alone: one point
    assert r.td == 1 and r.teaching_set == (0,) and r.competitors == (0,)
    with pytest.raises(ValueError, match="i must be a concept index"):
        concept_teaching(fc, fc.size)


# -- certificates -----------------------------------------------------------------------------


def certificate(name, params=("pbtd", "nctd", "std", "vcd")):
    ft = finite_teaching(fixture(name))
    return make_finite_certificate(ft, class_parameters(ft, params))


@pytest.mark.parametrize("name", ["warmuth_c5", "singletons_empty_5", "thresholds_6", "cube_4"])
def test_certificates_recheck(name, tmp_path):
    cert = json.loads(json.dumps(certificate(name)))
    assert cert["format"] == FORMAT
    res = check_finite_certificate(cert)
    assert res.valid, res.errors
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    assert is_finite_certificate(path) and check_finite_certificate(path).valid


def _set_label(cert, i, j):
    row = cert["class"]["matrix"][i]
    cert["class"]["matrix"][i] = row[:j] + ("1" if row[j] == "0" else "0") + row[j + 1:]


TAMPERINGS = {
    "keep one competitor": lambda c: c["td"][0].__setitem__("competitors",
                                                            c["td"][0]["competitors"][:1]),
    "claim a larger td": lambda c: c["td"][0].__setitem__("td", c["td"][0]["td"] + 1),
    "drop a teaching point": lambda c: c["td"][1]["teaching_set"].pop(),
    "swap the concept": lambda c: c["td"][0].__setitem__("concept", c["td"][1]["concept"]),
    "change a label": lambda c: _set_label(c, 0, 0),
    "claim a smaller rtd": lambda c: c["rtd"].__setitem__("value", c["rtd"]["value"] - 1),
    "claim a larger rtd": lambda c: c["rtd"].__setitem__("value", c["rtd"]["value"] + 1),
    "claim a smaller pbtd": lambda c: c["pbtd"].__setitem__("value", c["pbtd"]["value"] - 1),
    "claim a larger pbtd": lambda c: c["pbtd"].__setitem__("value", c["pbtd"]["value"] + 1),
    "claim a smaller nctd": lambda c: c["nctd"].__setitem__("value", c["nctd"]["value"] - 1),
    "claim a larger nctd": lambda c: c["nctd"].__setitem__("value", c["nctd"]["value"] + 1),
    "empty a teacher set": lambda c: c["nctd"]["teacher"].__setitem__("c1", []),
    "claim a smaller std": lambda c: c["std"].__setitem__("value", c["std"]["value"] - 1),
    "claim a larger vcd": lambda c: c["vcd"].__setitem__("value", 3),
    "new version": lambda c: c.__setitem__("format", "boolicl-finite-class-certificate/2"),
    "other format": lambda c: c.__setitem__("format", "boolicl-teaching-certificate/1"),
    "td as a float": lambda c: c["td"][0].__setitem__("td", 3.0),
    "unknown point": lambda c: c["td"][0]["teaching_set"].__setitem__(0, "x9"),
    "missing plan": lambda c: c["rtd"].pop("plan"),
    "repeat a concept": lambda c: c["class"]["matrix"].__setitem__(1, c["class"]["matrix"][0]),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERINGS))
def test_every_tampering_of_the_warmuth_certificate_fails(tamper):
    cert = certificate("warmuth_c5")
    bad = copy.deepcopy(cert)
    TAMPERINGS[tamper](bad)
    res = check_finite_certificate(bad)
    assert not res.valid and res.errors, tamper


def test_a_preference_order_against_the_plan_fails():
    """Thresholds: the plan peels the two ends first (least preferred); reversed, an end
    concept taught by one point comes first while inner concepts agree with that point."""
    cert = certificate("thresholds_6", params=("pbtd",))
    assert check_finite_certificate(cert).valid
    cert["pbtd"]["order"].reverse()
    res = check_finite_certificate(cert)
    assert not res.valid and not res.checks["pbtd_teacher"]


def test_a_certificate_file_that_is_not_one(tmp_path):
    path = tmp_path / "c.json"
    path.write_text("{not json")
    assert not is_finite_certificate(path)
    res = check_finite_certificate(path)
    assert not res.valid and "cannot read" in res.errors[0]
    res = check_finite_certificate([1, 2])
    assert not res.valid and "must be a JSON object" in res.errors[0]


def test_lower_bound_check_by_sat_above_the_brute_force(monkeypatch):
    """The checker's two lower-bound paths agree (subsets, and MiniSat with a cardinality
    constraint)."""
    from teaching import finite_certificate as fcm

    cert = certificate("cube_4", params=())
    monkeypatch.setattr(fcm, "BRUTE_FORCE_SUBSETS", 0)
    assert check_finite_certificate(cert).valid
    cert["td"][0]["competitors"] = cert["td"][0]["competitors"][:3]  # 3 points hit them
    assert not check_finite_certificate(cert).valid
