"""Out-of-distribution inputs: ``force`` (the forcing probability) and ``p_one`` (the
probability of a 1 input bit) of :func:`boolfun.samplers.sample_prompts` and
:func:`boolfun.reference.reference_prompts`.

Statistical checks use tolerances of ``Z`` standard errors computed from the sample size.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from boolfun import Conjunction, Disjunction
from boolfun.reference import reference_prompts
from boolfun.samplers import sample_prompts
from boolfun.tasks import FORCING_FAMILIES, TASKS, get_task, with_inputs

Z = 5.0  # tolerance in standard errors
FORCED_LABEL = {"conjunction": 1, "dnf": 1, "disjunction": 0, "cnf": 0}  # what forcing yields
FORCING_TASKS = [name for name, t in TASKS.items() if t.family in FORCING_FAMILIES]
UNFORCED_TASKS = [name for name in TASKS if name not in FORCING_TASKS]


def close(mean: float, expected: float, se: float, what: str) -> None:
    tol = Z * se + 1e-12
    assert abs(mean - expected) <= tol, f"{what}: {mean:.4f} vs {expected:.4f} (tol {tol:.4f})"


def test_forcing_families_are_the_literal_families():
    assert set(FORCING_TASKS) == {
        "conjunction",
        "disjunction",
        "sparse_disjunction",
        "dnf",
        "cnf",
        "monotone_dnf",
        "monotone_cnf",
        "monotone_conjunction",
        "conjunction_small",
        "disjunction_small",
        "monotone_conjunction_small",
    }
    assert all(TASKS[name].dist.force > 0 for name in FORCING_TASKS)
    assert all(TASKS[name].dist.force == 0 for name in UNFORCED_TASKS)


def test_force_zero_gives_uniform_conjunction_labels():
    """With no forcing, a conjunction of k literals is 1 on a 2^-k share of uniform inputs
    (the task's own q = 0.3 puts it far above that: the check has power)."""

    def gap(force: float | None) -> tuple[float, float]:
        p = sample_prompts("conjunction", 2000, 70, 28, seed=11, return_functions=True, force=force)
        expected = np.array([2.0 ** -len(f.literals) for f in p.functions])
        d = p.ys.double().mean(1).numpy() - expected
        return d.mean(), d.std(ddof=1) / math.sqrt(len(d))

    mean, se = gap(0.0)
    close(mean, 0.0, se, "conjunction force=0 label rate - 2^-k")
    mean, se = gap(None)  # the default q = 0.3 adds about 0.3 * (1 - 2^-k)
    assert mean > 0.2 and mean > Z * se


@pytest.mark.parametrize("task", FORCING_TASKS)
def test_force_one_forces_every_label(task):
    value = FORCED_LABEL[get_task(task).family]
    p = sample_prompts(task, 200, seed=12, force=1.0)
    assert p.force == 1.0
    assert bool((p.ys == value).all())
    rx, ry, _ = reference_prompts(
        task, 5, 20, get_task(task).default_n, np.random.default_rng(1), force=1
    )
    assert (ry == value).all()


def test_zero_force_never_overwrites_inputs():
    """force = 0 and p_one = 0.5: inputs are exactly uniform, whatever the target."""
    p = sample_prompts("monotone_conjunction", 400, 70, 28, seed=13, force=0)
    bits = p.xs.double().mean((1, 2)).numpy()
    close(bits.mean(), 0.5, bits.std(ddof=1) / math.sqrt(len(bits)), "mean bit")


@pytest.mark.parametrize("task", ["conjunction", "disjunction"])
@pytest.mark.parametrize("force,p_one", [(0.0, 0.2), (0.6, 0.8), (0.3, 0.5)])
def test_label_rate_given_function_is_exact(task, force, p_one):
    """Per prompt, the label rate is q * forced label + (1 - q) P_{p_one}(f = 1)."""
    p = sample_prompts(task, 1500, seed=14, return_functions=True, force=force, p_one=p_one)
    assert (p.force, p.p_one) == (force, p_one)

    def p_true(f: Conjunction | Disjunction) -> float:
        lits = f.literals
        if isinstance(f, Conjunction):
            return math.prod(p_one if v > 0 else 1 - p_one for v in lits)
        return 1 - math.prod(1 - p_one if v > 0 else p_one for v in lits)

    value = FORCED_LABEL[task]
    expected = np.array([force * value + (1 - force) * p_true(f) for f in p.functions])
    d = p.ys.double().mean(1).numpy() - expected
    close(d.mean(), 0.0, d.std(ddof=1) / math.sqrt(len(d)), f"{task} rate - E[rate | f]")


@pytest.mark.parametrize(
    "task,kwargs",
    [
        ("conjunction", {"force": 0.8}),
        ("dnf", {"force": 0.0}),
        ("cnf", {"force": 1.0}),
        ("disjunction", {"force": 0.6, "p_one": 0.3}),
        ("majority", {"p_one": 0.2}),
        ("threshold", {"force": 0, "p_one": 0.7}),
        ("nearest_neighbour", {"p_one": 0.8}),
    ],
)
def test_matches_reference(task, kwargs):
    """Two-sample tests on per-prompt means (label rate, mean input bit), as in
    ``test_samplers.test_matches_reference``, for an overridden input distribution."""
    t = get_task(task)
    points = min(t.default_points, 40)
    vx, vy = sample_prompts(task, 2000, points, seed=15, **kwargs).numpy()
    rx, ry, _ = reference_prompts(
        task, 150, points, t.default_n, np.random.default_rng(15), **kwargs
    )
    pairs = [("label", vy.mean(1), ry.mean(1)), ("bit", vx.mean((1, 2)), rx.mean((1, 2)))]
    for what, a, b in pairs:
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        close(a.mean(), b.mean(), se, f"{task} {kwargs} {what} vectorised vs reference")


@pytest.mark.parametrize("task", ["conjunction", "dnf", "parity", "nearest_neighbour"])
def test_defaults_are_the_task_distribution(task):
    """Passing the task's own numbers changes nothing: the same seed gives the same prompts."""
    a = sample_prompts(task, 16, seed=16)
    b = sample_prompts(task, 16, seed=16, force=get_task(task).dist.force, p_one=0.5)
    assert torch.equal(a.xs, b.xs) and torch.equal(a.ys, b.ys)
    assert (a.force, a.p_one) == (get_task(task).dist.force, 0.5)


def test_override_leaves_the_registry_alone():
    before = {name: t for name, t in TASKS.items()}
    sample_prompts("conjunction", 4, seed=0, force=0.9, p_one=0.1)
    reference_prompts("dnf", 2, 5, 6, np.random.default_rng(0), force=0.0, p_one=0.9)
    changed = with_inputs(get_task("cnf"), force=0.5, p_one=0.25)
    assert (changed.dist.force, changed.dist.p_one) == (0.5, 0.25)
    assert TASKS == before and all(TASKS[n] is t for n, t in before.items())
    assert get_task("cnf").dist.force == 0.30 and get_task("cnf").dist.p_one == 0.5
    assert with_inputs(get_task("cnf")) is get_task("cnf")


@given(st.floats(0.0, 1.0))
def test_any_probability_is_accepted_for_forcing_tasks(force):
    p = sample_prompts("disjunction_small", 2, 3, seed=0, force=force)
    assert p.force == force and get_task("disjunction_small").dist.force == 0.30


BAD_FORCE = st.one_of(
    st.floats().filter(lambda v: not 0.0 <= v <= 1.0),  # nan, inf, out of range
    st.booleans(),
    st.text(max_size=3),
    st.just([0.5]),
)


@given(BAD_FORCE)
def test_bad_force_names_force(force):
    with pytest.raises(ValueError, match="force must be a number in"):
        sample_prompts("conjunction", 2, seed=0, force=force)
    with pytest.raises(ValueError, match="force"):
        reference_prompts("conjunction", 1, 2, 4, np.random.default_rng(0), force=force)


@given(st.one_of(st.floats().filter(lambda v: not 0.0 < v < 1.0), st.booleans(), st.text()))
def test_bad_p_one_names_p_one(p_one):
    with pytest.raises(ValueError, match=r"p_one must be a number in \(0, 1\)"):
        sample_prompts("parity", 2, seed=0, p_one=p_one)


@pytest.mark.parametrize("task", UNFORCED_TASKS)
def test_tasks_without_forcing_accept_only_zero(task):
    assert sample_prompts(task, 2, seed=0, force=0).force == 0.0
    assert sample_prompts(task, 2, seed=0, force=None).force == 0.0
    for call in (
        lambda: sample_prompts(task, 2, seed=0, force=0.3),
        lambda: reference_prompts(task, 1, 2, 8, np.random.default_rng(0), force=1.0),
    ):
        with pytest.raises(ValueError, match="force must be 0") as e:
            call()
        assert "'conjunction'" in str(e.value) and f"'{task}'" in str(e.value)
