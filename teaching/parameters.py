"""Further teaching parameters of a finite class: PBTD, NCTD and STD (and the VC dimension).

Notation as in :mod:`teaching.finite_teaching`: ``C`` is a finite class over ``X``,
``|X| = m``; a *sample* of ``c`` is a set of points labelled by ``c``; ``c`` is *consistent*
with a sample when it gives every point of it that label.

**Preference-based teaching dimension** (Gao, Ries, Simon & Zilles, JMLR 18, 2017). A
preference relation is a strict partial order ``≺`` on ``C`` (``c' ≺ c``: the learner prefers
``c`` to ``c'``). A sample ``T`` of ``c`` teaches ``c`` w.r.t. ``(C, ≺)`` when every
``c' != c`` consistent with ``T`` has ``c' ≺ c``; ``PBTD(c, C, ≺) = TD(c, C \\ {c' : c' ≺ c})``,
``PBTD(C, ≺) = max_c PBTD(c, C, ≺)`` and ``PBTD(C) = min_≺ PBTD(C, ≺)``. Extending ``≺`` to a
linear order only removes competitors, so ``PBTD(C)`` is the least, over orders
``c_1 ≻ c_2 ≻ ... ≻ c_N``, of ``max_i TD(c_i, {c_1, ..., c_i})``; by the two facts of
:mod:`teaching.finite_teaching` that is ``RTD(C)`` (Gao et al. 2017: PBTD and RTD coincide on
finite classes). :func:`preference_teaching` turns the teaching plan into the witness: the
order (the last layer most preferred) with each concept's set, and for the lower bound the
plan's hardest subclass (every concept of it needs ``PBTD`` points against it).

**No-clash teaching dimension** (Kirkpatrick, Simon & Zilles, ALT 2019; Fallat, Kirkpatrick,
Simon, Soltani & Zilles, JMLR 24, 2023). A teacher ``T`` maps each ``c in C`` to a set
``T(c) ⊆ X`` (shown labelled by ``c``). ``T`` is *no-clash* when no two distinct ``c, c'``
are each consistent with the other's sample, i.e. ``c`` and ``c'`` differ on a point of
``T(c) ∪ T(c')``. ``NCTD(C) = min over no-clash T of max_c |T(c)|``. A no-clash ``T`` is
injective on labelled samples, so ``|C| <= sum_{i <= k} binom(m, i) 2^i`` (the counting
bound); a preference-based teacher is no-clash (a clash would need ``c' ≺ c`` and ``c ≺ c'``),
so ``NCTD(C) <= PBTD(C) = RTD(C)``. :func:`no_clash_teaching` is exact by SAT: variables
``t[c, x]`` ("``x in T(c)``"), the clause ``OR_{x in D(c, c')} (t[c, x] | t[c', x])`` for each
pair, at most ``k`` true per concept (sequential counter); ``k`` runs up from the counting
bound; the first satisfiable ``k`` is ``NCTD`` and the unsatisfiable ones below it are the
lower-bound proof (the certificate checker re-solves them with another solver).

**Subset teaching dimension** (Zilles, Lange, Holte & Zinkevich, COLT 2008 and JMLR 12,
2011). Samples are sets of (point, label) pairs, ``S ⊆ S'`` as such sets.
``STS^0(c)`` is the set of all minimum teaching sets of ``c`` (labelled by ``c``); for
``k >= 0``, ``cons_k(S) = {c' in C : S ⊆ S' for some S' in STS^k(c')}`` and ``STS^{k+1}(c)``
is the set of the smallest samples ``S`` with ``cons_k(S) = {c}``; ``STD^k(c)`` is the size
of the samples of ``STS^k(c)``. Every ``S' in STS^k(c)`` has ``cons_k(S') = {c}`` (by induction
on ``k``), so ``STD^{k+1}(c) <= STD^k(c)``: the sizes decrease to a limit ``STD(c)``, reached
once the families repeat (a fixed point, or a cycle on which the sizes are constant), and
``STD(C) = max_c STD(c)``. For ``|C| >= 2`` the empty sample is consistent with every family,
so ``STD(c) >= 1``. :func:`subset_teaching` iterates the definition (the witness is the list
of families ``STS^0, STS^1, ...``).

**VC dimension** (:func:`vc_dimension`): the largest ``|S|``, ``S ⊆ X``, on which the class
realises all ``2^|S|`` labellings, by trying subsets of size ``1, 2, ...`` (``<= log2 |C|``).

Each computation states its size limit and raises ``ValueError`` naming the parameter above
it; with a time limit reached the answer is ``"unknown"`` with the bounds proved.

>>> from teaching.finite_class import FiniteClass
>>> from teaching.finite_teaching import finite_teaching
>>> ft = finite_teaching(FiniteClass.from_matrix(["100", "010", "001", "000"]))
>>> {name: r.value for name, r in class_parameters(ft).items()}
{'pbtd': 1, 'nctd': 1, 'std': 1, 'vcd': 1}
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Any

import numpy as np
from pysat.card import CardEnc, EncType

from teaching.finite_class import FiniteClass
from teaching.finite_teaching import Deadline, FiniteTeaching, Status, check_size
from teaching.solving import new_solver, solve

PARAMETERS = ("pbtd", "nctd", "std", "vcd")
"""The parameters :func:`class_parameters` computes besides TD and RTD."""

NCTD_MAX_CONCEPTS = 256
NCTD_MAX_POINTS = 64
STD_MAX_CONCEPTS = 256
STD_MAX_POINTS = 16
STD_MAX_SETS = 50_000
"""Most samples in all the families ``STS^k(c)`` of one round together."""
STD_MAX_ROUNDS = 100
VCD_MAX_SUBSETS = 2_000_000
"""Most point subsets the VC-dimension brute force may try."""


def _bounds(status: Status, lower: int, upper: int) -> dict[str, Any]:
    return {"status": status, "value": lower if status == "exact" else None,
            "bounds": [lower, upper]}


# -- preference-based teaching ----------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceTeaching:
    """``PBTD(C)`` with its witness: ``order`` (concept indices, most preferred first) and
    ``teaching_sets[c]`` (point indices) teaching ``c`` w.r.t. that order; ``hardest`` is a
    subclass whose every concept needs ``lower`` points against it (when exact)."""

    status: Status
    lower: int
    upper: int
    order: tuple[int, ...]
    teaching_sets: tuple[tuple[int, ...], ...]
    hardest: tuple[int, ...]

    @property
    def value(self) -> int | None:
        """``PBTD(C)`` (``None`` when unknown)."""
        return self.lower if self.status == "exact" else None

    def to_json(self, fc: FiniteClass) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            **_bounds(self.status, self.lower, self.upper),
            "order": [fc.concepts[c] for c in self.order],
            "teaching_sets": {
                fc.concepts[c]: fc.labelled(c, self.teaching_sets[c]) for c in self.order
            },
        }


def preference_teaching(ft: FiniteTeaching) -> PreferenceTeaching:
    """``PBTD(C)`` from the teaching plan of :func:`teaching.finite_teaching.finite_teaching`
    (see the module docstring: on a finite class ``PBTD = RTD``); an unfinished plan gives
    the bounds, with the unfinished layer's concepts most preferred."""
    sets: list[tuple[int, ...]] = [()] * ft.fc.size
    order: list[int] = []
    for c in ft.remaining:
        order.append(c.concept)
        sets[c.concept] = c.teaching_set
    for layer in reversed(ft.layers):
        for c in layer.concepts:
            order.append(c.concept)
            sets[c.concept] = c.teaching_set
    upper = max((len(s) for s in sets), default=0)
    return PreferenceTeaching(
        ft.rtd_status, ft.rtd_lower, upper, tuple(order), tuple(sets),
        tuple(ft.hardest_subclass()),
    )


