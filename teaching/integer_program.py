"""Uniqueness for majorities, 0-1 thresholds and integer halfspaces by integer programming.

The three classes of :mod:`boolfun.classes.threshold_classes` are linear threshold functions
in the ±1 coding ``x' = 2x - 1``: ``h(x) = [w . x' >= c]`` with integer ``w`` and ``c``.

* ``MajorityClass``: ``w_i in {0, 1}`` (``w_i = [x_i in S]``), ``c = 1`` (ties give 0).
* ``ThresholdClass(biases)``: ``w_i in {-1, 0, 1}``, ``c = sum_j c_j t_j`` with one-hot
  ``t`` (``sum_j t_j = 1``) choosing the bias ``b_j`` and ``c_j = b_j + 1/2``.
* ``HalfspaceClass(W, b)``: ``w_i in [-W, W]``, ``c = floor(b) + 1`` (fixed).

``T`` teaches the target ``f = [v . x' >= c_f]`` iff the following CP-SAT model (OR-Tools) is
infeasible. Variables: the class's parameters ``w`` (and ``t``), a point ``z in {0, 1}^n``,
products ``p_i = w_i z_i`` and a Boolean ``d = f(z)``.

* every example ``(x, y)`` of ``T``: ``sum_i w_i x'_i - c >= 0`` if ``y = 1``, ``<= -1`` if
  ``y = 0`` (linear in ``w``; ``x'`` is known);
* the products: ``z_i => p_i = w_i`` and ``~z_i => p_i = 0`` (``OnlyEnforceIf``), so that
  ``w . z' = 2 sum_i p_i - sum_i w_i``;
* the target at ``z`` (``f`` is known, so ``f(z)`` is linear in ``z``):
  ``d => 2 v . z - sum_i v_i >= c_f`` and ``~d => 2 v . z - sum_i v_i <= c_f - 1``;
* the difference ``h(z) != f(z)``: ``d => w . z' - c <= -1`` and ``~d => w . z' - c >= 0``.

Every constraint is an exact integer linear constraint, so INFEASIBLE proves ``T`` teaches
``f``; a solution gives the competitor (decoded into the class's representation:
``Majority``, ``Threshold`` or ``Halfspace``) and the witness ``z``, both re-checked in Python
by evaluating them; the time limit reached (``UNKNOWN``) answers ``"unknown"``, never
``"unique"``. OR-Tools is the optional extra ``ip`` (``pip install 'boolicl[ip]'``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Literal

import numpy as np

from boolfun.classes import FunctionClass, HalfspaceClass, MajorityClass, ThresholdClass
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from teaching.examples import Examples

IPStatus = Literal["unique", "not_unique", "unknown"]

IP_CLASSES = (MajorityClass, ThresholdClass, HalfspaceClass)
"""The classes this module decides."""


def available() -> bool:
    """Whether OR-Tools (the extra ``ip``) is installed."""
    return importlib.util.find_spec("ortools") is not None


def supports(cls: FunctionClass) -> bool:
    """Whether ``cls`` is one of the threshold-type classes of :data:`IP_CLASSES`."""
    return isinstance(cls, IP_CLASSES)


@dataclass(frozen=True)
class IPResult:
    """The answer of :func:`find_competitor`: for ``"not_unique"`` a checked competitor of the
    class and the witness point (uint8) where it differs from the target."""

    status: IPStatus
    competitor: BooleanFunction | None = None
    witness: np.ndarray | None = None


def _target_form(f: BooleanFunction) -> tuple[list[int], int]:
    """``(v, c_f)`` with ``f(x) = [v . x' >= c_f]``."""
    if isinstance(f, Majority):
        return [1 if i in f.variables else 0 for i in range(1, f.n + 1)], 1
    if isinstance(f, Halfspace):
        return list(f.weights), floor(f.bias) + 1
    raise ValueError(f"f must be a Majority, Threshold or Halfspace, got {type(f).__name__}")


def find_competitor(
    target: BooleanFunction,
    cls: FunctionClass,
    examples: Examples,
    time_limit: float | None = None,
    workers: int = 1,
    seed: int = 0,
) -> IPResult:
    """Decide whether ``examples`` teach ``target`` in ``cls`` (see the module docstring).

    ``target`` must already be in the class's representation (``cls.coerce``) and the
    examples labelled by it (:func:`teaching.uniqueness.verify` checks both). ``workers``:
    CP-SAT search workers (1 is deterministic for a fixed ``seed``)."""
    if not supports(cls):
        raise ValueError(
            f"cls must be a MajorityClass, ThresholdClass or HalfspaceClass, got "
            f"{type(cls).__name__}"
        )
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
    from ortools.sat.python import cp_model

    n = cls.n
    m = cp_model.CpModel()
    if isinstance(cls, MajorityClass):
        lo, hi = 0, 1
    elif isinstance(cls, ThresholdClass):
        lo, hi = -1, 1
    else:
        lo, hi = -cls.max_weight, cls.max_weight
    w = [m.new_int_var(lo, hi, f"w{i + 1}") for i in range(n)]
    fracs: tuple[Fraction, ...] = ()
    t: list = []
    if isinstance(cls, MajorityClass):
        c = 1
    elif isinstance(cls, ThresholdClass):
        fracs = cls._fracs
        t = [m.new_bool_var(f"t{j}") for j in range(len(fracs))]
        m.add_exactly_one(t)
        c = sum(int(b + Fraction(1, 2)) * tj for b, tj in zip(fracs, t, strict=True))
    else:
        c = floor(cls._bias) + 1

    # the examples: h(x) = y
    xs = 2 * examples.xs.astype(np.int64) - 1 if len(examples) else np.zeros((0, n), np.int64)
    for row, y in zip(xs.tolist(), examples.ys.tolist(), strict=True):
        s = sum(wi if xi > 0 else -wi for wi, xi in zip(w, row, strict=True))
        if y:
            m.add(s - c >= 0)
        else:
            m.add(s - c <= -1)

    # the point z, p_i = w_i z_i, d = f(z), and h(z) != f(z)
    z = [m.new_bool_var(f"z{i + 1}") for i in range(n)]
    p = [m.new_int_var(min(lo, 0), max(hi, 0), f"p{i + 1}") for i in range(n)]
    for wi, zi, pi in zip(w, z, p, strict=True):
        m.add(pi == wi).only_enforce_if(zi)
        m.add(pi == 0).only_enforce_if(~zi)
    v, cf = _target_form(target)
    fz = 2 * sum(vi * zi for vi, zi in zip(v, z, strict=True) if vi) - sum(v)
    d = m.new_bool_var("d")
    m.add(fz >= cf).only_enforce_if(d)
    m.add(fz <= cf - 1).only_enforce_if(~d)
    hz = 2 * sum(p) - sum(w) - c
    m.add(hz <= -1).only_enforce_if(d)
    m.add(hz >= 0).only_enforce_if(~d)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = float(time_limit)
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE:
        return IPResult("unique")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT rejected the model: {m.validate()}")
        return IPResult("unknown")

    weights = [int(solver.value(wi)) for wi in w]
    if isinstance(cls, MajorityClass):
        h: BooleanFunction = Majority(n, [i + 1 for i, wi in enumerate(weights) if wi])
    elif isinstance(cls, ThresholdClass):
        j = next(j for j, tj in enumerate(t) if solver.boolean_value(tj))
        h = Threshold(n, weights, fracs[j])
    else:
        h = Halfspace(n, weights, cls._bias)
    witness = np.array([int(solver.boolean_value(zi)) for zi in z], dtype=np.uint8)
    _check_competitor(h, target, cls, examples, witness)
    return IPResult("not_unique", h, witness)


def _check_competitor(
    h: BooleanFunction,
    target: BooleanFunction,
    cls: FunctionClass,
    examples: Examples,
    witness: np.ndarray,
) -> None:
    """Re-check a decoded solution by evaluation; a failure is a bug, never an answer."""
    if h not in cls:
        raise RuntimeError(f"CP-SAT competitor {h} is not in {cls!r}")
    if len(examples) and not np.array_equal(h.evaluate(examples.xs), examples.ys):
        raise RuntimeError(f"CP-SAT competitor {h} disagrees with the examples")
    if h.evaluate(witness[None])[0] == target.evaluate(witness[None])[0]:
        raise RuntimeError(f"CP-SAT competitor {h} agrees with the target at the witness")
