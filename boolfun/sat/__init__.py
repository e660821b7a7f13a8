"""SAT encodings: a Tseitin circuit builder with constant folding, reified cardinality
constraints, and miters for semantic comparison of Boolean functions."""

from boolfun.sat.circuit import Circuit, Lit
from boolfun.sat.miter import differing_point, solver

__all__ = ["Circuit", "Lit", "differing_point", "solver"]
