"""The teaching sequence of a target in a class: the paper's closed-form construction where
one exists, else a minimum teaching set from the exact solver.

Closed forms by class (``paper_construction``): conjunctions and disjunctions (Goldman &
Kearns), parities (a basis; unit vectors for exactly-k), monotone DNF and CNF (the paper's
per-term sequence, :mod:`teaching.dnf_construction`), majorities, 0-1 thresholds and integer
halfspaces (the essential points, :mod:`teaching.essential_points`, for
``n <= ESSENTIAL_MAX_N``; above it, for a majority on few enough variables, the essential
points of its restriction to them and one more variable, lifted to ``n`` by copying that
variable's column, :mod:`teaching.restriction`: measured to teach at ``n = 28``, and checked by
``verify`` like every construction here).

The per-term sequence is proved to teach only irredundant DNFs with as many terms as the class
allows; ``paper_construction`` returns it in every case (the caller runs
:func:`teaching.uniqueness.verify` for the verdict) and :func:`paper_diagnosis` says which of
the proof's conditions fail.
"""

from __future__ import annotations

from typing import Literal

from boolfun.classes import (
    CNFClass,
    ConjunctionClass,
    DisjunctionClass,
    DNFClass,
    FunctionClass,
    HalfspaceClass,
    MajorityClass,
    ParityClass,
    ThresholdClass,
)
from boolfun.function import BooleanFunction
from boolfun.normal_forms import CNF, DNF
from teaching.constructions import (
    conjunction_sequence,
    disjunction_sequence,
    parity_sequence,
    sparse_parity_sequence,
)
from teaching.dimension import teaching_dimension
from teaching.dnf_construction import (
    DNFDiagnosis,
    compact_cnf_sequence,
    compact_dnf_sequence,
    diagnose_cnf,
    diagnose_dnf,
    irredundant_cnf,
    irredundant_dnf,
    monotone_cnf_sequence,
    monotone_dnf_sequence,
    signed_cnf_sequence,
    signed_dnf_sequence,
)
from teaching.essential_points import ESSENTIAL_MAX_N, essential_points
from teaching.examples import Examples
from teaching.solving import check_time_limit
from teaching.uniqueness import check_target

Construction = Literal["paper", "greedy", "minimum"]
CONSTRUCTIONS: tuple[Construction, ...] = ("paper", "greedy", "minimum")
"""The constructions :func:`teaching_sequence` knows."""


def _normal_form(f: BooleanFunction, target: BooleanFunction, cls: DNFClass) -> DNF | CNF:
    """The monotone DNF (CNF) the per-term construction is applied to: ``f`` itself when it
    is written as one with positive literals only (so a redundant formula is diagnosed as
    written), else the class's representation of ``f`` with redundant groups removed."""
    if isinstance(cls, CNFClass):
        if isinstance(f, CNF) and all(lit > 0 for g in f.groups for lit in g):
            return f
        return irredundant_cnf(target)  # type: ignore[arg-type]
    if isinstance(f, DNF) and all(lit > 0 for g in f.groups for lit in g):
        return f
    return irredundant_dnf(target)  # type: ignore[arg-type]


def paper_diagnosis(f: BooleanFunction, cls: FunctionClass) -> DNFDiagnosis | None:
    """For a monotone DNF (CNF) class, the diagnosis of the per-term sequence that
    :func:`paper_construction` returns (``guaranteed``: proved to teach; ``problems()``:
    why not); ``None`` for the other classes, whose constructions always teach."""
    target = check_target(f, cls)
    if not (isinstance(cls, DNFClass) and cls.monotone):
        return None
    rep = _normal_form(f, target, cls)
    if isinstance(rep, CNF):
        return diagnose_cnf(rep, cls.m)
    return diagnose_dnf(rep, cls.m)


