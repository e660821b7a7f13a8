"""How long it takes to prove the paper's teaching sequences minimum at the paper's sizes:
for 20 paper-prior targets per class and ``n``, the paper's construction, then
:func:`teaching.minimality.is_minimal` (one uniqueness query and the exact TD, symbolic above
n = 12), with a certificate written and re-checked (:mod:`teaching.certificate`, another SAT
solver). The issue's target: conjunction minimality at n = 64 in under 10 s.

    python -m benchmarks.paper_minimality --out benchmarks/results/paper_minimality.json \\
        --markdown benchmarks/results/paper_minimality.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results
from boolfun.classes import make_class
from boolfun.samplers import sample_prompts
from teaching.certificate import check_certificate, make_certificate
from teaching.construct import compact_construction, paper_construction
from teaching.minimality import is_minimal
from teaching.symbolic import symbolic_teaching_dimension

CASES = [  # (class, params, task, sizes, construction)
    ("conjunction", {}, "conjunction", (28, 64), "paper"),
    ("disjunction", {}, "disjunction", (28, 64), "paper"),
    ("monotone_conjunction", {}, "monotone_conjunction", (28, 64), "paper"),
    ("dnf", {"terms": 3, "monotone": True}, "monotone_dnf", (28,), "paper"),
    ("dnf", {"terms": 3, "monotone": True}, "monotone_dnf", (28,), "compact"),
    ("cnf", {"clauses": 3, "monotone": True}, "monotone_cnf", (28,), "compact"),
    ("majority", {}, "majority", (28,), "paper"),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per target")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for name, params, task, sizes, construction in CASES:
        for n in sizes:
            cls = make_class(name, n, **params)
            fs = sample_prompts(task, args.targets, 2, n, seed=5, return_functions=True)
            prove, check, minimal, decided, sizes_seen, missing = [], [], 0, 0, [], 0
            for f in fs.functions:
                build = compact_construction if construction == "compact" else paper_construction
                try:
                    ex = build(f, cls)
                except ValueError:  # no construction for this target (majority on > 9 vars)
                    missing += 1
                    continue
                t0 = time.perf_counter()
                m = is_minimal(f, cls, ex, time_limit=args.time_limit)
                prove.append(time.perf_counter() - t0)
                sizes_seen.append((len(ex), m.td))
                if m.minimal is not None:
                    decided += 1
                    minimal += bool(m.minimal)
                r = symbolic_teaching_dimension(f, cls, time_limit=args.time_limit,
                                                symmetric=False)  # certifiable proofs
                if r.status == "exact":
                    t0 = time.perf_counter()
                    ok = check_certificate(make_certificate(r)).valid
                    check.append(time.perf_counter() - t0)
                    if not ok:
                        raise SystemExit(f"certificate of {f} did not check")
            rows.append({
                "class": cls.short_name(), "n": n, "construction": construction,
                "targets": len(fs.functions), "no_construction": missing,
                "decided": decided, "minimal": minimal,
                "median_s": round(statistics.median(prove), 4) if prove else None,
                "max_s": round(max(prove), 4) if prove else None,
                "certificate_check_median_s": round(statistics.median(check), 4) if check
                else None,
                "extra_points": sum(s - t for s, t in sizes_seen if t is not None),
            })
    result = {"machine": machine(["cpu"]), "settings": vars(args) | {
        "out": str(args.out), "markdown": str(args.markdown)}, "results": rows}
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Minimality of the paper's teaching sequences at the paper's sizes",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, one core used). "
        f"{result['settings']['targets']} paper-prior targets per row (seed 5), "
        f"{result['settings']['time_limit']} s per target. `decided`: is_minimal answered "
        "(not unknown); `minimal`: the construction is minimum; `extra points`: construction "
        "size minus TD, summed; the certificate is written and re-checked by another solver.",
        "",
        "| class | n | construction | targets | no construction | decided | minimal | median s "
        "| max s | certificate check median s | extra points |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["results"]:
        lines.append(
            f"| {r['class']} | {r['n']} | {r['construction']} | {r['targets']} | "
            f"{r['no_construction']} | {r['decided']} | "
            f"{r['minimal']} | {r['median_s']} | {r['max_s']} | "
            f"{r['certificate_check_median_s']} | {r['extra_points']} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
