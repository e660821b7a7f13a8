"""Certificates of minimum teaching sets, and an independent checker.

A certificate claims: ``examples`` (``td`` of them) teach ``target`` in the class, and no set
of fewer points does. The checker re-derives everything from the file:

1. the class is rebuilt from its registry name and parameters; the target and every
   competitor are parsed from their string forms and must be members of the class;
2. the examples are labelled by the target and teach it (a fresh SAT uniqueness query);
3. the lower bound: each competitor ``h`` differs from the target on ``D(h)`` (computed from
   truth tables); for ``"disjoint"`` proofs the ``D(h)`` are pairwise disjoint and there are
   ``td`` of them; for ``"hitting_set"`` proofs a MaxSAT solve (RC2 on a WCNF written here,
   independent of the search's ``Hitman``) shows that every hitting set of the ``D(h)`` has at
   least ``td`` points.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pysat.examples.rc2 import RC2
from pysat.formula import WCNF

from boolfun.bits import all_inputs
from boolfun.classes import make_class
from boolfun.function import BooleanFunction
from boolfun.parse import parse
from teaching.dimension import MAX_N, TeachingResult
from teaching.examples import Examples
from teaching.symbolic import MAX_SYMBOLIC_N
from teaching.uniqueness import verify

FORMAT = "boolicl-teaching-certificate/1"
"""Truth-table certificates (``n <= MAX_N``): difference sets listed point by point."""
FORMAT_SYMBOLIC = "boolicl-teaching-certificate/2"
"""Symbolic certificates (any ``n``, from :mod:`teaching.symbolic`): every fact about a
difference set is a SAT query, re-solved by :data:`CHECK_SOLVER`."""
CHECK_SOLVER = "minisat22"
"""The checker's SAT solver for symbolic certificates: another solver than the search's
(Glucose 4, :data:`teaching.solving.LIMITED_SOLVER`), so a bug in one is not trusted twice."""


def disjoint_subfamily(target: BooleanFunction, competitors: list[BooleanFunction]) -> list[int]:
    """Indices of competitors with pairwise-disjoint difference sets (greedy, smallest sets
    first): ``k`` of them prove that no set of fewer than ``k`` points teaches."""
    pts = all_inputs(target.n)
    fv = target.evaluate(pts)
    diffs = [h.evaluate(pts) != fv for h in competitors]
    used = np.zeros(len(pts), dtype=bool)
    chosen = []
    for i in sorted(range(len(diffs)), key=lambda j: int(diffs[j].sum())):
        if not (diffs[i] & used).any():
            chosen.append(i)
            used |= diffs[i]
    return chosen


def prune_competitors(
    target: BooleanFunction, competitors: list[BooleanFunction], bound: int
) -> list[BooleanFunction]:
    """A subfamily of ``competitors`` whose difference sets still need ``bound`` points to hit,
    minimal under removal of any one member (largest difference sets tried first)."""
    pts = all_inputs(target.n)
    fv = target.evaluate(pts)
    diffs = [np.flatnonzero(h.evaluate(pts) != fv).tolist() for h in competitors]
    keep = list(range(len(competitors)))
    for i in sorted(keep, key=lambda j: -len(diffs[j])):
        trial = [j for j in keep if j != i]
        if min_hitting_set_size([diffs[j] for j in trial]) >= bound:
            keep = trial
    return [competitors[j] for j in keep]


def make_certificate(result: TeachingResult) -> dict[str, Any]:
    """The certificate of an exact :class:`TeachingResult` (a JSON-ready dict): truth-table
    (:data:`FORMAT`) for the points method, symbolic (:data:`FORMAT_SYMBOLIC`) otherwise."""
    if result.status != "exact" or result.examples is None:
        raise ValueError("result must be exact to be certified (status 'exact')")
    if result.proof == "symmetric_hitting":
        raise ValueError(
            "result: its lower bound is proved under the target's symmetry "
            "(teaching.symbolic.symmetry_of, teaching.majority_td), which a certificate does "
            "not hold; solve again with symmetric=False"
        )
    if result.method == "symbolic":
        return {
            "format": FORMAT_SYMBOLIC,
            "class": {"name": result.cls.name, "n": result.cls.n, "params": result.cls.config},
            "target": str(result.target),
            "td": result.lower_bound,
            "examples": result.examples.to_json(),
            "proof": {"kind": result.proof, "competitors": [str(h) for h in result.competitors]}
            | ({"assigned": result.assigned} if result.assigned else {}),
        }
    disjoint = disjoint_subfamily(result.target, result.competitors)
    if len(disjoint) >= result.lower_bound:
        proof = {
            "kind": "disjoint",
            "competitors": [str(result.competitors[i]) for i in disjoint[: result.lower_bound]],
        }
    else:
        kept = prune_competitors(result.target, result.competitors, result.lower_bound)
        proof = {"kind": "hitting_set", "competitors": [str(h) for h in kept]}
    return {
        "format": FORMAT,
        "class": {"name": result.cls.name, "n": result.cls.n, "params": result.cls.config},
        "target": str(result.target),
        "td": result.lower_bound,
        "examples": result.examples.to_json(),
        "proof": proof,
    }


@dataclass
class CertificateCheck:
    """Outcome of :func:`check_certificate`: ``valid`` iff every check passed."""

    valid: bool
    checks: dict[str, bool] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"valid": self.valid, "checks": self.checks, "errors": self.errors}


class CertificateFormatError(ValueError):
    """A certificate field is missing or not exactly of the type :func:`make_certificate`
    writes; the message starts with the field's path (``class.n``, ``examples[2].y``)."""


