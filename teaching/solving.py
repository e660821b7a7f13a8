"""SAT calls with a time limit that reports "unknown" instead of guessing.

CaDiCaL cannot be interrupted through pysat, so time-limited calls use Glucose 4, which can.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from pysat.solvers import Solver

LIMITED_SOLVER = "glucose4"


MAX_TIME_LIMIT = 1e7
"""The longest time limit, in seconds (about 116 days; ``None`` means no limit)."""


def check_time_limit(time_limit: Any) -> float | None:
    """Validate a time limit in seconds: ``None`` (no limit) or a finite number ``> 0`` (an
    int or a float, numpy scalars included; not a bool, a string, ``nan`` or ``inf``). Every
    public entry that takes ``time_limit`` calls this before any work."""
    if time_limit is None:
        return None
    ok = not isinstance(time_limit, bool | np.bool_) and isinstance(
        time_limit, int | float | np.integer | np.floating
    )
    if not ok or not math.isfinite(time_limit) or not 0 < time_limit <= MAX_TIME_LIMIT:
        raise ValueError(
            f"time_limit must be None or a number of seconds in (0, {MAX_TIME_LIMIT:g}], "
            f"got {time_limit!r} ({type(time_limit).__name__})"
        )
    return float(time_limit)


def solve(
    solver: Solver, assumptions: Sequence[int] = (), time_limit: float | None = None
) -> bool | None:
    """``True`` (satisfiable), ``False`` (unsatisfiable) or ``None`` (time limit reached)."""
    time_limit = check_time_limit(time_limit)
    if time_limit is None:
        return bool(solver.solve(assumptions=list(assumptions)))
    timer = threading.Timer(time_limit, solver.interrupt)
    timer.start()
    try:
        result = solver.solve_limited(assumptions=list(assumptions), expect_interrupt=True)
    finally:
        timer.cancel()
        solver.clear_interrupt()
    return result


def new_solver(clauses: list[list[int]] | None = None) -> Solver:
    """An interruptible incremental solver loaded with ``clauses``."""
    return Solver(name=LIMITED_SOLVER, bootstrap_with=clauses or [])


MASTER_SOLVER = "cd19"
"""The master's SAT solver: CaDiCaL 1.9.5 (about twice as fast as Glucose 4 on these masters).
It cannot be interrupted through pysat, so a time-limited call runs in slices of
:data:`CONFLICT_SLICE` conflicts and checks the clock between them."""

CONFLICT_SLICE = 20000
"""Conflicts per slice of a time-limited master call (a fraction of a second)."""


def solve_sliced(solver: Solver, deadline: float | None) -> bool | None:
    """``True`` / ``False`` (satisfiable or not), ``None`` once ``time.perf_counter()`` has
    passed ``deadline`` (``None``: no limit) between two slices."""
    if deadline is None:
        return bool(solver.solve())
    while True:
        solver.conf_budget(CONFLICT_SLICE)
        r = solver.solve_limited()
        if r is not None:
            return bool(r)
        if time.perf_counter() >= deadline:
            return None
