"""``boolicl attention``: induction and nearest-neighbour scores of every attention head of a
trained run or a local Hugging Face causal LM (:mod:`models.attention_scores`)."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from boolicl.cli import options, types

HF_PREFIX = "hf:"


def add_parsers(sub: Any) -> None:
    """``attention``: per-head scores, a heatmap PNG and a JSON file."""
    p = sub.add_parser(
        "attention",
        help="induction and nearest-neighbour scores of every attention head",
        description="Score every head of RUN_OR_MODEL: the induction (prefix-matching) score "
        "on prompts made of a repeated block, and the nearest-neighbour score (attention mass "
        "from the query x_i on the label of its nearest earlier x). Writes OUT/NAME.png (a "
        "heatmap) and OUT/NAME.json, and lists the heads at or above --threshold.",
    )
    p.add_argument(
        "source",
        metavar="RUN_OR_MODEL",
        help="a run folder of `boolicl train` (transformer or retnet backbone), or hf:PATH "
        "for a local Hugging Face causal LM folder (never downloaded)",
    )
    p.add_argument(
        "--task",
        default="nearest_neighbour",
        help="task whose prompts are scored (default nearest_neighbour; see `boolicl tasks`)",
    )
    options.add_n(p, help="input dimension of hf: models (a run uses its own)")
    options.add_points(p)
    options.add_prompts(p, None, "number of prompts (default 64 for a run, 16 for hf:)")
    options.add_seed(p, "the prompts")
    p.add_argument(
        "--start",
        type=types.positive_int,
        default=None,
        help="first example scored as a nearest-neighbour query (default min(30, points / 2))",
    )
    p.add_argument(
        "--block",
        type=types.positive_int,
        default=None,
        help="examples (run) or tokens (hf:) in the repeated block (default points / 2; hf: 64)",
    )
    p.add_argument(
        "--threshold",
        type=types.probability,
        default=None,
        help="list heads scoring at least this, in [0, 1] (default 0.3)",
    )
    p.add_argument(
        "--out", type=types.path, default=Path("boolicl-attention"),
        help="folder for NAME.png and NAME.json (default boolicl-attention)",
    )
    options.add_device(p, "to run the model on")
    options.add_json(p)


def model_name(source: str) -> str:
    """The file name of ``source``'s outputs: its folder's name, made safe."""
    base = Path(source.removeprefix(HF_PREFIX)).resolve().name or "model"
    return re.sub(r"[^\w.-]+", "_", base)


def cmd_attention(args: argparse.Namespace) -> int:
    from models.attention_scores import (
        DEFAULT_THRESHOLD,
        hf_attention_scores,
        model_attention_scores,
    )

    common = dict(
        task=args.task,
        seed=args.seed,
        start=args.start,
        block=args.block,
        threshold=DEFAULT_THRESHOLD if args.threshold is None else args.threshold,
        device=args.device,
    )
    if args.prompts is not None:
        common["prompts"] = args.prompts
    source = args.source
    if source.startswith(HF_PREFIX):
        path = source.removeprefix(HF_PREFIX)
        if not path.strip():
            raise ValueError("RUN_OR_MODEL hf:PATH needs a folder after hf:")
        if not Path(path).exists():
            raise ValueError(f"RUN_OR_MODEL {source!r}: the folder {path!r} does not exist")
        result = hf_attention_scores(path, n=args.n, points=args.points, **common)
    else:
        from models.checkpoints import load_model

        if not Path(source).exists():
            raise ValueError(
                f"RUN_OR_MODEL {source!r} does not exist: give a run folder or hf:PATH"
            )
        for flag, value in (("--n", args.n), ("--points", args.points)):
            if value is not None:
                raise ValueError(f"{flag} applies to hf: models only; a run uses its own")
        from models.backbones import ATTENTION_BACKBONES
        from models.config import TrainConfig

        config_file = Path(source) / "config.json"
        if config_file.is_file():
            config = TrainConfig.load(config_file)
            if not config.model.startswith(HF_PREFIX) and config.model not in ATTENTION_BACKBONES:
                raise ValueError(
                    f"RUN_OR_MODEL {source!r} has backbone {config.model!r}, which has no "
                    f"attention heads: supported backbones are "
                    f"{', '.join(sorted(ATTENTION_BACKBONES))} and hf:PATH models"
                )
        model, _ = load_model(source, device=args.device)
        result = model_attention_scores(model, **common)
    result["model"] = source
    args.out.mkdir(parents=True, exist_ok=True)
    name = model_name(source)
    png, js = args.out / f"{name}.png", args.out / f"{name}.json"
    result["files"] = {"png": str(png), "json": str(js)}
    from boolicl.attention_plots import plot_attention_scores

    plot_attention_scores(result, png, title=f"{name}: {result['backbone']} on {result['task']}")
    js.write_text(json.dumps(result, indent=2) + "\n")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(summary(result))
    return 0


def summary(result: dict[str, Any]) -> str:
    """A few lines: the best head of each score beside chance, the heads above threshold,
    the files."""
    lines = [
        f"{result['model']} ({result['backbone']}, {result['layers']} layers x "
        f"{result['heads']} heads) on {result['task']}, {result['prompts']} prompts:"
    ]
    for key, label in (("induction", "induction"), ("nearest_neighbour", "nearest neighbour")):
        scores = result[key]
        best = max(
            ((v, layer, head) for layer, row in enumerate(scores) for head, v in enumerate(row)),
            default=(0.0, 0, 0),
        )
        above = result["heads_above_threshold"][key]
        listed = ", ".join(f"L{h['layer']}H{h['head']} {h['score']:.3f}" for h in above[:10])
        more = f" (+{len(above) - 10} more)" if len(above) > 10 else ""
        lines.append(
            f"  {label}: best L{best[1]}H{best[2]} {best[0]:.3f} (chance "
            f"{result['chance'][key]:.3f}); >= {result['threshold']:g}: "
            f"{listed + more if above else 'none'}"
        )
    lines.append(f"  wrote {result['files']['png']} and {result['files']['json']}")
    return "\n".join(lines)


COMMANDS = {"attention": cmd_attention}
