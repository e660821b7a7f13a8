"""The exact teaching dimension ``TD(f, C)`` with a certificate of minimality.

Implicit hitting set (counterexample-guided): a MaxSAT master (pysat ``Hitman``/RC2) proposes a
minimum hitting set ``T`` of the difference sets ``D(h_1), ..., D(h_r)`` collected so far; the
SAT oracle asks whether some ``h in C`` agrees with ``f`` on ``T`` and differs from it
somewhere. If none does, ``T`` teaches ``f``, and since no set smaller than ``|T|`` hits
``D(h_1), ..., D(h_r)``, ``|T| = TD(f, C)``: the competitors ``h_1..h_r`` are the certificate.
Otherwise the oracle's ``h`` adds ``D(h)`` and the master runs again.

The oracle encodes the class once, with one guard literal ``g_x`` per point ``x`` and clauses
``g_x -> h(x) = f(x)``; a query assumes the guards of ``T``. Points are listed explicitly, so
this needs ``n <= MAX_N``.

:func:`teaching_dimension_by_enumeration` is an independent exact solver for small classes
(list every member, brute-force the minimum hitting set), used to cross-check.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pysat.examples.hitman import Hitman

from boolfun.bits import all_inputs
from boolfun.classes import FunctionClass
from boolfun.function import BooleanFunction
from teaching.examples import Examples
from teaching.hitting import brute_force_hitting_number, masks_of
from teaching.solving import check_time_limit, new_solver, solve
from teaching.uniqueness import check_target

MAX_N = 12
"""Largest n for the implicit hitting set over listed points (it lists the 2^n candidate
points); above it :func:`teaching_dimension` uses the symbolic search."""

ENUMERATION_MAX_N = 6

MASTER_SOLVER = "cd19"
"""SAT solver inside the master's RC2 (CaDiCaL 1.9.5 was fastest on hard DNF instances)."""


@dataclass(frozen=True)
class TeachingResult:
    """A minimum teaching set and the proof of its minimality.

    ``status`` is ``"exact"`` when ``td`` is proved, ``"unknown"`` when the time limit cut the
    search: then ``lower_bound`` is what was proved (no smaller set teaches) and ``examples`` is
    ``None``. ``competitors`` are functions of the class whose difference sets with the target
    no set of fewer than ``td`` points hits.
    """

    target: BooleanFunction
    cls: FunctionClass
    status: Literal["exact", "unknown"]
    lower_bound: int
    examples: Examples | None = None
    competitors: list[BooleanFunction] = field(default_factory=list)
    iterations: int = 0
    seconds: float = 0.0
    method: str = "points"
    """``"points"`` (the implicit hitting set over the listed points) or ``"symbolic"``
    (:mod:`teaching.symbolic`)."""
    upper_bound: int | None = None
    """The size of the smallest teaching set found (``None``: none known)."""
    proof: str = "hitting_set"
    """How ``lower_bound`` is proved: ``"hitting_set"`` (no set of fewer points hits the
    competitors' difference sets), ``"disjoint"`` (the competitors' difference sets are
    pairwise disjoint), ``"gf2"`` (the parity rank argument), ``"symmetric_hitting"`` (no
    set of fewer points in the symmetry-broken normal form of :mod:`teaching.majority_td` or
    :func:`teaching.symbolic.symmetry_of` hits them: proved under the target's stabiliser, not
    re-checkable from the competitors alone, so a certificate re-proves it without) or
    ``"trivial"`` (0)."""
    upper_from: str = "search"
    """Where the teaching set of ``upper_bound`` points comes from."""
    assigned: int = 0
    """For a symbolic ``"hitting_set"`` proof: the first ``assigned`` competitors have
    pairwise-disjoint difference sets and the refutation put one point in each
    (:class:`teaching.symbolic.SymbolicPoints`); a certificate carries it."""

    @property
    def td(self) -> int | None:
        """The teaching dimension (``None`` when unknown)."""
        return self.lower_bound if self.status == "exact" else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "target": str(self.target),
            "class": self.cls.short_name(),
            "n": self.cls.n,
            "status": self.status,
            "td": self.td,
            "lower_bound": self.lower_bound,
            "upper_bound": self.upper_bound,
            "method": self.method,
            "proof": self.proof,
            "upper_from": self.upper_from,
            "examples": None if self.examples is None else self.examples.to_json(),
            "competitors": [str(h) for h in self.competitors],
            "iterations": self.iterations,
            "seconds": round(self.seconds, 4),
        }


