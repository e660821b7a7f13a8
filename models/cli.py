"""The ``boolicl`` command line.

Sub-commands: ``tasks`` (the task registry), ``sample`` (prompts to an .npz file),
``teach``, ``td`` and ``check-certificate`` (teaching sets; :mod:`models.teaching_cli`),
``baselines`` (classical learners on a task's prompts: per-position accuracy, table and plot;
:mod:`models.baselines`), ``train`` / ``eval`` (in-context models; :mod:`models.train`,
:mod:`models.evaluate`) and ``demo`` (the main job on CPU: tables and plots). Errors in
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
from models.cli_types import dropout_rate as _dropout_rate
from models.cli_types import noise_rate as _noise_rate
from models.cli_types import nonnegative_int as _nonnegative_int
from models.cli_types import open_probability as _open_probability
from models.cli_types import positive_int as _positive_int
from models.cli_types import probability as _probability
from models.config import MODELS


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
    _add_input_options(p)
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
    _add_input_options(p, sampled_only=True)
    p.add_argument(
        "--runs",
        nargs="+",
        type=Path,
        default=[],
        metavar="RUN",
        help="run folders of trained models (`boolicl train`) to score on the same prompts",
    )
    p.add_argument(
        "--bayes-samples",
        type=_positive_int,
        default=4096,
        help="prior draws per prompt when bayes cannot enumerate the prior",
    )
    p.add_argument(
        "--bayes-position-samples",
        type=_positive_int,
        default=256,
        help="draws per position and stratum of the conditioned bayes (conjunctions and "
        "disjunctions beyond enumeration)",
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

    _add_train_parsers(sub)

    p = sub.add_parser("demo", help="the main job on CPU: per-task table and plot")
    p.add_argument("--out", type=Path, default=Path("boolicl-demo"), help="output folder")
    p.add_argument("--prompts", type=_positive_int, default=2000, help="prompts per task")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="random seed")
    p.add_argument(
        "--model-steps",
        type=_nonnegative_int,
        default=None,
        help="training steps of the tiny in-context Transformer (default 3000; 0: skip it)",
    )
    p.add_argument("--json", action="store_true", help="print the table as JSON")
    return parser


def _add_input_options(p: argparse.ArgumentParser, sampled_only: bool = False) -> None:
    """``--force`` and ``--p-one``: an out-of-distribution input distribution for sampled
    prompts (:func:`boolfun.samplers.sample_prompts`); ``sampled_only``: not with
    ``--prompts-file``."""
    note = " (not with --prompts-file)" if sampled_only else ""
    p.add_argument(
        "--force",
        type=_probability,
        default=None,
        metavar="Q",
        help="forcing probability in [0, 1] instead of the task's (conjunction, disjunction, "
        f"dnf, cnf tasks; others accept only 0){note}",
    )
    p.add_argument(
        "--p-one",
        type=_open_probability,
        default=None,
        metavar="P",
        help=f"probability in (0, 1) that an input bit is 1 before forcing (default 0.5){note}",
    )


def _curriculum(text: str) -> tuple[int, int, int, int]:
    """``START:END:INCREMENT:EVERY`` (integers; START >= 1, START <= END, INCREMENT and EVERY
    >= 1): the prompt size grows from START by INCREMENT every EVERY steps up to END."""
    parts = text.split(":")
    try:
        start, end, inc, every = (int(v) for v in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be START:END:INCREMENT:EVERY (four integers), got {text!r}"
        ) from None
    if not (1 <= start <= end and inc >= 1 and every >= 1):
        raise argparse.ArgumentTypeError(
            f"needs 1 <= START <= END, INCREMENT >= 1 and EVERY >= 1, got {text!r}"
        )
    return start, end, inc, every


def _add_train_parsers(sub: argparse._SubParsersAction) -> None:
    """``train`` and ``eval``: in-context models (:mod:`models.train`, :mod:`models.evaluate`)."""
    from models.cli_types import positive_float

    p = sub.add_parser(
        "train",
        help="train a sequence model in context on a task",
        description="Train MODEL on fresh prompts of TASK; the run folder --out gets "
        "config.json, model.safetensors, state.pt and metrics.jsonl, and an existing run there "
        "is resumed.",
    )
    p.add_argument("task", help="task name (see `boolicl tasks`)")
    p.add_argument("--model", default="transformer", choices=MODELS, help="backbone")
    p.add_argument("--n", type=_positive_int, default=None, help="input dimension")
    p.add_argument("--points", type=_positive_int, default=None, help="examples per prompt")
    p.add_argument("--layers", type=_positive_int, default=12, help="backbone layers")
    p.add_argument("--width", type=_positive_int, default=256, help="model width d")
    p.add_argument("--heads", type=_positive_int, default=8, help="attention heads")
    p.add_argument("--batch", type=_positive_int, default=64, help="prompts per step")
    p.add_argument("--lr", type=positive_float, default=1e-4, help="Adam learning rate")
    p.add_argument("--steps", type=_positive_int, default=15000, help="training steps")
    p.add_argument("--warmup", type=_nonnegative_int, default=0, help="warm-up steps")
    p.add_argument("--schedule", choices=("constant", "cosine"), default="constant")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="random seed")
    p.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    p.add_argument(
        "--teach",
        default="none",
        help="none, all or mixed:P: prompts that start with the task's teaching sequence",
    )
    p.add_argument("--label-noise", type=_noise_rate, default=0.0, help="training label flips")
    p.add_argument("--pool", type=_nonnegative_int, default=0, help="function pool (0 = fresh)")
    p.add_argument("--eval-every", type=_nonnegative_int, default=100, help="steps between evals")
    p.add_argument(
        "--target-accuracy",
        type=float,
        default=0.0,
        help="stop when eval accuracy at positions >= --target-from reaches this (0 = off)",
    )
    p.add_argument("--target-from", type=_nonnegative_int, default=40)
    p.add_argument(
        "--max-seconds",
        type=positive_float,
        default=None,
        help="stop (with a checkpoint) after this much training time",
    )
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    p.add_argument("--compile", action="store_true", help="torch.compile the model (CUDA)")
    p.add_argument(
        "--cuda-graph",
        action="store_true",
        help="record the training step in a CUDA graph and replay it (CUDA)",
    )
    p.add_argument("--dropout", type=_dropout_rate, default=0.0, help="dropout rate in [0, 1)")
    for kind, what in (("points", "examples per prompt"), ("dims", "input dimensions")):
        p.add_argument(
            f"--curriculum-{kind}",
            type=_curriculum,
            default=None,
            metavar="START:END:INC:EVERY",
            help=f"curriculum on {what}: grow from START by INC every EVERY steps up to END",
        )
    p.add_argument("--eval-prompts", type=_positive_int, default=256, help="prompts per eval")
    p.add_argument("--log-every", type=_positive_int, default=10, help="steps between log lines")
    p.add_argument("--checkpoint-every", type=_nonnegative_int, default=500)
    p.add_argument("--out", type=Path, required=True, help="run folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = sub.add_parser(
        "eval",
        help="accuracy per position of a trained run",
        description="Score the model of RUN per position with bootstrap intervals on fresh "
        "prompts (or --prompts-file); --task / --n give out-of-distribution evaluation (n no "
        "larger than trained: fewer inputs are zero-padded).",
    )
    p.add_argument("run", type=Path, help="run folder written by `boolicl train`")
    p.add_argument("--task", default=None, help="evaluation task (default: the run's)")
    p.add_argument("--n", type=_positive_int, default=None, help="input dimension")
    p.add_argument("--points", type=_positive_int, default=None, help="examples per prompt")
    p.add_argument("--prompts", type=_positive_int, default=None, help="number of prompts")
    p.add_argument("--prompts-file", type=Path, default=None, help="evaluate on this .npz")
    p.add_argument("--seed", type=_nonnegative_int, default=0, help="prompt/bootstrap seed")
    p.add_argument("--label-noise", type=_noise_rate, default=0.0, help="in-context label flips")
    _add_input_options(p, sampled_only=True)
    p.add_argument("--bootstrap", type=_positive_int, default=1000, help="bootstrap resamples")
    p.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_train(args: argparse.Namespace) -> int:
    from models.config import TrainConfig
    from models.train import TrainingDiverged, train

    config = TrainConfig(
        task=args.task,
        model=args.model,
        n=args.n,
        points=args.points,
        layers=args.layers,
        width=args.width,
        heads=args.heads,
        batch=args.batch,
        lr=args.lr,
        steps=args.steps,
        warmup=args.warmup,
        schedule=args.schedule,
        seed=args.seed,
        device=args.device,
        teach=args.teach,
        label_noise=args.label_noise,
        pool=args.pool,
        eval_every=args.eval_every,
        target_accuracy=args.target_accuracy,
        target_from=args.target_from,
        max_seconds=args.max_seconds or 0.0,
        precision=args.precision,
        compile=args.compile,
        cuda_graph=args.cuda_graph,
        dropout=args.dropout,
        eval_prompts=args.eval_prompts,
        log_every=args.log_every,
        checkpoint_every=args.checkpoint_every,
        **_curricula(args),
    )
    try:
        summary = train(config, args.out, progress=not args.no_progress and not args.json)
    except TrainingDiverged as e:
        print(f"boolicl train: error: {e}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    acc = summary["eval_accuracy"]
    print(
        f"{args.out}: {summary['steps']} steps ({summary['stopped']}), loss "
        f"{summary['final_loss']:.4f}"
        + (f", eval accuracy at positions >= {summary['eval_from']}: {acc:.4f}" if acc else "")
        + f", {summary['steps_per_second']} steps/s"
    )
    return 0


def _curricula(args: argparse.Namespace) -> dict[str, int]:
    """The ``curriculum_*`` config fields of ``--curriculum-points`` / ``--curriculum-dims``."""
    out = {}
    for kind in ("points", "dims"):
        value = getattr(args, f"curriculum_{kind}")
        if value is not None:
            keys = ("start", "end", "increment", "interval")
            out.update({f"curriculum_{kind}_{k}": v for k, v in zip(keys, value, strict=True)})
    return out


def cmd_eval(args: argparse.Namespace) -> int:
    from models.evaluate import evaluate_run

    result = evaluate_run(
        args.run,
        task=args.task,
        n=args.n,
        points=args.points,
        prompts=args.prompts,
        seed=args.seed,
        prompts_file=args.prompts_file,
        label_noise=args.label_noise,
        device=args.device,
        resamples=args.bootstrap,
        force=args.force,
        p_one=args.p_one,
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(
        f"{args.run} ({result['name']}) on {result['task']}: n={result['n']}, "
        f"{result['points']} points, {result['prompts']} prompts; mean accuracy {result['mean']}"
    )
    for i in sorted({0, 5, 10, 20, 40, result["points"] - 1}):
        if i < result["points"]:
            print(
                f"  position {i:>3}: {result['per_position'][i]:.4f} "
                f"[{result['ci_low'][i]:.4f}, {result['ci_high'][i]:.4f}]"
            )
    return 0


def _input_params(args: argparse.Namespace) -> dict:
    """``force`` / ``p_one`` of ``--force`` / ``--p-one`` when given."""
    return {k: v for k, v in (("force", args.force), ("p_one", args.p_one)) if v is not None}


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
    from models.baselines import check_device, name_option

    check_device(args.device)
    try:
        prompts = sample_prompts(
            args.task,
            args.prompts,
            args.points,
            args.n,
            seed=args.seed,
            device=args.device,
            return_functions=True,
            **_input_params(args),
            **_task_params(args),
        )
    except ValueError as e:
        raise ValueError(name_option(str(e), ("force", "p_one"))) from None
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
        force=np.array(prompts.force),
        p_one=np.array(prompts.p_one),
    )
    print(
        f"wrote {args.out}: {xs.shape[0]} prompts x {xs.shape[1]} points, n={xs.shape[2]}, "
        f"task {prompts.task}, seed {args.seed}, force {prompts.force}, p_one {prompts.p_one}"
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
        bayes_position_samples=args.bayes_position_samples,
        params=_task_params(args),
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


def cmd_demo(args: argparse.Namespace) -> int:
    from models.demo import run_demo

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


COMMANDS = {
    "tasks": cmd_tasks,
    "sample": cmd_sample,
    "baselines": cmd_baselines,
    **teaching_cli.COMMANDS,
    "train": cmd_train,
    "eval": cmd_eval,
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
