"""Does a labelled set identify its target inside a class? (the teaching-set condition)

``T`` teaches ``f`` in ``C`` iff every ``h in C`` consistent with ``T`` equals ``f``. Decided by
one SAT query: *exists* ``h in C`` (the class encoding's parameters) with ``h(x) = y`` for every
``(x, y) in T`` *and* a point ``z`` with ``h(z) != f(z)``. The difference is semantic (a witness
point), because DNF, CNF and thresholds have many parameterisations of one function.
UNSAT: unique. SAT: the model gives a competing ``h`` and the point ``z``.

For the class of all parities the question is linear algebra: the consistent parities are
``s_0 + null(X)``, so ``T`` teaches iff ``rank_GF(2)(X) = n``; a non-zero null vector ``v``
gives the competitor ``s_0 + v`` and any ``z`` with ``<v, z> = 1``.

Majorities, 0-1 thresholds and integer halfspaces go to the exact integer program of
:mod:`teaching.integer_program` (OR-Tools CP-SAT, the extra ``ip``) when OR-Tools is installed
(``Verdict.method == "cp-sat"``), else to the SAT encoding; ``method`` forces either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from boolfun.classes import FunctionClass, ParityClass
from boolfun.function import BooleanFunction
from boolfun.gf2 import Basis, pack_rows
from boolfun.parity import Parity
from teaching import integer_program
from teaching.examples import Examples
from teaching.solving import check_time_limit, new_solver, solve

Status = Literal["unique", "not_unique", "unknown"]

METHODS = ("auto", "sat", "cp-sat")
"""The ``method`` values of :func:`verify`."""


@dataclass(frozen=True)
class Verdict:
    """The answer of :func:`verify`.

    ``status`` is ``"unique"`` only when a solver proved it (UNSAT) or the GF(2) rank is ``n``;
    ``"unknown"`` when the time limit was reached. For ``"not_unique"``, ``competitor`` is a
    function of the class consistent with every example and ``witness`` a point where it
    differs from the target.
    """

    status: Status
    competitor: BooleanFunction | None = None
    witness: np.ndarray | None = None
    method: str = "sat"

    @property
    def unique(self) -> bool:
        """Whether uniqueness was proved."""
        return self.status == "unique"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        out: dict[str, Any] = {"status": self.status, "method": self.method}
        if self.competitor is not None:
            out["competitor"] = str(self.competitor)
        if self.witness is not None:
            out["witness"] = "".join(map(str, self.witness.tolist()))
        return out


def check_target(f: Any, cls: Any) -> BooleanFunction:
    """Validate a class and a target in it; returns the target in the class's representation."""
    if not isinstance(cls, FunctionClass):
        raise ValueError(f"cls must be a FunctionClass, got {type(cls).__name__}")
    if not isinstance(f, BooleanFunction):
        raise ValueError(f"f must be a BooleanFunction, got {type(f).__name__}")
    if f.n != cls.n:
        raise ValueError(f"target must have n={cls.n} to be in {cls!r}, got n={f.n}")
    try:
        return cls.coerce(f)
    except ValueError:
        raise ValueError(f"target {f} is not in the class {cls.short_name()} (n={cls.n})") from None


def check_examples(examples: Any, f: BooleanFunction) -> Examples:
    """Validate examples of width ``n`` labelled by ``f``."""
    if not isinstance(examples, Examples):
        if isinstance(examples, tuple) and len(examples) == 2:
            examples = Examples(*examples)
        else:
            raise ValueError("examples must be an Examples or a pair (xs, ys)")
    if len(examples) and examples.n != f.n:
        raise ValueError(f"examples must have width n={f.n}, got {examples.n}")
    if not examples.consistent_with(f):
        bad = int(np.flatnonzero(f.evaluate(examples.xs) != examples.ys)[0])
        raise ValueError(f"examples: example {bad} is not labelled by the target {f}")
    return examples


def verify(
    f: BooleanFunction,
    cls: FunctionClass,
    examples: Any,
    time_limit: float | None = None,
    method: str = "auto",
) -> Verdict:
    """Whether ``examples`` identify ``f`` uniquely inside ``cls`` (see the module docstring).

    ``method``: ``"auto"`` (CP-SAT for the threshold-type classes when OR-Tools is installed,
    GF(2) rank for all parities, else SAT), ``"sat"`` (the SAT encoding; all parities still
    use GF(2)) or ``"cp-sat"`` (only for majority, threshold and halfspace classes; needs
    OR-Tools)."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    target = check_target(f, cls)
    ex = check_examples(examples, target)
    limit = check_time_limit(time_limit)
    if method == "cp-sat":
        if not integer_program.supports(cls):
            raise ValueError(
                "method 'cp-sat' needs a majority, threshold or halfspace class, got "
                f"{cls.short_name()}"
            )
        if not integer_program.available():
            raise ValueError(
                "method 'cp-sat' needs OR-Tools: pip install 'boolicl[ip]' (or ortools>=9.10)"
            )
    if method == "cp-sat" or (
        method == "auto" and integer_program.supports(cls) and integer_program.available()
    ):
        r = integer_program.find_competitor(target, cls, ex, time_limit=limit)
        return Verdict(r.status, r.competitor, r.witness, method="cp-sat")
    if isinstance(cls, ParityClass) and cls.k is None:
        return _verify_parity(target, ex)
    enc = cls.encode()
    for x, y in ex:
        enc.label(x, y)
    z = enc.differ(target)
    with new_solver(enc.circuit.clauses) as s:
        result = solve(s, time_limit=limit)
        if result is None:
            return Verdict("unknown")
        if not result:
            return Verdict("unique")
        model = s.get_model()
    return competitor_verdict(enc, z, model)


def competitor_verdict(enc: Any, z: list[int], model: list[int]) -> Verdict:
    """The ``"not_unique"`` verdict of a satisfying model of a uniqueness query: the member
    its parameters describe and the witness point ``z`` it assigns."""
    true = {v for v in model if v > 0}
    witness = np.array([1 if v in true else 0 for v in z], dtype=np.uint8)
    return Verdict("not_unique", enc.decode(model), witness)


def _verify_parity(f: BooleanFunction, ex: Examples) -> Verdict:
    n = f.n
    basis = Basis(n)
    for row, y in zip(pack_rows(ex.xs) if len(ex) else [], ex.ys.tolist(), strict=True):
        basis.add(row, y)
    if basis.rank == n:
        return Verdict("unique", method="gf2")
    v = basis.null_vector()
    s = sum(1 << (i - 1) for i in f.variables) ^ v  # type: ignore[attr-defined]
    competitor = Parity(n, [i + 1 for i in range(n) if s >> i & 1])
    z = np.zeros(n, dtype=np.uint8)
    z[(v & -v).bit_length() - 1] = 1  # a unit vector e_i with v_i = 1: <v, e_i> = 1
    return Verdict("not_unique", competitor, z, method="gf2")
