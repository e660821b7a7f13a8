"""Class-level teaching figures computed once per orbit of the class's symmetry group.

Let ``G`` be a group of maps ``g(x) = P x XOR a`` of ``{0,1}^n`` (``P`` a permutation of the
variables, ``a`` a flip pattern) and let it act on functions by ``(g c)(x) = c(g^{-1} x)``.
If ``g C = C`` for every ``g in G``, then a labelled set ``T`` teaches ``c`` in ``C`` iff
``g T = {(g x, y) : (x, y) in T}`` teaches ``g c`` in ``g C = C``: ``(g h)(g x) = h(x)``, so
``h`` agrees with ``c`` on ``T`` iff ``g h`` agrees with ``g c`` on ``g T``, and ``g`` is a
bijection of ``C``. Hence ``TD(g c, C) = TD(c, C)``: one exact teaching dimension per orbit
gives every concept's, the histogram (each orbit weighted by its size), ``TD(C)`` (the
maximum over orbits), the smallest TD and the mean.

RTD is invariant too. Suppose ``C_t`` (the concepts left in round ``t`` of the recursive
teaching plan) satisfies ``g C_t = C_t`` for all ``g``; it does for ``C_1 = C``. The argument
above with ``C_t`` for ``C`` gives ``TD(g c, C_t) = TD(c, C_t)``, so the set of concepts of
minimum TD in ``C_t`` is a union of orbits, and ``C_{t+1}`` (``C_t`` without them) is again
mapped onto itself by ``G``. So every round is one exact TD per orbit left, against the union
of the orbits left (:class:`OrbitUnion`, the class's own encoding with the orbit invariant
restricted to the keys left). A round needs only its least TD and the orbits attaining it:
an orbit proved to have a larger TD is not removed, whatever its exact TD, so the orbits are
solved in order of their first-round TD and the majority search stops an orbit once it proves
that its TD exceeds the least TD found so far in the round (``at_most`` of
:func:`teaching.majority_td.majority_teaching_dimension`).

The groups, and why each class is closed under them (:func:`symmetry`):

* conjunctions and disjunctions of literals (no contradictory pair; optionally exactly ``k``
  literals; optionally the constant): a permutation renames the variables of the literal set,
  a flip of ``x_i`` negates the sign of its literal; neither creates a contradictory pair or
  changes the number of literals, and the constant is fixed. Group: permutations and flips;
  orbits: the number of literals ``k`` (``C(n, k) 2^k`` concepts each) and the constant.
* monotone conjunctions / disjunctions: a permutation keeps positive literals positive, a flip
  does not (``x_i -> ~x_i``). Group: permutations; orbits: ``k``, ``C(n, k)`` each.
* parities (all of them, or exactly ``k`` variables): a permutation maps ``XOR_S`` to
  ``XOR_{P S}``; a flip ``a`` maps it to ``XOR_S + <a, S>``, the complement when ``|a & S|`` is
  odd, and complements are not in the class. Group: permutations; orbits: ``|S|``.
* majorities ``Majority(S)``: a permutation maps it to ``Majority(P S)``; a flip of an
  ``x_i, i in S`` gives a function with a negated variable, not a majority. Group:
  permutations; orbits: ``|S|``.

Each orbit's representative uses the first variables (``x1 & ... & xk``, ``x1 ^ ... ^ xk``,
``Majority(x1, ..., xk)``); its exact teaching dimension comes from
:func:`teaching.symbolic.symbolic_teaching_dimension` (literal classes and parities: a
fraction of a second per orbit up to n = 16) or
:func:`teaching.majority_td.majority_teaching_dimension` (majorities and their unions: the
symbolic search with the representative's stabiliser breaking the points' symmetry, faster
than the hitting set over listed points at every n measured), with its certificate (the
:class:`teaching.dimension.TeachingResult`). A concept's
teaching set is its representative's, carried by the group element that maps the
representative to it (:meth:`OrbitFigures.teaching_set`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from math import comb
from typing import Any, Literal

import numpy as np

from boolfun.classes import ConjunctionClass, DisjunctionClass, MajorityClass, ParityClass
from boolfun.classes.base import ClassEncoding, FunctionClass
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Majority
from boolfun.normal_forms import Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.sat.circuit import Circuit, Lit
from teaching.dimension import TeachingResult, teaching_dimension
from teaching.examples import Examples
from teaching.majority_td import majority_teaching_dimension
from teaching.solving import check_time_limit
from teaching.symbolic import symbolic_teaching_dimension

Key = int | str
"""An orbit: the number of literals / variables, or ``"constant"``."""

CONSTANT = "constant"

MAJORITY_POINTS_MAX_N = 10
"""Kept for callers: majorities used the hitting set over listed points up to this n; they
now use :func:`teaching.majority_td.majority_teaching_dimension` at every n."""

MAX_N = 16
"""Largest n of :func:`orbit_figures` without a time limit (its rounds grow as ``n^2`` exact
TDs; with a time limit any n of the symbolic search)."""

LIST_MAX = 5000
"""Largest class whose concepts :meth:`OrbitFigures.to_json` lists one by one."""

Status = Literal["exact", "unknown"]


# -- the symmetry of a class ------------------------------------------------------------------


@dataclass(frozen=True)
class Symmetry:
    """The group acting on a class and its orbits (see the module docstring)."""

    cls: FunctionClass
    group: str
    """``"permutations+flips"`` or ``"permutations"``."""
    keys: tuple[Key, ...]

    def size(self, key: Key) -> int:
        """The number of concepts in the orbit ``key``: ``C(n, k) 2^k`` literal sets of ``k``
        literals (``C(n, k)`` without flips), ``C(n, k)`` variable sets, 1 for the constant."""
        if key == CONSTANT:
            return 1
        flips = 2 ** int(key) if self.group == "permutations+flips" else 1
        return comb(self.cls.n, int(key)) * flips

    def representative(self, key: Key) -> BooleanFunction:
        """The orbit's member on the first variables, all positive."""
        n = self.cls.n
        if key == CONSTANT:
            rep = Conjunction if isinstance(self.cls, ConjunctionClass) else Disjunction
            return self.cls.coerce(rep(n, [1, -1]))
        k = int(key)
        if isinstance(self.cls, ConjunctionClass):
            return Conjunction(n, list(range(1, k + 1)))
        if isinstance(self.cls, DisjunctionClass):
            return Disjunction(n, list(range(1, k + 1)))
        if isinstance(self.cls, ParityClass):
            return Parity(n, list(range(1, k + 1)))
        return Majority(n, list(range(1, k + 1)))

    def key(self, f: BooleanFunction) -> Key:
        """The orbit of a member ``f`` (``ValueError`` if ``f`` is not in the class)."""
        g = self.cls.coerce(f)
        if isinstance(g, Conjunction | Disjunction):
            return CONSTANT if g.contradictory else len(g.literals)
        return len(g.variables)  # type: ignore[attr-defined]

    def transport(self, f: BooleanFunction) -> tuple[np.ndarray, np.ndarray]:
        """``(p, a)`` of a group element ``g(x) = P x XOR a`` with ``g rep = f`` (``rep`` the
        representative of ``f``'s orbit): ``y = g(x)`` has ``y[p[i]] = x[i] XOR a[p[i]]``."""
        n = self.cls.n
        g = self.cls.coerce(f)
        a = np.zeros(n, dtype=np.uint8)
        if isinstance(g, Conjunction | Disjunction):
            if g.contradictory:
                return np.arange(n), a
            lits = sorted(g.literals, key=abs)
            used = [abs(v) - 1 for v in lits]
            for v in lits:
                if v < 0:
                    a[-v - 1] = 1
        else:
            used = [v - 1 for v in g.variables]  # type: ignore[attr-defined]
        rest = [i for i in range(n) if i not in set(used)]
        return np.array(used + rest, dtype=np.int64), a

    def carry(self, examples: Examples, f: BooleanFunction) -> Examples:
        """The representative's labelled set ``T`` carried to ``f``: ``g T`` (same labels)."""
        p, a = self.transport(f)
        ys = np.zeros_like(examples.xs)
        ys[:, p] = examples.xs
        return Examples(ys ^ a, examples.ys.copy())


