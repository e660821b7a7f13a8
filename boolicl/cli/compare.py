"""``boolicl compare``: models and learners on shared prompts, trained where missing
(:mod:`boolicl.compare`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="train models where missing and compare them with the learners on shared prompts",
        description="Train each model of --models on each task of --tasks (one run per seed, "
        "reusing matching runs of --runs), score them and the learners on one shared prompt "
        "set per task, and write table.md, table.csv, table.tex, one PNG per task and "
        "results.json to --out.",
    )
    p.add_argument("--tasks", type=types.name_list, required=True, metavar="T1,T2",
                   help="tasks (see `boolicl tasks`)")
    p.add_argument("--models", type=types.name_list, default=["transformer"], metavar="M1,M2",
                   help="backbones (default transformer; see `boolicl train --help`)")
    p.add_argument("--learners", type=types.name_list, default=None, metavar="L1,L2",
                   help="learners (default: every learner that applies to each task)")
    p.add_argument("--seeds", type=types.positive_int, default=1,
                   help="models per task and backbone, seeds 0..K-1, trained together")
    p.add_argument("--runs", type=types.path, default=None,
                   help="run folders to reuse and to train into (default OUT/runs)")
    p.add_argument("--threads", type=types.nonnegative_int, default=0,
                   help="torch CPU threads of each training (0: choose)")
    p.add_argument("--out", type=types.path, default=Path("boolicl-compare"),
                   help="output folder")
    options.add_experiment_options(p)
    options.add_json(p, "results.json")


def cmd_compare(args: argparse.Namespace) -> int:
    from boolicl.compare import check_out, plan_compare, run_compare, write_compare
    from boolicl.executors import make_executor
    from models.train import TrainingInterrupted

    out = check_out(args.out, args.overwrite)
    plan = plan_compare(
        args.tasks, args.models, args.learners, seeds=args.seeds, scale=args.scale,
        runs=args.runs, out=out, device=args.device, steps=args.steps, threads=args.threads,
    )
    progress = not args.no_progress and not args.json
    executor = make_executor(
        args.executor, address=args.ray_address, gpus_per_run=args.gpus_per_run,
        progress=progress,
    )
    try:
        result = run_compare(plan, executor=executor, prompts=args.prompts or 1000,
                             progress=progress)
    except TrainingInterrupted as e:
        print(f"boolicl compare: {e}; the same command goes on from there", file=sys.stderr)
        return 130
    finally:
        executor.close()
    written = write_compare(result, out)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print((out / "table.md").read_text())
        for path in written:
            print(f"wrote {path}")
    failed = [r for t in result["training"] for r in t["runs"] if r["error"]]
    if failed:
        print(f"boolicl compare: {len(failed)} run(s) failed; the tables mark them",
              file=sys.stderr)
        return 1
    return 0


COMMANDS = {"compare": cmd_compare}
