"""PBTD, NCTD, STD and the VC dimension (``teaching.parameters``).

Values come from hand arguments stated next to each test, or from the brute forces of
``tests/teaching/finite_brute_force.py`` (plain Python sets over all orders / all teachers /
the definition of the subset teaching sets); the inequalities NCTD <= PBTD = RTD <= TD(C)
(Kirkpatrick, Simon & Zilles 2019; Gao, Ries, Simon & Zilles 2017) are checked on random
small classes.
"""

from math import comb

import numpy as np
import pytest
from hypothesis import given, settings

from boolfun.classes import make_class
from teaching.finite_class import FiniteClass, fixture_path, load_class_file
from teaching.finite_teaching import finite_teaching
from teaching.parameters import (
    PARAMETERS,
    clash,
    class_parameters,
    counting_bound,
    minimum_teaching_sets,
    no_clash_teaching,
    preference_teaching,
    preference_violation,
    subset_teaching,
    vc_dimension,
)
from tests.teaching import finite_brute_force as brute


def fixture(name):
    return load_class_file(fixture_path(name))


def rows_of(fc):
    return [tuple(int(v) for v in r) for r in fc.matrix]


def all_parameters(fc, time_limit=None):
    ft = finite_teaching(fc, time_limit)
    return ft, class_parameters(ft, PARAMETERS, time_limit)


def own_clash(rows, teacher):
    """A clash by the definition: two concepts each consistent with the other's sample."""
    samples = [brute.sample_of(rows[c], t) for c, t in enumerate(teacher)]
    return any(
        brute.consistent(rows[c], samples[d]) and brute.consistent(rows[d], samples[c])
        for c in range(len(rows)) for d in range(c + 1, len(rows))
    )


# -- hand-checked fixtures ---------------------------------------------------------------------


def test_singletons_and_empty():
    """TD(empty) = |X| = 5, but RTD = PBTD = 1 (prefer the empty concept: the empty sample
    teaches it; each singleton its positive point), NCTD = 1 (|C| >= 2 rules out 0, and
    T({x}) = {x}, T(empty) = {x1} has no clash) and STD = 1 (Zilles et al. 2011: a single
    negative point is in no singleton's subset teaching set)."""
    fc = fixture("singletons_empty_5")
    ft, p = all_parameters(fc)
    assert ft.concepts[fc.concepts.index("{}")].td == 5 and ft.rtd == 1
    assert p["pbtd"].value == 1 and p["nctd"].value == 1 and p["std"].value == 1
    assert p["std"].sizes == (1,) * 6 and p["vcd"].value == 1
    assert p["pbtd"].order[0] == fc.concepts.index("{}")  # the last layer: most preferred


def test_full_cube():
    """2^X, |X| = 4: RTD = PBTD = STD = 4 (every concept's one teaching set is all of X, and
    no proper subset of it singles the concept out), VCD = 4. NCTD: the counting bound
    (1 + 4*2 = 9 < 16 labelled samples of size <= 1) gives >= 2, and the teacher found has
    order 2 and no clash by the definition checked here."""
    fc = fixture("cube_4")
    ft, p = all_parameters(fc)
    assert p["pbtd"].value == p["std"].value == p["vcd"].value == ft.rtd == 4
    assert 1 + comb(4, 1) * 2 < 16 <= 1 + comb(4, 1) * 2 + comb(4, 2) * 4
    assert p["nctd"].value == 2 and p["nctd"].proof == "counting"
    assert max(len(t) for t in p["nctd"].teacher) == 2
    assert not own_clash(rows_of(fc), p["nctd"].teacher)


def test_thresholds():
    """Thresholds on a line: STD 1 (t-1 labelled 0 or t labelled 1 alone is in no other
    threshold's teaching sets), RTD = PBTD = NCTD = VCD = 1."""
    _, p = all_parameters(fixture("thresholds_6"))
    assert {k: v.value for k, v in p.items()} == {"pbtd": 1, "nctd": 1, "std": 1, "vcd": 1}


def test_warmuth_class_against_brute_force():
    """C_W: VCD 2 < RTD = PBTD 3; NCTD and STD by the brute forces (no teacher of order 1
    without a clash; the subset teaching sets keep size 3)."""
    fc = fixture("warmuth_c5")
    rows = rows_of(fc)
    ft, p = all_parameters(fc)
    assert p["vcd"].value == brute.vcd(rows) == 2
    assert p["pbtd"].value == ft.rtd == 3
    assert p["nctd"].value == brute.nctd(rows)
    assert p["nctd"].proof == "sat"  # the counting bound (11 >= 10) says only >= 1
    assert (p["std"].value, list(p["std"].sizes)) == brute.std(rows)
    assert not own_clash(rows, p["nctd"].teacher)


@pytest.mark.parametrize("n", [3, 4])
def test_monomials_are_subset_taught_by_two_examples(n):
    """Zilles, Lange, Holte & Zinkevich (COLT 2008): "monomials can be taught with only two
    examples independent of the number of variables" (the class of all monomials, the
    contradictory one, i.e. the empty concept, included). Without the empty concept the
    longest monomials need 3: the STD is not monotone in the class, as they point out."""
    with_empty = FiniteClass.from_function_class(make_class("conjunction", n,
                                                            with_constants=True))
    assert subset_teaching(with_empty).value == 2
    without = subset_teaching(FiniteClass.from_function_class(make_class("conjunction", n)))
    assert without.value == 3 and min(without.sizes) == 2
    if n == 3:
        assert (without.value, list(without.sizes)) == brute.std(
            [tuple(int(v) for v in r) for r in
             FiniteClass.from_function_class(make_class("conjunction", 3)).matrix]
        )