class TeachingOracle:
    """Incremental SAT oracle: "is there ``h in C`` agreeing with ``f`` on the points ``T`` and
    differing from ``f`` somewhere?" (see the module docstring)."""

    def __init__(self, f: BooleanFunction, cls: FunctionClass) -> None:
        if cls.n > MAX_N:
            raise ValueError(f"the exact teaching dimension needs n <= {MAX_N}, got n={cls.n}")
        self.f = f
        self.points = all_inputs(cls.n)
        self.labels = f.evaluate(self.points)
        self.enc = cls.encode()
        self.guards = [self.enc.circuit.new_var() for _ in range(len(self.points))]
        for x, y, g in zip(self.points, self.labels.tolist(), self.guards, strict=True):
            self.enc.label(x, y, guard=g)
        self.enc.differ(f)
        self.solver = new_solver(self.enc.circuit.clauses)

    def competitor(self, indices: list[int], time_limit: float | None = None) -> Any:
        """``None`` if the points ``indices`` teach ``f``; ``"unknown"`` on time-out; else a
        competing ``h`` (in the class's representation)."""
        result = solve(self.solver, [self.guards[i] for i in indices], time_limit)
        if result is None:
            return "unknown"
        if not result:
            return None
        return self.enc.decode(self.solver.get_model())

    def difference(self, h: BooleanFunction) -> list[int]:
        """Indices of the points where ``h`` differs from ``f``."""
        return np.flatnonzero(h.evaluate(self.points) != self.labels).tolist()

    def close(self) -> None:
        """Free the solver."""
        self.solver.delete()


def teaching_dimension(
    f: BooleanFunction, cls: FunctionClass, time_limit: float | None = None,
    symmetric: bool = True,
) -> TeachingResult:
    """``TD(f, C)``, a minimum teaching set and its certificate, by implicit hitting set.

    Besides the optimal hitting sets of the MaxSAT master (lower bounds), each round completes
    the master's proposal greedily into a teaching set (each new competitor's difference set is
    hit by the point that hits most collected sets not yet hit), then drops points the oracle
    shows redundant: an upper bound. The search stops when the bounds meet, which often saves
    the last, most expensive MaxSAT calls.

    ``time_limit`` (seconds) bounds the search: every SAT oracle call is interrupted at the
    limit and the result is then ``"unknown"`` with the lower bound proved so far. A MaxSAT
    master call is not interruptible, so the wall time can exceed the limit by one such call.

    Above ``n = MAX_N`` (where listing the points stops paying) the symbolic search of
    :func:`teaching.symbolic.symbolic_teaching_dimension` answers instead (``symmetric=False``
    keeps it to proofs a certificate holds).
    """
    target = check_target(f, cls)
    limit = check_time_limit(time_limit)
    if cls.n > MAX_N:
        from teaching.symbolic import symbolic_teaching_dimension

        return symbolic_teaching_dimension(target, cls, time_limit=limit,
                                           symmetric=bool(symmetric))
    start = time.perf_counter()
    oracle = TeachingOracle(target, cls)
    competitors: list[BooleanFunction] = []
    sets: list[np.ndarray] = []  # difference sets as boolean masks over the points
    best: list[int] | None = None
    lower = 0
    iterations = 0

    def left() -> float | None:
        return None if limit is None else limit - (time.perf_counter() - start)

    def ask(points: list[int]) -> Any:
        remaining = left()
        if remaining is not None and remaining <= 0:
            return "unknown"
        return oracle.competitor(points, remaining)

    def result(status: str, examples: list[int] | None) -> TeachingResult:
        ex = None
        if examples is not None:
            ex = order_examples(
                Examples(oracle.points[examples].reshape(-1, cls.n), oracle.labels[examples])
            )
        up = len(examples) if examples is not None else (len(best) if best else None)
        return TeachingResult(
            target, cls, status, lower, ex, competitors, iterations, time.perf_counter() - start,
            upper_bound=up,
        )

    try:
        while True:
            iterations += 1
            hs = master_hitting_set(np.array(sets)) if sets else []
            lower = len(hs)
            if best is not None and len(best) == lower:
                return result("exact", sorted(best))
            h = ask(hs)
            if isinstance(h, str):
                return result("unknown", None)
            if h is None:
                return result("exact", hs)
            grown = list(hs)
            while h is not None:
                if isinstance(h, str):
                    return result("unknown", None)
                d = oracle.difference(h)
                competitors.append(h)
                mask = np.zeros(len(oracle.points), dtype=bool)
                mask[d] = True
                sets.append(mask)
                grown.append(_greedy_point(d, sets, grown))
                h = ask(grown)
            for p in list(grown):  # drop points that are not needed
                trial = [q for q in grown if q != p]
                if ask(trial) is None:
                    grown = trial
            if best is None or len(grown) < len(best):
                best = grown
    finally:
        oracle.close()