def paper_construction(f: BooleanFunction, cls: FunctionClass) -> Examples:
    """The closed-form construction of SPEC §2 for ``f`` in ``cls``; ``ValueError`` for a
    class that has none (non-monotone DNF/CNF, and the classes with no closed form) and for
    threshold-type classes with ``n > ESSENTIAL_MAX_N``.

    For monotone DNF/CNF the per-term sequence is returned even when it is not proved to
    teach (see :func:`paper_diagnosis`); its examples are always labelled by ``f``."""
    target = check_target(f, cls)
    if isinstance(cls, DNFClass) and cls.monotone:  # CNFClass is a DNFClass too
        rep = _normal_form(f, target, cls)
        if isinstance(rep, CNF):
            return monotone_cnf_sequence(rep)
        return monotone_dnf_sequence(rep)
    if isinstance(cls, MajorityClass | ThresholdClass | HalfspaceClass):
        if cls.n > ESSENTIAL_MAX_N and isinstance(cls, MajorityClass):
            from teaching.restriction import restriction

            r = restriction(target, cls, extra=1)
            if r is not None and len(r.variables) <= ESSENTIAL_MAX_N:
                return Examples.labelled_by(
                    target, r.lift_points(essential_points(r.target).xs, cls.n, "cycle")
                )
        if cls.n > ESSENTIAL_MAX_N:
            raise ValueError(
                f"construction 'paper' (essential points) for {cls.short_name()} needs "
                f"n <= {ESSENTIAL_MAX_N}, got n={cls.n}; construction 'greedy' gives a "
                "verified teaching set at any n"
            )
        return essential_points(target)
    if isinstance(cls, ConjunctionClass) and cls.k is None and not cls.with_constants:
        return conjunction_sequence(target, monotone=cls.monotone)  # type: ignore[arg-type]
    if isinstance(cls, DisjunctionClass) and cls.k is None and not cls.with_constants:
        return disjunction_sequence(target, monotone=cls.monotone)  # type: ignore[arg-type]
    if isinstance(cls, ParityClass):
        if cls.k is None:
            return parity_sequence(target)  # type: ignore[arg-type]
        return sparse_parity_sequence(target)  # type: ignore[arg-type]
    hint = " (the per-term construction needs monotone=True)" if isinstance(cls, DNFClass) else ""
    raise ValueError(
        f"construction 'paper' has no closed form for {cls.short_name()}{hint}; "
        "use construction 'greedy' (a verified teaching set"
        + (", grown from the signed per-term sequence" if isinstance(cls, DNFClass) else "")
        + ") or 'minimum' (the exact solver)"
    )


def compact_construction(f: BooleanFunction, cls: FunctionClass) -> Examples:
    """For a monotone DNF (CNF) class, the compact per-term sequence
    (:func:`teaching.dnf_construction.compact_dnf_sequence`: the per-term positives and a
    minimum cover of its negatives by fewer negatives), never longer than the paper's; for a
    DNF (CNF) class with literals of both signs, the signed sequence
    (:func:`teaching.dnf_construction.signed_dnf_sequence`: two positives per term and shared
    negatives; often completed by the search, never proved to teach in advance). ``ValueError``
    for the other classes. Check it with ``verify`` like the paper's."""
    target = check_target(f, cls)
    if not isinstance(cls, DNFClass):
        raise ValueError(
            f"the compact construction is for DNF and CNF classes, got {cls.short_name()}"
        )
    if not cls.monotone:  # literals of both signs: the signed sequence, not proved to teach
        if isinstance(target, CNF):
            return signed_cnf_sequence(target)
        return signed_dnf_sequence(target)  # type: ignore[arg-type]
    rep = _normal_form(f, target, cls)
    if isinstance(rep, CNF):
        return compact_cnf_sequence(rep)
    return compact_dnf_sequence(rep)


def teaching_sequence(
    f: BooleanFunction,
    cls: FunctionClass,
    construction: Construction = "paper",
    time_limit: float | None = None,
) -> Examples:
    """Labelled examples that teach ``f`` in ``cls``: ``"paper"`` (closed form), ``"greedy"``
    (:func:`teaching.symbolic.greedy_teaching_set`: the oracle's witnesses added until the set
    teaches, then the redundant ones dropped, starting from the compact construction for DNF
    and CNF classes; teaches, not minimum in general) or ``"minimum"``
    (exact solver). ``ValueError`` if the time limit is reached."""
    check_time_limit(time_limit)
    if construction == "paper":
        return paper_construction(f, cls)
    if construction == "greedy":
        from teaching.symbolic import greedy_teaching_set

        target = check_target(f, cls)
        start = compact_construction(target, cls) if isinstance(cls, DNFClass) else None
        ex = greedy_teaching_set(target, cls, start, time_limit=time_limit)
        if ex is None:
            raise ValueError(f"time_limit reached before a teaching set was completed for {f}")
        return ex
    if construction == "minimum":
        r = teaching_dimension(f, cls, time_limit=time_limit)
        if r.examples is None:
            raise ValueError(f"time_limit reached before a minimum teaching set was proved for {f}")
        return r.examples
    raise ValueError(
        f"construction must be one of {', '.join(CONSTRUCTIONS)}, got {construction!r}"
    )
