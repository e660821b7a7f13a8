"""Class-level teaching figures for classes small enough to list.

* ``TD(C) = max_f TD(f, C)``, the histogram of ``TD(f, C)`` and its average;
* the recursive teaching dimension (Zilles, Lange, Holte & Zinkevich 2011): peel off the
  concepts that are easiest to teach in what remains, ``C_1 = C``,
  ``C_{t+1} = C_t \\ {f : TD(f, C_t) = min_g TD(g, C_t)}``; ``RTD(C) = max_t min_g TD(g, C_t)``.
  The teaching plan is returned as a networkx DAG whose nodes are the concepts (attributes
  ``layer`` and ``td``: the layer that removes it and its teaching dimension there) and whose
  edges go from every concept of a layer to every concept of the next.

Everything works on truth tables; teaching dimensions inside a layer are minimum hitting sets
of difference sets (pysat ``Hitman``). Concepts in one orbit of the class's symmetry group
(variable permutations, and input flips when the class is closed under them) share their
teaching dimension in every layer, so one representative per orbit is solved.

This lists every concept and point (``n <= MAX_N``). For the symmetric classes
(conjunctions, disjunctions, parities, sparse parities, majorities) :func:`figures` uses
:mod:`teaching.orbit_figures` instead: one exact TD per orbit, counted by combinatorics, so
that ``n = 10-16`` finishes; ``method="enumeration"`` forces the listing (to cross-check).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import permutations
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx
import numpy as np

from boolfun.bits import all_inputs, input_index
from boolfun.classes import FunctionClass
from boolfun.function import BooleanFunction
from teaching.examples import Examples
from teaching.finite_class import truth_tables
from teaching.hitting import minimum_hitting_set

if TYPE_CHECKING:
    from teaching.orbit_figures import OrbitFigures

MAX_CONCEPTS = 5000
MAX_N = 6


@dataclass
class ClassFigures:
    """Teaching figures of a whole class (see the module docstring)."""

    cls: FunctionClass
    concepts: list[BooleanFunction]
    td: list[int]
    examples: list[Examples]
    rtd: int
    plan: nx.DiGraph = field(repr=False)
    group: str = "identity"
    """The symmetry group found by :func:`orbits`."""
    orbit_count: int = 0
    """The number of orbits of the class under ``group``."""

    @property
    def td_max(self) -> int:
        """``TD(C)``."""
        return max(self.td, default=0)

    @property
    def td_mean(self) -> float:
        """Average ``TD(f, C)`` over the class."""
        return float(np.mean(self.td)) if self.td else 0.0

    @property
    def histogram(self) -> dict[int, int]:
        """``{TD: number of concepts}``."""
        return dict(sorted(Counter(self.td).items()))

    def to_json(self) -> dict[str, Any]:
        """The ``boolicl td --json`` document."""
        return {
            "class": self.cls.short_name(),
            "n": self.cls.n,
            "size": len(self.concepts),
            "method": "enumeration",
            "group": self.group,
            "orbit_count": self.orbit_count,
            "td_max": self.td_max,
            "td_mean": round(self.td_mean, 4),
            "histogram": {str(k): v for k, v in self.histogram.items()},
            "rtd": self.rtd,
            "concepts": [
                {"function": str(f), "td": t, "examples": e.to_json()}
                for f, t, e in zip(self.concepts, self.td, self.examples, strict=True)
            ],
        }


def _transforms(n: int, flips: bool) -> np.ndarray:
    """Index maps ``r -> r'`` of the group acting on the 2^n inputs: every variable
    permutation, times every flip pattern when ``flips``."""
    pts = all_inputs(n)
    maps = []
    masks = all_inputs(n) if flips else np.zeros((1, n), dtype=np.uint8)
    for perm in permutations(range(n)):
        permuted = pts[:, list(perm)]
        for m in masks:
            maps.append(input_index(permuted ^ m))
    return np.array(maps)


def _closed(tables: np.ndarray, maps: np.ndarray) -> bool:
    keys = {t.tobytes() for t in tables}
    return all(t[m].tobytes() in keys for m in maps for t in tables)


def orbits(tables: np.ndarray, n: int) -> tuple[np.ndarray, str]:
    """Orbit label of each truth table under the largest of {permutations + flips,
    permutations, identity} that maps the class to itself; and that group's name."""
    for flips, name in ((True, "permutations+flips"), (False, "permutations")):
        if n > MAX_N:
            break
        maps = _transforms(n, flips)
        if _closed(tables, maps):
            canon = [min(t[m].tobytes() for m in maps) for t in tables]
            _, labels = np.unique(np.array(canon, dtype=object), return_inverse=True)
            return labels, name
    return np.arange(len(tables)), "identity"


def class_figures(cls: FunctionClass) -> ClassFigures:
    """TD of every concept, ``TD(C)``, histogram, RTD and the teaching plan."""
    if cls.n > MAX_N:
        raise ValueError(f"class figures need n <= {MAX_N}, got n={cls.n}")
    concepts, pts, tables = truth_tables(cls, MAX_CONCEPTS, "class figures list the class:")
    labels, group = orbits(tables, cls.n)

    def solve(i: int, alive: np.ndarray) -> list[int]:
        others = [j for j in np.flatnonzero(alive) if j != i]
        return minimum_hitting_set(np.flatnonzero(tables[j] != tables[i]).tolist() for j in others)

    full = np.ones(len(concepts), dtype=bool)
    td: list[int] = []
    examples: list[Examples] = []
    for i in range(len(concepts)):  # every concept: its own minimum teaching set
        hs = solve(i, full)
        td.append(len(hs))
        examples.append(Examples(pts[hs].reshape(-1, cls.n), tables[i, hs]))

    plan = nx.DiGraph()
    alive = full.copy()
    rtd = 0
    layer = 0
    previous: list[int] = []
    while alive.any():
        local: dict[int, int] = {}
        for lab in np.unique(labels[alive]):
            rep = int(np.flatnonzero((labels == lab) & alive)[0])
            local[int(lab)] = len(solve(rep, alive))
        low = min(local.values())
        rtd = max(rtd, low)
        removed = [i for i in np.flatnonzero(alive) if local[int(labels[i])] == low]
        for i in removed:
            plan.add_node(str(concepts[i]), layer=layer, td=low)
            for p in previous:
                plan.add_edge(str(concepts[p]), str(concepts[i]))
        alive[removed] = False
        previous = removed
        layer += 1
    return ClassFigures(cls, concepts, td, examples, rtd, plan, group, int(labels.max()) + 1)


METHODS = ("auto", "orbits", "enumeration")
"""The ways :func:`figures` computes the class figures."""


def figures(
    cls: FunctionClass,
    method: Literal["auto", "orbits", "enumeration"] = "auto",
    time_limit: float | None = None,
) -> ClassFigures | OrbitFigures:
    """The class figures of ``cls``: per orbit (:func:`teaching.orbit_figures.orbit_figures`,
    ``method="orbits"``), by listing the class (:func:`class_figures`,
    ``"enumeration"``), or ``"auto"``: per orbit when the class is supported
    (:func:`teaching.orbit_figures.supports`), else by listing. ``time_limit`` (seconds)
    applies to the orbit computation only; the listing has none."""
    from teaching.orbit_figures import orbit_figures, supports

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if method == "orbits" or (method == "auto" and supports(cls)):
        return orbit_figures(cls, time_limit=time_limit)
    if time_limit is not None:
        raise ValueError("time_limit: the listing of the class (method 'enumeration') has none")
    return class_figures(cls)
