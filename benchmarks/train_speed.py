"""Training speed of the in-context models: steps per second at paper scale (conjunction,
n = 28, 70 points, batch 64, d = 256, 8 heads, 12 layers) for every backbone.

CPU: our step (:func:`models.train.train`: on-device vectorised sampling, fp32) against an
unoptimised baseline step of the same model in the same run (prompts from the per-example
reference sampler :func:`boolfun.reference.reference_prompts`, copied in, plain Adam step) —
the ratio is what our code gains on a CPU. GPU (when available): absolute steps/s (bf16
autocast, fused Adam, optionally compiled) and, for the Transformer, the time to reach the
target accuracy at positions >= 40 (or the accuracy reached within ``--target-steps``).

    python -m benchmarks.train_speed --steps 3 --out benchmarks/results/train_speed.json \
        --markdown benchmarks/results/train_speed.md
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

from benchmarks.machine import machine
from models.config import MODELS, TrainConfig
from models.train import build_model, train

PAPER = dict(task="conjunction", n=28, points=70, width=256, heads=8, layers=12, batch=64, lr=1e-4)


def config_for(model: str, device: str, steps: int, **kw: Any) -> TrainConfig:
    """The paper-scale config of ``model`` on ``device``."""
    return TrainConfig(
        **{
            **PAPER,
            "model": model,
            "device": device,
            "steps": steps,
            "eval_every": 0,
            "checkpoint_every": 0,
            "log_every": max(1, steps),
            **kw,
        }
    )


def baseline_steps_per_s(config: TrainConfig, steps: int) -> float:
    """Steps/s of the unoptimised step: reference sampling on the CPU + a plain fp32 step."""
    from boolfun.reference import reference_prompts

    torch.manual_seed(config.seed)
    model = build_model(config)
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


def ours_steps_per_s(config: TrainConfig) -> float:
    """Steps/s of :func:`models.train.train` (after one warm-up step)."""
    train(TrainConfig(**{**config.to_dict(), "steps": 1}))  # warm-up: allocations, compile
    return float(train(config)["steps_per_second"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per measurement")
    parser.add_argument("--compile", action="store_true", help="torch.compile (cuda)")
    parser.add_argument(
        "--target-steps",
        type=int,
        default=0,
        help="cuda: also train the Transformer up to this many steps towards "
        "--target accuracy at positions >= 40 (0 = skip)",
    )
    parser.add_argument("--target", type=float, default=0.99)
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    info = machine([args.device])
    rows = []
    for name in args.models:
        cfg = config_for(name, args.device, args.steps, compile=args.compile)
        row: dict[str, Any] = {"model": name, "device": args.device, "steps": args.steps}
        row["steps_per_s"] = round(ours_steps_per_s(cfg), 3)
        if args.device == "cpu":
            row["baseline_steps_per_s"] = round(baseline_steps_per_s(cfg, args.steps), 3)
            row["ratio"] = round(row["steps_per_s"] / row["baseline_steps_per_s"], 2)
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    target = None
    if args.target_steps and args.device != "cpu":
        cfg = config_for(
            "transformer",
            args.device,
            args.target_steps,
            compile=args.compile,
            eval_every=250,
            eval_prompts=512,
            target_accuracy=args.target,
            target_from=40,
            log_every=250,
        )
        s = train(cfg)
        target = {
            k: s[k] for k in ("steps", "stopped", "eval_accuracy", "seconds", "steps_per_second")
        }
        target["target"] = args.target
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
        "target_run": target,
    }
    text = markdown(result)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    if args.markdown:
        args.markdown.write_text(text)
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
        "| model | device | steps/s | baseline steps/s | ratio |",
        "|---|---|---:|---:|---:|",
    ]
    for r in result["results"]:
        lines.append(
            f"| {r['model']} | {r['device']} | {r['steps_per_s']} | "
            f"{r.get('baseline_steps_per_s', '-')} | {r.get('ratio', '-')} |"
        )
    if result.get("target_run"):
        t = result["target_run"]
        lines += ["", f"Target run (Transformer): {t}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
