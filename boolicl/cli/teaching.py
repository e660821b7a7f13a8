"""``boolicl teach``, ``boolicl td`` and ``boolicl check-certificate``: teaching sets
(:mod:`teaching`) of the function classes of :mod:`boolfun.classes`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from boolicl.cli import options, types


def _class_options(p: argparse.ArgumentParser, optional: bool = False) -> None:
    """The class options; ``optional``: CLASS and ``--n`` may be left out (``td`` reads a
    ``--class-file`` instead)."""
    p.add_argument(
        "cls",
        metavar="CLASS",
        choices=options.CLASSES,
        nargs="?" if optional else None,
        default=None,
        help="function class: %(choices)s",
    )
    options.add_n(p, required=not optional, help="number of variables")
    options.add_k(
        p, help="sparse_parity: exactly k variables; conjunction/disjunction: exactly k literals"
    )
    p.add_argument(
        "--terms", type=types.positive_int, default=None, help="dnf/cnf: at most T terms/clauses"
    )
    p.add_argument("--monotone", action="store_true", help="monotone class (no negated literals)")
    p.add_argument(
        "--with-constants",
        action="store_true",
        help="conjunction/disjunction: allow contradictory literals (adds a constant)",
    )
    options.add_json(p)


def _certificate_options(p: argparse.ArgumentParser, certificate: str, time_limit: str) -> None:
    """``--certificate FILE`` and ``--time-limit S``, with their help texts."""
    p.add_argument("--certificate", type=types.path, default=None, help=certificate)
    p.add_argument("--time-limit", type=types.positive_float, default=None, help=time_limit)


def add_parsers(sub: Any) -> None:
    """Register the teaching sub-commands on an argparse sub-parser set."""
    p = sub.add_parser("teach", help="teaching sequence of a target: uniqueness, TD, certificate")
    _class_options(p)
    p.add_argument("--target", required=True, help="the target function, e.g. 'x1 & ~x3'")
    p.add_argument(
        "--construction",
        choices=options.CONSTRUCTIONS,
        default="paper",
        metavar="NAME",
        help="%(choices)s: the paper's closed form, a verified set grown from the solver's "
        "counterexamples and pruned, or a minimum set from the exact solver "
        "(default %(default)s)",
    )
    p.add_argument("--verify", action="store_true", help="check uniqueness with a SAT solver")
    p.add_argument(
        "--minimal",
        action="store_true",
        help="compute the exact teaching dimension and its certificate",
    )
    _certificate_options(
        p,
        certificate="write the minimality certificate (JSON) to this file (implies --minimal)",
        time_limit="seconds for each solver call; past it the answer is 'unknown'",
    )

    p = sub.add_parser(
        "td",
        help="teaching dimension of every concept of a small class: TD, RTD, PBTD, NCTD, STD",
    )
    _class_options(p, optional=True)
    p.add_argument(
        "--class-file",
        type=types.path,
        default=None,
        help="an explicit finite class instead of CLASS: a 0/1 matrix, concepts x points, "
        "as .json, .csv or .npy (see teaching/fixtures/)",
    )
    p.add_argument(
        "--parameters",
        type=_parameter_list,
        default=(),
        metavar="NAMES",
        help="also compute these, comma-separated: pbtd, nctd, std, vcd, or all",
    )
    p.add_argument(
        "--enumerate",
        action="store_true",
        help="list every concept and point (n <= 6) instead of one exact TD per orbit of the "
        "symmetric classes (conjunction, disjunction, parity, sparse_parity, majority); "
        "to cross-check",
    )
    _certificate_options(
        p,
        certificate="write a certificate of the figures (JSON) to this file (per orbit for "
        "the symmetric classes: each orbit's TD with its proof, the orbit sizes, the histogram; "
        "not RTD); `boolicl check-certificate` re-checks it",
        time_limit="seconds for TD/RTD, and again for each of NCTD and STD; past it the "
        "answer is 'unknown' with the bounds proved",
    )

    p = sub.add_parser("check-certificate", help="re-check a teaching certificate independently")
    p.add_argument(
        "file",
        type=types.path,
        help="certificate JSON written by `boolicl teach --certificate` or `boolicl td "
        "--certificate`",
    )
    options.add_json(p)


def _parameter_list(text: str) -> tuple[str, ...]:
    """``--parameters``: comma-separated names of :data:`teaching.parameters.PARAMETERS`, or
    ``all``."""
    from teaching.parameters import PARAMETERS

    names = [t.strip() for t in text.split(",") if t.strip()]
    if names == ["all"]:
        return PARAMETERS
    bad = [t for t in names if t not in PARAMETERS]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"must be comma-separated names among {', '.join(PARAMETERS)} (or all), "
            f"got {text!r}"
        )
    return tuple(dict.fromkeys(names))


def build_class(args: argparse.Namespace) -> Any:
    """The function class named by the class options."""
    from boolfun.classes import make_class

    name: str = args.cls
    params: dict[str, Any] = {}
    if args.monotone and name in ("conjunction", "disjunction"):
        name = f"monotone_{name}"
    elif args.monotone and name in ("dnf", "cnf"):
        params["monotone"] = True
    elif args.monotone and not name.startswith("monotone_"):
        raise ValueError(f"--monotone applies to conjunction, disjunction, dnf and cnf, not {name}")
    if args.k is not None:
        if name not in (
            "sparse_parity",
            "conjunction",
            "disjunction",
            "monotone_conjunction",
            "monotone_disjunction",
        ):
            raise ValueError(
                f"--k applies to sparse_parity and conjunction/disjunction, not {name}"
            )
        params["k"] = args.k
    elif name == "sparse_parity":
        raise ValueError("--k is required for sparse_parity")
    if args.terms is not None:
        if name not in ("dnf", "cnf"):
            raise ValueError(f"--terms applies to dnf and cnf, not {name}")
        params["terms"] = args.terms
    if args.with_constants:
        if "conjunction" not in name and "disjunction" not in name:
            raise ValueError(f"--with-constants applies to conjunction/disjunction, not {name}")
        params["with_constants"] = True
    return make_class(name, args.n, **params)


def _bits(x: Any) -> str:
    return "".join(str(int(b)) for b in x)


SHOWN_COMPETITORS = 10
"""Competitors of a certificate printed by ``teach`` (the file and ``--json`` hold all)."""


def cmd_teach(args: argparse.Namespace) -> int:
    from boolfun.parse import parse
    from teaching.certificate import make_certificate
    from teaching.construct import teaching_sequence
    from teaching.dimension import teaching_dimension
    from teaching.uniqueness import check_target, verify

    cls = build_class(args)
    target = check_target(parse(args.target, cls.n), cls)
    examples = teaching_sequence(target, cls, args.construction, time_limit=args.time_limit)
    out: dict[str, Any] = {
        "class": cls.short_name(),
        "n": cls.n,
        "target": str(target),
        "construction": args.construction,
        "size": len(examples),
        "examples": examples.to_json(),
    }
    if args.construction == "paper":
        from teaching.construct import paper_diagnosis

        diagnosis = paper_diagnosis(target, cls)
        if diagnosis is not None:
            out["diagnosis"] = diagnosis.to_json()
            out["diagnosis_problems"] = diagnosis.problems()
    if args.verify or args.minimal or args.certificate:
        out["uniqueness"] = verify(target, cls, examples, time_limit=args.time_limit).to_json()
    if args.minimal or args.certificate:
        # a certificate file needs proofs it can hold: no symmetry breaking then
        r = teaching_dimension(target, cls, time_limit=args.time_limit,
                               symmetric=not args.certificate)
        out["td"] = r.td
        out["td_status"] = r.status
        out["td_lower_bound"] = r.lower_bound
        out["minimal"] = None if r.td is None else len(examples) == r.td
        out["td_proof"] = r.proof
        if r.status == "exact" and r.proof != "symmetric_hitting":
            cert = make_certificate(r)
            out["certificate"] = {
                "kind": cert["proof"]["kind"],
                "competitors": cert["proof"]["competitors"],
            }
            if args.certificate:
                args.certificate.parent.mkdir(parents=True, exist_ok=True)
                args.certificate.write_text(json.dumps(cert, indent=2) + "\n")
                out["certificate_file"] = str(args.certificate)
        elif args.certificate and r.status != "exact":
            raise ValueError("--time-limit reached: no certificate (TD unknown)")
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"target {out['target']} in {out['class']} (n={cls.n}); construction {args.construction}")
    for row in out["examples"]:
        print(f"  {row['x']}  ->  {row['y']}")
    print(f"size: {out['size']}")
    for problem in out.get("diagnosis_problems", []):
        print(f"warning: {problem} (the per-term sequence may not teach; see 'unique' below)")
    if "uniqueness" in out:
        u = out["uniqueness"]
        line = f"unique: {u['status']} ({u['method']})"
        if u["status"] == "not_unique":
            line += f"; competitor {u['competitor']} differs at {u['witness']}"
        print(line)
    if "td" in out:
        td = out["td"] if out["td"] is not None else f"unknown (>= {out['td_lower_bound']})"
        verdict = {True: "minimal", False: "not minimal", None: "of unknown minimality"}
        print(f"TD: {td}; this set is {verdict[out['minimal']]}")
    if out.get("td_proof") == "symmetric_hitting":
        print("proof: symmetric_hitting (a refutation under the symmetry of the target's "
              "unused variables; --certificate FILE re-proves it without, for a checkable file)")
    if "certificate" in out:
        c = out["certificate"]
        print(f"certificate: {c['kind']} proof with {len(c['competitors'])} competitors")
        for h in c["competitors"][:SHOWN_COMPETITORS]:
            print(f"  {h}")
        if len(c["competitors"]) > SHOWN_COMPETITORS:
            rest = len(c["competitors"]) - SHOWN_COMPETITORS
            where = " (all in the certificate file)" if "certificate_file" in out else (
                " (--json or --certificate FILE lists all)")
            print(f"  ... and {rest} more{where}")
    if "certificate_file" in out:
        print(f"wrote {out['certificate_file']}")
    return 0


def cmd_td(args: argparse.Namespace) -> int:
    if (args.cls is None) == (args.class_file is None):
        raise ValueError("class_file: give either a CLASS (with --n) or --class-file")
    if args.cls is None:
        given = [f for f, v in (("--n", args.n), ("--k", args.k), ("--terms", args.terms),
                                ("--monotone", args.monotone),
                                ("--with-constants", args.with_constants),
                                ("--enumerate", args.enumerate)) if v]
        if given:
            raise ValueError(f"class_file: {given[0]} applies to a CLASS, not to a class file")
        return _finite_td(args, None)
    if args.n is None:
        raise ValueError("n: required with a CLASS")
    cls = build_class(args)
    from teaching.orbit_figures import supports

    per_orbit = supports(cls) and not args.enumerate
    if args.parameters or (args.certificate is not None and not per_orbit) or (
        args.time_limit is not None and not per_orbit
    ):
        return _finite_td(args, cls)
    from teaching.class_figures import figures

    cf = figures(cls, "orbits" if per_orbit else "enumeration", time_limit=args.time_limit)
    doc = cf.to_json()
    if args.certificate is not None:  # per orbit (teaching.orbit_certificate)
        from teaching.orbit_certificate import make_orbit_certificate

        try:
            cert = make_orbit_certificate(cf, args.time_limit)  # type: ignore[arg-type]
        except ValueError as e:
            raise ValueError(f"certificate: none written: {str(e).removeprefix('figs: ')}"
                             ) from None
        args.certificate.parent.mkdir(parents=True, exist_ok=True)
        args.certificate.write_text(json.dumps(cert, indent=2) + "\n")
        doc["certificate_file"] = str(args.certificate)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    if doc["method"] == "orbits":
        _print_orbits(doc)
        return 0
    print(
        f"{doc['class']} n={doc['n']}: {doc['size']} functions in {doc['orbit_count']} orbits "
        f"({doc['group']}); TD(C) = {doc['td_max']}, mean TD = {doc['td_mean']:.3f}, "
        f"RTD = {doc['rtd']}"
    )
    print("histogram: " + ", ".join(f"TD {k}: {v}" for k, v in doc["histogram"].items()))
    for c in doc["concepts"]:
        print(f"  {c['td']:>3}  {c['function']}")
    return 0


def _print_orbits(doc: dict[str, Any]) -> None:
    """The text table of ``td`` computed per orbit (:mod:`teaching.orbit_figures`)."""
    print(
        f"{doc['class']} n={doc['n']}: {doc['size']} functions in {doc['orbit_count']} orbits "
        f"under {doc['group']}"
    )
    status = doc["td_status"]
    lows = [o["td_bounds"][0] for o in doc["orbits"]]
    highs = [o["td_bounds"][1] for o in doc["orbits"]]
    known = None not in highs
    line = [
        _figure("TD(C)", doc["td_max"], [max(lows), max(highs) if known else "?"], status),
        _figure("min TD", doc["td_min"], [min(lows), min(h for h in highs if h is not None)
                                          if any(h is not None for h in highs) else "?"],
                status),
    ]
    if doc["td_mean"] is not None:
        line.append(f"mean TD = {doc['td_mean']:.3f}")
    rtd_bounds = ["?" if b is None else b for b in doc["rtd_bounds"]]
    line.append(_figure("RTD", doc["rtd"], rtd_bounds, doc["rtd_status"]))
    print("; ".join(line))
    if doc["histogram"] is not None:
        print("histogram: " + ", ".join(f"TD {k}: {v}" for k, v in doc["histogram"].items()))
    width = max(len("orbit"), *(len(o["description"]) for o in doc["orbits"]))
    print(f"{'orbit':<{width}}  {'size':>10}  {'TD':>5}  representative: teaching set")
    for o in doc["orbits"]:
        lo, hi = o["td_bounds"]
        td = o["td"] if o["td"] is not None else f"{lo}-{'?' if hi is None else hi}"
        shown = " ".join(f"{e['x']}={e['y']}" for e in o["examples"] or []) or "(none)"
        print(f"{o['description']:<{width}}  {o['size']:>10}  {td:>5}  "
              f"{o['representative']}: {shown}")
    print("teaching plan (RTD layers):")
    for layer in doc["plan"]:
        names = ", ".join(str(k) for k in layer["orbits"])
        print(f"  layer {layer['layer']} (TD {layer['td']}): orbits {names}")
    if "unknown" in (status, doc["rtd_status"]):
        print("time limit reached: the unknown figures are given with the bounds proved")
    if "certificate_file" in doc:
        print(f"wrote {doc['certificate_file']}")


def _finite_td(args: argparse.Namespace, cls: Any) -> int:
    """``td`` through the finite-class solver: a ``--class-file``, or the listed functions
    of CLASS when ``--parameters`` asks for it, or ``--time-limit`` or ``--certificate`` for a
    class without the orbit path (or with ``--enumerate``)."""
    from teaching.finite_certificate import make_finite_certificate
    from teaching.finite_class import FiniteClass, load_class_file
    from teaching.finite_teaching import finite_teaching
    from teaching.parameters import class_parameters

    if cls is None:
        fc = load_class_file(args.class_file)
    else:
        fc = FiniteClass.from_function_class(cls)
    ft = finite_teaching(fc, args.time_limit)
    params = class_parameters(ft, args.parameters, args.time_limit)
    doc = ft.to_json()
    if cls is not None:
        doc["class"], doc["n"] = cls.short_name(), cls.n
    doc["parameters"] = {name: r.to_json(fc) for name, r in params.items()}
    if args.certificate is not None:
        try:
            cert = make_finite_certificate(ft, params)
        except ValueError as e:
            raise ValueError(f"certificate: none written: {e}") from None
        args.certificate.parent.mkdir(parents=True, exist_ok=True)
        args.certificate.write_text(json.dumps(cert, indent=2) + "\n")
        doc["certificate_file"] = str(args.certificate)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        _print_finite(doc)
    return 0


def _figure(name: str, value: Any, bounds: list[int], status: str) -> str:
    """``NAME = v``, or ``NAME unknown, in [lo, hi]`` when a time limit cut it."""
    if status == "exact":
        return f"{name} = {value}"
    return f"{name} unknown, in [{bounds[0]}, {bounds[1]}]"


def _print_finite(doc: dict[str, Any]) -> None:
    """The text table of :func:`_finite_td`."""
    name = f"{doc['class']} n={doc['n']}" if "n" in doc else doc["class"]
    print(f"{name}: {doc['size']} concepts over {doc['points']} points")
    for m in doc["merged_duplicates"]:
        print(f"note: merged duplicate concepts: {', '.join(m['merged'])} = {m['kept']}")
    status = doc["td_status"]
    line = [
        _figure("TD(C)", doc["td_max"], doc["td_bounds"]["max"], status),
        _figure("min TD", doc["td_min"], doc["td_bounds"]["min"], status),
    ]
    if doc["td_mean"] is not None:
        line.append(f"mean TD = {doc['td_mean']:.3f}")
    line.append(_figure("RTD", doc["rtd"], doc["rtd_bounds"], doc["rtd_status"]))
    print("; ".join(line))
    if doc["histogram"] is not None:
        print("histogram: " + ", ".join(f"TD {k}: {v}" for k, v in doc["histogram"].items()))
    extra = []
    for name, p in doc["parameters"].items():
        extra.append(_figure(name.upper(), p["value"], p.get("bounds", [p["value"]] * 2),
                             p["status"]))
    if extra:
        print("; ".join(extra))
    if "unknown" in (status, doc["rtd_status"], *(p["status"] for p in doc["parameters"].values())):
        print("time limit reached: the unknown figures are given with the bounds proved")
    width = max(len("concept"), *(len(c["concept"]) for c in doc["concepts"]))
    print(f"{'concept':<{width}}  {'TD':>7}  teaching set")
    for c in doc["concepts"]:
        td = c["td"] if c["td"] is not None else "{}-{}".format(*c["td_bounds"])
        shown = " ".join(f"{e['x']}={e['y']}" for e in c["examples"]) or "(none)"
        print(f"{c['concept']:<{width}}  {td:>7}  {shown}")
    print("teaching plan (RTD layers):")
    for layer in doc["plan"]:
        names = ", ".join(c["concept"] for c in layer["concepts"])
        print(f"  layer {layer['layer']} (TD {layer['td']}): {names}")
    if doc["rtd_status"] != "exact":
        print("  ... (unfinished: time limit reached)")
    if "certificate_file" in doc:
        print(f"wrote {doc['certificate_file']}")


def cmd_check_certificate(args: argparse.Namespace) -> int:
    from teaching.certificate import check_certificate
    from teaching.finite_certificate import check_finite_certificate, is_finite_certificate

    if not args.file.exists():
        raise ValueError(f"file: no such certificate file {args.file}")
    if is_finite_certificate(args.file):
        res = check_finite_certificate(args.file)
    else:
        res = check_certificate(args.file)
    if args.json:
        print(json.dumps(res.to_json(), indent=2))
    else:
        print("valid" if res.valid else "INVALID")
        for name, ok in res.checks.items():
            print(f"  {name}: {'ok' if ok else 'FAILED'}")
        for e in res.errors:
            print(f"  error: {e}")
    return 0 if res.valid else 1


COMMANDS = {"teach": cmd_teach, "td": cmd_td, "check-certificate": cmd_check_certificate}
