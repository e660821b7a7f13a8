"""Learner speed: incremental GF(2) elimination at every position against solving every prefix
from scratch, and the throughput of the elimination and k-NN learners.

GF(2): parity prompts, 1280 prompts x 140 points, n = 10, 28, 64. The learner
(:class:`learners.GF2Elimination`) makes one bit-packed elimination step per position, batched
over prompts. It is compared with two numpy baselines that solve every prefix from scratch and
give the same predictions (checked): *per-prompt* — for each prompt and each prefix, Gaussian
elimination of the augmented 0/1 matrix ``[X | y]`` (numpy row operations, the textbook way) —
and *batched* — for each prefix, one elimination of all prompts at once on bit-packed uint64
rows (vectorised over prompts, non-incremental). Both are timed on a subset of the prompts and
scaled linearly to the full batch (their cost is linear in the number of prompts); the subset
sizes are recorded.

Throughput: prompts per second of elimination (conjunction, n=28, 70 points) and of k-NN with
k = 1, 3 (nearest_neighbour, n=10, 100 points; conjunction, n=28, 70 points).

    python -m benchmarks.learners --out benchmarks/results/learners.json \
        --markdown benchmarks/results/learners.md
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

from benchmarks.machine import machine, write_results
from boolfun.samplers import sample_prompts
from learners import Elimination, GF2Elimination, NearestNeighbours


def rref_label(X: np.ndarray, y: np.ndarray, x: np.ndarray) -> int:
    """The GF(2) learner's label for ``x`` after the equations ``X s = y``, from scratch: the
    reduced row echelon form of ``[X | y]`` (pivots in column order), then
    ``XOR_{pivot p : x_p = 1} rhs_p`` (the forced label, or the canonical solution's)."""
    n = X.shape[1]
    A = np.concatenate([X, y[:, None]], 1).astype(np.uint8)
    r, pivots = 0, []
    for c in range(n):
        if r == len(A):
            break
        below = np.flatnonzero(A[r:, c])
        if below.size == 0:
            continue
        k = r + below[0]
        if k != r:
            A[[r, k]] = A[[k, r]]
        hit = A[:, c].astype(bool)
        hit[r] = False
        A[hit] ^= A[r]
        pivots.append(c)
        r += 1
    return int(sum(int(A[j, n]) for j, p in enumerate(pivots) if x[p]) % 2)


def per_prompt_from_scratch(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Every position of every prompt, each prefix solved from scratch (:func:`rref_label`)."""
    B, P, n = xs.shape
    out = np.zeros((B, P), np.uint8)
    for b in range(B):
        for i in range(P):
            out[b, i] = rref_label(xs[b, :i], ys[b, :i], xs[b, i]) if i else 0
    return out


def batched_from_scratch(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Every position, each prefix eliminated from scratch for all prompts at once on
    bit-packed uint64 rows (``n <= 64``): column by column, a per-prompt pivot row is swapped
    into place and XORed into every other row holding the column."""
    B, P, n = xs.shape
    assert n <= 64
    words = (xs.astype(np.uint64) << np.arange(n, dtype=np.uint64)).sum(-1, dtype=np.uint64)
    out = np.zeros((B, P), np.uint8)
    rows_b = np.arange(B)
    one = np.uint64(1)
    for i in range(1, P):
        A = words[:, :i].copy()  # (B, i)
        rhs = ys[:, :i].astype(np.uint8).copy()
        r = np.zeros(B, np.int64)
        pivot_col = np.zeros((B, i), np.uint64)
        x = words[:, i]
        idx = np.arange(i)[None, :]
        for c in range(n):
            bit = ((A >> np.uint64(c)) & one).astype(bool)
            cand = bit & (idx >= r[:, None])
            has = cand.any(1) & (r < i)
            if not has.any():
                continue
            k = cand.argmax(1)
            rr = np.minimum(r, i - 1)
            sel = rows_b[has]
            A[sel, rr[has]], A[sel, k[has]] = A[sel, k[has]], A[sel, rr[has]]
            rhs[sel, rr[has]], rhs[sel, k[has]] = rhs[sel, k[has]], rhs[sel, rr[has]]
            pivot_col[sel, rr[has]] = c
            prow, prhs = A[rows_b, rr], rhs[rows_b, rr]
            bit = ((A >> np.uint64(c)) & one).astype(bool) & has[:, None]
            bit[rows_b, rr] = False
            A ^= np.where(bit, prow[:, None], np.uint64(0))
            rhs ^= np.where(bit, prhs[:, None], 0).astype(np.uint8)
            r += has
        # label: XOR of the final right-hand sides of the pivots that x has
        x_has = ((x[:, None] >> pivot_col) & one).astype(bool) & (idx < r[:, None])
        label = (x_has & rhs.astype(bool)).sum(1) % 2
        out[:, i] = label
    return out


def median_time(call: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median wall time of ``repeats`` calls (after one warm-up call) and the last result."""
    result = call()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_gf2(
    n: int, prompts: int, points: int, per_prompt_subset: int, batched_subset: int, repeats: int
) -> dict[str, Any]:
    p = sample_prompts("parity", prompts, points, n, seed=n)
    xs, ys = p.numpy()
    learner = GF2Elimination()
    t_inc, preds = median_time(lambda: learner.predict(xs, ys), repeats)
    t0 = time.perf_counter()
    ref = per_prompt_from_scratch(xs[:per_prompt_subset], ys[:per_prompt_subset])
    t_pp = (time.perf_counter() - t0) * prompts / per_prompt_subset
    assert (ref == preds[:per_prompt_subset]).all(), "per-prompt baseline disagrees"
    row: dict[str, Any] = {
        "n": n,
        "prompts": prompts,
        "points": points,
        "incremental_s": round(t_inc, 4),
        "incremental_prompts_per_s": round(prompts / t_inc),
        "per_prompt_scratch_s": round(t_pp, 2),
        "per_prompt_scratch_subset": per_prompt_subset,
        "ratio_per_prompt": round(t_pp / t_inc, 1),
        "accuracy_last_position": round(float((preds[:, -1] == ys[:, -1]).mean()), 4),
    }
    if n <= 64:
        t0 = time.perf_counter()
        ref = batched_from_scratch(xs[:batched_subset], ys[:batched_subset])
        t_b = (time.perf_counter() - t0) * prompts / batched_subset
        assert (ref == preds[:batched_subset]).all(), "batched baseline disagrees"
        row.update(
            batched_scratch_s=round(t_b, 2),
            batched_scratch_subset=batched_subset,
            ratio_batched=round(t_b / t_inc, 1),
        )
    return row


def bench_throughput(repeats: int, batch: int) -> list[dict[str, Any]]:
    cases = [
        ("elimination", "conjunction", 28, 70, Elimination("conjunction")),
        ("nn1", "nearest_neighbour", 10, 100, NearestNeighbours(1)),
        ("nn3", "nearest_neighbour", 10, 100, NearestNeighbours(3)),
        ("nn1", "conjunction", 28, 70, NearestNeighbours(1)),
        ("nn3", "conjunction", 28, 70, NearestNeighbours(3)),
    ]
    rows = []
    for name, task, n, points, learner in cases:
        p = sample_prompts(task, batch, points, n, seed=0)
        t, _ = median_time(lambda learner=learner, p=p: learner.predict_full(p.xs, p.ys), repeats)
        rows.append(
            {
                "learner": name,
                "task": task,
                "n": n,
                "points": points,
                "batch": batch,
                "seconds": round(t, 4),
                "prompts_per_s": round(batch / t),
            }
        )
    return rows


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    lines = [
        "# Learner speed",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"{m['torch_threads']} torch threads, load average {m['load_average_1min_at_start']} "
        "at start); CPU only.",
        "",
        f"Command: `{result['settings']['command']}`",
        "",
        "## GF(2) elimination at every position (parity prompts)",
        "",
        "Incremental = `learners.GF2Elimination` (one bit-packed elimination step per position, "
        "batched over prompts; median of repeated runs). Per-prompt scratch = numpy Gaussian "
        "elimination of `[X | y]` for every prompt and every prefix (the issue's baseline). "
        "Batched scratch = every prefix eliminated from scratch for all prompts at once on "
        "packed uint64 rows (a stronger, vectorised baseline). Baselines timed on the subset "
        "of prompts shown and scaled linearly to the batch; both reproduce the learner's "
        "predictions exactly.",
        "",
        "| n | prompts x points | incremental | per-prompt scratch (subset) | ratio "
        "| batched scratch (subset) | ratio |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in result["gf2"]:
        lines.append(
            f"| {r['n']} | {r['prompts']} x {r['points']} | {r['incremental_s']:.3f} s "
            f"({r['incremental_prompts_per_s']:,} prompts/s) | {r['per_prompt_scratch_s']:,.1f} s "
            f"({r['per_prompt_scratch_subset']}) | **{r['ratio_per_prompt']:,.0f}x** | "
            f"{r['batched_scratch_s']:,.1f} s ({r['batched_scratch_subset']}) | "
            f"{r['ratio_batched']:,.0f}x |"
        )
    lines += [
        "",
        "## Throughput",
        "",
        "`predict_full` (predictions plus the version-space report where the learner has one), "
        "median over repeated calls.",
        "",
        "| learner | task | n | points | batch | prompts/s |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in result["throughput"]:
        lines.append(
            f"| {r['learner']} | {r['task']} | {r['n']} | {r['points']} | {r['batch']} | "
            f"{r['prompts_per_s']:,} |"
        )
    worst = min(r["ratio_per_prompt"] for r in result["gf2"])
    lines += [
        "",
        "Notes:",
        "",
        f"- Target: incremental >= 100x the per-prompt from-scratch solve; the smallest ratio "
        f"here is {worst:,.0f}x ({'met' if worst >= 100 else 'not met'}). Against the "
        "batched from-scratch baseline, which shares the vectorisation over prompts and "
        "differs only in re-solving every prefix, the gain is the algorithmic one: a re-solve "
        "of prefix i costs O(i) row operations per column, a step O(1), so it grows with the "
        "prompt length.",
        "- n = 64 needs two words per augmented row (64 coefficients + the label bit), hence "
        "its lower rate than n = 28.",
        "- One torch thread (`--threads 1`): the 2-core machine is shared; "
        "`torch_threads` and the load average above are part of the record.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[10, 28, 64])
    parser.add_argument("--prompts", type=int, default=1280)
    parser.add_argument("--points", type=int, default=140)
    parser.add_argument(
        "--per-prompt-subset",
        type=int,
        default=8,
        help="prompts the per-prompt baseline is timed on",
    )
    parser.add_argument(
        "--batched-subset", type=int, default=128, help="prompts the batched baseline is timed on"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=1280, help="prompts per throughput call")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    info = machine(["cpu"])
    gf2 = [
        bench_gf2(
            n, args.prompts, args.points, args.per_prompt_subset, args.batched_subset, args.repeats
        )
        for n in args.dims
    ]
    result = {
        "machine": info,
        "settings": {
            "command": " ".join(["python", "-m", "benchmarks.learners", *(argv or sys.argv[1:])]),
            **{k: v for k, v in vars(args).items() if k not in ("out", "markdown")},
        },
        "gf2": gf2,
        "throughput": bench_throughput(args.repeats, args.batch),
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
