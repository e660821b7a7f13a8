"""Uniqueness for majorities, 0-1 thresholds and integer halfspaces: the integer program
(:mod:`teaching.integer_program`, OR-Tools CP-SAT) against the SAT encoding
(``verify(..., method="sat")``), on the same example sets, with a time limit per query.

Per class and ``n`` (12, 20, 28): paper-prior targets with the prompt's own points (the
paper's number of examples), and, at the ``--grow-sizes``, a set grown from them by adding each
CP-SAT witness with the target's label until CP-SAT proves uniqueness (or its limit or
``--max-grow`` steps are reached); both methods then verify the same grown set. "unknown" is
counted, never taken for an answer.

    python -m benchmarks.threshold_uniqueness --out benchmarks/results/threshold_uniqueness.json \\
        --markdown benchmarks/results/threshold_uniqueness.md
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.machine import machine, write_results
from boolfun.classes import make_class
from boolfun.samplers import sample_prompts
from teaching.examples import Examples
from teaching.uniqueness import verify

CLASSES = ("majority", "threshold", "halfspace")  # class name = task name (paper defaults)


def _timed(f: Any, cls: Any, ex: Examples, method: str, limit: float) -> tuple[str, float]:
    t0 = time.perf_counter()
    v = verify(f, cls, ex, time_limit=limit, method=method)
    return v.status, round(time.perf_counter() - t0, 3)


def _grow(f: Any, cls: Any, ex: Examples, limit: float, steps: int) -> tuple[Examples, str]:
    for _ in range(steps):
        v = verify(f, cls, ex, time_limit=limit, method="cp-sat")
        if v.status != "not_unique":
            return ex, v.status
        z = v.witness[None]
        ex = Examples(np.vstack([ex.xs, z]), np.append(ex.ys, f.evaluate(z)))
    return ex, "steps"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", type=int, default=3, help="targets per class and n")
    parser.add_argument("--classes", nargs="+", choices=CLASSES, default=list(CLASSES))
    parser.add_argument("--sizes", type=int, nargs="+", default=[12, 20, 28])
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per query")
    parser.add_argument("--grow-sizes", type=int, nargs="*", default=[12],
                        help="the n at which grown sets are also verified")
    parser.add_argument("--max-grow", type=int, default=60, help="witnesses added at most")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    rows = []
    for name in args.classes:
        for n in args.sizes:
            cls = make_class(name, n)
            p = sample_prompts(name, args.targets, n=n, seed=args.seed, return_functions=True)
            for f, xs, ys in zip(p.functions, np.asarray(p.xs), np.asarray(p.ys), strict=True):
                ex = Examples(xs.astype(np.uint8), ys.astype(np.uint8))
                sets = [("prompt", ex, None)]
                if n in args.grow_sizes:
                    t0 = time.perf_counter()
                    grown, why = _grow(f, cls, ex, args.time_limit, args.max_grow)
                    sets.append(("grown", grown, (why, round(time.perf_counter() - t0, 3))))
                for kind, s, grow in sets:
                    ip, ip_s = _timed(f, cls, s, "cp-sat", args.time_limit)
                    sat, sat_s = _timed(f, cls, s, "sat", args.time_limit)
                    row: dict[str, Any] = {
                        "class": cls.short_name(), "n": n, "target": str(f), "set": kind,
                        "examples": len(s), "cp_sat": ip, "cp_sat_seconds": ip_s,
                        "sat": sat, "sat_seconds": sat_s,
                    }
                    if grow is not None:
                        row["grow_end"], row["grow_seconds"] = grow
                    rows.append(row)
                    print(row, file=sys.stderr, flush=True)
    result = {"machine": machine(["cpu"]), "settings": vars(args) | {
        "out": str(args.out), "markdown": str(args.markdown)}, "results": rows}
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    m, st = result["machine"], result["settings"]
    rows = result["results"]
    lines = [
        "# Uniqueness of threshold-type targets: CP-SAT against SAT",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, busy with another benchmark; CP-SAT "
        f"with one worker). Time limit {st['time_limit']} s per query; {st['targets']} "
        f"paper-prior targets per class and n (seed {st['seed']}). `prompt`: the prompt's own "
        "points; `grown`: those plus CP-SAT witnesses until CP-SAT proves uniqueness. Ratio = "
        "SAT s / CP-SAT s (a lower bound where SAT is unknown).",
        "",
        "## Summary",
        "",
        "| class | n | set | queries | CP-SAT unique / not / unknown | SAT unique / not / "
        "unknown | verdicts differ (both known) | CP-SAT s (median) | SAT s (median) |",
        "|---|---:|---|---:|---|---|---:|---:|---:|",
    ]
    keys = sorted({(r["class"], r["n"], r["set"]) for r in rows},
                  key=lambda k: (CLASSES.index(k[0].split("(")[0]), k[1], k[2]))
    for c, n, kind in keys:
        g = [r for r in rows if (r["class"], r["n"], r["set"]) == (c, n, kind)]

        def counts(key: str, g: list[dict[str, Any]] = g) -> str:
            return " / ".join(str(sum(r[key] == s for r in g))
                              for s in ("unique", "not_unique", "unknown"))

        differ = sum(r["cp_sat"] != r["sat"] and "unknown" not in (r["cp_sat"], r["sat"])
                     for r in g)
        lines.append(
            f"| {c} | {n} | {kind} | {len(g)} | {counts('cp_sat')} | {counts('sat')} | "
            f"{differ} | {np.median([r['cp_sat_seconds'] for r in g]):.2f} | "
            f"{np.median([r['sat_seconds'] for r in g]):.2f} |"
        )
    lines += [
        "",
        "## Queries",
        "",
        "| class | n | target | set | examples | CP-SAT | s | SAT | s | ratio |",
        "|---|---:|---|---|---:|---|---:|---|---:|---:|",
    ]
    for r in rows:
        target = r["target"] if len(r["target"]) <= 50 else r["target"][:47] + "..."
        ratio = r["sat_seconds"] / max(r["cp_sat_seconds"], 1e-3)
        lines.append(
            f"| {r['class']} | {r['n']} | `{target}` | {r['set']} | {r['examples']} | "
            f"{r['cp_sat']} | {r['cp_sat_seconds']} | {r['sat']} | {r['sat_seconds']} | "
            f"{ratio:.1f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