# -- against the brute forces on random classes ------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(rows=brute.small_classes(max_concepts=6, max_points=4))
def test_parameters_agree_with_brute_force(rows):
    fc = FiniteClass.from_matrix(rows)
    ft, p = all_parameters(fc)
    assert p["pbtd"].value == brute.pbtd(rows)
    assert p["nctd"].value == brute.nctd(rows)
    assert (p["std"].value, list(p["std"].sizes)) == brute.std(rows)
    assert p["vcd"].value == brute.vcd(rows)
    # the witnesses, by the definitions
    assert not own_clash(rows, p["nctd"].teacher)
    assert max((len(t) for t in p["nctd"].teacher), default=0) == p["nctd"].value
    rank = {c: i for i, c in enumerate(p["pbtd"].order)}
    for c, pts in enumerate(p["pbtd"].teaching_sets):
        s = brute.sample_of(rows[c], pts)
        assert len(pts) <= p["pbtd"].value
        assert all(rank[d] > rank[c] for d in range(len(rows))
                   if d != c and brute.consistent(rows[d], s))


@settings(max_examples=40, deadline=None)
@given(rows=brute.small_classes(max_concepts=8, max_points=5))
def test_known_inequalities(rows):
    """NCTD <= PBTD = RTD <= TD(C), TD_min <= RTD, and the counting bound <= NCTD."""
    fc = FiniteClass.from_matrix(rows)
    ft, p = all_parameters(fc)
    nctd, pbtd = p["nctd"].value, p["pbtd"].value
    assert nctd <= pbtd == ft.rtd <= ft.td_max and ft.td_min <= ft.rtd
    total = sum(comb(fc.n_points, i) * 2**i for i in range(nctd + 1))
    assert len(rows) <= total


# -- witnesses are checked -----------------------------------------------------------------------


def test_clash_and_preference_checks_find_bad_witnesses():
    fc = fixture("thresholds_6")
    assert clash(fc, [()] * fc.size) == (0, 1)  # empty samples clash
    ft = finite_teaching(fc)
    pb = preference_teaching(ft)
    assert preference_violation(fc, pb.order, pb.teaching_sets) is None
    assert preference_violation(fc, pb.order[::-1], pb.teaching_sets) is not None
    with pytest.raises(ValueError, match="order must list every concept"):
        preference_violation(fc, pb.order[1:], pb.teaching_sets)
    with pytest.raises(ValueError, match="teacher must"):
        no_clash_teaching(fc, teacher=[()] * fc.size)


def test_counting_bound():
    assert counting_bound(1, 3) == 0 and counting_bound(2, 3) == 1
    assert counting_bound(7, 3) == 1 and counting_bound(8, 3) == 2  # 1 + 3*2 = 7
    with pytest.raises(ValueError, match="n_concepts"):
        counting_bound(28, 3)


def test_minimum_teaching_sets_of_an_interior_threshold():
    """x >= 4 on 1..6: the only minimum teaching set is {3 labelled 0, 4 labelled 1}."""
    fc = fixture("thresholds_6")
    assert minimum_teaching_sets(fc, 3) == ((1 << 2) | (1 << 3),)


def test_vc_dimension_witness():
    fc = fixture("warmuth_c5")
    vc = vc_dimension(fc)
    rows = rows_of(fc)
    assert len({tuple(r[x] for x in vc.shattered) for r in rows}) == 4


def test_single_concept_class():
    fc = FiniteClass.from_matrix([[0, 1, 1]])
    ft, p = all_parameters(fc)
    assert ft.rtd == 0 and {k: v.value for k, v in p.items()} == {
        "pbtd": 0, "nctd": 0, "std": 0, "vcd": 0
    }


# -- limits and time limits --------------------------------------------------------------------


def test_limits_name_the_parameter():
    fc = FiniteClass.from_matrix(np.eye(17, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"std: needs at most 256 concepts and 16 points"):
        subset_teaching(fc)
    big = FiniteClass.from_matrix(np.eye(65, dtype=np.uint8))
    with pytest.raises(ValueError, match=r"nctd: needs at most 256 concepts and 64 points"):
        no_clash_teaching(big)
    with pytest.raises(ValueError, match="parameters must be among"):
        class_parameters(finite_teaching(fixture("cube_4")), ["rtd2"])


def test_vcd_limit(monkeypatch):
    from teaching import parameters

    monkeypatch.setattr(parameters, "VCD_MAX_SUBSETS", 3)
    with pytest.raises(ValueError, match="vcd: needs at most 3 point subsets"):
        vc_dimension(fixture("warmuth_c5"))


def test_time_limit_gives_unknown_with_true_bounds():
    fc = FiniteClass.from_function_class(make_class("parity", 4))
    ft, p = all_parameters(fc, time_limit=1e-9)
    exact_ft, exact = all_parameters(fc)
    for name in ("pbtd", "nctd", "std"):
        got, want = p[name], exact[name]
        assert got.status == "unknown" and got.value is None, name
        assert got.lower <= want.value <= got.upper, name
    assert not own_clash(rows_of(fc), p["nctd"].teacher)  # the upper bound is a witness
    assert ft.rtd is None and ft.rtd_lower <= exact_ft.rtd <= ft.rtd_upper
    doc = p["nctd"].to_json(fc)
    assert doc["value"] is None and doc["status"] == "unknown" and doc["bounds"][0] >= 1


def test_docstring_examples():
    import doctest

    from teaching import finite_teaching as ft_module
    from teaching import parameters

    for module in (ft_module, parameters):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__
