"""Class figures (``boolicl td CLASS --n N``: TD of every concept, TD(C), histogram, RTD) per
orbit (:mod:`teaching.orbit_figures`) against the full enumeration
(:func:`teaching.class_figures.class_figures`, every concept and point listed, the baseline),
for the symmetric classes: the largest ``n`` each path finishes within a time limit per case,
and both times at the largest ``n`` both finish (ratio = enumeration s / orbits s). Also the
orbit path without RTD (TD of every orbit only).

Each case runs in a fresh interpreter killed at the limit (plus a grace period), ``n`` going
up from 3 until a case does not finish.

    python -m benchmarks.class_figures_orbits --out benchmarks/results/class_figures_orbits.json \\
        --markdown benchmarks/results/class_figures_orbits.md

``--classes majority --merge benchmarks/results/class_figures_orbits.json`` re-measures only
the named classes and keeps the other classes' rows (and runs) of that earlier result.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import machine, write_results

CLASSES = [  # (name, params)
    ("conjunction", {}),
    ("monotone_conjunction", {}),
    ("parity", {}),
    ("sparse_parity", {"k": 2}),
    ("majority", {}),
]

METHODS = ("enumeration", "orbits", "orbits_td_only")


def run_case(name: str, params: dict[str, Any], n: int, method: str, limit: float) -> dict:
    """One case in this interpreter: status ("exact" when every figure is) and seconds."""
    from boolfun.classes import make_class
    from teaching.class_figures import class_figures
    from teaching.orbit_figures import orbit_figures

    cls = make_class(name, n, **params)
    t0 = time.perf_counter()
    if method == "enumeration":
        try:
            cf = class_figures(cls)
        except ValueError as e:  # the listing's own limits (n, number of concepts)
            return {"status": "refused", "error": str(e), "seconds": 0.0}
        doc = cf.to_json()
        status = "exact"
    else:
        of = orbit_figures(cls, time_limit=limit, rtd=method == "orbits")
        doc = of.to_json(list_concepts=False)
        ok = of.td_status == "exact" and (method != "orbits" or of.rtd_status == "exact")
        status = "exact" if ok else "unknown"
    return {"status": status, "seconds": round(time.perf_counter() - t0, 3),
            "td_max": doc["td_max"], "rtd": doc["rtd"], "orbit_count": doc.get("orbit_count"),
            "size": doc["size"]}


def isolated(name: str, params: dict, n: int, method: str, limit: float, grace: float) -> dict:
    """:func:`run_case` in a fresh interpreter, killed after ``limit + grace`` seconds."""
    code = ("import json, sys; from benchmarks.class_figures_orbits import run_case; "
            f"print(json.dumps(run_case({name!r}, {params!r}, {n}, {method!r}, {limit})))")
    t0 = time.perf_counter()
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=limit + grace, check=False)
    except subprocess.TimeoutExpired:
        return {"status": "killed", "seconds": round(time.perf_counter() - t0, 3)}
    if out.returncode != 0:
        return {"status": "error", "error": out.stderr.strip().splitlines()[-1:],
                "seconds": round(time.perf_counter() - t0, 3)}
    r = json.loads(out.stdout.strip().splitlines()[-1])
    if r["status"] == "exact" and r["seconds"] > limit:
        r["status"] = "over_limit"
    return r


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--grace", type=float, default=30.0,
                        help="extra seconds before a case is killed")
    parser.add_argument("--max-n", type=int, default=16)
    parser.add_argument("--classes", default=",".join(c for c, _ in CLASSES),
                        help="comma-separated subset of the classes")
    parser.add_argument("--merge", type=Path,
                        help="an earlier result whose rows for the other classes are kept")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    wanted = args.classes.split(",")
    summary = []
    runs = []
    for name, params in CLASSES:
        if name not in wanted:
            continue
        best: dict[str, int | None] = {}
        times: dict[str, dict[int, float]] = {}
        for method in METHODS:
            best[method], times[method] = None, {}
            for n in range(3, args.max_n + 1):
                r = isolated(name, params, n, method, args.time_limit, args.grace)
                runs.append({"class": name, "params": params, "n": n, "method": method, **r})
                print(f"{name} n={n} {method}: {r['status']} {r['seconds']} s", file=sys.stderr)
                if r["status"] != "exact":
                    break
                best[method], times[method][n] = n, r["seconds"]
        common = [n for n in times["enumeration"] if n in times["orbits"]]
        at = max(common) if common else None
        row: dict[str, Any] = {"class": name, "params": params, **{
            f"max_n_{m}": best[m] for m in METHODS}, "common_n": at}
        if at is not None:
            e, o = times["enumeration"][at], times["orbits"][at]
            row |= {"enumeration_s": e, "orbits_s": o, "ratio": round(e / o, 2) if o else None}
        summary.append(row)
    result = {"machine": machine(["cpu"]), "settings": {
        "time_limit": args.time_limit, "grace": args.grace, "max_n": args.max_n},
        "summary": summary, "runs": runs}
    if args.merge is not None:
        result = merged(json.loads(args.merge.read_text()), result, wanted)
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def merged(old: dict[str, Any], new: dict[str, Any], rerun: list[str]) -> dict[str, Any]:
    """``old`` with the rows and runs of the classes ``rerun`` replaced by ``new``'s (in the
    order of :data:`CLASSES`); ``rerun`` records which were re-measured, and when."""
    order = [c for c, _ in CLASSES]
    summary = [r for r in old["summary"] if r["class"] not in rerun] + new["summary"]
    summary.sort(key=lambda r: order.index(r["class"]) if r["class"] in order else len(order))
    runs = [r for r in old["runs"] if r["class"] not in rerun] + new["runs"]
    runs.sort(key=lambda r: order.index(r["class"]) if r["class"] in order else len(order))
    return {**old, "summary": summary, "runs": runs, "rerun": {
        "classes": rerun, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": new["machine"], "settings": new["settings"]}}


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    s = result["settings"]
    lines = [
        "# Class figures per orbit against the full enumeration",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, one core per case, shared with other "
        f"work). Each case (TD of every concept, TD(C), histogram, RTD) runs in its own "
        f"interpreter with {s['time_limit']:g} s; n goes up from 3 to at most {s['max_n']} "
        "until a case does not finish (the enumeration also stops where it refuses: n > 6). "
        "Ratio = enumeration s / orbits s at the largest n both finish.",
        "",
    ]
    if "rerun" in result:
        rr = result["rerun"]
        lines += [f"Rows for {', '.join(rr['classes'])} re-measured {rr['date']} (same machine, "
                  f"shared with other work, {rr['settings']['time_limit']:g} s per case); the "
                  "other rows are from the earlier run.", ""]
    lines += [
        "| class | largest n: enumeration | orbits | orbits, TD only | common n | "
        "enumeration s | orbits s | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["summary"]:
        name = r["class"] + ("(" + ", ".join(f"{k}={v}" for k, v in r["params"].items()) + ")"
                             if r["params"] else "")
        lines.append(
            f"| {name} | {r['max_n_enumeration']} | {r['max_n_orbits']} | "
            f"{r['max_n_orbits_td_only']} | {r['common_n']} | {r.get('enumeration_s', '-')} | "
            f"{r.get('orbits_s', '-')} | {r.get('ratio', '-')} |"
        )
    lines += ["", "Every case:", "", "| class | n | method | status | seconds | orbits |",
              "|---|---:|---|---|---:|---:|"]
    for r in result["runs"]:
        lines.append(f"| {r['class']} | {r['n']} | {r['method']} | {r['status']} | "
                     f"{r['seconds']} | {r.get('orbit_count', '-')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
