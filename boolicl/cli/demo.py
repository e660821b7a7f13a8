"""``boolicl demo``: the main job on CPU (:mod:`boolicl.demo`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("demo", help="the main job on CPU: per-task table and plot")
    p.add_argument("--out", type=types.path, default=Path("boolicl-demo"), help="output folder")
    options.add_prompts(p, 2000, "prompts per task")
    options.add_seed(p, "everything")
    p.add_argument(
        "--model-steps",
        type=types.nonnegative_int,
        default=None,
        help="training steps of the tiny in-context Transformer (default 3000; 0: skip it)",
    )
    options.add_json(p, "the table")


def cmd_demo(args: argparse.Namespace) -> int:
    from boolicl.demo import run_demo

    result = run_demo(
        args.out,
        prompts=args.prompts,
        seed=args.seed,
        progress=True,
        **({} if args.model_steps is None else {"model_steps": args.model_steps}),
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(result["table_markdown"])
    print()
    print(result["learners_table_markdown"])
    print()
    for path in result["files"]:
        print(f"wrote {path}")
    return 0


COMMANDS = {"demo": cmd_demo}
