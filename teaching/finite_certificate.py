"""Certificates of the teaching figures of a finite class, and an independent checker.

A certificate (format :data:`FORMAT`) holds the class itself (points, concept names, the 0/1
matrix) and, for what was computed:

* ``td``: per concept ``TD(c, C)``, a teaching set of that size and the competitors: concepts
  whose difference sets with ``c`` no smaller set hits;
* ``rtd``: the teaching plan (layers of concepts with their sets) and ``hardest``: a subclass
  with, per concept of it, competitors inside it needing ``RTD`` points;
* ``pbtd``: the preference order (most preferred first) with one set per concept, and the
  hardest subclass (its lower bound);
* ``nctd``: the teacher mapping and the lower-bound proof (``"counting"`` or ``"sat"``);
* ``std``: ``STD(C)`` and ``STD(c)`` per concept; ``vcd``: the VC dimension and a shattered set.

:func:`check_finite_certificate` re-derives every claim from the file, without the search
code: teaching sets and the plan by direct evaluation on the matrix; each lower bound
``"no set of fewer than k points hits these difference sets"`` by brute force over the
subsets of size ``< k`` when they are few, else by a SAT call with a cardinality constraint on
MiniSat 2.2 (the search used RC2 MaxSAT); the NCTD ``"sat"`` proof by re-solving the
encoding at ``k - 1`` with MiniSat 2.2 (the search used Glucose 4); the VC dimension by
brute force. STD is recomputed with :func:`teaching.parameters.subset_teaching` (the one
parameter re-derived by the same code).
"""

from __future__ import annotations

import json
from itertools import combinations
from math import comb
from pathlib import Path
from typing import Any

import numpy as np
from pysat.card import CardEnc, EncType
from pysat.solvers import Solver

from teaching.certificate import CertificateCheck
from teaching.finite_class import FiniteClass
from teaching.finite_teaching import MAX_CONCEPTS, MAX_POINTS, ConceptTeaching, FiniteTeaching
from teaching.parameters import (
    NCTD_MAX_CONCEPTS,
    NCTD_MAX_POINTS,
    VCD_MAX_SUBSETS,
    NoClashTeaching,
    PreferenceTeaching,
    SubsetTeaching,
    VCDimension,
    clash,
    counting_bound,
    no_clash_clauses,
    preference_violation,
    subset_teaching,
)

FORMAT = "boolicl-finite-class-certificate/1"
FORMAT_PREFIX = "boolicl-finite-class-certificate/"
"""Documents whose ``format`` starts with this are finite-class certificates (of some
version; only :data:`FORMAT` is understood)."""

CHECK_SOLVER = "minisat22"
"""The SAT solver of the checker (the search uses RC2 and Glucose 4)."""

BRUTE_FORCE_SUBSETS = 200_000
"""The checker tries every subset below a claimed hitting number when there are at most
this many; above, it asks :data:`CHECK_SOLVER`."""


def make_finite_certificate(ft: FiniteTeaching, params: dict[str, Any] | None = None) -> dict:
    """The certificate of exact figures ``ft`` and of the exact ``params`` (as returned by
    :func:`teaching.parameters.class_parameters`); ``ValueError`` if any is unknown."""
    fc = ft.fc
    if ft.td_status != "exact" or ft.rtd_status != "exact":
        raise ValueError("td: the figures must be exact to be certified (time limit reached)")
    names = fc.concepts

    def pts(indices: Any) -> list[str]:
        return [fc.points[j] for j in indices]

    def competitors(results: tuple[ConceptTeaching, ...]) -> list[dict[str, Any]]:
        return [
            {"concept": names[r.concept], "competitors": [names[j] for j in r.competitors]}
            for r in results
        ]

    doc: dict[str, Any] = {
        "format": FORMAT,
        "class": {k: v for k, v in fc.to_json().items() if k in ("points", "concepts", "matrix")},
        "td": [
            {
                "concept": names[c.concept],
                "td": c.lower,
                "teaching_set": pts(c.teaching_set),
                "competitors": [names[j] for j in c.competitors],
            }
            for c in ft.concepts
        ],
        "rtd": {
            "value": ft.rtd,
            "plan": [
                {
                    "td": layer.td,
                    "concepts": [
                        {"concept": names[c.concept], "teaching_set": pts(c.teaching_set)}
                        for c in layer.concepts
                    ],
                }
                for layer in ft.layers
            ],
            "hardest": competitors(ft.hardest),
        },
    }
    for name, result in (params or {}).items():
        if getattr(result, "status", "exact") != "exact":
            raise ValueError(f"{name}: must be exact to be certified (time limit reached)")
        if isinstance(result, PreferenceTeaching):
            doc["pbtd"] = {
                "value": result.value,
                "order": [names[c] for c in result.order],
                "teaching_sets": {names[c]: pts(result.teaching_sets[c]) for c in result.order},
                "hardest": [names[c] for c in result.hardest],
            }
        elif isinstance(result, NoClashTeaching):
            doc["nctd"] = {
                "value": result.value,
                "proof": result.proof,
                "teacher": {names[c]: pts(t) for c, t in enumerate(result.teacher)},
            }
        elif isinstance(result, SubsetTeaching):
            doc["std"] = {
                "value": result.value,
                "concepts": {names[c]: s for c, s in enumerate(result.sizes)},
            }
        elif isinstance(result, VCDimension):
            doc["vcd"] = {"value": result.value, "shattered": pts(result.shattered)}
    return doc


