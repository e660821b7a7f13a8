"""Direct prompting (:mod:`models.prompting`): queries per second against the loopback test
server at several concurrency limits, and the size of the prompts as n and points grow.

Throughput: :func:`models.prompting.run.evaluate_llm` with the OpenAI-compatible backend
against :class:`models.prompting.testing_server.PromptingTestServer`, which waits a fixed
``--delay`` (default 20 ms, a stand-in for model time) before each answer; every answer is
appended and fsynced to a result file, as in real use. Each concurrency's queries/s is given
as a ratio against concurrency 1 in the same run (ideal: the concurrency itself, while the
client and the server keep up; the bound at concurrency 1 is ``1 / delay``).

Prompt size: the prompt of the last position (all ``points - 1`` examples shown) and the mean
over positions (the average query of ``--every 1``), in tokens of the tiny byte-level BPE
tokenizer of :mod:`models.prompting.tiny_lm` (trained on the format's text: each bit, label,
``"Input"``, ``"Label"``, ``":"`` and newline is about one token, as with GPT-2's BPE) and in
characters. Sampled prompts of ``conjunction`` at the given n.

    python -m benchmarks.llm_prompting --out benchmarks/results/llm_prompting.json \
        --markdown benchmarks/results/llm_prompting.md
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmarks.machine import machine, write_results
from boolfun.samplers import sample_prompts
from models.prompting.format import build_prompt
from models.prompting.openai_http import OpenAIBackend
from models.prompting.run import evaluate_llm
from models.prompting.testing_server import PromptingTestServer


def throughput(concurrency: int, queries: int, delay: float, repeats: int) -> dict[str, Any]:
    """Queries/s of ``queries`` queries (``queries / 10`` prompts of 10 points) at
    ``concurrency``; the best of ``repeats``."""
    rates = []
    for _ in range(repeats):
        with PromptingTestServer(delay=delay) as server, tempfile.TemporaryDirectory() as d:
            backend = OpenAIBackend(server.base_url, "bench", api_key_env=None,
                                    concurrency=concurrency)
            t0 = time.perf_counter()
            r = evaluate_llm(backend, "conjunction", n=8, points=10, prompts=queries // 10,
                             results_file=Path(d) / "r.jsonl", resamples=1)
            seconds = time.perf_counter() - t0
            if r["status"] != "complete" or server.requests != r["queries"]:
                raise RuntimeError(f"benchmark run incomplete: {r['status']}")
            rates.append(r["queries"] / seconds)
    return {"concurrency": concurrency, "queries": queries // 10 * 10,
            "queries_per_s": round(max(rates), 2), "all_queries_per_s": [round(v, 2)
                                                                          for v in rates]}


def prompt_sizes(dims: list[int], points: list[int], prompts: int) -> list[dict[str, Any]]:
    from models.prompting.tiny_lm import tiny_tokenizer

    tok = tiny_tokenizer()
    rows = []
    for n in dims:
        for p in points:
            s = sample_prompts("conjunction", prompts, p, n, seed=0)
            xs, ys = s.xs.numpy(), s.ys.numpy()
            last_t, last_c, mean_t = [], [], []
            for b in range(prompts):
                texts = [build_prompt(xs[b], ys[b], i) for i in range(p)]
                counts = [len(ids) for ids in tok(texts, add_special_tokens=False)["input_ids"]]
                last_t.append(counts[-1])
                last_c.append(len(texts[-1]))
                mean_t.append(float(np.mean(counts)))
            rows.append({"n": n, "points": p, "tokens_last": round(float(np.mean(last_t)), 1),
                         "chars_last": round(float(np.mean(last_c)), 1),
                         "tokens_mean_over_positions": round(float(np.mean(mean_t)), 1),
                         "tokens_per_example": round((np.mean(last_t) - tok_len(tok, n)) /
                                                     max(p - 1, 1), 2)})
    return rows


def tok_len(tok: Any, n: int) -> float:
    """Tokens of a prompt with no example shown (the instruction and the query)."""
    return len(tok(build_prompt(np.zeros((1, n), np.uint8), np.zeros(1, np.uint8), 0),
                   add_special_tokens=False)["input_ids"])


def markdown(result: dict[str, Any]) -> str:
    m, s = result["machine"], result["settings"]
    lines = [
        "# Direct prompting: throughput and prompt size",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} cores, load {m['load_average_1min_at_start']} "
        f"at start), Python {m['python']}, torch {m['torch']}.",
        "",
        f"## Queries per second against the loopback test server ({s['delay'] * 1000:g} ms "
        "per answer)",
        "",
        f"Bound at concurrency 1: {1 / s['delay']:.0f} queries/s. Best of {s['repeats']}; "
        "every answer fsynced to a result file. At concurrency 1 the client's own work per "
        "query (building the prompt, the HTTP exchange, parsing, the fsync) adds to the "
        "server's delay, so a ratio can exceed the concurrency; at high concurrency the "
        "ceiling is the CPU the client and the server share.",
        "",
        "| concurrency | queries | queries/s | vs concurrency 1 |",
        "|---:|---:|---:|---:|",
    ]
    base = result["throughput"][0]["queries_per_s"]
    for row in result["throughput"]:
        lines.append(f"| {row['concurrency']} | {row['queries']} | {row['queries_per_s']} | "
                     f"{row['queries_per_s'] / base:.2f}x |")
    lines += [
        "",
        "## Prompt size (conjunction prompts, tiny byte-level BPE tokens)",
        "",
        "| n | points | tokens (last position) | characters (last) | tokens (mean over "
        "positions) | tokens per example |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["prompt_sizes"]:
        lines.append(f"| {row['n']} | {row['points']} | {row['tokens_last']} | "
                     f"{row['chars_last']} | {row['tokens_mean_over_positions']} | "
                     f"{row['tokens_per_example']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--queries", type=int, default=200, help="queries per measurement")
    parser.add_argument("--delay", type=float, default=0.02, help="server seconds per answer")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--dims", type=int, nargs="+", default=[5, 7, 15, 28])
    parser.add_argument("--points", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--size-prompts", type=int, default=8,
                        help="prompts per (n, points) of the size table")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    info = machine(["cpu"])
    rows = [throughput(c, args.queries, args.delay, args.repeats) for c in args.concurrency]
    result = {
        "machine": info,
        "settings": {"delay": args.delay, "queries": args.queries, "repeats": args.repeats,
                     "size_prompts": args.size_prompts, "tokenizer": "models.prompting.tiny_lm"},
        "throughput": rows,
        "prompt_sizes": prompt_sizes(args.dims, args.points, args.size_prompts),
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