def preference_violation(
    fc: FiniteClass, order: list[int] | tuple[int, ...], sets: Any
) -> tuple[int, int] | None:
    """The first pair ``(c, c')`` for which ``sets[c]`` does not teach ``c`` w.r.t. the
    linear preference ``order`` (most preferred first): ``c' != c`` consistent with it and
    not less preferred; ``None`` when every set teaches. ``order`` must list every concept
    once (``ValueError`` otherwise)."""
    if sorted(order) != list(range(fc.size)):
        raise ValueError("order must list every concept exactly once")
    rank = np.empty(fc.size, dtype=int)
    rank[list(order)] = np.arange(fc.size)
    for c in order:
        pts = list(sets[c])
        agree = (fc.matrix[:, pts] == fc.matrix[c, pts]).all(axis=1)
        agree[c] = False
        bad = np.flatnonzero(agree & (rank <= rank[c]))
        if bad.size:
            return int(c), int(bad[0])
    return None


# -- no-clash teaching ------------------------------------------------------------------------


@dataclass(frozen=True)
class NoClashTeaching:
    """``NCTD(C)`` with its witness: the no-clash ``teacher`` (per concept, point indices, of
    size at most ``upper``) and the kind of lower-bound ``proof``: ``"counting"`` (the counting
    bound equals ``lower``) or ``"sat"`` (the encoding with ``k = lower - 1`` is
    unsatisfiable)."""

    status: Status
    lower: int
    upper: int
    teacher: tuple[tuple[int, ...], ...]
    proof: str
    sat_calls: int = 0

    @property
    def value(self) -> int | None:
        """``NCTD(C)`` (``None`` when unknown)."""
        return self.lower if self.status == "exact" else None

    def to_json(self, fc: FiniteClass) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            **_bounds(self.status, self.lower, self.upper),
            "proof": self.proof,
            "sat_calls": self.sat_calls,
            "teacher": {
                fc.concepts[c]: fc.labelled(c, pts) for c, pts in enumerate(self.teacher)
            },
        }


