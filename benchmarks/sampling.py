"""Prompt sampling speed: the vectorised torch sampler against the per-example reference.

For every task at its default n and points, measures prompts per second of
:func:`boolfun.samplers.sample_prompts` (on the CPU, and on CUDA when available, with
synchronisation) and of :func:`boolfun.reference.reference_prompts` (plain Python, the way the
original research code samples) in the same run, and reports the ratio. Rates are the median
over repeated calls within the time budget; the best call is reported too.

    python -m benchmarks.sampling --seconds 120 --out benchmarks/results/sampling.json \
        --markdown benchmarks/results/sampling.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from benchmarks.machine import machine, write_results
from boolfun.reference import reference_prompts
from boolfun.samplers import sample_prompts
from boolfun.tasks import TASKS

REFERENCE_CHUNK = 10  # prompts per timed call of the reference implementation
MAX_CALLS = 500


def timed_rate(
    call: Callable[[], Any], prompts: int, budget: float, sync: Callable[[], None]
) -> dict[str, float]:
    """Median and best prompts/s of ``call`` (after one warm-up call) within ``budget`` s."""
    call()
    sync()
    times: list[float] = []
    end = time.perf_counter() + budget
    while len(times) < 3 or (time.perf_counter() < end and len(times) < MAX_CALLS):
        t0 = time.perf_counter()
        call()
        sync()
        times.append(time.perf_counter() - t0)
    return {
        "prompts_per_s": prompts / statistics.median(times),
        "best_prompts_per_s": prompts / min(times),
        "calls": len(times),
    }


def _no_sync() -> None:
    pass


def bench_task(name: str, devices: list[str], batch: dict[str, int], budget: float) -> list[dict]:
    """One row per device for ``name``; each row carries the reference rate and the ratio."""
    t = TASKS[name]
    rng = np.random.default_rng(0)
    ref = timed_rate(
        lambda: reference_prompts(name, REFERENCE_CHUNK, t.default_points, t.default_n, rng),
        REFERENCE_CHUNK,
        budget / 2,
        _no_sync,
    )
    rows = []
    for d in devices:
        dev = torch.device(d)
        gen = torch.Generator(device=dev).manual_seed(0)
        sync = (lambda dev=dev: torch.cuda.synchronize(dev)) if dev.type == "cuda" else _no_sync
        b = batch[dev.type]
        vec = timed_rate(
            lambda b=b, gen=gen, dev=dev: sample_prompts(name, b, generator=gen, device=dev),
            b,
            budget / (2 * len(devices)),
            sync,
        )
        rows.append(
            {
                "task": name,
                "n": t.default_n,
                "points": t.default_points,
                "device": d,
                "batch": b,
                "vectorised_prompts_per_s": round(vec["prompts_per_s"]),
                "vectorised_best_prompts_per_s": round(vec["best_prompts_per_s"]),
                "vectorised_calls": vec["calls"],
                "reference_prompts_per_s": round(ref["prompts_per_s"], 1),
                "reference_calls": ref["calls"],
                "reference_chunk": REFERENCE_CHUNK,
                "speedup": round(vec["prompts_per_s"] / ref["prompts_per_s"], 1),
            }
        )
    return rows


def markdown(result: dict[str, Any]) -> str:
    """A short table of the results with the machine named."""
    m = result["machine"]
    lines = [
        "# Prompt sampling speed",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['torch_threads']} torch threads, load average {m['load_average_1min_at_start']} "
        "at start); devices: " + ", ".join(f"{k} = {v}" for k, v in m["devices"].items()) + ".",
        "",
        "Vectorised = `boolfun.samplers.sample_prompts` (median over calls of `batch` prompts); "
        "reference = `boolfun.reference.reference_prompts` (per-example Python, the original "
        "code's way), same run, CPU. Ratio = vectorised / reference (medians).",
        "",
        f"Command: `{result['settings']['command']}`",
        "",
        "| task | n | points | device | batch | vectorised prompts/s (best call) "
        "| reference prompts/s | ratio |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in result["results"]:
        lines.append(
            f"| {r['task']} | {r['n']} | {r['points']} | {r['device']} | {r['batch']} | "
            f"{r['vectorised_prompts_per_s']:,} ({r['vectorised_best_prompts_per_s']:,}) | "
            f"{r['reference_prompts_per_s']:,.0f} | "
            f"{r['speedup']:,.0f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--seconds", type=float, default=60.0, help="total time budget")
    parser.add_argument(
        "--device",
        default="auto",
        help="cpu, cuda, or auto (cpu, plus cuda when available)",
    )
    parser.add_argument("--cpu-batch", type=int, default=4096, help="prompts per CPU call")
    parser.add_argument("--cuda-batch", type=int, default=65536, help="prompts per CUDA call")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)"
    )
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.device == "auto":
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    else:
        devices = [args.device]
    batch = {"cpu": args.cpu_batch, "cuda": args.cuda_batch}
    budget = args.seconds / len(args.tasks)
    info = machine(devices)  # before the run: the load average shows other work
    rows: list[dict] = []
    for name in tqdm(args.tasks, desc="tasks"):
        rows.extend(bench_task(name, devices, batch, budget))
    result = {
        "machine": info,
        "settings": {
            "command": " ".join(["python", "-m", "benchmarks.sampling", *(argv or sys.argv[1:])]),
            "seconds": args.seconds,
            "batch": batch,
            "reference_chunk": REFERENCE_CHUNK,
        },
        "results": rows,
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
