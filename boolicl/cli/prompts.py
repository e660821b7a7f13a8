"""``boolicl tasks`` (the task registry) and ``boolicl sample`` (prompts to a file)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser("tasks", help="list the tasks with their default n and points")
    options.add_json(p, "the tasks")

    p = sub.add_parser("sample", help="sample prompts of a task into an .npz file")
    options.add_task(p)
    options.add_n(p)
    options.add_points(p)
    options.add_prompts(p, 1000)
    options.add_seed(p)
    options.add_task_params(p)
    options.add_device(p, "to sample on")
    options.add_input_options(p)
    p.add_argument(
        "--out",
        required=True,
        type=types.path,
        help="output .npz file (.npz is appended to another name)",
    )


def cmd_tasks(args: argparse.Namespace) -> int:
    from boolfun.tasks import TASKS

    rows = [
        {
            "name": t.name,
            "n": t.default_n,
            "points": t.default_points,
            "params": dict(t.params),
            "description": t.description,
        }
        for t in TASKS.values()
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(r["name"]) for r in rows)
    print(f"{'task':<{width}}  {'n':>3}  {'points':>6}  description")
    for r in rows:
        extra = " ".join(f"{k}={v}" for k, v in r["params"].items())
        desc = r["description"] + (f" [{extra}]" if extra else "")
        print(f"{r['name']:<{width}}  {r['n']:>3}  {r['points']:>6}  {desc}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from boolfun.samplers import sample_prompts, save_prompts

    prompts = sample_prompts(
        args.task,
        args.prompts,
        args.points,
        args.n,
        seed=args.seed,
        device=args.device,
        return_functions=True,
        **options.input_params(args),
        **options.task_params(args),
    )
    written = save_prompts(args.out, prompts, seed=args.seed)
    B, P, n = prompts.xs.shape
    print(
        f"wrote {written}: {B} prompts x {P} points, n={n}, "
        f"task {prompts.task}, seed {args.seed}, force {prompts.force}, p_one {prompts.p_one}"
    )
    return 0


COMMANDS = {"tasks": cmd_tasks, "sample": cmd_sample}
