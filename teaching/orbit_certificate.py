"""Certificates of class figures computed per orbit, and their checker.

A certificate of :func:`teaching.orbit_figures.orbit_figures` (format :data:`FORMAT`,
``"boolicl-orbit-certificate/1"``) is a JSON object::

    {"format": "boolicl-orbit-certificate/1",
     "class": {"name": ..., "n": ..., "params": {...}},
     "group": "permutations+flips" | "permutations",
     "size": |C|,
     "orbits": [{"orbit": k | "constant", "size": m, "td": t,
                 "certificate": {... one teaching certificate ...}}, ...],
     "histogram": {"t": number of concepts, ...}, "td_max": TD(C), "td_min": ...}

Each orbit's ``certificate`` is a certificate of :mod:`teaching.certificate` for the orbit's
representative in the whole class: truth-table (``boolicl-teaching-certificate/1``) when the
TD came from the hitting set over listed points, symbolic (``boolicl-teaching-certificate/2``)
when it came from :mod:`teaching.symbolic`. It holds the representative, its teaching set of
``t`` points and the competitors proving that no ``t - 1`` points teach. An orbit whose TD
was proved otherwise (the *symmetric* hitting bound of :mod:`teaching.majority_td`, which
rests on symmetry breaking the per-target checkers do not re-derive) is solved again for the
certificate, by the hitting set over listed points (:func:`teaching.dimension.teaching_dimension`)
up to ``n = TABLE_MAX_N`` and by the plain symbolic search above (the truth-table certificate's
pruning of competitors, one MaxSAT call per competitor, is what grows), and must give the
same TD.

:func:`check_orbit_certificate` re-derives every claim from the file:

1. the class is rebuilt from its name and parameters and must be one of the symmetric classes
   (:func:`teaching.orbit_figures.supports`); the group is recomputed from the class (the
   module docstring of :mod:`teaching.orbit_figures` proves the class closed under it) and
   must be the one claimed;
2. the orbits listed are exactly the class's orbits, each once; each size is recomputed from
   the closed forms (``C(n, k) 2^k``, ``C(n, k)``, 1) and must be the one claimed, and the
   sizes must sum to the class's own ``size()`` (and to the claimed ``size``);
3. each orbit's certificate is for the same class, its representative is a member of that
   orbit (its number of literals or variables, or the constant), its teaching set has ``t``
   distinct points, and :func:`teaching.certificate.check_certificate` re-checks it: the set
   is labelled by the representative and teaches it (a fresh uniqueness query), and the lower
   bound by an independent solve (RC2 MaxSAT over truth tables, or MiniSat 2.2 on the
   symbolic hitting problem where the search used Glucose);
4. since ``TD(g c, C) = TD(c, C)`` for every ``g`` of the group, every member of an orbit has
   its representative's TD; the histogram (each orbit weighted by its recomputed size),
   ``TD(C)`` (the maximum) and the smallest TD are recomputed and must be the ones claimed.

Written by ``boolicl td conjunction --n 10 --certificate orbits.json`` (any CLASS of the orbit
path), re-checked by ``boolicl check-certificate orbits.json``.

RTD and its teaching plan are not certified (each round is a TD against a union of orbits,
a class the per-target certificates cannot name).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from boolfun.classes import make_class
from boolfun.parse import parse
from teaching.certificate import (
    FORMAT as TABLE_FORMAT,
)
from teaching.certificate import (
    FORMAT_SYMBOLIC,
    CertificateCheck,
    CertificateFormatError,
    check_certificate,
    load_certificate,
    make_certificate,
    run_checks,
)
from teaching.certificate import json_field as _field
from teaching.dimension import TeachingResult, teaching_dimension
from teaching.orbit_figures import CONSTANT, Key, OrbitFigures, supports, symmetry
from teaching.symbolic import symbolic_teaching_dimension

FORMAT = "boolicl-orbit-certificate/1"
"""The format of :func:`make_orbit_certificate`."""
FORMAT_PREFIX = "boolicl-orbit-certificate/"
"""Documents whose ``format`` starts with this claim to be orbit certificates (of some
version; only :data:`FORMAT` is understood)."""


TABLE_MAX_N = 5
"""Largest n at which an orbit is re-solved over listed points (truth-table certificate)."""

CERTIFIABLE = {"points": ("hitting_set", "disjoint"),
               "symbolic": ("hitting_set", "disjoint", "gf2", "trivial")}
"""The proofs :func:`teaching.certificate.make_certificate` writes, by method; an orbit
proved otherwise is solved again (see the module docstring)."""


def _certifiable(result: TeachingResult, time_limit: float | None) -> TeachingResult:
    """``result``, or a re-solve of its TD whose proof the per-target certificates hold."""
    if result.proof in CERTIFIABLE.get(result.method, ()):
        return result
    if result.cls.n <= TABLE_MAX_N:
        again = teaching_dimension(result.target, result.cls, time_limit=time_limit)
    else:
        again = symbolic_teaching_dimension(result.target, result.cls, time_limit=time_limit,
                                            symmetric=False)
    if again.status != "exact":
        raise ValueError(
            f"figs: the TD of {result.target} could not be re-proved within time_limit for a "
            "certificate"
        )
    if again.td != result.td:
        raise ValueError(
            f"figs: TD of {result.target} is {result.td} by {result.proof} and {again.td} by "
            f"{again.method}; no certificate"
        )
    return again


def make_orbit_certificate(figs: OrbitFigures, time_limit: float | None = None
                           ) -> dict[str, Any]:
    """The certificate of per-orbit class figures (a JSON-ready dict; see the module
    docstring). Every orbit's TD must be exact; ``time_limit`` (seconds) bounds each re-solve
    of an orbit whose proof is not certifiable as it stands."""
    if figs.td_status != "exact":
        unknown = [str(o.key) for o in figs.orbits if o.td is None]
        raise ValueError(
            "figs: every orbit's TD must be exact to be certified; unknown for orbits "
            + ", ".join(unknown)
        )
    cls = figs.cls
    hist = figs.histogram or {}
    results = [_certifiable(o.result, time_limit) for o in figs.orbits]
    return {
        "format": FORMAT,
        "class": {"name": cls.name, "n": cls.n, "params": cls.config},
        "group": figs.group,
        "size": figs.size,
        "orbits": [
            {"orbit": o.key, "size": o.size, "td": o.td, "certificate": make_certificate(r)}
            for o, r in zip(figs.orbits, results, strict=True)
        ],
        "histogram": {str(t): m for t, m in hist.items()},
        "td_max": figs.td_max,
        "td_min": figs.td_min,
    }


def is_orbit_certificate(doc: Any) -> bool:
    """Whether a parsed JSON document claims to be an orbit certificate (its ``format``
    starts with :data:`FORMAT_PREFIX`, whatever the version)."""
    fmt = doc.get("format") if isinstance(doc, dict) else None
    return isinstance(fmt, str) and fmt.startswith(FORMAT_PREFIX)


def _count(value: Any, path: str) -> int:
    """A JSON integer ``>= 0`` (not a float, string or boolean)."""
    if type(value) is not int or value < 0:
        raise CertificateFormatError(f"{path}: must be a JSON integer >= 0, got {value!r}")
    return value


def _key(value: Any, path: str) -> Key:
    """An orbit key: a JSON integer ``>= 0`` or the string ``"constant"``."""
    if value == CONSTANT and type(value) is str:
        return CONSTANT
    if type(value) is not int or value < 0:
        raise CertificateFormatError(
            f"{path}: must be a JSON integer >= 0 or {CONSTANT!r}, got {value!r}"
        )
    return value


def check_orbit_certificate(cert: dict[str, Any] | str | Path) -> CertificateCheck:
    """Re-check an orbit certificate (a dict, or the path of its JSON file) from scratch, as
    the module docstring says. Bad content makes the result invalid with an error naming the
    field or the orbit; nothing is raised."""
    return run_checks(lambda out: _check(load_certificate(cert), out))


def _check(doc: Any, out: CertificateCheck) -> None:
    """The checks of :func:`check_orbit_certificate`, recorded in ``out``."""
    if not isinstance(doc, dict):
        raise CertificateFormatError("certificate: must be a JSON object")
    fmt = _field(doc, "format", "")
    if fmt != FORMAT:
        raise CertificateFormatError(f"format: must be {FORMAT!r}, got {fmt!r}")
    spec = _field(doc, "class", "")
    name = _field(spec, "name", "class")
    n = _field(spec, "n", "class")
    params = _field(spec, "params", "class")
    if type(name) is not str or type(n) is not int or not isinstance(params, dict):
        raise CertificateFormatError(
            "class: must be {'name': string, 'n': integer, 'params': object}"
        )
    try:
        cls = make_class(name, n, **params)
    except (TypeError, ValueError) as e:
        raise CertificateFormatError(f"class: {e}") from None
    if not supports(cls):
        raise CertificateFormatError(
            f"class: {name} has no orbit computation (conjunction, disjunction, parity, "
            "sparse_parity or majority)"
        )
    sym = symmetry(cls)
    group = _field(doc, "group", "")
    out.checks["group"] = group == sym.group
    if not out.checks["group"]:
        out.errors.append(f"group: the class's group is {sym.group!r}, got {group!r}")

    rows = _field(doc, "orbits", "")
    if type(rows) is not list:
        raise CertificateFormatError("orbits: must be a JSON array")
    keys = [_key(_field(row, "orbit", f"orbits[{i}]"), f"orbits[{i}].orbit")
            for i, row in enumerate(rows)]
    missing = [k for k in sym.keys if k not in keys]
    extra = [k for k in keys if k not in sym.keys]
    repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
    out.checks["orbits_complete"] = not (missing or extra or repeated)
    for what, ks in (("missing", missing), ("not orbits of the class", extra),
                     ("listed twice", repeated)):
        if ks:
            out.errors.append(f"orbits_complete: {what}: {', '.join(map(str, ks))}")

    sizes_ok = classes_ok = reps_ok = tds_ok = certs_ok = points_ok = True
    tds: dict[Key, int] = {}
    for i, (row, key) in enumerate(zip(rows, keys, strict=True)):
        where = f"orbits[{i}]"
        label = f"orbit {key}"
        size = _count(_field(row, "size", where), f"{where}.size")
        td = _count(_field(row, "td", where), f"{where}.td")
        inner = _field(row, "certificate", where)
        if key not in sym.keys:
            continue
        if size != sym.size(key):
            sizes_ok = False
            out.errors.append(f"orbit_sizes: {label} has {sym.size(key)} concepts, got {size}")
        if not isinstance(inner, dict) or inner.get("format") not in (TABLE_FORMAT,
                                                                      FORMAT_SYMBOLIC):
            certs_ok = False
            out.errors.append(
                f"orbit_certificates: {label}: the certificate must be of format "
                f"{TABLE_FORMAT!r} or {FORMAT_SYMBOLIC!r}"
            )
            continue
        if inner.get("class") != spec:
            classes_ok = False
            out.errors.append(f"orbit_classes: {label}: the certificate is for another class")
            continue
        try:
            rep = cls.coerce(parse(str(inner.get("target")), cls.n))
            rep_key: Key | None = sym.key(rep)
        except ValueError:
            rep_key = None
        if rep_key != key:
            reps_ok = False
            out.errors.append(
                f"representatives: {label}: {inner.get('target')!r} is not a member of it"
            )
        if inner.get("td") != td:
            tds_ok = False
            out.errors.append(
                f"orbit_tds: {label} claims TD {td}, its certificate {inner.get('td')!r}"
            )
        xs = [e.get("x") if isinstance(e, dict) else e for e in inner.get("examples") or []]
        if len({json.dumps(x) for x in xs}) != len(xs):
            points_ok = False
            out.errors.append(f"distinct_points: {label}: a point of its teaching set repeats")
        res = check_certificate(inner)
        if not res.valid:
            certs_ok = False
            out.errors += [f"orbit_certificates: {label}: {e}" for e in res.errors]
        tds[key] = td
    out.checks.update({
        "orbit_sizes": sizes_ok, "orbit_classes": classes_ok, "representatives": reps_ok,
        "orbit_tds": tds_ok, "distinct_points": points_ok, "orbit_certificates": certs_ok,
    })

    total = sum(sym.size(k) for k in sym.keys)
    claimed = _count(_field(doc, "size", ""), "size")
    out.checks["class_size"] = total == cls.size() == claimed
    if not out.checks["class_size"]:
        out.errors.append(
            f"class_size: the orbits hold {total} concepts, the class {cls.size()}, "
            f"the certificate claims {claimed}"
        )

    hist: dict[int, int] = {}
    for key, td in tds.items():
        hist[td] = hist.get(td, 0) + sym.size(key)
    hist_text = {str(t): m for t, m in sorted(hist.items())}
    claimed_hist = _field(doc, "histogram", "")
    out.checks["histogram"] = claimed_hist == hist_text and out.checks["orbits_complete"]
    if claimed_hist != hist_text:
        out.errors.append(f"histogram: recomputed {hist_text}, claimed {claimed_hist}")
    for name, value in (("td_max", max(hist, default=None)), ("td_min", min(hist, default=None))):
        got = _field(doc, name, "")
        out.checks[name] = got == value and type(got) is type(value)
        if not out.checks[name]:
            out.errors.append(f"{name}: recomputed {value}, claimed {got!r}")
