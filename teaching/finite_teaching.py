"""Teaching dimension, recursive teaching dimension and the teaching plan of a finite class.

Definitions, for a finite class ``C`` over a domain ``X`` (:class:`~teaching.finite_class.
FiniteClass`):

* A set ``T ⊆ X`` *teaches* ``c`` in ``C`` when ``c`` is the only concept of ``C`` that agrees
  with ``c`` on ``T``; equivalently ``T`` hits every difference set
  ``D(c, c') = {x : c(x) != c'(x)}``, ``c' in C \\ {c}``. The teaching dimension
  ``TD(c, C)`` is the least ``|T|`` (Goldman & Kearns 1995), ``TD(C) = max_c TD(c, C)`` and
  ``TD_min(C) = min_c TD(c, C)``.
* The recursive teaching dimension (Zilles, Lange, Holte & Zinkevich 2011): ``C_1 = C``,
  ``d_t = TD_min(C_t)``, ``L_t = {c in C_t : TD(c, C_t) = d_t}``, ``C_{t+1} = C_t \\ L_t``
  until nothing is left; ``RTD(C) = max_t d_t``. The *teaching plan* is the sequence of
  layers ``(L_t, d_t)``, each concept of ``L_t`` with a minimum teaching set in ``C_t``.

Two facts make the results checkable (Doliwa, Fan, Simon & Zilles 2014):

* (upper) any order ``c_1, ..., c_N`` of ``C`` with sets ``T_i`` teaching ``c_i`` in
  ``{c_i, ..., c_N}`` gives ``RTD(C) <= max_i |T_i|`` (take the first ``c_i`` in each ``C_t``:
  ``TD(c_i, C_t) <= |T_i|``);
* (lower) ``RTD(C) >= TD_min(C')`` for every subclass ``C' ⊆ C`` (the first layer that
  removes a concept of ``C'`` removes it with at most ``RTD(C)`` points against a superset of
  ``C'``); the layer ``C_t`` with ``d_t = RTD(C)`` attains it. So a certificate of
  ``RTD >= d`` is a subclass whose every concept needs ``d`` points against it.

``TD(c, C')`` is a minimum hitting set, found by implicit hitting set: pysat's ``Hitman``
(RC2 MaxSAT) proposes a minimum hitting set of the difference sets collected so far; an
unhit difference set is added until none is left. The collected concepts are the
*competitors*: no set of fewer than ``TD`` points hits their difference sets, which
:mod:`teaching.finite_certificate` re-checks independently.

A time limit is honoured between ``Hitman`` calls (one call is not interruptible): what is not
finished is ``"unknown"`` with proved bounds: the lower from the hitting sets found so far
(or pairwise-disjoint difference sets), the upper from a teaching set built greedily.

>>> from teaching.finite_class import FiniteClass
>>> ft = finite_teaching(FiniteClass.from_matrix(["10", "01", "00"]))  # {x1}, {x2}, {}
>>> [c.td for c in ft.concepts], ft.rtd, [layer.td for layer in ft.layers]
([1, 1, 2], 1, [1, 0])
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pysat.examples.hitman import Hitman

from teaching.finite_class import FiniteClass
from teaching.solving import check_time_limit

MAX_CONCEPTS = 5000
"""Most concepts for the teaching dimensions of a finite class."""

MAX_POINTS = 1024
"""Largest domain for the teaching dimensions of a finite class."""

HITMAN_SOLVER = "cd19"
"""The SAT solver inside ``Hitman``'s RC2 (CaDiCaL 1.9.5: about 3x faster than the default
Glucose 3 on random dense classes, as in :mod:`teaching.dimension`)."""

Status = Literal["exact", "unknown"]


class Deadline:
    """A time budget started at construction: ``None`` seconds is no limit."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = check_time_limit(seconds)
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since the start."""
        return time.perf_counter() - self.start

    def left(self) -> float | None:
        """Seconds left (``None``: no limit); can be negative."""
        return None if self.seconds is None else self.seconds - self.elapsed()

    def expired(self) -> bool:
        """Whether the budget is spent."""
        left = self.left()
        return left is not None and left <= 0


def check_size(fc: FiniteClass, what: str, max_concepts: int, max_points: int) -> None:
    """``ValueError`` naming ``what`` and the limits when ``fc`` is larger than they allow."""
    if fc.size > max_concepts or fc.n_points > max_points:
        raise ValueError(
            f"{what}: needs at most {max_concepts} concepts and {max_points} points, the class "
            f"has {fc.size} concepts over {fc.n_points} points"
        )


@dataclass(frozen=True)
class ConceptTeaching:
    """``TD(c, C')`` of concept ``concept`` in a subclass ``C'``.

    ``teaching_set`` (point indices) always teaches; it is minimum when ``status`` is
    ``"exact"`` (then ``lower == len(teaching_set)``). ``competitors`` are concepts of ``C'``
    whose difference sets with ``concept`` no set of fewer than ``lower`` points hits.
    """

    concept: int
    status: Status
    lower: int
    teaching_set: tuple[int, ...]
    competitors: tuple[int, ...]

    @property
    def upper(self) -> int:
        """The size of the teaching set found: ``TD(c, C') <= upper``."""
        return len(self.teaching_set)

    @property
    def td(self) -> int | None:
        """``TD(c, C')`` when exact, else ``None``."""
        return self.lower if self.status == "exact" else None


def concept_teaching(
    fc: FiniteClass,
    i: int,
    among: np.ndarray | None = None,
    deadline: Deadline | None = None,
    seed: tuple[int, ...] = (),
) -> ConceptTeaching:
    """``TD(c_i, C')`` with a minimum teaching set and its competitors, ``C'`` the concepts
    of the boolean mask ``among`` (default: the whole class; ``c_i`` need not be in it).

    Implicit hitting set (see the module docstring), started from pairwise-disjoint
    difference sets and those of the concepts ``seed`` that are in ``C'`` (e.g. the
    competitors found in a larger subclass); past ``deadline`` the result is ``"unknown"``
    with the bounds proved so far."""
    if not 0 <= i < fc.size:
        raise ValueError(f"i must be a concept index in [0, {fc.size}), got {i}")
    others = fc.others(i, among)
    diff = fc.matrix[others] != fc.matrix[i]  # competitors x points
    if not len(others):
        return ConceptTeaching(i, "exact", 0, (), ())
    collected = disjoint_rows(diff)
    position = {int(c): r for r, c in enumerate(others)}
    collected += [position[c] for c in seed if c in position and position[c] not in collected]
    lower = len(collected)
    if deadline is not None and deadline.expired():
        return _unknown(i, others, diff, collected, lower, [])
    with Hitman(bootstrap_with=[np.flatnonzero(diff[r]).tolist() for r in collected],
                htype="sorted", solver=HITMAN_SOLVER) as hitman:
        while True:
            chosen = sorted(hitman.get())
            lower = max(lower, len(chosen))
            unhit = ~diff[:, chosen].any(axis=1) if chosen else np.ones(len(others), bool)
            if not unhit.any():
                return ConceptTeaching(
                    i, "exact", len(chosen), tuple(chosen),
                    tuple(int(others[r]) for r in sorted(collected)),
                )
            if deadline is not None and deadline.expired():
                return _unknown(i, others, diff, collected, lower, chosen)
            rows = np.flatnonzero(unhit)
            r = int(rows[np.argmin(diff[rows].sum(axis=1))])  # the smallest unhit set
            collected.append(r)
            hitman.hit(np.flatnonzero(diff[r]).tolist())


def _unknown(
    i: int, others: np.ndarray, diff: np.ndarray, collected: list[int], lower: int,
    start: list[int],
) -> ConceptTeaching:
    """The ``"unknown"`` result: the proved lower bound and a greedy teaching set."""
    upper = greedy_hitting_set(diff, start)
    if len(upper) == lower:  # the bounds met: the greedy set is minimum
        status: Status = "exact"
    else:
        status = "unknown"
    return ConceptTeaching(
        i, status, lower, tuple(upper), tuple(int(others[r]) for r in sorted(collected))
    )


def disjoint_rows(diff: np.ndarray) -> list[int]:
    """Rows of a boolean matrix with pairwise-disjoint supports (greedy, smallest first):
    ``k`` of them need ``k`` points to hit."""
    used = np.zeros(diff.shape[1], dtype=bool)
    chosen = []
    for r in np.argsort(diff.sum(axis=1), kind="stable"):
        if not (diff[r] & used).any():
            chosen.append(int(r))
            used |= diff[r]
    return chosen


def greedy_hitting_set(diff: np.ndarray, start: list[int] | None = None) -> list[int]:
    """A hitting set of the rows of a boolean matrix (rows x points) that contains ``start``:
    add the point in most unhit rows until all are hit, then drop the points not needed."""
    chosen = list(start or [])
    unhit = ~diff[:, chosen].any(axis=1) if chosen else np.ones(diff.shape[0], dtype=bool)
    while unhit.any():
        p = int(np.argmax(diff[unhit].sum(axis=0)))
        chosen.append(p)
        unhit &= ~diff[:, p]
    for p in list(chosen):
        trial = [q for q in chosen if q != p]
        if diff[:, trial].any(axis=1).all():
            chosen = trial
    return sorted(chosen)


@dataclass(frozen=True)
class Layer:
    """One layer of the teaching plan: ``d_t`` and the concepts ``L_t`` it removes, each with
    a minimum teaching set in ``C_t``."""

    td: int
    concepts: tuple[ConceptTeaching, ...]


@dataclass(frozen=True)
class FiniteTeaching:
    """``TD`` of every concept, ``TD(C)``, ``TD_min(C)``, the histogram, ``RTD(C)`` and the
    teaching plan of a finite class (see the module docstring).

    ``concepts[i]`` is ``TD(c_i, C)``. ``layers`` is the teaching plan, complete iff
    ``rtd_status == "exact"``; then ``hardest`` is the evidence of ``RTD >= rtd_lower``: the
    results ``TD(c, C_t)`` for every concept of the layer ``C_t`` attaining the maximum
    (each ``>= RTD``, with its competitors inside ``C_t``). With a time limit reached the
    figures are ``"unknown"`` with the bounds proved (``td_bounds``, ``rtd_lower`` /
    ``rtd_upper``) and ``remaining`` holds upper-bound teaching sets of the concepts of the
    unfinished layer against it.
    """

    fc: FiniteClass
    concepts: tuple[ConceptTeaching, ...]
    layers: tuple[Layer, ...]
    rtd_status: Status
    rtd_lower: int
    rtd_upper: int
    hardest: tuple[ConceptTeaching, ...]
    remaining: tuple[ConceptTeaching, ...] = ()
    seconds: float = 0.0

    @property
    def td_status(self) -> Status:
        """``"exact"`` when every ``TD(c, C)`` is."""
        return "exact" if all(c.status == "exact" for c in self.concepts) else "unknown"

    @property
    def td_max(self) -> int | None:
        """``TD(C)`` (``None`` when unknown)."""
        return max(c.lower for c in self.concepts) if self.td_status == "exact" else None

    @property
    def td_min(self) -> int | None:
        """``TD_min(C)``, the smallest teaching dimension (``None`` when unknown)."""
        return min(c.lower for c in self.concepts) if self.td_status == "exact" else None

    @property
    def td_bounds(self) -> dict[str, list[int]]:
        """Proved bounds ``[lower, upper]`` of ``TD(C)`` (``max``) and ``TD_min(C)``
        (``min``)."""
        return {
            "max": [max(c.lower for c in self.concepts), max(c.upper for c in self.concepts)],
            "min": [min(c.lower for c in self.concepts), min(c.upper for c in self.concepts)],
        }

    @property
    def td_mean(self) -> float | None:
        """The mean ``TD(c, C)`` (``None`` when unknown)."""
        if self.td_status != "exact":
            return None
        return float(np.mean([c.lower for c in self.concepts]))

    @property
    def histogram(self) -> dict[int, int] | None:
        """``{TD: number of concepts}`` (``None`` when unknown)."""
        if self.td_status != "exact":
            return None
        return dict(sorted(Counter(c.lower for c in self.concepts).items()))

    @property
    def rtd(self) -> int | None:
        """``RTD(C)`` (``None`` when unknown)."""
        return self.rtd_lower if self.rtd_status == "exact" else None

    def hardest_subclass(self) -> list[int]:
        """The concepts of the layer ``C_t`` with ``d_t = RTD`` (the lower-bound evidence)."""
        return [c.concept for c in self.hardest]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (``boolicl td --json`` for a finite class)."""
        fc = self.fc
        hist = self.histogram
        mean = self.td_mean
        return {
            "class": fc.name,
            "size": fc.size,
            "points": fc.n_points,
            "merged_duplicates": [
                {"kept": kept, "merged": list(dropped)} for kept, dropped in fc.merged
            ],
            "td_status": self.td_status,
            "td_max": self.td_max,
            "td_min": self.td_min,
            "td_mean": None if mean is None else round(mean, 4),
            "td_bounds": self.td_bounds,
            "histogram": None if hist is None else {str(k): v for k, v in hist.items()},
            "rtd_status": self.rtd_status,
            "rtd": self.rtd,
            "rtd_bounds": [self.rtd_lower, self.rtd_upper],
            "plan": [
                {
                    "layer": t + 1,
                    "td": layer.td,
                    "concepts": [
                        {"concept": fc.concepts[c.concept],
                         "examples": fc.labelled(c.concept, c.teaching_set)}
                        for c in layer.concepts
                    ],
                }
                for t, layer in enumerate(self.layers)
            ],
            "concepts": [
                {
                    "concept": fc.concepts[c.concept],
                    "td": c.td,
                    "td_bounds": [c.lower, c.upper],
                    "examples": fc.labelled(c.concept, c.teaching_set),
                    "competitors": [fc.concepts[j] for j in c.competitors],
                }
                for c in self.concepts
            ],
            "seconds": round(self.seconds, 4),
        }


def finite_teaching(fc: FiniteClass, time_limit: float | None = None) -> FiniteTeaching:
    """``TD(c, C)`` of every concept and the recursive teaching plan of ``fc``.

    Exact unless ``time_limit`` (seconds, for the whole computation) is reached: then the
    unfinished figures are ``"unknown"`` with proved bounds. Refuses classes over
    :data:`MAX_CONCEPTS` concepts or :data:`MAX_POINTS` points."""
    deadline = Deadline(time_limit)
    check_size(fc, "td", MAX_CONCEPTS, MAX_POINTS)
    alive = np.ones(fc.size, dtype=bool)
    first: tuple[ConceptTeaching, ...] = ()
    layers: list[Layer] = []
    hardest: tuple[ConceptTeaching, ...] = ()
    done = 0  # max d_t over the finished layers
    seeds: dict[int, tuple[int, ...]] = {}  # competitors found in the previous layer
    while alive.any():
        results = tuple(concept_teaching(fc, int(i), alive, deadline, seeds.get(int(i), ()))
                        for i in np.flatnonzero(alive))
        seeds = {r.concept: r.competitors for r in results}
        if not layers:
            first = results
        if any(r.status != "exact" for r in results):
            lower = max(done, min(r.lower for r in results))
            upper = max(done, max(r.upper for r in results))
            return FiniteTeaching(fc, first, tuple(layers), "unknown", lower, upper, (),
                                  results, deadline.elapsed())
        low = min(r.lower for r in results)
        if not layers or low > done:
            hardest = results
        done = max(done, low)
        removed = tuple(r for r in results if r.lower == low)
        layers.append(Layer(low, removed))
        alive[[r.concept for r in removed]] = False
    return FiniteTeaching(fc, first, tuple(layers), "exact", done, done, hardest, (),
                          deadline.elapsed())
