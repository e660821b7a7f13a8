"""The per-term construction for monotone DNF/CNF and the essential points of linear threshold
functions: they teach where the mathematics says so (SAT ``verify``), the diagnosis flags the
cases where the per-term proof does not apply, the essential points agree with an independent
enumeration of all LTFs (n <= 4), and both are compared with the exact teaching dimension."""

from fractions import Fraction
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boolfun import Conjunction, Disjunction, Majority, Parity, parse
from boolfun.bits import all_inputs
from boolfun.classes import make_class
from boolfun.linear_threshold import Halfspace, Threshold
from boolfun.normal_forms import CNF, DNF
from boolfun.strategies import class_members
from boolfun.truth_table import TruthTable
from teaching.construct import paper_construction, paper_diagnosis, teaching_sequence
from teaching.dimension import teaching_dimension
from teaching.dnf_construction import (
    diagnose_cnf,
    diagnose_dnf,
    irredundant_cnf,
    irredundant_dnf,
    monotone_cnf_sequence,
    monotone_dnf_sequence,
)
from teaching.essential_points import (
    ESSENTIAL_MAX_N,
    check_farkas,
    check_realisation,
    essential_point_analysis,
    essential_points,
    is_linear_threshold,
    separate,
)
from teaching.uniqueness import verify

# -- monotone DNF / CNF: the per-term construction ------------------------------------------


def per_term_intent(f: DNF) -> dict[tuple[int, ...], int]:
    """The construction's intended labels: 1 on each 1_T, 0 on each 1_{T - v} (unless also
    some 1_T)."""
    out: dict[tuple[int, ...], int] = {}
    for g in f.groups:
        for v in g:
            out[tuple(int(i + 1 in g and i + 1 != v) for i in range(f.n))] = 0
    for g in f.groups:
        out[tuple(int(i + 1 in g) for i in range(f.n))] = 1
    return out


@settings(max_examples=30)
@given(data=st.data())
def test_irredundant_monotone_dnf_is_taught_by_the_per_term_sequence(data):
    """Targets: random members of the monotone k-term class made irredundant; the class is
    then the one with exactly as many terms as the target keeps (the proof's setting)."""
    n, k = data.draw(st.sampled_from([(3, 2), (4, 2), (5, 3), (6, 3), (8, 3)]))
    f = irredundant_dnf(data.draw(class_members(make_class("dnf", n, terms=k, monotone=True))))
    k = len(f.groups)
    cls = make_class("dnf", n, terms=k, monotone=True)
    d = diagnose_dnf(f, k)
    assert d.guaranteed
    ex = monotone_dnf_sequence(f)
    assert d.irredundant and not d.mislabelled and not d.problems()
    intent = per_term_intent(f)
    assert [intent[tuple(x.tolist())] for x, _ in ex] == ex.ys.tolist()
    assert len(ex) <= k + sum(len(g) for g in f.groups)
    assert verify(f, cls, ex).unique


def test_per_term_sequence_at_the_paper_size():
    f = parse("(x1 & x4 & x9) | (x4 & x13 & x20 & x27) | (x2 & x9 & x28)", 28)
    cls = make_class("dnf", 28, terms=3, monotone=True)
    assert diagnose_dnf(f, 3).guaranteed
    ex = paper_construction(f, cls)
    assert len(ex) == 3 + 10 and verify(f, cls, ex).unique
    v = verify(f, cls, ex.drop(0))  # without p_1 the first term is free
    assert v.status == "not_unique" and ex.drop(0).consistent_with(v.competitor)