def is_finite_certificate(path: str | Path) -> bool:
    """Whether the JSON file ``path`` claims to be a finite-class certificate (its ``format``
    starts with :data:`FORMAT_PREFIX`, whatever the version); ``False`` for anything that
    cannot be read as such."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False
    fmt = doc.get("format") if isinstance(doc, dict) else None
    return isinstance(fmt, str) and fmt.startswith(FORMAT_PREFIX)


class _Bad(ValueError):
    """A malformed certificate: the message names the field."""


def _field(obj: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]`` of JSON type ``kind`` (an ``int`` is never a ``bool``)."""
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict):
        raise _Bad(f"{where or 'certificate'}: must be a JSON object")
    if key not in obj:
        raise _Bad(f"{path}: missing")
    value = obj[key]
    if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
        raise _Bad(f"{path}: must be of JSON type {getattr(kind, '__name__', kind)}, "
                   f"got {value!r}")
    return value


def _int(obj: Any, key: str, where: str) -> int:
    value = _field(obj, key, int, where)
    if value < 0:
        raise _Bad(f"{where}.{key}: must be >= 0, got {value}")
    return value


class _Names:
    """Name -> index lookups of a certificate's class, with errors naming the field."""

    def __init__(self, fc: FiniteClass) -> None:
        self.concept = {s: i for i, s in enumerate(fc.concepts)}
        self.point = {s: j for j, s in enumerate(fc.points)}

    def concepts(self, values: Any, where: str) -> list[int]:
        return [self._one(self.concept, v, where, "concept") for v in self._list(values, where)]

    def points(self, values: Any, where: str) -> list[int]:
        idx = [self._one(self.point, v, where, "point") for v in self._list(values, where)]
        if len(set(idx)) != len(idx):
            raise _Bad(f"{where}: a point appears twice")
        return idx

    @staticmethod
    def _list(values: Any, where: str) -> list[Any]:
        if not isinstance(values, list):
            raise _Bad(f"{where}: must be a JSON array")
        return values

    @staticmethod
    def _one(table: dict[str, int], value: Any, where: str, what: str) -> int:
        if not isinstance(value, str) or value not in table:
            raise _Bad(f"{where}: {value!r} is not a {what} of the class")
        return table[value]


def teaches(fc: FiniteClass, c: int, points: list[int], among: list[int] | None = None) -> bool:
    """Whether ``points`` teach concept ``c`` against the concepts ``among`` (default all)."""
    others = [d for d in (range(fc.size) if among is None else among) if d != c]
    if not others:
        return True
    rows = fc.matrix[others][:, points]
    return bool((rows != fc.matrix[c, points]).any(axis=1).all())


def needs_at_least(fc: FiniteClass, c: int, competitors: list[int], k: int) -> bool:
    """Whether every set hitting the difference sets of ``c`` with ``competitors`` has at
    least ``k`` points (brute force over the smaller subsets, or MiniSat 2.2)."""
    if k == 0:
        return True
    sets = [np.flatnonzero(fc.matrix[d] != fc.matrix[c]).tolist() for d in competitors]
    if not sets or any(not s for s in sets):
        return False  # nothing to hit, or a competitor equal to c
    universe = sorted({x for s in sets for x in s})
    if sum(comb(len(universe), i) for i in range(k)) <= BRUTE_FORCE_SUBSETS:
        member = [set(s) for s in sets]
        for size in range(k):
            for chosen in combinations(universe, size):
                if all(not m.isdisjoint(chosen) for m in member):
                    return False
        return True
    var = {x: i + 1 for i, x in enumerate(universe)}
    card = CardEnc.atmost(lits=list(var.values()), bound=k - 1, top_id=len(var),
                          encoding=EncType.seqcounter)
    with Solver(name=CHECK_SOLVER, bootstrap_with=card.clauses) as s:
        for hit in sets:
            s.add_clause([var[x] for x in hit])
        return not s.solve()


