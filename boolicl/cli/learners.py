"""``boolicl baselines``: classical learners (and trained runs) on a task's prompts: accuracy
per position, a table and a plot."""

from __future__ import annotations

import argparse
import json
from typing import Any

from boolicl.cli import options, types


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "baselines",
        help="classical in-context learners on a task's prompts: accuracy per position",
        description="Run classical learners on prompts of TASK (sampled, or read from "
        "--prompts-file) and report accuracy at every position with bootstrap intervals.",
    )
    options.add_task(p, "; it picks the default learners and the prior of `bayes`")
    options.add_n(p)
    options.add_points(p)
    options.add_prompts(p, None, "number of prompts (default 1000; with --prompts-file: all)")
    options.add_seed(p, "the prompts, of ffn / sampled bayes, and of the bootstrap")
    options.add_prompts_file(p, "evaluate on the xs / ys of this .npz instead of sampling")
    p.add_argument(
        "--learners",
        nargs="+",
        choices=options.LEARNERS,
        default=None,
        metavar="NAME",
        help="learners to run (default: those that apply to the task); choices: %(choices)s",
    )
    options.add_task_params(p)
    options.add_device(p)
    options.add_bootstrap(p)
    options.add_input_options(p, sampled_only=True)
    p.add_argument(
        "--runs",
        nargs="+",
        type=types.path,
        default=[],
        metavar="RUN",
        help="run folders of trained models (`boolicl train`) to score on the same prompts",
    )
    p.add_argument(
        "--bayes-samples",
        type=types.positive_int,
        default=4096,
        help="prior draws per prompt when bayes cannot enumerate the prior",
    )
    p.add_argument(
        "--bayes-position-samples",
        type=types.positive_int,
        default=256,
        help="draws per position and stratum of the conditioned bayes (conjunctions and "
        "disjunctions beyond enumeration)",
    )
    p.add_argument(
        "--out",
        type=types.path,
        default=None,
        help="the plot: a .png file, or a folder for <task>_n<n>.png "
        "(default boolicl-baselines/; with --json only when given)",
    )
    options.add_json(p)


def cmd_baselines(args: argparse.Namespace) -> int:
    from boolfun.samplers import load_prompts
    from boolicl.comparison import run_baselines
    from boolicl.plots import plot_curves, plot_path
    from boolicl.tables import table_markdown

    xs = ys = None
    if args.prompts_file is not None:
        try:
            file = load_prompts(args.prompts_file)
        except ValueError as e:
            raise ValueError(f"--prompts-file {e}") from None
        if file.task is not None and file.task != args.task:
            raise ValueError(
                f"task {args.task!r} contradicts --prompts-file, whose prompts are of task "
                f"{file.task!r}"
            )
        xs, ys = file.xs, file.ys
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
        bayes_position_samples=args.bayes_position_samples,
        params=options.task_params(args),
        progress=not args.json,
        force=args.force,
        p_one=args.p_one,
        runs=args.runs,
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
    if result["force"] is not None:
        source += f", force {result['force']}, p_one {result['p_one']}"
    print(
        f"{result['task']}: n={result['n']}, {result['points']} points, "
        f"{result['prompts']} prompts ({source}); accuracy at position i = after i examples"
    )
    print()
    print(table_markdown(result))
    print()
    print(f"wrote {plot}")
    return 0


COMMANDS = {"baselines": cmd_baselines}
