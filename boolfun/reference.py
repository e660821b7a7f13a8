"""The paper's distributions written the plain way: one function, one example at a time.

:func:`draw_function` draws ``f`` for any task with a fixed target, with a
``numpy.random.Generator``. :func:`reference_prompts` builds prompts the way the original
research code did: for each prompt draw ``f``, then for each example draw ``x`` uniformly (or
with bits 1 w.p. ``p_one``),
apply the forcing rule with probability ``q`` and label it with ``f.evaluate``. It is the speed
baseline of ``benchmarks/sampling.py`` and an independent implementation of the distributions
for the statistical tests of :mod:`boolfun.samplers` (both read the numbers of
:mod:`boolfun.tasks`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from boolfun.bits import check_int
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.tasks import Task, get_task, resolve_params, with_inputs


def _check_rng(rng: Any) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _literal_set(task: Task, n: int, rng: np.random.Generator, params: dict[str, int]) -> list[int]:
    """Signed literals of one term / clause (see :class:`boolfun.tasks.Distribution`)."""
    d = task.dist
    if d.exactly_k:
        return [int(i) + 1 for i in rng.choice(n, size=params["k"], replace=False)]
    kinds = rng.choice(3, size=n, p=[d.p_positive, d.p_negative, d.p_absent])
    return [i + 1 if kind == 0 else -(i + 1) for i, kind in enumerate(kinds) if kind < 2]


def _subset(task: Task, n: int, rng: np.random.Generator, params: dict[str, int]) -> list[int]:
    d = task.dist
    if d.exactly_k:
        return [int(i) + 1 for i in rng.choice(n, size=params["k"], replace=False)]
    return [i + 1 for i in range(n) if rng.random() < d.p_positive]


def _draw(task: Task, n: int, rng: np.random.Generator, params: dict[str, int]) -> BooleanFunction:
    d = task.dist
    family = task.family
    if family == "conjunction":
        return Conjunction(n, _literal_set(task, n, rng, params))
    if family == "disjunction":
        return Disjunction(n, _literal_set(task, n, rng, params))
    if family in ("dnf", "cnf"):
        groups = [_literal_set(task, n, rng, params) for _ in range(d.groups)]
        return DNF(n, groups) if family == "dnf" else CNF(n, groups)
    if family == "majority":
        return Majority(n, _subset(task, n, rng, params))
    if family == "parity":
        return Parity(n, _subset(task, n, rng, params))
    if family in ("threshold", "halfspace"):
        weights = [int(w) for w in rng.choice(d.weights, size=n, p=d.weight_probs)]
        bias = d.biases[int(rng.integers(len(d.biases)))]
        return (Threshold if family == "threshold" else Halfspace)(n, weights, bias)
    raise ValueError(f"task {task.name!r} has no fixed target function (family {family})")


def draw_function(task: str, n: int, rng: np.random.Generator, **params: Any) -> BooleanFunction:
    """One target function of ``task`` over ``n`` variables drawn from the paper's
    distribution (SPEC §1). ``params`` override the task parameters (``k``)."""
    t = get_task(task)
    n = check_int(n, "n", t.min_n)
    resolved = resolve_params(t, n, params)
    return _draw(t, n, _check_rng(rng), resolved)


def _forcing_literals(f: BooleanFunction, rng: np.random.Generator) -> tuple[int, ...]:
    """The literals the forcing rule writes for one prompt: all of a conjunction/disjunction,
    or those of one uniformly chosen term/clause of a DNF/CNF."""
    if isinstance(f, DNF | CNF):
        return f.groups[int(rng.integers(len(f.groups)))]
    assert isinstance(f, Conjunction | Disjunction)
    return f.literals


def _input(n: int, p_one: float, rng: np.random.Generator) -> np.ndarray:
    """One input: uint8 ``(n,)``, every bit 1 w.p. ``p_one`` (uniform bits at 0.5)."""
    if p_one == 0.5:
        return rng.integers(0, 2, size=n).astype(np.uint8)
    return (rng.random(n) < p_one).astype(np.uint8)


def nearest_neighbour_labels(xs: np.ndarray, first: np.ndarray, start: int) -> np.ndarray:
    """The labels of one nearest_neighbour prompt, one example at a time (the rule of the
    original authors' generator): ``xs`` uint8 ``(points, n)``, ``first`` the
    ``min(start, points)`` random labels.

    Before ``start`` an input keeps its random label unless it repeats an earlier input
    exactly, when it takes the label of its first copy; from ``start`` on each label copies
    that of the most cosine-similar earlier point (±1 coding; ties: the earliest).

    Every ±1 input has norm ``sqrt(n)``, so the cosine is the integer dot product over ``n``:
    the dot products are compared, exactly (floating-point cosines of tied points can differ in
    the last bit and break the tie rule; the original code rounded them to 7 decimals)."""
    points = len(xs)
    ys = np.zeros(points, dtype=np.uint8)
    signed = xs.astype(np.int64) * 2 - 1
    for i in range(points):
        if i < start:
            copies = np.flatnonzero((xs[:i] == xs[i]).all(axis=1))
            ys[i] = ys[copies[0]] if copies.size else first[i]
            continue
        dots = signed[:i] @ signed[i]
        ys[i] = ys[int(np.argmax(dots))]  # argmax: the first (earliest) maximum
    return ys


def _nearest_neighbour_prompt(
    points: int, n: int, start: int, p_one: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """One prompt: its inputs and, before ``start``, one fair coin per example (drawn whether
    or not the input is a repeat), then :func:`nearest_neighbour_labels`."""
    xs = np.zeros((points, n), dtype=np.uint8)
    first = np.zeros(min(start, points), dtype=np.uint8)
    for i in range(points):
        xs[i] = _input(n, p_one, rng)
        if i < start:
            first[i] = rng.integers(0, 2)
    return xs, nearest_neighbour_labels(xs, first, start)


def reference_prompts(
    task: str,
    prompts: int,
    points: int,
    n: int,
    rng: np.random.Generator,
    *,
    force: float | None = None,
    p_one: float = 0.5,
    **params: Any,
) -> tuple[np.ndarray, np.ndarray, list[BooleanFunction] | None]:
    """``(xs, ys, functions)``: ``xs`` uint8 ``(prompts, points, n)``, ``ys`` uint8
    ``(prompts, points)`` and the target of every prompt (``None`` for nearest_neighbour),
    generated example by example in plain Python/numpy.

    ``force`` (forcing probability, ``None``: the task's) and ``p_one`` (probability of a 1
    input bit before forcing) change the input distribution as in
    :func:`boolfun.samplers.sample_prompts` (:func:`boolfun.tasks.with_inputs`)."""
    t = with_inputs(get_task(task), force=force, p_one=p_one)
    prompts = check_int(prompts, "prompts", 1)
    points = check_int(points, "points", 1)
    n = check_int(n, "n", t.min_n)
    resolved = resolve_params(t, n, params)
    rng = _check_rng(rng)
    xs = np.zeros((prompts, points, n), dtype=np.uint8)
    ys = np.zeros((prompts, points), dtype=np.uint8)
    if not t.has_function:
        for b in range(prompts):
            xs[b], ys[b] = _nearest_neighbour_prompt(
                points, n, resolved["start"], t.dist.p_one, rng
            )
        return xs, ys, None
    functions = []
    satisfy = t.family in ("conjunction", "dnf")  # forcing makes literals true, else false
    q = t.dist.force
    for b in range(prompts):
        f = _draw(t, n, rng, resolved)
        functions.append(f)
        forced = _forcing_literals(f, rng) if q > 0 else ()
        for i in range(points):
            x = _input(n, t.dist.p_one, rng)
            if q > 0 and rng.random() < q:
                for lit in forced:
                    x[abs(lit) - 1] = (lit > 0) == satisfy
            xs[b, i] = x
            ys[b, i] = f.evaluate(x[None])[0]
    return xs, ys, functions