def supports(cls: Any) -> bool:
    """Whether :func:`orbit_figures` handles ``cls``: conjunctions, disjunctions (monotone or
    not, with ``k`` or constants), parities, sparse parities and majorities."""
    return isinstance(cls, ConjunctionClass | DisjunctionClass | ParityClass | MajorityClass)


def symmetry(cls: FunctionClass) -> Symmetry:
    """The group and orbits of a supported class (see the module docstring)."""
    if not supports(cls):
        raise ValueError(
            "cls: the orbit computation needs a conjunction, disjunction, parity, sparse parity "
            f"or majority class, got {getattr(cls, 'short_name', lambda: cls)()}"
        )
    k = getattr(cls, "k", None)
    keys: list[Key] = list(range(cls.n + 1)) if k is None else [k]
    if getattr(cls, "with_constants", False):
        keys.append(CONSTANT)
    literal = isinstance(cls, ConjunctionClass | DisjunctionClass)
    flips = literal and not cls.monotone  # type: ignore[union-attr]
    return Symmetry(cls, "permutations+flips" if flips else "permutations", tuple(keys))


# -- a union of orbits as a class -------------------------------------------------------------


class OrbitUnion(FunctionClass):
    """The members of ``base`` whose orbit is in ``keys``: the classes ``C_t`` of the teaching
    plan. Encoding: ``base``'s, plus "the number of literals (``p`` and ``q``) or variables
    (``s``) is in ``keys``" (reified cardinalities ``[count >= j]``, one clause per value left
    out) and, for a class with the constant, ``const`` only if ``"constant"`` is kept."""

    def __init__(self, base: FunctionClass, keys: Any) -> None:
        self.sym = symmetry(base)
        self.base = base
        self.n = base.n
        for attr in ("monotone", "k", "with_constants"):  # the literal classes' own fields
            if hasattr(base, attr):
                setattr(self, attr, getattr(base, attr))
        keys = tuple(k for k in self.sym.keys if k in set(keys))
        if not keys:
            raise ValueError("keys: must name at least one orbit of the class")
        self.keys = keys

    @property
    def name(self) -> str:
        return self.base.name

    def short_name(self) -> str:
        return f"{self.base.short_name()}[orbits {', '.join(map(str, self.keys))}]"

    def _task(self) -> tuple[str, dict[str, Any]] | None:
        return None

    @property
    def config(self) -> dict[str, Any]:
        return {**self.base.config, "orbits": list(self.keys)}

    def _init_args(self) -> dict[str, Any]:
        return {"base": self.base, "keys": self.keys}

    def size(self) -> int:
        return sum(self.sym.size(k) for k in self.keys)

    def enumerate(self) -> list[BooleanFunction]:
        return [f for f in self.base.enumerate() if self.sym.key(f) in self.keys]

    def _find(self, f: BooleanFunction) -> BooleanFunction | None:
        g = self.base._find(f)
        return g if g is not None and self.sym.key(g) in self.keys else None

    def sample_uniform(self, rng: np.random.Generator) -> BooleanFunction:
        """A uniform member of ``base`` redrawn until it is in the union (at most 1000 draws,
        then the representative of the first orbit)."""
        for _ in range(1000):
            f = self.base.sample_uniform(rng)
            if self.sym.key(f) in self.keys:
                return f
        return self.sym.representative(self.keys[0])

    def _parameters(self, circuit: Circuit) -> dict[str, Any]:
        params = self.base._parameters(circuit)
        const = params.get("const")
        counted = [*params.get("p", []), *params.get("q", []), *params.get("s", [])]
        if const is not None and CONSTANT not in self.keys:
            circuit.clauses.append([-const])
        numbers = {int(k) for k in self.keys if k != CONSTANT}
        if not numbers:  # only the constant is left
            circuit.clauses.append([const])
            return params
        unless = [] if const is None else [const]
        for j in range(len(counted) + 1):
            if j in numbers:
                continue
            at_j = circuit.at_least(counted, j)
            above = circuit.at_least(counted, j + 1)
            circuit.add([*unless, circuit.neg(at_j), above])  # count != j
        return params

    def _output(self, enc: ClassEncoding, x: list[Lit]) -> Lit:
        return self.base._output(enc, x)

    def _implied(self, enc: ClassEncoding, x: list[bool], y: bool) -> Lit | None:
        return self.base._implied(enc, x, y)

    def _decode(self, enc: ClassEncoding, true: set[int]) -> BooleanFunction:
        return self.base._decode(enc, true)