def json_field(obj: Any, key: str, where: str) -> Any:
    """``obj[key]``, ``obj`` being a JSON object; :class:`CertificateFormatError` otherwise
    (naming the path ``where.key``). Shared by every certificate checker."""
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict):
        raise CertificateFormatError(f"{where or 'certificate'}: must be a JSON object")
    if key not in obj:
        raise CertificateFormatError(f"{path}: missing")
    return obj[key]


_get = json_field


def _kind(value: Any) -> str:
    return "boolean" if isinstance(value, bool) else type(value).__name__


def _int(value: Any, path: str, low: int, high: int | None = None) -> int:
    """A JSON integer in ``[low, high]``: not a float (``5.0``, ``5.9``), string or boolean."""
    if type(value) is not int or value < low or (high is not None and value > high):
        within = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise CertificateFormatError(
            f"{path}: must be a JSON integer {within}, got {value!r} ({_kind(value)})"
        )
    return value


def _str(value: Any, path: str) -> str:
    if type(value) is not str:
        raise CertificateFormatError(
            f"{path}: must be a JSON string, got {value!r} ({_kind(value)})"
        )
    return value


def _list(value: Any, path: str) -> list[Any]:
    if type(value) is not list:
        raise CertificateFormatError(f"{path}: must be a JSON array, got {_kind(value)}")
    return value


def _examples(rows: Any, n: int) -> Examples:
    """The examples exactly as :meth:`Examples.to_json` writes them: ``x`` a string of ``n``
    characters ``0``/``1``, ``y`` the JSON integer 0 or 1."""
    xs, ys = [], []
    for i, row in enumerate(_list(rows, "examples")):
        where = f"examples[{i}]"
        x = _str(_get(row, "x", where), f"{where}.x")
        if len(x) != n or set(x) - {"0", "1"}:
            raise CertificateFormatError(f"{where}.x: must be {n} characters 0/1, got {x!r}")
        y = _get(row, "y", where)
        if type(y) is not int or y not in (0, 1):
            raise CertificateFormatError(
                f"{where}.y: must be the JSON integer 0 or 1, got {y!r} ({_kind(y)})"
            )
        xs.append([int(c) for c in x])
        ys.append(y)
    return Examples(np.array(xs, dtype=np.uint8).reshape(-1, n), np.array(ys, dtype=np.uint8))


def min_hitting_set_size(sets: list[list[int]]) -> int:
    """Minimum hitting set size by MaxSAT: hard clause ``OR_{z in D} p_z`` per set, soft unit
    ``~p_z`` of weight 1 per point; the optimum cost is the answer."""
    if not sets:
        return 0
    wcnf = WCNF()
    points = sorted({z for s in sets for z in s})
    var = {z: i + 1 for i, z in enumerate(points)}
    for s in sets:
        wcnf.append([var[z] for z in s])
    for z in points:
        wcnf.append([-var[z]], weight=1)
    with RC2(wcnf) as rc2:
        if rc2.compute() is None:
            raise ValueError("an empty difference set cannot be hit")
        return int(rc2.cost)