def _subclass_needs(
    fc: FiniteClass, rows: Any, names: _Names, value: int, where: str, out: CertificateCheck
) -> list[int]:
    """Check the ``hardest`` evidence: each listed concept's competitors lie in the listed
    subclass and need ``value`` points. Returns the subclass."""
    if not isinstance(rows, list) or not rows:
        raise _Bad(f"{where}: must be a non-empty JSON array")
    sub = names.concepts([_field(r, "concept", str, f"{where}[{i}]")
                          for i, r in enumerate(rows)], where)
    ok = len(set(sub)) == len(sub)
    for i, (c, r) in enumerate(zip(sub, rows, strict=True)):
        comp = names.concepts(_field(r, "competitors", list, f"{where}[{i}]"),
                              f"{where}[{i}].competitors")
        if not set(comp) <= set(sub) - {c} or not needs_at_least(fc, c, comp, value):
            ok = False
            out.errors.append(f"{where}[{i}]: the competitors of {fc.concepts[c]} within the "
                              f"subclass do not need {value} points")
    out.checks[f"{where}_lower_bound"] = ok
    return sub


def check_finite_certificate(cert: dict[str, Any] | str | Path) -> CertificateCheck:
    """Re-check a finite-class certificate (a dict, or the path of its JSON file) from
    scratch (see the module docstring). Never raises for bad content: a malformed or
    unreadable document, a wrong ``format`` (another version included) and every failed
    claim make the result invalid, with errors naming the field."""
    out = CertificateCheck(valid=False)
    try:
        if isinstance(cert, str | Path):
            try:
                cert = json.loads(Path(cert).read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
                raise _Bad(f"file: cannot read a JSON certificate from {str(cert)!r}: {e}") \
                    from None
        fmt = _field(cert, "format", str, "")
        if fmt != FORMAT:
            raise _Bad(f"format: must be {FORMAT!r}, got {fmt!r}")
        spec = _field(cert, "class", dict, "")
        try:
            fc = FiniteClass.from_matrix(
                _field(spec, "matrix", list, "class"),
                _field(spec, "points", list, "class"),
                _field(spec, "concepts", list, "class"),
            )
        except _Bad:
            raise
        except ValueError as e:
            raise _Bad(f"class: {e}") from None
        if fc.merged:
            raise _Bad(f"class: repeated concepts ({fc.merged[0][0]} = {fc.merged[0][1][0]})")
        if fc.size > MAX_CONCEPTS or fc.n_points > MAX_POINTS:
            raise _Bad(f"class: at most {MAX_CONCEPTS} concepts over {MAX_POINTS} points")
        names = _Names(fc)
        _check_td(cert, fc, names, out)
        _check_rtd(cert, fc, names, out)
        if "pbtd" in cert:
            _check_pbtd(cert["pbtd"], fc, names, out)
        if "nctd" in cert:
            _check_nctd(cert["nctd"], fc, names, out)
        if "std" in cert:
            try:
                std = subset_teaching(fc)
            except ValueError as e:  # a class over the limits of STD
                raise _Bad(str(e)) from None
            value = _int(cert["std"], "value", "std")
            sizes = _field(cert["std"], "concepts", dict, "std")
            out.checks["std_recomputed"] = value == std.value and sizes == {
                fc.concepts[c]: s for c, s in enumerate(std.sizes)
            }
        if "vcd" in cert:
            _check_vcd(cert["vcd"], fc, names, out)
    except _Bad as e:
        out.errors.append(str(e))
        return out
    for name, ok in out.checks.items():
        if not ok and not any(name.split("_")[0] in err for err in out.errors):
            out.errors.append(f"check failed: {name}")
    out.valid = bool(out.checks) and all(out.checks.values())
    return out


def _check_td(cert: dict, fc: FiniteClass, names: _Names, out: CertificateCheck) -> None:
    rows = _field(cert, "td", list, "")
    seen = []
    size_ok = teach_ok = bound_ok = True
    for i, row in enumerate(rows):
        where = f"td[{i}]"
        c = names.concepts([_field(row, "concept", str, where)], where)[0]
        seen.append(c)
        td = _int(row, "td", where)
        pts = names.points(_field(row, "teaching_set", list, where), f"{where}.teaching_set")
        comp = names.concepts(_field(row, "competitors", list, where), f"{where}.competitors")
        size_ok &= len(pts) == td
        teach_ok &= teaches(fc, c, pts)
        if not needs_at_least(fc, c, comp, td):
            bound_ok = False
            out.errors.append(f"{where}: the competitors of {fc.concepts[c]} do not need {td} "
                              "points")
    out.checks["td_every_concept"] = sorted(seen) == list(range(fc.size))
    out.checks["td_size"] = size_ok
    out.checks["td_teaches"] = teach_ok
    out.checks["td_lower_bound"] = bound_ok


def _check_rtd(cert: dict, fc: FiniteClass, names: _Names, out: CertificateCheck) -> None:
    rtd = _field(cert, "rtd", dict, "")
    value = _int(rtd, "value", "rtd")
    remaining = list(range(fc.size))
    ok = True
    for t, layer in enumerate(_field(rtd, "plan", list, "rtd")):
        where = f"rtd.plan[{t}]"
        rows = _field(layer, "concepts", list, where)
        layer_concepts = []
        for i, row in enumerate(rows):
            c = names.concepts([_field(row, "concept", str, f"{where}.concepts[{i}]")],
                               where)[0]
            pts = names.points(_field(row, "teaching_set", list, f"{where}.concepts[{i}]"),
                               f"{where}.concepts[{i}].teaching_set")
            if c not in remaining or len(pts) > value or not teaches(fc, c, pts, remaining):
                ok = False
                out.errors.append(f"{where}: {fc.concepts[c]} is not taught in the remaining "
                                  f"class by at most {value} points")
            layer_concepts.append(c)
        remaining = [c for c in remaining if c not in layer_concepts]
    out.checks["rtd_plan"] = ok and not remaining
    _subclass_needs(fc, _field(rtd, "hardest", list, "rtd"), names, value, "rtd", out)


def _check_pbtd(pb: Any, fc: FiniteClass, names: _Names, out: CertificateCheck) -> None:
    value = _int(pb, "value", "pbtd")
    order = names.concepts(_field(pb, "order", list, "pbtd"), "pbtd.order")
    sets_doc = _field(pb, "teaching_sets", dict, "pbtd")
    if sorted(order) != list(range(fc.size)) or set(sets_doc) != set(fc.concepts):
        raise _Bad("pbtd: the order and the teaching sets must list every concept once")
    sets = [names.points(sets_doc[s], f"pbtd.teaching_sets.{s}") for s in fc.concepts]
    out.checks["pbtd_teacher"] = (
        max(len(s) for s in sets) <= value and preference_violation(fc, order, sets) is None
    )
    hardest = names.concepts(_field(pb, "hardest", list, "pbtd"), "pbtd.hardest")
    # the lower bound: every concept of the subclass needs `value` points against it
    out.checks["pbtd_lower_bound"] = bool(hardest) and all(
        needs_at_least(fc, c, [d for d in hardest if d != c], value) for c in hardest
    )


def _check_nctd(nc: Any, fc: FiniteClass, names: _Names, out: CertificateCheck) -> None:
    value = _int(nc, "value", "nctd")
    proof = _field(nc, "proof", str, "nctd")
    if fc.size > NCTD_MAX_CONCEPTS or fc.n_points > NCTD_MAX_POINTS:
        raise _Bad(f"nctd: needs at most {NCTD_MAX_CONCEPTS} concepts and {NCTD_MAX_POINTS} "
                   "points")
    teacher_doc = _field(nc, "teacher", dict, "nctd")
    if set(teacher_doc) != set(fc.concepts):
        raise _Bad("nctd.teacher: must give every concept a set")
    teacher = [names.points(teacher_doc[s], f"nctd.teacher.{s}") for s in fc.concepts]
    out.checks["nctd_teacher"] = (
        max(len(t) for t in teacher) <= value and clash(fc, teacher) is None
    )
    if proof == "counting":
        out.checks["nctd_lower_bound"] = counting_bound(fc.size, fc.n_points) >= value
    elif proof == "sat":
        if value == 0:
            raise _Bad("nctd.proof: 'sat' needs a value >= 1")
        with Solver(name=CHECK_SOLVER, bootstrap_with=no_clash_clauses(fc, value - 1)) as s:
            out.checks["nctd_lower_bound"] = not s.solve()
    else:
        raise _Bad(f"nctd.proof: must be 'counting' or 'sat', got {proof!r}")


def _check_vcd(vc: Any, fc: FiniteClass, names: _Names, out: CertificateCheck) -> None:
    value = _int(vc, "value", "vcd")
    shattered = names.points(_field(vc, "shattered", list, "vcd"), "vcd.shattered")
    if (1 << (value + 1)) <= fc.size and comb(fc.n_points, value + 1) > VCD_MAX_SUBSETS:
        raise _Bad(f"vcd: checking needs at most {VCD_MAX_SUBSETS} point subsets")

    def is_shattered(s: tuple[int, ...]) -> bool:
        return len({tuple(row) for row in fc.matrix[:, list(s)].tolist()}) == 1 << len(s)

    out.checks["vcd_shattered"] = len(shattered) == value and is_shattered(tuple(shattered))
    bigger = value + 1
    out.checks["vcd_maximum"] = (1 << bigger) > fc.size or not any(
        is_shattered(s) for s in combinations(range(fc.n_points), bigger)
    )
