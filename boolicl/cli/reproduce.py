"""``boolicl reproduce PRESET``: an experiment of the paper as a comparison with a report
(:mod:`boolicl.reproduce`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "reproduce",
        help="run an experiment of Bhattamishra et al. (ICLR 2024) and write its REPORT.md",
        description="Train and compare what PRESET needs, then write the comparison's files "
        "and REPORT.md (the paper's claim, what this run found, the figures) to --out.",
    )
    p.add_argument("preset", choices=options.PRESETS, metavar="PRESET",
                   help="the experiment (an unknown name lists them)")
    p.add_argument("--out", type=types.path, required=True, help="output folder")
    p.add_argument("--tasks", type=types.name_list, default=None, metavar="T1,T2",
                   help="some of the preset's tasks only (default: all of them)")
    options.add_experiment_options(p)


def cmd_reproduce(args: argparse.Namespace) -> int:
    from boolicl.compare import check_out
    from boolicl.executors import make_executor
    from boolicl.reproduce import run_reproduce
    from models.train import TrainingInterrupted

    check_out(args.out, args.overwrite)  # before Ray starts
    progress = not args.no_progress
    executor = make_executor(
        args.executor, address=args.ray_address, gpus_per_run=args.gpus_per_run,
        progress=progress,
    )
    try:
        result = run_reproduce(
            args.preset, args.out, scale=args.scale, device=args.device, steps=args.steps,
            executor=executor, prompts=args.prompts, tasks=args.tasks, overwrite=args.overwrite,
            progress=progress,
        )
    except TrainingInterrupted as e:
        print(f"boolicl reproduce: {e}; the same command goes on from there", file=sys.stderr)
        return 130
    finally:
        executor.close()
    print(result["report"])
    print(f"wrote {args.out}/REPORT.md and the comparison's files")
    return 0


COMMANDS = {"reproduce": cmd_reproduce}
