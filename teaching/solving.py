"""SAT calls with a time limit that reports "unknown" instead of guessing.

CaDiCaL cannot be interrupted through pysat, so time-limited calls use Glucose 4, which can.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from pysat.solvers import Solver

LIMITED_SOLVER = "glucose4"


def check_time_limit(time_limit: float | None) -> float | None:
    """Validate a time limit in seconds (``None``: no limit)."""
    if time_limit is None:
        return None
    if isinstance(time_limit, bool) or not isinstance(time_limit, int | float) or time_limit <= 0:
        raise ValueError(
            f"time_limit must be a positive number of seconds or None, got {time_limit!r}"
        )
    return float(time_limit)


def solve(
    solver: Solver, assumptions: Sequence[int] = (), time_limit: float | None = None
) -> bool | None:
    """``True`` (satisfiable), ``False`` (unsatisfiable) or ``None`` (time limit reached)."""
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
