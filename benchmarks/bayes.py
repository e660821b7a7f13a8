"""The Bayes learner beyond enumeration (paper size, n = 28): accuracy and time of the
conditioned mode against the prior-sampling mode (the baseline, same prompts, same run) and
against elimination, on the tasks the conditioned mode covers.

    python -m benchmarks.bayes --out benchmarks/results/bayes.json \
        --markdown benchmarks/results/bayes.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import torch

from benchmarks.machine import machine, write_results
from boolfun.samplers import sample_prompts
from learners import BayesOptimal, make_learner

TASKS = ("conjunction", "monotone_conjunction", "disjunction", "sparse_disjunction")
POSITIONS = (0, 5, 10, 20, 40, 69)


def score(learner: Any, xs: torch.Tensor, ys: torch.Tensor) -> dict[str, Any]:
    """Mean accuracy, accuracy at :data:`POSITIONS`, seconds, and the empty-posterior rate."""
    t0 = time.perf_counter()
    out = learner.predict_full(xs, ys)
    seconds = time.perf_counter() - t0
    acc = (out.preds == ys).to(torch.float64).mean(0)
    return {
        "mean": round(float(acc.mean()), 4),
        "at": {p: round(float(acc[p]), 3) for p in POSITIONS if p < acc.shape[0]},
        "seconds": round(seconds, 2),
        "posterior_empty_rate": out.meta.get("posterior_empty_rate"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    info = machine(["cpu"])
    rows = []
    for task in args.tasks:
        s = sample_prompts(task, args.prompts, seed=args.seed)
        row = {"task": task, "n": s.n, "points": s.xs.shape[1], "prompts": args.prompts}
        row["elimination"] = score(make_learner("elimination", task), s.xs, s.ys)
        row["sampled"] = score(BayesOptimal(task, mode="sampled"), s.xs, s.ys)
        row["conditioned"] = score(BayesOptimal(task, mode="conditioned"), s.xs, s.ys)
        row["time_ratio"] = round(row["conditioned"]["seconds"] / row["sampled"]["seconds"], 1)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    command = " ".join(["python", "-m", "benchmarks.bayes", *(argv or sys.argv[1:])])
    result = {"machine": info, "command": command, "results": rows}
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    """One line per task and method with the machine named."""
    m = result["machine"]
    lines = [
        "# Bayes beyond enumeration (n = 28)",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['torch_threads']} threads). Command: `{result['command']}`.",
        "",
        "Sampled = 4096 prior draws per prompt (the baseline); conditioned = 2 x 256 draws per "
        "position from the prior restricted to the hypotheses that fit the earlier constraining "
        "examples (learners/bayes.py). Same prompts for all three.",
        "",
        "| task | method | mean | " + " | ".join(f"@{p}" for p in POSITIONS) + " | no draw fits "
        "| seconds |",
        "|---|---|---:|" + "---:|" * len(POSITIONS) + "---:|---:|",
    ]
    for r in result["results"]:
        for method in ("elimination", "sampled", "conditioned"):
            s = r[method]
            empty = s["posterior_empty_rate"]
            cells = " | ".join(str(s["at"].get(p, "-")) for p in POSITIONS)
            lines.append(
                f"| {r['task']} | {method} | {s['mean']} | {cells} | "
                f"{'-' if empty is None else f'{100 * empty:.1f}%'} | {s['seconds']} |"
            )
    lines += ["", "Time of conditioned / sampled: " + ", ".join(
        f"{r['task']} {r['time_ratio']}x" for r in result["results"]
    ) + "."]  # fmt: skip
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