def test_redundant_representations_are_flagged_and_verify_judges():
    """Every sampled target whose proof fails is flagged; verify then decides, and both
    outcomes occur (the flag means "not guaranteed", not "does not teach")."""
    rng = np.random.default_rng(7)
    outcomes = {True: 0, False: 0}
    for n, k in [(4, 2), (5, 3)]:
        cls = make_class("dnf", n, terms=k, monotone=True)
        for _ in range(40):
            f = cls.sample_uniform(rng)
            d = diagnose_dnf(f, k)
            ex = monotone_dnf_sequence(f)
            assert ex.consistent_with(f)
            # a construction negative is labelled 1 exactly when a term strictly contains another
            assert bool(d.mislabelled) == bool(d.absorbed)
            if d.guaranteed:
                continue
            assert d.problems()
            outcomes[verify(f, cls, ex).unique] += 1
    assert outcomes[True] > 0 and outcomes[False] > 0


@pytest.mark.parametrize(
    "groups,n,terms,teaches,problem",
    [
        ([[1], [1, 2]], 3, 2, False, "absorbed"),  # x1 | x1 x2: x1 | x3 is consistent too
        ([[], [1]], 2, 2, True, "absorbed"),  # the constant 1, written redundantly: still taught
        ([[1, 2], [1, 2]], 3, 2, False, "repeats"),  # one term twice: room for a second term
        ([[1]], 2, 2, False, "allows 2"),  # fewer terms than the class allows: x1 | x2 competes
        ([[1], [2]], 2, 3, True, "allows 3"),  # fewer terms, yet every false point is a q
    ],
)
def test_diagnosis_examples(groups, n, terms, teaches, problem):
    f = DNF(n, groups)
    d = diagnose_dnf(f, terms)
    assert not d.guaranteed and any(problem in p for p in d.problems())
    v = verify(f, make_class("dnf", n, terms=terms, monotone=True), monotone_dnf_sequence(f))
    assert v.unique == teaches
    if not teaches:
        assert v.competitor.evaluate(v.witness) != f.evaluate(v.witness)


def test_per_term_sequence_versus_the_teaching_dimension(request):
    """SPEC §2: the per-term sequence teaches irredundant targets but is usually not minimum.
    Measured here (seeded): it is minimum for only a small fraction of the targets."""
    rng = np.random.default_rng(3)
    minimum = total = excess = 0
    for n, k in [(4, 2), (5, 2), (5, 3)]:
        cls = make_class("dnf", n, terms=k, monotone=True)
        for _ in range(25):
            f = cls.sample_uniform(rng)
            if not diagnose_dnf(f, k).guaranteed:
                continue
            ex = monotone_dnf_sequence(f)
            td = teaching_dimension(f, cls).td
            assert len(ex) >= td
            total += 1
            minimum += len(ex) == td
            excess += len(ex) - td
    # recorded in the test report (junit xml: properties); measured 1/28, mean excess 1.6
    request.node.user_properties.append(("per_term_minimum", f"{minimum}/{total}"))
    request.node.user_properties.append(("per_term_mean_excess", excess / total))
    assert total >= 15 and minimum < total / 2
    # one term: the monotone conjunction construction, minimum; unlike among conjunctions,
    # |T| = n needs the positive too, because the DNF class holds the constant 0
    for size, n in [(2, 4), (4, 4)]:
        f = DNF(n, [list(range(1, size + 1))])
        cls = make_class("dnf", n, terms=1, monotone=True)
        assert len(monotone_dnf_sequence(f)) == size + 1 == teaching_dimension(f, cls).td


@settings(max_examples=20)
@given(data=st.data())
def test_monotone_cnf_is_the_dual(data):
    n, k = data.draw(st.sampled_from([(4, 2), (5, 3), (6, 2)]))
    cls = make_class("cnf", n, clauses=k, monotone=True)
    f = data.draw(class_members(cls))
    dual = DNF(n, f.groups)  # f(x) = ~dual(~x)
    ex = monotone_cnf_sequence(f)
    dex = monotone_dnf_sequence(dual)
    assert (ex.xs == 1 - dex.xs).all() and (ex.ys == 1 - dex.ys).all()
    assert ex.consistent_with(f)
    d, dd = diagnose_cnf(f, k), diagnose_dnf(dual, k)
    assert (d.repeated, d.absorbed, d.mislabelled) == (dd.repeated, dd.absorbed, dd.mislabelled)
    assert d.guaranteed == dd.guaranteed
    if d.guaranteed:
        assert verify(f, cls, ex).unique
    g = irredundant_cnf(f)  # the irredundant form, in the class with as many clauses as it has
    tight = make_class("cnf", n, clauses=len(g.groups), monotone=True)
    assert diagnose_cnf(g, len(g.groups)).guaranteed
    assert verify(f, tight, monotone_cnf_sequence(g)).unique


