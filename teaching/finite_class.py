"""An explicit finite concept class: a 0/1 matrix, concepts x domain points.

A concept class ``C`` over a finite domain ``X = {x_1, ..., x_m}`` is a set of concepts
``c : X -> {0, 1}``; here it is the matrix ``M`` with ``M[i, j] = c_i(x_j)``, each row a
distinct concept (rows that repeat a concept are merged, and the merge is recorded in
:attr:`FiniteClass.merged`). Points and concepts carry names (``x1, x2, ...`` and
``c1, c2, ...`` unless given).

Class files (:func:`load_class_file`):

* ``.json``: ``{"matrix": [[1, 0, ...], ...] or ["10...", ...], "points": [...],
  "concepts": [...], "name": "...", "description": "...", "reference": "..."}``; only
  ``matrix`` is required; a bare JSON array is the matrix alone;
* ``.csv``: rows of ``0``/``1`` separated by commas; a first row that is not all 0/1 names the
  points, a first column that is not all 0/1 names the concepts;
* ``.npy``: a 2-D array of booleans or integers (or floats exactly 0.0/1.0), no names.

The fixtures shipped in ``teaching/fixtures/`` (:func:`fixture_path`) are small classes with
known teaching figures (Warmuth's class, singletons, singletons with the empty concept,
thresholds on a line, the full cube).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

FIXTURES = Path(__file__).with_name("fixtures")
"""The folder of the shipped class files."""

SUFFIXES = (".json", ".csv", ".npy")
"""The class-file formats :func:`load_class_file` reads."""

JSON_KEYS = ("matrix", "points", "concepts", "name", "description", "reference")
"""The keys a JSON class file may have (``matrix`` is required)."""

MAX_FUNCTION_CLASS_SIZE = 5000
"""Most functions :meth:`FiniteClass.from_function_class` lists."""


@dataclass(frozen=True, eq=False)
class FiniteClass:
    """A finite concept class as a 0/1 matrix (see the module docstring).

    Build it with :meth:`from_matrix` (which validates and merges duplicate rows), not with
    the constructor. ``matrix`` is a read-only uint8 array of shape (concepts, points) whose
    rows are pairwise distinct; ``merged`` lists ``(kept, (dropped, ...))`` for every concept
    that appeared more than once in the input (the first name is kept).
    """

    matrix: np.ndarray
    points: tuple[str, ...]
    concepts: tuple[str, ...]
    name: str = "class"
    merged: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: str = ""
    reference: str = ""

    @classmethod
    def from_matrix(
        cls,
        matrix: Any,
        points: Any = None,
        concepts: Any = None,
        name: str = "class",
        description: str = "",
        reference: str = "",
    ) -> FiniteClass:
        """Validate a concepts x points matrix of 0/1 and merge repeated concepts.

        ``matrix`` may be a nested list (of 0/1 integers or booleans, or of strings of
        ``0``/``1`` characters, one per concept) or an array of booleans, integers or floats
        exactly 0.0/1.0. ``points`` and ``concepts`` are optional lists of distinct non-empty
        names. Raises ``ValueError`` naming the parameter: a ragged or non-2-D matrix, an entry
        other than 0/1 (with its row and column), a name list of the wrong length or with a
        repeated name."""
        m = _as_matrix(matrix)
        n_concepts, n_points = m.shape
        point_names = _names(points, n_points, "points", "x")
        concept_names = _names(concepts, n_concepts, "concepts", "c")
        _, first, inverse = np.unique(m, axis=0, return_index=True, return_inverse=True)
        inverse = np.asarray(inverse).reshape(-1)
        keep = np.sort(first)
        merged = []
        for row in keep:
            dropped = [
                concept_names[j] for j in np.flatnonzero(inverse == inverse[row]) if j != row
            ]
            if dropped:
                merged.append((concept_names[row], tuple(dropped)))
        out = m[keep].copy()
        out.setflags(write=False)
        return cls(
            out,
            tuple(point_names),
            tuple(concept_names[i] for i in keep),
            str(name),
            tuple(merged),
            str(description),
            str(reference),
        )

    @classmethod
    def from_function_class(cls, fclass: Any) -> FiniteClass:
        """The truth tables of every function of a :class:`boolfun.classes.FunctionClass`
        (at most :data:`MAX_FUNCTION_CLASS_SIZE` functions): points named by their bits
        (``x1`` first), concepts by the functions' string forms."""
        functions, pts, tables = truth_tables(
            fclass, MAX_FUNCTION_CLASS_SIZE, "cls: listing the class needs"
        )
        return cls.from_matrix(
            tables,
            points=["".join(map(str, p.tolist())) for p in pts],
            concepts=[str(f) for f in functions],
            name=f"{fclass.short_name()} n={fclass.n}",
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FiniteClass):
            return NotImplemented
        return (
            np.array_equal(self.matrix, other.matrix)
            and (self.points, self.concepts, self.name, self.merged)
            == (other.points, other.concepts, other.name, other.merged)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking: an array inside

    @property
    def size(self) -> int:
        """Number of (distinct) concepts ``|C|``."""
        return int(self.matrix.shape[0])

    @property
    def n_points(self) -> int:
        """Domain size ``|X|``."""
        return int(self.matrix.shape[1])

    def differences(self, i: int, among: np.ndarray | None = None) -> np.ndarray:
        """Boolean matrix (others x points): row ``r`` marks where concept ``others[r]``
        differs from concept ``i``; ``others`` are the concepts of ``among`` (a boolean mask
        over the concepts, default all) other than ``i``."""
        others = self.others(i, among)
        return self.matrix[others] != self.matrix[i]

    def others(self, i: int, among: np.ndarray | None = None) -> np.ndarray:
        """Indices of the concepts of ``among`` (a boolean mask, default all) other than
        ``i``."""
        alive = np.ones(self.size, dtype=bool) if among is None else among.copy()
        alive[i] = False
        return np.flatnonzero(alive)

    def labelled(self, i: int, point_indices: Any) -> list[dict[str, Any]]:
        """The points labelled by concept ``i``: ``[{"x": name, "y": 0/1}, ...]``."""
        return [{"x": self.points[j], "y": int(self.matrix[i, j])} for j in point_indices]

    def to_json(self) -> dict[str, Any]:
        """The class as a JSON class file (:func:`load_class_file` reads it back)."""
        doc: dict[str, Any] = {"name": self.name}
        if self.description:
            doc["description"] = self.description
        if self.reference:
            doc["reference"] = self.reference
        doc["points"] = list(self.points)
        doc["concepts"] = list(self.concepts)
        doc["matrix"] = ["".join(map(str, row.tolist())) for row in self.matrix]
        return doc


def truth_tables(
    fclass: Any, max_concepts: int, what: str
) -> tuple[list, np.ndarray, np.ndarray]:
    """Every function of a :class:`boolfun.classes.FunctionClass` (its enumeration order),
    the ``2^n`` points (:func:`boolfun.bits.all_inputs`) and the uint8 truth tables
    (functions x points). ``ValueError`` starting with ``what`` when the class has more than
    ``max_concepts`` functions."""
    from boolfun.bits import all_inputs

    size = fclass.size()
    if size > max_concepts:
        raise ValueError(
            f"{what} at most {max_concepts} concepts, {fclass.short_name()} at n={fclass.n} "
            f"has {size}"
        )
    functions = fclass.enumerate()
    pts = all_inputs(fclass.n)
    tables = np.array([f.evaluate(pts) for f in functions], dtype=np.uint8)
    return functions, pts, tables


def _as_matrix(matrix: Any) -> np.ndarray:
    """``matrix`` as a uint8 array of shape (concepts >= 1, points >= 1) with entries 0/1."""
    if isinstance(matrix, list | tuple) and matrix and all(isinstance(r, str) for r in matrix):
        rows = list(matrix)
        for i, row in enumerate(rows):
            bad = [ch for ch in row if ch not in "01"]
            if bad:
                raise ValueError(
                    f"matrix: row {i + 1} must be a string of 0/1 characters, got {bad[0]!r} "
                    f"in {row!r}"
                )
        matrix = [[int(ch) for ch in row] for row in rows]
    if isinstance(matrix, list | tuple):
        if not matrix:
            raise ValueError("matrix: must have at least one row (concept), got none")
        widths = []
        for i, row in enumerate(matrix):
            if not isinstance(row, list | tuple):
                raise ValueError(
                    f"matrix: row {i + 1} must be a list of 0/1, got {type(row).__name__}"
                )
            widths.append(len(row))
            for j, v in enumerate(row):
                if isinstance(v, bool) or type(v) is int or isinstance(v, np.integer):
                    if int(v) in (0, 1):
                        continue
                elif isinstance(v, float | np.floating) and v in (0.0, 1.0):
                    continue
                raise ValueError(f"matrix: entry (row {i + 1}, column {j + 1}) must be 0 or 1, "
                                 f"got {v!r}")
        if len(set(widths)) > 1:
            bad = next(i for i, w in enumerate(widths) if w != widths[0])
            raise ValueError(
                f"matrix: ragged rows: row 1 has {widths[0]} entries, row {bad + 1} has "
                f"{widths[bad]}"
            )
        arr = np.array(matrix, dtype=np.uint8).reshape(len(matrix), widths[0])
    else:
        arr = np.asarray(matrix)
        if arr.dtype == object or not (
            arr.dtype == bool or np.issubdtype(arr.dtype, np.number)
        ):
            raise ValueError(f"matrix: must hold 0/1 numbers, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"matrix: must be 2-D (concepts x points), got shape {arr.shape}")
        bad = np.argwhere((arr != 0) & (arr != 1))
        if bad.size:
            i, j = bad[0]
            raise ValueError(
                f"matrix: entry (row {i + 1}, column {j + 1}) must be 0 or 1, got {arr[i, j]!r}"
            )
        arr = arr.astype(np.uint8)
    if arr.shape[0] < 1:
        raise ValueError("matrix: must have at least one row (concept), got none")
    if arr.shape[1] < 1:
        raise ValueError("matrix: must have at least one column (domain point), got none")
    return arr


def _names(names: Any, count: int, what: str, prefix: str) -> list[str]:
    if names is None:
        return [f"{prefix}{i + 1}" for i in range(count)]
    if not isinstance(names, list | tuple) or not all(isinstance(s, str) for s in names):
        raise ValueError(f"{what}: must be a list of names (strings)")
    if len(names) != count:
        raise ValueError(f"{what}: {len(names)} names for {count} matrix "
                         f"{'columns' if what == 'points' else 'rows'}")
    names = [s.strip() for s in names]
    if any(not s for s in names):
        raise ValueError(f"{what}: names must be non-empty")
    seen: set[str] = set()
    for s in names:
        if s in seen:
            raise ValueError(f"{what}: the name {s!r} appears twice")
        seen.add(s)
    return names


def load_class_file(path: str | Path) -> FiniteClass:
    """Read a class file (``.json``, ``.csv`` or ``.npy``; see the module docstring).

    ``ValueError`` (starting with ``class_file``) for a missing file, an unknown suffix, a
    file that does not parse, and everything :meth:`FiniteClass.from_matrix` refuses."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(
            f"class_file: must end in {', '.join(SUFFIXES)}, got {path.name!r}"
        )
    if not path.is_file():
        raise ValueError(f"class_file: no such file {str(path)!r}")
    try:
        if suffix == ".npy":
            try:
                arr = np.load(path, allow_pickle=False)
            except (ValueError, OSError, EOFError) as e:
                raise ValueError(f"not a .npy array: {e}") from None
            return FiniteClass.from_matrix(arr, name=path.stem)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"not UTF-8 text: {e}") from None
        if suffix == ".csv":
            return _from_csv(text, path.stem)
        return _from_json(text, path.stem)
    except ValueError as e:
        raise ValueError(f"class_file {path.name}: {e}") from None


def _from_json(text: str, stem: str) -> FiniteClass:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ValueError(f"not JSON: {e}") from None
    if isinstance(doc, list):
        return FiniteClass.from_matrix(doc, name=stem)
    if not isinstance(doc, dict):
        raise ValueError("must be a JSON object with a 'matrix', or a JSON array (the matrix)")
    unknown = sorted(set(doc) - set(JSON_KEYS))
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} (allowed: {', '.join(JSON_KEYS)})")
    if "matrix" not in doc:
        raise ValueError("matrix: missing")
    if not isinstance(doc["matrix"], list):
        raise ValueError(f"matrix: must be a JSON array, got {type(doc['matrix']).__name__}")
    for key in ("name", "description", "reference"):
        if key in doc and not isinstance(doc[key], str):
            raise ValueError(f"{key}: must be a string")
    return FiniteClass.from_matrix(
        doc["matrix"],
        points=doc.get("points"),
        concepts=doc.get("concepts"),
        name=doc.get("name", stem),
        description=doc.get("description", ""),
        reference=doc.get("reference", ""),
    )


def _from_csv(text: str, stem: str) -> FiniteClass:
    rows = [[cell.strip() for cell in row] for row in csv.reader(text.splitlines())]
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ValueError("matrix: must have at least one row (concept), got none")
    header = None
    if any(cell not in ("0", "1") for cell in rows[0]):
        header, rows = rows[0], rows[1:]
    if not rows:
        raise ValueError("matrix: must have at least one row (concept), got none")
    concepts = None
    if any(r and r[0] not in ("0", "1") for r in rows):
        concepts = [r[0] for r in rows]
        rows = [r[1:] for r in rows]
        if header is not None:
            header = header[1:]
    matrix = []
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell not in ("0", "1"):
                raise ValueError(
                    f"matrix: entry (row {i + 1}, column {j + 1}) must be 0 or 1, got {cell!r}"
                )
        matrix.append([int(c) for c in row])
    return FiniteClass.from_matrix(matrix, points=header, concepts=concepts, name=stem)


def fixture_path(name: str) -> Path:
    """The shipped class file ``teaching/fixtures/<name>.json``."""
    path = FIXTURES / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"name: no fixture {name!r}; shipped: {', '.join(fixture_names())}")
    return path


def fixture_names() -> list[str]:
    """The names of the shipped fixtures."""
    return sorted(p.stem for p in FIXTURES.glob("*.json"))
