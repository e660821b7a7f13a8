"""The ``boolicl`` command line.

Sub-commands: ``tasks`` (the task registry), ``sample`` (prompts to an .npz file),
``teach``, ``td`` and ``check-certificate`` (teaching sets; :mod:`models.teaching_cli`),
``baselines`` (classical learners on a task's prompts: per-position accuracy, table and plot;
:mod:`models.baselines`) and ``demo`` (the main job on CPU: tables and plots). Errors in
arguments exit with status 2 and a message naming the option.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from models import teaching_cli
from models.baselines import LEARNER_NAMES
from models.cli_types import nonnegative_int as _nonnegative_int
from models.cli_types import positive_int as _positive_int


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="boolicl",
        description="In-context learning of Boolean functions: exact functions, teaching sets, "
        "classical learners and sequence models.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("tasks", help="list the tasks with their default n and points")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser("sample", help="sample prompts of a task into an .npz file")
    p.add_argument("task", help="task name (see `boolicl tasks`)")
    p.add_argument("--n", type=_positive_int, default=None, help="input dimension")
    p.add_argument("--points", type=_positive_int, default=None, help="examples per prompt")
    p.add_argument("--prompts", type=_positive_int, default=1000, help="number of prompts")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="random seed")
    p.add_argument("--k", type=_positive_int, default=None, help="k of sparse tasks")
    p.add_argument(
        "--start",
        type=_nonnegative_int,
        default=None,
        help="random labels before copying (nearest_neighbour)",
    )
    p.add_argument("--device", default="cpu", help="torch device to sample on (cpu, cuda)")
    p.add_argument("--out", required=True, type=Path, help="output .npz file")

    p = sub.add_parser(
        "baselines",
        help="classical in-context learners on a task's prompts: accuracy per position",
        description="Run classical learners on prompts of TASK (sampled, or read from "
        "--prompts-file) and report accuracy at every position with bootstrap intervals.",
    )
    p.add_argument(
        "task",
        help="task name (see `boolicl tasks`); it picks the default "
        "learners and the prior of `bayes`",
    )
    p.add_argument("--n", type=_positive_int, default=None, help="input dimension")
    p.add_argument("--points", type=_positive_int, default=None, help="examples per prompt")
    p.add_argument(
        "--prompts",
        type=_positive_int,
        default=None,
        help="number of prompts (default 1000; with --prompts-file: all)",
    )
    p.add_argument(
        "--seed",
        type=_nonnegative_int,
        default=0,
        help="seed of the prompts, of ffn / sampled bayes, and of the bootstrap",
    )
    p.add_argument(
        "--prompts-file",
        type=Path,
        default=None,
        help="evaluate on the xs / ys of this .npz instead of sampling",
    )
    p.add_argument(
        "--learners",
        nargs="+",
        choices=LEARNER_NAMES,
        default=None,
        metavar="NAME",
        help=f"learners to run (default: those that apply to the task); "
        f"choices: {', '.join(LEARNER_NAMES)}",
    )
    p.add_argument("--k", type=_positive_int, default=None, help="k of sparse tasks")
    p.add_argument(
        "--start",
        type=_positive_int,
        default=None,
        help="random labels before copying (nearest_neighbour)",
    )
    p.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    p.add_argument(
        "--bootstrap",
        type=_positive_int,
        default=1000,
        help="bootstrap resamples for the intervals",
    )
    p.add_argument(
        "--bayes-samples",
        type=_positive_int,
        default=4096,
        help="prior draws per prompt when bayes cannot enumerate the prior",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the plot: a .png file, or a folder for <task>_n<n>.png "
        "(default boolicl-baselines/; with --json only when given)",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")

    teaching_cli.add_parsers(sub)

    p = sub.add_parser("demo", help="the main job on CPU: per-task table and plot")
    p.add_argument("--out", type=Path, default=Path("boolicl-demo"), help="output folder")
    p.add_argument("--prompts", type=_positive_int, default=2000, help="prompts per task")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="random seed")
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    return parser


def _task_params(args: argparse.Namespace) -> dict:
    return {k: v for k, v in (("k", args.k), ("start", args.start)) if v is not None}


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
    import numpy as np

    from boolfun.samplers import sample_prompts
    from models.baselines import check_device

    check_device(args.device)
    prompts = sample_prompts(
        args.task,
        args.prompts,
        args.points,
        args.n,
        seed=args.seed,
        device=args.device,
        return_functions=True,
        **_task_params(args),
    )
    xs, ys = prompts.numpy()
    if prompts.functions is None:
        functions = np.array([""] * len(xs))
    else:
        functions = np.array([str(f) for f in prompts.functions])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        xs=xs,
        ys=ys,
        functions=functions,
        task=np.array(prompts.task),
        n=np.array(prompts.n),
        seed=np.array(args.seed),
    )
    print(
        f"wrote {args.out}: {xs.shape[0]} prompts x {xs.shape[1]} points, n={xs.shape[2]}, "
        f"task {prompts.task}, seed {args.seed}"
    )
    return 0


def cmd_baselines(args: argparse.Namespace) -> int:
    from models.baselines import (
        load_prompts_file,
        plot_curves,
        plot_path,
        run_baselines,
        table_markdown,
    )

    xs = ys = None
    if args.prompts_file is not None:
        if not args.prompts_file.is_file():
            raise ValueError(f"--prompts-file {args.prompts_file} does not exist")
        xs, ys, _ = load_prompts_file(args.prompts_file)
    result = run_baselines(
        args.task,
        n=args.n,
        points=args.points,
        prompts=args.prompts if xs is not None else (args.prompts or 1000),
        seed=args.seed,
        learners=args.learners,
        xs=xs,
        ys=ys,
        device=args.device,
        resamples=args.bootstrap,
        bayes_samples=args.bayes_samples,
        params=_task_params(args),
        progress=not args.json,
    )
    if args.prompts_file is not None:
        result["prompts_file"] = str(args.prompts_file)
    plot = None
    if not args.json or args.out is not None:
        plot = plot_path(args.out, result)
        plot.parent.mkdir(parents=True, exist_ok=True)
        plot_curves(result, plot)
        result["plot"] = str(plot)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    source = f"from {args.prompts_file}" if args.prompts_file else f"sampled, seed {args.seed}"
    print(
        f"{result['task']}: n={result['n']}, {result['points']} points, "
        f"{result['prompts']} prompts ({source}); accuracy at position i = after i examples"
    )
    print()
    print(table_markdown(result))
    print()
    print(f"wrote {plot}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import run_demo

    result = run_demo(args.out, prompts=args.prompts, seed=args.seed, progress=True)
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


COMMANDS = {
    "tasks": cmd_tasks,
    "sample": cmd_sample,
    "baselines": cmd_baselines,
    **teaching_cli.COMMANDS,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``boolicl`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ValueError as e:
        parser.exit(2, f"boolicl {args.command}: error: {e}\n")
    return 0  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