def master_hitting_set(sets: np.ndarray) -> list[int]:
    """A minimum hitting set of the rows of a boolean matrix (sets x points), as point
    indices. Points are first reduced: points in exactly the same sets are interchangeable
    (one representative each), and a point whose sets are a subset of another point's sets
    is dominated (some minimum hitting set avoids it). The reduced instance goes to pysat's
    ``Hitman`` (RC2 MaxSAT)."""
    sig, first = np.unique(sets.T, axis=0, return_index=True)  # distinct membership columns
    keep = sig.any(axis=1)
    sig, first = sig[keep], first[keep]
    counts = sig.sum(axis=1)
    inter = sig.astype(np.int32) @ sig.T.astype(np.int32)  # |c & d|
    # c is dominated by d when c is a subset of d and (d is strictly larger, or equal with
    # d first: equal signatures are already merged by np.unique)
    dominated = ((inter == counts[:, None]) & (counts[None, :] > counts[:, None])).any(axis=1)
    sig, first = sig[~dominated], first[~dominated]
    members = [np.flatnonzero(row).tolist() for row in sig.T]  # per set: reduced point ids
    with Hitman(bootstrap_with=members, htype="sorted", solver=MASTER_SOLVER) as h:
        chosen = h.get() or []
    return sorted(int(first[c]) for c in chosen)


def _greedy_point(d: list[int], sets: list[np.ndarray], chosen: list[int]) -> int:
    """The point of ``d`` that lies in the most collected sets not yet hit by ``chosen``."""
    matrix = np.array(sets)
    unhit = ~matrix[:, chosen].any(axis=1) if chosen else np.ones(len(sets), dtype=bool)
    scores = matrix[unhit][:, d].sum(axis=0)
    return d[int(np.argmax(scores))]


def order_examples(examples: Examples) -> Examples:
    """Positives first, then negatives (the order of the paper's constructions), each group
    in the order of the inputs."""
    order = np.lexsort((np.arange(len(examples)), 1 - examples.ys.astype(int)))
    return Examples(examples.xs[order], examples.ys[order])


def teaching_dimension_by_enumeration(f: BooleanFunction, cls: FunctionClass) -> int:
    """``TD(f, C)`` by listing the class and brute-forcing the minimum hitting set of the
    difference sets (independent of the SAT path; ``n <= ENUMERATION_MAX_N``)."""
    target = check_target(f, cls)
    if cls.n > ENUMERATION_MAX_N:
        raise ValueError(f"enumeration needs n <= {ENUMERATION_MAX_N}, got n={cls.n}")
    points = all_inputs(cls.n)
    fv = target.evaluate(points)
    sets = []
    for h in cls.enumerate():
        d = np.flatnonzero(h.evaluate(points) != fv)
        if d.size:
            sets.append(d.tolist())
    return brute_force_hitting_number(masks_of(sets), len(points))
