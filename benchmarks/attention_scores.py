"""Cost of the attention-head analysis: the time to score a model
(:func:`models.attention_scores.model_attention_scores`: the nearest-neighbour and the
repeated-block prompts, forward passes with every head's attention recorded, the scores)
against the baseline of plain forward passes over the same prompts in the same run, and the
recorded forward alone against the plain one (what recording costs). Also checks that
recording leaves the outputs bit-identical.

    python -m benchmarks.attention_scores --out benchmarks/results/attention_scores.json \
        --markdown benchmarks/results/attention_scores.md
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from benchmarks.machine import machine, write_results
from boolfun.samplers import sample_prompts
from models.attention import record_attention
from models.attention_scores import model_attention_scores
from models.wrapper import InContextModel

SIZES = {
    "small": dict(n=10, points=40, width=64, layers=3, heads=4),
    "paper": dict(n=10, points=100, width=256, layers=12, heads=8),
}
"""Model sizes (nearest_neighbour's n = 10; ``paper``: its 100 points, the paper's
Transformer width, depth and heads)."""


def best_time(fn: Callable[[], Any], repeats: int) -> float:
    """The fastest of ``repeats`` calls of ``fn``, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def measure(model_name: str, size: str, prompts: int, repeats: int) -> dict[str, Any]:
    """Seconds of plain forwards, recorded forwards and the whole scoring of one model."""
    torch.manual_seed(0)
    model = InContextModel(model=model_name, **SIZES[size]).eval()
    s = SIZES[size]
    start = min(30, s["points"] // 2)
    nn_p = sample_prompts("nearest_neighbour", prompts, s["points"], s["n"], seed=0, start=start)
    block = sample_prompts(
        "nearest_neighbour", prompts, s["points"] // 2, s["n"], seed=1, start=start
    )
    batches = [
        (nn_p.xs, nn_p.ys),
        (torch.cat([block.xs, block.xs], 1), torch.cat([block.ys, block.ys], 1)),
    ]

    def plain() -> list[torch.Tensor]:
        with torch.no_grad():
            return [model(xs, ys) for xs, ys in batches]

    def recorded() -> list[torch.Tensor]:
        with torch.no_grad(), record_attention(model.backbone):
            return [model(xs, ys) for xs, ys in batches]

    identical = all(torch.equal(a, b) for a, b in zip(plain(), recorded(), strict=True))
    t_plain = best_time(plain, repeats)
    t_rec = best_time(recorded, repeats)
    t_score = best_time(lambda: model_attention_scores(model, prompts=prompts), repeats)
    return {
        "model": model_name,
        "size": size,
        **s,
        "prompts": prompts,
        "plain_forward_s": round(t_plain, 4),
        "recorded_forward_s": round(t_rec, 4),
        "scoring_s": round(t_score, 4),
        "recorded_vs_plain": round(t_rec / t_plain, 2),
        "scoring_vs_plain": round(t_score / t_plain, 2),
        "outputs_bit_identical": identical,
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Attention-head scores: cost of recording and scoring",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['torch_threads']} threads, load average {m['load_average_1min_at_start']} at "
        "start).",
        "",
        f"Command: `{result['settings']['command']}`. Baseline = plain forward passes of the "
        "same model over the same prompts (nearest_neighbour prompts and the repeated blocks), "
        "same run; each time the best of the repeats.",
        "",
        "| model | size | n | points | width | layers | heads | prompts | plain s | recorded s "
        "| scoring s | recorded / plain | scoring / plain | outputs identical |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["results"]:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['size']} | error: {r['error']} |")
            continue
        lines.append(
            f"| {r['model']} | {r['size']} | {r['n']} | {r['points']} | {r['width']} | "
            f"{r['layers']} | {r['heads']} | {r['prompts']} | {r['plain_forward_s']} | "
            f"{r['recorded_forward_s']} | {r['scoring_s']} | {r['recorded_vs_plain']} | "
            f"{r['scoring_vs_plain']} | {r['outputs_bit_identical']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", default=["transformer", "retnet"],
                        choices=["transformer", "retnet"])
    parser.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    parser.add_argument("--prompts", type=int, default=64, help="prompts scored")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (best kept)")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    info = machine(["cpu"])
    rows = []
    for size in args.sizes:
        for name in args.models:
            try:
                row = measure(name, size, args.prompts, args.repeats)
            except Exception as e:  # one failing model must not lose the other rows
                row = {"model": name, "size": size, "error": f"{type(e).__name__}: {e}"[:300]}
            rows.append(row)
            print(row, file=sys.stderr, flush=True)
    command = ["python", "-m", "benchmarks.attention_scores",
               *(argv if argv is not None else sys.argv[1:])]
    result = {
        "machine": info,
        "settings": {"command": " ".join(command), "sizes": SIZES},
        "results": rows,
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