class ConjunctionUnion(OrbitUnion, ConjunctionClass):
    """A union of orbits of conjunctions that is a :class:`ConjunctionClass` to the solvers,
    so that the symbolic search seeds it with the target's neighbours (kept only when in the
    union) and the paper's construction (it teaches in the whole class, hence in any
    subclass; the oracle re-checks it against the union's encoding). No solver path of
    :mod:`teaching` answers for a conjunction class without its encoding otherwise."""


class DisjunctionUnion(OrbitUnion, DisjunctionClass):
    """The dual of :class:`ConjunctionUnion`."""


def orbit_union(base: FunctionClass, keys: Any) -> OrbitUnion:
    """The union of the orbits ``keys`` of ``base`` (:class:`OrbitUnion`; a
    :class:`ConjunctionUnion` / :class:`DisjunctionUnion` for the literal classes). Parity
    and majority unions are plain :class:`OrbitUnion`: the GF(2) and integer-programming
    shortcuts of :mod:`teaching` hold only for the whole classes."""
    if isinstance(base, ConjunctionClass):
        return ConjunctionUnion(base, keys)
    if isinstance(base, DisjunctionClass):
        return DisjunctionUnion(base, keys)
    return OrbitUnion(base, keys)


# -- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Orbit:
    """One orbit: its key, size, representative and ``TD(representative, C)`` with its
    certificate (``result``)."""

    key: Key
    size: int
    representative: BooleanFunction
    result: TeachingResult

    @property
    def td(self) -> int | None:
        """The teaching dimension of every member (``None`` when unknown)."""
        return self.result.td

    def describe(self, cls: FunctionClass) -> str:
        """``"3 literals"``, ``"|S| = 3"`` or ``"constant"``."""
        if self.key == CONSTANT:
            return CONSTANT
        if isinstance(cls, ConjunctionClass | DisjunctionClass):
            return f"{self.key} literal" + ("" if self.key == 1 else "s")
        return f"|S| = {self.key}"


