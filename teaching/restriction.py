"""The teaching dimension through a restriction to the target's own variables.

Let ``C(m)`` be a class defined for every number of variables ``m`` with the *embedding
property*: for ``V ⊆ [n]``, the members of ``C(n)`` that depend only on ``V`` are exactly the
members of ``C(|V|)`` renamed onto ``V``. Majorities, 0-1 thresholds and integer halfspaces
(a weight of 0 on the other variables, the same bias) and ``k``-term DNF / ``k``-clause CNF
(the same groups) have it. Let ``f in C(n)`` depend only on ``V`` and write ``f|V`` for it as
a member of ``C(|V|)``.

**Lemma** (restriction). ``TD(f, C(n)) >= TD(f|V, C(|V|))``. A teaching set ``T`` of ``f``
in ``C(n)`` separates ``f`` from every ``h in C(n)`` that depends only on ``V``; both depend
only on the coordinates in ``V``, so the projections of ``T``'s points onto ``V`` separate
``f|V`` from ``h|V``, and these ``h|V`` are all of ``C(|V|)``: the (at most ``|T|``) projected
points teach ``f|V``. The proof behind a lower bound at ``|V|`` carries over *as it is*: a
competitor ``h`` of ``C(|V|)`` renamed onto ``V`` has the difference set
``D(h) x {0,1}^{n - |V|}`` (up to the order of the coordinates), and points of ``{0,1}^n``
hit such sets iff their projections hit the ``D(h)``. So "no ``t - 1`` points hit the
competitors' difference sets" at ``|V|`` is the same statement at ``n`` about the renamed
competitors, which the symbolic certificates of :mod:`teaching.certificate` re-check at ``n``.
(A majority is solved at ``|V|`` by the symmetric search of :mod:`teaching.majority_td`, whose
bound holds under the target's stabiliser: ``proof = "symmetric_hitting"``, exact but not
re-checkable from the competitors alone.)

**Lifting** (upper bound). A teaching set of ``f|V`` is extended to ``n`` variables by a *fill*
rule for the coordinates outside ``V``: ``"cycle"`` copies the columns of ``V``'s variables
that ``f`` does not mention, in turn (``V`` holds :data:`EXTRAS` of them), ``"zeros"`` and
``"ones"`` set constants. The lifted set is labelled by ``f`` and checked by the uniqueness
oracle at ``n`` (:func:`teaching.uniqueness.verify`): only a verified set is an upper bound.
When it teaches and has ``TD(f|V)`` points, the two bounds meet and ``TD(f, C(n))`` is proved
with the restricted competitors. (For a majority ``Majority(S)`` the column of one irrelevant
variable, copied onto every other, is what rules out ``Majority(S + {w})`` for every ``w``;
measured, the lifted sets of ``|S| + 1`` variables teach at ``n = 28`` for every ``|S|``
tried.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from boolfun.classes import DNFClass, FunctionClass, HalfspaceClass, MajorityClass, ThresholdClass
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF
from teaching.dimension import MAX_N, TeachingResult, teaching_dimension
from teaching.examples import Examples
from teaching.uniqueness import verify

EXTRAS = (0, 1)
"""Spare variables (not mentioned by the target) that ``V`` holds besides the mentioned ones,
tried in turn: none is the smallest problem, one gives the ``"cycle"`` fill a column to copy
and can only raise the lower bound (``TD(f|V)`` grows with ``V``)."""

MAX_RESTRICTED_N = MAX_N
"""Largest ``|V|`` solved (the listed-points solver's limit: past it the restriction saves
little over the symbolic search at ``n``)."""

FILLS = ("cycle", "zeros", "ones")
"""The fill rules of :func:`lift`, tried in this order."""

Rename = Callable[[int], int]


def supports(cls: FunctionClass) -> bool:
    """Whether ``cls`` has the embedding property used here (majorities, thresholds,
    halfspaces, DNF, CNF; not the unions of orbits, whose ``_sub`` is the base class)."""
    return type(cls) in (MajorityClass, ThresholdClass, HalfspaceClass) or (
        type(cls).__name__ in ("DNFClass", "CNFClass") and isinstance(cls, DNFClass)
    )


def rename(h: BooleanFunction, n: int, new: Rename) -> BooleanFunction:
    """``h`` with its variable ``x_j`` renamed ``x_{new(j)}``, as a function of ``n``
    variables (majorities, thresholds, halfspaces, DNF, CNF)."""
    if isinstance(h, Majority):
        return Majority(n, sorted(new(v) for v in h.variables))
    if isinstance(h, Halfspace):
        w = [0] * n
        for j, wj in enumerate(h.weights, start=1):
            if wj:
                w[new(j) - 1] = wj
        return (Threshold if isinstance(h, Threshold) else Halfspace)(n, w, h.bias)
    if isinstance(h, DNF | CNF):
        return type(h)(n, [[new(abs(v)) * (1 if v > 0 else -1) for v in g] for g in h.groups])
    raise ValueError(f"h: no renaming for {type(h).__name__} functions")


@dataclass(frozen=True)
class Restriction:
    """``f`` restricted to ``variables`` (``V``, 1-based: the mentioned ones in increasing
    order, then the spare ones; ``x_j`` of ``C(|V|)`` is ``x_{variables[j-1]}``): ``target``
    is ``f|V`` in ``cls`` (``C(|V|)``); ``mentioned`` are the variables ``f`` mentions."""

    variables: tuple[int, ...]
    mentioned: tuple[int, ...]
    target: BooleanFunction
    cls: FunctionClass

    def lift(self, h: BooleanFunction, n: int) -> BooleanFunction:
        """A member of ``C(|V|)`` renamed onto ``V`` in ``n`` variables."""
        return rename(h, n, lambda j: self.variables[j - 1])

    def lift_points(self, xs: np.ndarray, n: int, fill: str) -> np.ndarray:
        """Points of ``{0,1}^|V|`` extended to ``{0,1}^n`` by the fill rule ``fill`` (one of
        :data:`FILLS`; see the module docstring)."""
        if fill not in FILLS:
            raise ValueError(f"fill must be one of {', '.join(FILLS)}; got {fill!r}")
        xs = np.asarray(xs, dtype=np.uint8).reshape(-1, len(self.variables))
        out = np.zeros((len(xs), n), dtype=np.uint8)
        if fill == "ones":
            out[:] = 1
        out[:, [v - 1 for v in self.variables]] = xs
        spare = [j for j, v in enumerate(self.variables) if v not in self.mentioned]
        if fill == "cycle" and spare:
            others = [v for v in range(1, n + 1) if v not in self.variables]
            for i, v in enumerate(others):
                out[:, v - 1] = xs[:, spare[i % len(spare)]]
        return out


def restriction(f: BooleanFunction, cls: FunctionClass, extra: int = 1) -> Restriction | None:
    """``f`` restricted to its mentioned variables plus the first ``extra`` others, when that
    is fewer than ``n`` variables, at most :data:`MAX_RESTRICTED_N`, and ``cls`` supports it
    (:func:`supports`); else ``None``. ``f`` must already be in ``cls``'s representation."""
    if not supports(cls):
        return None
    mentioned = tuple(sorted(f.mentioned_variables()))
    spare = [v for v in range(1, cls.n + 1) if v not in mentioned][:extra]
    variables = (*mentioned, *spare)  # f's variables become x1..xk of f|V
    if len(variables) >= cls.n or len(variables) > MAX_RESTRICTED_N or not variables:
        return None
    position = {v: j for j, v in enumerate(variables, start=1)}
    sub = cls._sub(len(variables))
    return Restriction(variables, mentioned, sub.coerce(rename(f, len(variables),
                                                               position.__getitem__)), sub)