def test_paper_construction_for_dnf_and_cnf():
    dnf = make_class("dnf", 4, terms=2, monotone=True)
    f = parse("(x1 & x2) | (x3 & x4)", 4)
    assert paper_construction(f, dnf).to_json() == monotone_dnf_sequence(f).to_json()
    assert paper_diagnosis(f, dnf).guaranteed
    assert teaching_sequence(f, dnf, "paper").to_json() == monotone_dnf_sequence(f).to_json()
    # a truth table is taught through its irredundant DNF (the class's representation)
    t = TruthTable.from_function(parse("(x1 & x2) | (x1 & x2 & x3) | (x3 & x4)", 4))
    ex = paper_construction(t, dnf)
    assert paper_diagnosis(t, dnf).guaranteed and verify(t, dnf, ex).unique
    # a redundant formula is constructed as written; the diagnosis says why it may fail
    g = DNF(3, [[1], [1, 2]])
    dnf3 = make_class("dnf", 3, terms=2, monotone=True)
    assert paper_construction(g, dnf3).consistent_with(g)
    assert not paper_diagnosis(g, dnf3).guaranteed
    assert irredundant_dnf(g) == DNF(3, [[1]])
    cnf = make_class("cnf", 4, clauses=2, monotone=True)
    c = CNF(4, [[1, 2], [3, 4]])
    ex = paper_construction(c, cnf)
    assert paper_diagnosis(c, cnf).kind == "clause"
    assert ex.to_json() == monotone_cnf_sequence(c).to_json() and verify(c, cnf, ex).unique
    assert paper_diagnosis(Majority(3, [1, 2, 3]), make_class("majority", 3)) is None