def _check_points(
    out: CertificateCheck, cls: Any, target: BooleanFunction, td: int, kind: str,
    texts: list[str], competitors: list[BooleanFunction],
) -> None:
    """The lower-bound checks of a truth-table certificate: each competitor's difference set
    listed from truth tables; ``disjoint``: pairwise disjoint and at least ``td`` of them;
    ``hitting_set``: an independent MaxSAT solve shows every hitting set has ``td`` points."""
    n = cls.n
    pts = all_inputs(n)
    fv = target.evaluate(pts)
    sets = []
    members = True
    for text, h in zip(texts, competitors, strict=True):
        if h not in cls:
            members = False
            out.errors.append(f"competitor {text} is not in the class")
        d = np.flatnonzero(h.evaluate(pts) != fv).tolist()
        if not d:
            members = False
            out.errors.append(f"competitor {text} equals the target")
        sets.append(d)
    out.checks["competitors_in_class"] = members
    if kind == "disjoint":
        flat = [z for s in sets for z in s]
        out.checks["lower_bound"] = len(flat) == len(set(flat)) and len(sets) >= td
    else:
        out.checks["lower_bound"] = all(sets) and min_hitting_set_size(sets) >= td


def _check_symbolic(
    out: CertificateCheck, cls: Any, target: BooleanFunction, td: int, kind: str,
    texts: list[str], competitors: list[BooleanFunction], assigned: int = 0,
) -> None:
    """The lower-bound checks of a symbolic certificate, each a SAT query of
    :data:`CHECK_SOLVER`: every competitor is in the class and differs from the target at a
    point the solver finds (re-evaluated here); ``disjoint``: at least ``td`` competitors and
    no point where two of them both differ from the target; ``hitting_set``: no ``td - 1``
    points separate the target from all of them (with ``assigned = m``: the first ``m``
    competitors are checked pairwise disjoint like ``disjoint``'s, and the refutation puts
    one point in each of their difference sets, :class:`teaching.symbolic.SymbolicPoints`);
    ``gf2``: the class of all parities and ``td = n``."""
    from boolfun.classes import ParityClass
    from teaching.symbolic import differs, separable

    members = True
    for text, h in zip(texts, competitors, strict=True):
        if h not in cls:
            members = False
            out.errors.append(f"competitor {text} is not in the class")
            continue
        z = differs(target, h, solver=CHECK_SOLVER)
        if z is None or bool(h.evaluate(z[None])[0]) == bool(target.evaluate(z[None])[0]):
            members = False
            out.errors.append(f"competitor {text} equals the target")
    out.checks["competitors_in_class"] = members
    if kind == "trivial" or td == 0:
        out.checks["lower_bound"] = td == 0
    elif kind == "gf2":
        out.checks["lower_bound"] = (
            isinstance(cls, ParityClass) and cls.k is None and td == cls.n
        )
    elif kind == "disjoint":
        ok = len(competitors) >= td and _pairwise_disjoint(out, target, texts, competitors)
        out.checks["lower_bound"] = ok
    else:
        m = min(assigned, td - 1)
        ok = members and _pairwise_disjoint(out, target, texts[:assigned], competitors[:assigned])
        out.checks["lower_bound"] = ok and separable(
            target, competitors, td - 1, solver=CHECK_SOLVER, assigned=competitors[:m]
        ) is False


def _pairwise_disjoint(out: CertificateCheck, target: BooleanFunction, texts: list[str],
                       competitors: list[BooleanFunction]) -> bool:
    """Whether no point has two of ``competitors`` both differing from ``target`` (one SAT
    query of :data:`CHECK_SOLVER` per pair; the first overlap is recorded as an error)."""
    from teaching.symbolic import overlap

    for i in range(len(competitors)):
        for j in range(i + 1, len(competitors)):
            if overlap(target, competitors[i], competitors[j], CHECK_SOLVER) is not None:
                out.errors.append(f"competitors {texts[i]} and {texts[j]} overlap")
                return False
    return True


def load_certificate(cert: dict[str, Any] | str | Path) -> Any:
    """The certificate document: ``cert`` itself, or the parsed JSON of the file at that path
    (:class:`CertificateFormatError` naming the file when it cannot be read or parsed)."""
    if not isinstance(cert, str | Path):
        return cert
    try:
        text = Path(cert).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CertificateFormatError(f"file: cannot read {str(cert)!r}: {e}") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise CertificateFormatError(f"file: {str(cert)!r} is not JSON: {e}") from None


