"""Wall time of one training step of the frozen GPT-2 backbone (``hf:PATH``,
:mod:`models.pretrained`) against our own ``transformer`` backbone of the same width and
layers, both through the normal loop :func:`models.train.train`, same task, batch, threads and
machine, in the same run.

The GPT-2 is built from a config (random weights: the step costs the same as with the real
ones) and saved with ``save_pretrained`` to a temporary folder, then loaded back like any
local model; nothing is downloaded. Its vocabulary is cut to 256 tokens: with ``inputs_embeds``
the token embeddings are never used, and the folder stays small. Each measurement is one
warm-up call of one step, then ``--steps`` timed steps (the loop's own time: model building and
loading excluded), in ``--repeats`` rounds that take the models in turn (so that a change of
the machine's load falls on all of them), reported as the median over the rounds. The ratio is
GPT-2's seconds per step over the Transformer's: what the frozen language model costs (it
still back-propagates through all its layers to reach the read-in, but computes no weight
gradients and no Adam update for them).

    python -m benchmarks.llm_train_step --out benchmarks/results/llm_train_step.json \\
        --markdown benchmarks/results/llm_train_step.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

from benchmarks.machine import machine, write_results
from models.config import TrainConfig
from models.train import train


def save_gpt2(folder: Path, width: int, layers: int, heads: int, positions: int) -> None:
    """A randomly initialised GPT-2 of the given size, written by ``save_pretrained``."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(n_embd=width, n_layer=layers, n_head=heads, n_positions=positions,
                        vocab_size=256, bos_token_id=None, eos_token_id=None)
    torch.manual_seed(0)
    GPT2LMHeadModel(config).save_pretrained(folder)


def warm_up(config: TrainConfig) -> None:
    """One step of ``config`` (first-call costs: allocations, lazy imports)."""
    train(TrainConfig(**{**config.to_dict(), "steps": 1}))


def seconds_per_step(config: TrainConfig) -> tuple[float, int]:
    """The loop's seconds per step of ``config``, and the torch threads it used."""
    summary = train(config)
    return summary["seconds"] / config.steps, summary["threads"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--width", type=int, default=768, help="GPT-2 n_embd (small: 768)")
    parser.add_argument("--layers", type=int, default=12, help="GPT-2 n_layer (small: 12)")
    parser.add_argument("--heads", type=int, default=12, help="GPT-2 n_head (small: 12)")
    parser.add_argument("--task", default="conjunction")
    parser.add_argument("--n", type=int, default=28)
    parser.add_argument("--points", type=int, default=70)
    parser.add_argument("--batch", type=int, default=8, help="prompts per step")
    parser.add_argument("--steps", type=int, default=2, help="timed steps per measurement")
    parser.add_argument("--repeats", type=int, default=3, help="rounds over the models")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: choose)")
    parser.add_argument("--freeze", nargs="+", default=["all", "all-but-ln"],
                        choices=["all", "all-but-ln"])
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--markdown", type=Path, help="write a markdown table")
    args = parser.parse_args(argv)
    info = machine(["cpu"])
    common = dict(task=args.task, n=args.n, points=args.points, batch=args.batch,
                  steps=args.steps, lr=1e-4, eval_every=0, checkpoint_every=0,
                  log_every=args.steps, threads=args.threads)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gpt2"
        save_gpt2(folder, args.width, args.layers, args.heads, max(1024, 2 * args.points))
        configs = {"transformer (ours, all trained)": TrainConfig(
            model="transformer", width=args.width, layers=args.layers, heads=args.heads,
            **common)}
        for freeze in args.freeze:
            configs[f"GPT-2 frozen ({freeze})"] = TrainConfig(
                model=f"hf:{folder}", freeze=freeze, **common)
        for cfg in configs.values():
            warm_up(cfg)
        times: dict[str, list[float]] = {name: [] for name in configs}
        threads = set()
        for r in range(args.repeats):
            for name, cfg in configs.items():
                seconds, used = seconds_per_step(cfg)
                times[name].append(seconds)
                threads.add(used)
                print(f"round {r}: {name}: {times[name][-1]:.3f} s/step", file=sys.stderr,
                      flush=True)
        medians = {name: statistics.median(t) for name, t in times.items()}
        base = medians["transformer (ours, all trained)"]
        for name, t in times.items():
            rows.append({"model": name, "seconds_per_step": round(medians[name], 4),
                         "rounds": [round(x, 4) for x in t],
                         "ratio": round(medians[name] / base, 3)})
    result = {
        "machine": info,
        "settings": {
            "command": " ".join(["python", "-m", "benchmarks.llm_train_step",
                                 *(argv if argv is not None else sys.argv[1:])]),
            "width": args.width, "layers": args.layers, "heads": args.heads,
            "task": args.task, "n": args.n, "points": args.points, "batch": args.batch,
            "steps": args.steps, "repeats": args.repeats,
            "threads": ", ".join(str(t) for t in sorted(threads)),
        },
        "results": rows,
    }
    write_results(result, markdown(result), args.out, args.markdown)
    return 0


def markdown(result: dict[str, Any]) -> str:
    """The table, with the machine and the sizes named."""
    m, s = result["machine"], result["settings"]
    lines = [
        f"# One training step: frozen GPT-2 (d={s['width']}, {s['layers']} layers, "
        f"{s['heads']} heads) against our Transformer of the same size, CPU",
        "",
        f"Machine: {m['cpu']} ({m['cpu_count']} CPUs, torch {m['torch']}, "
        f"load average {m['load_average_1min_at_start']} at start).",
        "",
        f"Command: `{s['command']}`. Task {s['task']}, n={s['n']}, {s['points']} points "
        f"({2 * s['points']} tokens), batch {s['batch']}, {s['threads']} threads; per model a "
        f"one-step warm-up, then {s['repeats']} rounds of {s['steps']} timed steps taking the "
        "models in turn, through `models.train.train`; the median round. GPT-2 built from a "
        "config (random weights, vocabulary 256), loaded with `local_files_only`. Ratio = "
        "seconds per step / the Transformer's.",
        "",
        "| model | seconds per step (median) | rounds | ratio |",
        "|---|---:|---|---:|",
    ]
    for r in result["results"]:
        rounds = ", ".join(str(x) for x in r["rounds"])
        lines.append(f"| {r['model']} | {r['seconds_per_step']} | {rounds} | {r['ratio']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