def counting_bound(n_concepts: int, n_points: int) -> int:
    """The least ``k`` with ``n_concepts <= sum_{i <= k} binom(n_points, i) 2^i``: a lower
    bound of ``NCTD`` (a no-clash teacher is injective on labelled samples)."""
    total = 0
    for k in range(n_points + 1):
        total += comb(n_points, k) * 2**k
        if n_concepts <= total:
            return k
    raise ValueError(f"n_concepts must be at most 3^n_points, got {n_concepts}")


def clash(fc: FiniteClass, teacher: Any) -> tuple[int, int] | None:
    """The first clashing pair ``(c, c')`` of ``teacher`` (each consistent with the other's
    sample), or ``None`` when ``teacher`` is no-clash."""
    sets = [np.zeros(fc.n_points, dtype=bool) for _ in range(fc.size)]
    for c, pts in enumerate(teacher):
        sets[c][list(pts)] = True
    for c in range(fc.size):
        for d in range(c + 1, fc.size):
            shown = sets[c] | sets[d]
            if not (fc.matrix[c, shown] != fc.matrix[d, shown]).any():
                return c, d
    return None


def no_clash_clauses(fc: FiniteClass, k: int) -> list[list[int]]:
    """CNF: a no-clash teacher with every ``|T(c)| <= k`` exists iff it is satisfiable.
    Variable ``c * m + x + 1`` is "``x in T(c)``" (``m`` the domain size)."""
    m = fc.n_points

    def var(c: int, x: int) -> int:
        return c * m + x + 1

    clauses = []
    for c in range(fc.size):
        for d in range(c + 1, fc.size):
            diff = np.flatnonzero(fc.matrix[c] != fc.matrix[d]).tolist()
            clauses.append([var(c, x) for x in diff] + [var(d, x) for x in diff])
    top = fc.size * m
    if k < m:
        for c in range(fc.size):
            lits = [var(c, x) for x in range(m)]
            if k == 0:
                clauses.extend([-v] for v in lits)
                continue
            card = CardEnc.atmost(lits=lits, bound=k, top_id=top, encoding=EncType.seqcounter)
            clauses.extend(card.clauses)
            top = max(top, card.nv)
    return clauses


def no_clash_teaching(
    fc: FiniteClass, time_limit: float | None = None, teacher: Any = None
) -> NoClashTeaching:
    """``NCTD(C)``, exact by SAT (see the module docstring), for at most
    :data:`NCTD_MAX_CONCEPTS` concepts over :data:`NCTD_MAX_POINTS` points.

    ``teacher`` (per concept, point indices) is a known no-clash teacher, the starting upper
    bound (e.g. the preference-based one); by default every concept shows every point.
    ``time_limit`` (seconds) bounds the SAT calls: reached, the answer is ``"unknown"`` with
    the bounds proved."""
    deadline = Deadline(time_limit)
    check_size(fc, "nctd", NCTD_MAX_CONCEPTS, NCTD_MAX_POINTS)
    if teacher is None:
        teacher = [tuple(range(fc.n_points))] * fc.size
    teacher = tuple(tuple(sorted(int(x) for x in pts)) for pts in teacher)
    if len(teacher) != fc.size or clash(fc, teacher) is not None:
        raise ValueError("teacher must give every concept a set, with no clash")
    upper = max((len(t) for t in teacher), default=0)
    lower = counting_bound(fc.size, fc.n_points)
    proof = "counting"
    calls = 0
    k = lower
    while k < upper:
        left = deadline.left()
        if left is not None and left <= 0:
            return NoClashTeaching("unknown", lower, upper, teacher, proof, calls)
        solver = new_solver(no_clash_clauses(fc, k))
        try:
            calls += 1
            sat = solve(solver, [], left)
            model = solver.get_model() if sat else None
        finally:
            solver.delete()
        if sat is None:
            return NoClashTeaching("unknown", lower, upper, teacher, proof, calls)
        if sat:
            chosen = {v for v in model if 0 < v <= fc.size * fc.n_points}
            teacher = tuple(
                tuple(x for x in range(fc.n_points) if c * fc.n_points + x + 1 in chosen)
                for c in range(fc.size)
            )
            return NoClashTeaching("exact", k, k, teacher, proof, calls)
        k += 1
        lower, proof = k, "sat"
    return NoClashTeaching("exact", upper, upper, teacher, proof, calls)


