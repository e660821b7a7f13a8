"""``boolicl teach``, ``boolicl td`` and ``boolicl check-certificate``: teaching sets
(:mod:`teaching`) of the function classes of :mod:`boolfun.classes`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from boolicl.cli import options, types


def _class_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "cls",
        metavar="CLASS",
        choices=options.CLASSES,
        help="function class: %(choices)s",
    )
    options.add_n(p, required=True, help="number of variables")
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
        help="%(choices)s: the paper's closed form, or a minimum set from the exact solver "
        "(default %(default)s)",
    )
    p.add_argument("--verify", action="store_true", help="check uniqueness with a SAT solver")
    p.add_argument(
        "--minimal",
        action="store_true",
        help="compute the exact teaching dimension and its certificate",
    )
    p.add_argument(
        "--certificate",
        type=types.path,
        default=None,
        help="write the minimality certificate (JSON) to this file (implies --minimal)",
    )
    p.add_argument(
        "--time-limit",
        type=types.positive_float,
        default=None,
        help="seconds for each solver call; past it the answer is 'unknown'",
    )

    p = sub.add_parser("td", help="teaching dimension of every function of a small class")
    _class_options(p)

    p = sub.add_parser("check-certificate", help="re-check a teaching certificate independently")
    p.add_argument(
        "file", type=types.path, help="certificate JSON written by `boolicl teach --certificate`"
    )
    options.add_json(p)


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
        r = teaching_dimension(target, cls, time_limit=args.time_limit)
        out["td"] = r.td
        out["td_status"] = r.status
        out["td_lower_bound"] = r.lower_bound
        out["minimal"] = None if r.td is None else len(examples) == r.td
        if r.status == "exact":
            cert = make_certificate(r)
            out["certificate"] = {
                "kind": cert["proof"]["kind"],
                "competitors": cert["proof"]["competitors"],
            }
            if args.certificate:
                args.certificate.parent.mkdir(parents=True, exist_ok=True)
                args.certificate.write_text(json.dumps(cert, indent=2) + "\n")
                out["certificate_file"] = str(args.certificate)
        elif args.certificate:
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
    if "certificate" in out:
        c = out["certificate"]
        print(f"certificate: {c['kind']} proof with {len(c['competitors'])} competitors")
        for h in c["competitors"]:
            print(f"  {h}")
    if "certificate_file" in out:
        print(f"wrote {out['certificate_file']}")
    return 0


def cmd_td(args: argparse.Namespace) -> int:
    from teaching.class_figures import class_figures

    cf = class_figures(build_class(args))
    doc = cf.to_json()
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(
        f"{doc['class']} n={doc['n']}: {doc['size']} functions; TD(C) = {doc['td_max']}, "
        f"mean TD = {doc['td_mean']:.3f}, RTD = {doc['rtd']}"
    )
    print("histogram: " + ", ".join(f"TD {k}: {v}" for k, v in doc["histogram"].items()))
    for c in doc["concepts"]:
        print(f"  {c['td']:>3}  {c['function']}")
    return 0


def cmd_check_certificate(args: argparse.Namespace) -> int:
    from teaching.certificate import check_certificate

    if not args.file.exists():
        raise ValueError(f"file: no such certificate file {args.file}")
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
