"""The teaching sequence of a target in a class: the paper's closed-form construction where
one exists, else a minimum teaching set from the exact solver."""

from __future__ import annotations

from typing import Literal

from boolfun.classes import (
    ConjunctionClass,
    DisjunctionClass,
    FunctionClass,
    ParityClass,
)
from boolfun.function import BooleanFunction
from teaching.constructions import (
    conjunction_sequence,
    disjunction_sequence,
    parity_sequence,
    sparse_parity_sequence,
)
from teaching.dimension import teaching_dimension
from teaching.examples import Examples
from teaching.uniqueness import check_target

Construction = Literal["paper", "minimum"]


def paper_construction(f: BooleanFunction, cls: FunctionClass) -> Examples:
    """The closed-form construction of SPEC §2 for ``f`` in ``cls``; ``ValueError`` for a
    class that has none."""
    target = check_target(f, cls)
    if isinstance(cls, ConjunctionClass) and cls.k is None and not cls.with_constants:
        return conjunction_sequence(target, monotone=cls.monotone)  # type: ignore[arg-type]
    if isinstance(cls, DisjunctionClass) and cls.k is None and not cls.with_constants:
        return disjunction_sequence(target, monotone=cls.monotone)  # type: ignore[arg-type]
    if isinstance(cls, ParityClass):
        if cls.k is None:
            return parity_sequence(target)  # type: ignore[arg-type]
        return sparse_parity_sequence(target)  # type: ignore[arg-type]
    raise ValueError(
        f"construction 'paper' has no closed form for {cls.short_name()}; "
        "use construction 'minimum' (the exact solver)"
    )


def teaching_sequence(
    f: BooleanFunction,
    cls: FunctionClass,
    construction: Construction = "paper",
    time_limit: float | None = None,
) -> Examples:
    """Labelled examples that teach ``f`` in ``cls``: ``"paper"`` (closed form) or
    ``"minimum"`` (exact solver; ``ValueError`` if its time limit is reached)."""
    if construction == "paper":
        return paper_construction(f, cls)
    if construction == "minimum":
        r = teaching_dimension(f, cls, time_limit=time_limit)
        if r.examples is None:
            raise ValueError(f"time_limit reached before a minimum teaching set was proved for {f}")
        return r.examples
    raise ValueError(f"construction must be 'paper' or 'minimum', got {construction!r}")
