"""Training speed of the in-context models: steps per second at paper scale (conjunction,
n = 28, 70 points, batch 64, d = 256, 8 heads, 12 layers) for every backbone, and the time to
reach 0.99 accuracy at positions >= 40.

CPU: our step (:func:`models.train.train`: on-device vectorised sampling, fp32) against an
unoptimised baseline step of the same model in the same run (prompts from the per-example
reference sampler :func:`boolfun.reference.reference_prompts`, copied in, plain Adam step) —
the ratio is what our code gains on a CPU.

GPU (when available): absolute steps/s of every step ``mode`` — ``eager`` (bf16 autocast,
fused Adam), ``graph`` (the whole step replayed from a CUDA graph, :mod:`models.steps`),
``compile`` and ``compile+graph`` — measured differentially: two runs of ``S`` and ``2S``
steps, rate ``S / (t_2S - t_S)``, so compilation and capture cancel out. Target
runs (``--target MODE:BATCH:LR:WARMUP``) train the Transformer for at most ``--target-seconds``
and stop when the accuracy at positions >= 40 on 512 fixed prompts reaches ``--target-accuracy``;
their time includes every evaluation, the compilation and the capture.

    python -m benchmarks.train_speed --steps 3 --out benchmarks/results/train_speed.json \
        --markdown benchmarks/results/train_speed.md
    python -m benchmarks.train_speed --device cuda --modes eager graph --steps 20 \
        --target graph:64:1e-4:0 --target graph:256:3e-4:200 --target-seconds 120
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from benchmarks.machine import machine, write_results
from models.backbones import BACKBONES
from models.config import TrainConfig
from models.stack import train_stack
from models.threads import available_cores
from models.train import train
from models.wrapper import InContextModel

PAPER = dict(task="conjunction", n=28, points=70, width=256, heads=8, layers=12, batch=64, lr=1e-4)
SIZES = {
    "tiny": dict(
        task="conjunction", n=8, points=16, width=32, heads=2, layers=2, batch=16, lr=1e-3
    ),
    # the README's example: boolicl train conjunction --n 8 --points 40 --layers 3 --width 64 ...
    "readme": dict(
        task="conjunction", n=8, points=40, width=64, heads=4, layers=3, batch=64, lr=1e-3
    ),
    "paper": PAPER,
}
"""Model sizes of the K-models and the threads measurements."""


def config_for(model: str, device: str, steps: int, **kw: Any) -> TrainConfig:
    """The paper-scale config of ``model`` on ``device``."""
    return sized_config("paper", model, device, steps, **kw)


def baseline_steps_per_s(config: TrainConfig, steps: int) -> float:
    """Steps/s of the unoptimised step: reference sampling on the CPU + a plain fp32 step."""
    from boolfun.reference import reference_prompts

    torch.manual_seed(config.seed)
    model = InContextModel.from_config(config)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    rng = np.random.default_rng(config.seed)
    t0 = time.perf_counter()
    for _ in range(steps):
        xs, ys, _ = reference_prompts(config.task, config.batch, config.points, config.n, rng)
        xs_t, ys_t = torch.from_numpy(xs), torch.from_numpy(ys)
        loss = F.binary_cross_entropy_with_logits(model(xs_t, ys_t), ys_t.float())
        opt.zero_grad()
        loss.backward()
        opt.step()
    return steps / (time.perf_counter() - t0)


def sized_config(size: str, model: str, device: str, steps: int, **kw: Any) -> TrainConfig:
    """The config of ``size`` (:data:`SIZES`) for ``model``: no evaluation or checkpoints."""
    return TrainConfig(
        **{
            **SIZES[size],
            "model": model,
            "device": device,
            "steps": steps,
            "eval_every": 0,
            "checkpoint_every": 0,
            "log_every": max(1, steps),
            **kw,
        }
    )


def stack_rates(size: str, model: str, device: str, k: int, steps: int, threads: int) -> dict:
    """Model-steps/s of ``k`` models of ``size`` trained together (:func:`train_stack`) and of
    the same ``k`` runs one after another (:func:`train`), same threads, each after a warm-up;
    on CUDA both differentially (runs of ``steps`` and ``2 steps``)."""
    configs = [sized_config(size, model, device, steps, seed=s, threads=threads) for s in range(k)]

    def timed(run: Any, n: int) -> float:
        t0 = time.perf_counter()
        run([TrainConfig(**{**c.to_dict(), "steps": n}) for c in configs])
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        return time.perf_counter() - t0

    def separate(cs: list[TrainConfig]) -> None:
        for c in cs:
            train(c)

    rates = {}
    for name, run in (("separate", separate), ("stacked", train_stack)):
        timed(run, 1)  # warm-up
        if device.startswith("cuda"):
            seconds = timed(run, 2 * steps) - timed(run, steps)
        else:
            seconds = timed(run, steps)
        rates[name] = k * steps / seconds
    return {
        "size": size,
        "model": model,
        "device": device,
        "models": k,
        "threads": threads,
        "steps": steps,
        "separate_model_steps_per_s": round(rates["separate"], 3),
        "stacked_model_steps_per_s": round(rates["stacked"], 3),
        "ratio": round(rates["stacked"] / rates["separate"], 2),
    }


def thread_rates(size: str, model: str, steps: int) -> dict:
    """CPU steps/s of one run of ``size`` on 1 thread and on every core, after a warm-up."""
    row: dict[str, Any] = {"size": size, "model": model, "steps": steps}
    for threads in sorted({1, available_cores()}):
        cfg = sized_config(size, model, "cpu", steps, threads=threads)
        train(TrainConfig(**{**cfg.to_dict(), "steps": 1}))
        row[f"threads_{threads}_steps_per_s"] = round(steps / train(cfg)["seconds"], 3)
    cores = available_cores()
    if cores > 1:
        row["ratio_1_vs_all"] = round(
            row["threads_1_steps_per_s"] / row[f"threads_{cores}_steps_per_s"], 2
        )
    return row


MODES = ("eager", "graph", "compile", "compile+graph")


def mode_fields(mode: str) -> dict[str, bool]:
    """The config fields of a step mode."""
    return {"compile": "compile" in mode, "cuda_graph": "graph" in mode}


def ours_steps_per_s(config: TrainConfig) -> float:
    """Steps/s of :func:`models.train.train` (its loop time, model building excluded).

    CPU: one warm-up call, then ``steps`` timed steps. CUDA: differentially, runs of ``steps``
    and ``2 * steps`` steps, so that per-run fixed costs (compilation, graph capture) cancel.
    """
    s = config.steps
    if not config.device.startswith("cuda"):
        train(TrainConfig(**{**config.to_dict(), "steps": 1}))
        return s / train(config)["seconds"]
    short = train(TrainConfig(**{**config.to_dict(), "steps": s}))["seconds"]
    long = train(TrainConfig(**{**config.to_dict(), "steps": 2 * s}))["seconds"]
    if long <= short:
        raise RuntimeError(f"differential timing failed: {s} steps {short} s, {2 * s} {long} s")
    return s / (long - short)


def target_run(spec: str, device: str, seconds: float, accuracy: float) -> dict[str, Any]:
    """Train the paper-scale Transformer with ``spec = MODE:BATCH:LR:WARMUP`` until the
    accuracy at positions >= 40 reaches ``accuracy`` or ``seconds`` pass."""
    mode, batch, lr, warmup = spec.split(":")
    cfg = config_for(
        "transformer",
        device,
        10**7,
        **mode_fields(mode),
        batch=int(batch),
        lr=float(lr),
        warmup=int(warmup),
        eval_every=200,
        eval_prompts=512,
        target_accuracy=accuracy,
        target_from=40,
        log_every=200,
        max_seconds=seconds,
    )
    s = train(cfg)
    row = {k: s[k] for k in ("steps", "stopped", "eval_accuracy", "seconds", "steps_per_second")}
    row.update(spec=spec, target=accuracy, limit_seconds=seconds)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(BACKBONES), choices=list(BACKBONES))
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per measurement")
    parser.add_argument(
        "--modes", nargs="+", default=["eager"], choices=MODES, help="step modes (cuda)"
    )
    parser.add_argument("--batches", nargs="+", type=int, default=[64], help="batch sizes")
    parser.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="MODE:BATCH:LR:WARMUP",
        help="cuda: a Transformer run towards --target-accuracy (repeatable)",
    )
    parser.add_argument("--target-seconds", type=float, default=120.0)
    parser.add_argument("--target-accuracy", type=float, default=0.99)
    parser.add_argument(
        "--stack",
        nargs="+",
        type=int,
        default=[],
        metavar="K",
        help="K models per step (models.stack) against K separate runs, for each --sizes",
    )
    parser.add_argument(
        "--threads-compare",
        action="store_true",
        help="cpu: one run on 1 thread against every core, for each --sizes",
    )
    parser.add_argument(
        "--sizes", nargs="+", default=["tiny", "readme"], choices=list(SIZES), help="model sizes"
    )
    parser.add_argument(
        "--stack-threads", type=int, default=1, help="threads of the K-models runs (cpu)"
    )
    parser.add_argument(
        "--skip-paper", action="store_true", help="only the --stack / --threads-compare parts"
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    if args.device == "cpu" and (set(args.modes) != {"eager"} or args.target):
        parser.error("--modes other than eager and --target need a CUDA device")
    info = machine([args.device])
    rows = []
    stacks, threads = [], []
    for size in args.sizes if args.stack or args.threads_compare else []:
        for name in args.models:
            for k in args.stack:
                try:
                    r = stack_rates(size, name, args.device, k, args.steps, args.stack_threads)
                except Exception as e:
                    r = {"size": size, "model": name, "models": k, "error": f"{e}"[:300]}
                stacks.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
            if args.threads_compare and args.device == "cpu":
                try:
                    r = thread_rates(size, name, args.steps)
                except Exception as e:
                    r = {"size": size, "model": name, "error": f"{e}"[:300]}
                threads.append(r)
                print(json.dumps(r), file=sys.stderr, flush=True)
    for name in args.models if not args.skip_paper else []:
        for mode in args.modes:
            for batch in args.batches:
                cfg = config_for(name, args.device, args.steps, batch=batch, **mode_fields(mode))
                row: dict[str, Any] = {
                    "model": name,
                    "device": args.device,
                    "mode": mode,
                    "batch": batch,
                    "steps": args.steps,
                }
                try:
                    row["steps_per_s"] = round(ours_steps_per_s(cfg), 3)
                except Exception as e:  # one failing mode must not lose the other rows
                    row["error"] = f"{type(e).__name__}: {e}"[:300]
                if args.device == "cpu" and "steps_per_s" in row:
                    row["baseline_steps_per_s"] = round(baseline_steps_per_s(cfg, args.steps), 3)
                    row["ratio"] = round(row["steps_per_s"] / row["baseline_steps_per_s"], 2)
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
    targets = []
    for spec in args.target:
        try:
            t = target_run(spec, args.device, args.target_seconds, args.target_accuracy)
        except Exception as e:
            t = {"spec": spec, "error": f"{type(e).__name__}: {e}"[:300]}
        targets.append(t)
        print(json.dumps(t), file=sys.stderr, flush=True)
    result = {
        "machine": info,
        "settings": {
            "command": " ".join(
                [
                    "python",
                    "-m",
                    "benchmarks.train_speed",
                    *(argv if argv is not None else sys.argv[1:]),
                ]
            ),
            "paper": PAPER,
        },
        "results": rows,
        "target_runs": targets,
        "stack": stacks,
        "threads": threads,
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    """A short table with the machine named."""
    m = result["machine"]
    lines = [
        "# Training speed (paper scale: conjunction n=28, 70 points, batch 64, d=256, "
        "12 layers, 8 heads)",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['torch_threads']} threads, load average {m['load_average_1min_at_start']} at "
        "start); devices: " + ", ".join(f"{k} = {v}" for k, v in m["devices"].items()) + ".",
        "",
        f"Command: `{result['settings']['command']}`. Baseline (CPU) = reference per-example "
        "sampling + plain fp32 Adam step of the same model, same run.",
        "",
    ]
    if result["results"]:
        lines += [
            "| model | device | mode | batch | steps/s | baseline steps/s | ratio |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
    for r in result["results"]:
        rate = r.get("steps_per_s", r.get("error", "-"))
        lines.append(
            f"| {r['model']} | {r['device']} | {r.get('mode', 'eager')} | "
            f"{r.get('batch', 64)} | {rate} | "
            f"{r.get('baseline_steps_per_s', '-')} | {r.get('ratio', '-')} |"
        )
    if result.get("stack"):
        lines += [
            "",
            "K models per step (`models.stack`, one vmapped step) against the same K runs one "
            "after another, model-steps per second (sizes: "
            + "; ".join(f"{k} = {v}" for k, v in SIZES.items() if k != "paper")
            + "; paper = the above):",
            "",
            "| size | model | device | K | threads | separate | stacked | ratio |",
            "|---|---|---|---:|---:|---:|---:|---:|",
        ]
        for r in result["stack"]:
            if "error" in r:
                lines.append(f"| {r['size']} | {r['model']} | | {r['models']} | error: "
                             f"{r['error']} | | | |")
                continue
            lines.append(
                f"| {r['size']} | {r['model']} | {r['device']} | {r['models']} | {r['threads']} "
                f"| {r['separate_model_steps_per_s']} | {r['stacked_model_steps_per_s']} "
                f"| {r['ratio']} |"
            )
    if result.get("threads"):
        lines += [
            "",
            "One run on 1 thread against every core (CPU steps per second):",
            "",
            "| size | model | steps/s by threads | 1 thread / all |",
            "|---|---|---|---:|",
        ]
        for r in result["threads"]:
            by = ", ".join(
                f"{k.split('_')[1]}: {v}" for k, v in r.items() if k.startswith("threads_")
            )
            lines.append(f"| {r['size']} | {r['model']} | {by or r.get('error')} "
                         f"| {r.get('ratio_1_vs_all', '-')} |")
    if result.get("target_runs"):
        lines += [
            "",
            "Target runs (Transformer, accuracy at positions >= 40 on 512 fixed prompts):",
            "",
            "| mode:batch:lr:warmup | stopped | steps | seconds | steps/s | accuracy |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for t in result["target_runs"]:
            if "error" in t:
                lines.append(f"| {t['spec']} | error: {t['error']} | | | | |")
                continue
            lines.append(
                f"| {t['spec']} | {t['stopped']} | {t['steps']} | {t['seconds']} | "
                f"{t['steps_per_second']} | {t['eval_accuracy']} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