# -- subset teaching --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubsetTeaching:
    """``STD(C)`` with its witness: ``rounds[k][c]`` is ``STS^k(c)`` as point bit masks
    (bit ``j`` = point ``j``, labelled by ``c``). ``fixed_point``: the last round maps to
    itself (otherwise the families cycle, at constant sizes). ``"unknown"`` (time limit or
    :data:`STD_MAX_ROUNDS` reached): ``bounds`` from the sizes of the last round."""

    status: Status
    rounds: tuple[tuple[tuple[int, ...], ...], ...]
    fixed_point: bool

    @property
    def sizes(self) -> tuple[int, ...]:
        """``STD(c)`` for every concept (an upper bound when unknown)."""
        return tuple(int(sets[0]).bit_count() for sets in self.rounds[-1])

    @property
    def upper(self) -> int:
        """``STD(C) <= upper``."""
        return max(self.sizes, default=0)

    @property
    def lower(self) -> int:
        """``STD(C) >= lower``."""
        if self.status == "exact":
            return self.upper
        return min(1, self.upper)

    @property
    def value(self) -> int | None:
        """``STD(C)`` (``None`` when unknown)."""
        return self.upper if self.status == "exact" else None

    def to_json(self, fc: FiniteClass) -> dict[str, Any]:
        """A JSON-ready summary: per concept ``STD(c)`` and its subset teaching sets."""
        return {
            **_bounds(self.status, self.lower, self.upper),
            "rounds": len(self.rounds),
            "fixed_point": self.fixed_point,
            "concepts": {
                fc.concepts[c]: {
                    "std": size,
                    "sets": [fc.labelled(c, _points(mask)) for mask in self.rounds[-1][c]],
                }
                for c, size in enumerate(self.sizes)
            },
        }


def _points(mask: int) -> list[int]:
    return [j for j in range(mask.bit_length()) if mask >> j & 1]


def _agreement(fc: FiniteClass) -> np.ndarray:
    """``A[c, d]``: the bit mask of the points where concepts ``c`` and ``d`` agree."""
    weights = (1 << np.arange(fc.n_points, dtype=np.int64)).astype(np.int64)
    eq = fc.matrix[:, None, :] == fc.matrix[None, :, :]
    return (eq * weights).sum(axis=2).astype(np.int64)


def minimum_teaching_sets(
    fc: FiniteClass, c: int, agree: np.ndarray | None = None
) -> tuple[int, ...]:
    """Every minimum teaching set of concept ``c`` (``STS^0(c)``) as point bit masks, by
    trying the subsets of size ``0, 1, ...`` (at most :data:`STD_MAX_POINTS` points);
    ``agree`` is :func:`_agreement` of the class, if already computed."""
    check_size(fc, "std", STD_MAX_CONCEPTS, STD_MAX_POINTS)
    if agree is None:
        agree = _agreement(fc)
    full = (1 << fc.n_points) - 1
    dis = np.delete(full & ~agree[c], c)  # where each other concept differs from c
    for k in range(fc.n_points + 1):
        masks = np.array([sum(1 << j for j in s) for s in combinations(range(fc.n_points), k)],
                         dtype=np.int64)
        teaches = ((masks[:, None] & dis[None, :]) != 0).all(axis=1)
        if teaches.any():
            return tuple(int(s) for s in masks[teaches])
    raise AssertionError("unreachable: the whole domain teaches a concept of distinct rows")


def subset_teaching_step(
    fc: FiniteClass,
    families: Any,
    deadline: Deadline | None = None,
    agree: np.ndarray | None = None,
) -> tuple[tuple[int, ...], ...] | None:
    """``STS^{k+1}`` from ``STS^k`` (``families[c]``: point bit masks); ``None`` past
    ``deadline``."""
    agree = _agreement(fc) if agree is None else agree
    fams = [np.array(f, dtype=np.int64) for f in families]
    out = []
    for c in range(fc.size):
        if deadline is not None and deadline.expired():
            return None
        found: list[int] = []
        for size in range(max(int(s).bit_count() for s in families[c]) + 1):
            candidates = sorted({
                sum(1 << j for j in sub)
                for s in families[c]
                for sub in combinations(_points(int(s)), size)
            })
            found = [S for S in candidates if _only(c, S, agree, fams)]
            if found:
                break
        out.append(tuple(found))
    return tuple(out)