def run_checks(checks: Callable[[CertificateCheck], CertificateCheck | None]) -> CertificateCheck:
    """Run ``checks`` on a fresh :class:`CertificateCheck` and finish it: a format error or
    bad content becomes an error message (nothing is raised), a failed check without its own
    message gets one, and ``valid`` is set iff there were checks and all passed. ``checks``
    may return another finished result instead (a certificate of another format)."""
    out = CertificateCheck(valid=False)
    try:
        other = checks(out)
        if other is not None:
            return other
    except CertificateFormatError as e:
        out.errors.append(str(e))
        return out
    except (KeyError, TypeError, ValueError) as e:  # a safety net: still no traceback
        out.errors.append(f"{type(e).__name__}: {e}")
        return out
    for name, ok in out.checks.items():
        if not ok and not any(name in err for err in out.errors):
            out.errors.append(f"check failed: {name}")
    out.valid = bool(out.checks) and all(out.checks.values())
    return out


def check_certificate(cert: dict[str, Any] | str | Path) -> CertificateCheck:
    """Re-check a certificate (a dict, or the path of its JSON file) from scratch.

    Every field must have exactly the JSON type :func:`make_certificate` writes (integers are
    JSON integers, not ``5.0``, ``"5"`` or ``true``; labels the integers 0 or 1; points strings
    of ``n`` characters 0/1). A file that cannot be read or parsed, a document that is not a
    certificate and a malformed field make the result invalid, with an error naming the file
    or the field; nothing is raised for bad content."""
    return run_checks(lambda out: _check_document(load_certificate(cert), out))


def _check_document(cert: Any, out: CertificateCheck) -> CertificateCheck | None:
    """The checks of :func:`check_certificate`, recorded in ``out`` (or the orbit checker's
    finished result)."""
    if not isinstance(cert, dict):
        raise CertificateFormatError(f"certificate: must be a JSON object, got {_kind(cert)}")
    fmt = _get(cert, "format", "")
    if isinstance(fmt, str) and fmt.startswith("boolicl-orbit-certificate/"):
        from teaching.orbit_certificate import check_orbit_certificate

        return check_orbit_certificate(cert)  # per-orbit class figures
    if fmt not in (FORMAT, FORMAT_SYMBOLIC):
        raise CertificateFormatError(
            f"format: must be {FORMAT!r} or {FORMAT_SYMBOLIC!r} (or an orbit certificate, "
            f"teaching.orbit_certificate), got {fmt!r}"
        )
    symbolic = fmt == FORMAT_SYMBOLIC
    spec = _get(cert, "class", "")
    name = _str(_get(spec, "name", "class"), "class.name")
    n = _int(_get(spec, "n", "class"), "class.n", 1,
             MAX_SYMBOLIC_N if symbolic else MAX_N)  # as teaching_dimension
    params = _get(spec, "params", "class")
    if not isinstance(params, dict):
        raise CertificateFormatError(
            f"class.params: must be a JSON object, got {_kind(params)}"
        )
    try:
        cls = make_class(name, n, **params)
    except (TypeError, ValueError) as e:
        raise CertificateFormatError(f"class: {e}") from None
    target_text = _str(_get(cert, "target", ""), "target")
    try:
        target = cls.coerce(parse(target_text, n))
    except ValueError as e:
        raise CertificateFormatError(f"target: {e}") from None
    td = _int(_get(cert, "td", ""), "td", 0)
    ex = _examples(_get(cert, "examples", ""), n)
    proof = _get(cert, "proof", "")
    kind = _str(_get(proof, "kind", "proof"), "proof.kind")
    kinds = (
        ("disjoint", "hitting_set", "gf2", "trivial") if symbolic
        else ("disjoint", "hitting_set")
    )
    if kind not in kinds:
        raise CertificateFormatError(
            f"proof.kind: must be one of {', '.join(kinds)}, got {kind!r}"
        )
    texts = _list(_get(proof, "competitors", "proof"), "proof.competitors")
    competitors = []
    for i, text in enumerate(texts):
        path = f"proof.competitors[{i}]"
        try:
            competitors.append(parse(_str(text, path), n))
        except CertificateFormatError:
            raise
        except ValueError as e:
            raise CertificateFormatError(f"{path}: {e}") from None
    out.checks["size"] = len(ex) == td
    out.checks["consistent"] = ex.consistent_with(target)
    out.checks["teaches"] = out.checks["consistent"] and verify(target, cls, ex).unique
    if symbolic:
        assigned = 0
        if "assigned" in proof:
            assigned = _int(proof["assigned"], "proof.assigned", 0, len(competitors))
        _check_symbolic(out, cls, target, td, kind, texts, competitors, assigned)
    else:
        _check_points(out, cls, target, td, kind, texts, competitors)
    return None