@dataclass(frozen=True)
class OrbitLayer:
    """One round of the teaching plan: its ``TD`` and the orbits it removes."""

    td: int
    keys: tuple[Key, ...]


@dataclass(frozen=True)
class OrbitFigures:
    """TD of every concept (per orbit), ``TD(C)``, the histogram and RTD of a symmetric
    class (see the module docstring). ``layers`` is the teaching plan, complete iff
    ``rtd_status == "exact"``; ``rtd_lower`` / ``rtd_upper`` are the proved bounds."""

    cls: FunctionClass
    symmetry: Symmetry
    orbits: tuple[Orbit, ...]
    layers: tuple[OrbitLayer, ...]
    rtd_status: Status
    rtd_lower: int
    rtd_upper: int | None
    seconds: float = 0.0

    @property
    def group(self) -> str:
        """The group's name."""
        return self.symmetry.group

    @property
    def orbit_count(self) -> int:
        """The number of orbits."""
        return len(self.orbits)

    @property
    def size(self) -> int:
        """``|C|``: the orbit sizes summed."""
        return sum(o.size for o in self.orbits)

    @property
    def td_status(self) -> Status:
        """``"exact"`` when every orbit's TD is."""
        return "exact" if all(o.td is not None for o in self.orbits) else "unknown"

    @property
    def histogram(self) -> dict[int, int] | None:
        """``{TD: number of concepts}`` (``None`` when unknown)."""
        if self.td_status != "exact":
            return None
        out: dict[int, int] = {}
        for o in self.orbits:
            out[o.td] = out.get(o.td, 0) + o.size  # type: ignore[index]
        return dict(sorted(out.items()))

    @property
    def td_max(self) -> int | None:
        """``TD(C)``."""
        return None if self.histogram is None else max(self.histogram)

    @property
    def td_min(self) -> int | None:
        """The smallest ``TD(c, C)``."""
        return None if self.histogram is None else min(self.histogram)

    @property
    def td_mean(self) -> float | None:
        """The mean ``TD(c, C)`` over the concepts (orbits weighted by their sizes)."""
        hist = self.histogram
        if hist is None:
            return None
        return sum(t * m for t, m in hist.items()) / self.size

    @property
    def rtd(self) -> int | None:
        """``RTD(C)`` (``None`` when unknown)."""
        return self.rtd_lower if self.rtd_status == "exact" else None

    def orbit_of(self, f: BooleanFunction) -> Orbit:
        """The orbit of a member ``f``."""
        key = self.symmetry.key(f)
        return next(o for o in self.orbits if o.key == key)

    def td_of(self, f: BooleanFunction) -> int | None:
        """``TD(f, C)``: its orbit's."""
        return self.orbit_of(f).td

    def teaching_set(self, f: BooleanFunction) -> Examples | None:
        """A minimum teaching set of ``f``: its orbit representative's, carried to ``f`` by
        the group (``None`` when unknown)."""
        o = self.orbit_of(f)
        ex = o.result.examples
        return None if ex is None or o.td is None else self.symmetry.carry(ex, f)

    def concepts(self) -> list[tuple[BooleanFunction, int | None]]:
        """Every concept with its TD, in the class's enumeration order (small classes)."""
        return [(f, self.td_of(f)) for f in self.cls.enumerate()]

    def to_json(self, list_concepts: bool | None = None) -> dict[str, Any]:
        """The ``boolicl td --json`` document; ``concepts`` (each with its carried teaching
        set) is there when ``list_concepts``, by default when ``size <= LIST_MAX``."""
        cls = self.cls
        hist = self.histogram
        mean = self.td_mean
        doc: dict[str, Any] = {
            "class": cls.short_name(),
            "n": cls.n,
            "size": self.size,
            "method": "orbits",
            "group": self.group,
            "orbit_count": self.orbit_count,
            "td_status": self.td_status,
            "td_max": self.td_max,
            "td_min": self.td_min,
            "td_mean": None if mean is None else round(mean, 4),
            "histogram": None if hist is None else {str(k): v for k, v in hist.items()},
            "rtd_status": self.rtd_status,
            "rtd": self.rtd,
            "rtd_bounds": [self.rtd_lower, self.rtd_upper],
            "plan": [
                {"layer": t + 1, "td": layer.td, "orbits": list(layer.keys)}
                for t, layer in enumerate(self.layers)
            ],
            "orbits": [
                {
                    "orbit": o.key,
                    "description": o.describe(cls),
                    "size": o.size,
                    "representative": str(o.representative),
                    "td": o.td,
                    "td_bounds": [o.result.lower_bound, o.result.upper_bound],
                    "method": o.result.method,
                    "proof": o.result.proof,
                    "examples": None if o.result.examples is None else o.result.examples.to_json(),
                    "competitors": [str(h) for h in o.result.competitors],
                }
                for o in self.orbits
            ],
            "seconds": round(self.seconds, 4),
        }
        if list_concepts is None:
            list_concepts = self.size <= LIST_MAX
        if list_concepts:
            rows = []
            for f in cls.enumerate():
                ex = self.teaching_set(f)
                rows.append({"function": str(f), "td": self.td_of(f), "orbit": self.symmetry.key(f),
                             "examples": None if ex is None else ex.to_json()})
            doc["concepts"] = rows
        return doc


