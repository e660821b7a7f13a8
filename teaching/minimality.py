"""Is a teaching set minimum? Is it irredundant?

* *minimum*: ``|T| = TD(f, C)`` (and ``T`` teaches) — decided by the exact solver;
* *irredundant*: ``T`` teaches and no single example can be dropped (every ``T - {t}`` admits a
  competitor). Minimum implies irredundant; the converse fails (e.g. long per-term DNF
  sequences are often irredundant but not minimum).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from boolfun.classes import FunctionClass
from boolfun.function import BooleanFunction
from teaching.dimension import teaching_dimension
from teaching.solving import check_time_limit
from teaching.uniqueness import Verdict, check_examples, check_target, verify


@dataclass(frozen=True)
class Minimality:
    """``minimal`` is ``True``/``False`` when decided, ``None`` when a time limit was hit."""

    minimal: bool | None
    teaches: bool | None
    size: int
    td: int | None
    lower_bound: int


def is_minimal(
    f: BooleanFunction, cls: FunctionClass, examples: Any, time_limit: float | None = None
) -> Minimality:
    """Whether ``examples`` is a minimum teaching set of ``f`` in ``cls``."""
    check_time_limit(time_limit)
    target = check_target(f, cls)
    ex = check_examples(examples, target)
    v = verify(target, cls, ex, time_limit=time_limit)
    teaches = None if v.status == "unknown" else v.unique
    r = teaching_dimension(target, cls, time_limit=time_limit)
    if teaches is False:
        return Minimality(False, False, len(ex), r.td, r.lower_bound)
    if r.td is None:
        return Minimality(None, teaches, len(ex), None, r.lower_bound)
    return Minimality(teaches and len(ex) == r.td, teaches, len(ex), r.td, r.lower_bound)


def redundant_examples(
    f: BooleanFunction, cls: FunctionClass, examples: Any, time_limit: float | None = None
) -> list[tuple[int, Verdict]]:
    """For each example ``i``, the verdict of ``T - {i}``; ``T`` is irredundant iff every
    verdict is ``not_unique`` (each comes with the competitor that example excludes)."""
    check_time_limit(time_limit)
    target = check_target(f, cls)
    ex = check_examples(examples, target)
    return [(i, verify(target, cls, ex.drop(i), time_limit=time_limit)) for i in range(len(ex))]


def is_irredundant(
    f: BooleanFunction, cls: FunctionClass, examples: Any, time_limit: float | None = None
) -> bool | None:
    """``True`` if ``examples`` teach ``f`` and no example can be dropped; ``None`` if a
    solver call hit the time limit."""
    check_time_limit(time_limit)
    target = check_target(f, cls)
    v = verify(target, cls, examples, time_limit=time_limit)
    if v.status == "unknown":
        return None
    if not v.unique:
        return False
    statuses = [verdict.status for _, verdict in redundant_examples(f, cls, examples, time_limit)]
    if "unique" in statuses:
        return False
    return None if "unknown" in statuses else True
