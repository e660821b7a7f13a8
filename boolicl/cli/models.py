"""``boolicl train`` and ``boolicl eval``: sequence models trained in context (:mod:`models`)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from typing import Any

from boolicl.cli import options, types


class ModelNames(options.Registry):
    """``--model``: a backbone of :data:`models.backbones.BACKBONES` (listed in help and
    errors), or ``hf:PATH``, a pretrained language model (:mod:`models.pretrained`; the library
    checks the path)."""

    def __contains__(self, item: object) -> bool:
        return (isinstance(item, str) and item.startswith("hf:")) or super().__contains__(item)


MODELS = ModelNames("models.backbones:BACKBONES")


def curriculum(text: str) -> tuple[int, int, int, int]:
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


def add_parsers(sub: Any) -> None:
    """``train`` and ``eval``: in-context models (:mod:`models.train`, :mod:`models.evaluate`)."""
    p = sub.add_parser(
        "train",
        help="train a sequence model in context on a task",
        description="Train MODEL on fresh prompts of TASK; the run folder --out gets "
        "config.json, model.safetensors, state.pt and metrics.jsonl, and an existing run there "
        "is resumed.",
    )
    options.add_task(p)
    p.add_argument(
        "--model",
        default="transformer",
        choices=MODELS,
        metavar="MODEL",
        help="backbone: %(choices)s (default %(default)s), or hf:PATH: a pretrained Hugging "
        "Face causal LM (a folder, or a name in the local HF cache; nothing is downloaded), "
        "frozen, with a trained MLP read-in and read-out",
    )
    p.add_argument(
        "--freeze",
        default=None,
        metavar="WHAT",
        help="hf:PATH only: all (default: only the read-in and read-out train) or all-but-ln "
        "(its LayerNorms train too)",
    )
    p.add_argument(
        "--init",
        default="pretrained",
        metavar="INIT",
        help="hf:PATH only: pretrained (default) or random / random:S: the control, the same "
        "architecture randomly initialised (seed S, default 0) and frozen",
    )
    options.add_n(p)
    options.add_points(p)
    sizes = "; hf:PATH: the model's own, which it must equal"
    p.add_argument("--layers", type=types.positive_int, default=None,
                   help=f"backbone layers (default 12{sizes})")
    p.add_argument("--width", type=types.positive_int, default=None,
                   help=f"model width d (default 256{sizes})")
    p.add_argument("--heads", type=types.positive_int, default=None,
                   help=f"attention heads (default 8{sizes})")
    p.add_argument("--batch", type=types.positive_int, default=64, help="prompts per step")
    p.add_argument("--lr", type=types.positive_float, default=1e-4, help="Adam learning rate")
    p.add_argument("--steps", type=types.positive_int, default=15000, help="training steps")
    p.add_argument("--warmup", type=types.nonnegative_int, default=0, help="warm-up steps")
    p.add_argument(
        "--schedule",
        choices=options.SCHEDULES,
        default="constant",
        metavar="NAME",
        help="learning rate after warm-up: %(choices)s (default %(default)s)",
    )
    options.add_seed(p, "the model's weights, the training prompts and the eval prompts")
    p.add_argument(
        "--seeds",
        type=types.seed_list,
        default=None,
        metavar="S1,S2,...",
        help="train one model per seed together in one batched step (0,1,2,3 or 0-3); each "
        "gets its own run folder OUT/seed-S, equal bit for bit to training it alone (on one "
        "CPU thread; to rounding on more)",
    )
    options.add_device(p, "to train on")
    p.add_argument(
        "--threads",
        type=types.nonnegative_int,
        default=0,
        help="torch CPU threads (default 0: one for small models, every core for large ones)",
    )
    p.add_argument(
        "--teach",
        default="none",
        help="none, all or mixed:P: prompts that start with the task's teaching sequence",
    )
    p.add_argument("--label-noise", type=types.noise_rate, default=0.0, help="training label flips")
    p.add_argument(
        "--pool", type=types.nonnegative_int, default=0, help="function pool (0 = fresh)"
    )
    p.add_argument(
        "--eval-every", type=types.nonnegative_int, default=100, help="steps between evals"
    )
    p.add_argument(
        "--target-accuracy",
        type=float,
        default=0.0,
        help="stop when eval accuracy at positions >= --target-from reaches this (0 = off)",
    )
    p.add_argument("--target-from", type=types.nonnegative_int, default=40)
    p.add_argument(
        "--max-seconds",
        type=types.positive_float,
        default=None,
        help="stop (with a checkpoint) after this much training time",
    )
    p.add_argument(
        "--precision",
        choices=options.PRECISIONS,
        default="auto",
        metavar="NAME",
        help="%(choices)s (default %(default)s: bf16 autocast on CUDA, fp32 elsewhere)",
    )
    p.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the model (on a CPU about 1.35x faster steps after about 100 s of "
        "compilation: worth it for runs of many minutes)",
    )
    p.add_argument(
        "--cuda-graph",
        action="store_true",
        help="record the training step in a CUDA graph and replay it (CUDA)",
    )
    p.add_argument("--dropout", type=types.dropout_rate, default=0.0, help="dropout rate in [0, 1)")
    for kind, what in (("points", "examples per prompt"), ("dims", "input dimensions")):
        p.add_argument(
            f"--curriculum-{kind}",
            type=curriculum,
            default=None,
            metavar="START:END:INC:EVERY",
            help=f"curriculum on {what}: grow from START by INC every EVERY steps up to END",
        )
    p.add_argument("--eval-prompts", type=types.positive_int, default=256, help="prompts per eval")
    p.add_argument(
        "--log-every", type=types.positive_int, default=10, help="steps between log lines"
    )
    p.add_argument("--checkpoint-every", type=types.nonnegative_int, default=500)
    p.add_argument("--out", type=types.path, required=True, help="run folder")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    options.add_json(p, "the summary")

    p = sub.add_parser(
        "eval",
        help="accuracy per position of a trained run",
        description="Score the model of RUN per position with bootstrap intervals on fresh "
        "prompts (or --prompts-file); --task / --n give out-of-distribution evaluation (n no "
        "larger than trained: fewer inputs are zero-padded).",
    )
    p.add_argument("run", type=types.path, help="run folder written by `boolicl train`")
    p.add_argument("--task", default=None, help="evaluation task (default: the run's)")
    options.add_n(p, help="input dimension (default: the run's; smaller n is zero-padded)")
    options.add_points(p)
    options.add_prompts(p, None, "number of prompts (default 1000; with --prompts-file: all)")
    options.add_prompts_file(p, "evaluate on this .npz")
    options.add_seed(p, "the prompts and of the bootstrap")
    p.add_argument(
        "--label-noise", type=types.noise_rate, default=0.0, help="in-context label flips"
    )
    options.add_input_options(p, sampled_only=True)
    options.add_bootstrap(p)
    options.add_device(p, "to evaluate on")
    options.add_json(p)


def cmd_train(args: argparse.Namespace) -> int:
    from models.config import TrainConfig
    from models.stack import train_stack
    from models.train import TrainingDiverged, TrainingInterrupted, train

    if args.seeds is not None and args.seed != 0:
        raise ValueError("seeds: give either --seed S or --seeds S1,S2,..., not both")
    config = TrainConfig(
        task=args.task,
        model=args.model,
        n=args.n,
        points=args.points,
        layers=args.layers,
        width=args.width,
        heads=args.heads,
        freeze=args.freeze,
        init=args.init,
        batch=args.batch,
        lr=args.lr,
        steps=args.steps,
        warmup=args.warmup,
        schedule=args.schedule,
        seed=args.seed if args.seeds is None else args.seeds[0],
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
        threads=args.threads,
        **curricula(args),
    )
    progress = not args.no_progress and not args.json
    busy_note(config)
    try:
        if args.seeds is None:
            summaries = [train(config, args.out, progress=progress, estimate=print_estimate)]
        else:
            configs = [replace(config, seed=s) for s in args.seeds]
            outs = [args.out / f"seed-{s}" for s in args.seeds]
            summaries = train_stack(configs, outs, progress=progress, estimate=print_estimate)
    except TrainingDiverged as e:
        print(f"boolicl train: error: {e}", file=sys.stderr)
        return 1
    except TrainingInterrupted as e:
        print(f"boolicl train: {e}", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(summaries[0] if args.seeds is None else summaries, indent=2))
    else:
        for summary in summaries:
            print(summary_line(summary, config.steps))
    return 1 if any(s.get("error") for s in summaries) else 0


def summary_line(summary: dict[str, Any], steps: int) -> str:
    """One line about a finished (or already finished) run."""
    out = summary["out"]
    if summary.get("error"):
        return f"{out}: error: {summary['error']}"
    if summary["final_loss"] is None:  # resumed at its last step: nothing left to do
        return f"{out}: already trained to step {summary['steps']} of {steps}"
    acc = summary["eval_accuracy"]
    speed = (
        f", {summary['steps_per_second']} steps/s"
        if summary.get("stack", 1) == 1
        else f", {summary['model_steps_per_second']} model-steps/s for {summary['stack']} models"
    )
    return (
        f"{out}: {summary['steps']} steps ({summary['stopped']}), loss "
        f"{summary['final_loss']:.4f}"
        + (f", eval accuracy at positions >= {summary['eval_from']}: {acc:.4f}" if acc else "")
        + speed
        + f", {summary['threads']} thread{'s' if summary['threads'] != 1 else ''}"
    )


def busy_note(config: Any) -> None:
    """Say (on stderr) when a run on several CPU threads starts on a machine whose cores are
    already busy: each step then waits for them, and one thread is often faster."""
    from models.threads import available_cores, training_threads

    if not config.device.startswith("cpu") or not hasattr(os, "getloadavg"):
        return
    threads, cores = training_threads(config), available_cores()
    load = os.getloadavg()[0]
    if threads > 1 and load >= cores - 0.5:
        print(
            f"boolicl train: the CPU is busy (load average {load:.1f} on {cores} cores): with "
            f"{threads} threads every step waits for busy cores, and --threads 1 is often "
            "faster on a busy machine",
            file=sys.stderr,
        )


LONG_RUN_SECONDS = 300.0
"""A run that will take longer than this says so when it has measured its speed."""


def print_estimate(e: dict[str, Any]) -> None:
    """Say (on stderr, above the progress bar) how long a long run will take."""
    from tqdm.auto import tqdm

    if e["seconds_left"] < LONG_RUN_SECONDS:
        return
    models = f" for {e['models']} models" if e["models"] > 1 else ""
    hint = (
        "; shorter: --max-seconds, fewer --steps, a smaller model (--layers, --width)"
        + (", or --device cuda" if e["device"] == "cpu" else "")
    )
    tqdm.write(
        f"boolicl train: about {duration(e['seconds_left'])} left for {e['remaining_steps']} "
        f"steps{models} at {e['steps_per_second']:.3g} steps/s on {e['device']} with "
        f"{e['threads']} thread{'s' if e['threads'] != 1 else ''} (measured over the first "
        f"steps){hint}",
        file=sys.stderr,
    )


def duration(seconds: float) -> str:
    """``seconds`` as ``1.2 h``, ``14 min`` or ``40 s``."""
    if seconds >= 5400:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 90:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def curricula(args: argparse.Namespace) -> dict[str, int]:
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


COMMANDS = {"train": cmd_train, "eval": cmd_eval}
