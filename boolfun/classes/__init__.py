"""Function classes with exact SAT encodings, and a registry of them by name.

``make_class("dnf", 4, terms=2)`` builds a :class:`DNFClass`; :data:`CLASSES` maps every name
to a callable entry (``CLASSES["parity"](5)``) that lists its parameters (``.params``).
For any class ``c``, ``make_class(c.name, c.n, **c.config) == c``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from boolfun.classes.all_functions import AllFunctionsClass
from boolfun.classes.base import ClassEncoding, FunctionClass
from boolfun.classes.literal_classes import ConjunctionClass, DisjunctionClass
from boolfun.classes.normal_form_classes import CNFClass, DNFClass
from boolfun.classes.parity_class import ParityClass
from boolfun.classes.threshold_classes import HalfspaceClass, MajorityClass, ThresholdClass


class ClassEntry:
    """A registry entry: ``entry(n, **params)`` validates the parameter names and builds the
    class. ``params`` are the accepted names, ``required`` those that must be given."""

    def __init__(
        self,
        name: str,
        factory: Callable[..., FunctionClass],
        params: tuple[str, ...] = (),
        required: tuple[str, ...] = (),
    ) -> None:
        self.name = name
        self.factory = factory
        self.params = params
        self.required = required

    def __call__(self, n: int, **params: Any) -> FunctionClass:
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            allowed = ", ".join(self.params) if self.params else "none"
            raise ValueError(
                f"unknown parameter(s) {', '.join(unknown)} for class {self.name!r}; "
                f"allowed: {allowed}"
            )
        missing = [p for p in self.required if p not in params]
        if missing:
            raise ValueError(f"class {self.name!r} requires parameter(s) {', '.join(missing)}")
        return self.factory(n, **params)

    def __repr__(self) -> str:
        return f"ClassEntry({self.name!r}, params={self.params})"


def _cnf(n: int, clauses: int | None = None, terms: int | None = None, **kw: Any) -> CNFClass:
    if clauses is not None and terms is not None:
        raise ValueError("cnf takes clauses or its alias terms, not both")
    m = clauses if clauses is not None else terms
    return CNFClass(n, 3 if m is None else m, **kw)


def _literal(cls: type, monotone: bool) -> Callable[..., FunctionClass]:
    def make(n: int, k: int | None = None, with_constants: bool = False) -> FunctionClass:
        return cls(n, monotone=monotone, k=k, with_constants=with_constants)

    return make


_LITERAL_PARAMS = ("k", "with_constants")

CLASSES: dict[str, ClassEntry] = {
    e.name: e
    for e in [
        ClassEntry("conjunction", _literal(ConjunctionClass, False), _LITERAL_PARAMS),
        ClassEntry("monotone_conjunction", _literal(ConjunctionClass, True), _LITERAL_PARAMS),
        ClassEntry("disjunction", _literal(DisjunctionClass, False), _LITERAL_PARAMS),
        ClassEntry("monotone_disjunction", _literal(DisjunctionClass, True), _LITERAL_PARAMS),
        ClassEntry("dnf", DNFClass, ("terms", "monotone")),
        ClassEntry("cnf", _cnf, ("clauses", "terms", "monotone")),
        ClassEntry("parity", ParityClass),
        ClassEntry("sparse_parity", ParityClass, ("k",), ("k",)),
        ClassEntry("majority", MajorityClass),
        ClassEntry("threshold", ThresholdClass, ("biases",)),
        ClassEntry("halfspace", HalfspaceClass, ("max_weight", "bias")),
        ClassEntry("all", AllFunctionsClass),
    ]
}
"""Registry name -> entry; see :func:`make_class`."""


def make_class(name: str, n: int, **params: Any) -> FunctionClass:
    """The function class registered as ``name`` over ``n`` variables.

    Names and parameters: ``conjunction``, ``monotone_conjunction``, ``disjunction``,
    ``monotone_disjunction`` (``k``, ``with_constants``); ``dnf`` (``terms``, ``monotone``);
    ``cnf`` (``clauses`` or ``terms``, ``monotone``); ``parity``; ``sparse_parity`` (``k``,
    required); ``majority``; ``threshold`` (``biases``); ``halfspace`` (``max_weight``,
    ``bias``); ``all``.
    """
    if not isinstance(name, str) or name not in CLASSES:
        raise ValueError(f"name must be one of {', '.join(CLASSES)}; got {name!r}")
    return CLASSES[name](n, **params)


__all__ = [
    "CLASSES",
    "AllFunctionsClass",
    "CNFClass",
    "ClassEncoding",
    "ClassEntry",
    "ConjunctionClass",
    "DNFClass",
    "DisjunctionClass",
    "FunctionClass",
    "HalfspaceClass",
    "MajorityClass",
    "ParityClass",
    "ThresholdClass",
    "make_class",
]
