"""The uniqueness oracle that answers with the competitor *nearest* the target.

:func:`teaching.uniqueness.verify` returns whichever consistent competitor the solver meets
first; for DNF and CNF classes that is often far from the target (terms rewritten wholesale),
with a large difference set that a counterexample-guided search separates with one point and
learns little from. The competitors that bound a teaching dimension are those with the
*smallest* difference sets, and they are near the target in its representation.

Here the class encoding's parameters (term ``j`` used, ``x_i`` in term ``j``, ``~x_i`` in term
``j``) are compared with the target's own (its terms in the class's order, unused terms off):
``d(h)`` counts the parameters that differ. With a totalizer over those differences
(pysat's ``ITotalizer``), the oracle asks for a consistent competitor with ``d <= 1``, then
``2``, ... up to ``max_distance``, and past that for any competitor (the plain query). The
answer is the same verdict as ``verify``'s: "unique" only when the unrestricted query is
UNSAT, a competitor only from a model (so it is consistent and differs from the target at
the witness); only the choice among competitors changes. A competitor equal to the target
with its terms permuted is not near in this sense, but it is not a competitor either (it
does not differ at any point).
"""

from __future__ import annotations

import time
from typing import Any

from pysat.card import ITotalizer

from boolfun.classes import DNFClass, FunctionClass
from boolfun.function import BooleanFunction
from teaching.solving import check_time_limit, new_solver, solve
from teaching.uniqueness import (
    Verdict,
    check_examples,
    check_target,
    competitor_verdict,
    verify,
)

MAX_DISTANCE = 4
"""Largest parameter distance tried before the unrestricted query."""


def supports(cls: FunctionClass) -> bool:
    """Whether the nearest-competitor query applies (DNF and CNF classes)."""
    return isinstance(cls, DNFClass)


def distance_literals(params: dict[str, Any], f: BooleanFunction) -> list[int]:
    """One literal per parameter, true when the member's parameter differs from ``f``'s (``f``
    a DNF or CNF in the class's representation)."""
    groups = [set(g) for g in f.groups]  # type: ignore[attr-defined]
    out: list[int] = []
    for j, e in enumerate(params["enable"]):
        used = j < len(groups)
        g = groups[j] if used else set()
        out.append(-e if used else e)
        for i, v in enumerate(params["p"][j]):
            out.append(-v if i + 1 in g else v)
        for i, v in enumerate(params["q"][j] if "q" in params else []):
            out.append(-v if -(i + 1) in g else v)
    return out


def nearest_competitor(
    f: BooleanFunction,
    cls: FunctionClass,
    examples: Any,
    time_limit: float | None = None,
    max_distance: int = MAX_DISTANCE,
) -> Verdict:
    """:func:`teaching.uniqueness.verify` with the competitor nearest ``f`` in the class's
    parameters (module docstring); plain ``verify`` for classes it does not support."""
    limit = check_time_limit(time_limit)
    if isinstance(max_distance, bool) or not isinstance(max_distance, int) or max_distance < 0:
        raise ValueError(f"max_distance must be an integer >= 0, got {max_distance!r}")
    if not supports(cls):
        return verify(f, cls, examples, time_limit=limit)
    start = time.perf_counter()
    target = check_target(f, cls)
    ex = check_examples(examples, target)
    enc = cls.encode()
    for x, y in ex:
        enc.label(x, y)
    z = enc.differ(target)
    pool = enc.circuit.pool
    tot = ITotalizer(lits=distance_literals(enc.params, target), ubound=max_distance + 1,
                     top_id=pool.top)
    pool.occupy(pool.top + 1, tot.top_id)

    def left() -> float | None:
        return None if limit is None else max(1e-3, limit - (time.perf_counter() - start))

    try:
        with new_solver(enc.circuit.clauses + tot.cnf.clauses) as s:
            found = False
            for d in range(1, max_distance + 1):
                r = solve(s, assumptions=[-tot.rhs[d]], time_limit=left())  # at most d differ
                if r is None:
                    return Verdict("unknown")
                if r:
                    found = True
                    break
            if not found:
                r = solve(s, time_limit=left())
                if r is None:
                    return Verdict("unknown")
                if not r:
                    return Verdict("unique")
            model = s.get_model()
    finally:
        tot.delete()
    return competitor_verdict(enc, z, model)
