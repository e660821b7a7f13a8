"""``boolicl demo``: the main job on CPU (:mod:`boolicl.demo`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="the main job on CPU: the tasks' table, and a tiny Transformer beside the "
        "learners on a few tasks",
        description="Sample every task and check its labels four ways (tasks.md, tasks.json, "
        "label_rate.png), then train a tiny Transformer in context on a few tasks and compare "
        "it with the classical learners on shared prompts (compare/, accuracy.png). A rerun "
        "into the same --out with the same settings reuses the trained models; a folder of "
        "other settings is refused before anything is written.",
    )
    p.add_argument("--out", type=types.path, default=Path("boolicl-demo"), help="output folder")
    options.add_prompts(
        p, 2000, "prompts per task of the tasks' table (the comparison's shared test prompts: "
        "at most 500)"
    )
    options.add_seed(p, "the prompts (the models train with seed 0)")
    p.add_argument("--steps", type=types.positive_int, default=None,
                   help="training steps of each tiny Transformer (default 1000)")
    p.add_argument("--no-models", action="store_true",
                   help="train no model: the learners alone (not with --steps)")
    options.add_json(p, "the tables")


def cmd_demo(args: argparse.Namespace) -> int:
    from boolicl.demo import DEMO_STEPS, run_demo
    from models.train import TrainingInterrupted

    if args.no_models and args.steps is not None:
        raise ValueError("--no-models trains nothing: leave out --steps")
    try:
        result = run_demo(
            args.out,
            prompts=args.prompts,
            seed=args.seed,
            progress=True,
            models=not args.no_models,
            steps=DEMO_STEPS if args.steps is None else args.steps,
        )
    except TrainingInterrupted as e:
        print(f"boolicl demo: {e}; the same command goes on from there", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(result["table_markdown"])
    print()
    print(result["compare_markdown"])
    for path in result["files"]:
        print(f"wrote {path}")
    return 0


COMMANDS = {"demo": cmd_demo}