def _only(c: int, sample: int, agree: np.ndarray, fams: list[np.ndarray]) -> bool:
    """``cons_k(sample) == {c}`` (the sample labelled by ``c``; ``c`` is in it by
    construction): no other concept agreeing with ``c`` on it has a set containing it."""
    others = np.flatnonzero((sample & ~agree[c]) == 0)
    return not any(d != c and ((sample & ~fams[d]) == 0).any() for d in others)


def subset_teaching(fc: FiniteClass, time_limit: float | None = None) -> SubsetTeaching:
    """``STD(C)`` by iterating the definition (module docstring), for at most
    :data:`STD_MAX_CONCEPTS` concepts over :data:`STD_MAX_POINTS` points and
    :data:`STD_MAX_SETS` samples per round."""
    deadline = Deadline(time_limit)
    check_size(fc, "std", STD_MAX_CONCEPTS, STD_MAX_POINTS)
    agree = _agreement(fc)
    first = []
    for c in range(fc.size):
        if deadline.expired():
            full = ((1 << fc.n_points) - 1,)  # the whole domain teaches: an upper bound
            first.extend([full] * (fc.size - c))
            return SubsetTeaching("unknown", (tuple(first),), False)
        first.append(minimum_teaching_sets(fc, c, agree))
    rounds = [tuple(first)]
    seen = {rounds[0]}
    while True:
        total = sum(len(f) for f in rounds[-1])
        if total > STD_MAX_SETS:
            raise ValueError(
                f"std: needs at most {STD_MAX_SETS} subset teaching sets per round, "
                f"round {len(rounds) - 1} has {total}"
            )
        if len(rounds) > STD_MAX_ROUNDS:
            return SubsetTeaching("unknown", tuple(rounds), False)
        nxt = subset_teaching_step(fc, rounds[-1], deadline, agree)
        if nxt is None:
            return SubsetTeaching("unknown", tuple(rounds), False)
        if nxt in seen:
            return SubsetTeaching("exact", tuple(rounds), nxt == rounds[-1])
        seen.add(nxt)
        rounds.append(nxt)


# -- VC dimension -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VCDimension:
    """``VCD(C)`` and a shattered set of that size (point indices)."""

    value: int
    shattered: tuple[int, ...]

    def to_json(self, fc: FiniteClass) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {"status": "exact", "value": self.value,
                "shattered": [fc.points[j] for j in self.shattered]}


def vc_dimension(fc: FiniteClass) -> VCDimension:
    """The VC dimension by brute force over point subsets (at most
    :data:`VCD_MAX_SUBSETS` of them)."""
    top = min(fc.n_points, fc.size.bit_length() - 1)  # 2^d <= |C|
    tries = sum(comb(fc.n_points, k) for k in range(1, top + 1))
    if tries > VCD_MAX_SUBSETS:
        raise ValueError(
            f"vcd: needs at most {VCD_MAX_SUBSETS} point subsets to try, the class "
            f"({fc.size} concepts over {fc.n_points} points) needs {tries}"
        )
    best: tuple[int, ...] = ()
    for k in range(1, top + 1):
        weights = 1 << np.arange(k)
        found = None
        for s in combinations(range(fc.n_points), k):
            if len(np.unique(fc.matrix[:, list(s)] @ weights)) == 1 << k:
                found = s
                break
        if found is None:
            break
        best = found
    return VCDimension(len(best), tuple(best))


def class_parameters(
    ft: FiniteTeaching, names: Any = PARAMETERS, time_limit: float | None = None
) -> dict[str, Any]:
    """The parameters ``names`` (a subset of :data:`PARAMETERS`) of the class of ``ft``:
    ``{name: result}``; ``time_limit`` is the budget of each of NCTD and STD (PBTD reads the
    plan of ``ft``)."""
    names = list(names)
    unknown = [p for p in names if p not in PARAMETERS]
    if unknown:
        raise ValueError(f"parameters must be among {', '.join(PARAMETERS)}, got {unknown[0]!r}")
    fc = ft.fc
    out: dict[str, Any] = {}
    pbtd = preference_teaching(ft)
    if "pbtd" in names:
        out["pbtd"] = pbtd
    if "nctd" in names:
        out["nctd"] = no_clash_teaching(fc, time_limit, teacher=pbtd.teaching_sets)
    if "std" in names:
        out["std"] = subset_teaching(fc, time_limit)
    if "vcd" in names:
        out["vcd"] = vc_dimension(fc)
    return out
