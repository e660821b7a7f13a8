"""The exact teaching dimension without listing the points (:mod:`teaching.symbolic`): per
class and ``n``, paper-prior targets solved with a time limit; the status (exact or unknown
with the bounds proved), the proof of the lower bound and the seconds. At ``n = 12`` the
truth-table solver (:func:`teaching.dimension.teaching_dimension` over the listed points) runs
on the same targets as the baseline: the ratio of their times.

    python -m benchmarks.symbolic_td --out benchmarks/results/symbolic_td.json \\
        --markdown benchmarks/results/symbolic_td.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results
from boolfun.classes import make_class
from boolfun.samplers import sample_prompts
from teaching.dimension import MAX_N, teaching_dimension
from teaching.symbolic import symbolic_teaching_dimension

CASES = [  # (class, params, task, sizes)
    ("conjunction", {}, "conjunction", (12, 28, 64)),
    ("disjunction", {}, "disjunction", (12, 28, 64)),
    ("monotone_conjunction", {}, "monotone_conjunction", (12, 28, 64)),
    ("dnf", {"terms": 3, "monotone": True}, "monotone_dnf", (12, 28)),
    ("cnf", {"clauses": 3, "monotone": True}, "monotone_cnf", (12, 28)),
    ("majority", {}, "majority", (12, 28)),
    ("sparse_parity", {"k": 2}, "sparse_parity", (12, 28)),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=3, help="targets per class and n")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for name, params, task, sizes in CASES:
        for n in sizes:
            cls = make_class(name, n, **params)
            fs = sample_prompts(task, args.targets, 2, n, seed=7, return_functions=True)
            for f in fs.functions:
                t0 = time.perf_counter()
                r = symbolic_teaching_dimension(f, cls, time_limit=args.time_limit)
                seconds = time.perf_counter() - t0
                row: dict[str, Any] = {
                    "class": cls.short_name(), "n": n, "target": str(r.target), "status": r.status,
                    "td": r.td, "lower": r.lower_bound, "upper": r.upper_bound,
                    "proof": r.proof, "upper_from": r.upper_from,
                    "competitors": len(r.competitors), "seconds": round(seconds, 3),
                }
                if n <= MAX_N:  # teaching_dimension lists the points up to MAX_N
                    t0 = time.perf_counter()
                    b = teaching_dimension(f, cls, time_limit=args.time_limit)
                    row["points_seconds"] = round(time.perf_counter() - t0, 3)
                    row["points_td"] = b.td
                rows.append(row)
    result = {"machine": machine(["cpu"]), "settings": vars(args) | {
        "out": str(args.out), "markdown": str(args.markdown)}, "results": rows}
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Exact teaching dimension without listing the points",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, one core used). Time limit "
        f"{result['settings']['time_limit']} s per target; paper-prior targets (seed 7). "
        "`unknown` rows give the bounds proved. At n = 12 the truth-table solver runs on the "
        "same targets (`points s`; ratio = points s / symbolic s).",
        "",
        "| class | n | target | status | TD or bounds | proof | upper from | competitors | "
        "symbolic s | points s | ratio |",
        "|---|---:|---|---|---|---|---|---:|---:|---:|---:|",
    ]
    for r in result["results"]:
        td = str(r["td"]) if r["td"] is not None else f"[{r['lower']}, {r['upper']}]"
        ps = r.get("points_seconds")
        ratio = f"{ps / r['seconds']:.1f}" if ps is not None and r["seconds"] else "-"
        target = r["target"] if len(r["target"]) <= 60 else r["target"][:57] + "..."
        lines.append(
            f"| {r['class']} | {r['n']} | `{target}` | {r['status']} | {td} | {r['proof']} | "
            f"{r['upper_from']} | {r['competitors']} | {r['seconds']} | "
            f"{'-' if ps is None else ps} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