@pytest.mark.parametrize(
    "call,needle",
    [
        (lambda: paper_construction(DNF(3, [[1]]), make_class("dnf", 3, terms=2)), "monotone"),
        (lambda: monotone_dnf_sequence(DNF(3, [[1, -2]])), "monotone"),
        (lambda: monotone_dnf_sequence(Conjunction(3, [1])), "must be a DNF"),
        (lambda: monotone_cnf_sequence(DNF(3, [[1]])), "must be a CNF"),
        (lambda: diagnose_dnf(DNF(3, [[1]]), 0), "terms must be a positive integer"),
        (lambda: diagnose_cnf(CNF(3, [[1]]), True), "clauses must be a positive integer"),
    ],
)
def test_dnf_bad_input(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


# -- linear threshold functions: essential points --------------------------------------------

LTF_COUNTS = {1: 4, 2: 14, 3: 104, 4: 1882}
"""Number of linear threshold functions of n variables (OEIS A000609)."""


def all_ltf_tables(n: int) -> set[int]:
    """Truth tables (bit r = value at input r) of every LTF of n <= 4 variables: integer
    weights in [-3, 3] suffice there, and the counts match A000609."""
    xs = all_inputs(n).astype(np.int64)
    weights = np.array(list(product(range(-3, 4), repeat=n)), dtype=np.int64)
    sums = weights @ xs.T
    bit = np.left_shift(np.int64(1), np.arange(2**n, dtype=np.int64))
    tables: set[int] = set()
    for t in range(-3 * n - 1, 3 * n + 2):
        tables.update(((sums >= t).astype(np.int64) * bit).sum(1).tolist())
    return tables


def table_of(f) -> int:
    return int(sum(1 << r for r, v in enumerate(f.table_values()) if v))


@pytest.fixture(scope="module")
def ltfs():
    out = {n: all_ltf_tables(n) for n in LTF_COUNTS}
    assert {n: len(t) for n, t in out.items()} == LTF_COUNTS
    return out


def check_against_enumeration(table: int, n: int, tables: set[int]) -> int:
    """The essential points of the LTF with truth table ``table`` equal the brute-force
    definition, each comes with a correct certificate, and they teach in the full class."""
    f = TruthTable(n, [(table >> r) & 1 for r in range(2**n)])
    a = essential_point_analysis(f)
    rows = [int((x.astype(np.int64) << np.arange(n)).sum()) for x in a.examples.xs]
    expected = [r for r in range(2**n) if table ^ (1 << r) in tables]
    assert sorted(rows) == expected
    assert a.examples.consistent_with(f) and not a.undecided
    assert table_of(a.realisation) == table
    for r, h in zip(rows, a.realisations, strict=True):
        assert table_of(h) == table ^ (1 << r)
    # teaching in the class of all LTFs: every other LTF differs on an essential point
    mask = sum(1 << r for r in rows)
    assert all((h ^ table) & mask for h in tables if h != table)
    assert list(a.examples.ys) == sorted(a.examples.ys, reverse=True)  # positives first
    return len(rows)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_essential_points_of_every_small_ltf(ltfs, n):
    sizes = [check_against_enumeration(t, n, ltfs[n]) for t in sorted(ltfs[n])]
    # Anthony, Brightwell & Shawe-Taylor: every LTF needs at least n + 1; constants need 2^n
    assert min(sizes) == n + 1 and max(sizes) == 2**n


def test_essential_points_of_sampled_ltfs_at_n_4(ltfs):
    rng = np.random.default_rng(0)
    tables = sorted(ltfs[4])
    for i in rng.choice(len(tables), size=12, replace=False):
        check_against_enumeration(tables[int(i)], 4, ltfs[4])


def test_known_essential_point_counts():
    n2 = {
        Conjunction(2, [1, 2]): 3,
        Disjunction(2, [1, 2]): 3,
        Conjunction(2, [1, -2]): 3,
        Conjunction(2, [1]): 4,  # a dictator: every point is essential
        DNF(2, []): 4,
        DNF(2, [[]]): 4,
    }
    for f, size in n2.items():
        assert len(essential_points(f)) == size, f
    for n in range(1, 7):  # AND_n: 1^n and its n lower neighbours
        ex = essential_points(Conjunction(n, list(range(1, n + 1))))
        assert len(ex) == n + 1 and ex.ys.tolist() == [1] + [0] * n


def test_non_ltfs_are_rejected():
    xor = Parity(2, [1, 2])
    two_terms = parse("(x1 & x2) | (x3 & x4)", 4)  # unate, but no LTF
    assert not is_linear_threshold(xor) and not is_linear_threshold(two_terms)
    assert is_linear_threshold(Majority(5, [1, 2, 3, 4]))
    with pytest.raises(ValueError, match="not unate"):
        essential_points(xor)
    with pytest.raises(ValueError, match="proved inseparable"):
        essential_points(two_terms)
    with pytest.raises(ValueError, match=f"n <= {ESSENTIAL_MAX_N}"):
        essential_points(Majority(ESSENTIAL_MAX_N + 1, [1]))
    with pytest.raises(ValueError, match="BooleanFunction"):
        essential_points("x1")


def test_separation_certificates_are_exact():
    pts = all_inputs(2)
    ok = separate(pts, [0, 0, 0, 1])  # AND
    assert ok.status == "separable"
    assert check_realisation(pts, [0, 0, 0, 1], ok.weights, ok.threshold)
    assert not check_realisation(pts, [0, 0, 1, 1], ok.weights, ok.threshold)
    bad = separate(pts, [0, 1, 1, 0])  # XOR
    assert bad.status == "inseparable" and check_farkas(pts, [0, 1, 1, 0], bad.farkas)
    tampered = dict(bad.farkas)
    j = next(iter(tampered))
    tampered[j] += Fraction(1, 7)
    assert not check_farkas(pts, [0, 1, 1, 0], tampered)
    assert not check_farkas(pts, [0, 0, 0, 1], bad.farkas)  # AND is separable: no certificate
    with pytest.raises(ValueError, match="xs must contain only 0 and 1"):
        separate([[0, 2]], [1])
    with pytest.raises(ValueError, match="halfspace needs a separable result"):
        bad.halfspace(2)


SUBCLASSES = [
    ("majority", {}, 4, None),
    ("majority", {}, 5, 10),
    ("threshold", {}, 3, 40),
    ("halfspace", {}, 3, 30),
    ("halfspace", {"max_weight": 2, "bias": 1.5}, 4, 12),
]


@pytest.mark.parametrize("name,params,n,count", SUBCLASSES)
def test_essential_points_teach_in_subclasses(name, params, n, count, request):
    """The essential points teach in every class of LTFs (unique by SAT) and so are never
    smaller than the exact TD there; often they are larger."""
    cls = make_class(name, n, **params)
    members = cls.enumerate()
    if count is not None:
        rng = np.random.default_rng(n)
        members = [members[int(i)] for i in rng.choice(len(members), count, replace=False)]
    ess_total = td_total = equal = 0
    for f in members:
        ex = paper_construction(f, cls)
        assert ex.to_json() == essential_points(f).to_json()
        assert verify(f, cls, ex).unique, f
        td = teaching_dimension(f, cls).td
        assert len(ex) >= td
        ess_total += len(ex)
        td_total += td
        equal += len(ex) == td
    request.node.user_properties.append(("ess_over_td", ess_total / td_total))
    request.node.user_properties.append(("ess_equals_td", f"{equal}/{len(members)}"))
    assert ess_total > td_total  # not minimal in these subclasses


def test_paper_construction_for_threshold_classes_has_a_limit():
    n = ESSENTIAL_MAX_N + 1
    with pytest.raises(ValueError, match=f"needs n <= {ESSENTIAL_MAX_N}, got n={n}"):
        paper_construction(Threshold(n, [1, 1] + [0] * (n - 2), Fraction(1, 2)),
                           make_class("threshold", n))
    # a majority on too many variables for its restriction (n - 1 of them, plus a spare)
    with pytest.raises(ValueError, match=f"needs n <= {ESSENTIAL_MAX_N}, got n={n}"):
        paper_construction(Majority(n, range(1, n)), make_class("majority", n))
    # on few: the restriction's essential points, lifted, and they teach
    f = Majority(n, [1, 2, 3])
    assert verify(f, make_class("majority", n), paper_construction(f, make_class("majority", n))
                  ).unique
    f = Threshold(4, [1, -1, 0, 1], Fraction(1, 2))
    cls = make_class("threshold", 4)
    assert verify(f, cls, paper_construction(f, cls)).unique
    h = Halfspace(3, [3, -2, 1], Fraction(1, 2))
    cls = make_class("halfspace", 3)
    assert verify(h, cls, paper_construction(h, cls)).unique


def test_majority_counts_are_combinatorial():
    """Majority of an odd set S of size 2r+1 in n variables: its essential points are the
    points with exactly r+1 or exactly r ones inside S (any values outside S)."""
    for n, s in [(4, 3), (5, 3), (5, 5)]:
        ex = essential_points(Majority(n, range(1, s + 1)))
        r = s // 2
        inside = ex.xs[:, :s].sum(1)
        assert set(inside.tolist()) == {r, r + 1}
        assert len(ex) == 2 ** (n - s) * (len(list(combinations(range(s), r))) * 2)