@dataclass(frozen=True)
class RestrictedBounds:
    """What the restriction proved about ``TD(f, C(n))``: ``lower`` (``TD(f|V)`` or the lower
    bound reached at ``|V|``), the renamed ``competitors`` it rests on, and the smallest
    verified lifted teaching set (``examples``, ``None`` if no fill taught)."""

    restriction: Restriction
    result: TeachingResult
    lower: int
    competitors: list[BooleanFunction]
    examples: Examples | None
    fill: str | None


def restricted_bounds(
    f: BooleanFunction, cls: FunctionClass, time_limit: float | None = None,
    extras: Sequence[int] = EXTRAS, symmetric: bool = True,
) -> RestrictedBounds | None:
    """Bounds on ``TD(f, cls)`` from the restriction lemma (module docstring), for each number
    of spare variables in ``extras`` in turn until the bounds meet: the exact solver on
    ``f|V`` (a time limit reached still gives the lower bound proved there), then each fill
    rule's lifted teaching set checked at ``n``. ``time_limit`` (seconds) covers all of it.
    ``symmetric``: solve a majority by the symmetric search (fast; its proof is not a
    stand-alone certificate) rather than the truth-table solver.
    The best lower bound and the smallest verified lifted set are kept; ``None`` when no
    restriction applies."""
    from teaching import majority_td

    start = time.perf_counter()

    def left() -> float | None:
        return None if time_limit is None else time_limit - (time.perf_counter() - start)

    out: RestrictedBounds | None = None
    for extra in extras:
        r = restriction(f, cls, extra)
        remaining = left()
        if r is None or (remaining is not None and remaining <= 0):
            continue
        if symmetric and majority_td.supports(r.target, r.cls):  # Majority(x1..xk)
            sub = majority_td.majority_teaching_dimension(r.target, r.cls, time_limit=remaining)
        else:
            sub = teaching_dimension(r.target, r.cls, time_limit=remaining)
        best: Examples | None = None
        fill: str | None = None
        if sub.examples is not None:
            for rule in FILLS:
                remaining = left()
                if remaining is not None and remaining <= 0:
                    break
                xs = r.lift_points(sub.examples.xs, cls.n, rule)
                if len({row.tobytes() for row in xs}) < len(xs):
                    continue
                ex = Examples.labelled_by(f, xs)
                if verify(f, cls, ex, time_limit=remaining).unique:
                    best, fill = ex, rule
                    break
        here = RestrictedBounds(r, sub, sub.lower_bound,
                                [r.lift(h, cls.n) for h in sub.competitors], best, fill)
        if out is None or here.lower > out.lower:
            keep = out.examples if out is not None else None
            out = here
            if best is None and keep is not None:
                out = RestrictedBounds(r, sub, here.lower, here.competitors, keep, None)
        elif best is not None and (out.examples is None or len(best) < len(out.examples)):
            out = RestrictedBounds(out.restriction, out.result, out.lower, out.competitors,
                                   best, fill)
        if out.examples is not None and len(out.examples) == out.lower:
            break
    return out


def render_variables(vs: Sequence[int]) -> str:
    """``x1, x4, x9`` (for messages)."""
    return ", ".join(f"x{v}" for v in vs)
