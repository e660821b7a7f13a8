"""Teaching benchmark: the exact teaching dimension by implicit hitting set (IHS) against the
enumeration solver, how far each class's exact TD goes within a time budget (the points
method to n = 12, and the symbolic search against it up to n = 64), and the issue's two
reference points (verify at n = 64; 3-term DNF TD at n = 8). ``--symbolic-only FILE`` runs
the symbolic sweep alone and adds it to an earlier result.

    python -m benchmarks.teaching --out benchmarks/results/teaching.json \
        --markdown benchmarks/results/teaching.md

Every timing is a ratio or a wall time measured in this run on this machine (one core).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import machine, write_results
from boolfun.classes import make_class
from boolfun.normal_forms import Conjunction
from boolfun.parse import parse
from boolfun.reference import draw_function
from teaching.constructions import conjunction_sequence
from teaching.dimension import teaching_dimension, teaching_dimension_by_enumeration
from teaching.uniqueness import verify

CLASSES = {
    # name: (make_class args, task whose prior draws targets)
    "conjunction": (("conjunction", {}), ("conjunction", {})),
    "dnf3": (("dnf", {"terms": 3}), ("dnf", {})),
    "sparse_parity2": (("sparse_parity", {"k": 2}), ("sparse_parity", {"k": 2})),
    "majority": (("majority", {}), ("majority", {})),
}


def targets(key: str, n: int, count: int, seed: int) -> list[Any]:
    """``count`` targets from the task's prior, constants excluded (at small n the paper's DNF
    prior often draws an empty term, i.e. the constant 1, whose TD in the 3-term class is the
    hardest instance; it is measured on its own in the reference points)."""
    (name, params), (task, tparams) = CLASSES[key]
    cls = make_class(name, n, **params)
    rng = np.random.default_rng(seed)
    out: list[Any] = []
    while len(out) < count:
        f = cls.coerce(draw_function(task, n, rng, **tparams))
        if f.relevant_variables():
            out.append(f)
    return cls, out


def ihs_vs_enumeration(ns: list[int], count: int, seed: int) -> list[dict[str, Any]]:
    rows = []
    for key in CLASSES:
        for n in ns:
            if key == "dnf3" and n > 4:
                continue  # enumerating 3-term DNFs at n = 5 lists 839k functions per target
            cls, fs = targets(key, n, count, seed)
            cls.enumerate()  # warm any cache outside the timing
            t0 = time.perf_counter()
            ihs = [teaching_dimension(f, cls).td for f in fs]
            t_ihs = time.perf_counter() - t0
            t0 = time.perf_counter()
            enum = [teaching_dimension_by_enumeration(f, cls) for f in fs]
            t_enum = time.perf_counter() - t0
            rows.append(
                {
                    "class": key,
                    "n": n,
                    "targets": count,
                    "agree": ihs == enum,
                    "ihs_s": round(t_ihs, 4),
                    "enumeration_s": round(t_enum, 4),
                    "speedup": round(t_enum / t_ihs, 2),
                    "td_mean": round(float(np.mean(ihs)), 3),
                }
            )
    return rows


def largest_n(budget: float, seed: int, max_n: int = 12) -> list[dict[str, Any]]:
    rows = []
    for key in CLASSES:
        best = None
        times = {}
        for n in range(3, max_n + 1):
            cls, (f,) = targets(key, n, 1, seed + n)
            t0 = time.perf_counter()
            r = teaching_dimension(f, cls, time_limit=budget)
            dt = time.perf_counter() - t0
            times[n] = {"seconds": round(dt, 3), "status": r.status, "td": r.td, "target": str(f)}
            if r.status != "exact" or dt > budget:
                break
            best = n
        rows.append({"class": key, "largest_n": best, "budget_s": budget, "runs": times})
    return rows


SYMBOLIC_SIZES = (*range(3, 13), 16, 20, 24, 28, 32, 48, 64)
"""The n of the symbolic sweep: every n to 12 (where the points method stops), then up."""


def largest_n_symbolic(budget: float, seed: int) -> list[dict[str, Any]]:
    """Per class, the largest n of :data:`SYMBOLIC_SIZES` up to which the symbolic search
    (:func:`teaching.symbolic.symbolic_teaching_dimension`) proves the exact TD of one
    paper-prior target per n within ``budget`` seconds (the first failure ends the sweep),
    beside the same sweep of the points method (n <= 12) on the same targets."""
    from teaching.dimension import MAX_N
    from teaching.symbolic import symbolic_teaching_dimension

    rows = []
    for key in CLASSES:
        best: dict[str, int | None] = {"symbolic": None, "points": None}
        times: dict[str, dict[int, Any]] = {"symbolic": {}, "points": {}}
        for method in ("symbolic", "points"):
            for n in SYMBOLIC_SIZES:
                if method == "points" and n > MAX_N:
                    break
                cls, (f,) = targets(key, n, 1, seed + n)
                t0 = time.perf_counter()
                if method == "symbolic":
                    r = symbolic_teaching_dimension(f, cls, time_limit=budget)
                else:
                    r = teaching_dimension(f, cls, time_limit=budget)
                dt = time.perf_counter() - t0
                times[method][n] = {"seconds": round(dt, 3), "status": r.status, "td": r.td,
                                    "lower": r.lower_bound, "upper": r.upper_bound,
                                    "target": str(f)}
                if r.status != "exact" or dt > budget:
                    break
                best[method] = n
        rows.append({"class": key, "budget_s": budget, "largest_n_symbolic": best["symbolic"],
                     "largest_n_points": best["points"], "runs": times})
    return rows


def reference_points(seed: int) -> dict[str, Any]:
    f = Conjunction(64, [1, -5, 9, -17, 33, -40, 64])
    cls = make_class("conjunction", 64)
    ex = conjunction_sequence(f)
    t0 = time.perf_counter()
    reps = 20
    for _ in range(reps):
        assert verify(f, cls, ex).unique
    t_verify = (time.perf_counter() - t0) / reps
    cls8, fs = targets("dnf3", 8, 5, seed)
    dnf = []
    for f8 in fs:
        t0 = time.perf_counter()
        r = teaching_dimension(f8, cls8)
        dnf.append(
            {
                "target": str(f8),
                "td": r.td,
                "seconds": round(time.perf_counter() - t0, 3),
                "iterations": r.iterations,
            }
        )
    constant = {}
    for n in (5, 6, 7):
        cls_c = make_class("dnf", n, terms=3)
        t0 = time.perf_counter()
        r = teaching_dimension(cls_c.coerce(parse("True", n)), cls_c, time_limit=60)
        constant[n] = {
            "td": r.td,
            "status": r.status,
            "seconds": round(time.perf_counter() - t0, 3),
        }
    return {
        "dnf3_constant_true_td": constant,
        "conjunction_verify_n64_s": round(t_verify, 5),
        "conjunction_verify_n64_size": len(ex),
        "dnf3_td_n8": dnf,
        "dnf3_td_n8_median_s": float(np.median([d["seconds"] for d in dnf])),
    }


def markdown(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    lines = [
        "# Teaching benchmark",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs), {m['platform']}, python {m['python']}; "
        "one core, pysat Hitman (RC2) master + Glucose 4 oracle.",
        "",
        f"Command: `{doc['command']}`",
        "",
        "## Exact TD: implicit hitting set vs enumeration (same targets, paper's prior)",
        "",
        "| class | n | targets | agree | IHS s | enumeration s | enumeration / IHS | mean TD |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in doc["ihs_vs_enumeration"]:
        lines.append(
            f"| {r['class']} | {r['n']} | {r['targets']} | {r['agree']} | {r['ihs_s']} | "
            f"{r['enumeration_s']} | {r['speedup']}x | {r['td_mean']} |"
        )
    lines += [
        "",
        f"## Largest n with exact TD within {doc['budget']} s (one paper-prior target per n)",
        "",
        "| class | largest n | seconds at each n |",
        "|---|---:|---|",
    ]
    for r in doc["largest_n"]:
        runs = ", ".join(
            f"{n}: {v['seconds']}{'' if v['status'] == 'exact' else ' (' + v['status'] + ')'}"
            for n, v in r["runs"].items()
        )
        lines.append(f"| {r['class']} | {r['largest_n']} | {runs} |")
    if doc.get("largest_n_symbolic"):
        sweep = doc["largest_n_symbolic"]
        lines += [
            "",
            f"## Largest n with exact TD within {sweep[0]['budget_s']} s: symbolic search vs "
            "listing the points (one paper-prior target per n, the same for both)",
            "",
            "| class | symbolic: largest n | points: largest n | symbolic s at each n |",
            "|---|---:|---:|---|",
        ]
        for r in sweep:
            runs = ", ".join(
                f"{n}: {v['seconds']}" + ("" if v["status"] == "exact"
                                          else f" ({v['status']} [{v['lower']}, {v['upper']}])")
                for n, v in r["runs"]["symbolic"].items()
            )
            lines.append(f"| {r['class']} | {r['largest_n_symbolic']} | "
                         f"{r['largest_n_points']} | {runs} |")
    ref = doc["reference_points"]
    lines += [
        "",
        "## Reference points",
        "",
        "- verify a 7-literal conjunction's construction "
        f"({ref['conjunction_verify_n64_size']} examples) "
        f"at n = 64: {ref['conjunction_verify_n64_s'] * 1000:.2f} ms (target: well under 1 s)",
        f"- exact TD of 3-term DNFs at n = 8 (5 paper-prior targets): median "
        f"{ref['dnf3_td_n8_median_s']:.2f} s (target: about 1 s); "
        + ", ".join(f"TD {d['td']} in {d['seconds']} s" for d in ref["dnf3_td_n8"]),
        "- the constant 1 in the 3-term DNF class (the hardest target met): "
        + ", ".join(
            f"n={n}: TD {v['td']} ({v['status']}, {v['seconds']} s)"
            for n, v in ref["dnf3_constant_true_td"].items()
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=10, help="targets per class and n")
    ap.add_argument("--budget", type=float, default=10.0, help="seconds for the largest-n search")
    ap.add_argument("--max-n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--symbolic-budget", type=float, default=60.0,
                    help="seconds per target in the symbolic-vs-points sweep")
    ap.add_argument("--symbolic-only", type=Path, default=None, metavar="JSON",
                    help="run only the symbolic sweep and add it to this earlier result")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()
    if args.symbolic_only is not None:
        import json

        doc = json.loads(args.symbolic_only.read_text())
        doc["largest_n_symbolic"] = largest_n_symbolic(args.symbolic_budget, args.seed)
        doc["symbolic_machine"] = machine(["cpu"])
        write_results(doc, markdown(doc), args.out, args.markdown)
        return
    doc = {
        "machine": machine(["cpu"]),
        "command": "python -m benchmarks.teaching "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if v is not None),
        "budget": args.budget,
        "ihs_vs_enumeration": ihs_vs_enumeration([3, 4, 5], args.targets, args.seed),
        "largest_n": largest_n(args.budget, args.seed, args.max_n),
        "largest_n_symbolic": largest_n_symbolic(args.symbolic_budget, args.seed),
        "reference_points": reference_points(args.seed),
    }
    write_results(doc, markdown(doc), args.out, args.markdown)


if __name__ == "__main__":
    main()
