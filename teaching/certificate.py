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
from teaching.dimension import TeachingResult
from teaching.examples import Examples
from teaching.uniqueness import verify

FORMAT = "boolicl-teaching-certificate/1"


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
    """The certificate of an exact :class:`TeachingResult` (a JSON-ready dict)."""
    if result.status != "exact" or result.examples is None:
        raise ValueError("result must be exact to be certified (status 'exact')")
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


def _examples(rows: Any, n: int) -> Examples:
    xs, ys = [], []
    for row in rows:
        x = str(row["x"])
        if len(x) != n or set(x) - {"0", "1"}:
            raise ValueError(f"example x must be {n} characters 0/1, got {x!r}")
        xs.append([int(c) for c in x])
        ys.append(int(row["y"]))
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


def check_certificate(cert: dict[str, Any] | str | Path) -> CertificateCheck:
    """Re-check a certificate (a dict, or the path of its JSON file) from scratch."""
    out = CertificateCheck(valid=False)
    try:
        if isinstance(cert, str | Path):
            cert = json.loads(Path(cert).read_text())
        if not isinstance(cert, dict) or cert.get("format") != FORMAT:
            raise ValueError(f"not a certificate: format must be {FORMAT!r}")
        spec = cert["class"]
        cls = make_class(spec["name"], int(spec["n"]), **spec.get("params", {}))
        n = cls.n
        target = cls.coerce(parse(cert["target"], n))
        td = int(cert["td"])
        ex = _examples(cert["examples"], n)
        out.checks["size"] = len(ex) == td
        out.checks["consistent"] = ex.consistent_with(target)
        out.checks["teaches"] = out.checks["consistent"] and verify(target, cls, ex).unique
        proof = cert["proof"]
        pts = all_inputs(n)
        fv = target.evaluate(pts)
        sets = []
        members = True
        for text in proof["competitors"]:
            h = parse(text, n)
            if h not in cls:
                members = False
                out.errors.append(f"competitor {text} is not in the class")
            d = np.flatnonzero(h.evaluate(pts) != fv).tolist()
            if not d:
                members = False
                out.errors.append(f"competitor {text} equals the target")
            sets.append(d)
        out.checks["competitors_in_class"] = members
        if proof["kind"] == "disjoint":
            flat = [z for s in sets for z in s]
            out.checks["lower_bound"] = len(flat) == len(set(flat)) and len(sets) >= td
        elif proof["kind"] == "hitting_set":
            out.checks["lower_bound"] = all(sets) and min_hitting_set_size(sets) >= td
        else:
            raise ValueError(
                f"proof kind must be 'disjoint' or 'hitting_set', got {proof['kind']!r}"
            )
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as e:
        out.errors.append(f"{type(e).__name__}: {e}")
        return out
    for name, ok in out.checks.items():
        if not ok and not any(name in err for err in out.errors):
            out.errors.append(f"check failed: {name}")
    out.valid = bool(out.checks) and all(out.checks.values())
    return out