def majority_orbit_td(f: BooleanFunction, cls: FunctionClass, time_limit: float | None = None,
                      at_most: int | None = None) -> TeachingResult:
    """``TD(Majority(x1..xk), C)`` for the class of all majorities: first through the
    restriction to ``x1..xk`` (:mod:`teaching.restriction`: ``TD`` at ``k`` variables is a
    lower bound at ``n``, and the restricted teaching set lifted to ``n`` and verified is an
    upper bound; when they meet, as measured for every ``k`` tried, that is ``TD``), else the
    symmetric search at ``n`` (:func:`majority_teaching_dimension`) with the time left."""
    from teaching.restriction import restricted_bounds

    start = time.perf_counter()
    if at_most is None and type(cls) is MajorityClass:
        rb = restricted_bounds(f, cls, time_limit=time_limit, extras=(0,))
        if rb is not None and rb.examples is not None and len(rb.examples) == rb.lower:
            return TeachingResult(
                cls.coerce(f), cls, "exact", rb.lower, rb.examples, rb.competitors,
                rb.result.iterations, time.perf_counter() - start, method="symbolic",
                upper_bound=rb.lower, proof=rb.result.proof,
                upper_from=f"restriction to {len(rb.restriction.variables)} variables",
            )
    left = None if time_limit is None else max(1e-3, time_limit - (time.perf_counter() - start))
    return majority_teaching_dimension(f, cls, time_limit=left, at_most=at_most)


