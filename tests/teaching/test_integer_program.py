"""The CP-SAT uniqueness path of ``teaching.integer_program`` against the SAT path, the class
enumeration and hand-proved cases up to n = 28."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boolfun.bits import all_inputs
from boolfun.classes import ConjunctionClass, HalfspaceClass, MajorityClass, ThresholdClass
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import Conjunction
from teaching import integer_program
from teaching.construct import paper_construction
from teaching.examples import Examples
from teaching.uniqueness import Verdict, verify

pytest.importorskip("ortools")

CLASSES = {
    "majority": lambda n: MajorityClass(n),
    "threshold": lambda n: ThresholdClass(n),
    "threshold-2": lambda n: ThresholdClass(n, biases=(-0.5, 1.5)),
    "halfspace": lambda n: HalfspaceClass(n),
    "halfspace-W2-b-1": lambda n: HalfspaceClass(n, max_weight=2, bias=-1),
}


def check_not_unique(v: Verdict, f: BooleanFunction, cls, ex: Examples) -> None:
    """A competitor is in the class, consistent with the examples and differs at the witness."""
    assert v.status == "not_unique"
    h, z = v.competitor, v.witness
    assert h is not None and z is not None and h in cls
    assert z.dtype == np.uint8 and z.shape == (cls.n,)
    if len(ex):
        assert np.array_equal(h.evaluate(ex.xs), ex.ys)
    assert h.evaluate(z[None])[0] != f.evaluate(z[None])[0]


def random_examples(f: BooleanFunction, rng: np.random.Generator) -> Examples:
    xs = all_inputs(f.n).astype(np.uint8)
    size = int(rng.integers(0, len(xs) + 1))
    pick = xs[rng.choice(len(xs), size=size, replace=False)] if size else xs[:0]
    return Examples(pick, f.evaluate(pick))


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_agrees_with_sat_path_and_enumeration(name: str) -> None:
    rng = np.random.default_rng(13)
    for trial in range(24):
        n = 2 + trial % 5  # n = 2..6
        cls = CLASSES[name](n)
        f = cls.sample_uniform(rng)
        ex = random_examples(f, rng)
        ip = verify(f, cls, ex, method="cp-sat")
        sat = verify(f, cls, ex, method="sat")
        assert ip.method == "cp-sat" and sat.method == "sat"
        assert ip.status == sat.status, (name, n, f, len(ex))
        if ip.status == "not_unique":
            check_not_unique(ip, f, cls, ex)
        if n <= 4:  # ground truth: the distinct functions of the class consistent with ex
            xs = all_inputs(n)
            table = f.evaluate(xs)
            consistent = [
                h
                for h in cls.enumerate()
                if not len(ex) or np.array_equal(h.evaluate(ex.xs), ex.ys)
            ]
            others = [h for h in consistent if not np.array_equal(h.evaluate(xs), table)]
            assert (ip.status == "unique") == (not others)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(CLASSES)),
    n=st.integers(1, 10),
    seed=st.integers(0, 2**31 - 1),
    size=st.integers(0, 40),
)
def test_property_competitor_is_a_checked_proof(name: str, n: int, seed: int, size: int) -> None:
    # whatever the answer, a competitor is in the class, consistent and differs at the witness
    rng = np.random.default_rng(seed)
    cls = CLASSES[name](n)
    f = cls.sample_uniform(rng)
    xs = rng.integers(0, 2, size=(size, n)).astype(np.uint8)
    ex = Examples(xs, f.evaluate(xs))
    v = verify(f, cls, ex, time_limit=30)
    assert v.method == "cp-sat" and v.status != "unknown"
    if v.status == "not_unique":
        check_not_unique(v, f, cls, ex)


@pytest.mark.parametrize("name", ["majority", "threshold", "halfspace"])
def test_paper_construction_teaches(name: str) -> None:
    # essential points (exact LP certificates) teach every linear threshold target among all
    # linear threshold functions, so in each subclass too; with the first point dropped the
    # two paths still agree
    rng = np.random.default_rng(5)
    for n in (5, 8):
        cls = CLASSES[name](n)
        f = cls.sample_uniform(rng)
        ex = paper_construction(f, cls)
        v = verify(f, cls, ex)
        assert v.status == "unique" and v.method == "cp-sat"
        if len(ex):
            short = Examples(ex.xs[1:], ex.ys[1:])
            v = verify(f, cls, short, method="cp-sat")
            assert v.status == verify(f, cls, short, method="sat").status
            if v.status == "not_unique":
                check_not_unique(v, f, cls, short)


def test_n28_hand_proved_cases() -> None:
    n = 28
    ones = np.ones((1, n), np.uint8)
    # every non-empty majority is 1 on the all-ones point: (1^n, 0) teaches Majority()
    cls = MajorityClass(n)
    assert verify(Majority(n), cls, Examples(ones, [0])).status == "unique"
    # ... and the all-zeros point does not (Majority(x_i) is 0 there too)
    zeros = np.zeros((1, n), np.uint8)
    v = verify(Majority(n), cls, Examples(zeros, [0]))
    check_not_unique(v, Majority(n), cls, Examples(zeros, [0]))
    # the constant 1 = Threshold(0 > -2.5) labelled 1 on the points with at most one one:
    # Threshold(-x1 - x2 - x3 > -2.5) (0 only where x1 = x2 = x3 = 1) is consistent
    tcls = ThresholdClass(n)
    f = Threshold(n, [0] * n, -2.5)
    light = np.vstack([np.zeros((1, n), np.uint8), np.eye(n, dtype=np.uint8)])
    ex = Examples(light, np.ones(len(light), np.uint8))
    v = verify(f, tcls, ex)
    check_not_unique(v, f, tcls, ex)
    # no examples: a halfspace target always has competitors
    hcls = HalfspaceClass(n)
    g = Halfspace(n, [3] + [0] * (n - 1), 0.5)
    v = verify(g, hcls, Examples(np.zeros((0, n), np.uint8), np.zeros(0, np.uint8)))
    check_not_unique(v, g, hcls, Examples(np.zeros((0, n), np.uint8), np.zeros(0, np.uint8)))


def test_n28_counterexample_guided_sets() -> None:
    # grow a set by adding each witness with the target's label until CP-SAT proves it
    # teaches; every step's competitor is checked, and the final set minus its last point
    # is not unique (the last competitor is a proof)
    n = 28
    rng = np.random.default_rng(28)
    for cls in (MajorityClass(n), ThresholdClass(n)):
        f = cls.sample_uniform(rng)
        xs = rng.integers(0, 2, size=(60, n)).astype(np.uint8)
        ex = Examples(xs, f.evaluate(xs))
        for _ in range(200):
            v = verify(f, cls, ex, time_limit=60)
            assert v.method == "cp-sat" and v.status != "unknown"
            if v.status == "unique":
                break
            check_not_unique(v, f, cls, ex)
            z = v.witness[None]
            ex = Examples(np.vstack([ex.xs, z]), np.append(ex.ys, f.evaluate(z)))
        assert v.status == "unique"


def test_n28_paper_prompts_agree_with_sat_path() -> None:
    # the paper prompts' own points (100 at n = 28) already teach these majorities; the SAT
    # path proves the same within seconds (it is "unknown" on thresholds and halfspaces)
    from boolfun.samplers import sample_prompts

    cls = MajorityClass(28)
    p = sample_prompts("majority", 2, n=28, seed=0, return_functions=True)
    for f, xs, ys in zip(p.functions, np.asarray(p.xs), np.asarray(p.ys), strict=True):
        ex = Examples(xs.astype(np.uint8), ys.astype(np.uint8))
        ip = verify(f, cls, ex, time_limit=60)
        sat = verify(f, cls, ex, time_limit=60, method="sat")
        assert ip.status == "unique" and sat.status in ("unique", "unknown")
        assert sat.status == "unique"


def test_time_limit_gives_unknown_never_unique() -> None:
    # a tiny limit on a hard n = 28 halfspace query: "unknown" (or a checked competitor)
    n = 28
    rng = np.random.default_rng(1)
    cls = HalfspaceClass(n)
    f = cls.sample_uniform(rng)
    xs = rng.integers(0, 2, size=(150, n)).astype(np.uint8)
    ex = Examples(xs, f.evaluate(xs))
    v = verify(f, cls, ex, time_limit=0.001)
    assert v.status in ("unknown", "not_unique")
    if v.status == "not_unique":
        check_not_unique(v, f, cls, ex)
    assert v.status == "unknown"


def test_bad_input() -> None:
    cls = MajorityClass(4)
    f = Majority(4, [1, 2, 3])
    ex = Examples(np.zeros((1, 4), np.uint8), [0])
    with pytest.raises(ValueError, match="method"):
        verify(f, cls, ex, method="ip")
    with pytest.raises(ValueError, match="cp-sat"):
        verify(Conjunction(4, [1]), ConjunctionClass(4), ex, method="cp-sat")
    with pytest.raises(ValueError, match="workers"):
        integer_program.find_competitor(f, cls, ex, workers=0)
    with pytest.raises(ValueError, match="cls"):
        integer_program.find_competitor(f, ConjunctionClass(4), ex)