def _solver(cls: FunctionClass) -> Callable[..., TeachingResult]:
    """The exact TD of the module docstring for ``cls`` (or a union of its orbits)."""
    base = cls.base if isinstance(cls, OrbitUnion) else cls
    if isinstance(base, MajorityClass):  # the symmetric search, faster at every n
        return majority_orbit_td if base is cls else majority_teaching_dimension
    if isinstance(cls, OrbitUnion) and not isinstance(cls, ConjunctionClass | DisjunctionClass):
        return teaching_dimension  # points up to n = 12, the symbolic search above
    return symbolic_teaching_dimension


def orbit_figures(cls: FunctionClass, time_limit: float | None = None,
                  rtd: bool = True) -> OrbitFigures:
    """TD of every orbit, ``TD(C)``, the histogram and (with ``rtd``) the recursive teaching
    plan of a supported class (:func:`supports`), one exact TD per orbit and round.

    ``time_limit`` (seconds, for the whole computation): past it the unfinished figures are
    ``"unknown"`` with the bounds proved (each solver call gets the time left, and may
    overrun by one uninterruptible master call; an orbit reached after the limit gets the
    trivial bound 0). With ``rtd=False`` the plan is skipped (``rtd_status`` "unknown").

    Cost: one TD per orbit (``n + 1`` of them), then up to ``n + 1 - t`` TDs in round ``t``
    of the plan (against the union of the orbits left): ``O(n^2)`` exact TDs in all, none of
    them listing the class. Without ``time_limit`` it needs ``n <= MAX_N``."""
    sym = symmetry(cls)
    limit = check_time_limit(time_limit)
    if limit is None and cls.n > MAX_N:
        raise ValueError(
            f"n: the orbit computation without a time_limit needs n <= {MAX_N} (its rounds "
            f"grow as n^2 exact TDs), got n={cls.n}"
        )
    start = time.perf_counter()

    def solve(key: Key, among: FunctionClass, cap: int | None = None) -> TeachingResult:
        """``TD(rep, among)``; past the limit "unknown" at once (lower bound 0). With ``cap``
        the majority search may stop at ``TD > cap`` ("unknown", lower bound ``cap + 1``)."""
        rep = sym.representative(key)
        solver = _solver(among)
        extra: dict[str, Any] = {}
        if cap is not None and solver in (majority_teaching_dimension, majority_orbit_td):
            extra["at_most"] = cap
        if limit is None:
            return solver(rep, among, **extra)
        left = limit - (time.perf_counter() - start)
        if left <= 0:
            return TeachingResult(among.coerce(rep), among, "unknown", 0)
        return solver(rep, among, time_limit=max(1e-3, left), **extra)

    orbits = tuple(Orbit(k, sym.size(k), sym.representative(k), solve(k, cls))
                   for k in sym.keys)
    layers: list[OrbitLayer] = []
    first = {o.key: o.result for o in orbits}
    alive = list(sym.keys)
    done = 0
    status: Status = "exact"
    upper: int | None = None
    while rtd and alive:
        if not layers:
            local = first
        else:
            sub = orbit_union(cls, alive)
            local, cap = {}, None  # cap: the least TD of the round so far
            for k in sorted(alive, key=lambda q: first[q].lower_bound):
                local[k] = solve(k, sub, cap)
                if local[k].td is not None and (cap is None or local[k].td < cap):
                    cap = local[k].td
        tds = [r.td for r in local.values() if r.td is not None]
        least = min(tds) if tds else None
        # an orbit proved above the round's least TD (lower bound > least) is not removed
        if least is None or any(r.td is None and r.lower_bound <= least
                                for r in local.values()):
            status = "unknown"
            ups = [r.upper_bound for r in local.values()]
            upper = None if None in ups else max(done, *ups)  # type: ignore[type-var]
            done = max(done, min(r.lower_bound for r in local.values()))
            break
        low = least
        done = max(done, low)
        removed = tuple(k for k in alive if local[k].td == low)
        layers.append(OrbitLayer(low, removed))
        alive = [k for k in alive if k not in removed]
    if not rtd:
        status, upper = "unknown", None
    elif status == "exact":
        upper = done
    return OrbitFigures(cls, sym, orbits, tuple(layers), status, done, upper,
                        time.perf_counter() - start)
